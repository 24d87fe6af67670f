"""API207: which parameters of a route FastAPI reads from the body, and which are untyped.

FastAPI's own rules decide what a body parameter is (``fastapi/dependencies/
utils.py``, ``analyze_param``): an explicit ``Body()`` is one; ``Query()``,
``Header()``, ``Cookie()``, ``Path()``, ``Form()``, ``File()``, ``Depends()`` and
``Security()`` are not; without any of them a path parameter stays a path
parameter, a non-scalar annotation (``dict``, ``list``, a model) is read from the
body and a scalar one (``Any`` and ``object`` included) from the query string; a
parameter without annotation is ``Any`` (``payload=Body(...)`` is an untyped body).
A webhook or protocol callback is the sender's schema (``third_party_endpoint``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.rules.body_bindings import (
    is_model_class,
    is_none,
)
from fastapi_lint.rules.routes._common import ANY_TYPES
from fastapi_lint.semantic.fastapi import parameter_markers
from fastapi_lint.semantic.syntax import parameter_defaults, string_annotation, subscript_elements

if TYPE_CHECKING:
    from fastapi_lint.semantic.fastapi import RouteInfo
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope


_PARAM_FUNCTIONS = frozenset(
    {"Body", "Query", "Header", "Cookie", "Path", "Form", "File", "Depends", "Security"}
)


_PARAM_MODULES = ("fastapi.", "fastapi.params.", "fastapi.param_functions.")


_MAPPINGS = frozenset(
    {
        "builtins.dict",
        "typing.Dict",
        "typing.Mapping",
        "typing.MutableMapping",
        "collections.abc.Mapping",
        "collections.abc.MutableMapping",
    }
)


_SEQUENCES = frozenset(
    {
        "builtins.list",
        "typing.List",
        "typing.Sequence",
        "collections.abc.Sequence",
        "builtins.set",
        "typing.Set",
        "builtins.tuple",
        "typing.Tuple",
    }
)


_WRAPPERS = frozenset({"Optional", "Union", "Annotated"})


_MAX_DEPTH = 8


_PATH_PARAM = lazy_compile(r"{(\w+)")


# Endpoints a third party calls with its own payload schema (Slack, Stripe, a SAML IdP):
# they verify a signature or a token, then read the few keys they need.
_THIRD_PARTY_WORDS = ("webhook", "callback")


_OWN_CLIENT_METHODS = frozenset({"PUT", "PATCH"})
# Schemes a signed-in user authenticates with (a webhook sender signs, or sends a shared key).
_USER_LOGIN_SCHEMES = ("OAuth2", "OpenIdConnect", "FastAPIUsers.")


# ---------------------------------------------------------------- body parameters
def _param_function(model: ModuleModel, function: FunctionInfo, arg: ast.arg) -> str | None:
    """``Body``, ``Query``, ``Depends``... when the parameter declares one (default or metadata)."""
    for candidate, scope in parameter_markers(model, function, arg):
        if not isinstance(candidate, ast.Call):
            continue
        qualname = model.qualified_name(candidate.func, scope) or ""
        short = qualname.rsplit(".", 1)[-1]
        if short in _PARAM_FUNCTIONS and qualname.startswith(_PARAM_MODULES):
            return short
    return None


def _untyped(
    model: ModuleModel, annotation: ast.AST, scope: Scope, any_counts: bool, depth: int = 0
) -> bool:
    """Whether a body annotation accepts any JSON object: ``dict``, ``Dict[str, Any]``,
    ``Mapping[...]``, ``list[dict]`` (and ``Any``/``object`` when ``any_counts``)."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(annotation, ast.Constant):
        if isinstance(annotation.value, str):
            parsed = string_annotation(annotation.value)
            if parsed is None:
                return False
            return _untyped(model, parsed, scope, any_counts, depth + 1)
        return False
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        members = [m for m in (annotation.left, annotation.right) if not is_none(m)]
        return bool(members) and all(
            _untyped(model, m, scope, any_counts, depth + 1) for m in members
        )
    if isinstance(annotation, ast.Subscript):
        outer = model.qualified_name(annotation.value, scope) or ""
        short = outer.rsplit(".", 1)[-1]
        elements = subscript_elements(annotation)
        if short in _WRAPPERS and outer.startswith(("typing.", "typing_extensions.")):
            checked = elements[:1] if short == "Annotated" else elements
            members = [m for m in checked if not is_none(m)]
            return bool(members) and all(
                _untyped(model, m, scope, any_counts, depth + 1) for m in members
            )
        if outer in _MAPPINGS:
            # `dict[str, int]` validates its values; `dict[str, Any]` does not.
            return len(elements) < 2 or _untyped(model, elements[1], scope, True, depth + 1)
        if outer in _SEQUENCES:
            items = [e for e in elements if not (isinstance(e, ast.Constant) and e.value is ...)]
            return bool(items) and all(_untyped(model, e, scope, True, depth + 1) for e in items)
        return False
    if isinstance(annotation, (ast.Name, ast.Attribute)):
        qualname = model.qualified_name(annotation, scope)
        if qualname in ANY_TYPES:
            return any_counts
        if qualname in _MAPPINGS or qualname in _SEQUENCES:
            return True
        if isinstance(annotation, ast.Name):
            # A type alias: `JSONObject = dict[str, Any]` in this module.
            binding = model.lookup(annotation.id, scope)
            if binding is not None and isinstance(binding.assigned, ast.Subscript):
                return _untyped(model, binding.assigned, binding.scope, any_counts, depth + 1)
    return False


def body_params(model: ModuleModel, route: RouteInfo) -> tuple[list[ast.arg], bool]:
    """The route's untyped body parameters, and whether it also has a class-typed body
    parameter (a Pydantic model: then a raw read of the body is a deliberate extra)."""
    function = route.function
    path_params = set(_PATH_PARAM.findall(route.path or ""))
    args = function.node.args
    found = []
    has_model = False
    for arg in args.posonlyargs + args.args + args.kwonlyargs:
        if arg.arg in path_params:
            continue
        declared = _param_function(model, function, arg)
        if declared is not None and declared != "Body":
            continue
        if arg.annotation is None:
            # `payload=Body(...)`: FastAPI types a parameter without annotation as `Any`
            # (`analyze_param`), so `Body()` makes it any JSON value, as `payload: Any =
            # Body(...)` does (also with `embed=True`: any value under the key). Without
            # `Body()` it is a query parameter.
            if declared == "Body":
                found.append(arg)
            continue
        base, _, base_scope = model.annotated_metadata(arg.annotation, function.outer)
        if base is None:
            continue
        if _untyped(model, base, base_scope, any_counts=declared == "Body"):
            found.append(arg)
        elif is_model_class(model, base, base_scope):
            has_model = True
    return found, has_model


def _signed_in_users_only(model: ModuleModel, route: RouteInfo) -> bool:
    """Every app serves the route behind a user login (an OAuth2 or OpenID Connect scheme,
    fastapi-users' ``current_user``): ``POST /webhooks`` that registers a tenant's webhook
    is the app's own API, called by its signed-in users, not an event a provider sends."""
    from fastapi_lint.project.routes import route_table_for

    table = route_table_for(model)
    if table is None:
        return False
    served = table.served(model.module_name, route.registration.lineno)
    return bool(served) and all(
        any(scheme.startswith(_USER_LOGIN_SCHEMES) for scheme in item.security) for item in served
    )


def third_party_endpoint(model: ModuleModel, route: RouteInfo) -> bool:
    """A webhook or a protocol callback: the sender owns the payload's schema.

    Signed webhooks read the raw bytes (``await request.body()``) to check the
    signature; others say what they are in their path or name.
    """
    words = f"{route.path or ''} {route.function.name}".lower()
    # Senders POST their events: a PUT or PATCH of a webhook path is the app's own
    # setting (`PUT /api/webhooks` replaces the subscribed URLs), sent by its own client.
    sent_by_third_party = not route.methods or not set(route.methods) <= _OWN_CLIENT_METHODS
    if (
        sent_by_third_party
        and any(word in words for word in _THIRD_PARTY_WORDS)
        and not _signed_in_users_only(model, route)
    ):
        return True
    args = route.function.node.args
    for arg in args.posonlyargs + args.args + args.kwonlyargs:
        # A signature header (`x_hub_signature: str = Header(...)`, `alias="X-Twilio-Signature"`).
        spelled = arg.arg + (ast.unparse(arg.annotation) if arg.annotation is not None else "")
        if "signature" in spelled.lower():
            return True
    defaults = parameter_defaults(args)
    if any(
        "signature" in ast.unparse(default).lower()
        for default in defaults.values()
        if isinstance(default, ast.Call)
    ):
        return True
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "body"
            and not call.args
            and ref.scope.code_function is route.function
            and model.is_awaited(call)
        ):
            return True
    return False

"""API2xx: the route contract.

What a route promises to its clients: a typed response model (the OpenAPI
schema and the output filter come from it), a reachable path, path parameters
that reach the function, and startup/shutdown code in a ``lifespan`` handler.

FastAPI facts (``model.fastapi``) give the routes in registration order; the
path semantics are Starlette's (``route_paths``).
"""

from __future__ import annotations

import ast
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from fastapi_lint.project.index import index_of
from fastapi_lint.project.routes import ServedRoute, route_table_for
from fastapi_lint.registry import Family, FixAvailability, Rule
from fastapi_lint.rules import route_conflicts, route_paths, route_shapes
from fastapi_lint.semantic.syntax import parameter_defaults, subscript_elements
from fastapi_lint.semantic.values import Instance, Member, Ref

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.fastapi import DependencyUse, RouteInfo
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

_APP = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
_APP_ITEM = (
    "from fastapi import FastAPI\nfrom pydantic import BaseModel\n\napp = FastAPI()\n\n\n"
    "class Item(BaseModel):\n    id: int\n    name: str\n\n\n"
)

API201 = Rule(
    code="API201",
    name="missing-response-model",
    fix=FixAvailability.UNSAFE,
    fix_description="Adds the return annotation `-> Model` when every `return` returns an instance of the same Pydantic model or ORM class: unsafe, because FastAPI then validates the output and filters out the fields the model does not declare.",
    message="{route} has no response model; {detail}",
    summary="Checks for routes that return a known shape (a dict literal, a Pydantic model or ORM instance) without declaring a response model.",
    why=(
        "FastAPI builds the OpenAPI schema and filters the output through the response model. "
        "Without one, clients get an untyped schema and every attribute of the returned object is "
        "serialized, including fields that were never meant to leave the server."
    ),
    example=(
        _APP_ITEM + '@app.get("/items/{item_id}")\nasync def read_item(item_id: int):\n'
        '    return Item(id=item_id, name="hammer")\n'
    ),
    use_instead=(
        _APP_ITEM + '@app.get("/items/{item_id}")\nasync def read_item(item_id: int) -> Item:\n'
        '    return Item(id=item_id, name="hammer")\n'
    ),
)
API202 = Rule(
    code="API202",
    name="untyped-response-model",
    message="{route} declares the untyped response model `{model}`; use a Pydantic model or a typed container",
    summary="Checks for response models that do not describe the response (`dict`, `Any`, `list[dict]`...).",
    why=(
        "A `dict` or `Any` response model documents nothing and validates nothing: the OpenAPI "
        "schema says `object`, generated clients lose their types, and whatever the function "
        "returns is sent as is."
    ),
    example=(
        _APP + '@app.get("/items/{item_id}")\nasync def read_item(item_id: int) -> dict:\n'
        '    return {"id": item_id, "name": "hammer"}\n'
    ),
    use_instead=(
        _APP_ITEM + '@app.get("/items/{item_id}")\nasync def read_item(item_id: int) -> Item:\n'
        '    return Item(id=item_id, name="hammer")\n'
    ),
)
API203 = Rule(
    code="API203",
    name="shadowed-route",
    message="{route} can never be reached: {earlier} ({where}) matches the same requests first",
    summary="Checks for routes whose path is already matched by an earlier route of the same app, prefixes of routers joined across modules.",
    why=(
        "Starlette tries routes in registration order and dispatches to the first whose path "
        "matches: `{user_id}` matches any single segment, so `/users/me` registered after "
        "`/users/{user_id}` is never called (the request reaches `/users/{user_id}` and usually "
        "fails validation with a 422)."
    ),
    example=(
        _APP + '@app.get("/users/{user_id}")\nasync def read_user(user_id: str) -> str:\n'
        "    return user_id\n\n\n"
        '@app.get("/users/me")\nasync def read_me() -> str:\n    return "me"\n'
    ),
    use_instead=(
        _APP + '@app.get("/users/me")\nasync def read_me() -> str:\n    return "me"\n\n\n'
        '@app.get("/users/{user_id}")\nasync def read_user(user_id: str) -> str:\n'
        "    return user_id\n"
    ),
)
API204 = Rule(
    code="API204",
    name="duplicate-route",
    message="{route} is registered twice on {on} (first at {where}); the second never runs",
    summary="Checks for the same method and path registered twice on one router or app, prefixes joined across modules.",
    why=(
        "The first registration wins; the second function is dead code that looks alive, "
        "usually the result of a copy-paste or a merge."
    ),
    example=(
        _APP
        + '@app.get("/items")\nasync def list_items() -> list[str]:\n    return ["hammer"]\n\n\n'
        '@app.get("/items")\nasync def list_all_items() -> list[str]:\n'
        '    return ["hammer", "saw"]\n'
    ),
    use_instead=(
        _APP + '@app.get("/items")\nasync def list_items() -> list[str]:\n'
        '    return ["hammer", "saw"]\n'
    ),
)
API205 = Rule(
    code="API205",
    name="unbound-path-parameter",
    message="path parameter `{param}` of {route} is not a parameter of `{function}` or of its dependencies{detail}",
    summary="Checks for `{param}` placeholders of a route path that no function parameter receives.",
    why=(
        "FastAPI passes path parameters by name. A placeholder without a matching parameter (a typo, "
        "a renamed argument) is matched and then silently dropped: the function never sees it."
    ),
    example=(
        _APP + '@app.get("/items/{item_id}")\nasync def read_item(id: int) -> int:\n    return id\n'
    ),
    use_instead=(
        _APP
        + '@app.get("/items/{item_id}")\nasync def read_item(item_id: int) -> int:\n    return item_id\n'
    ),
)
API206 = Rule(
    code="API206",
    name="deprecated-on-event",
    fix=FixAvailability.UNSAFE,
    fix_description="Moves the app's `@app.on_event` handlers into one `lifespan` async context manager passed to `FastAPI(lifespan=...)`, when the app is created in the same module: unsafe, because handler order and error handling at start-up change subtly.",
    message="`{call}` is deprecated and Starlette 1.0 removed `on_event` and `add_event_handler`; move this code into a `lifespan` handler",
    summary="Checks for `on_event(...)` and `add_event_handler(...)` on a FastAPI app or router.",
    why=(
        "Startup and shutdown events are deprecated in FastAPI and Starlette in favour of the "
        "`lifespan` context manager, which also keeps startup state and its cleanup together. "
        "Event handlers are ignored when a `lifespan` is given."
    ),
    example=(
        _APP + '@app.on_event("startup")\nasync def connect() -> None:\n    print("connecting")\n'
    ),
    use_instead=(
        "from collections.abc import AsyncIterator\nfrom contextlib import asynccontextmanager\n\n"
        "from fastapi import FastAPI\n\n\n"
        "@asynccontextmanager\nasync def lifespan(app: FastAPI) -> AsyncIterator[None]:\n"
        '    print("connecting")\n    yield\n\n\napp = FastAPI(lifespan=lifespan)\n'
    ),
)

# ------------------------------------------------------------ type knowledge

_ANY_TYPES = frozenset({"typing.Any", "typing_extensions.Any", "builtins.object"})
_MAPPING_TYPES = frozenset(
    {
        "builtins.dict",
        "typing.Dict",
        "typing.Mapping",
        "typing.MutableMapping",
        "typing.OrderedDict",
        "typing.DefaultDict",
        "typing_extensions.OrderedDict",
        "collections.OrderedDict",
        "collections.defaultdict",
        "collections.abc.Mapping",
        "collections.abc.MutableMapping",
    }
)
_SEQUENCE_TYPES = frozenset(
    {
        "builtins.list",
        "builtins.set",
        "builtins.frozenset",
        "builtins.tuple",
        "typing.List",
        "typing.Set",
        "typing.FrozenSet",
        "typing.Tuple",
        "typing.Sequence",
        "typing.MutableSequence",
        "typing.AbstractSet",
        "typing.Collection",
        "typing.Iterable",
        "typing.Deque",
        "collections.deque",
        "collections.abc.Sequence",
        "collections.abc.MutableSequence",
        "collections.abc.Set",
        "collections.abc.Collection",
        "collections.abc.Iterable",
    }
)
_WRAPPER_TYPES = frozenset(
    {"Optional", "Union", "Annotated", "Required", "NotRequired", "ReadOnly"}
)
# Response classes whose body is not JSON: a router default of one of them means
# the routes do not describe a JSON response model.
_NON_JSON_RESPONSES = frozenset(
    {
        "HTMLResponse",
        "PlainTextResponse",
        "RedirectResponse",
        "FileResponse",
        "StreamingResponse",
        "Response",
    }
)
_NO_BODY_STATUS = frozenset({204, 304})
_NO_BODY_STATUS_NAMES = frozenset(
    {"HTTP_204_NO_CONTENT", "HTTP_304_NOT_MODIFIED", "NO_CONTENT", "NOT_MODIFIED"}
)
# Packages whose dependencies (security schemes, `Request`...) never consume a path parameter.
_FRAMEWORK_PREFIXES = ("fastapi.", "starlette.")
_MAX_DEPENDENCY_DEPTH = 12


# ------------------------------------------------------------ helpers


def _route_context_scope(model: ModuleModel, route: RouteInfo) -> Scope:
    """The scope the registration's expressions are evaluated in."""
    if route.registration in route.function.node.decorator_list:
        return route.function.outer
    function = model.function_scope_of(route.registration)
    return function.scope if function is not None else model.module_scope


def _is_decorator(route: RouteInfo) -> bool:
    return route.registration in route.function.node.decorator_list


def _has_star_kwargs(route: RouteInfo) -> bool:
    return any(k.arg is None for k in route.registration.keywords)


def _const(node: ast.expr | None) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    return _MISSING


_MISSING = object()


def _name_of(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _router_call(
    model: ModuleModel, route: RouteInfo
) -> tuple[ModuleModel, ast.Call, Scope] | None:
    """The ``FastAPI(...)`` / ``APIRouter(...)`` call that created the route's router."""
    func = route.registration.func
    if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
        return None
    return _assigned_call(model, func.value.id, _route_context_scope(model, route), 0)


def _assigned_call(
    model: ModuleModel, name: str, scope: Scope, depth: int
) -> tuple[ModuleModel, ast.Call, Scope] | None:
    from fastapi_lint.semantic.scopes import BindingKind

    if depth > 4:
        return None
    binding = model.lookup(name, scope)
    if binding is None:
        return None
    if binding.kind is BindingKind.ASSIGN and isinstance(binding.value, ast.Call):
        if binding.unpack_index is None:
            return model, binding.value, binding.scope
        return None
    project = index_of(model)
    if binding.kind is BindingKind.IMPORT and binding.qualname and project is not None:
        found = project.split(binding.qualname)
        if found is None:
            return None
        other, rest = found
        if len(rest) != 1:
            return None
        return _assigned_call(other, rest[0], other.module_scope, depth + 1)
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


@dataclass
class _FunctionBody:
    returns: list[ast.Return]
    is_generator: bool
    scope: Optional[Scope]


# Per module: the return statements and yields of each function (a cache, dropped with the model).
_BODIES: weakref.WeakKeyDictionary[ModuleModel, dict[int, _FunctionBody]] = (
    weakref.WeakKeyDictionary()
)


def _returns_and_yields(
    model: ModuleModel, function: FunctionInfo
) -> tuple[list[ast.Return], bool, Scope | None]:
    bodies = _BODIES.get(model)
    if bodies is None:
        bodies = {}
        for ref in model.nodes[ast.Return]:
            owner = ref.scope.code_function
            if owner is not None:
                body = bodies.setdefault(id(owner.node), _FunctionBody([], False, None))
                body.returns.append(ref.node)  # type: ignore[arg-type]
                body.scope = ref.scope
        for ref in model.nodes[ast.Yield] + model.nodes[ast.YieldFrom]:
            owner = ref.scope.code_function
            if owner is not None:
                bodies.setdefault(
                    id(owner.node), _FunctionBody([], False, None)
                ).is_generator = True
        _BODIES[model] = bodies
    found = bodies.get(id(function.node))
    if found is None:
        return [], False, None
    return found.returns, found.is_generator, found.scope


def _is_response_type(model: ModuleModel, type_name: str, depth: int = 0) -> bool:
    """Whether a class is a Starlette ``Response`` (or a subclass)."""
    if depth > 8:
        return False
    last = type_name.rsplit(".", 1)[-1]
    if type_name.startswith(("starlette.", "fastapi.", "sse_starlette.")):
        return last.endswith("Response")
    bases: list[str] | None = None
    class_info = model.class_named(type_name)
    if class_info is not None:
        bases = [
            q
            for q in (model.qualified_name(b, class_info.outer) for b in class_info.node.bases)
            if q
        ]
    if bases is None and model.project is not None:
        if model.project.is_class(type_name):
            bases = model.project.class_bases(type_name)
    if bases is None:
        # A class from a library we know nothing about: trust the conventional name.
        return last.endswith("Response") and not type_name.startswith("pydantic.")
    return any(_is_response_type(model, base, depth + 1) for base in bases if base != type_name)


def _returns_response(
    model: ModuleModel, value: ast.expr | None, scope: Scope, depth: int = 0
) -> bool:
    if value is None or depth > 8:
        return False
    if isinstance(value, ast.IfExp):
        return _returns_response(model, value.body, scope) and _returns_response(
            model, value.orelse, scope
        )
    if isinstance(value, ast.Await):
        value = value.value
    evaluated = model.evaluate(value, scope)
    if isinstance(evaluated, Instance) and _is_response_type(model, evaluated.type):
        return True
    if evaluated is None or isinstance(evaluated, Member):
        # `templates.TemplateResponse(...)`, a response from a library call we cannot type.
        if isinstance(value, ast.Call):
            callee = model.evaluate(value.func, scope)
            if callee is None or isinstance(callee, Member):
                return _name_of(value.func).endswith("Response")
    if isinstance(value, ast.Name):
        return _transformed_response(model, value, scope, depth)
    return False


def _transformed_response(model: ModuleModel, name: ast.Name, scope: Scope, depth: int) -> bool:
    """``response = await flow.set_cookies(response, ...)``: a helper handed the response
    back (typically typed with a TypeVar bound to ``Response``); follow the earlier binding."""
    from fastapi_lint.semantic.scopes import BindingKind

    binding = model.lookup(name.id, scope, name.lineno)
    if binding is None or binding.kind is not BindingKind.ASSIGN or binding.value is None:
        return False
    value = binding.value
    if isinstance(value, ast.Await):
        value = value.value
    if not isinstance(value, ast.Call):
        return False
    passes_itself = any(
        isinstance(arg, ast.Name) and arg.id == name.id
        for arg in [*value.args, *(k.value for k in value.keywords)]
    )
    if not passes_itself:
        return False
    previous = ast.Name(id=name.id, ctx=ast.Load())
    previous.lineno = binding.line - 1
    previous.col_offset = 0
    return _returns_response(model, previous, binding.scope, depth + 1)


# ------------------------------------------------------------ API201 / API202


def _no_body_status(node: ast.expr | None) -> bool:
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return node.value in _NO_BODY_STATUS
    return _name_of(node) in _NO_BODY_STATUS_NAMES


def _router_skips_schema(model: ModuleModel, route: RouteInfo) -> bool:
    """The route's router (same module) publishes no JSON schema, or no app serves it in one."""
    found = _router_call(model, route)
    if found is not None:
        _, call, _ = found
        if _const(_keyword(call, "include_in_schema")) is False:
            return True
        if "openapi_url" in {k.arg for k in call.keywords} and (
            _const(_keyword(call, "openapi_url")) is None
        ):
            return True
        default_class = _keyword(call, "default_response_class")
        if default_class is not None and _name_of(default_class) in _NON_JSON_RESPONSES:
            return True
    served = _served(model, route)
    return bool(served) and not any(r.in_schema for r in served)


def _served(model: ModuleModel, route: RouteInfo) -> list[ServedRoute]:
    """The route as the project's apps serve it (the route table)."""
    table = route_table_for(model)
    if table is None:
        return []
    return table.served(model.module_name, route.registration.lineno)


def _missing_response_model(model: ModuleModel, route: RouteInfo) -> tuple[str, str] | None:
    """(message detail, annotation for the fix) when the route needs a response model."""
    keywords = route.keywords
    function = route.function
    if route.is_websocket or _has_star_kwargs(route):
        return None
    if "response_model" in keywords or function.node.returns is not None:
        return None
    if "response_class" in keywords or _no_body_status(keywords.get("status_code")):
        return None
    if _const(keywords.get("include_in_schema")) is False:
        return None
    if _const(keywords.get("deprecated")) is True:
        return None  # a compatibility route: nobody documents it further
    returns, is_generator, scope = _returns_and_yields(model, function)
    if is_generator or not returns:
        return None
    shapes = route_shapes.returned_shapes(model, returns, scope)
    if shapes is None:
        return None  # a Response, or a value passed through whose shape is unknown
    detail = route_shapes.missing_model_detail(shapes)
    if detail is None or _router_skips_schema(model, route):
        return None
    return detail


def _only_empty_dicts(model: ModuleModel, route: RouteInfo) -> bool:
    returns, _, _ = _returns_and_yields(model, route.function)
    return bool(returns) and all(
        isinstance(r.value, ast.Dict) and not r.value.keys for r in returns
    )


def _is_bare_any(model: ModuleModel, annotation: ast.expr, scope: Scope) -> bool:
    """``Any`` written as such: an explicit opt-out of a response model."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value.strip(), mode="eval").body
        except (SyntaxError, ValueError):
            return False
    if not isinstance(annotation, (ast.Name, ast.Attribute)):
        return False
    return model.qualified_name(annotation, scope) in ("typing.Any", "typing_extensions.Any")


def untyped_annotation(
    model: ModuleModel, annotation: ast.expr, scope: Scope, depth: int = 0
) -> bool:
    """Whether a type expression leaves the response undescribed (``dict``, ``Any``, ``list[dict]``)."""
    if depth > 12:
        return False
    if isinstance(annotation, ast.Constant):
        if isinstance(annotation.value, str):
            try:
                parsed = ast.parse(annotation.value.strip(), mode="eval").body
            except (SyntaxError, ValueError):
                return False
            return untyped_annotation(model, parsed, scope, depth + 1)
        return False
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return untyped_annotation(model, annotation.left, scope, depth + 1) or untyped_annotation(
            model, annotation.right, scope, depth + 1
        )
    if isinstance(annotation, ast.Subscript):
        outer = model.qualified_name(annotation.value, scope) or ""
        elements = subscript_elements(annotation)
        short = outer.rsplit(".", 1)[-1]
        if outer.startswith(("typing.", "typing_extensions.")) and short in _WRAPPER_TYPES:
            checked = elements[:1] if short == "Annotated" else elements
            return any(untyped_annotation(model, e, scope, depth + 1) for e in checked)
        if outer in _MAPPING_TYPES:
            return len(elements) < 2 or untyped_annotation(model, elements[1], scope, depth + 1)
        if outer in _SEQUENCE_TYPES:
            return any(
                untyped_annotation(model, e, scope, depth + 1)
                for e in elements
                if not (isinstance(e, ast.Constant) and e.value is Ellipsis)
            )
        return False
    if isinstance(annotation, (ast.Name, ast.Attribute)):
        qualname = model.qualified_name(annotation, scope)
        if qualname in _ANY_TYPES or qualname in _MAPPING_TYPES or qualname in _SEQUENCE_TYPES:
            return True
        if isinstance(annotation, ast.Name):
            return _alias_is_untyped(model, annotation.id, scope, depth)
    return False


def _alias_is_untyped(model: ModuleModel, name: str, scope: Scope, depth: int) -> bool:
    """Whether ``name`` is a type alias of an untyped type: ``JSON = dict[str, Any]`` (also
    ``JSON: TypeAlias = ...``), here or imported from another project module."""
    from fastapi_lint.semantic.scopes import BindingKind

    binding = model.lookup(name, scope)
    if binding is None:
        return False
    if binding.kind is BindingKind.ASSIGN:
        value = binding.value
        if value is None or binding.unpack_index is not None:
            return False
        if isinstance(value, (ast.Subscript, ast.BinOp)) or (
            isinstance(value, (ast.Name, ast.Attribute))
            and _is_type_name(model, value, binding.scope)
        ):
            return untyped_annotation(model, value, binding.scope, depth + 1)
        return False
    project = index_of(model)
    if binding.kind is BindingKind.IMPORT and binding.qualname and project is not None:
        qualname = binding.qualname
        # A fact, so warm runs answer without building the defining module.
        return bool(
            project.fact(
                "untyped-alias",
                qualname,
                lambda: _imported_alias_is_untyped(model, qualname, depth),
            )
        )
    return False


def _imported_alias_is_untyped(model: ModuleModel, qualname: str, depth: int) -> bool:
    project = index_of(model)
    if depth > 12 or project is None:
        return False
    found = project.split(qualname)
    if found is None or len(found[1]) != 1:
        return False
    other, (name,) = found
    return _alias_is_untyped(other, name, other.module_scope, depth + 4)


def _is_type_name(model: ModuleModel, value: ast.expr, scope: Scope) -> bool:
    qualname = model.qualified_name(value, scope) or ""
    return qualname in _ANY_TYPES or qualname in _MAPPING_TYPES or qualname in _SEQUENCE_TYPES


def _untyped_response_model(model: ModuleModel, route: RouteInfo) -> ast.expr | None:
    """The untyped response model of a route, if it has one."""
    if route.is_websocket:
        return None
    declared = route.keywords.get("response_model")
    if declared is not None:
        if isinstance(declared, ast.Constant) and declared.value is None:
            return None
        context = _route_context_scope(model, route)
        if _is_bare_any(model, declared, context):
            return None
        if not untyped_annotation(model, declared, context):
            return None
        return None if _untyped_exempt(model, route) else declared
    if _has_star_kwargs(route):
        return None
    returns = route.function.node.returns
    if returns is None:
        return None
    returns_found, is_generator, scope = _returns_and_yields(model, route.function)
    if is_generator or _is_bare_any(model, returns, route.function.outer):
        return None
    if not untyped_annotation(model, returns, route.function.outer):
        return None
    # `-> Any` on a route that only returns Response objects: FastAPI sends them as
    # they are, the annotation never becomes a response model.
    if returns_found and scope is not None:
        if all(_returns_response(model, r.value, scope) for r in returns_found):
            return None
    return None if _untyped_exempt(model, route) else returns


def _untyped_exempt(model: ModuleModel, route: RouteInfo) -> bool:
    """Routes whose every `return` is `{}`, routes left out of the schema (on the route or
    its router, as API201), and apps that publish no OpenAPI schema."""
    if _only_empty_dicts(model, route):
        return True
    if _const(route.keywords.get("include_in_schema")) is False:
        return True
    if _router_skips_schema(model, route):
        return True
    served = _served(model, route)
    return bool(served) and all(r.app_publishes_no_schema for r in served)


def _display_annotation(annotation: ast.expr) -> str:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value.strip()
    return ast.unparse(annotation)


# ------------------------------------------------------------ API203 / API204


@dataclass(frozen=True)
class _Registered:
    route: RouteInfo
    order: tuple[int, int, int]
    methods: Optional[frozenset[str]]  # None when not literal
    line: int  # where a message points for this route


def _registration_order(route: RouteInfo) -> tuple[int, int, int]:
    node = route.function.node
    if _is_decorator(route):
        # A def statement registers its decorators bottom-up when it executes.
        start = min(d.lineno for d in node.decorator_list)
        index = next(i for i, d in enumerate(node.decorator_list) if d is route.registration)
        return (start, 0, -index)
    return (route.registration.lineno, 1, route.registration.col_offset)


def _literal_methods(route: RouteInfo) -> frozenset[str] | None:
    attr = (
        route.registration.func.attr if isinstance(route.registration.func, ast.Attribute) else ""
    )
    if attr in ("api_route", "add_api_route"):
        declared = route.keywords.get("methods")
        if declared is not None:
            if not isinstance(declared, (ast.List, ast.Tuple, ast.Set)) or not all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in declared.elts
            ):
                return None
        if _has_star_kwargs(route):
            return None
    return frozenset(route.methods)


def _statement_of(model: ModuleModel, route: RouteInfo) -> ast.AST:
    return route.function.node if _is_decorator(route) else route.registration


def _code_block(model: ModuleModel, node: ast.AST) -> ast.AST | None:
    """The function, class or module whose code runs the registration."""
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            return ancestor
        if isinstance(ancestor, ast.Lambda):
            return ancestor
    return None


def _exclusive(model: ModuleModel, first: ast.AST, second: ast.AST) -> bool:
    """Whether two statements sit in branches that do not both run (if/else, try/except)."""
    first_path = [first, *model.ancestors(first)]
    second_path = [second, *model.ancestors(second)]
    second_ids = {id(n): index for index, n in enumerate(second_path)}
    for index, node in enumerate(first_path):
        position = second_ids.get(id(node))
        if position is None:
            continue
        if index == 0 or position == 0:
            return False
        if not isinstance(node, (ast.If, ast.Try)) and type(node).__name__ not in (
            "TryStar",
            "Match",
        ):
            return False
        first_child, second_child = first_path[index - 1], second_path[position - 1]
        return _different_branches(node, first_child, second_child)
    return False


def _different_branches(node: ast.AST, first: ast.AST, second: ast.AST) -> bool:
    def branch(child: ast.AST) -> str:
        for name in ("body", "orelse", "handlers", "finalbody", "cases"):
            items = getattr(node, name, None)
            if isinstance(items, list) and any(item is child for item in items):
                if name in ("handlers", "cases"):
                    return f"{name}:{id(child)}"
                return name
        return "other"

    first_branch, second_branch = branch(first), branch(second)
    if isinstance(node, ast.If):
        return first_branch != second_branch
    if isinstance(node, ast.Try) or type(node).__name__ in ("TryStar", "Match"):
        sequential = {"body", "orelse", "finalbody"}
        if first_branch in sequential and second_branch in sequential:
            return False
        return first_branch != second_branch
    return False


def _message_line(route: RouteInfo) -> int:
    """Where a message points for an earlier route: its decorator or `add_api_route` call."""
    return route.registration.lineno


def _check_conflicts(model: ModuleModel, reporter: Reporter, routes: list[RouteInfo]) -> None:
    by_router: dict[str, list[_Registered]] = {}
    for route in routes:
        if route.path is None:
            continue
        registered = _Registered(
            route, _registration_order(route), _literal_methods(route), _message_line(route)
        )
        by_router.setdefault(route.router.key, []).append(registered)
    for registrations in by_router.values():
        registrations.sort(key=lambda r: r.order)
        for index, later in enumerate(registrations):
            if later.methods is None:
                continue
            earlier_ones = [
                r
                for r in registrations[:index]
                # Only routes sharing a method and a path can conflict (cheap tests first).
                if r.methods
                and r.methods & later.methods
                and _may_conflict(r.route.path, later.route.path)
                and _comparable(model, r.route, later.route)
            ]
            _check_one(reporter, later, earlier_ones)


def _may_conflict(earlier: str | None, later: str | None) -> bool:
    """What ``_check_one`` asks of a pair of paths: the same template, or covering."""
    if earlier is None or later is None:
        return False
    return bool(route_paths.same_path(earlier, later) or route_paths.covers(earlier, later))


def _comparable(model: ModuleModel, first: RouteInfo, second: RouteInfo) -> bool:
    first_statement = _statement_of(model, first)
    second_statement = _statement_of(model, second)
    if _code_block(model, first_statement) is not _code_block(model, second_statement):
        return False
    return not _exclusive(model, first_statement, second_statement)


def _check_one(reporter: Reporter, later: _Registered, earlier_ones: list[_Registered]) -> None:
    assert later.methods is not None and later.route.path is not None
    node = later.route.function.node
    for earlier in earlier_ones:
        assert earlier.methods is not None and earlier.route.path is not None
        if earlier.methods & later.methods and route_paths.same_path(
            earlier.route.path, later.route.path
        ):
            reporter.report(
                "API204",
                node,
                line=node.lineno,
                col=node.col_offset,
                route=later.route.display,
                on="the same router",
                where=f"line {earlier.line}",
            )
            return
    # Shadowed: every method of the later route is served by an earlier, wider route.
    shadowing: list[_Registered] = []
    for method in sorted(later.methods):
        found = next(
            (
                e
                for e in earlier_ones
                if method in e.methods  # type: ignore[operator]
                # The same function on both paths: the "shadowed" request runs it anyway.
                and e.route.function is not later.route.function
                and route_paths.covers(e.route.path, later.route.path)  # type: ignore[arg-type]
            ),
            None,
        )
        if found is None:
            return
        shadowing.append(found)
    if shadowing:
        first = shadowing[0]
        reporter.report(
            "API203",
            node,
            line=node.lineno,
            col=node.col_offset,
            route=later.route.display,
            earlier=first.route.display,
            where=f"line {first.line}",
        )


# ------------------------------------------------------------ API205


class _Unsure(Exception):
    """A dependency could not be followed: no report for this route."""


# A name bound by a dependency that reads the parameter from `request.path_params`:
# "\x00path_params:<param>:<function>" (kept in the names, and in their fact).
_READS_MARK = "\x00path_params:"


def _reads_path_params(model: ModuleModel) -> dict[int, set[str] | None]:
    """Function node ids whose code reads ``path_params``: the literal keys read, or
    None when it reads them some other way (iterates, passes them on)."""
    found: dict[int, set[str] | None] = {}
    for ref in model.nodes[ast.Attribute]:
        node = ref.node
        if getattr(node, "attr", None) == "path_params":
            _mark_enclosing(model, node, found, _read_key(model, node))
    for ref in model.nodes[ast.Constant]:
        if getattr(ref.node, "value", None) == "path_params":
            _mark_enclosing(model, ref.node, found, None)
    return found


def _read_key(model: ModuleModel, node: ast.AST) -> str | None:
    """``path_params["x"]`` / ``path_params.get("x")``: ``x``."""
    parent = model.parents.get(id(node))
    if isinstance(parent, ast.Subscript) and parent.value is node:
        key = parent.slice
    elif isinstance(parent, ast.Attribute) and parent.attr == "get":
        call = model.parents.get(id(parent))
        if not isinstance(call, ast.Call) or not call.args:
            return None
        key = call.args[0]
    else:
        return None
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    return None


def _mark_enclosing(
    model: ModuleModel, node: ast.AST, found: dict[int, set[str] | None], key: str | None
) -> None:
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            keys = found.get(id(ancestor), set())
            if key is None or keys is None:
                found[id(ancestor)] = None
            else:
                found[id(ancestor)] = keys | {key}


class _PathParamBinder:
    """The names a route function and its ``Depends`` chain receive from the request."""

    def __init__(self) -> None:
        # Keyed by id(): the keyed objects are kept alive alongside, so an id
        # is never reused by another module's tree while this binder lives.
        self._readers: dict[int, tuple[ModuleModel, dict[int, set[str] | None]]] = {}
        self._cache: dict[int, tuple[ast.AST, frozenset[str]]] = {}
        self._active: set[int] = set()

    def _reads(self, model: ModuleModel, function: FunctionInfo) -> tuple[bool, set[str] | None]:
        """Whether the function reads ``path_params``, and which literal keys."""
        key = id(model)
        if key not in self._readers:
            self._readers[key] = (model, _reads_path_params(model))
        readers = self._readers[key][1]
        if id(function.node) not in readers:
            return False, set()
        return True, readers[id(function.node)]

    def names(
        self,
        model: ModuleModel,
        function: FunctionInfo,
        skip_self: bool,
        depth: int = 0,
        route: bool = False,
    ) -> frozenset[str]:
        """Parameter names, aliases and names of dependencies; raises _Unsure.

        A dependency that reads literal keys of ``request.path_params`` adds a
        mark per key (``_READS_MARK``): the parameter is still unbound, and the
        message says where it is read.
        """
        reads, keys = self._reads(model, function)
        if reads and (route or keys is None):
            raise _Unsure  # the route reads path_params itself, or reads them all
        key = id(function.node)
        if key in self._cache:
            return self._cache[key][1]
        if depth > _MAX_DEPENDENCY_DEPTH or key in self._active:
            raise _Unsure
        self._active.add(key)
        try:
            result = set(self._own_names(model, function, skip_self))
            result |= {f"{_READS_MARK}{k}:{function.name}" for k in keys or ()}
            for dependency in _param_dependencies(model, function):
                result |= self._dependency_names(model, dependency, depth)
        finally:
            self._active.discard(key)
        frozen = frozenset(result)
        self._cache[key] = (function.node, frozen)
        return frozen

    def _own_names(self, model: ModuleModel, function: FunctionInfo, skip_self: bool) -> set[str]:
        args = function.node.args
        if args.kwarg is not None or args.vararg is not None:
            raise _Unsure
        positional = args.posonlyargs + args.args
        params = positional + args.kwonlyargs
        if skip_self and positional:
            params = params[1:]
        names = {arg.arg for arg in params}
        defaults = list(args.defaults) + [d for d in args.kw_defaults if d is not None]
        for default in defaults:
            names |= _aliases(default)
        for arg in params:
            if arg.annotation is not None:
                _, metadata, _ = model.annotated_metadata(arg.annotation, function.outer)
                for meta in metadata:
                    names |= _aliases(meta)
        return names

    def _dependency_names(
        self, model: ModuleModel, dependency: DependencyUse, depth: int
    ) -> frozenset[str]:
        target = dependency.target
        scope = dependency.scope
        if target is None:
            param = dependency.param
            if param is None or param.annotation is None:
                raise _Unsure
            consumer = dependency.consumer
            outer = consumer.outer if consumer is not None else scope
            base, _, base_scope = model.annotated_metadata(param.annotation, outer)
            if not isinstance(base, ast.expr):
                raise _Unsure
            target, scope = base, base_scope
        return self.target_names(model, target, scope, depth + 1)

    def target_names(
        self, model: ModuleModel, target: ast.expr, scope: Scope, depth: int
    ) -> frozenset[str]:
        value = model.evaluate(target, scope)
        if isinstance(value, Ref):
            qualname = value.qualname
            if qualname.startswith(_FRAMEWORK_PREFIXES):
                return frozenset()
            project = index_of(model)
            if model.function_named(qualname) is None and project is not None:
                # Another module's dependency: a fact, so warm runs need not build it.
                names = project.fact(
                    "depends-names", qualname, lambda: self._project_names(model, qualname)
                )
                if names is None:
                    raise _Unsure
                return frozenset(names)
            return self._ref_names(model, qualname, depth)
        if isinstance(value, Instance):
            if value.type.startswith(_FRAMEWORK_PREFIXES):
                return frozenset()
            call = model.find_function(value.type + ".__call__")
            if call is not None:
                call_model, info = call
                return self.names(call_model, info, True, depth)
        raise _Unsure

    def _ref_names(self, model: ModuleModel, qualname: str, depth: int) -> frozenset[str]:
        """The names a project function (or a class, through ``__init__``) binds."""
        function = model.find_function(qualname)
        if function is not None:
            function_model, info = function
            return self.names(function_model, info, info.is_method, depth)
        init = model.find_function(qualname + ".__init__")
        if init is not None and _find_class(model, qualname):
            init_model, info = init
            return self.names(init_model, info, True, depth)
        raise _Unsure

    def _project_names(self, model: ModuleModel, qualname: str) -> list[str] | None:
        """``_ref_names`` as JSON for the fact cache (None: unsure)."""
        try:
            return sorted(self._ref_names(model, qualname, 0))
        except _Unsure:
            return None


def _param_dependencies(model: ModuleModel, function: FunctionInfo) -> list[DependencyUse]:
    """``Depends`` parameters of one function, without collecting its whole module."""
    from fastapi_lint.semantic.fastapi import DEPENDS_NAMES, DependencyUse

    def depends(node: ast.expr, scope: Scope) -> tuple[bool, ast.expr | None]:
        if not isinstance(node, ast.Call):
            return False, None
        if model.qualified_name(node.func, scope) not in DEPENDS_NAMES:
            return False, None
        if node.args:
            return True, node.args[0]
        return True, _keyword(node, "dependency")

    args = function.node.args
    positional = args.posonlyargs + args.args
    defaults = parameter_defaults(args)
    outer = function.outer
    result = []
    for arg in positional + args.kwonlyargs:
        default = defaults.get(id(arg))
        if default is not None:
            is_depends, target = depends(default, outer)
            if is_depends:
                result.append(DependencyUse(function, arg, target, outer, default))  # type: ignore[arg-type]
                continue
        if arg.annotation is not None:
            _, metadata, meta_scope = model.annotated_metadata(arg.annotation, outer)
            for meta in metadata:
                is_depends, target = depends(meta, meta_scope)
                if is_depends:
                    result.append(DependencyUse(function, arg, target, meta_scope, meta))  # type: ignore[arg-type]
    return result


def _aliases(node: ast.expr) -> set[str]:
    if not isinstance(node, ast.Call):
        return set()
    return {
        k.value.value
        for k in node.keywords
        if k.arg in ("alias", "validation_alias")
        and isinstance(k.value, ast.Constant)
        and isinstance(k.value.value, str)
    }


def _find_class(model: ModuleModel, qualname: str) -> bool:
    if model.class_named(qualname) is not None:
        return True
    return model.project is not None and model.project.is_class(qualname)


def _router_dependencies(
    model: ModuleModel, route: RouteInfo
) -> list[tuple[ModuleModel, ast.expr, Scope]]:
    """``dependencies=[Depends(f)]`` of the router the route is registered on."""
    found = _router_call(model, route)
    if found is None:
        return []
    router_model, call, scope = found
    declared = _keyword(call, "dependencies")
    if declared is None:
        return []
    if not isinstance(declared, (ast.List, ast.Tuple)):
        raise _Unsure
    result = []
    for element in declared.elts:
        is_depends, target = router_model.fastapi.depends_target(element, scope)
        if not is_depends or target is None:
            raise _Unsure
        result.append((router_model, target, scope))
    return result


def _checked_path_params(model: ModuleModel, route: RouteInfo) -> list[str]:
    """The path parameters a function is expected to receive.

    Left out: a trailing ``{rest:path}`` catch-all (ignoring the rest is the
    point of a catch-all); a parameter that another path of the same function
    lacks (one handler deliberately shared by several paths); every parameter
    of a route serving an HTML page (the page's script reads its URL).
    """
    assert route.path is not None
    template = route_paths.parse_path(route.path)
    last = template.parts[-1] if template.parts else None
    wanted = [p.name for p in template.params if not (p is last and p.convertor == "path")]
    if not wanted:
        return []
    for other in model.fastapi.routes_of(route.function):
        if other is not route and other.path is not None:
            present = set(route_paths.path_param_names(other.path))
            wanted = [name for name in wanted if name in present]
    if wanted and _serves_page(model, route):
        return []
    return wanted


_PAGE_RESPONSES = frozenset({"HTMLResponse", "TemplateResponse", "FileResponse"})


def _serves_page(model: ModuleModel, route: RouteInfo) -> bool:
    response_class = route.keywords.get("response_class")
    if response_class is not None and _name_of(response_class) in _PAGE_RESPONSES:
        return True
    returns_annotation = route.function.node.returns
    if returns_annotation is not None and _name_of(returns_annotation) in _PAGE_RESPONSES:
        return True
    returns, _, _ = _returns_and_yields(model, route.function)
    return any(
        isinstance(r.value, ast.Call) and _name_of(r.value.func) in _PAGE_RESPONSES for r in returns
    )


def _check_unbound(
    model: ModuleModel, reporter: Reporter, route: RouteInfo, binder: _PathParamBinder
) -> None:
    if route.path is None or route.function.is_method:
        return
    wanted = _checked_path_params(model, route)
    if not wanted:
        return
    function = route.function
    try:
        bound = set(binder.names(model, function, False, route=True))
        declared = route.keywords.get("dependencies")
        if declared is not None:
            if not isinstance(declared, (ast.List, ast.Tuple)):
                raise _Unsure
            scope = _route_context_scope(model, route)
            for element in declared.elts:
                is_depends, target = model.fastapi.depends_target(element, scope)
                if not is_depends or target is None:
                    raise _Unsure
                bound |= binder.target_names(model, target, scope, 1)
        if _has_star_kwargs(route):
            raise _Unsure
        missing = [name for name in wanted if name not in bound]
        if missing:
            for router_model, target, scope in _router_dependencies(model, route):
                bound |= binder.target_names(router_model, target, scope, 1)
    except _Unsure:
        return
    node = function.node
    readers: dict[str, str] = {}
    for mark in bound:
        if mark.startswith(_READS_MARK):
            param, _, reader_name = mark[len(_READS_MARK) :].partition(":")
            readers.setdefault(param, reader_name)
    for name in wanted:
        if name not in bound:
            reader = readers.get(name, "")
            detail = (
                f"; dependency `{reader}` reads it from `request.path_params`: declare the "
                "parameter and check it against the resource"
                if reader
                else ""
            )
            reporter.report(
                "API205",
                node,
                line=node.lineno,
                col=node.col_offset,
                param=name,
                route=route.display,
                function=function.name,
                detail=detail,
            )


# ------------------------------------------------------------ API206


def _event_call_display(call: ast.Call) -> str:
    func = call.func
    try:
        receiver = ast.unparse(func)
    except Exception:  # pragma: no cover - odd trees
        receiver = _name_of(func)
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        argument = f'"{first.value}"'
    else:
        argument = "..."
    if isinstance(func, ast.Attribute) and func.attr == "add_event_handler":
        return f"{receiver}({argument}, ...)"
    return f"{receiver}({argument})"


# ------------------------------------------------------------ check


def check(model: ModuleModel, reporter: Reporter) -> None:
    facts = model.fastapi
    routes: list[RouteInfo] = facts.routes
    if reporter.enabled("API206"):
        for call in facts.event_registrations:
            reporter.report("API206", call, call=_event_call_display(call))
    if not routes:
        return
    binder = _PathParamBinder()
    for route in routes:
        node = route.function.node
        if reporter.enabled("API201"):
            missing = _missing_response_model(model, route)
            if missing is not None:
                reporter.report(
                    "API201",
                    node,
                    line=node.lineno,
                    col=node.col_offset,
                    route=route.display,
                    detail=missing[0],
                )
        if reporter.enabled("API202"):
            untyped = _untyped_response_model(model, route)
            if untyped is not None:
                reporter.report(
                    "API202",
                    node,
                    line=node.lineno,
                    col=node.col_offset,
                    route=route.display,
                    model=_display_annotation(untyped),
                )
        if reporter.enabled("API205"):
            _check_unbound(model, reporter, route, binder)
    if reporter.enabled("API203") or reporter.enabled("API204"):
        _check_conflicts(model, reporter, routes)
        route_conflicts.check(model, reporter, routes)


FAMILY = Family(
    prefix="API2",
    title="The route contract",
    rules=(API201, API202, API203, API204, API205, API206),
    check=check,
)

"""API201 missing-response-model and API202 untyped-response-model: a route's
response schema, and the API201 fix (a return annotation).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.project.index import index_of
from fastapi_lint.project.routes import ServedRoute, route_table_for
from fastapi_lint.registry import FixAvailability, Rule
from fastapi_lint.rules import built_values, route_shapes
from fastapi_lint.rules.routes import house_style
from fastapi_lint.rules.routes._common import (
    ANY_TYPES,
    APP,
    APP_ITEM,
    MAPPING_TYPES,
    NO_BODY_STATUS,
    NO_BODY_STATUS_NAMES,
    SEQUENCE_TYPES,
    WRAPPER_TYPES,
    has_star_kwargs,
    keyword_argument,
    returns_and_yields,
    returns_response,
    route_context_scope,
    router_call,
)
from fastapi_lint.rules.routes.documented import documented_success
from fastapi_lint.rules.test_code import is_test_module
from fastapi_lint.semantic.fastapi import NON_JSON_RESPONSES
from fastapi_lint.semantic.limits import note_cut
from fastapi_lint.semantic.status_codes import status_code_value
from fastapi_lint.semantic.syntax import (
    constant_value,
    last_name,
    string_annotation,
    subscript_elements,
)

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Diagnostic, Fix
    from fastapi_lint.fixes.context import FixContext
    from fastapi_lint.semantic.fastapi import RouteInfo
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

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
        "serialized, including fields that were never meant to leave the server. Not reported "
        "when `responses=` already documents the success body with a model or a JSON schema, nor "
        "for apps defined in test files (their schema is never published), nor in a project "
        "whose style is an untyped schema: at least 10 routes (tests, docs and examples left "
        "out) and none of them declares a response model or a return annotation (a maintainer "
        "who chose that style does not type one route because a linter flags it; a project "
        "where some routes declare one keeps every finding)."
    ),
    example=(
        APP_ITEM + '@app.get("/items/{item_id}")\nasync def read_item(item_id: int):\n'
        '    return Item(id=item_id, name="hammer")\n'
    ),
    use_instead=(
        APP_ITEM + '@app.get("/items/{item_id}")\nasync def read_item(item_id: int) -> Item:\n'
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
        "returns is sent as is. Not reported when `responses=` documents the success body, for "
        "apps defined in test files, nor when every returned value is passed through from "
        "elsewhere with a shape the route does not own (an upstream response's `.json()`, a "
        "free-form field); an in-memory store of the module, a dump of a known model and the rows "
        "of a query on a model class are not pass-throughs. Nor in a project whose house style "
        "is an untyped response: at least 10 routes declare an untyped response model (`dict`, "
        "`Any`, `list[dict]`...) and they are at least 80% of the routes that declare a "
        "response type at all (tests, docs and examples left out); a project mixing typed and "
        "untyped routes keeps every finding, there the untyped ones are the exceptions."
    ),
    example=(
        APP + '@app.get("/items/{item_id}")\nasync def read_item(item_id: int) -> dict:\n'
        '    return {"id": item_id, "name": "hammer"}\n'
    ),
    use_instead=(
        APP_ITEM + '@app.get("/items/{item_id}")\nasync def read_item(item_id: int) -> Item:\n'
        '    return Item(id=item_id, name="hammer")\n'
    ),
)


# ------------------------------------------------------------ API201 / API202


def _no_body_status(model: ModuleModel, node: ast.expr | None, scope: Scope) -> bool:
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return node.value in NO_BODY_STATUS
    # `DELETED = 204`, `HTTPStatus.NO_CONTENT`: simple flow reads the code.
    code = status_code_value(model, node, scope)
    return last_name(node) in NO_BODY_STATUS_NAMES or code in NO_BODY_STATUS


def _router_skips_schema(model: ModuleModel, route: RouteInfo) -> bool:
    """The route's router (same module) publishes no JSON schema, or no app serves it in one."""
    found = router_call(model, route)
    if found is not None:
        _, call, _ = found
        if constant_value(keyword_argument(call, "include_in_schema")) is False:
            return True
        if "openapi_url" in {k.arg for k in call.keywords} and (
            constant_value(keyword_argument(call, "openapi_url")) is None
        ):
            return True
        default_class = keyword_argument(call, "default_response_class")
        if default_class is not None and last_name(default_class) in NON_JSON_RESPONSES:
            return True
    served = _served(model, route)
    return bool(served) and not any(r.in_schema for r in served)


def _router_deprecated(model: ModuleModel, route: RouteInfo) -> bool:
    """``APIRouter(deprecated=True)``: every route of the router is deprecated; also every
    route each app serves only through a deprecated router or ``include_router(...,
    deprecated=True)`` (a retired API version kept for old clients)."""
    found = router_call(model, route)
    if found is not None and constant_value(keyword_argument(found[1], "deprecated")) is True:
        return True
    served = _served(model, route)
    return bool(served) and all(r.deprecated for r in served)


def _served(model: ModuleModel, route: RouteInfo) -> list[ServedRoute]:
    """The route as the project's apps serve it (the route table)."""
    table = route_table_for(model)
    if table is None:
        return []
    return table.served(model.module_name, route.registration.lineno)


def missing_response_model(model: ModuleModel, route: RouteInfo) -> tuple[str, str] | None:
    """(message detail, annotation for the fix) when the route needs a response model."""
    keywords = route.keywords
    function = route.function
    if route.is_websocket or has_star_kwargs(route) or _throwaway_app(model):
        return None
    if "response_model" in keywords or function.node.returns is not None:
        return None
    if "response_class" in keywords or _no_body_status(
        model, keywords.get("status_code"), function.outer
    ):
        return None
    if constant_value(keywords.get("include_in_schema")) is False:
        return None
    if constant_value(keywords.get("deprecated")) is True or _router_deprecated(model, route):
        return None  # a compatibility route: nobody documents it further
    detail = returned_detail(model, function)
    if detail is None or _documents_success(model, route):
        return None
    if _router_skips_schema(model, route):
        return None
    if house_style.undeclared_by_design(model):
        return None  # no route of the project declares one: its style, not an oversight
    return detail


def returned_detail(model: ModuleModel, function: FunctionInfo) -> tuple[str, str] | None:
    """(message detail, annotation for the fix) when the endpoint returns a known shape."""
    returns, is_generator, scope = returns_and_yields(model, function)
    if is_generator or not returns or scope is None:
        return None
    # A `Response` (an error's `JSONResponse`, a redirect) is sent as is, next to a response
    # model: the other returns still need one. Only Responses: nothing to describe.
    described = [r for r in returns if not returns_response(model, r.value, scope)]
    if not described:
        return None
    shapes = route_shapes.returned_shapes(model, described, scope)
    if shapes is None:
        return None  # a value passed through whose shape is unknown
    return route_shapes.missing_model_detail(shapes, len(described) != len(returns))


def _documents_success(model: ModuleModel, route: RouteInfo) -> bool:
    """The route's ``responses=`` already gives its success response a typed model or a
    JSON schema: the shape is published, a response model would add nothing."""
    documented = documented_success(model, route)
    if documented is None:
        return False
    if documented.kind == "schema":
        return True
    node = documented.node
    if isinstance(node, ast.Constant) and node.value is None:
        return False
    return not untyped_annotation(documented.model, node, documented.scope)


def _throwaway_app(model: ModuleModel) -> bool:
    """Routes of an app defined in a test file: a test app whose schema nobody publishes,
    and no maintainer types its responses (API5xx's test-file definition)."""
    return is_test_module(model)


def _only_empty_dicts(model: ModuleModel, function: FunctionInfo) -> bool:
    returns, _, _ = returns_and_yields(model, function)
    return bool(returns) and all(
        isinstance(r.value, ast.Dict) and not r.value.keys for r in returns
    )


def _is_bare_any(model: ModuleModel, annotation: ast.expr, scope: Scope) -> bool:
    """``Any`` written as such: an explicit opt-out of a response model."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        parsed = string_annotation(annotation.value)
        if parsed is None:
            return False
        annotation = parsed
    if not isinstance(annotation, (ast.Name, ast.Attribute)):
        return False
    return model.qualified_name(annotation, scope) in ("typing.Any", "typing_extensions.Any")


def untyped_annotation(
    model: ModuleModel, annotation: ast.expr, scope: Scope, depth: int = 0
) -> bool:
    """Whether a type expression leaves the response undescribed (``dict``, ``Any``, ``list[dict]``)."""
    if depth > 12:
        note_cut()  # an answer for this question only: no fact above may keep it
        return False
    if isinstance(annotation, ast.Constant):
        if isinstance(annotation.value, str):
            parsed = string_annotation(annotation.value)
            if parsed is None:
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
        if outer.startswith(("typing.", "typing_extensions.")) and short in WRAPPER_TYPES:
            checked = elements[:1] if short == "Annotated" else elements
            return any(untyped_annotation(model, e, scope, depth + 1) for e in checked)
        if outer in MAPPING_TYPES:
            return len(elements) < 2 or untyped_annotation(model, elements[1], scope, depth + 1)
        if outer in SEQUENCE_TYPES:
            return any(
                untyped_annotation(model, e, scope, depth + 1)
                for e in elements
                if not (isinstance(e, ast.Constant) and e.value is Ellipsis)
            )
        return False
    if isinstance(annotation, (ast.Name, ast.Attribute)):
        qualname = model.qualified_name(annotation, scope)
        if qualname in ANY_TYPES or qualname in MAPPING_TYPES or qualname in SEQUENCE_TYPES:
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
                # From its key alone: the asker's depth is not the alias'.
                lambda: _imported_alias_is_untyped(model, qualname, 0),
            )
        )
    return False


def _imported_alias_is_untyped(model: ModuleModel, qualname: str, depth: int) -> bool:
    project = index_of(model)
    if project is None:
        return False
    if depth > 12:
        note_cut()
        return False
    found = project.split(qualname)
    if found is None or len(found[1]) != 1:
        return False
    other, (name,) = found
    return _alias_is_untyped(other, name, other.module_scope, depth + 4)


def _is_type_name(model: ModuleModel, value: ast.expr, scope: Scope) -> bool:
    qualname = model.qualified_name(value, scope) or ""
    return qualname in ANY_TYPES or qualname in MAPPING_TYPES or qualname in SEQUENCE_TYPES


def untyped_response_model(model: ModuleModel, route: RouteInfo) -> ast.expr | None:
    """The untyped response model of a route, if it has one."""
    if route.is_websocket:
        return None
    declared = route.keywords.get("response_model")
    if declared is not None:
        if isinstance(declared, ast.Constant) and declared.value is None:
            return None
        context = route_context_scope(model, route)
        if _is_bare_any(model, declared, context):
            return None
        if not untyped_annotation(model, declared, context):
            return None
        return None if _untyped_exempt(model, route) else declared
    if has_star_kwargs(route):
        return None
    returns = untyped_return(model, route.function)
    if returns is None:
        return None
    return None if _untyped_exempt(model, route) else returns


def untyped_return(model: ModuleModel, function: FunctionInfo) -> ast.expr | None:
    """The endpoint's untyped return annotation (``-> dict``), unless a bare ``Any``, a
    generator's, one of an endpoint that only returns Responses, only ``{}`` or values
    passed through from elsewhere."""
    returns = function.node.returns
    if returns is None:
        return None
    returns_found, is_generator, scope = returns_and_yields(model, function)
    if is_generator or _is_bare_any(model, returns, function.outer):
        return None
    if not untyped_annotation(model, returns, function.outer):
        return None
    # `-> Any` on a route that only returns Response objects: FastAPI sends them as
    # they are, the annotation never becomes a response model.
    if returns_found and scope is not None:
        if all(returns_response(model, r.value, scope) for r in returns_found):
            return None
    if _only_empty_dicts(model, function) or _passes_through(model, function):
        return None
    return returns


def _untyped_exempt(model: ModuleModel, route: RouteInfo) -> bool:
    """Routes whose every `return` is `{}`, routes left out of the schema (on the route or
    its router, as API201), routes whose ``responses=`` documents the success body with a
    typed model or schema, test apps, and apps that publish no OpenAPI schema."""
    if _only_empty_dicts(model, route.function):
        return True
    if _throwaway_app(model) or _documents_success(model, route):
        return True
    if _passes_through(model, route.function):
        return True
    if constant_value(route.keywords.get("include_in_schema")) is False:
        return True
    if _router_skips_schema(model, route):
        return True
    served = _served(model, route)
    if bool(served) and all(r.app_publishes_no_schema for r in served):
        return True
    return house_style.untyped_by_design(model)  # untyped routes are the project's style


def _passes_through(model: ModuleModel, function: FunctionInfo) -> bool:
    """Every value the route returns comes from elsewhere: a call (an upstream service's
    ``response.json()``, a helper declared ``-> dict``, ``x.model_dump()``), an attribute
    (a free-form ``info: dict`` field) or a parameter. The untyped annotation then states
    what the route knows of its source; the shape is not the route's to describe
    (Revision 2, as API201). A literal, comprehension or model the route builds itself,
    directly or through a local name, keeps the finding."""
    returns, _, scope = returns_and_yields(model, function)
    if scope is None:
        return False
    values = [
        r.value
        for r in returns
        if r.value is not None
        and not (isinstance(r.value, ast.Constant) and r.value.value is None)
        and not (isinstance(r.value, ast.Dict) and not r.value.keys)
        and not (isinstance(r.value, ast.List) and not r.value.elts)
    ]
    if not values:
        return False
    return not any(built_values.builds_value(model, value, scope) for value in values)


def display_annotation(annotation: ast.expr) -> str:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value.strip()
    return ast.unparse(annotation)


# ------------------------------------------------------------ API201 fix

_ANNOTATE = lazy_compile(r"annotate it `-> ([A-Za-z_][\w.]*|list\[[A-Za-z_][\w.]*\])`$")


def fix_missing_response_model(context: FixContext, diagnostic: Diagnostic) -> Optional[Fix]:
    """API201: add ``-> Model`` when every return returns the same model (unsafe: FastAPI
    then validates the output and drops the fields the model does not declare)."""
    from fastapi_lint.diagnostics import Edit, Fix

    match = _ANNOTATE.search(diagnostic.message)
    if match is None:
        return None
    annotation = match.group(1)
    name = annotation[5:-1] if annotation.startswith("list[") else annotation
    if not context.binds_name(name.split(".", 1)[0]):
        return None
    node = context.definition_on_line(diagnostic.line)
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.returns is not None:
        return None
    position = _header_colon(context, node)
    if position is None:
        return None
    line, col = position
    return Fix(
        description=f"Add the return annotation `-> {annotation}`",
        safe=False,
        edits=(Edit(line, col, line, col, f" -> {annotation}"),),
    )


def _header_colon(
    context: FixContext, node: ast.FunctionDef | ast.AsyncFunctionDef
) -> tuple[int, int] | None:
    """(line, character column) of the ``:`` that ends a def's header."""
    import io
    import tokenize

    end = node.body[0].lineno
    text = "".join(context.lines[node.lineno - 1 : end])
    depth = 0
    seen_def = False
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.NAME and token.string == "def":
                seen_def = True
            elif token.type == tokenize.OP and seen_def:
                if token.string in "([{":
                    depth += 1
                elif token.string in ")]}":
                    depth -= 1
                elif token.string == ":" and depth == 0:
                    return node.lineno + token.start[0] - 1, token.start[1]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    return None

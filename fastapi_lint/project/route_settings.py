"""Small readers of a route registration for ``project/route_modules.py``.

Whether a router/app/include marks its routes deprecated, the status code and
methods the inventory prints, which response settings a route declares, and the
string values a factory call hands its parameters (``f"/v{version}"`` prefixes).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from fastapi_lint.project.route_security import source_text
from fastapi_lint.semantic.status_codes import status_code_value
from fastapi_lint.semantic.syntax import constant_value

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


def is_deprecated(keywords: dict[str, ast.expr]) -> bool:
    """``deprecated=True`` on a router, an app or ``include_router``: FastAPI marks every
    route served through it deprecated."""
    return constant_value(keywords.get("deprecated")) is True


def is_project_class(model: ModuleModel, qualname: str) -> bool:
    if model.class_named(qualname) is not None:
        return True
    return model.project is not None and model.project.is_class(qualname)


RESPONSE_SETTINGS = frozenset(
    {
        "response_model",
        "response_class",
        "responses",
        "status_code",
        "include_in_schema",
        "deprecated",
    }
)


def bound_strings(
    call: ast.Call,
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    caller: Any,
    scope: Scope,
    method: bool = True,
) -> dict[str, str]:
    """The string values a call gives a method's parameters (``self`` left out) or a
    function's: its arguments when the caller knows them as strings (an integer too, as an
    f-string writes it: ``f"/v{version}"``), else the parameters' defaults."""
    args = function.args
    positional = [a.arg for a in args.posonlyargs + args.args][1 if method else 0 :]
    values: dict[str, ast.expr | None] = {}
    defaults = args.defaults
    for name, default in zip(positional[len(positional) - len(defaults) :], defaults):
        values[name] = default
    for kwarg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
        values[kwarg.arg] = kw_default
    for name, arg in zip(positional, call.args):
        values[name] = arg
    for keyword in call.keywords:
        if keyword.arg is not None:
            values[keyword.arg] = keyword.value
    result = {}
    for name, node in values.items():
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int)
            and not isinstance(node.value, bool)
        ):
            result[name] = str(node.value)
            continue
        text = caller._string(node, scope, 1) if node is not None else None
        if text is not None:
            result[name] = text
    return result


def status_text(model: ModuleModel, node: ast.expr | None, scope: Scope, websocket: bool) -> str:
    if websocket:
        return ""
    if node is None:
        return "200"
    if isinstance(node, ast.Constant):
        return str(node.value)
    code = status_code_value(model, node, scope)
    return str(code) if code is not None else source_text(node)


def route_methods(route: Any, registration: ast.Call, from_keyword: bool) -> list[str] | None:
    """The route's methods; None when ``methods=`` (of ``api_route``/``add_api_route``)
    is not a literal list of strings or ``**options`` may set it."""
    if not from_keyword:
        return list(route.methods)
    declared = route.keywords.get("methods")
    literal = declared is None or (
        isinstance(declared, (ast.List, ast.Tuple, ast.Set))
        and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in declared.elts)
    )
    star = any(k.arg is None for k in registration.keywords)
    return list(route.methods) if literal and not star else None

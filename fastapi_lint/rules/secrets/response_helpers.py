"""Project helpers that build an error response from their arguments (API509).

Admin backends route every error through one helper::

    def response_500(*, data: Any = None, message: str = "error") -> Response:
        return JSONResponse(status_code=500, content={"code": 500, "message": message})

    ...
    except Exception as e:
        return response_500(data="", message=str(e))

The helper's ``message`` parameter reaches the response body, so the call sends the
exception's text to the client exactly as ``JSONResponse(content={"message": str(e)})``
would. A helper is summarized once per project function: its body ends in its only
``return`` (no branch choosing between responses), which builds a Starlette/FastAPI
response; the parameters that
reach the response's content (directly, in a dict, list or f-string, through
``jsonable_encoder``/``dict``/``str`` or a model constructor) carry the text; the status
is the literal one, or a parameter's (its argument at the call, else its default).
A helper that does anything else with the value (``sanitize(message)``, a lookup) is not
a carrier: it decides itself what the client sees.

An ``HTTPException`` is a response too: ``def internal_error(exc): return
HTTPException(500, detail=f"Internal error: {exc}")`` (called as ``raise
internal_error(e)``) and ``def fail(exc): raise HTTPException(500, detail=str(exc))``
(its body's one ``raise``, the last statement) carry their parameter to ``detail``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from fastapi_lint.project.index import index_of
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.syntax import SCOPE_NODES, keyword_value

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

RESPONSE_MODULES = ("starlette.responses.", "fastapi.responses.", "fastapi.")
HTTP_EXCEPTIONS = frozenset(
    {
        "fastapi.HTTPException",
        "fastapi.exceptions.HTTPException",
        "starlette.exceptions.HTTPException",
    }
)
# Calls that keep their argument's text in what they return.
_KEEPING_CALLS = frozenset({"dict", "jsonable_encoder", "str", "repr"})
_MAX_DEPTH = 6
_Statement = TypeVar("_Statement", ast.Return, ast.Raise)


@dataclass(frozen=True)
class ResponseHelper:
    """What a project helper does with its parameters when it builds a response."""

    name: str
    positional: tuple[str, ...]  # parameter names in positional order
    carriers: frozenset[str]  # parameters whose value reaches the response's content
    status: int | None  # the literal status, or the status parameter's default
    status_param: str | None  # the parameter that sets the status, if one does

    def arguments(self, call: ast.Call) -> dict[str, ast.expr]:
        """The call's arguments by parameter name."""
        bound: dict[str, ast.expr] = {}
        for index, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred) or index >= len(self.positional):
                break
            bound[self.positional[index]] = arg
        for keyword in call.keywords:
            if keyword.arg is not None:
                bound[keyword.arg] = keyword.value
        return bound


def response_helper(
    model: ModuleModel,
    call: ast.Call,
    scope: Scope,
    response_classes: frozenset[str],
    status_of: Callable[[ast.expr | None, int | None], int | None],
) -> ResponseHelper | None:
    """The summary of the project function ``call`` calls, when it is a response helper."""
    if not isinstance(call.func, (ast.Name, ast.Attribute)):
        return None
    qualname = model.call_target(call, scope)
    if qualname is None or stubs.canonical(qualname).startswith(RESPONSE_MODULES):
        return None
    local = model.function_named(qualname)
    if local is not None:
        return _summarize(model, local, response_classes, status_of)
    project = index_of(model)
    if project is None or "." not in qualname:
        return None

    def compute() -> object:
        found = project.function(qualname)
        if found is None:
            return None
        helper = _summarize(found[0], found[1], response_classes, status_of)
        if helper is None:
            return None
        return [
            helper.name,
            list(helper.positional),
            sorted(helper.carriers),
            helper.status,
            helper.status_param,
        ]

    stored = project.fact("response-helper/2", qualname, compute)
    if not isinstance(stored, list):
        return None
    name, positional, carriers, status, status_param = stored
    return ResponseHelper(name, tuple(positional), frozenset(carriers), status, status_param)


def _summarize(
    model: ModuleModel,
    function: FunctionInfo,
    response_classes: frozenset[str],
    status_of: Callable[[ast.expr | None, int | None], int | None],
) -> ResponseHelper | None:
    node = function.node
    args = node.args
    positional = tuple(a.arg for a in [*args.posonlyargs, *args.args])
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)
    if function.is_method and positional and not static:
        positional = positional[1:]  # `self`/`cls`: bound at the call
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    defaults = _defaults(args)
    value = _built_response(node)
    if value is None:
        return None
    target = model.call_target(value, function.scope)
    if target is None:
        return None
    target = stubs.canonical(target)
    if target in HTTP_EXCEPTIONS:
        # ``HTTPException(status_code, detail)``
        content = keyword_value(value.keywords, "detail") or (
            value.args[1] if len(value.args) > 1 else None
        )
        status_node = keyword_value(value.keywords, "status_code") or (
            value.args[0] if value.args else None
        )
    elif target.startswith(RESPONSE_MODULES) and target.rsplit(".", 1)[-1] in response_classes:
        # ``JSONResponse(content, status_code)``
        content = keyword_value(value.keywords, "content") or (
            value.args[0] if value.args else None
        )
        status_node = keyword_value(value.keywords, "status_code") or (
            value.args[1] if len(value.args) > 1 else None
        )
    else:
        return None
    carriers = _reaching(content, names, 0) if content is not None else set()
    if not carriers:
        return None
    status_param = None
    if isinstance(status_node, ast.Name) and status_node.id in names:
        status_param = status_node.id
        status = status_of(defaults.get(status_param), None)
    else:
        status = status_of(status_node, 200)
    return ResponseHelper(function.name, positional, frozenset(carriers), status, status_param)


def _built_response(node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.Call | None:
    """The call the helper's body ends in: its only ``return``, or its only ``raise`` when
    it returns nothing. Branches that choose what to return or raise (``if isinstance(exc,
    NotFound): return JSONResponse(..., 404)``) are the helper deciding what the client
    sees."""
    returns = list(_own(node, ast.Return))
    last = node.body[-1]
    if returns:
        value = returns[0].value if len(returns) == 1 and last is returns[0] else None
    elif isinstance(last, ast.Raise) and len(list(_own(node, ast.Raise))) == 1:
        value = last.exc
    else:
        value = None
    return value if isinstance(value, ast.Call) else None


def _defaults(args: ast.arguments) -> dict[str, ast.expr]:
    positional = [*args.posonlyargs, *args.args]
    found = {
        arg.arg: default
        for arg, default in zip(positional[len(positional) - len(args.defaults) :], args.defaults)
    }
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
        if kw_default is not None:
            found[arg.arg] = kw_default
    return found


def _own(node: ast.AST, kind: type[_Statement]) -> Iterator[_Statement]:
    """The ``return`` (or ``raise``) statements of a function's own body (not of nested
    scopes)."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        if isinstance(child, kind):
            yield child
        if not isinstance(child, SCOPE_NODES):
            stack.extend(ast.iter_child_nodes(child))


def _reaching(node: ast.expr, names: set[str], depth: int) -> set[str]:
    """The parameters whose text ends up in ``node`` as it is."""
    if depth > _MAX_DEPTH:
        return set()
    if isinstance(node, ast.Name):
        return {node.id} if node.id in names else set()
    children: list[ast.expr] = []
    if isinstance(node, ast.Dict):
        children = list(node.values)
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        children = list(node.elts)
    elif isinstance(node, ast.JoinedStr):
        children = [p.value for p in node.values if isinstance(p, ast.FormattedValue)]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        children = [node.left, node.right]
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in _KEEPING_CALLS or node.func.id[:1].isupper():
            children = [*node.args, *(k.value for k in node.keywords)]
    found: set[str] = set()
    for child in children:
        found |= _reaching(child, names, depth + 1)
    return found

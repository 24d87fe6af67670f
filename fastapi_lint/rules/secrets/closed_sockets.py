"""API509: an exception raised after the handler closed the websocket.

``await websocket.close(code=1008)`` then ``raise HTTPException(403, detail=str(exc))``
in the same ``except`` clause: the close frame, or the 403 that refuses the handshake,
has already gone out, so nothing of the detail reaches the client. Only a close that
surely ran counts: a statement of the clause's body (or of a block around the raise)
before it, not one under an ``if``.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic import stubs

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

_WEBSOCKETS = frozenset(
    {"starlette.websockets.WebSocket", "fastapi.WebSocket", "fastapi.websockets.WebSocket"}
)


def raised_after_close(
    model: ModuleModel, function: FunctionInfo, handler: ast.ExceptHandler, sink: ast.AST
) -> bool:
    """Whether ``sink`` is raised after ``await <websocket>.close(...)`` ran in ``handler``."""
    raised = model.parent(sink)
    if not isinstance(raised, ast.Raise):
        return False
    sockets = _websocket_parameters(model, function)
    if not sockets:
        return False
    child: ast.AST = raised
    for ancestor in model.ancestors(raised):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(ancestor, field, None)
            if not isinstance(block, list) or not any(s is child for s in block):
                continue  # only the block the raise is in ran before it
            for statement in block:
                if statement is child:
                    break
                if _closes(statement, sockets):
                    return True
        if ancestor is handler:
            return False
        child = ancestor
    return False


def _websocket_parameters(model: ModuleModel, function: FunctionInfo) -> set[str]:
    args = function.node.args
    names = set()
    for arg in args.posonlyargs + args.args + args.kwonlyargs:
        if arg.annotation is None:
            continue
        qualified = model.qualified_name(arg.annotation, function.outer)
        if qualified is not None and stubs.canonical(qualified) in _WEBSOCKETS:
            names.add(arg.arg)
    return names


def _closes(statement: ast.stmt, sockets: set[str]) -> bool:
    """``await websocket.close(...)`` as a statement of its own."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Await)):
        return False
    call = statement.value.value
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "close"
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id in sockets
    )

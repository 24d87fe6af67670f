"""API509: generators that only serve as a streaming response's body.

Starlette's ``StreamingResponse`` (and sse-starlette's ``EventSourceResponse``) sends the
status line and headers before it iterates the body, so an ``HTTPException`` raised in
that generator never becomes a response: it aborts one that has already started, and
its ``detail`` reaches no client. The text may still be yielded as data (``yield
f"error: {exc}"``): that is a different sink and stays reported where it is one.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

_STREAMING_RESPONSES = frozenset({"StreamingResponse", "EventSourceResponse"})
_STREAMING_MODULES = ("starlette.", "fastapi.", "sse_starlette.")


def only_streamed(model: ModuleModel, function: FunctionInfo) -> bool:
    """Whether ``function`` is a generator whose every use in its module is a call handed
    as the body of a streaming response: ``StreamingResponse(events(q), ...)``."""
    if function.class_info is not None or not model.is_generator(function):
        return False
    uses = 0
    for ref in model.of_type(ast.Name):
        name = ref.node
        assert isinstance(name, ast.Name)
        if name.id != function.name or not isinstance(name.ctx, ast.Load):
            continue
        binding = model.lookup(name.id, ref.scope)
        if binding is None or binding.node is not function.node:
            continue
        call = model.parent(name)
        if not isinstance(call, ast.Call) or call.func is not name:
            return False  # passed on, stored or decorated: used some other way too
        if not _streamed_body(model, call, ref.scope):
            return False
        uses += 1
    return uses > 0


def _streamed_body(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    parent = model.parent(call)
    if isinstance(parent, ast.keyword):
        if parent.arg != "content":
            return False
        parent = model.parent(parent)
    elif not (isinstance(parent, ast.Call) and parent.args[:1] == [call]):
        return False
    if not isinstance(parent, ast.Call):
        return False
    target = model.call_target(parent, scope)
    return (
        target is not None
        and target.rsplit(".", 1)[-1] in _STREAMING_RESPONSES
        and target.startswith(_STREAMING_MODULES)
    )

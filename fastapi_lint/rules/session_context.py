"""API301's advice: what a maintainer can do with a sync session in this async function.

The contract, Revision 2: "make it a sync `def`" is the fix for a route or
dependency that only uses the session; middleware must stay async (Starlette
calls it as a coroutine), and so must a function that awaits something. For
those the message suggests `AsyncSession` or `run_in_threadpool`.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.syntax import own_nodes

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

SYNC_DEF_ADVICE = (
    "make it a sync `def` (FastAPI runs it in a threadpool) or use `AsyncSession` "
    "(`async_sessionmaker`)"
)
MIDDLEWARE_ADVICE = (
    "middleware stays `async`: use `AsyncSession` (`async_sessionmaker`) or run the session's "
    "work in `await run_in_threadpool(...)`"
)
AWAITS_ADVICE = (
    "it awaits, so it stays `async`: use `AsyncSession` (`async_sessionmaker`) or run the "
    "session's work in `await run_in_threadpool(...)`"
)
# A plain helper its callers await: FastAPI never calls it, so a sync `def` would block
# each caller instead of moving to the threadpool.
HELPER_ADVICE = (
    "FastAPI does not call it (its callers await it): use `AsyncSession` "
    "(`async_sessionmaker`), or make it a sync `def` and have the callers run it with "
    "`await run_in_threadpool(...)`"
)

_MIDDLEWARE_BASES = ("BaseHTTPMiddleware",)


def report_sync_session(
    model: ModuleModel, reporter: Reporter, node: ast.AST, session: str, function: FunctionInfo
) -> None:
    """API301 at ``node`` for ``session`` (its spelling) used in ``function``."""
    reporter.report(
        "API301",
        node,
        session=f"`{session}`",
        context=model.fastapi.describe(function),
        advice=session_advice(model, function),
    )


def session_advice(model: ModuleModel, function: FunctionInfo) -> str:
    if is_middleware(model, function):
        return MIDDLEWARE_ADVICE
    if awaits(function):
        return AWAITS_ADVICE
    if awaited_helper(model, function):
        return HELPER_ADVICE
    return SYNC_DEF_ADVICE


def awaited_helper(model: ModuleModel, function: FunctionInfo) -> bool:
    """A function FastAPI does not call (no route, no dependency) that a function of this
    module awaits: ``return await count_books()``."""
    facts = model.fastapi
    if facts.routes_of(function) or function.qualname in facts.dependency_functions:
        return False
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        if model.is_awaited(call) and model.call_target(call, ref.scope) == function.qualname:
            return True
    return False


def is_middleware(model: ModuleModel, function: FunctionInfo) -> bool:
    """``@app.middleware("http")``, ``BaseHTTPMiddleware.dispatch`` or a pure ASGI ``__call__``."""
    for decorator in function.node.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "middleware"
        ):
            return True
    class_info = function.class_info
    if class_info is None:
        return False
    if function.name == "dispatch":
        for base in class_info.node.bases:
            name = model.qualified_name(base, class_info.outer) or ""
            if name.endswith(_MIDDLEWARE_BASES):
                return True
    if function.name == "__call__":
        params = [a.arg for a in function.node.args.args[1:]]
        return params[:3] == ["scope", "receive", "send"]
    return False


def awaits(function: FunctionInfo) -> bool:
    """Whether the function's own body awaits (``await``, ``async with``, ``async for``)."""
    return any(
        isinstance(node, (ast.Await, ast.AsyncWith, ast.AsyncFor))
        for node in own_nodes(function.node.body)
    )

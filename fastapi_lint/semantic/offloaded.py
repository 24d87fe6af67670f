"""What an offloading call gives back: ``await run_in_threadpool(f, *args)`` is what
``f(*args)`` returns. The work ran in a thread, but the object it hands back (a client, a
connection, a project object) is used on the loop like any other: ``conn = await
asyncio.to_thread(psycopg2.connect, dsn)`` then ``conn.cursor().execute(...)`` blocks."""

from __future__ import annotations

import ast

from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.values import Ref, Value

# Offloading calls that return the callable's result: where the callable sits, and whether
# keyword arguments go to it (`anyio.to_thread.run_sync` keeps its keywords for itself).
_RESULT_CALLS: dict[str, tuple[int, bool]] = {
    "fastapi.concurrency.run_in_threadpool": (0, True),
    "asyncio.to_thread": (0, True),
    "anyio.to_thread.run_sync": (0, False),
}
_EXECUTOR_METHOD = "run_in_executor"  # loop.run_in_executor(executor, f, *args)


def called_inside(callee: Value | None, call: ast.Call) -> ast.Call | None:
    """The call an offloading call makes in its thread, as a node: ``f(*args)`` for
    ``to_thread(f, *args)``; None for any other call or when the arguments are unpacked."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == _EXECUTOR_METHOD:
        position, keywords = 1, False  # as `is_offloading_call`: the loop is rarely typed
    elif isinstance(callee, Ref):
        found = _RESULT_CALLS.get(stubs.canonical(callee.qualname))
        if found is None:
            return None
        position, keywords = found
    else:
        return None
    if len(call.args) <= position or any(
        isinstance(a, ast.Starred) for a in call.args[: position + 1]
    ):
        return None
    inner = ast.Call(
        func=call.args[position],
        args=list(call.args[position + 1 :]),
        keywords=list(call.keywords) if keywords else [],
    )
    return ast.copy_location(inner, call)

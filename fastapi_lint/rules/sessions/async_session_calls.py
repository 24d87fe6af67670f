"""API302 unawaited-async-session-call and API303 sync-api-on-async-session: one walk over
the calls on an ``AsyncSession``, and API302's fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from fastapi_lint.registry import FixAvailability, Rule
from fastapi_lint.rules.sessions.kinds import (
    ASYNC,
    kind_of_expr,
)
from fastapi_lint.rules.sessions.narrowing import rules_out_async
from fastapi_lint.semantic import stubs

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Diagnostic, Fix, Reporter
    from fastapi_lint.fixes.context import FixContext
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

API302 = Rule(
    code="API302",
    name="unawaited-async-session-call",
    fix=FixAvailability.SAFE,
    fix_description="Inserts the missing `await` when the call is an expression statement, an assigned value or the value a route or a dependency returns.",
    message=(
        "`{call}` is a coroutine of `AsyncSession` and is never awaited: the statement does not "
        "run; write `await {call}`"
    ),
    summary="Checks for `AsyncSession` coroutine methods called without `await`.",
    why=(
        "`AsyncSession.execute`, `commit`, `get`, `refresh` and friends are coroutines. Without "
        "`await` they return a coroutine object and do nothing: the commit never happens, the "
        "result is a coroutine instead of rows, and Python only warns `coroutine ... was never "
        "awaited` at garbage collection."
    ),
    example=(
        "from fastapi import Depends, FastAPI\n"
        "from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine\n\n"
        'engine = create_async_engine("postgresql+asyncpg://db/app")\n'
        "async_session = async_sessionmaker(engine)\n"
        "app = FastAPI()\n\n\n"
        "async def get_session():\n"
        "    async with async_session() as session:\n"
        "        yield session\n\n\n"
        '@app.delete("/sessions/expired")\n'
        "async def purge(session: AsyncSession = Depends(get_session)) -> None:\n"
        '    await session.execute("DELETE FROM sessions WHERE expired")\n'
        "    session.commit()\n"
    ),
    use_instead=(
        "from fastapi import Depends, FastAPI\n"
        "from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine\n\n"
        'engine = create_async_engine("postgresql+asyncpg://db/app")\n'
        "async_session = async_sessionmaker(engine)\n"
        "app = FastAPI()\n\n\n"
        "async def get_session():\n"
        "    async with async_session() as session:\n"
        "        yield session\n\n\n"
        '@app.delete("/sessions/expired")\n'
        "async def purge(session: AsyncSession = Depends(get_session)) -> None:\n"
        '    await session.execute("DELETE FROM sessions WHERE expired")\n'
        "    await session.commit()\n"
    ),
)
API303 = Rule(
    code="API303",
    name="sync-api-on-async-session",
    message=(
        "`AsyncSession` has no `.query()` (legacy sync API): this raises `AttributeError`; use "
        "`await session.execute(select(...))` or `await session.run_sync(...)`"
    ),
    summary="Checks for the legacy `Session.query()` API called on an `AsyncSession`.",
    why=(
        "`AsyncSession` only offers the 2.0-style API. `session.query(User)` fails at run time "
        "with `AttributeError: 'AsyncSession' object has no attribute 'query'`."
    ),
    example=(
        "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
        "from app.models import User\n\n\n"
        "async def list_users(session: AsyncSession) -> list[User]:\n"
        "    return session.query(User).all()\n"
    ),
    use_instead=(
        "from sqlalchemy import select\n"
        "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
        "from app.models import User\n\n\n"
        "async def list_users(session: AsyncSession) -> list[User]:\n"
        "    return list((await session.scalars(select(User))).all())\n"
    ),
)

# Coroutine methods of AsyncSession (sqlalchemy/ext/asyncio/session.py; `exec` is SQLModel's).
ASYNC_SESSION_COROUTINES = frozenset(
    {
        "execute",
        "exec",
        "scalar",
        "scalars",
        "get",
        "get_one",
        "commit",
        "rollback",
        "refresh",
        "flush",
        "delete",
        "merge",
        "close",
        "stream",
        "stream_scalars",
        "run_sync",
        "connection",
        "invalidate",
        "reset",
    }
)
# Calls that take a coroutine object and run it.
COROUTINE_CONSUMERS = frozenset(
    {
        "asyncio.gather",
        "asyncio.create_task",
        "asyncio.ensure_future",
        "asyncio.wait",
        "asyncio.wait_for",
        "asyncio.shield",
        "asyncio.run",
        "asyncio.run_coroutine_threadsafe",
        "asyncio.as_completed",
    }
)
COROUTINE_CONSUMER_METHODS = frozenset(
    {"create_task", "ensure_future", "gather", "wait_for", "run_until_complete", "shield"}
)
# Builtins that use their argument right away: a coroutine there is a bug, not a hand-off.
EAGER_BUILTINS = frozenset(
    {
        "builtins.list",
        "builtins.tuple",
        "builtins.set",
        "builtins.len",
        "builtins.sorted",
        "builtins.next",
        "builtins.iter",
        "builtins.str",
        "builtins.bool",
        "builtins.print",
        "builtins.dict",
    }
)

# Loggers format their arguments (`%r`), they never await them: `log.debug("%r", coro)`.
LOGGING_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
)
LOGGING_MODULES = ("logging.", "loguru.", "structlog.")

# Pydantic's validating constructors (v2 and v1 spellings) are sync: they read the coroutine
# object as data, they never await it.
VALIDATING_METHODS = frozenset(
    {"model_validate", "model_validate_json", "validate_python", "from_orm", "parse_obj"}
)


def _receiver_kind(model: ModuleModel, call: ast.Call, scope: Scope) -> str | None:
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    return kind_of_expr(model, func.value, scope)


def _is_consumed(
    model: ModuleModel, call: ast.expr, scope: Scope, follow_names: bool = True
) -> bool:
    """Whether the coroutine a call returns is awaited, handed to a task API or returned."""
    node: ast.AST = call
    parent = model.parent(node)
    while parent is not None and not isinstance(parent, ast.stmt):
        if isinstance(parent, (ast.Await, ast.Lambda, ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(parent, ast.Call):
            if node is parent.func:
                return False  # `session.get(...)(...)`: calling the coroutine object
            return _call_takes_coroutine(model, parent, scope)
        if isinstance(
            parent,
            (ast.Attribute, ast.Subscript, ast.BinOp, ast.Compare, ast.UnaryOp, ast.FormattedValue),
        ):
            return False
        if isinstance(parent, ast.Dict):
            # `return {"id": row}`: a response body, not a coroutine handed to a caller that
            # awaits it (gathering goes through `.values()`, an attribute, already unconsumed).
            return False
        if isinstance(parent, ast.NamedExpr):
            return not follow_names or _name_consumed_later(model, parent.target.id, scope)
        if isinstance(parent, ast.withitem):
            return True  # `async with session.stream(...)`: left to SQLAlchemy's contract
        node, parent = parent, model.parent(parent)
    if isinstance(parent, ast.Return):
        # A helper's caller awaits what it returns; FastAPI does not await what a route or
        # a dependency returns: it serializes or injects the coroutine object.
        return not _returns_to_fastapi(model, scope)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            return not follow_names or _name_consumed_later(model, targets[0].id, scope)
        return True  # stored on an object or unpacked: followed elsewhere
    if isinstance(parent, ast.AsyncFor):
        # `async for row in session.stream(stmt)`: a coroutine has no `__aiter__`, the loop
        # raises TypeError; the stream is `await session.stream(stmt)`.
        return False
    return False


def _returns_to_fastapi(model: ModuleModel, scope: Scope) -> bool:
    """Whether a ``return`` in ``scope`` hands its value to FastAPI: the scope is a route,
    or a dependency (FastAPI awaits the async dependency itself and injects what it returns
    as is, so a returned coroutine reaches the route unrun)."""
    function = scope.code_function
    if function is None:
        return False
    if any(route.function.node is function.node for route in model.fastapi.routes):
        return True
    # Imported here: the dependency search lives with API306, which asks the same question.
    from fastapi_lint.rules.client_per_request import is_dependency

    return function.is_async and is_dependency(model, function)


def _call_takes_coroutine(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """Whether a call that receives a coroutine object runs it (gather, create_task, ...)."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in COROUTINE_CONSUMER_METHODS:
        return True
    target = model.call_target(call, scope)
    if target is not None:
        target = stubs.canonical(target)
        if target in COROUTINE_CONSUMERS:
            return True
        if target in EAGER_BUILTINS:
            return False
    if (
        isinstance(func, ast.Attribute)
        and func.attr in LOGGING_METHODS
        and (target is None or target.startswith(LOGGING_MODULES))
    ):
        return False  # `log.debug("%r", coro)`: a logger formats the coroutine object
    if isinstance(func, ast.Attribute) and kind_of_expr(model, func.value, scope) is not None:
        return False  # `session.delete(coro)`: a session method does not await its arguments
    if isinstance(func, ast.Attribute) and func.attr in VALIDATING_METHODS:
        return False  # `UserOut.model_validate(coro)`: Pydantic reads its argument right away
    if target == "fastapi.encoders.jsonable_encoder":
        return False
    return True  # a function of unknown behaviour: trust that it awaits what it receives


def _name_consumed_later(model: ModuleModel, name: str, scope: Scope) -> bool:
    """A coroutine stored in a name that is later awaited or passed on (``await coro``)."""
    function = scope.code_function
    binding = model.lookup(name, scope)
    for ref in model.nodes[ast.Name]:
        node = ref.node
        assert isinstance(node, ast.Name)
        if node.id != name or not isinstance(node.ctx, ast.Load):
            continue
        if model.lookup(name, ref.scope) is not binding:
            continue
        if ref.scope.code_function is not function:
            return True  # used by a nested function or lambda: cannot follow
        if _is_consumed(model, node, ref.scope, follow_names=False):
            return True
    return False


def _run_sync_functions(model: ModuleModel) -> set[int]:
    """Nodes of functions and lambdas passed to ``session.run_sync(...)``."""
    found: set[int] = set()
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "run_sync") or not call.args:
            continue
        target = call.args[0]
        if isinstance(target, ast.Lambda):
            found.add(id(target))
            continue
        qualname = model.qualified_name(target, ref.scope)
        for function in model.functions:
            if function.qualname == qualname:
                found.add(id(function.node))
    return found


def check(model: ModuleModel, reporter: Reporter) -> None:
    run_sync_functions: set[int] | None = None
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        func = call.func
        if not isinstance(func, ast.Attribute):
            continue
        attr = func.attr
        if attr not in ASYNC_SESSION_COROUTINES and attr != "query":
            continue
        if _receiver_kind(model, call, ref.scope) != ASYNC:
            continue
        if rules_out_async(model, call, func.value, ref.scope):
            continue  # an `isinstance` test left only the sync Session here
        if attr == "query":
            if run_sync_functions is None:
                run_sync_functions = _run_sync_functions(model)
            if any(id(a) in run_sync_functions for a in model.ancestors(call)):
                continue
            reporter.report("API303", call)
            continue
        if model.is_awaited(call) or _is_consumed(model, call, ref.scope):
            continue
        reporter.report("API302", call, call=_spell_call(call, func))


def _spell_call(call: ast.Call, func: ast.Attribute) -> str:
    try:
        receiver = ast.unparse(func.value)
    except Exception:  # pragma: no cover - unparse of odd trees
        receiver = "session"
    if len(receiver) > 40:
        receiver = "session"
    arguments = "..." if call.args or call.keywords else ""
    return f"{receiver}.{func.attr}({arguments})"


def fix(context: FixContext, diagnostic: Diagnostic) -> Optional[Fix]:
    """API302: insert the missing ``await`` where the call is a statement or an assigned value."""
    from fastapi_lint.diagnostics import Fix

    call = context.call_at(diagnostic)
    if call is None:
        return None
    parent = context.parent(call)
    if isinstance(parent, ast.Expr) or (
        isinstance(parent, (ast.Assign, ast.AnnAssign, ast.Return)) and parent.value is call
    ):
        return Fix("Add `await`", safe=True, edits=(context.insert_before(call, "await "),))
    if isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is call:
        # `session.exec(q).all()` -> `(await session.exec(q)).all()`
        return Fix(
            "Add `await`",
            safe=True,
            edits=(context.replace(call, f"(await {context.text(call)})"),),
        )
    return None

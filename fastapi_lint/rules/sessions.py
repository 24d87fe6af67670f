"""API3xx: SQLAlchemy / SQLModel sessions used the wrong way in FastAPI code.

Where a session comes from is answered by the semantic model: parameter
annotations (also ``Annotated`` aliases such as ``SessionDep``, defined here or
in another module), ``Depends(provider)`` whose provider returns or yields a
session (in any module of the project), ``sessionmaker(...)`` /
``async_sessionmaker(...)`` factories and ``with Session(engine) as s``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Union

from fastapi_lint.project.index import index_of
from fastapi_lint.registry import Family, FixAvailability, Rule
from fastapi_lint.rules.session_context import session_advice
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import decorator_names
from fastapi_lint.semantic.values import Instance, Ref

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, FunctionInfo, Scope

SYNC = "sync"
ASYNC = "async"

API301 = Rule(
    code="API301",
    name="sync-session-in-async",
    message=(
        "{session} is a synchronous SQLAlchemy session used in {context}: each query blocks "
        "the event loop; {advice}"
    ),
    summary="Checks for synchronous SQLAlchemy/SQLModel sessions used in async routes and dependencies.",
    why=(
        "A sync `Session` talks to the database synchronously: in an `async def` route every "
        "`query`, `execute` and `commit` stops the event loop until the database answers, and "
        "every other request of the worker waits. FastAPI runs sync `def` routes and dependencies "
        "in a threadpool, where a sync session is correct."
    ),
    example=(
        "from fastapi import Depends, FastAPI\n"
        "from sqlalchemy import create_engine\n"
        "from sqlalchemy.orm import Session, sessionmaker\n\n"
        'engine = create_engine("sqlite:///./app.db")\n'
        "SessionLocal = sessionmaker(bind=engine)\n"
        "app = FastAPI()\n\n\n"
        "def get_db():\n"
        "    db = SessionLocal()\n"
        "    try:\n"
        "        yield db\n"
        "    finally:\n"
        "        db.close()\n\n\n"
        '@app.get("/users/count")\n'
        "async def count_users(db: Session = Depends(get_db)) -> int:\n"
        '    return db.execute("SELECT count(*) FROM users").scalar_one()\n'
    ),
    use_instead=(
        "from fastapi import Depends, FastAPI\n"
        "from sqlalchemy import create_engine\n"
        "from sqlalchemy.orm import Session, sessionmaker\n\n"
        'engine = create_engine("sqlite:///./app.db")\n'
        "SessionLocal = sessionmaker(bind=engine)\n"
        "app = FastAPI()\n\n\n"
        "def get_db():\n"
        "    db = SessionLocal()\n"
        "    try:\n"
        "        yield db\n"
        "    finally:\n"
        "        db.close()\n\n\n"
        '@app.get("/users/count")\n'
        "def count_users(db: Session = Depends(get_db)) -> int:\n"
        '    return db.execute("SELECT count(*) FROM users").scalar_one()\n'
    ),
)
API302 = Rule(
    code="API302",
    name="unawaited-async-session-call",
    fix=FixAvailability.SAFE,
    fix_description="Inserts the missing `await` when the call is an expression statement or an assigned value.",
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
API304 = Rule(
    code="API304",
    name="sync-driver-in-async-engine",
    message=(
        "`create_async_engine()` is given a `{scheme}://` URL, which selects a synchronous "
        "driver: SQLAlchemy refuses it (`The asyncio extension requires an async driver to be "
        "used`); use {suggestion}"
    ),
    summary="Checks for `create_async_engine` given a database URL with a synchronous driver.",
    why=(
        "`create_async_engine` needs an asyncio driver (`asyncpg`, `psycopg`, `aiomysql`, "
        "`asyncmy`, `aiosqlite`, `aioodbc`). A URL without a driver (`postgresql://`) selects "
        "the sync default (`psycopg2`), and SQLAlchemy raises at engine creation or first connect."
    ),
    example=(
        "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
        'DATABASE_URL = "postgresql://app@db/app"\n'
        "engine = create_async_engine(DATABASE_URL)\n"
    ),
    use_instead=(
        "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
        'DATABASE_URL = "postgresql+asyncpg://app@db/app"\n'
        "engine = create_async_engine(DATABASE_URL)\n"
    ),
)
API305 = Rule(
    code="API305",
    name="session-in-background-task",
    message=(
        "request-scoped session `{session}` is passed to a background task: it is closed when "
        "the response is sent, before the task runs; open a new session inside the task"
    ),
    summary="Checks for a request's `Depends` session handed to `BackgroundTasks.add_task`.",
    why=(
        "Background tasks run after the response is sent. By then the dependency that provided "
        "the session has run its cleanup (`db.close()` after `yield`), so the task works on a "
        "closed session, or on one shared with a finished request."
    ),
    example=(
        "from fastapi import BackgroundTasks, Depends, FastAPI\n"
        "from sqlalchemy.orm import Session\n\n"
        "from app.db import get_db\n\n"
        "app = FastAPI()\n\n\n"
        "def record_visit(db: Session, page: str) -> None:\n"
        "    db.execute(...)\n"
        "    db.commit()\n\n\n"
        '@app.get("/pages/{page}")\n'
        "def read_page(page: str, tasks: BackgroundTasks, db: Session = Depends(get_db)) -> str:\n"
        "    tasks.add_task(record_visit, db, page)\n"
        "    return page\n"
    ),
    use_instead=(
        "from fastapi import BackgroundTasks, FastAPI\n\n"
        "from app.db import SessionLocal\n\n"
        "app = FastAPI()\n\n\n"
        "def record_visit(page: str) -> None:\n"
        "    with SessionLocal() as db:\n"
        "        db.execute(...)\n"
        "        db.commit()\n\n\n"
        '@app.get("/pages/{page}")\n'
        "def read_page(page: str, tasks: BackgroundTasks) -> str:\n"
        "    tasks.add_task(record_visit, page)\n"
        "    return page\n"
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
BACKGROUND_TASKS = "fastapi.BackgroundTasks"
CREATE_ASYNC_ENGINE = "sqlalchemy.ext.asyncio.create_async_engine"
URL_CREATE = frozenset(
    {"sqlalchemy.engine.URL.create", "sqlalchemy.URL.create", "sqlalchemy.engine.url.URL.create"}
)

# Drivers create_async_engine refuses; a URL without "+driver" uses the dialect's sync default.
SYNC_DRIVERS = frozenset(
    {
        "psycopg2",
        "psycopg2cffi",
        "pg8000",
        "pymysql",
        "mysqldb",
        "mysqlconnector",
        "pysqlite",
        "pysqlcipher",
        "pyodbc",
        "pymssql",
        "cx_oracle",
    }
)
DIALECTS_WITH_SYNC_DEFAULT = frozenset(
    {"postgresql", "postgres", "mysql", "mariadb", "sqlite", "mssql", "oracle"}
)
ASYNC_DRIVER_SUGGESTION = {
    "postgresql": "`postgresql+asyncpg://` (or `postgresql+psycopg://`)",
    "postgres": "`postgresql+asyncpg://` (or `postgresql+psycopg://`)",
    "mysql": "`mysql+aiomysql://` (or `mysql+asyncmy://`)",
    "mariadb": "`mariadb+aiomysql://` (or `mariadb+asyncmy://`)",
    "sqlite": "`sqlite+aiosqlite://`",
    "mssql": "`mssql+aioodbc://`",
    "oracle": "`oracle+oracledb://` (python-oracledb's async mode)",
}
MAX_STRING_DEPTH = 8

FunctionOrLambda = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]


# ---------------------------------------------------------------- session kinds
def kind_of_type(model: ModuleModel, type_name: str | None) -> str | None:
    """SYNC or ASYNC for a session type (project subclasses included), else None."""
    if not type_name:
        return None
    type_name = stubs.canonical(type_name)
    if type_name in stubs.SYNC_SESSION_TYPES:
        return SYNC
    if type_name in stubs.ASYNC_SESSION_TYPES:
        return ASYNC
    if model.project is not None and "." in type_name:
        for base in model.project.class_bases(type_name):
            base = stubs.canonical(base)
            if base in stubs.SYNC_SESSION_TYPES:
                return SYNC
            if base in stubs.ASYNC_SESSION_TYPES:
                return ASYNC
    return None


def kind_of_value(model: ModuleModel, value: object) -> str | None:
    if isinstance(value, Instance):
        return kind_of_type(model, value.type)
    return None


def kind_of_expr(model: ModuleModel, expr: ast.expr, scope: Scope) -> str | None:
    return kind_of_value(model, model.evaluate(expr, scope))


@dataclass(frozen=True)
class ParamSession:
    kind: str
    from_depends: bool  # a request-scoped session FastAPI injects


def param_session(model: ModuleModel, function: FunctionInfo, arg: ast.arg) -> ParamSession | None:
    """Whether a parameter receives a session: by annotation and/or its ``Depends`` provider."""
    annotated = None
    if arg.annotation is not None:
        annotated = kind_of_type(model, model.annotation_type(arg.annotation, function.outer))
    target = model.dependency_target(function, arg)
    provided = None
    if target is not None:
        provided = kind_of_value(model, model.dependency_value(function, arg))
    if annotated and provided and annotated != provided:
        return None  # contradicting evidence: stay silent
    kind = annotated or provided
    if kind is None:
        return None
    return ParamSession(kind, target is not None)


def _parameters(function: FunctionInfo) -> list[ast.arg]:
    args = function.node.args
    params = args.posonlyargs + args.args + args.kwonlyargs
    if function.is_method and params and "staticmethod" not in decorator_names(function.node):
        params = params[1:]
    return params


# ---------------------------------------------------------------- uses of a name
def _is_offloading_call(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in stubs.OFFLOADING_METHOD_NAMES:
        return True
    target = model.call_target(call, scope)
    if target is None:
        return False
    target = stubs.canonical(target)
    if target in stubs.OFFLOADING_CALLS:
        return True
    # BackgroundTasks.add_task runs the task after the response (API305 covers sessions there).
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "add_task"
        and (target.startswith(BACKGROUND_TASKS))
    )


def _passed_to_offloading(model: ModuleModel, name: ast.Name, scope: Scope) -> bool:
    """``run_in_threadpool(f, db)`` / ``to_thread(partial(f, db))``: the name is an argument."""
    node: ast.AST = name
    parent = model.parent(node)
    if isinstance(parent, (ast.Starred, ast.keyword)):
        node, parent = parent, model.parent(parent)
    for _ in range(2):
        if not isinstance(parent, ast.Call) or node is parent.func:
            return False
        if _is_offloading_call(model, parent, scope):
            return True
        if model.qualified_name(parent.func, scope) != "functools.partial":
            return False
        node, parent = parent, model.parent(parent)
        if isinstance(parent, (ast.Starred, ast.keyword)):
            node, parent = parent, model.parent(parent)
    return False


def uses_on_loop(model: ModuleModel, function: FunctionInfo, binding: Binding) -> int:
    """How many reads of a binding run inline in ``function`` and are not handed to a thread.

    Reads inside nested ``def``/``lambda`` do not count: they run wherever those are called.
    """
    count = 0
    for ref in model.nodes[ast.Name]:
        node = ref.node
        assert isinstance(node, ast.Name)
        if node.id != binding.name or not isinstance(node.ctx, ast.Load):
            continue
        if ref.scope.code_function is not function:
            continue
        if model.lookup(node.id, ref.scope, node.lineno) is not binding:
            continue
        if _passed_to_offloading(model, node, ref.scope):
            continue
        count += 1
    return count


# ---------------------------------------------------------------- API301
def is_injected(model: ModuleModel, function: FunctionInfo, session: ParamSession) -> bool:
    """A route or dependency: FastAPI fills its parameters."""
    if session.from_depends:
        return True
    facts = model.fastapi
    return bool(facts.routes_of(function)) or function.qualname in facts.dependency_functions


def _check_sync_session_params(model: ModuleModel, reporter: Reporter) -> None:
    facts = model.fastapi
    for function in model.functions:
        if not function.is_async or facts.is_startup_handler(function):
            continue
        for arg in _parameters(function):
            session = param_session(model, function, arg)
            if session is None or session.kind != SYNC:
                continue
            if not is_injected(model, function, session):
                continue
            binding = model.lookup(arg.arg, function.scope)
            if binding is None or uses_on_loop(model, function, binding) == 0:
                continue
            reporter.report(
                "API301",
                arg,
                session=f"`{arg.arg}`",
                context=facts.describe(function),
                advice=session_advice(model, function),
            )


def creates_sync_session(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """``Session(engine)``, ``SessionLocal()``, ``SessionLocal.begin()``, a project factory."""
    callee = model.evaluate(call.func, scope)
    if isinstance(callee, Instance):
        return callee.type in (stubs.SESSIONMAKER, "sqlalchemy.orm.scoped_session")
    value = model.evaluate(call, scope)
    if kind_of_value(model, value) != SYNC:
        return False
    if isinstance(callee, Ref):
        qualname = stubs.canonical(callee.qualname)
        if qualname in stubs.CALL_RETURNS:
            return True
        return _is_factory_call(model, call, scope, qualname)
    # A method: `SessionLocal.begin()`.
    return isinstance(call.func, ast.Attribute) and call.func.attr == "begin"


def _is_factory_call(model: ModuleModel, call: ast.Call, scope: Scope, qualname: str) -> bool:
    """A project function that hands out a new session: ``with get_session() as s`` or a factory.

    Calling a generator provider (``get_db()``) plainly only makes a generator; only ``with``
    (a ``@contextmanager``) or ``next(...)`` runs it.
    """
    located = model.find_function(qualname) if qualname else None
    if located is None:
        return False
    owner, found = located
    if found.is_async:
        return False
    if not owner.is_generator(found):
        return True
    parent = model.parent(call)
    if isinstance(parent, ast.withitem):
        return True
    if isinstance(parent, ast.For) and parent.iter is call:
        return True  # `for db in get_db():` runs the provider
    return isinstance(parent, ast.Call) and model.qualified_name(parent.func, scope) == (
        "builtins.next"
    )


def _created_binding(model: ModuleModel, call: ast.Call, scope: Scope) -> Binding | None:
    """The name a created session is bound to (``db = SessionLocal()``, ``with ... as s``)."""
    parent = model.parent(call)
    if isinstance(parent, ast.withitem) and isinstance(parent.optional_vars, ast.Name):
        return model.lookup(parent.optional_vars.id, scope, parent.optional_vars.lineno)
    if isinstance(parent, ast.For) and parent.iter is call and isinstance(parent.target, ast.Name):
        return model.lookup(parent.target.id, scope, parent.target.lineno)
    if isinstance(parent, ast.Call) and model.qualified_name(parent.func, scope) == "builtins.next":
        call, parent = parent, model.parent(parent)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            return model.lookup(targets[0].id, scope, targets[0].lineno)
    return None


def _check_sync_session_creation(model: ModuleModel, reporter: Reporter) -> None:
    facts = model.fastapi
    # Once per session and function (Revision 2): a name assigned a new session
    # twice (`db = SessionLocal()` in `try` and again in `except`) is one session.
    reported: set[tuple[int, str]] = set()
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        scope = ref.scope
        if not facts.is_async_context(scope) or model.is_awaited(call):
            continue
        if not creates_sync_session(model, call, scope):
            continue
        function = scope.code_function
        assert function is not None
        binding = _created_binding(model, call, scope)
        if binding is not None and uses_on_loop(model, function, binding) == 0:
            continue
        if binding is None and _passed_to_offloading_expr(model, call, scope):
            continue
        if binding is not None:
            key = (id(function.node), binding.name)
            if key in reported:
                continue
            reported.add(key)
        try:
            spelled = ast.unparse(call.func)
        except Exception:  # pragma: no cover - unparse of odd trees
            spelled = "Session"
        reporter.report(
            "API301",
            call,
            session=f"`{spelled}(...)`" if call.args or call.keywords else f"`{spelled}()`",
            context=facts.describe(function),
            advice=session_advice(model, function),
        )


def _passed_to_offloading_expr(model: ModuleModel, expr: ast.expr, scope: Scope) -> bool:
    parent = model.parent(expr)
    return (
        isinstance(parent, ast.Call)
        and expr is not parent.func
        and _is_offloading_call(model, parent, scope)
    )


# ---------------------------------------------------------------- API302 / API303
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
        if isinstance(parent, ast.NamedExpr):
            return not follow_names or _name_consumed_later(model, parent.target.id, scope)
        if isinstance(parent, ast.withitem):
            return True  # `async with session.stream(...)`: left to SQLAlchemy's contract
        node, parent = parent, model.parent(parent)
    if isinstance(parent, ast.Return):
        return True
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            return not follow_names or _name_consumed_later(model, targets[0].id, scope)
        return True  # stored on an object or unpacked: followed elsewhere
    if isinstance(parent, ast.AsyncFor):
        return True
    return False


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
    if isinstance(func, ast.Attribute) and kind_of_expr(model, func.value, scope) is not None:
        return False  # `session.delete(coro)`: a session method does not await its arguments
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


def _check_async_session_calls(model: ModuleModel, reporter: Reporter) -> None:
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


# ---------------------------------------------------------------- API304
def _string_prefix(
    model: ModuleModel, expr: ast.expr, scope: Scope, depth: int = 0
) -> tuple[str, bool] | None:
    """The known start of a string expression and whether that is the whole string."""
    if depth > MAX_STRING_DEPTH:
        return None
    if isinstance(expr, ast.Constant):
        return (expr.value, True) if isinstance(expr.value, str) else None
    if isinstance(expr, ast.JoinedStr):
        text = ""
        for part in expr.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                text += part.value
                continue
            if isinstance(part, ast.FormattedValue) and part.format_spec is None:
                inner = _string_prefix(model, part.value, scope, depth + 1)
                if inner is not None and part.conversion in (-1, ord("s")):
                    text += inner[0]
                    if inner[1]:
                        continue
            return text, False
        return text, True
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left = _string_prefix(model, expr.left, scope, depth + 1)
        if left is None:
            return None
        if not left[1]:
            return left
        right = _string_prefix(model, expr.right, scope, depth + 1)
        if right is None:
            return left[0], False
        return left[0] + right[0], right[1]
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "format"
        and isinstance(expr.func.value, ast.Constant)
        and isinstance(expr.func.value.value, str)
    ):
        template = expr.func.value.value
        return template.split("{", 1)[0], "{" not in template
    if isinstance(expr, ast.Name):
        return _name_prefix(model, expr, scope, depth)
    if isinstance(expr, ast.Attribute) and (project := index_of(model)) is not None:
        # `config.DATABASE_URL` on an imported project module (not a settings instance).
        owner = model.evaluate(expr.value, scope)
        if isinstance(owner, Ref) and project.is_project_module(owner.qualname):
            definition = project.definition(f"{owner.qualname}.{expr.attr}")
            if definition is not None:
                other, binding = definition
                return _binding_prefix(other, binding, depth + 1)
    return None


def _name_prefix(
    model: ModuleModel, name: ast.Name, scope: Scope, depth: int
) -> tuple[str, bool] | None:
    binding = model.lookup(name.id, scope, name.lineno)
    if binding is None:
        return None
    if binding.kind is BindingKind.IMPORT:
        if model.project is None:
            return None
        definition = model.project.definition(binding.qualname or "")
        if definition is None:
            return None
        other, found = definition
        return _binding_prefix(other, found, depth + 1)
    # A constant assigned once in its scope; a reassigned name could hold anything.
    if len(binding.scope.bindings.get(name.id, ())) != 1:
        return None
    return _binding_prefix(model, binding, depth + 1)


def _binding_prefix(model: ModuleModel, binding: Binding, depth: int) -> tuple[str, bool] | None:
    if binding.kind is not BindingKind.ASSIGN or binding.value is None:
        return None
    if binding.unpack_index is not None:
        return None
    if len(binding.scope.bindings.get(binding.name, ())) != 1:
        return None
    return _string_prefix(model, binding.value, binding.scope, depth + 1)


def _url_scheme(model: ModuleModel, call: ast.Call, scope: Scope) -> str | None:
    url: Optional[ast.expr] = call.args[0] if call.args else None
    for keyword in call.keywords:
        if keyword.arg == "url":
            url = keyword.value
    if url is None:
        return None
    if isinstance(url, ast.Call):
        target = model.call_target(url, scope)
        if target is not None and stubs.canonical(target) in URL_CREATE:
            driver: Optional[ast.expr] = url.args[0] if url.args else None
            for keyword in url.keywords:
                if keyword.arg == "drivername":
                    driver = keyword.value
            if driver is None:
                return None
            found = _string_prefix(model, driver, scope)
            return found[0].lower() if found is not None and found[1] else None
    found = _string_prefix(model, url, scope)
    if found is None or "://" not in found[0]:
        return None
    return found[0].split("://", 1)[0].lower()


def sync_driver_dialect(scheme: str) -> str | None:
    """The dialect when a URL scheme selects a synchronous driver, else None."""
    dialect, _, driver = scheme.partition("+")
    if not driver:
        return dialect if dialect in DIALECTS_WITH_SYNC_DEFAULT else None
    return dialect if driver in SYNC_DRIVERS else None


def _check_async_engines(model: ModuleModel, reporter: Reporter) -> None:
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        target = model.call_target(call, ref.scope)
        if target is None or stubs.canonical(target) != CREATE_ASYNC_ENGINE:
            continue
        scheme = _url_scheme(model, call, ref.scope)
        if scheme is None:
            continue
        dialect = sync_driver_dialect(scheme)
        if dialect is None:
            continue
        reporter.report(
            "API304",
            call,
            scheme=scheme,
            suggestion=ASYNC_DRIVER_SUGGESTION.get(dialect, "an asyncio driver"),
        )


# ---------------------------------------------------------------- API305
def _task_arguments(model: ModuleModel, call: ast.Call, scope: Scope) -> list[ast.expr]:
    values: list[ast.expr] = list(call.args[1:]) + [k.value for k in call.keywords]
    if call.args and isinstance(call.args[0], ast.Call):
        task = call.args[0]
        if model.qualified_name(task.func, scope) == "functools.partial":
            values.extend(task.args[1:])
            values.extend(k.value for k in task.keywords)
    return [v.value if isinstance(v, ast.Starred) else v for v in values]


def _check_background_sessions(model: ModuleModel, reporter: Reporter) -> None:
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "add_task") or not call.args:
            continue
        if model.type_of(func.value, ref.scope) != BACKGROUND_TASKS:
            continue
        for value in _task_arguments(model, call, ref.scope):
            if not isinstance(value, ast.Name):
                continue
            binding = model.lookup(value.id, ref.scope, value.lineno)
            if binding is None or binding.kind is not BindingKind.PARAM:
                continue
            function = binding.scope.function
            arg = binding.node
            if function is None or not isinstance(arg, ast.arg):
                continue
            session = param_session(model, function, arg)
            if session is None or not session.from_depends:
                continue
            reporter.report("API305", call, session=value.id)
            break


def check(model: ModuleModel, reporter: Reporter) -> None:
    if reporter.enabled("API301"):
        _check_sync_session_params(model, reporter)
        _check_sync_session_creation(model, reporter)
    if reporter.enabled("API302") or reporter.enabled("API303"):
        _check_async_session_calls(model, reporter)
    if reporter.enabled("API304"):
        _check_async_engines(model, reporter)
    if reporter.enabled("API305"):
        _check_background_sessions(model, reporter)


FAMILY = Family(
    prefix="API3",
    title="Database sessions",
    rules=(API301, API302, API303, API304, API305),
    check=check,
)

"""API301 sync-session-in-async: a synchronous SQLAlchemy/SQLModel session used on the event loop."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.registry import Rule
from fastapi_lint.rules.body_answers import name_loads
from fastapi_lint.rules.session_context import report_sync_session
from fastapi_lint.rules.sessions.class_dependency import check_class_dependency_sessions
from fastapi_lint.rules.sessions.class_dependency_uses import check_class_dependency_uses
from fastapi_lint.rules.sessions.kinds import (
    BACKGROUND_TASKS,
    SYNC,
    ParamSession,
    kind_of_value,
    param_session,
)
from fastapi_lint.rules.sessions.passed_session import session_passed_by_callers
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.syntax import decorator_names, single_assignment
from fastapi_lint.semantic.values import Instance, Ref

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, FunctionInfo, Scope

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
        "in a threadpool, where a sync session is correct. A session kept by a class "
        "dependency (`__init__(self, db: Session = Depends(get_db))`) counts too, in its async "
        "methods and in async routes that query through it (`repo.db.execute(...)`)."
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


def _parameters(function: FunctionInfo) -> list[ast.arg]:
    args = function.node.args
    params = args.posonlyargs + args.args + args.kwonlyargs
    if function.is_method and params and "staticmethod" not in decorator_names(function.node):
        params = params[1:]
    return params


# ---------------------------------------------------------------- uses of a name
def _is_offloading_call(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    if model.is_offloading_call(call, scope):
        return True
    # BackgroundTasks.add_task runs the task after the response (API305 covers sessions there).
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "add_task"):
        return False
    target = model.call_target(call, scope)
    return target is not None and stubs.canonical(target).startswith(BACKGROUND_TASKS)


def _passed_to_offloading(model: ModuleModel, name: ast.Name, scope: Scope) -> bool:
    """``run_in_threadpool(f, db)`` / ``to_thread(partial(f, db))``: the name is an argument;
    also ``run_in_threadpool(Repository(db).balance, id)``: the session is given to a project
    class whose method runs in the thread (building the object does not query); and
    ``run_in_threadpool(db.get, Model, id)``: only the session's bound method goes there."""
    node: ast.AST = name
    parent = model.parent(node)
    if isinstance(parent, ast.Attribute) and parent.value is node:
        node, parent = parent, model.parent(parent)
    if isinstance(parent, (ast.Starred, ast.keyword)):
        node, parent = parent, model.parent(parent)
    for _ in range(2):
        if not isinstance(parent, ast.Call) or node is parent.func:
            return False
        if _is_offloading_call(model, parent, scope):
            return True
        if _offloaded_method_of(model, parent, scope):
            return True
        if model.qualified_name(parent.func, scope) != "functools.partial":
            return False
        node, parent = parent, model.parent(parent)
        if isinstance(parent, (ast.Starred, ast.keyword)):
            node, parent = parent, model.parent(parent)
    return False


def _offloaded_method_of(model: ModuleModel, built: ast.Call, scope: Scope) -> bool:
    """``Repository(db).balance`` passed to an offloading call: ``built`` makes an instance
    of a project class, and only its bound method is handed to the thread."""
    method = model.parent(built)
    if not (isinstance(method, ast.Attribute) and method.value is built):
        return False
    offloading = model.parent(method)
    if not isinstance(offloading, ast.Call) or method not in offloading.args:
        return False
    callee = model.evaluate(built.func, scope)
    if not isinstance(callee, Ref):
        return False
    is_class = model.class_named(callee.qualname) is not None or (
        model.project is not None and model.project.is_class(callee.qualname)
    )
    return is_class and _is_offloading_call(model, offloading, scope)


def uses_on_loop(model: ModuleModel, function: FunctionInfo, binding: Binding) -> int:
    """How many reads of a binding run inline in ``function`` and are not handed to a thread.

    Reads inside nested ``def``/``lambda`` do not count: they run wherever those are called.
    """
    count = 0
    for node, scope in name_loads(model, function, binding.name):
        if model.lookup(node.id, scope, node.lineno) is not binding:
            continue
        if _passed_to_offloading(model, node, scope):
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
            if session.from_depends and session_passed_by_callers(model, function, arg):
                continue  # the calling route's session, reported there
            binding = model.lookup(arg.arg, function.scope)
            if binding is None or uses_on_loop(model, function, binding) == 0:
                continue
            report_sync_session(model, reporter, arg, arg.arg, function)


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
    assignment = single_assignment(parent)
    if assignment is not None and isinstance(assignment[0], ast.Name):
        return model.lookup(assignment[0].id, scope, assignment[0].lineno)
    return None


def reports_creation(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """Whether API301 reports ``call`` as creating a sync session in async context
    (``SessionLocal()``, ``with session_scope() as db`` over a project factory) that
    the function then uses on the loop."""
    if not model.fastapi.is_async_context(scope) or model.is_awaited(call):
        return False
    if not creates_sync_session(model, call, scope):
        return False
    function = scope.code_function
    if function is None:
        return False
    binding = _created_binding(model, call, scope)
    if binding is not None:
        return uses_on_loop(model, function, binding) > 0
    return not _passed_to_offloading_expr(model, call, scope)


def _check_sync_session_creation(model: ModuleModel, reporter: Reporter) -> None:
    # Once per session and function (Revision 2): a name assigned a new session
    # twice (`db = SessionLocal()` in `try` and again in `except`) is one session.
    reported: set[tuple[int, str]] = set()
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        scope = ref.scope
        if not reports_creation(model, call, scope):
            continue
        function = scope.code_function
        assert function is not None
        binding = _created_binding(model, call, scope)
        if binding is not None:
            key = (id(function.node), binding.name)
            if key in reported:
                continue
            reported.add(key)
        try:
            spelled = ast.unparse(call.func)
        except Exception:  # pragma: no cover - unparse of odd trees
            spelled = "Session"
        called = f"{spelled}(...)" if call.args or call.keywords else f"{spelled}()"
        report_sync_session(model, reporter, call, called, function)


def _passed_to_offloading_expr(model: ModuleModel, expr: ast.expr, scope: Scope) -> bool:
    parent = model.parent(expr)
    return (
        isinstance(parent, ast.Call)
        and expr is not parent.func
        and _is_offloading_call(model, parent, scope)
    )


# Session methods that talk to the database (``add`` only stages an object).
_IO_METHODS = frozenset(
    {"query", "execute", "scalar", "scalars", "get", "get_one", "exec", "commit", "flush"}
    | {"refresh", "merge", "delete", "bulk_save_objects", "bulk_insert_mappings"}
)


def _module_session(model: ModuleModel, receiver: ast.expr, scope: Scope) -> bool:
    """A session that lives at module level: ``db_session = scoped_session(...)`` (the
    Flask-style global registry, here or imported) or ``session = SessionLocal()``."""
    if not isinstance(receiver, ast.Name):
        return False
    binding = model.lookup(receiver.id, scope, receiver.lineno)
    if binding is None or binding.scope.code_function is not None:
        return False  # parameters and local sessions: reported where they come in or are made
    value = model.evaluate(receiver, scope)
    if isinstance(value, Instance) and value.type == "sqlalchemy.orm.scoped_session":
        return True
    return kind_of_value(model, value) == SYNC


def _check_module_sessions(model: ModuleModel, reporter: Reporter) -> None:
    """``db_session.query(User)`` in an async route: the module's session is used on the loop.
    Reported once per function, at the first call that talks to the database."""
    facts = model.fastapi
    reported: set[int] = set()
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in _IO_METHODS:
            continue
        function = ref.scope.code_function
        if function is None or id(function.node) in reported:
            continue
        if not facts.is_async_context(ref.scope) or facts.is_startup_handler(function):
            continue
        if not _module_session(model, func.value, ref.scope):
            continue
        reported.add(id(function.node))
        report_sync_session(model, reporter, call, ast.unparse(func.value), function)


def check(model: ModuleModel, reporter: Reporter) -> None:
    _check_sync_session_params(model, reporter)
    _check_sync_session_creation(model, reporter)
    _check_module_sessions(model, reporter)
    check_class_dependency_sessions(model, reporter, _IO_METHODS)
    check_class_dependency_uses(model, reporter, _IO_METHODS)

"""API305 session-in-background-task: a request-scoped session handed to ``BackgroundTasks``."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.registry import Rule
from fastapi_lint.rules.sessions.context_sessions import depends_object_session
from fastapi_lint.rules.sessions.kinds import BACKGROUND_TASKS
from fastapi_lint.rules.sessions.session_callers import (
    request_session_attribute,
    request_session_param,
)
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

API305 = Rule(
    code="API305",
    name="session-in-background-task",
    message=(
        "request-scoped session `{session}` is passed to a background task: it is closed when "
        "the response is sent, before the task runs; open a new session inside the task"
    ),
    summary=(
        "Checks for a request's `Depends` session handed to `BackgroundTasks.add_task` "
        "(or a response's `BackgroundTask`)."
    ),
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


_TASK_LISTS = frozenset({BACKGROUND_TASKS, "starlette.background.BackgroundTasks"})
_TASK_CLASSES = frozenset({"starlette.background.BackgroundTask"})


def _task_arguments(model: ModuleModel, call: ast.Call, scope: Scope) -> list[ast.expr]:
    values: list[ast.expr] = list(call.args[1:]) + [k.value for k in call.keywords]
    if call.args and isinstance(call.args[0], ast.Call):
        values.extend(_partial_arguments(model, call.args[0], scope))
    elif call.args and isinstance(call.args[0], ast.Lambda):
        values.extend(_closed_over(call.args[0]))
    elif call.args and isinstance(call.args[0], ast.Name):
        nested = _nested_task(model, call.args[0], scope)
        if nested is not None:
            values.extend(_closed_over(nested))
        else:
            values.extend(_named_task(model, call.args[0], scope))
    elif (
        call.args
        and isinstance(call.args[0], ast.Attribute)
        and isinstance(call.args[0].value, ast.Name)
    ):
        values.extend(_stored_by_constructor(model, call.args[0].value, scope))
    return [v.value if isinstance(v, ast.Starred) else v for v in values]


def _partial_arguments(model: ModuleModel, task: ast.Call, scope: Scope) -> list[ast.expr]:
    """The arguments ``functools.partial(record_visit, db)`` binds for the task."""
    if model.qualified_name(task.func, scope) != "functools.partial":
        return []
    return list(task.args[1:]) + [k.value for k in task.keywords]


def _named_task(model: ModuleModel, name: ast.Name, scope: Scope) -> list[ast.expr]:
    """``job = functools.partial(recompute, db, ids)`` (or ``job = lambda: recompute(db)``)
    in the route, then ``add_task(job)``: the name carries the same arguments as the
    inline spelling."""
    binding = model.lookup(name.id, scope, name.lineno)
    if binding is None or binding.scope.function is None:
        return []  # a module-level partial cannot bind a request's session
    value = binding.assigned
    if isinstance(value, ast.Call):
        return _partial_arguments(model, value, binding.scope)
    if isinstance(value, ast.Lambda):
        return _closed_over(value)
    return []


def _ignored_by_task(model: ModuleModel, call: ast.Call, scope: Scope) -> list[ast.expr]:
    """The arguments of ``add_task(task, ...)`` that a project ``task`` never reads:
    ``add_task(notify, text, db)`` with ``async def notify(text, db)`` that opens
    ``with Session(engine) as session:`` and leaves ``db`` alone hands over nothing
    the response closes ("the task opens its own session")."""
    task = call.args[0]
    if not isinstance(task, (ast.Name, ast.Attribute)) or any(
        isinstance(a, ast.Starred) for a in call.args
    ):
        return []
    target = model.qualified_name(task, scope)
    located = model.find_function(target) if target else None
    if located is None:
        return []
    node = located[1].node
    args = node.args
    if args.vararg is not None or args.kwarg is not None:
        return []  # `*args`/`**kwargs` may pass it on
    positional = [a.arg for a in args.posonlyargs + args.args]
    if located[1].class_info is not None and positional[:1] in (["self"], ["cls"]):
        positional = positional[1:]  # `add_task(notifier.notify, db)`: bound to its object
    read = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    ignored = [
        value
        for value, param in zip(call.args[1:], positional)
        if not isinstance(value, ast.Starred) and param not in read
    ]
    named = set(positional) | {a.arg for a in args.kwonlyargs}
    ignored.extend(k.value for k in call.keywords if k.arg in named and k.arg not in read)
    return ignored


def _nested_task(
    model: ModuleModel, name: ast.Name, scope: Scope
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """``def job(): ...`` defined in the route itself and handed over as ``add_task(job)``."""
    binding = model.lookup(name.id, scope, name.lineno)
    if binding is None or binding.kind is not BindingKind.FUNCTION:
        return None
    if binding.scope.function is None:
        return None  # a module-level function: it only sees what it is passed
    node = binding.node
    return node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def _stored_by_constructor(model: ModuleModel, name: ast.Name, scope: Scope) -> list[ast.expr]:
    """``notifier = Notifier(db)`` then ``add_task(notifier.notify, ...)``: the bound
    method's object carries what the project class's ``__init__`` stores on ``self``
    (``self.session = session``), so those constructor arguments reach the task too."""
    binding = model.lookup(name.id, scope, name.lineno)
    if binding is None or binding.kind is not BindingKind.ASSIGN:
        return []
    built = binding.value
    if not isinstance(built, ast.Call):
        return []
    target = model.call_target(built, scope)
    if not target:
        return []
    located = model.find_function(target + ".__init__")
    init = located[1] if located is not None else None
    if init is None and target.startswith(model.module_name + "."):
        init = model.function_named(target[len(model.module_name) + 1 :] + ".__init__")
    if init is None:
        return []
    stored = _self_stored(init.node)
    params = [a.arg for a in init.node.args.posonlyargs + init.node.args.args][1:]
    found = [arg for arg, param in zip(built.args, params) if param in stored]
    found.extend(k.value for k in built.keywords if k.arg in stored)
    return found


def _self_stored(init: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The parameter names ``__init__`` assigns to ``self`` attributes as they are."""
    stored = set()
    for node in ast.walk(init):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Name):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(
                isinstance(t, ast.Attribute)
                and isinstance(t.value, ast.Name)
                and t.value.id == "self"
                for t in targets
            ):
                stored.add(node.value.id)
    return stored


def _closed_over(task: ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    """The names a ``lambda`` or nested ``def`` task reads from the route
    (``lambda: notify(db, ids)``): the task runs after the response, so a session it
    closes over is handed over as surely as one passed as an argument. The task's own
    parameters and the names it assigns are left out."""
    args = task.args
    own = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    own |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    body: list[ast.AST] = [task.body] if isinstance(task, ast.Lambda) else list(task.body)
    nodes = [node for part in body for node in ast.walk(part)]
    own |= {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    return [
        node
        for node in nodes
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in own
    ]


def check(model: ModuleModel, reporter: Reporter) -> None:
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        func = call.func
        if not call.args:
            continue
        if isinstance(func, ast.Attribute) and func.attr == "add_task":
            if model.type_of(func.value, ref.scope) not in _TASK_LISTS:
                continue
        elif not (
            isinstance(func, (ast.Name, ast.Attribute))
            and (func.id if isinstance(func, ast.Name) else func.attr) == "BackgroundTask"
            and model.call_target(call, ref.scope) in _TASK_CLASSES
        ):
            continue  # `JSONResponse(..., background=BackgroundTask(task, db))` runs it later too
        ignored = _ignored_by_task(model, call, ref.scope)
        for value in _task_arguments(model, call, ref.scope):
            if any(value is unused for unused in ignored):
                continue  # the task never reads that parameter: it opens its own session
            if isinstance(value, ast.Name):
                if request_session_param(model, value, ref.scope):
                    reporter.report("API305", call, session=value.id)
                    break
            elif isinstance(value, ast.Attribute):
                if request_session_attribute(model, value, ref.scope):
                    reporter.report("API305", call, session=f"self.{value.attr}")
                    break
                if depends_object_session(model, value, ref.scope):
                    reporter.report("API305", call, session=ast.unparse(value))
                    break

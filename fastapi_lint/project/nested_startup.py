"""Nested defs that only start-up code runs: not serving code (Revision 2).

The caller search judges a nested def by its outermost function. In an app
factory that is the factory, which builds the app whoever calls it; but a
coroutine the factory declares for its own ``lifespan`` (or ``on_event``
handler) runs before the server serves, like the lifespan itself::

    def build_app(settings):
        @asynccontextmanager
        async def lifespan(app: FastAPI):
            await startup_event()             # the only use of startup_event
            yield

        app = FastAPI(lifespan=lifespan)

        async def startup_event():
            subprocess.run([...])             # migrations before serving

Every use of the nested def inside its parent must be a call from start-up code
(a lifespan or start-up handler, or a sibling nested def used only that way);
any other use (spawned as a task that outlives start-up, registered, returned,
passed on) keeps the outermost function's verdict.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable

from fastapi_lint.project.instances import spawned_as_task
from fastapi_lint.project.own_loop import uses_in_parent

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

BeforeServing = Callable[["ModuleModel", "FunctionInfo"], bool]

# Nested defs calling nested defs: a few levels at most in real code.
_MAX_NESTING = 8


def runs_only_at_startup(
    model: ModuleModel,
    function: FunctionInfo,
    before_serving: BeforeServing,
    depth: int = 0,
) -> bool:
    """Whether nested ``function`` is only called by start-up code its parent declares."""
    parent = function.parent_function
    if parent is None or depth > _MAX_NESTING:
        return False
    used = False
    for node, owner, _ in uses_in_parent(model, function, parent):
        used = True
        call = model.parent(node)
        if not isinstance(call, ast.Call) or call.func is not node or spawned_as_task(model, call):
            return False  # handed on or spawned as a task: it may run while serving
        if owner is None or owner is parent:
            return False  # the factory itself calls it
        if before_serving(model, owner):
            continue
        if runs_only_at_startup(model, owner, before_serving, depth + 1):
            continue  # a sibling that only start-up code calls
        return False
    return used


def declared_as_startup(
    model: ModuleModel, function: FunctionInfo, before_serving: BeforeServing
) -> bool:
    """Whether nested ``function`` is itself start-up code, or nested in it: an app
    factory's ``@app.on_event("startup")`` handler or its own ``lifespan``::

        def create_app():
            app = FastAPI()

            @app.on_event("startup")
            def seed():
                for tag in db.query(Tag).all(): ...   # runs once, before serving
    """
    current: FunctionInfo | None = function
    depth = 0
    while current is not None and current.parent_function is not None and depth <= _MAX_NESTING:
        if before_serving(model, current):
            return True
        current = current.parent_function
        depth += 1
    return False

"""Tasks that start-up code spawns through helpers run on the serving loop.

``asyncio.create_task(consume())`` in a ``lifespan`` starts a task that runs for
the server's whole life on the loop that serves requests: serving code
(``serving.py``). Real applications often spawn it one call further down::

    async def start_workers(app):
        app.state.consumer = asyncio.create_task(consume_queue())

    @asynccontextmanager
    async def lifespan(app):
        await start_workers(app)

``start_workers`` itself is start-up code (its only caller is the lifespan), but
the task it spawns is not: it outlives the call. A spawning function counts as
start-up code here when some chain of callers leads to a ``lifespan`` or an
``on_event`` handler; a chain from a one-shot runner (``asyncio.run(main())``)
or a CLI command spawns on a loop of its own, and stays not serving.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from fastapi_lint.project.entered import callee_names
from fastapi_lint.project.index import index_of

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

# Helpers between a lifespan and the spawning call: a few in real code.
_MAX_DEPTH = 6
# The spawning functions being judged, per thread: a chain of callers may meet another
# spawn site that leads back to one of them (`syncer.start()` on an untyped receiver).
_ACTIVE = threading.local()


def started_at_startup(model: ModuleModel, function: FunctionInfo) -> bool:
    """Whether ``function`` is start-up code or reached from it by some chain of callers."""
    active: set[str] | None = getattr(_ACTIVE, "names", None)
    if active is None:
        active = _ACTIVE.names = set()
    if function.qualname in active or len(active) >= _MAX_DEPTH:
        return False  # a way back to a spawner being judged decides nothing
    active.add(function.qualname)
    try:
        return _started_at_startup(model, function)
    finally:
        active.discard(function.qualname)


def _started_at_startup(model: ModuleModel, function: FunctionInfo) -> bool:
    from fastapi_lint.project import serving

    project = index_of(model)
    search = (
        serving._ProjectSearch(project, model)
        if project is not None
        else serving._LocalSearch(model)
    )
    seen: set[str] = set()

    def reached(model: ModuleModel, function: FunctionInfo, depth: int) -> bool:
        outer = serving._outermost(function)
        if serving.runs_before_serving(model, outer):
            return True
        if (
            depth >= _MAX_DEPTH
            or outer.qualname in seen
            or serving._is_served_directly(model, outer)
            or serving.is_cli_command(model, outer)
        ):
            return False  # a route's task is judged as the route; a CLI's runs its own loop
        seen.add(outer.qualname)
        qualname, name, is_method = callee_names(outer)
        if isinstance(search, serving._ProjectSearch):
            if is_method and (
                len(search.files.mentioning(name)) > serving._MAX_METHOD_CANDIDATE_FILES
            ):
                return False  # `worker.start()` in hundreds of files: as before, not searched
            search.current = model
        for candidate in list(search.candidates(name, is_method, False)):
            for verdict in serving._reference_verdicts(
                candidate, qualname, name, is_method, lambda m, f: reached(m, f, depth + 1)
            ):
                if verdict:
                    return True
        return False

    return reached(model, function, 0)

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
start-up code here when some chain of callers leads to a ``lifespan``, an
``on_event`` handler or a method of an object start-up code makes; a chain from a
one-shot runner (``asyncio.run(main())``) or a CLI command spawns on a loop of
its own, and stays not serving.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Callable, Optional

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

# What the serving search lends (this module may not import it: serving.py imports this
# one): its references judged by a search object, and its "a route, a middleware..." test.
References = Callable[["ModuleModel", str, str, bool, Any], Iterable[Optional[bool]]]
ServedDirectly = Callable[["ModuleModel", "FunctionInfo"], bool]

# Functions judged per question: helpers between a lifespan and the spawning call
# are a few in real code.
_MAX_VISITS = 24
# Functions judged for one question of the caller search, whatever it nests (a
# caller chain meeting another spawn site asks again, up to four deep) and however
# many spawn sites it meets: a budget per nested question multiplied per level, and
# an agent gateway whose modules spawn each other's tasks ran for minutes per file.
QUESTION_VISITS = 96
# A method name more files mention is not searched (serving.py's cap, for the same reason).
_MAX_METHOD_CANDIDATE_FILES = 150
# The spawning functions being judged, per thread: a chain of callers may meet another
# spawn site that leads back to one of them (`syncer.start()` on an untyped receiver).
_ACTIVE = threading.local()


def stored_for_later(model: ModuleModel, site: ast.AST, scope: Scope) -> bool:
    """``ToolSpec("write_file", ..., _wrap_write_file)``: a function handed, not called, to
    the constructor of a project class (directly or inside a list, tuple, set or dict
    literal). The object keeps it and runs it whenever it is used: made by start-up code
    (a tool registry filled in the ``lifespan``), that is while the server serves, as
    for a task start-up code spawns.
    """
    child, parent = site, model.parent(site)
    while isinstance(parent, (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.keyword, ast.Starred)):
        child, parent = parent, model.parent(parent)
    if not isinstance(parent, ast.Call) or parent.func is child:
        return False
    target = model.qualified_name(parent.func, scope)
    project = model.project
    return target is not None and project is not None and project.class_info(target) is not None


def started_at_startup(
    model: ModuleModel,
    function: FunctionInfo,
    search: Any,
    references: References,
    served_directly: ServedDirectly,
) -> bool:
    """Whether ``function`` is start-up code or reached from it by some chain of callers
    (``search`` is the caller search asking: its candidates and objects are reused)."""
    active: set[str] | None = getattr(_ACTIVE, "names", None)
    if active is None:
        active = _ACTIVE.names = set()
    if function.qualname in active or len(active) >= 4:
        return False  # a way back to a spawner being judged decides nothing
    active.add(function.qualname)
    try:
        return _Reach(search, references, served_directly).reached(model, function)
    finally:
        active.discard(function.qualname)


class _Reach:
    """The caller search's references, each judged "reached from start-up code"."""

    def __init__(
        self, search: Any, references: References, served_directly: ServedDirectly
    ) -> None:
        self.search = search
        # The caller search's question this one serves (a nested one: its outermost's).
        self.question = getattr(search, "question", search)
        self.instances = search.instances
        self.references = references
        self.served_directly = served_directly
        self.seen: set[str] = set()

    def candidates(self, name: str, is_method: bool, tests: bool) -> Iterable[ModuleModel]:
        return self.search.candidates(name, is_method, tests)  # type: ignore[no-any-return]

    def serving_of(self, model: ModuleModel, function: FunctionInfo) -> Optional[bool]:
        return self.reached(model, function)

    def reached(self, model: ModuleModel, function: FunctionInfo) -> bool:
        instances = self.instances
        outer = function
        while not instances.runs_before_serving(model, outer):
            if outer.parent_function is None:
                break
            outer = outer.parent_function  # a lifespan nested in an app factory counts
        else:
            return True
        if instances.startup_class(outer):
            return True
        if (
            len(self.seen) >= _MAX_VISITS
            or outer.qualname in self.seen
            or self.served_directly(model, outer)
            or instances.is_cli_command(model, outer)
        ):
            return False  # a route's task is judged as the route; a CLI's runs its own loop
        if self.question.startup_visits_left <= 0:
            return False  # the question's budget is spent: no chain to start-up code found
        self.question.startup_visits_left -= 1
        self.seen.add(outer.qualname)
        is_method = outer.class_info is not None
        files = getattr(self.search, "files", None)
        if is_method and files is not None:
            if len(files.mentioning(outer.name)) > _MAX_METHOD_CANDIDATE_FILES:
                return False  # `worker.start()` in hundreds of files: not searched
        # The project search lists the module it is judging first: this one, here.
        current = getattr(self.search, "current", None)
        if current is not None:
            self.search.current = model
        try:
            # One candidate alive at a time: a list would hold hundreds of models (and the
            # evicted ones' trees) at once on a large project (litellm: 1.2 GB instead of 0.5).
            for candidate in self.search.candidates(outer.name, is_method, False):
                for verdict in self.references(
                    candidate, outer.qualname, outer.name, is_method, self
                ):
                    if verdict:
                        return True
        finally:
            if current is not None:
                self.search.current = current
        return False

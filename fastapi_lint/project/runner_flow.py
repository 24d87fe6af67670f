"""Whether a coroutine reaches a one-shot runner: ``asyncio.run``, ``loop.run_until_complete``.

Revision 2 does not report async code whose every caller is a one-shot runner.
The coroutine often reaches the runner through a list of jobs rather than as
its argument, as in a sync scheduler that runs a batch on a loop of its own::

    def refresh_all(self) -> None:                    # runs in a worker thread
        loop = asyncio.new_event_loop()
        jobs = []
        for feed in self.feeds:
            job = self._refresh(feed)                 # coroutine, not yet run
            jobs.append(job)
        jobs.append(self.renderer.render())
        loop.run_until_complete(asyncio.gather(*jobs))

``_refresh`` and ``render`` run on the loop that this call creates and runs to
completion, never on a loop that serves requests (neither runner starts inside
a running loop). The flow followed: a call's value handed to ``asyncio.gather``/
``asyncio.wait``, put in a list or tuple literal or a comprehension, bound to a
local name, or appended to a local list, until it reaches a runner's argument.
A name counts only when every use of it in the function is one of these (any
other use, such as ``create_task(job)`` on the caller's loop, keeps it serving).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

# Calls that run a coroutine to completion and return: a program's entry.
ONE_SHOT_RUNNERS = frozenset(
    {
        "asyncio.run",
        "anyio.run",
        "trio.run",
        "uvloop.run",
        "asyncio.runners.run",
        "asyncio.AbstractEventLoop.run_until_complete",
        "asyncio.BaseEventLoop.run_until_complete",
        "typer.run",
        "asyncer.runnify",
        # Outside a `sync_to_async` thread it runs the coroutine on a new loop of its own
        # (a Celery task's `async_to_sync(job)(...)`).
        "asgiref.sync.async_to_sync",
    }
)
# Calls that combine coroutines into one awaitable: it runs where it is awaited.
_COMBINERS = frozenset(
    {"asyncio.gather", "asyncio.wait", "asyncio.tasks.gather", "asyncio.tasks.wait"}
)
# Containers whose elements go wherever the container goes (`gather(*[a(), b()])`).
_CONTAINERS = (ast.List, ast.Tuple, ast.Starred, ast.ListComp, ast.GeneratorExp)
# Hops from the call to the runner: a few in real code (call, name, list, gather, runner).
_MAX_HOPS = 8


def passed_to_runner(model: ModuleModel, site: ast.AST, scope: Scope, hops: int = 0) -> bool:
    """``asyncio.run(main())``, ``anyio.run(main)``, ``loop.run_until_complete(main())``,
    also through ``gather``, containers and local names (see the module doc)."""
    if hops > _MAX_HOPS:
        return False
    parent = model.parent(site)
    # A function handed over itself (`anyio.run(main)`) counts only as a runner's argument;
    # a coroutine (`main()`) is followed through containers, names and `gather`.
    follow = hops > 0 or isinstance(site, ast.Call)
    if follow and isinstance(parent, _CONTAINERS) and _element_of(parent, site):
        return passed_to_runner(model, parent, scope, hops + 1)
    if follow and isinstance(parent, ast.Assign) and parent.value is site:
        if len(parent.targets) != 1 or not isinstance(parent.targets[0], ast.Name):
            return False
        return _name_held_for_runner(model, parent.targets[0].id, site, scope, hops + 1)
    if not isinstance(parent, ast.Call) or site not in parent.args:
        return False
    target = model.call_target(parent, scope) or ""
    func = parent.func
    if target in ONE_SHOT_RUNNERS or (
        isinstance(func, ast.Attribute) and func.attr == "run_until_complete"
    ):
        return True
    if not follow:
        return False
    if target in _COMBINERS:
        return passed_to_runner(model, parent, scope, hops + 1)
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "append"
        and isinstance(func.value, ast.Name)
        and len(parent.args) == 1
    ):
        return _name_held_for_runner(model, func.value.id, site, scope, hops + 1)
    return False


def _element_of(container: ast.AST, site: ast.AST) -> bool:
    if isinstance(container, (ast.ListComp, ast.GeneratorExp)):
        return container.elt is site
    if isinstance(container, ast.Starred):
        return container.value is site
    return site in container.elts  # type: ignore[attr-defined]


def _name_held_for_runner(
    model: ModuleModel, name: str, origin: ast.AST, scope: Scope, hops: int
) -> bool:
    """Whether ``name`` is local to the function of ``origin``, every use of it there keeps
    the coroutines it holds on their way to a runner, and one use hands them to it."""
    function = model.function_scope_of(origin)
    if function is None:
        return False  # a module-level name: other modules may use it
    reaches_runner = bound = False
    for node in ast.walk(function.node):
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return False  # shared with other code, which may take the coroutines elsewhere
        if not isinstance(node, ast.Name) or node.id != name:
            continue
        parent = model.parent(node)
        if isinstance(node.ctx, ast.Store):
            if isinstance(parent, ast.Assign) and (
                parent.value is origin or isinstance(parent.value, (ast.List, ast.Tuple))
            ):
                bound = True
                continue  # `job = coro()`, `jobs = []`
            return False
        if (
            isinstance(parent, ast.Attribute)
            and parent.attr == "append"
            and isinstance(model.parent(parent), ast.Call)
        ):
            continue  # `jobs.append(...)`: filling the list
        if not passed_to_runner(model, node, scope, hops):
            return False
        reaches_runner = True
    # A name the function does not bind (a module-level list) may be read elsewhere too.
    return reaches_runner and bound

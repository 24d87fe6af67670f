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

from fastapi_lint.semantic.memo import MemoKey

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

# Per model, by def node: the `Name` nodes of each spelling in the def's body (nested
# defs included) and the names it declares `global`/`nonlocal`. Walking the whole def
# for each coroutine bound to a name was quadratic in long functions.
_DEF_NAMES: MemoKey[dict[int, tuple[dict[str, list[ast.Name]], frozenset[str]]]] = MemoKey(
    "runner-flow-def-names"
)


def passed_to_runner(model: ModuleModel, site: ast.AST, scope: Scope, hops: int = 0) -> bool:
    """``asyncio.run(main())``, ``anyio.run(main)``, ``loop.run_until_complete(main())``,
    also through ``gather``, containers and local names (see the module doc)."""
    if hops > _MAX_HOPS:
        return False
    parent = model.parent(site)
    if (
        hops == 0
        and isinstance(parent, ast.Dict)
        and _dispatched_to_runner(model, parent, site, scope)
    ):
        return True
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
    if target in _COMBINERS or _awaited_by_wrapper(model, target, parent, site):
        # `gather(a(), b())`, or `with_settings(job())` whose wrapper awaits `job`:
        # the coroutine runs wherever that call's own coroutine runs.
        return passed_to_runner(model, parent, scope, hops + 1)
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "append"
        and isinstance(func.value, ast.Name)
        and len(parent.args) == 1
    ):
        return _name_held_for_runner(model, func.value.id, site, scope, hops + 1)
    return False


def _awaited_by_wrapper(model: ModuleModel, target: str, call: ast.Call, site: ast.AST) -> bool:
    """``asyncio.run(with_settings(rebuild()))``: ``target`` is a project ``async def``
    (a plain function, not a method) that awaits the parameter ``site`` is bound to by
    position (``await job``), so the coroutine runs inside the wrapper's own run."""
    found = model.find_function(target) if target else None
    if found is None:
        return False
    _, function = found
    node = function.node
    if function.class_info is not None or not isinstance(node, ast.AsyncFunctionDef):
        return False
    position = call.args.index(site)  # type: ignore[arg-type]
    params = node.args.posonlyargs + node.args.args
    if any(isinstance(arg, ast.Starred) for arg in call.args[: position + 1]) or position >= len(
        params
    ):
        return False
    name = params[position].arg
    return any(
        isinstance(inner, ast.Await)
        and isinstance(inner.value, ast.Name)
        and inner.value.id == name
        for inner in ast.walk(node)
    )


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
    names, shared = _names_in(model, function.node)
    if name in shared:
        return False  # shared with other code, which may take the coroutines elsewhere
    for node in names.get(name, ()):
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


def _names_in(
    model: ModuleModel, node: ast.AST
) -> tuple[dict[str, list[ast.Name]], frozenset[str]]:
    table = model.memo.get(_DEF_NAMES)
    if table is None:
        table = model.memo.put(_DEF_NAMES, {})
    found = table.get(id(node))
    if found is None:
        names: dict[str, list[ast.Name]] = {}
        shared: set[str] = set()
        for child in ast.walk(node):
            if isinstance(child, ast.Name):
                names.setdefault(child.id, []).append(child)
            elif isinstance(child, (ast.Global, ast.Nonlocal)):
                shared.update(child.names)
        found = table[id(node)] = (names, frozenset(shared))
    return found


def _dispatched_to_runner(model: ModuleModel, table: ast.Dict, site: ast.AST, scope: Scope) -> bool:
    """A command table: ``handlers = {"migrate": migrate, ...}`` in a function whose every
    use of ``handlers`` looks a handler up (``handlers.get(cmd)``, ``handlers[cmd]``) and
    hands its call to a runner: ``asyncio.run(handler(args))``, possibly after a name
    (``handler = handlers.get(args.command)``) that is otherwise only tested
    (``if handler:``). Each sub-command of an argparse entry point runs once."""
    if not any(value is site for value in table.values):
        return False
    bound = model.parent(table)
    if (
        not isinstance(bound, ast.Assign)
        or len(bound.targets) != 1
        or not isinstance(bound.targets[0], ast.Name)
    ):
        return False
    function = model.function_scope_of(table)
    if function is None:
        return False  # a module-level table: other modules may use it
    uses = _loads(function.node, bound.targets[0].id)
    if not uses:
        return False
    for use in uses:
        parent = model.parent(use)
        lookup: ast.AST | None = None
        if isinstance(parent, ast.Subscript) and parent.value is use:
            lookup = parent
        elif isinstance(parent, ast.Attribute) and parent.attr == "get":
            call = model.parent(parent)
            lookup = call if isinstance(call, ast.Call) and call.func is parent else None
        if lookup is None or not _handler_run_once(model, lookup, function.node, scope):
            return False
    return True


def _handler_run_once(model: ModuleModel, lookup: ast.AST, function: ast.AST, scope: Scope) -> bool:
    """The looked-up handler is only called into a runner (directly, or through a local
    name that is otherwise only tested)."""
    parent = model.parent(lookup)
    if isinstance(parent, ast.Call) and parent.func is lookup:
        return passed_to_runner(model, parent, scope, 1)
    if not (
        isinstance(parent, ast.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], ast.Name)
    ):
        return False
    reaches = False
    for use in _loads(function, parent.targets[0].id):
        call = model.parent(use)
        if isinstance(call, ast.Call) and call.func is use:
            if not passed_to_runner(model, call, scope, 1):
                return False
            reaches = True
        elif not _tested(model, use):
            return False
    return reaches


def _tested(model: ModuleModel, use: ast.AST) -> bool:
    """``if handler:``, ``if not handler``, ``if handler is None``."""
    parent = model.parent(use)
    if isinstance(parent, (ast.UnaryOp, ast.Compare)):
        parent = model.parent(parent)
    return isinstance(parent, (ast.If, ast.IfExp, ast.While)) and parent.test in (
        use,
        model.parent(use),
    )


def _loads(function: ast.AST, name: str) -> list[ast.Name]:
    return [
        node
        for node in ast.walk(function)
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
    ]

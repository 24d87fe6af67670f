"""Nested defs the caller search must not judge by their outermost function.

A route declared inside an app factory serves requests whoever calls the factory
(``create_app()`` typically runs once, from a CLI command or start-up code); see
``served_nested``. And a nested coroutine may run only on an event loop of its own.

Revision 2 does not report async code whose every caller is a one-shot runner
(``asyncio.run``, ``loop.run_until_complete``, ...). The caller search judges a
nested def by its outermost function, which is right for a closure handed to a
router or a task, but not for this shape, common in process and container
launchers::

    def run_container(args):                 # a multiprocessing target
        async def check_readiness(c): ...    # blocks: `urlopen(...)`
        async def main(c):
            await asyncio.gather(check_readiness(c), stream_logs(c))
        asyncio.run(main(container))

``check_readiness`` runs on the loop that ``asyncio.run`` creates for this call
and closes when it returns, never on a loop that serves requests (``asyncio.run``
refuses to start inside a running loop). Every use of the nested def inside its
parent must be handed to a one-shot runner, directly or through sibling nested
defs that are themselves used that way; any other use (returned, registered,
spawned as a task of the caller's loop) keeps the outermost function's verdict.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

PassedToRunner = Callable[["ModuleModel", ast.AST, "Scope"], bool]
ServedDirectly = Callable[["ModuleModel", "FunctionInfo"], bool]

# Nested defs calling nested defs: a few levels at most in real code.
_MAX_NESTING = 8


def runs_only_on_own_loop(
    model: ModuleModel,
    function: FunctionInfo,
    passed_to_runner: PassedToRunner,
    depth: int = 0,
) -> bool:
    """Whether nested ``function`` runs only under a one-shot runner its parent starts."""
    parent = function.parent_function
    if parent is None or depth > _MAX_NESTING:
        return False
    used = False
    for node, owner, scope in uses_in_parent(model, function, parent):
        used = True
        call = model.parent(node)
        site = call if isinstance(call, ast.Call) and call.func is node else node
        if passed_to_runner(model, site, scope):
            continue
        if (
            owner is not None
            and owner is not parent
            and runs_only_on_own_loop(model, owner, passed_to_runner, depth + 1)
        ):
            continue  # used by a sibling that itself runs only on that loop
        return False
    return used


def uses_in_parent(
    model: ModuleModel, function: FunctionInfo, parent: FunctionInfo
) -> Iterator[tuple[ast.Name, FunctionInfo | None, Scope]]:
    """The loads of nested ``function``'s name inside its parent (the name, the def whose
    code reads it, its scope): another binding outside the parent and recursion aside."""
    for ref in model.nodes[ast.Name]:
        node = ref.node
        if node.id != function.name or not isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
            continue
        owner = ref.scope.code_function
        if _within(owner, parent) and owner is not function:
            yield node, owner, ref.scope  # type: ignore[misc]


def _within(owner: FunctionInfo | None, parent: FunctionInfo) -> bool:
    while owner is not None:
        if owner is parent:
            return True
        owner = owner.parent_function
    return False


def served_nested(
    model: ModuleModel, function: FunctionInfo, served_directly: ServedDirectly
) -> bool:
    """Whether nested ``function`` is, or is inside, a route, middleware or handler
    declared in another def (an app factory)."""
    current: FunctionInfo | None = function
    while current is not None and current.parent_function is not None:
        if served_directly(model, current):
            return True
        current = current.parent_function
    return False

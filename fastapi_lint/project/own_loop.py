"""Nested defs the caller search must not judge by their outermost function.

A route declared inside an app factory serves requests whoever calls the factory
(``create_app()`` typically runs once, from a CLI command or start-up code), and so
does a handler a closure factory returns for a router to register
(``router.add_api_route(f"/{name}", make_create(name))``); see ``served_nested``. And a nested coroutine may run only on an event loop of its own.

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

A def nested in a command factory is a CLI command too (``nested_cli_command``):
``feeds.command(f"sync-{name}")(command)`` or ``@feeds.command(...)`` inside
``_register_sync(name)``, which the module calls once per command. The CLI runs
it; the factory's own callers (module level) say nothing about that.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING, Callable

from fastapi_lint.project.loaded_names import loaded_names
from fastapi_lint.semantic.memo import MemoKey

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

PassedToRunner = Callable[["ModuleModel", ast.AST, "Scope"], bool]
ServedDirectly = Callable[["ModuleModel", "FunctionInfo"], bool]
IsCliCommand = Callable[["ModuleModel", "FunctionInfo"], bool]

# Nested defs calling nested defs: a few levels at most in real code.
_MAX_NESTING = 8

# Per model, built once (as the loaded names, `loaded_names.py`): the calls of a router's
# endpoint registrars. Scanning the module for each nested def asked about was
# quadratic: 20% of a run on an agent whose 12,000-line modules nest defs.
_REGISTRAR_CALLS: MemoKey[list[tuple[ast.Call, Scope]]] = MemoKey("own-loop-registrar-calls")
# Per model: the names each def returns (`return handler`), by the def's node.
_RETURNED_NAMES: MemoKey[dict[int, frozenset[str]]] = MemoKey("own-loop-returned-names")


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


def nested_cli_command(
    model: ModuleModel,
    function: FunctionInfo,
    registered_as_command: PassedToRunner,
    is_cli_command: IsCliCommand,
) -> bool:
    """Whether nested ``function``, or a def it is nested in, is a CLI command its
    parent registers: decorated as one, or handed to a CLI library's ``command(...)``."""
    current: FunctionInfo | None = function
    while current is not None and (parent := current.parent_function) is not None:
        if is_cli_command(model, current) or any(
            registered_as_command(model, node, scope)
            for node, _, scope in uses_in_parent(model, current, parent)
        ):
            return True
        current = parent
    return False


def uses_in_parent(
    model: ModuleModel, function: FunctionInfo, parent: FunctionInfo
) -> Iterator[tuple[ast.Name, FunctionInfo | None, Scope]]:
    """The loads of nested ``function``'s name inside its parent (the name, the def whose
    code reads it, its scope): another binding outside the parent and recursion aside."""
    for node, scope in loaded_names(model).get(function.name, ()):
        owner = scope.code_function
        if _within(owner, parent) and owner is not function:
            yield node, owner, scope


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
        if served_directly(model, current) or _built_for_router(model, current):
            return True
        current = current.parent_function
    return False


# Router methods that take an endpoint (the second argument or ``endpoint=``).
_ENDPOINT_REGISTRARS = frozenset(
    {"add_api_route", "add_api_websocket_route", "add_route", "add_websocket_route"}
)


def _built_for_router(model: ModuleModel, function: FunctionInfo) -> bool:
    """A handler that a factory builds and returns, where the factory's call is the
    endpoint of a route: ``router.add_api_route(f"/{name}", make_create(name))``.
    FastAPI calls it per request, whoever builds the router."""
    parent = function.parent_function
    if parent is None or function.name not in _returned_names(model, parent):
        return False
    outer = parent.parent_function
    for call, scope in _registrar_calls(model):
        func = call.func
        assert isinstance(func, ast.Attribute)
        if outer is not None and not _within(scope.code_function, outer):
            continue  # the factory's name means something else out there
        args = call.args
        endpoint = args[1] if len(args) > 1 else None
        for keyword in call.keywords:
            if keyword.arg == "endpoint":
                endpoint = keyword.value
        if (
            isinstance(endpoint, ast.Call)
            and isinstance(endpoint.func, ast.Name)
            and endpoint.func.id == parent.name
            and model.fastapi.router_of(func.value, scope) is not None
        ):
            return True
    return False


def _registrar_calls(model: ModuleModel) -> list[tuple[ast.Call, Scope]]:
    found = model.memo.get(_REGISTRAR_CALLS)
    if found is None:
        found = []
        for ref in model.nodes[ast.Call]:
            func = ref.node.func  # type: ignore[attr-defined]
            if isinstance(func, ast.Attribute) and func.attr in _ENDPOINT_REGISTRARS:
                found.append((ref.node, ref.scope))  # type: ignore[arg-type]
        model.memo.put(_REGISTRAR_CALLS, found)
    return found


def _returned_names(model: ModuleModel, function: FunctionInfo) -> frozenset[str]:
    """The names ``return name`` gives back anywhere in ``function``'s body (nested defs
    included), walked once per def."""
    table = model.memo.get(_RETURNED_NAMES)
    if table is None:
        table = model.memo.put(_RETURNED_NAMES, {})
    found = table.get(id(function.node))
    if found is None:
        found = table[id(function.node)] = frozenset(
            node.value.id
            for node in ast.walk(function.node)
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Name)
        )
    return found

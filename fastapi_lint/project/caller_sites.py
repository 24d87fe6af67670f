"""What a reference to a function means for the serving-code search, beyond the calls
simple flow types by itself.

The type of a module global at a call in the function that (re)assigns it:
``global _client`` then ``_client = Client()`` and ``await _client.start()`` in one
function: simple flow follows the assignment made just before the call, in the same
function ("Simple flow" of the contract), even though the module binds the name
several times (``_client = None`` at the top, again in a ``teardown()``), which
leaves the name's module-level type unknown.

A connection handler handed to ``asyncio.start_server``: it runs for each client.

A value read, not a function handed over: ``runs.c.run == name`` (a table column in a
query) or ``job.run.startswith("x")`` (a method of the value called) only reads data
that shares the function's name; neither calls the function nor hands it to a caller.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.scopes import ScopeKind

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


def global_receiver_target(model: ModuleModel, node: ast.Attribute, scope: Scope) -> str | None:
    """``Client.start`` for ``_client.start`` when the enclosing function declared
    ``global _client`` and last assigned it a value of known type before this line."""
    receiver = node.value
    if not isinstance(receiver, ast.Name) or scope.kind is not ScopeKind.FUNCTION:
        return None
    if receiver.id not in scope.global_names:
        return None
    value = _last_assignment(scope.node, receiver.id, receiver.lineno)
    if value is None:
        return None
    owner = model.type_of(value, scope)
    return f"{owner}.{node.attr}" if owner else None


def _last_assignment(function: ast.AST, name: str, line: int) -> ast.expr | None:
    """The value of the last plain ``name = value`` of ``function``'s own body (nested
    defs skipped) on a line before ``line``."""
    found: ast.expr | None = None
    found_line = 0
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
            and found_line < node.lineno < line
        ):
            found, found_line = node.value, node.lineno
        stack.extend(ast.iter_child_nodes(node))
    return found


# Calls that keep a connection handler and run it for each client while the server lives.
_SERVER_STARTERS = frozenset({"asyncio.start_server", "asyncio.start_unix_server"})


def read_as_data(model: ModuleModel, node: ast.AST, enqueue_attrs: frozenset[str]) -> bool:
    """An uncalled ``x.name`` that is used as a value: an operand of a comparison, or the
    receiver of a further method call (``x.name.startswith(...)``, ``x.name.desc()``), or
    forwarded under its own name (``start=args.start``, as ``argparse`` handlers pass
    options on; only for receivers simple flow cannot type, see the caller).
    A bound method handed over (``create_task(x.name())`` is a call; ``Thread(target=x.name)``,
    ``callbacks.append(x.name)``) is an argument or an assigned value, never these; a task
    queue's ``x.name.delay(...)`` (``enqueue_attrs``) is judged by the caller."""
    parent = model.parent(node)
    if isinstance(parent, ast.Compare):
        return True
    if (
        isinstance(parent, ast.keyword)
        and isinstance(node, ast.Attribute)
        and parent.arg == node.attr
        and isinstance(node.value, ast.Name)
    ):
        return True  # `start=args.start`: an option forwarded under its own name
    if not isinstance(parent, ast.Attribute) or parent.value is not node:
        return False
    if parent.attr in enqueue_attrs or parent.attr.startswith("__"):
        return False
    call = model.parent(parent)
    return isinstance(call, ast.Call) and call.func is parent


def serves_connections(model: ModuleModel, site: ast.AST, scope: Scope) -> bool:
    """``asyncio.start_server(self._handle_client, host, port)``: the handler, handed over
    uncalled, runs for every client of that server for as long as it listens, whoever
    opened it (a lifespan, or the ``main()`` that ``asyncio.run`` runs for the process's
    whole life): it serves requests."""
    parent = model.parent(site)
    if not isinstance(parent, ast.Call) or site not in parent.args[:1]:
        return False
    return model.call_target(parent, scope) in _SERVER_STARTERS

"""Calls made only while an ASGI app handles the lifespan protocol: start-up/shutdown code.

Revision 2 does not count start-up and shutdown code (``lifespan``, ``on_event``)
as serving code. Raw ASGI middleware speaks that protocol itself, with no
``lifespan=`` argument for the serving-code search to see::

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await self._run_lifespan(scope, receive, send)   # start-up or shutdown
            return
        await self.app(scope, receive, send)

    async def send_wrapper(message):
        if message["type"] == "lifespan.shutdown.complete":
            await self._release_devices()                     # once, when the server stops
        await send(message)

A call in the body of an ``if`` whose test says the scope's or message's ``type``
is ``"lifespan"`` or one of its events (``"lifespan.startup"``, ...) runs when
the server starts or stops, not per request. Its ``else`` branch serves.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.memo import MemoKey

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

_LIFESPAN_BRANCHES: MemoKey[list[tuple[int, int, ast.AST]]] = MemoKey("serving-lifespan-branches")


def on_lifespan_message(model: ModuleModel, line: int, function: FunctionInfo | None) -> bool:
    """Whether ``line`` lies in the body of a lifespan ``if`` of ``function`` itself
    (the innermost def holding the line): a finding there is start-up or shutdown code."""
    if function is None:
        return False
    branches: list[tuple[int, int, ast.AST]] | None = model.memo.get(_LIFESPAN_BRANCHES)
    if branches is None:
        branches = []
        # Walked only when a recorded constant names a lifespan message (the test
        # needs one): a walk of every tree with findings took 0.4% of a cold check.
        lifespan = any(_is_lifespan(ref.node) for ref in model.nodes[ast.Constant])  # type: ignore[arg-type]
        for node in ast.walk(model.tree) if lifespan else ():
            if isinstance(node, ast.If) and node.body and _tests_lifespan(node.test):
                owner = model.function_scope_of(node)
                if owner is not None:
                    last = node.body[-1]
                    branches.append(
                        (node.body[0].lineno, last.end_lineno or last.lineno, owner.node)
                    )
        model.memo.put(_LIFESPAN_BRANCHES, branches)
    return any(first <= line <= last and owner is function.node for first, last, owner in branches)


def under_lifespan_branch(model: ModuleModel, node: ast.AST) -> bool:
    """Whether ``node`` sits in the body of an ``if <scope or message>["type"] == "lifespan…":``."""
    child = node
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False  # the branch must be in the calling function itself
        if (
            isinstance(ancestor, ast.If)
            and any(statement is child for statement in ancestor.body)
            and _tests_lifespan(ancestor.test)
        ):
            return True
        child = ancestor
    return False


def _tests_lifespan(test: ast.expr) -> bool:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_tests_lifespan(value) for value in test.values)
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    left, right = test.left, test.comparators[0]
    if isinstance(test.ops[0], ast.Eq):
        return (_reads_type(left) and _is_lifespan(right)) or (
            _reads_type(right) and _is_lifespan(left)
        )
    if isinstance(test.ops[0], ast.In) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
        # `message["type"] in ("lifespan.startup", "lifespan.shutdown")`
        return _reads_type(left) and bool(right.elts) and all(_is_lifespan(e) for e in right.elts)
    return False


def _reads_type(expr: ast.expr) -> bool:
    """``scope["type"]`` or ``message.get("type")``."""
    if isinstance(expr, ast.Subscript):
        key = expr.slice
        return isinstance(key, ast.Constant) and key.value == "type"
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "get"
        and expr.args
    ):
        key = expr.args[0]
        return isinstance(key, ast.Constant) and key.value == "type"
    return False


def _is_lifespan(expr: ast.expr) -> bool:
    if not isinstance(expr, ast.Constant) or not isinstance(expr.value, str):
        return False
    return expr.value == "lifespan" or expr.value.startswith("lifespan.")

"""`isinstance` tests that tell which session kind a line runs with.

A repository that accepts ``Union[AsyncSession, Session]`` branches on
``isinstance(self.db, AsyncSession)``: its ``else`` branch, and whatever follows an
``if`` whose body returned or raised, only runs with a sync ``Session``. API302 and
API303 read the receiver's declared type; this module says when a test on that same
receiver rules the ``AsyncSession`` out for the line at hand.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.sessions.kinds import ASYNC, SYNC, kind_of_type

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def rules_out_async(model: ModuleModel, node: ast.AST, receiver: ast.expr, scope: Scope) -> bool:
    """Whether an ``isinstance`` test on ``receiver`` means ``node`` never runs with an
    ``AsyncSession`` there (an enclosing branch, or an earlier ``if`` that left early)."""
    target = ast.dump(receiver)
    child: ast.AST = node
    for parent in model.ancestors(node):
        if isinstance(parent, (ast.If, ast.IfExp)) and child is not parent.test:
            in_body = child in parent.body if isinstance(parent, ast.If) else child is parent.body
            if _holds(model, parent.test, target, scope, in_body) == SYNC:
                return True
        for block in _blocks(parent):
            if child in block and _left_early_before(
                model, block, block.index(child), target, scope
            ):
                return True
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
        child = parent
    return False


def _blocks(node: ast.AST) -> list[list[ast.stmt]]:
    blocks = []
    for field in ("body", "orelse", "finalbody"):
        value = getattr(node, field, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            blocks.append(value)
    return blocks


def _left_early_before(
    model: ModuleModel, block: list[ast.stmt], index: int, target: str, scope: Scope
) -> bool:
    """An earlier ``if <test>: ... return`` (no ``else``) in the same block: the code
    after it runs only when the test was false."""
    for statement in block[:index]:
        if (
            isinstance(statement, ast.If)
            and not statement.orelse
            and isinstance(statement.body[-1], _EXITS)
            and _holds(model, statement.test, target, scope, False) == SYNC
        ):
            return True
    return False


def _holds(
    model: ModuleModel, test: ast.expr, target: str, scope: Scope, truth: bool
) -> str | None:
    """The session kind ``target`` has where ``test`` evaluated to ``truth``, if it says."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _holds(model, test.operand, target, scope, not truth)
    if not (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
        and len(test.args) == 2
        and ast.dump(test.args[0]) == target
    ):
        return None
    types = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
    kinds = {kind_of_type(model, model.qualified_name(t, scope)) for t in types}
    if len(kinds) != 1:
        return None
    (kind,) = kinds
    if kind is None:
        return None
    if truth:
        return kind
    # False: the value is not of that kind; with two kinds, it is the other one.
    return SYNC if kind == ASYNC else ASYNC

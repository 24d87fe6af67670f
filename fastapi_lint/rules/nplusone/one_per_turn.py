"""API401: whether several ``append`` calls in one loop add at most one item per turn.

``for table, index in TABLES:`` that records a mismatch in two places, the first followed
by ``continue`` (``mismatched.append((table, index, None)); continue`` ... later
``mismatched.append((table, index, kind))``), or in the two branches of one ``if``, adds
one item per table at most: a list filled that way holds a handful when the loop runs over
one (Revision 2: a constant collection is not N+1).
"""

from __future__ import annotations

import ast
from itertools import combinations
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

_JUMPS = (ast.Continue, ast.Break, ast.Return, ast.Raise)
_BLOCKS = ("body", "orelse", "finalbody")


def one_item_per_turn(model: ModuleModel, appends: list[ast.AST], loop: ast.AST) -> bool:
    """Whether no two of ``appends`` (calls inside ``loop``) run in the same turn."""
    ordered = sorted(appends, key=lambda node: (node.lineno, node.col_offset))  # type: ignore[attr-defined]
    return all(
        _jumps_after(model, earlier, loop) or _in_other_branches(model, earlier, later)
        for earlier, later in combinations(ordered, 2)
    )


def _jumps_after(model: ModuleModel, node: ast.AST, loop: ast.AST) -> bool:
    """A ``continue``/``break``/``return``/``raise`` follows ``node``'s statement in its
    block, or the block of a statement around it, before the loop's own body ends."""
    statement = _statement_of(model, node)
    while statement is not None and statement is not loop:
        parent = model.parent(statement)
        if parent is None:
            return False
        block = _block_holding(parent, statement)
        if block is not None:
            after = block[block.index(statement) + 1 :]
            if any(isinstance(later, _JUMPS) for later in after):
                return True
        if parent is loop:
            return False
        statement = parent if isinstance(parent, ast.stmt) else None
    return False


def _in_other_branches(model: ModuleModel, first: ast.AST, second: ast.AST) -> bool:
    """``first`` and ``second`` sit in the two branches of one ``if`` (body and ``else``)."""
    for ancestor in model.ancestors(first):
        if isinstance(ancestor, ast.If):
            first_in_body = any(_contains(statement, first) for statement in ancestor.body)
            branch = ancestor.orelse if first_in_body else ancestor.body
            if any(_contains(statement, second) for statement in branch):
                return True
    return False


def _statement_of(model: ModuleModel, node: ast.AST) -> ast.stmt | None:
    current: ast.AST | None = node
    while current is not None and not isinstance(current, ast.stmt):
        current = model.parent(current)
    return current


def _block_holding(parent: ast.AST, statement: ast.stmt) -> list[ast.stmt] | None:
    for field in _BLOCKS:
        block = getattr(parent, field, None)
        if isinstance(block, list) and any(item is statement for item in block):
            return block
    return None


def _contains(root: ast.AST, node: ast.AST) -> bool:
    return any(child is node for child in ast.walk(root))

"""API402: a relationship that an earlier loop of the function already loaded on every row.

``{c.card_id for s in scans for c in s.candidates}`` lazy-loads ``candidates`` on each
scan (that read is the finding); a later ``for scan in scans: scan.candidates[0]`` over
the same list finds every collection loaded and runs no query. Only when the earlier
read surely ran for every item: the earlier loop walks the same name (bound once for
both loops), runs whenever the later one does (same block, before it, evaluated in
full), reads the relationship on every pass, and nothing in between expires the objects
(``commit``, ``rollback``, ``expire``, ``refresh``, ``close``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.nplusone.flow import span
from fastapi_lint.rules.nplusone.identity_map import EXPIRING_METHODS

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding

# Session calls after which a loaded attribute is read again from the database.
EXPIRING_CALLS = EXPIRING_METHODS | {"refresh", "reset"}
_EXITS = (ast.Continue, ast.Break, ast.Return, ast.Raise)
# Expressions that may skip evaluating a part of themselves.
_PARTIAL = (ast.BoolOp, ast.IfExp, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp)


def loaded_by_earlier_loop(
    model: ModuleModel,
    earlier: list[tuple[ast.Attribute, Binding]],
    read: ast.Attribute,
    binding: Binding,
) -> bool:
    """Whether one of the ``earlier`` reads (of the same relationship, each on the loop
    variable of its own loop) loaded it on every row that ``binding``'s loop walks."""
    iterable = binding.value
    if not isinstance(iterable, ast.Name):
        return False
    later_scope = model.scope_of_node.get(id(binding.node)) or binding.scope
    rows = model.lookup(iterable.id, later_scope, iterable.lineno)
    if rows is None:
        return False
    for first_read, first in earlier:
        first_iterable = first.value
        if not isinstance(first_iterable, ast.Name) or first_iterable.id != iterable.id:
            continue
        first_scope = model.scope_of_node.get(id(first.node)) or first.scope
        if model.lookup(first_iterable.id, first_scope, first_iterable.lineno) is not rows:
            continue
        if not _every_item(model, first_read, first.node):
            continue
        if not _runs_before(model, first.node, binding.node):
            continue
        if _expires_between(model, first_read, read):
            continue
        return True
    return False


def _every_item(model: ModuleModel, read: ast.AST, loop: ast.AST) -> bool:
    """The read runs once for each item of ``loop``: in a comprehension whose first and
    unfiltered generator is the loop, the iterable of the second generator or, with no
    second one, the element; in a ``for``, a plain statement of the body that no earlier
    statement can skip."""
    if isinstance(loop, ast.comprehension):
        owner = model.parent(loop)
        generators = getattr(owner, "generators", None)
        if not generators or loop.ifs:
            return False
        if generators[0] is not loop:
            return False  # an inner generator walks its list once per outer item, maybe never
        if len(generators) == 1:
            # `[s.lines for s in rows]`: the element, computed for every item.
            parts = [getattr(owner, f, None) for f in ("elt", "key", "value")]
            return any(p is not None and _plain_within(model, read, p) for p in parts) or any(
                read is p for p in parts
            )
        following = generators[1].iter
        return read is following or _plain_within(model, read, following)
    if not isinstance(loop, (ast.For, ast.AsyncFor)):
        return False
    statement = _statement_of(model, read)
    if statement is None or not any(s is statement for s in loop.body):
        return False
    if not _plain_within(model, read, statement):
        return False
    for before in loop.body:
        if before is statement:
            return True
        if any(isinstance(n, _EXITS) for n in ast.walk(before)):
            return False
    return False


def _runs_before(model: ModuleModel, first_loop: ast.AST, later_loop: ast.AST) -> bool:
    """The statement holding ``first_loop`` sits in a block that also holds (an
    ancestor of) ``later_loop`` further down, and evaluates the loop in full."""
    if isinstance(first_loop, ast.comprehension):
        owner = model.parent(first_loop)
        if not isinstance(owner, (ast.ListComp, ast.SetComp, ast.DictComp)):
            return False  # a generator may be left unconsumed
        statement = _statement_of(model, owner)
        if statement is None or not _plain_within(model, owner, statement):
            return False
    elif isinstance(first_loop, (ast.For, ast.AsyncFor)):
        statement = first_loop
    else:
        return False
    block = _block_of(model, statement)
    if block is None:
        return False
    index = next(i for i, s in enumerate(block) if s is statement)
    later = [later_loop, *model.ancestors(later_loop)]
    return any(s is node for s in block[index + 1 :] for node in later)


def _expires_between(model: ModuleModel, first_read: ast.AST, read: ast.AST) -> bool:
    start = span(first_read)
    end = span(read)
    for ref in model.calls:
        call = ref.node
        func = getattr(call, "func", None)
        if not isinstance(func, ast.Attribute) or func.attr not in EXPIRING_CALLS:
            continue
        where = span(call)
        if (start[0], start[1]) < (where[0], where[1]) < (end[0], end[1]):
            return True
    return False


def _statement_of(model: ModuleModel, node: ast.AST) -> ast.stmt | None:
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, ast.stmt):
            return ancestor
    return None


def _block_of(model: ModuleModel, statement: ast.stmt) -> list[ast.stmt] | None:
    parent = model.parent(statement)
    for field in ("body", "orelse", "finalbody", "handlers"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and any(s is statement for s in block):
            return block
    return None


def _plain_within(model: ModuleModel, node: ast.AST, outer: ast.AST) -> bool:
    """``node`` sits inside ``outer`` and is evaluated whenever ``outer`` is: no
    short-circuit, conditional expression, lambda or nested comprehension between."""
    for ancestor in model.ancestors(node):
        if ancestor is outer:
            return True
        if isinstance(ancestor, (*_PARTIAL, ast.stmt)):
            return False
    return False

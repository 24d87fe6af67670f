"""Where the rows of a multi-entity loop come from, when the loop header names them.

``for thread, forum in rows:`` after ``rows = db.execute(select(Thread, Forum).join(Forum)).all()``
(or ``stmt = select(User, func.count(...))`` then ``rows = (await session.execute(stmt)).all()``)
unpacks the same rows as a loop over that expression written in the header. The names
on the way to the select are inlined, so the row-entity reading sees the select call;
names that lead to no select (the session, a page size) stay as they are.

A slice of the rows (``users[:limit]``) is the same rows, fewer of them.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from fastapi_lint.semantic.scopes import Binding, Scope

# A name assigned from a name assigned from the select: deep enough for real code.
_MAX_DEPTH = 3


def inline_row_source(
    iterable: ast.expr,
    scope: Scope,
    binding_of: Callable[[ast.Name, Scope], Binding | None],
    is_select: Callable[[ast.Call, Scope], bool],
    depth: int = 0,
) -> ast.expr:
    """``iterable`` with each name that leads to a select replaced by its assigned value.

    Only plain assignments in the loop's own function count (one value, no unpacking):
    a parameter or a value from another scope may hold anything."""
    if depth >= _MAX_DEPTH:
        return iterable

    def expand(node: ast.AST) -> ast.AST:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            value = _assigned_value(node, scope, binding_of)
            if value is None:
                return node
            inlined = inline_row_source(value, scope, binding_of, is_select, depth + 1)
            if _has_select(inlined, scope, is_select):
                return inlined
            return node
        if not isinstance(node, ast.expr):
            return node
        fields: dict[str, object] = {}
        changed = False
        for name, value in ast.iter_fields(node):
            if isinstance(value, list):
                new_list = [expand(v) if isinstance(v, ast.AST) else v for v in value]
                changed = changed or any(a is not b for a, b in zip(new_list, value))
                fields[name] = new_list
            elif isinstance(value, ast.AST):
                new = expand(value)
                changed = changed or new is not value
                fields[name] = new
            else:
                fields[name] = value
        if not changed:
            return node
        node_type: type[ast.AST] = type(node)
        return ast.copy_location(node_type(**fields), node)

    result = expand(iterable)
    assert isinstance(result, ast.expr)
    return result


def _assigned_value(
    name: ast.Name,
    scope: Scope,
    binding_of: Callable[[ast.Name, Scope], Binding | None],
) -> ast.expr | None:
    from fastapi_lint.semantic.scopes import BindingKind

    binding = binding_of(name, scope)
    if (
        binding is None
        or binding.kind is not BindingKind.ASSIGN
        or binding.value is None
        or binding.unpack_index is not None
        or binding.scope is not scope
    ):
        return None
    return binding.value


def _has_select(expr: ast.expr, scope: Scope, is_select: Callable[[ast.Call, Scope], bool]) -> bool:
    return any(isinstance(node, ast.Call) and is_select(node, scope) for node in ast.walk(expr))


# Rows a slice keeps that are too few to be worth an eager load (Revision 2's bound for API401).
_SMALL_SLICE = 10


def sliced_rows(expr: ast.AST) -> ast.expr | None:
    """``users[:50]``, ``rows[offset:]``: the sliced rows, read as the rows themselves.

    A slice bounded by literals to 10 rows or fewer (``rows[:5]``) keeps too few rows for
    an N+1 worth changing: ``None``, as for any other subscript."""
    if not isinstance(expr, ast.Subscript) or not isinstance(expr.slice, ast.Slice):
        return None
    part = expr.slice
    lower = 0 if part.lower is None else literal_int(part.lower)
    upper = literal_int(part.upper) if part.upper is not None else None
    if lower is not None and upper is not None and 0 <= upper - lower <= _SMALL_SLICE:
        return None
    if lower is not None and part.upper is None and -_SMALL_SLICE <= lower < 0:
        return None  # `rows[-5:]`: the last five
    return expr.value


def literal_int(node: ast.expr) -> int | None:
    """``5`` and ``-5`` written as literals."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = literal_int(node.operand)
        return -inner if inner is not None else None
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None

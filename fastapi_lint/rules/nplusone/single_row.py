"""A loop over the rows of a query that finds one row at most.

``exts = (await db.execute(select(Profile).where(Profile.user_id == uid))).scalars().all()``
with ``user_id`` declared ``unique=True`` (or the one-column primary key) holds zero
or one row: a query per item of ``for ext in exts:`` runs once at most, not N times.
The loop's iterable is read back to its select (names assigned in the same function
inlined); the select must choose one model, with no join, and a ``where``/``filter``
(AND-ed only) or ``filter_by`` must compare a single-row column of that model with
``==``. An ``or_`` names several rows and never counts.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.nplusone.flow import SELECT_FUNCTIONS
from fastapi_lint.rules.nplusone.row_sources import inline_row_source

if TYPE_CHECKING:
    from fastapi_lint.rules.nplusone.flow import QueryFlow
    from fastapi_lint.semantic.scopes import Scope

# Methods that widen what a statement returns beyond its model's own rows.
_JOINS = frozenset({"join", "outerjoin", "join_from", "outerjoin_from", "select_from", "union"})
_FILTERS = frozenset({"where", "filter"})
# What turns a result into the list of its rows, and what runs a statement.
_ROW_METHODS = frozenset({"all", "scalars", "unique", "fetchall"})
_RUN_METHODS = frozenset({"execute", "exec", "scalars"})


def finds_one_row(flow: QueryFlow, iterable: ast.expr | None, scope: Scope) -> bool:
    """Whether a loop over ``iterable`` iterates the rows of a query that pins a
    single-row column of its model (a unique column or the primary key) with ``==``."""
    if iterable is None:
        return False
    inlined = inline_row_source(iterable, scope, flow.binding_of, flow._is_select_call)
    chain = _statement_chain(_statement_of_rows(inlined))
    if not chain:
        return False
    root, methods = chain[0], chain[1:]
    if len(root.args) != 1 or root.keywords or not _selects(flow, root, scope):
        return False
    model = flow.model.qualified_name(root.args[0], scope)
    if model is None:
        return False
    columns = flow.catalogue.single_row_columns(model)
    if not columns:
        return False
    pinned = False
    for call in methods:
        assert isinstance(call.func, ast.Attribute)
        method = call.func.attr
        if method in _JOINS:
            return False
        if method == "filter_by" and any(k.arg in columns for k in call.keywords):
            pinned = True
        elif method in _FILTERS and any(
            _pins(flow, argument, model, columns, scope) for argument in call.args
        ):
            pinned = True
    return pinned


def _statement_of_rows(expr: ast.expr) -> ast.expr:
    """``(await db.execute(stmt)).scalars().all()`` -> ``stmt``; a legacy
    ``db.query(M).filter(...).all()`` -> the query without ``.all()``."""
    node = expr
    while True:
        if isinstance(node, ast.Await):
            node = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _ROW_METHODS
            and not node.args
            and not node.keywords
        ):
            node = node.func.value
        else:
            break
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _RUN_METHODS
        and len(node.args) == 1
    ):
        return node.args[0]
    return node


def _statement_chain(statement: ast.expr) -> list[ast.Call]:
    """``select(M).where(...).limit(1)`` as [select(M), .where(...), .limit(1)]: the
    innermost call first; [] when the expression is not a chain of calls."""
    chain: list[ast.Call] = []
    node: ast.expr = statement
    while isinstance(node, ast.Call):
        chain.append(node)
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
            node = func.value
        else:
            break
    chain.reverse()
    return chain


def _selects(flow: QueryFlow, call: ast.Call, scope: Scope) -> bool:
    """``select(M)`` / ``sqlmodel.select(M)`` or ``session.query(M)``."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "query":
        return True
    return flow.model.qualified_name(func, scope) in SELECT_FUNCTIONS


def _pins(
    flow: QueryFlow, condition: ast.expr, model: str, columns: frozenset[str], scope: Scope
) -> bool:
    """``Model.col == value`` (either side), alone or inside ``and_``/``and``."""
    if isinstance(condition, ast.BoolOp):
        return isinstance(condition.op, ast.And) and any(
            _pins(flow, value, model, columns, scope) for value in condition.values
        )
    if isinstance(condition, ast.Call):
        name = condition.func.attr if isinstance(condition.func, ast.Attribute) else None
        if isinstance(condition.func, ast.Name):
            name = condition.func.id
        return (
            name == "and_"
            and not condition.keywords
            and any(
                _pins(flow, argument, model, columns, scope)
                for argument in condition.args
                if not isinstance(argument, ast.Starred)
            )
        )
    if not (
        isinstance(condition, ast.Compare)
        and len(condition.ops) == 1
        and isinstance(condition.ops[0], ast.Eq)
    ):
        return False
    sides = (condition.left, condition.comparators[0])
    for side, other in (sides, sides[::-1]):
        if (
            isinstance(side, ast.Attribute)
            and side.attr in columns
            and flow.model.qualified_name(side.value, scope) == model
            and not _is_model_column(flow, other, scope)
        ):
            return True
    return False


def _is_model_column(flow: QueryFlow, node: ast.expr, scope: Scope) -> bool:
    """``Other.col``: a join condition compares two tables' columns, many rows."""
    return isinstance(node, ast.Attribute) and flow._model_class(node.value, scope) is not None

"""API401: ``session.get(Model, key)`` answered by the session's identity map.

A list view that loads a whole table (``rows = db.exec(select(Group)).all()``), turns the
rows into dicts to filter, sort and page them, and then maps each page item back with
``db.get(Group, item["id"])`` sends no query per item: ``Session.get`` returns an object
already in the session's identity map without SQL, as long as the object has not been
expired (a commit, rollback or ``expire_all`` in between) and is still referenced (the
loaded rows are kept in a name). The claim "a query for each item" would be false there.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.nplusone.flow import GET_METHODS, SELECT_FUNCTIONS, contains, span
from fastapi_lint.rules.nplusone.texts import unparse
from fastapi_lint.semantic import stubs

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

# Session calls that expire every loaded object (``earlier_loads.py`` adds the calls that
# reload one object's attributes).
EXPIRING_METHODS = frozenset({"commit", "rollback", "expire_all", "expire", "close", "invalidate"})
# ... or drop it from the identity map: `get` queries again afterwards.
_DROPPING_METHODS = EXPIRING_METHODS | {"expunge_all"}
# Result methods that load every row of the statement and keep them in a list.
_LOADING_METHODS = frozenset({"all"})
# Select / Query methods that keep every row of the table: ordering changes no membership.
_WHOLE_TABLE_METHODS = frozenset({"order_by"})


def answered_by_identity_map(
    model: ModuleModel, call: ast.Call, loop: ast.AST, scope: Scope
) -> bool:
    """Whether ``call`` (``S.get(Model, key)`` in ``loop``) finds its rows already loaded:
    earlier in the function, ``S`` loaded every row of ``Model`` into a kept name, and
    nothing expired them before or during the loop."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in GET_METHODS or not call.args:
        return False
    entity = model.qualified_name(call.args[0], scope)
    function = scope.code_function
    if entity is None or function is None:
        return False
    if isinstance(loop, ast.comprehension):
        loop = model.parent(loop) or loop  # the comprehension expression carries the span
    receiver = unparse(func.value, 60)
    loads = [
        node
        for node in ast.walk(function.node)
        if isinstance(node, ast.Call)
        and span(node) < span(loop)
        and not contains(loop, node)
        and _loads_whole_table(model, node, receiver, entity, scope)
        and _kept(model, node)
    ]
    if not loads:
        return False
    start = min(span(load) for load in loads)
    end = span(loop)[2:]
    for node in ast.walk(function.node):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _DROPPING_METHODS
            and unparse(node.func.value, 60) == receiver
            and start < span(node)
            and span(node)[:2] <= end
        ):
            return False
    return True


def _loads_whole_table(
    model: ModuleModel, call: ast.Call, receiver: str, entity: str, scope: Scope
) -> bool:
    """``S.exec(select(M)).all()``, ``S.execute(select(M)).scalars().all()``,
    ``S.scalars(select(M)).all()`` or ``S.query(M).all()``, with no filter or limit."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _LOADING_METHODS:
        return False
    node: ast.AST = func.value
    # `.scalars()` / `.unique()` between the statement's execution and `.all()`.
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("scalars", "unique")
        and not node.args
    ):
        node = node.func.value
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _WHOLE_TABLE_METHODS
    ):
        node = node.func.value  # `S.query(M).order_by(...)`
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    if unparse(node.func.value, 60) != receiver or len(node.args) != 1:
        return False
    method = node.func.attr
    if method == "query":
        return model.qualified_name(node.args[0], scope) == entity
    if method not in ("exec", "execute", "scalars"):
        return False
    statement: ast.AST = _assigned_value(model, node.args[0])
    while (
        isinstance(statement, ast.Call)
        and isinstance(statement.func, ast.Attribute)
        and statement.func.attr in _WHOLE_TABLE_METHODS
    ):
        statement = statement.func.value
    if not (isinstance(statement, ast.Call) and len(statement.args) == 1):
        return False
    if statement.keywords:
        return False
    builder = model.qualified_name(statement.func, scope)
    return (
        builder is not None
        and stubs.canonical(builder) in SELECT_FUNCTIONS
        and model.qualified_name(statement.args[0], scope) == entity
    )


def _assigned_value(model: ModuleModel, expr: ast.AST) -> ast.AST:
    """``query = select(User); db.exec(query)``: the statement a local name holds, when
    the function assigns that name once."""
    if not isinstance(expr, ast.Name):
        return expr
    function = next(
        (
            a
            for a in model.ancestors(expr)
            if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef))
        ),
        None,
    )
    if function is None:
        return expr
    values = [
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets)
    ]
    return values[0] if len(values) == 1 else expr


def _kept(model: ModuleModel, load: ast.Call) -> bool:
    """The loaded rows stay referenced: assigned to a name, or gathered by a comprehension
    that is assigned (the identity map holds objects weakly)."""
    parent = model.parent(load)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is load:
        return True
    if isinstance(parent, (ast.ListComp, ast.SetComp, ast.DictComp)) and any(
        generator.iter is load for generator in parent.generators
    ):
        owner = model.parent(parent)
        return isinstance(owner, (ast.Assign, ast.AnnAssign)) and owner.value is parent
    return False

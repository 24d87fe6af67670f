"""Pagination helpers that reshape the query they are given (API402, API403).

``def paginate(query, page, size): return query.offset((page - 1) * size).limit(size).all()``
returns rows of whatever query the caller passes: ``paginate(db.query(Item), 1, 50)``
returns ``Item`` objects. The def alone says nothing about the model, so its
result is read at the call: the helper's return expression with the parameter
replaced by the caller's argument. Only paging, ordering and fetching methods
count (they keep the query's model and loader options); a helper that filters,
joins or adds options is left alone (its result stays unknown, as before).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

# Methods that keep a query's model and options: paging, ordering, fetching.
_RESHAPING = frozenset(
    {
        "offset",
        "limit",
        "slice",
        "order_by",
        "distinct",
        "all",
        "unique",
        "scalars",
        "first",
        "one",
        "one_or_none",
        "fetchmany",
    }
)
_PLACEHOLDER = "__fastapi_lint_passed_query__"

# (parameter position, parameter name, return expression with the placeholder)
Chain = tuple[int, str, str]


def passthrough_chain(model: ModuleModel, function: FunctionInfo) -> Chain | None:
    """The parameter whose query the def returns reshaped, and how; None otherwise."""
    node = function.node
    if isinstance(node, ast.Lambda) or node.decorator_list:
        return None
    returns = [
        ref.node
        for ref in model.returns_of(function)
        if isinstance(ref.node, ast.Return) and ref.node.value is not None
    ]
    if len(returns) != 1 or not isinstance(returns[0], ast.Return):
        return None
    value = returns[0].value
    assert value is not None
    current: ast.expr = value
    while (
        isinstance(current, ast.Call)
        and isinstance(current.func, ast.Attribute)
        and current.func.attr in _RESHAPING
    ):
        current = current.func.value
    if not isinstance(current, ast.Name) or current is value:
        return None
    positional = [a.arg for a in node.args.posonlyargs + node.args.args]
    if current.id not in positional or (positional and positional[0] in ("self", "cls")):
        return None
    copied = ast.parse(ast.unparse(value), mode="eval").body
    for name in ast.walk(copied):
        if isinstance(name, ast.Name) and name.id == current.id:
            name.id = _PLACEHOLDER
    return positional.index(current.id), current.id, ast.unparse(copied)


def substituted(chain: Chain, call: ast.Call) -> ast.expr | None:
    """The helper's return expression at this call: the argument in the parameter's place."""
    position, name, text = chain
    argument: ast.expr | None = None
    if position < len(call.args):
        argument = call.args[position]
        if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
            return None
    else:
        argument = next((k.value for k in call.keywords if k.arg == name), None)
    if argument is None:
        return None
    expr = ast.parse(text, mode="eval").body
    for node in ast.walk(expr):
        # The helper's own names (`page`, `size`) stand at the call for the lookups.
        if "lineno" in node._attributes:
            ast.copy_location(node, call)
    return _Replace(argument).visit(expr)  # type: ignore[no-any-return]


class _Replace(ast.NodeTransformer):
    def __init__(self, argument: ast.expr) -> None:
        self.argument = argument

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return self.argument if node.id == _PLACEHOLDER else node

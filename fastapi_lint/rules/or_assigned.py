"""``_CLIENT = _CLIENT or connect()``: a lazily initialised global in one expression.

The right operand of ``or`` runs only while the global is falsy, and the statement
stores its result in that global: the first call makes it, every later call finds
it (the short form of ``if _CLIENT is None: _CLIENT = connect()``). Used by API107's
once-per-process test and so by API306's.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo


def or_assigned_global(model: ModuleModel, function: FunctionInfo, node: ast.AST) -> bool:
    """Whether ``node`` sits in a later operand of ``GLOBAL = GLOBAL or ...`` (a module
    global the function declares ``global``) inside ``function``."""
    child = node
    for ancestor in model.ancestors(node):
        if ancestor is function.node or isinstance(ancestor, (ast.stmt, ast.Lambda)):
            return False
        if (
            isinstance(ancestor, ast.BoolOp)
            and isinstance(ancestor.op, ast.Or)
            and child is not ancestor.values[0]
            and _first_operand_name(ancestor) is not None
        ):
            name = _first_operand_name(ancestor)
            statement = model.parent(ancestor)
            return (
                isinstance(statement, ast.Assign)
                and statement.value is ancestor
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and statement.targets[0].id == name
                and name in function.scope.global_names
            )
        child = ancestor
    return False


def _first_operand_name(expr: ast.BoolOp) -> str | None:
    first = expr.values[0]
    return first.id if isinstance(first, ast.Name) else None

"""API105 on clients kept on ``self``: one finding per client and async method.

The contract, Revision 2: a connection opened in ``__init__`` (``self.conn =
sqlite3.connect(...)``) and used in an async method is reported at the first
operation on ``self.conn`` in that method -- even one that sends nothing by
itself, such as ``self.conn.cursor()`` -- and the operations on what that call
returned (``cursor.execute``, ``cursor.fetchall``) are the same blocking work,
not new findings.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable, Optional

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

# How far a receiver chain is followed back to ``self.x``.
_MAX_STEPS = 8


def local_value(
    model: ModuleModel, name: ast.Name, scope: Scope, function: FunctionInfo | None
) -> tuple[ast.expr, Scope] | None:
    """What ``name`` was assigned (``x = ...``, ``with ... as x``) in ``function`` itself,
    with the scope that expression is read in; None for anything else."""
    binding = model.lookup(name.id, scope, getattr(name, "lineno", None))
    if (
        binding is None
        or binding.value is None
        or binding.unpack_index is not None
        or binding.scope.code_function is not function
        or binding.kind.value not in ("assign", "with")
    ):
        return None
    return binding.value, binding.scope


def self_client_root(
    model: ModuleModel,
    function: FunctionInfo,
    call: ast.Call,
    scope: Scope,
    is_client_type: Callable[[str], bool],
) -> Optional[tuple[str, str]]:
    """``("conn", "sqlite3.Connection")`` when ``call`` works on ``self.conn`` or on what it returned."""
    if function.class_info is None:
        return None
    params = function.node.args.posonlyargs + function.node.args.args
    if not params:
        return None
    self_name = params[0].arg
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    expr: ast.AST = func.value
    current = scope
    for _ in range(_MAX_STEPS):
        if (
            isinstance(expr, ast.Attribute)
            and isinstance(expr.value, ast.Name)
            and expr.value.id == self_name
        ):
            client = model.type_of(expr, current)
            if client is not None and is_client_type(client):
                return expr.attr, client
            return None
        if isinstance(expr, ast.Name):
            found = local_value(model, expr, current, function)
            if found is None:
                return None
            expr, current = found
        elif isinstance(expr, ast.Call):
            if not isinstance(expr.func, ast.Attribute):
                return None
            expr = expr.func.value
        elif isinstance(expr, (ast.Attribute, ast.Subscript)):
            expr = expr.value
        else:
            return None
    return None

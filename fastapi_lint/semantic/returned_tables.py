"""What a key of a table that a project function returns holds: ``repos["flags"]`` after
``repos = get_repositories()``, where the function (or one it returns the result of)
ends in ``return {"flags": FlagRepository(...), "audit": AuditRepository(...)}``.

Applications that hand out their repositories or clients this way reach the database
through every route that reads the table: simple flow follows the constant key to the
value built for it, as it does for a dict literal assigned in the same module.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.limits import too_deep
from fastapi_lint.semantic.values import Ref

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope
    from fastapi_lint.semantic.values import Value


def call_table_item(
    model: ModuleModel, call: ast.Call, scope: Scope, key: object, depth: int
) -> Value | None:
    """The value at ``key`` of the dict literal the project function called by ``call``
    returns; None when it is not one dict literal with that constant key."""
    if too_deep(depth):
        return None
    callee = model.evaluate(call.func, scope, depth + 1)
    if not isinstance(callee, Ref):
        return None
    local = model.function_named(callee.qualname)
    if local is not None:
        return _returned_item(model, local, key, depth + 1)
    if model.project is None:
        return None
    found = model.project.function(callee.qualname)
    if found is None:
        return None
    owner, function = found
    return _returned_item(owner, function, key, depth + 1)


def _returned_item(
    model: ModuleModel, function: FunctionInfo, key: object, depth: int
) -> Value | None:
    """The same value at ``key`` in every ``return`` of ``function``, or None."""
    if too_deep(depth) or model.is_generator(function):
        return None
    found: Value | None = None
    for ref in model.returns_of(function):
        value = getattr(ref.node, "value", None)
        if value is None:
            continue
        item = _item_of(model, value, ref.scope, key, depth + 1)
        if item is None or (found is not None and item != found):
            return None
        found = item
    return found


def _item_of(
    model: ModuleModel, value: ast.expr, scope: Scope, key: object, depth: int
) -> Value | None:
    if isinstance(value, ast.Name):
        # `tables = {...}; return tables`: the literal the name was given.
        binding = model.lookup(value.id, scope, value.lineno)
        assigned = binding.assigned if binding is not None else None
        if binding is None or not isinstance(assigned, (ast.Dict, ast.Call)):
            return None
        value, scope = assigned, binding.scope
    if isinstance(value, ast.Dict):
        for table_key, item in zip(value.keys, value.values):
            if isinstance(table_key, ast.Constant) and table_key.value == key:
                return model.evaluate(item, scope, depth + 1)
        return None
    if isinstance(value, ast.Call):
        return call_table_item(model, value, scope, key, depth + 1)
    return None

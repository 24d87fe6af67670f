"""A body envelope unwrapped for validation (API207).

``items = body.get("events") if isinstance(body, dict) else body`` then
``EVENTS.validate_python(items)``: the one key read takes the payload out of its
envelope, and the payload is validated whole before any of its own keys is read. That
read checks nothing by hand and consumes no field, so it is not counted as a read of
the body; the other keys the route reads still are.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable

from fastapi_lint.rules.body_bindings import binding_of

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, FunctionInfo, Scope

# How the caller judges a bound value: validated whole before any key read.
ValidatedWhole = Callable[["FunctionInfo", "Binding", int], bool]


def envelope_validated(
    model: ModuleModel,
    read: ast.AST | None,
    scope: Scope,
    depth: int,
    validated_whole: ValidatedWhole,
) -> bool:
    """Whether ``read`` (``body["events"]`` or ``body.get("events")``, also as a branch of
    ``... if ... else ...``) is bound to a name whose value is then validated whole."""
    if read is None:
        return False
    value: ast.AST = read
    parent = model.parent(value)
    if isinstance(parent, ast.IfExp) and parent.test is not value:
        value, parent = parent, model.parent(parent)
    function = scope.code_function
    if not (
        function is not None
        and isinstance(parent, ast.Assign)
        and parent.value is value
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], ast.Name)
    ):
        return False
    binding = binding_of(model, scope, parent.targets[0])
    return binding is not None and validated_whole(function, binding, depth + 1)

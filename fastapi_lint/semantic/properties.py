"""``obj.client`` where ``client`` is a ``@property`` or ``@cached_property`` getter.

Apart from ``model.py`` (at its size limit): the attribute holds what the getter
returns, its return annotation first (``-> requests.Session``), else the value
its ``return`` statements give (``return self._session``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.syntax import decorator_names
from fastapi_lint.semantic.values import Instance

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding
    from fastapi_lint.semantic.values import Value

_GETTERS = frozenset({"property", "cached_property"})


def property_value(model: ModuleModel, binding: Binding, depth: int) -> Value | None:
    """What reading a property of a project class gives (None: not a property getter)."""
    node = binding.node
    if not isinstance(node, ast.FunctionDef) or not decorator_names(node) & _GETTERS:
        return None
    if node.returns is not None:
        annotated = model.annotation_type(node.returns, binding.scope, depth + 1)
        if annotated:
            return Instance(annotated)
    function = model.function_by_node.get(id(node))
    if function is None:
        return None
    value = model.function_return_value(function, depth + 1)
    return value if isinstance(value, Instance) else None

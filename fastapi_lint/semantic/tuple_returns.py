"""Names unpacked from a call to a def annotated ``-> tuple[A, B]``.

``config_path, data_path = locations()`` binds each name to one element of the
annotated tuple (``tuple[Path, ...]``: every element a ``Path``), so the calls
made on it are typed like those on ``path = location()``. Only a plain tuple
target without a starred name lines up with the annotation's elements.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.limits import too_deep
from fastapi_lint.semantic.syntax import string_annotation, subscript_elements

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, FunctionInfo

TUPLE_TYPES = frozenset({"builtins.tuple", "typing.Tuple"})


def returned_tuple_items(
    model: ModuleModel, function: FunctionInfo, depth: int = 0
) -> list[str | None] | None:
    """The class of each element of ``function``'s ``-> tuple[A, B]`` annotation (one
    entry followed by ``...`` for ``tuple[A, ...]``: ``["A", "..."]``), or None."""
    returns = function.node.returns
    if isinstance(returns, ast.Constant) and isinstance(returns.value, str):
        returns = string_annotation(returns.value)
    if not isinstance(returns, ast.Subscript) or too_deep(depth):
        return None
    if model.qualified_name(returns.value, function.outer) not in TUPLE_TYPES:
        return None
    elements = subscript_elements(returns)
    if len(elements) == 2 and isinstance(elements[1], ast.Constant) and elements[1].value is ...:
        return [model.annotation_type(elements[0], function.outer, depth + 1), "..."]
    if any(isinstance(e, ast.Constant) and e.value is ... for e in elements):
        return None
    return [model.annotation_type(e, function.outer, depth + 1) for e in elements]


def unpacked_item(model: ModuleModel, binding: Binding, depth: int = 0) -> str | None:
    """The class of the name ``binding`` unpacks from an annotated tuple return, or None."""
    statement = binding.node
    call = binding.value
    if isinstance(call, ast.Await):
        call = call.value
    index = binding.unpack_index
    if not isinstance(call, ast.Call) or index is None or too_deep(depth):
        return None
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return None
    target = statement.targets[0]
    if not isinstance(target, (ast.Tuple, ast.List)) or any(
        isinstance(element, ast.Starred) for element in target.elts
    ):
        return None
    qualname = model.call_target(call, binding.scope)
    if qualname is None:
        return None
    local = model.function_named(qualname)
    if local is not None:
        items = returned_tuple_items(model, local, depth + 1)
    elif model.project is not None:
        items = model.project.tuple_items(qualname)
    else:
        items = None
    if not items:
        return None
    if len(items) == 2 and items[1] == "...":
        return items[0]
    return items[index] if len(items) == len(target.elts) else None

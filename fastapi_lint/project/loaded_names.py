"""The names and attributes a module loads, by spelling, with the scope of each: built
once per model, read by every caller-search question about the module (``serving.py``)
and by the questions about nested defs (``own_loop.py``), which never walk the tree."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.memo import MemoKey

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

_LOADED_NAMES: MemoKey[dict[str, list[tuple[ast.Name, Scope]]]] = MemoKey("loaded-names")
_LOADED_ATTRIBUTES: MemoKey[dict[str, list[tuple[ast.Attribute, Scope]]]] = MemoKey(
    "loaded-attributes"
)


def loaded_names(model: ModuleModel) -> dict[str, list[tuple[ast.Name, Scope]]]:
    """``x`` read anywhere in the module, by ``x``."""
    table = model.memo.get(_LOADED_NAMES)
    if table is None:
        table = {}
        for ref in model.nodes[ast.Name]:
            node = ref.node
            assert isinstance(node, ast.Name)
            if isinstance(node.ctx, ast.Load):
                table.setdefault(node.id, []).append((node, ref.scope))
        model.memo.put(_LOADED_NAMES, table)
    return table


def loaded_attributes(model: ModuleModel) -> dict[str, list[tuple[ast.Attribute, Scope]]]:
    """``obj.x`` read anywhere in the module, by ``x``."""
    table = model.memo.get(_LOADED_ATTRIBUTES)
    if table is None:
        table = {}
        for ref in model.nodes[ast.Attribute]:
            node = ref.node
            assert isinstance(node, ast.Attribute)
            if isinstance(node.ctx, ast.Load):
                table.setdefault(node.attr, []).append((node, ref.scope))
        model.memo.put(_LOADED_ATTRIBUTES, table)
    return table

"""A lazy load guarded by a flag kept in a module dict: once per process (API107, API306).

``if not _STATE.get("loaded"): _read_from_disk(); _STATE["loaded"] = True`` is the
contract's ``if GLOBAL is None:`` guard with the "already loaded" mark kept as a key
of a module-level dict (the dict that also holds what was loaded): the first call
loads, every later call finds the flag set. The branch must set the same key of the
same dict to a value that is not falsy; a branch that never sets it (or sets it to
``False``) runs on every call.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.syntax import unset_operand

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo


def sets_flag_key(model: ModuleModel, function: FunctionInfo, branch: ast.If) -> bool:
    """Whether ``branch`` is ``if not D.get("k"):`` (also ``not D["k"]``, ``D.get("k") is
    None``) over a module dict ``D`` and its body stores a truthy ``D["k"]``."""
    flag = _flag_test(branch.test)
    if flag is None:
        return False
    container, key = flag
    if not (
        container in function.scope.global_names
        or (container in model.module_scope.bindings and container not in function.scope.bindings)
    ):
        return False  # a local dict is new on every call
    for stmt in branch.body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Assign) and any(
                _flag_read(target) == (container, key) for target in node.targets
            ):
                if isinstance(node.value, ast.Constant) and not node.value.value:
                    continue  # `D["loaded"] = False`: still unset next time
                return True
    return False


def _flag_test(test: ast.expr) -> tuple[str, object] | None:
    """``(D, "k")`` of ``not D.get("k")``, ``not D["k"]`` or ``D.get("k") is None``."""
    operand = unset_operand(test)
    return _flag_read(operand) if operand is not None else None


def _flag_read(node: ast.expr) -> tuple[str, object] | None:
    """``(D, "k")`` of ``D.get("k")`` / ``D.get("k", False)`` or ``D["k"]`` (a constant key)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and isinstance(node.func.value, ast.Name)
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ):
        return node.func.value.id, node.args[0].value
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and isinstance(node.slice, ast.Constant)
    ):
        return node.value.id, node.slice.value
    return None

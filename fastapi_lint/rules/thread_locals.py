"""A value kept on a module's ``threading.local()``: once per thread (API107).

``conn = getattr(_local, "conn", None)`` then ``if conn is None: conn = connect();
_local.conn = conn`` opens one connection per thread and reuses it. Async code runs
on the event loop's one thread, so there the work under the guard runs once for the
life of the loop: the contract's ``if GLOBAL is None:`` guard, with the global kept
per thread. Also ``if not hasattr(_local, "conn"):`` and ``if getattr(_local,
"conn", None) is None:``. The guarded branch must store the same attribute of the
same ``threading.local()``; a branch that never stores it connects on every call.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.keyed_caches import last_assigned
from fastapi_lint.semantic.syntax import compared_with_none, unset_operand

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

_THREAD_LOCALS = frozenset({"threading.local", "_threading_local.local"})


def fills_thread_local(model: ModuleModel, function: FunctionInfo, branch: ast.If) -> bool:
    """Whether ``branch`` tests an attribute of a module ``threading.local()`` (read
    directly or through a name read from it earlier in ``function``) as unset and
    its body stores that attribute."""
    slot = _tested_slot(function, branch)
    if slot is None:
        return False
    holder, attr = slot
    return _is_thread_local(model, function, holder) and _stores_slot(branch.body, holder, attr)


def hit_returned_thread_local(model: ModuleModel, function: FunctionInfo, early: ast.If) -> bool:
    """The early-return form: ``conn = getattr(_local, "conn", None)``, ``if conn is not
    None: return conn`` (``early``), then the work and ``_local.conn = conn``."""
    operand = compared_with_none(early.test, ast.IsNot) or early.test
    if not (
        isinstance(operand, ast.Name)
        and len(early.body) == 1
        and isinstance(early.body[0], ast.Return)
    ):
        return False
    slot = _read_slot(function, early.lineno, operand.id)
    if slot is None:
        return False
    holder, attr = slot
    return _is_thread_local(model, function, holder) and _stores_slot(
        function.node.body, holder, attr
    )


def _tested_slot(function: FunctionInfo, branch: ast.If) -> tuple[str, str] | None:
    """``(holder, attr)`` of ``not hasattr(h, "a")``, ``getattr(h, "a", None) is None``,
    or ``x is None`` / ``not x`` where ``x = getattr(h, "a", None)`` came before."""
    test = branch.test
    if (
        isinstance(test, ast.UnaryOp)
        and isinstance(test.op, ast.Not)
        and isinstance(test.operand, ast.Call)
    ):
        found = _slot_call(test.operand, "hasattr")
        if found is not None:
            return found
    operand = unset_operand(test)
    if isinstance(operand, ast.Call):
        return _slot_call(operand, "getattr")
    if not isinstance(operand, ast.Name):
        return None
    return _read_slot(function, branch.lineno, operand.id)


def _read_slot(function: FunctionInfo, line: int, name: str) -> tuple[str, str] | None:
    """``(holder, attr)`` when ``name`` was last assigned ``getattr(holder, "attr", None)``
    before ``line``."""
    value = last_assigned(function, line, name)
    return _slot_call(value, "getattr") if isinstance(value, ast.Call) else None


def _slot_call(call: ast.Call, builtin: str) -> tuple[str, str] | None:
    """``(h, "a")`` of ``hasattr(h, "a")`` or ``getattr(h, "a", <default>)``."""
    if not (
        isinstance(call.func, ast.Name)
        and call.func.id == builtin
        and len(call.args) >= 2
        and isinstance(call.args[0], ast.Name)
        and isinstance(call.args[1], ast.Constant)
        and isinstance(call.args[1].value, str)
    ):
        return None
    if builtin == "getattr" and len(call.args) != 3:
        return None  # without a default, a missing attribute raises: no guard
    return call.args[0].id, call.args[1].value


def _is_thread_local(model: ModuleModel, function: FunctionInfo, name: str) -> bool:
    """A module-level name bound once, to ``threading.local()`` itself (a subclass of
    it is not followed)."""
    if name in function.scope.bindings:
        return False
    bindings = model.module_scope.bindings.get(name) or []
    if len(bindings) != 1:
        return False
    value = bindings[0].assigned
    return (
        isinstance(value, ast.Call)
        and model.qualified_name(value.func, model.module_scope) in _THREAD_LOCALS
    )


def _stores_slot(body: list[ast.stmt], holder: str, attr: str) -> bool:
    """``holder.attr = ...`` (also ``setattr(holder, "attr", ...)``) in ``body``."""
    for stmt in body:
        for node in ast.walk(stmt):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and node.attr == attr
                and isinstance(node.value, ast.Name)
                and node.value.id == holder
            ):
                return True
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "setattr"
                and len(node.args) == 3
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id == holder
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == attr
            ):
                return True
    return False

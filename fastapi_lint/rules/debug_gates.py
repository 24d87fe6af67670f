"""API1xx: blocking work that only a developer's environment variable turns on.

A capture of model inputs written to disk for local debugging
(``root = os.environ.get("COPILOT_DUMP_MODEL_INPUTS")`` then ``if not root:
return`` before the write) does not run on a server that nobody configured to
debug: the variable is unset in production. A maintainer would not offload it.
The signal is kept narrow, an environment variable read (never a settings
field), whose name says debugging: it contains ``DUMP``, ``DEBUG`` or
``CAPTURE``. (``TRACE`` is left out: tracing, as ``LANGCHAIN_TRACING_V2`` or
``OTEL_TRACES_EXPORTER`` turn it on, is a production feature.)

The blocking call is debug-only when it sits in the branch of ``if <gate>:``
(also ``if <gate> and ...:``), or after an early ``if not <gate>: return``
(also ``if ... or not <gate>: return``) in its function, where ``<gate>`` is
``os.environ.get("X_DUMP")`` / ``os.getenv("X_DEBUG")`` without a truthy
default, ``"X_DEBUG" in os.environ``, a comparison of one with a literal
(``os.getenv("APP_DEBUG") == "1"``), or a local name assigned one of those.
For API107, a callee that makes the blocking call only under such a gate has no
blocking path (and a call site under one is not reported).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.rules.branches import guarding_ifs
from fastapi_lint.rules.off_switches import switched_off
from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.syntax import unset_operand

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

_DEBUG_NAME = lazy_compile(r"DUMP|DEBUG|CAPTURE")
_ENV_READS = frozenset({"os.environ.get", "os.getenv"})
# Per function (by its node's id): whether a string literal of it names a debug variable.
_NAMES_DEBUG_VARIABLE: MemoKey[dict[int, bool]] = MemoKey("debug-gates-literal")
_MODULE_READS_DEBUG: MemoKey[bool] = MemoKey("debug-gates-module")


def debug_only(model: ModuleModel, function: FunctionInfo, node: ast.AST) -> bool:
    """Whether ``node`` runs only when a debugging environment variable is set (or under
    a debugging switch its class keeps off: ``off_switches.py``)."""
    if switched_off(model, function, node):
        return True
    if not _names_debug_variable(model, function):
        return False  # every gate names its variable in a literal: asked per blocking call
    gates = _Gates(model, function)
    if any(gates.required(branch.test) for branch in guarding_ifs(model, function, node)):
        return True
    child: ast.AST = node
    for ancestor in model.ancestors(node):
        if ancestor is function.node:
            break
        for field in ("body", "orelse", "finalbody"):
            block = getattr(ancestor, field, None)
            if isinstance(block, list) and any(child is stmt for stmt in block):
                if any(_returns_unless(gates, stmt) for stmt in _before(block, child)):
                    return True
        child = ancestor
    if child in function.node.body:
        return any(_returns_unless(gates, stmt) for stmt in _before(function.node.body, child))
    return False


def _names_debug_variable(model: ModuleModel, function: FunctionInfo) -> bool:
    if not _module_reads_debug_variable(model):
        return False
    known = model.memo.setdefault(_NAMES_DEBUG_VARIABLE, {})
    found = known.get(id(function.node))
    if found is None:
        found = any(
            isinstance(node, ast.Constant) and _debug_name(node.value)
            for node in ast.walk(function.node)
        )
        known[id(function.node)] = found
    return found


def _module_reads_debug_variable(model: ModuleModel) -> bool:
    """A call with a debug variable's name first (``os.getenv("X_DUMP")``), or a test
    ``"X_DEBUG" in os.environ``, somewhere in the module (the recorded calls and comparisons)."""
    found = model.memo.get(_MODULE_READS_DEBUG)
    if found is None:
        calls = (ref.node for ref in model.nodes[ast.Call])
        compares = (ref.node for ref in model.nodes[ast.Compare])
        found = any(
            call.args and isinstance(call.args[0], ast.Constant) and _debug_name(call.args[0].value)  # type: ignore[attr-defined]
            for call in calls
        ) or any(
            isinstance(test.left, ast.Constant) and _debug_name(test.left.value)  # type: ignore[attr-defined]
            for test in compares
        )
        model.memo.put(_MODULE_READS_DEBUG, found)
    return found


def _before(block: list[ast.stmt], child: ast.AST) -> list[ast.stmt]:
    for index, stmt in enumerate(block):
        if stmt is child:
            return block[:index]
    return []


def _returns_unless(gates: _Gates, stmt: ast.stmt) -> bool:
    """``if not gate: return`` / ``if settings.ENV != "local" or not gate: return``."""
    if not (isinstance(stmt, ast.If) and stmt.body and isinstance(stmt.body[-1], ast.Return)):
        return False
    test = stmt.test
    tests = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) else [test]
    return any(gates.unset(t) for t in tests)


class _Gates:
    def __init__(self, model: ModuleModel, function: FunctionInfo) -> None:
        self.model = model
        self.function = function
        self.scope: Scope = function.scope

    def required(self, test: ast.expr) -> bool:
        """``gate`` or ``gate and ...``: the branch runs only with the variable set."""
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            return any(self.is_gate(value) for value in test.values)
        return self.is_gate(test)

    def unset(self, test: ast.expr) -> bool:
        """``not gate`` / ``gate is None``: true while the variable is unset."""
        operand = unset_operand(test)
        return operand is not None and self.is_gate(operand)

    def is_gate(self, expr: ast.expr) -> bool:
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Name)
            and expr.func.id == "bool"
        ):
            return len(expr.args) == 1 and self.is_gate(expr.args[0])
        if isinstance(expr, ast.Name):
            value = self._single_assignment(expr.id)
            return value is not None and not isinstance(value, ast.Name) and self.is_gate(value)
        if isinstance(expr, ast.Compare) and len(expr.ops) == 1:
            op, right = expr.ops[0], expr.comparators[0]
            if isinstance(op, ast.In) and isinstance(expr.left, ast.Constant):
                # `"APP_DEBUG" in os.environ`
                return self.model.qualified_name(right, self.scope) == "os.environ" and _debug_name(
                    expr.left.value
                )
            if isinstance(op, (ast.Eq, ast.In)) and _truthy_literal(right):
                return self.is_gate(_strip_methods(expr.left))  # `getenv("X_DEBUG").lower() == "1"`
            return False
        return self._env_read(expr)

    def _env_read(self, expr: ast.expr) -> bool:
        """``os.environ.get("X_DUMP")`` / ``os.getenv("X_DEBUG", "")``: unset reads as false."""
        if not isinstance(expr, ast.Call) or not expr.args:
            return False
        if self.model.call_target(expr, self.scope) not in _ENV_READS:
            return False
        name = expr.args[0]
        if not (isinstance(name, ast.Constant) and _debug_name(name.value)):
            return False
        defaults = [*expr.args[1:2], *(k.value for k in expr.keywords if k.arg == "default")]
        return all(isinstance(d, ast.Constant) and not d.value for d in defaults)

    def _single_assignment(self, name: str) -> ast.expr | None:
        """The value of ``name`` when the function binds it exactly once, by a plain assignment."""
        found: ast.expr | None = None
        for node in ast.walk(self.function.node):
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
                parent = self.model.parent(node)
                if found is not None or not (
                    isinstance(parent, ast.Assign) and parent.targets == [node]
                ):
                    return None
                found = parent.value
        return found


def _debug_name(value: object) -> bool:
    return isinstance(value, str) and bool(_DEBUG_NAME.search(value.upper()))


def _truthy_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return bool(node.value)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return bool(node.elts) and all(_truthy_literal(e) for e in node.elts)
    return False


def _strip_methods(expr: ast.expr) -> ast.expr:
    """``os.getenv("X").strip().lower()`` -> ``os.getenv("X")``."""
    while (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr in ("lower", "upper", "strip", "casefold")
    ):
        expr = expr.func.value
    return expr

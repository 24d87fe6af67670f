"""API107: the start of a string a project function returns, for a call's arguments.

``session_id = file_manager.create_local_session()`` where every ``return`` of
``create_local_session`` is ``f"{self.LOCAL_PREFIX}{uuid4()}"``: the name holds text
starting with the class constant, so a callee that skips its disk read for ids with that
prefix (``if self.is_local_session(session_id): return ...``, ``chain_predicates``)
never reads for this call. Only a name assigned once in the calling function (the value
it holds wherever it is read), or one whose assignments are told apart by the path of
the read (``reaching_assignments``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.rules.chain_predicates import constant_text
from fastapi_lint.semantic.reaching_assignments import reaching_value

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


def _start(
    model: ModuleModel, class_node: ast.ClassDef | None, node: ast.expr, local: Scope
) -> str | None:
    """The known start of a returned string; names of ``local`` are not constants."""
    if isinstance(node, ast.Name) and node.id in local.bindings:
        return None
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
        if (
            isinstance(first, ast.FormattedValue)
            and first.conversion == -1
            and first.format_spec is None
            and not (isinstance(first.value, ast.Name) and first.value.id in local.bindings)
        ):
            return constant_text(model, class_node, first.value)
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _start(model, class_node, node.left, local)
    if isinstance(node, (ast.Name, ast.Attribute)):
        return constant_text(model, class_node, node)  # `PREFIX + uuid4().hex`
    return None


def _returns(body: list[ast.stmt]) -> list[ast.Return]:
    """The ``return`` statements of a body, not those of nested functions or classes."""
    found: list[ast.Return] = []
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            found.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def _assigned_once(scope: Scope, name: str) -> ast.expr | None:
    from fastapi_lint.semantic.scopes import BindingKind

    bindings = scope.bindings.get(name, [])
    if len(bindings) != 1 or name in scope.global_names:
        return None
    binding = bindings[0]
    if binding.kind is not BindingKind.ASSIGN or binding.unpack_index is not None:
        return None
    return binding.value


def _compute(model: ModuleModel, target: str) -> str | None:
    project = index_of(model)
    found = project.function(target) if project is not None else None
    if found is None:
        return None
    callee_model, function = found
    body = function.node.body
    if function.is_async or not body or not isinstance(body[-1], (ast.Return, ast.Raise)):
        return None  # a coroutine, or a path that falls off the end (None)
    if any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in ast.walk(function.node)):
        return None
    class_node = function.class_info.node if function.class_info is not None else None
    starts: list[str] = []
    for stmt in _returns(body):
        value = stmt.value
        if isinstance(value, ast.Name):
            # `session_id = f"{self.PREFIX}{uuid4()}"` ... `return session_id`
            value = _assigned_once(function.scope, value.id)
        start = (
            _start(callee_model, class_node, value, function.scope) if value is not None else None
        )
        if not start:
            return None
        starts.append(start)
    common = min(starts, key=len) if starts else ""
    while common and not all(start.startswith(common) for start in starts):
        common = common[:-1]
    return common or None


def returned_prefix(model: ModuleModel, scope: Scope, call: ast.Call) -> str | None:
    """The text every return of the project function ``call`` calls starts with, or None."""
    project = index_of(model)
    target = model.call_target(call, scope)
    if project is None or not target:
        return None
    found = project.fact("return-prefix/1", target, lambda: _compute(model, target))
    return found if isinstance(found, str) and found else None


def assigned_prefix(model: ModuleModel, scope: Scope, name: ast.Name) -> str | None:
    """``name`` assigned once in ``scope``, or by the assignment that reaches the read on
    its path (``reaching_assignments``), from a call whose returns share a start."""
    value = _assigned_once(scope, name.id)
    bindings = scope.bindings.get(name.id, ())
    if value is None and len(bindings) > 1 and any(isinstance(b.value, ast.Call) for b in bindings):
        value = reaching_value(model, scope.node, name)
    return returned_prefix(model, scope, value) if isinstance(value, ast.Call) else None

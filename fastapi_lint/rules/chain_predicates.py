"""API107: a one-line predicate helper read as the test it returns.

``if self.is_local_session(session_id): return self._sessions[session_id]`` before a
read of the session's file on disk, with ``def is_local_session(self, session_id):
return session_id.startswith(self.LOCAL_PREFIX)``: the test is a prefix test on the
caller's parameter, as if written in place. ``chain_conditions`` reads it so, and a
caller that passes an id known to carry the prefix (``create_local_session()``
returns ``f"{self.LOCAL_PREFIX}{uuid4()}"``: ``return_prefixes``) never reaches the read.

Only helpers of the same class (through ``self``/``cls``) or of the same module, whose
body is one ``return param.startswith(prefix)``/``endswith`` with a literal, a class
constant or a module constant: what a reader sees at a glance.
"""

from __future__ import annotations

import ast
import copy
from typing import TYPE_CHECKING

from fastapi_lint.semantic.syntax import decorator_names

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

_AFFIX_TESTS = ("startswith", "endswith")


def _statements(function: ast.FunctionDef) -> list[ast.stmt]:
    """The body without its docstring."""
    return function.body[1:] if ast.get_docstring(function) is not None else function.body


def class_constant(class_node: ast.ClassDef, name: str) -> str | None:
    """The string a class body assigns ``name`` once (``LOCAL_PREFIX = "local:"``)."""
    found: list[ast.expr] = []
    for stmt in class_node.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in stmt.targets
        ):
            found.append(stmt.value)
        elif (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == name
            and stmt.value is not None
        ):
            found.append(stmt.value)
    if len(found) != 1:
        return None
    value = found[0]
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def module_constant(model: ModuleModel, name: str) -> str | None:
    bindings = model.module_scope.bindings.get(name, [])
    if len(bindings) != 1 or bindings[0].unpack_index is not None:
        return None
    value = bindings[0].value
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def constant_text(
    model: ModuleModel, class_node: ast.ClassDef | None, node: ast.expr
) -> str | None:
    """A literal string, ``self.NAME``/``cls.NAME``/``Class.NAME`` of the class, or a
    module constant."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (
        class_node is not None
        and isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("self", "cls", class_node.name)
    ):
        return class_constant(class_node, node.attr)
    if isinstance(node, ast.Name):
        return module_constant(model, node.id)
    return None


def _helper(
    model: ModuleModel, function: FunctionInfo, call: ast.Call
) -> tuple[ast.FunctionDef, ast.ClassDef | None] | None:
    """The same-class method or same-module function ``call`` names."""
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in ("self", "cls")
        and function.class_info is not None
    ):
        class_node = function.class_info.node
        methods = [
            stmt
            for stmt in class_node.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == func.attr
        ]
        if len(methods) == 1 and isinstance(methods[0], ast.FunctionDef):
            return methods[0], class_node
        return None
    if isinstance(func, ast.Name) and func.id not in function.scope.bindings:
        bindings = model.module_scope.bindings.get(func.id, [])
        node = bindings[0].node if len(bindings) == 1 else None
        if isinstance(node, ast.FunctionDef):
            return node, None
    return None


def _inlined(model: ModuleModel, function: FunctionInfo, call: ast.Call) -> ast.expr | None:
    """``arg.startswith("prefix")`` for ``self.is_local(arg)``, or None."""
    if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], ast.Name):
        return None
    found = _helper(model, function, call)
    if found is None:
        return None
    helper, class_node = found
    decorators = decorator_names(helper)
    args = helper.args
    if args.vararg or args.kwarg or args.kwonlyargs or (decorators - {"staticmethod"}):
        return None
    params = [arg.arg for arg in args.posonlyargs + args.args]
    if class_node is not None and "staticmethod" not in decorators:
        params = params[1:]  # self / cls
    body = _statements(helper)
    if len(params) != 1 or len(body) != 1 or not isinstance(body[0], ast.Return):
        return None
    test = body[0].value
    if not (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr in _AFFIX_TESTS
        and isinstance(test.func.value, ast.Name)
        and test.func.value.id == params[0]
        and len(test.args) == 1
        and not test.keywords
    ):
        return None
    text = constant_text(model, class_node, test.args[0])
    if not text:
        return None
    inlined = ast.Call(
        func=ast.Attribute(value=copy.copy(call.args[0]), attr=test.func.attr, ctx=ast.Load()),
        args=[ast.Constant(text)],
        keywords=[],
    )
    return ast.copy_location(inlined, call)


def inline_predicates(model: ModuleModel, function: FunctionInfo, test: ast.expr) -> ast.expr:
    """``test`` with its one-line predicate calls replaced by the test they return (a copy;
    the tree is not changed), or ``test`` itself when it holds none."""
    replaced = False

    def visit(node: ast.expr) -> ast.expr:
        nonlocal replaced
        if isinstance(node, ast.Call):
            inlined = _inlined(model, function, node)
            if inlined is not None:
                replaced = True
                return inlined
            return node
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            operand = visit(node.operand)
            return node if operand is node.operand else ast.UnaryOp(op=node.op, operand=operand)
        if isinstance(node, ast.BoolOp):
            values = [visit(value) for value in node.values]
            if all(new is old for new, old in zip(values, node.values)):
                return node
            return ast.BoolOp(op=node.op, values=values)
        return node

    result = visit(test)
    return result if replaced else test

"""Strings simple flow reads statically: route paths and router prefixes.

A literal, a module constant (here or imported from another module of the project),
an f-string or ``+`` of those, a class attribute (``Paths.ITEM``) and the string
default of a settings field read on its instance (``settings.API_V1_STR``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import keyword_value, last_name
from fastapi_lint.semantic.values import Instance, Ref

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, Scope

_MAX_DEPTH = 6


def string_value(
    model: ModuleModel,
    node: ast.expr,
    scope: Scope,
    depth: int = 0,
    bound: dict[str, str] | None = None,
) -> str | None:
    """A string constant: a literal, a module constant, an f-string or ``+`` of those;
    ``bound`` gives the parameters of the function ``node`` is in a known value."""
    if depth > _MAX_DEPTH:
        return None
    if bound and isinstance(node, ast.Name) and node.id in bound:
        return bound[node.id]
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = string_value(model, node.left, scope, depth + 1, bound)
        right = string_value(model, node.right, scope, depth + 1, bound)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                if value.format_spec is not None or value.conversion != -1:
                    return None
                part = string_value(model, value.value, scope, depth + 1, bound)
            else:
                part = string_value(model, value, scope, depth + 1, bound)
            if part is None:
                return None
            parts.append(part)
        return "".join(parts)
    if isinstance(node, ast.Name):
        binding: Binding | None = model.lookup(node.id, scope)
        if binding is None:
            return None
        if (
            binding.kind is BindingKind.ASSIGN
            and binding.value is not None
            and binding.unpack_index is None
            and len(binding.scope.bindings.get(node.id, [])) == 1
        ):
            return string_value(model, binding.value, binding.scope, depth + 1)
        project = model.project
        if binding.kind is BindingKind.IMPORT and binding.qualname and project is not None:
            # A constant of another module (`from app.config import API_PREFIX`).
            found = project.definition(binding.qualname)
            if found is not None:
                other, other_binding = found
                name = ast.Name(id=other_binding.name, ctx=ast.Load())
                return string_value(other, name, other.module_scope, depth + 1)
    if isinstance(node, ast.Attribute):
        return _attribute_string(model, node, scope, depth)
    return None


def _attribute_string(
    model: ModuleModel, node: ast.Attribute, scope: Scope, depth: int
) -> str | None:
    """``config.API_PREFIX`` (a constant of a project module), ``Paths.ITEM`` (a class
    attribute) or ``settings.API_V1_STR`` (the string default of a field of a project
    settings class, read on its instance: ``settings = Settings()``, the full-stack
    template's ``prefix=settings.API_V1_STR``)."""
    owner = model.evaluate(node.value, scope)
    project = model.project
    if isinstance(owner, Ref):
        if project is not None:
            found = project.definition(f"{owner.qualname}.{node.attr}")
            if found is not None:
                other, other_binding = found
                name = ast.Name(id=other_binding.name, ctx=ast.Load())
                return string_value(other, name, other.module_scope, depth + 1)
        # A class attribute: `Paths.ITEM` of `class Paths: ITEM = "/items/{item_id}"`.
        return _class_string(model, owner.qualname, node.attr)
    if not isinstance(owner, Instance):
        return None
    return _class_string(model, owner.type, node.attr)


def _class_string(model: ModuleModel, qualname: str, attr: str) -> str | None:
    """The string default ``attr`` has in the body of the project class ``qualname``."""
    project = model.project
    info = model.class_named(qualname)
    if info is None and project is not None:
        found_class = project.definition(qualname)
        if found_class is not None:
            other, class_binding = found_class
            info = other.class_named(f"{other.module_name}.{class_binding.name}")
    return _class_default(info.node, attr) if info is not None else None


def _class_default(node: ast.ClassDef, attr: str) -> str | None:
    """The string a class body gives ``attr`` (``API_V1_STR: str = "/api/v1"``, also
    ``Field("/api/v1")``/``Field(default=...)``), when no ``__init__`` of the class may
    assign the instance another value."""
    value: ast.expr | None = None
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if statement.name == "__init__":
                return None
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if statement.target.id == attr:
                value = statement.value
        elif isinstance(statement, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == attr for t in statement.targets):
                value = statement.value
    if isinstance(value, ast.Call) and last_name(value.func) == "Field":
        default = keyword_value(value.keywords, "default")
        value = default if default is not None else (value.args[0] if value.args else None)
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return None

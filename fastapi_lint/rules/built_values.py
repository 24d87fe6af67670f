"""API202: whether a route builds the value it returns, or passes one through.

Revision 2 keeps API202 for values whose shape the route itself decides (a
literal, a comprehension, a model instance or dump, rows of a query, a module
literal, a project helper that builds one); a value passed through from a call,
an attribute or a parameter is shaped elsewhere.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.route_shapes import model_class_kind, shape_of
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope


# `dict(a=1)`, `list(rows)`: values a route builds itself, like literals and comprehensions.
_BUILDERS = frozenset({"builtins.dict", "builtins.list"})


def builds_value(model: ModuleModel, value: ast.expr, scope: Scope, depth: int = 0) -> bool:
    """Whether a returned value is built by the route itself (a literal, a comprehension, a
    model instance, or a local name assigned one), as opposed to passed through from a call,
    an attribute or a parameter whose content the route does not shape."""
    if depth > 4:
        return False
    if isinstance(value, ast.Await):
        value = value.value
    if isinstance(value, ast.IfExp):
        return builds_value(model, value.body, scope, depth + 1) or builds_value(
            model, value.orelse, scope, depth + 1
        )
    if isinstance(value, (ast.DictComp, ast.ListComp, ast.SetComp)):
        return True
    if isinstance(value, (ast.List, ast.Set, ast.Tuple)):
        return bool(value.elts)  # `[]`, like `{}`, carries no shape
    if isinstance(value, ast.Dict):
        return bool(value.keys)
    if isinstance(value, ast.Call) and model.qualified_name(value.func, scope) in _BUILDERS:
        return bool(value.args or value.keywords)
    shape = shape_of(model, value, scope)
    if shape is not None and shape.kind in ("dict", "model"):
        return True
    if isinstance(value, ast.Call) and _dumps_known_model(model, value, scope):
        return True
    if _reads_module_literal(model, value, scope) or _queries_model(model, value, scope):
        return True
    if isinstance(value, ast.Call):
        return _helper_builds(model, value, scope, depth)
    if isinstance(value, ast.Name):
        from fastapi_lint.semantic.scopes import BindingKind

        for binding in scope.bindings.get(value.id, ()):
            bound = binding.value
            if binding.kind is not BindingKind.ASSIGN or bound is None:
                continue
            if isinstance(bound, (ast.Dict, ast.List)) and binding.unpack_index is None:
                return True  # `result = {}` filled in below: built here
            if builds_value(model, bound, binding.scope, depth + 1):
                return True
    return False


_DUMP_METHODS = frozenset({"model_dump", "dict"})


def _dumps_known_model(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """``item.model_dump()`` of a project model (``item: Item``): the shape is that model's,
    and ``-> Item`` is the fix, so the route is not a pass-through."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _DUMP_METHODS:
        return False
    shape = shape_of(model, func.value, scope)
    return shape is not None and shape.kind == "model"


def _reads_module_literal(model: ModuleModel, value: ast.expr, scope: Scope) -> bool:
    """An item of a module-level dict or list literal (``items_db[item_id]``,
    ``items_db.get(item_id)``, ``fake_items``): an in-memory store the module wrote itself,
    whose shape is right there, not content passed through from elsewhere."""
    if isinstance(value, ast.Subscript):
        value = value.value
    elif (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "get"
    ):
        value = value.func.value
    if not isinstance(value, ast.Name):
        return False

    binding = model.lookup(value.id, scope)
    if binding is None or binding.scope is not model.module_scope:
        return False
    bindings = model.module_scope.bindings.get(value.id, ())
    return all(
        b.kind is BindingKind.ASSIGN
        and isinstance(b.value, (ast.Dict, ast.List))
        and b.unpack_index is None
        for b in bindings
    )


_QUERY_METHODS = frozenset({"query", "get", "select", "get_one", "scalars", "exec", "execute"})


def _queries_model(model: ModuleModel, value: ast.expr, scope: Scope) -> bool:
    """Rows of a query on a model class (``db.query(User).filter(...).first()``,
    ``session.get(User, id)``, ``session.exec(select(User)).all()``): the shape is that
    model's, and ``-> User`` (or a schema of it) is the fix."""
    node: ast.expr | None = value
    for _ in range(8):
        if isinstance(node, ast.Await):
            node = node.value
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in _QUERY_METHODS or name == "select":
            for argument in node.args[:1]:
                if isinstance(argument, ast.Call):
                    if _queries_model(model, argument, scope):
                        return True
                    continue
                target = model.qualified_name(argument, scope)
                if target is not None and model_class_kind(model, target) is not None:
                    return True
        node = func.value if isinstance(func, ast.Attribute) else None
    return False


def _helper_builds(model: ModuleModel, call: ast.Call, scope: Scope, depth: int) -> bool:
    """A project helper that builds what it returns (``def health() -> dict: return
    {"ok": ...}``) shapes the value as the route would have; a helper that passes its own
    source on (``return tool.valves``, ``return response.json()``) does not."""
    from fastapi_lint.rules.function_facts import function_fact

    qualname = model.call_target(call, scope)
    if qualname is None:
        return False
    return function_fact(model, "builds-value", qualname, _function_builds, depth + 1)


def _function_builds(model: ModuleModel, function: FunctionInfo, depth: int) -> bool:
    from fastapi_lint.rules.routes._common import returns_and_yields

    returns, is_generator, scope = returns_and_yields(model, function)
    if is_generator or scope is None:
        return False
    return any(
        r.value is not None and builds_value(model, r.value, scope, depth + 1) for r in returns
    )

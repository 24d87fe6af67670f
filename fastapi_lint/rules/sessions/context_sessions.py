"""API305: the request's session carried by another ``Depends`` object.

``ctx: RequestContext = Depends(get_ctx)`` where the provider returns
``RequestContext(db=db, ...)`` built from its own ``Depends`` session:
``add_task(job, ctx.db)`` hands the task that session as surely as passing
``db`` itself, and the provider's cleanup closes it when the response is sent.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.sessions.session_callers import request_session_param
from fastapi_lint.semantic.fastapi import dependency_target
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo, FunctionInfo, Scope


def depends_object_session(model: ModuleModel, value: ast.Attribute, scope: Scope) -> bool:
    """Whether ``value`` (``ctx.db``) reads a field that the provider of the ``Depends``
    parameter ``ctx`` fills with its own request-scoped session."""
    owner = value.value
    if not isinstance(owner, ast.Name):
        return False
    binding = model.lookup(owner.id, scope, owner.lineno)
    if binding is None or binding.kind is not BindingKind.PARAM:
        return False
    function, arg = binding.scope.function, binding.node
    if function is None or not isinstance(arg, ast.arg):
        return False
    provider = dependency_target(model, function, arg)
    if provider is None:
        return False
    qualname = model.qualified_name(*provider)
    located = model.find_function(qualname) if qualname else None
    if located is None:
        return False
    provider_model, provider_function = located
    for built in _built_objects(provider_function):
        stored = _field_value(provider_model, provider_function, built, value.attr)
        if isinstance(stored, ast.Name) and request_session_param(
            provider_model, stored, provider_function.scope
        ):
            return True
    return False


def _built_objects(function: FunctionInfo) -> list[ast.Call]:
    """The calls the provider returns or yields directly (``return Ctx(db=db)``)."""
    found = []
    for node in ast.walk(function.node):
        if isinstance(node, (ast.Return, ast.Yield)) and isinstance(node.value, ast.Call):
            found.append(node.value)
    return found


def _field_value(
    model: ModuleModel, function: FunctionInfo, call: ast.Call, attr: str
) -> ast.expr | None:
    """The argument of ``call`` that the built object keeps as ``attr``: a keyword of
    that name, or the positional argument of a dataclass field or of an ``__init__``
    parameter stored as ``self.<attr>``."""
    for keyword in call.keywords:
        if keyword.arg == attr:
            return keyword.value
    target = model.call_target(call, function.scope)
    class_info = model.class_named(target) if target else None
    if class_info is None or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    names = _positional_names(model, class_info)
    if attr in names and names.index(attr) < len(call.args):
        return call.args[names.index(attr)]
    return None


def _positional_names(model: ModuleModel, class_info: ClassInfo) -> list[str]:
    """The attribute each positional argument of the constructor lands in."""
    init = model.function_named(class_info.qualname + ".__init__")
    if init is None:  # a dataclass: the annotated fields in order
        return [
            stmt.target.id
            for stmt in class_info.node.body
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
        ]
    params = [a.arg for a in init.node.args.posonlyargs + init.node.args.args][1:]
    stored: dict[str, str] = {}
    for node in ast.walk(init.node):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Name)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Attribute)
            and isinstance(node.targets[0].value, ast.Name)
            and node.targets[0].value.id == "self"
        ):
            stored[node.value.id] = node.targets[0].attr
    return [stored.get(param, "") for param in params]

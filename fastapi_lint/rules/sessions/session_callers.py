"""API305 through helpers: the request's session reaches ``add_task`` one call away.

Routes often hand the scheduling to a helper or a service object:
``jobs.schedule_reindex(background_tasks, db, owner_id)`` with
``background_tasks.add_task(reindex_owner, session, owner_id)`` in the helper, or
``Dispatcher(background, db).dispatch(id)`` with ``self.background.add_task(mark_sent,
self.db, id)`` in the method. The helper's parameter (or the object's attribute set
from ``__init__``) holds the route's ``Depends`` session whenever a caller passes
one: the task still runs after the dependency closed it. A parameter annotated as
something other than a session is not followed (no report when unsure).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.mentioning_modules import modules_mentioning
from fastapi_lint.rules.sessions.kinds import param_session
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

# Helpers of helpers: a route, a helper, the helper's helper.
_MAX_DEPTH = 2


def request_session_param(model: ModuleModel, value: ast.Name, scope: Scope) -> bool:
    """Whether ``value`` names a parameter that holds a request-scoped session: a
    ``Depends`` session of this function, or a helper parameter its callers fill with one."""
    binding = model.lookup(value.id, scope, value.lineno)
    if binding is None or binding.kind is not BindingKind.PARAM:
        return False
    function = binding.scope.function
    arg = binding.node
    if function is None or not isinstance(arg, ast.arg):
        return False
    return _holds_request_session(model, function, arg, 0)


def request_session_attribute(model: ModuleModel, value: ast.Attribute, scope: Scope) -> bool:
    """``self.db`` where ``__init__`` stores a parameter its callers fill with the
    request's ``Depends`` session (``Dispatcher(background, db)`` in a route)."""
    if not (isinstance(value.value, ast.Name) and value.value.id == "self"):
        return False
    function = scope.function
    if function is None or function.class_info is None:
        return False
    init = model.function_named(function.class_info.qualname + ".__init__")
    if init is None:
        return False
    arg = _stored_parameter(init, value.attr)
    return arg is not None and _holds_request_session(model, init, arg, 0)


def _stored_parameter(init: FunctionInfo, attr: str) -> ast.arg | None:
    """The parameter ``__init__`` stores as ``self.<attr> = <param>``."""
    params = {a.arg: a for a in init.node.args.args + init.node.args.kwonlyargs}
    for statement in ast.walk(init.node):
        if not isinstance(statement, (ast.Assign, ast.AnnAssign)):
            continue
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr == attr
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
                and isinstance(statement.value, ast.Name)
            ):
                return params.get(statement.value.id)
    return None


def _holds_request_session(
    model: ModuleModel, function: FunctionInfo, arg: ast.arg, depth: int
) -> bool:
    session = param_session(model, function, arg)
    if session is not None and session.from_depends:
        return True
    if session is None and arg.annotation is not None:
        return False  # annotated as something else: not a session
    if depth >= _MAX_DEPTH:
        return False
    return any(
        _holds_request_session(caller_model, caller, caller_arg, depth + 1)
        for caller_model, caller, caller_arg in _caller_parameters(model, function, arg)
    )


def _caller_parameters(
    model: ModuleModel, function: FunctionInfo, arg: ast.arg
) -> list[tuple[ModuleModel, FunctionInfo, ast.arg]]:
    """The callers' own parameters passed for ``arg`` by the project's direct calls of
    ``function`` (a module function, or a class through its ``__init__``)."""
    if function.parent_function is not None:
        return []
    args = function.node.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    if function.class_info is not None:
        if function.name != "__init__":
            return []  # a method: its callers' receivers are not followed
        target, name = function.class_info.qualname, function.class_info.name
        positional = positional[1:]
    else:
        target, name = function.qualname, function.name
    position = positional.index(arg.arg) if arg.arg in positional else None
    modules = modules_mentioning(model, name)
    found: list[tuple[ModuleModel, FunctionInfo, ast.arg]] = []
    for other in modules or ():
        for ref in other.calls:
            call = ref.node
            assert isinstance(call, ast.Call)
            func = call.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called != name or other.call_target(call, ref.scope) != target:
                continue
            passed = _passed(call, position, arg.arg)
            if not isinstance(passed, ast.Name):
                continue
            binding = other.lookup(passed.id, ref.scope, passed.lineno)
            if binding is None or binding.kind is not BindingKind.PARAM:
                continue
            caller = binding.scope.function
            if caller is not None and isinstance(binding.node, ast.arg):
                found.append((other, caller, binding.node))
    return found


def _passed(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    for k in call.keywords:
        if k.arg == keyword:
            return k.value
    if position is not None and position < len(call.args):
        value = call.args[position]
        if not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
            return value
    return None

"""Where API107 yields to API301: a helper handed the session API301 reports.

Apart from ``session_context`` (API301's advice, which ``sessions`` imports) so
that neither module imports the other.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules import sessions
from fastapi_lint.rules.sessions.sync_session import uses_on_loop
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope


def passes_reported_session(
    model: ModuleModel, function: FunctionInfo, call: ast.Call, scope: Scope
) -> bool:
    """Whether ``call`` hands the helper a sync session API301 reports in ``function``,
    or is itself the call API301 reports as creating one.

    ``helper(db)`` where ``db`` is the route's ``Depends(get_db)`` session: the
    session is the finding (API301); the helper's queries are the same session
    and are not a second finding (API107) in the same function. ``with
    session_scope() as db`` over a project ``@contextmanager``: the call creates the
    session API301 reports there; its commit on exit is that session's work. So is a
    method of an object built around that session: ``AccountRepository(db).balance(id)``,
    or ``repo = AccountRepository(db)`` earlier in the function, then ``repo.balance(id)``.
    """
    if sessions.reports_creation(model, call, scope):
        return True
    arguments = [*call.args, *(k.value for k in call.keywords)]
    arguments += _captured_names(model, function, call, scope)
    if isinstance(call.func, ast.Attribute):
        receiver: ast.expr | None = call.func.value
        if isinstance(receiver, ast.Name):
            built = model.lookup(receiver.id, scope, receiver.lineno)
            receiver = None
            if built is not None and built.scope.code_function is function:
                receiver = built.value if built.kind is BindingKind.ASSIGN else None
        if isinstance(receiver, ast.Call):
            arguments += [*receiver.args, *(k.value for k in receiver.keywords)]
    arguments += _wrapped_arguments(model, function, arguments, scope)
    for arg in arguments:
        if isinstance(arg, ast.Call) and sessions.creates_sync_session(model, arg, scope):
            return True  # `Ledger(SessionLocal()).balance(id)`: API301 reports that call
        if not isinstance(arg, ast.Name):
            continue
        binding = model.lookup(arg.id, scope, arg.lineno)
        if binding is None or binding.scope.code_function is not function:
            continue
        if binding.kind is BindingKind.PARAM and isinstance(binding.node, ast.arg):
            session = sessions.param_session(model, function, binding.node)
            if session is None or session.kind != sessions.SYNC:
                continue
            if sessions.is_injected(model, function, session):
                return True
            if _handed_reported_sessions(model, function, binding.node):
                return True
        elif isinstance(binding.value, ast.Call) and sessions.creates_sync_session(
            model, _provider_call(model, binding.value, binding.scope), binding.scope
        ):
            return True
    return False


def _wrapped_arguments(
    model: ModuleModel, function: FunctionInfo, arguments: list[ast.expr], scope: Scope
) -> list[ast.expr]:
    """The arguments of an object handed to the helper that was built around them:
    ``_handle(message, ctx)`` after ``ctx = ToolContext(db=db)`` (or ``_handle(message,
    ToolContext(db=db))``) gives the helper the route's ``db`` inside ``ctx``: the same
    session as ``_handle(message, db)`` would. One level deep."""
    wrapped: list[ast.expr] = []
    for arg in arguments:
        built: ast.expr | None = arg
        if isinstance(arg, ast.Name):
            binding = model.lookup(arg.id, scope, arg.lineno)
            built = None
            if (
                binding is not None
                and binding.scope.code_function is function
                and binding.kind is BindingKind.ASSIGN
            ):
                built = binding.value
        if isinstance(built, ast.Call):
            wrapped += [*built.args, *(k.value for k in built.keywords)]
    return wrapped


def _provider_call(model: ModuleModel, value: ast.Call, scope: Scope) -> ast.Call:
    """The call that makes the session a name holds: ``db = next(get_db())`` runs the
    generator provider ``get_db()`` (the call API301 reports); ``db = SessionLocal()`` is
    its own."""
    if (
        value.args
        and isinstance(value.args[0], ast.Call)
        and model.qualified_name(value.func, scope) == "builtins.next"
    ):
        return value.args[0]
    return value


def _captured_names(
    model: ModuleModel, function: FunctionInfo, call: ast.Call, scope: Scope
) -> list[ast.expr]:
    """The names of ``function`` that a helper nested in it reads from the enclosing
    scope: ``def upsert(key): db.query(...)`` inside the route uses the route's ``db``
    as surely as ``upsert(db, key)`` would (the same session, already API301's)."""
    target = model.call_target(call, scope)
    callee = model.function_named(target) if target else None
    if callee is None or callee.parent_function is not function:
        return []
    captured: list[ast.expr] = []
    for node in ast.walk(callee.node):
        if not (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and node.id not in callee.scope.bindings
            and model.function_scope_of(node) is callee
        ):
            continue
        binding = model.lookup(node.id, scope, call.lineno)
        if binding is None or binding.scope.code_function is not function:
            continue
        if binding.kind is BindingKind.PARAM and not uses_on_loop(model, function, binding):
            continue  # a parameter only the nested helpers read: API301 is silent there
        captured.append(ast.Name(id=node.id, ctx=ast.Load(), lineno=call.lineno))
    return captured


def _handed_reported_sessions(model: ModuleModel, function: FunctionInfo, param: ast.arg) -> bool:
    """``await _do_intervention(session=session)`` from routes whose ``session`` API301
    reports: the private async helper works with that same session (Revision 2: a session
    passed on to a helper is the same session), so its own helper calls are not API107
    again. Only for a module-private async helper whose every call in its module passes,
    for this parameter, a session that API301 reports in the calling function."""
    if not function.is_async or not function.node.name.startswith("_"):
        return False
    args = function.node.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    if function.is_method and positional:
        positional = positional[1:]
    found = False
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        if model.call_target(call, ref.scope) != function.qualname:
            continue
        caller = ref.scope.code_function
        if caller is None or caller is function or not caller.is_async:
            return False
        passed = next((k.value for k in call.keywords if k.arg == param.arg), None)
        if passed is None and param.arg in positional:
            index = positional.index(param.arg)
            passed = call.args[index] if index < len(call.args) else None
        if not isinstance(passed, ast.Name) or not _reported_in(model, caller, passed, ref.scope):
            return False
        found = True
    return found


def _reported_in(model: ModuleModel, caller: FunctionInfo, name: ast.Name, scope: Scope) -> bool:
    """Whether ``name`` in ``caller`` is a sync session API301 reports there: an injected
    session parameter of a route or dependency, or a session the caller creates."""
    binding = model.lookup(name.id, scope, name.lineno)
    if binding is None or binding.scope.code_function is not caller:
        return False
    if binding.kind is BindingKind.PARAM and isinstance(binding.node, ast.arg):
        session = sessions.param_session(model, caller, binding.node)
        return (
            session is not None
            and session.kind == sessions.SYNC
            and sessions.is_injected(model, caller, session)
        )
    return isinstance(binding.value, ast.Call) and sessions.reports_creation(
        model, _provider_call(model, binding.value, binding.scope), binding.scope
    )

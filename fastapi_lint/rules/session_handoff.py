"""Where API107 yields to API301: a helper handed the session API301 reports.

Apart from ``session_context`` (API301's advice, which ``sessions`` imports) so
that neither module imports the other.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules import sessions
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
    if isinstance(call.func, ast.Attribute):
        receiver: ast.expr | None = call.func.value
        if isinstance(receiver, ast.Name):
            built = model.lookup(receiver.id, scope, receiver.lineno)
            receiver = None
            if built is not None and built.scope.code_function is function:
                receiver = built.value if built.kind is BindingKind.ASSIGN else None
        if isinstance(receiver, ast.Call):
            arguments += [*receiver.args, *(k.value for k in receiver.keywords)]
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
            if (
                session is not None
                and session.kind == sessions.SYNC
                and sessions.is_injected(model, function, session)
            ):
                return True
        elif isinstance(binding.value, ast.Call) and sessions.creates_sync_session(
            model, binding.value, binding.scope
        ):
            return True
    return False

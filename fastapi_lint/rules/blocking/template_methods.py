"""API107 through template methods: a base class method that calls ``self.hook()``.

``SmtpNotifier().send_many(...)`` runs ``Notifier.send_many``, whose
``self.send(to, body)`` is the abstract hook on ``Notifier`` but, for this
receiver, ``SmtpNotifier.send``: Python's attribute lookup starts at the
receiver's class. Summarizing the base method alone sees only the abstract
hook; here the hooks the receiver's class overrides are followed too. Only
paths no argument can rule out are taken (the hook's arguments are the base
method's, not the caller's).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi_lint.rules.blocking.minor_syscalls import calls_by_function
from fastapi_lint.rules.blocking.summary_protocols import SummaryLike
from fastapi_lint.semantic.syntax import is_classmethod, is_staticmethod

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

__all__ = ["overridden_hook_chain"]


def overridden_hook_chain(
    model: ModuleModel,
    inherited: FunctionInfo,
    owner: str,
    summary_of: Callable[[str], SummaryLike | None],
) -> tuple[str, ...] | None:
    """The chain by which ``inherited`` (a method ``owner`` inherits) blocks through a
    ``self.<hook>()`` call it makes, as ``owner``'s own definition of that hook blocks."""
    node = inherited.node
    positional = node.args.posonlyargs + node.args.args
    if inherited.is_async or not positional or is_staticmethod(node) or is_classmethod(node):
        return None
    receiver = positional[0].arg
    base_class = inherited.qualname.rsplit(".", 1)[0]
    for call, _ in calls_by_function(model).get(id(node), []):
        func = call.func
        if not (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == receiver
        ):
            continue
        if model.is_awaited(call):
            continue
        hook = summary_of(f"{owner}.{func.attr}")
        if hook is None or hook.is_async or hook.is_generator:
            continue
        base_hook = summary_of(f"{base_class}.{func.attr}")
        if base_hook is not None and base_hook.display == hook.display:
            continue  # not overridden: the base method's own summary has it
        for path in hook.paths:
            if not path.conditions:
                return (hook.display, *path.chain)
    return None

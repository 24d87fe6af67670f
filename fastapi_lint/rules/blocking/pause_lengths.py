"""Pauses whose length the caller chooses: ``def _wait(delay): time.sleep(delay)``.

``time.sleep(0)`` returns at once: no pause. When a helper sleeps for one of its
own parameters, API107 reaches that sleep only through calls that pass a length:
a caller that passes ``0`` or ``0.0`` (``self._emit_span(backoff=0.0)``, a span
that records a switch rather than a wait) does not block on it. The condition
``delay`` is truthy travels with the path and is checked at each call, like the
other conditions of ``chain_conditions`` (and handed on by helpers that pass
their own parameter through).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.chain_conditions import parameter_atom
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import keyword_value

if TYPE_CHECKING:
    from fastapi_lint.rules.chain_conditions import Condition
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

# Pauses by their length argument (position 0 or this keyword).
_PAUSES: dict[str, str] = {"time.sleep": "secs"}


def pause_conditions(
    model: ModuleModel, function: FunctionInfo, call: ast.Call, scope: Scope, target: str
) -> list[Condition]:
    """``[delay is truthy]`` for ``time.sleep(delay)`` on a parameter of ``function``
    that the function does not reassign; ``[]`` for any other pause."""
    if target not in _PAUSES:
        return []
    length = keyword_value(call.keywords, _PAUSES[target])
    if length is None and len(call.args) == 1 and not isinstance(call.args[0], ast.Starred):
        length = call.args[0]
    if not isinstance(length, ast.Name):
        return []
    binding = model.lookup(length.id, scope, length.lineno)
    if binding is None or binding.kind is not BindingKind.PARAM:
        return []  # computed in the function (`delay = base * 2 ** attempt`): a real wait
    if binding.scope.node is not function.node:
        return []
    atom = parameter_atom(function, length.id, model)
    if atom is None:
        return []
    return [{**atom, "op": "truthy", "value": None, "expect": True}]

"""API107 reachability under an ordering test: ``if seconds > 0: time.sleep(seconds)``.

A callee that blocks only for a positive delay, a non-zero retry count or a size above
a threshold is not blocking for a call that passes (or omits, with a default) a number
on the other side: ``polite_pause()`` with ``seconds: float = 0.0``. The test becomes a
``cmp`` condition on the parameter, compared with each call's literal number; anything
that is not a number (``None``, text, an unknown value) leaves the path reachable.
"""

from __future__ import annotations

import ast
import operator
from typing import Any, Callable

_OPERATORS: dict[type[ast.cmpop], tuple[str, Callable[[Any, Any], bool]]] = {
    ast.Gt: ("gt", operator.gt),
    ast.GtE: ("ge", operator.ge),
    ast.Lt: ("lt", operator.lt),
    ast.LtE: ("le", operator.le),
}
_BY_NAME = dict(_OPERATORS.values())


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def ordering(op: ast.cmpop, right: object) -> list[Any] | None:
    """The ``cmp`` condition's value for ``param <op> right`` (``["gt", 0]``), if numeric."""
    found = _OPERATORS.get(type(op))
    if found is None or not _number(right):
        return None
    return [found[0], right]


def compare(value: object, condition: list[Any]) -> bool | None:
    """Whether a call's ``value`` passes the ``cmp`` condition; None when not a number."""
    if not _number(value):
        return None
    name, bound = condition
    return bool(_BY_NAME[name](value, bound))

"""API107 reachability through ``**options``: ``if options.get("copy_to"):``.

A callee that reads an optional keyword out of its ``**kwargs`` (``def save(invoice,
**options)``) takes such a branch only when the call passes that keyword: an omitted
keyword reads as ``None`` (or the literal default given to ``get``). The test becomes
a condition on a keyword-only parameter of that name with that default, checked against
each call like any other; a call that hands on ``**kw`` whole is unknown (the path may
run), as ``falsified`` already says.
"""

from __future__ import annotations

import ast
from typing import Any, Optional

from fastapi_lint.rules.argument_values import LITERAL_TYPES

# The key under which a function's parameter table records its ``**kwargs`` name
# (never a Python identifier, so no parameter can take it).
KWARGS = "**"


def kwargs_entry(args: ast.arguments) -> dict[str, tuple[Optional[int], Any]]:
    """The parameter-table entry for ``**kwargs`` (empty without one)."""
    return {KWARGS: (None, [args.kwarg.arg])} if args.kwarg is not None else {}


def kwargs_get_atom(
    test: ast.expr, params: dict[str, tuple[Optional[int], Any]]
) -> dict[str, Any] | None:
    """``options.get("key")`` / ``options.get("key", "")`` on the ``**kwargs`` dict: a truth
    test on the keyword ``key`` whose omitted value is ``None`` (or that literal)."""
    entry = params.get(KWARGS)
    if entry is None or not isinstance(test, ast.Call) or test.keywords:
        return None
    func = test.func
    if not (
        isinstance(func, ast.Attribute)
        and func.attr == "get"
        and isinstance(func.value, ast.Name)
        and func.value.id == entry[1][0]
        and 1 <= len(test.args) <= 2
    ):
        return None
    key = test.args[0]
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)) or key.value in params:
        return None
    default = None
    if len(test.args) == 2:
        fallback = test.args[1]
        if not (isinstance(fallback, ast.Constant) and isinstance(fallback.value, LITERAL_TYPES)):
            return None
        default = fallback.value
    return {"param": key.value, "index": None, "default": [default], "op": "truthy", "value": None}

"""``session.refresh(obj, ["books"])``: relationships loaded by name before they are read.

``refresh()`` with ``attribute_names`` loads those attributes, relationships included, with
their own SELECT: a read (API402) or a serialization (API403) of them afterwards loads
nothing more. A refresh without names reloads the columns only.
"""

from __future__ import annotations

import ast

from fastapi_lint.rules.nplusone.flow import span


def refresh_calls(within: ast.AST) -> list[ast.Call]:
    """The ``S.refresh(name, ...)`` calls in ``within`` (one walk: a caller asking
    about many reads in one loop keeps them)."""
    return [
        node
        for node in ast.walk(within)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "refresh"
        and node.args
        and isinstance(node.args[0], ast.Name)
    ]


def refreshed_attributes(
    within: ast.AST, name: str, before: ast.AST, calls: list[ast.Call] | None = None
) -> set[str]:
    """The attribute names ``S.refresh(name, [...])`` calls in ``within`` load before
    ``before`` (by source position); ``calls``: ``refresh_calls(within)`` if known."""
    found: set[str] = set()
    for node in refresh_calls(within) if calls is None else calls:
        first = node.args[0]
        if not (isinstance(first, ast.Name) and first.id == name and span(node) < span(before)):
            continue
        names = node.args[1] if len(node.args) > 1 else None
        for keyword in node.keywords:
            if keyword.arg == "attribute_names":
                names = keyword.value
        if isinstance(names, (ast.List, ast.Tuple, ast.Set)):
            found |= {
                e.value
                for e in names.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }
    return found

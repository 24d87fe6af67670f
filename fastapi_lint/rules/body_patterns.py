"""Key reads made by a ``match`` statement (API207): ``match payload:`` with a case
``{"kind": "ping", "url": str(url)}`` reads ``payload["kind"]`` and ``payload["url"]``
by hand, as a subscript would. ``case {**rest}`` names no key."""

from __future__ import annotations

import ast

# `ast.Match` exists from Python 3.10 on.
_MATCH: type | None = getattr(ast, "Match", None)


def matched_by_key(statement: ast.AST | None, subject: ast.AST) -> bool:
    """Whether ``statement`` is a ``match subject:`` with a case that reads keys."""
    if _MATCH is None or not isinstance(statement, _MATCH):
        return False
    if getattr(statement, "subject", None) is not subject:
        return False
    return any(_reads_keys(case.pattern) for case in getattr(statement, "cases", ()))


def _reads_keys(pattern: ast.AST | None) -> bool:
    kind = type(pattern).__name__
    if kind == "MatchMapping":
        return bool(getattr(pattern, "keys", ()))
    if kind == "MatchAs":  # `case {"id": _} as event`
        return _reads_keys(getattr(pattern, "pattern", None))
    if kind == "MatchOr":
        return any(_reads_keys(p) for p in getattr(pattern, "patterns", ()))
    return False

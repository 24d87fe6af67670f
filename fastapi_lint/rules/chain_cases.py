"""The ``case`` of a ``match`` statement as a condition on a callee's parameter (API107).

``match fmt: case "csv" | "jsonl": open(...)`` reads a file only when ``fmt`` is one of
those literals, like ``if fmt in ("csv", "jsonl"):`` does: a call that passes
``"json"`` never reaches the read. Only literal value patterns (and ``|`` of them)
on a parameter make a condition (a guard only narrows it further); a capture or a
class pattern leaves the path possible. Earlier cases only narrow further too, so
ignoring them keeps the answer on the side of "may run".
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

# `match` exists from Python 3.10 on.
_MATCH_CASE: Optional[type] = getattr(ast, "match_case", None)


def case_conditions(
    model: ModuleModel,
    function: FunctionInfo,
    node: ast.AST,
    params: dict[str, tuple[Optional[int], Any]],
) -> list[dict[str, Any]]:
    """The ``param in [values]`` conditions of the ``case`` blocks holding ``node``."""
    if _MATCH_CASE is None:
        return []
    found: list[dict[str, Any]] = []
    child = node
    for ancestor in model.ancestors(node):
        if ancestor is function.node:
            break
        if isinstance(ancestor, _MATCH_CASE) and any(
            child is s for s in getattr(ancestor, "body", [])
        ):
            match = model.parent(ancestor)
            subject = getattr(match, "subject", None)
            values = _literal_values(ancestor.pattern)  # type: ignore[attr-defined]
            if isinstance(subject, ast.Name) and subject.id in params and values is not None:
                index, default = params[subject.id]
                found.append(
                    {
                        "param": subject.id,
                        "index": index,
                        "default": default,
                        "op": "in",
                        "value": values,
                        "closed": True,
                        "expect": True,
                    }
                )
        child = ancestor
    return found


def _literal_values(pattern: ast.AST) -> list[str | int] | None:
    """``"csv"`` -> ["csv"]; ``"csv" | "jsonl"`` -> both; anything else: None."""
    kind = type(pattern).__name__
    if kind == "MatchValue":
        value = getattr(pattern, "value", None)
        if (
            isinstance(value, ast.Constant)
            and isinstance(value.value, (str, int))
            and not isinstance(value.value, bool)
        ):
            return [value.value]
        return None
    if kind == "MatchOr":
        values: list[str | int] = []
        for alternative in getattr(pattern, "patterns", []):
            found = _literal_values(alternative)
            if found is None:
                return None
            values.extend(found)
        return values
    return None

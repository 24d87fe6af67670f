"""API107 reachability through ``**options``: ``if options.get("copy_to"):``.

A callee that reads an optional keyword out of its ``**kwargs`` (``def save(invoice,
**options)``) takes such a branch only when the call passes that keyword: an omitted
keyword reads as ``None`` (or the literal default given to ``get``). The test becomes
a condition on a keyword-only parameter of that name with that default, checked against
each call like any other; a call that hands on ``**kw`` whole is unknown (the path may
run), as ``falsified`` already says. The keyword may be read into a local first
(``copy_to = options.get("copy_to")``, then ``if copy_to is not None:``).
"""

from __future__ import annotations

import ast
from typing import Any, Optional

from fastapi_lint.rules.argument_values import LITERAL_TYPES
from fastapi_lint.semantic.syntax import single_assignment

# The key under which a function's parameter table records its ``**kwargs`` name
# (never a Python identifier, so no parameter can take it).
KWARGS = "**"


def kwargs_entry(args: ast.arguments) -> dict[str, tuple[Optional[int], Any]]:
    """The parameter-table entry for ``**kwargs`` (empty without one)."""
    return {KWARGS: (None, [args.kwarg.arg])} if args.kwarg is not None else {}


def kwargs_get_atom(
    test: ast.expr, params: dict[str, tuple[Optional[int], Any]]
) -> dict[str, Any] | None:
    """``options.get("key")`` / ``options.get("key", "")`` (or ``pop`` with a default) on the
    ``**kwargs`` dict: a truth test on the keyword ``key`` whose omitted value is ``None``
    (or that literal)."""
    entry = params.get(KWARGS)
    keyword = _read_keyword(test, entry[1][0], params) if entry is not None else None
    if keyword is None:
        return None
    return {
        "param": keyword[0],
        "index": None,
        "default": [keyword[1]],
        "op": "truthy",
        "value": None,
    }


def kwargs_locals(
    function_node: ast.FunctionDef | ast.AsyncFunctionDef,
    params: dict[str, tuple[Optional[int], Any]],
) -> dict[str, tuple[str, Any]]:
    """Locals that hold one optional keyword: ``hook = options.get("hook")``.

    The assignment must be a statement of the function's own top level (it runs on every
    call, before any branch) and the only binding of that name, reading ``get(key)``,
    ``get(key, literal)`` or ``pop(key, literal)`` on the ``**kwargs`` dict; a test on the
    local (``if hook is not None:``, ``if not hook:``) is then a test on the keyword.
    Adds each such local to ``params`` as a keyword-only parameter with that default, and
    answers local name -> (keyword, its value when the call omits it): restate the
    conditions built on it with :func:`on_keywords`."""
    entry = params.get(KWARGS)
    if entry is None:
        return {}
    found: dict[str, tuple[str, Any]] = {}
    for stmt in function_node.body:
        assignment = single_assignment(stmt)
        if assignment is None:
            continue
        target, value = assignment
        if not isinstance(target, ast.Name) or target.id in params:
            continue
        keyword = _read_keyword(value, entry[1][0], params)
        if keyword is not None and not _filled_before(function_node, entry[1][0], keyword[0], stmt):
            found[target.id] = keyword
    if not found:
        return found
    stores: dict[str, int] = {}
    for node in ast.walk(function_node):
        # Bound again anywhere (a loop target, a later assignment, a nested function's
        # own local of that name) or declared `global`: the test may see another value.
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            stores[node.id] = stores.get(node.id, 0) + 1
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            stores.update({name: 2 for name in node.names})
    found = {name: keyword for name, keyword in found.items() if stores.get(name) == 1}
    params.update({local: (None, [default]) for local, (_, default) in found.items()})
    return found


def _read_keyword(
    value: ast.expr, kwargs_name: str, params: dict[str, tuple[Optional[int], Any]]
) -> tuple[str, Any] | None:
    if not (
        isinstance(value, ast.Call)
        and not value.keywords
        and isinstance(value.func, ast.Attribute)
        and isinstance(value.func.value, ast.Name)
        and value.func.value.id == kwargs_name
        and 1 <= len(value.args) <= 2
    ):
        return None
    method = value.func.attr
    if method not in ("get", "pop") or (method == "pop" and len(value.args) != 2):
        return None  # `pop(key)` without a default raises when the keyword is omitted
    key = value.args[0]
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)) or key.value in params:
        return None
    default = None
    if len(value.args) == 2:
        fallback = value.args[1]
        if not (isinstance(fallback, ast.Constant) and isinstance(fallback.value, LITERAL_TYPES)):
            return None
        default = fallback.value
    return key.value, default


def _filled_before(
    function_node: ast.FunctionDef | ast.AsyncFunctionDef,
    kwargs_name: str,
    key: str,
    stmt: ast.stmt,
) -> bool:
    """Whether the function may set that keyword itself before reading it: ``options[key] =``
    (that key or a computed one), ``options.setdefault(...)`` / ``options.update(...)``, or
    a new value for the dict's name."""
    for node in ast.walk(function_node):
        if getattr(node, "lineno", stmt.lineno) >= stmt.lineno:
            continue
        if (
            isinstance(node, ast.Name)
            and node.id == kwargs_name
            and isinstance(node.ctx, ast.Store)
        ):
            return True
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id == kwargs_name
        ):
            index = node.slice
            if not (isinstance(index, ast.Constant) and index.value != key):
                return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("setdefault", "update")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == kwargs_name
        ):
            return True
    return False


def on_keywords(
    conditions: list[dict[str, Any]], aliases: dict[str, tuple[str, Any]]
) -> list[dict[str, Any]]:
    """Conditions on a :func:`kwargs_locals` local, restated on the keyword it holds."""
    if not aliases:
        return conditions
    return [_on_keyword(atom, aliases) for atom in conditions]


def _on_keyword(atom: dict[str, Any], aliases: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    if atom["op"] in ("any", "all"):  # `if copy_to or notify:` (chain_conditions)
        return {**atom, "atoms": [_on_keyword(member, aliases) for member in atom["atoms"]]}
    return {**atom, "param": aliases[atom["param"]][0]} if atom["param"] in aliases else atom

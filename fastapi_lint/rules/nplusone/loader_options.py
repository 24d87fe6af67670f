"""Loader options on a query: which relationship paths ``.options(...)`` loads and how.

``loader_options`` reads ``selectinload(User.posts)``, chained loaders
(``joinedload(User.team).selectinload(Team.members)``), ``Load(User).options(...)``,
a starred list of options built in the function, and strategies that load nothing
(``load_only``, ``defer``...). Anything else makes the options opaque, and the N+1
rules stay silent on that query.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.nplusone.conditions import added_elements
from fastapi_lint.rules.nplusone.query_values import COVERING_STRATEGIES, Loaders

if TYPE_CHECKING:
    from fastapi_lint.rules.nplusone.flow import QueryFlow
    from fastapi_lint.semantic.scopes import Scope

# Options nested deeper than this are read as opaque.
MAX_CHAIN_DEPTH = 12
PATH_STRATEGIES = COVERING_STRATEGIES | frozenset({"defaultload", "lazyload"})
NEUTRAL_OPTIONS = frozenset(
    {
        "load_only",
        "defer",
        "undefer",
        "undefer_group",
        "with_expression",
        "selectin_polymorphic",
        "with_loader_criteria",
        "Load",
    }
)


def loader_options(flow: QueryFlow, args: list[ast.expr], scope: Scope) -> Loaders:
    entries: set[tuple[tuple[str, ...], str]] = set()
    for arg in args:
        if isinstance(arg, ast.Starred):
            elements = _literal_sequence(flow, arg.value, scope)
            if elements is None:
                return Loaders(frozenset(entries), opaque=True)
        else:
            elements = [arg]
        for element in elements:
            parsed = _loader_chain(flow, element, scope, 0)
            if parsed is None:
                return Loaders(frozenset(entries), opaque=True)
            entries.update(parsed[1])
    return Loaders(frozenset(entries))


def _literal_sequence(flow: QueryFlow, expr: ast.expr, scope: Scope) -> list[ast.expr] | None:
    if isinstance(expr, (ast.List, ast.Tuple)):
        return list(expr.elts)
    if isinstance(expr, ast.Name):
        binding = flow.binding_of(expr, scope)
        if binding is not None and isinstance(binding.value, (ast.List, ast.Tuple)):
            elements = list(binding.value.elts)
            if isinstance(binding.value, ast.List):
                added = added_elements(expr.id, binding.scope.node)
                if added is None:
                    return None
                elements.extend(added)
            return elements
    return None


def _loader_chain(
    flow: QueryFlow, expr: ast.expr, scope: Scope, depth: int
) -> tuple[tuple[str, ...], list[tuple[tuple[str, ...], str]]] | None:
    """(the path the chain ends at, its (path, strategy) entries), or None if unreadable."""
    if depth > MAX_CHAIN_DEPTH:
        return None
    if isinstance(expr, ast.Name):
        binding = flow.binding_of(expr, scope)
        if binding is not None and binding.value is not None and binding.unpack_index is None:
            return _loader_chain(flow, binding.value, binding.scope, depth + 1)
        return None
    if not isinstance(expr, ast.Call):
        return None
    func = expr.func
    base: tuple[str, ...] = ()
    entries: list[tuple[tuple[str, ...], str]] = []
    name: str | None = None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
        inner = _loader_chain(flow, func.value, scope, depth + 1)
        if inner is None:
            return None
        base, entries = inner
        name = func.attr
    else:
        qualname = flow.model.qualified_name(func, scope) or ""
        if qualname.startswith("sqlalchemy.") or qualname.startswith("sqlmodel."):
            name = qualname.rsplit(".", 1)[-1]
    if name is None:
        return None
    if name == "Load":
        return (), entries
    if name == "options":
        for arg in expr.args:
            sub = _loader_chain(flow, arg, scope, depth + 1)
            if sub is None:
                return None
            entries.extend((base + path, strategy) for path, strategy in sub[1])
        return base, entries
    if name in PATH_STRATEGIES:
        path = _relationship_path(expr.args)
        if path is None:
            return None
        full = base + path
        if path:
            entries.append((full, name))
        return full, entries
    if name in NEUTRAL_OPTIONS:
        return base, entries
    return None


def _relationship_path(args: list[ast.expr]) -> tuple[str, ...] | None:
    path: list[str] = []
    for arg in args:
        node = arg
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("of_type", "and_")
        ):
            node = node.func.value
        if isinstance(node, ast.Attribute):
            path.append(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            path.extend(part for part in node.value.split(".") if part)
        else:
            return None
    return tuple(path)

"""Legacy ``Query`` objects kept in a name and sent later (API401).

``query = db.query(Doc).filter(Doc.source_id == source.id)`` sends nothing where it
stands: the ``query.count()`` on the next line does, once per item of the loop around
both. The same holds for a query refined on the way (``q = q.filter(...)``), iterated
(``for row in q``, ``list(q)``) or built once before the loop and narrowed per item in it
(``base.filter(Doc.source_id == source.id).all()``). What counts for the loop variable is
every argument from the ``session.query(...)`` to the call that sends it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi_lint.rules.nplusone.flow import MAX_DEPTH, span
from fastapi_lint.semantic.scopes import BindingKind, ScopeKind

if TYPE_CHECKING:
    from fastapi_lint.rules.nplusone.flow import QueryFlow
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, Scope

# api401's `_query_runs(model, chain)` and `_chain_arguments(chain, stop)`, passed in
# because api401 imports this module.
RunsTest = Callable[["ModuleModel", ast.Call], bool]
ChainArguments = Callable[[ast.Call, ast.Call], list[ast.AST]]

_CONSUMERS = frozenset({"list", "tuple", "sorted", "set"})


@dataclass
class KeptRun:
    """One place the kept query is sent, with the arguments added on the way there."""

    node: ast.AST  # the outermost call that sends it, or the name a loop iterates
    arguments: list[ast.AST] = field(default_factory=list)


def kept_query_runs(
    model: ModuleModel,
    flow: QueryFlow,
    chain: ast.Call,
    scope: Scope,
    runs: RunsTest,
    chain_arguments: ChainArguments,
) -> list[KeptRun]:
    """Where a legacy Query chain assigned to a plain name is sent later in the same
    function: each run with the arguments of the refinements (``q = q.filter(...)``) and of
    the running chain that lead to it. ``[]`` when the chain is not kept in a name or the
    name is never run there (returned, handed to a helper, used as a subquery)."""
    binding = _assigned_binding(model, chain, scope)
    if binding is None:
        return []
    found: list[KeptRun] = []
    pending: list[tuple[Binding, list[ast.AST]]] = [(binding, [])]
    seen: set[int] = set()
    while pending and len(seen) <= MAX_DEPTH:
        current, inherited = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for load in _loads(model, flow, current):
            outer = outer_chain(model, load)
            added = inherited + _arguments(outer, load, chain_arguments)
            refined = _assigned_binding(model, outer, scope) if outer is not load else None
            if refined is not None and refined.name == current.name:
                pending.append((refined, added))  # `q = q.filter(...)`: follow the new value
                continue
            if _sent(model, outer, runs):
                found.append(KeptRun(outer, added))
    return found


def _arguments(outer: ast.AST, load: ast.Name, chain_arguments: ChainArguments) -> list[ast.AST]:
    """Arguments of the method calls between the kept name and ``outer``."""
    if outer is load or not isinstance(outer, ast.Call):
        return []
    innermost = outer
    while isinstance(innermost.func, ast.Attribute) and isinstance(innermost.func.value, ast.Call):
        innermost = innermost.func.value
    return chain_arguments(outer, innermost)


def _assigned_binding(model: ModuleModel, value: ast.AST, scope: Scope) -> Binding | None:
    """The local binding of ``name = value`` (one plain name target, in a function)."""
    statement = model.parent(value)
    if isinstance(statement, ast.Assign):
        if len(statement.targets) != 1 or statement.value is not value:
            return None
        target = statement.targets[0]
    elif isinstance(statement, ast.AnnAssign) and statement.value is value:
        target = statement.target
    else:
        return None
    if not isinstance(target, ast.Name) or scope.kind is not ScopeKind.FUNCTION:
        return None
    for binding in scope.bindings.get(target.id, []):
        if binding.kind is BindingKind.ASSIGN and binding.value is value:
            return binding
    return None


def _loads(model: ModuleModel, flow: QueryFlow, binding: Binding) -> list[ast.Name]:
    """Reads of ``binding`` in its own function body (not in nested functions)."""
    after = span(binding.node)
    loads: list[ast.Name] = []
    for node in ast.walk(binding.scope.node):
        if not (
            isinstance(node, ast.Name)
            and node.id == binding.name
            and isinstance(node.ctx, ast.Load)
            and span(node) > after
        ):
            continue
        if _in_nested_function(model, node, binding.scope.node):
            continue
        if flow.binding_of(node, binding.scope) is binding:
            loads.append(node)
    return loads


def _in_nested_function(model: ModuleModel, node: ast.AST, function: ast.AST) -> bool:
    for ancestor in model.ancestors(node):
        if ancestor is function:
            return False
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return True
    return False


def outer_chain(model: ModuleModel, node: ast.AST) -> ast.AST:
    """The outermost call of the method chain ``node.filter(...).all()`` starts."""
    current = node
    while True:
        parent = model.parent(current)
        if isinstance(parent, ast.Attribute) and parent.value is current:
            grand = model.parent(parent)
            if isinstance(grand, ast.Call) and grand.func is parent:
                current = grand
                continue
        return current


def _sent(model: ModuleModel, outer: ast.AST, runs: RunsTest) -> bool:
    """Whether the query reaches the database at ``outer``: a running method
    (``.count()``, ``.all()``), iterated by a loop or comprehension, or read whole by
    ``list(...)``."""
    if isinstance(outer, ast.Call):
        return runs(model, outer)
    parent = model.parent(outer)
    if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is outer:
        return True
    if isinstance(parent, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)) and any(
        generator.iter is outer for generator in parent.generators
    ):
        return True  # `[row.id for row in rows]`
    return (
        isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Name)
        and parent.func.id in _CONSUMERS
        and outer in parent.args
    )

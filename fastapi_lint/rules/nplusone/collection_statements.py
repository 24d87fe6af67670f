"""API401: a statement built from a row's relationship collection is per row, not per table.

``select(func.count()).select_from(plan.subscriptions.select().subquery())`` counts the
subscriptions of one plan: the loop variable reaches ``select_from`` (which otherwise marks a
loop over tables, ``for model in MODELS: select_from(model)``) through a relationship of the
row the loop binds, so each iteration queries that row's children: an N+1.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from fastapi_lint.rules.nplusone.loops import iterable_scope

if TYPE_CHECKING:
    from fastapi_lint.rules.nplusone.flow import QueryFlow
    from fastapi_lint.rules.nplusone.loops import Loop
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


def reads_row_collection(
    model: ModuleModel,
    flow: QueryFlow,
    loop: Loop,
    exprs: Sequence[ast.AST],
    scope_of: Callable[[ast.Name, Scope], Scope],
    scope: Scope,
) -> bool:
    """Whether ``exprs`` read ``row.relationship`` where ``row`` is the loop's ORM row."""
    if loop.iterable is None:
        return False
    relationships = _element_relationships(model, flow, loop)
    if not relationships:
        return False
    for expr in exprs:
        for node in ast.walk(expr):
            if not (
                isinstance(node, ast.Attribute)
                and node.attr in relationships
                and isinstance(node.value, ast.Name)
            ):
                continue
            binding = flow.binding_of(node.value, scope_of(node.value, scope))
            if binding is not None and binding.node is loop.node:
                return True
    return False


def _element_relationships(model: ModuleModel, flow: QueryFlow, loop: Loop) -> frozenset[str]:
    assert loop.iterable is not None
    element = flow.element(loop.iterable, iterable_scope(model, loop))
    if element is None or element.model is None:
        return frozenset()
    orm = flow.orm_model(element.model)
    return frozenset(orm.relationships) if orm is not None else frozenset()

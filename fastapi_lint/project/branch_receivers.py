"""Receivers bound to different classes in different branches.

Simple flow types a name by one of its assignments, so ``runner.run_job()``
after ``if lint: runner = LintRunner() else: runner = DocsRunner()`` reads as
a call of one class' method only. A caller search asks whether the call may
run a given method: every class the name is assigned in its scope counts
(``asyncio.run(runner.run_job(...))`` runs either one).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.values import Instance

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

__all__ = ["branch_targets"]


def branch_targets(model: ModuleModel, node: ast.AST, scope: Scope) -> frozenset[str]:
    """The methods ``name.attr`` may call when ``name`` is assigned instances of
    several types in its scope (``{"LintRunner.run_job", "DocsRunner.run_job"}``);
    empty for any other node or a name with one assignment."""
    if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Name):
        return frozenset()
    binding = model.lookup(node.value.id, scope)
    if binding is None:
        return frozenset()
    bindings = binding.scope.bindings.get(node.value.id, [])
    if len(bindings) < 2:
        return frozenset()
    targets = set()
    for candidate in bindings:
        if candidate.kind is not BindingKind.ASSIGN:
            continue
        value = model.binding_value(candidate)
        if isinstance(value, Instance):
            targets.add(f"{value.type}.{node.attr}")
    return frozenset(targets) if len(targets) > 1 else frozenset()

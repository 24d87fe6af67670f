"""The conditions around a statement inside its function: which ``if`` (or conditional
expression) branches it sits in. Shared by the guards that ask whether a blocking call
runs once, only in debugging, or only when a package is missing."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo


def if_ancestors(
    model: ModuleModel, function: FunctionInfo, node: ast.AST
) -> list[tuple[ast.If | ast.IfExp, ast.AST]]:
    """The ``if`` statements and conditional expressions around ``node`` (not through their
    test), each with its child on the way to ``node``: ``base.copy() if base is not None
    else Context()`` guards ``base.copy()`` like an ``if`` does."""
    found: list[tuple[ast.If | ast.IfExp, ast.AST]] = []
    child = node
    for ancestor in model.ancestors(node):
        if ancestor is function.node:
            break
        if isinstance(ancestor, (ast.If, ast.IfExp)) and child is not ancestor.test:
            found.append((ancestor, child))
        child = ancestor
    return found


def in_body(ancestor: ast.If | ast.IfExp, child: ast.AST) -> bool:
    """Whether ``child`` is in the branch that runs when the test is true."""
    if isinstance(ancestor, ast.IfExp):
        return child is ancestor.body
    return any(child is stmt for stmt in ancestor.body)


def guarding_ifs(model: ModuleModel, function: FunctionInfo, node: ast.AST) -> Iterator[ast.If]:
    """The ``if`` statements whose true branch holds ``node``, innermost first."""
    return ifs_guarding_within(model, function.node, node)


def ifs_guarding_within(model: ModuleModel, outer: ast.AST, node: ast.AST) -> Iterator[ast.If]:
    """The ``if`` statements inside ``outer`` (a function, an ``except`` clause) whose true
    branch holds ``node``, innermost first."""
    child = node
    for ancestor in model.ancestors(node):
        if ancestor is outer:
            return
        if isinstance(ancestor, ast.If) and any(child is stmt for stmt in ancestor.body):
            yield ancestor
        child = ancestor


def short_circuit_tests(
    model: ModuleModel, function: FunctionInfo, node: ast.AST
) -> list[tuple[ast.expr, bool]]:
    """The operands that must be true (``True``) or false (``False``) for ``node`` to run
    because an ``and``/``or`` before it short-circuits: in ``if verify and not
    reachable(url):`` the call runs only when ``verify`` is true, in ``ok = offline or
    reachable(url)`` only when ``offline`` is false."""
    found: list[tuple[ast.expr, bool]] = []
    child = node
    for ancestor in model.ancestors(node):
        if ancestor is function.node:
            break
        if isinstance(ancestor, ast.BoolOp):
            index = next((i for i, value in enumerate(ancestor.values) if value is child), 0)
            truthy = isinstance(ancestor.op, ast.And)
            found.extend((value, truthy) for value in ancestor.values[:index])
        child = ancestor
    return found

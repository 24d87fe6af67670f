"""Whether only administrators reach a statement of a route (API306, API509).

A route that only an administrator can call is not "any client" (API509: the
operator reading an error's text is not an information leak) and it is not a
hot path (API306: a pool built by an admin's "test connection" button is built
a few times a day).  A maintainer would not change those lines, so the rules
stay silent there.  Admin-only is read from the code, never from the route's
name or path:

- a dependency of the route (a ``Depends``/``Security`` parameter, an
  ``Annotated`` alias, ``dependencies=[...]``) whose name says it returns an
  administrator (``get_admin_user``, ``get_current_active_superuser``), that is
  built for one (``current_user(superuser=True)``, ``require_role("admin")``),
  or whose body (any module of the project, through its own dependencies)
  refuses everyone else: ``if user.role != "admin": raise HTTPException(403)``;
- a dependency of every router and app that serves the route
  (``APIRouter(dependencies=[Depends(get_admin_user)])``, ``include_router(...,
  dependencies=[...])``), read from the route table by its name;
- a guard that runs before the statement in the route itself: the same
  ``if <not admin>: raise``, or a call to a project helper whose body is one
  (``_check_admin_permission(user)``).

A test denies non-administrators when it is ``x != <admin>``/``x not in
(<admin>, ...)``, ``not <admin>`` (``not user.is_superuser``,
``not is_admin(user)``), an ``or`` with such a part, or an ``and`` whose every
part is one: ``role != "admin" and not has_permission(...)`` also lets
permitted users in, so it is not admin-only.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.rules.function_facts import function_fact
from fastapi_lint.semantic.syntax import SCOPE_NODES, last_name
from fastapi_lint.semantic.values import Ref

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

# "admin", "administrator", "superuser", "is_superuser", "PROXY_ADMIN".
_ADMIN_WORD = lazy_compile(r"admin|superuser", re.IGNORECASE)
# Helpers called for their side effect of refusing a request.
_GUARD_VERBS = ("check", "require", "ensure", "verify", "assert", "_check", "_require", "_ensure")
_MAX_DEPTH = 3


def admin_only(model: ModuleModel, function: FunctionInfo, node: ast.AST) -> bool:
    """Whether only administrators get to ``node`` (a statement or expression of ``function``)."""
    return (
        _admin_dependency(model, function, 0)
        or _guard_dominates(model, function, node)
        or _served_to_admins_only(model, function)
    )


def _served_to_admins_only(model: ModuleModel, function: FunctionInfo) -> bool:
    """Every app serves the route behind an administrator dependency of its router or app.

    ``APIRouter(dependencies=[Depends(get_admin_user)])``, or
    ``app.include_router(router, dependencies=[Depends(require_superuser)])`` in
    another module: the route table joins the dependencies of every include.
    """
    from fastapi_lint.project.routes import route_table_for

    registrations = [r.registration.lineno for r in model.fastapi.routes if r.function is function]
    if not registrations:
        return False
    table = route_table_for(model)
    if table is None:
        return False
    served = [s for line in registrations for s in table.served(model.module_name, line)]
    return bool(served) and all(
        any(_ADMIN_WORD.search(label) for label in route.dependencies) for route in served
    )


# ---------------------------------------------------------------- tests that refuse non-admins
def _mentions_admin(node: ast.AST) -> bool:
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            text = child.id
        elif isinstance(child, ast.Attribute):
            text = child.attr
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            text = child.value
        else:
            continue
        if _ADMIN_WORD.search(text):
            return True
    return False


def _denies_non_admin(test: ast.expr) -> bool:
    if isinstance(test, ast.BoolOp):
        parts = [_denies_non_admin(value) for value in test.values]
        return any(parts) if isinstance(test.op, ast.Or) else all(parts)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _mentions_admin(test.operand) and not isinstance(test.operand, ast.UnaryOp)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        return isinstance(test.ops[0], (ast.NotEq, ast.NotIn, ast.IsNot)) and _mentions_admin(test)
    return False


def _refuses(body: list[ast.stmt]) -> bool:
    """The block ends the request: it raises (``HTTPException(403)``, ``PermissionError``)."""
    return any(isinstance(statement, ast.Raise) for statement in body)


# ---------------------------------------------------------------- guards in a function body
def _is_guard(
    model: ModuleModel,
    statement: ast.stmt,
    scope: Scope,
    depth: int,
    holds: Callable[[ast.expr], bool] | None = None,
) -> bool:
    """A statement that refuses non-administrators.  ``holds`` tells which conditions are
    known true where the guarded code runs: ``if idx is not None and role != "admin": raise``
    makes the ``else`` branch of ``if idx is None:`` admin-only."""
    if isinstance(statement, ast.If):
        if not _refuses(statement.body):
            return False
        test = statement.test
        if _denies_non_admin(test):
            return True
        if holds is None or not (isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And)):
            return False
        denials = [_denies_non_admin(value) for value in test.values]
        return any(denials) and all(
            denied or holds(value) for denied, value in zip(denials, test.values)
        )
    value: ast.expr | None = None
    if isinstance(statement, ast.Expr):
        value = statement.value
    elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
        value = statement.value
    if isinstance(value, ast.Await):
        value = value.value
    if not isinstance(value, ast.Call):
        return False
    return _guard_helper(model, value, scope, depth)


def _guard_helper(model: ModuleModel, call: ast.Call, scope: Scope, depth: int) -> bool:
    """A call to a helper that refuses non-administrators (its body starts with a guard)."""
    func = call.func
    name = last_name(func)
    qualname = model.call_target(call, scope)
    if qualname is not None and depth < _MAX_DEPTH:
        if _function_guards(model, qualname, depth + 1):
            return True
    # An unresolvable `require_admin(user)` called only for its effect.
    return bool(name) and name.lower().startswith(_GUARD_VERBS) and bool(_ADMIN_WORD.search(name))


def _function_guards(model: ModuleModel, qualname: str, depth: int) -> bool:
    """Whether a project function refuses non-administrators before anything else it does."""
    return function_fact(model, "admin-guard", qualname, _body_guards, depth)


def _body_guards(model: ModuleModel, function: FunctionInfo, depth: int) -> bool:
    if _admin_dependency(model, function, depth):
        return True
    return any(_is_guard(model, s, function.scope, depth) for s in function.node.body)


def _guard_dominates(model: ModuleModel, function: FunctionInfo, node: ast.AST) -> bool:
    """A guard runs before ``node`` on every path: it precedes, in the same block, ``node``
    or a block holding it (the ``try`` body counts for its ``except`` clauses)."""

    def holds(condition: ast.expr) -> bool:
        """``condition`` is true at ``node``: it sits in ``if condition:`` or in the ``else``
        of its negation (``if idx is None: ... else: <node>``)."""
        inner = node
        for ancestor in model.ancestors(node):
            if isinstance(ancestor, ast.If):
                if any(s is inner for s in ancestor.body) and _same(ancestor.test, condition):
                    return True
                if any(s is inner for s in ancestor.orelse) and _negation(ancestor.test, condition):
                    return True
            if ancestor is function.node:
                return False
            inner = ancestor
        return False

    child = node
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, ast.ExceptHandler):
            try_node = model.parent(ancestor)
            if isinstance(try_node, ast.Try) and any(
                _is_guard(model, s, function.scope, 0) for s in try_node.body
            ):
                return True
        for field in ("body", "orelse", "finalbody"):
            block = getattr(ancestor, field, None)
            if not isinstance(block, list) or not any(s is child for s in block):
                continue
            for statement in block:
                if statement is child:
                    break
                if isinstance(statement, ast.stmt) and _is_guard(
                    model, statement, function.scope, 0, holds
                ):
                    return True
        if ancestor is function.node or isinstance(ancestor, SCOPE_NODES):
            return False
        child = ancestor
    return False


def _same(a: ast.expr, b: ast.expr) -> bool:
    return ast.dump(a) == ast.dump(b)


_NEGATED_OPS = {ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}


def _negation(a: ast.expr, b: ast.expr) -> bool:
    """``a`` is ``not b``: ``x is None`` / ``x is not None``, ``not c`` / ``c``."""
    if isinstance(a, ast.UnaryOp) and isinstance(a.op, ast.Not):
        return _same(a.operand, b)
    if isinstance(b, ast.UnaryOp) and isinstance(b.op, ast.Not):
        return _same(b.operand, a)
    if (
        isinstance(a, ast.Compare)
        and isinstance(b, ast.Compare)
        and len(a.ops) == len(b.ops) == 1
        and _NEGATED_OPS.get(type(a.ops[0])) is type(b.ops[0])
    ):
        return _same(a.left, b.left) and _same(a.comparators[0], b.comparators[0])
    return False


# ---------------------------------------------------------------- dependencies
def _admin_dependency(model: ModuleModel, function: FunctionInfo, depth: int) -> bool:
    for use in model.fastapi.dependencies:
        if use.consumer is not function or use.target is None:
            continue
        if _admin_target(model, use.target, use.scope, depth):
            return True
    return False


def _admin_target(model: ModuleModel, target: ast.expr, scope: Scope, depth: int) -> bool:
    if isinstance(target, ast.Call):
        # `current_user(active=True, superuser=True)`, `require_role("admin")`,
        # `RoleChecker(["admin"])`: built for administrators.
        for keyword in target.keywords:
            if (
                keyword.arg is not None
                and _ADMIN_WORD.search(keyword.arg)
                and isinstance(keyword.value, ast.Constant)
                and keyword.value.value is True
            ):
                return True
        return any(_only_admin_values(argument) for argument in target.args)
    name = last_name(target)
    if name and _ADMIN_WORD.search(name):
        return True  # `get_admin_user`, `get_current_active_superuser`, `admin_required`
    if depth >= _MAX_DEPTH:
        return False
    value = model.evaluate(target, scope)
    if isinstance(value, Ref):
        return _function_guards(model, value.qualname, depth + 1)
    return False


def _only_admin_values(node: ast.expr) -> bool:
    """``"admin"`` or ``["admin", "superuser"]``: every string names an administrator role."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return bool(node.elts) and all(_only_admin_values(e) for e in node.elts)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_ADMIN_WORD.search(node.value))
    if isinstance(node, ast.Attribute):
        return bool(_ADMIN_WORD.search(node.attr))  # `Role.ADMIN`
    return False

"""Branches a registering call's result decides: ``if not mount_ui(app):``.

A project function that registers routes on the app it is given may say
whether it did::

    def mount_web_ui(app: FastAPI) -> bool:
        if not (DIST / "index.html").is_file():
            return False
        @app.get("/")
        async def index() -> FileResponse: ...
        return True

    has_ui = mount_web_ui(app)
    if not has_ui:
        @app.get("/")             # only when mount_web_ui registered nothing
        async def root() -> dict[str, str]: ...
    else:
        @app.get("/api/ui")       # only when it did: after its routes
        async def ui_status() -> dict[str, bool]: ...

When every way out of the function after it first touches the app returns a
truthy literal (and it cannot fall off its end), its routes exist only where
the result is truthy. The include of those routes is then placed in the
truthy branch of each ``if has_ui:`` / ``if not has_ui:`` of the caller, as
if written inside it, and the route table's exclusive-branch test
(``routes._exclusive``) keeps the ``not has_ui`` routes from being compared
with them. Routes in the truthy branch are compared as before.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from fastapi_lint.semantic.syntax import own_nodes, single_assignment

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel


def implied_branches(
    model: ModuleModel, call: ast.Call, statement: ast.stmt, callee: Any, param: str
) -> list[str]:
    """Branch tokens (``if:line:col:body|orelse``) of the caller's tests on the name
    ``statement`` assigns ``call``'s result to, that the callee's registrations on
    ``param`` imply; empty when unsure."""
    name = _result_name(statement, call)
    if name is None or not _registers_only_when_truthy(callee.node, param):
        return []
    block = _enclosing_block(model, statement)
    if block is None or _assignments(block, name) != 1:
        return []
    tokens: list[str] = []
    for node in own_nodes(_body(block)):
        if not isinstance(node, ast.If) or node.lineno <= statement.lineno:
            continue
        test = node.test
        if isinstance(test, ast.Name) and test.id == name:
            branch = "body"
        elif (
            isinstance(test, ast.UnaryOp)
            and isinstance(test.op, ast.Not)
            and isinstance(test.operand, ast.Name)
            and test.operand.id == name
        ):
            branch = "orelse"
        else:
            continue
        tokens.append(f"if:{node.lineno}:{node.col_offset}:{branch}")
    return tokens


def _result_name(statement: ast.stmt, call: ast.Call) -> str | None:
    """``x = f(app)`` / ``x = await f(app)`` / ``x: bool = f(app)``: ``x``."""
    assignment = single_assignment(statement)
    if assignment is None:
        return None
    target, value = assignment
    if isinstance(value, ast.Await):
        value = value.value
    if value is not call or not isinstance(target, ast.Name):
        return None
    return target.id


def _registers_only_when_truthy(function: ast.AST, param: str) -> bool:
    """Every return after the first use of ``param`` returns a truthy literal, and
    the body ends in such a return (no implicit ``None`` after registering)."""
    body = getattr(function, "body", None)
    if not isinstance(body, list) or not body or not isinstance(body[-1], ast.Return):
        return False
    uses = [
        node.lineno
        for node in ast.walk(function)
        if isinstance(node, ast.Name) and node.id == param and isinstance(node.ctx, ast.Load)
    ]
    if not uses:
        return False
    first_use = min(uses)
    for node in own_nodes(body):
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(node, ast.Return) and node.lineno > first_use and not _truthy(node.value):
            return False
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and _loop_may_return_after_use(
            node, param
        ):
            return False
    return True


def _loop_may_return_after_use(loop: ast.AST, param: str) -> bool:
    """A loop that uses ``param`` and has a falsy return: a later iteration may
    return it after an earlier one registered."""
    uses_param = any(isinstance(n, ast.Name) and n.id == param for n in ast.walk(loop))
    return uses_param and any(
        isinstance(n, ast.Return) and not _truthy(n.value) for n in own_nodes([loop])
    )


def _truthy(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant) and value.value is not None and bool(value.value)


def _enclosing_block(model: ModuleModel, statement: ast.stmt) -> ast.AST | None:
    """The function (or the module) whose body runs ``statement``."""
    for ancestor in model.ancestors(statement):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            return ancestor
        if isinstance(ancestor, (ast.ClassDef, ast.Lambda)):
            return None
    return model.tree


def _body(block: ast.AST) -> list[ast.stmt]:
    body = getattr(block, "body", None)
    return body if isinstance(body, list) else []


def _assignments(block: ast.AST, name: str) -> int:
    """How often ``name`` is bound in the block (assignments, loops, ``with``, ...)."""
    count = 0
    for node in own_nodes(_body(block)):
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            count += 1
        elif isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return 2  # bound elsewhere too
    return count

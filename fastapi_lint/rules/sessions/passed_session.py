"""A session parameter that declares ``Depends(get_db)`` but always receives the caller's session.

An async helper written like a dependency (``async def search(q: str, db: Session =
Depends(get_db))``) that no route decorates and no ``Depends(...)`` names is never called
by FastAPI: its default is dead code. The project calls it directly, and when every call
passes the session (``return await search(q, db)`` from a route), the session it uses is
the calling route's, already reported at the route's parameter. API301 is reported once
per session (RULES.md, Revision 2): not again in the helper.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.mentioning_modules import modules_mentioning

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo


def session_passed_by_callers(model: ModuleModel, function: FunctionInfo, arg: ast.arg) -> bool:
    """Whether every use of ``function`` in the project is a direct call passing ``arg``
    (and there is at least one): FastAPI never fills the parameter."""
    if (
        function.is_method
        or function.parent_function is not None
        or function.node.decorator_list
        or model.fastapi.routes_of(function)
        or function.qualname in model.fastapi.dependency_functions
    ):
        return False
    args = function.node.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    position = positional.index(arg.arg) if arg.arg in positional else None
    modules = modules_mentioning(model, function.name)
    if modules is None:
        return False
    calls = 0
    for other in modules:
        for ref in other.nodes[ast.Name]:
            node = ref.node
            assert isinstance(node, ast.Name)
            if node.id != function.name or not isinstance(node.ctx, ast.Load):
                continue
            call = other.parent(node)
            if isinstance(call, ast.Call) and call.func is node:
                if other.call_target(call, ref.scope) != function.qualname:
                    continue
                if not _passes(call, position, arg.arg):
                    return False
                calls += 1
            elif other.qualified_name(node, ref.scope) == function.qualname:
                return False  # passed as a value: `Depends(search)`, `add_api_route(..., search)`
    return calls > 0


def _passes(call: ast.Call, position: int | None, keyword: str) -> bool:
    if any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    ):
        return True  # `*args` / `**kwargs` forwarded: the caller's values, session included
    if position is not None and position < len(call.args):
        return True
    return any(k.arg == keyword for k in call.keywords)

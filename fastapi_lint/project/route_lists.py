"""``for router in get_routers(): app.include_router(router)``: the routers a project
function returns as a list or tuple literal (or a module-level name holding one), read
like a loop over the literal itself."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.project.route_modules import ModuleRoutes
    from fastapi_lint.semantic.scopes import Scope


def returned_routers(routes: ModuleRoutes, call: ast.Call, scope: Scope, depth: int) -> list[str]:
    """The routers listed by every ``return`` of the project function ``call`` runs."""
    found = routes._callee(call, scope)
    if found is None:
        return []
    owner, info = found
    reader = routes if owner is routes.model else type(routes)(owner)
    keys: list[str] = []
    for ref in owner.nodes[ast.Return]:
        value = getattr(ref.node, "value", None)
        if ref.scope.code_function is not info or value is None:
            continue
        for key in reader._listed_routers(value, ref.scope, depth + 1):
            if key not in keys:
                keys.append(key)
    return keys

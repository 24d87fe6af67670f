"""``app.mount(path, sub_app)``: the apps a mount serves under its path.

The sub-app keeps its own dependencies and schema (FastAPI passes none down). It is
a name for an app or router of the project, or a call to a project factory that
builds and returns one (``app.mount("/legacy", create_legacy_app())``), read like
``include_router(create_v1_router())``.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.project.route_modules import ModuleRoutes
    from fastapi_lint.semantic.scopes import Scope


def mounted(
    routes: ModuleRoutes, call: ast.Call, scope: Scope
) -> tuple[str, list[str], list[list[str]]] | None:
    """(parent, mounted apps, path pieces) of a mount call on a project app or router."""
    func = call.func
    assert isinstance(func, ast.Attribute)
    parent = routes.router_key(func.value, scope)
    if parent is None or routes._router_kind(func.value, scope) is None:
        return None
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    path = call.args[0] if call.args else keywords.get("path")
    app = call.args[1] if len(call.args) > 1 else keywords.get("app")
    if path is None or app is None:
        return None
    if isinstance(app, ast.Call):
        # A factory handing back its parameter (`wrap(app)`) is not an app of its own.
        children = [key for key in routes._returned_routers(app, scope) if "(" not in key]
    elif routes._router_kind(app, scope) is not None:
        key = routes.router_key(app, scope)
        children = [key] if key is not None else []
    else:
        children = []
    if not children:
        return None
    pieces = routes._pieces(path, scope)
    if pieces and pieces[-1][0] == "lit":
        # Starlette's `Mount` drops the path's trailing slash: `mount("/", sub)` serves
        # `sub`'s `/teams` at `/teams`, not `//teams`.
        pieces[-1][1] = pieces[-1][1].rstrip("/")
        if not pieces[-1][1]:
            pieces.pop()
    return parent, children, pieces

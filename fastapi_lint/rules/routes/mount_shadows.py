"""API203: a route an app registers after a ``mount()`` whose path takes its requests.

Starlette tries an app's routes in registration order and a ``Mount`` is one of them: it
takes every request under its path, whatever the method (``app.mount("/static",
StaticFiles(...))`` answers ``GET /static/manifest.json`` with the file server's 404;
``app.mount("/", StaticFiles(html=True))`` takes every path). A route the same app
registers later under that path is never called (API204 instead when the mounted app
serves the same path: an exact duplicate is API204 only). Compared: a mount and the routes
decorated on the same app in the same function or module body (where the registration
order is the order of the statements), not in branches that exclude each other, nor
after an ``if`` whose branch mounts and then leaves the function (``if index.is_file():
app.mount("/", StaticFiles(...)); return`` then ``@app.get("/")`` as the fallback page: only
one of the two is registered). Mounts on an ``APIRouter`` are left alone: ``include_router``
copies routes, not mounts.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi_lint.rules import route_paths
from fastapi_lint.rules.routes._common import keyword_argument
from fastapi_lint.rules.routes.conflicts import (
    branch_returns_before,
    code_block,
    exclusive,
    registration_order,
    statement_of,
)

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.fastapi import RouteInfo
    from fastapi_lint.semantic.model import ModuleModel


@dataclass(frozen=True)
class _Mount:
    app: str  # the app's router key
    path: str  # as written, without its trailing slash
    call: ast.Call


def _mounts(model: ModuleModel) -> list[_Mount]:
    found: list[_Mount] = []
    for ref in model.calls:
        call = ref.node
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "mount"
        ):
            continue
        router = model.fastapi.router_of(call.func.value, ref.scope)
        if router is None or not router.is_app:
            continue
        path_node = call.args[0] if call.args else keyword_argument(call, "path")
        if not (isinstance(path_node, ast.Constant) and isinstance(path_node.value, str)):
            continue
        path = path_node.value.rstrip("/")
        if "{" in path or (path and not path.startswith("/")):
            continue  # a mount with parameters: which requests it takes is not plain
        found.append(_Mount(router.key, path, call))
    return found


def _covering_mount(model: ModuleModel, route: RouteInfo, mounts: list[_Mount]) -> _Mount | None:
    if route.path is None or not route.router.is_app:
        return None
    statement = statement_of(model, route)
    block = code_block(model, statement)
    order = registration_order(route)
    for mount in mounts:
        if mount.app != route.router.key:
            continue
        if (mount.call.lineno, 1, mount.call.col_offset) >= order:
            continue
        if code_block(model, mount.call) is not block or exclusive(model, mount.call, statement):
            continue
        if branch_returns_before(model, mount.call, statement):
            continue  # the mount's branch returns: the route below is the other choice
        if route_paths.covers(mount.path + "/{mounted_path:path}", route.path):
            return mount
    return None


def check_mount_shadows(model: ModuleModel, reporter: Reporter, routes: list[RouteInfo]) -> None:
    mounts = _mounts(model)
    if not mounts:
        return
    # A route that repeats one the mounted app serves is an exact duplicate: API204 only.
    duplicates = {d.line for d in reporter.diagnostics if d.code == "API204"}
    for route in routes:
        node = route.function.node
        if node.lineno in duplicates:
            continue
        mount = _covering_mount(model, route, mounts)
        if mount is None:
            continue
        reporter.report(
            "API203",
            node,
            line=node.lineno,
            col=node.col_offset,
            route=route.display,
            earlier=f"the mount at `{mount.path or '/'}`",
            where=f"line {mount.call.lineno}",
        )

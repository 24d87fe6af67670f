"""API203/API204 across routers: routes compared as the app serves them.

The per-module check (``routes._check_conflicts``) compares the routes of one
router registered in one module. This one compares every other pair that ends
up on the same app: routers of different modules, a router and the app,
nested routers, once their prefixes are joined (``project/routes.py``). A pair
is compared only when the table knows which of the two is registered first
(``ServedRoute.order_against``): when unsure, silent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from fastapi_lint.project.routes import RouteTable, ServedRoute, route_table_for
from fastapi_lint.rules import route_paths
from fastapi_lint.semantic.memo import MemoKey

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.fastapi import RouteInfo
    from fastapi_lint.semantic.model import ModuleModel


def comparable_paths(first: ServedRoute, second: ServedRoute) -> Optional[tuple[str, str]]:
    """The two full paths, or what differs after an identical non-literal prefix;
    None when a non-literal part leaves the comparison unsure."""
    a, b = list(first.pieces), list(second.pieces)
    same = 0
    while same < min(len(a), len(b)) - 1 and a[same] == b[same]:
        same += 1
    rest_a, rest_b = a[same:], b[same:]
    if any(kind != "lit" for kind, _ in rest_a + rest_b):
        return None
    return "".join(text for _, text in rest_a), "".join(text for _, text in rest_b)


def _may_match(first: str, second: str) -> bool:
    """Cheap necessary condition for sharing a URL: one literal start is a prefix of the other."""
    a, b = first.split("{", 1)[0], second.split("{", 1)[0]
    return a.startswith(b) or b.startswith(a)


_BY_APP: MemoKey[dict[str, list[ServedRoute]]] = MemoKey("by-app")


def _app_index(table: RouteTable) -> dict[str, list[ServedRoute]]:
    index = table.memo.get(_BY_APP)
    if index is None:
        index = {}
        for route in table.routes:
            index.setdefault(route.app, []).append(route)
        table.memo.put(_BY_APP, index)
    return index


def check(model: ModuleModel, reporter: Reporter, routes: list[RouteInfo]) -> None:
    table = route_table_for(model)
    if table is None or not table.routes:
        return
    already = {d.line for d in reporter.diagnostics if d.code in ("API203", "API204")}
    by_app = _app_index(table)
    for route in routes:
        node = route.function.node
        if route.path is None or node.lineno in already:
            continue
        for later in table.served(model.module_name, route.registration.lineno):
            if later.methods is None or later.app not in by_app:
                continue
            if _check_one(reporter, node, later, by_app):
                already.add(node.lineno)
                break
    # `router.add_api_route("/{id}", handlers.get_item)`: the endpoint's `def` is in
    # another module, so the finding goes on the registration.
    for foreign in model.fastapi.foreign_routes:
        call = foreign.registration
        if foreign.path is None or call.lineno in already:
            continue
        for later in table.served(model.module_name, call.lineno):
            if later.methods is None or not later.endpoint_module or later.app not in by_app:
                continue
            if _check_one(reporter, call, later, by_app):
                already.add(call.lineno)
                break


def _check_one(
    reporter: Reporter, node: object, later: ServedRoute, by_app: dict[str, list[ServedRoute]]
) -> bool:
    app_routes = by_app[later.app]
    assert later.methods is not None
    methods = set(later.methods)
    candidates: list[tuple[ServedRoute, str, str]] = []
    for earlier in app_routes:
        if earlier is later or not earlier.methods or not methods & set(earlier.methods):
            continue
        if (earlier.module, earlier.registration_line) == (later.module, later.registration_line):
            continue  # the same registration reached twice (a router included twice)
        if earlier.same_router_and_module(later):
            continue  # the per-module check's case
        paths = comparable_paths(earlier, later)
        if paths is None:
            continue
        earlier_path, later_path = paths
        if not _may_match(earlier_path, later_path):
            continue
        if not (
            route_paths.same_path(earlier_path, later_path)
            or route_paths.covers(earlier_path, later_path)
        ):
            continue
        if earlier.order_against(later) != -1:
            continue
        candidates.append((earlier, earlier_path, later_path))
    line = getattr(node, "lineno", 1)
    col = getattr(node, "col_offset", 0)
    for earlier, earlier_path, later_path in candidates:
        if route_paths.same_path(earlier_path, later_path):
            reporter.report(
                "API204",
                node,  # type: ignore[arg-type]
                line=line,
                col=col,
                route=later.display,
                on=f"app `{later.app_label}`",
                where=_where(earlier, {}),
            )
            return True
    shadowing: list[ServedRoute] = []
    for method in sorted(methods):
        found = next(
            (
                e
                for e, earlier_path, later_path in candidates
                if method in (e.methods or ())
                and e.function != later.function
                and route_paths.covers(earlier_path, later_path)
            ),
            None,
        )
        if found is None:
            return False
        shadowing.append(found)
    if not shadowing:
        return False
    first = shadowing[0]
    reporter.report(
        "API203",
        node,  # type: ignore[arg-type]
        line=line,
        col=col,
        route=later.display,
        earlier=first.display,
        where=_where(first, by_app),
    )
    return True


def _where(route: ServedRoute, by_app: dict[str, list[ServedRoute]]) -> str:
    where = f"`{route.name}`, {route.module} line {route.registration_line}"
    if len(by_app) > 1:
        where += f", on app `{route.app_label}`"
    return where

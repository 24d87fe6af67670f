"""API2xx: the route contract.

What a route promises to its clients: a typed response model (the OpenAPI
schema and the output filter come from it), a reachable path, path parameters
that reach the function, and startup/shutdown code in a ``lifespan`` handler.

FastAPI facts (``model.fastapi``) give the routes in registration order; the
path semantics are Starlette's (``route_paths``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.registry import Family
from fastapi_lint.rules import route_conflicts
from fastapi_lint.rules.routes.conflicts import API203, API204, check_conflicts
from fastapi_lint.rules.routes.foreign_endpoints import check_foreign_endpoints
from fastapi_lint.rules.routes.lifespan import (
    API206,
    event_call_display,
    fix_on_event,
    version_fallback,
)
from fastapi_lint.rules.routes.mount_shadows import check_mount_shadows
from fastapi_lint.rules.routes.path_params import API205, PathParamBinder, check_unbound
from fastapi_lint.rules.routes.response_model import (
    API201,
    API202,
    display_annotation,
    fix_missing_response_model,
    missing_response_model,
    untyped_response_model,
)

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.fixes.context import Fixer
    from fastapi_lint.semantic.fastapi import RouteInfo
    from fastapi_lint.semantic.model import ModuleModel

__all__ = ["FAMILY", "FIXERS", "check"]


def check(model: ModuleModel, reporter: Reporter) -> None:
    facts = model.fastapi
    routes: list[RouteInfo] = facts.routes
    if reporter.enabled("API206"):
        registrations = facts.event_registrations
        for call in registrations:
            if not version_fallback(model, call, registrations):
                reporter.report("API206", call, call=event_call_display(call))
    if reporter.enabled("API201") or reporter.enabled("API202") or reporter.enabled("API205"):
        check_foreign_endpoints(model, reporter)
    if not routes:
        if facts.foreign_routes and (reporter.enabled("API203") or reporter.enabled("API204")):
            route_conflicts.check(model, reporter, routes)  # endpoints of other modules only
        return
    binder = PathParamBinder()
    for route in routes:
        node = route.function.node
        if reporter.enabled("API201"):
            missing = missing_response_model(model, route)
            if missing is not None:
                reporter.report(
                    "API201",
                    node,
                    line=node.lineno,
                    col=node.col_offset,
                    route=route.display,
                    detail=missing[0],
                )
        if reporter.enabled("API202"):
            untyped = untyped_response_model(model, route)
            if untyped is not None:
                reporter.report(
                    "API202",
                    node,
                    line=node.lineno,
                    col=node.col_offset,
                    route=route.display,
                    model=display_annotation(untyped),
                )
        if reporter.enabled("API205"):
            check_unbound(model, reporter, route, binder)
    if reporter.enabled("API203") or reporter.enabled("API204"):
        check_conflicts(model, reporter, routes)
        route_conflicts.check(model, reporter, routes)
        if reporter.enabled("API203"):
            check_mount_shadows(model, reporter, routes)


FAMILY = Family(
    prefix="API2",
    title="The route contract",
    rules=(API201, API202, API203, API204, API205, API206),
    check=check,
)


# The fixers, read by fastapi_lint.fixes.rules (libcst is imported only inside them).
FIXERS: dict[str, Fixer] = {
    API201.code: fix_missing_response_model,
    API206.code: fix_on_event,
}

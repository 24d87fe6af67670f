"""API201/API202 for endpoints registered by another module: ``router.add_api_route("/ping",
handlers.ping)`` in ``app/main.py`` makes ``handlers.ping`` a route, reported where it is
defined (the ``def`` line), as the route table serves it.

Only when the registering call leaves the response to the endpoint (no response model or
class, ``responses=``, status code, ``include_in_schema`` or ``deprecated``, no
``**options``: ``ServedRoute.endpoint_declared``), every app serving it publishes it in a
JSON schema, and the endpoint returns a known shape (API201) or declares an untyped return
annotation (API202, ``-> dict``). When unsure, silent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi_lint.project.routes import route_table_for
from fastapi_lint.rules.routes import house_style
from fastapi_lint.rules.routes.path_params import PathParamBinder, check_unbound_endpoint
from fastapi_lint.rules.routes.response_model import (
    display_annotation,
    returned_detail,
    untyped_return,
)
from fastapi_lint.rules.test_code import is_test_module

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.project.routes import ServedRoute
    from fastapi_lint.semantic.model import ModuleModel


def check_foreign_endpoints(model: ModuleModel, reporter: Reporter) -> None:
    """API201/API202 (and API205: the parameters of its own path) of a function another
    module registers as an endpoint."""
    if is_test_module(model) or not model.functions:
        return
    binder = PathParamBinder()
    table = route_table_for(model)
    if table is None:
        return
    served: dict[str, list[ServedRoute]] = {}
    for route in table.routes:
        if route.endpoint_module == model.module_name:
            served.setdefault(route.function, []).append(route)
    if not served:
        return
    for function in model.functions:
        rows = served.get(function.qualname)
        if not rows or model.fastapi.routes_of(function):
            continue  # not an endpoint here, or also registered here (checked as a route)
        node = function.node
        first = rows[0]
        shown = f"{'|'.join(first.methods or ('?',))} {first.display_path}"
        own_paths = [row.own_path for row in rows]
        if reporter.enabled("API205") and not any(row.is_websocket for row in rows):
            if all(path is not None for path in own_paths):
                paths = [path for path in own_paths if path is not None]
                check_unbound_endpoint(model, reporter, function, paths, shown, binder)
        if not (reporter.enabled("API201") or reporter.enabled("API202")):
            continue
        if any(_declared(row) for row in rows):
            continue
        # An annotated endpoint is API202's (is the annotation a model?), else API201's.
        found: tuple[str, dict[str, Any]] | None = None
        if node.returns is not None:
            untyped = untyped_return(model, function)
            if untyped is not None:
                found = ("API202", {"model": display_annotation(untyped)})
        elif not all(row.deprecated for row in rows):  # a retired version: API201 leaves it
            detail = returned_detail(model, function)
            if detail is not None:
                found = ("API201", {"detail": detail[0]})
        if found is not None and _house_style(model, found[0]):
            found = None  # the project's style for every route (house_style.py)
        if found is not None and reporter.enabled(found[0]):
            code, fields = found
            reporter.report(
                code, node, line=node.lineno, col=node.col_offset, route=shown, **fields
            )


def _house_style(model: ModuleModel, code: str) -> bool:
    if code == "API202":
        return house_style.untyped_by_design(model)
    return house_style.undeclared_by_design(model)


def _declared(row: ServedRoute) -> bool:
    """The registering call says more than the endpoint, or no JSON schema publishes it."""
    return (
        row.endpoint_declared
        or row.is_websocket
        or not row.in_schema
        or row.app_publishes_no_schema
    )

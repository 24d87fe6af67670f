"""API205: the dependencies ``include_router(..., dependencies=[...])`` gives a route.

FastAPI adds them to every route of the included router, so a path parameter one
of them declares (``def check_project(project_id: int)``) is bound for the route
even though neither the route nor its router names it. The route table records
where such includes sit on the way to each app (``ServedRoute.dependency_sites``);
a parameter counts as bound when every served form of the route binds it.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.project.routes import route_table_for
from fastapi_lint.rules.routes._common import keyword_argument

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi_lint.semantic.fastapi import RouteInfo
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


def include_dependency_names(
    model: ModuleModel,
    route: RouteInfo,
    names: Callable[[ModuleModel, ast.expr, Scope], frozenset[str]],
    unsure: type[Exception],
) -> frozenset[str]:
    """The names bound by include-level dependencies in every served form of the route;
    raises ``unsure`` when one of those dependencies cannot be read."""
    table = route_table_for(model)
    project = index_of(model)
    if table is None or project is None:
        return frozenset()
    served = table.served(model.module_name, route.registration.lineno)
    common: set[str] | None = None
    for form in served:
        bound: set[str] = set()
        for module, line in form.dependency_sites:
            site_model = project.model(module)
            if site_model is None:
                raise unsure
            bound |= _site_names(site_model, line, names, unsure)
        common = bound if common is None else common & bound
    return frozenset(common or ())


def _site_names(
    model: ModuleModel,
    line: int,
    names: Callable[[ModuleModel, ast.expr, Scope], frozenset[str]],
    unsure: type[Exception],
) -> set[str]:
    for ref in model.calls:
        call = ref.node
        if not isinstance(call, ast.Call) or call.lineno != line:
            continue
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr != "include_router":
            continue
        declared = keyword_argument(call, "dependencies")
        if not isinstance(declared, (ast.List, ast.Tuple)):
            raise unsure
        bound: set[str] = set()
        for element in declared.elts:
            is_depends, target = model.fastapi.depends_target(element, ref.scope)
            if not is_depends or target is None:
                raise unsure
            bound |= names(model, target, ref.scope)
        return bound
    raise unsure

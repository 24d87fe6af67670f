"""API301 through a class dependency's session read in an async function.

``reports: Annotated[LegacyReports, Depends()]`` where ``LegacyReports.__init__`` takes
``db: Session = Depends(get_db)`` and keeps it (``self.db = db``): an ``async def`` route
that queries through ``reports.db`` runs each round trip on the event loop, as surely as a
``Session`` parameter of its own. The class may live in any module of the project. Reported
once per parameter and function, at the first call that talks to the database.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.session_context import report_sync_session
from fastapi_lint.rules.sessions.class_dependency import (
    first_attribute_call,
    injected_session_attributes,
)
from fastapi_lint.semantic.fastapi import parameter_markers

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

_DEPENDS = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends"})


def _dependency_class(model: ModuleModel, function: FunctionInfo, arg: ast.arg) -> str | None:
    """The qualified name of the class FastAPI builds for a ``Depends`` parameter:
    ``Depends(Cls)``, or ``Depends()`` under the annotation ``Cls``."""
    for marker, scope in parameter_markers(model, function, arg):
        if not isinstance(marker, ast.Call):
            continue
        if model.qualified_name(marker.func, scope) not in _DEPENDS:
            continue
        if marker.args:
            return model.qualified_name(marker.args[0], scope)
        if marker.keywords or arg.annotation is None:
            return None
        base, _, base_scope = model.annotated_metadata(arg.annotation, function.outer)
        return model.qualified_name(base, base_scope) if base is not None else None
    return None


def _session_attributes(model: ModuleModel, qualname: str) -> frozenset[str]:
    located = model.find_function(f"{qualname}.__init__")
    if located is None:
        return frozenset()
    init_model, init = located
    if init.is_async or init.class_info is None:
        return frozenset()
    return injected_session_attributes(init_model, init)


def check_class_dependency_uses(
    model: ModuleModel, reporter: Reporter, io_methods: frozenset[str]
) -> None:
    facts = model.fastapi
    for function in model.functions:
        if not function.is_async or facts.is_startup_handler(function):
            continue
        args = function.node.args
        for arg in args.posonlyargs + args.args + args.kwonlyargs:
            qualname = _dependency_class(model, function, arg)
            attributes = _session_attributes(model, qualname) if qualname else frozenset()
            if not attributes:
                continue
            first = first_attribute_call(function, io_methods, attributes, arg.arg)
            if first is not None:
                call, attribute = first
                report_sync_session(model, reporter, call, f"{arg.arg}.{attribute}", function)

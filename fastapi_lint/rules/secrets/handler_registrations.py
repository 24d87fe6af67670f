"""Exception handlers registered from another module of the project (API509).

``exception_handlers.py`` reads the registrations a module makes of its own functions.
Applications often keep their handlers in one module (``app/core/errors.py``) and
register them where the app is built (``main.py``: ``app.add_exception_handler(Exception,
errors.unhandled)``, ``FastAPI(exception_handlers={500: unhandled})``): the handler is the
same ``except`` clause around every route. This index fact lists, for the whole project,
the handlers registered by reference to another module's function and what each is
registered for: a status code, or the qualified name of the exception class (resolved
where the registration is written, since the handler's module need not import it).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from fastapi_lint.project.index import index_of
from fastapi_lint.rules.secrets.exception_handlers import registrations

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

_WORDS = ("add_exception_handler", "exception_handlers")


def registered_elsewhere(model: ModuleModel, function: FunctionInfo) -> list[ast.expr] | None:
    """What ``function`` (module level) is registered to handle by other modules, as
    ``except`` types: a status code constant, or a str constant holding the exception
    class's qualified name (``exception_leak`` reads both); None when not registered."""
    arguments = [*function.node.args.posonlyargs, *function.node.args.args]
    if len(arguments) < 2 or function.outer is not model.module_scope:
        return None  # a handler takes (request, exc); methods and nested defs are not one
    project = index_of(model)
    if project is None or not model.module_name:
        return None
    table = project.fact("exception-handlers/1", str(project.root), lambda: _registrations(project))
    if not isinstance(table, dict):
        return None
    found = table.get(f"{model.module_name}.{function.name}")
    if not isinstance(found, list) or not found:
        return None
    return [ast.Constant(value=value) for value in found if isinstance(value, (int, str))]


def _registrations(project: ProjectIndex) -> dict[str, list[Any]]:
    from fastapi_lint.project.routes import project_modules

    table: dict[str, list[Any]] = {}
    for module_name in project_modules(project, lambda text: any(w in text for w in _WORDS)):
        model = project.model(module_name)
        if model is not None:
            _collect(model, table)
    return table


def _collect(model: ModuleModel, table: dict[str, list[Any]]) -> None:
    for handler, exception_type, scope in registrations(model):
        _add(model, table, handler, exception_type, scope)


def _add(
    model: ModuleModel,
    table: dict[str, list[Any]],
    handler: ast.expr,
    exception_type: ast.expr,
    scope: Scope,
) -> None:
    """``add_exception_handler(T, errors.unhandled)``: a function of another module."""
    if not isinstance(handler, (ast.Name, ast.Attribute)):
        return
    target = model.qualified_name(handler, scope)
    if target is None or target.rsplit(".", 1)[0] == model.module_name:
        return  # unresolved, or this module's own function (``exception_handlers.py``)
    if isinstance(exception_type, ast.Constant) and isinstance(exception_type.value, int):
        kind: Any = exception_type.value
    else:
        kind = model.qualified_name(exception_type, scope)
    if kind is not None:
        table.setdefault(target, []).append(kind)

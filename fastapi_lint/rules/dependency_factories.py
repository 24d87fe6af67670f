"""Dependencies made by a factory: ``def engine_dependency(url): async def dependency(): ...;
return dependency`` used as ``Depends(engine_dependency(url))``, or through a name bound to
that call (``get_archive_session = engine_dependency(url)``, then
``Depends(get_archive_session)``, in this module or another). FastAPI calls the returned
function once per request, like any other dependency."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from fastapi_lint.semantic.syntax import own_nodes

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo


def returning_factory(function: FunctionInfo) -> FunctionInfo | None:
    """The function that defines ``function`` and returns it by name, or None."""
    factory = function.parent_function
    if factory is None or function.is_method:
        return None
    for node in own_nodes(factory.node.body):
        if (
            isinstance(node, ast.Return)
            and isinstance(node.value, ast.Name)
            and node.value.id == function.name
        ):
            return factory
    return None


def _bound_names(model: ModuleModel, factory: str) -> set[str]:
    """Module-level names of ``model`` bound to a call of ``factory``."""
    scope = model.module_scope
    return {
        name
        for name, bindings in scope.bindings.items()
        if len(bindings) == 1
        and isinstance(bindings[0].value, ast.Call)
        and model.qualified_name(bindings[0].value.func, scope) == factory
    }


def _depends_on(model: ModuleModel, factory: str, bound: set[str]) -> bool:
    """Whether a ``Depends(...)`` of ``model`` runs what ``factory`` returns: a call of it,
    or a name (``bound``: qualified names) bound to one."""
    local = _bound_names(model, factory)
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        is_depends, target = model.fastapi.depends_target(call, ref.scope)
        if not is_depends or target is None:
            continue
        if isinstance(target, ast.Call):
            if model.qualified_name(target.func, ref.scope) == factory:
                return True
            continue
        if isinstance(target, ast.Name) and target.id in local:
            if model.lookup(target.id, ref.scope) is not None:
                return True
        if model.qualified_name(target, ref.scope) in bound:
            return True
    return False


def is_factory_dependency(
    model: ModuleModel,
    function: FunctionInfo,
    models_depending_on: Callable[[str], Iterable[ModuleModel]],
) -> bool:
    """Whether a nested function is returned by its factory and FastAPI runs it per request.

    ``models_depending_on(name)``: the other modules of the project that spell
    ``Depends(<name>`` (a text search first, then modelled).
    """
    factory = returning_factory(function)
    if factory is None:
        return False
    bound_here = _bound_names(model, factory.qualname)
    bound = {f"{model.module_name}.{name}" for name in bound_here}
    if _depends_on(model, factory.qualname, bound):
        return True
    for name in {factory.name, *bound_here}:
        for other in models_depending_on(name):
            if other is not model and _depends_on(other, factory.qualname, bound):
                return True
    return False


def returned_dependency(
    model: ModuleModel, factory_qualname: str
) -> tuple[ModuleModel, FunctionInfo] | None:
    """The function a dependency factory returns: ``Depends(require_role("admin"))`` runs the
    ``checker`` that ``require_role`` defines and returns by name, so FastAPI binds
    ``checker``'s parameters. None unless every ``return`` of the factory returns that one
    nested function."""
    found = model.find_function(factory_qualname)
    if found is None:
        return None
    factory_model, factory = found
    returns = [node for node in own_nodes(factory.node.body) if isinstance(node, ast.Return)]
    names = {node.value.id for node in returns if isinstance(node.value, ast.Name)}
    if len(names) != 1 or any(not isinstance(node.value, ast.Name) for node in returns):
        return None
    name = next(iter(names))
    for function in factory_model.functions:
        if function.parent_function is factory and function.name == name:
            return factory_model, function
    return None

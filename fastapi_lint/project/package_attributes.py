"""A package attribute that shadows the submodule of the same name.

``services/__init__.py`` says ``from .telemetry import telemetry``: the module
``services.telemetry`` defines an instance ``telemetry``, and the package
re-exports it under the submodule's name.  At run time ``from services import
telemetry`` then gives the instance (the package's ``__init__`` rebinds the
attribute after importing the submodule), while a qualified name such as
``services.telemetry.latest`` reads, split at its longest module prefix, as
the module-level name ``latest`` of the submodule, which does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.project.layout import EXTERNAL_TOP_LEVEL
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel


def split_qualname(index: ProjectIndex, qualname: str) -> tuple[ModuleModel, list[str]] | None:
    """The project module defining ``qualname`` and the attribute path inside it: the
    longest module prefix, unless the package rebinds that submodule's name."""
    parts = qualname.split(".")
    if parts[0] in EXTERNAL_TOP_LEVEL:
        return None
    for cut in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:cut])
        if index.is_project_module(module_name):
            model = index.model(module_name)
            if model is None:
                return None
            return package_attribute(index, model, parts, cut) or (model, parts[cut:])
    return None


def package_attribute(
    index: ProjectIndex, submodule: ModuleModel, parts: list[str], cut: int
) -> tuple[ModuleModel, list[str]] | None:
    """``(package, [name, *rest])`` when ``parts[:cut]`` is the submodule ``pkg.name``, the
    submodule defines no ``rest[0]`` and the package binds ``name`` to something else than
    the submodule: the qualified name then reads an attribute of the package's object."""
    rest = parts[cut:]
    if cut < 2 or not rest:
        return None
    if submodule.module_scope.bindings.get(rest[0]) or submodule.star_binding(rest[0]):
        return None  # ``from pkg.name import Thing``: the submodule's own name
    package_name = ".".join(parts[: cut - 1])
    if not index.is_project_module(package_name):
        return None
    package = index.model(package_name)
    if package is None:
        return None
    bindings = package.module_scope.bindings.get(parts[cut - 1])
    if not bindings:
        return None
    binding = bindings[-1]
    if binding.kind is BindingKind.IMPORT and binding.qualname == ".".join(parts[:cut]):
        return None  # ``from . import telemetry``: the submodule itself
    return package, parts[cut - 1 :]

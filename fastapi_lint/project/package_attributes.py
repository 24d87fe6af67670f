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

from fastapi_lint.project.reexports import longest_module_cut, package_rebinds
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel


def split_qualname(index: ProjectIndex, qualname: str) -> tuple[ModuleModel, list[str]] | None:
    """The project module defining ``qualname`` and the attribute path inside it: the
    longest module prefix, unless the package rebinds that submodule's name."""
    parts = qualname.split(".")
    cut = longest_module_cut(index, parts)
    if cut is None:
        return None
    model = index.model(".".join(parts[:cut]))
    if model is None:
        return None
    return package_attribute(index, model, parts, cut) or (model, parts[cut:])


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
    submodule_name = ".".join(parts[:cut])
    if not package_rebinds(index, submodule_name):
        return None
    package = index.model(".".join(parts[: cut - 1]))
    if package is None:
        return None
    name = parts[cut - 1]
    if _imported_from(package, name, submodule_name) and not (
        submodule.module_scope.bindings.get(name) or submodule.star_binding(name)
    ):
        # `from pkg.registry import registry` in `pkg/__init__.py`, where the submodule
        # gets `registry` from a star import of another library: the package attribute
        # is a name the project does not define, and reading it through the package
        # would grow the name without end (`pkg.registry.registry.registry...`). Unknown.
        return None
    return package, parts[cut - 1 :]


def _imported_from(package: ModuleModel, name: str, submodule_name: str) -> bool:
    """Whether the package binds ``name`` by importing that name from the submodule."""
    return any(
        binding.kind is BindingKind.IMPORT
        and stubs.canonical(binding.qualname or "") == f"{submodule_name}.{name}"
        for binding in package.module_scope.bindings.get(name, ())
    )

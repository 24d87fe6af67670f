"""A package attribute that shadows the submodule of the same name.

``services/__init__.py`` says ``from .telemetry import telemetry``: the module
``services.telemetry`` defines an instance ``telemetry``, and the package
re-exports it under the submodule's name.  At run time ``from services import
telemetry`` then gives the instance (the package's ``__init__`` rebinds the
attribute after importing the submodule), while a qualified name such as
``services.telemetry.latest`` reads, split at its longest module prefix, as
the module-level name ``latest`` of the submodule, which does not exist.

The package may also re-export a name the submodule itself takes from outside the
project (``from .registry import registry`` over ``from platform.registry import *``):
read through the package, ``pkg.registry.x`` names ``pkg.registry.registry.x``, which
the submodule does not define either, and so on, one part longer at every turn (a
fastx-dashboards route ran 8 minutes into a RecursionError). That object is unknown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.project.reexports import effective_binding, longest_module_cut, package_rebinds
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel


# No name a program writes has this many dotted parts: a longer one was built by a loop
# of re-exports that the guards below did not foresee, and naming nothing ends it.
MAX_QUALNAME_PARTS = 32


def split_qualname(index: ProjectIndex, qualname: str) -> tuple[ModuleModel, list[str]] | None:
    """The project module defining ``qualname`` and the attribute path inside it: the
    longest module prefix, unless the package rebinds that submodule's name."""
    parts = qualname.split(".")
    if len(parts) > MAX_QUALNAME_PARTS:
        return None
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
    if _defines(submodule, rest[0]):
        return None  # ``from pkg.name import Thing``: the submodule's own name
    submodule_name = ".".join(parts[:cut])
    if not package_rebinds(index, submodule_name):
        return None
    package = index.model(".".join(parts[: cut - 1]))
    if package is None or _reexports_undefined(
        index, package, submodule, submodule_name, parts[cut - 1]
    ):
        return None
    return package, parts[cut - 1 :]


def _defines(model: ModuleModel, name: str) -> bool:
    return bool(model.module_scope.bindings.get(name)) or model.star_binding(name) is not None


def _reexports_undefined(
    index: ProjectIndex,
    package: ModuleModel,
    submodule: ModuleModel,
    submodule_name: str,
    name: str,
) -> bool:
    """Whether the package's ``name`` is imported from the submodule (``from .name import
    X``) under a name ``X`` the submodule does not define (see the module's docs)."""
    bindings = package.module_scope.bindings.get(name)
    if not bindings:
        return False
    binding = effective_binding(index, package, bindings)  # as `package_rebinds` reads it
    if binding.kind is not BindingKind.IMPORT:
        return False
    imported = stubs.canonical(binding.qualname or "")
    if not imported.startswith(submodule_name + "."):
        return False
    return not _defines(submodule, imported[len(submodule_name) + 1 :].split(".", 1)[0])

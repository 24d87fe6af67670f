"""What ``from <project module> import *`` binds.

A package's ``__init__.py`` re-exporting its modules (``from .user import *``)
and a module taking a sibling's names wholesale are ordinary in FastAPI
projects; without these names a model imported through the package, or a
helper called by its bare name, resolved to nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.project.model_cache import evicted_summary

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.project import ProjectFacts


def star_names(index: ProjectIndex, module_name: str, depth: int = 0) -> frozenset[str] | None:
    """The names ``from <module_name> import *`` binds: its literal ``__all__``, else
    its public module-level names (with those of its own star imports, as Python
    binds them); None for a module outside the project."""
    if index._too_deep(depth) or not index.is_project_module(module_name):
        return None
    key = index._tag + "|star:" + module_name
    if not index._guarded(key):
        return None
    try:
        # An evicted module answers from its summary: not built again.
        summary = evicted_summary(index, module_name)
        if summary is not None:
            if summary.declared:
                return summary.exports
            names = set(summary.exports)
            view: ProjectFacts = summary.view
            star_modules: tuple[str, ...] = summary.star_modules
        else:
            model = index.model(module_name)
            if model is None:
                return None
            declared = model.declared_all()
            if declared is not None:
                return declared
            names = {name for name in model.module_scope.bindings if not name.startswith("_")}
            view = model.project if model.project is not None else index  # its own source root
            star_modules = tuple(module for module, _ in model.star_imports)
        for module in star_modules:
            names |= view.star_names(module, depth + 1) or frozenset()
        return frozenset(names)
    finally:
        index._in_progress.discard(key)

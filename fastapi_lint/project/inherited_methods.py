"""Methods a project class inherits from its project bases.

``self._path(key)`` in ``LocalStorage`` when ``_path`` is defined on ``BaseStorage``
in another module: what the call gives is what the base's def gives (its return
annotation), as Python's attribute lookup finds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.project.model_cache import defines_class

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex

__all__ = ["defining_base_method"]


def defining_base_method(index: ProjectIndex, qualname: str) -> str | None:
    """``Base.method`` for ``Sub.method`` when the project class ``Sub`` does not define
    ``method`` itself and ``Base`` is the first of its bases (in ``class_bases`` order)
    that does; None for anything else."""
    owner, _, method = qualname.rpartition(".")
    if not owner or not method or not defines_class(index, owner):
        return None
    for base in index.class_bases(owner):
        candidate = f"{base}.{method}"
        if index.function(candidate) is not None:
            return candidate
    return None

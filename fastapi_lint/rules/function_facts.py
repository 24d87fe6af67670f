"""Yes/no questions about a project function, answered the same way by every rule.

A def of the checked module is read directly; a def of another module is
answered as a project fact (cached on disk, so warm runs need not build that
module). The fact is computed from the def alone, with its depth restarting
at zero: an answer never depends on how deep the asking question was, so
the check order and ``--jobs`` cannot change findings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo


def function_fact(
    model: ModuleModel,
    kind: str,
    qualname: str,
    answer: Callable[[ModuleModel, FunctionInfo, int], bool],
    depth: int,
    key: str = "",
) -> bool:
    """``answer`` for the project function ``qualname`` (False when it is not one)."""
    local = model.function_named(qualname)
    if local is not None:
        return answer(model, local, depth)
    project = index_of(model)
    if project is None or "." not in qualname:
        return False

    def compute() -> bool:
        found = project.function(qualname)
        return found is not None and answer(found[0], found[1], 0)

    return bool(project.fact(kind, qualname + key, compute))

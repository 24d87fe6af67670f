"""Periodic tasks: functions a decorator turns into a loop on the serving event loop.

``@repeat_every(seconds=60)`` (fastapi-utils, fastapi-restful, fastapi-utilities)
wraps an async function so that calling it -- usually from an ``on_event("startup")``
handler or a ``lifespan`` -- starts a task that runs the body again and again while
the server serves. The body is therefore not start-up code: blocking there stalls
every request each period, as in a task ``asyncio.create_task`` starts from the
lifespan (Revision 2, serving code). An ``on_event`` registration stays deprecated
(API206); only the body's place changes.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

# The packages that ship such decorators, and the decorators' names.
_PACKAGES = frozenset({"fastapi_utils", "fastapi_restful", "fastapi_utilities"})
_DECORATORS = frozenset({"repeat_every", "repeat_at"})


def is_periodic_task(model: ModuleModel, function: FunctionInfo) -> bool:
    """Whether ``function`` is decorated with ``repeat_every``/``repeat_at`` of those packages."""
    for decorator in function.node.decorator_list:
        expr = decorator.func if isinstance(decorator, ast.Call) else decorator
        if not isinstance(expr, (ast.Name, ast.Attribute)):
            continue
        qualname = model.qualified_name(expr, function.outer) or ""  # also `as every`
        package, _, _ = qualname.partition(".")
        if package in _PACKAGES and qualname.rsplit(".", 1)[-1] in _DECORATORS:
            return True
    return False

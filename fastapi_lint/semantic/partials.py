"""What calling a ``functools.partial`` of a library function calls.

``get_http = functools.partial(requests.get, timeout=5)`` then ``get_http(url)`` in a
route is a ``requests.get`` call: the name holds the library function. A partial of a
project function stays unknown: its parameters no longer line up with the arguments of
the call (the reachability conditions of API107 read them), so it is left alone.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.values import Ref, Value

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


def partial_target(model: ModuleModel, call: ast.Call, scope: Scope, depth: int) -> Value | None:
    """The library function ``functools.partial(f, ...)`` wraps, or None."""
    if not call.args or isinstance(call.args[0], ast.Starred):
        return None
    wrapped = model.evaluate(call.args[0], scope, depth + 1)
    if not isinstance(wrapped, Ref):
        return None
    top = wrapped.qualname.split(".", 1)[0]
    if top == model.module_name.split(".", 1)[0]:
        return None  # a function of this very module
    if model.project is not None and model.project.is_project_module(top):
        return None
    if model.function_named(wrapped.qualname) is not None:
        return None
    return wrapped

"""What a name bound to ``functools.partial`` of a library function calls.

``get_http = functools.partial(requests.get, timeout=5)`` then ``get_http(url)`` in a
route is a ``requests.get`` call. Asked only by the blocking rules (API101-API106): the
partial's preset arguments are not the call's, so rules that read a call's arguments
(``jwt.decode`` without ``algorithms=``) must not see the call as the library's. A
partial of a project function is left alone too: its parameters would not line up with
the arguments API107's reachability conditions read.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.values import Ref

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

_PARTIAL = "functools.partial"


def partial_call_target(model: ModuleModel, call: ast.Call, scope: Scope) -> str | None:
    """The library function ``call`` runs through a partial bound to its name (in this
    module or imported from another of the project), or None."""
    func = call.func
    if not isinstance(func, ast.Name):
        return None
    binding = model.lookup(func.id, scope, getattr(func, "lineno", None))
    owner = model
    if binding is not None and binding.kind is BindingKind.IMPORT and binding.qualname:
        if model.project is None:
            return None
        # Only an assignment can bind a partial: the summary of an evicted module
        # answers the rest without building it again.
        found = model.project.definition(binding.qualname, assignments_only=True)
        if found is None:
            return None
        owner, binding = found
    if (
        binding is None
        or binding.kind is not BindingKind.ASSIGN
        or binding.unpack_index is not None
        or not isinstance(binding.value, ast.Call)
    ):
        return None
    made = binding.value
    if owner.qualified_name(made.func, binding.scope) != _PARTIAL:
        return None
    if not made.args or isinstance(made.args[0], ast.Starred):
        return None
    wrapped = owner.evaluate(made.args[0], binding.scope)
    if not isinstance(wrapped, Ref):
        return None
    top = wrapped.qualname.split(".", 1)[0]
    if top == owner.module_name.split(".", 1)[0] or owner.function_named(wrapped.qualname):
        return None  # a function of the project's own package
    if owner.project is not None and owner.project.is_project_module(top):
        return None
    return wrapped.qualname

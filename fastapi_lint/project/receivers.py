"""Receivers in the serving-code caller search (project/serving.py).

The caller search asks, for each ``x.name(...)`` in the project, whether it may call
the function being judged. Two questions about ``x`` live here: whether it can hold a
module at all (a module-level function is reached as ``module.function``), and whether
the type simple flow gave it is a miss (a builtin type without that method), and whether
a call on an untyped receiver can run a coroutine method at all.
"""

from __future__ import annotations

import ast
import builtins
from typing import TYPE_CHECKING, Callable

from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import last_name

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


# Bindings that hold an object, never a module: a parameter, a `with ... as x`, a
# loop variable, a function or class defined here.
_OBJECT_BINDINGS = frozenset(
    {BindingKind.PARAM, BindingKind.WITH, BindingKind.FOR, BindingKind.FUNCTION, BindingKind.CLASS}
)
# Calls that return a module object (`mod = importlib.import_module(name)`).
_MODULE_LOADERS = frozenset({"import_module", "__import__", "module_from_spec"})


def names_an_object(model: ModuleModel, name: ast.Name, scope: Scope, qualname: str) -> bool:
    """Whether ``name`` (the receiver of ``name.attr``) is bound here to an object, not a module.

    A module-level function is reached as ``module.function``. When the receiver
    is a parameter, a ``with ... as session``, a loop variable, or a name assigned
    a call result (``session = driver.session()``), ``session.run(query)`` calls a
    method of that object, whatever simple flow knows of its type; so does an item
    of a container (``action = registry[name]``). An import, an unbound name, an
    alias (``backend = backends.redis``), ``importlib.import_module(...)``, or a name
    that spells a package of the function's module may hold a module.
    """
    binding = model.lookup(name.id, scope, getattr(name, "lineno", None))
    if binding is None or binding.kind is BindingKind.IMPORT:
        return False
    if binding.kind in _OBJECT_BINDINGS:
        return True
    value = binding.value
    if binding.kind is not BindingKind.ASSIGN:
        return False
    if name.id in qualname.split(".")[:-1]:
        # `(cognee, ...) = import_modules()` then `cognee.cognify(...)`: a name that spells a
        # package on the function's module path may hold that package.
        return False
    if isinstance(value, ast.Call):
        return last_name(value.func) not in _MODULE_LOADERS
    # An item of a container (`action = registry[name]`), a literal, an await.
    return isinstance(value, (ast.Subscript, ast.Constant, ast.Await, ast.JoinedStr))


def builtin_without(target: str) -> bool:
    """Whether ``target`` (``builtins.str.evaluate``) is a method a builtin type does not have."""
    owner, _, attr = target.rpartition(".")
    module, _, type_name = owner.partition(".")
    if module != "builtins" or not type_name or "." in type_name:
        return False
    builtin = getattr(builtins, type_name, None)
    return isinstance(builtin, type) and not hasattr(builtin, attr)


def call_fitter(
    model: ModuleModel, node: ast.AST, fits: Callable[[ast.Call], bool] | None
) -> Callable[[ast.Call], bool] | None:
    """``fits`` (the arguments fit the method), narrowed for a coroutine method: a call
    on an untyped receiver whose result is dropped (``graph_store.initialize()`` as a
    statement) would make a coroutine and never run it, so it is another method of that
    name. ``None`` when nothing is known (a decorated method)."""
    if fits is None or not isinstance(node, ast.AsyncFunctionDef):
        return fits
    return lambda call: fits(call) and not isinstance(model.parent(call), ast.Expr)

"""API107 reachability under an ``isinstance`` test on a parameter.

A helper that accepts either the records or a file to read them from
(``def fold(records: Iterable[dict] | str | Path)``, ``if isinstance(records, (str,
Path)): records = read_file(records)``) blocks only for a call that passes a path. A call
whose argument is known to be of another builtin class -- a list literal or
comprehension, a name bound to one, or to the call of a project function annotated
``-> list[dict]`` -- never takes that branch (Revision 2: a condition on a parameter that
the call's arguments make false). The test becomes an ``isinstance`` condition holding
the tested classes' qualified names; a class this module does not know (an ABC such as
``Iterable``, a project class) only answers for the very class the call passes.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Optional

from fastapi_lint.semantic.project import defining_function
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope


class KnownClass:
    """A value a call passes whose class is known, not its content (a list of rows)."""

    def __init__(self, qualname: str) -> None:
        self.qualname = qualname


# Concrete classes and the known classes each one is an instance of (itself included).
_ANCESTORS: dict[str, frozenset[str]] = {
    "builtins.str": frozenset({"builtins.str"}),
    "builtins.bytes": frozenset({"builtins.bytes"}),
    "builtins.int": frozenset({"builtins.int"}),
    "builtins.bool": frozenset({"builtins.bool", "builtins.int"}),
    "builtins.float": frozenset({"builtins.float"}),
    "builtins.list": frozenset({"builtins.list"}),
    "builtins.tuple": frozenset({"builtins.tuple"}),
    "builtins.dict": frozenset({"builtins.dict"}),
    "builtins.set": frozenset({"builtins.set"}),
    "builtins.frozenset": frozenset({"builtins.frozenset"}),
    "builtins.NoneType": frozenset({"builtins.NoneType"}),
    "pathlib.Path": frozenset({"pathlib.Path", "pathlib.PurePath"}),
    "pathlib.PosixPath": frozenset({"pathlib.PosixPath", "pathlib.Path", "pathlib.PurePath"}),
    "pathlib.PurePath": frozenset({"pathlib.PurePath"}),
    "pathlib.PurePosixPath": frozenset({"pathlib.PurePosixPath", "pathlib.PurePath"}),
}
# `typing` spellings of the builtin containers, as `isinstance` or an annotation names them.
_ALIASES = {
    "typing.List": "builtins.list",
    "typing.Dict": "builtins.dict",
    "typing.Tuple": "builtins.tuple",
    "typing.Set": "builtins.set",
    "typing.FrozenSet": "builtins.frozenset",
    "typing.Text": "builtins.str",
}
_LITERAL_CLASSES: dict[type[ast.AST], str] = {
    ast.List: "builtins.list",
    ast.ListComp: "builtins.list",
    ast.Tuple: "builtins.tuple",
    ast.Dict: "builtins.dict",
    ast.DictComp: "builtins.dict",
    ast.Set: "builtins.set",
    ast.SetComp: "builtins.set",
    ast.JoinedStr: "builtins.str",
}
# How many names and calls deep a value is followed to its class.
_MAX_DEPTH = 4


def _canonical(qualname: str) -> str:
    return _ALIASES.get(qualname, qualname)


def tested_classes(
    model: ModuleModel, function: FunctionInfo, classes: ast.expr
) -> Optional[list[str]]:
    """The qualified names of ``isinstance(x, classes)``'s second argument (a class or a
    tuple of them), or None when one is not a name the model resolves."""
    elements = classes.elts if isinstance(classes, ast.Tuple) else [classes]
    names: list[str] = []
    for element in elements:
        qualname = model.qualified_name(element, function.scope)
        if qualname is None:
            return None
        names.append(_canonical(qualname))
    return names or None


def isinstance_test(model: ModuleModel, function: FunctionInfo, test: ast.expr) -> bool:
    """Whether ``test`` is a call of the builtin ``isinstance`` on a bare name."""
    return (
        isinstance(test, ast.Call)
        and len(test.args) == 2
        and not test.keywords
        and isinstance(test.args[0], ast.Name)
        and model.qualified_name(test.func, function.scope) == "builtins.isinstance"
    )


def passes_isinstance(value: Any, classes: list[str]) -> bool | None:
    """Whether a call's value passes ``isinstance(value, classes)``; None when unknown."""
    qualname = value.qualname if isinstance(value, KnownClass) else _literal_class(value)
    if qualname is None:
        return None
    ancestors = _ANCESTORS.get(qualname, frozenset({qualname}))
    if any(name in ancestors for name in classes):
        return True
    if qualname in _ANCESTORS and all(name in _ANCESTORS for name in classes):
        return False  # concrete classes of this module: their relations are all known
    return None


def _literal_class(value: Any) -> str | None:
    """The class of a literal the call passes. Only exact classes: a ``Prefix`` (a ``str``
    subclass) may stand for a ``pathlib.Path`` known by its start."""
    if value is None:
        return "builtins.NoneType"
    if type(value) in (str, bytes, bool, int, float):
        return f"builtins.{type(value).__name__}"
    return None


def argument_class(model: ModuleModel, scope: Scope, node: ast.expr, depth: int = 0) -> str | None:
    """The builtin class of what ``node`` evaluates to, where simple flow knows it: a
    container literal or comprehension, ``list(...)``/``sorted(...)``, a local name every
    one of whose assignments gives that class, a (maybe awaited) call of a project
    function whose return annotation names one (``-> list[dict]``)."""
    if depth > _MAX_DEPTH:
        return None
    awaited = isinstance(node, ast.Await)
    if isinstance(node, ast.Await):
        node = node.value
    found = _LITERAL_CLASSES.get(type(node))
    if found is not None:
        return found
    if isinstance(node, ast.Name):
        return _name_class(model, scope, node, depth)
    if isinstance(node, ast.Call):
        return _call_class(model, scope, node, awaited)
    return None


# Builtins whose call gives a new object of a known class, whatever its argument.
_CONSTRUCTING = {
    "builtins.list": "builtins.list",
    "builtins.sorted": "builtins.list",
    "builtins.dict": "builtins.dict",
    "builtins.tuple": "builtins.tuple",
    "builtins.set": "builtins.set",
    "builtins.frozenset": "builtins.frozenset",
}


def _name_class(model: ModuleModel, scope: Scope, name: ast.Name, depth: int) -> str | None:
    binding = model.lookup(name.id, scope, name.lineno)
    if binding is None or binding.scope.parent is None:
        return None  # a module global may be rebound from anywhere
    classes = set()
    for bound in binding.scope.bindings.get(name.id, []):
        if bound.kind is not BindingKind.ASSIGN or bound.unpack_index is not None:
            return None
        if not isinstance(bound.value, ast.expr):
            return None
        classes.add(argument_class(model, bound.scope, bound.value, depth + 1))
    if len(classes) != 1:
        return None
    return classes.pop()


def _call_class(model: ModuleModel, scope: Scope, call: ast.Call, awaited: bool) -> str | None:
    target = model.call_target(call, scope)
    if target is None:
        return None
    if target in _CONSTRUCTING:
        return _CONSTRUCTING[target]
    found = defining_function(model, target)
    if found is None:
        return None
    owner, function = found
    returns = function.node.returns
    if returns is None:
        return None
    if isinstance(function.node, ast.AsyncFunctionDef) != awaited:
        return None  # a coroutine not awaited (or an awaited sync call: an awaitable result)
    if isinstance(returns, ast.Subscript):
        returns = returns.value  # `list[dict]`: the container's class
    qualname = owner.qualified_name(returns, function.outer)
    if qualname is None:
        return None
    qualname = _canonical(qualname)
    return qualname if qualname in _ANCESTORS and qualname != "builtins.NoneType" else None

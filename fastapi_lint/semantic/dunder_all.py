"""The names a module's ``__all__`` lists, read statically.

``__all__ = ["a", "b"]``, ``__all__ += ("c",)``, ``__all__.extend([...])``,
``__all__.append("d")`` and ``+`` between literals are read. A value built at run
time (``__all__ = users.__all__ + list(items.__all__)``, a comprehension) makes the
list unknown: the module's public names stand in for it, as without ``__all__``,
rather than an empty list that would drop every re-exported name.
"""

from __future__ import annotations

import ast
from typing import Optional


def _literal_names(value: ast.expr | None) -> Optional[set[str]]:
    """The strings of a literal list/tuple (or a ``+`` of them); None otherwise."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        left, right = _literal_names(value.left), _literal_names(value.right)
        return None if left is None or right is None else left | right
    if not isinstance(value, (ast.List, ast.Tuple)):
        return None
    names = set()
    for element in value.elts:
        if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
            return None
        names.add(element.value)
    return names


def _is_all(target: ast.expr) -> bool:
    return isinstance(target, ast.Name) and target.id == "__all__"


def declared_all(tree: ast.Module) -> frozenset[str] | None:
    """The names of a module-level ``__all__``: None without one, or when a part of it
    is computed at run time."""
    names: set[str] | None = None
    for statement in tree.body:
        added: Optional[set[str]]
        if isinstance(statement, ast.Assign) and any(_is_all(t) for t in statement.targets):
            names, added = set(), _literal_names(statement.value)
        elif isinstance(statement, ast.AnnAssign) and _is_all(statement.target):
            names, added = set(), _literal_names(statement.value)
        elif isinstance(statement, ast.AugAssign) and _is_all(statement.target):
            added = _literal_names(statement.value)
        elif (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Attribute)
            and _is_all(statement.value.func.value)
            and statement.value.func.attr in ("append", "extend")
            and len(statement.value.args) == 1
        ):
            argument = statement.value.args[0]
            if statement.value.func.attr == "extend":
                added = _literal_names(argument)
            elif isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                added = {argument.value}
            else:
                added = None
        else:
            continue
        if added is None:
            return None
        names = (names or set()) | added
    return frozenset(names) if names is not None else None

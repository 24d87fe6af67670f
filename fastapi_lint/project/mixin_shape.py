"""Whether a class is shaped like a mixin: asked by ``mixin_subclasses`` of a
class's model, and kept in an evicted module's summary (``model_cache``) so that
the question needs no model built again."""

from __future__ import annotations

import ast

__all__ = ["stands_alone"]

# Bases that give a class no attributes of their own: a mixin's bases.
_MIXIN_BASES = frozenset({"object", "ABC", "Protocol", "Generic"})


def stands_alone(node: ast.ClassDef) -> bool:
    """A class without bases that give it state (``class ItemsMixin:``, ``(ABC)``), nor a
    constructor or a decorator (a dataclass) that would set its attributes itself."""
    if node.decorator_list or any(
        isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
        and statement.name in ("__init__", "__post_init__", "__new__")
        for statement in node.body
    ):
        return False
    for base in node.bases:
        if isinstance(base, ast.Subscript):
            base = base.value  # `Generic[T]`, `Protocol[T]`
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None)
        if name not in _MIXIN_BASES:
            return False
    return True

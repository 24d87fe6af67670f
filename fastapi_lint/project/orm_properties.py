"""Getters of a mapped class that read one of its relationships.

``@property def player_ids(self): return [p.id for p in self.players]`` on a mapped
class: a response model field named ``player_ids`` is read from that getter when
FastAPI validates the object, and the getter loads ``players`` (API403). Apart from
``orm.py`` (near its size limit).
"""

from __future__ import annotations

import ast
from collections.abc import Container

from fastapi_lint.semantic.syntax import decorator_names

# `hybrid_property` reads the same attributes on an instance.
_GETTERS = frozenset({"property", "cached_property", "hybrid_property"})


def relationship_getters(class_node: ast.ClassDef, relationships: Container[str]) -> dict[str, str]:
    """Getter name -> the first relationship its body reads through ``self``."""
    found: dict[str, str] = {}
    for statement in class_node.body:
        if not isinstance(statement, ast.FunctionDef) or not statement.args.args:
            continue
        if not decorator_names(statement) & _GETTERS or statement.name.startswith("_"):
            continue
        receiver = statement.args.args[0].arg
        read = _first_read(statement, receiver, relationships)
        if read is not None:
            found[statement.name] = read
    return found


def _first_read(
    function: ast.FunctionDef, receiver: str, relationships: Container[str]
) -> str | None:
    reads = [
        node
        for statement in function.body
        for node in ast.walk(statement)
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Load)
        and isinstance(node.value, ast.Name)
        and node.value.id == receiver
        and node.attr in relationships
    ]
    if not reads:
        return None
    first = min(reads, key=lambda node: (node.lineno, node.col_offset))
    return first.attr

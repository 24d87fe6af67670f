"""What the OpenAPI schema says of an untyped body parameter, for API207's message.

``dict``/``Mapping[...]`` make ``object``; ``list[dict]`` (any list, set or tuple)
makes ``array`` of ``object``; ``Any``/``object`` with ``Body()`` (and a parameter without
annotation, ``Any`` to FastAPI) make an empty schema, which says nothing. ``Optional[...]``, ``X | None`` and ``Annotated[X, ...]`` are read
through.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.body_bindings import is_none
from fastapi_lint.rules.routes._common import ANY_TYPES
from fastapi_lint.semantic.syntax import string_annotation, subscript_elements

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

_SEQUENCE_NAMES = frozenset({"list", "List", "Sequence", "set", "Set", "tuple", "Tuple"})
_SEQUENCE_MODULES = ("builtins.", "typing.", "collections.abc.")
_WRAPPERS = frozenset({"Optional", "Union", "Annotated"})


def schema_words(model: ModuleModel, annotation: ast.AST | None, scope: Scope) -> str:
    """``says `object``` (the default), ``says `array` of `object``` or ``says nothing``."""
    if annotation is None:
        return "says nothing"  # `payload=Body(...)`: typed `Any`, an empty schema
    node: ast.AST | None = annotation
    for _ in range(4):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node = string_annotation(node.value)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            members = [m for m in (node.left, node.right) if not is_none(m)]
            if len(members) != 1:
                break
            node = members[0]
        elif isinstance(node, ast.Subscript):
            outer = model.qualified_name(node.value, scope) or ""
            if outer.rsplit(".", 1)[-1] not in _WRAPPERS or not outer.startswith("typing"):
                break
            elements = subscript_elements(node)
            if outer.endswith("Annotated"):
                elements = elements[:1]  # the metadata is no member of the type
            members = [m for m in elements if not is_none(m)]
            if len(members) != 1:
                break
            node = members[0]
        else:
            break
    if node is None:
        return "says `object`"
    head = node.value if isinstance(node, ast.Subscript) else node
    qualname = model.qualified_name(head, scope) or ""
    if qualname in ANY_TYPES:
        return "says nothing"
    if qualname.startswith(_SEQUENCE_MODULES) and qualname.rsplit(".", 1)[-1] in _SEQUENCE_NAMES:
        return "says `array` of `object`"
    return "says `object`"

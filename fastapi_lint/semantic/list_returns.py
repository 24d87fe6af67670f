"""Return annotations that give a list: ``-> list[Item]``, ``-> Item | list[Item]``.

Calling such a function gives a list (or may): never one instance of ``Item``, whatever
its ``return`` statements evaluate to."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.limits import too_deep
from fastapi_lint.semantic.syntax import string_annotation, subscript_elements

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

LIST_TYPES = frozenset(
    {"builtins.list", "typing.List", "typing.Sequence", "collections.abc.Sequence"}
)
_UNIONS = frozenset({"typing.Optional", "typing.Union"})


def gives_a_list(model: ModuleModel, annotation: ast.expr, scope: Scope, depth: int = 0) -> bool:
    """Whether ``annotation`` is a list type, or a union (``|``, ``Optional``, ``Union``)
    with a list type among its members."""
    if too_deep(depth):
        return False
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        parsed = string_annotation(annotation.value)
        return parsed is not None and gives_a_list(model, parsed, scope, depth + 1)
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return gives_a_list(model, annotation.left, scope, depth + 1) or gives_a_list(
            model, annotation.right, scope, depth + 1
        )
    if not isinstance(annotation, ast.Subscript):
        return False
    outer = model.qualified_name(annotation.value, scope) or ""
    if outer in LIST_TYPES:
        return True
    return outer in _UNIONS and any(
        gives_a_list(model, element, scope, depth + 1) for element in subscript_elements(annotation)
    )


def one_or_many(model: ModuleModel, annotation: ast.expr, scope: Scope) -> str | None:
    """The class ``X`` of a union of ``X`` and a list of ``X`` (``None`` may join them):
    ``-> License | list[License]``, ``Union[Station, List[Station]]``. None otherwise."""
    members: list[ast.expr] = []
    _union_members(model, annotation, scope, members, 0)
    singles: set[str] = set()
    listed: set[str] = set()
    for member in members:
        if isinstance(member, ast.Constant) and member.value is None:
            continue
        if (
            isinstance(member, ast.Subscript)
            and (model.qualified_name(member.value, scope) or "") in LIST_TYPES
        ):
            elements = subscript_elements(member)
            item = model.annotation_type(elements[0], scope) if len(elements) == 1 else None
            if item is None:
                return None
            listed.add(item)
            continue
        single = model.annotation_type(member, scope)
        if single is None:
            return None
        singles.add(single)
    if len(singles) == 1 and singles == listed:
        return singles.pop()
    return None


def alternatives(model: ModuleModel, annotation: ast.expr, scope: Scope) -> list[str] | None:
    """The classes of a union of single classes, in order: ``-> Token | Challenge``,
    ``Union[Token, Challenge]``, ``Optional[Token]`` (None joins as ``builtins.None``).
    None when the annotation is no union, or a member is a list or not a class."""
    members: list[ast.expr] = []
    _union_members(model, annotation, scope, members, 0)
    if (
        isinstance(annotation, ast.Subscript)
        and (model.qualified_name(annotation.value, scope) or "") == "typing.Optional"
    ):
        members.append(ast.Constant(value=None))
    if len(members) < 2:
        return None
    found: list[str] = []
    for member in members:
        if isinstance(member, ast.Constant) and member.value is None:
            name: str | None = "builtins.None"
        elif gives_a_list(model, member, scope):
            return None
        else:
            name = model.annotation_type(member, scope)
        if name is None:
            return None
        if name not in found:
            found.append(name)
    return found if len(found) > 1 else None


def _union_members(
    model: ModuleModel, annotation: ast.expr, scope: Scope, into: list[ast.expr], depth: int
) -> None:
    if too_deep(depth):
        into.append(annotation)
        return
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        _union_members(model, annotation.left, scope, into, depth + 1)
        _union_members(model, annotation.right, scope, into, depth + 1)
        return
    if (
        isinstance(annotation, ast.Subscript)
        and (model.qualified_name(annotation.value, scope) or "") in _UNIONS
    ):
        for element in subscript_elements(annotation):
            _union_members(model, element, scope, into, depth + 1)
        return
    into.append(annotation)

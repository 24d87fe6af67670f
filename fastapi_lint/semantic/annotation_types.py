"""What an annotation names, for ``ModuleModel.annotation_type``.

``annotation_type`` gives the class a parameter or return annotation names
(``Optional[Session]``, ``Annotated[Session, Depends(...)]``, a string annotation, an
alias such as ``SessionDep`` defined here or in another module); ``annotated_metadata``
splits ``Annotated[T, meta...]`` into its base and metadata with the scope to read them in.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.limits import too_deep
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.sqlalchemy import annotated_maker
from fastapi_lint.semantic.syntax import string_annotation, subscript_elements
from fastapi_lint.semantic.values import Instance, Ref

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


def annotation_type(
    model: ModuleModel,
    annotation: ast.AST,
    scope: Scope,
    depth: int = 0,
    unwrap_iterators: bool = False,
) -> str | None:
    """The class an annotation names: ``Session``, ``Optional[Session]``, ``Annotated[S, ...]``."""
    if too_deep(depth):
        return None
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        parsed = string_annotation(annotation.value)
        if parsed is None:
            return None
        return annotation_type(model, parsed, scope, depth + 1, unwrap_iterators)
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        left = annotation_type(model, annotation.left, scope, depth + 1, unwrap_iterators)
        right = annotation_type(model, annotation.right, scope, depth + 1, unwrap_iterators)
        return left or right
    if isinstance(annotation, ast.Subscript):
        outer = model.qualified_name(annotation.value, scope) or ""
        short = outer.rsplit(".", 1)[-1]
        elements = subscript_elements(annotation)
        if short in (
            "Optional",
            "Annotated",
            "Union",
            "Final",
            "ClassVar",
            "Required",
            "NotRequired",
        ):
            for element in elements[:1] if short != "Union" else elements:
                found = annotation_type(model, element, scope, depth + 1, unwrap_iterators)
                if found and found != "builtins.None":
                    return found
            return None
        if unwrap_iterators and short in (
            "Iterator",
            "Generator",
            "AsyncIterator",
            "AsyncGenerator",
            "Iterable",
            "AsyncIterable",
            "ContextManager",
            "AsyncContextManager",
            "AbstractContextManager",
            "AbstractAsyncContextManager",
            "Awaitable",
            "Coroutine",
        ):
            index = 2 if short == "Coroutine" else 0
            if len(elements) > index:
                return annotation_type(model, elements[index], scope, depth + 1)
        # A generic project or library class (`Backend[UP, ID]`, `sessionmaker[Session]`).
        if outer and (
            model.class_named(outer) is not None
            or (model.project is not None and model.project.is_class(outer))
        ):
            return outer
        return annotated_maker(model, outer, elements, scope, depth) if outer else None
    if isinstance(annotation, (ast.Name, ast.Attribute)):
        # A type alias (`SessionDep = Annotated[Session, Depends(get_db)]`, here or imported).
        base, _, base_scope = annotated_metadata(model, annotation, scope, depth + 1)
        if base is not None and base is not annotation:
            return annotation_type(model, base, base_scope, depth + 1, unwrap_iterators)
    value = model.evaluate(annotation, scope, depth + 1)
    if isinstance(value, Ref):
        return stubs.annotated_class(value.qualname)
    if isinstance(value, Instance) and value.type == "typing.TypeAlias":
        return None
    return None


def annotated_metadata(
    model: ModuleModel, annotation: ast.AST, scope: Scope, depth: int = 0
) -> tuple[ast.AST | None, list[ast.expr], Scope]:
    """Split ``Annotated[T, meta...]`` (also through an alias like ``SessionDep``).

    Returns the base type node, the metadata nodes and the scope they must be
    evaluated in (the alias' scope when it came through a module-level alias).
    """
    if too_deep(depth):
        return annotation, [], scope
    if isinstance(annotation, ast.Subscript):
        outer = model.qualified_name(annotation.value, scope) or ""
        if outer.rsplit(".", 1)[-1] == "Annotated":
            elements = subscript_elements(annotation)
            if elements:
                return elements[0], list(elements[1:]), scope
        if outer.rsplit(".", 1)[-1] == "Optional":
            elements = subscript_elements(annotation)
            if elements:
                return annotated_metadata(model, elements[0], scope, depth + 1)
    if isinstance(annotation, ast.Name):
        binding = model.lookup(annotation.id, scope)
        if binding is not None and binding.kind is BindingKind.ASSIGN and binding.value is not None:
            return annotated_metadata(model, binding.value, binding.scope, depth + 1)
    if isinstance(annotation, (ast.Name, ast.Attribute)) and model.project is not None:
        # An alias defined in another module: `from app.deps import SessionDep`.
        qualname = model.qualified_name(annotation, scope)
        definition = (
            model.project.definition(qualname, assignments_only=True)
            if qualname and model.project.is_annotated_alias(qualname)
            else None
        )
        if definition is not None:
            other, binding = definition
            if binding.kind is BindingKind.ASSIGN and binding.value is not None:
                return annotated_metadata(other, binding.value, binding.scope, depth + 1)
    return annotation, [], scope

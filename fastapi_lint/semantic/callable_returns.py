"""What calling a name annotated ``Callable[..., R]`` gives, for ``ModuleModel.evaluate``.

Simple flow follows parameter, variable and attribute annotations. A callback kept on
an instance (``self._repo_for = repo_for`` with ``repo_for: Callable[[str],
Awaitable[Repo | None]]``) or taken as a parameter says in its annotation what a call
gives: ``await self._repo_for(key)`` is a ``Repo``. Without it the receiver of
``repo.init()`` is untyped, and the serving-code caller search takes it for a call of
every method named ``init`` in the project.

Only the awaited call unwraps ``Awaitable[T]``/``Coroutine[..., T]``: a call left
unawaited gives a coroutine, not ``T``. A return that is itself an iterator, a generic
or anything ``annotation_type`` cannot name gives nothing.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.limits import too_deep
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import string_annotation, subscript_elements
from fastapi_lint.semantic.values import Instance

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, Scope

_CALLABLES = frozenset(
    f"{module}.Callable" for module in ("typing", "typing_extensions", "collections.abc")
)
# The awaited form of a return: the index of the result among the subscript's elements.
_AWAITABLES = {"Awaitable": 0, "Coroutine": 2}


def callable_result(
    model: ModuleModel, call: ast.Call, scope: Scope, depth: int
) -> Instance | None:
    """The instance ``call`` gives when its callee is annotated ``Callable[..., R]``."""
    if too_deep(depth):
        return None
    found = _callee_annotation(model, call.func, scope, depth + 1)
    if found is None:
        return None
    annotation, annotation_scope = found
    returned = _callable_return(model, annotation, annotation_scope)
    if returned is None:
        return None
    if isinstance(returned, ast.Subscript):
        outer = model.qualified_name(returned.value, annotation_scope) or ""
        index = _AWAITABLES.get(outer.rsplit(".", 1)[-1])
        if index is not None:
            if not model.is_awaited(call):
                return None  # a coroutine object, not its result
            elements = subscript_elements(returned)
            if len(elements) <= index:
                return None
            returned = elements[index]
    type_name = model.annotation_type(returned, annotation_scope, depth + 1)
    return Instance(type_name) if type_name else None


def _callable_return(model: ModuleModel, annotation: ast.AST, scope: Scope) -> ast.expr | None:
    """``R`` of ``Callable[[...], R]`` (also ``Optional[Callable[...]]`` and a string)."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        parsed = string_annotation(annotation.value)
        return _callable_return(model, parsed, scope) if parsed is not None else None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        # `Callable[..., R] | None`: the callable side.
        return _callable_return(model, annotation.left, scope) or _callable_return(
            model, annotation.right, scope
        )
    if not isinstance(annotation, ast.Subscript):
        return None
    outer = model.qualified_name(annotation.value, scope) or ""
    elements = subscript_elements(annotation)
    if outer in _CALLABLES:
        return elements[1] if len(elements) == 2 else None
    if outer.rsplit(".", 1)[-1] == "Optional" and elements:
        return _callable_return(model, elements[0], scope)
    return None


def _callee_annotation(
    model: ModuleModel, func: ast.AST, scope: Scope, depth: int
) -> tuple[ast.AST, Scope] | None:
    """The annotation of a called name or ``self.attr``, with the scope to read it in."""
    if isinstance(func, ast.Name):
        binding = model.lookup(func.id, scope, getattr(func, "lineno", None))
        return _binding_annotation(binding) if binding is not None else None
    if not isinstance(func, ast.Attribute):
        return None
    owner = model.evaluate(func.value, scope, depth + 1)
    if not isinstance(owner, Instance):
        return None
    class_info = model.class_named(owner.type)
    if class_info is None:
        return None
    bindings = class_info.scope.bindings.get(func.attr)
    if bindings:  # `repo_for: Callable[...]` declared on the class
        found = _binding_annotation(bindings[-1])
        if found is not None:
            return found
    for ref in model.self_assignments(class_info, func.attr):
        node = ref.node
        annotation = getattr(node, "annotation", None)
        if annotation is not None:
            return annotation, ref.scope
        value = getattr(node, "value", None)
        if isinstance(value, ast.Name):  # `self._repo_for = repo_for`: the parameter's
            binding = model.lookup(value.id, ref.scope, value.lineno)
            found = _binding_annotation(binding) if binding is not None else None
            if found is not None:
                return found
    return None


def _binding_annotation(binding: Binding) -> tuple[ast.AST, Scope] | None:
    if binding.kind is BindingKind.PARAM:
        annotation = getattr(binding.node, "annotation", None)
        if annotation is None:
            return None
        return annotation, binding.scope.parent or binding.scope
    if binding.kind is BindingKind.ASSIGN and binding.annotation is not None:
        return binding.annotation, binding.scope
    return None

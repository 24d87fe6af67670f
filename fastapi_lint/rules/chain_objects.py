"""API107: what a call site knows of the objects it passes or keeps (chain conditions).

Two facts that :mod:`fastapi_lint.rules.chain_conditions` and :mod:`once_per_process` ask about, kept here so that
module stays under its size limit:

- an argument that is an object of a project class (``TaskRecorder(db, run_id)``, or a
  name the caller binds once to one) is true: ``if task_recorder: ... elif context:
  self.task_recorder = TaskRecorder(...)`` never builds a second one for that call;
- a name the caller binds once to what a project function annotated with a plain
  container or scalar (``-> tuple[Node, ...]``, ``-> list[str]``: never ``Optional``)
  returns is not None: ``nodes = tree(); index(nodes)`` skips the callee's
  ``tree() if nodes is None else nodes`` scan (its truth stays unknown: it may be empty);
- ``if state.model is None: state.model = load()`` where ``state`` is a project module
  (a module that holds the process's shared objects) runs once per process, as the same
  test on a global of the function's own module does (the contract, Revision 2, API107).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import unset_operand

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope


class ProjectInstance:
    """An object of a project class that is always true (no ``__bool__``/``__len__``)."""


INSTANCE = ProjectInstance()


class NotNone:
    """A value known not to be None whose truth is unknown (an empty tuple is false)."""


NOT_NONE = NotNone()
# Return annotations whose values are never None (a container may be empty).
_NEVER_NONE_RETURNS = frozenset(
    {
        "tuple",
        "list",
        "dict",
        "set",
        "frozenset",
        "str",
        "bytes",
        "int",
        "float",
        "typing.Tuple",
        "typing.List",
        "typing.Dict",
        "typing.Set",
        "typing.FrozenSet",
    }
)
_FALSY_HOOKS = frozenset({"__bool__", "__len__"})
_MAX_BASES_DEPTH = 8


def _bound_once_call(model: ModuleModel, scope: Scope, name: ast.Name) -> ast.Call | None:
    """The call a function-local name is bound to, once and whole (``recorder = X(...)``)."""
    binding = model.lookup(name.id, scope, name.lineno)
    if (
        binding is None
        or binding.scope is model.module_scope
        or len(binding.scope.bindings.get(binding.name, ())) != 1
        or not isinstance(binding.assigned, ast.Call)
    ):
        return None
    return binding.assigned


def project_instance(model: ModuleModel, scope: Scope, node: ast.expr) -> bool:
    """``TaskRecorder(db, run_id)``, or a name the caller binds once to it: an object of a
    project class that defines no ``__bool__``/``__len__`` (nor inherits them from a base
    outside the project), so ``if task_recorder:`` in the callee is true for it."""
    if isinstance(node, ast.Name):
        bound = _bound_once_call(model, scope, node)
        if bound is None:
            return False
        node = bound
    if not isinstance(node, ast.Call):
        return False
    qualname = model.qualified_name(node.func, scope)
    return qualname is not None and _always_truthy_class(model, qualname)


def annotated_not_none(model: ModuleModel, scope: Scope, node: ast.expr) -> bool:
    """A name the caller binds once to the result of a project function annotated to return
    a plain container or scalar (``nodes = tree()`` with ``def tree() -> tuple[Node, ...]``)."""
    bound = _bound_once_call(model, scope, node) if isinstance(node, ast.Name) else None
    target = model.call_target(bound, scope) if bound is not None else None
    found = model.find_function(target) if target is not None else None
    if found is None:
        return False
    owner, function = found
    returns = function.node.returns
    outer = returns.value if isinstance(returns, ast.Subscript) else returns
    if outer is None or isinstance(outer, ast.Constant):
        return False  # none, or a string annotation (it may say Optional)
    qualname = owner.qualified_name(outer, function.outer) or ""
    return qualname.removeprefix("builtins.") in _NEVER_NONE_RETURNS


def _always_truthy_class(model: ModuleModel, qualname: str, depth: int = 0) -> bool:
    """A project class whose instances are always true: neither it nor its bases (all in
    the project, or ``object``) define ``__bool__`` or ``__len__``."""
    if depth > _MAX_BASES_DEPTH:
        return False
    found = model.class_named(qualname)
    owner = model
    if found is None:
        located = model.project.class_info(qualname) if model.project is not None else None
        if located is None:
            return False
        owner, found = located
    for stmt in found.node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if stmt.name in _FALSY_HOOKS:
                return False
        elif isinstance(stmt, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id in _FALSY_HOOKS for target in stmt.targets
        ):
            return False  # `__len__ = _count`
    for base in found.node.bases:
        base_name = owner.qualified_name(base, found.outer)
        if base_name in ("object", "builtins.object"):
            continue
        if base_name is None or not _always_truthy_class(owner, base_name, depth + 1):
            return False  # a base outside the project (a container?) may define them
    return not found.node.keywords  # a metaclass may change what the class makes


def module_attribute_unset(
    model: ModuleModel, function: FunctionInfo, test: ast.expr
) -> tuple[str, str] | None:
    """``state.model is None`` / ``not state.model`` where ``state`` is a project module:
    (``state``, ``model``). Also ``state.model is None or state.model.loaded is None``:
    every alternative tests that global or a part of it."""
    tests = test.values if isinstance(test, ast.BoolOp) else [test]
    if isinstance(test, ast.BoolOp) and not isinstance(test.op, ast.Or):
        return None
    first = unset_operand(tests[0])
    if not (
        isinstance(first, ast.Attribute)
        and isinstance(first.value, ast.Name)
        and first.value.id not in function.scope.bindings
    ):
        return None
    for other in tests[1:]:
        operand = unset_operand(other)
        while isinstance(operand, ast.Attribute) and not _same_attribute(operand, first):
            operand = operand.value
        if operand is None or not _same_attribute(operand, first):
            return None  # `or refresh`: the branch may run on every call
    binding = model.lookup(first.value.id, function.scope, first.lineno)
    if (
        binding is None
        or binding.kind is not BindingKind.IMPORT
        or not binding.qualname
        or model.project is None
        or model.project.star_names(binding.qualname) is None  # None: not a project module
    ):
        return None
    return first.value.id, first.attr


def _same_attribute(node: ast.expr, attribute: ast.Attribute) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == attribute.attr
        and isinstance(node.value, ast.Name)
        and isinstance(attribute.value, ast.Name)
        and node.value.id == attribute.value.id
    )

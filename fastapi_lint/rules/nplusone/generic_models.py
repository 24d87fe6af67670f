"""Generic repositories: which ORM model ``self.model`` is for one instance.

``class CRUDBase(Generic[ModelType]): def get_multi(self, db): return
db.query(self.model).all()`` serves every model; an instance says which one:
``crud_item = CRUDItem(Item)`` (the constructor stores it, maybe through
``super().__init__(session, User)``) or a class attribute (``model = User``).
A query over ``self.<attr>`` is kept with a placeholder model
(``SELF_PREFIX + attr``) in the method's result; the call on an instance
substitutes the model that instance holds. When that is unknown the result is
dropped, as before.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable

from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import single_assignment
from fastapi_lint.semantic.values import Instance

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo, FunctionInfo, Scope

# The placeholder model of a query over `self.<attr>` in a method.
SELF_PREFIX = "self."
_MAX_DEPTH = 4

# (expression, its scope, its module) of one argument a constructor receives.
Argument = tuple[ast.expr, "Scope", "ModuleModel"]


def self_attribute(expr: ast.AST) -> str | None:
    """``self.model`` -> ``model``."""
    if (
        isinstance(expr, ast.Attribute)
        and isinstance(expr.value, ast.Name)
        and expr.value.id == "self"
    ):
        return expr.attr
    return None


def receiver_model(
    model: ModuleModel, call: ast.Call, scope: Scope, attr: str, is_orm: Callable[[str], bool]
) -> str | None:
    """The ORM model ``self.<attr>`` holds in the instance ``call`` is a method call on."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    receiver = model.evaluate(func.value, scope)
    if not isinstance(receiver, Instance):
        return None
    klass = receiver.type
    found = _class_attribute(model, klass, attr, is_orm)
    if found is not None:
        return found
    made = _constructor_call(model, func.value, scope)
    if made is None:
        # `self.get_multi(db)` inside `class CRUDProduct(CRUDBase[Product])`: no
        # constructor call to read, but the parametrized base names the model.
        return _generic_argument(model, klass, is_orm)
    made_model, made_call, made_scope = made
    arguments = _bind(model, klass, made_call, made_scope, made_model)
    if arguments is None:
        return None
    return _from_constructor(model, klass, attr, arguments, is_orm, 0)


def _generic_argument(model: ModuleModel, klass: str, is_orm: Callable[[str], bool]) -> str | None:
    """The one ORM model among the type arguments of a class' parametrized bases
    (``class CRUDProduct(CRUDBase[Product, ProductCreate])``), its own or a base's.

    Only when exactly one argument is an ORM class: a generic repository is
    parametrized by the model its ``self.model`` holds; two candidates are unsure.
    """
    found: set[str] = set()
    for candidate in [klass, *model.class_bases(klass)]:
        located = _class_info(model, candidate)
        if located is None:
            continue
        owner, info = located
        for base in info.node.bases:
            if not isinstance(base, ast.Subscript):
                continue
            arguments = base.slice.elts if isinstance(base.slice, ast.Tuple) else [base.slice]
            for argument in arguments:
                qualname = owner.qualified_name(argument, info.outer)
                if qualname and is_orm(qualname):
                    found.add(qualname)
    return found.pop() if len(found) == 1 else None


def _class_info(model: ModuleModel, qualname: str) -> tuple[ModuleModel, ClassInfo] | None:
    local = model.class_named(qualname)
    if local is not None:
        return model, local
    return model.project.class_info(qualname) if model.project is not None else None


def _class_attribute(
    model: ModuleModel, klass: str, attr: str, is_orm: Callable[[str], bool]
) -> str | None:
    """``model = User`` in the class body or a base's."""
    for candidate in [klass, *model.class_bases(klass)]:
        found = _class_info(model, candidate)
        if found is None:
            continue
        owner, info = found
        for binding in info.scope.bindings.get(attr, []):
            if binding.kind is BindingKind.ASSIGN and binding.value is not None:
                qualname = owner.qualified_name(binding.value, binding.scope)
                if qualname and is_orm(qualname):
                    return qualname
    return None


def _constructor_call(
    model: ModuleModel, receiver: ast.expr, scope: Scope
) -> tuple[ModuleModel, ast.Call, Scope] | None:
    """The call that made the receiver: ``CRUDItem(Item).get(...)``, a local or module
    name assigned one (``crud_item = CRUDItem(Item)``), here or in another module."""
    if isinstance(receiver, ast.Call):
        return model, receiver, scope
    if isinstance(receiver, ast.Name):
        binding = model.lookup(receiver.id, scope, receiver.lineno)
        if binding is None:
            return None
        if binding.kind is BindingKind.ASSIGN and binding.unpack_index is None:
            if isinstance(binding.value, ast.Call):
                return model, binding.value, binding.scope
            return None
        if binding.kind is not BindingKind.IMPORT or not binding.qualname:
            return None
        qualname: str | None = binding.qualname
    elif isinstance(receiver, ast.Attribute):
        # `crud.item`: a name of another module (which evaluates to the instance itself)
        module = model.qualified_name(receiver.value, scope)
        qualname = f"{module}.{receiver.attr}" if module else None
    else:
        return None
    if not qualname or model.project is None:
        return None
    defined = model.project.definition(qualname)
    if defined is None:
        return None
    owner, found = defined
    if found.kind is BindingKind.ASSIGN and isinstance(found.value, ast.Call):
        return owner, found.value, found.scope
    return None


def _init_of(model: ModuleModel, klass: str) -> tuple[ModuleModel, FunctionInfo, str] | None:
    """The ``__init__`` an instance of ``klass`` runs (its own or the first base's)."""
    for candidate in [klass, *model.class_bases(klass)]:
        found = _class_info(model, candidate)
        if found is None:
            continue
        owner, _ = found
        init = owner.function_named(f"{candidate}.__init__")
        if init is not None:
            return owner, init, candidate
    return None


def _bind(
    model: ModuleModel, klass: str, call: ast.Call, scope: Scope, call_model: ModuleModel
) -> dict[str, Argument] | None:
    found = _init_of(model, klass)
    if found is None:
        return None
    _, init, _ = found
    return _bind_to(init, call.args, call.keywords, scope, call_model)


def _bind_to(
    init: FunctionInfo,
    args: list[ast.expr],
    keywords: list[ast.keyword],
    scope: Scope,
    call_model: ModuleModel,
) -> dict[str, Argument] | None:
    """Parameter name -> argument of a constructor call (``self`` left out)."""
    node = init.node
    positional = [a.arg for a in node.args.posonlyargs + node.args.args][1:]
    bound: dict[str, Argument] = {}
    for name, value in zip(positional, args):
        if isinstance(value, ast.Starred):
            return None
        bound[name] = (value, scope, call_model)
    for keyword in keywords:
        if keyword.arg is None:
            return None
        bound[keyword.arg] = (keyword.value, scope, call_model)
    return bound


def _from_constructor(
    model: ModuleModel,
    klass: str,
    attr: str,
    arguments: dict[str, Argument],
    is_orm: Callable[[str], bool],
    depth: int,
) -> str | None:
    """Follow ``self.<attr> = param`` (or ``super().__init__(...)``) to the argument."""
    if depth > _MAX_DEPTH:
        return None
    found = _init_of(model, klass)
    if found is None:
        return None
    owner, init, defined_in = found
    parameters = {a.arg for a in init.node.args.posonlyargs + init.node.args.args}
    for statement in ast.walk(init.node):
        assignment = single_assignment(statement)
        if assignment is not None and self_attribute(assignment[0]) == attr:
            return _entity(owner, assignment[1], init.scope, arguments, parameters, is_orm)
    for statement in ast.walk(init.node):
        if not (isinstance(statement, ast.Call) and _calls_super_init(statement)):
            continue
        bases = owner.class_bases(defined_in)
        if not bases:
            return None
        base_init = _init_of(owner, bases[0])
        if base_init is None:
            return None
        passed: list[ast.expr] = []
        for value in statement.args:
            passed.append(value)
        rebound = _bind_to(base_init[1], passed, statement.keywords, init.scope, owner)
        if rebound is None:
            return None
        # A parameter of this __init__ passed up stands for the caller's argument.
        translated: dict[str, Argument] = {}
        for name, (value, value_scope, value_model) in rebound.items():
            if isinstance(value, ast.Name) and value.id in parameters and value.id in arguments:
                translated[name] = arguments[value.id]
            else:
                translated[name] = (value, value_scope, value_model)
        return _from_constructor(owner, bases[0], attr, translated, is_orm, depth + 1)
    return None


def _calls_super_init(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "__init__"
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "super"
    )


def _entity(
    owner: ModuleModel,
    value: ast.expr,
    scope: Scope,
    arguments: dict[str, Argument],
    parameters: set[str],
    is_orm: Callable[[str], bool],
) -> str | None:
    if isinstance(value, ast.Name) and value.id in parameters:
        if value.id not in arguments:
            return None
        expr, expr_scope, expr_model = arguments[value.id]
        qualname = expr_model.qualified_name(expr, expr_scope)
    else:
        qualname = owner.qualified_name(value, scope)
    return qualname if qualname and is_orm(qualname) else None


def inherited_method(model: ModuleModel, project: ProjectIndex | None, target: str) -> str:
    """``UserRepository.all`` defined by its base: ``Repository.all`` (the first base that
    defines it, as attribute lookup finds it)."""
    if model.function_named(target) is not None:
        return target
    if project is not None and project.function(target) is not None:
        return target
    owner, _, method = target.rpartition(".")
    if not owner or (
        model.class_named(owner) is None and (project is None or not project.is_class(owner))
    ):
        return target
    for base in model.class_bases(owner):
        candidate = f"{base}.{method}"
        if model.function_named(candidate) is not None or (
            project is not None and project.function(candidate) is not None
        ):
            return candidate
    return target

"""API107: the values an attribute of a call's receiver can hold, from how the project
builds that receiver.

``self.logger.info(...)`` where ``Logger.info`` opens ``self.log_file`` only ``if
self.log_file:`` and ``Logger.__init__`` stores ``self.log_file = log_file``: the file is
opened only for a logger built with one. Two ways to know which loggers reach the call:

1. the receiver's own construction is in sight -- a name the function or the module binds
   once to ``Logger(...)``, or ``self.logger`` that the caller's class only ever assigns
   ``Logger(...)`` (through ``x or Logger(...)``, ``a if c else b``, or an ``__init__``
   parameter every construction of that class leaves ``None`` or fills with a name bound
   once to ``Logger(...)``): those calls' arguments;
2. otherwise (a parameter typed ``Logger``, an attribute set from outside): every
   construction of the class in the project (``construction_sites``).

The values are those literals (an omitted argument: the parameter's default); anything
not understood gives no values, and the finding stays.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Optional

from fastapi_lint.project.construction_sites import (
    attribute_closed,
    bound_once,
    constructed_arguments,
    construction_at,
    init_attribute,
    parameter_spec,
    passed_argument,
    self_store_count,
)
from fastapi_lint.rules.argument_values import MISSING, ArgumentValues
from fastapi_lint.semantic.scopes import ScopeKind

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo, Scope

# How many `self.x` assignments of the caller's class are read for one receiver.
_MAX_SOURCES = 12


class _Every:
    """Stands for every construction of the class in the project."""


_EVERY = _Every()


def receiver_attribute_values(
    model: ModuleModel, scope: Scope, call: ast.Call, attr: str
) -> Optional[list[Any]]:
    """The values ``attr`` can hold on the object ``call``'s method runs on, or None."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    class_name = model.type_of(func.value, scope)
    if class_name is None or model.class_anywhere(class_name) is None:
        return None
    source = init_attribute(model, class_name, attr)
    if source is None:
        return None
    if "literal" in source:
        return list(source["literal"])
    sites = _constructions(model, scope, func.value, class_name)
    if sites is _EVERY:
        return constructed_arguments(model, class_name, source)
    values = []
    for site_model, site_scope, site in sites:  # type: ignore[union-attr]
        value = _passed(site_model, site_scope, site, source)
        if value is MISSING:
            return None
        values.append(value)
    return values


_Site = tuple["ModuleModel", "Scope", ast.Call]


def _constructions(
    model: ModuleModel, scope: Scope, receiver: ast.expr, class_name: str
) -> list[_Site] | _Every:
    """The constructions the receiver can come from, or every one of the class."""
    if isinstance(receiver, ast.Name):
        value = bound_once(model, scope, receiver.id)
        if value is None:
            return _EVERY
        return _from_values(model, value[1], [value[0]], class_name, None)
    if isinstance(receiver, ast.Attribute) and isinstance(receiver.value, ast.Name):
        function = scope.code_function if scope.kind is ScopeKind.FUNCTION else None
        if function is None or function.class_info is None:
            return _EVERY
        args = function.node.args.posonlyargs + function.node.args.args
        if not args or args[0].arg != receiver.value.id:
            return _EVERY
        return _self_attribute_constructions(model, function.class_info, receiver.attr, class_name)
    return _EVERY


def _self_attribute_constructions(
    model: ModuleModel, class_info: ClassInfo, attr: str, class_name: str
) -> list[_Site] | _Every:
    """``self.logger`` in a method: every value the class assigns it, when only the
    class's own methods assign it."""
    stores = model.self_assignments(class_info, attr)
    if not stores or len(stores) > _MAX_SOURCES:
        return _EVERY
    if self_store_count(model, class_info, attr) != len(stores):
        return _EVERY  # `self.logger, self.level = ...`, `self.count += 1`: not read here
    if not attribute_closed(model, class_info.qualname, attr):
        return _EVERY
    sites: list[_Site] = []
    for ref in stores:
        statement = ref.node
        if isinstance(statement, ast.Assign) and len(statement.targets) != 1:
            return _EVERY
        value = getattr(statement, "value", None)
        if value is None:
            continue  # `self.logger: Logger` declares, assigns nothing
        found = _from_values(model, ref.scope, [value], class_name, class_info)
        if found is _EVERY:
            return _EVERY
        sites.extend(found)  # type: ignore[arg-type]
    return sites


def _from_values(
    model: ModuleModel,
    scope: Scope,
    values: list[ast.expr],
    class_name: str,
    class_info: Optional[ClassInfo],
) -> list[_Site] | _Every:
    """The constructions of ``class_name`` that the expressions evaluate to: a call,
    either side of ``a if c else b`` or of ``a or b``, ``None`` (no object: a method called
    on it would not run), an ``__init__`` parameter that every construction of the
    caller's class leaves ``None``."""
    sites: list[_Site] = []
    pending = list(values)
    while pending:
        value = pending.pop()
        if isinstance(value, ast.IfExp):
            pending.extend((value.body, value.orelse))
        elif isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or):
            pending.extend(value.values)
        elif isinstance(value, ast.Constant) and value.value is None:
            continue
        elif isinstance(value, ast.Call) and model.call_target(value, scope) == class_name:
            sites.append((model, scope, value))
        elif isinstance(value, ast.Name):
            passed = _passed_to_init(model, scope, value.id, class_info, class_name)
            if passed is None:
                return _EVERY
            sites.extend(passed)
        else:
            return _EVERY
    return sites


def _passed_to_init(
    model: ModuleModel,
    scope: Scope,
    name: str,
    class_info: Optional[ClassInfo],
    class_name: str,
) -> Optional[list[_Site]]:
    """``self.logger = logger`` in ``__init__``: the constructions of ``class_name`` that
    every construction of the class in the project passes for ``logger`` (each a name
    bound once to ``Logger(...)``, or ``None``: no object), or None when one passes
    anything else."""
    function = scope.code_function if scope.kind is ScopeKind.FUNCTION else None
    if class_info is None or function is None or function.name != "__init__":
        return None
    if function.class_info is not class_info:
        return None
    spec = parameter_spec(function, name)
    if spec is None:
        return None
    passed = constructed_arguments(model, class_info.qualname, spec, constructions=True)
    if passed is None:
        return None
    sites: list[_Site] = []
    for value in passed:
        if value is None:
            continue
        if not isinstance(value, dict) or value.get("built") != class_name:
            return None
        site = construction_at(model, value)
        if site is None:
            return None
        sites.append(site)
    return sites


def _passed(model: ModuleModel, scope: Scope, call: ast.Call, spec: dict[str, Any]) -> Any:
    """What a construction passes for the ``__init__`` parameter ``spec``, or MISSING."""
    return passed_argument(call, spec, ArgumentValues(model, scope, call).of, MISSING)

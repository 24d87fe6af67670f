"""Names bound to a request body in a route: which binding a read sees, what a class is.

Shared by API207's body rule (``unvalidated_body``) and its form-field checks (``form_fields``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, Scope


def is_none(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value is None
    return isinstance(node, ast.Name) and node.id == "None"


def is_model_class(model: ModuleModel, annotation: ast.AST, scope: Scope) -> bool:
    """A class of the project (a Pydantic model, a dataclass) or a ``pydantic`` class."""
    if not isinstance(annotation, (ast.Name, ast.Attribute)):
        return False
    qualname = model.qualified_name(annotation, scope) or ""
    if not qualname or qualname.startswith(("fastapi.", "starlette.", "builtins.", "typing.")):
        return False
    if model.class_named(qualname) is not None:
        return True
    return model.project is not None and model.project.is_class(qualname)


def async_with_target(model: ModuleModel, call: ast.Call) -> ast.expr | None:
    """``async with request.form() as form:``: ``form`` (Starlette's way to read a form and
    close its uploaded files), the same value as ``form = await request.form()``."""
    item = model.parent(call)
    if not isinstance(item, ast.withitem) or item.context_expr is not call:
        return None
    return item.optional_vars if isinstance(model.parent(item), ast.AsyncWith) else None


def binding_of(model: ModuleModel, scope: Scope, target: ast.AST) -> Binding | None:
    """The binding a parameter or an assignment target creates."""
    name = target.arg if isinstance(target, ast.arg) else getattr(target, "id", None)
    if name is None:
        return None
    statement = model.parent(target)
    for binding in scope.bindings.get(name, []):
        if binding.node is target or binding.node is statement:
            return binding
    return model.lookup(name, scope)


def reaching_binding(model: ModuleModel, node: ast.Name, scope: Scope) -> Binding | None:
    """The binding a read sees: the last one before it in source order, where the value of
    ``data = Model(**data)`` still reads the previous one (``lookup`` takes the last binding)."""
    found = model.lookup(node.id, scope)
    if found is None:
        return None
    candidates = found.scope.bindings.get(node.id, [])
    best = None
    for candidate in candidates:
        if candidate.line > node.lineno:
            continue
        if candidate.value is not None and any(a is candidate.value for a in model.ancestors(node)):
            continue  # the read is in the value being assigned
        if best is None or candidate.line >= best.line:
            best = candidate
    return best if best is not None else found


def enumerated(model: ModuleModel, node: ast.expr, scope: Scope) -> ast.Call | None:
    """``enumerate(rows)`` around ``node``: a loop over it iterates ``rows`` itself, its
    items paired with their index (``for i, row in enumerate(rows)``)."""
    call = model.parent(node)
    if (
        isinstance(call, ast.Call)
        and call.args[:1] == [node]
        and model.qualified_name(call.func, scope) == "builtins.enumerate"
    ):
        return call
    return None


def tolerant_pop(model: ModuleModel, method: ast.Attribute) -> bool:
    """``data.pop("k", default)`` or a bare ``data.pop("k")`` statement: no missing field
    fails here (``data.pop("email")`` whose value is used is ``data["email"]``)."""
    call = model.parent(method)
    if not isinstance(call, ast.Call):
        return True
    return len(call.args) + len(call.keywords) > 1 or isinstance(model.parent(call), ast.Expr)


def iterated(parent: ast.AST | None, node: ast.expr) -> bool:
    """``for x in node`` or ``[... for x in node]`` (the model links a comprehension's first
    iterable to the comprehension expression itself)."""
    if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)):
        return parent.iter is node
    if isinstance(parent, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        return any(generator.iter is node for generator in parent.generators)
    return False


def item_target_and_region(
    parent: ast.AST | None, node: ast.expr
) -> tuple[ast.expr, list[ast.AST]] | None:
    """The loop variable of ``for item in node`` (or of a comprehension over ``node``) and
    the code that runs once per item."""
    if isinstance(parent, (ast.For, ast.AsyncFor)):
        return parent.target, list(parent.body)
    generators: list[ast.comprehension] = []
    if isinstance(parent, ast.comprehension):
        return None  # a later generator's iterable: its region is the comprehension's
    if isinstance(parent, ast.DictComp):
        generators, results = parent.generators, [parent.key, parent.value]
    elif isinstance(parent, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        generators, results = parent.generators, [parent.elt]
    for index, generator in enumerate(generators):
        if generator.iter is node:
            region: list[ast.AST] = [*generator.ifs, *results]
            for later in generators[index + 1 :]:
                region += [later.iter, *later.ifs]
            return generator.target, region
    return None


# Conversions that make one item a scalar: a JSON array of ids (``for item_id in body:
# store.delete(str(item_id))``) has no fields to read, and the conversion checks each id.
_SCALAR_CONVERSIONS = frozenset({"builtins.str", "builtins.int", "builtins.float", "uuid.UUID"})


def converted_to_scalar(model: ModuleModel, load: ast.expr, scope: Scope) -> bool:
    """``str(item_id)``, ``int(item_id)``, ``UUID(item_id)``: the item is taken as one value."""
    call = model.parent(load)
    return (
        isinstance(call, ast.Call)
        and call.args[:1] == [load]
        and model.qualified_name(call.func, scope) in _SCALAR_CONVERSIONS
    )

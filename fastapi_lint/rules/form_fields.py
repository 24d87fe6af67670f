"""API207's form fields: a form read with ``await request.form()`` whose fields are checked.

A form is not JSON. An OAuth token endpoint (RFC 6749 requires a form and its own error
format) checks each field by hand; a server-rendered admin page reads its fields into the
model it saves and renders its own error page when the model refuses them (FastAPI's JSON
422 is not what a browser form wants). Either way every field is validated.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.body_answers import name_loads
from fastapi_lint.rules.body_bindings import (
    async_with_target,
    binding_of,
    is_model_class,
    is_none,
    reaching_binding,
)
from fastapi_lint.semantic.syntax import single_assignment

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo


def form_fields_checked(model: ModuleModel, function: FunctionInfo, call: ast.Call) -> bool:
    """Every field read from ``await request.form()`` is type-checked before use.

    A form is not JSON: an OAuth token endpoint (RFC 6749 requires a form and its own error
    format) or a multipart upload with bracketed keys checks each field by hand
    (``if not isinstance(token, str): return error(...)``), which is validation."""
    awaited = model.parent(call)
    statement = model.parent(awaited) if awaited is not None else None
    target = async_with_target(model, call)
    assignment = single_assignment(statement)
    if target is None and assignment is not None:
        target = assignment[0]
    if not isinstance(target, ast.Name):
        return False
    binding = binding_of(model, function.scope, target)
    if binding is None:
        return False
    checks = _checked_names(model, function)
    fields = 0
    for node, scope in name_loads(model, function, binding.name):
        if reaching_binding(model, node, scope) is not binding:
            continue
        parent = model.parent(node)
        read: ast.AST | None = None
        if isinstance(parent, ast.Subscript) and parent.value is node:
            read = parent
        elif isinstance(parent, ast.Attribute) and parent.attr in ("get", "getlist"):
            read = model.parent(parent)
        if read is None:
            continue  # passed on whole (`dict(form)`): not a field read
        fields += 1
        holder = model.parent(read)
        if isinstance(holder, ast.Call) and _is_isinstance(holder) and holder.args[0] is read:
            continue  # `isinstance(form.get("k"), str)`
        assignment = single_assignment(holder)
        target = assignment[0] if assignment is not None else None
        if isinstance(target, ast.Name) and target.id in checks:
            continue
        if not _flows_into_model(model, read, function):
            return False
    return fields > 0


def _flows_into_model(model: ModuleModel, read: ast.AST, function: FunctionInfo) -> bool:
    """The field's value is an argument of a project model's constructor, directly
    (``MenuItem(url=str(form.get("url", "")).strip())``) or through a local name built from
    it (``labels = {lang: form.get(f"label_{lang}") ...}`` then ``MenuItem(labels=labels)``):
    the model validates it, and the route catches its error to render the form again."""
    node: ast.AST = read
    for parent in model.ancestors(read):
        if isinstance(parent, ast.Call) and node is not parent.func:
            if _builds_model(model, parent, function):
                return True
        elif isinstance(parent, ast.Assign):
            targets = parent.targets
            if len(targets) != 1 or not isinstance(targets[0], ast.Name):
                return False
            return _name_flows_into_model(model, targets[0], function)
        elif isinstance(parent, ast.stmt):
            return False
        node = parent
    return False


def _name_flows_into_model(model: ModuleModel, target: ast.Name, function: FunctionInfo) -> bool:
    """Every later read of the local ``target`` is an argument of a model's constructor."""
    binding = binding_of(model, function.scope, target)
    if binding is None:
        return False
    uses = 0
    for node, scope in name_loads(model, function, target.id):
        if reaching_binding(model, node, scope) is not binding:
            continue
        uses += 1
        if not any(
            isinstance(parent, ast.Call) and _builds_model(model, parent, function)
            for parent in _until_statement(model, node)
        ):
            return False
    return uses > 0


def _until_statement(model: ModuleModel, node: ast.AST) -> list[ast.AST]:
    found = []
    for parent in model.ancestors(node):
        if isinstance(parent, ast.stmt):
            break
        found.append(parent)
    return found


def _builds_model(model: ModuleModel, call: ast.Call, function: FunctionInfo) -> bool:
    """``MenuItem(...)``: a call of a project class (a Pydantic model, a dataclass), or of a
    class from a library (a capitalized name with keyword arguments), inside a ``try`` that
    catches its refusal (``except ValueError``/``ValidationError``): the route expects the
    model to validate and answers its refusal. Uncaught, a refusal (or the ``KeyError`` of a
    missing field) is a 500, where ``Form()`` parameters answer a 422 that names the field."""
    if not is_model_class(model, call.func, function.scope):
        name = (
            call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
        )
        if not name[:1].isupper() or not call.keywords:
            return False
    return any(
        isinstance(parent, ast.Try) and _catches_refusal(parent) and _in_body(parent, call, model)
        for parent in model.ancestors(call)
    )


# What a model raises when it refuses a value (pydantic's ValidationError is a ValueError).
_REFUSALS = frozenset({"ValueError", "ValidationError", "TypeError", "Exception"})


def _catches_refusal(statement: ast.Try) -> bool:
    for handler in statement.handlers:
        caught = handler.type
        names = caught.elts if isinstance(caught, ast.Tuple) else [caught] if caught else []
        for name in names:
            spelled = name.attr if isinstance(name, ast.Attribute) else getattr(name, "id", "")
            if spelled in _REFUSALS:
                return True
    return False


def _in_body(statement: ast.Try, node: ast.AST, model: ModuleModel) -> bool:
    ancestors = set(map(id, model.ancestors(node)))
    return any(id(child) in ancestors or child is node for child in statement.body)


def _is_isinstance(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Name) and call.func.id == "isinstance" and len(call.args) == 2


def _is_hasattr(call: ast.Call) -> bool:
    """``hasattr(upload, "read")``: a file field told from a text field by what it can do."""
    return (
        isinstance(call.func, ast.Name)
        and call.func.id == "hasattr"
        and len(call.args) == 2
        and isinstance(call.args[1], ast.Constant)
        and isinstance(call.args[1].value, str)
    )


def _checked_names(model: ModuleModel, function: FunctionInfo) -> set[str]:
    """Names the function type-checks (``isinstance(n, str)``, ``hasattr(n, "read")``) or
    compares with a value (``n == "refresh_token"``, ``n in ALLOWED``): checks that reject
    a wrong field."""
    names: set[str] = set()
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        if ref.scope.code_function is function and (_is_isinstance(call) or _is_hasattr(call)):
            if isinstance(call.args[0], ast.Name):
                names.add(call.args[0].id)
    for ref in model.nodes[ast.Compare]:
        compare = ref.node
        assert isinstance(compare, ast.Compare)
        if ref.scope.code_function is not function or len(compare.ops) != 1:
            continue
        if not isinstance(compare.ops[0], (ast.Eq, ast.NotEq, ast.In, ast.NotIn)):
            continue
        if isinstance(compare.left, ast.Name) and not is_none(compare.comparators[0]):
            names.add(compare.left.id)
    return names

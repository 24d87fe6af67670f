"""What iterating a typed sequence gives: ``for p in points`` over ``points: list[Point]``;
what indexing a literal table gives: ``ROUTERS["v1"]``."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic import returned_tables, stubs
from fastapi_lint.semantic.limits import too_deep
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import subscript_elements
from fastapi_lint.semantic.values import Instance, Member, Ref

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo, FunctionInfo, Scope
    from fastapi_lint.semantic.values import Value

# Annotations of a sequence whose items have the element's type.
LIST_TYPES = frozenset(
    {"builtins.list", "typing.List", "typing.Sequence", "collections.abc.Sequence"}
)


# Annotations of a mapping whose values have the last element's type.
MAPPING_TYPES = frozenset(
    {
        "builtins.dict",
        "typing.Dict",
        "typing.Mapping",
        "typing.MutableMapping",
        "collections.abc.Mapping",
        "collections.abc.MutableMapping",
        "collections.OrderedDict",
        "collections.defaultdict",
        "typing.DefaultDict",
        "typing.OrderedDict",
    }
)


def _declared(
    model: ModuleModel, expr: ast.expr, scope: Scope, depth: int
) -> tuple[ModuleModel, ast.expr | None, Scope]:
    """The annotation that declares ``expr`` (a parameter, an annotated variable, or an
    attribute declared in a project class body), the module and scope it is read in."""
    owner: ModuleModel = model
    annotation: ast.expr | None = None
    where = scope
    if isinstance(expr, ast.Name):
        binding = model.lookup(expr.id, scope, expr.lineno)
        if binding is not None and binding.kind is BindingKind.PARAM:
            annotation = getattr(binding.node, "annotation", None)
            where = binding.scope.parent or binding.scope
        elif binding is not None and binding.kind is BindingKind.ASSIGN:
            annotation, where = binding.annotation, binding.scope
        elif binding is not None and binding.kind is BindingKind.IMPORT:
            # `from app.state import models`: declared in the module it comes from.
            return _declared_in_project(model, expr, scope, depth)
    elif isinstance(expr, ast.Attribute):
        holder = model.evaluate(expr.value, scope, depth + 1)
        if isinstance(holder, Ref):
            # `state.models` with `from app.utils import state`: a module's variable.
            return _declared_in_project(model, expr, scope, depth)
        if isinstance(holder, Instance):
            found: tuple[ModuleModel, ClassInfo] | None = None
            local = model.class_named(holder.type)
            if local is not None:
                found = (model, local)
            elif model.project is not None:
                found = model.project.class_info(holder.type)
            if found is not None:
                owner, class_info = found
                bindings = class_info.scope.bindings.get(expr.attr)
                if bindings:
                    annotation, where = bindings[-1].annotation, class_info.scope
    return owner, annotation, where


def _declared_in_project(
    model: ModuleModel, expr: ast.expr, scope: Scope, depth: int
) -> tuple[ModuleModel, ast.expr | None, Scope]:
    """The annotation of a module-level variable of another project module that
    ``expr`` names (``models: dict[str, Embedder] = {}`` read as ``state.models``)."""
    qualname = model.qualified_name(expr, scope)
    if not qualname or model.project is None:
        return model, None, scope
    found = model.project.definition(qualname, depth + 1)
    if found is None or found[1].kind is not BindingKind.ASSIGN:
        return model, None, scope
    owner, binding = found
    return owner, binding.annotation, binding.scope


def sequence_item(model: ModuleModel, expr: ast.expr, scope: Scope, depth: int) -> str | None:
    """The class of the items of a sequence annotated ``list[X]`` (``List``, ``Sequence``):
    a parameter, an annotated variable, or an attribute declared in a project class body."""
    if too_deep(depth):
        return None
    literal = _literal_item(model, expr, scope, depth)
    if literal is not None:
        return literal  # `for path in [CONFIG_PATH, *LEGACY_PATHS]:` over `Path` names
    called = _returned_by(model, expr, scope)
    if called is not None:
        # `items = await repo.list_items()` over a project def annotated `-> list[Item]`
        item = model.call_list_item(*called)
        if item is not None:
            return item
    owner, annotation, where = _declared(model, expr, scope, depth)
    if not isinstance(annotation, ast.Subscript):
        return None
    outer = owner.qualified_name(annotation.value, where) or ""
    elements = subscript_elements(annotation)
    if outer not in LIST_TYPES or len(elements) != 1:
        return None
    return owner.annotation_type(elements[0], where, depth + 1)


def _returned_by(model: ModuleModel, expr: ast.expr, scope: Scope) -> tuple[ast.Call, Scope] | None:
    """The call (awaited or not) whose result ``expr`` is: itself, or the value of an
    unannotated assignment of the name."""
    if isinstance(expr, ast.Name):
        binding = model.lookup(expr.id, scope, expr.lineno)
        if (
            binding is None
            or binding.kind is not BindingKind.ASSIGN
            or binding.annotation is not None
            or binding.unpack_index is not None
            or binding.value is None
        ):
            return None
        expr, scope = binding.value, binding.scope
    if isinstance(expr, ast.Await):
        expr = expr.value
    return (expr, scope) if isinstance(expr, ast.Call) else None


def _literal_item(model: ModuleModel, expr: ast.expr, scope: Scope, depth: int) -> str | None:
    """The class shared by every element of a list, tuple or set literal (``[CONFIG, OLD]``,
    ``(Path(a), Path(b))``); a starred element counts through a module-level name bound to
    such a literal (``*LEGACY_PATHS``). One element of another or unknown type: ``None``."""
    if isinstance(expr, ast.Name):
        binding = model.lookup(expr.id, scope, expr.lineno)
        assigned = binding.assigned if binding is not None else None
        if (
            binding is None
            or binding.scope is not model.module_scope
            or not isinstance(assigned, (ast.List, ast.Tuple, ast.Set))
        ):
            return None
        expr, scope = assigned, binding.scope
    if not isinstance(expr, (ast.List, ast.Tuple, ast.Set)) or not expr.elts:
        return None
    found: set[str] = set()
    for element in expr.elts:
        if isinstance(element, ast.Starred):
            inner = _literal_item(model, element.value, scope, depth + 1)
            if inner is None:
                return None
            found.add(inner)
            continue
        value = model.evaluate(element, scope, depth + 1)
        if not isinstance(value, Instance):
            return None
        found.add(value.type)
    return found.pop() if len(found) == 1 else None


def subscript_item(model: ModuleModel, expr: ast.Subscript, scope: Scope, depth: int) -> str | None:
    """The class of ``ITEMS[key]`` over ``ITEMS: dict[int, Item]`` (a mapping's values) or
    ``rows[0]`` over ``rows: list[Row]`` (an index, not a slice): simple flow through an
    annotated container."""
    if too_deep(depth) or isinstance(expr.slice, ast.Slice):
        return None
    owner, annotation, where = _declared(model, expr.value, scope, depth)
    if not isinstance(annotation, ast.Subscript):
        return None
    outer = owner.qualified_name(annotation.value, where) or ""
    elements = subscript_elements(annotation)
    if outer in LIST_TYPES and len(elements) == 1:
        item = owner.annotation_type(elements[0], where, depth + 1)
    elif outer in MAPPING_TYPES and len(elements) == 2:
        item = owner.annotation_type(elements[1], where, depth + 1)
    else:
        return None
    # `dict[str, Any]`, `list[int]`: nothing a rule types by; an annotation on the
    # assignment (`user: User = data["user"]`) stays the better answer.
    if item is None or item.startswith(("builtins.", "typing.", "typing_extensions.")):
        return None
    return item


# Mapping methods that give one of the values: `PROVIDERS.get(name)`, `cache.pop(key, None)`.
MAPPING_LOOKUPS = frozenset({"get", "pop", "setdefault"})


def mapping_lookup(model: ModuleModel, call: ast.Call, scope: Scope, depth: int) -> Value | None:
    """``PROVIDERS.get(name)`` over ``PROVIDERS: dict[str, Provider]``: a ``Provider``
    (or the default), as ``PROVIDERS[name]`` is."""
    func = call.func
    if (
        not isinstance(func, ast.Attribute)
        or func.attr not in MAPPING_LOOKUPS
        or not 1 <= len(call.args) <= 2
        or call.keywords
        or too_deep(depth)
    ):
        return None
    owner, annotation, where = _declared(model, func.value, scope, depth)
    if not isinstance(annotation, ast.Subscript):
        return None
    elements = subscript_elements(annotation)
    if (owner.qualified_name(annotation.value, where) or "") not in MAPPING_TYPES or len(
        elements
    ) != 2:
        return None
    item = owner.annotation_type(elements[1], where, depth + 1)
    if item is None or item.startswith(("builtins.", "typing.", "typing_extensions.")):
        return None
    return Instance(item)


def may_miss(model: ModuleModel, expr: ast.expr, scope: Scope) -> bool:
    """``ITEMS.get(key)`` (no default) over an annotated mapping: the item, or None."""
    return (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "get"
        and len(expr.args) == 1
        and mapping_lookup(model, expr, scope, 0) is not None
    )


def walked_call(model: ModuleModel, call: ast.Call, scope: Scope) -> ast.Call:
    """The call whose items a loop over ``call`` walks: the argument of a builtin that
    keeps its iterable's items (``sorted(media.glob("*.png"))``), else ``call``."""
    func = call.func
    if (
        isinstance(func, ast.Name)
        and func.id in stubs.ITEM_PRESERVING_BUILTINS
        and len(call.args) == 1
        and isinstance(call.args[0], ast.Call)
        and model.lookup(func.id, scope) is None
    ):
        return call.args[0]
    return call


def called_item(
    model: ModuleModel, qualname: str, local: FunctionInfo | None, depth: int
) -> Instance | None:
    """An item of what calling the def ``qualname`` gives, when it is not a generator of
    this module (``local``: its def here, if any): what a project generator elsewhere
    yields (``for db in get_db()``), or ``X`` of a def annotated ``-> list[X]``
    (``for path in list_reports(root)``: paths)."""
    if local is not None:
        item = model.returned_list_item(local, depth)
    elif model.project is None:
        return None
    else:
        found = model.project.generator_item(qualname, depth)
        if found is not None:
            return found if isinstance(found, Instance) else None
        item = model.project.list_item(qualname)
    return Instance(item) if item else None


def scan_item(callee: Member) -> Instance | None:
    """What iterating over the result of the method ``callee`` gives (``Path.glob``: paths)."""
    item_type = stubs.ITERATION_ITEMS.get(f"{callee.owner}.{callee.name}")
    return Instance(item_type) if item_type is not None else None


def literal_item(model: ModuleModel, expr: ast.Subscript, scope: Scope, depth: int) -> Value | None:
    """``routers["v1"]`` where ``routers = {"v1": APIRouter(...), ...}`` is a dict literal
    with constant keys (``@routers["v1"].get(...)``, PEP 614): the value at that key; also
    where ``repos = get_repositories()`` and that project function returns such a literal."""
    key = expr.slice
    if too_deep(depth) or not isinstance(key, ast.Constant):
        return None
    if isinstance(expr.value, ast.Call):
        # `build_repositories(client)["audit"]`: the table the call returns.
        return returned_tables.call_table_item(model, expr.value, scope, key.value, depth + 1)
    if not isinstance(expr.value, ast.Name):
        return None
    binding = model.lookup(expr.value.id, scope, expr.lineno)
    if (
        binding is None
        or binding.kind is not BindingKind.ASSIGN
        or binding.unpack_index is not None
    ):
        return None
    table = binding.value
    if isinstance(table, ast.Call):
        # `repos = get_repositories()`: the table a project function returns.
        return returned_tables.call_table_item(model, table, binding.scope, key.value, depth + 1)
    if not isinstance(table, ast.Dict):
        return None
    for table_key, value in zip(table.keys, table.values):
        if isinstance(table_key, ast.Constant) and table_key.value == key.value:
            return model.evaluate(value, binding.scope, depth + 1)
    return None

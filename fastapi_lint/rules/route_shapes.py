"""What a route returns, when its shape is known statically (API201, API202).

Revision 2: API201 speaks only when the route returns something whose shape a
response model would describe: a dict literal, an instance of a Pydantic model
or an ORM class, or a list of those. A value passed through from a call whose
type is unknown (an upstream service's JSON) says nothing about the shape, and
a route returning one stays silent. ``None`` and ``Response`` objects describe
nothing either: they are left out, and the other returns decide.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Optional

from fastapi_lint.semantic.list_returns import alternatives, one_or_many
from fastapi_lint.semantic.project import defining_function
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.sequences import may_miss, subscript_item
from fastapi_lint.semantic.values import Instance, Ref

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

_PYDANTIC_BASES = frozenset(
    {
        "pydantic.BaseModel",
        "pydantic.main.BaseModel",
        "pydantic.v1.BaseModel",
        "sqlmodel.SQLModel",
        "sqlmodel.main.SQLModel",
    }
)


@dataclass(frozen=True)
class Shape:
    """The known shape of one returned value."""

    kind: str  # "dict", "model", "none", "empty-dict"
    keys: tuple[str, ...] = ()  # dict literal keys
    type: str = ""  # model class qualified name
    spelling: str = ""  # how the module spells the class ("" when not bound here)
    is_list: bool = False
    # A mapped class that is no Pydantic model: FastAPI refuses it as a response model.
    orm: bool = False
    # The type arguments of a generic model built parameterized: `[Item]` of
    # `Envelope[Item](data=item)`.
    params: str = ""

    @property
    def name(self) -> str:
        return self.type.rsplit(".", 1)[-1] + self.params

    @property
    def label(self) -> str:
        if self.kind == "dict":
            keys = ", ".join(f"`{k}`" for k in self.keys[:6])
            more = ", ..." if len(self.keys) > 6 else ""
            with_keys = f" with keys {keys}{more}" if keys else ""
            return f"a list of dicts{with_keys}" if self.is_list else f"a dict{with_keys}"
        name = self.name
        return f"a list of `{name}`" if self.is_list else f"an instance of `{name}`"

    @property
    def annotation(self) -> str:
        if self.kind != "model" or not self.spelling:
            return ""
        spelled = self.spelling + self.params
        return f"list[{spelled}]" if self.is_list else spelled


def model_class_kind(model: ModuleModel, qualname: str) -> Optional[str]:
    """``"pydantic"`` or ``"orm"`` for a class whose instances a response model describes."""
    if qualname in _PYDANTIC_BASES:
        return "pydantic"
    if model.class_named(qualname) is None and not (
        model.project is not None and model.project.is_class(qualname)
    ):
        return None
    bases = model.class_bases(qualname)
    if any(base in _PYDANTIC_BASES for base in bases):
        return "pydantic"
    from fastapi_lint.project.orm import catalogue_for

    try:
        if catalogue_for(model).is_orm_class(qualname, model):
            return "orm"
    except RecursionError:  # pragma: no cover - pathological hierarchies
        return None
    return None


def _spelling(model: ModuleModel, qualname: str, scope: Scope) -> str:
    """The name this module binds to ``qualname`` (for a fix and the message), or "": the
    class's own name, else the alias it is imported under (``import Item as ItemSchema``)."""
    name = qualname.rsplit(".", 1)[-1]
    aliases = [
        local
        for local, bindings in model.module_scope.bindings.items()
        if local != name and any(b.kind is BindingKind.IMPORT for b in bindings)
    ]
    for candidate in (name, *aliases):
        probe = ast.Name(id=candidate, ctx=ast.Load())
        value = model.evaluate(probe, model.module_scope)
        if isinstance(value, Ref) and value.qualname == qualname:
            return candidate
    return ""


def shape_of(model: ModuleModel, value: ast.expr | None, scope: Scope) -> Shape | None:
    """The shape of a returned expression, or None when it is not known."""
    if value is None or (isinstance(value, ast.Constant) and value.value is None):
        return Shape("none")
    if isinstance(value, ast.Await):
        value = value.value
    if isinstance(value, ast.Dict):
        if not value.keys:
            return Shape("empty-dict")
        keys = _literal_keys(value, scope)
        if keys is None:
            return None
        return Shape("dict", keys=keys)
    if isinstance(value, (ast.List, ast.ListComp)):
        elements = value.elts if isinstance(value, ast.List) else [value.elt]
        if not elements:
            return None
        inner_scope = scope
        if isinstance(value, ast.ListComp):
            inner_scope = model.scope_of_node.get(id(value), scope)
        shapes = [shape_of(model, e, inner_scope) for e in elements]
        first = shapes[0]
        if first is None or first.kind not in ("dict", "model") or first.is_list:
            return None
        if any(s != first for s in shapes[1:]):
            return None
        return Shape(first.kind, first.keys, first.type, first.spelling, is_list=True)
    if isinstance(value, ast.Name):
        comprehension = _built_list(model, value, scope)
        if comprehension is not None:
            return shape_of(model, comprehension, scope)
        appended = _appended_items(model, value, scope)
        if appended:
            return shape_of(model, ast.List(elts=appended, ctx=ast.Load()), scope)
        alternatives = _branch_values(model, value, scope)
        if alternatives is not None:
            # `try: result = handler(...)` / `except: result = Failed(...)`: each
            # assignment may be what is returned; known only when they all agree.
            shapes = [
                shape_of(model, v, scope) if v is not None and not _names(v, value.id) else None
                for v in alternatives
            ]
            if shapes[0] is None or any(s != shapes[0] for s in shapes[1:]):
                return None
        # `entries = crud.list_entries(...)`, then `return entries`: a helper annotated
        # `-> list[Entry]`, as when the call is returned directly (below).
        assigned = _only_assignment(scope, value)
        if isinstance(assigned, ast.Call):
            item = model.call_list_item(assigned, scope)
            if item is not None and model_class_kind(model, item) is not None:
                return replace(_model_shape(model, item, scope), is_list=True)
    fetched = _fetched_entity(model, value, scope) or _stored_item(model, value, scope)
    if fetched is not None:
        return _model_shape(model, fetched, scope)
    rows = _fetched_rows(model, value, scope)
    if rows is not None:
        return replace(_model_shape(model, rows[0], scope), is_list=rows[1])
    if may_miss(model, value, scope):
        return None  # `ITEMS_DB.get(item_id)`: the item, or None for a missing key
    generic = _parameterized_model(model, value, scope)
    if generic is not None:
        return generic
    evaluated = model.evaluate(value, scope)
    if evaluated is None and isinstance(value, ast.Call):
        built = _validated_instance(model, value, scope)
        if built is not None:
            return Shape("model", type=built, spelling=_spelling(model, built, scope))
        # A project helper annotated `-> list[Item]` (a repository's `list_items()`).
        item = model.call_list_item(value, scope)
        if item is not None and model_class_kind(model, item) is not None:
            return replace(_model_shape(model, item, scope), is_list=True)
    if isinstance(evaluated, Instance):
        if _open_generic(model, evaluated.type) and not _parameterized(value):
            return None  # `Result.succ(data)`: the envelope is known, its payload is not
        if model_class_kind(model, evaluated.type) is not None:
            return _model_shape(model, evaluated.type, scope)
    return None


def _literal_keys(value: ast.Dict, scope: Scope, depth: int = 0) -> tuple[str, ...] | None:
    """The string keys of a dict literal, None when one is not known. ``{**base, "kind": k}``
    unpacks a local name whose only assignment is itself such a literal (``base = {...}``);
    any other ``{**other}`` takes its keys from elsewhere."""
    keys: list[str] = []
    for key, item in zip(value.keys, value.values):
        if key is None:
            unpacked = _only_assignment(scope, item) if isinstance(item, ast.Name) else None
            inner = None
            if isinstance(unpacked, ast.Dict) and depth < 3:
                inner = _literal_keys(unpacked, scope, depth + 1)
            if inner is None:
                return None
            keys.extend(k for k in inner if k not in keys)
        elif isinstance(key, ast.Constant) and isinstance(key.value, str):
            if key.value not in keys:
                keys.append(key.value)
        else:
            return None
    return tuple(keys)


def _model_shape(model: ModuleModel, qualname: str, scope: Scope) -> Shape:
    orm = model_class_kind(model, qualname) == "orm"
    return Shape("model", type=qualname, spelling=_spelling(model, qualname, scope), orm=orm)


def _open_generic(model: ModuleModel, qualname: str) -> bool:
    """Whether a class takes a type parameter it leaves open: ``class Result(BaseModel,
    Generic[T])``, ``class Page(Envelope[T])``, ``class Result[T](BaseModel)``.

    An instance of one says the envelope's keys but not what its ``data: T`` field holds,
    so a route returning it has no statically known shape (Revision 2): ``-> Result``
    would document ``data`` as anything, and the real model (``Result[Item]``) is
    exactly what the route does not say."""
    local = model.class_named(qualname)
    if local is not None:
        owner, info = model, local
    elif model.project is not None and (found := model.project.class_info(qualname)):
        owner, info = found
    else:
        return False
    if getattr(info.node, "type_params", None):
        return True  # PEP 695
    for base in info.node.bases:
        if not isinstance(base, ast.Subscript):
            continue
        head = base.value
        head_name = head.attr if isinstance(head, ast.Attribute) else getattr(head, "id", "")
        if head_name == "Generic":
            return True
        arguments = base.slice.elts if isinstance(base.slice, ast.Tuple) else [base.slice]
        if any(_is_type_variable(owner, argument, info.outer) for argument in arguments):
            return True
    return False


def _is_type_variable(model: ModuleModel, expr: ast.expr, scope: Scope) -> bool:
    """A name bound to ``TypeVar("T")`` (``T = TypeVar("T", bound=BaseModel)``)."""
    if not isinstance(expr, ast.Name):
        return False
    binding = model.lookup(expr.id, scope)
    if binding is None or not isinstance(binding.value, ast.Call):
        return False
    func = binding.value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name == "TypeVar"


def _parameterized_model(model: ModuleModel, value: ast.expr, scope: Scope) -> Shape | None:
    """``Envelope[Item](data=item)`` (or a local name assigned it once): an instance of a
    generic Pydantic model whose type arguments the call names, so the shape is known."""
    if isinstance(value, ast.Name):
        assigned = _only_assignment(scope, value)
        if assigned is None:
            return None
        value = assigned
    if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Subscript):
        return None
    generic = model.evaluate(value.func.value, scope)
    if not isinstance(generic, Ref) or model_class_kind(model, generic.qualname) != "pydantic":
        return None
    if not _open_generic(model, generic.qualname):
        return None
    shape = _model_shape(model, generic.qualname, scope)
    return replace(shape, params=f"[{ast.unparse(value.func.slice)}]")


def _parameterized(value: ast.expr) -> bool:
    """``Result[Item](data=item)``, ``Page[User].of(rows)``: the call names the parameter."""
    if not isinstance(value, ast.Call):
        return False
    func: ast.expr = value.func
    while isinstance(func, (ast.Attribute, ast.Subscript)):
        if isinstance(func, ast.Subscript):
            return True
        func = func.value
    return False


def _only_assignment(scope: Scope, name: ast.Name) -> ast.expr | None:
    """The value of ``name = value`` when that is the name's only binding in ``scope``."""
    bindings = scope.bindings.get(name.id, [])
    if len(bindings) != 1:
        return None
    binding = bindings[0]
    if binding.kind is not BindingKind.ASSIGN or binding.unpack_index is not None:
        return None
    return binding.value if isinstance(binding.value, ast.expr) else None


# Statements whose body may not run (or may run instead of another branch); `match`
# cases exist from Python 3.10 on.
_BRANCHING: tuple[type, ...] = (
    ast.If,
    ast.Try,
    ast.ExceptHandler,
    ast.For,
    ast.AsyncFor,
    ast.While,
    *((ast.match_case,) if hasattr(ast, "match_case") else ()),
)


def _branch_values(
    model: ModuleModel, name: ast.Name, scope: Scope
) -> list[ast.expr | None] | None:
    """The values of every assignment that may reach ``name``, when the one before it
    sits in a branch that does not hold ``name`` (an ``except`` handler, an ``if``);
    None when that assignment always runs before (the usual case). An assignment that
    is not a plain value (unpacking, a parameter, a loop target) is ``None``: unknown."""
    binding = model.lookup(name.id, scope, name.lineno)
    if binding is None or binding.kind is not BindingKind.ASSIGN or binding.scope is not scope:
        return None
    statement = binding.node
    inside = False
    for ancestor in model.ancestors(statement):
        if ancestor is scope.node:
            break
        if isinstance(ancestor, _BRANCHING) and not _contains(ancestor, name):
            inside = True
            break
    if not inside:
        return None
    values: list[ast.expr | None] = []
    for other in scope.bindings.get(name.id, []):
        if other.line >= name.lineno:
            continue
        plain = other.kind is BindingKind.ASSIGN and other.unpack_index is None
        values.append(other.value if plain and isinstance(other.value, ast.expr) else None)
    return values or None


def _contains(outer: ast.AST, node: ast.AST) -> bool:
    start, end = getattr(outer, "lineno", 0), getattr(outer, "end_lineno", None) or 0
    return start <= getattr(node, "lineno", -1) <= end


def _names(value: ast.expr, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(value))


def _built_list(model: ModuleModel, name: ast.Name, scope: Scope) -> ast.ListComp | None:
    """The list comprehension a returned name holds (``hits = [Hit(...) for ...]; return
    hits``): bound once in the function and never grown or changed in place."""
    value = _only_assignment(scope, name)
    if not isinstance(value, ast.ListComp):
        return None
    for node in ast.walk(scope.node):
        if not isinstance(node, ast.Name) or node.id != name.id or node is name:
            continue
        parent = model.parent(node)
        if isinstance(parent, ast.AugAssign) and parent.target is node:
            return None  # `hits += more`
        if isinstance(parent, ast.Subscript) and not isinstance(parent.ctx, ast.Load):
            return None  # `hits[0] = other`
        if isinstance(parent, ast.Attribute) and parent.attr not in _READ_METHODS:
            call = model.parent(parent)
            if isinstance(call, ast.Call) and call.func is parent:
                return None  # `hits.append(...)`, `hits.sort(...)`: changed in place
    return value


def _appended_items(model: ModuleModel, name: ast.Name, scope: Scope) -> list[ast.expr] | None:
    """The items a returned name collects (``rows = []``, then ``rows.append(Row(...))``
    in a loop, then ``return rows``): bound once to an empty list and only grown by
    ``append``; never changed otherwise nor handed to another call (which may change it)."""
    value = _only_assignment(scope, name)
    if not isinstance(value, ast.List) or value.elts:
        return None
    items: list[ast.expr] = []
    for node in ast.walk(scope.node):
        if not isinstance(node, ast.Name) or node.id != name.id or node is name:
            continue
        if not isinstance(node.ctx, ast.Load):
            continue  # the binding itself
        parent = model.parent(node)
        if isinstance(parent, ast.Attribute):
            call = model.parent(parent)
            if not isinstance(call, ast.Call) or call.func is not parent:
                continue
            if parent.attr == "append" and len(call.args) == 1 and not call.keywords:
                items.append(call.args[0])
            elif parent.attr not in _READ_METHODS:
                return None  # `rows.extend(...)`, `rows.sort(...)`
        elif isinstance(parent, ast.AugAssign) and parent.target is node:
            return None
        elif isinstance(parent, ast.Subscript) and not isinstance(parent.ctx, ast.Load):
            return None
        elif isinstance(parent, ast.Call) and not _is_len(parent):
            return None  # `fill(rows)`: another call may add anything
    return items


def _is_len(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Name) and call.func.id == "len"


# Methods of a list that read it without changing it.
_READ_METHODS = frozenset({"count", "index", "copy"})


# Class methods of Pydantic models that build an instance of their class (v2 and v1 names).
_CONSTRUCTORS = frozenset(
    (
        "model_validate model_validate_json model_validate_strings model_construct "
        "from_orm parse_obj parse_raw parse_file construct validate"
    ).split()
)


def _called(value: ast.expr, scope: Scope) -> ast.expr:
    """``value`` without its ``await``; for a local name assigned once, the call (awaited
    or not) it holds (another name stays as it is: not a call)."""
    if isinstance(value, ast.Name):
        bindings = scope.bindings.get(value.id, [])
        if len(bindings) != 1 or not isinstance(bindings[0].value, (ast.Call, ast.Await)):
            return value
        value = bindings[0].value
    if isinstance(value, ast.Await):
        value = value.value
    return value


def _fetched_entity(model: ModuleModel, value: ast.expr, scope: Scope) -> str | None:
    """``session.get(Event, event_id)`` (awaited or not, also through a local name assigned
    once): an instance of the ORM class named by the first argument."""
    value = _called(value, scope)
    if not (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in ("get", "get_one")
        and len(value.args) >= 2
        and not value.keywords
    ):
        return None
    target = model.qualified_name(value.args[0], scope)
    if target is None or model_class_kind(model, target) is None:
        return None
    return target


# Methods ending a query of ORM objects: a list of them, or one of them.
_ALL_ROWS = frozenset({"all", "fetchall"})
_ONE_ROW = frozenset({"first", "one", "one_or_none", "scalar_one", "scalar_one_or_none"})
# Methods that keep the query's entity (filters, order, paging, loader options).
_KEEPS_ENTITY = frozenset(
    {"filter", "filter_by", "where", "order_by", "limit", "offset", "options", "join", "outerjoin"}
)


def _fetched_rows(model: ModuleModel, value: ast.expr, scope: Scope) -> tuple[str, bool] | None:
    """``db.query(User).filter(...).all()``, ``db.scalars(select(User)).all()``,
    ``session.exec(select(User)).first()``, ``(await db.execute(select(User))).scalars().all()``
    (also through a local name assigned once): (the ORM class, whether a list of it)."""
    value = _called(value, scope)
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)):
        return None
    ending = value.func.attr
    if value.args or value.keywords or ending not in _ALL_ROWS | _ONE_ROW:
        return None
    node: ast.expr = value.func.value
    scalars = False  # `.scalars()` seen: rows are the entity, not `Row` tuples
    for _ in range(12):
        if isinstance(node, ast.Name):
            # `result = await db.execute(select(T))` then `result.scalars().all()`.
            bindings = scope.bindings.get(node.id, [])
            bound = bindings[0].value if len(bindings) == 1 else None
            if bound is None or bindings[0].unpack_index is not None:
                return None
            node = bound
        if isinstance(node, ast.Await):
            node = node.value
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            return None
        method = node.func.attr
        if method == "scalars" and not node.args:
            scalars = True
        elif method in ("query", "scalars", "exec", "execute") and len(node.args) == 1:
            if method == "execute" and not scalars:
                return None  # `Row` tuples
            target = _selected_entity(model, node.args[0], scope, method == "query")
            if target is None or model_class_kind(model, target) is None:
                return None
            return target, ending in _ALL_ROWS
        elif method not in _KEEPS_ENTITY:
            return None
        node = node.func.value
    return None


def _selected_entity(model: ModuleModel, query: ast.expr, scope: Scope, legacy: bool) -> str | None:
    """``User`` of ``db.query(User)`` (``legacy``) or of ``select(User).where(...)``."""
    if legacy:
        return model.qualified_name(query, scope)
    node = query
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr not in _KEEPS_ENTITY:
            return None
        node = node.func.value
    if not isinstance(node, ast.Call) or len(node.args) != 1 or node.keywords:
        return None
    selector = model.qualified_name(node.func, scope) or ""
    if not (selector.startswith(("sqlalchemy.", "sqlmodel.")) and selector.endswith(".select")):
        return None
    return model.qualified_name(node.args[0], scope)


def _stored_item(model: ModuleModel, value: ast.expr, scope: Scope) -> str | None:
    """``NOTES[note_id]`` of an in-memory store annotated ``NOTES: dict[int, Note] = {}``
    (or ``list[Note]``): an instance of that model class. (``NOTES.get(note_id)`` may be
    None: left unknown rather than suggesting a wrong annotation.)"""
    if not isinstance(value, ast.Subscript):
        return None
    target = subscript_item(model, value, scope, 0)
    if target is None or model_class_kind(model, target) != "pydantic":
        return None
    return target


def _validated_instance(model: ModuleModel, call: ast.Call, scope: Scope) -> str | None:
    """``Item.model_validate(row)``, ``schemas.User.from_orm(db_user)``: an instance of the
    Pydantic class the classmethod is called on."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _CONSTRUCTORS:
        return None
    owner = model.evaluate(func.value, scope)
    if not isinstance(owner, Ref) or model_class_kind(model, owner.qualname) != "pydantic":
        return None
    return owner.qualname


def returned_shapes(
    model: ModuleModel, returns: list[ast.Return], scope: Scope | None
) -> list[Shape] | None:
    """The shapes of every ``return``; None as soon as one is not known."""
    if scope is None:
        return None
    result: list[Shape] = []
    for statement in returns:
        for value in _branches(statement.value):
            several = _alternatives(model, value, scope)
            if several is not None and _checked_for_none(model, statement, value, scope):
                # `if found is None: raise HTTPException(404)` before `return found`.
                several = [shape for shape in several if shape.kind != "none"]
                several = several if len(several) > 1 else None
            if several is not None:
                # `return await service.login(data)` with `-> Token | Challenge`: either
                # may come back, and a `-> Token` annotation would refuse the other.
                if not all(s.kind == "none" or s.kind == "model" for s in several):
                    return None
                result.extend(several)
                continue
            shape = shape_of(model, value, scope)
            if shape is None:
                item = _one_or_many(model, value, scope)
                if item is None:
                    return None
                one = _model_shape(model, item, scope)
                result.extend((one, replace(one, is_list=True)))
                continue
            result.append(shape)
    return result


def _checked_for_none(
    model: ModuleModel, statement: ast.Return, value: ast.expr | None, scope: Scope
) -> bool:
    """Whether the returned name cannot be None there: the ``return`` sits under ``if
    name:`` / ``if name is not None:``, or an earlier ``if name is None:`` / ``if not
    name:`` of the function ends by raising or returning."""
    if not isinstance(value, ast.Name) or scope.function is None:
        return False
    name = value.id
    child: ast.AST = statement
    for ancestor in model.ancestors(statement):
        if (
            isinstance(ancestor, ast.If)
            and any(child is node for node in ancestor.body)
            and _tests(ancestor.test, name, present=True)
        ):
            return True
        child = ancestor
    for node in ast.walk(scope.function.node):
        if (
            isinstance(node, ast.If)
            and node.lineno < statement.lineno
            and node.body
            and isinstance(node.body[-1], (ast.Raise, ast.Return))
            and _tests(node.test, name, present=False)
        ):
            return True
    return False


def _tests(test: ast.expr, name: str, present: bool) -> bool:
    """``name`` / ``name is not None`` (present) or ``not name`` / ``name is None``."""
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    if negated:
        test = test.operand  # type: ignore[attr-defined]
    if isinstance(test, ast.Name) and test.id == name:
        return negated is not present
    if (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == name
        and len(test.ops) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        is_none = isinstance(test.ops[0], ast.Is)
        is_not_none = isinstance(test.ops[0], ast.IsNot)
        return (is_not_none if present else is_none) and not negated
    return False


def _one_or_many(model: ModuleModel, value: ast.expr | None, scope: Scope) -> str | None:
    """The model class of a helper annotated ``-> License | list[License]`` whose call (or a
    name bound once to it) is returned: one of them or a list of them, both shapes known."""
    called = _annotated_callee(model, value, scope)
    if called is None:
        return None
    owner, returns, outer = called
    item = one_or_many(owner, returns, outer)
    return item if item is not None and model_class_kind(model, item) is not None else None


def _alternatives(model: ModuleModel, value: ast.expr | None, scope: Scope) -> list[Shape] | None:
    """The shapes a helper annotated with a union of classes (``-> Token | Challenge``,
    ``-> Item | None``) may return when its call (or a name bound once to it) is returned.
    A member that is no model class gives an unknown shape (``None`` in the list)."""
    called = _annotated_callee(model, value, scope)
    if called is None:
        return None
    owner, returns, outer = called
    members = alternatives(owner, returns, outer)
    if members is None:
        return None
    shapes: list[Shape] = []
    for member in members:
        if member == "builtins.None":
            shapes.append(Shape("none"))
        elif model_class_kind(model, member) is not None:
            shapes.append(_model_shape(model, member, scope))
        else:
            shapes.append(Shape("unknown"))
    return shapes


def _annotated_callee(
    model: ModuleModel, value: ast.expr | None, scope: Scope
) -> tuple[ModuleModel, ast.expr, Scope] | None:
    """The module, return annotation and scope of the project function whose call (awaited,
    or bound once to a returned name) is returned."""
    if isinstance(value, ast.Await):
        value = value.value
    if isinstance(value, ast.Name):
        value = _only_assignment(scope, value)
        if isinstance(value, ast.Await):
            value = value.value
    if not isinstance(value, ast.Call):
        return None
    target = model.call_target(value, scope)
    if target is None:
        return None
    found = defining_function(model, target)
    if found is None:
        return None
    owner, function = found
    returns = function.node.returns
    return (owner, returns, function.outer) if returns is not None else None


def _branches(value: ast.expr | None) -> list[ast.expr | None]:
    """The values a ``return`` may hand back: both sides of ``a if test else b`` (nested too),
    each as if returned by a ``return`` of its own."""
    if isinstance(value, ast.IfExp):
        return [*_branches(value.body), *_branches(value.orelse)]
    return [value]


# A dict whose only key names an error: the body of a failure, never of a success.
_ERROR_BODIES = frozenset({("detail",), ("error",)})


def missing_model_detail(shapes: list[Shape], responses: bool = False) -> tuple[str, str] | None:
    """(message detail, annotation for the fix) when the returns call for a response model.
    With ``responses`` other returns are ``Response`` objects: a return annotation would not
    describe them, ``response_model=`` does (FastAPI sends the responses as they are)."""
    known = [s for s in shapes if s.kind in ("dict", "model")]
    if not known:
        return None  # only None and {}: nothing to describe
    if responses and all(s.kind == "dict" and s.keys in _ERROR_BODIES for s in known):
        # A file or page route (an SPA fallback sending `index.html`) whose only dict is an
        # error body, FastAPI's `{"detail": ...}` or `{"error": ...}` ("Frontend not built"):
        # a response model would describe the error, not the file the route serves.
        return None
    first = known[0]
    same = all(s == first for s in known)
    if first.kind == "model" and same and first.orm:
        # `-> User` with a SQLAlchemy class makes FastAPI refuse the route at start-up.
        return (
            f"it returns {first.label}, an ORM object: describe it with a Pydantic schema "
            "(`response_model=...`, `from_attributes=True`)",
            "",
        )
    if first.kind == "model" and same:
        name = first.name
        # as this module spells the class (an import alias), else by its own name
        suggestion = first.annotation or (f"list[{name}]" if first.is_list else name)
        if responses:
            return (
                f"it returns {first.label} or a Starlette response: declare `response_model={suggestion}`",
                "",
            )
        if len(known) != len(shapes):  # some returns are None (or `{}`)
            return f"it returns {first.label} or None: annotate it `-> {suggestion} | None`", ""
        return f"it returns {first.label}: annotate it `-> {suggestion}`", first.annotation
    if same:
        return f"it returns {first.label}: describe it with a Pydantic model", ""
    names = {s.name for s in known if s.kind == "model" and not s.orm}
    if len(names) == 1 and len(known) == len(shapes) == sum(1 for s in known if s.name in names):
        # A helper annotated `-> Station | list[Station]`: one of them, or all of them.
        name = names.pop()
        return (
            f"it returns one `{name}` or a list of them: annotate it `-> {name} | list[{name}]`",
            "",
        )
    labels = sorted({s.label for s in known})
    models = sorted({s.annotation or s.name for s in known})
    if all(s.kind == "model" and not s.orm and not s.is_list for s in known) and not responses:
        # `-> Token | Challenge` from a helper's union: FastAPI validates against either.
        union = " | ".join(models) + (" | None" if len(known) != len(shapes) else "")
        return f"it returns {' or '.join(labels)}: annotate it `-> {union}`", ""
    return f"it returns {' or '.join(labels)}: describe them with a response model", ""

"""API403 lazy-load-in-response: a response model that serializes lazy relationships."""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from fastapi_lint.project.orm import (
    PYDANTIC_BASES,
    SQLMODEL,
)
from fastapi_lint.registry import Rule
from fastapi_lint.rules.nplusone.api402 import parent_in_identity_map
from fastapi_lint.rules.nplusone.examples import APP_EXAMPLE, MODELS_EXAMPLE, SCHEMAS_EXAMPLE
from fastapi_lint.rules.nplusone.flow import (
    ASYNC_EFFECT,
    ASYNC_SINGLE_EFFECT,
    EAGER_DECLARED,
    MANY_KINDS,
    MAX_FIELD_DEPTH,
    SYNC_EFFECT,
    Kind,
    QueryFlow,
    QueryValue,
    flow_for,
)
from fastapi_lint.rules.nplusone.query_values import Loaders
from fastapi_lint.rules.nplusone.refreshes import refreshed_attributes
from fastapi_lint.rules.nplusone.texts import describe, fix_text, origin_text, short_name, unparse
from fastapi_lint.semantic.syntax import string_annotation, subscript_elements

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.project.orm import Relationship
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo, FunctionInfo, Scope

API403 = Rule(
    code="API403",
    name="lazy-load-in-response",
    message="{context} returns {returned} through response model `{schema}`, whose field "
    "`{field}` reads the lazy relationship `{owner}.{relationship}`: {effect}; add "
    "`.options({loader})` to the query built at {origin}",
    summary="Checks for response models that serialize lazy-loaded relationships of ORM objects.",
    why=(
        "FastAPI validates the returned ORM objects against the response model by reading each "
        "field from the object. A field that is a lazy relationship, or a `@property` of the model "
        "that reads one, is loaded per object (N+1 queries), or raises `MissingGreenlet` with an "
        "`AsyncSession`, even for a single object. "
        "A single object read through a sync session is not reported: a few queries for its "
        "children, not N+1."
    ),
    example=(
        APP_EXAMPLE
        + MODELS_EXAMPLE
        + SCHEMAS_EXAMPLE
        + '@app.get("/users", response_model=list[UserOut])\n'
        "def list_users(db: Session = Depends(get_db)):\n"
        "    return db.scalars(select(User)).all()\n"
    ),
    use_instead=(
        APP_EXAMPLE
        + MODELS_EXAMPLE
        + SCHEMAS_EXAMPLE
        + '@app.get("/users", response_model=list[UserOut])\n'
        "def list_users(db: Session = Depends(get_db)):\n"
        "    return db.scalars(select(User).options(selectinload(User.posts))).all()\n"
    ),
)


# ---------------------------------------------------------------- API403
@dataclass(frozen=True)
class _ResponseFinding:
    field: str
    owner: str
    relationship: str
    fix: str
    per_item: bool


def _schema_class(
    flow: QueryFlow, annotation: ast.AST, scope: Scope, model: ModuleModel, depth: int = 0
) -> tuple[ModuleModel, ClassInfo, bool] | None:
    """The Pydantic class an annotation names, and whether it is a collection of it."""
    if depth > 6:
        return None
    node = annotation
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parsed = string_annotation(node.value)
        if parsed is None:
            return None
        node = parsed
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [
            side
            for side in (node.left, node.right)
            if not (isinstance(side, ast.Constant) and side.value is None)
        ]
        if len(sides) == 1:  # `X | None`; a union of models is validated member by member
            return _schema_class(flow, sides[0], scope, model, depth + 1)
        return None
    if isinstance(node, ast.Subscript):
        outer = (model.qualified_name(node.value, scope) or "").rsplit(".", 1)[-1]
        elements = subscript_elements(node)
        if outer in ("list", "List", "Sequence", "set", "Set", "tuple", "Tuple", "Iterable"):
            found = _schema_class(flow, elements[0], scope, model, depth + 1)
            return (found[0], found[1], True) if found else None
        if outer in ("Optional", "Annotated"):
            return _schema_class(flow, elements[0], scope, model, depth + 1)
        if outer == "Union":
            real = [e for e in elements if not (isinstance(e, ast.Constant) and e.value is None)]
            if len(real) == 1:
                return _schema_class(flow, real[0], scope, model, depth + 1)
            return None
        if outer in _NOT_GENERIC_MODELS:
            return None
        # `Page[ItemOut]`: a generic Pydantic model, parametrized (its fields: `_type_arguments`).
        node = node.value
    qualname = model.qualified_name(node, scope)
    if not qualname:
        return None
    located = flow.catalogue.find_class(qualname, model)
    if located is None:
        return None
    class_model, class_info = located
    if not flow.catalogue.has_base(class_model, class_info, PYDANTIC_BASES):
        return None
    if flow.catalogue.is_orm_class(qualname, class_model):
        return None  # a SQLModel table model: relationships are not Pydantic fields
    return class_model, class_info, False


# Subscripted classes that are not parametrized Pydantic models.
_NOT_GENERIC_MODELS = frozenset({"dict", "Dict", "Mapping", "Literal", "type", "Type", "frozenset"})


def _schema_fields(
    flow: QueryFlow, model: ModuleModel, class_info: ClassInfo, depth: int = 0
) -> dict[str, tuple[ModuleModel, ast.expr, Scope]]:
    fields: dict[str, tuple[ModuleModel, ast.expr, Scope]] = {}
    if depth > 8:
        return fields
    for base_name, _ in reversed(flow.catalogue.class_bases(model, class_info)):
        if base_name is None or base_name in PYDANTIC_BASES or base_name in SQLMODEL:
            continue
        found = flow.catalogue.find_class(base_name, model)
        if found is not None:
            fields.update(_schema_fields(flow, found[0], found[1], depth + 1))
    for statement in class_info.node.body:
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        name = statement.target.id
        if name.startswith("_") or name == "model_config":
            continue
        annotation = statement.annotation
        if "ClassVar" in unparse(annotation, 200) or _excluded(statement.value):
            fields.pop(name, None)
            continue
        fields[name] = (model, annotation, class_info.outer)
    return fields


def _excluded(value: ast.expr | None) -> bool:
    if isinstance(value, ast.Call):
        for keyword in value.keywords:
            if keyword.arg == "exclude" and isinstance(keyword.value, ast.Constant):
                return bool(keyword.value.value)
            if keyword.arg in ("alias", "validation_alias", "serialization_alias"):
                return True  # read under another name: not matched by field name
    return False


def _response_finding(
    flow: QueryFlow,
    schema: tuple[ModuleModel, ClassInfo],
    value: QueryValue,
    many: bool,
    depth: int,
    seen: set[tuple[str, str]],
    answered: Callable[[QueryValue, Relationship], bool] = lambda value, relationship: False,
) -> _ResponseFinding | None:
    if depth > MAX_FIELD_DEPTH:
        return None
    schema_model, schema_info = schema
    key = (schema_info.qualname, value.model)
    if key in seen:
        return None
    seen = seen | {key}
    orm = flow.catalogue.get(value.model)
    if orm is None:
        return None
    fields = _schema_fields(flow, schema_model, schema_info)
    for name, (field_model, annotation, field_scope) in fields.items():
        # A field filled by a `@property` of the model that reads a relationship
        # (`player_ids` from `self.players`) loads it just the same.
        read = name if name in orm.relationships else orm.relationship_getters.get(name)
        relationship = orm.relationships.get(read) if read is not None else None
        if relationship is None or read is None:
            continue
        field_flow = flow_for(field_model)
        nested = _schema_class(field_flow, annotation, field_scope, field_model)
        loaded = value.loaders.covers(read) or not relationship.is_lazy_select
        if relationship.lazy not in EAGER_DECLARED and not relationship.is_lazy_select:
            continue  # raise / noload / dynamic / write_only: never a lazy SELECT per item
        if not loaded and (many or value.is_async) and not answered(value, relationship):
            return _ResponseFinding(
                field=name,
                owner=orm.name,
                relationship=read,
                fix=fix_text(value, orm.name, read),
                per_item=many,
            )
        if read != name or nested is None or relationship.target is None:
            continue
        collection = relationship.collection if relationship.collection is not None else nested[2]
        child = QueryValue(
            kind=Kind.ENTITY,
            model=relationship.target,
            loaders=value.loaders.below(name),
            origin=value.origin,
            is_async=value.is_async,
            root=value.root,
            path=(*value.path, (orm.name, name)),
        )
        found = _response_finding(
            flow,
            (nested[0], nested[1]),
            child,
            many or bool(collection),
            depth + 1,
            seen,
            answered,
        )
        if found is not None:
            return replace(found, field=f"{name}.{found.field}")
    return None


def _type_arguments(
    schema: ClassInfo, annotation: ast.AST, route_model: ModuleModel
) -> dict[str, ast.expr]:
    """``Page[ItemOut]`` for ``class Page(BaseModel, Generic[T])``: ``{"T": ItemOut}``, the
    arguments by the position of the class's type variables (a plain class: ``{}``)."""
    if not isinstance(annotation, ast.Subscript):
        return {}
    parameters: list[str] = []
    for base in schema.node.bases:
        if isinstance(base, ast.Subscript) and unparse(base.value).rsplit(".", 1)[-1] == "Generic":
            parameters = [e.id for e in subscript_elements(base) if isinstance(e, ast.Name)]
    arguments = subscript_elements(annotation)
    if not parameters or len(parameters) != len(arguments):
        return {}
    return dict(zip(parameters, arguments))


def _type_variable(annotation: ast.expr) -> str | None:
    """The type variable a generic field holds: ``T``, ``list[T]``, ``Sequence[T]``..."""
    if isinstance(annotation, ast.Name):
        return annotation.id
    if isinstance(annotation, ast.Subscript):
        outer = unparse(annotation.value).rsplit(".", 1)[-1]
        elements = subscript_elements(annotation)
        if outer in ("list", "List", "Sequence", "Optional") and len(elements) == 1:
            return _type_variable(elements[0])
    return None


def _wrapped_parts(
    flow: QueryFlow, model: ModuleModel, node: ast.expr, scope: Scope, schema: ClassInfo
) -> list[tuple[str, ast.expr]] | None:
    """The fields a returned wrapper fills: ``Page(items=rows, total=n)`` when ``Page`` is
    the response model, or a dict literal ``{"items": rows, "total": n}`` that FastAPI
    validates into it (string keys only)."""
    if isinstance(node, ast.Call):
        built = _schema_class(flow, node.func, scope, model)
        if built is None or built[1] is not schema:
            return None
        return [(k.arg, k.value) for k in node.keywords if k.arg is not None]
    if isinstance(node, ast.Dict):
        return [
            (key.value, value)
            for key, value in zip(node.keys, node.values)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        ]
    return None


def _wrapped_rows(
    flow: QueryFlow,
    model: ModuleModel,
    node: ast.expr,
    scope: Scope,
    schema: tuple[ModuleModel, ClassInfo],
    arguments: tuple[dict[str, ast.expr], Scope],
) -> list[tuple[QueryValue, tuple[ModuleModel, ClassInfo], str]]:
    """``return Page(items=rows, total=n)`` (or ``{"items": rows, "total": n}``) with
    ``Page`` the response model: the ORM rows given to a field of a nested schema are
    validated from their attributes right there, one lazy load per row, as if the route
    returned them through that field. A generic ``Page[ItemOut]`` gives ``items: list[T]``
    the schema of its argument."""
    parts = _wrapped_parts(flow, model, node, scope, schema[1])
    if not parts:
        return []
    fields = _schema_fields(flow, schema[0], schema[1])
    found = []
    for name, expression in parts:
        if name not in fields:
            continue
        value = flow.query(expression, scope)
        if value is None or value.kind not in (*MANY_KINDS, Kind.ENTITY):
            continue
        field_model, annotation, field_scope = fields[name]
        nested = _schema_class(flow_for(field_model), annotation, field_scope, field_model)
        variable = _type_variable(annotation) if nested is None else None
        if variable is not None and variable in arguments[0]:
            nested = _schema_class(flow, arguments[0][variable], arguments[1], model)
        if nested is not None:
            found.append((value, (nested[0], nested[1]), name))
    return found


# Pydantic's constructors from attributes: each reads every field of the object it is given.
_FROM_ATTRIBUTES = frozenset({"model_validate", "from_orm"})


def _validated_rows(
    flow: QueryFlow, model: ModuleModel, node: ast.expr, scope: Scope
) -> list[tuple[QueryValue, tuple[ModuleModel, ClassInfo], str]]:
    """``return [ItemOut.model_validate(row) for row in rows]``: each row is validated from
    its attributes in the route, one lazy load per row and relationship field, as if the
    route returned the rows through ``ItemOut``."""
    if not isinstance(node, ast.ListComp) or len(node.generators) != 1:
        return []
    generator = node.generators[0]
    call = node.elt
    if (
        generator.ifs
        or not isinstance(generator.target, ast.Name)
        or not isinstance(call, ast.Call)
        or not isinstance(call.func, ast.Attribute)
        or call.func.attr not in _FROM_ATTRIBUTES
        or not call.args
        or not isinstance(call.args[0], ast.Name)
        or call.args[0].id != generator.target.id
    ):
        return []
    value = flow.query(generator.iter, scope)
    if value is None or value.kind not in MANY_KINDS:
        return []
    validated = _schema_class(flow, call.func.value, scope, model)
    if validated is None:
        return []
    return [(value, (validated[0], validated[1]), "")]


def _identity_map_answers(
    flow: QueryFlow, function: FunctionInfo, serialized_at: ast.AST
) -> Callable[[QueryValue, Relationship], bool]:
    """Revision 2's many-to-one case of API402, where the response is serialized: the
    parent is in the session's identity map (the query filters on its foreign key, or the
    parent was loaded earlier in the route), so reading it costs no query."""

    def answers(value: QueryValue, relationship: Relationship) -> bool:
        if not relationship.loads_by_get or not isinstance(serialized_at, ast.Return):
            return False
        return parent_in_identity_map(flow, value, relationship, serialized_at, function)

    return answers


def check_responses(model: ModuleModel, flow: QueryFlow, reporter: Reporter) -> None:
    if not reporter.enabled("API403"):
        return
    for route in model.fastapi.routes:
        function = route.function
        keywords = route.keywords
        if "response_model_include" in keywords or "response_model_exclude" in keywords:
            continue
        annotation = keywords.get("response_model")
        if annotation is None:
            annotation = function.node.returns
        if annotation is None or (
            isinstance(annotation, ast.Constant) and annotation.value is None
        ):
            continue
        returned = []
        last_return: ast.AST = function.node
        wrapped: list[tuple[ast.expr, Scope]] = []
        validated: list[tuple[QueryValue, tuple[ModuleModel, ClassInfo], str]] = []
        for ref in model.returns_of(function):
            value_node = getattr(ref.node, "value", None)
            if value_node is None or not isinstance(ref.node, ast.Return):
                continue
            value = flow.query(value_node, ref.scope)
            last_return = ref.node
            if value is not None and value.kind in (*MANY_KINDS, Kind.ENTITY):
                if value.kind is Kind.ENTITY and isinstance(value_node, ast.Name):
                    loaded = refreshed_attributes(function.node, value_node.id, ref.node)
                    extra = frozenset(((name,), "refresh") for name in loaded)
                    value = replace(value, loaders=value.loaders.plus(Loaders(extra)))
                returned.append(value)
            elif (isinstance(value_node, ast.Call) and value_node.keywords) or isinstance(
                value_node, ast.Dict
            ):
                wrapped.append((value_node, ref.scope))
            else:
                validated.extend(_validated_rows(flow, model, value_node, ref.scope))
        if not returned and not wrapped and not validated:
            continue  # no ORM objects returned: the schema need not be looked up
        schema = _schema_class(flow, annotation, function.outer, model)
        if schema is None:
            continue
        candidates = [(value, (schema[0], schema[1]), "") for value in returned] + validated
        if not schema[2]:
            arguments = (_type_arguments(schema[1], annotation, model), function.outer)
            for call, scope in wrapped:
                candidates.extend(
                    _wrapped_rows(flow, model, call, scope, (schema[0], schema[1]), arguments)
                )
        for value, target, prefix in candidates:
            many = value.kind in MANY_KINDS
            if not many and not value.is_async:
                # One object: a few queries for its nested children, not N+1. Only an
                # AsyncSession turns the lazy load into an error (MissingGreenlet).
                continue
            found = _response_finding(
                flow,
                target,
                replace(value, kind=Kind.ENTITY),
                many,
                0,
                set(),
                _identity_map_answers(flow, function, last_return),
            )
            if found is None:
                continue
            if prefix:
                found = replace(found, field=f"{prefix}.{found.field}")
            if found.per_item:
                effect = ASYNC_EFFECT if value.is_async else SYNC_EFFECT
            else:
                effect = ASYNC_SINGLE_EFFECT
            reporter.report(
                "API403",
                function.node,
                line=function.node.lineno,
                col=function.node.col_offset,
                context=describe(model, function)[0].upper() + describe(model, function)[1:],
                returned=f"`{short_name(value.model)}` objects"
                if many
                else f"{_article(short_name(value.model))} `{short_name(value.model)}` object",
                # Rows validated in the route name the schema they are validated with.
                schema=target[1].name if any(target is v[1] for v in validated) else schema[1].name,
                field=found.field,
                owner=found.owner,
                relationship=found.relationship,
                effect=effect,
                loader=found.fix,
                origin=origin_text(model, value.origin),
            )
            break


def _article(name: str) -> str:
    """``an `Author` object``, ``a `User` object``: by the name's first letter."""
    return "an" if name[:1].lower() in "aeiou" else "a"

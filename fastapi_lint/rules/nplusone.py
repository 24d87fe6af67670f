"""API4xx: N+1 queries with SQLAlchemy 1.4/2.0 (sync and async) and SQLModel.

Three shapes of the same problem: a query per item of a loop (API401), a
lazy-loaded relationship read per item of a query's results (API402), and a
response model whose fields make FastAPI's serializer read such a
relationship per returned object (API403).

Type flow from query to loop is tracked by ``QueryFlow``: ``select(User)``
and ``session.query(User)`` chains, ``execute/scalars/exec/get`` on a session,
``Result.scalars().all()``, simple assignments, the return of a project
function in another module, loop variables and relationship collections
(``for post in user.posts`` yields ``Post`` objects). Loader options are read
from ``.options(...)`` and from the relationship's declared ``lazy=``.
With an ``AsyncSession`` a lazy load cannot run implicitly: SQLAlchemy raises
``MissingGreenlet`` (sqlalchemy/util/_concurrency_py3k.py) instead of running
a query, so the messages say so.
"""

from __future__ import annotations

import ast
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

from fastapi_lint.project.index import EXTERNAL_TOP_LEVEL
from fastapi_lint.project.orm import (
    PYDANTIC_BASES,
    SQLMODEL,
    Catalogue,
    OrmModel,
    catalogue_for,
)
from fastapi_lint.registry import Family, Rule
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.model import subscript_elements

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import Binding, ClassInfo, FunctionInfo, ModuleModel, Scope

_MODELS = (
    "from sqlalchemy import ForeignKey, select\n"
    "from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship\n\n\n"
    "class Base(DeclarativeBase):\n    pass\n\n\n"
    "class User(Base):\n"
    '    __tablename__ = "users"\n'
    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    "    name: Mapped[str]\n"
    '    posts: Mapped[list["Post"]] = relationship(back_populates="author")\n\n\n'
    "class Post(Base):\n"
    '    __tablename__ = "posts"\n'
    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    '    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))\n'
    "    title: Mapped[str]\n"
    '    author: Mapped[User] = relationship(back_populates="posts")\n\n\n'
)
_SCHEMAS = (
    "class PostOut(BaseModel):\n    title: str\n\n\n"
    "class UserOut(BaseModel):\n    name: str\n    posts: list[PostOut]\n\n\n"
)
_APP = (
    "from fastapi import Depends, FastAPI\nfrom pydantic import BaseModel\n"
    "from sqlalchemy.orm import selectinload\n\n"
    "from app.db import get_db\n\napp = FastAPI()\n"
)

API401 = Rule(
    code="API401",
    name="query-in-loop",
    message="`{query}` runs a database query for each {loop} in {context} (N+1 queries); {advice}",
    summary="Checks for database queries run once per item of a loop.",
    why=(
        "Each query is a round trip to the database. A loop that queries per item turns one "
        "request into N+1 queries: fast with ten rows in development, slow with ten thousand "
        "in production. Query once before the loop (`.in_(...)`) or eager-load the relationship. "
        "A `while` loop counts when it steps through items: a counter (`ids[i]`), a work list "
        "(`pending.pop()`) or a row feeding the next query; paging (`limit`/`offset`) and message "
        "loops do not. Alembic revision scripts are skipped by the N+1 rules: they run once, "
        "offline."
    ),
    example=(
        _MODELS + "def post_titles(db: Session, user_ids: list[int]) -> dict[int, list[str]]:\n"
        "    titles = {}\n"
        "    for user_id in user_ids:\n"
        "        posts = db.scalars(select(Post).where(Post.author_id == user_id)).all()\n"
        "        titles[user_id] = [post.title for post in posts]\n"
        "    return titles\n"
    ),
    use_instead=(
        _MODELS + "def post_titles(db: Session, user_ids: list[int]) -> dict[int, list[str]]:\n"
        "    titles: dict[int, list[str]] = {user_id: [] for user_id in user_ids}\n"
        "    for post in db.scalars(select(Post).where(Post.author_id.in_(user_ids))):\n"
        "        titles[post.author_id].append(post.title)\n"
        "    return titles\n"
    ),
)
API402 = Rule(
    code="API402",
    name="lazy-load-in-loop",
    message="`{read}` lazy-loads relationship `{model}.{relationship}` for each item of the query "
    "built at {origin} in {context}: {effect}; add `.options({loader})` to that query",
    summary="Checks for lazy-loaded relationships read per item of a query's results.",
    why=(
        'A relationship declared with the default `lazy="select"` runs one SELECT the first time '
        "it is read on each object: a loop over N results runs N more queries. With an "
        "`AsyncSession` the implicit load is not possible at all and raises `MissingGreenlet`."
    ),
    example=(
        _MODELS + "def post_counts(db: Session) -> dict[str, int]:\n"
        "    users = db.scalars(select(User)).all()\n"
        "    return {user.name: len(user.posts) for user in users}\n"
    ),
    use_instead=(
        "from sqlalchemy.orm import selectinload\n"
        + _MODELS
        + "def post_counts(db: Session) -> dict[str, int]:\n"
        "    users = db.scalars(select(User).options(selectinload(User.posts))).all()\n"
        "    return {user.name: len(user.posts) for user in users}\n"
    ),
)
API403 = Rule(
    code="API403",
    name="lazy-load-in-response",
    message="{context} returns {returned} through response model `{schema}`, whose field "
    "`{field}` reads the lazy relationship `{owner}.{relationship}`: {effect}; add "
    "`.options({loader})` to the query built at {origin}",
    summary="Checks for response models that serialize lazy-loaded relationships of ORM objects.",
    why=(
        "FastAPI validates the returned ORM objects against the response model by reading each "
        "field from the object. A field that is a lazy relationship is loaded per object (N+1 "
        "queries), or raises `MissingGreenlet` with an `AsyncSession`, even for a single object."
    ),
    example=(
        _APP + _MODELS + _SCHEMAS + '@app.get("/users", response_model=list[UserOut])\n'
        "def list_users(db: Session = Depends(get_db)):\n"
        "    return db.scalars(select(User)).all()\n"
    ),
    use_instead=(
        _APP + _MODELS + _SCHEMAS + '@app.get("/users", response_model=list[UserOut])\n'
        "def list_users(db: Session = Depends(get_db)):\n"
        "    return db.scalars(select(User).options(selectinload(User.posts))).all()\n"
    ),
)

SYNC_EFFECT = "one more query per item (N+1 queries)"
ASYNC_EFFECT = (
    "with an `AsyncSession` this raises `MissingGreenlet` at run time instead of running slowly"
)
ASYNC_SINGLE_EFFECT = "with an `AsyncSession` this raises `MissingGreenlet` at run time"

SELECT_FUNCTIONS = frozenset({"sqlalchemy.select", "sqlmodel.select", "sqlalchemy.sql.select"})
STATEMENT_FUNCTIONS = SELECT_FUNCTIONS | frozenset(
    {
        "sqlalchemy.insert",
        "sqlalchemy.update",
        "sqlalchemy.delete",
        "sqlalchemy.text",
        "sqlalchemy.sql.text",
        "sqlmodel.text",
        "sqlalchemy.dialects.postgresql.insert",
        "sqlalchemy.dialects.sqlite.insert",
        "sqlalchemy.dialects.mysql.insert",
    }
)
SESSION_TYPES = stubs.SYNC_SESSION_TYPES | stubs.ASYNC_SESSION_TYPES
CONNECTION_TYPES = frozenset(
    {
        "sqlalchemy.Connection",
        "sqlalchemy.engine.Connection",
        "sqlalchemy.ext.asyncio.AsyncConnection",
    }
)
# Session methods that send a statement and return rows.
EXECUTE_METHODS = frozenset({"execute", "exec", "scalar", "scalars", "stream", "stream_scalars"})
GET_METHODS = frozenset({"get", "get_one"})
QUERY_METHODS = EXECUTE_METHODS | GET_METHODS | frozenset({"query"})
# Methods of Select / Query that keep the entity and the options.
CHAIN_METHODS = frozenset(
    {
        "where",
        "filter",
        "filter_by",
        "order_by",
        "limit",
        "offset",
        "slice",
        "join",
        "outerjoin",
        "join_from",
        "outerjoin_from",
        "select_from",
        "distinct",
        "group_by",
        "having",
        "execution_options",
        "params",
        "with_for_update",
        "correlate",
        "populate_existing",
        "yield_per",
        "enable_eagerloads",
        "prefix_with",
        "suffix_with",
        "with_hint",
        "reset_joinpoint",
        "autoflush",
    }
)
ENTITY_METHODS = frozenset(
    {"first", "one", "one_or_none", "scalar", "scalar_one", "scalar_one_or_none"}
)
LIST_METHODS = frozenset({"all", "fetchall", "unique"})
# Loader strategies in options; the covering ones stop the per-item lazy load.
COVERING_STRATEGIES = frozenset(
    {
        "selectinload",
        "joinedload",
        "subqueryload",
        "immediateload",
        "contains_eager",
        "raiseload",
        "noload",
    }
)
PATH_STRATEGIES = COVERING_STRATEGIES | frozenset({"defaultload", "lazyload"})
NEUTRAL_OPTIONS = frozenset(
    {
        "load_only",
        "defer",
        "undefer",
        "undefer_group",
        "with_expression",
        "selectin_polymorphic",
        "with_loader_criteria",
        "Load",
    }
)
BATCH_METHODS = frozenset({"in_", "not_in", "notin_", "any_", "all_"})
BATCH_FUNCTIONS = frozenset({"any_", "all_", "tuple_"})
SCHEMA_ATTRIBUTES = frozenset(
    {"columns", "c", "foreign_keys", "primary_key", "indexes", "constraints", "sorted_tables"}
)
COLUMN_METHODS = frozenset(
    {
        "add_columns",
        "with_only_columns",
        "column",
        "add_column",
        "select_from",
        "join",
        "outerjoin",
        "join_from",
        "with_entities",
    }
)
PAGE_METHODS = frozenset({"offset", "limit", "slice", "yield_per", "fetchmany", "partitions"})
PASSTHROUGH_BUILTINS = frozenset(
    {"builtins.list", "builtins.sorted", "builtins.tuple", "builtins.reversed"}
)
MAX_DEPTH = 12
MAX_FIELD_DEPTH = 4


class Kind(enum.Enum):
    STATEMENT = "statement"  # select(User): not run yet
    QUERY = "query"  # session.query(User)...: a legacy Query, iterable
    RESULT = "result"  # session.execute(stmt): rows
    SCALARS = "scalars"  # ScalarResult / list of ORM objects
    ENTITY = "entity"  # one ORM object


MANY_KINDS = frozenset({Kind.QUERY, Kind.SCALARS})


@dataclass(frozen=True)
class Loaders:
    """Loader options of a query, as relationship paths relative to its entity."""

    entries: frozenset[tuple[tuple[str, ...], str]] = frozenset()
    opaque: bool = False  # options we cannot read: assume they load everything

    def covers(self, name: str) -> bool:
        if self.opaque:
            return True
        for path, strategy in self.entries:
            if len(path) == 1 and path[0] in (name, "*") and strategy in COVERING_STRATEGIES:
                return True
        return False

    def below(self, name: str) -> Loaders:
        entries = frozenset(
            (path[1:], strategy)
            for path, strategy in self.entries
            if len(path) > 1 and path[0] == name
        )
        return Loaders(entries, self.opaque)

    def plus(self, other: Loaders) -> Loaders:
        return Loaders(self.entries | other.entries, self.opaque or other.opaque)


@dataclass(frozen=True)
class Origin:
    module: str
    path: str
    line: int


@dataclass(frozen=True)
class QueryValue:
    kind: Kind
    model: str  # qualified name of the ORM model
    loaders: Loaders
    origin: Origin
    is_async: bool
    root: str  # the model the query selects (for the fix text)
    path: tuple[tuple[str, str], ...] = ()  # (model name, relationship) from the root


@dataclass(frozen=True)
class ModelClass:
    """A reference to an ORM model class itself (``User`` in ``select(User)``)."""

    model: str


FlowValue = Union[QueryValue, ModelClass]


def _short(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]


def fix_text(value: QueryValue, owner: str, relationship: str) -> str:
    steps = [*value.path, (owner, relationship)]
    return ".".join(f"selectinload({model}.{rel})" for model, rel in steps)


def _span(node: ast.AST) -> tuple[int, int, int, int]:
    return (
        getattr(node, "lineno", 0),
        getattr(node, "col_offset", 0),
        getattr(node, "end_lineno", 0) or 0,
        getattr(node, "end_col_offset", 0) or 0,
    )


def _contains(outer: ast.AST, inner: ast.AST) -> bool:
    o = _span(outer)
    i = _span(inner)
    return (o[0], o[1]) <= (i[0], i[1]) and (i[2], i[3]) <= (o[2], o[3])


def _in_body(statement: ast.AST, node: ast.AST) -> bool:
    body = getattr(statement, "body", None)
    if not body:
        return False
    start = _span(body[0])
    end = _span(body[-1])
    i = _span(node)
    return (start[0], start[1]) <= (i[0], i[1]) and (i[2], i[3]) <= (end[2], end[3])


def _inline_root(scope: Scope) -> Scope:
    from fastapi_lint.semantic.model import ScopeKind

    current = scope
    while current.kind is ScopeKind.COMPREHENSION and current.parent is not None:
        current = current.parent
    return current


class QueryFlow:
    """What an expression holds in terms of queries and ORM objects, for one module."""

    def __init__(self, model: ModuleModel, catalogue: Catalogue) -> None:
        self.model = model
        self.catalogue = catalogue
        self._stack: set[int] = set()
        self._function_results: dict[str, Optional[QueryValue]] = {}

    # ------------------------------------------------------------ entry points
    def value(self, expr: ast.AST, scope: Scope, depth: int = 0) -> FlowValue | None:
        if depth > MAX_DEPTH or id(expr) in self._stack:
            return None
        self._stack.add(id(expr))
        try:
            return self._value(expr, scope, depth)
        finally:
            self._stack.discard(id(expr))

    def query(self, expr: ast.AST, scope: Scope, depth: int = 0) -> QueryValue | None:
        found = self.value(expr, scope, depth)
        return found if isinstance(found, QueryValue) else None

    def element(self, iterable: ast.AST, scope: Scope, depth: int = 0) -> QueryValue | None:
        """The ORM object a loop over ``iterable`` binds, when it iterates query results."""
        found = self.query(iterable, scope, depth)
        if found is not None and found.kind in MANY_KINDS:
            return replace(found, kind=Kind.ENTITY)
        return None

    def orm_model(self, qualname: str) -> OrmModel | None:
        return self.catalogue.get(qualname, self.model)

    # ------------------------------------------------------------ evaluation
    def _value(self, expr: ast.AST, scope: Scope, depth: int) -> FlowValue | None:
        if isinstance(expr, ast.Await):
            return self.value(expr.value, scope, depth + 1)
        if isinstance(expr, ast.NamedExpr):
            return self.value(expr.value, scope, depth + 1)
        if isinstance(expr, ast.Name):
            return self._name(expr, scope, depth)
        if isinstance(expr, ast.Attribute):
            owner = self.value(expr.value, scope, depth + 1)
            if isinstance(owner, QueryValue) and owner.kind is Kind.ENTITY:
                return self._relationship_value(owner, expr.attr)
            if owner is None:
                return self._model_class(expr, scope)
            return None
        if isinstance(expr, ast.Call):
            return self._call(expr, scope, depth)
        if isinstance(expr, (ast.ListComp, ast.GeneratorExp)) and len(expr.generators) == 1:
            generator = expr.generators[0]
            if (
                isinstance(expr.elt, ast.Name)
                and isinstance(generator.target, ast.Name)
                and expr.elt.id == generator.target.id
            ):
                found = self.query(generator.iter, scope, depth + 1)
                if found is not None and found.kind in MANY_KINDS:
                    return replace(found, kind=Kind.SCALARS)
        return None

    def _model_class(self, expr: ast.AST, scope: Scope) -> ModelClass | None:
        qualname = self.model.qualified_name(expr, scope)
        if qualname and self.orm_model(qualname) is not None:
            return ModelClass(qualname)
        return None

    def _name(self, name: ast.Name, scope: Scope, depth: int) -> FlowValue | None:
        binding = self.binding_of(name, scope)
        if binding is None:
            return None
        from fastapi_lint.semantic.model import BindingKind

        if binding.kind in (BindingKind.CLASS, BindingKind.IMPORT):
            return self._model_class(name, scope)
        return self.binding_value(binding, depth)

    def binding_value(self, binding: Binding, depth: int = 0) -> FlowValue | None:
        from fastapi_lint.semantic.model import BindingKind

        if binding.kind is BindingKind.ASSIGN and binding.value is not None:
            if binding.unpack_index is not None:
                return None
            return self.value(binding.value, binding.scope, depth + 1)
        if binding.kind is BindingKind.FOR and binding.value is not None:
            iterable = binding.value
            iter_scope = self.iter_scope(binding)
            if binding.unpack_index is None:
                return self.element(iterable, iter_scope, depth + 1)
            if (
                binding.unpack_index == 1
                and isinstance(iterable, ast.Call)
                and iterable.args
                and self.model.qualified_name(iterable.func, iter_scope) == "builtins.enumerate"
            ):
                return self.element(iterable.args[0], iter_scope, depth + 1)
        return None

    def binding_of(self, name: ast.Name, scope: Scope) -> Binding | None:
        """The binding a name reads, skipping an assignment whose value contains the read."""
        binding = self.model.lookup(name.id, scope, getattr(name, "lineno", None))
        if binding is None:
            return None
        from fastapi_lint.semantic.model import BindingKind

        if (
            binding.kind is BindingKind.ASSIGN
            and binding.value is not None
            and _contains(binding.value, name)
        ):
            earlier = [
                b
                for b in binding.scope.bindings.get(name.id, [])
                if b is not binding and _span(b.node) < _span(binding.node)
            ]
            return earlier[-1] if earlier else None
        return binding

    def iter_scope(self, binding: Binding) -> Scope:
        """Where a loop binding's iterable is evaluated (a comprehension's first one: outside)."""
        node = binding.node
        if isinstance(node, ast.comprehension):
            parent = self.model.parent(node)
            generators = getattr(parent, "generators", [])
            if generators and generators[0] is node and binding.scope.parent is not None:
                return binding.scope.parent
        return binding.scope

    def _relationship_value(self, owner: QueryValue, attr: str) -> QueryValue | None:
        orm = self.orm_model(owner.model)
        if orm is None:
            return None
        relationship = orm.relationships.get(attr)
        if relationship is None or relationship.target is None:
            return None
        if not (relationship.is_lazy_select or relationship.lazy in _EAGER_DECLARED):
            return None
        return QueryValue(
            kind=Kind.ENTITY if relationship.collection is False else Kind.SCALARS,
            model=relationship.target,
            loaders=owner.loaders.below(attr),
            origin=owner.origin,
            is_async=owner.is_async,
            root=owner.root,
            path=(*owner.path, (orm.name, attr)),
        )

    def _origin(self, node: ast.AST) -> Origin:
        return Origin(self.model.module_name, self.model.path, getattr(node, "lineno", 0))

    def _call(self, call: ast.Call, scope: Scope, depth: int) -> FlowValue | None:
        func = call.func
        model = self.model
        if isinstance(func, ast.Attribute):
            receiver = self.value(func.value, scope, depth + 1)
            method = func.attr
            if isinstance(receiver, QueryValue):
                return self._method_on_query(receiver, method, call, scope)
            if isinstance(receiver, ModelClass):
                return None
            if method in QUERY_METHODS:
                found = self._session_call(call, func, scope, depth)
                if found is not None:
                    return found
        qualname = model.qualified_name(func, scope)
        if qualname is not None:
            qualname = stubs.canonical(qualname)
            if qualname in SELECT_FUNCTIONS:
                return self._select(call, scope)
            if qualname in PASSTHROUGH_BUILTINS and len(call.args) == 1:
                found = self.query(call.args[0], scope, depth + 1)
                if found is not None and found.kind in MANY_KINDS:
                    return replace(found, kind=Kind.SCALARS)
                return None
        return self._project_call(call, scope, depth)

    def _select(self, call: ast.Call, scope: Scope) -> QueryValue | None:
        if len(call.args) != 1 or call.keywords:
            return None
        entity = self._model_class(call.args[0], scope)
        if entity is None:
            return None
        return QueryValue(
            Kind.STATEMENT, entity.model, Loaders(), self._origin(call), False, entity.model
        )

    def _method_on_query(
        self, receiver: QueryValue, method: str, call: ast.Call, scope: Scope
    ) -> QueryValue | None:
        kind = receiver.kind
        if kind in (Kind.STATEMENT, Kind.QUERY):
            if method in CHAIN_METHODS:
                return receiver
            if method == "options":
                return replace(
                    receiver, loaders=receiver.loaders.plus(self.options(call.args, scope))
                )
            if kind is Kind.QUERY:
                if method in ("all",):
                    return replace(receiver, kind=Kind.SCALARS)
                if method in ENTITY_METHODS or method == "get":
                    return replace(receiver, kind=Kind.ENTITY)
            return None
        if kind is Kind.RESULT:
            if method == "scalars" and not call.args:
                return replace(receiver, kind=Kind.SCALARS)
            if method == "unique":
                return receiver
            if method in ("scalar", "scalar_one", "scalar_one_or_none"):
                return replace(receiver, kind=Kind.ENTITY)
            return None
        if kind is Kind.SCALARS:
            if method in LIST_METHODS:
                return receiver
            if method in ENTITY_METHODS:
                return replace(receiver, kind=Kind.ENTITY)
            return None
        return None

    def session_is_async(self, call: ast.Call, receiver: ast.expr, scope: Scope) -> bool | None:
        receiver_type = self.model.type_of(receiver, scope)
        if receiver_type in stubs.ASYNC_SESSION_TYPES:
            return True
        if receiver_type in stubs.SYNC_SESSION_TYPES:
            return False
        return self.model.is_awaited(call)

    def _session_call(
        self, call: ast.Call, func: ast.Attribute, scope: Scope, depth: int
    ) -> QueryValue | None:
        method = func.attr
        is_async = bool(self.session_is_async(call, func.value, scope)) or method in (
            "stream",
            "stream_scalars",
        )
        if method == "query":
            if len(call.args) != 1:
                return None
            entity = self._model_class(call.args[0], scope)
            if entity is None:
                return None
            return QueryValue(
                Kind.QUERY, entity.model, Loaders(), self._origin(call), is_async, entity.model
            )
        if method in GET_METHODS:
            if not call.args:
                return None
            entity = self._model_class(call.args[0], scope)
            if entity is None:
                return None
            loaders = Loaders()
            for keyword in call.keywords:
                if keyword.arg == "options":
                    if isinstance(keyword.value, (ast.List, ast.Tuple)):
                        loaders = self.options(keyword.value.elts, scope)
                    else:
                        loaders = Loaders(opaque=True)
            return QueryValue(
                Kind.ENTITY, entity.model, loaders, self._origin(call), is_async, entity.model
            )
        statement_node = call.args[0] if call.args else None
        for keyword in call.keywords:
            if keyword.arg == "statement":
                statement_node = keyword.value
        if statement_node is None:
            return None
        statement = self.query(statement_node, scope, depth + 1)
        if statement is None or statement.kind is not Kind.STATEMENT:
            return None
        if method == "scalar":
            kind = Kind.ENTITY
        elif method in ("scalars", "stream_scalars", "exec"):
            kind = Kind.SCALARS  # SQLModel's exec() returns scalars for a one-entity select
        else:
            kind = Kind.RESULT
        return replace(statement, kind=kind, is_async=is_async)

    def _project_call(self, call: ast.Call, scope: Scope, depth: int) -> QueryValue | None:
        model = self.model
        target = model.call_target(call, scope)
        if target is None:
            return None
        local = model.function_named(target)
        if local is not None:
            return self.function_result(local, depth + 1)
        project = model.project
        if project is None or target.split(".", 1)[0] in EXTERNAL_TOP_LEVEL:
            return None
        # A fact, so warm runs answer without building the defining module.
        return _query_from_json(
            project.fact(
                "query-result",
                target,
                lambda: _query_to_json(_project_function_result(project, target, depth)),
            )
        )

    def function_result(self, function: FunctionInfo, depth: int) -> QueryValue | None:
        key = function.qualname
        if key in self._function_results:
            return self._function_results[key]
        self._function_results[key] = None  # recursion guard
        result = None
        for ref in self.model.returns_of(function):
            node = ref.node
            value = getattr(node, "value", None)
            if value is None or not isinstance(node, ast.Return):
                continue
            found = self.query(value, ref.scope, depth + 1)
            if found is not None:
                result = found
                break
        self._function_results[key] = result
        return result

    # ------------------------------------------------------------ options
    def options(self, args: list[ast.expr], scope: Scope) -> Loaders:
        entries: set[tuple[tuple[str, ...], str]] = set()
        for arg in args:
            if isinstance(arg, ast.Starred):
                elements = self._literal_sequence(arg.value, scope)
                if elements is None:
                    return Loaders(frozenset(entries), opaque=True)
            else:
                elements = [arg]
            for element in elements:
                parsed = self._loader_chain(element, scope, 0)
                if parsed is None:
                    return Loaders(frozenset(entries), opaque=True)
                entries.update(parsed[1])
        return Loaders(frozenset(entries))

    def _literal_sequence(self, expr: ast.expr, scope: Scope) -> list[ast.expr] | None:
        if isinstance(expr, (ast.List, ast.Tuple)):
            return list(expr.elts)
        if isinstance(expr, ast.Name):
            binding = self.binding_of(expr, scope)
            if binding is not None and isinstance(binding.value, (ast.List, ast.Tuple)):
                return list(binding.value.elts)
        return None

    def _loader_chain(
        self, expr: ast.expr, scope: Scope, depth: int
    ) -> tuple[tuple[str, ...], list[tuple[tuple[str, ...], str]]] | None:
        """(the path the chain ends at, its (path, strategy) entries), or None if unreadable."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Name):
            binding = self.binding_of(expr, scope)
            if binding is not None and binding.value is not None and binding.unpack_index is None:
                return self._loader_chain(binding.value, binding.scope, depth + 1)
            return None
        if not isinstance(expr, ast.Call):
            return None
        func = expr.func
        base: tuple[str, ...] = ()
        entries: list[tuple[tuple[str, ...], str]] = []
        name: str | None = None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
            inner = self._loader_chain(func.value, scope, depth + 1)
            if inner is None:
                return None
            base, entries = inner
            name = func.attr
        else:
            qualname = self.model.qualified_name(func, scope) or ""
            if qualname.startswith("sqlalchemy.") or qualname.startswith("sqlmodel."):
                name = qualname.rsplit(".", 1)[-1]
        if name is None:
            return None
        if name == "Load":
            return (), entries
        if name == "options":
            for arg in expr.args:
                sub = self._loader_chain(arg, scope, depth + 1)
                if sub is None:
                    return None
                entries.extend((base + path, strategy) for path, strategy in sub[1])
            return base, entries
        if name in PATH_STRATEGIES:
            path = _relationship_path(expr.args)
            if path is None:
                return None
            full = base + path
            if path:
                entries.append((full, name))
            return full, entries
        if name in NEUTRAL_OPTIONS:
            return base, entries
        return None


_EAGER_DECLARED = frozenset({"selectin", "joined", "subquery", "immediate"})


def _relationship_path(args: list[ast.expr]) -> tuple[str, ...] | None:
    path: list[str] = []
    for arg in args:
        node = arg
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("of_type", "and_")
        ):
            node = node.func.value
        if isinstance(node, ast.Attribute):
            path.append(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            path.extend(part for part in node.value.split(".") if part)
        else:
            return None
    return tuple(path)


def _project_function_result(project: ProjectIndex, qualname: str, depth: int) -> QueryValue | None:
    found = project.function(qualname)
    if found is None:
        return None
    owner_model, function = found
    return flow_for(owner_model).function_result(function, depth + 1)


def _query_to_json(value: QueryValue | None) -> object:
    if value is None:
        return None
    return {
        "kind": value.kind.value,
        "model": value.model,
        "loaders": sorted([list(path), strategy] for path, strategy in value.loaders.entries),
        "opaque": value.loaders.opaque,
        "origin": [value.origin.module, value.origin.path, value.origin.line],
        "is_async": value.is_async,
        "root": value.root,
        "path": [list(step) for step in value.path],
    }


def _query_from_json(data: object) -> QueryValue | None:
    if not isinstance(data, dict):
        return None
    module, file_path, line = data["origin"]
    return QueryValue(
        kind=Kind(data["kind"]),
        model=data["model"],
        loaders=Loaders(
            frozenset((tuple(path), strategy) for path, strategy in data["loaders"]),
            data["opaque"],
        ),
        origin=Origin(module, file_path, line),
        is_async=data["is_async"],
        root=data["root"],
        path=tuple((owner, attr) for owner, attr in data["path"]),
    )


def flow_for(model: ModuleModel) -> QueryFlow:
    flow = model.__dict__.get("_query_flow")
    if flow is None:
        flow = QueryFlow(model, catalogue_for(model))
        model.__dict__["_query_flow"] = flow
    return flow  # type: ignore[no-any-return]


# ---------------------------------------------------------------- messages
def describe(model: ModuleModel, function: FunctionInfo | None) -> str:
    if function is None:
        return "module code"
    routes = model.fastapi.routes_of(function)
    if routes:
        return f"route {routes[0].display}"
    if function.class_info is not None:
        return f"`{function.class_info.name}.{function.name}()`"
    return f"`{function.name}()`"


def origin_text(model: ModuleModel, origin: Origin) -> str:
    if origin.path == model.path:
        return f"line {origin.line}"
    path = origin.path
    if model.project is not None:
        try:
            path = Path(origin.path).resolve().relative_to(model.project.root).as_posix()
        except ValueError:
            pass
    return f"{path}:{origin.line}"


def _unparse(node: ast.AST, limit: int = 60) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - unparse of odd trees
        return "..."
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------- API402
def check_lazy_loads(model: ModuleModel, flow: QueryFlow, reporter: Reporter) -> None:
    from fastapi_lint.semantic.model import BindingKind

    reads: dict[tuple[int, str], tuple[ast.Attribute, Binding]] = {}
    for ref in model.nodes[ast.Attribute]:
        node = ref.node
        assert isinstance(node, ast.Attribute)
        if not isinstance(node.value, ast.Name) or not isinstance(node.ctx, ast.Load):
            continue
        binding = model.lookup(node.value.id, ref.scope, node.lineno)
        if binding is None or binding.kind is not BindingKind.FOR:
            continue
        loop = binding.node
        if isinstance(loop, (ast.For, ast.AsyncFor)):
            if not _in_body(loop, node):
                continue
        elif not isinstance(loop, ast.comprehension):
            continue
        if _inline_root(ref.scope) is not _inline_root(binding.scope):
            continue  # a lambda or nested def: may run elsewhere
        key = (id(binding), node.attr)
        previous = reads.get(key)
        if previous is None or _span(node) < _span(previous[0]):
            reads[key] = (node, binding)
    elements: dict[int, Optional[QueryValue]] = {}
    for (binding_id, attr), (node, binding) in sorted(
        reads.items(), key=lambda item: _span(item[1][0])
    ):
        if binding_id not in elements:
            found = flow.binding_value(binding)
            elements[binding_id] = found if isinstance(found, QueryValue) else None
        element = elements[binding_id]
        if element is None or element.kind is not Kind.ENTITY:
            continue
        orm = flow.orm_model(element.model)
        if orm is None:
            continue
        relationship = orm.relationships.get(attr)
        if relationship is None or not relationship.is_lazy_select:
            continue
        if element.loaders.covers(attr):
            continue
        scope = model.scope_of_node.get(id(binding.node)) or binding.scope
        reporter.report(
            "API402",
            node,
            read=f"{_unparse(node.value)}.{attr}",
            model=orm.name,
            relationship=attr,
            origin=origin_text(model, element.origin),
            context=describe(model, scope.code_function or binding.scope.code_function),
            effect=ASYNC_EFFECT if element.is_async else SYNC_EFFECT,
            loader=fix_text(element, orm.name, attr),
        )


# ---------------------------------------------------------------- API401
@dataclass
class _Loop:
    node: ast.AST  # For / AsyncFor / While / comprehension generator
    iterable: ast.expr | None
    scope: Scope  # where the loop's names are bound


def _enclosing_loops(model: ModuleModel, call: ast.Call, scope: Scope) -> list[_Loop]:
    """Loops whose body runs ``call`` once per iteration, innermost first."""
    loops: list[_Loop] = []
    child: ast.AST = call
    for ancestor in model.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            break
        if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While)):
            if child in ancestor.body:
                loops.append(
                    _Loop(
                        ancestor,
                        ancestor.iter if not isinstance(ancestor, ast.While) else None,
                        _inline_root(scope),
                    )
                )
        elif isinstance(ancestor, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            generators = ancestor.generators
            comp_scope = model.scope_of_node.get(id(ancestor))
            for index in range(len(generators) - 1, -1, -1):
                generator = generators[index]
                inside = child is not generator or _within(call, generator.ifs)
                if child in generators:
                    position = generators.index(child)  # type: ignore[arg-type]
                    inside = position > index or _within(call, generator.ifs)
                if inside and comp_scope is not None:
                    loops.append(_Loop(generator, generator.iter, comp_scope))
        child = ancestor
    return loops


def _within(node: ast.AST, containers: list[ast.expr]) -> bool:
    return any(_contains(container, node) for container in containers)


def _is_bounded(model: ModuleModel, iterable: ast.expr | None, scope: Scope) -> bool:
    """A literal collection or ``range(<constant>)``: a fixed number of queries, not N+1."""
    if iterable is None:
        return False
    if isinstance(iterable, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
        return True
    if isinstance(iterable, ast.Name):
        # A constant collection: `for role in _SYSTEM_ROLES` with `_SYSTEM_ROLES = (...)`.
        binding = model.lookup(iterable.id, scope)
        value = binding.value if binding is not None and binding.unpack_index is None else None
        if isinstance(value, ast.Dict):
            return True
        if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            return all(
                isinstance(element, (ast.Constant, ast.Tuple, ast.Dict, ast.Name, ast.Attribute))
                for element in value.elts
            )
        return False
    if isinstance(iterable, ast.Attribute) and iterable.attr in SCHEMA_ATTRIBUTES:
        return True  # the columns or keys of a table: a fixed schema, not rows
    if any(word in _unparse(iterable, 200).lower() for word in ("batch", "chunk")):
        return True  # a loop over batches: one statement per batch of rows
    if isinstance(iterable, ast.Call):
        qualname = model.qualified_name(iterable.func, scope)
        if qualname == "builtins.range" and all(isinstance(a, ast.Constant) for a in iterable.args):
            return True
        if qualname == "builtins.enumerate" and iterable.args:
            return _is_bounded(model, iterable.args[0], scope)
        if (
            isinstance(iterable.func, ast.Attribute)
            and iterable.func.attr in ("items", "keys", "values")
            and not iterable.args
        ):
            return _is_bounded(model, iterable.func.value, scope)
    return False


class _Uses:
    """Whether a query's expressions use a loop's variable (directly or through locals)."""

    def __init__(self, model: ModuleModel, flow: QueryFlow, loop: _Loop) -> None:
        self.model = model
        self.flow = flow
        self.loop = loop
        self.visited: set[int] = set()
        self.paged = False
        # The loop variable names a table or statement (`delete(model)`, `text(f"... {table}")`):
        # a loop over tables, not over rows.
        self.table_loop = False
        self.is_while = isinstance(loop.node, ast.While)
        self.carried = self._carried_names() if self.is_while else set()

    def _carried_names(self) -> set[str]:
        """Names a ``while`` body reassigns to step through items, one per iteration.

        ``node = db.get(Node, node.parent_id)`` walks a chain one query per row;
        ``i += 1`` steps an index (``ids[i]``), ``node_id = pending.pop()`` drains a
        work list. Silent: values received per iteration (``await ws.receive_json()``,
        a message loop, not a loop over items) and paging (``limit``/``offset``, a
        keyset cursor read from the last row of a batch), handled by the caller.
        """
        loop = self.loop.node
        assert isinstance(loop, ast.While)
        assignments: list[tuple[list[str], ast.expr]] = []
        steps: set[str] = set()
        for statement in loop.body:
            for node in ast.walk(statement):
                if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                    steps.add(node.target.id)
                elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and _pops(
                    node.value
                ):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    steps.update(
                        n.id
                        for target in targets
                        for n in ast.walk(target)
                        if isinstance(n, ast.Name)
                    )
                if (
                    isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr))
                    and node.value is not None
                ):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    names = [
                        n.id
                        for target in targets
                        for n in ast.walk(target)
                        if isinstance(n, ast.Name)
                    ]
                    assignments.append((names, node.value))
        # A row fetched in the body, and values read from it (`cursor = parent.parent_id`).
        rows = {
            name for names, value in assignments if _queries(value, single=True) for name in names
        }
        assigned = {name for names, value in assignments if _queries(value) for name in names}
        for names, value in assignments:
            if any(
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in rows
                for node in ast.walk(value)
            ):
                assigned.update(names)
        carried = set(steps)
        test_names = {n.id for n in ast.walk(loop.test) if isinstance(n, ast.Name)}
        scope = self.loop.scope
        for name in assigned:
            if name in test_names:
                carried.add(name)
                continue
            bindings = scope.bindings.get(name, []) if scope is not None else []
            if any(_span(b.node) < _span(loop) and not _contains(loop, b.node) for b in bindings):
                carried.add(name)
        return carried

    def expressions(self, exprs: Sequence[ast.AST], scope: Scope) -> bool:
        return any(self.expression(e, scope) for e in exprs)

    def expression(self, expr: ast.AST, scope: Scope) -> bool:
        stack: list[ast.AST] = [expr]
        found = False
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in BATCH_METHODS:
                    stack.append(func.value)
                    continue
                if isinstance(func, ast.Attribute) and func.attr in PAGE_METHODS:
                    self.paged = True
                    stack.append(func.value)
                    continue
                if isinstance(func, ast.Name) and func.id in BATCH_FUNCTIONS:
                    continue
                if isinstance(func, ast.Attribute) and func.attr in COLUMN_METHODS:
                    stack.append(func.value)
                    if self.expressions(node.args, scope):
                        self.table_loop = True  # per-item columns: one statement shape per item
                    continue
                if self._project_function(node, scope):
                    continue  # a statement built by a helper: it may batch (`in_()`) inside
                builder = self._statement_builder(node, scope)
                if builder is not None:
                    if builder == "sqlalchemy.text" and node.args and _has_limit(node.args[0]):
                        self.paged = True
                    structure = [*node.args, *(k.value for k in node.keywords)]
                    if self.expressions(structure, scope):
                        self.table_loop = True
                    continue
            if isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
                stack.append(node.value)  # `ids[i : i + size]`: a chunk, not one item
                continue
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                if self._name_uses(node, scope):
                    found = True
                continue
            stack.extend(ast.iter_child_nodes(node))
        return found

    def _project_function(self, call: ast.Call, scope: Scope) -> bool:
        target = self.model.call_target(call, scope)
        if target is None or target.startswith(("builtins.", "sqlalchemy.", "sqlmodel.")):
            return False
        return self.model.find_function(target) is not None

    def _statement_builder(self, call: ast.Call, scope: Scope) -> str | None:
        func = call.func
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return None
        if isinstance(func, ast.Attribute) and not isinstance(
            func.value, (ast.Name, ast.Attribute)
        ):
            return None
        qualname = self.model.qualified_name(func, scope)
        if qualname is None:
            return None
        qualname = stubs.canonical(qualname)
        if qualname in ("sqlalchemy.sql.text", "sqlmodel.text"):
            return "sqlalchemy.text"
        return qualname if qualname in STATEMENT_FUNCTIONS else None

    def statement_from_loop(self, expr: ast.AST, scope: Scope, depth: int = 0) -> bool:
        """Whether the statement run is the loop variable itself, or built on it."""
        node = expr
        while depth <= MAX_DEPTH:
            depth += 1
            if isinstance(node, ast.Await):
                node = node.value
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if self._statement_builder(node, scope) is not None:
                    return False
                node = node.func.value
            elif isinstance(node, ast.Call):
                if self._statement_builder(node, scope) is not None or not node.args:
                    return False
                node = node.args[0]
            elif isinstance(node, ast.Name):
                binding = self.flow.binding_of(node, self._scope_of(node, scope))
                if binding is None:
                    return False
                if binding.node is self.loop.node:
                    return True
                if (
                    binding.value is not None
                    and binding.unpack_index is None
                    and _contains(self.loop.node, binding.node)
                ):
                    node = binding.value
                    scope = binding.scope
                    continue
                return False
            else:
                return False
        return False

    def _name_uses(self, name: ast.Name, scope: Scope) -> bool:
        from fastapi_lint.semantic.model import BindingKind

        node_scope = self._scope_of(name, scope)
        binding = self.flow.binding_of(name, node_scope)
        if binding is None:
            return False
        loop = self.loop.node
        if binding.node is loop:
            return True
        if self.is_while and name.id in self.carried:
            return True
        inside = (
            _contains(loop, binding.node)
            if not isinstance(loop, ast.comprehension)
            else binding.scope is self.loop.scope
        )
        if not inside or id(binding) in self.visited:
            return False
        self.visited.add(id(binding))
        if binding.kind in (BindingKind.ASSIGN, BindingKind.WITH, BindingKind.FOR) and (
            binding.value is not None
        ):
            return self.expression(binding.value, binding.scope)
        return False

    def _scope_of(self, name: ast.Name, default: Scope) -> Scope:
        for ancestor in self.model.ancestors(name):
            scope = self.model.scope_of_node.get(id(ancestor))
            if scope is not None:
                from fastapi_lint.semantic.model import ScopeKind

                if scope.kind is ScopeKind.COMPREHENSION:
                    generators = getattr(ancestor, "generators", [])
                    if generators and _contains(generators[0].iter, name):
                        continue  # the first iterable runs in the enclosing scope
                return scope
        return default


_LIMIT_SQL = re.compile(r"\b(LIMIT|FETCH\s+(FIRST|NEXT)|TOP)\b", re.IGNORECASE)


def _has_limit(node: ast.AST) -> bool:
    """A raw SQL string (or f-string) that pages with LIMIT / FETCH FIRST."""
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            if _LIMIT_SQL.search(child.value):
                return True
    return False


SINGLE_ROW_METHODS = frozenset(
    {"get", "get_one", "first", "one", "one_or_none", "scalar", "scalar_one", "scalar_one_or_none"}
)


def _pops(value: ast.AST | None) -> bool:
    """``pending.pop()``, ``queue.popleft()``, ``next(it)``: taking the next item of a work list."""
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if isinstance(func, ast.Attribute):
        return func.attr in ("pop", "popleft")
    return isinstance(func, ast.Name) and func.id == "next"


def _queries(value: ast.AST, single: bool = False) -> bool:
    """Whether an expression runs a session query (with ``single``: and gives one row)."""
    node = value.value if isinstance(value, ast.Await) else value
    outermost = True
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if single and outermost and node.func.attr not in SINGLE_ROW_METHODS:
            return False
        outermost = False
        if node.func.attr in QUERY_METHODS:
            return True
        inner = node.func.value
        node = inner.value if isinstance(inner, ast.Await) else inner
    return False


_EXITS = (ast.Return, ast.Break, ast.Raise)


def _leaves_loop_after(model: ModuleModel, call: ast.Call, loop: ast.AST) -> bool:
    """Whether every path through ``call`` leaves the loop (return/break/raise) in the same pass."""
    if isinstance(loop, ast.comprehension):
        return False
    child: ast.AST = call
    for ancestor in model.ancestors(call):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(ancestor, field, None)
            if isinstance(block, list) and any(statement is child for statement in block):
                index = next(i for i, statement in enumerate(block) if statement is child)
                if any(isinstance(statement, _EXITS) for statement in block[index:]):
                    return True
        if ancestor is loop:
            return False
        child = ancestor
    return False


def _pages(loop: ast.AST) -> bool:
    """Whether a loop body pages through rows anywhere (`.limit()`, `LIMIT` in raw SQL)."""
    for node in ast.walk(loop):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in PAGE_METHODS:
                return True
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _LIMIT_SQL.search(node.value):
                return True
    return False


def _query_chain(model: ModuleModel, call: ast.Call) -> ast.Call:
    """The outermost call of a ``session.query(...).filter(...).all()`` chain."""
    outer = call
    current: ast.AST = call
    while True:
        parent = model.parent(current)
        if isinstance(parent, ast.Attribute) and parent.value is current:
            grand = model.parent(parent)
            if isinstance(grand, ast.Call) and grand.func is parent:
                outer = grand
                current = grand
                continue
        return outer


QUERY_RUNNING_METHODS = frozenset(
    {
        "all",
        "first",
        "one",
        "one_or_none",
        "scalar",
        "count",
        "get",
        "delete",
        "update",
        "fetchall",
        "exists_",
    }
)


def _query_runs(model: ModuleModel, chain: ast.Call) -> bool:
    """Whether a legacy ``Query`` chain is sent to the database where it stands."""
    func = chain.func
    if isinstance(func, ast.Attribute) and func.attr in QUERY_RUNNING_METHODS:
        return True
    parent = model.parent(chain)
    if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is chain:
        return True
    return (
        isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Name)
        and (parent.func.id in ("list", "tuple", "sorted", "set"))
    )


def _structure_arguments(chain: ast.Call, stop: ast.Call) -> list[ast.AST]:
    """Arguments naming tables or columns in a Query chain (``.select_from(model)``)."""
    result: list[ast.AST] = []
    current: ast.AST = chain
    while isinstance(current, ast.Call) and current is not stop:
        func = current.func
        if isinstance(func, ast.Attribute):
            if func.attr in COLUMN_METHODS:
                result.extend(current.args)
            current = func.value
        else:
            break
    return result


def _chain_arguments(chain: ast.Call, stop: ast.Call) -> list[ast.AST]:
    """Arguments of every call in a method chain, from ``chain`` down to ``stop``."""
    result: list[ast.AST] = []
    current: ast.AST = chain
    while isinstance(current, ast.Call):
        func = current.func
        if not (isinstance(func, ast.Attribute) and func.attr in COLUMN_METHODS):
            result.extend(current.args)
            result.extend(k.value for k in current.keywords)
        if current is stop:
            break
        func = current.func
        current = func.value if isinstance(func, ast.Attribute) else func
    return result


def session_query(
    model: ModuleModel, flow: QueryFlow, call: ast.Call, scope: Scope
) -> tuple[str, FlowValue | None] | None:
    """Whether ``call`` sends a query through a session or connection: its display and target."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in QUERY_METHODS:
        return None
    method = func.attr
    receiver = func.value
    receiver_type = model.type_of(receiver, scope)
    typed = receiver_type in SESSION_TYPES or (
        receiver_type in CONNECTION_TYPES and method in EXECUTE_METHODS
    )
    display = f"{_unparse(receiver, 30)}.{method}()"
    target: FlowValue | None = None
    first = call.args[0] if call.args else None
    if first is not None:
        if method in GET_METHODS or method == "query":
            target = flow._model_class(first, scope)
        else:
            target = flow.value(first, scope)
    if typed:
        return display, target
    if receiver_type is not None and receiver_type not in SESSION_TYPES:
        return None  # some other object with a method of that name
    if first is None:
        return None
    if method in GET_METHODS or method == "query":
        return (display, target) if target is not None else None
    if isinstance(target, QueryValue) and target.kind is Kind.STATEMENT:
        return display, target
    statement = first
    while (
        isinstance(statement, ast.Call)
        and isinstance(statement.func, ast.Attribute)
        and not isinstance(statement.func.value, ast.Name)
    ):
        statement = statement.func.value
    root = statement.func if isinstance(statement, ast.Call) else statement
    qualname = model.qualified_name(root, scope)
    if qualname and stubs.canonical(qualname) in STATEMENT_FUNCTIONS:
        return display, target
    return None


def _queried_model(target: FlowValue | None) -> str | None:
    if isinstance(target, ModelClass):
        return target.model
    if isinstance(target, QueryValue):
        return target.model
    return None


def check_queries_in_loops(model: ModuleModel, flow: QueryFlow, reporter: Reporter) -> None:
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in QUERY_METHODS:
            continue
        loops = _enclosing_loops(model, call, ref.scope)
        if not loops:
            continue
        found = session_query(model, flow, call, ref.scope)
        if found is None:
            continue
        display, target = found
        entity: list[ast.AST] = []
        if func.attr == "query":
            chain = _query_chain(model, call)
            if not _query_runs(model, chain):
                continue  # `.subquery()`, `.cte()`, a Query kept for later: nothing sent here
            arguments: list[ast.AST] = _chain_arguments(chain, call)
            entity = list(call.args) + _structure_arguments(chain, call)
            arguments = [a for a in arguments if not any(a is e for e in entity)]
        elif func.attr in GET_METHODS:
            entity = list(call.args[:1])
            arguments = [*call.args[1:], *(k.value for k in call.keywords)]
        else:
            arguments = [*call.args, *(k.value for k in call.keywords)]
        for loop in loops:
            if loop.scope is None or _is_bounded(model, loop.iterable, loop.scope):
                continue
            if _leaves_loop_after(model, call, loop.node):
                continue  # `if found: row = db.get(...); return row`: at most once per loop
            uses = _Uses(model, flow, loop)
            if entity and uses.expressions(entity, ref.scope):
                continue  # a loop over model classes: one query per table
            if func.attr in EXECUTE_METHODS and call.args:
                if uses.statement_from_loop(call.args[0], ref.scope):
                    continue  # a loop over statements
            if not uses.expressions(arguments, ref.scope) or uses.table_loop:
                continue
            if uses.is_while and (uses.paged or _pages(loop.node)):
                continue  # paging through a table with limit/offset: a batch per iteration
            reporter.report(
                "API401",
                call,
                query=display,
                loop=_loop_display(loop),
                context=describe(model, ref.scope.code_function),
                advice=_loop_fix(model, flow, loop, target, call, ref.scope),
            )
            break


def _loop_display(loop: _Loop) -> str:
    node = loop.node
    if isinstance(node, ast.While):
        return f"iteration of `while {_unparse(node.test, 40)}`"
    iterable = _unparse(loop.iterable, 40) if loop.iterable is not None else "..."
    return f"item of the loop over `{iterable}`"


DML_FUNCTIONS = frozenset(
    {
        "sqlalchemy.insert",
        "sqlalchemy.update",
        "sqlalchemy.delete",
        "sqlalchemy.dialects.postgresql.insert",
        "sqlalchemy.dialects.sqlite.insert",
        "sqlalchemy.dialects.mysql.insert",
    }
)


def _statement_function(model: ModuleModel, call: ast.Call, scope: Scope) -> str | None:
    """``sqlalchemy.update`` for ``session.execute(update(Book).where(...))``."""
    statement: ast.AST | None = call.args[0] if call.args else None
    while isinstance(statement, ast.Call) and isinstance(statement.func, ast.Attribute):
        statement = statement.func.value
    if isinstance(statement, ast.Call):
        qualname = model.qualified_name(statement.func, scope)
        return stubs.canonical(qualname) if qualname else None
    return None


def _loop_fix(
    model: ModuleModel,
    flow: QueryFlow,
    loop: _Loop,
    target: FlowValue | None,
    call: ast.Call,
    scope: Scope,
) -> str:
    if _statement_function(model, call, scope) in DML_FUNCTIONS:
        return (
            "send one bulk statement with a list of parameter sets "
            "(`session.execute(update(Model), [{...}, ...])`) or a single statement with `.in_(...)`"
        )
    queried = _queried_model(target)
    if loop.iterable is not None and queried is not None:
        scope = loop.scope
        if isinstance(loop.node, ast.comprehension):
            parent = model.parent(loop.node)
            generators = getattr(parent, "generators", [])
            if generators and generators[0] is loop.node and scope.parent is not None:
                scope = scope.parent
        element = flow.element(loop.iterable, scope)
        if element is not None:
            orm = flow.orm_model(element.model)
            if orm is not None:
                for name, relationship in orm.relationships.items():
                    if relationship.target == queried:
                        return (
                            "load the relationship with the loop's query instead: "
                            f"`.options({fix_text(element, orm.name, name)})` and read "
                            f"`.{name}`"
                        )
    return "query once before the loop (`.where(Model.column.in_(keys))`) and look the rows up in a dict"


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
        try:
            node = ast.parse(node.value, mode="eval").body
        except (SyntaxError, ValueError):
            return None
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
        if "ClassVar" in _unparse(annotation, 200) or _excluded(statement.value):
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
        relationship = orm.relationships.get(name)
        if relationship is None:
            continue
        field_flow = flow_for(field_model)
        nested = _schema_class(field_flow, annotation, field_scope, field_model)
        loaded = value.loaders.covers(name) or not relationship.is_lazy_select
        if relationship.lazy not in _EAGER_DECLARED and not relationship.is_lazy_select:
            continue  # raise / noload / dynamic / write_only: never a lazy SELECT per item
        if not loaded and (many or value.is_async):
            return _ResponseFinding(
                field=name,
                owner=orm.name,
                relationship=name,
                fix=fix_text(value, orm.name, name),
                per_item=many,
            )
        if nested is None or relationship.target is None:
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
            flow, (nested[0], nested[1]), child, many or bool(collection), depth + 1, seen
        )
        if found is not None:
            return replace(found, field=f"{name}.{found.field}")
    return None


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
        for ref in model.returns_of(function):
            value_node = getattr(ref.node, "value", None)
            if value_node is None or not isinstance(ref.node, ast.Return):
                continue
            value = flow.query(value_node, ref.scope)
            if value is not None and value.kind in (*MANY_KINDS, Kind.ENTITY):
                returned.append(value)
        if not returned:
            continue  # no ORM objects returned: the schema need not be looked up
        schema = _schema_class(flow, annotation, function.outer, model)
        if schema is None:
            continue
        for value in returned:
            many = value.kind in MANY_KINDS
            found = _response_finding(
                flow, (schema[0], schema[1]), replace(value, kind=Kind.ENTITY), many, 0, set()
            )
            if found is None:
                continue
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
                returned=f"`{_short(value.model)}` objects"
                if many
                else f"a `{_short(value.model)}` object",
                schema=schema[1].name,
                field=found.field,
                owner=found.owner,
                relationship=found.relationship,
                effect=effect,
                loader=found.fix,
                origin=origin_text(model, value.origin),
            )
            break


def is_alembic_migration(model: ModuleModel) -> bool:
    """An Alembic revision script: ``from alembic import op`` and a module-level ``upgrade()``.

    It runs once, offline, usually row by row on purpose (data fixes); per-row
    queries there are not the request-time N+1 these rules are about.
    """
    from fastapi_lint.semantic.model import BindingKind

    upgrade = model.module_scope.bindings.get("upgrade")
    if not upgrade or upgrade[-1].kind is not BindingKind.FUNCTION:
        return False
    return any(
        binding.kind is BindingKind.IMPORT
        and (binding.qualname or "").split(".", 1)[0] == "alembic"
        for bindings in model.module_scope.bindings.values()
        for binding in bindings
    )


def check(model: ModuleModel, reporter: Reporter) -> None:
    if is_alembic_migration(model):
        return
    flow = flow_for(model)
    if reporter.enabled("API401"):
        check_queries_in_loops(model, flow, reporter)
    if reporter.enabled("API402"):
        check_lazy_loads(model, flow, reporter)
    check_responses(model, flow, reporter)


FAMILY = Family(prefix="API4", title="N+1 queries", rules=(API401, API402, API403), check=check)

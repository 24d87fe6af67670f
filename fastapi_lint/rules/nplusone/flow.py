"""Query flow for the N+1 rules: what an expression holds in terms of queries and ORM objects.

Type flow from query to loop: ``select(User)`` and ``session.query(User)``
chains, ``execute/scalars/exec/get`` on a session, ``Result.scalars().all()``,
simple assignments, the return of a project function in another module, loop
variables and relationship collections (``for post in user.posts`` yields
``Post`` objects). Loader options are read from ``.options(...)`` and from the
relationship's declared ``lazy=``.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING, Optional

from fastapi_lint.project.index import index_of
from fastapi_lint.project.layout import EXTERNAL_TOP_LEVEL
from fastapi_lint.project.orm import (
    Catalogue,
    OrmModel,
    catalogue_for,
)
from fastapi_lint.rules.nplusone.conditions import equality_filters
from fastapi_lint.rules.nplusone.generic_models import (
    SELF_PREFIX,
    inherited_method,
    receiver_model,
    self_attribute,
)
from fastapi_lint.rules.nplusone.loader_options import loader_options
from fastapi_lint.rules.nplusone.passthrough import Chain, passthrough_chain, substituted
from fastapi_lint.rules.nplusone.query_values import (
    MANY_KINDS,
    OPAQUE_FILTER,
    FlowValue,
    Kind,
    Loaders,
    ModelClass,
    Origin,
    QueryValue,
    query_from_json,
    query_to_json,
)
from fastapi_lint.rules.nplusone.row_sources import inline_row_source, sliced_rows
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.limits import cut_count, note_cut
from fastapi_lint.semantic.memo import MemoKey

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, FunctionInfo, Scope


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


def span(node: ast.AST) -> tuple[int, int, int, int]:
    return (
        getattr(node, "lineno", 0),
        getattr(node, "col_offset", 0),
        getattr(node, "end_lineno", 0) or 0,
        getattr(node, "end_col_offset", 0) or 0,
    )


def contains(outer: ast.AST, inner: ast.AST) -> bool:
    o = span(outer)
    i = span(inner)
    return (o[0], o[1]) <= (i[0], i[1]) and (i[2], i[3]) <= (o[2], o[3])


def in_body(statement: ast.AST, node: ast.AST) -> bool:
    body = getattr(statement, "body", None)
    if not body:
        return False
    start = span(body[0])
    end = span(body[-1])
    i = span(node)
    return (start[0], start[1]) <= (i[0], i[1]) and (i[2], i[3]) <= (end[2], end[3])


def inline_root(scope: Scope) -> Scope:
    from fastapi_lint.semantic.scopes import ScopeKind

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
        self._function_results: dict[tuple[str, Optional[int]], Optional[QueryValue]] = {}
        self._function_stack: set[str] = set()

    # ------------------------------------------------------------ entry points
    def value(self, expr: ast.AST, scope: Scope, depth: int = 0) -> FlowValue | None:
        if depth > MAX_DEPTH or id(expr) in self._stack:
            note_cut()  # an answer for this question only: memos above must not keep it
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
        if (rows := sliced_rows(expr)) is not None:
            return self.value(rows, scope, depth + 1)
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

    def _entity_class(self, expr: ast.AST, scope: Scope) -> ModelClass | None:
        """The model a query selects; in a method, ``self.model`` of a generic
        repository stands for the model each instance holds (``generic_models``)."""
        found = self._model_class(expr, scope)
        if found is not None:
            return found
        attr = self_attribute(expr)
        function = scope.code_function
        if attr is not None and function is not None and function.is_method:
            return ModelClass(SELF_PREFIX + attr)
        return None

    def _name(self, name: ast.Name, scope: Scope, depth: int) -> FlowValue | None:
        binding = self.binding_of(name, scope)
        if binding is None:
            return None
        from fastapi_lint.semantic.scopes import BindingKind

        if binding.kind in (BindingKind.CLASS, BindingKind.IMPORT):
            return self._model_class(name, scope)
        return self.binding_value(binding, depth)

    def binding_value(self, binding: Binding, depth: int = 0) -> FlowValue | None:
        from fastapi_lint.semantic.scopes import BindingKind

        if binding.kind is BindingKind.ASSIGN and binding.value is not None:
            if binding.unpack_index is not None:
                return self._unpacked(binding, binding.unpack_index, depth)
            if isinstance(binding.value, ast.List) and not binding.value.elts:
                return self._accumulated(binding, depth)
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
            return self._row_entity(iterable, iter_scope, binding.unpack_index, depth)
        return None

    def _row_entity(
        self, iterable: ast.expr, scope: Scope, index: int, depth: int
    ) -> QueryValue | None:
        """``for user, total in db.execute(select(User, func.count(...))...)``: the ORM
        object at ``index`` of each row, read as the query of that one entity (same
        joins, filters and options). The select is written in the loop header or assigned
        to the names it reads (``rows = db.execute(select(A, B)).all()``)."""
        iterable = inline_row_source(iterable, scope, self.binding_of, self._is_select_call)
        selects = [
            node
            for node in ast.walk(iterable)
            if isinstance(node, ast.Call)
            and len(node.args) > index
            and len(node.args) >= 2
            and not node.keywords
            and self._is_select_call(node, scope)
        ]
        if len(selects) != 1:
            return None
        chosen = selects[0].args[index]
        if any(isinstance(a, ast.Starred) for a in selects[0].args):
            return None
        if self._model_class(chosen, scope) is None:
            return None
        single = _with_args(iterable, selects[0], [chosen])
        found = self.query(single, scope, depth + 1)
        if found is None or found.kind not in (Kind.RESULT, *MANY_KINDS):
            return None
        return replace(found, kind=Kind.ENTITY)

    def _is_select_call(self, node: ast.Call, scope: Scope) -> bool:
        return self.model.qualified_name(node.func, scope) in SELECT_FUNCTIONS or (
            isinstance(node.func, ast.Attribute) and node.func.attr == "query"
        )

    def _unpacked(self, binding: Binding, index: int, depth: int) -> QueryValue | None:
        """``rows, total = crud.list_rows(db, ...)``: element ``index`` of the tuple the
        project function returns (``return query.all(), count``)."""
        targets = getattr(binding.node, "targets", None) or [getattr(binding.node, "target", None)]
        for target in targets:
            if isinstance(target, (ast.Tuple, ast.List)) and any(
                isinstance(element, ast.Starred) for element in target.elts
            ):
                return None  # `first, *rest = ...`: the positions after a star are not elements
        value = binding.value
        if isinstance(value, ast.Await):
            value = value.value
        if not isinstance(value, ast.Call):
            return None
        return self._project_call(value, binding.scope, depth + 1, index)

    def _accumulated(self, binding: Binding, depth: int) -> QueryValue | None:
        """``rows = []`` then ``rows.extend(await session.scalars(...))`` /
        ``rows.append(obj)``: a list of ORM objects when every addition is query
        results (or one object) of the same model; unknown otherwise."""
        name = binding.name
        if len(binding.scope.bindings.get(name, [])) != 1:
            return None
        found: QueryValue | None = None
        for node in ast.walk(binding.scope.node):
            added: ast.expr | None = None
            many = True
            if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                if node.target.id != name:
                    continue
                added = node.value
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == name
            ):
                if node.func.attr in ("extend", "append") and len(node.args) == 1:
                    added, many = node.args[0], node.func.attr == "extend"
                elif node.func.attr not in ("sort", "reverse", "copy", "count", "index"):
                    return None  # insert, pop, clear...: not followed
                else:
                    continue
            else:
                continue
            value = self.query(added, binding.scope, depth + 1)
            if value is None or value.kind not in (MANY_KINDS if many else (Kind.ENTITY,)):
                return None
            if found is not None and found.model != value.model:
                return None
            found = found or value
        return replace(found, kind=Kind.SCALARS) if found is not None else None

    def binding_of(self, name: ast.Name, scope: Scope) -> Binding | None:
        """The binding a name reads, skipping an assignment whose value contains the read."""
        binding = self.model.lookup(name.id, scope, getattr(name, "lineno", None))
        if binding is None:
            return None
        from fastapi_lint.semantic.scopes import BindingKind

        if (
            binding.kind is BindingKind.ASSIGN
            and binding.value is not None
            and contains(binding.value, name)
        ):
            earlier = [
                b
                for b in binding.scope.bindings.get(name.id, [])
                if b is not binding and span(b.node) < span(binding.node)
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
        if not (relationship.is_lazy_select or relationship.lazy in EAGER_DECLARED):
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
            # The receiver of a method chain (`query.filter(...).order_by(...).all()`) is
            # part of the same expression: the source bounds it, so it costs no depth;
            # the depth limit is for the names and calls that lead elsewhere.
            receiver = self.value(func.value, scope, depth)
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

    def _opaque_filter(self, call: ast.Call, scope: Scope) -> bool:
        """A filter the caller passes in (``.where(where_clause)`` with a parameter)."""
        from fastapi_lint.semantic.scopes import BindingKind

        for argument in call.args:
            if isinstance(argument, ast.Starred):
                argument = argument.value
            if isinstance(argument, ast.Name):
                binding = self.model.lookup(argument.id, scope)
                if binding is not None and binding.kind is BindingKind.PARAM:
                    return True
        return False

    def _select(self, call: ast.Call, scope: Scope) -> QueryValue | None:
        if len(call.args) != 1 or call.keywords:
            return None
        entity = self._entity_class(call.args[0], scope)
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
            if method in ("where", "filter", "filter_by"):
                pinned = equality_filters(call)
                if self._opaque_filter(call, scope):
                    pinned |= {OPAQUE_FILTER}
                return replace(receiver, filters=receiver.filters | pinned) if pinned else receiver
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
            if method in ("unique", "all", "fetchall"):  # `.all()`: a list of the same rows
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
            entity = self._entity_class(call.args[0], scope)
            if entity is None:
                return None
            return QueryValue(
                Kind.QUERY, entity.model, Loaders(), self._origin(call), is_async, entity.model
            )
        if method in GET_METHODS:
            if not call.args:
                return None
            entity = self._entity_class(call.args[0], scope)
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

    def _project_call(
        self, call: ast.Call, scope: Scope, depth: int, index: int | None = None
    ) -> QueryValue | None:
        """What a project function returns (``index``: that element of the tuple it returns)."""
        model = self.model
        target = model.call_target(call, scope)
        if target is None:
            return None
        project = index_of(model)
        target = inherited_method(model, project, target)
        local = model.function_named(target)
        if local is not None:
            found = self.function_result(local, index)
            if found is None and index is None:
                found = self._passed_through(passthrough_chain(model, local), call, scope, depth)
            return self._for_receiver(found, call, scope)
        if project is None or target.split(".", 1)[0] in EXTERNAL_TOP_LEVEL:
            return None
        # A fact, so warm runs answer without building the defining module. Versioned:
        # /3 reads `or_` branches and parameter filters (`filters`); /5 tuple elements
        # and a generic repository's `self.model` kept as a placeholder; /6-t18 filters
        # on module-qualified columns (`models.Item.warehouse_id == x`).
        subject = target if index is None else f"{target}#{index}"
        found = query_from_json(
            project.fact(
                "query-result/6",
                subject,
                lambda: query_to_json(_project_function_result(project, target, index)),
            )
        )
        if found is None and index is None:
            chain = project.fact(
                "query-passthrough/1", target, lambda: _project_passthrough(project, target)
            )
            found = self._passed_through(chain, call, scope, depth)
        return self._for_receiver(found, call, scope)

    def _passed_through(
        self, chain: Chain | list | None, call: ast.Call, scope: Scope, depth: int
    ) -> QueryValue | None:
        """``paginate(db.query(Item), page, size)``: the helper reshapes the query it is given."""
        if not chain:
            return None
        position, name, text = chain
        expr = substituted((int(position), str(name), str(text)), call)
        return None if expr is None else self.query(expr, scope, depth + 1)

    def _for_receiver(
        self, found: QueryValue | None, call: ast.Call, scope: Scope
    ) -> QueryValue | None:
        """A generic repository's query (``select(self.model)``) for this instance's model."""
        if found is None or not found.model.startswith(SELF_PREFIX):
            return found
        entity = receiver_model(
            self.model,
            call,
            scope,
            found.model[len(SELF_PREFIX) :],
            lambda qualname: self.orm_model(qualname) is not None,
        )
        if entity is None:
            return None
        root = entity if found.root == found.model else found.root
        return replace(found, model=entity, root=root)

    def function_result(
        self, function: FunctionInfo, index: int | None = None
    ) -> QueryValue | None:
        """The query a project def returns, computed from the def alone (its depths
        restart here), remembered unless a cycle guard or depth limit cut it short:
        asked from a deep chain or a shallow one, first or last, it is the same.
        With ``index``: that element of the tuple it returns (``return rows, total``)."""
        key = (function.qualname, index)
        if key in self._function_results:
            return self._function_results[key]
        if function.qualname in self._function_stack:
            note_cut()  # recursion: unknown for this question only
            return None
        self._function_stack.add(function.qualname)
        cuts = cut_count()
        result = None
        try:
            for ref in self.model.returns_of(function):
                node = ref.node
                value = getattr(node, "value", None)
                if value is None or not isinstance(node, ast.Return):
                    continue
                if index is not None:
                    if not isinstance(value, ast.Tuple) or len(value.elts) <= index:
                        continue
                    value = value.elts[index]
                found = self.query(value, ref.scope, 1)
                if found is not None:
                    result = found
                    break
        finally:
            self._function_stack.discard(function.qualname)
        if cut_count() == cuts:
            self._function_results[key] = result
        return result

    # ------------------------------------------------------------ options
    def options(self, args: list[ast.expr], scope: Scope) -> Loaders:
        """The loader options ``.options(*args)`` names (opaque when unreadable)."""
        return loader_options(self, args, scope)


EAGER_DECLARED = frozenset({"selectin", "joined", "subquery", "immediate"})


def _with_args(tree: ast.expr, call: ast.Call, args: list[ast.expr]) -> ast.expr:
    """A copy of ``tree`` where ``call`` takes ``args``: only the nodes on the way to
    ``call`` are new; the rest (and the module's tree) are shared, never changed."""

    def copy(node: ast.AST) -> ast.AST:
        if node is call:
            return ast.copy_location(
                ast.Call(func=call.func, args=args, keywords=call.keywords), call
            )
        if not any(child is call for child in ast.walk(node)):
            return node
        fields: dict[str, object] = {}
        for name, value in ast.iter_fields(node):
            if isinstance(value, list):
                fields[name] = [copy(v) if isinstance(v, ast.AST) else v for v in value]
            else:
                fields[name] = copy(value) if isinstance(value, ast.AST) else value
        return ast.copy_location(type(node)(**fields), node)

    result = copy(tree)
    assert isinstance(result, ast.expr)
    return result


def _project_passthrough(project: ProjectIndex, qualname: str) -> Chain | None:
    found = project.function(qualname)
    return None if found is None else passthrough_chain(*found)


def _project_function_result(
    project: ProjectIndex, qualname: str, index: int | None = None
) -> QueryValue | None:
    found = project.function(qualname)
    if found is None:
        return None
    owner_model, function = found
    return flow_for(owner_model).function_result(function, index)


# Holds its model: ``ModuleModel.internal_references`` counts it.
_QUERY_FLOW: MemoKey[QueryFlow] = MemoKey("query-flow")


def flow_for(model: ModuleModel) -> QueryFlow:
    flow = model.memo.get(_QUERY_FLOW)
    if flow is None:
        flow = model.memo.put(_QUERY_FLOW, QueryFlow(model, catalogue_for(model)))
    return flow

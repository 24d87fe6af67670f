"""API402 lazy-load-in-loop: a lazy relationship read per item of a query's results."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING, Optional

from fastapi_lint.project.orm_facts import LAZY_SELECT
from fastapi_lint.registry import Rule
from fastapi_lint.rules.nplusone.conditions import in_except_branch
from fastapi_lint.rules.nplusone.earlier_loads import loaded_by_earlier_loop
from fastapi_lint.rules.nplusone.examples import MODELS_EXAMPLE
from fastapi_lint.rules.nplusone.flow import (
    ASYNC_EFFECT,
    OPAQUE_FILTER,
    SYNC_EFFECT,
    Kind,
    QueryFlow,
    QueryValue,
    in_body,
    inline_root,
    span,
)
from fastapi_lint.rules.nplusone.loops import first_item_only, leaves_loop_after
from fastapi_lint.rules.nplusone.refreshes import refresh_calls, refreshed_attributes
from fastapi_lint.rules.nplusone.single_row import finds_one_row
from fastapi_lint.rules.nplusone.texts import describe, fix_text, origin_text, short_name, unparse
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.project.orm_facts import Relationship
    from fastapi_lint.project.orm_models import OrmModel
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, FunctionInfo

API402 = Rule(
    code="API402",
    name="lazy-load-in-loop",
    message="`{read}` lazy-loads relationship `{model}.{relationship}` for each item of the query "
    "built at {origin} in {context}: {effect}; add `.options({loader})` to that query",
    summary="Checks for lazy-loaded relationships read per item of a query's results.",
    why=(
        'A relationship declared with the default `lazy="select"` runs one SELECT the first time '
        "it is read on each object: a loop over N results runs N more queries. With an "
        "`AsyncSession` the implicit load is not possible at all and raises `MissingGreenlet`. "
        "A many-to-one read (any scalar relationship joined on the target's primary key, "
        "also with `foreign()` written on the target's side: SQLAlchemy loads it by a "
        "primary-key get) whose parent the session's identity map already holds costs no "
        "query and is not reported: the loop's query pins the foreign key "
        "(`.where(Post.author_id == author_id)`, also in every branch of an `or_()`), or the "
        "parent was loaded earlier in the function, is the object being iterated or is "
        "another entity of the same row (`for post, author in db.execute(select(Post, "
        "User).join(...))`). Such a "
        "get costs one query per distinct parent, so a query whose filter the caller passes "
        "in (a parameter) is not reported either: the rows may all share one parent. Nor is "
        "a loop over the rows of a query that compares a unique column or a one-column "
        "primary key with `==`: one row at most. Nor is a read in the element of a "
        "generator handed to `next()` (only the first match loads), or in a later loop over "
        "a list whose rows an earlier loop of the function already loaded it on, every one "
        "of them and with no commit since."
    ),
    example=(
        MODELS_EXAMPLE + "def post_counts(db: Session) -> dict[str, int]:\n"
        "    users = db.scalars(select(User)).all()\n"
        "    return {user.name: len(user.posts) for user in users}\n"
    ),
    use_instead=(
        "from sqlalchemy.orm import selectinload\n"
        + MODELS_EXAMPLE
        + "def post_counts(db: Session) -> dict[str, int]:\n"
        "    users = db.scalars(select(User).options(selectinload(User.posts))).all()\n"
        "    return {user.name: len(user.posts) for user in users}\n"
    ),
)


# ---------------------------------------------------------------- API402
def _read_path(node: ast.Attribute) -> tuple[ast.Name, tuple[str, ...]] | None:
    """``post.author`` -> (post, ("author",)); ``item.order.customer`` -> (item, ("order",
    "customer")): a relationship of the row, or one of a scalar relationship of the row."""
    if isinstance(node.value, ast.Name):
        return node.value, (node.attr,)
    inner = node.value
    if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name):
        if inner.attr == AWAITABLE_ATTRS:
            return inner.value, (node.attr,)  # `await row.awaitable_attrs.books`
        return inner.value, (inner.attr, node.attr)
    return None


# `AsyncAttrs.awaitable_attrs`: an awaitable lazy load, one query per item, no error.
AWAITABLE_ATTRS = "awaitable_attrs"


def _refreshed(
    loop: ast.AST, row: str, attr: str, read: ast.AST, walked: dict[int, list[ast.Call]]
) -> bool:
    """``await session.refresh(row, ["books"])`` earlier in the loop body: the refresh
    loaded the relationship (it is the per-item query), the read after it loads nothing.
    ``walked``: each loop's refresh calls, found once per check (a walk of the loop per
    read took 1% of a cold check)."""
    calls = walked.get(id(loop))
    if calls is None:
        calls = walked[id(loop)] = refresh_calls(loop)
    return bool(calls) and attr in refreshed_attributes(loop, row, read, calls)


def check_lazy_loads(model: ModuleModel, flow: QueryFlow, reporter: Reporter) -> None:
    reads: dict[tuple[int, tuple[str, ...]], tuple[ast.Attribute, Binding]] = {}
    walked: dict[int, list[ast.Call]] = {}  # id(loop) -> its refresh calls
    for ref in model.nodes[ast.Attribute]:
        node = ref.node
        assert isinstance(node, ast.Attribute)
        read_path = _read_path(node)
        if read_path is None or not isinstance(node.ctx, ast.Load):
            continue
        row, attrs = read_path
        binding = model.lookup(row.id, ref.scope, node.lineno)
        if binding is None or binding.kind is not BindingKind.FOR:
            continue
        loop = binding.node
        if isinstance(loop, (ast.For, ast.AsyncFor)):
            if not in_body(loop, node):
                continue
        elif not isinstance(loop, ast.comprehension):
            continue
        if inline_root(ref.scope) is not inline_root(binding.scope):
            continue  # a lambda or nested def: may run elsewhere
        if in_except_branch(model, node):
            continue  # error handling: runs rarely, not worth an eager load
        if leaves_loop_after(model, node, loop):
            continue  # `if t.id != wanted: continue` ... `return`: one item's load, not one per item
        if first_item_only(model, node, loop, ref.scope):
            continue  # `next(b.product for b in bins if ...)`: the first match's load only
        if len(attrs) == 1 and _refreshed(loop, row.id, attrs[0], node, walked):
            continue
        key = (id(binding), attrs)
        previous = reads.get(key)
        if previous is None or span(node) < span(previous[0]):
            reads[key] = (node, binding)
    elements: dict[int, Optional[QueryValue]] = {}
    reported: set[tuple[int, str, str]] = set()  # one finding per loop and relationship
    loaded: dict[tuple[str, str], list[tuple[ast.Attribute, Binding]]] = {}
    for (binding_id, attrs), (node, binding) in sorted(
        reads.items(), key=lambda item: span(item[1][0])
    ):
        if binding_id not in elements:
            found = flow.binding_value(binding)
            elements[binding_id] = found if isinstance(found, QueryValue) else None
        element = elements[binding_id]
        if element is None and len(attrs) == 2:
            rows = _row_source(flow, binding, attrs[0])
            if rows is not None:  # `row.Warehouse.items`: the row's entity, by class name
                element, attrs = rows, attrs[1:]
        if element is None or element.kind is not Kind.ENTITY:
            continue
        attr = attrs[-1]
        orm = flow.orm_model(element.model)
        if orm is None:
            continue
        if len(attrs) == 2:
            # `item.order.customer`: the row's scalar relationship is loaded (eagerly, or
            # its own read is the finding), then each parent lazy-loads its own.
            nested = _through_loaded_parent(flow, element, attrs[0])
            if nested is None:
                continue
            orm, element = nested
        # `match.player_ids`, a `@property` of the model that reads `self.players`.
        getter = attr if attr in orm.relationships else orm.relationship_getters.get(attr)
        relationship = orm.relationships.get(getter) if getter is not None else None
        if relationship is None or getter is None or not relationship.is_lazy_select:
            continue
        if element.loaders.covers(getter) or (binding_id, orm.qualname, getter) in reported:
            continue
        if binding.value is not None and finds_one_row(
            flow, binding.value, flow.iter_scope(binding)
        ):
            continue  # the rows of a query on a unique column: one load at most
        scope = model.scope_of_node.get(id(binding.node)) or binding.scope
        function = scope.code_function or binding.scope.code_function
        if relationship.loads_by_get and (
            parent_in_identity_map(flow, element, relationship, node, function)
            or _row_holds_parent(flow, binding, relationship.target)
        ):
            continue
        earlier = loaded.setdefault((orm.qualname, getter), [])
        if len(attrs) == 1 and loaded_by_earlier_loop(model, earlier, node, binding):
            continue  # an earlier loop over the same rows loaded it on each of them
        if len(attrs) == 1:
            earlier.append((node, binding))
        reported.add((binding_id, orm.qualname, getter))
        reporter.report(
            "API402",
            node,
            read=f"{unparse(node.value)}.{attr}",
            model=orm.name,
            relationship=getter,
            origin=origin_text(model, element.origin),
            context=describe(model, function),
            effect=ASYNC_EFFECT if element.is_async and not _awaitable(node) else SYNC_EFFECT,
            loader=fix_text(element, orm.name, getter),
        )


def _row_holds_parent(flow: QueryFlow, binding: Binding, target: str | None) -> bool:
    """``for ticket, agent in db.execute(select(Ticket, Agent).join(...))``: another entity
    of each row is the many-to-one parent's model, loaded by the loop's own query, so the
    identity map answers ``ticket.assignee`` without a SELECT."""
    if target is None or binding.kind is not BindingKind.FOR or binding.unpack_index is None:
        return False
    for siblings in binding.scope.bindings.values():
        for other in siblings:
            if other is binding or other.node is not binding.node or other.unpack_index is None:
                continue
            found = flow.binding_value(other)
            if isinstance(found, QueryValue) and found.model == target:
                return True
    return False


def _awaitable(node: ast.Attribute) -> bool:
    inner = node.value
    return isinstance(inner, ast.Attribute) and inner.attr == AWAITABLE_ATTRS


def _row_source(flow: QueryFlow, binding: Binding, name: str) -> QueryValue | None:
    """``for row in db.execute(select(Warehouse))``: a ``Row`` names its entity by class
    (``row.Warehouse``), the object a ``.scalars()`` loop would bind."""
    if binding.kind is not BindingKind.FOR or binding.unpack_index is not None:
        return None
    if binding.value is None or not name[:1].isupper():
        return None
    rows = flow.query(binding.value, flow.iter_scope(binding))
    if rows is None or rows.kind is not Kind.RESULT or short_name(rows.model) != name:
        return None
    return replace(rows, kind=Kind.ENTITY)


def _through_loaded_parent(
    flow: QueryFlow, element: QueryValue, first: str
) -> tuple[OrmModel, QueryValue] | None:
    """For ``row.first.attr``: the model ``first`` leads to and the query value seen from
    it (its loader options below ``first``), when ``first`` is a scalar relationship the
    query loads eagerly (by an option or its declaration)."""
    orm = flow.orm_model(element.model)
    parent = orm.relationships.get(first) if orm is not None else None
    if parent is None or parent.target is None:
        return None
    if not (parent.collection is False or (parent.collection is None and parent.is_many_to_one)):
        return None  # a collection: `row.items.x` reads the list, not a parent
    if parent.is_lazy_select and not element.loaders.covers(first):
        return None  # `row.first` itself is the lazy read (reported on its own)
    if parent.lazy not in ("joined", "selectin", "subquery", "immediate", LAZY_SELECT):
        return None  # `noload`, `raise`, `dynamic`: nothing (or an error) to read through
    target = flow.orm_model(parent.target)
    if target is None or orm is None:
        return None
    seen_from = replace(
        element,
        model=parent.target,
        loaders=element.loaders.below(first),
        path=(*element.path, (orm.name, first)),
        filters=frozenset(),
    )
    return target, seen_from


def parent_in_identity_map(
    flow: QueryFlow,
    element: QueryValue,
    relationship: Relationship,
    read: ast.expr | ast.stmt,
    function: FunctionInfo | None,
) -> bool:
    """Whether a many-to-one read finds its parent in the session's identity map.

    SQLAlchemy's lazy loader for a relationship joined on the target's primary
    key (``use_get``) looks the parent up by primary key in the identity map
    before it emits a SELECT (sqlalchemy/orm/strategies.py,
    ``LazyLoader._load_for_state``): when the parent is already in the session,
    the read costs no query, and the loop costs one query per distinct parent.
    """
    key = relationship.get_key
    if key and all(column in element.filters for column in key):
        return True  # `.where(Post.author_id == author_id)`: one parent for every row
    if OPAQUE_FILTER in element.filters:
        # `.where(where_clause)` with a parameter: the caller chooses the rows, so how
        # many distinct parents they share is unknown here (one, often): unsure, silent.
        return True
    target = relationship.target
    if target is None:
        return False
    if element.path and element.path[-1][0] == short_name(target):
        return True  # `for post in author.posts: post.author`: the object being iterated
    if function is None:
        return False
    # The parent (or all parents) loaded earlier in the function and still referenced.
    for bindings in function.scope.bindings.values():
        for binding in bindings:
            if binding.kind is not BindingKind.ASSIGN or binding.value is None:
                continue
            if getattr(binding.node, "lineno", read.lineno) >= read.lineno:
                continue
            found = flow.binding_value(binding)
            if (
                isinstance(found, QueryValue)
                and found.model == target
                and found.kind in (Kind.ENTITY, Kind.SCALARS, Kind.QUERY)
            ):
                return True
    return False

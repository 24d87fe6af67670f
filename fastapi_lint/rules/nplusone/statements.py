"""What the statement a query call sends does, for API401: read, write, lock, claim.

API401 needs more than "a query runs per item": a write per item is fixed by a bulk
write, not by a prefetch (the message says so), and some per-item statements are
per-item on purpose, so a maintainer keeps them:

- a row lock per item (``.with_for_update()``, ``session.get(..., with_for_update=True)``):
  a check-then-write under a lock, one row at a time; an advisory lock per key
  (``SELECT pg_advisory_unlock(:key)``) is a lock, not a data query;
- a guarded claim: an ``UPDATE`` whose outcome (``result.rowcount``) is tested per item, a
  compare-and-set on the values read from that row (a lease, a deadline, a version);
- a retention window per group: a ``DELETE`` that keeps the newest N rows of each group
  (``.not_in(select(...).order_by(...).limit(n))``), which ``.in_()`` cannot express.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.rules.nplusone.flow import MAX_DEPTH, PAGE_METHODS, QueryFlow, contains
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.syntax import last_name, own_nodes

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


DML_FUNCTIONS = frozenset(
    {
        "sqlalchemy.insert",
        "sqlalchemy.update",
        "sqlalchemy.delete",
        "sqlalchemy.dialects.postgresql.insert",
        "sqlalchemy.dialects.sqlite.insert",
        "sqlalchemy.dialects.mysql.insert",
        "sqlalchemy.sql.insert",
        "sqlalchemy.sql.update",
        "sqlalchemy.sql.delete",
        # SQLModel re-exports SQLAlchemy's DML constructs.
        "sqlmodel.insert",
        "sqlmodel.update",
        "sqlmodel.delete",
    }
)
TEXT_FUNCTIONS = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", "sqlmodel.text"})
# `table.insert()`, `Model.__table__.update()`: Core statements built from a Table.
TABLE_DML_METHODS = frozenset({"insert", "update", "delete"})
TABLE_TYPES = frozenset({"sqlalchemy.Table", "sqlalchemy.sql.schema.Table"})
# `session.query(Model).filter(...).update({...})`: a legacy Query that writes.
QUERY_DML_METHODS = frozenset({"update", "delete"})
ADVISORY_LOCK_PREFIXES = ("pg_advisory_", "pg_try_advisory_")
_SQL_VERB = lazy_compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE|UPSERT)\b", re.IGNORECASE)
_SQL_LOCK = lazy_compile(
    r"\bFOR\s+(NO\s+KEY\s+)?UPDATE\b|\bpg_(try_)?advisory_|\b(GET|RELEASE)_LOCK\s*\(",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Statement:
    """What one query call sends, as far as simple flow can tell."""

    verb: str | None  # "insert", "update", "delete" for a write; None for a read or unknown
    locks: bool  # SELECT ... FOR UPDATE, or an advisory lock taken or released
    limited: bool  # a `.limit()` (or LIMIT) anywhere in it, subqueries included

    @property
    def writes(self) -> bool:
        return self.verb is not None


def statement_of(
    model: ModuleModel, flow: QueryFlow, call: ast.Call, chain: ast.Call, scope: Scope
) -> Statement:
    """The statement ``call`` sends; ``chain`` is its outermost ``Query`` call for ``.query``."""
    verb: str | None = None
    locks = any(
        keyword.arg == "with_for_update"
        and not (isinstance(keyword.value, ast.Constant) and not keyword.value.value)
        for keyword in call.keywords
    )
    limited = False
    func = call.func
    roots: list[ast.AST] = list(call.args[:1])
    if isinstance(func, ast.Attribute) and func.attr == "query":
        # `db.query(Model).filter(...).with_for_update().update({...})`
        roots = [chain]
        outer = chain.func
        if (
            isinstance(outer, ast.Attribute)
            and outer.attr in QUERY_DML_METHODS
            and chain is not call
        ):
            verb = outer.attr
    for node in _statement_nodes(flow, roots, scope):
        if isinstance(node, ast.Call):
            method = node.func.attr if isinstance(node.func, ast.Attribute) else None
            if method == "with_for_update" or (method or "").startswith(ADVISORY_LOCK_PREFIXES):
                locks = True  # a row lock, or `func.pg_advisory_xact_lock(key)`: a lock per key
            elif method in PAGE_METHODS:
                limited = True
            if verb is None:
                verb = _write_verb(model, node, scope)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _SQL_LOCK.search(node.value):
                locks = True
            if re.search(r"\bLIMIT\b", node.value, re.IGNORECASE):
                limited = True
    return Statement(verb, locks, limited)


def _write_verb(model: ModuleModel, node: ast.Call, scope: Scope) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in TABLE_DML_METHODS and not node.args:
        # `links_table.insert()` / `Model.__table__.delete()`: Core DML on a Table.
        receiver = func.value
        if isinstance(receiver, (ast.Name, ast.Attribute)) and (
            _looks_like_table(receiver)
            or stubs.canonical(model.type_of(receiver, scope) or "") in TABLE_TYPES
        ):
            return func.attr
    if not isinstance(func, (ast.Name, ast.Attribute)):
        return None
    qualname = model.qualified_name(func, scope)
    if qualname is None:
        return None
    qualname = stubs.canonical(qualname)
    if qualname in DML_FUNCTIONS:
        return qualname.rsplit(".", 1)[1]
    if qualname in TEXT_FUNCTIONS and node.args:
        first = node.args[0]
        text = first.value if isinstance(first, ast.Constant) else None
        if isinstance(first, ast.JoinedStr) and first.values:
            head = first.values[0]
            text = head.value if isinstance(head, ast.Constant) else None
        if isinstance(text, str):
            match = _SQL_VERB.match(text)
            if match:
                return match.group(1).lower()
    return None


def _looks_like_table(receiver: ast.expr) -> bool:
    """``links_table``, ``self.table``, ``Model.__table__``, ``table``: a Core Table."""
    last = last_name(receiver)
    return last in ("__table__", "table") or last.lower().endswith("table")


def _statement_nodes(flow: QueryFlow, roots: list[ast.AST], scope: Scope) -> Iterator[ast.AST]:
    """Every node of the statement, following local names (``stmt = update(T).where(...)``,
    ``stmt = stmt.on_conflict_do_update(...)``) to what they were assigned."""
    from fastapi_lint.semantic.scopes import BindingKind

    stack: list[tuple[ast.AST, int]] = [(root, 0) for root in roots]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        yield node
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and depth < MAX_DEPTH:
            binding = flow.binding_of(node, scope)
            if (
                binding is not None
                and binding.kind is BindingKind.ASSIGN
                and binding.value is not None
                and binding.unpack_index is None
                and id(binding) not in seen
                and binding.scope is scope
            ):
                seen.add(id(binding))
                stack.append((binding.value, depth + 1))
            continue
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))


def outcome_checked(model: ModuleModel, call: ast.Call, loop: ast.AST) -> bool:
    """Whether the loop reads the ``rowcount`` of what ``call`` returned, per item:
    ``result = await session.execute(claim)`` then ``if result.rowcount == 1:``."""
    node: ast.AST = call
    parent = model.parent(node)
    if isinstance(parent, ast.Await):
        node, parent = parent, model.parent(parent)
    if parent is not None and _is_cast_of(parent, node):
        # `result = cast("CursorResult", session.execute(claim))`: the same result, typed.
        node, parent = parent, model.parent(parent)
    if isinstance(parent, ast.Attribute) and parent.attr == "rowcount":
        return True
    target: str | None = None
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        first = parent.targets[0]
        target = first.id if isinstance(first, ast.Name) else None
    elif isinstance(parent, (ast.AnnAssign, ast.NamedExpr)) and isinstance(parent.target, ast.Name):
        target = parent.target.id
    if target is None:
        return False
    return any(
        isinstance(read, ast.Attribute)
        and read.attr == "rowcount"
        and isinstance(read.value, ast.Name)
        and read.value.id == target
        and contains(loop, read)
        for read in ast.walk(loop)
    )


def locks_rows(function: ast.AST) -> bool:
    """Whether a def takes a row or advisory lock itself: ``.with_for_update()``,
    ``session.get(..., with_for_update=True)``, ``func.pg_advisory_xact_lock(...)`` or
    ``FOR UPDATE`` in raw SQL (nested defs left out)."""
    for node in own_nodes(getattr(function, "body", [])):
        if isinstance(node, ast.Call):
            method = node.func.attr if isinstance(node.func, ast.Attribute) else None
            if method == "with_for_update" or (method or "").startswith(ADVISORY_LOCK_PREFIXES):
                return True
            if any(
                keyword.arg == "with_for_update"
                and not (isinstance(keyword.value, ast.Constant) and not keyword.value.value)
                for keyword in node.keywords
            ):
                return True
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _SQL_LOCK.search(node.value):
                return True
    return False


def claims_rows(function: ast.AST) -> bool:
    """Whether a def is a guarded claim: it returns a test of a statement's ``rowcount``
    (``return result.rowcount == 1``), the compare-and-set of one row."""
    for node in own_nodes(getattr(function, "body", [])):
        if isinstance(node, ast.Return) and node.value is not None:
            if any(
                isinstance(part, ast.Attribute) and part.attr == "rowcount"
                for part in ast.walk(node.value)
            ):
                return True
    return False


def _is_cast_of(parent: ast.AST, node: ast.AST) -> bool:
    """``typing.cast(T, node)`` / ``cast(T, node)``: returns ``node`` unchanged."""
    if not (isinstance(parent, ast.Call) and len(parent.args) == 2 and parent.args[1] is node):
        return False
    func = parent.func
    if isinstance(func, ast.Name):
        return func.id == "cast"
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "cast"
        and isinstance(func.value, ast.Name)
        and func.value.id == "typing"
    )

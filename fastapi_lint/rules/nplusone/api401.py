"""API401 query-in-loop: a database query run once per item of a loop."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.registry import Rule
from fastapi_lint.rules.nplusone.collection_statements import reads_row_collection
from fastapi_lint.rules.nplusone.conditions import in_except_branch
from fastapi_lint.rules.nplusone.examples import MODELS_EXAMPLE
from fastapi_lint.rules.nplusone.flow import (
    BATCH_FUNCTIONS,
    BATCH_METHODS,
    COLUMN_METHODS,
    CONNECTION_TYPES,
    EXECUTE_METHODS,
    GET_METHODS,
    MAX_DEPTH,
    PAGE_METHODS,
    QUERY_METHODS,
    SESSION_TYPES,
    STATEMENT_FUNCTIONS,
    FlowValue,
    Kind,
    ModelClass,
    QueryFlow,
    QueryValue,
    contains,
    span,
)
from fastapi_lint.rules.nplusone.identity_map import answered_by_identity_map
from fastapi_lint.rules.nplusone.kept_queries import KeptRun, kept_query_runs, outer_chain
from fastapi_lint.rules.nplusone.loops import (
    Loop,
    enclosing_loops,
    first_item_only,
    is_bounded,
    iterable_scope,
    leaves_loop_after,
    own_unit_of_work,
    streams_chunks,
    yields_per_item,
)
from fastapi_lint.rules.nplusone.single_row import finds_one_row
from fastapi_lint.rules.nplusone.statements import (
    Statement,
    claims_rows,
    locks_rows,
    outcome_checked,
    statement_of,
)
from fastapi_lint.rules.nplusone.texts import describe, fix_text, unparse
from fastapi_lint.rules.nplusone.walks import (
    dispatches_operations,
    executes_batch,
    probes_free_name,
    recurses_per_item,
    repairs_changed_rows,
    walk_names,
    walks_own_list,
)
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.syntax import own_nodes

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

API401 = Rule(
    code="API401",
    name="query-in-loop",
    message="`{query}` runs a database query for each {loop} in {context} (N+1 queries); {advice}",
    summary="Checks for database queries run once per item of a loop.",
    why=(
        "Each query is a round trip to the database. A loop that queries per item turns one "
        "request into N+1 queries: fast with ten rows in development, slow with ten thousand in "
        "production. Query once before the loop (`.in_(...)`) or eager-load the relationship. A "
        "`while` loop counts when it steps through items: a counter (`ids[i]`) or a work list "
        "(`pending.pop()`); paging (`limit`/`offset`), a list of rows sent per iteration "
        "(executemany, a multi-row `VALUES`) and message loops do not, nor walks whose next key "
        "comes from the rows just fetched (a parent chain, a DFS or BFS over links that fills "
        "its own work list, a recursive tree walk that calls its own function per item): "
        "`in_()` cannot batch them. A legacy `Query` kept in a name counts where that name is "
        "sent (`query.count()`, `.all()`, `for row in query`), with the filters added on the "
        "way (`q = q.filter(...)`, `base.filter(...).all()`). Alembic revision scripts are skipped by the N+1 rules: they "
        "run once, offline. Not reported either, as a maintainer would keep them: a loop over a "
        "literal or constant handful of items (or a slice of at most 10, what a comprehension "
        "over one leaves, also kept under the same name, a list filled at most one item per "
        "turn of a loop over one, a range with literal "
        "bounds such as the last week's `range(6, -1, -1)`, an enum's members, a "
        "constant imported from another module, a list read from a settings or config object), "
        "a loop that opens its own session or unit of work per item, a generator that yields "
        "each row it reads (a write per item stays reported), error handling (an `except` "
        "branch, or a branch that logs an error), a list "
        'of mixed operations applied in order (an `if action == "add" ... elif ...` chain of '
        "three or more kinds), a search for a free name (a counter numbering candidate strings "
        "until a query finds no clash), a payload stored chunk by chunk (`while chunk := "
        "stream.read(size)`), and statements that are per item on purpose: a row or advisory "
        "lock per item (`.with_for_update()`, `pg_advisory_lock`, also taken by a project "
        "helper the loop calls), a guarded claim (an UPDATE whose `rowcount` is tested, or a "
        "helper returning that test: compare-and-set), rows repaired one by one (a value "
        "computed from each row, written only where it changed), writes in `sorted(...)` key "
        "order (a deterministic lock order), and a DELETE that keeps the newest N rows of each "
        "group (`.not_in(select(...).limit(n))`). Nor is `session.get(Model, key)` for rows the "
        "same session loaded earlier with the whole table and kept (no commit in between): the "
        "identity map answers it without SQL. Nor is a loop over the rows of a query that "
        "compares a unique column (`unique=True`, a one-column `UniqueConstraint`) or a "
        "one-column primary key with `==` (no join, no `or_`): it runs once at most. "
        "For a write per item the message names a bulk "
        "write (executemany, or one statement with `.in_(...)`) instead of a prefetch."
    ),
    example=(
        MODELS_EXAMPLE
        + "def post_titles(db: Session, user_ids: list[int]) -> dict[int, list[str]]:\n"
        "    titles = {}\n"
        "    for user_id in user_ids:\n"
        "        posts = db.scalars(select(Post).where(Post.author_id == user_id)).all()\n"
        "        titles[user_id] = [post.title for post in posts]\n"
        "    return titles\n"
    ),
    use_instead=(
        MODELS_EXAMPLE
        + "def post_titles(db: Session, user_ids: list[int]) -> dict[int, list[str]]:\n"
        "    titles: dict[int, list[str]] = {user_id: [] for user_id in user_ids}\n"
        "    for post in db.scalars(select(Post).where(Post.author_id.in_(user_ids))):\n"
        "        titles[post.author_id].append(post.title)\n"
        "    return titles\n"
    ),
)


# ---------------------------------------------------------------- API401
class _Uses:
    """Whether a query's expressions use a loop's variable (directly or through locals)."""

    def __init__(self, model: ModuleModel, flow: QueryFlow, loop: Loop) -> None:
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
        # Walks (walks.py): the next key comes from the previous iteration's rows, which
        # `in_()` cannot batch. A `while` loop's names that carry it are not per-item uses;
        # a `for` over a work list the loop itself fills is a BFS.
        self.walks: set[str] = set()
        self.walks_own_list = False
        if isinstance(loop.node, ast.While) and self.carried:
            self.walks = walk_names(loop.node, _queries, self.carried)
        elif isinstance(loop.node, (ast.For, ast.AsyncFor)):
            self.walks_own_list = walks_own_list(loop.node, _queries)

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
            if any(span(b.node) < span(loop) and not contains(loop, b.node) for b in bindings):
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
                        if reads_row_collection(
                            self.model, self.flow, self.loop, node.args, self._scope_of, scope
                        ):
                            found = True  # `select_from(row.children.select().subquery())`
                        else:
                            self.table_loop = True  # per-item columns: one statement shape
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
                    and contains(self.loop.node, binding.node)
                ):
                    node = binding.value
                    scope = binding.scope
                    continue
                return False
            else:
                return False
        return False

    def _name_uses(self, name: ast.Name, scope: Scope) -> bool:
        from fastapi_lint.semantic.scopes import BindingKind

        node_scope = self._scope_of(name, scope)
        binding = self.flow.binding_of(name, node_scope)
        if binding is None:
            return False
        loop = self.loop.node
        if binding.node is loop:
            return not self.walks_own_list
        if self.is_while and name.id in self.carried:
            return name.id not in self.walks
        inside = (
            contains(loop, binding.node)
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
                from fastapi_lint.semantic.scopes import ScopeKind

                if scope.kind is ScopeKind.COMPREHENSION:
                    generators = getattr(ancestor, "generators", [])
                    if generators and contains(generators[0].iter, name):
                        continue  # the first iterable runs in the enclosing scope
                return scope
        return default


_LIMIT_SQL = lazy_compile(r"\b(LIMIT|FETCH\s+(FIRST|NEXT)|TOP)\b", re.IGNORECASE)


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
    outer = outer_chain(model, call)
    return outer if isinstance(outer, ast.Call) else call


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
    if isinstance(parent, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)) and any(
        generator.iter is chain for generator in parent.generators
    ):
        return True  # `[row.title for row in db.query(Item).filter(...)]` iterates the Query
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
    display = f"{unparse(receiver, 30)}.{method}()"
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
        if target is None and method == "query" and _model_attribute(flow, first, scope):
            return display, None  # `db.query(User.email)`: columns of a model, as a typed session
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


def _model_attribute(flow: QueryFlow, expr: ast.expr, scope: Scope) -> bool:
    """``User.email``: an attribute of a project ORM model, what ``query(...)`` selects
    when it reads columns rather than whole rows (legacy code's untyped ``db``)."""
    return isinstance(expr, ast.Attribute) and flow._model_class(expr.value, scope) is not None


def _queried_model(target: FlowValue | None) -> str | None:
    if isinstance(target, ModelClass):
        return target.model
    if isinstance(target, QueryValue):
        return target.model
    return None


def _claims_per_item(
    model: ModuleModel, flow: QueryFlow, loop: ast.AST, scope: Scope, cache: dict[int, bool]
) -> bool:
    """Whether the loop body takes each item as its own unit of work: it locks the item's row
    (``.with_for_update()``, an advisory lock), claims it with a guarded UPDATE whose
    ``rowcount`` it tests, or applies a per-group retention window (a DELETE keeping the
    newest N). The other queries of such a loop belong to that per-item work: batching
    them would still leave a statement per item, so a maintainer keeps the loop."""
    if id(loop) in cache:
        return cache[id(loop)]
    claims = False
    if isinstance(loop, (ast.For, ast.AsyncFor, ast.While)):
        for node in own_nodes(loop.body):
            if claims:
                break
            if isinstance(node, ast.Call) and _helper_locks(model, node, scope):
                claims = True  # `await _lock_trigger(session, id)`, `if not await _claim(...)`
                break
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in QUERY_METHODS
            ):
                continue
            chain = _query_chain(model, node) if node.func.attr == "query" else node
            statement = statement_of(model, flow, node, chain, scope)
            claims = (
                statement.locks
                or (statement.verb == "update" and outcome_checked(model, node, loop))
                or (statement.verb == "delete" and statement.limited)
            )
    cache[id(loop)] = claims
    return claims


def _helper_locks(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """A call to a project function that locks the row it reads, or claims it with a
    guarded UPDATE whose ``rowcount`` it returns (one level deep)."""
    func = call.func
    if not isinstance(func, (ast.Name, ast.Attribute)):
        return False
    target = model.call_target(call, scope)
    if target is None or target.startswith(("builtins.", "sqlalchemy.", "sqlmodel.")):
        return False
    found = model.find_function(target)
    return found is not None and (locks_rows(found[1].node) or claims_rows(found[1].node))


def check_queries_in_loops(model: ModuleModel, flow: QueryFlow, reporter: Reporter) -> None:
    claim_loops: dict[int, bool] = {}
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in QUERY_METHODS:
            continue
        loops = enclosing_loops(model, call, ref.scope)
        kept: list[KeptRun] = []
        if func.attr == "query" and not _query_runs(model, _query_chain(model, call)):
            # `.subquery()`, `.cte()`: nothing sent here; a Query kept in a name is sent
            # where that name is run (`query.count()` on the next line).
            kept = kept_query_runs(
                model, flow, _query_chain(model, call), ref.scope, _query_runs, _chain_arguments
            )
            if not kept:
                continue
            loops = _loops_around(model, kept, ref.scope)
        if not loops:
            continue
        if in_except_branch(model, call):
            continue  # error handling: a fallback that runs rarely, not the hot path
        found = session_query(model, flow, call, ref.scope)
        if found is None:
            continue
        display, target = found
        entity: list[ast.AST] = []
        chain = call
        if func.attr == "query":
            chain = _query_chain(model, call)
            arguments: list[ast.AST] = _chain_arguments(chain, call)
            entity = list(call.args) + _structure_arguments(chain, call)
            arguments = [a for a in arguments if not any(a is e for e in entity)]
        elif func.attr in GET_METHODS:
            entity = list(call.args[:1])
            arguments = [*call.args[1:], *(k.value for k in call.keywords)]
        else:
            arguments = [*call.args, *(k.value for k in call.keywords)]
        statement = statement_of(model, flow, call, chain, ref.scope)
        if statement.locks:
            continue  # SELECT ... FOR UPDATE or an advisory lock per item: locking on purpose
        built_arguments = arguments
        for loop in loops:
            site: ast.AST = call
            if kept:
                run = next((r for r in kept if contains(loop.node, r.node)), None)
                if run is None or in_except_branch(model, run.node):
                    continue
                site = call if contains(loop.node, call) else run.node
                arguments = built_arguments + run.arguments
            if loop.scope is None or is_bounded(model, loop.iterable, loop.scope):
                continue
            if finds_one_row(flow, loop.iterable, loop.scope):
                continue  # the rows of a query on a unique column: one item at most
            if leaves_loop_after(model, site, loop.node):
                continue  # `if found: row = db.get(...); return row`: at most once per loop
            if first_item_only(model, call, loop.node, ref.scope):
                continue  # `next(db.get(Bin, i) for i in ids if ...)`: the first item's query
            if yields_per_item(loop.node) and not statement.writes:
                # A generator handing out one row at a time, by design. A write per item
                # (an INSERT per streamed token) hands out no row: still one per item.
                continue
            if isinstance(loop.node, (ast.For, ast.AsyncFor, ast.While)) and executes_batch(
                loop.node, call
            ):
                continue  # a list of rows per iteration (executemany, multi-row VALUES)
            if streams_chunks(loop.node):
                continue  # a payload stored chunk by chunk: bounded memory, by design
            if isinstance(loop.node, (ast.For, ast.AsyncFor, ast.While)):
                function = ref.scope.code_function
                if recurses_per_item(loop.node, function.name if function else None):
                    continue  # a recursive tree walk: each node queries in the recursion anyway
            if isinstance(loop.node, (ast.For, ast.AsyncFor)) and dispatches_operations(
                loop.node, call, lambda node: list(model.ancestors(node))
            ):
                continue  # mixed operations applied in order (add / replace / remove)
            if own_unit_of_work(model, flow, call, loop.node, ref.scope):
                continue  # a session per item: isolation on purpose (one failure, one rollback)
            if _claims_per_item(model, flow, loop.node, ref.scope, claim_loops):
                continue  # the loop locks or claims each item: per-item work by design
            if answered_by_identity_map(model, call, loop.node, ref.scope):
                continue  # the rows were all loaded earlier: `get` finds them without SQL
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
            if isinstance(loop.node, ast.While) and probes_free_name(loop.node, _queries):
                continue  # numbering candidate names until one is free: once per collision
            if (
                statement.verb == "update"
                and isinstance(loop.node, (ast.For, ast.AsyncFor))
                and repairs_changed_rows(loop.node, call)
            ):
                continue  # rows repaired one by one, only those whose computed value changed
            if statement.verb == "update" and outcome_checked(model, call, loop.node):
                continue  # a guarded claim (compare-and-set, `rowcount` tested): per row by design
            if statement.writes and _sorted(model, loop.iterable, loop.scope):
                continue  # writes in sorted key order: a deterministic lock order, per row on purpose
            if statement.verb == "delete" and statement.limited:
                continue  # keep the newest N of each group: a window `.in_()` cannot express
            reporter.report(
                "API401",
                site,
                query=display if site is call else f"{unparse(site, 40)}",
                loop=_loop_display(loop),
                context=describe(model, ref.scope.code_function),
                advice=_loop_fix(model, flow, loop, target, statement),
            )
            break


def _loops_around(model: ModuleModel, kept: list[KeptRun], scope: Scope) -> list[Loop]:
    """The statement loops around the places a kept Query is sent, innermost first."""
    loops: list[Loop] = []
    for run in kept:
        for loop in enclosing_loops(model, run.node, scope):  # type: ignore[arg-type]
            if isinstance(loop.node, (ast.For, ast.AsyncFor, ast.While)) and all(
                loop.node is not other.node for other in loops
            ):
                loops.append(loop)
    return loops


def _sorted(model: ModuleModel, iterable: ast.expr | None, scope: Scope) -> bool:
    """``for key in sorted(keys):`` around a write: rows are locked in a fixed order so that
    concurrent transactions cannot deadlock, which a maintainer keeps row by row."""
    return (
        isinstance(iterable, ast.Call)
        and model.qualified_name(iterable.func, scope) == "builtins.sorted"
    )


def _loop_display(loop: Loop) -> str:
    node = loop.node
    if isinstance(node, ast.While):
        return f"iteration of `while {unparse(node.test, 40)}`"
    iterable = unparse(loop.iterable, 40) if loop.iterable is not None else "..."
    return f"item of the loop over `{iterable}`"


def _loop_fix(
    model: ModuleModel,
    flow: QueryFlow,
    loop: Loop,
    target: FlowValue | None,
    statement: Statement,
) -> str:
    if statement.writes:
        # A write per item: the fix is one statement for all items, not a prefetch.
        if statement.verb == "insert":
            return (
                "send one bulk insert with a list of rows "
                "(`session.execute(insert(Model), [{...}, ...])`, executemany)"
            )
        if statement.verb == "delete":
            return "send one `delete(Model).where(Model.column.in_(keys))` for all items"
        return (
            "send one bulk statement with a list of parameter sets "
            "(`session.execute(update(Model), [{...}, ...])`) or a single statement with `.in_(...)`"
        )
    queried = _queried_model(target)
    if loop.iterable is not None and queried is not None:
        element = flow.element(loop.iterable, iterable_scope(model, loop))
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

"""Chain and graph walks: loops whose next key comes from the previous iteration's rows.

``while folder_id: folder = db.get(Folder, folder_id); folder_id = folder.parent_id``
walks up a parent chain, and a DFS/BFS over a link table pops the next node from a
work list that the loop fills from the rows it fetched. Each query's key is only
known once the previous query has answered, so ``in_()`` cannot batch it: the
number of queries is the depth of the chain or the size of one small graph, and a
maintainer keeps the loop (a recursive CTE is the only alternative). Work lists
that the loop only drains, and counters, still step through caller-given items.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from fastapi_lint.semantic.syntax import own_nodes

# Methods that put an item on a work list, and that take the next one off it.
FEED_METHODS = frozenset({"append", "appendleft", "extend", "extendleft", "add", "update", "put"})
TAKE_METHODS = frozenset({"pop", "popleft", "get_nowait"})
MAX_ROUNDS = 8


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _body_nodes(loop: ast.For | ast.AsyncFor | ast.While) -> list[ast.AST]:
    """Every node of the loop body, nested functions and classes left out."""
    return list(own_nodes(loop.body))


def query_fed_names(
    loop: ast.For | ast.AsyncFor | ast.While, runs_query: Callable[[ast.AST], bool]
) -> set[str]:
    """Names the loop body assigns from a query it runs, directly or through other names.

    ``rows = db.execute(...).all()``, ``folder = result.scalars().first()`` after
    ``result = await db.execute(...)``, ``for row in rows:``, ``nxt = row.child_id``.
    """
    nodes = _body_nodes(loop)
    bindings: list[tuple[set[str], ast.AST]] = []
    for node in nodes:
        if isinstance(node, ast.Assign):
            targets = set().union(*(_names(t) for t in node.targets))
            bindings.append((targets, node.value))
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            bindings.append((_names(node.target), node.value))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            bindings.append((_names(node.target), node.iter))
        elif isinstance(node, ast.comprehension):
            bindings.append((_names(node.target), node.iter))
    fed: set[str] = set()
    for targets, value in bindings:
        if runs_query(value):
            fed |= targets
    for _ in range(MAX_ROUNDS):
        grown = set(fed)
        for targets, value in bindings:
            if _names(value) & fed:
                grown |= targets
        if grown == fed:
            break
        fed = grown
    return fed


def fed_work_lists(loop: ast.For | ast.AsyncFor | ast.While, fed: set[str]) -> set[str]:
    """Work lists the loop body fills with query results: ``frontier.append(row.id)``,
    ``queue.extend(child.id for child in children)``."""
    lists: set[str] = set()
    for node in _body_nodes(loop):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in FEED_METHODS
            and isinstance(node.func.value, ast.Name)
            and any(_names(argument) & fed for argument in node.args)
        ):
            lists.add(node.func.value.id)
    return lists


def walk_names(
    loop: ast.While, runs_query: Callable[[ast.AST], bool], carried: set[str]
) -> set[str]:
    """The carried names of a ``while`` loop that hold the next key of a walk: assigned
    from the previous iteration's rows, or taken off a work list those rows fill."""
    fed = query_fed_names(loop, runs_query)
    walks = carried & fed
    lists = fed_work_lists(loop, fed)
    if lists:
        for node in _body_nodes(loop):
            value: ast.AST | None = None
            targets: set[str] = set()
            if isinstance(node, ast.Assign):
                value, targets = node.value, set().union(*(_names(t) for t in node.targets))
            elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
                value, targets = node.value, _names(node.target)
            if (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Attribute)
                and value.func.attr in TAKE_METHODS
                and isinstance(value.func.value, ast.Name)
                and value.func.value.id in lists
            ):
                walks |= targets & carried
    return walks


def walks_own_list(loop: ast.For | ast.AsyncFor, runs_query: Callable[[ast.AST], bool]) -> bool:
    """``for node_id in queue:`` whose body appends the rows' keys to ``queue``: a BFS."""
    if not isinstance(loop.iter, ast.Name):
        return False
    fed = query_fed_names(loop, runs_query)
    return loop.iter.id in fed_work_lists(loop, fed)


def probes_free_name(loop: ast.While, runs_query: Callable[[ast.AST], bool]) -> bool:
    """``while True: name = f"{base}-{idx}"; if not exists(name): return name; idx += 1``.

    A search for a free name: the counter only numbers candidate strings, and the loop
    stops as soon as a query finds no clash, so it runs once plus once per collision.
    A counter used as a key or an index (``ids[i]``, ``Row.seq == i``) steps through
    items and is not a probe.
    """
    counters = {
        node.target.id
        for node in _body_nodes(loop)
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name)
    }
    if not counters:
        return False
    parents: dict[int, ast.AST] = {}
    for node in [loop.test, *_body_nodes(loop)]:
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    for node in _body_nodes(loop):  # the test may bound the attempts (`while idx < 100`)
        if isinstance(node, ast.Name) and node.id in counters and isinstance(node.ctx, ast.Load):
            if not _in_string_building(node, parents):
                return False
    fed = query_fed_names(loop, runs_query)
    for node in _body_nodes(loop):
        if isinstance(node, ast.If) and _names(node.test) & fed:
            if any(isinstance(statement, (ast.Return, ast.Break)) for statement in node.body):
                return True
    return False


def _in_string_building(name: ast.Name, parents: dict[int, ast.AST]) -> bool:
    """Inside an f-string, ``"..." + str(i)``, ``"%s-%d" % (...)`` or ``"...".format(i)``."""
    node: ast.AST = name
    for _ in range(6):
        parent = parents.get(id(node))
        if parent is None:
            return False
        if isinstance(parent, ast.FormattedValue):
            return True
        if isinstance(parent, ast.Compare) and all(
            isinstance(operand, ast.Constant) or operand is node
            for operand in (parent.left, *parent.comparators)
        ):
            return True  # `base if attempt == 0 else ...`: a literal test, not a key
        if isinstance(parent, ast.BinOp) and any(
            isinstance(part, ast.Constant) and isinstance(part.value, str)
            for part in ast.walk(parent)
        ):
            return True  # `base + "-" + str(attempt)`, `"%s-%d" % (base, attempt)`
        if (
            isinstance(parent, ast.Call)
            and isinstance(parent.func, ast.Attribute)
            and parent.func.attr == "format"
            and isinstance(parent.func.value, ast.Constant)
        ):
            return True
        if not isinstance(parent, (ast.Call, ast.BinOp, ast.Tuple)):
            return False  # `str(i)` or `(base, i)` on the way to a string; anything else ends
        node = parent
    return False


def recurses_per_item(loop: ast.For | ast.AsyncFor | ast.While, function: str | None) -> bool:
    """The loop body calls its own function again (``for child_id in child_ids: ...;
    await self._move_subtree(child_id)``): a recursive tree walk, where every node costs
    its own queries in the recursive call whatever the loop does; batching the loop's
    statement would leave the walk's query per node."""
    if not function:
        return False
    for node in _body_nodes(loop):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == function:
            return True
        if (
            isinstance(func, ast.Attribute)
            and func.attr == function
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
        ):
            return True
    return False


# An operation list: at least this many kinds of items, each with its own statements.
MIN_OPERATION_KINDS = 3


def dispatches_operations(
    loop: ast.For | ast.AsyncFor, statement: ast.AST, parents: Callable[[ast.AST], list[ast.AST]]
) -> bool:
    """The statement runs in one branch of an ``if action == "add": ... elif action ==
    "replace": ... elif action == "remove":`` chain on each item: the loop applies a list
    of mixed operations in order (add, then move, then remove the same row), which
    batching by kind would reorder. ``parents`` gives a node's ancestors, innermost first.
    """
    item_names = _names(loop.target)
    for node in _body_nodes(loop):
        if isinstance(node, ast.Assign) and _names(node.value) & item_names:
            item_names |= set().union(*(_names(t) for t in node.targets))
    ancestors = parents(statement)
    for index, ancestor in enumerate(ancestors):
        if ancestor is loop:
            return False
        if not isinstance(ancestor, ast.If):
            continue
        top = ancestor
        for outer in ancestors[index + 1 :]:
            if isinstance(outer, ast.If) and len(outer.orelse) == 1 and outer.orelse[0] is top:
                top = outer
            else:
                break
        subjects: set[str] = set()
        kinds: set[object] = set()
        current: ast.If | None = top
        while current is not None:
            test = current.test
            if not (
                isinstance(test, ast.Compare)
                and len(test.ops) == 1
                and isinstance(test.ops[0], ast.Eq)
                and isinstance(test.comparators[0], ast.Constant)
                and isinstance(test.comparators[0].value, str)
            ):
                break
            subjects.add(ast.dump(test.left))
            kinds.add(test.comparators[0].value)
            if not _names(test.left) & item_names:
                break
            orelse = current.orelse
            current = orelse[0] if len(orelse) == 1 and isinstance(orelse[0], ast.If) else None
        if len(subjects) == 1 and len(kinds) >= MIN_OPERATION_KINDS:
            return True
    return False


def repairs_changed_rows(loop: ast.For | ast.AsyncFor, statement: ast.AST) -> bool:
    """``for sid, blob in rows: kept = clean(blob); if kept == blob: continue;
    db.execute(update(...).where(key == sid).values(blob=dump(kept)))``.

    A read-modify-write repair: each row gets a value computed in Python from that row,
    and only the rows whose value changed are written (the loop ``continue``s past the
    others before the write). The writes are the few rows that needed it, each with its
    own value: a maintainer keeps the loop.
    """
    item_names = _names(loop.target)
    if not item_names:
        return False
    computed: set[str] = set()
    skip_names: set[str] = set()
    for node in loop.body:
        if _contains(node, statement):
            written = _names(statement) & computed
            return bool(written & skip_names) and _reads_item(written, item_names, loop)
        for inner in ast.walk(node):
            if isinstance(inner, ast.Assign):
                computed |= set().union(*(_names(t) for t in inner.targets))
        if (
            isinstance(node, ast.If)
            and not node.orelse
            and len(node.body) == 1
            and isinstance(node.body[0], ast.Continue)
        ):
            skip_names |= _names(node.test) & computed
    return False


def _contains(outer: ast.AST, inner: ast.AST) -> bool:
    return any(node is inner for node in ast.walk(outer))


def _reads_item(written: set[str], item_names: set[str], loop: ast.AST) -> bool:
    """Whether a written value derives from the loop's item (the row being repaired)."""
    derived = set(item_names)
    for _ in range(MAX_ROUNDS):
        grown = set(derived)
        for node in ast.walk(loop):
            if isinstance(node, ast.Assign) and _names(node.value) & derived:
                grown |= set().union(*(_names(t) for t in node.targets))
            elif isinstance(node, ast.comprehension) and _names(node.iter) & derived:
                grown |= _names(node.target)
        if grown == derived:
            break
        derived = grown
    return bool(written & derived)


def executes_batch(loop: ast.For | ast.AsyncFor | ast.While, call: ast.Call) -> bool:
    """Each iteration sends a batch, not an item: ``session.execute(stmt, rows)`` with a
    list of parameter sets (executemany), or a statement built on ``.values(rows)`` with a
    list of rows (a multi-row INSERT), the list built in the loop (``for segment in
    segments: rows = [... for r in segment.rows]``)."""
    lists: set[str] = set()
    bindings: list[tuple[set[str], ast.expr]] = []
    for node in _body_nodes(loop):
        if isinstance(node, ast.Assign):
            targets = set().union(*(_names(t) for t in node.targets))
            bindings.append((targets, node.value))
            if isinstance(node.value, (ast.ListComp, ast.List)):
                lists |= targets

    def is_rows(expr: ast.expr) -> bool:
        if isinstance(expr, ast.ListComp):
            return True
        if isinstance(expr, ast.List):
            return len(expr.elts) > 1 or any(isinstance(e, ast.Starred) for e in expr.elts)
        return isinstance(expr, ast.Name) and expr.id in lists

    if len(call.args) >= 2 and is_rows(call.args[1]):
        return True
    if not call.args:
        return False
    statement_names = _names(call.args[0])
    for _ in range(MAX_ROUNDS):
        grown = set(statement_names)
        for targets, value in bindings:
            if targets & grown:
                grown |= _names(value)
        if grown == statement_names:
            break
        statement_names = grown
    candidates = [call.args[0]] + [v for t, v in bindings if t & statement_names]
    for value in candidates:
        for node in ast.walk(value):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "values"
                and len(node.args) == 1
                and is_rows(node.args[0])
            ):
                return True
    return False

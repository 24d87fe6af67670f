"""Which loops run a query once per item, for API401.

A loop counts when its items are rows or values known only at run time. Not
counted (Revision 2): a literal or constant handful of items, a slice bounded by
a literal of 10 or less, a loop that opens its own session or unit of work per
item, and a generator loop that yields per item.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.rules.nplusone.flow import (
    SCHEMA_ATTRIBUTES,
    SESSION_TYPES,
    QueryFlow,
    contains,
    inline_root,
)
from fastapi_lint.rules.nplusone.one_per_turn import one_item_per_turn
from fastapi_lint.rules.nplusone.row_sources import literal_int
from fastapi_lint.rules.nplusone.texts import unparse
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import own_nodes
from fastapi_lint.semantic.values import Instance

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


@dataclass
class Loop:
    node: ast.AST  # For / AsyncFor / While / comprehension generator
    iterable: ast.expr | None
    scope: Scope  # where the loop's names are bound


def iterable_scope(model: ModuleModel, loop: Loop) -> Scope:
    """The scope the loop's iterable is evaluated in: a comprehension's first
    iterable runs in the enclosing scope, not the comprehension's."""
    scope = loop.scope
    if isinstance(loop.node, ast.comprehension):
        parent = model.parent(loop.node)
        generators = getattr(parent, "generators", [])
        if generators and generators[0] is loop.node and scope.parent is not None:
            scope = scope.parent
    return scope


def enclosing_loops(model: ModuleModel, call: ast.Call, scope: Scope) -> list[Loop]:
    """Loops whose body runs ``call`` once per iteration, innermost first."""
    loops: list[Loop] = []
    child: ast.AST = call
    for ancestor in model.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            break
        if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While)):
            if child in ancestor.body:
                loops.append(
                    Loop(
                        ancestor,
                        ancestor.iter if not isinstance(ancestor, ast.While) else None,
                        inline_root(scope),
                    )
                )
        elif isinstance(ancestor, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            generators = ancestor.generators
            comp_scope = model.scope_of_node.get(id(ancestor))
            # The element runs per item of every generator; a generator's iterable only
            # per item of the generators before it (`[r for r in db.query(...)]` inside
            # a `for`: the query runs once per item of the `for`, not of the comprehension).
            inner = len(generators)
            for position, generator in enumerate(generators):
                if _within(call, [generator.iter]):
                    inner = position
                    break
                if _within(call, generator.ifs):
                    inner = position + 1
                    break
            for index in range(inner - 1, -1, -1):
                if comp_scope is not None:
                    loops.append(Loop(generators[index], generators[index].iter, comp_scope))
        child = ancestor
    return loops


# Context managers on a session that open no unit of work (a transaction per item,
# `session.begin()`, is one: isolation and row locks per item, on purpose).
TRANSACTION_METHODS = frozenset({"no_autoflush"})
UNIT_OF_WORK_WORDS = ("session", "uow", "unit_of_work", "unitofwork")


_EXITS = (ast.Return, ast.Break, ast.Raise)


def leaves_loop_after(model: ModuleModel, node: ast.AST, loop: ast.AST) -> bool:
    """Whether every path through ``node`` leaves the loop (return/break/raise) in the same
    pass: ``if found: row = db.get(...); return row`` queries, and ``if t.id != wanted:
    continue`` then ``t.children.clear(); return`` loads, at most once per loop."""
    if isinstance(loop, ast.comprehension):
        return False
    child: ast.AST = node
    for ancestor in model.ancestors(node):
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


def first_item_only(model: ModuleModel, node: ast.AST, loop: ast.AST, scope: Scope) -> bool:
    """``next(b.product for b in shelf.bins if b.code == code)``: ``next`` stops at the first
    item the generator gives, so the element is computed once. Its filters still run for
    every item walked, and so do the iterables of the generators after the first."""
    if not isinstance(loop, ast.comprehension):
        return False
    generator = model.parent(loop)
    if not isinstance(generator, ast.GeneratorExp):
        return False
    call = model.parent(generator)
    if not (
        isinstance(call, ast.Call)
        and call.args
        and call.args[0] is generator
        and model.qualified_name(call.func, scope) == "builtins.next"
    ):
        return False
    return node is generator.elt or any(a is generator.elt for a in model.ancestors(node))


def yields_per_item(loop: ast.AST) -> bool:
    """A loop of a generator that yields in its body: rows are handed out one at a time."""
    if not isinstance(loop, (ast.For, ast.AsyncFor, ast.While)):
        return False
    return any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in own_nodes(loop.body))


# Reads of a sized chunk from a file or stream: `f.read(1 << 20)`, `reader.readexactly(n)`.
CHUNK_READS = frozenset({"read", "read1", "readexactly", "aread"})


def streams_chunks(loop: ast.AST) -> bool:
    """``while chunk := stream.read(size):`` (or ``while True: chunk = f.read(size); if not
    chunk: break``): a payload stored chunk by chunk so that it never sits in memory whole.
    One statement per chunk is the design; batching the chunks would undo it."""
    if not isinstance(loop, ast.While):
        return False
    candidates: list[ast.AST] = [n for n in ast.walk(loop.test) if isinstance(n, ast.NamedExpr)]
    if isinstance(loop.test, ast.Constant) and loop.test.value is True and loop.body:
        candidates.append(loop.body[0])
    for node in candidates:
        value = getattr(node, "value", None)
        if isinstance(value, ast.Await):
            value = value.value
        if (
            isinstance(node, (ast.NamedExpr, ast.Assign))
            and isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in CHUNK_READS
            and (value.args or value.keywords)
        ):
            return True
    return False


def _opens_unit_of_work(context: ast.expr) -> bool:
    """``SessionLocal()``, ``async_session_maker()``, ``self.uow``, ``UnitOfWork(...)``."""
    node = context.func if isinstance(context, ast.Call) else context
    if isinstance(node, ast.Attribute) and node.attr in TRANSACTION_METHODS:
        return False
    if isinstance(node, ast.Attribute) and node.attr in ("begin", "begin_nested"):
        return True  # a transaction (or savepoint) per item
    text = unparse(node, 200).lower()
    return any(word in text for word in UNIT_OF_WORK_WORDS)


def _binds_fresh_session(
    model: ModuleModel, item: ast.withitem, root: ast.expr, scope: Scope
) -> bool:
    """``with next(get_sync_db()) as db:`` (a session generator driven by hand) or
    ``with make_session() as db:``: the ``with`` binds the very session the call
    queries through, from a call made for this item."""
    target = item.optional_vars
    if not (
        isinstance(target, ast.Name)
        and isinstance(root, ast.Name)
        and target.id == root.id
        and isinstance(item.context_expr, ast.Call)
    ):
        return False
    context = item.context_expr
    if (
        model.qualified_name(context.func, scope) == "builtins.next"
        and len(context.args) == 1
        and isinstance(context.args[0], ast.Call)
    ):
        return True  # a fresh generator's first value: a provider's new session
    return model.type_of(root, scope) in SESSION_TYPES


def own_unit_of_work(
    model: ModuleModel, flow: QueryFlow, call: ast.Call, loop: ast.AST, scope: Scope
) -> bool:
    """Whether the session ``call`` queries through is opened inside ``loop``'s body.

    ``for job in jobs: async with session_maker() as session: ...`` gives each item
    its own session (and transaction) on purpose: batching would change what a
    failure rolls back.
    """
    if isinstance(loop, ast.comprehension):
        return False
    receiver: ast.expr = call.func.value if isinstance(call.func, ast.Attribute) else call.func
    root = receiver
    while isinstance(root, (ast.Attribute, ast.Subscript)):
        root = root.value
    # A `with` inside the loop that opens a session or unit of work around the call.
    for ancestor in model.ancestors(call):
        if ancestor is loop:
            break
        if isinstance(ancestor, (ast.With, ast.AsyncWith)):
            for item in ancestor.items:
                if _opens_unit_of_work(item.context_expr) or _binds_fresh_session(
                    model, item, root, scope
                ):
                    return True
    if not isinstance(root, ast.Name):
        return False
    # `session = SessionLocal()` assigned in the loop body.
    binding = flow.binding_of(root, scope)
    if binding is None or binding.value is None or not contains(loop, binding.node):
        return False
    if binding.node is loop or not isinstance(binding.value, ast.Call):
        return False
    return model.type_of(receiver, scope) in SESSION_TYPES or _opens_unit_of_work(binding.value)


def _within(node: ast.AST, containers: list[ast.expr]) -> bool:
    return any(contains(container, node) for container in containers)


def is_bounded(
    model: ModuleModel,
    iterable: ast.expr | None,
    scope: Scope,
    depth: int = 0,
    *,
    before_line: int | None = None,
) -> bool:
    """A literal collection or ``range(<constant>)``: a fixed number of queries, not N+1.

    ``before_line`` reads a name as bound before that line (the value a statement that
    rebinds the name reads on its right-hand side)."""
    if iterable is None or depth > MAX_BOUND_DEPTH:
        return False
    if isinstance(iterable, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
        return True
    if _subset_of_bounded(model, iterable, scope, depth):
        return True
    if isinstance(iterable, ast.Name):
        # A constant collection: `for role in _SYSTEM_ROLES` with `_SYSTEM_ROLES = (...)`.
        binding = model.lookup(iterable.id, scope, before_line)
        if before_line is not None and binding is not None and binding.line > before_line:
            return False  # nothing bound before that line: a parameter, a global...
        value = binding.value if binding is not None and binding.unpack_index is None else None
        if (
            binding is not None
            and value is not None
            and _narrows_itself(value, iterable.id)
            and _growth(model, iterable.id, binding.scope) is None
        ):
            # `tables = [t for t in tables if t != skipped]` under an `if`: what is left of
            # the value bound before, so bounded when that value is (its own name inside the
            # comprehension reads the earlier binding, not this one).
            return is_bounded(
                model, iterable, binding.scope, depth + 1, before_line=binding.line - 1
            )
        if (
            binding is not None
            and value is not None
            and _subset_of_bounded(model, value, binding.scope, depth)
            and _growth(model, iterable.id, binding.scope) is None
        ):
            # `missing = [r for r in DEFAULT_RULES if r["name"] not in existing]`: what is
            # left of a constant collection after a filter is at most that collection.
            return True
        if (
            binding is not None
            and isinstance(value, ast.Subscript)
            and isinstance(value.slice, ast.Slice)
            and _growth(model, iterable.id, binding.scope) is None
            and is_bounded(model, value, binding.scope, depth + 1)
        ):
            # `recent = sorted(projects, key=...)[:5]`: the slice's handful, kept under a name.
            return True
        if binding is not None and isinstance(value, (ast.List, ast.Set)):
            growth = _growth(model, iterable.id, binding.scope, depth)
            if growth is not None:
                # `pending = []` filled at run time: a work list, not a constant; unless
                # it only grows by a few statements outside loops (`keys.append(extra)`
                # under an `if`), or what it collects are SQL conditions (a loop over a
                # few filters). A dict filled at run time stays silent: mostly settings
                # or groups of rows (`by_folder.setdefault(key, []).append(row)`).
                added, unbounded = growth
                if not unbounded and not any(isinstance(e, ast.Starred) for e in value.elts):
                    return True
                return bool(added) and all(_is_clause(model, a, binding.scope) for a in added)
        if isinstance(value, ast.Dict):
            return True
        if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            return _constant_elements(value)
        if binding is not None and binding.kind is BindingKind.IMPORT:
            return _imported_constant(model, iterable, scope)
        return _is_enum_class(model, iterable, scope)
    if isinstance(iterable, ast.Subscript) and isinstance(iterable.slice, ast.Slice):
        # `recent[:5]`: at most a handful of items, a fixed number of queries.
        upper = iterable.slice.upper
        lower = iterable.slice.lower
        if (
            isinstance(upper, ast.Constant)
            and isinstance(upper.value, int)
            and 0 <= upper.value <= MAX_BOUNDED_ITEMS
            and (
                lower is None
                or (
                    isinstance(lower, ast.Constant)
                    and isinstance(lower.value, int)
                    and lower.value >= 0
                )
            )
        ):
            return True
    if isinstance(iterable, ast.Attribute) and iterable.attr in SCHEMA_ATTRIBUTES:
        return True  # the columns or keys of a table: a fixed schema, not rows
    if isinstance(iterable, ast.Attribute) and (
        _reads_settings(model, iterable, scope) or _is_enum_class(model, iterable, scope)
    ):
        return True  # configured by the deployer (`settings.providers`) or an enum's members
    # For an attribute only its own name counts: `payload.batches` holds batches, but
    # `batch.item_ids` (a request body named `batch`) holds the items of one batch.
    spelled = iterable.attr if isinstance(iterable, ast.Attribute) else unparse(iterable, 200)
    if any(word in spelled.lower() for word in ("batch", "chunk")):
        # A loop over batches: one statement per batch of rows. Not the rows of one
        # batch (`for row in chunk:`): those are items again.
        last = iterable.attr if isinstance(iterable, ast.Attribute) else None
        if isinstance(iterable, ast.Name):
            last = iterable.id
        return last is None or not last.lower().endswith(("batch", "chunk"))
    if isinstance(iterable, ast.Call):
        qualname = model.qualified_name(iterable.func, scope)
        if qualname == "builtins.range" and all(literal_int(a) is not None for a in iterable.args):
            # `range(7)`, `range(6, -1, -1)` (the last week, newest first): a fixed count.
            return True
        if qualname in BOUND_KEEPING_BUILTINS and iterable.args:
            # `sorted((src, dst))`: still the same handful of items.
            return is_bounded(model, iterable.args[0], scope, depth + 1)
        if (
            isinstance(iterable.func, ast.Attribute)
            and iterable.func.attr in ("items", "keys", "values")
            and not iterable.args
        ):
            return is_bounded(model, iterable.func.value, scope, depth + 1)
    return False


MAX_BOUNDED_ITEMS = 10
# How many comprehensions or names deep `is_bounded` follows a collection to its source.
MAX_BOUND_DEPTH = 4


def _narrows_itself(value: ast.expr, name: str) -> bool:
    """``name = [x for x in name if ...]``: a comprehension whose one ``for`` runs over the
    name it is assigned to."""
    if not isinstance(value, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        return False
    if len(value.generators) != 1:
        return False
    source = value.generators[0].iter
    return isinstance(source, ast.Name) and source.id == name


def _subset_of_bounded(model: ModuleModel, value: ast.expr, scope: Scope, depth: int) -> bool:
    """A comprehension with one ``for`` over a bounded collection (filtered or mapped):
    it yields at most as many items as that collection holds."""
    if not isinstance(value, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        return False
    if len(value.generators) != 1 or value.generators[0].is_async:
        return False
    # The first `for`'s iterable is evaluated in the scope around the comprehension.
    return is_bounded(model, value.generators[0].iter, scope, depth + 1)


ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})
# Words naming a configuration object: a list read from it is fixed by whoever deploys
# the app (`settings.oauth_providers`, `self._bundle_config.items()`), a handful of
# entries, not rows that grow with use.
SETTINGS_WORDS = ("settings", "config", "conf", "configuration")
# Pydantic settings classes: their objects hold the deployment's configuration.
SETTINGS_CLASSES = frozenset(
    {"pydantic_settings.BaseSettings", "pydantic.BaseSettings", "pydantic.v1.BaseSettings"}
)


def _constant_elements(value: ast.List | ast.Tuple | ast.Set) -> bool:
    return all(
        isinstance(element, (ast.Constant, ast.Tuple, ast.Dict, ast.Name, ast.Attribute))
        for element in value.elts
    )


def _imported_constant(model: ModuleModel, name: ast.Name, scope: Scope) -> bool:
    """``for name in LEGACY_NAMES`` with ``LEGACY_NAMES = [...]`` in another project module,
    or an enum class imported from one."""
    qualname = model.qualified_name(name, scope)
    if qualname is None:
        return False
    project = index_of(model)
    found = project.definition(qualname) if project is not None else None
    if found is None:
        return _is_enum_class(model, name, scope)
    _, binding = found
    value = binding.value if binding.unpack_index is None else None
    if isinstance(value, ast.Dict):
        return True
    if isinstance(value, (ast.Tuple, ast.Set, ast.List)):
        # A module-level literal: a list could still be filled at import time, but a
        # module constant that other modules import is fixed in practice.
        return _constant_elements(value)
    return binding.kind is BindingKind.CLASS and _is_enum_class(model, name, scope)


def _is_enum_class(model: ModuleModel, expr: ast.expr, scope: Scope) -> bool:
    """``for role in Role`` with ``class Role(str, Enum)``: the enum's members, a fixed set."""
    qualname = model.qualified_name(expr, scope)
    if qualname is None:
        return False
    qualname = stubs.canonical(qualname)
    if qualname in ENUM_BASES:
        return False
    project = index_of(model)
    if project is None:
        return False
    bases = {stubs.canonical(base) for base in project.class_bases(qualname)}
    return bool(bases & ENUM_BASES)


def _reads_settings(
    model: ModuleModel, iterable: ast.Attribute, scope: Scope, depth: int = 0
) -> bool:
    """``settings.providers``, ``self.settings_service.settings.variables``,
    ``self._bundle_config``: a collection read from a configuration object.

    The object must be configuration, not data that happens to be called so: the chain
    starts at ``self`` (a service configured when built), a module-level name (``settings =
    Settings()``, an imported ``settings``), a local assigned from a call or from another
    settings read, or a parameter annotated with a settings class. A parameter
    ``config: WorkflowConfig`` holds a user's data and stays reported.
    """
    node: ast.expr = iterable
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return False
    parts.append(node.id)
    if not any(_settings_word(part) for part in parts) and not _settings_instance(
        model, node, scope
    ):
        return False
    if node.id in ("self", "cls"):
        return True
    binding = model.lookup(node.id, scope)
    if binding is None:
        return False
    if binding.scope is model.module_scope:
        return True
    if binding.kind is BindingKind.ASSIGN and binding.unpack_index is None and depth < 4:
        value = binding.value
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, ast.Call):
            return True  # `settings = get_settings()`
        if isinstance(value, ast.Attribute):
            return _reads_settings(model, value, binding.scope, depth + 1)
        return False
    if binding.kind is BindingKind.PARAM and binding.annotation is not None:
        annotation = binding.annotation
        name = annotation.attr if isinstance(annotation, ast.Attribute) else None
        if isinstance(annotation, ast.Name):
            name = annotation.id
        return name is not None and name.endswith("Settings")
    return False


def _settings_instance(model: ModuleModel, name: ast.Name, scope: Scope) -> bool:
    """``limits.featured_countries`` with ``limits = Limits()`` and ``class Limits(
    BaseSettings)``: an object of a Pydantic settings class, whatever its name."""
    value = model.evaluate(name, scope)
    if not isinstance(value, Instance) or not value.type:
        return False
    project = index_of(model)
    if project is None:
        return False
    bases = {stubs.canonical(base) for base in project.class_bases(value.type)}
    return bool(bases & SETTINGS_CLASSES)


def _settings_word(part: str) -> bool:
    words = part.lower().strip("_").split("_")
    return bool(words) and words[-1] in SETTINGS_WORDS


BOUND_KEEPING_BUILTINS = frozenset(
    {
        "builtins.enumerate",
        "builtins.sorted",
        "builtins.reversed",
        "builtins.list",
        "builtins.tuple",
        "builtins.set",
        "builtins.frozenset",
    }
)
MUTATING_METHODS = frozenset({"append", "extend", "add", "update", "insert", "setdefault"})


def _growth(
    model: ModuleModel, name: str, scope: Scope, depth: int = 0
) -> tuple[list[ast.expr], bool] | None:
    """What a literal bound in a function gets added there (``ids.append(x)``, ``ids += xs``,
    ``ids[i] = x``) and whether it can grow without bound (added in a loop, or extended by
    another collection); None when it never grows. One item added per turn of a single loop
    over a bounded collection (``for key in keys[:4]: found.append(row)``) keeps the bound."""
    function = scope.code_function
    if function is None:
        return None
    added: list[ast.expr] = []
    grows = False
    unbounded = False
    looped: list[ast.AST] = []  # the one-item additions made in a bounded loop
    loops: set[int] = set()
    for node in ast.walk(function.node):
        value: ast.expr | None = None
        one_item = False
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            if node.target.id != name:
                continue
            value = node.value
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Name)
            and target.value.id == name
            for target in node.targets
        ):
            value, one_item = node.value, True
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in MUTATING_METHODS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
            and node.args
        ):
            value = node.args[-1]
            one_item = node.func.attr in ("append", "add", "insert")
        else:
            continue
        grows = True
        added.append(value)
        if not (one_item or isinstance(value, (ast.List, ast.Tuple, ast.Set))):
            unbounded = True
        elif _in_loop(model, node, function.node):
            loop = _bounded_loop(model, node, scope, depth)
            if not one_item or loop is None:
                unbounded = True
            else:
                looped.append(node)
                loops.add(id(loop))
    if len(looped) > 1 and not unbounded:
        # Several additions: still a handful when they sit in the same loop and at most
        # one runs per turn (`append(...); continue` before another `append`). Filled
        # in two loops, the list holds more than one handful.
        loop_node = _bounded_loop(model, looped[0], scope, depth)
        if len(loops) > 1 or loop_node is None or not one_item_per_turn(model, looped, loop_node):
            unbounded = True
    return (added, unbounded) if grows else None


def _bounded_loop(model: ModuleModel, node: ast.AST, scope: Scope, depth: int) -> ast.For | None:
    """The one loop ``node`` sits in, when it is a ``for`` over a bounded collection."""
    function = scope.code_function
    loops = []
    for ancestor in model.ancestors(node):
        if function is not None and ancestor is function.node:
            break
        if isinstance(ancestor, (ast.While, ast.comprehension, ast.ListComp, ast.SetComp)):
            return None
        if isinstance(ancestor, (ast.DictComp, ast.GeneratorExp, ast.AsyncFor)):
            return None
        if isinstance(ancestor, ast.For):
            loops.append(ancestor)
    if len(loops) == 1 and is_bounded(model, loops[0].iter, scope, depth + 1):
        return loops[0]
    return None


def _in_loop(model: ModuleModel, node: ast.AST, function: ast.AST) -> bool:
    for ancestor in model.ancestors(node):
        if ancestor is function:
            return False
        if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While, ast.comprehension)):
            return True
        if isinstance(ancestor, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return True
    return False


COLUMN_OPERATORS = frozenset(
    {
        "in_",
        "not_in",
        "notin_",
        "is_",
        "is_not",
        "isnot",
        "like",
        "ilike",
        "not_like",
        "not_ilike",
        "startswith",
        "endswith",
        "contains",
        "between",
        "match",
        "regexp_match",
        "any",
        "has",
        "op",
    }
)


def _is_clause(model: ModuleModel, node: ast.expr, scope: Scope) -> bool:
    """A SQL condition (``and_(...)``, ``Model.col == x``): a list of them is a few filters."""
    if isinstance(node, (ast.Compare, ast.BoolOp)):
        return True
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr in COLUMN_OPERATORS:
            return True  # `Model.column.in_(...)`
        qualname = model.qualified_name(node.func, scope) or ""
        return qualname.startswith(("sqlalchemy.", "sqlmodel."))
    return False

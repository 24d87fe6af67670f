"""API107 through dispatch tables: a project function picked from a dict literal by a key.

Importers, parsers and exporters are often dispatched through a table of project
functions (or classes) indexed by a runtime key::

    PARSERS = {"pdf": parse_pdf, "docx": parse_docx}
    text = PARSERS[kind](path)        # or `parser = PARSERS.get(kind)` ... `parser(path)`

When every entry of the table blocks for this call, the call blocks whatever the key:
its summary is the first entry's, the chain naming that entry
(``PARSERS[kind]() -> parse_pdf() -> open()``). When one entry does not block (an async
function, a pure one) or is not a project function or class, the key decides: no
summary (Revision 2: when unsure, stay silent). A constant key picks its own entry.
Only a dict literal bound once (at module level, in the function or imported from
another module of the project) that no statement of its module fills or changes
(``PARSERS[k] = f``, ``PARSERS.update(...)``: a registration) is read.

The same table kept as a class attribute (``HANDLERS = {...}`` in the class body, read
as ``self.HANDLERS[kind]``, ``type(self).HANDLERS``, ``cls.HANDLERS`` or
``Exporter.HANDLERS``) is read when its class body binds it once, no other class of its
module binds the name (a subclass's own table) and no statement of the module stores
into, updates or rebinds an attribute of that name (``self.HANDLERS[k] = f``,
``cls.HANDLERS = {...}``), nor of the calling module; subclasses in other modules are
not looked for. Entries must name functions of the module, not of the class body
(called unbound). A table returned
by a project function (``get_handlers()[kind](path)``) is read when the function's body
is imports and one ``return`` of a dict literal, undecorated: a new table each call.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from fastapi_lint.rules.argument_values import ArgumentValues
from fastapi_lint.rules.blocking.summary_protocols import SummaryLike
from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import decorator_names
from fastapi_lint.semantic.values import Ref

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, ClassInfo, Scope

__all__ = ["dispatched_summary"]


S = TypeVar("S", bound=SummaryLike)

# Methods that fill or change a table after its literal: its entries are not the literal's.
_MUTATORS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__"})


def dispatched_summary(
    model: ModuleModel, call: ast.Call, scope: Scope, summary_of: Callable[[str], S | None]
) -> S | None:
    """The summary of ``call`` when it calls an entry of a dispatch table and every entry it
    may pick blocks: the first such entry's, named by the call; None otherwise."""
    lookup = _lookup(model, call.func, scope)
    if lookup is None:
        return None
    table, key, default, lookup_scope = lookup
    entries = _table_entries(model, table, lookup_scope)
    if entries is None:
        return None
    if isinstance(key, ast.Constant):
        # `PARSERS["pdf"](path)` from another module, `PARSERS.get("pdf")`: that entry,
        # named as a call of it (simple flow does the same for a table of this module).
        picked = [value for name, value in entries if name == key.value]
        return summary_of(picked[0]) if picked else None
    targets = [value for _, value in entries]
    if default is not None:
        fallback = model.evaluate(default, lookup_scope)
        if not isinstance(fallback, Ref):
            return None
        targets.append(fallback.qualname)
    if not targets:
        return None
    values = ArgumentValues(model, scope, call)
    summaries = []
    for target in targets:
        summary = summary_of(target)
        if summary is None or summary.is_async or summary.is_generator:
            return None
        if not summary.paths_for(call, values):
            return None  # this entry does not block: the key decides
        summaries.append(summary)
    first = summaries[0]
    display = f"{ast.unparse(call.func)}()"
    # Dataclasses both (call_chain's `CalleeSummary` and `BlockingPath`), which the
    # protocols cannot say.
    paths = tuple(
        replace(path, chain=(first.display, *path.chain))  # type: ignore[type-var]
        for path in first.paths_for(call, values)
    )
    return replace(first, display=display, paths=paths)  # type: ignore[type-var]


def _lookup(
    model: ModuleModel, func: ast.expr, scope: Scope
) -> tuple[ast.expr, ast.expr, ast.expr | None, Scope] | None:
    """The table, key and default of ``PARSERS[kind]`` / ``PARSERS.get(kind, default)``,
    also through a name assigned once from one of them (``parser = PARSERS.get(kind)``)."""
    found = _subscript_or_get(func)
    if found is not None:
        return (*found, scope)
    if not isinstance(func, ast.Name):
        return None
    binding = model.lookup(func.id, scope, func.lineno)
    if binding is None or not _assigned_once(binding) or binding.value is None:
        return None
    found = _subscript_or_get(binding.value)
    return (*found, binding.scope) if found is not None else None


def _subscript_or_get(expr: ast.expr) -> tuple[ast.expr, ast.expr, ast.expr | None] | None:
    if isinstance(expr, ast.Subscript) and not isinstance(expr.slice, (ast.Slice, ast.Tuple)):
        return expr.value, expr.slice, None
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "get"
        and 1 <= len(expr.args) <= 2
        and not expr.keywords
        and not any(isinstance(arg, ast.Starred) for arg in expr.args)
    ):
        default = expr.args[1] if len(expr.args) == 2 else None
        if isinstance(default, ast.Constant) and default.value is None:
            default = None
        return expr.func.value, expr.args[0], default
    return None


def _table_entries(
    model: ModuleModel, table: ast.expr, scope: Scope
) -> list[tuple[object, str]] | None:
    """The keys and project names (qualified) of the dict literal ``table`` names, in
    order; None unless it is one such literal whose every value names something."""
    owner, binding = model, None
    held = _class_table(model, table, scope)
    if held is not None:
        return held if held else None
    returned = _returned_table(model, table, scope)
    if returned is not None:
        return returned if returned else None
    if isinstance(table, ast.Name):
        binding = model.lookup(table.id, scope, table.lineno)
        if binding is not None and binding.kind is BindingKind.IMPORT and binding.qualname:
            found = _definition(model, binding.qualname)
            if found is None:
                return None
            owner, binding = found
    elif isinstance(table, ast.Attribute):
        # `importers.PARSERS[kind]` after `from app import importers`.
        module = model.evaluate(table.value, scope)
        if not isinstance(module, Ref):
            return None
        found = _definition(model, f"{module.qualname}.{table.attr}")
        if found is None:
            return None
        owner, binding = found
    if binding is None or not _assigned_once(binding) or not isinstance(binding.value, ast.Dict):
        return None
    literal = binding.value
    if not literal.keys or _changed(owner, binding.name) or _changed(model, binding.name):
        return None
    return _entries(owner, literal, binding.scope)


def _entries(
    owner: ModuleModel, literal: ast.Dict, scope: Scope
) -> list[tuple[object, str]] | None:
    entries: list[tuple[object, str]] = []
    for key, value in zip(literal.keys, literal.values):
        if key is None:
            return None  # `{**BASE, ...}`: entries of another table
        named = owner.evaluate(value, scope)
        if not isinstance(named, Ref):
            return None  # a lambda, a partial, a value of a library: unknown
        entries.append((key.value if isinstance(key, ast.Constant) else None, named.qualname))
    return entries


# An empty answer: the expression is such a table, but not one to read (None: not one).
_REFUSED: list[tuple[object, str]] = []


def _class_of(
    model: ModuleModel, holder: ast.expr, scope: Scope
) -> tuple[ModuleModel, ClassInfo] | None:
    """The class ``holder`` names in a method (``self``/``cls``, its first parameter, or
    ``type(self)``) or by its name (a project class), with the model of its module."""
    function = scope.function
    if (
        isinstance(holder, ast.Call)
        and isinstance(holder.func, ast.Name)
        and holder.func.id == "type"
        and len(holder.args) == 1
        and not holder.keywords
        and model.lookup("type", scope) is None
    ):
        holder = holder.args[0]
        if not isinstance(holder, ast.Name) or holder.id == "cls":
            return None  # `type(cls)` is the metaclass
    if not isinstance(holder, ast.Name):
        return None
    if function is not None and function.class_info is not None:
        args = function.node.args
        positional = args.posonlyargs + args.args
        if (
            positional
            and positional[0].arg == holder.id
            and "staticmethod" not in decorator_names(function.node)
            and len(scope.bindings.get(holder.id, [])) == 1
        ):
            return model, function.class_info
    named = model.evaluate(holder, scope)
    if not isinstance(named, Ref):
        return None
    own = model.class_named(named.qualname)
    if own is not None:
        return model, own
    return model.project.class_info(named.qualname) if model.project is not None else None


def _class_table(
    model: ModuleModel, table: ast.expr, scope: Scope
) -> list[tuple[object, str]] | None:
    """The entries of ``self.HANDLERS``: a dict literal of the class body (see the module's
    docstring); ``_REFUSED`` for a class attribute that is not such a table."""
    if not isinstance(table, ast.Attribute):
        return None
    found = _class_of(model, table.value, scope)
    if found is None:
        return None
    owner, class_info = found
    name = table.attr
    bindings = class_info.scope.bindings.get(name, [])
    if len(bindings) != 1 or not _assigned_once(bindings[0]):
        return _REFUSED
    literal = bindings[0].value
    if not isinstance(literal, ast.Dict) or not literal.keys:
        return _REFUSED
    if (
        _changed(model, f".{name}")
        or _changed(owner, f".{name}")
        or any(other is not class_info and name in other.scope.bindings for other in owner.classes)
    ):
        return _REFUSED  # filled, changed or overridden: not the literal's entries
    if any(
        isinstance(value, ast.Name) and value.id in class_info.scope.bindings
        for value in literal.values
    ):
        return _REFUSED  # a function of the class body: called without `self`
    return _entries(owner, literal, class_info.scope) or _REFUSED


def _returned_table(
    model: ModuleModel, table: ast.expr, scope: Scope
) -> list[tuple[object, str]] | None:
    """The entries of ``get_handlers()``: an undecorated project function whose body is
    imports and one ``return`` of a dict literal; ``_REFUSED`` for another call."""
    if not isinstance(table, ast.Call) or table.args or table.keywords:
        return None
    target = model.call_target(table, scope)
    found = model.project.function(target) if target and model.project is not None else None
    if found is None:
        return None
    owner, function = found
    node = function.node
    body = node.body[1:] if ast.get_docstring(node) is not None else node.body
    if (
        function.is_async
        or function.class_info is not None
        or node.decorator_list
        or not body
        or not all(isinstance(stmt, (ast.Import, ast.ImportFrom)) for stmt in body[:-1])
        or not isinstance(body[-1], ast.Return)
        or not isinstance(body[-1].value, ast.Dict)
        or not body[-1].value.keys
    ):
        return _REFUSED
    return _entries(owner, body[-1].value, function.scope) or _REFUSED


def _definition(model: ModuleModel, qualname: str) -> tuple[ModuleModel, Binding] | None:
    if model.project is None:
        return None
    return model.project.definition(qualname)


def _assigned_once(binding: Binding) -> bool:
    return (
        binding.kind is BindingKind.ASSIGN
        and binding.unpack_index is None
        and len(binding.scope.bindings.get(binding.name, [])) == 1
    )


# The names of tables a module fills or changes after their literal.
_CHANGED: MemoKey[frozenset[str]] = MemoKey("changed-tables")


def _changed(model: ModuleModel, name: str) -> bool:
    """Whether a statement of ``model`` stores into, deletes from or updates a table of that name."""
    changed = model.memo.get(_CHANGED)
    if changed is None:
        changed = model.memo.put(_CHANGED, frozenset(_changed_names(model.tree)))
    return name in changed


def _changed_names(tree: ast.AST) -> set[str]:
    """Names of changed tables, and ``.NAME`` for attributes named so (``self.HANDLERS[k] =
    f``, ``cls.HANDLERS.update(...)``, ``Exporter.HANDLERS = {...}``)."""
    names: set[str] = set()

    def held(table: ast.expr) -> str | None:
        if isinstance(table, ast.Name):
            return table.id
        return f".{table.attr}" if isinstance(table, ast.Attribute) else None

    for node in ast.walk(tree):
        found = None
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)):
            found = held(node.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _MUTATORS
        ):
            found = held(node.func.value)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            found = f".{node.attr}"
        if found is not None:
            names.add(found)
    return names

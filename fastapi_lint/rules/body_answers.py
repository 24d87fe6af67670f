"""What a function's whole body does with a name, answered once per function and name.

API107's once-per-process test (``rules/once_per_process.py``) is asked for each
blocking call of a sync function, and some of its questions walk the whole
body of the function: is this module global assigned or filled anywhere in it,
is this name a file's stat signature? On a long function every call asked them
again (a cold litellm run spent 4-5% of its time in those walks). The answer
depends on the function and the name alone, so each model remembers it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING, Callable

from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.syntax import last_name

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

# (question, the def's node id, name) -> answer
_ANSWERS: MemoKey[dict[tuple[str, int, str], bool]] = MemoKey("function-body-answers")


def remembered(
    model: ModuleModel,
    question: str,
    function: FunctionInfo,
    name: str,
    answer: Callable[[], bool],
) -> bool:
    """``answer()``, computed once per ``question``, function and name in ``model``."""
    known = model.memo.setdefault(_ANSWERS, {})
    key = (question, id(function.node), name)
    found = known.get(key)
    if found is None:
        found = known[key] = answer()
    return found


# What describes a file's version: ``os.stat(p).st_mtime``, ``os.path.getmtime(p)``.
STAT_CALLS = frozenset({"stat", "lstat", "getmtime", "getsize", "getctime"})
# The node ids of every def (and other node) holding a stat read, per model.
_HOLDING_STAT: MemoKey[set[int]] = MemoKey("function-body-stat-readers")


def reads_stat(model: ModuleModel, function: FunctionInfo) -> bool:
    """Whether the function's node holds an ``x.st_*`` attribute or a stat call
    (``os.stat``, ``os.path.getmtime``...) anywhere, nested defs included.

    Found once per model from the attributes and calls the model records (every
    one of the tree's): each stat read marks its ancestors. Walking each asked
    function's body instead was 2% of a cold litellm run (its long functions)."""
    holding = model.memo.get(_HOLDING_STAT)
    if holding is None:
        holding = set()
        for ref in model.of_type(ast.Attribute, ast.Call):
            part = ref.node
            if (isinstance(part, ast.Attribute) and part.attr.startswith("st_")) or (
                isinstance(part, ast.Call) and last_name(part.func) in STAT_CALLS
            ):
                holding.update(id(ancestor) for ancestor in model.ancestors(part))
        model.memo.put(_HOLDING_STAT, holding)
    return id(function.node) in holding


def name_loads(
    model: ModuleModel, function: FunctionInfo, name: str
) -> Iterator[tuple[ast.Name, Scope]]:
    """The reads of ``name`` that run in ``function``'s own body, with their scopes: a read
    inside a nested ``def`` or ``lambda`` runs wherever that is called."""
    for ref in model.nodes[ast.Name]:
        node = ref.node
        assert isinstance(node, ast.Name)
        if (
            node.id == name
            and isinstance(node.ctx, ast.Load)
            and ref.scope.code_function is function
        ):
            yield node, ref.scope


def stat_method_call(model: ModuleModel, function: FunctionInfo, value: ast.expr) -> bool:
    """``self._stat_stamp()`` in a method, where that method of the same class reads a
    file's stat: the value is the file's signature, as when the method reads it itself
    (``stamp = self._stat_stamp(); if stamp != self._stamp: ...``)."""
    params = function.node.args.posonlyargs + function.node.args.args
    if function.class_info is None or not params:
        return False
    if not (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and isinstance(value.func.value, ast.Name)
        and value.func.value.id == params[0].arg
    ):
        return False
    method = model.function_named(f"{function.class_info.qualname}.{value.func.attr}")
    return method is not None and method is not function and reads_stat(model, method)


def stat_signature(model: ModuleModel, function: FunctionInfo, node: ast.expr) -> bool:
    """``sig`` where ``sig = (st.st_mtime_ns, st.st_size)`` or ``os.path.getmtime(path)``,
    also through a helper of the module that reads them (``key = _get_mtimes()``), or a
    stat field read in place (``st.st_mtime``)."""
    if isinstance(node, ast.Attribute) and node.attr.startswith("st_"):
        return True
    if not isinstance(node, ast.Name):
        return False
    name = node.id
    return remembered(
        model, "stat-signature", function, name, lambda: _walk_stat_signature(model, function, name)
    )


def _walk_stat_signature(model: ModuleModel, function: FunctionInfo, name: str) -> bool:
    for stmt in ast.walk(function.node):
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in stmt.targets
        ):
            for part in ast.walk(stmt.value):
                if isinstance(part, ast.Attribute) and part.attr.startswith("st_"):
                    return True
                if isinstance(part, ast.Call) and last_name(part.func) in STAT_CALLS:
                    return True
            value = stmt.value
            if stat_method_call(model, function, value):
                return True  # `stamp = self._stat_stamp()`
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
                qualname = model.qualified_name(value.func, function.scope)
                helper = model.function_named(qualname) if qualname else None
                if helper is not None and helper is not function and reads_stat(model, helper):
                    return True
    return False

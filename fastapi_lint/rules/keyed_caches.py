"""A value memoised per key in a dict the function fills: once per key (API107).

``key = self._keys.get(salt)`` then ``if key is None: key = derive(salt);
self._keys[salt] = key`` computes each key once for the life of the object (a
module dict: of the process), the hand-written ``functools.cache`` that
Revision 2 keeps silent, as the guards of :mod:`once_per_process` do for one
global or one attribute. Only a dict read with ``.get(key)`` earlier in the same function, and stored into by a subscript in the guarded
branch itself, counts: a branch that computes without storing computes every
time. The early-return spelling (``if x is not None: return x`` after the read,
then the work and ``cache[key] = x`` further down the function) is the same memo.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.syntax import compared_with_none

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo


def _cache_of(value: ast.expr) -> ast.expr | None:
    """The dict of ``cache.get(key)`` / ``cache.get(key, None)``."""
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "get"
        and value.args
        and (len(value.args) == 1 or _is_none(value.args[1]))
    ):
        return value.func.value
    return None


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _same_holder(left: ast.expr, right: ast.expr) -> bool:
    """``self._keys`` and ``self._keys``, ``_CACHE`` and ``_CACHE``."""
    if isinstance(left, ast.Name) and isinstance(right, ast.Name):
        return left.id == right.id
    if isinstance(left, ast.Attribute) and isinstance(right, ast.Attribute):
        return left.attr == right.attr and _same_holder(left.value, right.value)
    return False


def _long_lived(model: ModuleModel, function: FunctionInfo, holder: ast.expr) -> bool:
    """A module global or an attribute of the method's ``self``: not a dict made per call."""
    if isinstance(holder, ast.Name):
        return holder.id in function.scope.global_names or (
            holder.id in model.module_scope.bindings and holder.id not in function.scope.bindings
        )
    params = function.node.args.posonlyargs + function.node.args.args
    return (
        function.class_info is not None
        and bool(params)
        and isinstance(holder, ast.Attribute)
        and isinstance(holder.value, ast.Name)
        and holder.value.id == params[0].arg
    )


def _stores_into(body: list[ast.stmt], holder: ast.expr) -> bool:
    for stmt in body:
        for node in ast.walk(stmt):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Store)
                and _same_holder(node.value, holder)
            ):
                return True
    return False


def _cache_read(
    model: ModuleModel, function: FunctionInfo, line: int, name: str
) -> ast.expr | None:
    """The long-lived dict that ``name`` was last read from before ``line``
    (``name = cache.get(key)``), or None."""
    value = last_assigned(function, line, name)
    holder = _cache_of(value) if value is not None else None
    return holder if holder is not None and _long_lived(model, function, holder) else None


def last_assigned(function: FunctionInfo, line: int, name: str) -> ast.expr | None:
    """The value of the last plain ``name = value`` in ``function`` before ``line``."""
    reads = [
        stmt
        for stmt in ast.walk(function.node)
        if isinstance(stmt, ast.Assign)
        and stmt.lineno < line
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and stmt.targets[0].id == name
    ]
    return max(reads, key=lambda stmt: stmt.lineno).value if reads else None


def memoised_per_key(model: ModuleModel, function: FunctionInfo, branch: ast.If, name: str) -> bool:
    """Whether ``if <name> is None:`` (``branch``) fills the long-lived dict that ``name``
    was read from earlier in ``function`` (``name = cache.get(key)``)."""
    holder = _cache_read(model, function, branch.lineno, name)
    return holder is not None and _stores_into(branch.body, holder)


def hit_returned_per_key(model: ModuleModel, function: FunctionInfo, early: ast.If) -> bool:
    """The early-return form of the memo above: ``stores = self._stores.get(tenant)``,
    ``if stores is not None: return stores`` (``early``), then the work and
    ``self._stores[tenant] = stores``: what follows the return runs once per key."""
    operand = compared_with_none(early.test, ast.IsNot) or early.test
    if not (
        isinstance(operand, ast.Name)
        and len(early.body) == 1
        and isinstance(early.body[0], ast.Return)
        and isinstance(early.body[0].value, ast.Name)
        and early.body[0].value.id == operand.id
    ):
        return False
    holder = _cache_read(model, function, early.lineno, operand.id)
    return holder is not None and _stores_into(function.node.body, holder)


def hit_returned_from_holder(model: ModuleModel, function: FunctionInfo, early: ast.If) -> bool:
    """The membership spelling of the early return on an instance's dict: ``if name in
    self._loaded: return self._loaded[name]`` (``early``), then the work and
    ``self._loaded[name] = ...`` further down: what follows runs once per key for the
    life of the object (module dicts are answered by ``once_per_process`` itself)."""
    test = early.test
    if not (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.In)
        and isinstance(test.comparators[0], ast.Attribute)
        and early.body
        and isinstance(early.body[-1], ast.Return)
        and _long_lived(model, function, test.comparators[0])
    ):
        return False
    return _stores_under(function.node.body, test.comparators[0], test.left)


def filled_when_missing(model: ModuleModel, function: FunctionInfo, branch: ast.If) -> bool:
    """``if key not in _OPEN: _OPEN[key] = Project.load(key)`` (``branch``): the membership
    spelling of the per-key memo, where the branch fills the long-lived dict it tested
    under the same key (also through a double-checked ``with lock: if key not in ...``
    nested inside): what it guards runs once per key, not per call."""
    test = branch.test
    if not (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.NotIn)
        and _long_lived(model, function, test.comparators[0])
    ):
        return False
    return _stores_under(branch.body, test.comparators[0], test.left)


def _stores_under(body: list[ast.stmt], holder: ast.expr, key: ast.expr) -> bool:
    """``holder[key] = ...`` somewhere in ``body`` (the same key, spelled the same way)."""
    spelled = ast.dump(key)
    return any(
        isinstance(node, ast.Subscript)
        and isinstance(node.ctx, ast.Store)
        and _same_holder(node.value, holder)
        and ast.dump(node.slice) == spelled
        for stmt in body
        for node in ast.walk(stmt)
    )


# Methods that record a key in a set or dict in place: ``seen.add(key)``.
_RECORDING_METHODS = frozenset({"add", "update", "setdefault"})


def _kept_for_the_process(function: FunctionInfo, value: ast.expr | None) -> bool:
    """``app.state.seen`` / ``request.app.state.seen`` (the app keeps it for the life of
    the process) or ``self._seen`` in a method (for the life of the instance)."""
    if not isinstance(value, ast.Attribute):
        return False
    owner = value.value
    if isinstance(owner, ast.Attribute) and owner.attr == "state":
        return True
    params = function.node.args.posonlyargs + function.node.args.args
    return (
        function.class_info is not None
        and bool(params)
        and isinstance(owner, ast.Name)
        and owner.id == params[0].arg
    )


def _alias_value(function: FunctionInfo, name: str) -> ast.expr | None:
    """The value of ``name`` when its first binding is a plain (or annotated) assignment at
    the top of the function: ``seen: set[str] = app.state.seen_versions``."""
    for stmt in function.node.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in stmt.targets
        ):
            return stmt.value if len(stmt.targets) == 1 else None
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == name
        ):
            return stmt.value
        if isinstance(stmt, (ast.If, ast.For, ast.While, ast.With, ast.Try)):
            return None
    return None


def _records_into(body: list[ast.stmt], name: str) -> bool:
    """``name.add(key)``, ``name.update(...)`` or ``name[key] = ...`` somewhere in ``body``."""
    for stmt in body:
        for node in ast.walk(stmt):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _RECORDING_METHODS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == name
            ):
                return True
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id == name
            ):
                return True
    return False


def seen_before_per_key(function: FunctionInfo, test: ast.expr) -> bool:
    """``if key in seen: return`` where ``seen = app.state.seen_versions`` (or
    ``self._seen``) and the function records ``key`` in it (``seen.add(key)``): what
    follows runs once per key for the life of the process, the set form of the per-key
    memo above (a warning emitted once per peer version)."""
    if not (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.In)
        and isinstance(test.comparators[0], ast.Name)
    ):
        return False
    name = test.comparators[0].id
    return _kept_for_the_process(function, _alias_value(function, name)) and _records_into(
        function.node.body, name
    )

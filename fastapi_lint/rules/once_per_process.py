"""API107 and API306: code that runs once per process, not once per call.

The contract, Revision 2: a blocking call "runs once per process" under ``if
GLOBAL is None:`` that assigns that global, or under ``functools.cache``/
``lru_cache``; the same guards keep API306 silent for a client stored on a
module global. Real code spells the guard many ways: a filled module dict
(``if key in _CACHE: return _CACHE[key]``), a ``self._x`` set once, a flag, a
stale-cache refresh. ``once_per_process`` answers for one node of a function.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.app_state_guards import assigns_state_attribute, state_attribute_unset
from fastapi_lint.rules.body_answers import reads_stat, remembered, stat_signature
from fastapi_lint.rules.branches import guarding_ifs
from fastapi_lint.rules.chain_objects import (
    module_attribute_unset,
)
from fastapi_lint.rules.flag_keys import sets_flag_key
from fastapi_lint.rules.global_fillers import (
    calls_global_loader,
    calls_module_loader,
    class_attribute_unset,
)
from fastapi_lint.rules.keyed_caches import (
    filled_when_missing,
    hit_returned_from_holder,
    hit_returned_per_key,
    memoised_per_key,
    seen_before_per_key,
)
from fastapi_lint.rules.missing_package import missing_package_branch
from fastapi_lint.rules.or_assigned import or_assigned_global
from fastapi_lint.rules.seeded_files import seeded_once
from fastapi_lint.rules.thread_locals import fills_thread_local, hit_returned_thread_local
from fastapi_lint.semantic.syntax import (
    compared_with_none,
    decorator_names,
    last_name,
    unset_operand,
)

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo


def once_per_process(model: ModuleModel, function: FunctionInfo, node: ast.AST) -> bool:
    """Whether ``node`` runs once per process: a lazily initialised module global.

    ``if _CLIENT is None: _CLIENT = connect()`` (also ``if not _CLIENT:``, and a module
    container filled in place: ``if not _LABELS: _LABELS.update(fetch())``), or
    an early ``if _CLIENT is not None: return _CLIENT`` before the statement
    that assigns it; per key, ``if key in _CACHE: return _CACHE[key]`` before the
    statements that fill ``_CACHE[key]`` (a hand-written ``functools.cache``).
    """
    if missing_package_branch(model, function, node):
        return True  # `if find_spec(name) is None: pip install`: once, then found
    if seeded_once(model, function, node):
        return True  # `if SEED.exists(): return` ... `SEED.write_text(...)`: once, then found
    if or_assigned_global(model, function, node):
        return True  # `_CLIENT = _CLIENT or connect()`
    for ancestor in guarding_ifs(model, function, node):
        name = none_test_name(ancestor.test)
        if (
            name is not None
            and (
                assigns_or_fills(ancestor.body, name)  # `if not _LABELS: _LABELS.update(...)`
                # `if _config is None: return load_config()`, the loader assigns the global
                or calls_global_loader(model, function, ancestor.body, name)
            )
            and is_module_name(model, function, name)
        ):
            return True
        if name is not None and memoised_per_key(model, function, ancestor, name):
            return True  # `key = self._keys.get(salt)`, then `self._keys[salt] = key` in the branch
        if filled_when_missing(model, function, ancestor):
            return True  # `if path not in _OPEN: _OPEN[path] = load(path)`: once per key
        if sets_flag_key(model, function, ancestor):
            return True  # `if not _STATE.get("loaded"): load(); _STATE["loaded"] = True`
        if fills_thread_local(model, function, ancestor):
            return True  # `if conn is None: conn = connect(); _local.conn = conn`: per thread
        attr = _self_none_test(function, ancestor.test)
        if attr is not None and _assigns_self(function, ancestor.body, attr):
            return True  # `if self._git is None: self._git = probe()`: once per instance
        held = module_attribute_unset(model, function, ancestor.test)
        if held is not None and calls_module_loader(model, function, ancestor.body, *held):
            return True  # `if not security.fernet: security.initialize_fernet(pw)`
        if held is None:
            held = class_attribute_unset(model, function, ancestor.test)
        if held is not None and _stores_self_attribute(ancestor.body, *held):
            # `if state.model is None: state.model = load()`: a global of `state`;
            # `if Store._instance is None: Store._instance = Store()`: of the class
            return True
        if _refreshes_stale_cache(model, function, ancestor):
            return True  # `if sig != _seen: ... _seen = sig`: once per change of the file
        if _refreshes_on_config_change(model, function, ancestor):
            return True  # `if _KEY is None or _KEY[0] != fingerprint:` with no parameters
        on_state = state_attribute_unset(ancestor.test)
        if on_state is not None and assigns_state_attribute(ancestor.body, *on_state):
            return True  # `if request.app.state.model is None: request.app.state.model = ...`
    if _top_statement(model, function, node) is None:
        return False
    # Earlier statements of the enclosing blocks too: `with _lock: if _cache: return`
    # (double-checked locking) guards what follows it inside the `with`.
    for stmt in earlier_statements(model, function, node):
        if isinstance(stmt, ast.If) and stmt.body and isinstance(stmt.body[-1], ast.Return):
            name = _set_test_name(stmt.test) or _membership_container(stmt.test)
            if (
                name is not None
                and is_module_name(model, function, name)
                and (
                    _fills_in_function(model, function, name)
                    # `if _cfg is not None: return _cfg` then `return load_cfg()`
                    or calls_global_loader(model, function, function.node.body, name)
                )
            ):
                return True
            if _returns_fresh_cache(model, function, stmt):
                return True  # `if _cfg is not None and sig == _cfg_sig: return _cfg`
            if seen_before_per_key(function, stmt.test):
                return True  # `if key in seen: return` ... `seen.add(key)`, app.state's set
            if hit_returned_per_key(model, function, stmt):
                return (
                    True  # `x = self._d.get(k)`, `if x is not None: return x` ... `self._d[k] = x`
                )
            if hit_returned_from_holder(model, function, stmt):
                return True  # `if k in self._d: return self._d[k]` ... `self._d[k] = v`
            if hit_returned_thread_local(model, function, stmt):
                return True  # `if conn is not None: return conn` ... `_local.conn = conn`
            # `if self._fernet is not None: return self._fernet` ... `self._fernet = ...`:
            # the work after it runs once per instance.
            attr = _self_set_test(function, stmt.test)
            if attr is not None and _assigns_self(function, function.node.body, attr):
                return True
    return False


def _refreshes_stale_cache(model: ModuleModel, function: FunctionInfo, branch: ast.If) -> bool:
    """A cache kept in a module global, refreshed when a signature changes.

    ``if seen != _seen: record = load(); _seen = seen`` (``global _seen``), or
    ``cached = _CACHE.get(key)`` then ``if cached is None or cached[0] != sig:``
    whose branch stores ``_CACHE[key]``: the work runs once per change of what
    the signature describes (a file's ``stat()``), not per call.
    """
    tests = branch.test.values if isinstance(branch.test, ast.BoolOp) else [branch.test]
    if isinstance(branch.test, ast.BoolOp) and not isinstance(branch.test.op, ast.Or):
        return False
    if not reads_stat(model, function) and function.class_info is None:
        # No signature to compare: asked per blocking call, answered once. A method may
        # take it from another method of its class (`stamp = self._stat_stamp()`).
        return False
    stale = False
    for test in tests:
        operand = unset_operand(test)
        if operand is not None:
            names = [operand]  # `cached is None`: not loaded yet
        elif (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], (ast.NotEq, ast.IsNot))
        ):
            names = [test.left, test.comparators[0]]
            # The other side is a file's signature: a cache keyed by a request's value
            # (`if name != _loaded_name:`) reloads whenever requests alternate.
            if not any(stat_signature(model, function, node) for node in names):
                return False
            stale = True
        else:
            return False  # `or force`: the branch may run on every call
        if not any(_names_cache(model, function, branch, node) for node in names):
            return False
    return stale


def _refreshes_on_config_change(model: ModuleModel, function: FunctionInfo, branch: ast.If) -> bool:
    """A last-value memo in a function that takes no parameters.

    ``if _KEY is None or not hmac.compare_digest(_KEY[0], fingerprint): _KEY =
    (fingerprint, derive(secret))``: without parameters the compared value comes from the
    process's state (its environment, a mounted secret, settings), not from a request,
    so the branch runs once per change of that state, like a file's stat signature.
    """
    args = function.node.args
    if args.posonlyargs or args.args or args.kwonlyargs or args.vararg or args.kwarg:
        return False
    test = branch.test
    if isinstance(test, ast.BoolOp) and not isinstance(test.op, ast.Or):
        return False
    changed = False
    for term in test.values if isinstance(test, ast.BoolOp) else [test]:
        unequal = _unequal_sides(term)
        operand = unset_operand(term) if unequal is None else None
        if unequal is not None:
            sides, changed = unequal, True
        elif operand is not None:
            sides = [operand]  # `_KEY is None`: not derived yet
        else:
            return False  # `or force`: the branch may run on every call
        if not any(_names_cache(model, function, branch, side) for side in sides):
            return False
    return changed


def _unequal_sides(term: ast.expr) -> list[ast.expr] | None:
    """``a != b``, ``a is not b``, ``not compare_digest(a, b)``: the two sides, or None."""
    if isinstance(term, ast.Compare) and len(term.ops) == 1:
        if isinstance(term.ops[0], (ast.NotEq, ast.IsNot)):
            return [term.left, term.comparators[0]]
        return None
    if (
        isinstance(term, ast.UnaryOp)
        and isinstance(term.op, ast.Not)
        and isinstance(term.operand, ast.Call)
        and last_name(term.operand.func) == "compare_digest"
        and len(term.operand.args) == 2
    ):
        return list(term.operand.args)
    return None


def _returns_fresh_cache(model: ModuleModel, function: FunctionInfo, early: ast.If) -> bool:
    """The early-return form of :func:`_refreshes_stale_cache`.

    ``if _config is not None and sig == _config_sig: return _config`` (``sig`` a file's
    stat), before the read that stores both globals: what follows runs once per change of
    the file. Every part of the test must be such a comparison or a set-test of a global
    the function stores (``and _prompts``); one comparison with a stat signature is needed
    (``name == _loaded_name`` is keyed by a request's value, which may alternate). An age
    test on a stored load time (``and now - _loaded_at < _TTL``) may join them. The cache
    may also be an entry of a module dict the function fills: ``cached = _CACHE.get(key)``,
    ``if cached and cached[0] == st.st_mtime: return cached[1]``.
    """
    test = early.test

    def kept(node: ast.expr) -> bool:
        return _stored_cache(model, function, node) or _filled_entry(
            model, function, node, early.lineno
        )

    terms = test.values if isinstance(test, ast.BoolOp) else [test]
    if isinstance(test, ast.BoolOp) and not isinstance(test.op, ast.And):
        return False
    fresh = False
    for term in terms:
        if _age_test(model, function, term):
            # `and now - _loaded_at < _TTL`: also re-read after a while; still at most
            # once per change of the file or per TTL, not once per call.
            continue
        if isinstance(term, ast.Compare) and compared_with_none(term, ast.IsNot) is None:
            if len(term.ops) != 1 or not isinstance(term.ops[0], (ast.Eq, ast.Is)):
                return False
            sides = [term.left, term.comparators[0]]
            if not any(stat_signature(model, function, side) for side in sides):
                return False
            if not any(kept(side) for side in sides):
                return False
            fresh = True
            continue
        operand = _set_operand(term)
        if operand is None or not kept(operand):
            return False
    return fresh


def _age_test(model: ModuleModel, function: FunctionInfo, term: ast.expr) -> bool:
    """``now - _loaded_at < _TTL``: an ordering test on a time the function stores with
    the cache (a global or ``self._loaded_at``)."""
    if not isinstance(term, ast.Compare) or len(term.ops) != 1:
        return False
    if not isinstance(term.ops[0], (ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
        return False
    for side in (term.left, term.comparators[0]):
        if isinstance(side, ast.BinOp) and isinstance(side.op, ast.Sub):
            if any(_stored_cache(model, function, part) for part in (side.left, side.right)):
                return True
    return False


def _stored_cache(model: ModuleModel, function: FunctionInfo, node: ast.expr) -> bool:
    """A module global the function stores (:func:`_stored_global`), or in a method
    ``self._stamp`` that the method stores (``self._stamp = stamp`` after the read)."""
    if _stored_global(model, function, node):
        return True
    attr = _self_attribute(function, node)
    return attr is not None and _assigns_self(function, function.node.body, attr)


def _stored_global(model: ModuleModel, function: FunctionInfo, node: ast.expr) -> bool:
    """A module global the function declares ``global`` and assigns or fills."""
    return (
        isinstance(node, ast.Name)
        and is_module_name(model, function, node.id)
        and node.id in function.scope.global_names
        and _fills_in_function(model, function, node.id)
    )


def _names_cache(
    model: ModuleModel, function: FunctionInfo, branch: ast.If, node: ast.expr
) -> bool:
    """``_seen`` (a module global the branch assigns), or ``cached`` / ``cached[0]`` where
    ``cached = _CACHE.get(key)`` reads a module dict the branch fills; in a method,
    ``self._stamp`` that the branch stores (a cache kept on the instance)."""
    attr = _self_attribute(function, node)
    if attr is not None:
        return _assigns_self(function, branch.body, attr)
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    if not isinstance(node, ast.Name):
        return False
    if is_module_name(model, function, node.id):
        return node.id in function.scope.global_names and _assigns(branch.body, node.id)
    holder = _module_dict_read(model, function, node.id, branch.lineno)
    return holder is not None and assigns_or_fills(branch.body, holder)


def _module_dict_read(
    model: ModuleModel, function: FunctionInfo, name: str, line: int
) -> str | None:
    """The module dict that the local ``name`` was read from before ``line``:
    ``cached = _CACHE.get(key)`` or ``cached = _CACHE[key]`` gives ``_CACHE``."""
    for stmt in ast.walk(function.node):
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == name
            and stmt.lineno < line
        ):
            value = stmt.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
                value = value.func.value if value.func.attr == "get" else value
            elif isinstance(value, ast.Subscript):
                value = value.value
            if isinstance(value, ast.Name) and is_module_name(model, function, value.id):
                return value.id
            return None
    return None


def _filled_entry(model: ModuleModel, function: FunctionInfo, node: ast.expr, line: int) -> bool:
    """``cached`` / ``cached[0]`` where ``cached = _CACHE.get(key)`` (before ``line``) reads
    a module dict that the function fills (``_CACHE[key] = (stamp, data)`` after the read):
    an entry of a cache kept for the process, not a value made per call."""
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    if not isinstance(node, ast.Name) or is_module_name(model, function, node.id):
        return False
    holder = _module_dict_read(model, function, node.id, line)
    return holder is not None and _fills_in_function(model, function, holder)


def _membership_container(test: ast.expr) -> str | None:
    """``key in _CACHE``: the test of a hand-written memo (``if key in _CACHE: return
    _CACHE[key]`` ... ``_CACHE[key] = load(key)``), which loads once per key as
    ``functools.cache`` does."""
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.In)
        and isinstance(test.comparators[0], ast.Name)
    ):
        return test.comparators[0].id
    return None


def _self_none_test(function: FunctionInfo, test: ast.expr) -> str | None:
    """``self.x is None`` / ``not self.x`` in a method: the attribute's name."""
    operand = unset_operand(test)
    if isinstance(operand, ast.Name):
        operand = _self_alias(function, operand.id)
    return _self_attribute(function, operand)


def _self_alias(function: FunctionInfo, name: str) -> ast.expr | None:
    """``service = self._service`` as the first binding of ``name`` in the method's top
    level: ``if service is None:`` then tests the attribute (a cache read into a local)."""
    for stmt in function.node.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in stmt.targets
        ):
            if len(stmt.targets) == 1 and isinstance(stmt.value, ast.Attribute):
                return stmt.value
            return None
        if isinstance(stmt, (ast.If, ast.For, ast.While, ast.With, ast.Try)):
            return None  # bound under a condition first, or not at the top: not an alias
    return None


def _self_set_test(function: FunctionInfo, test: ast.expr) -> str | None:
    """``self.x is not None`` / ``self.x`` in a method: the test of an early return of a cache."""
    return _self_attribute(function, _set_operand(test))


def _self_attribute(function: FunctionInfo, operand: ast.expr | None) -> str | None:
    """``x`` of ``self.x`` in a method (``self`` being its first parameter)."""
    params = function.node.args.posonlyargs + function.node.args.args
    if function.class_info is None or not params:
        return None
    if (
        isinstance(operand, ast.Attribute)
        and isinstance(operand.value, ast.Name)
        and operand.value.id == params[0].arg
    ):
        return operand.attr
    return None


def _assigns_self(function: FunctionInfo, body: list[ast.stmt], attr: str) -> bool:
    """Whether ``body`` sets ``self.<attr>``, itself or through a method of the same class it
    calls on ``self`` (``if self._semaphore is None: self._initialize_semaphore()``, where
    that method ends with ``self._semaphore = ...``: still a lazy initialisation)."""
    self_name = (function.node.args.posonlyargs + function.node.args.args)[0].arg
    if _stores_self_attribute(body, self_name, attr):
        return True
    if function.class_info is None:
        return False
    methods = {
        stmt.name: stmt
        for stmt in function.class_info.node.body
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    for stmt in body:
        for node in ast.walk(stmt):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == self_name
            ):
                continue
            method = methods.get(node.func.attr)
            params = (method.args.posonlyargs + method.args.args) if method else []
            if method is not None and params and "staticmethod" not in decorator_names(method):
                if _stores_self_attribute(method.body, params[0].arg, attr):
                    return True
    return False


def _stores_self_attribute(body: list[ast.stmt], self_name: str, attr: str) -> bool:
    for stmt in body:
        for node in ast.walk(stmt):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == attr
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id == self_name
            ):
                return True
    return False


def _top_statement(model: ModuleModel, function: FunctionInfo, node: ast.AST) -> ast.AST | None:
    child = node
    for ancestor in model.ancestors(node):
        if ancestor is function.node:
            return child
        child = ancestor
    return None


def _set_operand(test: ast.expr) -> ast.expr | None:
    """``X`` of ``X is not None`` or of a bare ``X``: the test of an early return of a cache."""
    return compared_with_none(test, ast.IsNot) or test


def _set_test_name(test: ast.expr) -> str | None:
    """``X is not None`` or ``X``: the test of an early return of a cached global."""
    operand = _set_operand(test)
    return operand.id if isinstance(operand, ast.Name) else None


# ---------------------------------------------------------------- helpers
def none_test_name(test: ast.expr) -> str | None:
    operand = unset_operand(test)
    return operand.id if isinstance(operand, ast.Name) else None


def is_module_name(model: ModuleModel, function: FunctionInfo, name: str) -> bool:
    return name in function.scope.global_names or (
        name in model.module_scope.bindings and name not in function.scope.bindings
    )


def _assigns(body: list[ast.stmt], name: str) -> bool:
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
                return True
    return False


# Methods that fill a container in place: ``_cache.update(loaded)``.
_FILLING_METHODS = frozenset({"update", "setdefault", "append", "extend", "add"})


def _fills_in_function(model: ModuleModel, function: FunctionInfo, name: str) -> bool:
    """:func:`assigns_or_fills` over the function's whole body (once per name)."""
    return remembered(
        model, "fills", function, name, lambda: assigns_or_fills(function.node.body, name)
    )


def assigns_or_fills(body: list[ast.stmt], name: str) -> bool:
    """``name = ...``, or a module container filled in place: ``name[key] = value``,
    ``name.update(...)`` (a lazily loaded table kept in a module dict)."""
    if _assigns(body, name):
        return True
    for stmt in body:
        for node in ast.walk(stmt):
            target = None
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
                target = node.value
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _FILLING_METHODS
            ):
                target = node.func.value
            if isinstance(target, ast.Name) and target.id == name:
                return True
    return False


def earlier_statements(model: ModuleModel, function: FunctionInfo, node: ast.AST) -> list[ast.stmt]:
    """The statements that run before ``node`` in its block and in each enclosing block."""
    found: list[ast.stmt] = []
    child: ast.AST = node
    for ancestor in model.ancestors(node):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(ancestor, field, None)
            if isinstance(block, list) and any(child is stmt for stmt in block):
                found.extend(block[: next(i for i, s in enumerate(block) if s is child)])
        if ancestor is function.node:
            break
        child = ancestor
    return found


def early_exit_tests(model: ModuleModel, function: FunctionInfo, node: ast.AST) -> list[ast.expr]:
    """The tests of ``if test: return``/``raise`` statements (no ``else``) that run before
    ``node``: ``node`` runs only when each is false."""
    return [
        stmt.test
        for stmt in earlier_statements(model, function, node)
        if isinstance(stmt, ast.If)
        and not stmt.orelse
        and stmt.body
        and isinstance(stmt.body[-1], (ast.Return, ast.Raise))
    ]

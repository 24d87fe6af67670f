"""API107: when a blocking call inside a callee cannot run for a given call.

The contract, Revision 2: API107 is not reported when the blocking call is
unreachable for this call -- it sits under a condition on a parameter of the
callee that the call's arguments make false (a literal, ``None``, ``False`` or
an omitted default: ``get_secret("REDIS_PASSWORD")`` against ``if
name.startswith("oidc/"): open(...)``, ``load(path, remote=False)`` against
``if remote: download()``) -- or it runs once per process (under ``if GLOBAL
is None:`` that assigns that global, or after ``if key in _CACHE: return _CACHE[key]``
in a function that fills ``_CACHE``).

A condition is stored as JSON in the callee's cached summary (the summary is
shared by every caller), and checked against each call site's arguments.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any, Optional

from fastapi_lint.rules.app_state_guards import assigns_state_attribute, state_attribute_unset
from fastapi_lint.rules.argument_values import (
    LITERAL_TYPES,
    MISSING,
    ArgumentValues,
    EnvName,
    Pinned,
    Prefix,
    fold,
    folded_name,
    imported_binding,
    literal,
)
from fastapi_lint.rules.body_answers import reads_stat, remembered, stat_signature
from fastapi_lint.rules.branches import guarding_ifs, if_ancestors, in_body
from fastapi_lint.rules.chain_cases import case_conditions
from fastapi_lint.rules.chain_kwargs import (
    kwargs_entry,
    kwargs_get_atom,
    kwargs_locals,
    on_keywords,
)
from fastapi_lint.rules.chain_numbers import compare, ordering
from fastapi_lint.rules.chain_objects import (
    NotNone,
    ProjectInstance,
    module_attribute_unset,
)
from fastapi_lint.rules.flag_keys import sets_flag_key
from fastapi_lint.rules.global_fillers import (
    calls_global_loader,
    calls_module_loader,
    class_attribute_unset,
)
from fastapi_lint.rules.keyed_caches import (
    hit_returned_per_key,
    memoised_per_key,
    seen_before_per_key,
)
from fastapi_lint.rules.missing_package import missing_package_branch
from fastapi_lint.rules.or_assigned import or_assigned_global
from fastapi_lint.rules.seeded_files import seeded_once
from fastapi_lint.semantic.syntax import (
    compared_with_none,
    decorator_names,
    parameter_defaults,
    unset_operand,
)

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

# One atom: {"param", "index" (position at the call, None for keyword-only),
# "op" ("truthy", "none", "is", "eq", "in", "startswith", "endswith"), "value", "expect"
# (the truth value the path needs), "default" ([value] or None)}.
Condition = dict[str, Any]


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
        name = _none_test_name(ancestor.test)
        if (
            name is not None
            and (
                _assigns_or_fills(ancestor.body, name)  # `if not _LABELS: _LABELS.update(...)`
                # `if _config is None: return load_config()`, the loader assigns the global
                or calls_global_loader(model, function, ancestor.body, name)
            )
            and _is_module_name(model, function, name)
        ):
            return True
        if name is not None and memoised_per_key(model, function, ancestor, name):
            return True  # `key = self._keys.get(salt)`, then `self._keys[salt] = key` in the branch
        if sets_flag_key(model, function, ancestor):
            return True  # `if not _STATE.get("loaded"): load(); _STATE["loaded"] = True`
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
        on_state = state_attribute_unset(ancestor.test)
        if on_state is not None and assigns_state_attribute(ancestor.body, *on_state):
            return True  # `if request.app.state.model is None: request.app.state.model = ...`
    if _top_statement(model, function, node) is None:
        return False
    # Earlier statements of the enclosing blocks too: `with _lock: if _cache: return`
    # (double-checked locking) guards what follows it inside the `with`.
    for stmt in _earlier_statements(model, function, node):
        if isinstance(stmt, ast.If) and stmt.body and isinstance(stmt.body[-1], ast.Return):
            name = _set_test_name(stmt.test) or _membership_container(stmt.test)
            if (
                name is not None
                and _is_module_name(model, function, name)
                and (
                    _fills_in_function(model, function, name)
                    # `if _cfg is not None: return _cfg` then `return load_cfg()`
                    or calls_global_loader(model, function, function.node.body, name)
                )
            ):
                return True
            if _returns_fresh_cache(model, function, stmt.test):
                return True  # `if _cfg is not None and sig == _cfg_sig: return _cfg`
            if seen_before_per_key(function, stmt.test):
                return True  # `if key in seen: return` ... `seen.add(key)`, app.state's set
            if hit_returned_per_key(model, function, stmt):
                return (
                    True  # `x = self._d.get(k)`, `if x is not None: return x` ... `self._d[k] = x`
                )
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


def _returns_fresh_cache(model: ModuleModel, function: FunctionInfo, test: ast.expr) -> bool:
    """The early-return form of :func:`_refreshes_stale_cache`.

    ``if _config is not None and sig == _config_sig: return _config`` (``sig`` a file's
    stat), before the read that stores both globals: what follows runs once per change of
    the file. Every part of the test must be such a comparison or a set-test of a global
    the function stores (``and _prompts``); one comparison with a stat signature is needed
    (``name == _loaded_name`` is keyed by a request's value, which may alternate). An age
    test on a stored load time (``and now - _loaded_at < _TTL``) may join them.
    """
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
            if not any(_stored_cache(model, function, side) for side in sides):
                return False
            fresh = True
            continue
        operand = _set_operand(term)
        if operand is None or not _stored_cache(model, function, operand):
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
        and _is_module_name(model, function, node.id)
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
    if _is_module_name(model, function, node.id):
        return node.id in function.scope.global_names and _assigns(branch.body, node.id)
    for stmt in ast.walk(function.node):
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == node.id
            and stmt.lineno < branch.lineno
        ):
            value = stmt.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
                value = value.func.value if value.func.attr == "get" else value
            elif isinstance(value, ast.Subscript):
                value = value.value
            return (
                isinstance(value, ast.Name)
                and _is_module_name(model, function, value.id)
                and _assigns_or_fills(branch.body, value.id)
            )
    return False


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


def path_conditions(
    model: ModuleModel, function: FunctionInfo, node: ast.AST
) -> Optional[list[Condition]]:
    """The conditions on ``function``'s parameters under which ``node`` runs (``[]``: always)."""
    params = _parameters(function, model)
    aliases = kwargs_locals(function.node, params)  # `hook = options.get("hook")`, `if hook:`
    keys = _ConstantKeys(model, function)
    conditions: list[Condition] = []
    for ancestor, child in if_ancestors(model, function, node):
        taken = in_body(ancestor, child)
        atoms = _atoms(
            _past_lazy_guard(model, function, ancestor) if taken else ancestor.test, params, keys
        )
        if taken:
            conditions.extend(atoms)
        elif len(atoms) == 1 and not isinstance(ancestor.test, ast.BoolOp):
            conditions.append(_negated(atoms[0]))
    conditions.extend(case_conditions(model, function, node, params))
    # `if not resolve: return url` before the statement, in its block or an
    # enclosing one: the statement runs only when the test is false.
    for stmt in _earlier_statements(model, function, node):
        if (
            isinstance(stmt, ast.If)
            and not stmt.orelse
            and stmt.body
            and isinstance(stmt.body[-1], (ast.Return, ast.Raise))
            and not isinstance(stmt.test, ast.BoolOp)
        ):
            atoms = _atoms(stmt.test, params, keys)
            if len(atoms) == 1:
                conditions.append(_negated(atoms[0]))
    return on_keywords(conditions, aliases)


def _past_lazy_guard(
    model: ModuleModel, function: FunctionInfo, branch: ast.If | ast.IfExp
) -> ast.expr:
    """``if _SCHEMA is None or reload:`` assigning ``_SCHEMA``: once the global is set,
    only ``reload`` takes the branch again, so the path needs ``reload`` (Revision 2)."""
    test = branch.test
    if isinstance(branch, ast.If) and isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        for guard, rest in (test.values, test.values[::-1]) if len(test.values) == 2 else ():
            name = _none_test_name(guard)
            if name is not None and _assigns_or_fills(branch.body, name):
                return rest if _is_module_name(model, function, name) else test
    return test


def _earlier_statements(
    model: ModuleModel, function: FunctionInfo, node: ast.AST
) -> list[ast.stmt]:
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


def passed_through(
    conditions: list[Condition], call: ast.Call, caller: FunctionInfo
) -> list[Condition]:
    """The callee's conditions that ``call`` hands to ``caller``'s own parameters.

    ``def get_secret_str(name): return get_secret(name)``: the condition
    ``name.startswith("oidc/")`` of ``get_secret`` becomes one on
    ``get_secret_str``'s ``name``, so ``get_secret_str("REDIS_PASSWORD")`` rules
    the path out too. A condition on anything else is dropped (unknown: the
    path may run).
    """
    params = _parameters(caller)
    translated: list[Condition] = []
    for atom in conditions:
        argument = _argument_node(atom, call)
        if isinstance(argument, ast.Name) and argument.id in params:
            index, default = params[argument.id]
            translated.append({**atom, "param": argument.id, "index": index, "default": default})
    return translated


def _argument_node(atom: Condition, call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == atom["param"]:
            return keyword.value
    index = atom["index"]
    if index is not None and index < len(call.args):
        node = call.args[index]
        return None if isinstance(node, ast.Starred) else node
    return None


def _negated(atom: Condition) -> Condition:
    negated = dict(atom)
    negated["expect"] = not atom["expect"]
    return negated


def falsified(
    conditions: list[Condition], call: ast.Call, values: ArgumentValues | None = None
) -> bool:
    """Whether the call's known arguments (or omitted defaults) make a condition false."""
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(
        keyword.arg is None for keyword in call.keywords
    ):
        return False
    for atom in conditions:
        value = _argument(atom, call, values)
        if value is MISSING:
            continue
        outcome = _evaluate(atom, value)
        if outcome is not None and outcome != atom["expect"]:
            return True
    return False


# ---------------------------------------------------------------- helpers
def _none_test_name(test: ast.expr) -> str | None:
    operand = unset_operand(test)
    return operand.id if isinstance(operand, ast.Name) else None


def _is_module_name(model: ModuleModel, function: FunctionInfo, name: str) -> bool:
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
    """:func:`_assigns_or_fills` over the function's whole body (once per name)."""
    return remembered(
        model, "fills", function, name, lambda: _assigns_or_fills(function.node.body, name)
    )


def _assigns_or_fills(body: list[ast.stmt], name: str) -> bool:
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


def _parameters(
    function: FunctionInfo, model: ModuleModel | None = None
) -> dict[str, tuple[Optional[int], Any]]:
    """Parameter name -> (position at a call, [default literal] or None).

    With ``model``, a default naming a module constant (``provider: str =
    DEFAULT_PROVIDER``) is that constant's literal."""
    args = function.node.args
    defaults = parameter_defaults(args)
    positional = args.posonlyargs + args.args
    skip = 0
    if function.class_info is not None and "staticmethod" not in decorator_names(function.node):
        skip = 1  # self / cls is bound, not passed
    params: dict[str, tuple[Optional[int], Any]] = {}
    for index, arg in enumerate(positional):
        if index < skip:
            continue
        params[arg.arg] = (index - skip, _default(defaults.get(id(arg)), model))
    for arg in args.kwonlyargs:
        params[arg.arg] = (None, _default(defaults.get(id(arg)), model))
    params.update(kwargs_entry(args))  # `if options.get("copy_to"):` (chain_kwargs)
    return params


def parameter_atom(
    function: FunctionInfo, name: str, model: ModuleModel | None = None
) -> Condition | None:
    """The base of a condition on ``function``'s parameter ``name`` (where a call passes
    it, its default), for conditions built elsewhere (a kernel path the helper opens)."""
    params = _parameters(function, model)
    if name not in params:
        return None
    index, default = params[name]
    return {"param": name, "index": index, "default": default}


def _default(node: ast.expr | None, model: ModuleModel | None = None) -> Any:
    if isinstance(node, ast.Name) and model is not None:
        bindings = model.module_scope.bindings.get(node.id, [])
        if len(bindings) == 1 and bindings[0].unpack_index is None:
            value = bindings[0].value
            node = value if isinstance(value, ast.Constant) else None
    if isinstance(node, ast.Constant) and isinstance(node.value, LITERAL_TYPES):
        return [node.value]
    return None


def _atoms(
    test: ast.expr,
    params: dict[str, tuple[Optional[int], Any]],
    keys: _ConstantKeys | None = None,
) -> list[Condition]:
    if isinstance(test, ast.BoolOp):
        if isinstance(test.op, ast.And):
            return [atom for value in test.values for atom in _atoms(value, params, keys)]
        return []
    expect = True
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        expect = not expect
        test = test.operand
    atom = _atom(test, params, keys)
    if atom is None:
        return []
    atom["expect"] = expect if atom.get("negated") is None else expect != atom.pop("negated")
    atom.pop("negated", None)
    return [atom]


def _atom(
    test: ast.expr,
    params: dict[str, tuple[Optional[int], Any]],
    keys: _ConstantKeys | None = None,
) -> Condition | None:
    def base(name: str) -> Condition | None:
        if name not in params:
            return None
        index, default = params[name]
        return {"param": name, "index": index, "default": default}

    keyword = kwargs_get_atom(test, params)
    if keyword is not None:
        return keyword
    if (
        keys is not None
        and isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], (ast.In, ast.NotIn))
        and isinstance(test.left, ast.Name)
    ):
        # `if key in SYSTEM_PROMPTS: return SYSTEM_PROMPTS[key]` before reading a file: a
        # literal key of that module-level literal never reaches the read.
        members = keys.of(test.comparators[0])
        atom = base(test.left.id)
        if members is None or atom is None:
            return None
        atom.update(
            op="in",
            value=members,
            negated=isinstance(test.ops[0], ast.NotIn),
            closed=keys.closed(test.comparators[0]),
        )
        return atom

    if isinstance(test, ast.Name):
        atom = base(test.id)
        if atom is not None:
            atom.update(op="truthy", value=None)
        return atom
    folded_test = folded_name(test) if isinstance(test, ast.Call) else None
    if folded_test is not None and folded_test[1]:
        # `if path.strip():` -- the folded argument's truth: `""` or `"  "` never passes.
        atom = base(folded_test[0])
        if atom is not None:
            atom.update(op="truthy", value=None, fold=folded_test[1])
        return atom
    folded = folded_name(test.left) if isinstance(test, ast.Compare) else None
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and folded is not None:
        right = test.comparators[0]
        if not isinstance(right, ast.Constant) or not isinstance(right.value, LITERAL_TYPES):
            return None
        name, folds = folded
        atom = base(name)
        if atom is None:
            return None
        op = test.ops[0]
        if folds:
            # `if provider.lower() == "aws":` -- compared once the argument is folded.
            if not isinstance(op, (ast.Eq, ast.NotEq)) or not isinstance(right.value, str):
                return None
            atom.update(op="eq", value=right.value, fold=folds, negated=isinstance(op, ast.NotEq))
            return atom
        if isinstance(op, (ast.Is, ast.IsNot)) and right.value is None:
            atom.update(op="none", value=None, negated=isinstance(op, ast.IsNot))
            return atom
        if isinstance(op, (ast.Is, ast.IsNot)) and isinstance(right.value, bool):
            # `if remove_content is True:` (a strict flag test): the omitted default False
            # or a literal False never passes it.
            atom.update(op="is", value=right.value, negated=isinstance(op, ast.IsNot))
            return atom
        if isinstance(op, (ast.Eq, ast.NotEq)):
            atom.update(op="eq", value=right.value, negated=isinstance(op, ast.NotEq))
            return atom
        bound = ordering(op, right.value)  # `if seconds > 0:` (chain_numbers)
        return {**atom, "op": "cmp", "value": bound} if bound is not None else None
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr in ("startswith", "endswith")
        and isinstance(test.func.value, ast.Name)
        and len(test.args) == 1
        and not test.keywords
    ):
        prefixes = _strings(test.args[0])
        atom = base(test.func.value.id)
        if prefixes is None or atom is None:
            return None
        atom.update(op=test.func.attr, value=prefixes)
        return atom
    return None


# A module-level literal with more members than this is not compared key by key.
_MAX_CONSTANT_KEYS = 256


class _ConstantKeys:
    """The members of a module-level dict, set, list or tuple literal named in a test."""

    def __init__(self, model: ModuleModel, function: FunctionInfo) -> None:
        self.model = model
        self.function = function

    def closed(self, node: ast.expr) -> bool:
        """Whether no member can be added at run time: a literal written in the test
        (``fmt in ("csv", "jsonl")``) or a module-level tuple constant."""
        if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
            return True
        if not isinstance(node, ast.Name) or node.id in self.function.scope.bindings:
            return False
        bindings = self.model.module_scope.bindings.get(node.id, [])
        binding = imported_binding(self.model, bindings[0]) if len(bindings) == 1 else None
        return binding is not None and isinstance(binding.value, ast.Tuple)

    def of(self, node: ast.expr) -> list[str | int] | None:
        if isinstance(node, ast.Name):
            if node.id in self.function.scope.bindings:
                return None  # a local of the callee, not the module's constant
            bindings = self.model.module_scope.bindings.get(node.id, [])
            if len(bindings) != 1:
                return None
            binding = imported_binding(self.model, bindings[0])
            if binding is None or binding.value is None or binding.unpack_index is not None:
                return None
            if not isinstance(binding.value, ast.expr):
                return None
            node = binding.value
        if isinstance(node, ast.Dict):
            if any(key is None for key in node.keys):
                return None  # `{**BASE, ...}`
            elements: list[ast.expr] = [key for key in node.keys if key is not None]
        elif isinstance(node, (ast.Set, ast.List, ast.Tuple)):
            elements = list(node.elts)
        else:
            return None
        if len(elements) > _MAX_CONSTANT_KEYS:
            return None
        members: list[str | int] = []
        for element in elements:
            value = element.value if isinstance(element, ast.Constant) else None
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                return None
            members.append(value)
        return members


def _could_be_in_identifier(text: str) -> bool:
    return text == "" or bool(re.fullmatch(r"[A-Za-z0-9_]*", text))


def _strings(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return [e.value for e in node.elts]  # type: ignore[attr-defined]
    return None


def _argument(atom: Condition, call: ast.Call, values: ArgumentValues | None) -> Any:
    """What the call passes for the atom's parameter (a literal, a known prefix...), or MISSING."""
    node = _argument_node(atom, call)
    if node is not None:
        return values.of(node) if values is not None else literal(node)
    default = atom["default"]
    if isinstance(default, list) and len(default) == 1:
        return default[0]
    return MISSING


def _evaluate(atom: Condition, value: Any) -> bool | None:
    op = atom["op"]
    folds = atom.get("fold") or []
    if isinstance(value, Pinned):
        if value.folds == folds and op == "eq":
            return value.text == atom["value"]
        if value.folds:
            return None  # only a folded form is known
        value = value.text
    if folds:
        if not isinstance(value, str) or isinstance(value, Prefix):
            return None
        if op == "truthy":
            return bool(fold(value, folds))
        if op != "eq":
            return None
        return fold(value, folds) == atom["value"]
    if isinstance(value, EnvName):
        # An identifier: it fails a test against text an identifier cannot hold.
        if op in ("startswith", "endswith", "eq"):
            texts = atom["value"] if op != "eq" else [atom["value"]]
            if all(isinstance(text, str) and not _could_be_in_identifier(text) for text in texts):
                return False
        return None
    if isinstance(value, ProjectInstance):
        if op == "truthy":
            return True
        return False if op == "none" else None
    if isinstance(value, NotNone):
        return False if op == "none" else None
    if isinstance(value, Prefix):
        if op == "startswith":
            known = [p for p in atom["value"] if len(p) <= len(value)]
            if len(known) == len(atom["value"]):
                return any(value.startswith(p) for p in known)
            return None if any(p.startswith(value) for p in atom["value"]) else False
        return True if op == "truthy" and value else None
    if op == "truthy":
        return bool(value)
    if op == "in":
        # Keys can be added to a mutable constant at run time, never assumed removed: a key
        # of the literal is in it, any other value is unknown -- unless the collection is
        # closed (a literal in the test, a tuple constant, a `case` pattern).
        if not isinstance(value, (str, int)) or isinstance(value, (bool, Prefix)):
            return None
        if value in atom["value"]:
            return True
        return False if atom.get("closed") else None
    if op == "none":
        return value is None
    if op == "is":
        return value is atom["value"]
    if op == "eq":
        return bool(value == atom["value"])
    if op == "cmp":
        return compare(value, atom["value"])
    if op in ("startswith", "endswith"):
        if not isinstance(value, str):
            return None
        method = value.startswith if op == "startswith" else value.endswith
        return any(method(p) for p in atom["value"])
    return None

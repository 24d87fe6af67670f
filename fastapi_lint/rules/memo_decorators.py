"""Decorators that answer from memory: the decorated function's body runs once.

``is_memoized`` is the one test the rules share (API107's call chains, API306's
factories): a library memoizer (``functools.cache``, ``lru_cache``, ``cachetools``,
``async_lru``...), any decorator named like one (``@cache``, ``@cached(ttl=60)``,
``@memoize``: a project's or a library's; not one scoped to a request), or a project
decorator that keeps the first result whatever its name, recognised by its body:

``@singleton def get_engine(): return create_engine(URL)`` with

    def singleton(func):
        def wrapper(*args, **kwargs):
            if not hasattr(wrapper, "_instance"):
                wrapper._instance = func(*args, **kwargs)
            return wrapper._instance
        return wrapper

runs the body of ``get_engine`` on the first call only: a pool built there is built
once per process and a file read there is read once, as under ``functools.cache``
(Revision 2: API306 never reports a cached factory, API107 a call that runs once per
process). Recognised by what the decorator does, whatever its name: a project
function with a nested wrapper that calls the decorated function (the first
parameter of the decorator, or of the decorator a decorator factory returns) only
under a test that a store is unset (``not hasattr(...)``, ``X is None``, ``not X``,
``key not in X``) and keeps the result in that store (an attribute, a subscript, or
a ``nonlocal``/``global`` name), directly or through a local. A decorator whose
wrapper calls the function on every call (timing, logging, retries) is not one.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.syntax import unset_operand

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo
    from fastapi_lint.semantic.syntax import FunctionNode

_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)


# Library memoizers, by qualified name: the body runs on the first call (per
# arguments, per instance, or per TTL period), then answers from memory.
LIBRARY_MEMOIZERS = frozenset(
    {
        "functools.cache",
        "functools.lru_cache",
        "functools.cached_property",
        "cachetools.cached",
        "cachetools.cachedmethod",
        "cachetools.func.lru_cache",
        "cachetools.func.ttl_cache",
        "async_lru.alru_cache",
    }
)

# The names memoizers go by, whoever defines them (`from app.lib.cache import cache`,
# `@memoize`, aiocache's `@cached(ttl=60)`): a TTL or size bound included, as for
# `ttl_cache`.
MEMOIZING_NAMES = frozenset(
    {
        "cache",
        "cached",
        "memoize",
        "memoized",
        "lru_cache",
        "ttl_cache",
        "alru_cache",
        "cached_property",
    }
)


def is_memoized(model: ModuleModel, function: FunctionInfo) -> bool:
    """Whether a decorator of ``function`` answers from memory (see above)."""
    for decorator in function.node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = model.qualified_name(target, function.outer)
        if name in LIBRARY_MEMOIZERS:
            return True
        last = name.rpartition(".")[2] if name else _last_name(target)
        if last in MEMOIZING_NAMES and not _request_scoped(decorator):
            return True
    # Whatever its name (`@singleton`): a project decorator that keeps the first result.
    return memoized_by_project_decorator(model, function)


def _last_name(target: ast.expr) -> str:
    if isinstance(target, ast.Name):
        return target.id
    return target.attr if isinstance(target, ast.Attribute) else ""


def _request_scoped(decorator: ast.expr) -> bool:
    """``@cache(scope="request")``: a memo the server clears for each request, so the
    body runs again in every request that calls it."""
    if not isinstance(decorator, ast.Call):
        return False
    values = [*decorator.args, *(keyword.value for keyword in decorator.keywords)]
    return any(
        isinstance(value, ast.Constant)
        and isinstance(value.value, str)
        and "request" in value.value.lower()
        for value in values
    )


def memoized_by_project_decorator(model: ModuleModel, function: FunctionInfo) -> bool:
    """Whether one of ``function``'s decorators is a project memoizer (see above)."""
    for decorator in function.node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = model.qualified_name(target, function.outer)
        found = model.find_function(name) if name is not None else None
        if found is not None and is_memoizing_decorator(found[1].node):
            return True
    return False


def is_memoizing_decorator(node: FunctionNode) -> bool:
    """A decorator (or decorator factory) whose wrapper keeps the first result."""
    for outer in ast.walk(node):
        if not isinstance(outer, _FUNCTION_NODES):
            continue
        params = outer.args.posonlyargs + outer.args.args
        if not params:
            continue
        wrapped = params[0].arg
        for inner in ast.walk(outer):
            if inner is not outer and isinstance(inner, _FUNCTION_NODES):
                if _answers_from_memory(inner, wrapped):
                    return True
    return False


def _answers_from_memory(wrapper: FunctionNode, wrapped: str) -> bool:
    declared = {
        name
        for statement in ast.walk(wrapper)
        if isinstance(statement, (ast.Nonlocal, ast.Global))
        for name in statement.names
    }
    guarded: set[int] = set()
    for node in ast.walk(wrapper):
        if isinstance(node, ast.If) and _unset_test(node.test):
            if _stores_result(node.body, wrapped, declared):
                guarded.update(
                    id(call) for statement in node.body for call in _calls(statement, wrapped)
                )
    # Every call of the wrapped function sits in such a branch: none runs on each call.
    return bool(guarded) and all(id(call) in guarded for call in _calls(wrapper, wrapped))


def _unset_test(test: ast.expr) -> bool:
    """``not hasattr(w, "_x")``, ``X is None``, ``not X``, ``key not in X``."""
    if unset_operand(test) is not None:
        return True
    return (
        isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.NotIn)
    )


def _stores_result(body: list[ast.stmt], wrapped: str, declared: set[str]) -> bool:
    """``store = wrapped(...)``, or ``result = wrapped(...)`` then ``store = result``."""
    results: set[str] = set()
    for statement in body:
        for node in ast.walk(statement):
            if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            fresh = bool(_calls(node.value, wrapped)) or (
                isinstance(node.value, ast.Name) and node.value.id in results
            )
            if not fresh:
                continue
            for target in targets:
                if isinstance(target, (ast.Attribute, ast.Subscript)):
                    return True
                if isinstance(target, ast.Name):
                    if target.id in declared:
                        return True
                    results.add(target.id)
    return False


def _calls(tree: ast.AST, wrapped: str) -> list[ast.Call]:
    """The calls of ``wrapped(...)`` in ``tree``."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == wrapped
    ]

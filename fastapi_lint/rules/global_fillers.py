"""A lazy module global filled by a loader function: once per process (API107).

``if _config is None: return load_config()`` in a getter, where ``load_config()``
declares ``global _config`` and assigns it, is the contract's ``if GLOBAL is None:``
guard with the assignment moved into the loader: the first call reads the file,
every later call finds the global set. Only loaders of the same module are
followed (the ``global`` statement binds that module's name), and only when the
loader assigns the global on the way out of every path that returns normally
(a loader that keeps the global unset on failure may read again next time; the
statements of ``except`` handlers are part of that check like the rest).

The guard may sit in another module: ``if not security.fernet:
security.initialize_fernet(password)``, where ``initialize_fernet()`` of the project
module ``security`` declares ``global fernet`` and assigns it.

A class attribute is such a global too: ``if Store._instance is None: Store._instance =
Store()`` in a static accessor builds the store once per process.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import unset_operand

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

# `match` statements exist from Python 3.10 (the tool also runs on 3.9).
_MATCH: type | None = getattr(ast, "Match", None)


def calls_global_loader(
    model: ModuleModel, function: FunctionInfo, body: list[ast.stmt], name: str
) -> bool:
    """Whether ``body`` (in ``function``) calls a function of this module that fills
    the global ``name``."""
    for statement in body:
        for node in ast.walk(statement):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            target = model.call_target(node, function.scope)
            loader = model.function_named(target) if target is not None else None
            if (
                loader is not None
                and loader.outer is model.module_scope
                and _fills_global(loader.node, name)
            ):
                return True
    return False


def calls_module_loader(
    model: ModuleModel, function: FunctionInfo, body: list[ast.stmt], module: str, name: str
) -> bool:
    """Whether ``body`` calls ``module.loader(...)``, a module-level function of that
    project module that fills its global ``name`` (``security.initialize_fernet()``)."""
    for statement in body:
        for node in ast.walk(statement):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == module
            ):
                continue
            target = model.call_target(node, function.scope)
            located = model.find_function(target) if target is not None else None
            if located is None:
                continue
            owner, loader = located
            if loader.outer is owner.module_scope and _fills_global(loader.node, name):
                return True
    return False


def _fills_global(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> bool:
    declared = any(
        isinstance(node, ast.Global) and name in node.names for node in ast.walk(function)
    )
    return declared and _always_assigns(function.body, name)


def _always_assigns(body: list[ast.stmt], name: str) -> bool:
    """Whether every way out of ``body`` (a ``return`` or its end) assigns ``name``
    first: ``_config = {...}; return _config`` on each path of a loader."""
    for statement in body:
        if _assigns_name(statement, name):
            return True
        if isinstance(statement, ast.Return):
            return False
        if (
            isinstance(statement, ast.If)
            and _always_assigns(statement.body, name)
            and _always_assigns(statement.orelse, name)
        ):
            return True
        if isinstance(statement, (ast.With, ast.AsyncWith)) and _always_assigns(
            statement.body, name
        ):
            return True  # `with open(path) as f: _cfg = json.load(f)`
        if isinstance(statement, ast.Try) and (
            _always_assigns(statement.finalbody, name)
            or (
                _always_assigns(statement.body, name)
                and all(
                    _always_assigns(handler.body, name) or _raises(handler.body)
                    for handler in statement.handlers
                )
            )
        ):
            return True  # `try: _cfg = read() except OSError: _cfg = {}`
        if _returns_before_assigning(statement, name):
            return False
    return False


def _raises(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], ast.Raise)


def _returns_before_assigning(statement: ast.stmt, name: str) -> bool:
    """A ``return`` inside the compound statement on a path that did not assign ``name``."""
    for block in _blocks(statement):
        if not _always_assigns_or_falls_through(block, name):
            return True
    return False


def _always_assigns_or_falls_through(body: list[ast.stmt], name: str) -> bool:
    """Each ``return`` of ``body`` comes after an assignment of ``name`` on its path."""
    for statement in body:
        if _assigns_name(statement, name):
            return True
        if isinstance(statement, ast.Return):
            return False
        if _returns_before_assigning(statement, name):
            return False
    return True


def _blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    if isinstance(statement, ast.If):
        return [statement.body, statement.orelse]
    if isinstance(statement, ast.Try):
        return [
            statement.body,
            *(handler.body for handler in statement.handlers),
            statement.orelse,
            statement.finalbody,
        ]
    if isinstance(statement, (ast.For, ast.AsyncFor, ast.While)):
        return [statement.body, statement.orelse]
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return [statement.body]
    if _MATCH is not None and isinstance(statement, _MATCH):
        return [case.body for case in statement.cases]  # type: ignore[attr-defined]
    return []


def _assigns_name(statement: ast.stmt, name: str) -> bool:
    """A top-level assignment of ``name`` by this very statement (not nested in a block)."""
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = list(statement.targets)
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        targets = [statement.target]
    return any(
        isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store)
        for target in targets
        for node in ast.walk(target)
    )


def class_attribute_unset(
    model: ModuleModel, function: FunctionInfo, test: ast.expr
) -> tuple[str, str] | None:
    """``Store._instance is None`` / ``not Store._instance`` where ``Store`` names a
    class of the project: (``Store``, ``_instance``). A class attribute lives as long
    as the process, so ``if Store._instance is None: Store._instance = Store()`` is the
    contract's lazily initialised global kept on a class."""
    operand = unset_operand(test)
    if not (
        isinstance(operand, ast.Attribute)
        and isinstance(operand.value, ast.Name)
        and operand.value.id not in function.scope.bindings
    ):
        return None
    binding = model.lookup(operand.value.id, function.scope, operand.lineno)
    if binding is None:
        return None
    if binding.kind is BindingKind.CLASS:
        return operand.value.id, operand.attr
    if (
        binding.kind is BindingKind.IMPORT
        and binding.qualname
        and model.project is not None
        and model.class_anywhere(binding.qualname) is not None
    ):
        return operand.value.id, operand.attr
    return None

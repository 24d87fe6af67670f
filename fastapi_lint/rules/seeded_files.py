"""API107: the work that seeds a file while the file does not exist yet.

Helpers that create a default file on first use test for it first::

    def _seed_defaults() -> None:
        if SETTINGS_FILE.exists():
            return
        SETTINGS_FILE.parent.mkdir(parents=True, exist_ok=True)
        SETTINGS_FILE.write_text(json.dumps(DEFAULTS))

The first call creates the file the test looks for, so every later call stops
at the test: the seeding runs once (the contract, Revision 2, API107: "it runs
once per process"), and what each call still does is one ``exists()`` probe,
a minor system call (API108, opt-in).  Recognised: an early ``if P.exists():
return`` (also ``os.path.exists(P)``, ``os.path.isfile(P)``, ``P.is_file()``)
before the statement, or an ``if not P.exists():`` branch holding it, where
``P`` is a module-level name (the same file on every call) and the function
itself creates ``P``: ``P.write_text/write_bytes/touch``, ``open(P, "w")``,
or an atomic swap onto it (``tmp.replace(P)``, ``os.replace(tmp, P)``,
``shutil.copy(src, P)``), itself or through a module-level function of the
same module that it calls there (``if not os.path.exists(CONF): write_default_conf()``).
A function that tests one file and writes another, or whose path is a parameter,
may write on every call: still reported.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.branches import guarding_ifs

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

_EXISTS_METHODS = frozenset({"exists", "is_file"})
_EXISTS_FUNCTIONS = frozenset({"os.path.exists", "os.path.isfile"})
# Methods of the path itself that create it.
_CREATING_METHODS = frozenset({"write_text", "write_bytes", "touch"})
# Methods of another path that move it onto the target: `tmp.replace(P)`.
_MOVING_METHODS = frozenset({"replace", "rename"})
# Functions whose last positional argument is the file they create.
_TARGET_FUNCTIONS = frozenset(
    {"os.replace", "os.rename", "shutil.copy", "shutil.copyfile", "shutil.copy2", "shutil.move"}
)


def seeded_once(model: ModuleModel, function: FunctionInfo, node: ast.AST) -> bool:
    """Whether ``node`` runs only while a module-level file is missing, in a function that
    creates that file."""
    for branch in guarding_ifs(model, function, node):
        test = branch.test
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            name = _probed_file(model, function, test.operand)
            if name is not None and _creates(model, function, name):
                return True  # `if not P.exists(): P.write_text(...)`
    for stmt in _earlier_statements(model, function, node):
        if (
            isinstance(stmt, ast.If)
            and not stmt.orelse
            and stmt.body
            and isinstance(stmt.body[-1], ast.Return)
        ):
            name = _probed_file(model, function, stmt.test)
            if name is not None and _creates(model, function, name):
                return True  # `if P.exists(): return` ... `P.write_text(...)`
    return False


def _probed_file(model: ModuleModel, function: FunctionInfo, test: ast.expr) -> str | None:
    """``P`` of ``P.exists()`` / ``os.path.exists(P)``, when ``P`` is a module-level name."""
    if not isinstance(test, ast.Call):
        return None
    target: ast.expr | None = None
    func = test.func
    if isinstance(func, ast.Attribute) and func.attr in _EXISTS_METHODS and not test.args:
        target = func.value
    elif len(test.args) == 1 and model.qualified_name(func, function.scope) in _EXISTS_FUNCTIONS:
        target = test.args[0]
    if not isinstance(target, ast.Name):
        return None
    name = target.id
    if name in function.scope.bindings or name not in model.module_scope.bindings:
        return None  # a parameter or a local: maybe another file on each call
    return name


def _creates(model: ModuleModel, function: FunctionInfo, name: str, follow: bool = True) -> bool:
    """Whether the function writes the file ``name`` holds, or moves a file onto it, itself
    or (``follow``) through a module-level function of this module that it calls."""
    for node in ast.walk(function.node):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if follow and isinstance(func, ast.Name):
            callee = model.function_named(model.call_target(node, function.scope) or "")
            if (
                callee is not None
                and callee.outer is model.module_scope
                and name not in callee.scope.bindings
                and _creates(model, callee, name, follow=False)
            ):
                return True  # `if not P.exists(): write_defaults()` with `open(P, "w")` there
        if isinstance(func, ast.Attribute):
            if func.attr in _CREATING_METHODS and _is_name(func.value, name):
                return True
            if func.attr in _MOVING_METHODS and node.args and _is_name(node.args[0], name):
                return True
        qualified = model.qualified_name(func, function.scope)
        if qualified in _TARGET_FUNCTIONS and len(node.args) == 2 and _is_name(node.args[1], name):
            return True
        if qualified == "builtins.open" and node.args and _is_name(node.args[0], name):
            if _writing_mode(node):
                return True
    return False


def _writing_mode(call: ast.Call) -> bool:
    mode: ast.expr | None = call.args[1] if len(call.args) > 1 else None
    for keyword in call.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    return (
        isinstance(mode, ast.Constant)
        and isinstance(mode.value, str)
        and any(letter in mode.value for letter in "wax")
    )


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _earlier_statements(
    model: ModuleModel, function: FunctionInfo, node: ast.AST
) -> list[ast.stmt]:
    """The statements of the function's own body that run before the one holding ``node``."""
    child: ast.AST = node
    for ancestor in model.ancestors(node):
        if ancestor is function.node:
            body = function.node.body
            index = next((i for i, stmt in enumerate(body) if stmt is child), 0)
            return body[:index]
        child = ancestor
    return []

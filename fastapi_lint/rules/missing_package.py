"""API107: a statement that runs only while a package is not importable.

Lazy-dependency helpers install what is missing on first use::

    def require(name: str) -> None:
        if importlib.util.find_spec(name) is None:
            subprocess.check_call([sys.executable, "-m", "pip", "install", name])

Once the package is installed the probe finds it, so the branch runs at most
once per process (the contract, Revision 2, API107: "it runs once per
process"); for a package the served app already imports (``starlette``), it
never runs.  Only an install counts (a call named ``*install*`` or with an
``install`` argument): any other work under the probe is a fallback that runs
on every call while the package is missing.  The branch is recognised by its test: the module probe
(``importlib.util.find_spec``, ``pkgutil.find_loader``) is negated (``not
find_spec(n)``, ``find_spec(n) is None``), directly or through a local flag
the function sets from it (``available = False; if find_spec(n): available =
True; if not available: install(n)``).  ``except ImportError:`` branches are
not included: there the fallback (a sync implementation) may run on every call.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.branches import guarding_ifs
from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.syntax import last_name

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

_PROBE_NAMES = frozenset({"find_spec", "find_loader"})
_MENTIONS_PROBE: MemoKey[bool] = MemoKey("missing-package-probe")
_MODULE_PROBES = frozenset(
    {"importlib.util.find_spec", "pkgutil.find_loader", "importlib.find_loader"}
)


def missing_package_branch(model: ModuleModel, function: FunctionInfo, node: ast.AST) -> bool:
    """Whether ``node`` installs a package in an ``if`` branch that needs a module probe to
    find nothing."""
    if not _mentions_probe(model):
        return False  # asked per blocking call: the module's text answers most at once
    if not _installs(node):
        return False  # `if find_spec("av") is None: subprocess.run(["ffmpeg", ...])`: every call
    return any(
        _tests_missing(model, function, branch.test)
        for branch in guarding_ifs(model, function, node)
    )


def _mentions_probe(model: ModuleModel) -> bool:
    """Whether any call of the module is a module probe (``find_spec``, ``find_loader``)."""
    found = model.memo.get(_MENTIONS_PROBE)
    if found is None:
        found = model.memo.put(
            _MENTIONS_PROBE,
            any(last_name(ref.node.func) in _PROBE_NAMES for ref in model.nodes[ast.Call]),  # type: ignore[attr-defined]
        )
    return found


def _installs(node: ast.AST) -> bool:
    """An install: a call named so (``pip_install(name)``, ``prompt_install``) or whose
    arguments say so (``subprocess.check_call([sys.executable, "-m", "pip", "install", n])``)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if "install" in name.lower():
        return True
    return any(
        isinstance(sub, ast.Constant) and isinstance(sub.value, str) and "install" in sub.value
        for argument in [*node.args, *(k.value for k in node.keywords)]
        for sub in ast.walk(argument)
    )


def _tests_missing(model: ModuleModel, function: FunctionInfo, test: ast.expr) -> bool:
    """The test is true only when a probe found nothing (one conjunct suffices)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_tests_missing(model, function, value) for value in test.values)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _probe_result(model, function, test.operand)
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], (ast.Is, ast.Eq))
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        return _is_probe(model, function, test.left)
    return False


def _probe_result(model: ModuleModel, function: FunctionInfo, node: ast.expr) -> bool:
    """``find_spec(n)`` itself, or a local flag the function sets only from a probe."""
    if _is_probe(model, function, node):
        return True
    if not isinstance(node, ast.Name):
        return False
    probed = False
    for stmt in ast.walk(function.node):
        if not isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            continue
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if not any(isinstance(t, ast.Name) and t.id == node.id for t in targets):
            continue
        value = stmt.value
        if value is not None and _contains_probe(model, function, value):
            probed = True  # `available = find_spec(n) is not None`
        elif isinstance(value, ast.Constant) and isinstance(value.value, bool):
            # `available = True` counts only under `if find_spec(n):`.
            if value.value and _under_probe_test(model, function, stmt):
                probed = True
        else:
            return False  # the flag also holds something else
    return probed


def _under_probe_test(model: ModuleModel, function: FunctionInfo, stmt: ast.AST) -> bool:
    return any(
        _is_probe(model, function, branch.test) for branch in guarding_ifs(model, function, stmt)
    )


def _contains_probe(model: ModuleModel, function: FunctionInfo, node: ast.expr) -> bool:
    return any(
        isinstance(sub, ast.Call) and _is_probe(model, function, sub) for sub in ast.walk(node)
    )


def _is_probe(model: ModuleModel, function: FunctionInfo, node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and model.qualified_name(node.func, function.scope) in _MODULE_PROBES
    )

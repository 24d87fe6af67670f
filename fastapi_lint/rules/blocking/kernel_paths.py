"""Kernel pseudo-files: reads and listings under ``/proc`` and ``/sys``.

The kernel answers them from memory (a process's status, a container's memory
limit, the entries of ``/proc``): no disk is behind them, so they do not block
like file I/O (API103). Known here: a path literal or f-string, a ``Path(...)``
of one (also joined with ``/`` or listed with ``glob``/``iterdir``, through names
that hold it), and, for API107's chains, a helper that opens the path it is given
(``def _read(path): open(path)``) called with such a path.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from fastapi_lint.rules.argument_values import DERIVING_METHODS, ArgumentValues, path_text
from fastapi_lint.rules.chain_conditions import parameter_atom
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import keyword_value

if TYPE_CHECKING:
    from fastapi_lint.rules.chain_conditions import Condition
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

KERNEL_ROOTS = ("/proc", "/sys")
KERNEL_PREFIXES = tuple(f"{root}/" for root in KERNEL_ROOTS)

# Calls whose first argument is the path they read or list (`open`, `glob.glob`).
PATH_ARGUMENT_CALLS: dict[str, str] = {
    "builtins.open": "file",
    "io.open": "file",
    "glob.glob": "pathname",
    "glob.iglob": "pathname",
    "os.listdir": "path",
    "os.scandir": "path",
    "os.walk": "top",
}
# Reads and listings of the `pathlib.Path` they are called on.
PATH_READS = frozenset(
    {
        "pathlib.Path.read_text",
        "pathlib.Path.read_bytes",
        "pathlib.Path.open",
        "pathlib.Path.glob",
        "pathlib.Path.rglob",
        "pathlib.Path.iterdir",
    }
)


def is_kernel_text(value: Any) -> bool:
    """``"/proc/self/status"``, ``"/sys/class/net"``, ``"/proc"`` itself (not ``"/procs"``)."""
    return isinstance(value, str) and (value in KERNEL_ROOTS or value.startswith(KERNEL_PREFIXES))


def reads_kernel_path(model: ModuleModel, call: ast.Call, scope: Scope, target: str) -> bool:
    """Whether a read or listing call reads a kernel pseudo-file or directory."""
    if target in PATH_ARGUMENT_CALLS:
        path = _first_argument(call, PATH_ARGUMENT_CALLS[target])
        return path is not None and is_kernel_text(ArgumentValues(model, scope, call).of(path))
    if target in PATH_READS:
        receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
        return receiver is not None and is_kernel_text(path_text(model, scope, receiver))
    return False


def _first_argument(call: ast.Call, name: str) -> ast.expr | None:
    """The first parameter's value, given by keyword (``name``) or position."""
    value = keyword_value(call.keywords, name)
    if value is None and call.args and not isinstance(call.args[0], ast.Starred):
        value = call.args[0]
    return value


def kernel_path_conditions(
    model: ModuleModel, function: FunctionInfo, call: ast.Call, scope: Scope, target: str
) -> list[Condition]:
    """``def _read(path): open(path)``: the read blocks unless the caller passes a kernel
    path. The condition on ``path`` lets API107 rule the chain out for
    ``_read("/proc/self/maps")`` and ``_read_text(Path("/proc") / pid / "stat")``
    (and, passed through, for helpers that hand their own parameter on)."""
    if target in PATH_ARGUMENT_CALLS:
        node = _first_argument(call, PATH_ARGUMENT_CALLS[target])
    elif target in PATH_READS and isinstance(call.func, ast.Attribute):
        node = call.func.value
        for _ in range(4):  # `(path / "status").read_text()`, `path.joinpath(...).open()`
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                node = node.left
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in DERIVING_METHODS
            ):
                node = node.func.value
            else:
                break
    else:
        return []
    if not isinstance(node, ast.Name):
        return []
    binding = model.lookup(node.id, scope, node.lineno)
    if binding is None or binding.kind is not BindingKind.PARAM:
        return []  # reassigned in the function: no longer what the caller passed
    if binding.scope.node is not function.node:
        return []  # a parameter of an enclosing function, not passed at this call
    atom = parameter_atom(function, node.id, model)
    if atom is None:
        return []
    return [{**atom, "op": "startswith", "value": list(KERNEL_PREFIXES), "expect": False}]

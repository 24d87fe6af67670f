"""API306: a helper that builds a pool only when its caller lends none.

``async def fetch(query, http=None)`` that opens ``aiohttp.ClientSession()`` under
``if http is None:`` (also ``if not http:``, ``owned = http is None`` then
``if owned:``, an early ``if http is not None: return ...``, or ``http or
ClientSession()``) takes the caller's client: a route that passes one
(``http=request.app.state.http``, ``getattr(app.state, "http", None)``) builds no
pool there. A call that omits the argument, or passes ``None``, still builds one.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Optional

from fastapi_lint.rules.branches import if_ancestors, in_body
from fastapi_lint.rules.chain_conditions import parameter_atom, path_conditions
from fastapi_lint.semantic.syntax import unset_operand

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

# {"param": name, "index": position at a call (None: keyword-only)}: JSON, kept in the
# cached answer of the pool-helper question.
Lent = dict[str, Any]


def lent_parameter(model: ModuleModel, function: FunctionInfo, call: ast.Call) -> Optional[Lent]:
    """The parameter of ``function`` whose missing value alone leads to the pool ``call``."""
    for atom in path_conditions(model, function, call) or []:
        if (atom["op"] == "none" and atom["expect"]) or (
            atom["op"] == "truthy" and not atom["expect"] and not atom.get("fold")
        ):
            found = _lent(function, atom["param"], model)
            if found is not None:
                return found
    for ancestor, child in if_ancestors(model, function, call):
        if in_body(ancestor, child) and isinstance(ancestor.test, ast.Name):
            name = _flag_of_missing(function, ancestor.test.id)
            found = _lent(function, name, model) if name else None
            if found is not None:
                return found
    return _or_fallback(model, function, call)


def lends(lent: Lent, call: ast.Call) -> bool:
    """Whether ``call`` passes a value (not ``None``) for the lent parameter."""
    for keyword in call.keywords:
        if keyword.arg == lent["param"]:
            return not _is_none(keyword.value)
    index = lent["index"]
    if index is None or any(isinstance(arg, ast.Starred) for arg in call.args[: index + 1]):
        return False
    return index < len(call.args) and not _is_none(call.args[index])


def passed_parameter(lent: Lent, call: ast.Call, caller: FunctionInfo) -> Optional[Lent]:
    """``fetch(q, http=http)`` inside a helper with its own ``http`` parameter: the callee's
    fallback becomes the helper's (its callers lend or not)."""
    node: ast.expr | None = None
    for keyword in call.keywords:
        if keyword.arg == lent["param"]:
            node = keyword.value
    index = lent["index"]
    if node is None and index is not None and index < len(call.args):
        node = call.args[index]
    if not isinstance(node, ast.Name):
        return None
    return _lent(caller, node.id)


def _lent(function: FunctionInfo, name: str, model: ModuleModel | None = None) -> Optional[Lent]:
    atom = parameter_atom(function, name, model)
    if atom is None:
        return None
    default = atom["default"]
    if default is not None and default != [None]:
        return None  # omitted, the parameter holds something: not an optional client
    return {"param": name, "index": atom["index"]}


def _flag_of_missing(function: FunctionInfo, flag: str) -> str | None:
    """``owned = http is None`` (or ``not http``), assigned once: the parameter ``http``."""
    found: str | None = None
    for node in ast.walk(function.node):
        if not isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if not any(isinstance(t, ast.Name) and t.id == flag for t in targets):
            continue
        operand = unset_operand(node.value) if node.value is not None else None
        if found is not None or not isinstance(operand, ast.Name):
            return None  # assigned twice, or from something else
        found = operand.id
    return found


def _or_fallback(model: ModuleModel, function: FunctionInfo, call: ast.Call) -> Optional[Lent]:
    """``http or aiohttp.ClientSession()``: built only when the parameter is falsy."""
    node: ast.AST = call
    parent = model.parent(node)
    if isinstance(parent, ast.Await):
        node, parent = parent, model.parent(parent)
    if (
        isinstance(parent, ast.BoolOp)
        and isinstance(parent.op, ast.Or)
        and parent.values[-1] is node
        and isinstance(parent.values[0], ast.Name)
    ):
        return _lent(function, parent.values[0].id, model)
    return None


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None

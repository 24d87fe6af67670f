"""API306: a helper that builds a pool only when its caller asks for one.

``def engine_for(url=None)`` that makes a one-off ``create_async_engine(url)`` under
``if url:`` and otherwise returns the engine it keeps per event loop builds no pool for
``engine_for()``: the branch cannot run for that call. API107 reads a callee's paths the
same way (the contract, Revision 2: a condition on a parameter of the callee that the
call's arguments make false -- a literal, ``None``, ``False`` or an omitted default);
for API306 the claim "every request builds a pool" is false on such a call.

A path is kept as JSON in the cached answer of the pool-helper question: the chain of
spelled calls and the resource, the lent parameter (``rules/injected_pools.py``) and the
conditions the path needs on the helper's own parameters (``rules/chain_conditions.py``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Optional

from fastapi_lint.rules.chain_conditions import falsified, passed_through, path_conditions
from fastapi_lint.rules.injected_pools import Lent, lends

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

# {"chain": [spelled calls..., resource], "lent": Lent or None, "when": [Condition, ...]}
PoolPath = dict[str, Any]


def pool_path(
    chain: list[str],
    lent: Optional[Lent],
    model: ModuleModel,
    function: FunctionInfo,
    call: ast.Call,
) -> PoolPath:
    """The path through ``call`` (a pool factory or a helper) in ``function``."""
    return {"chain": chain, "lent": lent, "when": path_conditions(model, function, call) or []}


def carried(
    inner: PoolPath,
    spelled: str,
    lent: Optional[Lent],
    model: ModuleModel,
    function: FunctionInfo,
    call: ast.Call,
) -> PoolPath:
    """``inner`` (a path of the callee of ``call``) seen from ``function``: the callee's
    conditions on what ``call`` passes through become conditions on ``function``'s own
    parameters, and the branch ``call`` sits in adds its own."""
    path = pool_path([spelled, *inner["chain"]], lent, model, function, call)
    path["when"] = passed_through(inner["when"], call, function) + path["when"]
    return path


def taken_by(path: PoolPath, call: ast.Call, passes_own: bool = False) -> bool:
    """Whether ``call`` can take ``path``: it lends no client the path would use instead
    (``passes_own``: what it passes is its function's own parameter, whose callers decide),
    and its arguments (or omitted defaults) leave the path's conditions possible."""
    lent = path["lent"]
    if lent is not None and not passes_own and lends(lent, call):
        return False
    return not falsified(path["when"], call)


def unconditional(path: PoolPath) -> bool:
    """A path every call takes: nothing lent, no condition."""
    return path["lent"] is None and not path["when"]

"""Who calls an async context manager's ``__aenter__``/``__aexit__``: whoever builds it.

No caller names these methods: ``async with Poller(url):`` and
``await stack.enter_async_context(Poller(url))`` run them. The caller search
(``serving.py``) therefore judges them by the references to their class: an
object built in a ``lifespan`` and entered on its ``AsyncExitStack`` runs
``__aenter__`` at start-up and ``__aexit__`` at shutdown, not while serving
(Revision 2, "Serving code"); one built in a route or at module level (entered
anywhere later) keeps the verdict of that place, serving code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.semantic.scopes import FunctionInfo

# The methods `async with` runs (and `AsyncExitStack.enter_async_context` / its exit).
_CONTEXT_METHODS = frozenset({"__aenter__", "__aexit__"})


def callee_names(function: FunctionInfo) -> tuple[str, str, bool]:
    """``(qualname, name, is_method)`` whose references are the function's callers:
    its own, or its class's for ``__aenter__``/``__aexit__`` (building the object)."""
    owner = function.class_info
    if owner is not None and function.name in _CONTEXT_METHODS:
        return owner.qualname, owner.name, False
    return function.qualname, function.name, owner is not None

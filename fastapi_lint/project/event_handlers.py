"""Whether a reference to a function registers it as start-up or shutdown code.

Start-up code is not serving code (Revision 2): a function the project registers
with ``app.add_event_handler("startup", f)``, ``FastAPI(on_startup=[f])`` or
``app.router.on_shutdown.append(f)`` runs once, before the server serves or after
it stops.  The registration may wrap the function in ``functools.partial`` to bind
its arguments (``add_event_handler("startup", partial(connect, settings.url))``):
Starlette calls the wrapped function, so it is the same registration.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.fastapi import EVENT_LISTS

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


def registered_as_event_handler(model: ModuleModel, site: ast.AST, scope: Scope) -> bool:
    """``site`` (a reference to a function) is the handler of an event registration."""
    parent = model.parent(site)
    if (
        isinstance(parent, ast.Call)
        and parent.args
        and parent.args[0] is site
        and model.qualified_name(parent.func, scope) == "functools.partial"
    ):
        site, parent = parent, model.parent(parent)
    if isinstance(parent, (ast.List, ast.Tuple)):
        keyword = model.parent(parent)
        return isinstance(keyword, ast.keyword) and keyword.arg in EVENT_LISTS
    if not isinstance(parent, ast.Call) or not isinstance(parent.func, ast.Attribute):
        return False
    func = parent.func
    if func.attr == "add_event_handler":
        return site in parent.args[1:2] or any(
            k.arg == "func" and k.value is site for k in parent.keywords
        )
    return (
        func.attr == "append"
        and site in parent.args
        and isinstance(func.value, ast.Attribute)
        and func.value.attr in EVENT_LISTS
    )

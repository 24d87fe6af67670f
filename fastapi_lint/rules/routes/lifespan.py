"""API206: startup/shutdown code registered with ``on_event`` rather than a
``lifespan`` handler.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.registry import FixAvailability, Rule
from fastapi_lint.rules.routes._common import APP
from fastapi_lint.semantic.syntax import last_name

if TYPE_CHECKING:
    pass

API206 = Rule(
    code="API206",
    name="deprecated-on-event",
    fix=FixAvailability.UNSAFE,
    fix_description="Moves the app's `@app.on_event` handlers into one `lifespan` async context manager passed to `FastAPI(lifespan=...)`, when the app is created in the same module: unsafe, because handler order and error handling at start-up change subtly.",
    message="`{call}` is deprecated and Starlette 1.0 removed `on_event` and `add_event_handler`; move this code into a `lifespan` handler",
    summary="Checks for `on_event(...)` and `add_event_handler(...)` on a FastAPI app or router.",
    why=(
        "Startup and shutdown events are deprecated in FastAPI and Starlette in favour of the "
        "`lifespan` context manager, which also keeps startup state and its cleanup together. "
        "Event handlers are ignored when a `lifespan` is given."
    ),
    example=(
        APP + '@app.on_event("startup")\nasync def connect() -> None:\n    print("connecting")\n'
    ),
    use_instead=(
        "from collections.abc import AsyncIterator\nfrom contextlib import asynccontextmanager\n\n"
        "from fastapi import FastAPI\n\n\n"
        "@asynccontextmanager\nasync def lifespan(app: FastAPI) -> AsyncIterator[None]:\n"
        '    print("connecting")\n    yield\n\n\napp = FastAPI(lifespan=lifespan)\n'
    ),
)


# ------------------------------------------------------------ API206


def event_call_display(call: ast.Call) -> str:
    func = call.func
    try:
        receiver = ast.unparse(func)
    except Exception:  # pragma: no cover - odd trees
        receiver = last_name(func)
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        argument = f'"{first.value}"'
    else:
        argument = "..."
    if isinstance(func, ast.Attribute) and func.attr == "add_event_handler":
        return f"{receiver}({argument}, ...)"
    return f"{receiver}({argument})"

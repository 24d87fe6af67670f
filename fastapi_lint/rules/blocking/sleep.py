"""API102 blocking-sleep: ``time.sleep`` in async code, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from fastapi_lint.registry import FixAvailability, Rule

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Diagnostic, Edit, Fix
    from fastapi_lint.fixes.context import FixContext

API102 = Rule(
    code="API102",
    name="blocking-sleep",
    fix=FixAvailability.SAFE,
    fix_description="Replaces `time.sleep(x)` with `await asyncio.sleep(x)` and adds `import asyncio` when missing.",
    message="`time.sleep()` blocks the event loop in {context}; use `await asyncio.sleep(...)`",
    summary="Checks for `time.sleep` in async code.",
    why="`time.sleep` suspends the whole event loop, not just this request.",
    example=(
        "import time\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/slow")\nasync def slow() -> None:\n    time.sleep(1)\n'
    ),
    use_instead=(
        "import asyncio\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/slow")\nasync def slow() -> None:\n    await asyncio.sleep(1)\n'
    ),
)

# Qualified-name patterns (``*`` any run of characters, ``{a,b}`` alternatives).
PATTERNS: tuple[str, ...] = ("time.sleep",)

# Expression statement, assignment value, return value, argument: positions
# where `await x` needs no parentheses.
_BARE_AWAIT_PARENTS = (ast.Expr, ast.Assign, ast.AnnAssign, ast.Return, ast.keyword, ast.Call)


def fix(context: FixContext, diagnostic: Diagnostic) -> Optional[Fix]:
    """API102: ``time.sleep(x)`` -> ``await asyncio.sleep(x)`` (safe), adding ``import asyncio``."""
    from fastapi_lint.diagnostics import Fix
    from fastapi_lint.fixes.context import merge_edits

    call = context.call_at(diagnostic)
    if call is None or call.keywords or len(call.args) != 1:
        # `time.sleep` takes one argument: a call without it sleeps through a name that
        # binds one (`pause = partial(time.sleep, 0.5)`), which the rewrite would lose.
        return None
    parent = context.parent(call)
    if isinstance(parent, ast.Await):
        return None
    asyncio_name = context.module_imports("asyncio")
    edits: list[Edit] = []
    if asyncio_name is None:
        if context.binds_name("asyncio"):
            return None  # something else is called `asyncio` here
        import_edit = context.import_edit("asyncio")
        if import_edit is None:
            return None
        edits.append(import_edit)
        asyncio_name = "asyncio"
    arguments = context.text(call.args[0]) if call.args else ""
    replacement = f"await {asyncio_name}.sleep({arguments})"
    in_call_args = isinstance(parent, ast.Call) and call is not parent.func
    if not isinstance(parent, _BARE_AWAIT_PARENTS) or (
        isinstance(parent, ast.Call) and not in_call_args
    ):
        replacement = f"({replacement})"
    edits.append(context.replace(call, replacement))
    # The last `time.sleep` replaced: `import time` (or `from time import sleep`) goes too.
    used = call.func.value if isinstance(call.func, ast.Attribute) else call.func
    if isinstance(used, ast.Name):
        unused = context.remove_unused_import(used.id)
        if unused is not None:
            edits.append(unused)
    return Fix(
        "Replace with `await asyncio.sleep(...)`", safe=True, edits=tuple(merge_edits(edits))
    )

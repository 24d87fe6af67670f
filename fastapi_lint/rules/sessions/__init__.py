"""API3xx: SQLAlchemy / SQLModel sessions used the wrong way in FastAPI code.

Where a session comes from is answered by the semantic model: parameter
annotations (also ``Annotated`` aliases such as ``SessionDep``, defined here or
in another module), ``Depends(provider)`` whose provider returns or yields a
session (in any module of the project), ``sessionmaker(...)`` /
``async_sessionmaker(...)`` factories and ``with Session(engine) as s``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.registry import Family
from fastapi_lint.rules.sessions import (
    async_engine,
    async_session_calls,
    background_tasks,
    sync_session,
)
from fastapi_lint.rules.sessions.async_engine import API304, sync_driver_dialect
from fastapi_lint.rules.sessions.async_session_calls import API302, API303
from fastapi_lint.rules.sessions.background_tasks import API305
from fastapi_lint.rules.sessions.kinds import ASYNC, SYNC, param_session
from fastapi_lint.rules.sessions.sync_session import (
    API301,
    creates_sync_session,
    is_injected,
    reports_creation,
)

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.fixes.context import Fixer
    from fastapi_lint.semantic.model import ModuleModel

__all__ = [
    "ASYNC",
    "FAMILY",
    "FIXERS",
    "SYNC",
    "check",
    "creates_sync_session",
    "is_injected",
    "param_session",
    "reports_creation",
    "sync_driver_dialect",
]


def check(model: ModuleModel, reporter: Reporter) -> None:
    if reporter.enabled("API301"):
        sync_session.check(model, reporter)
    if reporter.enabled("API302") or reporter.enabled("API303"):
        async_session_calls.check(model, reporter)
    if reporter.enabled("API304"):
        async_engine.check(model, reporter)
    if reporter.enabled("API305"):
        background_tasks.check(model, reporter)


# The fixers, read by fastapi_lint.fixes.rules (libcst is imported only inside them).
FIXERS: dict[str, Fixer] = {API302.code: async_session_calls.fix}

FAMILY = Family(
    prefix="API3",
    title="Database sessions",
    rules=(API301, API302, API303, API304, API305),
    check=check,
)

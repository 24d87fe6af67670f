"""API4xx: N+1 queries with SQLAlchemy 1.4/2.0 (sync and async) and SQLModel.

Three shapes of the same problem: a query per item of a loop (API401), a
lazy-loaded relationship read per item of a query's results (API402), and a
response model whose fields make FastAPI's serializer read such a
relationship per returned object (API403).

Type flow from query to loop is tracked by ``QueryFlow``: ``select(User)``
and ``session.query(User)`` chains, ``execute/scalars/exec/get`` on a session,
``Result.scalars().all()``, simple assignments, the return of a project
function in another module, loop variables and relationship collections
(``for post in user.posts`` yields ``Post`` objects). Loader options are read
from ``.options(...)`` and from the relationship's declared ``lazy=``.
With an ``AsyncSession`` a lazy load cannot run implicitly: SQLAlchemy raises
``MissingGreenlet`` (sqlalchemy/util/_concurrency_py3k.py) instead of running
a query, so the messages say so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.registry import Family
from fastapi_lint.rules.nplusone.api401 import API401, check_queries_in_loops
from fastapi_lint.rules.nplusone.api402 import API402, check_lazy_loads
from fastapi_lint.rules.nplusone.api403 import API403, check_responses
from fastapi_lint.rules.nplusone.flow import flow_for

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel


def is_alembic_migration(model: ModuleModel) -> bool:
    """An Alembic revision script: ``from alembic import op`` and a module-level ``upgrade()``.

    It runs once, offline, usually row by row on purpose (data fixes); per-row
    queries there are not the request-time N+1 these rules are about.
    """
    from fastapi_lint.semantic.scopes import BindingKind

    upgrade = model.module_scope.bindings.get("upgrade")
    if not upgrade or upgrade[-1].kind is not BindingKind.FUNCTION:
        return False
    return any(
        binding.kind is BindingKind.IMPORT
        and (binding.qualname or "").split(".", 1)[0] == "alembic"
        for bindings in model.module_scope.bindings.values()
        for binding in bindings
    )


def check(model: ModuleModel, reporter: Reporter) -> None:
    if is_alembic_migration(model):
        return
    flow = flow_for(model)
    if reporter.enabled("API401"):
        check_queries_in_loops(model, flow, reporter)
    if reporter.enabled("API402"):
        check_lazy_loads(model, flow, reporter)
    check_responses(model, flow, reporter)


FAMILY = Family(prefix="API4", title="N+1 queries", rules=(API401, API402, API403), check=check)

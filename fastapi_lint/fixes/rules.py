"""The fixers by code, gathered from the rule families.

Each fixer lives in its rule's module (``rules/<family>/<rule>.py``, beside
the rule's metadata, docs and check) and each family package exports its
fixers as ``FIXERS``; this module only merges them for ``attach_fixes``.
tests/test_registry.py proves a code has a fixer iff its rule declares a fix,
so a family left out here fails the suite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.rules.blocking import FIXERS as BLOCKING_FIXERS
from fastapi_lint.rules.pydantic_v1 import FIXERS as PYDANTIC_V1_FIXERS
from fastapi_lint.rules.routes import FIXERS as ROUTES_FIXERS
from fastapi_lint.rules.secrets import FIXERS as SECRETS_FIXERS
from fastapi_lint.rules.sessions import FIXERS as SESSIONS_FIXERS

if TYPE_CHECKING:
    from fastapi_lint.fixes.context import Fixer

FIXERS: dict[str, Fixer] = {
    **BLOCKING_FIXERS,
    **ROUTES_FIXERS,
    **SESSIONS_FIXERS,
    **SECRETS_FIXERS,
    **PYDANTIC_V1_FIXERS,
}

"""API5xx: Secrets and security (being written)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.registry import Family

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel


def check(model: ModuleModel, reporter: Reporter) -> None:
    return None


FAMILY = Family(prefix="API5", title="Secrets and security", rules=(), check=check)

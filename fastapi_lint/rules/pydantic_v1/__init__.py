"""API6xx: Pydantic v1 patterns in a Pydantic v2 project.

FastAPI moved to Pydantic v2; projects still carry ``class Config``,
``@validator``, ``.dict()``, ``.parse_obj()`` and ``Field(regex=...)``. They
run through deprecation shims that v3 removes, and some already behave
differently. Each rule module finds its pattern; nothing is reported unless
the project is on Pydantic v2 (``project_version``), never for names that
resolve to ``pydantic.v1`` (v1 code on purpose), and never in a shim module
that binds one name from either major.

The cheap per-module search runs first, the project-level decision (an index
fact) only when something was found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.registry import Family
from fastapi_lint.rules.pydantic_v1 import config, field_arguments, methods, validators
from fastapi_lint.rules.pydantic_v1.models import imports_pydantic_v1, is_compatibility_code
from fastapi_lint.rules.pydantic_v1.project_version import project_on_v2

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.fixes.context import Fixer
    from fastapi_lint.semantic.model import ModuleModel

_RULES = {
    config.API601.code: config,
    validators.API602.code: validators,
    methods.API603.code: methods,
    field_arguments.API604.code: field_arguments,
}


def check(model: ModuleModel, reporter: Reporter) -> None:
    modules = [m for code, m in _RULES.items() if reporter.enabled(code)]
    if not modules or imports_pydantic_v1(model):
        return
    findings = [finding for module in modules for finding in module.find(model)]
    if not findings or not project_on_v2(model):
        return
    for finding in findings:
        if is_compatibility_code(model, finding.node):
            continue
        reporter.report(finding.code, finding.node, **finding.fields)


# The fixers, read by fastapi_lint.fixes.rules (libcst is imported only inside them).
FIXERS: dict[str, Fixer] = {
    config.API601.code: config.fix,
    methods.API603.code: methods.fix,
    field_arguments.API604.code: field_arguments.fix,
}

FAMILY = Family(
    prefix="API6",
    title="Pydantic v1 patterns in a Pydantic v2 project",
    rules=(config.API601, validators.API602, methods.API603, field_arguments.API604),
    check=check,
)

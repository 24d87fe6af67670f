"""Every rule's metadata in one place.

Rules are declared next to their logic, in one module per family under
``fastapi_lint/rules/``; this module collects them. A rule declares its code,
kebab-case name, message template (named placeholders only), documentation
sections and fix availability. The docs page, ``fastapi-lint rule CODE`` and
the SARIF rule metadata are generated from these objects.
"""

from __future__ import annotations

import enum
import importlib
import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel

DOCS_URL = "https://github.com/fastapi-lint/fastapi-lint/blob/main/docs/rules.md#{code_lower}"


class FixAvailability(enum.Enum):
    NONE = "none"
    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    message: str
    summary: str
    why: str
    example: str
    use_instead: str
    fix: FixAvailability = FixAvailability.NONE
    fix_description: str = ""
    options: str = ""
    # Off by default (RULES.md Revision 2): runs only when selected by its own
    # code or ``ALL`` (``--select API108``, ``extend-select``), never by a prefix.
    opt_in: bool = False

    @property
    def family(self) -> str:
        return self.code[:4]

    @property
    def url(self) -> str:
        return DOCS_URL.format(code_lower=f"{self.code.lower()}-{self.name}")

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(self.message) if name)


@dataclass(frozen=True)
class Family:
    """A rule family: its rules and the function that checks a module for them."""

    prefix: str
    title: str
    rules: tuple[Rule, ...]
    check: Callable[[ModuleModel, Reporter], None]
    needs_project: bool = field(default=False)


# Modules under fastapi_lint.rules that define a ``FAMILY``; order is report order.
FAMILY_MODULES = ("blocking", "routes", "sessions", "nplusone", "secrets")

_families: tuple[Family, ...] | None = None


def families() -> tuple[Family, ...]:
    global _families
    if _families is None:
        loaded = []
        for name in FAMILY_MODULES:
            module = importlib.import_module(f"fastapi_lint.rules.{name}")
            loaded.append(module.FAMILY)
        _families = tuple(loaded)
    return _families


def all_rules() -> dict[str, Rule]:
    return {rule.code: rule for family in families() for rule in family.rules}


def opt_in_codes() -> frozenset[str]:
    """Codes that run only when selected explicitly (by code or ``ALL``)."""
    return frozenset(rule.code for rule in all_rules().values() if rule.opt_in)


def default_codes() -> frozenset[str]:
    """The codes a run enables when nothing is selected: every code but the opt-in ones."""
    return frozenset(code for code, rule in all_rules().items() if not rule.opt_in)


def rule_by_name_or_code(key: str) -> Rule | None:
    for rule in all_rules().values():
        if key.upper() == rule.code or key == rule.name:
            return rule
    return None

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
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel

# Where the rule pages are published (the URL of docs/rules.md), set by whoever
# hosts them; unset, findings link nowhere and `fastapi-lint rule CODE` (the
# docs shipped with the package) is the reference.
DOCS_URL_VARIABLE = "FASTAPI_LINT_DOCS_URL"


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
    # Off by default (the contract's Revision 2): runs only when selected by its own
    # code or ``ALL`` (``--select API108``, ``extend-select``), never by a prefix.
    opt_in: bool = False

    @property
    def family(self) -> str:
        return self.code[:4]

    @property
    def url(self) -> str:
        base = os.environ.get(DOCS_URL_VARIABLE, "").strip()
        return f"{base.split('#')[0]}#{self.code.lower()}-{self.name}" if base else ""


@dataclass(frozen=True)
class Family:
    """A rule family: its rules and the function that checks a module for them."""

    prefix: str
    title: str
    rules: tuple[Rule, ...]
    check: Callable[[ModuleModel, Reporter], None]


# Modules under fastapi_lint.rules that define a ``FAMILY``; order is report order.
# A rule may live in its own module and still belong to an existing family: its
# ``FAMILY`` repeats the prefix and title (the engine runs each module's check on
# its own; the docs list one section per prefix, see ``family_sections``).
FAMILY_MODULES = (
    "blocking",
    "routes",
    "unvalidated_body",
    "sessions",
    "client_per_request",
    "nplusone",
    "secrets",
    "pydantic_v1",
)

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


def family_sections() -> list[tuple[str, str, tuple[Rule, ...]]]:
    """(prefix, title, rules) per prefix, the modules of one prefix merged in registry order."""
    sections: dict[str, tuple[str, list[Rule]]] = {}
    for family in families():
        _, rules = sections.setdefault(family.prefix, (family.title, []))
        rules.extend(family.rules)
    return [
        (prefix, title, tuple(sorted(rules, key=lambda r: r.code)))
        for prefix, (title, rules) in sections.items()
    ]


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

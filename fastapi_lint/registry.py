"""Every rule's metadata in one place.

Rules are declared next to their logic, in one module per family under
``fastapi_lint/rules/``; this module collects them. A rule declares its code,
kebab-case name, message template (named placeholders only), documentation
sections and fix availability. The docs page, ``fastapi-lint rule CODE`` and
the SARIF rule metadata are generated from these objects. Only the codes are
also listed here (``FAMILY_CODES``, checked against the modules by a test), so
that a run imports the families it selected and no other.
"""

from __future__ import annotations

import enum
import importlib
import os
from collections.abc import Collection
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


# Modules under fastapi_lint.rules that define a ``FAMILY``, with the codes of its
# rules; order is report order. A rule may live in its own module and still belong
# to an existing family: its ``FAMILY`` repeats the prefix and title (the engine runs
# each module's check on its own; the docs list one section per prefix, see
# ``family_sections``).
#
# The codes are written here as well as in the rules (tests/test_registry.py checks
# that they agree) so that a run knows them before it imports any rule: it validates
# the configured codes, resolves its selection, then imports the families it selected
# and only those (``--select API1`` does not import the API5xx patterns).
FAMILY_CODES: dict[str, tuple[str, ...]] = {
    "blocking": ("API101", "API102", "API103", "API104", "API105", "API106", "API107", "API108"),
    "routes": ("API201", "API202", "API203", "API204", "API205", "API206"),
    "unvalidated_body": ("API207",),
    "sessions": ("API301", "API302", "API303", "API304", "API305"),
    "client_per_request": ("API306",),
    "nplusone": ("API401", "API402", "API403"),
    "secrets": (
        "API501",
        "API502",
        "API503",
        "API504",
        "API505",
        "API506",
        "API507",
        "API508",
        "API509",
    ),
    "pydantic_v1": ("API601", "API602", "API603", "API604"),
}
FAMILY_MODULES = tuple(FAMILY_CODES)
# Rules that run only when selected by their own code or ``ALL`` (``Rule.opt_in``).
OPT_IN_CODES = frozenset({"API108"})

_loaded: dict[str, Family] = {}
# The families of a frozen selection: the engine asks twice per checked file with the
# run's one selection (testing every family's codes: ~20 ms of the four wheels' run).
_chosen: dict[frozenset[str], tuple[Family, ...]] = {}


def families(codes: Collection[str] | None = None) -> tuple[Family, ...]:
    """The families, in report order; with ``codes``, only those with one of them."""
    if isinstance(codes, frozenset):
        found = _chosen.get(codes)
        if found is None:
            if len(_chosen) >= 64:
                _chosen.clear()
            found = _chosen[codes] = _families(codes)
        return found
    return _families(codes)


def _families(codes: Collection[str] | None) -> tuple[Family, ...]:
    chosen = []
    for name, family_codes in FAMILY_CODES.items():
        if codes is not None and not any(code in codes for code in family_codes):
            continue
        family = _loaded.get(name)
        if family is None:
            family = _loaded[name] = importlib.import_module(f"fastapi_lint.rules.{name}").FAMILY
        chosen.append(family)
    return tuple(chosen)


def all_codes() -> tuple[str, ...]:
    """Every registered code, in report order, without importing a rule."""
    return tuple(code for codes in FAMILY_CODES.values() for code in codes)


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
    return rules_for(None)


def rules_for(codes: Collection[str] | None) -> dict[str, Rule]:
    """The rules of the families that have one of ``codes`` (None: every family)."""
    return {rule.code: rule for family in families(codes) for rule in family.rules}


def opt_in_codes() -> frozenset[str]:
    """Codes that run only when selected explicitly (by code or ``ALL``)."""
    return OPT_IN_CODES


def default_codes() -> frozenset[str]:
    """The codes a run enables when nothing is selected: every code but the opt-in ones."""
    return frozenset(all_codes()) - OPT_IN_CODES


def rule_by_name_or_code(key: str) -> Rule | None:
    code = key.upper()
    if code in all_codes():
        return rules_for((code,))[code]
    for rule in all_rules().values():
        if key == rule.name:
            return rule
    return None

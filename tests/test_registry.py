"""Registry invariants: every rule of the contract is registered, documented,
has examples that lint as stated, a fixer exactly when it declares a fix, and
a fixture file named after it.

(docs/rules.md being generated from the registry and every page having its
sections is tests/test_cli_docs.py.)
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import fastapi_lint.rules
from fastapi_lint.engine import check_source
from fastapi_lint.fixes import attach_fixes
from fastapi_lint.fixes.rules import FIXERS
from fastapi_lint.registry import (
    FAMILY_CODES,
    OPT_IN_CODES,
    Family,
    FixAvailability,
    Rule,
    all_rules,
    families,
    opt_in_codes,
    rules_for,
)
from fastapi_lint.settings import RuleOptions, Selection

REPO = Path(__file__).resolve().parent.parent
# The contract sits beside the checkout (`../shared/RULES.md`), or beside the
# folder of worktrees a checkout may be one of.
CONTRACT = next(
    (
        folder / "shared" / "RULES.md"
        for folder in REPO.parents
        if (folder / "shared" / "RULES.md").is_file()
    ),
    REPO.parent / "shared" / "RULES.md",
)
DOCS = REPO / "docs" / "rules.md"
FIXTURES = REPO / "fixtures"
RULES = list(all_rules().values())


def _codes(source: str, rule: Rule) -> set[str]:
    # The default selection, plus an opt-in rule selected by its own code.
    selection = Selection(select=("API", rule.code))
    return {d.code for d in check_source(source, "<stdin>", RuleOptions(), selection)}


def _rule_modules() -> list[ModuleType]:
    """Every module under fastapi_lint/rules/, imported."""
    package = fastapi_lint.rules
    return [package] + [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
    ]


def _revision_2() -> str:
    text = CONTRACT.read_text(encoding="utf-8")
    start = text.find("## Revision 2")
    assert start >= 0, "RULES.md has no Revision 2 section"
    return text[start:]


def test_every_contract_code_is_registered() -> None:
    if not CONTRACT.exists():
        pytest.skip(f"no contract at {CONTRACT}")
    # The tables and the Revision 2 section both name codes as `API` + 3 digits.
    contract = set(re.findall(r"\bAPI\d{3}\b", CONTRACT.read_text(encoding="utf-8")))
    assert contract, "no code found in RULES.md"
    missing = contract - set(all_rules())
    assert not missing, f"codes in RULES.md without a rule: {sorted(missing)}"


def test_opt_in_codes_are_those_revision_2_marks_opt_in() -> None:
    if not CONTRACT.exists():
        pytest.skip(f"no contract at {CONTRACT}")
    # "- **API108 blocking-minor-syscall (opt-in):** ..."
    marked = set(re.findall(r"\*\*(API\d{3})\b[^*]*\(opt-in\)", _revision_2()))
    assert marked, "Revision 2 marks no code opt-in"
    assert opt_in_codes() == marked


def test_every_rule_defined_is_registered() -> None:
    """A Rule or a FAMILY declared in a module the registry does not collect
    (a module left out of FAMILY_MODULES, a rule left out of its family's
    tuple) would never run: every one defined under rules/ is registered."""
    registered = all_rules()
    collected = families()
    for module in _rule_modules():
        for name, value in vars(module).items():
            if isinstance(value, Rule):
                assert registered.get(value.code) is value, (
                    f"{module.__name__}.{name} ({value.code}) is not in the registry"
                )
            if name == "FAMILY" and isinstance(value, Family):
                assert value in collected, (
                    f"{module.__name__}.FAMILY is not collected: add it to FAMILY_CODES"
                )


def test_the_code_table_is_what_the_rule_modules_declare() -> None:
    """registry.FAMILY_CODES lets a run select rules before importing them: each
    family module's codes, in its own order, and the opt-in ones, as its rules say."""
    for name, codes in FAMILY_CODES.items():
        family = importlib.import_module(f"fastapi_lint.rules.{name}").FAMILY
        declared = tuple(rule.code for rule in family.rules)
        assert codes == declared, f"registry.FAMILY_CODES[{name!r}] should be {declared}"
    assert OPT_IN_CODES == {rule.code for rule in RULES if rule.opt_in}


def test_families_are_imported_only_when_selected() -> None:
    assert [f.prefix for f in families(("API501", "API102"))] == ["API1", "API5"]
    assert families(("E501",)) == ()
    assert list(rules_for(("API601",))) == ["API601", "API602", "API603", "API604"]


def test_every_rule_has_its_section_in_the_generated_docs() -> None:
    # tests/test_cli_docs.py proves docs/rules.md is what the registry generates.
    catalogue = DOCS.read_text(encoding="utf-8")
    for rule in RULES:
        assert f"### {rule.code}: {rule.name}" in catalogue, rule.code


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_example_is_fixed_exactly_when_a_fix_is_declared(rule: Rule) -> None:
    """The fixer works on the rule's own Example, with the declared safety; a rule
    without a declared fix offers none."""
    selection = Selection(select=("API", rule.code))
    diagnostics = attach_fixes(
        rule.example, check_source(rule.example, "<stdin>", RuleOptions(), selection)
    )
    fixes = {d.fix.safe for d in diagnostics if d.code == rule.code and d.fix is not None}
    if rule.fix is FixAvailability.NONE:
        assert not fixes, f"{rule.code} declares no fix but its Example gets one"
    else:
        assert fixes == {rule.fix is FixAvailability.SAFE}, (rule.code, rule.fix, fixes)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_is_documented(rule: Rule) -> None:
    for field in ("name", "message", "summary", "why", "example", "use_instead"):
        assert getattr(rule, field).strip(), f"{rule.code}: empty {field}"
    assert (rule.fix is FixAvailability.NONE) == (not rule.fix_description), rule.code


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_example_triggers_exactly_its_rule(rule: Rule) -> None:
    assert _codes(rule.example, rule) == {rule.code}


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_use_instead_is_clean(rule: Rule) -> None:
    assert _codes(rule.use_instead, rule) == set()


def test_a_rule_declares_a_fix_exactly_when_a_fixer_exists() -> None:
    declared = {r.code for r in RULES if r.fix is not FixAvailability.NONE}
    assert declared == set(FIXERS), (
        f"fix declared without a fixer: {sorted(declared - set(FIXERS))}; "
        f"fixer without a declared fix: {sorted(set(FIXERS) - declared)}"
    )


def test_every_code_has_a_fixture_named_after_it() -> None:
    named = {path.name[:6].upper() for path in FIXTURES.glob("api[0-9][0-9][0-9]*.py")}
    missing = sorted(set(all_rules()) - named)
    assert not missing, f"codes without fixtures/apiNNN_*.py: {missing}"

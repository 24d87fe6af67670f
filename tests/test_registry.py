"""Registry invariants: every rule of the contract is registered, documented,
has examples that lint as stated, a fixer exactly when it declares a fix, and
a fixture file named after it.

(docs/rules.md being generated from the registry and every page having its
sections is tests/test_cli_docs.py.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.fixes.rules import FIXERS
from fastapi_lint.registry import FixAvailability, Rule, all_rules
from fastapi_lint.settings import RuleOptions, Selection

REPO = Path(__file__).resolve().parent.parent
CONTRACT = REPO.parent / "shared" / "RULES.md"
FIXTURES = REPO / "fixtures"
RULES = list(all_rules().values())


def _codes(source: str, rule: Rule) -> set[str]:
    # The default selection, plus an opt-in rule selected by its own code.
    selection = Selection(select=("API", rule.code))
    return {d.code for d in check_source(source, "<stdin>", RuleOptions(), selection)}


def test_every_contract_code_is_registered() -> None:
    if not CONTRACT.exists():
        pytest.skip(f"no contract at {CONTRACT}")
    # The tables and the Revision 2 section both name codes as `API` + 3 digits.
    contract = set(re.findall(r"\bAPI\d{3}\b", CONTRACT.read_text(encoding="utf-8")))
    assert contract, "no code found in RULES.md"
    missing = contract - set(all_rules())
    assert not missing, f"codes in RULES.md without a rule: {sorted(missing)}"


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

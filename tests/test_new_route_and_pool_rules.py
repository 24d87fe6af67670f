"""API207 and API306: rules that live in their own modules inside existing families."""

from __future__ import annotations

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.registry import Rule, families, family_sections
from fastapi_lint.rules import client_per_request, unvalidated_body
from fastapi_lint.settings import RuleOptions

RULES = [*unvalidated_body.FAMILY.rules, *client_per_request.FAMILY.rules]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_docs(rule: Rule) -> None:
    example = {d.code for d in check_source(rule.example, "<stdin>", RuleOptions())}
    clean = {d.code for d in check_source(rule.use_instead, "<stdin>", RuleOptions())}
    assert example == {rule.code}
    assert clean == set()


def test_modules_join_their_family() -> None:
    assert unvalidated_body.FAMILY in families()
    assert client_per_request.FAMILY in families()
    sections = {
        prefix: (title, [r.code for r in rules]) for prefix, title, rules in family_sections()
    }
    assert len(sections) == len({f.prefix for f in families()})
    assert sections["API2"][1][-1] == "API207"
    assert sections["API2"][0] == "The route contract"
    assert sections["API3"][1][-1] == "API306"
    assert sections["API3"][0] == "Database sessions"

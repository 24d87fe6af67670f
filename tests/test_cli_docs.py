"""docs/rules.md is generated from the registry and must not go stale."""

from __future__ import annotations

from pathlib import Path

from fastapi_lint.docs import REGENERATE, catalogue_markdown, rule_markdown
from fastapi_lint.registry import FixAvailability, all_rules

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def test_rules_md_is_up_to_date() -> None:
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    assert current == catalogue_markdown(), (
        f"docs/rules.md is stale: regenerate it with `{REGENERATE}` (from the repository root)"
    )


def test_every_rule_page_has_the_sections() -> None:
    for rule in all_rules().values():
        page = rule_markdown(rule)
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
            assert section in page, (rule.code, section)
        assert ("## Fix safety" in page) == (rule.fix is not FixAvailability.NONE)
        assert ("## Options" in page) == bool(rule.options)
        anchor = f"### {rule.code}: {rule.name}"
        assert anchor in catalogue_markdown()
        assert rule.url == ""  # no published docs unless configured

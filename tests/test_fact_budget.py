"""One outermost question computes at most MAX_FACTS_PER_QUESTION facts: past it the
question is cut short (an unknown answer, never remembered), the run goes on, and the
answers do not depend on the order the files are checked in."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.project import index, process_indexes
from fastapi_lint.semantic.limits import cut_count
from fastapi_lint.source import read_source
from tests.fixture_support import FIXTURES, expected_findings, fixture_options

PROJECT = FIXTURES / "projects" / "serving_app"
FILES = sorted(p for p in PROJECT.rglob("*.py") if "__pycache__" not in p.parts)


def _findings(paths: list[Path]) -> dict[str, set[tuple[int, str]]]:
    process_indexes.forget_indexes()
    found = {}
    for path in paths:
        diagnostics = check_source(read_source(path), str(path), fixture_options(path))
        found[str(path)] = {(d.line, d.code) for d in diagnostics}
    process_indexes.forget_indexes()
    return found


def test_a_tiny_budget_cuts_questions_short_in_any_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTAPI_LINT_NO_CACHE", "1")
    monkeypatch.setattr(index, "MAX_FACTS_PER_QUESTION", 1)
    cuts = cut_count()
    forward = _findings(FILES)
    assert cut_count() > cuts, "no question was cut short"
    backward = _findings(list(reversed(FILES)))
    assert forward == backward


def test_the_default_budget_answers_the_fixture_projects(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTAPI_LINT_NO_CACHE", "1")
    assert index.MAX_FACTS_PER_QUESTION >= 2_000  # litellm's largest question asks 1,602
    found = _findings(FILES)
    assert found == {str(path): expected_findings(path) for path in FILES}


def test_a_package_reexporting_an_outside_name_needs_no_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``from .registry import registry`` over ``from platform_kit.registry import *``: read
    through the package, the name grew a part at every turn until the budget cut it short,
    for every call (fastx-dashboards: 8 minutes, then a RecursionError)."""
    monkeypatch.setenv("FASTAPI_LINT_NO_CACHE", "1")
    project = FIXTURES / "projects" / "outside_reexports_app"
    files = sorted(p for p in project.rglob("*.py") if "__pycache__" not in p.parts)
    cuts = cut_count()
    found = _findings(files)
    assert cut_count() == cuts
    assert found == {str(path): expected_findings(path) for path in files}

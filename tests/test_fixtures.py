"""Every fixture file against its annotations (see tests/fixture_support.py for the syntax).

Each file is checked twice, in process: with every rule selected (``ALL``, the
opt-in codes included) and with only its own families selected. Both must
give exactly the annotated findings (of the selected codes): the second pass
proves a rule's findings do not depend on another family having run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_lint.registry import all_rules, opt_in_codes
from tests.fixture_support import (
    REPO,
    AnnotationError,
    Expectation,
    check_fixture,
    compare,
    expectations,
    family_selection,
    fixture_files,
    fixture_settings,
    parse_annotation,
    relative,
)

FILES = fixture_files()
IDS = [relative(p) for p in FILES]


def _assert_matches(path: Path, select: tuple[str, ...]) -> None:
    outcome = check_fixture(path, select)
    assert outcome.error is None, f"{relative(path)}: {outcome.error}"
    enabled = fixture_settings(path, select).selection_for(str(path))
    codes = enabled.enabled_codes(list(all_rules()), str(path), opt_in_codes())
    problems = compare(path, outcome.findings, codes)
    assert not problems, f"{relative(path)} (--select {','.join(select)})\n  " + "\n  ".join(
        problems
    )


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_fixture(path: Path) -> None:
    _assert_matches(path, ("ALL",))


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_fixture_with_its_own_family(path: Path) -> None:
    select = family_selection(path)
    if not select:
        pytest.skip("annotates no code: the all-rules pass covers it")
    _assert_matches(path, select)


def test_fixtures_exist() -> None:
    assert FILES, f"no fixtures under {REPO / 'fixtures'}"


def test_annotations_name_registered_codes() -> None:
    rules = all_rules()
    unknown = {
        f"{relative(path)}:{e.line}: {e.code}"
        for path in FILES
        for e in expectations(path)
        if e.code not in rules
    }
    assert not unknown, sorted(unknown)


def test_columns_and_messages_are_annotated_in_every_family() -> None:
    families = {e.code[:4] for p in FILES for e in expectations(p) if e.col and e.message}
    assert families >= {r.family for r in all_rules().values()}, families


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x()  # error: API101", [Expectation(7, "API101")]),
        ("x()  # error: API101, API107", [Expectation(7, "API101"), Expectation(7, "API107")]),
        ("x()  # error: API102:5", [Expectation(7, "API102", 5)]),
        (
            'x()  # error: API102:5 "time.sleep", API107 \'a, "b"\'',
            [Expectation(7, "API102", 5, "time.sleep"), Expectation(7, "API107", None, 'a, "b"')],
        ),
        (r'x()  # error: API501 "say \"hi\""', [Expectation(7, "API501", None, 'say "hi"')]),
        ("x()  # nothing to expect", []),
    ],
)
def test_annotation_syntax(text: str, expected: list[Expectation]) -> None:
    assert parse_annotation(text, 7) == expected


@pytest.mark.parametrize(
    "text",
    [
        "x()  # error: API10",
        "x()  # error: API101:",
        "x()  # error: API101 time",
        "x()  # error: API101,",
    ],
)
def test_malformed_annotations_are_errors(text: str) -> None:
    with pytest.raises(AnnotationError):
        parse_annotation(text, 7)

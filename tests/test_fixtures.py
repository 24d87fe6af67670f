"""Every fixture file, checked through the engine: the complete set of findings must match."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.source import read_source
from tests.fixture_support import REPO, expected_findings, fixture_files, fixture_options, relative

FILES = fixture_files()


@pytest.mark.parametrize("path", FILES, ids=[relative(p) for p in FILES])
def test_fixture(path: Path) -> None:
    source = read_source(path)
    diagnostics = check_source(source, str(path), fixture_options(path))
    found = {(d.line, d.code) for d in diagnostics}
    expected = expected_findings(path)
    missing = sorted(expected - found)
    unexpected = sorted(found - expected)
    messages = {(d.line, d.code): d.message for d in diagnostics}
    assert not missing and not unexpected, (
        f"{relative(path)}\n  missing: {missing}\n  unexpected: "
        + "".join(f"\n    {line}: {code} {messages[(line, code)]}" for line, code in unexpected)
    )


def test_fixtures_exist() -> None:
    assert FILES, f"no fixtures under {REPO / 'fixtures'}"

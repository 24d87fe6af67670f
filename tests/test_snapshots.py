"""Snapshots of what users see: the concise output of every fixture and fix diffs.

``tests/snapshots/`` holds, as text files with paths relative to the repository:

- ``<file>.txt`` for every fixture file outside ``fixtures/projects/`` (its path
  under ``fixtures/``): what ``fastapi-lint check --select ALL --output-format
  concise fixtures/<file>`` prints from the repository root, with the file's
  ``# config:`` header as its configuration;
- ``projects/<name>.txt`` for every fixture project: the same for all its files;
- ``fixes/<name>.py.diff``: the unified diff ``--fix --unsafe-fixes`` makes to
  ``fixtures/fixes/<name>.py`` (what ``--diff --unsafe-fixes`` prints).

They are produced in process (``linter.check_text``, shared with
tests/test_fixtures.py); one test runs the CLI once over the projects to prove
they are what it prints. After an intended change, regenerate them and review the diff::

    PYTHONPATH=$PWD python -m pytest -q tests/test_snapshots.py --update-snapshots
    git diff tests/snapshots
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest

from fastapi_lint.linter import Outcome
from fastapi_lint.source import read_source
from tests.fixture_support import (
    FIXTURES,
    PROJECTS,
    REPO,
    check_fixture,
    concise_output,
    fix_fixtures,
    fixture_files,
    project_roots,
    relative,
)
from tests.test_secrets_redaction import FILES as SECRET_FIXTURES
from tests.test_secrets_redaction import _assert_no_secret

SNAPSHOTS = REPO / "tests" / "snapshots"
REGENERATE = "PYTHONPATH=$PWD python -m pytest -q tests/test_snapshots.py --update-snapshots"

FILES = [p for p in fixture_files() if PROJECTS not in p.parents]
ROOTS = project_roots()
FIXES = fix_fixtures()


def _project_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def _file_snapshot(path: Path) -> Path:
    return SNAPSHOTS / (path.relative_to(FIXTURES).as_posix() + ".txt")


def _project_snapshot(root: Path) -> Path:
    return SNAPSHOTS / "projects" / f"{root.name}.txt"


def _diff_snapshot(path: Path) -> Path:
    return SNAPSHOTS / "fixes" / f"{path.name}.diff"


def _expected_snapshots() -> set[Path]:
    return (
        {_file_snapshot(p) for p in FILES}
        | {_project_snapshot(r) for r in ROOTS}
        | {_diff_snapshot(p) for p in FIXES}
    )


def _compare(request: pytest.FixtureRequest, snapshot: Path, actual: str) -> None:
    assert str(REPO) not in actual, "a snapshot must hold relative paths only"
    if request.config.getoption("--update-snapshots"):
        if not snapshot.exists() or snapshot.read_text(encoding="utf-8") != actual:
            snapshot.parent.mkdir(parents=True, exist_ok=True)
            snapshot.write_text(actual, encoding="utf-8")
        return
    stored = snapshot.read_text(encoding="utf-8") if snapshot.exists() else ""
    if stored != actual:
        diff = "".join(
            difflib.unified_diff(
                stored.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                f"stored/{snapshot.relative_to(REPO).as_posix()}",
                "actual",
            )
        )
        pytest.fail(
            f"{snapshot.relative_to(REPO).as_posix()} "
            f"{'differs from the output' if snapshot.exists() else 'is missing'}:\n{diff}\n"
            f"If the change is intended, regenerate the snapshots with `{REGENERATE}` "
            "(from the repository root) and review `git diff tests/snapshots`.",
            pytrace=False,
        )


@pytest.mark.parametrize("path", FILES, ids=[relative(p) for p in FILES])
def test_concise_output(request: pytest.FixtureRequest, path: Path) -> None:
    _compare(request, _file_snapshot(path), concise_output([check_fixture(path)]))


@pytest.mark.parametrize("root", ROOTS, ids=[r.name for r in ROOTS])
def test_project_concise_output(request: pytest.FixtureRequest, root: Path) -> None:
    outcomes = [check_fixture(p) for p in _project_files(root)]
    _compare(request, _project_snapshot(root), concise_output(outcomes))


def _fixed(path: Path) -> Outcome:
    # `--fix --unsafe-fixes` with the default selection, as tests/test_fixes.py runs it.
    return check_fixture(path, ("API",), fix=True)


@pytest.mark.parametrize("path", FIXES, ids=[p.name for p in FIXES])
def test_fix_diff(request: pytest.FixtureRequest, path: Path) -> None:
    outcome = _fixed(path)
    assert outcome.error is None, outcome.error
    assert outcome.fixed_source is not None, f"{relative(path)}: no fix applied"
    name = relative(path)
    diff = "".join(
        difflib.unified_diff(
            read_source(path).splitlines(keepends=True),
            outcome.fixed_source.splitlines(keepends=True),
            f"a/{name}",
            f"b/{name}",
        )
    )
    _compare(request, _diff_snapshot(path), diff)
    fixed = path.with_name(path.name + ".fixed").read_text(encoding="utf-8")
    assert outcome.fixed_source == fixed, f"{name}: the fix no longer gives {name}.fixed"


def test_no_stale_snapshots(request: pytest.FixtureRequest) -> None:
    stale = sorted(p for p in SNAPSHOTS.rglob("*") if p.is_file()) if SNAPSHOTS.exists() else []
    stale = [p for p in stale if p not in _expected_snapshots()]
    if request.config.getoption("--update-snapshots"):
        for path in stale:
            path.unlink()
        return
    assert not stale, (
        f"snapshots without a fixture: {[p.relative_to(REPO).as_posix() for p in stale]}; "
        f"`{REGENERATE}` removes them"
    )


def test_snapshots_never_show_a_secret() -> None:
    """RULES.md, "Secrets in output": the stored snapshots too (they are published)."""
    stored = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted(_expected_snapshots()) if p.exists()
    )
    assert "API50" in stored
    _assert_no_secret(stored, SECRET_FIXTURES)


def _finding_lines(text: str) -> list[str]:
    return sorted(line for line in text.splitlines() if line.startswith("fixtures/"))


def test_project_snapshots_are_what_the_cli_prints() -> None:
    """One CLI run over the fixture projects (the multi-file path: discovery, the
    order of checks, the pool, one index per project): its concise lines are
    exactly those the project snapshots are made of. The single files go through
    the same ``check_text`` as the CLI; tests/test_cli.py runs the CLI on them."""
    result = subprocess.run(
        [
            *(sys.executable, "-m", "fastapi_lint.cli", "check", "--no-cache", "--exit-zero"),
            *("--select", "ALL", "--output-format", "concise", relative(PROJECTS)),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    files = [p for root in ROOTS for p in _project_files(root)]
    expected = _finding_lines(concise_output([check_fixture(p) for p in files]))
    assert _finding_lines(result.stdout) == expected

"""Autofix end to end through the installed CLI: expected output, idempotence, safety, diff."""

from __future__ import annotations

import ast
import collections
import compileall
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.fixes import attach_fixes
from fastapi_lint.registry import FixAvailability, all_rules
from fastapi_lint.source import read_source
from tests.fixture_support import FIXTURES, expected_findings

FIX_FIXTURES = sorted((FIXTURES / "fixes").glob("*.py"))


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fastapi_lint.cli", "check", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _copy(tmp_path: Path, fixture: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'fixes'\n")
    target = tmp_path / fixture.name
    shutil.copy(fixture, target)
    return target


def test_every_fixable_rule_has_a_fix_fixture() -> None:
    fixable = {code for code, rule in all_rules().items() if rule.fix is not FixAvailability.NONE}
    covered = {path.name[:6].upper() for path in FIX_FIXTURES}
    assert fixable <= covered, fixable - covered


@pytest.mark.parametrize("fixture", FIX_FIXTURES, ids=[p.name for p in FIX_FIXTURES])
def test_fix_gives_the_expected_output(tmp_path: Path, fixture: Path) -> None:
    target = _copy(tmp_path, fixture)
    result = _cli(tmp_path, "--fix", "--unsafe-fixes", target.name)
    assert "Traceback" not in result.stderr, result.stderr
    fixed = target.read_text(encoding="utf-8")
    assert fixed == (fixture.parent / (fixture.name + ".fixed")).read_text(encoding="utf-8")
    ast.parse(fixed)
    fixed_codes = {code for _, code in expected_findings(fixture)}
    remaining = {d.code for d in check_source(fixed, str(target))}
    assert not remaining & fixed_codes, remaining
    assert result.returncode == 0, result.stdout + result.stderr

    again = _cli(tmp_path, "--fix", "--unsafe-fixes", target.name)
    assert target.read_text(encoding="utf-8") == fixed, "fixing twice changes nothing"
    assert again.returncode == 0


@pytest.mark.parametrize("fixture", FIX_FIXTURES, ids=[p.name for p in FIX_FIXTURES])
def test_diff_changes_nothing(tmp_path: Path, fixture: Path) -> None:
    target = _copy(tmp_path, fixture)
    result = _cli(tmp_path, "--diff", "--unsafe-fixes", target.name)
    assert target.read_text(encoding="utf-8") == fixture.read_text(encoding="utf-8")
    assert result.returncode == 1
    assert f"+++ b/{target.name}" in result.stdout


def test_unsafe_fixes_need_the_flag(tmp_path: Path) -> None:
    target = _copy(tmp_path, FIXTURES / "fixes" / "api502_env.py")
    result = _cli(tmp_path, "--fix", target.name)
    assert target.read_text(encoding="utf-8") == (FIXTURES / "fixes" / "api502_env.py").read_text(
        encoding="utf-8"
    )
    assert result.returncode == 1  # the findings remain


def test_fix_on_a_project_leaves_exactly_the_unfixable_findings(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "projects" / "async_session_app", project)
    shutil.copy(FIXTURES / "fixes" / "api206_lifespan.py", project / "app" / "main_events.py")
    expected: collections.Counter[str] = collections.Counter()
    for path in sorted(project.rglob("*.py")):
        source = read_source(path)
        for diagnostic in attach_fixes(source, check_source(source, str(path))):
            if diagnostic.fix is None:
                expected[diagnostic.code] += 1
    result = _cli(project, "--fix", "--unsafe-fixes", "--exit-zero", ".")
    assert "Traceback" not in result.stderr, result.stderr
    assert compileall.compile_dir(str(project), quiet=1, force=True)
    remaining: collections.Counter[str] = collections.Counter()
    for path in sorted(project.rglob("*.py")):
        remaining.update(d.code for d in check_source(read_source(path), str(path)))
    assert remaining == expected

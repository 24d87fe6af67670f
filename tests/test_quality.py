"""The repo's own hygiene: ruff and mypy on fastapi_lint/ are part of the test command."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.fixture_support import REPO


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is installed by the dev extra")
def test_ruff_lint() -> None:
    result = _run("ruff", "check", "fastapi_lint", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is installed by the dev extra")
def test_ruff_format() -> None:
    result = _run("ruff", "format", "--check", "fastapi_lint")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy() -> None:
    pytest.importorskip("mypy")
    result = _run(sys.executable, "-m", "mypy", "fastapi_lint")
    assert result.returncode == 0, result.stdout + result.stderr

"""Parallel runs on one project leave a valid cache and identical results; the cache holds no source."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.fixture_support import FIXTURES

SOURCE_MARKER = "a-comment-that-must-never-reach-the-cache"
SECRET = "s3cr3t-" + "value-" + "9f8e7d6c5b4a"


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "projects" / "sync_session_app", project)
    (project / "app" / "settings.py").write_text(
        f"# {SOURCE_MARKER}\nSECRET_KEY = {SECRET!r}\n", encoding="utf-8"
    )
    return project


def _cli(project: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fastapi_lint.cli",
            "check",
            "--output-format",
            "json",
            "--exit-zero",
            ".",
        ],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _flake8(project: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "flake8", "--select", "API", "--jobs", "2", "--exit-zero", "."],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _cli_findings(output: str) -> list[tuple[str, int, str]]:
    data = json.loads(output)
    return sorted((Path(d["filename"]).name, d["location"]["row"], d["code"]) for d in data)


def _flake8_findings(output: str) -> list[tuple[str, int, str]]:
    findings = []
    for line in output.splitlines():
        path, row, _col, rest = line.split(":", 3)
        findings.append((Path(path).name, int(row), rest.split()[0]))
    return sorted(findings)


def test_parallel_runs_agree_and_leave_a_valid_cache(tmp_path: Path) -> None:
    project = _project(tmp_path)
    running = [_cli(project), _cli(project), _flake8(project)]
    outputs = [process.communicate(timeout=600) for process in running]
    for process, (_, stderr) in zip(running, outputs):
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr
    first, second = _cli_findings(outputs[0][0]), _cli_findings(outputs[1][0])
    assert first == second
    assert first, "the project has findings"
    assert _flake8_findings(outputs[2][0]) == first

    # Warm runs after the race agree too.
    warm_cli = _cli(project).communicate(timeout=600)
    warm_flake8 = _flake8(project).communicate(timeout=600)
    assert _cli_findings(warm_cli[0]) == first
    assert _flake8_findings(warm_flake8[0]) == first

    cache = project / ".fastapi_lint_cache"
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files, "the runs wrote a cache"
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".json":
            json.loads(text)  # every cache file is whole, never torn
        assert SOURCE_MARKER not in text, path
        assert SECRET not in text, path
        assert "def get_db" not in text, path

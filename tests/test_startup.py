"""What ``fastapi-lint check`` imports to start, in a fresh interpreter (no timing).

Every editor save and pre-commit hook pays the start-up of a one-file check, so
the machinery of the other commands and of the paths a run does not take stays
out: the language server, the fixers and libcst (no finding to fix), the docs,
the other output formats, the worker pool (one file), the TOML reader
(``--isolated``: no configuration read), the route inventory's formats, and the
standard modules that a few rules need only when they meet what they check;
and with ``--select``, the families not selected.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

NOT_IMPORTED_BY_CHECK = (
    "fastapi_lint.server",
    "fastapi_lint.launcher",
    "fastapi_lint.flake8_plugin",
    "fastapi_lint.docs",
    "fastapi_lint.fixes",
    "fastapi_lint.fixes.rules",
    "fastapi_lint.output.sarif",
    "fastapi_lint.output.junit",
    "fastapi_lint.output.json_format",
    "fastapi_lint.output.ci",
    "pygls",
    "lsprotocol",
    "libcst",
    "flake8",
    "concurrent.futures",
    "multiprocessing",
    "difflib",
    "tomllib",
    "csv",
    "http",
    "base64",
)

_PROBE = """
import json, sys
from fastapi_lint.cli import main
code = main(["check", "--isolated", "--no-cache", "-q", *sys.argv[1:]])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _modules_after_check(path: Path, *flags: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *flags, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=path.parent,
    )
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["code"] == 0, result.stderr
    return set(report["modules"])


def test_check_of_one_file_imports_only_what_it_runs(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text("import os\n\nTIMEOUT = int(os.environ.get('TIMEOUT', '5'))\n")
    loaded = _modules_after_check(path)
    assert "fastapi_lint.rules.blocking" in loaded  # the probe did run the rules
    wrong = sorted(name for name in NOT_IMPORTED_BY_CHECK if name in loaded)
    assert not wrong, f"imported by `check` on one clean file: {wrong}"


def test_a_selected_family_is_the_only_one_imported(tmp_path: Path) -> None:
    path = tmp_path / "models.py"
    path.write_text("from pydantic import BaseModel\n\n\nclass Item(BaseModel):\n    id: int\n")
    loaded = _modules_after_check(path, "--select", "API6")
    assert "fastapi_lint.rules.pydantic_v1" in loaded
    others = ("blocking", "routes", "sessions", "nplusone", "secrets", "secret_patterns")
    wrong = [name for name in others if f"fastapi_lint.rules.{name}" in loaded]
    assert not wrong, f"`--select API6` imported {wrong}"

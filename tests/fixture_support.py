"""The eval-file convention: expectations are trailing ``# error: CODE`` comments.

A line may expect several findings: ``# error: API101, API107``. A header
comment ``# config: {"extra-blocking-calls": ["mylib.fetch"]}`` (JSON) sets
rule options for that file. The harness compares the complete set of
(line, code) findings, so an unmarked line must be silent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi_lint.settings import RuleOptions

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
EXPECT = re.compile(r"#\s*error:\s*(?P<codes>API\d{3}(?:\s*,\s*API\d{3})*)")
CONFIG = re.compile(r"^#\s*config:\s*(?P<json>\{.*\})\s*$")


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*.py") if "__pycache__" not in p.parts)


def expected_findings(path: Path) -> set[tuple[int, str]]:
    expected = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for code in match.group("codes").split(","):
                expected.add((number, code.strip()))
    return expected


def fixture_config(path: Path) -> dict[str, object]:
    for line in path.read_text(encoding="utf-8").splitlines()[:5]:
        match = CONFIG.match(line.strip())
        if match:
            return dict(json.loads(match.group("json")))
    return {}


def fixture_options(path: Path) -> RuleOptions:
    config = fixture_config(path)
    fields = {key.replace("-", "_"): value for key, value in config.items()}
    for key, value in list(fields.items()):
        if isinstance(value, list):
            fields[key] = tuple(value)
    return RuleOptions(**fields)  # type: ignore[arg-type]


def relative(path: Path) -> str:
    return path.relative_to(REPO).as_posix()

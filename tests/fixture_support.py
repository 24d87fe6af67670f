"""The eval-file convention: expectations are trailing ``# error: CODE`` comments.

An annotation names the findings of its line, separated by commas. Each item is
a code with an optional 1-based *character* column (as the concise output
prints it) and an optional quoted substring of the message::

    time.sleep(1)  # error: API102
    time.sleep(1)  # error: API102:5
    time.sleep(1)  # error: API102:5 "time.sleep"
    requests.get(u)  # error: API101:5 "requests.get", API107

A column or a message makes the item stricter; a plain code checks the line
and the code only. A code is written once per finding: two findings of one
code on a line are ``# error: API103, API103`` (or ``API103:5, API103:35``). The message is quoted with ``"`` or
``'``; a backslash escapes the quote. A malformed annotation is an error, not
a silent pass.

A header comment ``# config: {"extra-blocking-calls": ["mylib.fetch"]}``
(JSON) sets rule options for that file. The harness compares the complete set
of findings, so an unmarked line must be silent.

The harness checks every file twice, in process through ``linter.check_text``
(the CLI's path: noqa, fixes, character columns) sharing the process's project
indexes: once with every rule (``--select ALL``, opt-in codes included) and
once with only the file's own families selected (:func:`fixture_families`).
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi_lint.config import Settings
from fastapi_lint.linter import Job, Outcome, check_text
from fastapi_lint.output import Finding, Report
from fastapi_lint.registry import opt_in_codes
from fastapi_lint.settings import RuleOptions
from fastapi_lint.source import read_source

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
PROJECTS = FIXTURES / "projects"
FIX_FIXTURES_DIR = FIXTURES / "fixes"
CONFIG = re.compile(r"^#\s*config:\s*(?P<json>\{.*\})\s*$")
ANNOTATION = re.compile(r"#\s*error:(?P<items>.*)$")
ITEM = re.compile(
    r"""\s*(?P<code>API\d{3})
        (?::(?P<col>\d+))?
        (?:\s+(?P<quote>["'])(?P<message>(?:\\.|(?!(?P=quote)).)*)(?P=quote))?
        \s*(?P<end>,|$)""",
    re.VERBOSE,
)
# fixtures/api101_*.py, fixtures/fixes/api102_*.py: the family is in the name.
NAMED = re.compile(r"^api(?P<family>\d)\d\d_")


@dataclass(frozen=True)
class Expectation:
    line: int
    code: str
    col: int | None = None  # 1-based character column, as the concise output prints it
    message: str | None = None  # a substring of the message

    def matches(self, finding: Finding) -> bool:
        return (
            (finding.line, finding.code) == (self.line, self.code)
            and (self.col is None or finding.col == self.col)
            and (self.message is None or self.message in finding.message)
        )

    def __str__(self) -> str:
        col = f":{self.col}" if self.col is not None else ""
        message = f" {json.dumps(self.message)}" if self.message is not None else ""
        return f"{self.line}: {self.code}{col}{message}"


class AnnotationError(ValueError):
    """An ``# error:`` comment that does not follow the grammar above."""


def parse_annotation(text: str, line: int) -> list[Expectation]:
    """The expectations of one source line (none without an ``# error:`` comment)."""
    match = ANNOTATION.search(text)
    if match is None:
        return []
    items = match.group("items")
    expectations = []
    position = 0
    while True:
        item = ITEM.match(items, position)
        if item is None:
            raise AnnotationError(f"line {line}: cannot read annotation {match.group(0)!r}")
        message = item.group("message")
        if message is not None:
            message = re.sub(r"\\(.)", r"\1", message)
        col = item.group("col")
        expectations.append(
            Expectation(line, item.group("code"), int(col) if col else None, message)
        )
        position = item.end()
        if item.group("end") != ",":
            return expectations


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*.py") if "__pycache__" not in p.parts)


def project_roots() -> list[Path]:
    return sorted(p for p in PROJECTS.iterdir() if p.is_dir())


def fix_fixtures() -> list[Path]:
    return sorted(FIX_FIXTURES_DIR.glob("*.py"))


@cache
def expectations(path: Path) -> tuple[Expectation, ...]:
    found: list[Expectation] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        found.extend(parse_annotation(line, number))
    return tuple(found)


def expected_findings(path: Path) -> set[tuple[int, str]]:
    """(line, code) of every annotation: what the plain annotations always said."""
    return {(e.line, e.code) for e in expectations(path)}


def project_of(path: Path) -> Path | None:
    """The fixture project (``fixtures/projects/<name>``) a file belongs to."""
    try:
        name = path.relative_to(PROJECTS).parts[0]
    except ValueError:
        return None
    return PROJECTS / name


def fixture_families(path: Path) -> tuple[str, ...]:
    """The families a fixture is about, for its own-family pass.

    ``apiNNN_*.py`` (under ``fixtures/`` or ``fixtures/fixes/``): the family of
    that code, ``APIN``. Any other file (``fixtures/tests/``, the files of a
    project): the families of the codes annotated in it, for a project's file
    in any file of its project (a project is checked as one unit, so a silent
    module is checked with its project's families too). Empty when nothing is
    annotated: such a file only has the all-rules pass.
    """
    named = NAMED.match(path.name)
    if named:
        return (f"API{named.group('family')}",)
    project = project_of(path)
    files = sorted(project.rglob("*.py")) if project is not None else [path]
    return tuple(sorted({e.code[:4] for f in files for e in expectations(f)}))


def family_selection(path: Path) -> tuple[str, ...]:
    """``--select`` for the own-family pass: the families, plus the opt-in codes of
    those families that the file expects (an opt-in code needs its own code)."""
    families = fixture_families(path)
    opt_in = sorted(
        {e.code for e in expectations(path) if e.code in opt_in_codes() and e.code[:4] in families}
    )
    return (*families, *opt_in)


def fixture_config(path: Path) -> dict[str, object]:
    for line in path.read_text(encoding="utf-8").splitlines()[:5]:
        match = CONFIG.match(line.strip())
        if match:
            return dict(json.loads(match.group("json")))
    return {}


def _option_fields(path: Path) -> dict[str, object]:
    fields: dict[str, object] = {}
    for key, value in fixture_config(path).items():
        fields[key.replace("-", "_")] = tuple(value) if isinstance(value, list) else value
    return fields


def fixture_options(path: Path) -> RuleOptions:
    return RuleOptions(**_option_fields(path))  # type: ignore[arg-type]


def fixture_settings(path: Path, select: Sequence[str] = ("ALL",)) -> Settings:
    """The CLI settings a file is checked with: its header's options and ``select``."""
    return dataclasses.replace(Settings(select=tuple(select)), options=fixture_options(path))


def relative(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def check_fixture(path: Path, select: Sequence[str] = ("ALL",), fix: bool = False) -> Outcome:
    """``fastapi-lint check --select ... [--fix --unsafe-fixes]`` on one fixture, in process.

    Cached: the all-rules pass feeds both the annotation test and the snapshots.
    The findings' paths are relative to the repository, as the CLI shows them
    when run from its root.
    """
    return _check_fixture(path, tuple(select), fix)


@cache
def _check_fixture(path: Path, select: tuple[str, ...], fix: bool) -> Outcome:
    job = Job(fixture_settings(path, select), fix=fix, unsafe_fixes=fix)
    outcome = check_text(str(path), read_source(path), job)
    outcome.findings = [dataclasses.replace(f, path=relative(path)) for f in outcome.findings]
    return outcome


def compare(
    path: Path, findings: Iterable[Finding], enabled: frozenset[str] | None = None
) -> list[str]:
    """What differs between a file's annotations (of the ``enabled`` codes) and its findings.

    Per line and code, there must be as many findings as annotated items, and
    each item (the most specific first) takes a finding it matches.
    """
    found: dict[tuple[int, str], list[Finding]] = {}
    for finding in sorted(findings):
        found.setdefault((finding.line, finding.code), []).append(finding)
    expected: dict[tuple[int, str], list[Expectation]] = {}
    for expectation in expectations(path):
        if enabled is None or expectation.code in enabled:
            expected.setdefault((expectation.line, expectation.code), []).append(expectation)
    problems: list[str] = []
    for line, code in sorted(set(found) | set(expected)):
        candidates = list(found.get((line, code), []))
        items = expected.get((line, code), [])
        shown = "; ".join(f"{f.col}: {f.message}" for f in candidates)
        if not items:
            problems.append(f"unexpected {line}: {code} at {shown}")
        elif not candidates:
            problems.append(f"missing {line}: {code}")
        elif len(items) != len(candidates):
            problems.append(
                f"{line}: {code} annotated {len(items)} time(s), found {len(candidates)}: {shown}"
            )
        else:
            for item in sorted(items, key=lambda e: (e.col is None, e.message is None)):
                match = next((f for f in candidates if item.matches(f)), None)
                if match is None:
                    problems.append(f"expected {item}, found {shown}")
                else:
                    candidates.remove(match)
    return problems


def concise_output(outcomes: Sequence[Outcome]) -> str:
    """What ``fastapi-lint check --output-format concise`` prints for these files
    (findings, file errors on stderr left out, then the summary line)."""
    from fastapi_lint.output import text

    report = Report(
        sorted(f for o in outcomes for f in o.findings),
        sorted(o.error for o in outcomes if o.error is not None),
        files_checked=len(outcomes),
    )
    out = io.StringIO()
    text.concise(report, out)
    out.write(text.summary(report, fix_mode=False) + "\n")
    return out.getvalue()

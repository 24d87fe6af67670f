"""``# noqa``: the CLI silences exactly what flake8 silences; ``--add-noqa`` placement."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fastapi_lint.noqa import NoqaMap, add_noqa, noqa_rows

HEADER = """\
import time
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def index() -> None:
"""
CASES = [
    "    time.sleep(1)",
    "    time.sleep(1)  # noqa",
    "    time.sleep(1)  # NOQA",
    "    time.sleep(1)  #noqa",
    "    time.sleep(1)  # noqa: API102",
    "    time.sleep(1)  # noqa:API102",
    "    time.sleep(1)  # noqa:  API101",
    "    time.sleep(1)  # noqa : API101",
    "    time.sleep(1)  # noqa: api102",
    "    time.sleep(1)  # noqa: API1",
    "    time.sleep(1)  # noqa: API10",
    "    time.sleep(1)  # noqa: API101",
    "    time.sleep(1)  # noqa: API101,API102",
    "    time.sleep(1)  # noqa:E501 API102",
    "    time.sleep(1)  # noqa: E501, W291 because reasons",
    "    time.sleep(1)  # type: ignore  # noqa: API102",
    "    time.sleep(1)  # noqa - API101",
    '    time.sleep(len("# noqa"))',
    '    time.sleep(len("""\n    text\n    """))  # noqa: API102',
    "    time.sleep(\n        1,\n    )  # noqa",
    "    time.sleep(1) or \\\n        None  # noqa",
    '    x = """\n    # noqa\n    """ + str(time.sleep(1))',
]


def _source() -> str:
    return HEADER + "\n".join(CASES) + "\n"


def _flake8(path: Path) -> set[tuple[int, str]]:
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "API", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = set()
    for line in result.stdout.splitlines():
        _, row, _, rest = line.split(":", 3)
        found.add((int(row), rest.split()[0]))
    return found


def _cli(path: Path) -> set[tuple[int, str]]:
    from fastapi_lint.config import Settings
    from fastapi_lint.linter import Job, check_path
    from fastapi_lint.settings import RuleOptions

    outcome = check_path(Job(Settings(options=RuleOptions(project_index=False))), str(path))
    assert outcome.error is None
    return {(f.line, f.code) for f in outcome.findings}


@pytest.mark.skipif(shutil.which("flake8") is None, reason="flake8 is in the dev extra")
def test_cli_silences_exactly_what_flake8_silences(tmp_path: Path) -> None:
    path = tmp_path / "cases.py"
    path.write_text(_source(), encoding="utf-8")
    expected = _flake8(path)
    assert expected, "the flake8 plugin reported nothing: is fastapi-lint installed?"
    assert _cli(path) == expected


@pytest.mark.skipif(shutil.which("flake8") is None, reason="flake8 is in the dev extra")
@pytest.mark.parametrize(
    "first_line",
    ["# flake8: noqa", "# flake8: NOQA", "# flake8:noqa: API102", "x = 1  # flake8: noqa"],
)
def test_file_level_flake8_noqa(tmp_path: Path, first_line: str) -> None:
    path = tmp_path / "cases.py"
    path.write_text(first_line + "\n" + _source(), encoding="utf-8")
    assert _cli(path) == _flake8(path)


def test_expected_lines_by_hand() -> None:
    source = _source()
    noqa = NoqaMap(source)
    first = len(HEADER.splitlines()) + 1
    silenced = {
        index: noqa.is_silenced(first + sum(c.count("\n") for c in CASES[:index]) + index, "API102")
        for index in range(len(CASES))
    }
    assert silenced[0] is False
    assert silenced[1] and silenced[2]
    assert silenced[3] is False  # flake8 needs "# noqa" with the space
    assert silenced[6] and silenced[7]  # read as a blanket noqa by flake8
    assert silenced[8] is False  # codes are case-sensitive
    assert silenced[9] and silenced[10] and not silenced[11]
    assert silenced[18]  # a multi-line string joins its lines
    assert silenced[19] is False  # brackets do not
    assert silenced[20]  # a backslash continuation does


def test_fastapi_lint_file_level() -> None:
    assert NoqaMap("# fastapi-lint: noqa\nx = 1\n").is_silenced(2, "API102")
    scoped = NoqaMap("x = 1\n# fastapi-lint: noqa: API5, API102\n")
    assert scoped.is_silenced(1, "API501") and scoped.is_silenced(1, "API102")
    assert not scoped.is_silenced(1, "API101")
    assert not NoqaMap("x = 1  # fastapi-lint: noqa\n").file_level  # only on a line of its own


def test_noqa_rows_multiline_string() -> None:
    source = 'x = f(\n    """\n    secret\n    """,\n)\ny = 1 + \\\n    2\n'
    rows = noqa_rows(source)
    assert rows[2] == 4 and rows[3] == 4
    assert 1 not in rows  # brackets: the line itself takes the comment
    assert rows[6] == 7


def test_add_noqa_placement_and_merge() -> None:
    source = (
        "a = 1\n"
        "b = 2  # noqa: E501\n"
        "c = 3  # keep me\n"
        'd = """\n'
        "text\n"
        '"""\n'
        "e = 5 + \\\n"
        "    6\n"
        "f = 6  # noqa\n"
        "g = 7  # noqa: API1\n"
        "h = 8  # noqa:API101,\n"
    )
    findings = [
        (1, "API102"),
        (1, "API101"),
        (2, "API102"),
        (3, "API102"),
        (4, "API501"),
        (7, "API102"),
        (9, "API102"),
        (10, "API102"),
        (11, "API102"),
    ]
    new, changed = add_noqa(source, findings)
    assert new == (
        "a = 1  # noqa: API101, API102\n"
        "b = 2  # noqa: E501, API102\n"
        "c = 3  # keep me  # noqa: API102\n"
        'd = """\n'
        "text\n"
        '"""  # noqa: API501\n'
        "e = 5 + \\\n"
        "    6  # noqa: API102\n"
        "f = 6  # noqa\n"
        "g = 7  # noqa: API1\n"
        "h = 8  # noqa:API101, API102,\n"
    )
    assert changed == 6
    # Every finding is silenced afterwards, and a second run changes nothing.
    noqa = NoqaMap(new)
    assert all(noqa.is_silenced(line, code) for line, code in findings)
    assert add_noqa(new, findings) == (new, 0)


def test_add_noqa_keeps_line_endings() -> None:
    new, changed = add_noqa("a = 1\r\nb = 2\r\n", [(2, "API102")])
    assert new == "a = 1\r\nb = 2  # noqa: API102\r\n" and changed == 1

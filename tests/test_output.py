"""Output formats and the fix hook, on synthetic findings (no rule offers fixes or API5xx yet)."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

from fastapi_lint.diagnostics import Edit, Fix
from fastapi_lint.linter import apply_fixes
from fastapi_lint.output import FileError, Finding, Report, renderer
from fastapi_lint.output.text import statistics


def _finding(path: str, code: str = "API102", **kw: object) -> Finding:
    values: dict[str, object] = dict(
        path=path, line=1, col=1, code=code, message="msg", end_line=1, end_col=4, noqa_row=1
    )
    values.update(kw)
    return Finding(**values)  # type: ignore[arg-type]


def _render(fmt: str, report: Report) -> str:
    out = io.StringIO()
    renderer(fmt)(report, out)
    return out.getvalue()


def test_full_format_never_echoes_a_secret_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "settings.py"
    path.write_text('SECRET_KEY = "sk_live_abcdefghijklmnopqrstuvwx"\n', encoding="utf-8")
    report = Report([_finding(str(path), "API501", message="'sk_l…' (32 chars)")], [])
    text = _render("full", report)
    assert "abcdefghijklmnop" not in text
    assert "source line hidden" in text
    shown = _render("full", Report([_finding(str(path), "API102")], []))
    assert "SECRET_KEY" in shown  # other codes show their line


def test_full_format_carets_with_tabs_and_unicode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "a.py"
    path.write_text("\tx = 'é'; time.sleep(1)\n", encoding="utf-8")
    text = _render("full", Report([_finding(str(path), col=11, end_col=24)], []))
    assert "1 | \tx = 'é'; time.sleep(1)\n  | \t         ^^^^^^^^^^^^^ API102" in text


def test_github_escaping() -> None:
    report = Report([_finding("a,b:c.py", message="50% done\nnext")], [])
    line = _render("github", report)
    assert "file=a%2Cb%3Ac.py" in line
    assert line.rstrip("\n").endswith("50%25 done%0Anext")


def test_gitlab_fingerprints_unique_and_stable() -> None:
    first = [_finding("a.py", line=3), _finding("a.py", line=9)]
    moved = [_finding("a.py", line=4), _finding("a.py", line=10)]
    a = [i["fingerprint"] for i in json.loads(_render("gitlab", Report(first, [])))]
    b = [i["fingerprint"] for i in json.loads(_render("gitlab", Report(moved, [])))]
    assert len(set(a)) == 2 and a == b


def test_junit_errors_and_clean() -> None:
    report = Report([], [FileError("bad.py", "E999", "SyntaxError: x", 1, 2)])
    root = ET.fromstring(_render("junit", report).split("\n", 1)[1])
    assert root.get("errors") == "1"


def test_json_fix_shape() -> None:
    fix = Fix("Use asyncio.sleep", safe=True, edits=(Edit(1, 0, 1, 10, "await asyncio.sleep"),))
    (item,) = json.loads(_render("json", Report([_finding("a.py", fix=fix)], [])))
    assert item["fix"] == {
        "applicability": "safe",
        "message": "Use asyncio.sleep",
        "edits": [
            {
                "content": "await asyncio.sleep",
                "location": {"row": 1, "column": 1},
                "end_location": {"row": 1, "column": 11},
            }
        ],
    }


def test_statistics_marks_fixable() -> None:
    fix = Fix("d", True, (Edit(1, 0, 1, 1, "x"),))
    out = io.StringIO()
    statistics(Report([_finding("a.py", fix=fix), _finding("b.py")], []), out)
    assert out.getvalue() == "2\tAPI102\t[*] blocking-sleep\n"


def test_apply_fixes_skips_overlaps() -> None:
    source = "time.sleep(1)\nx = 1\n"
    first = Fix("a", True, (Edit(1, 0, 1, 10, "await asyncio.sleep"),))
    overlapping = Fix("b", True, (Edit(1, 5, 1, 13, "nope"),))
    second = Fix("c", True, (Edit(2, 4, 2, 5, "2"),))
    new, applied = apply_fixes(source, [overlapping, second, first])
    assert applied == 2
    assert new == "await asyncio.sleep(1)\nx = 2\n"

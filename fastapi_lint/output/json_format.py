"""``json`` (one array) and ``json-lines`` (one object per line).

The shape is stable and follows ruff's (``ruff check --output-format json``)::

    {
      "code": "API102",
      "name": "blocking-sleep",
      "message": "...",
      "filename": "/abs/path/app/main.py",
      "location": {"row": 15, "column": 5},
      "end_location": {"row": 15, "column": 18},
      "noqa_row": 15,
      "fix": null | {"applicability": "safe" | "unsafe", "message": "...",
                     "edits": [{"content": "...", "location": {...}, "end_location": {...}}]},
      "url": null | "<$FASTAPI_LINT_DOCS_URL>#api102-blocking-sleep"
    }

Rows and columns are 1-based; columns count characters; ``end_location`` is
exclusive. ``noqa_row`` is the line where ``# noqa`` silences the finding.
``fix`` is the finding's fix in every run (``null`` when the rule has none
that applies here); after ``--fix`` it is the fix left (an unsafe fix without
``--unsafe-fixes``).

A file that could not be checked is an entry too, with ``E999`` (cannot
parse) or ``E902`` (cannot read) as its code, ``fix``, ``url`` and
``noqa_row`` null: a CI job never sees an empty report for a broken file.
"""

from __future__ import annotations

import json
import os
from typing import Any, TextIO

from fastapi_lint.output.report import FileError, Finding, Report


def finding_dict(finding: Finding) -> dict[str, Any]:
    fix: dict[str, Any] | None = None
    if finding.fix is not None:
        fix = {
            "applicability": "safe" if finding.fix.safe else "unsafe",
            "message": finding.fix.description,
            "edits": [
                {
                    "content": edit.content,
                    "location": {"row": edit.start_line, "column": edit.start_col + 1},
                    "end_location": {"row": edit.end_line, "column": edit.end_col + 1},
                }
                for edit in finding.fix.edits
            ],
        }
    filename = finding.path if finding.path in ("-", "<stdin>") else os.path.abspath(finding.path)
    return {
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "filename": filename,
        "location": {"row": finding.line, "column": finding.col},
        "end_location": {"row": finding.end_line, "column": finding.end_col},
        "noqa_row": finding.noqa_row,
        "fix": fix,
        "url": finding.url or None,
    }


def error_dict(error: FileError) -> dict[str, Any]:
    filename = error.path if error.path in ("-", "<stdin>") else os.path.abspath(error.path)
    where = {"row": error.line or 1, "column": error.col or 1}
    return {
        "code": error.code,
        "name": "syntax-error" if error.code == "E999" else "io-error",
        "message": error.message,
        "filename": filename,
        "location": where,
        "end_location": where,
        "noqa_row": None,
        "fix": None,
        "url": None,
    }


def _entries(report: Report) -> list[dict[str, Any]]:
    entries = [finding_dict(f) for f in report.findings]
    entries.extend(error_dict(e) for e in report.errors)
    return sorted(
        entries, key=lambda e: (e["filename"], e["location"]["row"], e["location"]["column"])
    )


def json_array(report: Report, out: TextIO) -> None:
    json.dump(_entries(report), out, indent=2, ensure_ascii=False)
    out.write("\n")


def json_lines(report: Report, out: TextIO) -> None:
    for entry in _entries(report):
        out.write(json.dumps(entry, ensure_ascii=False) + "\n")

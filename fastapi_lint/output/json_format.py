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
      "url": "https://.../docs/rules.md#api102-blocking-sleep"
    }

Rows and columns are 1-based; columns count characters; ``end_location`` is
exclusive. ``noqa_row`` is the line where ``# noqa`` silences the finding.
``fix`` is computed on the fix path only (``--fix``/``--diff``: the findings
left after fixing, e.g. unsafe fixes without ``--unsafe-fixes``); a plain run
reports ``null``, so that detection never pays for libcst.
"""

from __future__ import annotations

import json
import os
from typing import Any, TextIO

from fastapi_lint.output import Finding, Report


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
        "url": finding.url,
    }


def json_array(report: Report, out: TextIO) -> None:
    json.dump([finding_dict(f) for f in report.findings], out, indent=2, ensure_ascii=False)
    out.write("\n")


def json_lines(report: Report, out: TextIO) -> None:
    for finding in report.findings:
        out.write(json.dumps(finding_dict(finding), ensure_ascii=False) + "\n")

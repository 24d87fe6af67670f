"""CI annotations: ``github`` (workflow commands) and ``gitlab`` (Code Quality report)."""

from __future__ import annotations

import hashlib
import json
from typing import Any, TextIO

from fastapi_lint.output.report import Report, display_path


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(report: Report, out: TextIO) -> None:
    """One ``::error`` workflow command per finding: GitHub shows it on the diff."""
    for f in report.findings:
        path = display_path(f.path)
        properties = ",".join(
            [
                f"title={_escape_property(f'fastapi-lint ({f.code})')}",
                f"file={_escape_property(path)}",
                f"line={f.line}",
                f"col={f.col}",
                f"endLine={f.end_line}",
                f"endColumn={f.end_col}",
            ]
        )
        message = _escape_data(f"{path}:{f.line}:{f.col}: {f.code} {f.message}")
        out.write(f"::error {properties}::{message}\n")
    for e in report.errors:
        path = display_path(e.path)
        line, col = e.line or 1, e.col or 1
        properties = ",".join(
            [
                f"title={_escape_property(f'fastapi-lint ({e.code})')}",
                f"file={_escape_property(path)}",
                f"line={line}",
                f"col={col}",
            ]
        )
        message = _escape_data(f"{path}:{line}:{col}: {e.code} {e.message}")
        out.write(f"::error {properties}::{message}\n")


def gitlab(report: Report, out: TextIO) -> None:
    """GitLab Code Quality: fingerprints survive line moves (path, code, message, rank)."""
    seen: dict[str, int] = {}
    issues: list[dict[str, Any]] = []
    for f in report.findings:
        path = display_path(f.path)
        base = f"{path}\0{f.code}\0{f.message}"
        rank = seen.get(base, 0)
        seen[base] = rank + 1
        fingerprint = hashlib.sha256(f"{base}\0{rank}".encode()).hexdigest()
        issues.append(
            {
                "type": "issue",
                "check_name": f.code,
                "description": f"{f.code} {f.message}",
                "categories": ["Bug Risk"],
                "severity": "major",
                "fingerprint": fingerprint,
                "location": {"path": path, "lines": {"begin": f.line, "end": f.end_line}},
            }
        )
    for e in report.errors:
        path = display_path(e.path)
        base = f"{path}\0{e.code}\0{e.message}"
        issues.append(
            {
                "type": "issue",
                "check_name": e.code,
                "description": f"{e.code} {e.message}",
                "categories": ["Bug Risk"],
                "severity": "blocker",
                "fingerprint": hashlib.sha256(base.encode()).hexdigest(),
                "location": {"path": path, "lines": {"begin": e.line or 1, "end": e.line or 1}},
            }
        )
    json.dump(issues, out, indent=2, ensure_ascii=False)
    out.write("\n")

"""SARIF 2.1.0 (GitHub code scanning): rule metadata comes from the registry."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from fastapi_lint import __version__
from fastapi_lint.output.report import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/fastapi-lint/fastapi-lint"


def _uri(path: str) -> tuple[str, bool]:
    """(uri, relative to %SRCROOT%)."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(Path.cwd())
        return quote(relative.as_posix()), True
    except ValueError:
        return absolute.as_uri(), False


def rule_descriptors() -> list[dict[str, Any]]:
    from fastapi_lint.docs import rule_markdown
    from fastapi_lint.registry import all_rules

    descriptors = []
    for rule in all_rules().values():
        descriptors.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.why},
                "help": {"text": rule.summary, "markdown": rule_markdown(rule)},
                **({"helpUri": rule.url} if rule.url else {}),
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": [rule.family + "xx"], "fix": rule.fix.value},
            }
        )
    return sorted(descriptors, key=lambda d: d["id"])


def render(report: Report, out: TextIO) -> None:
    rules = rule_descriptors()
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    results = []
    for f in report.findings:
        uri, relative = _uri(f.path)
        artifact: dict[str, Any] = {"uri": uri}
        if relative:
            artifact["uriBaseId"] = "%SRCROOT%"
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": "error",
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.col,
                            "endLine": f.end_line,
                            "endColumn": max(f.end_col, 1),
                        },
                    }
                }
            ],
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        results.append(result)
    notifications = []
    for error in report.errors:
        uri, relative = _uri(error.path)
        artifact = {"uri": uri}
        if relative:
            artifact["uriBaseId"] = "%SRCROOT%"
        location: dict[str, Any] = {"artifactLocation": artifact}
        if error.line:
            location["region"] = {"startLine": error.line, "startColumn": max(error.col, 1)}
        notifications.append(
            {
                "level": "error",
                "descriptor": {"id": error.code},
                "message": {"text": error.message},
                "locations": [{"physicalLocation": location}],
            }
        )
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fastapi-lint",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
            }
        ],
    }
    json.dump(log, out, indent=2, ensure_ascii=False)
    out.write("\n")

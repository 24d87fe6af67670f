"""Output formats: one small module per family, all fed the same :class:`Report`.

``concise`` and ``full`` (text.py), ``json`` and ``json-lines`` (json_format.py),
``github`` and ``gitlab`` (ci.py), ``sarif`` (sarif.py), ``junit`` (junit.py).
Positions are 1-based lines and 1-based *character* columns (ast's byte
offsets are converted when the file is checked).
"""

from __future__ import annotations

from typing import Callable, TextIO

# The package's face: the renderers import these from ``report`` (not from
# here), so the package and its format modules do not import each other.
from fastapi_lint.output.report import FileError, Finding, Report, display_path

__all__ = ["FileError", "Finding", "Renderer", "Report", "display_path", "renderer"]

Renderer = Callable[[Report, TextIO], None]


def renderer(output_format: str) -> Renderer:
    if output_format in ("concise", "full"):
        from fastapi_lint.output import text

        return text.concise if output_format == "concise" else text.full
    if output_format in ("json", "json-lines"):
        from fastapi_lint.output import json_format

        return json_format.json_array if output_format == "json" else json_format.json_lines
    if output_format in ("github", "gitlab"):
        from fastapi_lint.output import ci

        return ci.github if output_format == "github" else ci.gitlab
    if output_format == "sarif":
        from fastapi_lint.output import sarif

        return sarif.render
    if output_format == "junit":
        from fastapi_lint.output import junit

        return junit.render
    raise ValueError(f"unknown output format {output_format!r}")

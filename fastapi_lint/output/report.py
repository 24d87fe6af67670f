"""What every output format is fed: findings, file errors and the report."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi_lint.diagnostics import Fix

if TYPE_CHECKING:
    from fastapi_lint.registry import Rule


@dataclass(frozen=True, order=True)
class Finding:
    path: str  # as checked (relative paths stay relative)
    line: int
    col: int  # 1-based, characters
    code: str
    message: str
    end_line: int
    end_col: int  # 1-based, exclusive, characters
    noqa_row: int
    fix: Fix | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        rule = _rule(self.code)
        return rule.name if rule else ""

    @property
    def url(self) -> str:
        rule = _rule(self.code)
        return rule.url if rule else ""

    @property
    def is_secret(self) -> bool:
        """API5xx findings: never echo their source line."""
        return self.code.startswith("API5")


@dataclass(frozen=True, order=True)
class FileError:
    path: str
    code: str  # E902 (cannot read) or E999 (cannot parse)
    message: str
    line: int = 0  # 0: no position
    col: int = 0

    def render(self) -> str:
        where = (
            f"{display_path(self.path)}:{self.line}:{self.col}:"
            if self.line
            else f"{display_path(self.path)}:"
        )
        return f"{where} {self.code} {self.message}"


@dataclass
class Report:
    findings: list[Finding]
    errors: list[FileError]
    files_checked: int = 0
    fixed: int = 0
    unsafe_fixes: bool = False  # --unsafe-fixes: unsafe fixes count as applicable

    def applicable(self, finding: Finding) -> bool:
        """Whether ``--fix`` (with this run's ``--unsafe-fixes``) would fix the finding."""
        return finding.fix is not None and (finding.fix.safe or self.unsafe_fixes)


def _rule(code: str) -> Rule | None:
    from fastapi_lint.registry import rules_for

    return rules_for((code,)).get(code)


def display_path(path: str) -> str:
    """Relative to the working directory when inside it (as ruff shows paths)."""
    if path in ("-", "<stdin>"):
        return path
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute == cwd or absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, cwd).replace(os.sep, "/")
    return absolute.replace(os.sep, "/")

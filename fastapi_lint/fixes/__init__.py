"""Autofixes: attached to the CLI's findings (``[*]``, JSON's ``fix``) and editors' quick fixes.

Only a file with a finding of a fixable rule pays for them (libcst is
imported when a fix adds an import libcst places); the engine never imports
this package.
A fix is a set of text edits (1-based lines, 0-based *character* columns)
computed from the diagnostics of one module. Replacements are built from the
original source text, so formatting and comments around them are kept;
imports are added with libcst's ``AddImportsVisitor``, which places them as a
person would. Every fix is checked before it is offered: the fixed module
must still parse.

Safety follows ruff: a safe fix keeps the program's meaning apart from the
problem it solves; an unsafe one may change behaviour (``--unsafe-fixes``).
"""

from __future__ import annotations

import ast
import dataclasses

# The package's face; the fixers import these from ``context`` (not from here),
# so the package and ``fixes.rules`` do not import each other.
from fastapi_lint.diagnostics import Diagnostic, Fix
from fastapi_lint.fixes.context import FixContext, Fixer, line_edit, merge_edits
from fastapi_lint.source import apply_edits

__all__ = ["FixContext", "Fixer", "apply_edits", "attach_fixes", "line_edit", "merge_edits"]


def _parses(source: str, fix: Fix) -> bool:
    try:
        ast.parse(apply_edits(source, fix.edits))
    except (SyntaxError, ValueError):
        return False
    return True


def attach_fixes(source: str, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics with their fixes, where a rule has one that applies here."""
    from fastapi_lint.fixes.rules import FIXERS

    if not any(d.code in FIXERS and d.fix is None for d in diagnostics):
        return diagnostics
    try:
        context = FixContext(source)
    except (SyntaxError, ValueError, RecursionError):
        return diagnostics
    result = []
    for diagnostic in diagnostics:
        fixer = FIXERS.get(diagnostic.code)
        fix = None
        if fixer is not None and diagnostic.fix is None:
            try:
                fix = fixer(context, diagnostic)
            except (ValueError, IndexError, AttributeError, RecursionError):
                fix = None  # no fix rather than a wrong one
            if fix is not None and not _parses(source, fix):
                fix = None
        result.append(dataclasses.replace(diagnostic, fix=fix) if fix is not None else diagnostic)
    return result

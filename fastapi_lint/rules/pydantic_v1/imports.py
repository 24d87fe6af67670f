"""The import a fix needs (``ConfigDict``), found or added where a person would add it."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Edit
    from fastapi_lint.fixes.context import FixContext


def _sort_key(name: str) -> tuple[int, str]:
    # isort's (and ruff's) order-by-type: CONSTANTS, then Classes, then functions.
    if name.isupper() and len(name) > 1:
        return 0, name.lower()
    if name[:1].isupper():
        return 1, name.lower()
    return 2, name.lower()


def ensure_imported(context: FixContext, module: str, name: str) -> tuple[Edit | None, str | None]:
    """(the edit to add ``from module import name``, or None when it is there; the local name).

    The name joins an existing top-level ``from module import ...`` in its
    sorted place; otherwise libcst's ``AddImportsVisitor`` places a new import
    in the right section. The local name is None when something else is
    already called ``name`` here (no fix then).
    """
    from fastapi_lint.diagnostics import Edit

    existing: ast.ImportFrom | None = None
    for statement in context.tree.body:
        if (
            isinstance(statement, ast.ImportFrom)
            and statement.module == module
            and not statement.level
        ):
            for alias in statement.names:
                if alias.name == name:
                    return None, alias.asname or name
            if not any(alias.name == "*" for alias in statement.names):
                existing = existing or statement
    if context.binds_name(name):
        return None, None
    if existing is None or not all(hasattr(a, "lineno") for a in existing.names):
        return context.import_edit(module, name), name
    # Python 3.10+: aliases carry positions; insert in isort order.
    key = _sort_key(name)
    for alias in existing.names:
        if _sort_key(alias.name) > key:
            line, col = alias.lineno, context.char_col(alias.lineno, alias.col_offset)
            before = context.lines[line - 1][:col]
            if before.strip() == "":  # one name per line: a line of its own
                return Edit(line, col, line, col, f"{name},\n{before}"), name
            return Edit(line, col, line, col, f"{name}, "), name
    last = existing.names[-1]
    end_line = last.end_lineno or last.lineno
    end_col = context.char_col(end_line, last.end_col_offset or 0)
    start = context.lines[last.lineno - 1]
    before = start[: context.char_col(last.lineno, last.col_offset)]
    if before.strip() == "":
        return Edit(end_line, end_col, end_line, end_col, f",\n{before}{name}"), name
    return Edit(end_line, end_col, end_line, end_col, f", {name}"), name

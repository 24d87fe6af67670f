"""Diagnostics and the reporter rules use to create them."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from fastapi_lint.lazy_re import lazy_compile

if TYPE_CHECKING:
    from fastapi_lint.registry import Rule


@dataclass(frozen=True)
class Edit:
    """Replace the text between two (1-based line, 0-based column) positions."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int
    content: str


@dataclass(frozen=True)
class Fix:
    description: str
    safe: bool
    edits: tuple[Edit, ...]


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    col: int  # 0-based, as in ast and flake8
    code: str
    message: str
    end_line: int = 0
    end_col: int = 0
    fix: Optional[Fix] = field(default=None, compare=False)


class Reporter:
    """Collects diagnostics for one module; rules call ``report``."""

    def __init__(
        self,
        path: str,
        rules: dict[str, Rule],
        enabled: frozenset[str] | None = None,
        lines: list[str] | None = None,
    ):
        self.path = path
        self.lines = lines or []
        self._rules = rules
        self._enabled = enabled
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[tuple[str, int, int]] = set()

    def enabled(self, code: str) -> bool:
        return self._enabled is None or code in self._enabled

    def report(
        self,
        code: str,
        node: ast.AST,
        *,
        line: int | None = None,
        col: int | None = None,
        fix: Fix | None = None,
        **fields: Any,
    ) -> None:
        if not self.enabled(code):
            return
        rule = self._rules[code]
        start_line = line if line is not None else getattr(node, "lineno", 1)
        start_col = col if col is not None else getattr(node, "col_offset", 0)
        key = (code, start_line, start_col)
        if key in self._seen:
            return
        self._seen.add(key)
        message = one_line(rule.message.format(**fields))
        end_line = getattr(node, "end_lineno", None) or start_line
        end_col = getattr(node, "end_col_offset", None) or start_col
        name = self._name_token(node, start_line, start_col)
        if name is not None:
            # A finding about a whole def or class points at its name (as ruff's
            # do): the editor underlines one word, not fifty lines.
            start_col, end_line, end_col = name[0], start_line, name[1]
        self.diagnostics.append(
            Diagnostic(
                path=self.path,
                line=start_line,
                col=start_col,
                code=code,
                message=message,
                end_line=end_line,
                end_col=end_col,
                fix=fix,
            )
        )

    def _name_token(self, node: ast.AST, line: int, col: int) -> tuple[int, int] | None:
        """(start, end) byte columns of a def's or class' name, when reported at its keyword."""
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return None
        if (line, col) != (node.lineno, node.col_offset) or not 1 <= line <= len(self.lines):
            return None
        text = self.lines[line - 1].encode("utf-8", "surrogatepass")[col:]
        match = _DEF_KEYWORDS.match(text)
        if match is None or not text[match.end() :].startswith(node.name.encode("utf-8")):
            return None
        start = col + match.end()
        return start, start + len(node.name.encode("utf-8"))


_DEF_KEYWORDS = lazy_compile(rb"(?:async\s+)?(?:def|class)\s+")


def one_line(message: str) -> str:
    """Control characters (a newline in a quoted value) escaped: one finding, one line."""
    if message.isprintable():
        return message
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)

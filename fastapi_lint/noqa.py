"""``# noqa`` with flake8's semantics, for the CLI (flake8 applies its own).

``# noqa`` silences every finding on the line; ``# noqa: API101,API3``
silences codes starting with one of the listed prefixes. A comment anywhere in
a multi-line statement applies to all of its lines, as in flake8.
``# fastapi-lint: noqa`` on a line of its own silences the whole file.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

# flake8's own pattern (flake8/defaults.py), kept compatible on purpose.
NOQA_INLINE = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z][0-9]+(?:[,\s]+[A-Z][0-9]+)*))?",
    re.IGNORECASE,
)
NOQA_FILE = re.compile(r"#\s*fastapi-lint\s*:\s*noqa\b(?!\s*:)", re.IGNORECASE)
CODE = re.compile(r"[A-Z][0-9]+", re.IGNORECASE)


@dataclass(frozen=True)
class NoqaDirective:
    line: int  # the line the comment is on
    codes: tuple[str, ...] | None  # None: every code

    def matches(self, code: str) -> bool:
        return self.codes is None or any(code.startswith(prefix) for prefix in self.codes)


class NoqaMap:
    """Which findings of a file are silenced."""

    def __init__(self, source: str) -> None:
        self.file_level = False
        self._by_line: dict[int, list[NoqaDirective]] = {}
        comments, ranges = _comments_and_ranges(source)
        range_of_line: dict[int, tuple[int, int]] = {}
        for start, end in ranges:
            for line in range(start, end + 1):
                range_of_line[line] = (start, end)
        for line, text in comments:
            if NOQA_FILE.search(text):
                self.file_level = True
                continue
            match = NOQA_INLINE.search(text)
            if not match:
                continue
            codes = (
                tuple(c.upper() for c in CODE.findall(match.group("codes")))
                if match.group("codes")
                else None
            )
            directive = NoqaDirective(line, codes)
            start, end = range_of_line.get(line, (line, line))
            for covered in range(start, end + 1):
                self._by_line.setdefault(covered, []).append(directive)

    def directive_for(self, line: int, code: str) -> NoqaDirective | None:
        for directive in self._by_line.get(line, ()):
            if directive.matches(code):
                return directive
        return None

    def is_silenced(self, line: int, code: str) -> bool:
        return self.file_level or self.directive_for(line, code) is not None


def _comments_and_ranges(source: str) -> tuple[list[tuple[int, str]], list[tuple[int, int]]]:
    comments: list[tuple[int, str]] = []
    ranges: list[tuple[int, int]] = []
    logical_start: int | None = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                comments.append((token.start[0], token.string))
            elif token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if logical_start is not None:
                    ranges.append((logical_start, token.end[0]))
                logical_start = None
            elif token.type not in (
                tokenize.NL,
                tokenize.INDENT,
                tokenize.DEDENT,
                tokenize.ENCODING,
            ):
                if logical_start is None:
                    logical_start = token.start[0]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        # Fall back to plain line comments; the file is checked as parsed.
        comments = [
            (number, line[line.index("#") :])
            for number, line in enumerate(source.splitlines(), start=1)
            if "#" in line
        ]
    return comments, ranges

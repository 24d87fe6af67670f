"""``# noqa`` with flake8's exact semantics, for the CLI (flake8 applies its own).

flake8 (``flake8/defaults.py``, ``violation.py``, ``processor.py``):

- ``# noqa`` silences every finding on the line; ``# noqa: API101,API3``
  silences the codes equal to, or starting with, one of the listed codes
  (case-sensitive, so ``# noqa: api101`` silences nothing).
- The pattern is searched in the *physical line text*, and only its first
  match counts. ``# noqa:`` followed by more than one space, or ``# noqa :``,
  is a blanket ``# noqa`` (flake8 reads it that way too).
- Lines joined by one token (a multi-line string) or by a backslash
  continuation form one range: a comment on any of its lines applies to all
  of them. Lines inside brackets are *not* joined (flake8 splits ranges at
  every ``NL`` token).
- ``# flake8: noqa`` at the start of a line silences the whole file.

fastapi-lint adds the file-level ``# fastapi-lint: noqa`` (whole file) and
``# fastapi-lint: noqa: API5`` (the listed codes in the whole file).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.source import physical_lines

# flake8's own pattern (flake8/defaults.py, 7.x), unchanged on purpose.
NOQA_INLINE = lazy_compile(
    r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?",
    re.IGNORECASE,
)
FLAKE8_NOQA_FILE = lazy_compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
NOQA_FILE = lazy_compile(
    r"\s*#\s*fastapi-lint\s*:\s*noqa(?:\s*:\s*(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?\s*$",
    re.IGNORECASE,
)
_SPLIT = lazy_compile(r"[,\s]")


def parse_codes(text: str) -> tuple[str, ...]:
    """flake8's ``parse_comma_separated_list``: split on commas and whitespace."""
    return tuple(item.strip() for item in _SPLIT.split(text) if item.strip())


@dataclass(frozen=True)
class NoqaDirective:
    codes: tuple[str, ...] | None  # None: every code

    def matches(self, code: str) -> bool:
        return self.codes is None or code in self.codes or code.startswith(self.codes)


def find_directive(text: str) -> NoqaDirective | None:
    match = NOQA_INLINE.search(text)
    if match is None:
        return None
    codes = match.group("codes")
    return NoqaDirective(None if codes is None else parse_codes(codes))


# The cheap test before any noqa work: every directive above contains this word
# (all patterns ignore case), so a file without it has no directive at all.
_NOQA_WORD = lazy_compile("noqa", re.IGNORECASE)


def has_noqa(source: str) -> bool:
    """Whether ``source`` can contain a ``# noqa`` directive (a substring test)."""
    return _NOQA_WORD.search(source) is not None


class NoqaMap:
    """Which findings of a file are silenced.

    Lazy: nothing is scanned before the first question, and a file without
    the word ``noqa`` is never split into lines nor tokenized (tokenizing
    every file was 40% of a cold run).
    """

    def __init__(self, source: str) -> None:
        self._source = source
        self._present = has_noqa(source)
        self._lines: list[str] | None = None
        self._file_level = False
        self._file_codes: tuple[str, ...] = ()
        self._scanned = False
        self._ranges: dict[int, tuple[int, int]] | None = None
        self._cache: dict[int, NoqaDirective | None] = {}

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = physical_lines(self._source)
        return self._lines

    def _scan_file_level(self) -> None:
        if self._scanned:
            return
        self._scanned = True
        if not self._present:
            return
        for line in self.lines:
            if FLAKE8_NOQA_FILE.match(line):
                self._file_level = True
            match = NOQA_FILE.match(line)
            if match:
                if match.group("codes"):
                    self._file_codes += parse_codes(match.group("codes"))
                else:
                    self._file_level = True

    @property
    def file_level(self) -> bool:
        self._scan_file_level()
        return self._file_level

    @property
    def file_codes(self) -> tuple[str, ...]:
        self._scan_file_level()
        return self._file_codes

    def noqa_text(self, line: int) -> str:
        """The text flake8 searches for the ``noqa`` of ``line``."""
        if self._ranges is None:
            self._ranges = line_ranges(self._source)
        start, end = self._ranges.get(line, (line, line))
        return "".join(self.lines[start - 1 : end])

    def rows(self, until: int | None = None) -> dict[int, int]:
        """``noqa_rows`` of the file, from the ranges already tokenized if any."""
        if self._ranges is None:
            return noqa_rows(self._source, until)
        return {line: end for line, (_, end) in self._ranges.items() if end != line}

    def directive_for(self, line: int) -> NoqaDirective | None:
        if not self._present:
            return None
        if line not in self._cache:
            self._cache[line] = find_directive(self.noqa_text(line))
        return self._cache[line]

    def silenced_in_file(self, code: str) -> bool:
        """Whether a file-level directive (``# fastapi-lint: noqa``, with or without
        codes, or ``# flake8: noqa``) silences ``code`` on every line."""
        if not self._present:
            return False
        return self.file_level or code.startswith(self.file_codes or ("\0",))

    def is_silenced(self, line: int, code: str) -> bool:
        if not self._present:
            return False
        if self.silenced_in_file(code):
            return True
        directive = self.directive_for(line)
        return directive is not None and directive.matches(code)


def line_ranges(source: str, until: int | None = None) -> dict[int, tuple[int, int]]:
    """flake8's ``_noqa_line_mapping``: line -> (first, last) line of its range.

    A range ends at every NL or NEWLINE token, so only multi-line tokens
    (strings) and backslash continuations join lines. Empty if the file
    cannot be tokenized (flake8 then reads each physical line alone).
    With ``until``, tokenizing stops once the ranges of lines up to
    ``until`` are known (the rest of the map is then incomplete).
    """
    ranges: dict[int, tuple[int, int]] = {}
    min_line = 1 << 30
    max_line = -1
    skipped = (tokenize.ENDMARKER, tokenize.DEDENT)
    ends = (tokenize.NL, tokenize.NEWLINE)
    try:
        tokens: Iterator[tokenize.TokenInfo] = tokenize.generate_tokens(
            io.StringIO(source).readline
        )
        if until is None:
            tokens = iter(list(tokens))  # a tokenizing error anywhere: no ranges
        for token in tokens:
            kind = token.type
            if kind in skipped:
                continue
            first, last = token.start[0], token.end[0]
            if first < min_line:
                min_line = first
            if last > max_line:
                max_line = last
            if kind in ends:
                if max_line > min_line:
                    for number in range(min_line, max_line + 1):
                        ranges[number] = (min_line, max_line)
                if until is not None and max_line >= until:
                    break
                min_line = 1 << 30
                max_line = -1
    except (tokenize.TokenError, SyntaxError):
        return {}
    return ranges


def noqa_rows(source: str, until: int | None = None) -> dict[int, int]:
    """line -> the line where a ``# noqa`` comment for it can be written.

    A comment cannot follow a backslash continuation or sit inside a
    multi-line string; then it goes at the end of the range (the last line
    of the string, or the line the continuation leads to). Lines missing
    from the result take the comment themselves. With ``until``, only lines
    up to ``until`` are answered (the file is tokenized up to there).
    """
    return {line: end for line, (_, end) in line_ranges(source, until).items() if end != line}


# ---------------------------------------------------------------------------
# --add-noqa


def _comment_columns(source: str) -> dict[int, int]:
    """line -> column where its comment starts (tokenizing the whole file)."""
    columns: dict[int, int] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                columns[token.start[0]] = token.start[1]
    except (tokenize.TokenError, SyntaxError):
        pass
    return columns


def _merge_comment(comment: str, codes: Iterable[str]) -> str | None:
    """The comment with ``codes`` added to its ``# noqa: X``; None if it has none."""
    match = NOQA_INLINE.search(comment)
    if match is None:
        return None
    existing = match.group("codes")
    if existing is None:
        return comment  # a blanket noqa already silences everything
    present = parse_codes(existing)
    added = sorted(c for c in set(codes) if not c.startswith(present))
    if not added:
        return comment
    kept = existing.rstrip(", \t")
    trailing = existing[len(kept) :]
    start, end = match.span("codes")
    return comment[:start] + kept + ", " + ", ".join(added) + trailing + comment[end:]


def add_noqa(source: str, findings: Iterable[tuple[int, str]]) -> tuple[str, int]:
    """Write ``# noqa: CODE`` comments for (line, code) findings.

    Returns the new source and the number of lines changed. Existing
    ``# noqa: X`` comments are merged; other comments are kept and the noqa
    comment is appended after them.
    """
    rows = noqa_rows(source)
    wanted: dict[int, set[str]] = {}
    for line, code in findings:
        wanted.setdefault(rows.get(line, line), set()).add(code)
    comments = _comment_columns(source)
    lines = physical_lines(source)
    changed = 0
    for row, codes in sorted(wanted.items()):
        if not 1 <= row <= len(lines):
            continue
        text = lines[row - 1]
        body = text.rstrip("\r\n")
        newline = text[len(body) :]
        column = comments.get(row)
        merged = _merge_comment(body[column:], codes) if column is not None else None
        if merged is not None and column is not None:
            new_body = body[:column] + merged
        else:
            new_body = f"{body.rstrip()}  # noqa: {', '.join(sorted(codes))}"
        if new_body != body:
            lines[row - 1] = new_body + newline
            changed += 1
    return "".join(lines), changed

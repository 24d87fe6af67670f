"""Source text: reading files (encodings, BOMs, odd bytes; never executes anything),
physical lines, ast's byte columns as characters, and applying edits.

Positions: ast reports 1-based lines and UTF-8 *byte* columns; findings,
fixes and editors count *characters* (the language server then converts to
the client's units). :func:`char_offset` is the one conversion and
:func:`apply_edits` the one edit applier; both go by :func:`physical_lines`,
the lines ast and the tokenizer count.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Edit

_LINE = lazy_compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class SourceError(Exception):
    """A file that cannot be read as Python source; the message is one line."""


def decode_source(data: bytes) -> str:
    """Decode bytes as Python does: BOM, PEP 263 coding cookie, else UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Python reads no UTF-16 source; tokenize would only say the declaration is missing.
        raise SourceError(
            "cannot decode: UTF-16 text (Python source is UTF-8 or a declared encoding)"
        )
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if data.startswith(b"\xef\xbb\xbf") and str(error).startswith("encoding problem"):
            # tokenize says `encoding problem: utf-8`; the cookie names another encoding.
            raise SourceError(
                "cannot decode: a UTF-8 BOM and a coding cookie for another encoding"
            ) from None
        raise SourceError(f"cannot decode: {error}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise SourceError(f"cannot decode as {encoding}: {error.__class__.__name__}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def read_source(path: Path | str) -> str:
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise SourceError("is a directory") from None
    except FileNotFoundError:
        raise SourceError("no such file (or a broken symlink)") from None
    except PermissionError:
        raise SourceError("permission denied") from None
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error.__class__.__name__}") from None
    return decode_source(data)


def physical_lines(source: str) -> list[str]:
    """Lines with their endings, split as the tokenizer does (not ``str.splitlines``,
    which also splits on form feeds and Unicode separators)."""
    return _LINE.findall(source)


# What ``str.splitlines`` breaks at and the tokenizer does not: a form feed between two
# sections of a module, a U+2028 in a string (the last three are not ASCII).
_OTHER_ASCII_BREAKS = "\x0b\x0c\x1c\x1d\x1e"
_OTHER_WIDE_BREAKS = "\x85\u2028\u2029"


def _other_breaks(source: str) -> bool:
    """Whether ``source`` holds one of those breaks: a substring test per character,
    the wide ones only in a text that is not ASCII (a character-class regex over
    every file took 1% of a cold check, ten times longer)."""
    if any(char in source for char in _OTHER_ASCII_BREAKS):
        return True
    return not source.isascii() and any(char in source for char in _OTHER_WIDE_BREAKS)


def source_lines(source: str) -> list[str]:
    """The lines of ``source`` without their endings, numbered as ast numbers them
    (``str.splitlines`` when it agrees: almost always, and faster)."""
    if not _other_breaks(source):
        return source.splitlines()
    return [line.rstrip("\r\n") for line in physical_lines(source)]


def char_offset(line_text: str, byte_col: int) -> int:
    """ast's UTF-8 byte offset in a line -> the 0-based character offset a user sees
    (at most the line's length)."""
    if byte_col <= 0:
        return 0
    return len(line_text.encode("utf-8", "surrogatepass")[:byte_col].decode("utf-8", "ignore"))


def line_char_offset(lines: list[str], line: int, byte_col: int) -> int:
    """:func:`char_offset` on the 1-based ``line`` of ``lines``; the byte offset as is
    on a line the text does not have."""
    if not 1 <= line <= len(lines):
        return max(byte_col, 0)
    return char_offset(lines[line - 1].rstrip("\r\n"), byte_col)


class TextOffsets:
    """(1-based line, 0-based character column) -> an offset in the text, clamped to it."""

    def __init__(self, source: str) -> None:
        self.length = len(source)
        self.starts = [0]
        for line in physical_lines(source):
            self.starts.append(self.starts[-1] + len(line))

    def __call__(self, line: int, col: int) -> int:
        index = min(max(line - 1, 0), len(self.starts) - 1)
        return min(self.starts[index] + col, self.length)


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """Apply edits (not overlapping; character columns) to a text."""
    offset = TextOffsets(source)
    spans = sorted(
        (
            (offset(e.start_line, e.start_col), offset(e.end_line, e.end_col), e.content)
            for e in edits
        ),
        reverse=True,
    )
    for start, end, content in spans:
        source = source[:start] + content + source[end:]
    return source

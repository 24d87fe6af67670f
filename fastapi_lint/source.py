"""Reading source files: encodings, BOMs, odd bytes. Never executes anything."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path


class SourceError(Exception):
    """A file that cannot be read as Python source; the message is one line."""


def decode_source(data: bytes) -> str:
    """Decode bytes as Python does: BOM, PEP 263 coding cookie, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
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


def char_offset(line_text: str, byte_col: int) -> int:
    """ast's UTF-8 byte offset in a line -> the 0-based character offset a user sees."""
    if byte_col <= 0:
        return max(byte_col, 0)
    encoded = line_text.encode("utf-8", "surrogatepass")
    if byte_col >= len(encoded):
        return len(line_text) + byte_col - len(encoded)
    return len(encoded[:byte_col].decode("utf-8", "ignore"))

"""Regular expressions compiled on first use.

A module-level ``re.compile`` runs when the module is imported, and every rule
module is imported on every start (``fastapi-lint check`` on one file, the
flake8 plugin's load, the language server's first request): about a hundred
patterns, ~10 ms of CPU, mostly for patterns that the file at hand never
reaches. ``lazy_compile`` keeps the module-level constant, read where it is
declared, and compiles it the first time one of its methods is called.

After that first call the compiled pattern's bound methods are set on the
object, where they shadow the class's methods (instance attributes win over
plain functions), so a call costs one attribute lookup more than on the
compiled pattern, not a Python-level delegation. tests/test_structure.py keeps
``re.compile`` out of module level.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any, AnyStr, Generic

# The methods bound on first use (the ones that match or split text).
_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "split", "sub", "subn")


class LazyPattern(Generic[AnyStr]):
    """``re.compile(pattern, flags)``, done by the first call of one of its methods."""

    def __init__(self, pattern: AnyStr, flags: int = 0) -> None:
        self.pattern: AnyStr = pattern
        self.flags = flags
        self._compiled: re.Pattern[AnyStr] | None = None

    def compiled(self) -> re.Pattern[AnyStr]:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self.pattern, self.flags)
            vars(self).update({name: getattr(compiled, name) for name in _METHODS})
        return compiled

    def __repr__(self) -> str:
        return f"lazy_compile({self.pattern!r}, {self.flags})"

    # Until the first call binds the compiled pattern's own methods over these.
    def search(
        self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize
    ) -> re.Match[AnyStr] | None:
        return self.compiled().search(string, pos, endpos)

    def match(
        self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize
    ) -> re.Match[AnyStr] | None:
        return self.compiled().match(string, pos, endpos)

    def fullmatch(
        self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize
    ) -> re.Match[AnyStr] | None:
        return self.compiled().fullmatch(string, pos, endpos)

    def finditer(
        self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[AnyStr]]:
        return self.compiled().finditer(string, pos, endpos)

    def findall(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.compiled().findall(string, pos, endpos)

    def split(self, string: AnyStr, maxsplit: int = 0) -> list[AnyStr | Any]:
        return self.compiled().split(string, maxsplit)

    def sub(
        self, repl: AnyStr | Callable[[re.Match[AnyStr]], AnyStr], string: AnyStr, count: int = 0
    ) -> AnyStr:
        return self.compiled().sub(repl, string, count)

    def subn(
        self, repl: AnyStr | Callable[[re.Match[AnyStr]], AnyStr], string: AnyStr, count: int = 0
    ) -> tuple[AnyStr, int]:
        return self.compiled().subn(repl, string, count)


def lazy_compile(pattern: AnyStr, flags: int = 0) -> LazyPattern[AnyStr]:
    """A pattern for a module-level constant: compiled when first used, not at import."""
    return LazyPattern(pattern, flags)

"""Rule options shared by the flake8 plugin, the CLI and the engine."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache

# Documentation trees: tutorial apps (FastAPI's own `docs_src/`, vendored or
# copied) that nobody serves. Excluded by default in both doors; `extend-include`
# (or naming the folder on the command line) checks them anyway. Here, not in
# config.py, because the engine and the flake8 plugin need it without the TOML reader.
DOCS_EXCLUDE = ("docs_src", "docs", "examples")


@dataclass(frozen=True)
class RuleOptions:
    # Qualified names (``*`` wildcards) of extra calls that block the event loop (API101-API106 family).
    extra_blocking_calls: tuple[str, ...] = ()
    # Report API5xx in test files too.
    secrets_in_tests: bool = False
    extra_secret_names: tuple[str, ...] = ()
    ignored_secret_names: tuple[str, ...] = ()
    extra_placeholders: tuple[str, ...] = ()
    # Use the project index for cross-module facts.
    project_index: bool = True
    project_root: str | None = None
    # Source roots (ruff's `src`), absolute: where imports resolve after the file's own root.
    src: tuple[str, ...] = ()
    cache_dir: str | None = None
    use_cache: bool = True
    # RULES.md Revision 2: API1xx/API3xx/API4xx only in code that serves requests.
    serving_code_only: bool = True

    def matches_extra_blocking(self, qualname: str) -> bool:
        return any(_pattern(p).match(qualname) for p in self.extra_blocking_calls)


@lru_cache(maxsize=256)
def _pattern(glob: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(glob))


@dataclass(frozen=True)
class Selection:
    """Which codes are on: flake8/ruff prefix semantics, the longer prefix wins."""

    select: tuple[str, ...] = ("API",)
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    def enabled_codes(
        self, codes: list[str], path: str = "", opt_in: frozenset[str] = frozenset()
    ) -> frozenset[str]:
        """The enabled codes; an ``opt_in`` code needs its own code or ``ALL`` in ``select``."""
        ignores = list(self.ignore)
        for pattern, codes_for_pattern in self.per_file_ignores:
            if path_matches(path, pattern):
                ignores.extend(codes_for_pattern)
        enabled = set()
        for code in codes:
            selectors = self.select
            if code in opt_in:
                selectors = tuple(p for p in selectors if p == "ALL" or p == code)
            selected = max((len(p) for p in selectors if _covers(p, code)), default=-1)
            ignored = max((len(p) for p in ignores if _covers(p, code)), default=-1)
            # The more specific prefix wins; on a tie, ignore wins (as in ruff).
            if selected > ignored:
                enabled.add(code)
        return frozenset(enabled)


def _covers(prefix: str, code: str) -> bool:
    return prefix == "ALL" or code.startswith(prefix)


def path_matches(path: str, pattern: str) -> bool:
    normalized = path.replace("\\", "/")
    if normalized.startswith("./"):
        normalized = normalized[2:]
    pattern = pattern.replace("\\", "/")
    if fnmatch.fnmatch(normalized, pattern) or fnmatch.fnmatch(normalized, f"*/{pattern}"):
        return True
    parts = normalized.split("/")
    return any(fnmatch.fnmatch(part, pattern) for part in parts) or any(
        fnmatch.fnmatch("/".join(parts[: i + 1]), pattern.rstrip("/")) for i in range(len(parts))
    )


TEST_FILE_PATTERNS = ("test_*.py", "*_test.py", "conftest.py")


def is_test_file(path: str) -> bool:
    parts = path.replace("\\", "/").split("/")
    # `testing/` packages hold test helpers and fixtures shipped with the code
    # (factories with demo tokens): test code too, as their name says.
    if any(part in ("tests", "test", "testing") for part in parts[:-1]):
        return True
    return any(fnmatch.fnmatch(parts[-1], pattern) for pattern in TEST_FILE_PATTERNS)

"""The options schema (:class:`RuleOptions`, :data:`RULE_OPTIONS`) and the code
selection, shared by every door and the engine; no TOML reader here (the flake8
plugin and the engine import it)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, Literal

# Trees whose code the project's maintainers do not change: documentation trees
# (tutorial apps nobody serves: FastAPI's own `docs_src/`, vendored or copied) and
# vendored third-party packages (`thirdparty/`, `third_party/`, `_vendor/`,
# `vendored/`: fixed upstream, not here). Excluded by default in both doors;
# `extend-include` (or naming the folder on the command line) checks them anyway.
# Here, not in config.py, because the engine and the flake8 plugin need it without
# the TOML reader. (`vendor/` is left out: marketplaces name a domain package so.)
DEFAULT_EXCLUDED_TREES = (
    "docs_src",
    "docs",
    "examples",
    "thirdparty",
    "third_party",
    "_vendor",
    "vendored",
)

# Folders of installed, built or cached code, never the project's own: every walk
# of a project tree skips them (each walk adds what it skips besides).
NON_SOURCE_FOLDERS = frozenset(
    {"node_modules", "site-packages", "venv", "__pycache__", "build", "dist"}
)


# The kinds of option values: ``strs`` a list of strings (a comma-separated
# list on a command line), ``str`` one string, ``bool`` true or false.
OptionKind = Literal["strs", "str", "bool"]


def _option(kind: OptionKind, help: str, default: Any) -> Any:
    """A rule option's field: its kind and help feed the configuration keys, the
    CLI flags and the flake8 options (:data:`RULE_OPTIONS`), so each option is
    spelled once, here."""
    return field(default=default, metadata={"kind": kind, "help": help})


@dataclass(frozen=True)
class RuleOptions:
    """The options the engine and the rules read: one typed object every door builds
    (the CLI and the language server from ``[tool.fastapi-lint]`` and the flags,
    the flake8 plugin from its ``fastapi-*`` options over ``[tool.fastapi-lint]``)."""

    extra_blocking_calls: tuple[str, ...] = _option(
        "strs", "qualified names (with *) of more blocking calls (API1xx)", ()
    )
    secrets_in_tests: bool = _option("bool", "report secrets (API5xx) in test files too", False)
    extra_secret_names: tuple[str, ...] = _option("strs", "more secret-like names (API5xx)", ())
    ignored_secret_names: tuple[str, ...] = _option("strs", "names never secret-like (API5xx)", ())
    extra_placeholders: tuple[str, ...] = _option(
        "strs", "values that are placeholders, never secrets (API5xx)", ()
    )
    project_index: bool = _option("bool", "read other modules of the project (default: true)", True)
    project_root: str | None = _option("str", "root of the project for cross-module facts", None)
    # Absolute once resolved (``Settings.rule_options``).
    src: tuple[str, ...] = _option(
        "strs", "source roots imports resolve in, after the file's own (like ruff's `src`)", ()
    )
    cache_dir: str | None = _option(
        "str", "cache folder (default: .fastapi_lint_cache in the project root)", None
    )
    # The contract (shared RULES.md), Revision 2: API1xx/API3xx/API4xx only in
    # code that serves requests.
    serving_code_only: bool = _option(
        "bool",
        "report API1xx/API3xx/API4xx only in code that serves requests, not in CLI "
        "commands, one-shot scripts and migrations (default: true)",
        True,
    )
    # `--no-cache` (not a configuration key): neither the result cache nor the index's facts.
    use_cache: bool = True

    def matches_extra_blocking(self, qualname: str) -> bool:
        return any(_pattern(p).match(qualname) for p in self.extra_blocking_calls)


@dataclass(frozen=True)
class OptionSpec:
    """One option's spelling and meaning: the ``[tool.fastapi-lint]`` key ``key``,
    the CLI flag ``--key`` (``--no-key`` for a boolean that defaults to true) and
    the flake8 option ``--fastapi-key``."""

    key: str
    field: str
    kind: OptionKind
    help: str
    default: Any

    @property
    def flake8_flag(self) -> str:
        return f"--fastapi-{self.key}"


RULE_OPTIONS: tuple[OptionSpec, ...] = tuple(
    OptionSpec(f.name.replace("_", "-"), f.name, f.metadata["kind"], f.metadata["help"], f.default)
    for f in fields(RuleOptions)
    if "kind" in f.metadata
)

# Documentation trees to check anyway: a file-discovery option (``Settings``), which
# the flake8 door reads too since flake8 picks the files itself.
EXTEND_INCLUDE = OptionSpec(
    "extend-include",
    "extend_include",
    "strs",
    "folders excluded by default to search anyway (`docs_src`, `docs`, `examples`, `thirdparty`...)",
    (),
)


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
        if not self.per_file_ignores:
            # The same for every file of a run (computed per file, it was 2% of a cold run).
            try:
                return _enabled_codes(self, tuple(codes), opt_in)
            except TypeError:  # a selection built from lists (not hashable)
                pass
        return self._enabled_codes(codes, path, opt_in)

    def _enabled_codes(
        self, codes: Iterable[str], path: str, opt_in: frozenset[str]
    ) -> frozenset[str]:
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


@lru_cache(maxsize=64)
def _enabled_codes(
    selection: Selection, codes: tuple[str, ...], opt_in: frozenset[str]
) -> frozenset[str]:
    return selection._enabled_codes(codes, "", opt_in)


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

"""Configuration: ``[tool.fastapi-lint]`` in ``pyproject.toml``, merged with the flags.

The file is found by walking up from the checked path (the nearest
``pyproject.toml`` that has a ``[tool.fastapi-lint]`` table), or given with
``--config PATH`` (a ``pyproject.toml``, or any other TOML file whose keys sit
at the top level). Keys are the long flags' names; the rule options' keys
(and their flags) come from ``RuleOptions`` in settings.py.
Unknown keys, wrong types and unknown rule codes are a :class:`ConfigError`
(exit code 2): a typo must never silently switch a rule off.

Selection follows flake8: ``select``/``ignore`` replace, ``extend-select``/
``extend-ignore`` add; the flags replace or extend the file's values the same
way. Codes are prefixes (``API1`` is the family, ``ALL`` everything) and the
longer prefix wins.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict, dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi_lint.settings import (
    DEFAULT_EXCLUDED_TREES,
    EXTEND_INCLUDE,
    RULE_OPTIONS,
    RuleOptions,
    Selection,
    path_matches,
)

OUTPUT_FORMATS = ("concise", "full", "json", "json-lines", "github", "gitlab", "sarif", "junit")
TABLE = "fastapi-lint"

# Directories never searched (ruff's defaults, our own cache, documentation trees).
DEFAULT_EXCLUDE = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    ".fastapi_lint_cache",
    *DEFAULT_EXCLUDED_TREES,
)


class ConfigError(Exception):
    """A usage or configuration error: reported on one line, exit code 2."""


# key -> (kind, description); kinds: codes, strs, bool, str, format, table
KEYS: dict[str, tuple[str, str]] = {
    "select": ("codes", "rule codes or prefixes to enable (default: API)"),
    "extend-select": ("codes", "codes or prefixes to enable on top of `select`"),
    "ignore": ("codes", "codes or prefixes to disable"),
    "extend-ignore": ("codes", "codes or prefixes to disable on top of `ignore`"),
    "per-file-ignores": ("table", "glob -> codes to disable in matching files"),
    "extend-per-file-ignores": ("table", "more per-file ignores"),
    "exclude": ("strs", "globs of files and folders never searched (replaces the defaults)"),
    "extend-exclude": ("strs", "globs excluded on top of `exclude`"),
    EXTEND_INCLUDE.key: (EXTEND_INCLUDE.kind, EXTEND_INCLUDE.help),
    "respect-gitignore": ("bool", "skip files ignored by .gitignore (default: true)"),
    "force-exclude": ("bool", "apply the excludes to paths given explicitly too"),
    "output-format": ("format", "default output format"),
    "fix": ("bool", "apply the safe fixes"),
    "unsafe-fixes": ("bool", "apply the unsafe fixes too (with `fix`)"),
    "exit-zero": ("bool", "exit 0 even when there are findings"),
    "statistics": ("bool", "print the number of findings per code"),
    "jobs": ("int", "worker processes"),
    # The rule options: spelled once, on RuleOptions (settings.py).
    **{spec.key: (spec.kind, spec.help) for spec in RULE_OPTIONS},
}


@dataclass(frozen=True)
class Settings:
    """The resolved configuration of one run."""

    select: tuple[str, ...] = ("API",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    extend_include: tuple[str, ...] = ()
    respect_gitignore: bool = True
    force_exclude: bool = False
    output_format: str = "concise"
    # The rule options as written (relative paths unresolved: see rule_options()).
    options: RuleOptions = field(default_factory=RuleOptions)
    fix: bool = field(default=False, compare=False)
    unsafe_fixes: bool = field(default=False, compare=False)
    exit_zero: bool = field(default=False, compare=False)
    statistics: bool = field(default=False, compare=False)
    jobs: int | None = field(default=None, compare=False)
    # Where the configuration came from; relative globs are relative to ``root``.
    config_path: str | None = field(default=None, compare=False)
    root: str = field(default=".", compare=False)

    @property
    def selection(self) -> Selection:
        return Selection(
            select=self.select + self.extend_select,
            ignore=self.ignore + self.extend_ignore,
        )

    def selection_for(self, path: str) -> Selection:
        """The selection for one file, with its per-file ignores folded in."""
        extra: list[str] = []
        if self.per_file_ignores:
            # Two realpaths per file: only when there is a pattern to match.
            relative = relative_to_root(path, self.root)
            for pattern, codes in self.per_file_ignores:
                if path_matches(relative, pattern):
                    extra.extend(codes)
        base = self.selection
        return Selection(select=base.select, ignore=base.ignore + tuple(extra))

    def without_cache(self) -> Settings:
        """``--no-cache``: neither the result cache nor the index's facts."""
        return replace(self, options=replace(self.options, use_cache=False))

    def rule_options(self) -> RuleOptions:
        """The rule options with their paths made absolute (relative to ``root``)."""
        options = self.options
        root = options.project_root
        if root is not None and not Path(root).is_absolute():
            root = str((Path(self.root) / root).resolve())
        cache_dir = options.cache_dir
        if cache_dir is not None and not Path(cache_dir).is_absolute():
            cache_dir = str((Path(self.root) / cache_dir).resolve())
        return replace(
            options,
            cache_dir=cache_dir,
            project_root=root,
            src=tuple(str((Path(self.root) / folder).resolve()) for folder in options.src),
        )

    def fingerprint(self) -> str:
        """A hash of everything that changes findings (for the result cache)."""
        data = asdict(self)
        for key in (
            "output_format",
            "fix",
            "unsafe_fixes",
            "exit_zero",
            "statistics",
            "jobs",
            "options",
            "exclude",
            "extend_exclude",
            "extend_include",
            "force_exclude",
        ):
            data.pop(key, None)
        data["rule_options"] = repr(replace(self.rule_options(), cache_dir=None, use_cache=True))
        import hashlib
        import json

        blob = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def relative_to_root(path: str, root: str) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def find_config(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.fastapi-lint]`` table, upward."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = _load_toml(pyproject)
            except ConfigError:
                raise
            if _table_name(data, pyproject) is not None:
                return pyproject
    return None


# The table's name as people mistype it: read, with a warning (never silently ignored).
MISSPELLED_TABLES = ("fastapi_lint", "fastapi-linter", "fastapilint")
_warned: set[str] = set()


def _table_name(data: dict[str, Any], path: Path) -> str | None:
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        return None
    if TABLE in tool:
        return TABLE
    for name in MISSPELLED_TABLES:
        if name in tool:
            if str(path) not in _warned:
                _warned.add(str(path))
                print(
                    f"fastapi-lint: warning: {path}: read [tool.{name}] as [tool.{TABLE}]; "
                    "rename it (the table's name has a hyphen)",
                    file=sys.stderr,
                )
            return name
    return None


def _load_toml(path: Path) -> dict[str, Any]:
    # Imported here: a file outside any project (or `fastapi-lint rule`) reads no TOML.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11
        try:
            import tomli as tomllib
        except ImportError:  # a dependency below 3.11: one clear line, not a traceback
            raise ConfigError(
                f"{path}: cannot read TOML on Python {sys.version_info[0]}.{sys.version_info[1]}"
                " without `tomli` (a dependency of fastapi-lint): `pip install tomli`"
            ) from None

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def load_table(path: Path) -> dict[str, Any]:
    """The fastapi-lint table of a config file (``[tool.fastapi-lint]`` or top level)."""
    data = _load_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get(_table_name(data, path) or TABLE, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.{TABLE}] must be a table")
        return table
    return data


def known_code_prefix(selector: str, codes: list[str]) -> bool:
    return selector == "ALL" or any(code.startswith(selector) for code in codes)


def _check_value(where: str, key: str, value: Any, codes: list[str]) -> Any:
    kind = KEYS[key][0]
    if kind in ("codes", "strs"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: `{key}` must be a list of strings")
        items = tuple(v.strip() for v in value if v.strip())
        if kind == "codes":
            items = tuple(item.upper() for item in items)
            for item in items:
                if not known_code_prefix(item, codes):
                    raise ConfigError(f"{where}: unknown rule code or prefix {item!r} in `{key}`")
        return items
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: `{key}` must be true or false")
        return value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"{where}: `{key}` must be a whole number of at least 1")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{where}: `{key}` must be a string")
        return value
    if kind == "format":
        if value not in OUTPUT_FORMATS:
            raise ConfigError(
                f"{where}: `{key}` must be one of {', '.join(OUTPUT_FORMATS)} (got {value!r})"
            )
        return value
    # table: glob -> list of codes
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `{key}` must be a table of glob = [codes]")
    entries = []
    for pattern, pattern_codes in value.items():
        checked = _check_value(f"{where}: `{key}.{pattern}`", "ignore", pattern_codes, codes)
        entries.append((pattern, checked))
    return tuple(entries)


def validate(table: dict[str, Any], where: str, codes: list[str]) -> dict[str, Any]:
    """Checked values of a config table or of the flags, by Settings field name."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            hint = ""
            if key.replace("_", "-") in KEYS:
                hint = f" (did you mean `{key.replace('_', '-')}`?)"
            raise ConfigError(f"{where}: unknown key `{key}`{hint}")
        values[key.replace("-", "_")] = _check_value(where, key, value, codes)
    return values


def parse_per_file_ignores(text: str) -> list[tuple[str, list[str]]]:
    """flake8's ``--per-file-ignores`` syntax: ``glob:CODE,CODE glob2:CODE``."""
    entries: list[tuple[str, list[str]]] = []
    for chunk in text.replace("\n", " ").split():
        if ":" not in chunk:
            if entries and chunk.strip(","):
                entries[-1][1].extend(c for c in chunk.split(",") if c)
                continue
            raise ConfigError(f"--per-file-ignores: expected GLOB:CODES, got {chunk!r}")
        pattern, _, codes = chunk.rpartition(":")
        entries.append((pattern, [c for c in codes.split(",") if c]))
    return entries


def resolve(
    *,
    config: str | None,
    start: Path,
    overrides: dict[str, Any],
    codes: list[str],
    isolated: bool = False,
) -> Settings:
    """Read the config file (if any) and apply the flags on top of it."""
    config_path: Path | None = None
    if config is not None:
        config_path = Path(config)
        if not config_path.is_file():
            raise ConfigError(f"--config: no such file: {config}")
    elif not isolated:
        config_path = find_config(start)
    file_values: dict[str, Any] = {}
    root = Path.cwd()
    if config_path is not None:
        file_values = validate(load_table(config_path), str(config_path), codes)
        root = config_path.resolve().parent
    flag_values = validate(overrides, "command line", codes)
    merged = dict(file_values)
    for key, value in flag_values.items():
        if key.startswith("extend_") and key != "extend_per_file_ignores":
            merged[key] = tuple(merged.get(key, ())) + tuple(value)
        else:
            merged[key] = value
    per_file = tuple(merged.pop("per_file_ignores", ())) + tuple(
        merged.pop("extend_per_file_ignores", ())
    )
    settings = Settings(
        **_settings_fields(merged),
        per_file_ignores=per_file,
        config_path=str(config_path) if config_path else None,
        root=str(root),
    )
    return settings


def file_settings(start: Path) -> Settings:
    """``[tool.fastapi-lint]`` for files under ``start`` (flake8's door): its rule
    options, ``extend-include`` and the opt-in codes its selection names.

    The rest of the selection and the file options stay flake8's own; a broken
    configuration is reported once and ignored (flake8 has no exit code of ours
    to give).
    """
    return _file_settings(str(start.resolve()))


@lru_cache(maxsize=4096)
def _file_settings(folder: str) -> Settings:
    from fastapi_lint.registry import all_codes

    # A folder without a pyproject.toml has its parent's settings: the search and
    # the TOML reads happen once per folder holding a pyproject.toml, not once per
    # folder of the project (0.6 s of a flake8 run over four corpus wheels).
    if not os.path.isfile(os.path.join(folder, "pyproject.toml")):
        parent = os.path.dirname(folder)
        return _file_settings(parent) if parent != folder else Settings()
    try:
        config_path = find_config(Path(folder))
        if config_path is None:
            return Settings()
        values = validate(load_table(config_path), str(config_path), list(all_codes()))
    except ConfigError as error:
        print(f"fastapi-lint: error: {error} (configuration ignored)", file=sys.stderr)
        return Settings()
    values.pop("per_file_ignores", None)
    values.pop("extend_per_file_ignores", None)
    return Settings(**_settings_fields(values), root=str(config_path.parent))


def _settings_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Checked values by field name -> Settings' keyword arguments, the rule options
    gathered into one :class:`RuleOptions`."""
    rule_fields = {spec.field for spec in RULE_OPTIONS}
    known = {f.name for f in fields(Settings)}
    options = RuleOptions(**{k: v for k, v in values.items() if k in rule_fields})
    return {**{k: v for k, v in values.items() if k in known}, "options": options}

"""The flake8 door: a thin adapter from flake8's tree to the engine.

flake8 parses each file once and hands every plugin the same tree; we never
parse again. flake8 applies ``# noqa``, ``--select``/``--ignore`` and
``per-file-ignores`` itself, so every enabled finding is yielded here. The
rule options of ``[tool.fastapi-lint]`` apply here too (the CLI and the
language server read them), under the ``fastapi-*`` options of flake8's
configuration; both are generated from the one options schema
(``settings.RULE_OPTIONS``), so each option has the same name everywhere.

Opt-in codes (the contract's Revision 2: API108) are the exception. flake8
switches off-by-default plugins as a whole (``off_by_default`` and
``--enable-extensions`` act on an entry point, not on one code), so the plugin
itself leaves an opt-in code out unless the user names it exactly in
``--enable-extensions``, ``--select`` or ``--extend-select`` (or their config
keys), or ``[tool.fastapi-lint]``'s selection enables it (as for the CLI).
``--enable-extensions`` reaches plugins only through flake8's plugin loader,
so each opt-in code also has an off-by-default entry point of its own
(:class:`OptInSwitch` subclasses, named by the code) that does no work but
tells the plugin it was enabled: ``enable-extensions = API108``.
"""

from __future__ import annotations

import argparse
import ast
import os
from collections.abc import Collection, Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from fastapi_lint import __version__
from fastapi_lint.engine import CheckError, check_tree
from fastapi_lint.noqa import NoqaMap
from fastapi_lint.registry import default_codes, opt_in_codes
from fastapi_lint.settings import EXTEND_INCLUDE, RULE_OPTIONS, OptionSpec, RuleOptions
from fastapi_lint.source import SourceError, char_offset, decode_source


class Plugin:
    name = "fastapi-lint"
    version = __version__
    options: ClassVar[RuleOptions] = RuleOptions()
    overrides: ClassVar[dict[str, Any]] = {}
    # Documentation trees checked anyway (flake8 picks the files itself: the plugin
    # stays silent on files under `docs_src/`, `docs/` and `examples/` otherwise).
    extend_include: ClassVar[tuple[str, ...]] = ()
    # The paths named on flake8's command line, absolute: a file found under one
    # that sits in `docs_src/` (`flake8 docs_src/`) is checked, as the CLI checks
    # a documentation tree it is given.
    named_paths: ClassVar[frozenset[str]] = frozenset()
    # Opt-in codes the user named in flake8's selection options.
    selected_opt_in: ClassVar[frozenset[str]] = frozenset()
    # flake8's `--disable-noqa`: the file-level `# fastapi-lint: noqa` is ignored too.
    disable_noqa: ClassVar[bool] = False
    # Opt-in codes whose switch entry point flake8 loaded (``--enable-extensions``).
    enabled_extensions: ClassVar[frozenset[str]] = frozenset()
    # Each folder's options, computed once per run (per file, resolving the folder
    # and the configuration's paths was a few percent of the plugin's time).
    _options_by_folder: ClassVar[
        dict[str, tuple[RuleOptions, tuple[str, ...], frozenset[str]]]
    ] = {}

    def __init__(self, tree: ast.AST, filename: str = "-", lines: list[str] | None = None) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines or []

    @classmethod
    def add_options(cls, parser: Any) -> None:
        # One flake8 option per configuration key, from the schema (settings.py):
        # `--fastapi-KEY`, and `--fastapi-no-KEY` too for a boolean that defaults to true.
        for spec in (*RULE_OPTIONS, EXTEND_INCLUDE):
            help = spec.help[0].upper() + spec.help[1:] + "."
            if spec.kind == "strs":
                parser.add_option(
                    spec.flake8_flag,
                    default="",
                    parse_from_config=True,
                    comma_separated_list=True,
                    help=help,
                )
            elif spec.kind == "str":
                parser.add_option(spec.flake8_flag, default=None, parse_from_config=True, help=help)
            elif spec.default:
                parser.add_option(
                    spec.flake8_flag,
                    default="true",
                    parse_from_config=True,
                    help=f"{help} (true/false)",
                )
                parser.add_option(
                    f"--fastapi-no-{spec.key}",
                    action="store_true",
                    default=False,
                    parse_from_config=True,
                    help=f"The same as `{spec.flake8_flag} false`.",
                )
            else:
                parser.add_option(
                    spec.flake8_flag,
                    action="store_true",
                    default=False,
                    parse_from_config=True,
                    help=help,
                )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        named: set[str] = set()
        for attr in ("enable_extensions", "select", "extend_select"):
            named.update(code.upper() for code in _names(getattr(options, attr, None)))
        cls.selected_opt_in = frozenset(opt_in_codes() & named)
        cls.disable_noqa = bool(getattr(options, "disable_noqa", False))
        # Only what flake8's configuration sets: it overrides [tool.fastapi-lint].
        defaults = RuleOptions()
        cls.overrides = {}
        for spec in RULE_OPTIONS:
            value = _option_value(options, spec)
            if value != spec.default:
                cls.overrides[spec.field] = value
        cls.options = replace(defaults, **cls.overrides)
        cls.extend_include = _names(getattr(options, "fastapi_extend_include", ()))
        cls.named_paths = frozenset(
            os.path.abspath(path)
            # flake8 walks "." when given no path.
            for path in getattr(options, "filenames", None) or (".",)
            if isinstance(path, str) and path not in ("-", "stdin")
        )
        Plugin._options_by_folder = {}

    def _folder(self) -> Path:
        """Where this file's [tool.fastapi-lint] is looked up from."""
        return Path(self.filename).parent if self.filename not in ("-", "stdin") else Path()

    def _file_options(self) -> tuple[RuleOptions, tuple[str, ...], frozenset[str]]:
        """This file's rule options ([tool.fastapi-lint]'s under flake8's own), the
        documentation trees checked anyway (both), and the opt-in codes
        [tool.fastapi-lint]'s selection enables (as the CLI reads them)."""
        folder = str(self._folder())
        found = Plugin._options_by_folder.get(folder)
        if found is None:
            found = Plugin._options_by_folder[folder] = self._folder_options()
        return found

    def _folder_options(self) -> tuple[RuleOptions, tuple[str, ...], frozenset[str]]:
        from fastapi_lint.config import file_settings

        settings = file_settings(self._folder())
        opt_in = opt_in_codes()
        enabled_opt_in = settings.selection.enabled_codes(sorted(opt_in), opt_in=opt_in)
        return (
            replace(settings.rule_options(), **self.overrides),
            settings.extend_include + self.extend_include,
            enabled_opt_in,
        )

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if not isinstance(self.tree, ast.Module):
            return
        options, extend_include, file_opt_in = self._file_options()
        if in_excluded_tree(
            self.filename, self.options.project_root, extend_include, self.named_paths
        ):
            return
        source = "".join(self.lines) if self.lines else None
        if source is not None and not source.isascii() and _undecodable(self.filename):
            return  # flake8 read it as latin-1; the CLI says E902 and reports nothing
        try:
            diagnostics = check_tree(
                self.tree,
                self.filename,
                self.lines,
                options,
                enabled=default_codes()
                | self.selected_opt_in
                | self.enabled_extensions
                | file_opt_in,
                source=source,
            )
        except CheckError:
            return  # flake8 reports unparsable files itself (E999)
        if diagnostics and source is not None and not self.disable_noqa:
            # flake8 applies its own line and file directives, not fastapi-lint's
            # file-level directive (see noqa.py): apply that one here, as the CLI does.
            noqa = NoqaMap(source)
            diagnostics = [d for d in diagnostics if not noqa.silenced_in_file(d.code)]
        for diagnostic in diagnostics:
            # flake8 shows the column it is given plus one: give it characters, as
            # the CLI and the language server count (ast's offsets are UTF-8 bytes).
            line = diagnostic.line
            text = self.lines[line - 1] if 1 <= line <= len(self.lines) else ""
            yield (
                line,
                char_offset(text, diagnostic.col),
                f"{diagnostic.code} {diagnostic.message}",
                type(self),
            )


def _undecodable(filename: str) -> bool:
    """Whether the file on disk is not text in its declared encoding (UTF-8 unless a
    coding cookie says otherwise): flake8 then falls back to latin-1 and checks it,
    while the CLI and the language server refuse it with one E902 line. Asked only for
    files with non-ASCII text: ASCII decodes under every encoding a cookie may name."""
    if filename in ("-", "stdin"):
        return False
    try:
        data = Path(filename).read_bytes()
    except OSError:
        return False  # flake8 read it: it says what went wrong, if anything did
    try:
        decode_source(data)
    except SourceError:
        return True
    return False


def in_excluded_tree(
    filename: str,
    project_root: str | None,
    included: tuple[str, ...],
    named_paths: Collection[str] = (),
) -> bool:
    """Whether a file sits under a tree excluded by default (documentation, vendored code;
    relative to the project root), and that tree is not re-included nor named on the
    command line (``named_paths``: absolute)."""
    from fastapi_lint.settings import DEFAULT_EXCLUDED_TREES

    if not filename or filename in ("-", "stdin", "<stdin>"):
        return False
    excluded = frozenset(DEFAULT_EXCLUDED_TREES) - {name.rstrip("/") for name in included}
    if not excluded:
        return False
    if named_paths:
        below = _below_named_excluded_path(os.path.abspath(filename), named_paths, project_root)
        if below is not None:
            # Named inside an excluded tree: only the folders below the named path count.
            return any(part in excluded for part in below)
        if _walked_into_excluded(os.path.abspath(filename), named_paths, excluded):
            # `flake8 /abs/app` with `examples/` below it: the CLI's walk from the named
            # folder skips that tree, whether or not a marker tells the project's root.
            return True
    if not os.path.isabs(filename) and any(part in excluded for part in Path(filename).parts[:-1]):
        # `./docs_src/app.py` below the folder flake8 walks, as the CLI's walk excludes
        # it, also where no marker (`pyproject.toml`, `.git`) tells the project's root.
        return True
    if os.path.islink(filename):  # resolved, the file may sit in another folder
        path = Path(filename).resolve()
        return _in_excluded_folder(str(path.parent), project_root, excluded)
    # Once per folder: resolving each file's path was 1% of a flake8 run.
    return _in_excluded_folder(os.path.dirname(os.path.abspath(filename)), project_root, excluded)


def _below_named_excluded_path(
    absolute: str, named_paths: Collection[str], project_root: str | None
) -> tuple[str, ...] | None:
    """The folders between the innermost named path holding ``absolute`` and the file,
    when that named path itself sits in an excluded tree; None otherwise."""
    base = _innermost_named_path(absolute, named_paths)
    if base is not None:
        base_folder = _excluded_named_folder(base, project_root)
        if base_folder is None:
            return None
        if absolute == base:
            return ()
        return _folders_below(base_folder, absolute)
    return None


def _folders_below(base_folder: str, absolute: str) -> tuple[str, ...]:
    """The folders between ``base_folder`` and the file ``absolute`` below it."""
    folder = os.path.dirname(absolute)
    if folder == base_folder:
        return ()
    return Path(os.path.relpath(folder, base_folder)).parts


def _walked_into_excluded(
    absolute: str, named_paths: Collection[str], excluded: frozenset[str]
) -> bool:
    """Whether a folder between the innermost named path holding ``absolute`` and the
    file is an excluded tree (``examples/`` below a named ``/abs/app``)."""
    base = _innermost_named_path(absolute, named_paths)
    if base is None or base == absolute:
        return False
    return any(part in excluded for part in _folders_below(base, absolute))


def _innermost_named_path(absolute: str, named_paths: Collection[str]) -> str | None:
    """The innermost of ``named_paths`` that is ``absolute`` or a folder holding it.
    From the file up through its folders, a set lookup each: testing every named
    path against every file was quadratic (1,743 files named on the command line:
    3 million prefix tests, 1-2% of a flake8 run)."""
    candidate = absolute
    while True:
        if candidate in named_paths:
            return candidate
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return None
        candidate = parent


@lru_cache(maxsize=256)
def _excluded_named_folder(base: str, project_root: str | None) -> str | None:
    """The folder a named path stands for (itself, or a named file's folder) when it sits
    in an excluded tree; None otherwise. Once per named path, not per file."""
    from fastapi_lint.settings import DEFAULT_EXCLUDED_TREES

    base_folder = base if os.path.isdir(base) else os.path.dirname(base)
    if os.path.basename(base_folder) in DEFAULT_EXCLUDED_TREES or _in_excluded_folder(
        base_folder, project_root, frozenset(DEFAULT_EXCLUDED_TREES)
    ):
        return base_folder
    return None


@lru_cache(maxsize=4096)
def _in_excluded_folder(folder: str, project_root: str | None, excluded: frozenset[str]) -> bool:
    from fastapi_lint.project.layout import find_project_root

    path = Path(folder).resolve()
    root = Path(project_root).resolve() if project_root else find_project_root(path)
    try:
        folders = path.relative_to(root).parts
    except ValueError:
        return False
    return any(folder in excluded for folder in folders)


class OptInSwitch:
    """An off-by-default flake8 entry point for one opt-in code; it checks nothing itself.

    flake8 loads it only when its entry point name is listed in
    ``--enable-extensions`` (``off_by_default``); loading it enables the code
    in :class:`Plugin`, which does the work in its single pass.
    """

    off_by_default = True
    name = "fastapi-lint-opt-in"
    version = __version__
    code: ClassVar[str] = ""

    def __init__(self, tree: ast.AST) -> None:
        self.tree = tree

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        Plugin.enabled_extensions = Plugin.enabled_extensions | {cls.code}

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        return iter(())


class MinorSyscallSwitch(OptInSwitch):
    """``enable-extensions = API108``: blocking-minor-syscall."""

    code = "API108"


def _names(value: Any) -> tuple[str, ...]:
    """A list option as flake8 gives it (a list, or one comma-separated string)."""
    if isinstance(value, str):
        value = value.split(",")
    return tuple(v.strip() for v in value or () if v and v.strip())


def _option_value(options: argparse.Namespace, spec: OptionSpec) -> Any:
    """One rule option's value as flake8 parsed it (its default when not given)."""
    attr = spec.flake8_flag.lstrip("-").replace("-", "_")
    raw = getattr(options, attr, None)
    if spec.kind == "strs":
        names = _names(raw)
        # Source roots are absolute in RuleOptions; flake8's paths are relative to
        # where it runs.
        return tuple(str(Path(n).resolve()) for n in names) if spec.key == "src" else names
    if spec.kind == "str":
        return raw or None
    if spec.default:
        negated = getattr(options, f"fastapi_no_{spec.field}", False)
        return _flag(raw if raw is not None else "true") and not negated
    return bool(raw)


def _flag(value: object) -> bool:
    """A boolean option written in flake8's config (``true``/``false``, ``1``/``0``)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in ("false", "0", "no", "off")

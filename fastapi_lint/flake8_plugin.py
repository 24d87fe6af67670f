"""The flake8 door: a thin adapter from flake8's tree to the engine.

flake8 parses each file once and hands every plugin the same tree; we never
parse again. flake8 applies ``# noqa``, ``--select``/``--ignore`` and
``per-file-ignores`` itself, so every enabled finding is yielded here. The
rule options of ``[tool.fastapi-lint]`` apply here too (the CLI and the
language server read them), under the ``fastapi-*`` options of flake8's
configuration.

Opt-in codes (RULES.md Revision 2: API108) are the exception. flake8 switches
off-by-default plugins as a whole (``off_by_default`` and
``--enable-extensions`` act on an entry point, not on one code), so the plugin
itself leaves an opt-in code out unless the user names it exactly in
``--enable-extensions``, ``--select`` or ``--extend-select`` (or their config
keys). ``--enable-extensions`` reaches plugins only through flake8's plugin
loader, so each opt-in code also has an off-by-default entry point of its own
(:class:`OptInSwitch` subclasses, named by the code) that does no work but
tells the plugin it was enabled: ``enable-extensions = API108``.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from fastapi_lint import __version__
from fastapi_lint.engine import CheckError, check_tree
from fastapi_lint.registry import default_codes, opt_in_codes
from fastapi_lint.settings import RuleOptions
from fastapi_lint.source import char_offset


class Plugin:
    name = "fastapi-lint"
    version = __version__
    options: ClassVar[RuleOptions] = RuleOptions()
    overrides: ClassVar[dict[str, Any]] = {}
    # Documentation trees checked anyway (flake8 picks the files itself: the plugin
    # stays silent on files under `docs_src/`, `docs/` and `examples/` otherwise).
    extend_include: ClassVar[tuple[str, ...]] = ()
    # Opt-in codes the user named in flake8's selection options.
    selected_opt_in: ClassVar[frozenset[str]] = frozenset()
    # Opt-in codes whose switch entry point flake8 loaded (``--enable-extensions``).
    enabled_extensions: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, tree: ast.AST, filename: str = "-", lines: list[str] | None = None) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines or []

    @classmethod
    def add_options(cls, parser: Any) -> None:
        parser.add_option(
            "--fastapi-extra-blocking-calls",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="Qualified names (with * wildcards) of extra calls that block the event loop (API105).",
        )
        parser.add_option(
            "--fastapi-secrets-in-tests",
            action="store_true",
            default=False,
            parse_from_config=True,
            help="Report secrets (API5xx) in test files too.",
        )
        parser.add_option(
            "--fastapi-extra-secret-names",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="Extra names (words) that are secret-like for API5xx.",
        )
        parser.add_option(
            "--fastapi-ignored-secret-names",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="Names never treated as secret-like.",
        )
        parser.add_option(
            "--fastapi-extra-placeholders",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="Values that are placeholders, never secrets.",
        )
        parser.add_option(
            "--fastapi-project-root",
            default=None,
            parse_from_config=True,
            help="Root of the project for cross-module facts (default: nearest pyproject.toml/setup.cfg/.git).",
        )
        parser.add_option(
            "--fastapi-extend-include",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="Documentation folders (docs_src, docs, examples) to check anyway; "
            "by default the plugin is silent on files under them.",
        )
        parser.add_option(
            "--fastapi-no-project-index",
            action="store_true",
            default=False,
            parse_from_config=True,
            help="Do not read other modules of the project (single-file analysis only).",
        )

        parser.add_option(
            "--fastapi-serving-code-only",
            default="true",
            parse_from_config=True,
            help=(
                "Report API1xx/API3xx/API4xx only in code that serves requests, not in CLI "
                "commands, one-shot scripts and migrations (true/false, default: true)."
            ),
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        def names(value: Any) -> tuple[str, ...]:
            if isinstance(value, str):
                value = value.split(",")
            return tuple(v.strip() for v in value or () if v and v.strip())

        named: set[str] = set()
        for attr in ("enable_extensions", "select", "extend_select"):
            named.update(code.upper() for code in names(getattr(options, attr, None)))
        cls.selected_opt_in = frozenset(opt_in_codes() & named)
        # Only what flake8's configuration sets: it overrides [tool.fastapi-lint].
        given: dict[str, Any] = {
            "extra_blocking_calls": names(getattr(options, "fastapi_extra_blocking_calls", ())),
            "secrets_in_tests": bool(getattr(options, "fastapi_secrets_in_tests", False)),
            "extra_secret_names": names(getattr(options, "fastapi_extra_secret_names", ())),
            "ignored_secret_names": names(getattr(options, "fastapi_ignored_secret_names", ())),
            "extra_placeholders": names(getattr(options, "fastapi_extra_placeholders", ())),
            "project_root": getattr(options, "fastapi_project_root", None) or None,
            "project_index": not getattr(options, "fastapi_no_project_index", False),
            "serving_code_only": _flag(getattr(options, "fastapi_serving_code_only", "true")),
        }
        defaults = RuleOptions()
        cls.overrides = {k: v for k, v in given.items() if v != getattr(defaults, k)}
        cls.options = replace(defaults, **cls.overrides)
        cls.extend_include = names(getattr(options, "fastapi_extend_include", ()))

    def _folder(self) -> Path:
        """Where this file's [tool.fastapi-lint] is looked up from."""
        return Path(self.filename).parent if self.filename not in ("-", "stdin") else Path()

    def _options(self) -> RuleOptions:
        """[tool.fastapi-lint]'s rule options for this file, under flake8's own."""
        from fastapi_lint.config import file_rule_options

        return replace(file_rule_options(self._folder()), **self.overrides)

    def _extend_include(self) -> tuple[str, ...]:
        """Documentation trees checked anyway: [tool.fastapi-lint]'s and flake8's."""
        from fastapi_lint.config import file_extend_include

        return file_extend_include(self._folder()) + self.extend_include

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if not isinstance(self.tree, ast.Module):
            return
        if in_docs_tree(self.filename, self.options.project_root, self._extend_include()):
            return
        try:
            source = "".join(self.lines) if self.lines else None
            diagnostics = check_tree(
                self.tree,
                self.filename,
                self.lines,
                self._options(),
                enabled=default_codes() | self.selected_opt_in | self.enabled_extensions,
                source=source,
            )
        except CheckError:
            return  # flake8 reports unparsable files itself (E999)
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


def in_docs_tree(filename: str, project_root: str | None, included: tuple[str, ...]) -> bool:
    """Whether a file sits under a documentation tree excluded by default (relative to the
    project root), and that tree is not re-included."""
    from pathlib import Path

    from fastapi_lint.project.layout import find_project_root
    from fastapi_lint.settings import DOCS_EXCLUDE

    if not filename or filename in ("-", "stdin", "<stdin>"):
        return False
    excluded = set(DOCS_EXCLUDE) - {name.rstrip("/") for name in included}
    if not excluded:
        return False
    path = Path(filename).resolve()
    root = Path(project_root).resolve() if project_root else find_project_root(path)
    try:
        folders = path.relative_to(root).parts[:-1]
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


def _flag(value: object) -> bool:
    """A boolean option written in flake8's config (``true``/``false``, ``1``/``0``)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in ("false", "0", "no", "off")

"""The flake8 door: a thin adapter from flake8's tree to the engine.

flake8 parses each file once and hands every plugin the same tree; we never
parse again. flake8 applies ``# noqa``, ``--select``/``--ignore`` and
``per-file-ignores`` itself, so every enabled finding is yielded here.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator
from typing import Any, ClassVar

from fastapi_lint import __version__
from fastapi_lint.engine import CheckError, check_tree
from fastapi_lint.settings import RuleOptions


class Plugin:
    name = "fastapi-lint"
    version = __version__
    options: ClassVar[RuleOptions] = RuleOptions()

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

        cls.options = RuleOptions(
            extra_blocking_calls=names(getattr(options, "fastapi_extra_blocking_calls", ())),
            secrets_in_tests=bool(getattr(options, "fastapi_secrets_in_tests", False)),
            extra_secret_names=names(getattr(options, "fastapi_extra_secret_names", ())),
            ignored_secret_names=names(getattr(options, "fastapi_ignored_secret_names", ())),
            extra_placeholders=names(getattr(options, "fastapi_extra_placeholders", ())),
            project_root=getattr(options, "fastapi_project_root", None) or None,
            project_index=not getattr(options, "fastapi_no_project_index", False),
            serving_code_only=_flag(getattr(options, "fastapi_serving_code_only", "true")),
        )

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if not isinstance(self.tree, ast.Module):
            return
        try:
            source = "".join(self.lines) if self.lines else None
            diagnostics = check_tree(
                self.tree, self.filename, self.lines, self.options, source=source
            )
        except CheckError:
            return  # flake8 reports unparsable files itself (E999)
        for diagnostic in diagnostics:
            yield (
                diagnostic.line,
                diagnostic.col,
                f"{diagnostic.code} {diagnostic.message}",
                type(self),
            )


def _flag(value: object) -> bool:
    """A boolean option written in flake8's config (``true``/``false``, ``1``/``0``)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in ("false", "0", "no", "off")

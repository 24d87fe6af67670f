"""The standalone command line: ``fastapi-lint check`` and ``fastapi-lint rule``.

Exit codes: 0 no findings; 1 findings, or a file that could not be read or
parsed (``E902``/``E999`` on stderr; the run goes on); 2 a usage or
configuration error. ``--exit-zero`` turns 1 into 0.

A door over ``linter`` (checking, fixing, the cache and the pool live there):
this module parses arguments and prints. ``server`` starts the language server
through ``launcher``, never by importing it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from fastapi_lint import __version__
from fastapi_lint.config import (
    OUTPUT_FORMATS,
    ConfigError,
    Settings,
    parse_per_file_ignores,
    resolve,
)
from fastapi_lint.linter import Job, check_files, check_path, os_error, write_source
from fastapi_lint.noqa import add_noqa
from fastapi_lint.output import FileError, Finding, Report, display_path, renderer
from fastapi_lint.settings import EXTEND_INCLUDE, RULE_OPTIONS, OptionSpec
from fastapi_lint.source import SourceError, decode_source

# Below this many files to check, no progress line is shown.
PROGRESS_THRESHOLD = 20


def _codes(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _rule_codes(value: str) -> list[str]:
    """Codes or prefixes, in any case (`api1` is `API1`, as `rule api301` is API301)."""
    return [item.upper() for item in _codes(value)]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fastapi-lint",
        description="Static analysis that understands FastAPI.",
    )
    parser.add_argument("--version", action="version", version=f"fastapi-lint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="check files or folders (default: .)")
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders (default: .; - for stdin)"
    )
    selection = check.add_argument_group("rule selection")
    selection.add_argument(
        "--select",
        type=_rule_codes,
        metavar="CODES",
        help="codes or prefixes to enable (replaces the config's select)",
    )
    selection.add_argument(
        "--extend-select",
        type=_rule_codes,
        metavar="CODES",
        help="codes or prefixes to enable on top",
    )
    selection.add_argument(
        "--ignore",
        type=_rule_codes,
        metavar="CODES",
        help="codes or prefixes to disable (replaces the config's ignore)",
    )
    selection.add_argument(
        "--extend-ignore",
        type=_rule_codes,
        metavar="CODES",
        help="codes or prefixes to disable on top",
    )
    selection.add_argument(
        "--per-file-ignores",
        metavar="GLOB:CODES",
        help="e.g. 'tests/*:API5 scripts/*.py:API1' (replaces the config's)",
    )
    selection.add_argument(
        "--extend-per-file-ignores",
        metavar="GLOB:CODES",
        help="per-file ignores on top of the config's",
    )
    files = check.add_argument_group("file selection")
    files.add_argument(
        "--exclude",
        type=_codes,
        metavar="GLOBS",
        help="files and folders never searched (replaces the defaults)",
    )
    files.add_argument(
        "--extend-exclude", type=_codes, metavar="GLOBS", help="excluded on top of exclude"
    )
    files.add_argument(
        "--respect-gitignore",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="skip files ignored by .gitignore (default: on)",
    )
    files.add_argument(
        "--force-exclude",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="apply excludes to files named on the command line too (for pre-commit)",
    )
    _add_option(files, EXTEND_INCLUDE)
    files.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="read the source from stdin; report it (and match configuration) as PATH",
    )
    files.add_argument(
        "--show-files", action="store_true", help="print the files that would be checked, then exit"
    )
    output = check.add_argument_group("output")
    output.add_argument("--output-format", choices=OUTPUT_FORMATS, help="default: concise")
    output.add_argument(
        "--statistics", action="store_true", help="print the number of findings per code"
    )
    output.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when there are findings"
    )
    output.add_argument(
        "-q", "--quiet", action="store_true", help="print findings only: no summary, no progress"
    )
    fixing = check.add_argument_group("fixes and noqa")
    fixing.add_argument(
        "--fix",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="apply the safe fixes (--no-fix: not even when the configuration says `fix = true`)",
    )
    fixing.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="apply the unsafe fixes too (with --fix or --diff)",
    )
    fixing.add_argument(
        "--diff",
        action="store_true",
        help="print the fixes as a diff instead of writing them (exit 1 if any)",
    )
    fixing.add_argument(
        "--add-noqa",
        action="store_true",
        help="write a `# noqa: CODE` comment for every current finding",
    )
    config = check.add_argument_group("configuration")
    config.add_argument(
        "--config", metavar="PATH", help="a pyproject.toml (or a TOML file with top-level keys)"
    )
    config.add_argument("--isolated", action="store_true", help="ignore configuration files")
    rule_options = check.add_argument_group(
        "rule options (the keys of the same name in [tool.fastapi-lint])"
    )
    for spec in RULE_OPTIONS:
        _add_option(rule_options, spec)
    perf = check.add_argument_group("performance")
    perf.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        help="worker processes (default: all cores for many files; 1: no pool)",
    )
    perf.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the result cache"
    )

    rule = sub.add_parser("rule", help="explain a rule: fastapi-lint rule API101")
    rule.add_argument(
        "rule", nargs="?", metavar="CODE", help="a code (API101) or a name (blocking-http-call)"
    )
    rule.add_argument("--all", action="store_true", help="every rule")
    rule.add_argument("--output-format", choices=("text", "markdown", "json"), default="text")

    from fastapi_lint.inventory import add_arguments as add_routes_arguments

    add_routes_arguments(
        sub.add_parser("routes", help="list the routes as the apps serve them (default: .)")
    )
    server = sub.add_parser(
        "server",
        help="run the language server over stdio (needs pip install 'fastapi-lint[lsp]')",
    )
    server.add_argument(
        "--stdio", action="store_true", help="talk over stdio (the default; clients pass it)"
    )
    return parser


def _add_option(group: Any, spec: OptionSpec) -> None:
    """The flag of one configuration key: ``--key`` (``--key/--no-key`` for a boolean),
    read back by :func:`_overrides` under ``spec.field``."""
    if spec.kind == "bool":
        group.add_argument(
            f"--{spec.key}",
            dest=spec.field,
            action=argparse.BooleanOptionalAction,
            default=None,
            help=spec.help,
        )
    elif spec.kind == "strs":
        group.add_argument(
            f"--{spec.key}", dest=spec.field, type=_codes, metavar="A,B", help=spec.help
        )
    else:
        group.add_argument(f"--{spec.key}", dest=spec.field, metavar="PATH", help=spec.help)


def main(argv: Sequence[str] | None = None) -> int:
    from fastapi_lint.engine import tune_gc

    tune_gc()  # before the rule modules are imported, not at the first check
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # The subcommand's usage, not the top-level one (`check --bogus`).
        _subparser(parser, args.command).error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        if args.command == "check":
            return run_check(args)
        if args.command == "rule":
            return run_rule(args)
        if args.command == "server":
            return run_server()
        if args.command == "routes":
            from fastapi_lint.inventory import run as run_routes

            return run_routes(args)
    except ConfigError as error:
        print(f"fastapi-lint: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        print("fastapi-lint: interrupted", file=sys.stderr)
        return 130
    parser.print_help(sys.stderr)
    return 2


def _subparser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            chosen: argparse.ArgumentParser = action.choices[command]
            return chosen
    return parser


def run_server() -> int:
    try:
        from pygls.lsp.server import LanguageServer  # noqa: F401  (pygls 2)
    except ImportError:
        print(
            "fastapi-lint: error: the language server needs pygls 2: "
            "pip install 'fastapi-lint[lsp]'",
            file=sys.stderr,
        )
        return 2
    from fastapi_lint.launcher import serve_language_server

    return serve_language_server()


def run_rule(args: argparse.Namespace) -> int:
    from fastapi_lint.docs import catalogue_markdown, rule_markdown, rules_json
    from fastapi_lint.registry import all_rules, rule_by_name_or_code

    if args.all:
        rules = list(all_rules().values())
        if args.output_format == "json":
            sys.stdout.write(rules_json(rules))
        elif args.output_format == "markdown":
            sys.stdout.write(catalogue_markdown())
        else:
            sys.stdout.write("\n\n".join(rule_markdown(r) for r in rules))
        return 0
    if not args.rule:
        raise ConfigError("rule: give a code (API101), a name, or --all")
    found = rule_by_name_or_code(args.rule)
    if found is None:
        raise ConfigError(f"rule: unknown rule {args.rule!r}")
    if args.output_format == "json":
        sys.stdout.write(rules_json([found]))
    else:
        sys.stdout.write(rule_markdown(found))
    return 0


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in (
        "select",
        "extend_select",
        "ignore",
        "extend_ignore",
        "exclude",
        "extend_exclude",
        "respect_gitignore",
        "force_exclude",
        "output_format",
    ):
        value = getattr(args, key)
        if value is not None:
            values[key.replace("_", "-")] = value
    for spec in (*RULE_OPTIONS, EXTEND_INCLUDE):
        value = getattr(args, spec.field)
        if value is not None:
            values[spec.key] = value
    for key in ("per_file_ignores", "extend_per_file_ignores"):
        text = getattr(args, key)
        if text is not None:
            values[key.replace("_", "-")] = dict(parse_per_file_ignores(text))
    return values


def run_check(args: argparse.Namespace) -> int:
    from fastapi_lint.registry import all_codes

    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    if args.add_noqa and (args.fix or args.diff):
        raise ConfigError("--add-noqa cannot be combined with --fix or --diff")
    use_stdin = args.stdin_filename is not None or args.paths == ["-"]
    if use_stdin and args.paths and args.paths != ["-"]:
        raise ConfigError("--stdin-filename reads stdin: give no PATH")
    paths = args.paths or ["."]
    start = Path(args.stdin_filename) if args.stdin_filename else Path(paths[0])
    settings = resolve(
        config=args.config,
        start=start if start.exists() or start.parent.exists() else Path.cwd(),
        overrides=_overrides(args),
        codes=list(all_codes()),
        isolated=args.isolated,
    )
    if args.no_cache:
        settings = settings.without_cache()
    # The configuration's `fix`, `exit-zero`, `jobs`... under the flags.
    if args.fix is None:
        args.fix = settings.fix and not args.diff and not args.add_noqa
    args.unsafe_fixes = args.unsafe_fixes or settings.unsafe_fixes
    args.exit_zero = args.exit_zero or settings.exit_zero
    args.statistics = args.statistics or settings.statistics
    if args.jobs is None:
        args.jobs = settings.jobs
    output_format = settings.output_format
    fix_mode = args.fix or args.diff
    job = Job(settings, fix=fix_mode, unsafe_fixes=args.unsafe_fixes)
    out = sys.stdout

    if use_stdin:
        return _check_stdin(args, settings, job, output_format)

    from fastapi_lint.discovery import discover

    files = discover(paths, settings)
    if args.show_files:
        for path in files:
            out.write(display_path(path) + "\n")
        return 0
    missing = [p for p in paths if not os.path.exists(p)]
    for path in missing:
        print(f"{path}: E902 no such file or folder", file=sys.stderr)
    if not files:
        if not args.quiet and not missing:
            print("fastapi-lint: warning: no Python files found", file=sys.stderr)

    from fastapi_lint.engine import batch_gc

    batch_gc()
    outcomes = check_files(
        files,
        job,
        use_cache=not args.no_cache,
        jobs=args.jobs,
        progress=lambda total: _Progress(total, sys.stderr.isatty() and not args.quiet),
    )
    findings = sorted(f for o in outcomes for f in o.findings)
    errors = sorted(o.error for o in outcomes if o.error is not None)
    errors.extend(FileError(p, "E902", "no such file or folder") for p in missing if p not in files)
    report = Report(
        findings,
        errors,
        files_checked=len(files),
        fixed=sum(o.fixed for o in outcomes),
        unsafe_fixes=args.unsafe_fixes,
    )
    for error in sorted(o.error for o in outcomes if o.error is not None):
        print(error.render(), file=sys.stderr)

    changed = [o for o in outcomes if o.fixed_source is not None]
    if args.diff:
        for outcome in changed:
            assert outcome.fixed_source is not None
            out.write(_unified_diff(outcome.path, outcome.fixed_source))
        if not args.quiet:
            count = sum(o.fixed for o in changed)
            print(f"Would fix {count} error{'s' if count != 1 else ''}.", file=sys.stderr)
        return 0 if args.exit_zero or not changed else 1
    if args.fix:
        for outcome in changed:
            assert outcome.fixed_source is not None
            try:
                write_source(outcome.path, outcome.fixed_source)
            except OSError as error:
                print(
                    f"{display_path(outcome.path)}: E902 cannot write: {os_error(error)}",
                    file=sys.stderr,
                )
    if args.add_noqa:
        added = _add_noqa(findings)
        if not args.quiet:
            print(f"Added {added} noqa directive{'s' if added != 1 else ''}.", file=sys.stderr)
        return 0

    _emit(report, output_format, args, out)
    if args.exit_zero:
        return 0
    return 1 if findings or errors else 0


def _emit(report: Report, output_format: str, args: argparse.Namespace, out: TextIO) -> None:
    from fastapi_lint.output import text

    if args.statistics:
        if output_format in ("json", "json-lines"):
            import json

            rows = _statistics_rows(report)
            out.write(json.dumps(rows, indent=2) + "\n")
        else:
            text.statistics(report, out)
        return
    renderer(output_format)(report, out)
    if output_format in ("concise", "full") and not args.quiet:
        out.write(text.summary(report, fix_mode=args.fix) + "\n")


def _statistics_rows(report: Report) -> list[dict[str, Any]]:
    from collections import Counter

    counts = Counter(f.code for f in report.findings)
    names = {f.code: f.name for f in report.findings}
    fixable = {f.code for f in report.findings if report.applicable(f)}
    return [
        {"code": code, "name": names[code], "count": count, "fixable": code in fixable}
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def _unified_diff(path: str, new: str) -> str:
    import difflib

    try:
        old = decode_source(Path(path).read_bytes())
    except (OSError, SourceError):
        return ""
    shown = display_path(path).lstrip("/")  # `a/tmp/x.py` for /tmp/x.py, as git writes it
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{shown}", f"b/{shown}"
        )
    )


def _add_noqa(findings: list[Finding]) -> int:
    by_path: dict[str, list[tuple[int, str]]] = {}
    for f in findings:
        by_path.setdefault(f.path, []).append((f.line, f.code))
    total = 0
    for path, items in sorted(by_path.items()):
        try:
            source = decode_source(Path(path).read_bytes())
        except (OSError, SourceError) as error:
            print(f"{display_path(path)}: E902 {error}", file=sys.stderr)
            continue
        new_source, changed = add_noqa(source, items)
        if changed:
            try:
                write_source(path, new_source)
            except OSError as error:
                print(
                    f"{display_path(path)}: E902 cannot write: {os_error(error)}", file=sys.stderr
                )
                continue
            total += changed
    return total


def _check_stdin(args: argparse.Namespace, settings: Settings, job: Job, output_format: str) -> int:
    from fastapi_lint.discovery import Excluder, is_gitignored

    path = args.stdin_filename or "-"
    if args.stdin_filename and settings.force_exclude:
        candidate = Path(path)
        if Excluder(settings).excluded_with_parents(candidate.absolute()) or (
            settings.respect_gitignore
            and is_gitignored(candidate.resolve(), False, Path(settings.root).resolve())
        ):
            if args.fix:
                sys.stdout.write(sys.stdin.read())
            return 0
    data = sys.stdin.buffer.read()
    outcome = check_path(job, path, data)
    if outcome.error is not None:
        print(outcome.error.render(), file=sys.stderr)
    report = Report(
        outcome.findings,
        [outcome.error] if outcome.error else [],
        1,
        outcome.fixed,
        unsafe_fixes=args.unsafe_fixes,
    )
    if args.diff:
        if outcome.fixed_source is not None:
            import difflib

            old = decode_source(data)
            sys.stdout.write(
                "".join(
                    difflib.unified_diff(
                        old.splitlines(keepends=True),
                        outcome.fixed_source.splitlines(keepends=True),
                        f"a/{path.lstrip('/')}",
                        f"b/{path.lstrip('/')}",
                    )
                )
            )
        return 0 if args.exit_zero or outcome.fixed_source is None else 1
    if args.fix:
        # As ruff: the fixed source goes to stdout, the remaining findings to stderr.
        if outcome.error is not None:
            sys.stdout.write(data.decode("utf-8", "surrogateescape"))
        else:
            sys.stdout.write(
                outcome.fixed_source if outcome.fixed_source is not None else decode_source(data)
            )
        _emit(report, output_format, args, sys.stderr)
    else:
        _emit(report, output_format, args, sys.stdout)
    if args.exit_zero:
        return 0
    return 1 if report.findings or report.errors else 0


class _Progress:
    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and total >= PROGRESS_THRESHOLD
        self.done = 0

    def step(self) -> None:
        self.done += 1
        if self.enabled and (self.done % 10 == 0 or self.done == self.total):
            sys.stderr.write(f"\rChecking files: {self.done}/{self.total}")
            sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main())

"""The standalone command line: ``fastapi-lint check`` and ``fastapi-lint rule``.

Exit codes: 0 no findings; 1 findings, or a file that could not be read or
parsed (``E902``/``E999`` on stderr; the run goes on); 2 a usage or
configuration error. ``--exit-zero`` turns 1 into 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
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
from fastapi_lint.diagnostics import Diagnostic, Edit, Fix
from fastapi_lint.noqa import NoqaMap, add_noqa, physical_lines
from fastapi_lint.output import FileError, Finding, Report, display_path, renderer
from fastapi_lint.source import SourceError, decode_source

# Fixing stops after this many passes (a fix may enable another one).
MAX_FIX_PASSES = 10
# Below this many files to check, a process pool costs more than it saves.
PARALLEL_THRESHOLD = 32
PROGRESS_THRESHOLD = 20


# ---------------------------------------------------------------------------
# Checking one file (runs in a worker process; everything here is picklable)


@dataclass(frozen=True)
class Job:
    settings: Settings
    fix: bool = False
    unsafe_fixes: bool = False


@dataclass
class Outcome:
    path: str
    findings: list[Finding] = field(default_factory=list)
    error: FileError | None = None
    fixed_source: str | None = None  # set when fixes changed the file
    fixed: int = 0
    sha: str = ""  # of the bytes that were checked (the cache key)
    # The files the check read through the project index, with their
    # [size, mtime_ns]: the cached findings stay valid while these are
    # unchanged. None: one vanished during the check (do not cache).
    deps: dict[str, list[int]] | None = field(default_factory=dict)


def _char_col(lines: list[str], line: int, byte_col: int) -> int:
    """ast's UTF-8 byte offset -> 1-based character column."""
    if not 1 <= line <= len(lines) or byte_col <= 0:
        return max(byte_col, 0) + 1
    text = lines[line - 1].rstrip("\r\n")
    return len(text.encode("utf-8", "surrogatepass")[:byte_col].decode("utf-8", "ignore")) + 1


def _findings(
    path: str, source: str, diagnostics: list[Diagnostic], noqa: NoqaMap | None = None
) -> list[Finding]:
    """The findings left after ``# noqa``, with character columns and noqa rows.

    Nothing here reads the source of a file without findings: most files have
    none, and tokenizing each one cost more than checking it.
    """
    if not diagnostics:
        return []
    if noqa is None:
        noqa = NoqaMap(source)
    kept = [d for d in diagnostics if not noqa.is_silenced(d.line, d.code)]
    if not kept:
        return []
    lines = physical_lines(source)
    rows = noqa.rows(until=max(d.line for d in kept))
    findings = []
    for d in kept:
        end_line = d.end_line or d.line
        findings.append(
            Finding(
                path=path,
                line=d.line,
                col=_char_col(lines, d.line, d.col),
                code=d.code,
                message=d.message,
                end_line=end_line,
                end_col=_char_col(lines, end_line, d.end_col if d.end_line else d.col),
                noqa_row=rows.get(d.line, d.line),
                fix=d.fix,
            )
        )
    return sorted(findings)


def _check_once(path: str, source: str, job: Job) -> tuple[list[Finding], list[Diagnostic]]:
    from fastapi_lint.engine import check_source

    settings = job.settings
    diagnostics = check_source(source, path, settings.rule_options(), settings.selection_for(path))
    # Every run says what is fixable (`[*]`, --statistics, JSON's `fix`). The
    # fixers (and libcst) are imported only for files with a fixable finding.
    from fastapi_lint.fixes import attach_fixes

    diagnostics = attach_fixes(source, diagnostics)
    return _findings(path, source, diagnostics), diagnostics


def parse_error(path: str, message: str) -> FileError:
    match = re.match(r"^(\d+):(\d+): syntax error: (.*)$", message)
    if match:
        return FileError(
            path, "E999", f"SyntaxError: {match.group(3)}", int(match.group(1)), int(match.group(2))
        )
    return FileError(path, "E999", message, 1, 1)


def check_text(path: str, source: str, job: Job) -> Outcome:
    from fastapi_lint.engine import CheckError

    outcome = Outcome(path)
    try:
        findings, _ = _check_once(path, source, job)
        first = findings
        if job.fix:
            current = source
            for _ in range(MAX_FIX_PASSES):
                fixes = [
                    f.fix
                    for f in findings
                    if f.fix is not None and (f.fix.safe or job.unsafe_fixes)
                ]
                if not fixes:
                    break
                current, applied = apply_fixes(current, fixes)
                if not applied:
                    break
                findings, _ = _check_once(path, current, job)
            if current != source:
                outcome.fixed_source = current
                outcome.fixed = _fixed_count(first, findings)
        outcome.findings = findings
    except CheckError as error:
        outcome.error = parse_error(path, str(error))
    except RecursionError:
        outcome.error = FileError(path, "E999", "the file is nested too deeply to analyse", 1, 1)
    except Exception as error:  # a crash on one file must not stop the run
        outcome.error = FileError(
            path, "E902", f"internal error: {error.__class__.__name__}: {error} (please report it)"
        )
    return outcome


def _fixed_count(before: list[Finding], after: list[Finding]) -> int:
    """Findings fixed (not edits, not passes): per code, how many fewer there are."""
    from collections import Counter

    left = Counter(f.code for f in after)
    return sum(
        max(count - left[code], 0) for code, count in Counter(f.code for f in before).items()
    )


def check_path(job: Job, path: str, data: bytes | None = None) -> Outcome:
    """Read, decode and check one file."""
    from fastapi_lint.cache import content_hash

    try:
        if data is None:
            data = Path(path).read_bytes()
    except OSError as error:
        return Outcome(path, error=FileError(path, "E902", _os_error(error)))
    try:
        source = decode_source(data)
    except SourceError as error:
        outcome = Outcome(path, error=FileError(path, "E902", str(error)))
    else:
        if not job.settings.project_index:
            outcome = check_text(path, source, job)
        else:
            from fastapi_lint.cache import read_stamps
            from fastapi_lint.project.index import record_reads, recorded_reads

            record_reads()
            try:
                outcome = check_text(path, source, job)
            finally:
                reads = recorded_reads()
            outcome.deps = read_stamps(reads, exclude=os.path.abspath(path))
    outcome.sha = content_hash(data)
    return outcome


# The project whose index this process holds (see ``_check_chunk``).
_current_root: list[str] = []


def _check_chunk(
    job: Job, root: str, paths: list[str], step: Callable[[], None] | None = None
) -> list[Outcome]:
    """Check files of one project. A process keeps the index of the project it
    works on and forgets the previous one, so memory stays bounded on runs
    over many projects; chunks are formed per project for the same reason."""
    if _current_root and _current_root[0] != root:
        from fastapi_lint.project.index import forget_indexes

        forget_indexes()
    _current_root[:] = [root]
    outcomes: dict[str, Outcome] = {}
    for path in _model_order(paths):
        outcomes[path] = check_path(job, path)
        if step is not None:
            step()
    # Pool workers exit without running atexit handlers: save the index's facts now.
    from fastapi_lint.project.index import flush_all

    flush_all()
    return [outcomes[path] for path in paths]


@lru_cache(maxsize=65536)
def _absolute(path: str) -> str:
    return os.path.abspath(path)


def _model_order(paths: list[str]) -> Iterator[str]:
    """``paths`` in the order that parses each file once: a file whose model the
    project index already built (a dependency of a file checked before) is
    checked next, before the index evicts that model; otherwise the next
    path in order. Findings do not depend on the order (the index's answers
    are the same cold or warm); outcomes are returned in the given order."""
    from fastapi_lint.project.index import cached_model_paths

    pending = {_absolute(path): path for path in paths}
    while pending:
        chosen = None
        if len(pending) > 1:
            for cached in cached_model_paths():
                chosen = pending.pop(_absolute(cached), None)
                if chosen is not None:
                    break
        if chosen is None:
            chosen = pending.pop(next(iter(pending)))
        yield chosen


def _chunks(paths: list[str], roots: dict[str, str], jobs: int) -> list[tuple[str, list[str]]]:
    size = min(64, max(4, len(paths) // max(jobs * 4, 1)))
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault(roots.get(path, ""), []).append(path)
    return [
        (root, group[i : i + size])
        for root, group in groups.items()
        for i in range(0, len(group), size)
    ]


def _run_pool(
    job: Job, chunks: list[tuple[str, list[str]]], jobs: int, progress: _Progress
) -> dict[str, Outcome]:
    """Check chunks in a process pool. A worker that dies (a crash in C code)
    breaks the pool: the files left unchecked are retried one per pool, so
    that only the file that kills its worker is reported."""
    # Imported here: multiprocessing costs a fifth of the start-up of a one-file run.
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    outcomes: dict[str, Outcome] = {}
    failed: list[tuple[str, str]] = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(chunks))) as pool:
        futures = {
            pool.submit(_check_chunk, job, root, paths): (root, paths) for root, paths in chunks
        }
        for future in as_completed(futures):
            try:
                results = future.result()
            except BrokenProcessPool:
                root, paths = futures[future]
                failed.extend((root, path) for path in paths)
                continue
            for outcome in results:
                outcomes[outcome.path] = outcome
                progress.step()
    for root, path in sorted(failed):
        try:
            with ProcessPoolExecutor(max_workers=1) as single:
                outcome = single.submit(_check_chunk, job, root, [path]).result()[0]
        except BrokenProcessPool:
            outcome = Outcome(
                path,
                error=FileError(path, "E902", "internal error: the checker crashed on this file"),
            )
        outcomes[path] = outcome
        progress.step()
    return outcomes


def _os_error(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file (or a broken symlink)"
    if isinstance(error, IsADirectoryError):
        return "is a directory"
    if isinstance(error, PermissionError):
        return "permission denied"
    return f"cannot read: {error.strerror or error.__class__.__name__}"


# ---------------------------------------------------------------------------
# Fixes: diagnostics carry ``fix: Fix | None``; the door applies their edits.


def _offsets(source: str) -> list[int]:
    starts = [0]
    for line in physical_lines(source):
        starts.append(starts[-1] + len(line))
    return starts


def apply_fixes(source: str, fixes: Sequence[Fix]) -> tuple[str, int]:
    """Apply non-overlapping fixes (edit columns are 0-based characters).

    A fix whose edits overlap an earlier fix is left for the next pass.
    Returns the new source and the number of fixes applied.
    """
    starts = _offsets(source)

    def offset(line: int, col: int) -> int:
        index = min(max(line - 1, 0), len(starts) - 1)
        return min(starts[index] + col, len(source))

    chosen: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    applied = 0
    for fix in sorted(
        fixes, key=lambda f: min(((e.start_line, e.start_col) for e in f.edits), default=(0, 0))
    ):
        spans = [
            (offset(e.start_line, e.start_col), offset(e.end_line, e.end_col), e.content)
            for e in fix.edits
        ]
        if not spans or any(
            (start < t_end and t_start < end) or (start == end == t_start)
            for start, end, _ in spans
            for t_start, t_end in taken
        ):
            continue
        chosen.extend(spans)
        taken.extend((start, end) for start, end, _ in spans)
        applied += 1
    for start, end, content in sorted(chosen, reverse=True):
        source = source[:start] + content + source[end:]
    return source, applied


def write_source(path: str, text: str) -> None:
    """Write ``text`` back in the file's own encoding (BOM kept), atomically."""
    import io
    import tokenize

    original = Path(path).read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(original).readline)
    except SyntaxError:
        encoding = "utf-8"
    data = text.encode("utf-8" if encoding == "utf-8-sig" else encoding)
    if encoding == "utf-8-sig" or original.startswith(b"\xef\xbb\xbf"):
        if not data.startswith(b"\xef\xbb\xbf"):
            data = b"\xef\xbb\xbf" + data
    target = Path(path)
    tmp = target.with_name(f".{target.name}.fastapi-lint.tmp")
    tmp.write_bytes(data)
    try:
        os.chmod(tmp, target.stat().st_mode)
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------
# Command line


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
    config.add_argument(
        "--extra-blocking-calls",
        type=_codes,
        metavar="NAMES",
        help="qualified names (with *) of more blocking calls",
    )
    config.add_argument(
        "--secrets-in-tests",
        action="store_true",
        default=None,
        help="report secrets (API5xx) in test files too",
    )
    config.add_argument(
        "--project-root", metavar="PATH", help="root of the project for cross-module facts"
    )
    config.add_argument("--no-project-index", action="store_true", help="analyse each file alone")
    config.add_argument(
        "--no-serving-code-only",
        action="store_true",
        help="report API1xx/API3xx/API4xx in CLI commands, scripts and migrations too",
    )
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
    perf.add_argument(
        "--cache-dir", metavar="PATH", help="default: .fastapi_lint_cache in the project root"
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


def main(argv: Sequence[str] | None = None) -> int:
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
    from fastapi_lint.server import serve

    return serve()


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
        "cache_dir",
        "extra_blocking_calls",
        "secrets_in_tests",
        "project_root",
    ):
        value = getattr(args, key)
        if value is not None:
            values[key.replace("_", "-")] = value
    for key in ("per_file_ignores", "extend_per_file_ignores"):
        text = getattr(args, key)
        if text is not None:
            values[key.replace("_", "-")] = dict(parse_per_file_ignores(text))
    if args.no_project_index:
        values["project-index"] = False
    if getattr(args, "no_serving_code_only", False):
        values["serving-code-only"] = False
    return values


def run_check(args: argparse.Namespace) -> int:
    from fastapi_lint.registry import all_rules

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
        codes=list(all_rules()),
        isolated=args.isolated,
    )
    if args.no_cache:
        settings = dataclasses.replace(settings, use_cache=False)
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

    outcomes = _run(files, job, args)
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
                    f"{display_path(outcome.path)}: E902 cannot write: {_os_error(error)}",
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
                    f"{display_path(path)}: E902 cannot write: {_os_error(error)}", file=sys.stderr
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


# ---------------------------------------------------------------------------
# Running many files: cache, pool, progress


def _cache_root(files: list[str], settings: Settings) -> Path:
    from fastapi_lint.project.index import find_project_root

    if settings.config_path:
        return Path(settings.config_path).resolve().parent
    return find_project_root(Path(files[0]).absolute())


@lru_cache(maxsize=4096)
def _root_of(folder: str, project_root: str | None) -> str:
    from fastapi_lint.project.index import find_project_root

    if project_root:
        return project_root
    return str(find_project_root(Path(folder) / "_"))


def _roots(files: list[str], settings: Settings) -> dict[str, str]:
    """file -> its project root (as the project index finds it)."""
    if not settings.project_index:
        return dict.fromkeys(files, "")
    project_root = settings.rule_options().project_root
    return {f: _root_of(os.path.dirname(os.path.abspath(f)), project_root) for f in files}


def _project_fingerprints(files: list[str], settings: Settings) -> dict[str, str]:
    """file -> fingerprint of its project's layout (the paths of its ``*.py`` files).

    Their contents are not part of it: each cached entry lists the files its
    check read, so one edit re-checks only the files that read the edited one.
    """
    from fastapi_lint.cache import layout_fingerprint
    from fastapi_lint.discovery import project_files

    if not settings.project_index:
        return dict.fromkeys(files, "")
    roots = _roots(files, settings)
    prints: dict[str, str] = {}
    for root in set(roots.values()):
        prints[root] = layout_fingerprint(project_files(Path(root), settings))
    return {f: prints[root] for f, root in roots.items()}


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


def _run(files: list[str], job: Job, args: argparse.Namespace) -> list[Outcome]:
    from fastapi_lint.cache import CACHE_DIR_NAME, ResultCache, content_hash

    if not files:
        return []
    cache: ResultCache | None = None
    fingerprints: dict[str, str] = {}
    # Fixes are computed only on the fix path and never cached: --fix/--diff re-check.
    if not args.no_cache and not job.fix:
        settings = job.settings
        directory = (
            Path(settings.root) / settings.cache_dir
            if settings.cache_dir
            else _cache_root(files, settings) / CACHE_DIR_NAME
        )
        cache = ResultCache(directory, settings.fingerprint())
        fingerprints = _project_fingerprints(files, settings)

    outcomes: dict[str, Outcome] = {}
    tasks: list[str] = []
    for path in files:
        if cache is not None:
            try:
                data = Path(path).read_bytes()
            except OSError as error:
                outcomes[path] = Outcome(path, error=FileError(path, "E902", _os_error(error)))
                continue
            entry = cache.get(path, content_hash(data), fingerprints[path])
            cached = _from_cache(path, entry) if entry is not None else None
            if cached is not None:
                outcomes[path] = cached
                continue
        tasks.append(path)

    progress = _Progress(len(tasks), sys.stderr.isatty() and not args.quiet)
    jobs = args.jobs or (min(os.cpu_count() or 1, 8) if len(tasks) >= PARALLEL_THRESHOLD else 1)
    roots = _roots(tasks, job.settings)
    chunks = _chunks(tasks, roots, jobs)
    if jobs > 1 and len(chunks) > 1:
        outcomes.update(_run_pool(job, chunks, jobs, progress))
    else:
        by_root: dict[str, list[str]] = {}
        for root, paths in chunks:
            by_root.setdefault(root, []).extend(paths)
        for root, paths in by_root.items():
            for outcome in _check_chunk(job, root, paths, progress.step):
                outcomes[outcome.path] = outcome
    progress.finish()

    if cache is not None:
        for path in tasks:
            outcome = outcomes[path]
            # Fixes are cached with their findings; a file that --fix rewrote is not.
            cacheable = outcome.fixed_source is None and outcome.deps is not None
            if cacheable and outcome.sha:
                cache.put(path, outcome.sha, fingerprints[path], _to_cache(outcome), outcome.deps)
        cache.save()
    return [outcomes[path] for path in files]


def _to_cache(outcome: Outcome) -> dict[str, Any]:
    error = outcome.error
    return {
        "findings": [
            [f.line, f.col, f.end_line, f.end_col, f.code, f.message, f.noqa_row]
            + ([fix_to_json(f.fix)] if f.fix is not None else [])
            for f in outcome.findings
        ],
        "error": None
        if error is None
        else f"{error.code}\t{error.line}\t{error.col}\t{error.message}",
    }


def _from_cache(path: str, entry: dict[str, Any]) -> Outcome | None:
    """The cached outcome, or None if the entry does not make sense (then re-check)."""
    outcome = Outcome(path)
    try:
        outcome.findings = [
            Finding(*_cached_position(path, item), fix=fix_from_json(item[7:]))
            for item in entry["findings"]
        ]
        if entry.get("error"):
            code, line, col, message = entry["error"].split("\t", 3)
            outcome.error = FileError(path, code, message, int(line), int(col))
    except (ValueError, TypeError, KeyError):
        return None
    return outcome


def _cached_position(path: str, item: list[Any]) -> tuple[str, int, int, str, str, int, int, int]:
    line, col, end_line, end_col, code, message, noqa_row = item[:7]
    return path, line, col, code, message, end_line, end_col, noqa_row


def fix_to_json(fix: Fix) -> dict[str, Any]:
    return {
        "description": fix.description,
        "safe": fix.safe,
        "edits": [[e.start_line, e.start_col, e.end_line, e.end_col, e.content] for e in fix.edits],
    }


def fix_from_json(rest: list[Any]) -> Fix | None:
    if not rest:
        return None
    data = rest[0]
    return Fix(
        str(data["description"]),
        safe=bool(data["safe"]),
        edits=tuple(
            Edit(int(a), int(b), int(c), int(d), str(e)) for a, b, c, d, e in data["edits"]
        ),
    )


if __name__ == "__main__":
    sys.exit(main())

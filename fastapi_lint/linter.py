"""The linter every door calls: checking a text or a file, fixing it, and
running many files through the result cache and a process pool.

The command line (``cli.py``), the flake8 plugin and the language server
(``server.py``) are doors over this module and over ``engine``; they never
import each other.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from fastapi_lint.config import Settings
from fastapi_lint.diagnostics import Diagnostic, Edit, Fix
from fastapi_lint.noqa import NoqaMap
from fastapi_lint.output import FileError, Finding
from fastapi_lint.settings import RuleOptions
from fastapi_lint.source import (
    SourceError,
    TextOffsets,
    apply_edits,
    decode_source,
    line_char_offset,
    physical_lines,
)

# Fixing stops after this many passes (a fix may enable another one).
MAX_FIX_PASSES = 10
# Below this many files to check, a process pool costs more than it saves.
PARALLEL_THRESHOLD = 32


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
                col=line_char_offset(lines, d.line, d.col) + 1,
                code=d.code,
                message=d.message,
                end_line=end_line,
                end_col=line_char_offset(lines, end_line, d.end_col if d.end_line else d.col) + 1,
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
    # fixers (and libcst) are imported only for files with a finding (libcst only
    # for a fixable one).
    if diagnostics:
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
        return Outcome(path, error=FileError(path, "E902", os_error(error)))
    try:
        source = decode_source(data)
    except SourceError as error:
        outcome = Outcome(path, error=FileError(path, "E902", str(error)))
    else:
        options = job.settings.options
        if not options.use_cache:
            # `--no-cache`: no result cache to key by the file's sha and the files it
            # read (their stamps, and recording them: 1-2% of a cold run).
            outcome = check_text(path, source, job)
            outcome.deps = None
            return outcome
        if not options.project_index:
            outcome = check_text(path, source, job)
        else:
            from fastapi_lint.cache import read_stamps
            from fastapi_lint.project.reads import record_reads, recorded_reads

            _stamp_route_tables(options)  # pool workers stamp the table they read

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
        from fastapi_lint.project.process_indexes import forget_indexes

        forget_indexes(release=True)
    _current_root[:] = [root]
    from fastapi_lint.cache import forget_all_modules_stamps

    # Stamped once per chunk, not once per file that depends on every module.
    forget_all_modules_stamps()
    outcomes: dict[str, Outcome] = {}
    for path in _model_order(paths):
        outcomes[path] = check_path(job, path)
        if step is not None:
            step()
    # Pool workers exit without running atexit handlers: save the index's facts now.
    from fastapi_lint.project.process_indexes import flush_all

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
    from fastapi_lint.project.process_indexes import first_cached_file

    pending = {_absolute(path): path for path in paths}
    while pending:
        chosen = None
        if len(pending) > 1:
            cached = first_cached_file(pending)
            if cached is not None:
                chosen = pending.pop(cached)
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
    job: Job, chunks: list[tuple[str, list[str]]], jobs: int, progress: Progress
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


def forget_files(paths: Sequence[str]) -> None:
    """Files changed on disk (an editor said so): drop what the project indexes built from them."""
    from fastapi_lint.project.process_indexes import forget_file

    for path in paths:
        forget_file(path)


def forget_edited(path: str, options: RuleOptions) -> None:
    """An editor buffer's text changed: facts the file's index kept may describe the old text."""
    from fastapi_lint.project.process_indexes import index_for

    index_for(path, options=options, root=options.project_root).forget(path)


def forget_all() -> None:
    """Settings or the workspace changed: drop every project index of this process."""
    from fastapi_lint.project.process_indexes import forget_indexes

    forget_indexes()


def os_error(error: OSError) -> str:
    """Why a file could not be read or written, in the words of an E902."""
    if isinstance(error, FileNotFoundError):
        return "no such file (or a broken symlink)"
    if isinstance(error, IsADirectoryError):
        return "is a directory"
    if isinstance(error, PermissionError):
        return "permission denied"
    return f"cannot read: {error.strerror or error.__class__.__name__}"


# ---------------------------------------------------------------------------
# Fixes: diagnostics carry ``fix: Fix | None``; ``check_text`` applies their edits.


def apply_fixes(source: str, fixes: Sequence[Fix]) -> tuple[str, int]:
    """Apply non-overlapping fixes (edit columns are 0-based characters).

    A fix whose edits overlap an earlier fix is left for the next pass.
    Returns the new source and the number of fixes applied.
    """
    offset = TextOffsets(source)
    chosen: list[Edit] = []
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
        chosen.extend(fix.edits)
        taken.extend((start, end) for start, end, _ in spans)
        applied += 1
    return apply_edits(source, chosen), applied


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
# Running many files: project roots, result cache, pool


def _cache_root(files: list[str], settings: Settings) -> Path:
    from fastapi_lint.project.layout import find_project_root

    if settings.config_path:
        return Path(settings.config_path).resolve().parent
    return find_project_root(Path(files[0]).absolute())


@lru_cache(maxsize=4096)
def _root_of(folder: str, project_root: str | None) -> str:
    from fastapi_lint.project.layout import find_project_root

    if project_root:
        return project_root
    return str(find_project_root(Path(folder) / "_"))


def _roots(files: list[str], settings: Settings) -> dict[str, str]:
    """file -> its project root (as the project index finds it)."""
    if not settings.options.project_index:
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

    if not settings.options.project_index:
        return dict.fromkeys(files, "")
    roots = _roots(files, settings)
    prints: dict[str, str] = {}
    for root in set(roots.values()):
        prints[root] = layout_fingerprint(project_files(Path(root), settings))
    return {f: prints[root] for f, root in roots.items()}


class Progress(Protocol):
    """What a door shows while files are checked (the CLI's progress line)."""

    def step(self) -> None: ...

    def finish(self) -> None: ...


class _Silent:
    def step(self) -> None:
        pass

    def finish(self) -> None:
        pass


def check_files(
    files: list[str],
    job: Job,
    *,
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Callable[[int], Progress] | None = None,
) -> list[Outcome]:
    """Check ``files`` (through the result cache unless ``use_cache`` is false;
    in ``jobs`` processes, by default as many as useful). ``progress`` makes the
    door's progress display for the number of files left after the cache."""
    from fastapi_lint.cache import CACHE_DIR_NAME, ResultCache, content_hash

    if not files:
        return []
    cache: ResultCache | None = None
    fingerprints: dict[str, str] = {}
    # Fixes are computed only on the fix path and never cached: --fix/--diff re-check.
    if use_cache and not job.fix:
        settings = job.settings
        directory = (
            Path(settings.root) / settings.options.cache_dir
            if settings.options.cache_dir
            else _cache_root(files, settings) / CACHE_DIR_NAME
        )
        cache = ResultCache(directory, settings.fingerprint())
        fingerprints = _project_fingerprints(files, settings)
        _stamp_route_tables(settings.options)

    outcomes: dict[str, Outcome] = {}
    tasks: list[str] = []
    for path in files:
        if cache is not None:
            try:
                data = Path(path).read_bytes()
            except OSError as error:
                outcomes[path] = Outcome(path, error=FileError(path, "E902", os_error(error)))
                continue
            entry = cache.get(path, content_hash(data), fingerprints[path])
            cached = _from_cache(path, entry) if entry is not None else None
            if cached is not None:
                outcomes[path] = cached
                continue
        tasks.append(path)

    shown = progress(len(tasks)) if progress is not None else _Silent()
    jobs = jobs or (min(os.cpu_count() or 1, 8) if len(tasks) >= PARALLEL_THRESHOLD else 1)
    roots = _roots(tasks, job.settings)
    chunks = _chunks(tasks, roots, jobs)
    if jobs > 1 and len(chunks) > 1:
        outcomes.update(_run_pool(job, chunks, jobs, shown))
    else:
        by_root: dict[str, list[str]] = {}
        for root, paths in chunks:
            by_root.setdefault(root, []).extend(paths)
        for root, paths in by_root.items():
            for outcome in _check_chunk(job, root, paths, shown.step):
                outcomes[outcome.path] = outcome
    shown.finish()

    if cache is not None:
        for path in tasks:
            outcome = outcomes[path]
            # Fixes are cached with their findings; a file that --fix rewrote is not.
            cacheable = outcome.fixed_source is None and outcome.deps is not None
            if cacheable and outcome.sha:
                cache.put(path, outcome.sha, fingerprints[path], _to_cache(outcome), outcome.deps)
        cache.save()
    return [outcomes[path] for path in files]


def _stamp_route_tables(options: RuleOptions) -> None:
    """Let the result cache stamp a route table by its content (``cache.ROUTE_TABLE``),
    through the index these options make."""
    from fastapi_lint.cache import set_route_table_stamper

    def stamp(root: str, source_root: str) -> list[int] | None:
        from fastapi_lint.project.routes import route_table_stamp

        return route_table_stamp(root, source_root, options)

    set_route_table_stamper(stamp)


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

"""Speed of fastapi-lint on the real-world corpus, against ``ast.parse`` and its peers.

Usage::

    python bench/speed.py [--corpus DIR] [--subset all|fastapi|both] [--repeat 3]
                          [--limit N] [--members a,b] [--only NAMES] [--json OUT]

The corpus (``python bench/corpus.py``) is mirrored (``.py`` files and project
markers only) into a private work folder (``--workdir``, default
``../scratch/bench-work``) so that the caches this script deletes and
creates are its own. Every tool gets the same explicit list of files (those
that ``ast.parse`` accepts): the whole corpus and/or its FastAPI subset (files
importing ``fastapi`` or ``starlette``; the other modules stay on disk for the
project index).

The machine may be shared, so the primary measure is CPU time (user + sys):
``time.process_time()`` in process for ``ast.parse``, ``os.wait4`` rusage for
subprocesses (which includes their worker processes). Each measurement is
repeated ``--repeat`` times and the medians are reported; wall-clock medians
are shown for information. Peak RSS is the largest single process of a run
(``ru_maxrss`` from ``wait4``).

Measured (``--only`` takes these names, comma separated):

- ``parse``: read + ``ast.parse`` of every file in this process (the floor).
- ``startup-flake8``/``startup-check``: flake8 (with fastapi-lint) and
  ``fastapi-lint check`` on one empty file: interpreter start-up and imports,
  which a small file set cannot amortize (ratios are also shown net of it).
- ``flake8``: flake8 ``-j 1`` with its default plugins only (F, E, W, C90).
- ``flake8+api``: the same plus fastapi-lint (caches deleted first); the
  difference is the plugin's added cost.
- ``flake8+peers``: default plugins plus flake8-async and flake8-bandit.
- ``peers``: flake8 running only flake8-async + flake8-bandit.
- ``api-only``: flake8 running only fastapi-lint (caches deleted first).
- ``check-cold-j1``/``check-cold-j2``: ``fastapi-lint check --no-cache`` after
  deleting every ``.fastapi_lint_cache``, one and two worker processes.
- ``check-warm``: ``fastapi-lint check --jobs 1`` with the cache of a previous
  run present (nothing changed).
- ``check-incremental``: the same after a one-line edit (a comment appended) in
  one module (``--edit PATH``; default: the middle FastAPI module of the set):
  only that module and the files whose findings read it are checked again.
- ``ruff``: ``ruff check --select ASYNC,FAST,S105,S106,S107 --no-cache``.
- ``hydroid``: ``hydroid --no-cache`` per member project (whole projects;
  ``--subset all`` only), when installed.
- ``therapist``: ``fastapi-therapist --no-ruff --no-vulture`` per member project, when installed
  (``--therapist PATH`` to its executable; it needs Python 3.12+).

flake8 runs through ``bench/flake8_only.py``, which disables the installed
plugins that a configuration does not name, so ``--select`` is not needed to
isolate a plugin's cost.

Bytecode: the tools run the way an installed wheel runs, from cached bytecode
(pip compiles ``.pyc`` files at install). A machine may set
``PYTHONDONTWRITEBYTECODE=1``, and then every run of a source checkout compiles
each imported module from source (~0.2 s for this package, far more than its
start-up): the subprocesses get ``PYTHONPYCACHEPREFIX=<workdir>/pycache`` instead
(nothing is written into the repository or the site-packages) and one untimed
warm-up run writes it. ``--no-bytecode`` measures with the environment as it is.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO_ROOT = BENCH.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "scratch" / "corpus"
DEFAULT_WORKDIR = REPO_ROOT.parent / "scratch" / "bench-work"
MARKERS = ("pyproject.toml", "setup.cfg", "setup.py")
WEB_MODULES = frozenset({"fastapi", "starlette"})
CACHE_DIR_NAME = ".fastapi_lint_cache"
BASE_PLUGINS = "F,E,W,C90"
ALL_MEASURES = (
    "parse",
    "startup-flake8",
    "startup-check",
    "flake8",
    "flake8+api",
    "flake8+peers",
    "peers",
    "api-only",
    "check-cold-j1",
    "check-cold-j2",
    "check-warm",
    "check-incremental",
    "ruff",
    "hydroid",
    "therapist",
)


# ---------------------------------------------------------------- corpus
@dataclass
class FileSet:
    name: str
    files: list[str]  # absolute paths inside the work folder
    members: list[str] = field(default_factory=list)  # member folders (absolute)


def imports_web(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules = [node.module or ""]
        else:
            continue
        if any(m.split(".")[0] in WEB_MODULES for m in modules):
            return True
    return False


def mirror(corpus: Path, workdir: Path, members: list[str] | None) -> list[Path]:
    """Copy the ``.py`` files and project markers of the corpus into ``workdir``."""
    chosen = []
    for member in sorted(p for p in corpus.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if members and not any(member.name.startswith(m) for m in members):
            continue
        chosen.append(member)
        for source in member.rglob("*"):
            if source.suffix != ".py" and source.name not in MARKERS:
                continue
            if not source.is_file() or any(
                part.startswith(".") for part in source.relative_to(member).parts
            ):
                continue
            target = workdir / source.relative_to(corpus)
            try:
                st = target.stat()
                src = source.stat()
                if st.st_size == src.st_size and st.st_mtime_ns == src.st_mtime_ns:
                    continue
            except OSError:
                pass
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return [workdir / m.name for m in chosen]


def collect(member_dirs: list[Path], limit: int | None) -> tuple[FileSet, FileSet, int]:
    """The parseable files of the mirrored corpus, and its FastAPI subset."""
    every: list[str] = []
    web: list[str] = []
    broken = 0
    for member in member_dirs:
        for path in sorted(member.rglob("*.py")):
            try:
                tree = ast.parse(path.read_bytes(), filename=str(path))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                broken += 1
                continue
            every.append(str(path))
            if imports_web(tree):
                web.append(str(path))
    if limit is not None:
        every = spread(every, limit)
        web = spread(web, limit)
    members = [str(m) for m in member_dirs]
    return FileSet("all", every, members), FileSet("fastapi", web, members), broken


def spread(items: list[str], limit: int) -> list[str]:
    """``limit`` items evenly spaced over the (sorted) list: every member gets some."""
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def delete_caches(member_dirs: Sequence[str]) -> None:
    for member in member_dirs:
        for cache in Path(member).rglob(CACHE_DIR_NAME):
            shutil.rmtree(cache, ignore_errors=True)


# ---------------------------------------------------------------- measuring
@dataclass
class Sample:
    cpu: float
    wall: float
    rss_mb: float
    returncode: int = 0
    output_lines: int = 0


@dataclass
class Result:
    name: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def cpu_min(self) -> float:
        return min(s.cpu for s in self.samples)

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def rss_mb(self) -> float:
        return max(s.rss_mb for s in self.samples)

    @property
    def findings(self) -> int:
        return self.samples[-1].output_lines


def measure_parse(files: list[str]) -> Sample:
    """Read and parse every file in this process (CPU and wall time)."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for path in files:
        with open(path, "rb") as stream:
            data = stream.read()
        ast.parse(data, filename=path)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Sample(cpu, wall, rss)


def run_command(
    commands: list[list[str]], env: dict[str, str] | None = None, cwd: str | None = None
) -> Sample:
    """Run commands one after the other; CPU and peak RSS from ``wait4`` (workers included)."""
    cpu = 0.0
    rss = 0.0
    lines = 0
    code = 0
    wall0 = time.perf_counter()
    for command in commands:
        with tempfile.TemporaryFile() as out:
            proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            code = max(code, proc.returncode)
            cpu += usage.ru_utime + usage.ru_stime
            rss = max(rss, usage.ru_maxrss / 1024)
            out.seek(0)
            lines += sum(1 for line in out if line.strip())
    return Sample(cpu, time.perf_counter() - wall0, rss, code, lines)


def use_bytecode_cache(folder: Path, fileset: FileSet) -> None:
    """Bytecode for every tool this script starts (they inherit ``os.environ``), in a
    folder of the work directory; written by one untimed run of each kind."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(folder)
    if not fileset.members:
        return
    warm = str(Path(fileset.members[0]) / "_bench_warm_up.py")
    Path(warm).write_text("import os\n", encoding="utf-8")
    try:
        run_command([check_command([warm], "--no-cache", "--jobs", "1")])
        run_command([check_command([warm], "--no-cache", "--jobs", "2")])
        plugins = BASE_PLUGINS + ",API,ASY,S"
        run_command([flake8_command([warm], BASE_PLUGINS + ",API,ASYNC,S")], flake8_env(plugins))
    finally:
        Path(warm).unlink()


def flake8_env(plugins: str) -> dict[str, str]:
    env = dict(os.environ)
    env["BENCH_FLAKE8_PLUGINS"] = plugins
    return env


def flake8_command(files: list[str], select: str) -> list[str]:
    return [
        sys.executable,
        str(BENCH / "flake8_only.py"),
        "--isolated",
        "-j",
        "1",
        "--exit-zero",
        f"--select={select}",
        *files,
    ]


def check_command(files: list[str], *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "fastapi_lint.cli",
        "check",
        "--isolated",
        "--exit-zero",
        "-q",
        *extra,
        *files,
    ]


def find_therapist(explicit: str | None) -> str | None:
    for candidate in (
        explicit,
        shutil.which("fastapi-therapist"),
        str(REPO_ROOT.parent / "scratch" / "venv-therapist" / "bin" / "fastapi-therapist"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def pick_edited(fileset: FileSet) -> str:
    """The module edited for ``check-incremental``: the middle FastAPI module."""
    web = [path for path in fileset.files if imports_web(ast.parse(Path(path).read_bytes()))]
    chosen = web or fileset.files
    return chosen[len(chosen) // 2]


def measure_set(
    fileset: FileSet, wanted: set[str], repeat: int, args: argparse.Namespace
) -> dict[str, Result]:
    files = fileset.files
    members = fileset.members
    results: dict[str, Result] = {}

    def repeat_run(name: str, make: object, prepare: object = None, note: str = "") -> None:
        if name not in wanted:
            return
        result = Result(name, note=note)
        for _ in range(repeat):
            if callable(prepare):
                prepare()
            assert callable(make)
            result.samples.append(make())
        results[name] = result
        print(
            f"  {fileset.name:<8} {name:<14} cpu {result.cpu:8.2f}s  wall {result.wall:8.2f}s"
            f"  rss {result.rss_mb:7.1f} MB  lines {result.findings}",
            flush=True,
        )

    def cold() -> None:
        delete_caches(members)

    repeat_run("parse", lambda: measure_parse(files))
    # Interpreter start-up and imports: a run on one empty file.
    empty = str(Path(members[0]) / "_bench_empty.py") if members else None
    if empty:
        Path(empty).write_text("", encoding="utf-8")
    repeat_run(
        "startup-flake8",
        lambda: run_command(
            [flake8_command([empty], BASE_PLUGINS + ",API")], flake8_env(BASE_PLUGINS + ",API")
        ),
    )
    repeat_run(
        "startup-check",
        lambda: run_command([check_command([empty], "--no-cache", "--jobs", "1")]),
    )
    repeat_run(
        "flake8",
        lambda: run_command([flake8_command(files, BASE_PLUGINS)], flake8_env(BASE_PLUGINS)),
    )
    repeat_run(
        "flake8+api",
        lambda: run_command(
            [flake8_command(files, BASE_PLUGINS + ",API")], flake8_env(BASE_PLUGINS + ",API")
        ),
        cold,
    )
    repeat_run(
        "flake8+peers",
        lambda: run_command(
            [flake8_command(files, BASE_PLUGINS + ",ASYNC,S")],
            flake8_env(BASE_PLUGINS + ",ASY,S"),
        ),
    )
    repeat_run(
        "peers",
        lambda: run_command([flake8_command(files, "ASYNC,S")], flake8_env("ASY,S")),
    )
    repeat_run(
        "api-only",
        lambda: run_command([flake8_command(files, "API")], flake8_env("API")),
        cold,
    )
    repeat_run(
        "check-cold-j1",
        lambda: run_command([check_command(files, "--no-cache", "--jobs", "1")]),
        cold,
    )
    repeat_run(
        "check-cold-j2",
        lambda: run_command([check_command(files, "--no-cache", "--jobs", "2")]),
        cold,
    )

    def prime() -> None:
        delete_caches(members)
        run_command([check_command(files, "--jobs", "1")])

    if "check-warm" in wanted:
        prime()
    repeat_run("check-warm", lambda: run_command([check_command(files, "--jobs", "1")]))
    if "check-incremental" in wanted and files:
        edited = Path(args.edit) if args.edit else Path(pick_edited(fileset))
        original = edited.read_bytes()
        edits = iter(range(1, 1000))
        print(f"  {fileset.name:<8} check-incremental edits {edited}", flush=True)

        def edit() -> None:
            # A different line each time, so each run sees a changed module.
            edited.write_bytes(original + f"# bench edit {next(edits)}\n".encode())

        prime()
        try:
            repeat_run(
                "check-incremental",
                lambda: run_command([check_command(files, "--jobs", "1")]),
                edit,
                note="one-line edit",
            )
        finally:
            edited.write_bytes(original)
    if shutil.which("ruff"):
        repeat_run(
            "ruff",
            lambda: run_command(
                [
                    [
                        "ruff",
                        "check",
                        "--isolated",
                        "--select",
                        "ASYNC,FAST,S105,S106,S107",
                        "--no-cache",
                        "--exit-zero",
                        "--output-format",
                        "concise",
                        *files,
                    ]
                ]
            ),
        )
    if fileset.name == "all" and not args.limit:
        hydroid = shutil.which("hydroid")
        if hydroid:
            repeat_run(
                "hydroid",
                lambda: run_command([[hydroid, "--no-cache", m] for m in members]),
                note="whole member projects",
            )
        therapist = find_therapist(args.therapist)
        if therapist:
            repeat_run(
                "therapist",
                lambda: run_command(
                    [[therapist, "--no-ruff", "--no-vulture", "--json-compact", m] for m in members]
                ),
                note="whole member projects",
            )
    return results


# ---------------------------------------------------------------- report
TARGETS = [
    # (label, numerator, denominator, limit, "le"/"ge"): issue 20's targets
    ("check -j1 cold / ast.parse", "check-cold-j1", "parse", 4.0, "le"),
    ("check warm / ast.parse", "check-warm", "parse", 0.25, "le"),
    (
        "check after a one-line edit / check -j1 cold",
        "check-incremental",
        "check-cold-j1",
        0.1,
        "le",
    ),
    ("flake8 + fastapi-lint / flake8 alone (cold)", "flake8+api", "flake8", 1.2, "le"),
    ("plugin added / ast.parse", "plugin_added", "parse", 0.5, "le"),
]


def report(fileset: FileSet, results: dict[str, Result]) -> dict[str, object]:
    out: dict[str, object] = {"files": len(fileset.files), "measures": {}}
    print()
    print(f"## {fileset.name}: {len(fileset.files)} files")
    print()
    print(
        "| measure | CPU min (s) | CPU median (s) | wall median (s) | peak RSS (MB)"
        " | output lines |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name in ALL_MEASURES:
        result = results.get(name)
        if result is None:
            continue
        note = f" ({result.note})" if result.note else ""
        print(
            f"| {name}{note} | {result.cpu_min:.2f} | {result.cpu:.2f} | {result.wall:.2f} |"
            f" {result.rss_mb:.0f} |"
            f" {result.findings} |"
        )
        out["measures"][name] = {  # type: ignore[index]
            "cpu": result.cpu,
            "wall": result.wall,
            "rss_mb": result.rss_mb,
            "lines": result.findings,
            "cpu_samples": [s.cpu for s in result.samples],
        }

    cpu = {name: r.cpu for name, r in results.items()}
    wall = {name: r.wall for name, r in results.items()}
    if "flake8" in cpu and "flake8+api" in cpu:
        cpu["plugin_added"] = cpu["flake8+api"] - cpu["flake8"]
    if "flake8" in cpu and "flake8+peers" in cpu:
        cpu["peers_added"] = cpu["flake8+peers"] - cpu["flake8"]
    ratios: list[tuple[str, str, str]] = []

    def verdict(value: float, limit: float, sense: str) -> str:
        ok = value <= limit if sense == "le" else value >= limit
        return ("met" if ok else "MISSED") + f" (target {'≤' if sense == 'le' else '≥'} {limit:g})"

    for label, num, den, limit, sense in TARGETS:
        if num in cpu and den in cpu and cpu[den] > 0:
            value = cpu[num] / cpu[den]
            ratios.append((label, f"{value:.2f}×", verdict(value, limit, sense)))
    if "startup-check" in cpu and "parse" in cpu and cpu["parse"] > 0:
        for label, num in (
            ("check -j1 cold / ast.parse, net of start-up", "check-cold-j1"),
            ("check warm / ast.parse, net of start-up", "check-warm"),
        ):
            if num in cpu:
                value = max(cpu[num] - cpu["startup-check"], 0.0) / cpu["parse"]
                limit = 4.0 if "cold" in label else 0.25
                ratios.append((label, f"{value:.2f}×", verdict(value, limit, "le")))
    if "check-cold-j1" in wall and "check-cold-j2" in wall:
        speedup = wall["check-cold-j1"] / wall["check-cold-j2"]
        ratios.append(("--jobs 2 speedup (wall)", f"{speedup:.2f}×", verdict(speedup, 1.7, "ge")))
        overhead = cpu["check-cold-j2"] / cpu["check-cold-j1"]
        ratios.append(("--jobs 2 CPU / --jobs 1 CPU", f"{overhead:.2f}×", "(≈1: no pool overhead)"))
        ratios.append(
            (
                "--jobs 2 ideal speedup (CPU)",
                f"{2 / overhead:.2f}×",
                "2 cores, perfect balance: 2 × jobs1 CPU / jobs2 CPU",
            )
        )
    rss = max((results[n].rss_mb for n in results if n.startswith("check")), default=None)
    if rss is not None:
        ratios.append(("check peak RSS (MB, per process)", f"{rss:.0f}", verdict(rss, 300, "le")))
    if "plugin_added" in cpu and "peers_added" in cpu and cpu["plugin_added"] > 0:
        value = cpu["peers_added"] / cpu["plugin_added"]
        ratios.append(
            (
                "flake8-async+bandit added / fastapi-lint added",
                f"{value:.2f}×",
                verdict(value, 1.0, "ge"),
            )
        )
    if "peers" in cpu and "check-cold-j1" in cpu and cpu["check-cold-j1"] > 0:
        value = cpu["peers"] / cpu["check-cold-j1"]
        ratios.append(
            (
                "flake8(async+bandit only) / check -j1 cold",
                f"{value:.2f}×",
                verdict(value, 1.0, "ge"),
            )
        )
    for name in ("ruff", "flake8", "hydroid", "therapist"):
        if name in cpu and "check-cold-j1" in cpu and cpu["check-cold-j1"] > 0:
            ratios.append(
                (f"check -j1 cold / {name}", f"{cpu['check-cold-j1'] / cpu[name]:.2f}×", "")
            )
    print()
    print("| ratio (CPU medians unless said) | value | target |")
    print("|---|---:|---|")
    for label, value, target in ratios:
        print(f"| {label} | {value} | {target} |")
    out["ratios"] = ratios
    out["derived"] = {k: v for k, v in cpu.items() if k in ("plugin_added", "peers_added")}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--subset", choices=("all", "fastapi", "both"), default="both")
    parser.add_argument("--members", help="comma-separated member name prefixes (default: all)")
    parser.add_argument("--limit", type=int, help="at most N files per set (evenly spread)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help=f"comma-separated measures among: {', '.join(ALL_MEASURES)}")
    parser.add_argument("--skip", help="comma-separated measures to leave out")
    parser.add_argument("--therapist", help="path of the fastapi-therapist executable")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--edit", help="module (in the work folder) edited for check-incremental")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="run the tools with the environment as it is (no bytecode cache if"
        " PYTHONDONTWRITEBYTECODE is set): see 'Bytecode' above",
    )
    args = parser.parse_args(argv)

    wanted = set(args.only.split(",")) if args.only else set(ALL_MEASURES)
    if args.skip:
        wanted -= set(args.skip.split(","))
    unknown = wanted - set(ALL_MEASURES)
    if unknown:
        parser.error(f"unknown measures: {', '.join(sorted(unknown))}")
    workdir = args.workdir.resolve()
    if workdir == REPO_ROOT or REPO_ROOT in workdir.parents:
        parser.error("--workdir must be outside the repository")
    members = args.members.split(",") if args.members else None
    print(f"mirroring {args.corpus} into {workdir} ...", flush=True)
    member_dirs = mirror(args.corpus.resolve(), workdir / "corpus", members)
    every, web, broken = collect(member_dirs, args.limit)
    print(
        f"{len(member_dirs)} members, {len(every.files)} files, {len(web.files)} FastAPI files"
        f" ({broken} unparsable files left out); repeat {args.repeat}",
        flush=True,
    )
    sets = {"all": [every], "fastapi": [web], "both": [web, every]}[args.subset]
    if not args.no_bytecode:
        use_bytecode_cache(workdir / "pycache", every)
    summary: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load": os.getloadavg(),
        "repeat": args.repeat,
    }
    for fileset in sets:
        results = measure_set(fileset, wanted, args.repeat, args)
        summary[fileset.name] = report(fileset, results)
    print()
    print(
        f"({summary['date']}, Python {summary['python']}, {summary['cpus']} CPUs,"
        f" load average at start {os.getloadavg()[0]:.1f}; CPU = user+sys, medians of {args.repeat})"
    )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Cost of the project index on a real application of 1,000+ files (issue 3).

Usage::

    python bench/index_speed.py [--project DIR] [--repeat 3] [--jobs 1] [--trace]

Runs ``flake8 --select API`` (fastapi-lint as the only flake8 plugin, through
``bench/flake8_only.py``) over one application three ways:

- ``no index``: ``--fastapi-no-project-index`` (every file alone);
- ``cold``: the index on, every ``.fastapi_lint_cache`` deleted first;
- ``warm``: the index on, the fact cache of a previous run present, nothing
  changed.

Targets: cold ≤ 1.5 × no index, warm ≤ 1.1 × no index (CPU time, user+sys,
medians). The default project is dstack (1,126 ``.py`` files) mirrored by
``bench/speed.py`` into ``../scratch/bench-work/corpus/`` (run that first, or
pass ``--project``; the folder is only read, and its caches deleted).

``--trace`` then runs the warm configuration once more in process with
``ProjectIndex._build`` instrumented and prints which code paths still build
other modules' models on a warm run (the first fastapi_lint frames outside the
index, with counts): those are the questions that bypass the fact cache.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO_ROOT = BENCH.parent
DEFAULT_PROJECT = REPO_ROOT.parent / "scratch" / "bench-work" / "corpus" / "dstack-0.22.5"
CACHE_DIR_NAME = ".fastapi_lint_cache"


def delete_caches(project: Path) -> None:
    for cache in project.rglob(CACHE_DIR_NAME):
        shutil.rmtree(cache, ignore_errors=True)


def flake8_command(project: Path, jobs: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        str(BENCH / "flake8_only.py"),
        "--isolated",
        "-j",
        str(jobs),
        "--exit-zero",
        "--select=API",
        *extra,
        str(project),
    ]


def run(command: list[str]) -> tuple[float, float, float, int]:
    """CPU (user+sys, workers included), wall, peak RSS (MB), output lines."""
    env = dict(os.environ, BENCH_FLAKE8_PLUGINS="API")
    wall0 = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = sum(1 for line in out if line.strip())
    if proc.returncode:
        raise SystemExit(f"{' '.join(command[:6])} ... exited {proc.returncode}")
    return (
        usage.ru_utime + usage.ru_stime,
        time.perf_counter() - wall0,
        usage.ru_maxrss / 1024,
        lines,
    )


def trace_child(argv: list[str]) -> int:
    """In process: run flake8, record the stacks that build other modules' models."""
    sys.argv = ["flake8", *argv]
    sys.path.insert(0, str(BENCH))
    import flake8_only  # noqa: F401  (installs the plugin filter)
    from flake8.main.cli import main as flake8_main

    from fastapi_lint.project import index as index_module

    callers: collections.Counter[str] = collections.Counter()
    modules: collections.Counter[str] = collections.Counter()
    original = index_module.ProjectIndex._build

    def traced(self: object, path: Path, module_name: str) -> object:
        stack = traceback.extract_stack()[:-1]
        chain = []
        for frame in reversed(stack):
            if "fastapi_lint" not in frame.filename:
                continue
            where = frame.filename.split("fastapi_lint/", 1)[-1]
            label = f"{where}:{frame.name}"
            if where.startswith("project/index.py"):
                if not chain or chain[-1] != label:
                    chain.append(label)
                continue
            chain.append(f"{label}:{frame.lineno}")
            if len([c for c in chain if not c.startswith("project/index.py")]) >= 3:
                break
        callers[" <- ".join(chain)] += 1
        modules[module_name] += 1
        return original(self, path, module_name)  # type: ignore[arg-type]

    index_module.ProjectIndex._build = traced  # type: ignore[method-assign,assignment]
    with open(os.devnull, "w") as devnull:
        saved = sys.stdout
        sys.stdout = devnull
        try:
            flake8_main()
        except SystemExit:
            pass
        finally:
            sys.stdout = saved
    print(
        json.dumps(
            {
                "builds": sum(callers.values()),
                "callers": callers.most_common(25),
                "modules": modules.most_common(10),
            }
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--trace-child":
        return trace_child(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=DEFAULT_PROJECT)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1, help="flake8 -j (default 1)")
    parser.add_argument("--trace", action="store_true", help="report what builds models when warm")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    project: Path = args.project.resolve()
    if project == REPO_ROOT or REPO_ROOT in project.parents:
        parser.error("--project must be outside the repository (its caches are deleted)")
    files = sum(1 for _ in project.rglob("*.py"))
    print(f"project {project} ({files} .py files), flake8 -j {args.jobs}, repeat {args.repeat}")

    samples: dict[str, list[tuple[float, float, float, int]]] = {
        "no index": [],
        "cold": [],
        "warm": [],
    }
    for _ in range(args.repeat):
        samples["no index"].append(
            run(flake8_command(project, args.jobs, "--fastapi-no-project-index"))
        )
        delete_caches(project)
        samples["cold"].append(run(flake8_command(project, args.jobs)))
        samples["warm"].append(run(flake8_command(project, args.jobs)))
        for name in samples:
            cpu, wall, rss, lines = samples[name][-1]
            print(f"  {name:<9} cpu {cpu:7.2f}s wall {wall:7.2f}s rss {rss:6.0f} MB lines {lines}")

    def med(name: str, i: int) -> float:
        return statistics.median(s[i] for s in samples[name])

    print()
    print("| run | CPU median (s) | wall median (s) | peak RSS (MB) | findings |")
    print("|---|---:|---:|---:|---:|")
    for name in samples:
        print(
            f"| {name} | {med(name, 0):.2f} | {med(name, 1):.2f} |"
            f" {max(s[2] for s in samples[name]):.0f} | {samples[name][-1][3]} |"
        )
    base = med("no index", 0)
    cold, warm = med("cold", 0) / base, med("warm", 0) / base
    print()
    print("| ratio (CPU) | value | target |")
    print("|---|---:|---|")
    print(f"| cold / no index | {cold:.2f}× | ≤ 1.5 {'met' if cold <= 1.5 else 'MISSED'} |")
    print(f"| warm / no index | {warm:.2f}× | ≤ 1.1 {'met' if warm <= 1.1 else 'MISSED'} |")
    result: dict[str, object] = {
        "project": str(project),
        "files": files,
        "cpu": {name: med(name, 0) for name in samples},
        "wall": {name: med(name, 1) for name in samples},
        "findings": {name: samples[name][-1][3] for name in samples},
        "cold_ratio": cold,
        "warm_ratio": warm,
    }
    if args.trace:
        # The cache is warm from the last repetition.
        proc = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--trace-child",
                *flake8_command(project, 1)[2:],
            ],
            capture_output=True,
            text=True,
            env=dict(os.environ, BENCH_FLAKE8_PLUGINS="API"),
        )
        try:
            traced = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            print(proc.stdout[-2000:], proc.stderr[-2000:])
            return 1
        print()
        print(f"warm run: {traced['builds']} models of other modules built; by caller:")
        for chain, count in traced["callers"]:
            print(f"  {count:5d}  {chain}")
        print("most rebuilt modules:", ", ".join(f"{m} ({n})" for m, n in traced["modules"]))
        result["trace"] = traced
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

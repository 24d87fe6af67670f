"""What fastapi-lint reports on the real-world corpus, for a person to read.

Usage::

    python bench/findings.py [--corpus DIR] [--members a,b] [--per-code 5] [--seed 0]
                             [--select CODES] [--out FILE]

Runs ``fastapi-lint check --no-cache`` (nothing is written into the corpus) on
every member of the corpus (``python bench/corpus.py``) and writes to ``--out``
(default ``../scratch/findings.md``, never inside the repository):

- a table of findings per member and code;
- for every code, a seeded random sample of findings with the reported source
  line and two lines of context, to judge precision by eye;
- robustness (issue 10): per member, the CPU time and peak memory of the run,
  its exit status, the files reported as unreadable or unparsable (one line
  each, by design) and any crash: a traceback or an "internal error" line on
  stderr, or an exit status other than 0/1. The script exits 1 if any member
  crashed.

String literals on the lines and in the messages of API5xx findings (secrets)
are redacted: only their first two characters and their length are shown.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO_ROOT = BENCH.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "scratch" / "corpus"
DEFAULT_OUT = REPO_ROOT.parent / "scratch" / "findings.md"

_QUOTES = ("'''", '"""', "'", '"')
_TOKEN = re.compile(r"[A-Za-z0-9+/=_\-]{16,}")


def _mask(body: str) -> str:
    return f"{body[:2]}…<{len(body)} chars>" if len(body) > 2 else "…"


def redact(text: str) -> str:
    """Hide the content of every string literal (and long token-like runs) on a line."""
    out = []
    i = 0
    while i < len(text):
        quote = next((q for q in _QUOTES if text.startswith(q, i)), None)
        if quote is None:
            out.append(text[i])
            i += 1
            continue
        end = text.find(quote, i + len(quote))
        if end == -1:  # an unterminated (multi-line) string: hide the rest of the line
            out.append(quote + _mask(text[i + len(quote) :]))
            break
        out.append(quote + _mask(text[i + len(quote) : end]) + quote)
        i = end + len(quote)
    return _TOKEN.sub(
        lambda m: _mask(m.group(0)) if any(c.isdigit() for c in m.group(0)) else m.group(0),
        "".join(out),
    )


class Run:
    """What one member's run left besides findings."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self.wall = 0.0
        self.peak_mb = 0.0
        self.status = 0
        self.file_errors: list[str] = []  # "path: cannot parse: ..." (expected, one line)
        self.crashes: list[str] = []  # tracebacks, internal errors, bad exit codes


CRASH_MARKERS = ("Traceback (most recent call last)", "internal error")


def run_member(member: Path, select: str | None, run: Run | None = None) -> list[dict[str, object]]:
    command = [
        sys.executable,
        "-m",
        "fastapi_lint.cli",
        "check",
        "--no-cache",
        "--exit-zero",
        "-q",
        "--output-format",
        "json-lines",
    ]
    if select:
        command += ["--select", select]
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([*command, str(member)], stdout=out, stderr=err)
        # wait4 gives the child's own CPU time and peak RSS (workers included).
        _, status, usage = os.wait4(process.pid, 0)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    proc = subprocess.CompletedProcess(
        process.args, os.waitstatus_to_exitcode(status), stdout, stderr
    )
    if run is not None:
        run.wall = time.monotonic() - started
        run.status = proc.returncode
        run.cpu = usage.ru_utime + usage.ru_stime
        run.peak_mb = usage.ru_maxrss / 1024
        for line in stderr.splitlines():
            if any(marker in line for marker in CRASH_MARKERS):
                run.crashes.append(line.strip())
            elif line.strip() and not line.startswith(("Found ", "All checks")):
                run.file_errors.append(line.strip())
        if proc.returncode not in (0, 1):
            run.crashes.append(f"exit status {proc.returncode}")
    findings = []
    for line in proc.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            findings.append(json.loads(line))
        except ValueError:
            continue
    if proc.returncode not in (0, 1):
        print(
            f"{member.name}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}", file=sys.stderr
        )
    elif proc.stderr.strip():
        print(f"{member.name}: {proc.stderr.strip()[-600:]}", file=sys.stderr)
    return findings


def context(path: str, row: int, secret: bool, around: int = 2) -> list[str]:
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ["(unreadable)"]
    shown = []
    for number in range(max(1, row - around), min(len(lines), row + around) + 1):
        text = lines[number - 1].rstrip()
        if secret:
            text = redact(text)
        if len(text) > 160:
            text = text[:157] + "..."
        marker = ">>" if number == row else "  "
        shown.append(f"{marker} {number:5d} | {text}")
    return shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--members", help="comma-separated member name prefixes (default: all)")
    parser.add_argument("--select", help="codes or prefixes to check (default: the defaults)")
    parser.add_argument("--per-code", type=int, default=5, help="sampled findings per code")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    if REPO_ROOT in out.parents:
        parser.error("--out must be outside the repository")
    prefixes = args.members.split(",") if args.members else None
    members = [
        m
        for m in sorted(args.corpus.iterdir())
        if m.is_dir()
        and not m.name.startswith(".")
        and (not prefixes or any(m.name.startswith(p) for p in prefixes))
    ]

    everything: list[tuple[str, dict[str, object]]] = []
    counts: dict[str, collections.Counter[str]] = {}
    runs: dict[str, Run] = {}
    for member in members:
        run = runs[member.name] = Run()
        found = run_member(member, args.select, run)
        counts[member.name] = collections.Counter(str(f["code"]) for f in found)
        everything.extend((member.name, f) for f in found)
        print(
            f"{member.name}: {len(found)} findings, {run.cpu:.1f} s CPU, "
            f"{run.peak_mb:.0f} MB peak, {len(run.file_errors)} file errors, "
            f"{len(run.crashes)} crashes",
            flush=True,
        )

    codes = sorted({str(f["code"]) for _, f in everything})
    rng = random.Random(args.seed)
    report = ["# fastapi-lint findings on the corpus", ""]
    report.append(f"Corpus: `{args.corpus}`; {len(everything)} findings; sample seed {args.seed}.")
    report.append("")
    report.append("| member | total | " + " | ".join(codes) + " |")
    report.append("|---|---:|" + "---:|" * len(codes))
    totals: collections.Counter[str] = collections.Counter()
    for member, counter in counts.items():
        totals.update(counter)
        cells = " | ".join(str(counter.get(code, "")) for code in codes)
        report.append(f"| {member} | {sum(counter.values())} | {cells} |")
    cells = " | ".join(str(totals.get(code, 0)) for code in codes)
    report.append(f"| **total** | {sum(totals.values())} | {cells} |")
    report.append("")
    report.append("## Robustness (issue 10)")
    report.append("")
    report.append("| member | CPU (s) | wall (s) | peak RSS (MB) | exit | file errors | crashes |")
    report.append("|---|---:|---:|---:|---:|---:|---:|")
    for member, run in runs.items():
        report.append(
            f"| {member} | {run.cpu:.1f} | {run.wall:.1f} | {run.peak_mb:.0f} | {run.status} "
            f"| {len(run.file_errors)} | {len(run.crashes)} |"
        )
    crashes = [(member, line) for member, run in runs.items() for line in run.crashes]
    report.append("")
    report.append(f"Crashes: {len(crashes)}.")
    for member, line in crashes[:50]:
        report.append(f"- {member}: `{line[:200]}`")
    file_errors = [(member, line) for member, run in runs.items() for line in run.file_errors]
    if file_errors:
        report.append("")
        report.append("Per-file error lines (unreadable or unparsable files, reported by design):")
        for member, line in file_errors[:50]:
            report.append(f"- {member}: `{line[:200]}`")
    report.append("")
    for code in codes:
        of_code = [(m, f) for m, f in everything if f["code"] == code]
        sample = rng.sample(of_code, min(args.per_code, len(of_code)))
        secret = code.startswith("API5")
        report.append(f"## {code} ({len(of_code)} findings, {len(sample)} shown)")
        report.append("")
        for member, finding in sample:
            location = finding.get("location") or {}
            row = int(location.get("row", 0)) if isinstance(location, dict) else 0
            filename = str(finding.get("filename", ""))
            message = str(finding.get("message", ""))
            if secret:
                message = redact(message)
            shown = filename.split(f"/{member}/", 1)[-1]
            report.append(f"- `{member}/{shown}:{row}`: {message}")
            report.append("")
            report.append("  ```")
            report.extend("  " + line for line in context(filename, row, secret))
            report.append("  ```")
            report.append("")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"written {out}: {len(everything)} findings, {len(codes)} codes, {len(crashes)} crashes")
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())

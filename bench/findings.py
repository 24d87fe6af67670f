"""What fastapi-lint reports on the real-world corpus, for a person to read.

Usage::

    python bench/findings.py [--corpus DIR] [--members a,b] [--per-code 5] [--seed 0]
                             [--select CODES] [--out FILE]

Runs ``fastapi-lint check --no-cache`` (nothing is written into the corpus) on
every member of the corpus (``python bench/corpus.py``) and writes to ``--out``
(default ``../scratch/findings.md``, never inside the repository):

- a table of findings per member and code;
- for every code, a seeded random sample of findings with the reported source
  line and two lines of context, to judge precision by eye.

String literals on the lines and in the messages of API5xx findings (secrets)
are redacted: only their first two characters and their length are shown.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import subprocess
import sys
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


def run_member(member: Path, select: str | None) -> list[dict[str, object]]:
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
    proc = subprocess.run([*command, str(member)], capture_output=True, text=True)
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
    for member in members:
        found = run_member(member, args.select)
        counts[member.name] = collections.Counter(str(f["code"]) for f in found)
        everything.extend((member.name, f) for f in found)
        print(f"{member.name}: {len(found)} findings", flush=True)

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
    print(f"written {out}: {len(everything)} findings, {len(codes)} codes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

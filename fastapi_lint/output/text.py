"""Human output: ``concise`` (one line per finding) and ``full`` (with the source line)."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from fastapi_lint.output.report import Finding, Report, display_path
from fastapi_lint.source import SourceError, read_source, source_lines


def concise_line(finding: Finding, fixable: bool = False) -> str:
    # `[*]` as ruff: `--fix` would fix this one.
    mark = "[*] " if fixable else ""
    return (
        f"{display_path(finding.path)}:{finding.line}:{finding.col}: "
        f"{finding.code} {mark}{finding.message}"
    )


def concise(report: Report, out: TextIO) -> None:
    for finding in report.findings:
        out.write(concise_line(finding, report.applicable(finding)) + "\n")


def _source_lines(path: str) -> list[str] | None:
    try:
        return source_lines(read_source(path))
    except SourceError:
        return None


def full(report: Report, out: TextIO) -> None:
    cache: dict[str, list[str] | None] = {}
    for finding in report.findings:
        name = f" [{finding.name}]" if finding.name else ""
        out.write(concise_line(finding, report.applicable(finding)) + name + "\n")
        if finding.path not in cache:
            cache[finding.path] = _source_lines(finding.path) if finding.path != "-" else None
        lines = cache[finding.path]
        width = len(str(finding.line))
        gutter = " " * width
        if finding.is_secret:
            # Never echo a line that holds a detected secret.
            out.write(f"{gutter} |\n{finding.line} | (source line hidden: it may hold a secret)\n")
            out.write(f"{gutter} |\n\n")
            continue
        if lines is None or not 1 <= finding.line <= len(lines):
            out.write("\n")
            continue
        text = lines[finding.line - 1]
        start = max(finding.col - 1, 0)
        end = finding.end_col - 1 if finding.end_line == finding.line else len(text)
        end = max(min(end, len(text)), start + 1)
        # Keep tabs so that the carets line up with the source line.
        prefix = "".join(c if c == "\t" else " " for c in text[:start])
        out.write(f"{gutter} |\n{finding.line} | {text}\n")
        out.write(f"{gutter} | {prefix}{'^' * (end - start)} {finding.code}\n{gutter} |\n")
        if finding.fix is not None:
            kind = "" if finding.fix.safe else " (unsafe)"
            out.write(f"{gutter} = fix{kind}: {finding.fix.description}\n")
        out.write("\n")


def statistics(report: Report, out: TextIO) -> None:
    counts = Counter(f.code for f in report.findings)
    fixable = {f.code for f in report.findings if report.applicable(f)}
    names = {f.code: f.name for f in report.findings}
    width = max((len(str(n)) for n in counts.values()), default=1)
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        mark = "[*]" if code in fixable else "[ ]"
        out.write(f"{count:>{width}}\t{code}\t{mark} {names[code]}\n")


def summary(report: Report, fix_mode: bool) -> str:
    found = len(report.findings)
    parts = []
    if found or report.fixed:
        total = found + report.fixed
        parts.append(f"Found {total} error{'s' if total != 1 else ''}")
        if report.fixed:
            parts[-1] += f" ({report.fixed} fixed, {found} remaining)"
        parts[-1] += "."
        if not fix_mode:
            hint = fix_hint(report)
            if hint:
                parts.append(hint)
    elif not report.errors:
        # Never when a file could not be checked: its findings are unknown.
        parts.append("All checks passed!")
    if report.errors:
        count = len(report.errors)
        parts.append(f"{count} file{'s' if count != 1 else ''} could not be checked (see above).")
    return "\n".join(parts)


def fix_hint(report: Report) -> str:
    """ruff's lines: what ``--fix`` would fix, and the fixes ``--unsafe-fixes`` would add."""
    applicable = sum(1 for f in report.findings if report.applicable(f))
    hidden = sum(1 for f in report.findings if f.fix is not None and not report.applicable(f))
    option = "`--fix --unsafe-fixes` option" if report.unsafe_fixes else "`--fix` option"
    hidden_text = (
        f"{hidden} hidden fix{'es' if hidden != 1 else ''} can be enabled with the "
        "`--unsafe-fixes` option"
    )
    if applicable and hidden:
        return f"[*] {applicable} fixable with the {option} ({hidden_text})."
    if applicable:
        return f"[*] {applicable} fixable with the {option}."
    if hidden:
        return f"No fixes available ({hidden_text})."
    return ""

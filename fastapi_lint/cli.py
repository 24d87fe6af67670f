"""The standalone command line: ``fastapi-lint check PATH...`` (first version)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from fastapi_lint import __version__
from fastapi_lint.engine import CheckError, check_source
from fastapi_lint.noqa import NoqaMap
from fastapi_lint.settings import RuleOptions, Selection
from fastapi_lint.source import SourceError, read_source


def iter_python_files(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*.py")
                    if not any(part.startswith(".") for part in p.parts)
                )
            )
        else:
            files.append(path)
    return files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fastapi-lint")
    parser.add_argument("--version", action="version", version=f"fastapi-lint {__version__}")
    sub = parser.add_subparsers(dest="command")
    check = sub.add_parser("check")
    check.add_argument("paths", nargs="*", default=["."])
    check.add_argument("--select", default="API")
    check.add_argument("--ignore", default="")
    check.add_argument("--exit-zero", action="store_true")
    args = parser.parse_args(argv)
    if args.command != "check":
        parser.print_help()
        return 2
    selection = Selection(
        select=tuple(c.strip() for c in args.select.split(",") if c.strip()),
        ignore=tuple(c.strip() for c in args.ignore.split(",") if c.strip()),
    )
    options = RuleOptions()
    found = 0
    for path in iter_python_files(args.paths):
        try:
            source = read_source(path)
            diagnostics = check_source(source, str(path), options, selection)
        except (SourceError, CheckError) as error:
            print(f"{path}:0:0: E902 {error}", file=sys.stderr)
            continue
        noqa = NoqaMap(source)
        for d in diagnostics:
            if noqa.is_silenced(d.line, d.code):
                continue
            found += 1
            print(f"{d.path}:{d.line}:{d.col + 1}: {d.code} {d.message}")
    return 0 if args.exit_zero or not found else 1


if __name__ == "__main__":
    sys.exit(main())

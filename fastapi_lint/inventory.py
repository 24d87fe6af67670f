"""``fastapi-lint routes``: the route inventory, statically (nothing imported or run).

One row per route as each app serves it, from the project's route table
(``project/routes.py``): method, full path, handler, sync/async, response
model, status code, dependencies, the security schemes reached through them,
and the app. The files are the ones ``check`` would check (same configuration,
excludes and project roots); the table of each project root is the cached fact
the API203/API204 rules use, so a run after ``check`` reads it from disk.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    # The CLI builds this command's arguments on every start (``add_arguments``): the
    # route table and the output formats' modules are imported when ``routes`` runs.
    from fastapi_lint.project.routes import ServedRoute

FORMATS = ("table", "json", "markdown", "csv")
NO_APP = "(no app)"  # a router that no app includes, as far as the table can tell
COLUMNS = (
    "app",
    "method",
    "path",
    "handler",
    "location",
    "kind",
    "response_model",
    "status_code",
    "dependencies",
    "security",
)


@dataclass(frozen=True)
class Row:
    """One route of the inventory, ready to print."""

    app: str
    method: str
    path: str
    handler: str  # module:function
    file: str  # relative to the current folder when possible
    line: int
    is_async: bool
    response_model: str
    status_code: str
    dependencies: tuple[str, ...]
    security: tuple[str, ...]

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def kind(self) -> str:
        return "async" if self.is_async else "sync"

    @property
    def authenticated(self) -> bool:
        return bool(self.security)

    def as_json(self) -> dict[str, Any]:
        return {
            "app": self.app,
            "method": self.method,
            "path": self.path,
            "handler": self.handler,
            "file": self.file,
            "line": self.line,
            "async": self.is_async,
            "response_model": self.response_model or None,
            "status_code": self.status_code or None,
            "dependencies": list(self.dependencies),
            "security": list(self.security),
        }

    def cells(self) -> dict[str, str]:
        return {
            "app": self.app,
            "method": self.method,
            "path": self.path,
            "handler": self.handler,
            "location": self.location,
            "kind": self.kind,
            "response_model": self.response_model or "-",
            "status_code": self.status_code or "-",
            "dependencies": ", ".join(self.dependencies) or "-",
            "security": ", ".join(self.security) or "-",
        }


# ------------------------------------------------------------ command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    parser.add_argument("--output-format", choices=FORMATS, default="table", help="default: table")
    parser.add_argument(
        "--unauthenticated",
        action="store_true",
        help="only the routes that reach no security scheme",
    )
    parser.add_argument("--config", metavar="PATH", help="a pyproject.toml")
    parser.add_argument("--isolated", action="store_true", help="ignore configuration files")
    parser.add_argument("--exclude", type=_globs, metavar="GLOBS", help="replaces the defaults")
    parser.add_argument("--extend-exclude", type=_globs, metavar="GLOBS")
    parser.add_argument("--project-root", metavar="PATH")
    parser.add_argument("--no-cache", action="store_true", help="do not use the fact cache")
    parser.add_argument("--cache-dir", metavar="PATH")


def _globs(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from fastapi_lint.config import resolve
    from fastapi_lint.discovery import discover
    from fastapi_lint.registry import all_codes

    out = out or sys.stdout
    paths = args.paths or ["."]
    start = Path(paths[0])
    overrides: dict[str, Any] = {}
    for key in ("exclude", "extend_exclude", "project_root", "cache_dir"):
        value = getattr(args, key, None)
        if value is not None:
            overrides[key.replace("_", "-")] = value
    settings = resolve(
        config=args.config,
        start=start if start.exists() else Path.cwd(),
        overrides=overrides,
        codes=list(all_codes()),
        isolated=args.isolated,
    )
    if args.no_cache:
        settings = settings.without_cache()
    files = discover(paths, settings)
    rows = inventory(files, settings.rule_options())
    if args.unauthenticated:
        rows = [row for row in rows if not row.authenticated]
    out.write(render(rows, args.output_format))
    unread = unreadable_route_files(files)
    for line in unread:
        sys.stderr.write(line + "\n")
    if unread:
        count = len(unread)
        sys.stderr.write(
            f"{count} file{'s' if count != 1 else ''} could not be read: "
            "routes they declare are not listed (see above).\n"
        )
    return 1 if unread else 0


def unreadable_route_files(files: list[str]) -> list[str]:
    """``path: E902 ...`` / ``path:line:col: E999 ...`` for each file that may declare
    routes but cannot be read or parsed: the table leaves it out, so the inventory says
    so rather than listing fewer routes in silence (as ``check`` reports the file)."""
    from fastapi_lint.engine import CheckError, parse
    from fastapi_lint.linter import parse_error
    from fastapi_lint.project.routes import declares_routes
    from fastapi_lint.source import SourceError, read_source

    lines = []
    for path in files:
        try:
            text = read_source(path)
        except SourceError as error:
            lines.append(f"{path}: E902 {error}")
            continue
        if not declares_routes(text):
            continue
        try:
            parse(text, path)
        except CheckError as error:
            found = parse_error(path, str(error))  # as `check` shows it
            lines.append(f"{path}:{found.line}:{found.col}: {found.code} {found.message}")
    return lines


# ------------------------------------------------------------ rows


def inventory(files: list[str], options: Any) -> list[Row]:
    """The rows of the routes whose handlers live in ``files``, by project root and by
    source root: two services that both have a package ``app`` are two views of the
    project, each with its own table (one view listed only the first service)."""
    from fastapi_lint.project.layout import find_project_root, module_identity
    from fastapi_lint.project.process_indexes import index_for

    wanted = {os.path.abspath(f) for f in files}
    views: dict[tuple[str, str], str] = {}
    for file in files:
        root = options.project_root or str(find_project_root(Path(file).absolute()))
        configured = tuple(str(Path(folder).resolve()) for folder in options.src)
        base = module_identity(Path(file).absolute(), Path(root), configured)[0]
        views.setdefault((root, str(base)), file)
    by_view: list[tuple[str, list[Row]]] = []
    for (root, source_root), first in sorted(views.items()):
        from fastapi_lint.project.routes import route_table

        index = index_for(first, options=options, root=root)
        table = route_table(index)
        found = [_row(r) for r in table.routes + table.orphans if os.path.abspath(r.file) in wanted]
        by_view.append((os.path.relpath(source_root, root), found))
        index.flush(force=True)
    return _merge_views(by_view)


def _merge_views(by_view: list[tuple[str, list[Row]]]) -> list[Row]:
    """One list: a route listed by several views once (under an app rather than as an
    orphan: a view that does not own a module sees its routers unattached), and an app
    label that names different apps in two views (``app.main:app`` of two services)
    named with its source root."""
    with_app = {_where(r) for _, rows in by_view for r in rows if r.app != NO_APP}
    served: dict[str, set[frozenset[tuple[str, int, str, str]]]] = {}
    for _, rows in by_view:
        per_app: dict[str, set[tuple[str, int, str, str]]] = {}
        for row in rows:
            per_app.setdefault(row.app, set()).add(_where(row))
        for app, routes in per_app.items():
            served.setdefault(app, set()).add(frozenset(routes))
    merged: list[Row] = []
    seen: set[Row] = set()
    for where, rows in by_view:
        for row in rows:
            if row.app == NO_APP and _where(row) in with_app:
                continue
            if row.app != NO_APP and len(served[row.app]) > 1:
                row = replace(row, app=f"{row.app} ({where})")
            if row not in seen:
                seen.add(row)
                merged.append(row)
    return merged


def _where(row: Row) -> tuple[str, int, str, str]:
    return (row.file, row.line, row.method, row.path)


def _row(route: ServedRoute) -> Row:
    methods = ",".join(route.methods) if route.methods else "?"
    return Row(
        app=route.app_label or NO_APP,
        method=methods,
        path=route.display_path,
        handler=f"{route.endpoint_module or route.module}:{_local_name(route)}",
        file=_display(route.file),
        line=route.line,
        is_async=route.is_async,
        response_model=route.response_model,
        status_code=route.status_code,
        dependencies=_unique(route.dependencies),
        security=route.security,
    )


def _local_name(route: ServedRoute) -> str:
    """The handler's name inside its module (``Class.method`` for a method)."""
    prefix = (route.endpoint_module or route.module) + "."
    return route.function[len(prefix) :] if route.function.startswith(prefix) else route.name


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _display(path: str) -> str:
    try:
        return Path(path).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return Path(path).as_posix()


# ------------------------------------------------------------ formats

_HEADERS = {
    "app": "APP",
    "method": "METHOD",
    "path": "PATH",
    "handler": "HANDLER",
    "location": "FILE:LINE",
    "kind": "KIND",
    "response_model": "RESPONSE MODEL",
    "status_code": "STATUS",
    "dependencies": "DEPENDENCIES",
    "security": "SECURITY",
}


_CSV_FIELDS = (
    "app",
    "method",
    "path",
    "handler",
    "file",
    "line",
    "kind",
    "response_model",
    "status_code",
    "dependencies",
    "security",
)


def render(rows: list[Row], output_format: str) -> str:
    if output_format == "json":
        import json

        return json.dumps([row.as_json() for row in rows], indent=2) + "\n"
    if output_format == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(_CSV_FIELDS)
        for row in rows:
            writer.writerow(
                [
                    row.app,
                    row.method,
                    row.path,
                    row.handler,
                    row.file,
                    row.line,
                    row.kind,
                    row.response_model,
                    row.status_code,
                    "; ".join(row.dependencies),
                    "; ".join(row.security),
                ]
            )
        return buffer.getvalue()
    if output_format == "markdown":
        return _markdown(rows)
    return _table(rows)


def _by_app(rows: list[Row]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row.app, []).append(row)
    return grouped


_TABLE_COLUMNS = tuple(c for c in COLUMNS if c != "app")


def _table(rows: list[Row]) -> str:
    if not rows:
        return "No routes found.\n"
    lines: list[str] = []
    for app, app_rows in _by_app(rows).items():
        unauthenticated = sum(1 for r in app_rows if not r.authenticated)
        lines.append(
            f"{app}: {len(app_rows)} route{'s' if len(app_rows) != 1 else ''}, "
            f"{unauthenticated} without a security scheme"
        )
        cells = [row.cells() for row in app_rows]
        widths = {
            c: max(len(_HEADERS[c]), *(len(cell[c]) for cell in cells)) for c in _TABLE_COLUMNS
        }
        lines.append("  ".join(_HEADERS[c].ljust(widths[c]) for c in _TABLE_COLUMNS).rstrip())
        for cell in cells:
            lines.append("  ".join(cell[c].ljust(widths[c]) for c in _TABLE_COLUMNS).rstrip())
        lines.append("")
    return "\n".join(lines)


def _markdown(rows: list[Row]) -> str:
    if not rows:
        return "No routes found.\n"
    lines: list[str] = []
    for app, app_rows in _by_app(rows).items():
        lines.append(f"## `{app}`")
        lines.append("")
        lines.append("| " + " | ".join(_HEADERS[c].capitalize() for c in _TABLE_COLUMNS) + " |")
        lines.append("|" + "|".join("---" for _ in _TABLE_COLUMNS) + "|")
        for row in app_rows:
            cells = row.cells()
            lines.append(
                "| " + " | ".join(_markdown_cell(cells[c], c) for c in _TABLE_COLUMNS) + " |"
            )
        lines.append("")
    return "\n".join(lines)


def _markdown_cell(text: str, column: str) -> str:
    text = text.replace("|", "\\|")
    if text == "-" or column in ("method", "kind", "status_code"):
        return text
    return f"`{text}`"

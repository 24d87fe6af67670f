"""Download and summarise the real-world corpus used to benchmark fastapi-lint.

Usage: ``python bench/corpus.py [--dest DIR] [--list FILE]``

Each ``name==version`` in ``bench/corpus.txt`` is fetched with
``pip download --no-deps`` (sdist first, wheel as a fallback) and unpacked into
``DEST/<name>-<version>/``.  Members already unpacked are skipped.  A table of
Python files, lines, FastAPI/Starlette files and route decorators is printed.

The downloaded code is only read and parsed with :mod:`ast`; it is never
imported or executed by this script.  (Note that ``pip download`` of an sdist
may run the package's build backend to prepare metadata; members whose sdist
fails that way fall back to the wheel.)
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEST = REPO_ROOT.parent / "scratch" / "corpus"
DEFAULT_LIST = Path(__file__).resolve().parent / "corpus.txt"
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "api_route", "websocket"})
WEB_MODULES = frozenset({"fastapi", "starlette"})
SOURCE_MARKER = ".corpus-source"  # records "sdist" or "wheel"
PIP_TIMEOUT = 1200  # seconds per download attempt


@dataclass
class Stats:
    """Counts for one corpus member."""

    files: int = 0
    lines: int = 0
    fastapi_files: int = 0
    routes: int = 0
    parse_errors: int = 0

    def add(self, other: Stats) -> None:
        self.files += other.files
        self.lines += other.lines
        self.fastapi_files += other.fastapi_files
        self.routes += other.routes
        self.parse_errors += other.parse_errors


def read_list(path: Path) -> list[tuple[str, str]]:
    """Parse ``name==version`` lines, ignoring blanks and ``#`` comments."""
    members = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep or not name.strip() or not version.strip():
            raise SystemExit(f"{path}: bad line {raw!r} (want name==version)")
        members.append((name.strip(), version.strip()))
    return members


def pip_download(name: str, version: str, into: Path) -> Path:
    """Download ``name==version`` into ``into``; return the archive path."""
    base = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--ignore-requires-python",
        "-q",
        "-d",
        str(into),
        f"{name}=={version}",
    ]
    errors = []
    for flag in ("--no-binary", "--only-binary"):
        proc = subprocess.run(
            [*base, flag, ":all:"],
            capture_output=True,
            text=True,
            timeout=PIP_TIMEOUT,
        )
        archives = [p for p in into.iterdir() if p.is_file()]
        if proc.returncode == 0 and archives:
            return archives[0]
        for p in archives:
            p.unlink()
        tail = proc.stderr.strip().splitlines()[-1:] or ["no archive"]
        errors.append(f"{flag}: {tail[0]}")
    raise RuntimeError("; ".join(errors))


def _safe_parts(name: str) -> tuple[str, ...] | None:
    """Return the path parts of an archive member, or None if it is unsafe."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts or parts[0] == "/" or ".." in parts:
        return None
    return parts


def _strip_top(names: list[tuple[str, ...]]) -> int:
    """1 if every member lives under one shared top-level folder, else 0."""
    tops = {parts[0] for parts in names}
    return int(len(tops) == 1 and all(len(p) > 1 for p in names))


def unpack(archive: Path, target: Path) -> None:
    """Unpack a .tar.gz/.tgz/.zip/.whl into ``target`` (regular files only)."""
    target.mkdir(parents=True)
    if archive.name.endswith((".zip", ".whl")):
        with zipfile.ZipFile(archive) as zf:
            entries = [
                (info, _safe_parts(info.filename)) for info in zf.infolist() if not info.is_dir()
            ]
            safe = [(i, p) for i, p in entries if p]
            skip = _strip_top([p for _, p in safe])
            for info, parts in safe:
                out = target.joinpath(*parts[skip:])
                out.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
    elif archive.name.endswith((".tar.gz", ".tgz", ".tar.bz2", ".tar")):
        with tarfile.open(archive) as tf:
            entries = [(m, _safe_parts(m.name)) for m in tf.getmembers()]
            safe = [(m, p) for m, p in entries if p and m.isfile()]
            skip = _strip_top([p for _, p in safe])
            for member, parts in safe:
                src = tf.extractfile(member)
                if src is None:
                    continue
                out = target.joinpath(*parts[skip:])
                out.parent.mkdir(parents=True, exist_ok=True)
                with src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
    else:
        raise RuntimeError(f"unknown archive type: {archive.name}")


def fetch(name: str, version: str, dest: Path) -> tuple[Path, str]:
    """Ensure ``DEST/<name>-<version>/`` exists; return it and a status."""
    target = dest / f"{name}-{version}"
    marker = target / SOURCE_MARKER
    if target.is_dir():
        kind = marker.read_text().strip() if marker.is_file() else "?"
        return target, kind
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest, prefix=".tmp-") as tmp:
        archive = pip_download(name, version, Path(tmp) / "dl")
        staging = Path(tmp) / "unpacked"
        unpack(archive, staging)
        kind = "wheel" if archive.name.endswith(".whl") else "sdist"
        (staging / SOURCE_MARKER).write_text(kind + "\n")
        staging.rename(target)
    return target, kind


def _imports_web(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            mods = [node.module or ""]
        else:
            continue
        if any(m.split(".")[0] in WEB_MODULES for m in mods):
            return True
    return False


def _count_routes(tree: ast.AST) -> int:
    count = 0
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for deco in node.decorator_list:
            if (
                isinstance(deco, ast.Call)
                and isinstance(deco.func, ast.Attribute)
                and deco.func.attr in ROUTE_METHODS
            ):
                count += 1
    return count


def scan(root: Path) -> Stats:
    """Count Python files, lines, FastAPI files and route decorators."""
    stats = Stats()
    for path in sorted(root.rglob("*.py")):
        if not path.is_file():
            continue
        source = path.read_bytes()
        stats.files += 1
        stats.lines += source.count(b"\n")
        try:
            tree = ast.parse(source, filename=str(path))
        except (SyntaxError, ValueError, RecursionError):
            stats.parse_errors += 1
            continue
        if _imports_web(tree):
            stats.fastapi_files += 1
        stats.routes += _count_routes(tree)
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Download and summarise the fastapi-lint corpus.")
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--list", type=Path, default=DEFAULT_LIST)
    args = parser.parse_args(argv)
    dest: Path = args.dest.resolve()
    if dest == REPO_ROOT or REPO_ROOT in dest.parents:
        parser.error(f"--dest must be outside the repository ({REPO_ROOT})")

    header = f"{'member':<36} {'src':<6} {'py files':>8} {'lines':>10} {'fastapi':>8} {'routes':>7}"
    print(f"corpus: {dest}")
    print(header)
    print("-" * len(header))
    total = Stats()
    failed = []
    for name, version in read_list(args.list):
        label = f"{name}=={version}"
        try:
            target, status = fetch(name, version, dest)
        except (
            OSError,
            RuntimeError,
            subprocess.SubprocessError,
            tarfile.TarError,
            zipfile.BadZipFile,
        ) as exc:
            failed.append(label)
            print(f"{label:<36} FAILED: {exc}", flush=True)
            continue
        stats = scan(target)
        total.add(stats)
        print(
            f"{label:<36} {status:<6} {stats.files:>8} {stats.lines:>10} "
            f"{stats.fastapi_files:>8} {stats.routes:>7}",
            flush=True,
        )
    print("-" * len(header))
    print(
        f"{'TOTAL':<36} {'':<6} {total.files:>8} {total.lines:>10} "
        f"{total.fastapi_files:>8} {total.routes:>7}"
    )
    if total.parse_errors:
        print(f"({total.parse_errors} files did not parse and were skipped)")
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The result cache: ``.fastapi_lint_cache/`` in the project root.

One JSON file per (tool version, configuration fingerprint) maps each checked
file's absolute path to the sha256 of its bytes, the layout fingerprint of its
project (the paths of every ``*.py`` file, not their contents), the files its
check read through the project index with their (size, mtime_ns), and its
findings (positions, codes and the already redacted messages: never source
text). An entry is used only when the file's bytes, the project's layout and
every file it read are unchanged: after editing one module, only that module
and the files whose findings read it are checked again (incremental results).
A check that asked the serving-code caller search depends on every module (a
caller may appear in any): one ``<root>/**/*.py`` dependency stamps them all. A
check that read the app's route table depends on the table's content: one
``<root>/**/(route table)`` dependency stamped by a digest of the table.
Adding, removing or renaming a module changes the layout and re-checks the
project (a new module can change what an import resolves to). A finding's fix
is kept with it (its edits: the replacement code, never a secret's value; files
fixed by ``--fix`` are not cached). The file is written atomically (temporary
file and ``os.replace``); an unreadable or corrupted cache is ignored and
rebuilt, never trusted and never fatal.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi_lint import __version__
from fastapi_lint.fingerprint import tool_fingerprint

CACHE_DIR_NAME = ".fastapi_lint_cache"
_FORMAT = 3
Stamp = list[int]  # [size, mtime_ns]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def layout_fingerprint(paths: list[str]) -> str:
    """Which files a project has (not what they hold): adding or removing a module
    can change what an import resolves to, so it invalidates the project."""
    digest = hashlib.sha256()
    for path in sorted(os.path.abspath(p) for p in paths):
        digest.update(path.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()[:32]


# A dependency on every module of a project: the serving-code caller search reads
# whichever file may call a function, so its answer changes when any module does
# (a new caller in a route makes a script's helper serving code). Recorded as
# "<root>/**/*.py" and stamped by the count and a digest of the paths, sizes and
# mtimes of those files, one dependency instead of one per module.
ALL_MODULES = os.sep + "**" + os.sep + "*.py"
_all_modules_stamps: dict[str, Stamp | None] = {}


def all_modules_dependency(root: str) -> str:
    return os.path.abspath(root) + ALL_MODULES


# A dependency on what a project's app route table holds (API203-API205, API201 on
# retired routes, the routes another module registers): recorded as
# "<root>/**/(route table)[/<source root>]" and stamped by a digest of the table itself, which the
# project index recomputes from the modules that changed. An edit that moves no route
# then leaves every other module's cached findings valid; depending on the files the
# table was built from (every module) re-checked every reader after any edit.
ROUTE_TABLE = os.sep + "**" + os.sep + "(route table)"
_route_table_stamps: dict[str, Stamp | None] = {}
# Set by the linter (it knows the options the index needs); without it a reader is
# not cached (its dependency has no stamp), never served stale.
_route_table_stamper: Callable[[str, str], Stamp | None] | None = None


def route_table_dependency(root: str, source_root: str = "") -> str:
    """The dependency on the table of the project at ``root`` as the view of one of
    its source roots (``source_root``, absolute; "" for the root) sees it."""
    return os.path.abspath(root) + ROUTE_TABLE + source_root


def set_route_table_stamper(stamper: Callable[[str, str], Stamp | None]) -> None:
    global _route_table_stamper
    _route_table_stamper = stamper


def content_stamp(data: object) -> Stamp:
    """A stamp of a JSON value (a fact's answer): its length and a digest."""
    text = json.dumps(data, sort_keys=True, default=str)
    return [
        len(text),
        int(hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:15], 16),
    ]


def forget_all_modules_stamps() -> None:
    """Stamp the projects' modules afresh (a new batch of checks: files may have changed)."""
    _all_modules_stamps.clear()
    _route_table_stamps.clear()


def _all_modules_stamp(root: str) -> Stamp | None:
    if root in _all_modules_stamps:
        return _all_modules_stamps[root]
    from fastapi_lint.project.layout import walked_subfolders
    from fastapi_lint.settings import NON_SOURCE_FOLDERS

    digest = hashlib.sha256()
    count = 0
    for folder, subfolders, files in os.walk(root):
        # The folders the caller search skips (a superset of its files is stamped).
        subfolders[:] = walked_subfolders(folder, subfolders, NON_SOURCE_FOLDERS)
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                digest.update(
                    f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape")
                )
                count += 1
    stamp: Stamp | None = [count, int(digest.hexdigest()[:15], 16)] if count else None
    _all_modules_stamps[root] = stamp
    return stamp


def file_stamp(path: str) -> Stamp | None:
    if path.endswith(ALL_MODULES):
        return _all_modules_stamp(path[: -len(ALL_MODULES)])
    if ROUTE_TABLE in path:
        if path not in _route_table_stamps:
            root, _, source_root = path.partition(ROUTE_TABLE)
            stamper = _route_table_stamper
            stamp = stamper(root, source_root) if stamper is not None else None
            _route_table_stamps[path] = stamp
        return _route_table_stamps[path]
    from fastapi_lint.project.facts import file_stamp as path_stamp

    return path_stamp(path)  # a file's size and mtime, a folder's listing


def read_stamps(paths: frozenset[str] | set[str], exclude: str = "") -> dict[str, Stamp] | None:
    """(size, mtime_ns) of the files a check read; None if one of them vanished."""
    stamps: dict[str, Stamp] = {}
    for path in sorted(paths):
        if path == exclude:
            continue  # the checked file itself: its sha is the key
        stamp = file_stamp(path)
        if stamp is None:
            return None
        stamps[path] = stamp
    return stamps


class ResultCache:
    def __init__(self, directory: Path, settings_fingerprint: str) -> None:
        self.directory = directory
        self.file = directory / tool_fingerprint() / f"{settings_fingerprint}.json"
        self._entries: dict[str, dict[str, Any]] = {}
        self._stamps: dict[str, Stamp | None] = {}
        self._dirty = False
        self._load()

    def _load(self) -> None:
        try:
            with self.file.open(encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError, UnicodeDecodeError):
            return  # missing or corrupted: start afresh
        if (
            not isinstance(data, dict)
            or data.get("format") != _FORMAT
            or data.get("version") != __version__
            or not isinstance(data.get("files"), dict)
        ):
            return
        self._entries = {
            path: entry
            for path, entry in data["files"].items()
            if isinstance(path, str) and _valid_entry(entry)
        }

    def get(self, path: str, sha: str, project: str) -> dict[str, Any] | None:
        """The entry of ``path`` if its bytes, its project's layout and every file
        its check read are unchanged."""
        entry = self._entries.get(os.path.abspath(path))
        if entry is None or entry["sha"] != sha or entry["project"] != project:
            return None
        for dependency, stamp in entry.get("deps", {}).items():
            if self._stamp(dependency) != stamp:
                return None
        return entry

    def _stamp(self, path: str) -> Stamp | None:
        # Once per run: most files read the same few modules.
        if path not in self._stamps:
            self._stamps[path] = file_stamp(path)
        return self._stamps[path]

    def put(
        self,
        path: str,
        sha: str,
        project: str,
        payload: dict[str, Any],
        deps: dict[str, Stamp] | None = None,
    ) -> None:
        self._entries[os.path.abspath(path)] = {
            "sha": sha,
            "project": project,
            "deps": deps or {},
            **payload,
        }
        self._dirty = True

    def save(self) -> None:
        if not self._dirty:
            return
        self._entries = {p: e for p, e in self._entries.items() if os.path.exists(p)}
        data = {"format": _FORMAT, "version": __version__, "files": self._entries}
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            _write_markers(self.directory)
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(data, handle, separators=(",", ":"))
                os.replace(tmp, self.file)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError:
            pass  # a read-only or full disk: run without a cache
        self._dirty = False


def _valid_entry(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("sha"), str)
        and isinstance(entry.get("project"), str)
        and isinstance(entry.get("findings"), list)
        and isinstance(entry.get("deps"), dict)
        and all(_valid_stamp(v) for v in entry["deps"].values())
        and all(_valid_finding(f) for f in entry["findings"])
        and (entry.get("error") is None or isinstance(entry.get("error"), str))
    )


def _valid_stamp(item: Any) -> bool:
    return (
        isinstance(item, list)
        and len(item) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in item)
    )


def _valid_finding(item: Any) -> bool:
    return (
        isinstance(item, list)
        and len(item) in (7, 8)
        and (len(item) == 7 or isinstance(item[7], dict))
        and all(isinstance(v, int) and not isinstance(v, bool) for v in item[:4])
        and isinstance(item[4], str)
        and isinstance(item[5], str)
        and isinstance(item[6], int)
    )


def _write_markers(directory: Path) -> None:
    gitignore = directory / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("# Created by fastapi-lint automatically.\n*\n", encoding="utf-8")
    tag = directory / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n"
            "# This file is a cache directory tag created by fastapi-lint.\n",
            encoding="utf-8",
        )

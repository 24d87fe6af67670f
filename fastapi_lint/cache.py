"""The result cache: ``.fastapi_lint_cache/`` in the project root.

One JSON file per (tool version, configuration fingerprint) maps each checked
file's absolute path to the sha256 of its bytes, the project fingerprint of
the run that checked it, and its findings (positions, codes and the already
redacted messages: never source text). An entry is used only when all three
keys match. Findings of one file can depend on other files of the project
(cross-module rules), so the project fingerprint (path, size and mtime of
every ``*.py`` file of the project) invalidates the cache when any of them
changes. A finding's fix is kept with it (its edits: the replacement code,
never a secret's value; files fixed by ``--fix`` are not cached). The file is written atomically (temporary file and
``os.replace``); an unreadable or corrupted cache is ignored and rebuilt,
never trusted and never fatal.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from fastapi_lint import __version__
from fastapi_lint.fingerprint import tool_fingerprint

CACHE_DIR_NAME = ".fastapi_lint_cache"
_FORMAT = 2


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def project_fingerprint(files: list[tuple[str, int, int]]) -> str:
    digest = hashlib.sha256()
    for path, size, mtime_ns in sorted(files):
        digest.update(f"{path}\0{size}\0{mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:32]


def stat_files(paths: list[str]) -> list[tuple[str, int, int]]:
    stats = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        stats.append((os.path.abspath(path), st.st_size, st.st_mtime_ns))
    return stats


class ResultCache:
    def __init__(self, directory: Path, settings_fingerprint: str) -> None:
        self.directory = directory
        self.file = directory / tool_fingerprint() / f"{settings_fingerprint}.json"
        self._entries: dict[str, dict[str, Any]] = {}
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
        entry = self._entries.get(os.path.abspath(path))
        if entry is None or entry["sha"] != sha or entry["project"] != project:
            return None
        return entry

    def put(self, path: str, sha: str, project: str, payload: dict[str, Any]) -> None:
        self._entries[os.path.abspath(path)] = {"sha": sha, "project": project, **payload}
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
        and all(_valid_finding(f) for f in entry["findings"])
        and (entry.get("error") is None or isinstance(entry.get("error"), str))
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

"""The on-disk memory of the project index: cross-module facts and what they depend on.

A fact is the JSON answer to one cross-module question ("what does
``app.db.SessionLocal`` hold?", "does calling ``app.services.fetch`` block, and
through which chain?"). Each fact is stored with the (size, mtime_ns) of every
module file that was read to compute it; a fact whose files changed is
recomputed, never trusted. Facts hold qualified names and short labels only,
never source text.

Layout: ``<cache>/index-<version>/<2 hex digits>.json``, 256 shards, each
written atomically (temporary file + ``os.replace``) after merging with what
is on disk, so parallel flake8 workers never read a torn file and at worst
recompute a fact another worker wrote at the same moment. Deleting the folder
is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from stat import S_ISDIR
from typing import Any

from fastapi_lint import __version__
from fastapi_lint.fingerprint import tool_fingerprint
from fastapi_lint.settings import RuleOptions

CACHE_DIR_NAME = ".fastapi_lint_cache"
Stamp = list[int]  # [size, mtime_ns] of a file; [entries, digest] of a folder


def file_stamp(path: str) -> Stamp | None:
    """A file's (size, mtime_ns); a folder's listing (see `_folder_stamp`)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if S_ISDIR(stat.st_mode):
        return _folder_stamp(path)
    return [stat.st_size, stat.st_mtime_ns]


def _ignored_entry(name: str) -> bool:
    # Dot entries (our own `.fastapi_lint_cache`, `.pytest_cache`, `.git`, editor swap
    # files), bytecode and backups: none of them is a module or a declaration file.
    return name.startswith(".") or name == "__pycache__" or name.endswith(("~", ".pyc"))


def _folder_stamp(path: str) -> Stamp | None:
    """A folder read as a listing (a walk looking for modules or requirement files):
    the names it holds, not its mtime. The mtime moves whenever anything is created
    in it, so the first run made the cache folder in the project root and every
    check that had listed the root was done again on the next run (lnbits: 53 files);
    running pytest (``__pycache__``) or an editor's swap file did the same."""
    try:
        names = sorted(name for name in os.listdir(path) if not _ignored_entry(name))
    except OSError:
        return None
    digest = hashlib.sha256("\0".join(names).encode("utf-8", "surrogateescape"))
    return [len(names), int(digest.hexdigest()[:15], 16)]


class FactStore:
    """Sharded JSON facts under one cache folder; every failure means "not cached"."""

    def __init__(self, folder: Path | None, root: Path | None = None) -> None:
        name = f"index-{tool_fingerprint()}"
        if folder is not None and root is not None:
            # Facts are keyed by module names: a `--cache-dir` shared by several projects
            # (two may both have `app.models.User`), or a copy of the project with its
            # cache folder (its facts name the original's files), keeps them apart.
            digest = hashlib.sha1(str(root.resolve()).encode("utf-8", "surrogatepass"))
            name += "-" + digest.hexdigest()[:12]
        self.folder = folder / name if folder is not None else None
        self._shards: dict[str, dict[str, Any]] = {}
        self._pending: dict[str, dict[str, Any]] = {}
        self._stamps: dict[str, Stamp | None] = {}

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _shard_of(self, key: str) -> str:
        return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:2]

    def _load(self, shard: str) -> dict[str, Any]:
        facts = self._shards.get(shard)
        if facts is None:
            facts = self._read(shard)
            self._shards[shard] = facts
        return facts

    def _read(self, shard: str) -> dict[str, Any]:
        if self.folder is None:
            return {}
        try:
            data = json.loads((self.folder / f"{shard}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return {}  # missing or corrupted: rebuilt on the next write
        facts = data.get("facts") if isinstance(data, dict) else None
        return facts if isinstance(facts, dict) else {}

    def forget_stamp(self, path: str) -> None:
        """Read the file's stamp again next time (a long-lived process saw it change)."""
        self._stamps.pop(path, None)

    def stamp(self, path: str) -> Stamp | None:
        if path not in self._stamps:
            self._stamps[path] = file_stamp(path)
        return self._stamps[path]

    def get(self, key: str) -> tuple[bool, Any]:
        """(found, value): found only when every file the fact depends on is unchanged."""
        if self.folder is None:
            return False, None
        entry = self._load(self._shard_of(key)).get(key)
        if not isinstance(entry, dict) or "deps" not in entry:
            return False, None
        deps = entry["deps"]
        if not isinstance(deps, dict):
            return False, None
        for path, stamp in deps.items():
            if self.stamp(path) != stamp:
                return False, None
        return True, entry.get("value")

    def dependencies(self, key: str) -> set[str]:
        entry = self._load(self._shard_of(key)).get(key)
        deps = entry.get("deps") if isinstance(entry, dict) else None
        return set(deps) if isinstance(deps, dict) else set()

    def put(self, key: str, value: Any, dependencies: set[str]) -> None:
        if self.folder is None:
            return
        deps = {}
        for path in sorted(dependencies):
            stamp = self.stamp(path)
            if stamp is None:
                return  # a file vanished while we read it: do not remember
            deps[path] = stamp
        entry = {"value": value, "deps": deps}
        shard = self._shard_of(key)
        self._load(shard)[key] = entry
        self._pending.setdefault(shard, {})[key] = entry

    def flush(self) -> None:
        """Write the shards that gained facts, merged with what other processes wrote."""
        if self.folder is None or not self._pending:
            return
        pending, self._pending = self._pending, {}
        if not self.folder.parent.parent.is_dir():
            return  # the project's folder is gone (or never was): create nothing there
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tag = self.folder.parent / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text(
                    "Signature: 8a477f597d28d172789f06886806bc55\n# fastapi-lint cache\n"
                )
        except OSError:
            return
        for shard, new_facts in pending.items():
            merged = self._read(shard)
            merged.update(new_facts)
            self._shards[shard] = merged
            self._write(shard, merged)

    def _write(self, shard: str, facts: dict[str, Any]) -> None:
        assert self.folder is not None
        try:
            handle, temporary = tempfile.mkstemp(
                prefix=f".{shard}.", suffix=".tmp", dir=self.folder
            )
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                # dumps, not dump: only a one-shot encode uses the C encoder (5x faster).
                stream.write(
                    json.dumps({"version": __version__, "facts": facts}, separators=(",", ":"))
                )
            os.replace(temporary, self.folder / f"{shard}.json")
        except OSError:
            try:
                os.unlink(temporary)
            except (OSError, UnboundLocalError):
                pass


def exits_unflushed() -> bool:
    """Whether this process may end without running its exit handlers: a
    multiprocessing worker (flake8's and the CLI's pools leave through
    ``os._exit``). Only such a process writes its facts before it is told to."""
    multiprocessing = sys.modules.get("multiprocessing")  # never imported for it
    return multiprocessing is not None and multiprocessing.parent_process() is not None


def cache_folder(root: Path, options: RuleOptions) -> Path | None:
    """The fact cache folder of a project (None: no fact cache)."""
    if not options.use_cache:
        return None
    if options.cache_dir:
        return Path(options.cache_dir)
    if os.environ.get("FASTAPI_LINT_NO_CACHE"):
        return None
    return root / CACHE_DIR_NAME

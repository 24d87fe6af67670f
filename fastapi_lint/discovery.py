"""Which files a run checks: ``*.py`` under the given folders, minus excludes.

Folders are walked without following symlinked folders; a file named on the
command line is always checked (whatever its suffix) unless
``force-exclude`` is set. ``exclude``/``extend-exclude`` globs work as in
ruff: a pattern without ``/`` matches any file or folder of that name; one
with ``/`` matches the path relative to the project root (the configuration
file's folder). ``.gitignore`` files (and ``.git/info/exclude``) are read
from the repository root down to each folder, whether or not git is
installed; a file ignored by them is skipped like an excluded one.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi_lint.config import Settings, relative_to_root


@dataclass(frozen=True)
class _IgnoreRule:
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool


def _translate(pattern: str) -> str:
    """A gitignore glob (already stripped of ``!``, leading and trailing ``/``) as a regex."""
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


class GitIgnore:
    """The rules of one ``.gitignore`` file, relative to its folder."""

    def __init__(self, folder: Path, lines: Iterable[str]) -> None:
        self.folder = folder
        self.rules: list[_IgnoreRule] = []
        for raw in lines:
            line = raw.rstrip("\n").rstrip("\r")
            if not line or line.startswith("#"):
                continue
            if not line.endswith("\\ "):
                line = line.rstrip(" ")
            negated = line.startswith("!")
            if negated:
                line = line[1:]
            elif line.startswith("\\!") or line.startswith("\\#"):
                line = line[1:]
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            if not line:
                continue
            anchored = "/" in line
            line = line.lstrip("/")
            body = _translate(line)
            regex = f"^{body}$" if anchored else f"^(?:.*/)?{body}$"
            self.rules.append(_IgnoreRule(re.compile(regex), negated, dir_only))

    @classmethod
    def read(cls, folder: Path, name: str = ".gitignore") -> GitIgnore | None:
        path = folder / name
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        return cls(folder if name == ".gitignore" else folder.parent.parent, text.splitlines())

    def decision(self, path: Path, is_dir: bool) -> bool | None:
        """True ignored, False re-included by ``!``, None no rule matched."""
        try:
            relative = path.relative_to(self.folder).as_posix()
        except ValueError:
            return None
        result: bool | None = None
        for rule in self.rules:
            if rule.dir_only and not is_dir:
                continue
            if rule.regex.match(relative):
                result = not rule.negated
        return result


@lru_cache(maxsize=4096)
def _gitignore_of(folder: Path) -> GitIgnore | None:
    return GitIgnore.read(folder)


@lru_cache(maxsize=1024)
def _git_root(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


@lru_cache(maxsize=4096)
def _chain(folder: Path) -> tuple[GitIgnore, ...]:
    """The ignore files that apply inside ``folder``: repository root first."""
    root = _git_root(folder)
    top = root if root is not None else folder
    folders = [folder]
    while folders[-1] != top and folders[-1].parent != folders[-1]:
        folders.append(folders[-1].parent)
    chain: list[GitIgnore] = []
    if root is not None:
        exclude = GitIgnore.read(root / ".git" / "info", "exclude")
        if exclude is not None:
            exclude.folder = root
            chain.append(exclude)
    for candidate in reversed(folders):
        ignore = _gitignore_of(candidate)
        if ignore is not None:
            chain.append(ignore)
    return tuple(chain)


def is_gitignored(path: Path, is_dir: bool, fallback_top: Path | None = None) -> bool:
    """Whether git would ignore ``path`` (absolute, resolved): it or one of its folders.

    The ignore files from the repository root (or ``fallback_top`` outside a
    repository) down to the path's folder apply.
    """
    top = _git_root(path.parent) or fallback_top or path.parent
    try:
        relative_parts = path.relative_to(top).parts
    except ValueError:
        top = path.parent
        relative_parts = (path.name,)
    chain = list(_chain(top))
    current = top
    for index, part in enumerate(relative_parts):
        current = current / part
        last = index == len(relative_parts) - 1
        ignored: bool | None = None
        for ignore in chain:
            decision = ignore.decision(current, is_dir if last else True)
            if decision is not None:
                ignored = decision
        if ignored:
            return True
        if not last:
            own = _gitignore_of(current)
            if own is not None:
                chain.append(own)
    return False


class Excluder:
    """``exclude``/``extend-exclude`` globs of one run."""

    def __init__(self, settings: Settings) -> None:
        self.root = settings.root
        included = {p.rstrip("/") for p in getattr(settings, "extend_include", ())}
        patterns = [
            p.rstrip("/")
            for p in (*settings.exclude, *settings.extend_exclude)
            if p.rstrip("/") not in included
        ]
        self.name_patterns = tuple(p for p in patterns if p and "/" not in p)
        self.path_patterns = tuple(p.lstrip("./") for p in patterns if "/" in p)
        # The name globs as one pattern (``fnmatchcase`` matches each one's
        # translation): a walk tests every entry, and a glob at a time was a
        # tenth of a warm run.
        self._names = (
            re.compile("|".join(fnmatch.translate(p) for p in self.name_patterns))
            if self.name_patterns
            else None
        )

    def excluded(self, path: Path) -> bool:
        if self._names is not None and self._names.match(path.name) is not None:
            return True
        if not self.path_patterns:
            return False
        relative = relative_to_root(str(path), self.root)
        return any(
            fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(relative, pattern + "/*")
            for pattern in self.path_patterns
        )

    def excluded_with_parents(self, path: Path) -> bool:
        current = path
        while True:
            if self.excluded(current):
                return True
            if current.parent == current:
                return False
            current = current.parent


def discover(paths: list[str], settings: Settings) -> list[str]:
    """The files to check, sorted, each once; paths as given (relative stays relative)."""
    excluder = Excluder(settings)
    found: dict[str, None] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in _walk(path, excluder, settings.respect_gitignore):
                found.setdefault(file, None)
            continue
        if not path.exists():
            continue  # the CLI reports it (E902)
        if settings.force_exclude and (
            excluder.excluded_with_parents(path.absolute())
            or (
                settings.respect_gitignore
                and is_gitignored(path.resolve(), False, Path(settings.root).resolve())
            )
        ):
            continue
        found.setdefault(os.path.normpath(raw), None)
    return sorted(found)


def _walk(top: Path, excluder: Excluder, respect_gitignore: bool) -> Iterator[str]:
    # Each folder inherits the ignore files of the folders above it (from the
    # repository root, or from ``top`` outside a repository).
    resolved_top = top.resolve()
    first_chain = _chain(resolved_top) if respect_gitignore else ()
    # Each folder with its resolved path: a subfolder entered is no symlink
    # (``is_dir(follow_symlinks=False)``), so its resolved path is its parent's
    # and its name (resolving every folder was a tenth of a warm run).
    stack: list[tuple[Path, Path, tuple[GitIgnore, ...]]] = [(top, resolved_top, first_chain)]
    while stack:
        folder, resolved_folder, chain = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file()
            except OSError:
                continue
            if not is_dir and not (is_file and entry.name.endswith(".py")):
                continue
            path = folder / entry.name
            if excluder.excluded(path):
                continue
            if chain:
                ignored: bool | None = None
                for ignore in chain:
                    decision = ignore.decision(resolved_folder / entry.name, is_dir)
                    if decision is not None:
                        ignored = decision
                if ignored:
                    continue
            if is_dir:
                child_chain = chain
                resolved_child = resolved_folder / entry.name
                if respect_gitignore:
                    own = _gitignore_of(resolved_child)
                    if own is not None:
                        child_chain = (*chain, own)
                subfolders.append((path, resolved_child, child_chain))
            else:
                yield os.path.normpath(str(path))
        stack.extend(reversed(subfolders))


def project_files(root: Path, settings: Settings) -> list[str]:
    """All ``*.py`` files of a project root (for the cache's project fingerprint)."""
    return list(_walk(root, Excluder(settings), settings.respect_gitignore))

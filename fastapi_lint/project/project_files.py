"""The project's ``*.py`` files for searches by name: listed, read and indexed by
word once per process (the serving-code caller search, ``mentioning_modules``).

A search asks which files mention a word, then models only those; texts are kept
up to a budget, past it re-read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.project.layout import walked_subfolders
from fastapi_lint.project.script_imports import script_module_name
from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.settings import NON_SOURCE_FOLDERS, is_test_file
from fastapi_lint.source import source_lines

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel

__all__ = ["ProjectFiles", "project_texts"]

# Folders never searched for callers (virtualenvs, caches, build output).
_SKIPPED_FOLDERS = NON_SOURCE_FOLDERS | {"__pypackages__", "_build", "buck-out"}

_WORD = lazy_compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Source texts kept per process for the name search; past the budget, files are re-read.
_TEXT_BUDGET = 64 * 1024 * 1024
# The project's files, word index and answers, per process and view (dropped
# when a module's text changes).
_PROJECT_FILES: MemoKey[ProjectFiles] = MemoKey("serving-files", text_dependent=True)


def _module_name_of(project: ProjectIndex, path: str) -> str | None:
    from fastapi_lint.project.layout import module_name_for

    try:
        return script_module_name(path, module_name_for(Path(path), project.root))
    except ValueError:
        return None


class ProjectFiles:
    """The project's ``*.py`` files: the application's, and apart the test files
    (searched only for the callers of test helpers: tests exercise the
    application's code, they do not decide whether it serves)."""

    def __init__(self, root: str) -> None:
        self.paths: list[str] = []
        self.test_paths: list[str] = []
        self.folders: list[str] = []
        self._texts: dict[str, str | None] = {}
        self._text_size = 0
        self._words: dict[str, list[str]] | None = None
        self._test_words: dict[str, list[str]] | None = None
        # qualname -> serving? (answers that read no unsaved editor buffer)
        self.verdicts: dict[str, bool] = {}
        # qualname -> reached from start-up code? (startup_tasks, same conditions)
        self.startup_verdicts: dict[str, bool] = {}
        # Many functions share a name (methods above all): the files whose text
        # references one, and each file's real path, are found once per run.
        self._references: dict[tuple[str, bool, bool], list[str]] = {}
        self._realpaths: dict[str, str] = {}
        self._module_names: dict[str, str | None] = {}
        for folder, subfolders, files in os.walk(root):
            self.folders.append(folder)
            subfolders[:] = walked_subfolders(folder, subfolders, _SKIPPED_FOLDERS)
            for name in sorted(files):
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    if is_test_file(os.path.relpath(path, root)):
                        self.test_paths.append(path)
                    else:
                        self.paths.append(path)

    @classmethod
    def of(cls, project: ProjectIndex) -> ProjectFiles:
        # Listed once per index and process (the facts' folder stamps notice new files).
        found = project.memo.get(_PROJECT_FILES)
        if found is None:
            found = cls(str(project.root))
            project.memo.put(_PROJECT_FILES, found)
        return found

    def mentioning(self, name: str, tests: bool = False) -> list[str]:
        """The files whose text has ``name`` as a word (one index for the whole run),
        the test files after the others when ``tests``."""
        if self._words is None:
            self._words = self._index(self.paths)
        found = self._words.get(name, [])
        if not tests:
            return found
        if self._test_words is None:
            self._test_words = self._index(self.test_paths)
        return found + self._test_words.get(name, [])

    def referencing(self, name: str, is_method: bool, tests: bool) -> list[str]:
        """The files that mention ``name`` the way a call spells it: ``x.name`` for a
        method, ``name`` outside its own ``def`` for a function."""
        key = (name, is_method, tests)
        found = self._references.get(key)
        if found is None:
            pattern = re.compile(
                rf"\.{re.escape(name)}\b" if is_method else rf"(?<!def ){re.escape(name)}\b"
            )
            found = []
            for path in self.mentioning(name, tests):
                text = self.text(path)
                if text is not None and pattern.search(text):
                    found.append(path)
            self._references[key] = found
        return found

    def module_name(self, project: ProjectIndex, path: str) -> str | None:
        if path in self._module_names:
            return self._module_names[path]
        found = self._module_names[path] = _module_name_of(project, path)
        return found

    def realpath(self, path: str) -> str:
        found = self._realpaths.get(path)
        if found is None:
            found = self._realpaths[path] = os.path.realpath(path)
        return found

    def _index(self, paths: list[str]) -> dict[str, list[str]]:
        words: dict[str, list[str]] = {}
        for path in paths:
            text = self.text(path)
            if text is not None:
                for word in set(_WORD.findall(text)):
                    words.setdefault(word, []).append(path)
        return words

    def dirty(self, model: ModuleModel) -> bool:
        """Whether the checked module's text is not the file on disk (an editor buffer)."""
        if not model.path:
            return True
        text = self.text(os.path.abspath(model.path))
        return text is None or source_lines(text) != list(model.lines)

    def text(self, path: str, keep: bool = True) -> str | None:
        """The file's text, kept for later searches within the budget (``keep=False``:
        read once, for a scan that remembers its own answer per file)."""
        if path in self._texts:
            return self._texts[path]
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                text: str | None = handle.read()
        except OSError:
            text = None
        if keep and text is not None and self._text_size + len(text) <= _TEXT_BUDGET:
            self._texts[path] = text
            self._text_size += len(text)
        return text


def project_texts(project: ProjectIndex) -> Iterator[tuple[str, str]]:
    """(path, text) of the project's non-test ``*.py`` files, listed and read once per process."""
    files = ProjectFiles.of(project)
    for path in files.paths:
        text = files.text(path)
        if text is not None:
            yield path, text

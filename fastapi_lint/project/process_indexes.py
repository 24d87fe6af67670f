"""The project indexes of this process: one per project root, found from a file's path.

Every door asks here for the index of the file it checks (``index_for``), and
tells it when files change or a run ends (``forget_file``, ``flush_all``,
``forget_indexes``). The index itself (what it knows and how it answers) is
``project/index.py``.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from fastapi_lint.project import model_cache
from fastapi_lint.project.index import ProjectIndex
from fastapi_lint.project.layout import find_project_root, module_identity
from fastapi_lint.settings import RuleOptions

_indexes: dict[Path, ProjectIndex] = {}
MAX_INDEXES = 2


def index_for(
    path: str, options: RuleOptions | None = None, root: str | None = None
) -> ProjectIndex:
    """The index of the source root holding ``path``; one state per project root per process."""
    project_root = (
        _resolved(os.path.abspath(root))
        if root
        else find_project_root(Path(path) if path else Path(os.getcwd()))
    )
    index = _indexes.get(project_root)
    if index is None:
        index = ProjectIndex(project_root, options)
        _indexes[project_root] = index
        # One project at a time is the common case: keep memory flat when a run
        # crosses many projects (a corpus, a monorepo of services).
        while len(_indexes) > MAX_INDEXES:
            oldest = _indexes.pop(next(iter(_indexes)))
            oldest.flush(force=True)
            oldest._state.release_models()  # else they wait for a full collection
    if not path:
        return index
    return index.view(
        _source_root(os.path.abspath(path), project_root, index._state.configured_roots)
    )


# Per path, once per process: the engine asks for the index of every checked
# file twice, and each answer was a stat and two realpaths.
@lru_cache(maxsize=8192)
def _resolved(folder: str) -> Path:
    return Path(folder).resolve()


@lru_cache(maxsize=8192)
def _source_root(path: str, project_root: Path, configured: tuple[str, ...]) -> str:
    return str(module_identity(Path(path), project_root, configured)[0])


def flush_all() -> None:
    for index in _indexes.values():
        index.flush(force=True)


def _at_exit() -> None:
    flush_all()  # the facts written; then the models frozen, never freed (the process ends)
    model_cache.freeze_at_exit()


atexit.register(_at_exit)


def forget_file(path: str | Path) -> None:
    """Every index of this process forgets what it knows of one changed file."""
    for index in _indexes.values():
        index.forget(path)


def forget_indexes(release: bool = False) -> None:
    """Drop this process's project indexes (the CLI calls it between projects to bound memory).

    With ``release`` (nothing holds their models any more: the CLI between two
    projects), the models are released too. Dropped whole, a project's models
    waited for a full collection, which the raised thresholds seldom start, so
    the next project's models piled on top of them (a run over four projects
    peaked at the sum of two).
    """
    states = {id(index._state): index._state for index in _indexes.values()}
    for index in _indexes.values():
        index.flush(force=True)
    _indexes.clear()
    if release:
        for state in states.values():
            state.release_models()


def first_cached_file(wanted: Mapping[str, object]) -> str | None:
    """The first of ``wanted`` (absolute paths) whose model this process holds, least
    recently used first: the CLI checks it next, before it is evicted (asked per file)."""
    for index in _indexes.values():
        found = index._models.first_file(wanted)
        if found is not None:
            return found
    return None

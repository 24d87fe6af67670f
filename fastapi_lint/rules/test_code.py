"""Whether a module is test code, asked the same way by every rule that exempts tests.

The contract's definition ("Test code"): ``test_*.py``, ``*_test.py``,
``conftest.py``, or any path component named ``tests``/``test`` (see
``settings.is_test_file``), read on the path inside the project.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.settings import is_test_file

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel


def is_test_module(model: ModuleModel) -> bool:
    """``is_test_file`` on the path relative to the project root, when known.

    A project checked out under ``~/test/`` is not test code: only the path
    inside the project counts.
    """
    path = model.path
    project = index_of(model)
    if project is not None:
        try:
            path = Path(path).resolve().relative_to(project.root).as_posix()
        except (ValueError, OSError):
            pass
    return is_test_file(path)

"""One function under two names: a package folder that is also run as a script folder.

An application shipped as a package (``agent/__init__.py``) whose modules import
each other by bare name (``from worker import stop_bots``) runs with that folder
on ``sys.path`` (``cd agent && python run.py``): ``worker.stop_bots`` and
``agent.worker.stop_bots`` are the same function, defined once in
``agent/worker.py``. The bare import is that evidence: in a package it fails
unless the folder is on ``sys.path``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.project.layout import module_file

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel


def same_definition(model: ModuleModel, target: str, qualname: str) -> bool:
    """Whether ``target``, a name resolved in ``model``, is ``qualname`` reached
    through a bare module name from a folder above ``model`` (the folder the
    application runs from)."""
    if not model.path or not qualname.endswith("." + target):
        return False
    project = index_of(model)
    if project is None or project.is_project_module(target.split(".", 1)[0]):
        return False  # the bare name is itself a project module: another thing
    prefix = qualname[: -len(target) - 1]
    parts = target.split(".")
    root = os.path.realpath(str(project.root))
    for cut in range(len(parts) - 1, 0, -1):
        module = ".".join(parts[:cut])
        full = project.locate(f"{prefix}.{module}")
        if full is None:
            continue
        wanted = os.path.realpath(full[1])
        relative = os.path.join(*parts[:cut])
        folder = os.path.dirname(os.path.realpath(model.path))
        # The importing module's folder and its packages up to the project root.
        while folder.startswith(root):
            found = module_file(folder, relative)
            if found is not None:
                return os.path.realpath(found) == wanted
            if not os.path.isfile(os.path.join(folder, "__init__.py")):
                break
            folder = os.path.dirname(folder)
        return False
    return False


def script_module_name(path: str, name: str) -> str:
    """The dotted name the index knows a script of a package by (``agent/run-local.py``:
    ``agent.run-local``): its file name is no identifier, so layout names it by its
    stem alone, a name that no source root holds."""
    if name.isidentifier() or "." in name:
        return name
    parts = [name]
    folder = os.path.dirname(path)
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        parts.insert(0, os.path.basename(folder))
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return ".".join(parts)

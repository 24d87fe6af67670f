"""The project modules whose text mentions a name: where a function is called or a
class is made, for rules that judge a definition by its uses in other modules
(a session handed to a helper, objects made only at import time).

Reading every module's text is cheap next to building models; only the modules
that mention the name (at most ``_MAX_FILES``) are modelled.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.project.project_files import ProjectFiles, project_texts

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

# More files than this mention the name: too common a word to search them all.
_MAX_FILES = 20


def modules_mentioning(model: ModuleModel, name: str) -> list[ModuleModel] | None:
    """The function's module, then the project's other modules whose text has ``name``
    (None when too many files mention it to search them all)."""
    found = [model]
    project = index_of(model)
    if project is None:
        return found
    from fastapi_lint.project.layout import module_name_for

    word = re.compile(rf"\b{re.escape(name)}\b")
    own = str(Path(model.path).resolve()) if model.path else ""
    if name.isascii() and name.isidentifier():
        # The run's word index narrows the files first (a superset of the regex's:
        # its words are ASCII, so no `\b` it sees is missed); searching every
        # text with the regex was a tenth of a cold run on open-webui.
        files = ProjectFiles.of(project)
        candidates = ((path, files.text(path)) for path in files.mentioning(name))
        paths = [p for p, text in candidates if text is not None and word.search(text)]
    else:
        paths = [p for p, text in project_texts(project) if word.search(text)]
    if len(paths) > _MAX_FILES:
        return None
    for path in paths:
        if str(Path(path).resolve()) == own:
            continue
        module_name = module_name_for(Path(path), project.root)
        other = project.model(module_name) if module_name else None
        if other is not None:
            found.append(other)
    return found

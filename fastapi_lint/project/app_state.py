"""What an attribute of ``app.state`` holds: ``request.app.state.auth.check(...)``.

An application keeps its services on ``app.state`` (``app.state.auth = AuthManager(...)``
in the lifespan or the app factory) and handlers reach them through the request
(``request.app.state.auth``). Simple flow types such an attribute by its assignments in
the project: when every ``<app>.state.<name> = ...`` of the project's modules makes an
instance of one project class, ``<app>.state.<name>`` is that class, so API107 follows
its methods; likewise one sync network client of a library (``app.state.http =
requests.Session()`` in the lifespan: ``request.app.state.http.get(...)`` is API101).
Any other value, or two classes, leave it unknown.

The answer depends on every module that could assign the attribute: it is kept in the
index's memory (dropped when a module's text changes), not as a disk fact, and a file
that asked depends on all the project's modules, so the result cache checks it again
when any of them changes.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi_lint.cache import all_modules_dependency
from fastapi_lint.project.layout import module_name_for, walked_subfolders
from fastapi_lint.project.reads import note_read
from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.values import Instance
from fastapi_lint.settings import NON_SOURCE_FOLDERS, is_test_file

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.values import Value

# The type simple flow gives ``app.state`` (stubs.ATTRIBUTE_TYPES).
STATE_TYPE = "starlette.datastructures.State"
# More modules than this assign the attribute: too common a name to model them all.
_MAX_FILES = 12
# Library clients whose calls API101/API105 know, typed on app.state like project classes.
_LIBRARY_CLIENTS = frozenset(
    {
        "requests.Session",
        "httpx.Client",
        "urllib3.PoolManager",
        "redis.Redis",
        "pymongo.MongoClient",
        "boto3.Client",
        "boto3.Resource",
        "smtplib.SMTP",
        "sqlite3.Connection",
        "psycopg2.Connection",
        "psycopg.Connection",
        "pymysql.Connection",
    }
)


@dataclass
class _StateAssignments:
    """The project's modules that mention ``.state.``, and the answers found so far."""

    texts: list[tuple[str, str]]
    # Every folder and module walked: a fact that used an answer depends on them all.
    walked: list[str] = field(default_factory=list)
    classes: dict[str, str | None] = field(default_factory=dict)


_STATE: MemoKey[_StateAssignments] = MemoKey("app-state", text_dependent=True)


def app_state_attribute(project: ProjectIndex, attr: str, depth: int) -> Value | None:
    """The project class every ``<app>.state.<attr> = ...`` of the project makes, if one."""
    root = str(project.root)
    note_read(all_modules_dependency(root))
    found = project.memo.get(_STATE)
    if found is None:
        found = _StateAssignments([])
        found.texts = _texts(root, found.walked)
        project.memo.put(_STATE, found)
    for path in found.walked:
        project.depends_on_path(path)
    if attr not in found.classes:
        found.classes[attr] = None  # a cycle back here while it is computed: unknown
        found.classes[attr] = _assigned_class(project, attr, found.texts, depth)
    name = found.classes[attr]
    return Instance(name) if name else None


def _texts(root: str, walked: list[str]) -> list[tuple[str, str]]:
    """(path, text) of the project's non-test modules that mention ``.state.`` at all;
    ``walked`` gets every folder and module looked at."""
    found = []
    for folder, subfolders, files in os.walk(root):
        walked.append(folder)
        subfolders[:] = walked_subfolders(folder, subfolders, NON_SOURCE_FOLDERS)
        for name in sorted(files):
            path = os.path.join(folder, name)
            if not name.endswith(".py") or is_test_file(os.path.relpath(path, root)):
                continue
            walked.append(path)
            try:
                text = Path(path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if ".state." in text:
                found.append((path, text))
    return found


def _assigned_class(
    project: ProjectIndex, attr: str, texts: list[tuple[str, str]], depth: int
) -> str | None:
    pattern = re.compile(rf"\.state\.{re.escape(attr)}\s*(?::[^=\n]*)?=(?!=)")
    paths = [path for path, text in texts if pattern.search(text)]
    if not paths or len(paths) > _MAX_FILES:
        return None
    classes: set[str] = set()
    for path in paths:
        module_name = module_name_for(Path(path), project.root)
        model = project.model(module_name) if module_name else None
        if model is None:
            return None
        for ref in model.nodes[ast.Attribute]:
            node = ref.node
            assert isinstance(node, ast.Attribute)
            if not _is_state_attribute(node, attr) or not isinstance(node.ctx, ast.Store):
                continue
            statement = model.parent(node)
            value = getattr(statement, "value", None)
            if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or value is None:
                return None  # `app.state.auth += ...`, a tuple target: not simple flow
            found = model.evaluate(value, ref.scope, depth + 1)
            if not isinstance(found, Instance) or not (
                found.type in _LIBRARY_CLIENTS or project.is_class(found.type)
            ):
                return None
            classes.add(found.type)
    return classes.pop() if len(classes) == 1 else None


def _is_state_attribute(node: ast.Attribute, attr: str) -> bool:
    """``<x>.state.<attr>``."""
    owner = node.value
    return node.attr == attr and isinstance(owner, ast.Attribute) and owner.attr == "state"

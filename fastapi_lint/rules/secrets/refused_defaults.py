"""A default the project refuses is a placeholder, not a credential (API501, API503).

``ENCRYPTION_KEY: str = "fillmein"`` in a settings class, with a start-up check
elsewhere (``if settings.ENCRYPTION_KEY == "fillmein": raise ...``): the value
never works as a key, the code fails closed on it. A maintainer keeps both.
The comparison may sit in any module, so the search is a project fact whose
dependencies are the files it read (an edit that adds or drops the check
re-checks the settings module).
"""

from __future__ import annotations

import ast
import hashlib
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.semantic.syntax import last_name

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel


def _compared_in(nodes: list[ast.AST], text: str, name: str) -> bool:
    """A comparison of ``name`` (``settings.NAME``, ``NAME``) with ``text``."""
    wanted = name.lower()
    for node in nodes:
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        if not any(last_name(side).lower() == wanted for side in sides):
            continue  # `role == "admin"` says nothing about ADMIN_PASSWORD = "admin"
        for side in sides:
            elements = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
            for element in elements:
                if isinstance(element, ast.Constant) and element.value == text:
                    return True
    return False


def refused_by_project(model: ModuleModel, name: str, text: str, literal: ast.AST) -> bool:
    """Whether some code of the project compares ``name`` against its default ``text``."""
    if isinstance(model.parent(literal), ast.Compare):
        return False  # `if password == "s3cret!"`: the comparison is the finding
    local = [ref.node for ref in model.nodes[ast.Compare]]
    if _compared_in(local, text, name):
        return True
    project = index_of(model)
    if project is None:
        return False
    own_path = model.path

    def compute() -> bool:
        from fastapi_lint.project.serving import project_texts

        quoted = (f'"{text}"', f"'{text}'")
        for path, source in project_texts(project):
            project.depends_on_path(path)
            if path == own_path or name not in source or not any(q in source for q in quoted):
                continue
            try:
                tree = ast.parse(source)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            if _compared_in(list(ast.walk(tree)), text, name):
                return True
        return False

    # The key names the value by a digest: the cache on disk never holds a secret.
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return bool(project.fact("refused-literal", f"{own_path}:{name}:{digest}", compute))

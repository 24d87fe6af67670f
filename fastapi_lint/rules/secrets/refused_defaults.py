"""A default the project refuses is a placeholder, not a credential (API501, API503).

``ENCRYPTION_KEY: str = "fillmein"`` in a settings class, with a start-up check
elsewhere (``if settings.ENCRYPTION_KEY == "fillmein": raise ...``): the value
never works as a key, the code fails closed on it. A maintainer keeps both.
So does a check on a placeholder's prefix in a function that reads the field
(``if val.lower().startswith("__replace_me__"): raise ...``).
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


_MIN_PREFIX = 6


def _prefix_refused(nodes: list[ast.AST], text: str, name: str) -> bool:
    """A function that reads ``name`` and raises when a value starts with a placeholder's
    prefix the default starts with: ``if val.lower().startswith("__replace_me__"): raise``
    (a check over several secret fields, each read in a loop)."""
    wanted = name.lower()
    for function in nodes:
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        inside = list(ast.walk(function))
        if not any(_mentions(node, wanted) for node in inside):
            continue
        checks = [node for node in inside if _starts_like(node, text)]
        if not checks:
            continue
        names = {
            target.id
            for node in inside
            if isinstance(node, ast.Assign) and any(check is node.value for check in checks)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in inside:
            if not isinstance(node, ast.If) or not any(
                isinstance(inner, ast.Raise) for stmt in node.body for inner in ast.walk(stmt)
            ):
                continue
            for part in ast.walk(node.test):
                if any(part is check for check in checks):
                    return True
                if isinstance(part, ast.Name) and part.id in names:
                    return True
    return False


def _mentions(node: ast.AST, wanted: str) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr.lower() == wanted
    if isinstance(node, ast.Name):
        return node.id.lower() == wanted
    return isinstance(node, ast.Constant) and str(node.value).lower() == wanted


def _starts_like(node: ast.AST, text: str) -> bool:
    """``x.startswith("__replace_me__")`` (also after ``.lower()``) that ``text`` matches."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "startswith"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and len(node.args[0].value) >= _MIN_PREFIX
    ):
        return False
    prefix = node.args[0].value
    receiver = node.func.value
    folded = (
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Attribute)
        and receiver.func.attr in ("lower", "casefold")
    )
    return text.lower().startswith(prefix) if folded else text.startswith(prefix)


def refused_by_project(model: ModuleModel, name: str, text: str, literal: ast.AST) -> bool:
    """Whether some code of the project compares ``name`` against its default ``text``."""
    if isinstance(model.parent(literal), ast.Compare):
        return False  # `if password == "s3cret!"`: the comparison is the finding
    local = [ref.node for ref in model.nodes[ast.Compare]]
    if _compared_in(local, text, name):
        return True
    if _prefix_refused(list(ast.walk(model.tree)), text, name):
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
            if path == own_path or name not in source:
                continue
            compared = any(q in source for q in quoted)
            if not compared and ".startswith(" not in source:
                continue
            try:
                tree = ast.parse(source)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            nodes = list(ast.walk(tree))
            if compared and _compared_in(nodes, text, name):
                return True
            if _prefix_refused(nodes, text, name):
                return True
        return False

    # The key names the value by a digest: the cache on disk never holds a secret.
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return bool(project.fact("refused-literal", f"{own_path}:{name}:{digest}", compute))

"""What the N+1 messages say: the function a finding is in, where a query was
built, the fix to spell (``selectinload(User.posts)``), code shortened to fit."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of

if TYPE_CHECKING:
    from fastapi_lint.rules.nplusone.query_values import Origin, QueryValue
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

__all__ = ["describe", "fix_text", "origin_text", "short_name", "unparse"]


def short_name(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]


def fix_text(value: QueryValue, owner: str, relationship: str) -> str:
    steps = [*value.path, (owner, relationship)]
    return ".".join(f"selectinload({model}.{rel})" for model, rel in steps)


def describe(model: ModuleModel, function: FunctionInfo | None) -> str:
    if function is None:
        return "module code"
    routes = model.fastapi.routes_of(function)
    if routes:
        return f"route {routes[0].display}"
    if function.class_info is not None:
        return f"`{function.class_info.name}.{function.name}()`"
    return f"`{function.name}()`"


def origin_text(model: ModuleModel, origin: Origin) -> str:
    if origin.path == model.path:
        return f"line {origin.line}"
    path = origin.path
    project = index_of(model)
    if project is not None:
        try:
            path = Path(origin.path).resolve().relative_to(project.root).as_posix()
        except ValueError:
            pass
    return f"{path}:{origin.line}"


def unparse(node: ast.AST, limit: int = 60) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - unparse of odd trees
        return "..."
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."

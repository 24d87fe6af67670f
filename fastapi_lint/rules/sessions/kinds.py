"""Where a session comes from: sync or async, by type, value or parameter."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.values import Instance

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

SYNC = "sync"
ASYNC = "async"

BACKGROUND_TASKS = "fastapi.BackgroundTasks"


# ---------------------------------------------------------------- session kinds
def kind_of_type(model: ModuleModel, type_name: str | None) -> str | None:
    """SYNC or ASYNC for a session type (project subclasses included), else None."""
    if not type_name:
        return None
    type_name = stubs.canonical(type_name)
    if type_name in stubs.SYNC_SESSION_TYPES:
        return SYNC
    if type_name in stubs.ASYNC_SESSION_TYPES:
        return ASYNC
    if model.project is not None and "." in type_name:
        for base in model.project.class_bases(type_name):
            base = stubs.canonical(base)
            if base in stubs.SYNC_SESSION_TYPES:
                return SYNC
            if base in stubs.ASYNC_SESSION_TYPES:
                return ASYNC
    return None


def kind_of_value(model: ModuleModel, value: object) -> str | None:
    if isinstance(value, Instance):
        return kind_of_type(model, value.type)
    return None


def kind_of_expr(model: ModuleModel, expr: ast.expr, scope: Scope) -> str | None:
    return kind_of_value(model, model.evaluate(expr, scope))


@dataclass(frozen=True)
class ParamSession:
    kind: str
    from_depends: bool  # a request-scoped session FastAPI injects


def param_session(model: ModuleModel, function: FunctionInfo, arg: ast.arg) -> ParamSession | None:
    """Whether a parameter receives a session: by annotation and/or its ``Depends`` provider."""
    annotated = None
    if arg.annotation is not None:
        annotated = kind_of_type(model, model.annotation_type(arg.annotation, function.outer))
    target = model.dependency_target(function, arg)
    provided = None
    if target is not None:
        provided = kind_of_value(model, model.dependency_value(function, arg))
    if annotated and provided and annotated != provided:
        return None  # contradicting evidence: stay silent
    kind = annotated or provided
    if kind is None:
        return None
    return ParamSession(kind, target is not None)

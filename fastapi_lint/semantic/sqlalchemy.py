"""SQLAlchemy semantics the model needs: which sessions a session factory makes."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic import stubs

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


def sessionmaker_kind(model: ModuleModel, call: ast.Call, scope: Scope, qualname: str) -> str:
    """``sessionmaker(class_=AsyncSession)`` makes async sessions: the async maker's name."""
    for keyword in call.keywords:
        if keyword.arg == "class_":
            session_class = model.qualified_name(keyword.value, scope)
            if session_class and (
                session_class in stubs.ASYNC_SESSION_TYPES or session_class.endswith("AsyncSession")
            ):
                return stubs.ASYNC_SESSIONMAKER
            return stubs.SESSIONMAKER
    return qualname

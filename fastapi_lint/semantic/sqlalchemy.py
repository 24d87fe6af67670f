"""SQLAlchemy semantics the model needs: which sessions a session factory makes."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic import stubs

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


def sessionmaker_kind(model: ModuleModel, call: ast.Call, scope: Scope, qualname: str) -> str:
    """``sessionmaker(class_=AsyncSession)`` makes async sessions: the async maker's name.
    An ``async_sessionmaker`` always does: its ``class_`` is an ``AsyncSession`` subclass
    (``async_sessionmaker(engine, class_=TenantSession)``)."""
    if qualname == stubs.ASYNC_SESSIONMAKER:
        return qualname
    for keyword in call.keywords:
        if keyword.arg == "class_":
            session_class = model.qualified_name(keyword.value, scope)
            if session_class and _is_async_session_class(model, session_class):
                return stubs.ASYNC_SESSIONMAKER
            return stubs.SESSIONMAKER
    return qualname


def _is_async_session_class(model: ModuleModel, session_class: str) -> bool:
    """``AsyncSession`` (SQLAlchemy's, SQLModel's) or a project subclass of one."""
    if session_class in stubs.ASYNC_SESSION_TYPES or session_class.endswith("AsyncSession"):
        return True
    return any(
        stubs.canonical(base) in stubs.ASYNC_SESSION_TYPES or base.endswith(".AsyncSession")
        for base in model.class_bases(session_class)
    )


def annotated_maker(
    model: ModuleModel, outer: str, elements: list[ast.expr], scope: Scope, depth: int
) -> str | None:
    """``factory: sessionmaker[Session]`` holds a session factory (``async_sessionmaker[...]``
    an async one): calling it makes a session, as a bare ``sessionmaker`` annotation says.
    ``sessionmaker[AsyncSession]`` (a ``class_=AsyncSession`` maker) makes async sessions."""
    maker = stubs.canonical(outer)
    if maker not in (stubs.SESSIONMAKER, stubs.ASYNC_SESSIONMAKER, SCOPED_SESSION):
        return None
    session_class = model.annotation_type(elements[0], scope, depth + 1) if elements else None
    if maker == stubs.SESSIONMAKER and session_class:
        if _is_async_session_class(model, session_class):
            return stubs.ASYNC_SESSIONMAKER
    return maker


SCOPED_SESSION = "sqlalchemy.orm.scoped_session"

"""Model and schema code shared by the API4xx rule examples (docs are tests)."""

from __future__ import annotations

MODELS_EXAMPLE = (
    "from sqlalchemy import ForeignKey, select\n"
    "from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship\n\n\n"
    "class Base(DeclarativeBase):\n    pass\n\n\n"
    "class User(Base):\n"
    '    __tablename__ = "users"\n'
    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    "    name: Mapped[str]\n"
    '    posts: Mapped[list["Post"]] = relationship(back_populates="author")\n\n\n'
    "class Post(Base):\n"
    '    __tablename__ = "posts"\n'
    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    '    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))\n'
    "    title: Mapped[str]\n"
    '    author: Mapped[User] = relationship(back_populates="posts")\n\n\n'
)
SCHEMAS_EXAMPLE = (
    "class PostOut(BaseModel):\n    title: str\n\n\n"
    "class UserOut(BaseModel):\n    name: str\n    posts: list[PostOut]\n\n\n"
)
APP_EXAMPLE = (
    "from fastapi import Depends, FastAPI\nfrom pydantic import BaseModel\n"
    "from sqlalchemy.orm import selectinload\n\n"
    "from app.db import get_db\n\napp = FastAPI()\n"
)

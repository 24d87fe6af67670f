"""Credential templates: fields whose values name them (the contract, Revision 2, API501/API503).

``SMTP_USERNAME = "username"`` beside ``SMTP_PASSWORD = "password"`` is a form to
fill in for a server the operator configures anyway, not a password anyone
chose.  A weak password without such a sibling (``IMAP_USER = "mailer"``,
``IMAP_PASSWORD = "password"``) stays reported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from fastapi_lint.rules.secret_patterns import split_name_words
from fastapi_lint.rules.secrets._common import _field_default_literal, _text
from fastapi_lint.semantic.syntax import single_assignment

_USER_WORDS = (("username",), ("user",), ("user", "name"), ("login",))
_PASSWORD_WORDS = frozenset({"password", "pass", "passwd", "pwd"})


def _user_prefix(words: list[str]) -> tuple[str, ...] | None:
    """The prefix of a user-name field's words (``smtp`` of ``SMTP_USERNAME``), or None."""
    for suffix in _USER_WORDS:
        if len(words) >= len(suffix) and tuple(words[-len(suffix) :]) == suffix:
            return tuple(words[: -len(suffix)])
    return None


def templates(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, ...]]:
    """Prefixes of user-name fields whose value is the word for a user name."""
    found: set[tuple[str, ...]] = set()
    for name, value in pairs:
        prefix = _user_prefix(split_name_words(name))
        if prefix is not None and tuple(split_name_words(value)) in _USER_WORDS:
            found.add(prefix)
    return found


def class_templates(class_node: ast.ClassDef) -> set[tuple[str, ...]]:
    pairs: list[tuple[str, str]] = []
    for statement in class_node.body:
        assignment = single_assignment(statement)
        if assignment is None:
            continue
        target, value = assignment
        literal = _field_default_literal(value)
        text = _text(literal) if literal is not None else None
        if isinstance(target, ast.Name) and text:
            pairs.append((target.id, text))
    return templates(pairs)


def template_password(name: str, value: str, found: set[tuple[str, ...]]) -> bool:
    """``SMTP_PASSWORD = "password"`` beside a ``SMTP_USERNAME = "username"`` template."""
    words = split_name_words(name)
    return (
        bool(words)
        and words[-1] in _PASSWORD_WORDS
        and value.strip().lower() in _PASSWORD_WORDS
        and tuple(words[:-1]) in found
    )

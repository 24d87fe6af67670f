"""SQLite databases that live in memory: no file and no network behind them.

``sqlite3.connect(":memory:")`` (also the URI spellings ``"file::memory:"`` and
``"file:name?mode=memory&cache=shared"``) opens a database held in the process's
memory: connecting and every statement run on it read and write no file and wait on
no peer, like a dict. Such a connection is typed ``sqlite3.MemoryConnection``, which
no API105 pattern names, so neither the ``connect`` call nor the work done through
the connection (``self._db.execute(...)`` on an in-memory full-text index) is
reported, nor a project function that only uses one (API107). A database file
(``sqlite3.connect("app.db")``, a path held in a setting) stays a blocking client.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from fastapi_lint.semantic.constant_strings import string_value
from fastapi_lint.semantic.syntax import keyword_value

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

SQLITE_CONNECT = "sqlite3.connect"
MEMORY_CONNECTION = "sqlite3.MemoryConnection"


def opens_memory_database(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """Whether a ``sqlite3.connect(...)`` call names an in-memory database, by a literal
    or a constant simple flow reads (``INDEX_DB = ":memory:"``)."""
    database = keyword_value(call.keywords, "database")
    if database is None and call.args and not isinstance(call.args[0], ast.Starred):
        database = call.args[0]
    if database is None:
        return False
    name = string_value(model, database, scope)
    return name is not None and is_memory_name(name)


def is_memory_name(name: str) -> bool:
    if name == ":memory:":
        return True
    if not name.startswith("file:"):
        return False
    parts = urlsplit(name)
    if parts.path == ":memory:":
        return True
    return "memory" in parse_qs(parts.query).get("mode", [])

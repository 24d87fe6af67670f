"""API304 sync-driver-in-async-engine: ``create_async_engine`` with a synchronous driver."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from fastapi_lint.project.index import index_of
from fastapi_lint.registry import Rule
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.values import Ref

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, Scope

API304 = Rule(
    code="API304",
    name="sync-driver-in-async-engine",
    message=(
        "`create_async_engine()` is given a `{scheme}://` URL, which selects a synchronous "
        "driver: SQLAlchemy refuses it (`The asyncio extension requires an async driver to be "
        "used`); use {suggestion}"
    ),
    summary="Checks for `create_async_engine` given a database URL with a synchronous driver.",
    why=(
        "`create_async_engine` needs an asyncio driver (`asyncpg`, `psycopg`, `aiomysql`, "
        "`asyncmy`, `aiosqlite`, `aioodbc`). A URL without a driver (`postgresql://`) selects "
        "the sync default (`psycopg2`), and SQLAlchemy raises at engine creation or first connect."
    ),
    example=(
        "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
        'DATABASE_URL = "postgresql://app@db/app"\n'
        "engine = create_async_engine(DATABASE_URL)\n"
    ),
    use_instead=(
        "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
        'DATABASE_URL = "postgresql+asyncpg://app@db/app"\n'
        "engine = create_async_engine(DATABASE_URL)\n"
    ),
)

CREATE_ASYNC_ENGINE = "sqlalchemy.ext.asyncio.create_async_engine"
URL_CREATE = frozenset(
    {"sqlalchemy.engine.URL.create", "sqlalchemy.URL.create", "sqlalchemy.engine.url.URL.create"}
)

# Drivers create_async_engine refuses; a URL without "+driver" uses the dialect's sync default.
SYNC_DRIVERS = frozenset(
    {
        "psycopg2",
        "psycopg2cffi",
        "pg8000",
        "pymysql",
        "mysqldb",
        "mysqlconnector",
        "pysqlite",
        "pysqlcipher",
        "pyodbc",
        "pymssql",
        "cx_oracle",
    }
)
DIALECTS_WITH_SYNC_DEFAULT = frozenset(
    {"postgresql", "postgres", "mysql", "mariadb", "sqlite", "mssql", "oracle"}
)
ASYNC_DRIVER_SUGGESTION = {
    "postgresql": "`postgresql+asyncpg://` (or `postgresql+psycopg://`)",
    "postgres": "`postgresql+asyncpg://` (or `postgresql+psycopg://`)",
    "mysql": "`mysql+aiomysql://` (or `mysql+asyncmy://`)",
    "mariadb": "`mariadb+aiomysql://` (or `mariadb+asyncmy://`)",
    "sqlite": "`sqlite+aiosqlite://`",
    "mssql": "`mssql+aioodbc://`",
    "oracle": "`oracle+oracledb://` (python-oracledb's async mode)",
}
MAX_STRING_DEPTH = 8


def _string_prefix(
    model: ModuleModel, expr: ast.expr, scope: Scope, depth: int = 0
) -> tuple[str, bool] | None:
    """The known start of a string expression and whether that is the whole string."""
    if depth > MAX_STRING_DEPTH:
        return None
    if isinstance(expr, ast.Constant):
        return (expr.value, True) if isinstance(expr.value, str) else None
    if isinstance(expr, ast.JoinedStr):
        text = ""
        for part in expr.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                text += part.value
                continue
            if isinstance(part, ast.FormattedValue) and part.format_spec is None:
                inner = _string_prefix(model, part.value, scope, depth + 1)
                if inner is not None and part.conversion in (-1, ord("s")):
                    text += inner[0]
                    if inner[1]:
                        continue
            return text, False
        return text, True
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left = _string_prefix(model, expr.left, scope, depth + 1)
        if left is None:
            return None
        if not left[1]:
            return left
        right = _string_prefix(model, expr.right, scope, depth + 1)
        if right is None:
            return left[0], False
        return left[0] + right[0], right[1]
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "format"
        and isinstance(expr.func.value, ast.Constant)
        and isinstance(expr.func.value.value, str)
    ):
        template = expr.func.value.value
        return template.split("{", 1)[0], "{" not in template
    if isinstance(expr, ast.Name):
        return _name_prefix(model, expr, scope, depth)
    if isinstance(expr, ast.Attribute) and (project := index_of(model)) is not None:
        # `config.DATABASE_URL` on an imported project module (not a settings instance).
        owner = model.evaluate(expr.value, scope)
        if isinstance(owner, Ref) and project.is_project_module(owner.qualname):
            definition = project.definition(f"{owner.qualname}.{expr.attr}")
            if definition is not None:
                other, binding = definition
                return _binding_prefix(other, binding, depth + 1)
    return None


def _name_prefix(
    model: ModuleModel, name: ast.Name, scope: Scope, depth: int
) -> tuple[str, bool] | None:
    binding = model.lookup(name.id, scope, name.lineno)
    if binding is None:
        return None
    if binding.kind is BindingKind.IMPORT:
        if model.project is None:
            return None
        definition = model.project.definition(binding.qualname or "")
        if definition is None:
            return None
        other, found = definition
        return _binding_prefix(other, found, depth + 1)
    # A constant assigned once in its scope; a reassigned name could hold anything.
    if len(binding.scope.bindings.get(name.id, ())) != 1:
        return None
    return _binding_prefix(model, binding, depth + 1)


def _binding_prefix(model: ModuleModel, binding: Binding, depth: int) -> tuple[str, bool] | None:
    if binding.kind is not BindingKind.ASSIGN or binding.value is None:
        return None
    if binding.unpack_index is not None:
        return None
    if len(binding.scope.bindings.get(binding.name, ())) != 1:
        return None
    return _string_prefix(model, binding.value, binding.scope, depth + 1)


def _url_scheme(model: ModuleModel, call: ast.Call, scope: Scope) -> str | None:
    url: Optional[ast.expr] = call.args[0] if call.args else None
    for keyword in call.keywords:
        if keyword.arg == "url":
            url = keyword.value
    if url is None:
        return None
    if isinstance(url, ast.Call):
        target = model.call_target(url, scope)
        if target is not None and stubs.canonical(target) in URL_CREATE:
            driver: Optional[ast.expr] = url.args[0] if url.args else None
            for keyword in url.keywords:
                if keyword.arg == "drivername":
                    driver = keyword.value
            if driver is None:
                return None
            found = _string_prefix(model, driver, scope)
            return found[0].lower() if found is not None and found[1] else None
    found = _string_prefix(model, url, scope)
    if found is None or "://" not in found[0]:
        return None
    return found[0].split("://", 1)[0].lower()


def sync_driver_dialect(scheme: str) -> str | None:
    """The dialect when a URL scheme selects a synchronous driver, else None."""
    dialect, _, driver = scheme.partition("+")
    if not driver:
        return dialect if dialect in DIALECTS_WITH_SYNC_DEFAULT else None
    return dialect if driver in SYNC_DRIVERS else None


def check(model: ModuleModel, reporter: Reporter) -> None:
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        target = model.call_target(call, ref.scope)
        if target is None or stubs.canonical(target) != CREATE_ASYNC_ENGINE:
            continue
        scheme = _url_scheme(model, call, ref.scope)
        if scheme is None:
            continue
        dialect = sync_driver_dialect(scheme)
        if dialect is None:
            continue
        reporter.report(
            "API304",
            call,
            scheme=scheme,
            suggestion=ASYNC_DRIVER_SUGGESTION.get(dialect, "an asyncio driver"),
        )

"""API3xx: rule docs, driver classification, and cross-module findings through stdin doors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.registry import Rule
from fastapi_lint.rules.sessions import FAMILY, sync_driver_dialect
from fastapi_lint.settings import RuleOptions
from tests.fixture_support import FIXTURES, REPO

SYNC_APP = FIXTURES / "projects" / "sync_session_app"
USERS = SYNC_APP / "app" / "api" / "users.py"


@pytest.mark.parametrize("rule", FAMILY.rules, ids=[r.code for r in FAMILY.rules])
def test_rule_docs(rule: Rule) -> None:
    example = {d.code for d in check_source(rule.example, "<stdin>", RuleOptions())}
    clean = {d.code for d in check_source(rule.use_instead, "<stdin>", RuleOptions())}
    assert example == {rule.code}
    assert clean == set()


@pytest.mark.parametrize(
    ("scheme", "dialect"),
    [
        ("postgresql", "postgresql"),
        ("postgres", "postgres"),
        ("postgresql+psycopg2", "postgresql"),
        ("postgresql+pg8000", "postgresql"),
        ("mysql", "mysql"),
        ("mysql+pymysql", "mysql"),
        ("mysql+mysqldb", "mysql"),
        ("sqlite", "sqlite"),
        ("sqlite+pysqlite", "sqlite"),
        ("postgresql+asyncpg", None),
        ("postgresql+psycopg", None),
        ("postgresql+psycopg_async", None),
        ("mysql+aiomysql", None),
        ("mysql+asyncmy", None),
        ("sqlite+aiosqlite", None),
        ("mssql+aioodbc", None),
        ("cockroachdb+asyncpg", None),
        ("somethingelse", None),
    ],
)
def test_sync_driver_dialect(scheme: str, dialect: str | None) -> None:
    assert sync_driver_dialect(scheme) == dialect


def _findings(source: str, path: Path) -> dict[tuple[int, str], str]:
    return {(d.line, d.code): d.message for d in check_source(source, str(path))}


def test_stdin_buffer_inside_project_resolves_other_modules() -> None:
    # An editor's buffer (not what is on disk) checked as if it were users.py.
    buffer = (
        "from fastapi import APIRouter\n"
        "from app.deps import SessionDep\n"
        "from app.services import fetch_profile\n"
        "\n"
        "router = APIRouter()\n"
        "\n"
        "\n"
        '@router.get("/users/{user_id}/profile")\n'
        "async def get_user(user_id: int, db: SessionDep) -> str:\n"
        "    db.commit()\n"
        "    return str(fetch_profile(user_id))\n"
    )
    found = _findings(buffer, USERS)
    assert set(found) == {(9, "API301"), (11, "API107")}
    assert "fetch_profile() -> requests.get()" in found[(11, "API107")]
    assert "route GET /users/{user_id}/profile" in found[(9, "API301")]


def test_stdin_buffer_relative_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    source = USERS.read_text(encoding="utf-8")
    found = _findings(source, USERS.relative_to(REPO))
    assert (18, "API107") in found and (16, "API301") in found
    assert "fetch_profile() -> requests.get()" in found[(18, "API107")]
    # The route's session handed to crud.get_user is the API301 finding, not a second one.
    assert (17, "API107") not in found


def test_flake8_stdin_display_name_finds_cross_module_findings(tmp_path: Path) -> None:
    pytest.importorskip("flake8")
    source = USERS.read_text(encoding="utf-8")
    display = USERS.relative_to(REPO).as_posix()
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = API\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flake8",
            "--config",
            str(tmp_path / "setup.cfg"),
            "--stdin-display-name",
            display,
            "-",
        ],
        cwd=REPO,
        input=source,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(
        line.startswith(f"{display}:18:")
        and "API107" in line
        and "fetch_profile() -> requests.get()" in line
        for line in lines
    ), result.stdout
    assert any(line.startswith(f"{display}:25:") and "API301" in line for line in lines), (
        result.stdout
    )


@pytest.mark.skipif(sys.version_info < (3, 12), reason="the `type` statement needs Python 3.12")
def test_a_type_statement_alias_is_an_annotated_alias(tmp_path: Path) -> None:
    # `type SessionDep = Annotated[Session, Depends(get_db)]`, in another module:
    # FastAPI unwraps PEP 695 aliases (0.118+), so the parameter is a sync session.
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (tmp_path / "deps.py").write_text(
        "from typing import Annotated\n\nfrom fastapi import Depends\n"
        "from sqlalchemy.orm import Session, sessionmaker\n\n"
        "SessionLocal = sessionmaker()\n\n\ndef get_db():\n    db = SessionLocal()\n"
        "    try:\n        yield db\n    finally:\n        db.close()\n\n\n"
        "type SessionDep = Annotated[Session, Depends(get_db)]\n",
        encoding="utf-8",
    )
    main = tmp_path / "main.py"
    source = (
        "from fastapi import FastAPI\n\nfrom deps import SessionDep\n\napp = FastAPI()\n\n\n"
        '@app.get("/n")\nasync def count(db: SessionDep) -> int:\n    return db.query(1).count()\n'
    )
    main.write_text(source, encoding="utf-8")
    found = check_source(source, str(main), RuleOptions(use_cache=False))
    assert [(d.line, d.code) for d in found if d.code == "API301"] == [(9, "API301")]

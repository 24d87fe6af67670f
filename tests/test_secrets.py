"""API5xx behaviour beyond the fixtures: rule docs, precedence, test-file exemption, options."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.rules import secrets
from fastapi_lint.settings import RuleOptions, Selection

RULES = secrets.FAMILY.rules


def _codes(source: str, path: str = "app/main.py", **options: object) -> list[str]:
    return [d.code for d in check_source(source, path, RuleOptions(**options))]  # type: ignore[arg-type]


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_example_triggers_exactly_its_rule(rule: secrets.Rule) -> None:
    assert _codes(rule.example) == [rule.code]


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_use_instead_is_clean(rule: secrets.Rule) -> None:
    assert _codes(rule.use_instead) == []


def test_family_declares_every_code() -> None:
    assert [rule.code for rule in RULES] == [f"API50{n}" for n in range(1, 10)]
    assert secrets.FAMILY.prefix == "API5"


def test_one_finding_per_literal_by_precedence() -> None:
    # A Stripe live key (API504) in a settings default (API503) of a secret-like name (API501).
    source = (
        "from pydantic_settings import BaseSettings\n\n\n"
        "class Settings(BaseSettings):\n"
        '    stripe_secret_key: str = "sk_live_' + "TstValue0123456789abcdef" + '"\n'
    )
    assert _codes(source) == ["API504"]
    selection = Selection(select=("API5",), ignore=("API504",))
    diagnostics = check_source(source, "app/settings.py", RuleOptions(), selection)
    assert [d.code for d in diagnostics] == ["API503"]


def test_signing_key_wins_over_keyword_name() -> None:
    source = (
        "from fastapi import FastAPI\n"
        "from starlette.middleware.sessions import SessionMiddleware\n\n"
        "app = FastAPI()\n"
        'app.add_middleware(SessionMiddleware, secret_key="test-session-value")\n'
    )
    assert _codes(source) == ["API506"]


SECRET = 'DB_PASSWORD = "test-db-password-1"\n'


@pytest.mark.parametrize(
    "path",
    ["tests/test_db.py", "app/tests/helpers.py", "test/x.py", "conftest.py", "app/db_test.py"],
)
def test_test_files_are_exempt(path: str) -> None:
    assert _codes(SECRET, path) == []
    assert _codes(SECRET, path, secrets_in_tests=True) == ["API501"]


def test_other_files_are_checked() -> None:
    assert _codes(SECRET, "app/contest.py") == ["API501"]


def test_options() -> None:
    assert _codes('PIN = "test-pin-value"\n') == []
    assert _codes('PIN = "test-pin-value"\n', extra_secret_names=("pin",)) == ["API501"]
    assert _codes(SECRET, ignored_secret_names=("db_password",)) == []
    assert _codes(SECRET, extra_placeholders=("test-db-password-1",)) == []


def test_messages_never_show_the_secret() -> None:
    source = 'API_TOKEN = "tok-0123456789abcdef"\nif API_TOKEN == "r00t":\n    pass\n'
    messages = [d.message for d in check_source(source, "app/x.py")]
    assert len(messages) == 2
    assert all("0123456789" not in m and "'r00t" not in m for m in messages)


def test_cors_through_project_constant_and_direct_wrap() -> None:
    source = (
        "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\n"
        'ORIGINS = ("*",)\napp = FastAPI()\n'
        "asgi = CORSMiddleware(app, allow_origins=ORIGINS, allow_credentials=True)\n"
    )
    assert _codes(source) == ["API507"]


def test_multiline_key_keeps_the_message_on_one_line() -> None:
    # A key literal with control characters: the preview escapes them.
    source = 'import hmac\n\nSIGNER = hmac.new(b"\\n\\tk3y-material-0123", b"msg", "sha256")\n'
    diagnostics = check_source(source, "app/x.py")
    assert [d.code for d in diagnostics] == ["API506"]
    message = diagnostics[0].message
    assert "\n" not in message and "\t" not in message
    assert "'\\n\\tk3…' (19 chars)" in message


def test_exception_leak_carrier_is_one_line() -> None:
    source = (
        "from fastapi import HTTPException\n\nfrom app.db import fetch_rows\n\n\ndef load() -> None:\n"
        "    try:\n        fetch_rows()\n    except Exception as e:\n"
        '        raise HTTPException(500, detail=f"""failed\n{e}""")\n'
    )
    diagnostics = check_source(source, "app/x.py")
    assert [d.code for d in diagnostics] == ["API509"]
    assert "\n" not in diagnostics[0].message


@pytest.mark.parametrize("output_format", ["concise", "github", "json-lines"])
def test_multiline_key_keeps_one_line_formats_one_line(output_format: str, tmp_path: Path) -> None:
    # Revision 2, redaction: the escaped preview keeps one finding on one output line.
    from tests.test_cli import make_project, run

    source = (
        "import hmac\n\nimport jwt\n\n"
        'SIGNER = hmac.new(b"\\n\\tk3y-material-0123", b"msg", "sha256")\n'
        'TOKEN = jwt.encode({"sub": "1"}, "\\r\\nother-k3y-material", algorithm="HS256")\n'
    )
    root = make_project(tmp_path / "demo", {"app/keys.py": source})
    result = run(
        "check",
        "--no-cache",
        "--select",
        "API506",
        "--output-format",
        output_format,
        ".",
        cwd=root,
    )
    lines = [line for line in result.stdout.splitlines() if "API506" in line]
    assert len(lines) == 2, result.stdout
    assert all("k3y-material" not in line for line in lines)
    if output_format == "json-lines":
        import json

        assert [json.loads(line)["code"] for line in lines] == ["API506", "API506"]

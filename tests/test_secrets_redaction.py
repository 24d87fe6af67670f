"""No output of fastapi-lint shows a detected secret in full (the contract, "Secrets in output").

The secrets are collected from the fixtures themselves: every string literal on
a line marked with an API5xx expectation (and, for URLs, the password part and,
for credential formats, the matched credential). The fixtures then go through
the engine, every output format of the CLI, and flake8; none of those secrets
may appear in any output.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache, lru_cache
from pathlib import Path

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.registry import all_rules
from fastapi_lint.rules.credential_formats import find_credential
from fastapi_lint.rules.secret_patterns import url_password
from fastapi_lint.source import read_source
from tests.fixture_support import REPO, expected_findings, fixture_options

# The codes whose findings are secrets (API507/API508 report configurations).
SECRET_CODES = frozenset({"API501", "API502", "API503", "API504", "API505", "API506"})
FORMATS = ("concise", "full", "json", "json-lines", "github", "gitlab", "sarif", "junit")


def _secret_fixtures() -> list[Path]:
    fixtures = REPO / "fixtures"
    files = sorted(fixtures.glob("api50*.py"))
    files += sorted((fixtures / "projects" / "secrets_app").rglob("*.py"))
    files.append(fixtures / "tests" / "test_secrets_enabled.py")
    return [path for path in files if any(c in SECRET_CODES for _, c in expected_findings(path))]


FILES = _secret_fixtures()


def _literal_texts(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        value = node.value
        return [value if isinstance(value, str) else value.decode("latin-1")]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant)]
    return []


@cache
def fixture_secrets(path: Path) -> frozenset[str]:
    """The secret parts of the literals that the fixture's API501-API506 markers point at.

    A marked line may hold other literals (the ``"X-API-Key"`` key of a dict):
    the secret is the literal at the reported position.
    """
    marked = {line for line, code in expected_findings(path) if code in SECRET_CODES}
    diagnostics = check_source(read_source(path), str(path), fixture_options(path))
    positions = {(d.line, d.col) for d in diagnostics if d.code in SECRET_CODES}
    assert {line for line, _ in positions} == marked, path
    tree = ast.parse(path.read_text(encoding="utf-8"))
    secrets: set[str] = set()
    for node in ast.walk(tree):
        if (getattr(node, "lineno", None), getattr(node, "col_offset", None)) not in positions:
            continue
        for text in _literal_texts(node):
            candidates = [text]
            password = url_password(text)
            if password:
                # "postgres" is also part of the scheme the message names: look for it
                # as the password of a URL then.
                scheme = text.split("://", 1)[0]
                candidates.append(f":{password}@" if password in scheme else password)
            credential = find_credential(text)
            if credential is not None:
                candidates.append(text[credential.start : credential.end])
            secrets.update(c for c in candidates if len(c) >= 4 and not c.isspace())
    return frozenset(secrets)


@lru_cache(maxsize=1)
def _documentation() -> str:
    """The rules' own docs (SARIF embeds them): ``"changeme"`` is quoted there on purpose."""
    return "\n".join(
        f"{rule.message} {rule.summary} {rule.why} {rule.example} {rule.use_instead} {rule.options}"
        for rule in all_rules().values()
    )


def _assert_no_secret(output: str, paths: list[Path]) -> None:
    documentation = _documentation()
    for path in paths:
        for secret in fixture_secrets(path) - {
            s for s in fixture_secrets(path) if s in documentation
        }:
            assert secret not in output, f"{path.name}: a fixture secret is shown in full"


def test_fixtures_have_secrets() -> None:
    assert FILES
    for path in FILES:
        assert fixture_secrets(path), path


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_engine_messages_redact(path: Path) -> None:
    diagnostics = check_source(read_source(path), str(path), fixture_options(path))
    assert any(d.code.startswith("API5") for d in diagnostics)
    output = "\n".join(f"{d.line}:{d.col} {d.code} {d.message}" for d in diagnostics)
    _assert_no_secret(output, [path])


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


def _relative(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(REPO)) for path in paths]


# The config-header fixture under tests/ needs `--secrets-in-tests`; the others do not.
PLAIN = [path for path in FILES if "tests" not in path.relative_to(REPO).parts]


@pytest.mark.parametrize("output_format", FORMATS)
def test_cli_output_redacts(output_format: str) -> None:
    result = _run(
        [
            "-m",
            "fastapi_lint.cli",
            "check",
            "--select",
            "API5",
            "--no-cache",
            "--secrets-in-tests",
            "--output-format",
            output_format,
            *_relative(FILES),
        ]
    )
    output = result.stdout + result.stderr
    if result.returncode not in (0, 1) and "invalid choice" in output:
        pytest.skip(f"the CLI has no {output_format!r} format")
    assert result.returncode in (0, 1), output[-2000:]
    assert "API5" in output
    _assert_no_secret(output, FILES)


def test_flake8_output_redacts() -> None:
    result = _run(["-m", "flake8", "--select", "API", *_relative(PLAIN)])
    output = result.stdout + result.stderr
    assert "API50" in result.stdout, output[-2000:]
    _assert_no_secret(output, PLAIN)

"""The options schema: one spelling per option, the same findings through every door.

Every rule option is a field of ``RuleOptions`` (settings.py) whose kind and help
generate the ``[tool.fastapi-lint]`` key, the CLI flag and the flake8 option.
These tests hold the doors to it: each option exists in each door, and the same
option given as a CLI flag, in ``pyproject.toml`` and in flake8's configuration
gives the same findings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fastapi_lint.cli import build_parser
from fastapi_lint.config import KEYS, resolve
from fastapi_lint.flake8_plugin import Plugin
from fastapi_lint.registry import all_rules
from fastapi_lint.settings import EXTEND_INCLUDE, RULE_OPTIONS, RuleOptions
from tests.test_flake8_e2e import parse_findings, run_flake8

SECRET_SOURCE = """\
import httpx

ZORBLAX = "Kq7vT2mPx9LwR4nZ8bYc3dHf"
client = httpx.Client(headers={"X-Zorblax": ZORBLAX})
"""

BLOCKING_SOURCE = """\
import mylib
from fastapi import FastAPI

app = FastAPI()


@app.get("/users/{user_id}")
async def get_user(user_id: int) -> dict[str, int]:
    mylib.fetch_user(user_id)
    return {"user_id": user_id}
"""

MINOR_SYSCALL_SOURCE = """\
import os

from fastapi import FastAPI

app = FastAPI()


@app.post("/uploads/{name}")
async def store_upload(name: str) -> dict[str, str]:
    os.makedirs("/srv/media/incoming", exist_ok=True)
    return {"name": name}
"""


def _check_help() -> str:
    parser = build_parser()
    for action in parser._actions:
        choices = getattr(action, "choices", None)
        if isinstance(choices, dict) and "check" in choices:
            help_text: str = choices["check"].format_help()
            return help_text
    raise AssertionError("no check subcommand")


def test_cli_exposes_extra_secret_names() -> None:
    assert "--extra-secret-names" in _check_help()
    args = build_parser().parse_args(["check", "--extra-secret-names", "zorblax,quux", "."])
    assert args.extra_secret_names == ["zorblax", "quux"]


def test_every_option_is_a_key_a_cli_flag_and_a_flake8_option() -> None:
    help_text = _check_help()

    class Recorder:
        def __init__(self) -> None:
            self.flags: set[str] = set()

        def add_option(self, flag: str, **_: Any) -> None:
            self.flags.add(flag)

    flake8 = Recorder()
    Plugin.add_options(flake8)
    fields = set(RuleOptions.__dataclass_fields__)
    for spec in (*RULE_OPTIONS, EXTEND_INCLUDE):
        assert spec.key in KEYS, spec.key
        assert f"--{spec.key}" in help_text, spec.key
        assert spec.flake8_flag in flake8.flags, spec.key
        if spec is not EXTEND_INCLUDE:
            assert spec.field in fields
    # use_cache is --no-cache, not a key; every other field is an option.
    assert {spec.field for spec in RULE_OPTIONS} == fields - {"use_cache"}


def test_cli_flags_and_pyproject_resolve_to_the_same_options(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.fastapi-lint]\n"
        'extra-secret-names = ["zorblax"]\n'
        'extra-blocking-calls = ["mylib.fetch_*"]\n'
        "secrets-in-tests = true\n"
        "serving-code-only = false\n"
    )
    codes = list(all_rules())
    from_file = resolve(config=None, start=tmp_path, overrides={}, codes=codes)
    args = build_parser().parse_args(
        [
            "check",
            "--extra-secret-names",
            "zorblax",
            "--extra-blocking-calls",
            "mylib.fetch_*",
            "--secrets-in-tests",
            "--no-serving-code-only",
        ]
    )
    from fastapi_lint.cli import _overrides

    from_flags = resolve(
        config=None, start=tmp_path, overrides=_overrides(args), codes=codes, isolated=True
    )
    assert from_file.options == from_flags.options
    assert from_file.options == RuleOptions(
        extra_secret_names=("zorblax",),
        extra_blocking_calls=("mylib.fetch_*",),
        secrets_in_tests=True,
        serving_code_only=False,
    )


def _cli(project: Path, *args: str) -> set[tuple[str, int, str]]:
    command = [sys.executable, "-m", "fastapi_lint", "check", "--no-cache"]
    result = subprocess.run(
        [*command, "--output-format", "json-lines", *args, "app"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr
    found = set()
    for line in result.stdout.splitlines():
        item = json.loads(line)
        path = Path(item["filename"]).relative_to(project.resolve()).as_posix()
        found.add((path, item["location"]["row"], item["code"]))
    return found


def _flake8(project: Path) -> set[tuple[str, int, str]]:
    result = run_flake8("app", cwd=project)
    assert "Traceback" not in result.stderr, result.stderr
    return parse_findings(result.stdout)


def _project(folder: Path, source: str, pyproject: str = "", flake8: str = "") -> Path:
    folder.mkdir()
    (folder / "app").mkdir()
    (folder / "app" / "__init__.py").write_text("")
    (folder / "app" / "main.py").write_text(source)
    # flake8 reads only our plugin's codes; its own checks would add noise.
    (folder / "setup.cfg").write_text(f"[flake8]\nselect = API\n{flake8}")
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\n\n[tool.fastapi-lint]\n{pyproject}'
    )
    return folder


@pytest.mark.parametrize(
    ("source", "key", "value", "expected"),
    [
        (SECRET_SOURCE, "extra-secret-names", "zorblax", {("app/main.py", 3, "API501")}),
        (BLOCKING_SOURCE, "extra-blocking-calls", "mylib.fetch_*", {("app/main.py", 9, "API105")}),
    ],
)
def test_an_option_gives_the_same_findings_through_every_door(
    tmp_path: Path, source: str, key: str, value: str, expected: set[tuple[str, int, str]]
) -> None:
    plain = _project(tmp_path / "plain", source)
    assert _cli(plain) == set()
    assert _cli(plain, f"--{key}", value) == expected

    in_pyproject = _project(tmp_path / "pyproject", source, pyproject=f'{key} = ["{value}"]\n')
    assert _cli(in_pyproject) == expected
    assert _flake8(in_pyproject) == expected

    in_flake8 = _project(tmp_path / "flake8", source, flake8=f"fastapi-{key} = {value}\n")
    assert _flake8(in_flake8) == expected


def test_flake8_reads_opt_in_selection_from_pyproject(tmp_path: Path) -> None:
    """An opt-in code (API108) selected in [tool.fastapi-lint] is reported by both doors."""
    expected = {("app/main.py", 10, "API108")}
    plain = _project(tmp_path / "plain", MINOR_SYSCALL_SOURCE)
    assert _cli(plain) == set()
    assert _flake8(plain) == set()
    selected = _project(
        tmp_path / "selected", MINOR_SYSCALL_SOURCE, pyproject='extend-select = ["API108"]\n'
    )
    assert _cli(selected) == expected
    assert _flake8(selected) == expected

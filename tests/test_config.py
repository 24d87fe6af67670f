"""Configuration: finding, validating and merging ``[tool.fastapi-lint]`` with the flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_lint.config import ConfigError, Settings, find_config, parse_per_file_ignores, resolve

CODES = ["API101", "API102", "API201", "API501"]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_find_config_walks_up_to_a_table(tmp_path: Path) -> None:
    outer = _write(tmp_path / "pyproject.toml", "[tool.fastapi-lint]\nselect = ['API1']\n")
    _write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'pkg'\n")
    start = tmp_path / "pkg" / "src" / "app.py"
    assert find_config(start) == outer.resolve()


def test_resolve_merges_flags_like_flake8(tmp_path: Path) -> None:
    _write(
        tmp_path / "pyproject.toml",
        "[tool.fastapi-lint]\nselect = ['API1']\nignore = ['API101']\nextend-ignore = ['API5']\n"
        "per-file-ignores = { 'tests/*' = ['API2'] }\n",
    )
    settings = resolve(config=None, start=tmp_path, overrides={}, codes=CODES)
    assert settings.selection.select == ("API1",)
    assert settings.selection.ignore == ("API101", "API5")
    flags = resolve(
        config=None,
        start=tmp_path,
        overrides={"ignore": ["API102"], "extend-select": ["API2"]},
        codes=CODES,
    )
    assert flags.selection.select == ("API1", "API2")
    assert flags.selection.ignore == ("API102", "API5")  # --ignore replaces, extend-ignore stays
    assert flags.root == str(tmp_path.resolve())


def test_per_file_ignores_relative_to_config(tmp_path: Path) -> None:
    _write(
        tmp_path / "pyproject.toml",
        "[tool.fastapi-lint]\nper-file-ignores = { 'tests/*' = ['API5'] }\n",
    )
    settings = resolve(config=None, start=tmp_path, overrides={}, codes=CODES)
    in_tests = settings.selection_for(str(tmp_path / "tests" / "test_x.py"))
    assert in_tests.enabled_codes(CODES) == frozenset({"API101", "API102", "API201"})
    assert settings.selection_for(str(tmp_path / "app.py")).enabled_codes(CODES) == frozenset(CODES)


def test_parse_per_file_ignores_flake8_syntax() -> None:
    assert parse_per_file_ignores("tests/*:API5,API1 app.py:API102") == [
        ("tests/*", ["API5", "API1"]),
        ("app.py", ["API102"]),
    ]
    assert parse_per_file_ignores("a.py:API1, API2") == [("a.py", ["API1", "API2"])]
    with pytest.raises(ConfigError):
        parse_per_file_ignores("nocolon")


@pytest.mark.parametrize(
    "overrides",
    [{"select": ["API9"]}, {"bogus": 1}, {"secrets-in-tests": "yes"}, {"exclude": "x"}],
)
def test_invalid_values(tmp_path: Path, overrides: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        resolve(config=None, start=tmp_path, overrides=overrides, codes=CODES, isolated=True)


def test_rule_options_and_fingerprint(tmp_path: Path) -> None:
    _write(
        tmp_path / "pyproject.toml",
        "[tool.fastapi-lint]\nextra-blocking-calls = ['mylib.*']\nsecrets-in-tests = true\n"
        "extra-secret-names = ['pin']\nignored-secret-names = ['token_type']\n"
        "extra-placeholders = ['dummy']\nproject-root = 'src'\n",
    )
    settings = resolve(config=None, start=tmp_path, overrides={}, codes=CODES)
    options = settings.rule_options()
    assert options.extra_blocking_calls == ("mylib.*",)
    assert options.secrets_in_tests is True
    assert options.extra_secret_names == ("pin",)
    assert options.ignored_secret_names == ("token_type",)
    assert options.extra_placeholders == ("dummy",)
    assert options.project_root == str((tmp_path / "src").resolve())
    assert settings.fingerprint() != Settings().fingerprint()
    same_but_output = resolve(
        config=None, start=tmp_path, overrides={"output-format": "json"}, codes=CODES
    )
    assert same_but_output.fingerprint() == settings.fingerprint()


def test_config_file_with_top_level_keys(tmp_path: Path) -> None:
    config = _write(tmp_path / "fastapi-lint.toml", "select = ['API2']\n")
    settings = resolve(config=str(config), start=tmp_path, overrides={}, codes=CODES)
    assert settings.select == ("API2",)
    assert settings.config_path == str(config)

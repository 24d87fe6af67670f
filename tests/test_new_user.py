"""The defects a new user meets first: reports of files that could not be checked,
configuration, fix summaries and the small ones (columns, paths, arguments)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from fastapi_lint.cli import main
from fastapi_lint.engine import CheckError, check_source

SLEEPY = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"


def make(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def check(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path, *args: str
) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    code = main(["check", "--no-cache", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- files that could not be checked -----------------------------------------------------


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    root = make(tmp_path, {"pyproject.toml": "", "bad.py": "def f(:\n", "ok.py": "x = 1\n"})
    (root / "latin.py").write_bytes(b"# coding: utf-8\nname = '\xe9'\n")
    return root


def test_summary_never_says_all_passed_when_a_file_was_not_checked(
    broken: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = check(capsys, monkeypatch, broken, "bad.py", "ok.py", "missing.py")
    assert code == 1
    assert "All checks passed!" not in out
    assert "could not be checked" in out
    assert "bad.py:1:7: E999" in err and "missing.py: E902" in err


@pytest.mark.parametrize("output_format", ["json", "json-lines", "github", "gitlab"])
def test_machine_formats_report_files_that_were_not_checked(
    output_format: str,
    broken: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, _ = check(
        capsys, monkeypatch, broken, "--output-format", output_format, "bad.py", "latin.py"
    )
    assert code == 1
    assert out.count("E999") >= 1 and out.count("E902") >= 1, out
    if output_format == "json":
        entries = json.loads(out)
        assert {e["code"] for e in entries} == {"E999", "E902"}
        assert all(e["fix"] is None and e["location"]["row"] >= 1 for e in entries)
    if output_format == "gitlab":
        assert {e["check_name"] for e in json.loads(out)} == {"E999", "E902"}


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="this interpreter parses everything")
@pytest.mark.parametrize(
    ("source", "version"),
    [
        ("match command:\n    case 'go':\n        pass\n", "3.10"),
        ("try:\n    pass\nexcept* ValueError:\n    pass\n", "3.11"),
        ("type Alias = list[int]\n", "3.12"),
        ("def first[T](items: list[T]) -> T:\n    return items[0]\n", "3.12"),
        ("class Box[T]:\n    pass\n", "3.12"),
        ("try:\n    pass\nexcept ValueError, TypeError:\n    pass\n", "3.14"),
        ("name = t'hello {1}'\n", "3.14"),
        ("url = (\n    f\"{join(\n        'base',\n        'path')}?next=1\"\n)\n", "3.12"),
    ],
)
def test_newer_syntax_names_the_interpreter_it_needs(source: str, version: str) -> None:
    needed = tuple(int(p) for p in version.split("."))
    if sys.version_info >= needed:
        pytest.skip("this interpreter parses it")
    with pytest.raises(CheckError, match=rf"needs Python {version} to parse; run fastapi-lint"):
        check_source(source, "new.py")


@pytest.mark.parametrize("source", ['print "total"\n', "match = [1\n", "label = f'{name} \n"])
def test_plain_syntax_errors_do_not_blame_the_interpreter(source: str) -> None:
    with pytest.raises(CheckError) as caught:
        check_source(source, "old.py")
    assert "needs Python" not in str(caught.value)


# --- one configuration for every door ----------------------------------------------------

LEGACY = "import legacy\n\n\nasync def handler():\n    legacy.fetch()\n"


def run_flake8(cwd: Path, *args: str) -> list[str]:
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "API", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.stdout.splitlines()


def test_flake8_reads_the_rule_options_of_pyproject_and_counts_characters(
    tmp_path: Path,
) -> None:
    pytest.importorskip("flake8")
    make(
        tmp_path,
        {
            "pyproject.toml": '[tool.fastapi-lint]\nextra-blocking-calls = ["legacy.fetch"]\n',
            "setup.cfg": "[flake8]\n",
            "app/main.py": LEGACY,
            "app/accents.py": 'import time\n\n\nasync def f():\n    x = "\u00e9\u00e9"; time.sleep(1)\n',
        },
    )
    lines = run_flake8(tmp_path, "app")
    assert any(line.startswith("app/main.py:5:5: API105") for line in lines), lines
    # `    x = "éé"; ` is 14 characters (16 bytes): column 15, as the CLI shows it.
    assert any(line.startswith("app/accents.py:5:15: API102") for line in lines), lines
    # flake8's own option overrides the file's.
    (tmp_path / "setup.cfg").write_text("[flake8]\nfastapi-extra-blocking-calls = other.call\n")
    assert not any("API105" in line for line in run_flake8(tmp_path, "app"))


def test_misspelled_table_warns_and_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make(
        tmp_path,
        {
            "pyproject.toml": '[tool.fastapi_lint]\nextra-blocking-calls = ["legacy.fetch"]\n',
            "main.py": LEGACY,
        },
    )
    code, out, err = check(capsys, monkeypatch, tmp_path, "main.py")
    assert code == 1 and "API105" in out
    assert "[tool.fastapi_lint]" in err and "rename" in err


def test_flags_are_configuration_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make(
        tmp_path,
        {
            "pyproject.toml": "[tool.fastapi-lint]\nexit-zero = true\njobs = 2\nfix = false\n",
            "main.py": SLEEPY,
        },
    )
    code, out, err = check(capsys, monkeypatch, tmp_path, "main.py")
    assert code == 0, err
    assert "API102" in out
    (tmp_path / "pyproject.toml").write_text("[tool.fastapi-lint]\njobs = 0\n")
    assert check(capsys, monkeypatch, tmp_path, "main.py")[0] == 2


def test_fix_from_the_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make(tmp_path, {"pyproject.toml": "[tool.fastapi-lint]\nfix = true\n", "main.py": SLEEPY})
    check(capsys, monkeypatch, tmp_path, "--no-fix", "main.py")
    assert (tmp_path / "main.py").read_text() == SLEEPY
    check(capsys, monkeypatch, tmp_path, "main.py")
    assert "asyncio.sleep" in (tmp_path / "main.py").read_text()


# --- fixes: what is fixable, said in every run -----------------------------------------

ON_EVENT = (
    "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
    '@app.on_event("startup")\nasync def start() -> None:\n    pass\n'
)


def test_fixable_findings_are_marked_and_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make(tmp_path, {"pyproject.toml": "", "main.py": SLEEPY, "events.py": ON_EVENT})
    _, out, _ = check(capsys, monkeypatch, tmp_path, "main.py", "events.py")
    assert "API102 [*] `time.sleep()`" in out
    assert "API206 [*]" not in out  # an unsafe fix: hidden
    assert (
        "[*] 1 fixable with the `--fix` option "
        "(1 hidden fix can be enabled with the `--unsafe-fixes` option)." in out
    )
    _, out, _ = check(capsys, monkeypatch, tmp_path, "events.py")
    assert (
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option)." in out
    )
    _, out, _ = check(capsys, monkeypatch, tmp_path, "--unsafe-fixes", "events.py")
    assert "API206 [*]" in out and "1 fixable with the `--fix --unsafe-fixes` option." in out
    _, out, _ = check(capsys, monkeypatch, tmp_path, "--statistics", "main.py")
    assert out == "1\tAPI102\t[*] blocking-sleep\n"
    _, out, _ = check(capsys, monkeypatch, tmp_path, "--output-format", "json", "main.py")
    assert json.loads(out)[0]["fix"]["applicability"] == "safe"


def test_fixed_counts_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two `on_event` handlers, one fix that moves both into a lifespan: two findings fixed.
    events = ON_EVENT + '\n\n@app.on_event("shutdown")\nasync def stop() -> None:\n    pass\n'
    make(tmp_path, {"pyproject.toml": "", "main.py": events})
    _, out, err = check(capsys, monkeypatch, tmp_path, "--diff", "--unsafe-fixes", "main.py")
    assert "Would fix 2 errors." in err
    _, out, _ = check(capsys, monkeypatch, tmp_path, "--fix", "--unsafe-fixes", "main.py")
    assert "Found 2 errors (2 fixed, 0 remaining)." in out


# --- the small ones ------------------------------------------------------------------------

TWICE = (
    "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
    '@app.get("/a\\nb")\ndef one() -> int:\n    return 1\n\n\n'
    '@app.get("/a\\nb")\ndef two() -> int:\n    return 2\n'
)


def test_a_message_stays_on_one_line() -> None:
    (finding,) = check_source(TWICE, "app/main.py")
    assert "\n" not in finding.message and "/a\\nb" in finding.message


def test_whole_function_findings_point_at_the_name() -> None:
    (finding,) = check_source(TWICE, "app/main.py")
    assert (finding.line, finding.col, finding.end_line, finding.end_col) == (12, 4, 12, 7)
    source = (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/items")\nasync def list_items():\n    return {"items": []}\n'
    )
    (missing,) = [d for d in check_source(source, "app/main.py") if d.code == "API201"]
    assert (missing.line, missing.col, missing.end_line, missing.end_col) == (7, 10, 7, 20)


def test_stdin_filename_creates_no_folders(tmp_path: Path) -> None:
    from tests.test_cli import run

    source = "from app.db import get\n\n\nasync def f():\n    get()\n"
    result = run("check", "--stdin-filename", "does/not/exist/x.py", cwd=tmp_path, stdin=source)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "does").exists()


def test_diff_of_an_absolute_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = make(tmp_path / "elsewhere", {"main.py": SLEEPY}) / "main.py"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    _, out, _ = check(capsys, monkeypatch, cwd, "--diff", str(target))
    absolute = str(target.resolve()).lstrip("/")
    assert f"--- a/{absolute}\n+++ b/{absolute}\n" in out
    assert "a//" not in out


def test_codes_in_any_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make(
        tmp_path, {"pyproject.toml": '[tool.fastapi-lint]\nignore = ["api3"]\n', "main.py": SLEEPY}
    )
    code, out, err = check(capsys, monkeypatch, tmp_path, "--select", "api1", "main.py")
    assert code == 1 and "API102" in out, err


def test_subcommand_errors_show_the_subcommand_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", "--bogus"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "usage: fastapi-lint check" in err and "unrecognized arguments: --bogus" in err


def test_server_accepts_stdio(monkeypatch: pytest.MonkeyPatch) -> None:
    import fastapi_lint.cli as cli

    monkeypatch.setattr(cli, "run_server", lambda: 0)
    assert main(["server", "--stdio"]) == 0


def test_rule_urls_link_only_where_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi_lint.registry import all_rules

    rule = all_rules()["API102"]
    monkeypatch.delenv("FASTAPI_LINT_DOCS_URL", raising=False)
    assert rule.url == ""
    monkeypatch.setenv("FASTAPI_LINT_DOCS_URL", "https://docs.example.com/rules.html")
    assert rule.url == "https://docs.example.com/rules.html#api102-blocking-sleep"

"""End-to-end: the installed ``fastapi-lint`` command, in a subprocess, on small projects."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SLEEPY = """\
import time
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def index() -> None:
    time.sleep(1)
"""
CLEAN = """\
import asyncio
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def index() -> None:
    await asyncio.sleep(1)
"""
FINDING = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>API\d{3}) ", re.M)


def command() -> list[str]:
    installed = shutil.which("fastapi-lint")
    if installed is None:
        candidate = Path(sys.executable).parent / "fastapi-lint"
        installed = str(candidate) if candidate.exists() else None
    return [installed] if installed else [sys.executable, "-m", "fastapi_lint.cli"]


def run(
    *args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command(), *args],
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def make_project(root: Path, files: dict[str, str], config: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "demo"\n{config}', encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def codes(output: str) -> list[tuple[str, int, str]]:
    return [(m["path"], int(m["line"]), m["code"]) for m in FINDING.finditer(output)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(
        tmp_path / "proj",
        {"app/__init__.py": "", "app/main.py": SLEEPY, "app/clean.py": CLEAN},
    )


# --- exit codes and the default output ---------------------------------------------------


def test_findings_exit_1_concise(project: Path) -> None:
    result = run("check", cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0].startswith("app/main.py:9:5: API102 [*] `time.sleep()`")
    assert "Found 1 error." in result.stdout
    assert result.stderr == ""


def test_clean_exit_0(project: Path) -> None:
    result = run("check", "app/clean.py", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "All checks passed!"


def test_exit_zero_and_quiet(project: Path) -> None:
    result = run("check", "--exit-zero", "-q", cwd=project)
    assert result.returncode == 0
    assert codes(result.stdout) == [("app/main.py", 9, "API102")]
    assert "Found" not in result.stdout


def test_no_command_is_usage_error(project: Path) -> None:
    assert run(cwd=project).returncode == 2
    assert run("check", "--output-format", "xml", cwd=project).returncode == 2
    assert run("check", "--jobs", "0", cwd=project).returncode == 2


# --- selection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--select", "API1"], 1),
        (["--select", "API2"], 0),
        (["--ignore", "API102"], 0),
        (["--ignore", "API1"], 0),
        (["--extend-ignore", "API10"], 0),
        (["--ignore", "API1", "--extend-select", "API102"], 1),  # the longer prefix wins
        (["--select", "API101,API103"], 0),
        (["--select", "ALL", "--ignore", "API102"], 0),
        (["--per-file-ignores", "app/main.py:API102"], 0),
        (["--per-file-ignores", "app/*:API1"], 0),
        (["--per-file-ignores", "other.py:API102"], 1),
    ],
)
def test_selection_flags(project: Path, flags: list[str], expected: int) -> None:
    result = run("check", *flags, cwd=project)
    assert result.returncode == expected, result.stdout + result.stderr


@pytest.mark.parametrize(
    "flags",
    [
        ["--select", "E501"],
        ["--ignore", "API9"],
        ["--per-file-ignores", "app/*:XYZ1"],
    ],
)
def test_unknown_codes_exit_2(project: Path, flags: list[str]) -> None:
    result = run("check", *flags, cwd=project)
    assert result.returncode == 2
    assert "unknown rule code" in result.stderr
    assert result.stdout == ""


# --- configuration --------------------------------------------------------------------------


def test_config_in_pyproject(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p",
        {"app/main.py": SLEEPY, "app/other.py": SLEEPY},
        '[tool.fastapi-lint]\nper-file-ignores = { "app/other.py" = ["API102"] }\n'
        'output-format = "json-lines"\n',
    )
    result = run("check", cwd=root)
    assert result.returncode == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(r["filename"]).name for r in rows] == ["main.py"]


def test_config_found_from_checked_path(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p", {"app/main.py": SLEEPY}, '[tool.fastapi-lint]\nignore = ["API102"]\n'
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert run("check", str(root / "app"), cwd=elsewhere).returncode == 0
    assert run("check", "--isolated", str(root / "app"), cwd=elsewhere).returncode == 1


def test_config_flag(tmp_path: Path, project: Path) -> None:
    config = tmp_path / "lint.toml"
    config.write_text('select = ["API2"]\n', encoding="utf-8")
    assert run("check", "--config", str(config), cwd=project).returncode == 0
    assert run("check", "--config", str(tmp_path / "missing.toml"), cwd=project).returncode == 2


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("selct = ['API1']", "unknown key `selct`"),
        ("extra_blocking_calls = ['x.y']", "did you mean `extra-blocking-calls`"),
        ("select = 'API1'", "must be a list of strings"),
        ("ignore = ['API999']", "unknown rule code or prefix 'API999'"),
        ("secrets-in-tests = 'yes'", "must be true or false"),
        ("output-format = 'xml'", "must be one of"),
        ("per-file-ignores = { 'tests/*' = ['NOPE'] }", "unknown rule code"),
        ("select = [", "invalid TOML"),
    ],
)
def test_bad_config_exit_2(tmp_path: Path, table: str, message: str) -> None:
    root = make_project(tmp_path / "p", {"app/main.py": SLEEPY}, f"[tool.fastapi-lint]\n{table}\n")
    result = run("check", cwd=root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "pyproject.toml" in result.stderr


def test_rule_options_from_config(tmp_path: Path) -> None:
    source = (
        "import mylib\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/")\nasync def index() -> None:\n    mylib.fetch()\n'
    )
    root = make_project(tmp_path / "p", {"app/main.py": source})
    assert run("check", cwd=root).returncode == 0
    assert run("check", "--extra-blocking-calls", "mylib.*", cwd=root).returncode == 1
    (root / "pyproject.toml").write_text(
        '[tool.fastapi-lint]\nextra-blocking-calls = ["mylib.fetch"]\n', encoding="utf-8"
    )
    result = run("check", cwd=root)
    assert result.returncode == 1
    assert "mylib.fetch" in result.stdout


# --- files -----------------------------------------------------------------------------------


def test_show_files_gitignore_and_excludes(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p",
        {
            "app/main.py": SLEEPY,
            "app/generated/api.py": SLEEPY,
            "build_tools/gen.py": SLEEPY,
            "venv/lib/site.py": SLEEPY,
            ".venv/x.py": SLEEPY,
            "notes.txt": "",
            "scripts/keep.py": CLEAN,
        },
        '[tool.fastapi-lint]\nextend-exclude = ["build_tools"]\n',
    )
    (root / ".gitignore").write_text("generated/\n*.log\n", encoding="utf-8")
    result = run("check", "--show-files", cwd=root)
    assert result.returncode == 0
    assert result.stdout.split() == ["app/main.py", "scripts/keep.py"]
    shown = run("check", "--show-files", "--no-respect-gitignore", cwd=root).stdout.split()
    assert "app/generated/api.py" in shown
    # A file named on the command line is checked unless --force-exclude.
    assert run("check", "-q", "app/generated/api.py", cwd=root).returncode == 1
    assert run("check", "--force-exclude", "app/generated/api.py", cwd=root).returncode == 0
    assert run("check", "--force-exclude", "build_tools/gen.py", cwd=root).returncode == 0
    # --exclude replaces the default excludes; the config's extend-exclude still applies.
    assert run("check", "--exclude", "app", "--show-files", cwd=root).stdout.split() == [
        ".venv/x.py",
        "scripts/keep.py",
        "venv/lib/site.py",
    ]


def test_gitignore_negation_and_nested(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p",
        {"a/one.py": CLEAN, "a/two.py": CLEAN, "b/sub/three.py": CLEAN, "b/four.py": CLEAN},
    )
    (root / ".git").mkdir()
    (root / ".gitignore").write_text("a/*.py\n!a/two.py\n", encoding="utf-8")
    (root / "b" / ".gitignore").write_text("/sub\n", encoding="utf-8")
    result = run("check", "--show-files", cwd=root)
    assert result.stdout.split() == ["a/two.py", "b/four.py"]
    # Checking a subfolder still applies the repository's .gitignore files.
    assert run("check", "--show-files", "a", cwd=root).stdout.split() == ["a/two.py"]


def test_stdin_filename(project: Path) -> None:
    result = run("check", "--stdin-filename", "app/main.py", cwd=project, stdin=SLEEPY)
    assert result.returncode == 1
    assert codes(result.stdout) == [("app/main.py", 9, "API102")]
    assert run("check", "--stdin-filename", "app/x.py", cwd=project, stdin=CLEAN).returncode == 0
    assert codes(run("check", "-", cwd=project, stdin=SLEEPY).stdout) == [("-", 9, "API102")]
    # per-file-ignores match the given name
    ignored = run(
        "check",
        "--stdin-filename",
        "app/main.py",
        "--per-file-ignores",
        "app/main.py:API1",
        cwd=project,
        stdin=SLEEPY,
    )
    assert ignored.returncode == 0


# --- per-file errors --------------------------------------------------------------------------


def test_unreadable_and_unparsable_files(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", {"app/main.py": SLEEPY, "app/bad.py": "def f(:\n"})
    (root / "app" / "latin.py").write_bytes(b"x = '\xff\xfe'\n")
    result = run("check", cwd=root)
    assert result.returncode == 1
    assert codes(result.stdout) == [("app/main.py", 9, "API102")]
    errors = result.stderr.splitlines()
    assert errors[0].startswith("app/bad.py:1:") and " E999 SyntaxError: " in errors[0]
    assert errors[1].startswith("app/latin.py: E902 ")
    assert len(errors) == 2
    # only errors: still exit 1, and --exit-zero makes it 0
    (root / "app" / "main.py").write_text(CLEAN, encoding="utf-8")
    assert run("check", cwd=root).returncode == 1
    assert run("check", "--exit-zero", cwd=root).returncode == 0


def test_missing_path(project: Path) -> None:
    result = run("check", "nope.py", cwd=project)
    assert result.returncode == 1
    assert "nope.py: E902" in result.stderr


# --- noqa ------------------------------------------------------------------------------------


def test_noqa_comments(tmp_path: Path) -> None:
    body = SLEEPY.replace("    time.sleep(1)\n", "")
    source = (
        body
        + "    time.sleep(1)  # noqa\n"
        + "    time.sleep(2)  # noqa: API102\n"
        + "    time.sleep(3)  # noqa: API1\n"
        + "    time.sleep(4)  # noqa: API101\n"
        + "    time.sleep(5)  # noqa:E501,API10\n"
    )
    root = make_project(tmp_path / "p", {"app/main.py": source})
    result = run("check", "-q", cwd=root)
    assert [line for _, line, _ in codes(result.stdout)] == [12]
    (root / "app" / "main.py").write_text("# fastapi-lint: noqa\n" + source, encoding="utf-8")
    assert run("check", cwd=root).returncode == 0


def test_add_noqa(tmp_path: Path) -> None:
    body = SLEEPY.replace("    time.sleep(1)\n", "")
    source = (
        body
        + "    time.sleep(1)  # noqa: E501\n    time.sleep(2)  # a comment\n    time.sleep(3)\n"
    )
    root = make_project(tmp_path / "p", {"app/main.py": source})
    result = run("check", "--add-noqa", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "Added 3 noqa directives." in result.stderr
    text = (root / "app" / "main.py").read_text(encoding="utf-8")
    assert text.endswith(
        "    time.sleep(1)  # noqa: E501, API102\n"
        "    time.sleep(2)  # a comment  # noqa: API102\n"
        "    time.sleep(3)  # noqa: API102\n"
    )
    assert run("check", cwd=root).returncode == 0
    again = run("check", "--add-noqa", cwd=root)
    assert "Added 0 noqa directives." in again.stderr


# --- fixes ------------------------------------------------------------------------------------


def test_fix_and_diff(project: Path) -> None:
    main = project / "app" / "main.py"
    before = main.read_text(encoding="utf-8")
    assert run("check", cwd=project).returncode == 1  # warms the cache
    diff = run("check", "--diff", cwd=project)
    if diff.stdout == "":
        pytest.skip("no rule offers a fix for API102 in this tree")
    assert diff.returncode == 1
    assert diff.stdout.startswith("--- a/app/main.py\n+++ b/app/main.py\n")
    assert "+    await asyncio.sleep(1)" in diff.stdout
    assert main.read_text(encoding="utf-8") == before
    fixed = run("check", "--fix", cwd=project)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "1 fixed, 0 remaining" in fixed.stdout
    assert "await asyncio.sleep(1)" in main.read_text(encoding="utf-8")
    assert run("check", cwd=project).returncode == 0
    assert run("check", "--diff", cwd=project).returncode == 0


def test_fix_conflicts_with_add_noqa(project: Path) -> None:
    assert run("check", "--fix", "--add-noqa", cwd=project).returncode == 2


def test_fix_stdin(project: Path) -> None:
    result = run("check", "--fix", "--stdin-filename", "app/main.py", cwd=project, stdin=SLEEPY)
    if result.stdout == SLEEPY:
        pytest.skip("no rule offers a fix for API102 in this tree")
    assert "await asyncio.sleep(1)" in result.stdout  # the fixed source goes to stdout
    assert result.returncode == 0


# --- output formats ----------------------------------------------------------------------------


def test_statistics(project: Path) -> None:
    (project / "app" / "more.py").write_text(SLEEPY + "    time.sleep(2)\n", encoding="utf-8")
    result = run("check", "--statistics", cwd=project)
    assert result.returncode == 1
    assert result.stdout == "3\tAPI102\t[*] blocking-sleep\n"
    rows = json.loads(run("check", "--statistics", "--output-format", "json", cwd=project).stdout)
    assert rows == [{"code": "API102", "name": "blocking-sleep", "count": 3, "fixable": True}]


def test_full_format(project: Path) -> None:
    result = run("check", "--output-format", "full", cwd=project)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith("[blocking-sleep]")
    assert "9 |     time.sleep(1)" in lines
    assert "  |     ^^^^^^^^^^^^^ API102" in lines


def test_json_formats(project: Path) -> None:
    result = run("check", "--output-format", "json", cwd=project)
    assert result.returncode == 1
    (item,) = json.loads(result.stdout)
    # The fix is there without --fix.
    assert item["fix"]["applicability"] == "safe"
    assert item == {
        "code": "API102",
        "name": "blocking-sleep",
        "message": item["message"],
        "filename": str((project / "app" / "main.py").resolve()),
        "location": {"row": 9, "column": 5},
        "end_location": {"row": 9, "column": 18},
        "noqa_row": 9,
        "fix": item["fix"],
        "url": item["url"],
    }
    assert item["url"] is None  # no published docs unless FASTAPI_LINT_DOCS_URL says where
    lines = run("check", "--output-format", "json-lines", cwd=project).stdout.splitlines()
    assert [json.loads(line) for line in lines] == [item]
    assert (
        json.loads(run("check", "--output-format", "json", "app/clean.py", cwd=project).stdout)
        == []
    )


def test_github_format(project: Path) -> None:
    result = run("check", "--output-format", "github", cwd=project)
    assert result.returncode == 1
    assert result.stdout.startswith(
        "::error title=fastapi-lint (API102),file=app/main.py,line=9,col=5,endLine=9,endColumn=18::"
        "app/main.py:9:5: API102 "
    )


def test_gitlab_format(project: Path) -> None:
    result = run("check", "--output-format", "gitlab", cwd=project)
    (issue,) = json.loads(result.stdout)
    assert issue["check_name"] == "API102"
    assert issue["location"] == {"path": "app/main.py", "lines": {"begin": 9, "end": 9}}
    assert len(issue["fingerprint"]) == 64


def test_junit_format(project: Path) -> None:
    import xml.etree.ElementTree as ET

    result = run("check", "--output-format", "junit", cwd=project)
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites" and root.get("failures") == "1"
    case = root.find("testsuite/testcase")
    assert case is not None and case.get("name") == "org.fastapi-lint.API102"
    assert case.get("line") == "9"
    clean = ET.fromstring(
        run("check", "--output-format", "junit", "app/clean.py", cwd=project).stdout
    )
    assert clean.get("failures") == "0"


def test_sarif_validates_against_schema(project: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    (project / "app" / "bad.py").write_text("def f(:\n", encoding="utf-8")
    result = run("check", "--output-format", "sarif", cwd=project)
    assert result.returncode == 1
    log = json.loads(result.stdout)
    schema = json.loads(
        (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    )
    jsonschema.Draft4Validator(schema).validate(log)
    run_ = log["runs"][0]
    (res,) = run_["results"]
    assert res["ruleId"] == "API102"
    assert res["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "app/main.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert run_["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == "API102"
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["E999"]


# --- rule pages ----------------------------------------------------------------------------------


def test_rule_command(tmp_path: Path) -> None:
    page = run("rule", "API102", cwd=tmp_path)
    assert page.returncode == 0
    for section in (
        "# blocking-sleep (API102)",
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
    ):
        assert section in page.stdout
    assert run("rule", "blocking-sleep", cwd=tmp_path).stdout == page.stdout
    assert run("rule", "API999", cwd=tmp_path).returncode == 2
    assert run("rule", cwd=tmp_path).returncode == 2
    rules = json.loads(run("rule", "--all", "--output-format", "json", cwd=tmp_path).stdout)
    assert {"API101", "API102"} <= {r["code"] for r in rules}
    assert all(
        set(r) >= {"code", "name", "summary", "why", "example", "use_instead", "url"} for r in rules
    )


# --- parallelism and cache ---------------------------------------------------------------------


def _many_files(root: Path, count: int) -> None:
    for index in range(count):
        body = SLEEPY + "".join(f"    time.sleep({n})\n" for n in range(index % 3))
        (root / "app" / f"mod_{index:03d}.py").write_text(body, encoding="utf-8")


def test_jobs_and_cache_give_identical_results(project: Path) -> None:
    _many_files(project, 40)
    (project / "app" / "bad.py").write_text("def f(:\n", encoding="utf-8")
    cold = run("check", "--jobs", "1", "--no-cache", cwd=project)
    assert not (project / ".fastapi_lint_cache").exists()
    runs = [
        run("check", "--jobs", "4", cwd=project),  # cold cache, pool
        run("check", "--jobs", "4", cwd=project),  # warm cache
        run("check", "--jobs", "1", cwd=project),  # warm cache, serial
        run("check", cwd=project),
    ]
    assert cold.returncode == 1
    assert len(codes(cold.stdout)) == 1 + 40 + sum(i % 3 for i in range(40))
    for other in runs:
        assert (other.returncode, other.stdout, other.stderr) == (
            cold.returncode,
            cold.stdout,
            cold.stderr,
        )
    # No progress when stderr is not a terminal.
    assert "Checking" not in cold.stderr


def test_cache_holds_no_source_and_survives_corruption(project: Path) -> None:
    marker = "UNIQUE_SOURCE_MARKER_42"
    (project / "app" / "main.py").write_text(SLEEPY + f"    x = '{marker}'\n", encoding="utf-8")
    first = run("check", cwd=project)
    cache_files = [p for p in (project / ".fastapi_lint_cache").rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in cache_files)
    for path in cache_files:
        assert marker not in path.read_text(encoding="utf-8", errors="replace")
    for path in cache_files:
        if path.suffix == ".json":
            path.write_text('{"format": 1, "files": {"x": [1, 2', encoding="utf-8")
    corrupted = run("check", cwd=project)
    assert (corrupted.returncode, corrupted.stdout, corrupted.stderr) == (
        first.returncode,
        first.stdout,
        first.stderr,
    )
    for path in (project / ".fastapi_lint_cache").rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))  # rewritten whole


def test_cache_invalidated_by_other_modules(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p",
        {
            "app/__init__.py": "",
            "app/helpers.py": "import time\n\n\ndef work() -> None:\n    time.sleep(1)\n",
            "app/main.py": (
                "from fastapi import FastAPI\n\nfrom app.helpers import work\n\napp = FastAPI()\n\n\n"
                '@app.get("/")\nasync def index() -> None:\n    work()\n'
            ),
        },
    )
    assert codes(run("check", cwd=root).stdout) == [("app/main.py", 10, "API107")]
    (root / "app" / "helpers.py").write_text(
        "def work() -> None:\n    return None\n", encoding="utf-8"
    )
    assert run("check", "app/main.py", cwd=root).returncode == 0


def test_cache_invalidated_by_a_fact_that_searched_other_modules_text(tmp_path: Path) -> None:
    # Whether a settings default is refused is a text search over the project's
    # modules: the first (computing) run must record those files as read, or an
    # edit that adds the refusing check never reaches the warm run of settings.py.
    settings = (
        "from pydantic_settings import BaseSettings\n\n\n"
        'class Settings(BaseSettings):\n    relay_password: str = "relay-pw-7c1"\n\n\n'
        "settings = Settings()\n"
    )
    root = make_project(
        tmp_path / "p",
        {
            "app/__init__.py": "",
            "app/settings.py": settings,
            "app/startup.py": "from app.settings import settings\n\n\ndef check() -> None:\n    pass\n",
        },
    )
    assert codes(run("check", cwd=root).stdout) == [("app/settings.py", 5, "API503")]
    (root / "app" / "startup.py").write_text(
        "from app.settings import settings\n\n\ndef check() -> None:\n"
        '    if settings.relay_password == "relay-pw-7c1":\n'
        '        raise RuntimeError("set RELAY_PASSWORD")\n',
        encoding="utf-8",
    )
    assert codes(run("check", "--no-cache", cwd=root).stdout) == []
    assert codes(run("check", cwd=root).stdout) == []


def test_cache_invalidated_when_a_module_parses_again(tmp_path: Path) -> None:
    # A module that did not parse (an edit in progress, a newer syntax) is read
    # too: once it parses again, warm runs see what it defines, as cold ones do.
    helpers = "import time\n\n\ndef work() -> None:\n    time.sleep(1)\n"
    root = make_project(
        tmp_path / "p",
        {
            "app/__init__.py": "",
            "app/helpers.py": helpers + "def broken(:\n",
            "app/main.py": (
                "from fastapi import FastAPI\n\nfrom app.helpers import work\n\napp = FastAPI()\n\n\n"
                '@app.get("/")\nasync def index() -> None:\n    work()\n'
            ),
        },
    )
    assert ("app/main.py", 10, "API107") not in codes(run("check", cwd=root).stdout)
    (root / "app" / "helpers.py").write_text(helpers, encoding="utf-8")
    expected = [("app/main.py", 10, "API107")]
    assert codes(run("check", "--no-cache", cwd=root).stdout) == expected
    assert codes(run("check", cwd=root).stdout) == expected


def test_cache_invalidated_when_a_pydantic_pin_changes(tmp_path: Path) -> None:
    # The "on Pydantic v2" answer is a fact read by every API6xx check: the file that
    # computes it depends on the declarations it read, like the files that find it in
    # memory, and a bundled worker's own requirements file decides for it.
    model = "from pydantic import BaseModel\n\n\nclass Item(BaseModel):\n    class Config:\n        orm_mode = True\n"
    root = make_project(
        tmp_path / "p",
        {
            "requirements.txt": "pydantic>=2.5\n",
            "app/__init__.py": "",
            "app/models.py": model,
            "worker/requirements.txt": "pydantic<2.0\n",
            "worker/model.py": model,
        },
    )
    expected = [("app/models.py", 5, "API601")]
    assert codes(run("check", cwd=root).stdout) == expected
    assert codes(run("check", cwd=root).stdout) == expected  # warm
    (root / "worker" / "requirements.txt").write_text("pydantic>=2.5\n", encoding="utf-8")
    expected = [("app/models.py", 5, "API601"), ("worker/model.py", 5, "API601")]
    assert codes(run("check", cwd=root).stdout) == expected
    (root / "requirements.txt").write_text("pydantic==1.10.13\n", encoding="utf-8")
    assert codes(run("check", cwd=root).stdout) == [("worker/model.py", 5, "API601")]
    assert codes(run("check", "--no-cache", cwd=root).stdout) == [("worker/model.py", 5, "API601")]


def test_a_copy_of_a_project_with_its_cache_reads_its_own_files(tmp_path: Path) -> None:
    # Facts are keyed by module names and name the files they read: a copy of the
    # project (a second checkout, a restored CI cache) must not answer with the original's.
    original = make_project(
        tmp_path / "original",
        {
            "app/__init__.py": "",
            "app/main.py": (
                "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
                '@app.get("/")\nasync def index() -> None:\n    return None\n'
            ),
        },
    )
    assert "app/main.py" in run("routes", "--output-format", "csv", cwd=original).stdout
    copy = tmp_path / "copy"
    shutil.copytree(original, copy)
    rows = run("routes", "--output-format", "csv", cwd=copy).stdout
    assert rows == run("routes", "--output-format", "csv", "--no-cache", cwd=copy).stdout
    assert "app/main.py" in rows


def test_a_shared_cache_dir_keeps_projects_apart(tmp_path: Path) -> None:
    # Two projects with the same module names (`app.helpers.work`) and one --cache-dir:
    # a fact about the first project's `work()` must not answer for the second's.
    main = (
        "from fastapi import FastAPI\n\nfrom app.helpers import work\n\napp = FastAPI()\n\n\n"
        '@app.get("/")\nasync def index() -> None:\n    work()\n'
    )
    blocking = make_project(
        tmp_path / "blocking",
        {
            "app/__init__.py": "",
            "app/helpers.py": "import time\n\n\ndef work() -> None:\n    time.sleep(1)\n",
            "app/main.py": main,
        },
    )
    quiet = make_project(
        tmp_path / "quiet",
        {
            "app/__init__.py": "",
            "app/helpers.py": "def work() -> None:\n    return None\n",
            "app/main.py": main,
        },
    )
    cache = str(tmp_path / "shared-cache")
    assert codes(run("check", "--cache-dir", cache, cwd=blocking).stdout) == [
        ("app/main.py", 10, "API107")
    ]
    assert run("check", "--cache-dir", cache, cwd=quiet).returncode == 0


def test_cache_invalidated_by_a_new_serving_caller_in_an_existing_module(tmp_path: Path) -> None:
    # The serving-code search reads whichever module may call a function: a
    # script's helper called from a route after an edit of an existing module
    # (the layout unchanged) is serving code, warm or cold.
    routes = (
        "from fastapi import APIRouter\n\n{imports}router = APIRouter()\n\n\n"
        '@router.get("/config")\nasync def read_config() -> dict[str, str]:\n'
        "    return {{'name': {value}}}\n"
    )
    root = make_project(
        tmp_path / "p",
        {
            "app/__init__.py": "",
            "app/lib.py": (
                "async def load_config(name: str) -> str:\n"
                "    with open(name) as handle:\n        return handle.read()\n"
            ),
            "app/cli.py": (
                "import asyncio\n\nfrom app.lib import load_config\n\n"
                'if __name__ == "__main__":\n    print(asyncio.run(load_config("a.toml")))\n'
            ),
            "app/routes.py": routes.format(imports="", value="'settings'"),
        },
    )
    assert run("check", cwd=root).returncode == 0
    (root / "app" / "routes.py").write_text(
        routes.format(
            imports="from app.lib import load_config\n\n", value="await load_config('a.toml')"
        ),
        encoding="utf-8",
    )
    expected = [("app/lib.py", 2, "API103")]
    assert codes(run("check", "--no-cache", cwd=root).stdout) == expected
    assert codes(run("check", cwd=root).stdout) == expected
    assert codes(run("check", "-j", "2", cwd=root).stdout) == expected


ROUTE_MODULE = (
    "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
    '@router.get("/{path}")\nasync def {name}() -> int:\n    return 0\n'
)


def duplicate_route_project(root: Path) -> Path:
    """Two router modules both serving GET /status on one app: API204 on the second."""
    return make_project(
        root,
        {
            "app/__init__.py": "",
            "app/routers/__init__.py": "",
            "app/routers/first.py": ROUTE_MODULE.format(path="status", name="status"),
            "app/routers/second.py": ROUTE_MODULE.format(path="status", name="status_again"),
            "app/main.py": (
                "from fastapi import FastAPI\n\nfrom app.routers import first, second\n\n"
                "app = FastAPI()\napp.include_router(first.router)\n"
                "app.include_router(second.router)\n"
            ),
        },
    )


def test_cache_invalidated_when_another_module_changes_the_route_table(tmp_path: Path) -> None:
    # A route's API203/API204 depend on what other modules register on the same app:
    # renaming the first `/status` makes the second one reachable, warm or cold.
    root = duplicate_route_project(tmp_path / "p")
    assert codes(run("check", cwd=root).stdout) == [("app/routers/second.py", 7, "API204")]
    (root / "app" / "routers" / "first.py").write_text(
        ROUTE_MODULE.format(path="state", name="status"), encoding="utf-8"
    )
    assert run("check", "--no-cache", cwd=root).returncode == 0
    assert run("check", cwd=root).returncode == 0


def test_route_table_readers_depend_on_the_table_content(tmp_path: Path) -> None:
    # A route module depends on the app's route table through one dependency stamped
    # by the table's content, not on every module it was built from: an edit that moves
    # no route elsewhere leaves its cached findings valid (the one-line edit bench).
    root = duplicate_route_project(tmp_path / "p")
    assert codes(run("check", cwd=root).stdout) == [("app/routers/second.py", 7, "API204")]
    second = str((root / "app" / "routers" / "second.py").resolve())
    entries: dict[str, dict[str, object]] = {}
    for cache_file in (root / ".fastapi_lint_cache").rglob("*.json"):
        data = json.loads(cache_file.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("files"), dict):
            entries.update(data["files"])
    deps = entries[second]["deps"]
    assert isinstance(deps, dict)
    assert any("(route table)" in dependency for dependency in deps)
    assert not any(dependency.endswith(os.sep + "*.py") for dependency in deps)
    assert str((root / "app" / "routers" / "first.py").resolve()) not in deps
    # A comment added to the first module moves no route: same findings, warm or cold.
    first = root / "app" / "routers" / "first.py"
    first.write_text(first.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    assert codes(run("check", cwd=root).stdout) == [("app/routers/second.py", 7, "API204")]
    assert codes(run("check", "--no-cache", cwd=root).stdout) == [
        ("app/routers/second.py", 7, "API204")
    ]


def _dict_routes(names: list[str], returns: str = "dict") -> str:
    routes = "".join(
        f'\n\n@router.get("/{name}")\nasync def {name}() -> {returns}:\n    return {{"name": "{name}"}}\n'
        for name in names
    )
    return "from fastapi import APIRouter\n\nrouter = APIRouter()\n" + routes


def test_house_style_follows_an_edit_of_another_route_module(tmp_path: Path) -> None:
    # Ten `-> dict` routes over two modules are the project's style (API202 silent);
    # retyping one in the second module leaves nine, below the threshold: the first
    # module, untouched, is reported again, warm or cold.
    first_names = [f"first_{n}" for n in range(8)]
    root = make_project(
        tmp_path / "p",
        {
            "app/__init__.py": "",
            "app/routers/__init__.py": "",
            "app/routers/first.py": _dict_routes(first_names),
            "app/routers/second.py": _dict_routes(["second_0", "second_1"]),
            "app/main.py": (
                "from fastapi import FastAPI\n\nfrom app.routers import first, second\n\n"
                "app = FastAPI()\napp.include_router(first.router)\n"
                "app.include_router(second.router)\n"
            ),
        },
    )
    assert run("check", "--select", "API202", cwd=root).returncode == 0
    second = root / "app" / "routers" / "second.py"
    second.write_text(
        _dict_routes(["second_0"]) + _dict_routes(["second_1"], "int").split("\n", 3)[3],
        encoding="utf-8",
    )
    expected = [("app/routers/first.py", 7 + 5 * n, "API202") for n in range(8)] + [
        ("app/routers/second.py", 7, "API202")
    ]
    assert codes(run("check", "--select", "API202", cwd=root).stdout) == expected
    assert codes(run("check", "--select", "API202", "--no-cache", cwd=root).stdout) == expected


def test_cache_keyed_on_configuration(project: Path) -> None:
    assert run("check", cwd=project).returncode == 1
    assert run("check", "--ignore", "API102", cwd=project).returncode == 0
    assert run("check", cwd=project).returncode == 1


def test_version(tmp_path: Path) -> None:
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("fastapi-lint ")

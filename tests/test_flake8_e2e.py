"""The flake8 door, end to end: the real ``flake8`` in a subprocess.

Each run happens in a temporary directory with its own ``setup.cfg`` so the
repository's flake8 configuration (which excludes ``fixtures``) does not
interfere. The fixture folder is checked in one run (and once more with
``--jobs 2``), never one run per file, to keep the test fast.
"""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.fixture_support import FIXTURES, expected_findings, fixture_config, relative

# path:line:col: CODE message
OUTPUT_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ")
NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z0-9]+(?:[,\s]+[A-Z0-9]+)*))?", re.IGNORECASE)


def run_flake8(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


def parse_findings(output: str) -> set[tuple[str, int, str]]:
    found = set()
    for raw in output.splitlines():
        match = OUTPUT_LINE.match(raw)
        if match:
            found.add((match.group("path"), int(match.group("line")), match.group("code")))
    return found


def _silenced_by_noqa(line: str, code: str) -> bool:
    match = NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    if not codes:
        return True  # a bare noqa comment silences everything on the line
    return any(code.startswith(c) for c in re.split(r"[,\s]+", codes.strip()) if c)


def compared_fixtures() -> list[Path]:
    """Fixtures whose expectations hold with flake8's default options."""
    return sorted(
        p
        for p in FIXTURES.rglob("*.py")
        if "__pycache__" not in p.parts
        and "projects" not in p.relative_to(FIXTURES).parts
        and not fixture_config(p)
    )


def expected_through_flake8(path: Path) -> set[tuple[int, str]]:
    """The fixture's expectations, minus what flake8's own ``# noqa`` handling removes."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {
        (line, code)
        for line, code in expected_findings(path)
        if not _silenced_by_noqa(lines[line - 1], code)
    }


@pytest.fixture(scope="module")
def isolated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("flake8_cwd")
    (directory / "setup.cfg").write_text("[flake8]\n", encoding="utf-8")
    return directory


@cache
def _folder_run(cwd: str, jobs: str) -> tuple[int, str, str]:
    result = run_flake8(
        "--select",
        "API",
        # Fixtures expect the opt-in codes too.
        "--extend-select",
        "API108",
        "--jobs",
        jobs,
        "--extend-exclude",
        "projects,__pycache__",
        str(FIXTURES),
        cwd=Path(cwd),
    )
    return result.returncode, result.stdout, result.stderr


def _by_file(output: str) -> dict[str, set[tuple[int, str]]]:
    grouped: dict[str, set[tuple[int, str]]] = {}
    for path, line, code in parse_findings(output):
        grouped.setdefault(relative(Path(path)), set()).add((line, code))
    return grouped


def test_fixture_folder_matches_expectations(isolated_dir: Path) -> None:
    returncode, stdout, stderr = _folder_run(str(isolated_dir), "1")
    assert returncode in (0, 1), stderr
    assert "Traceback" not in stderr, stderr
    found = _by_file(stdout)
    problems = []
    for path in compared_fixtures():
        name = relative(path)
        expected = expected_through_flake8(path)
        actual = found.get(name, set())
        if expected != actual:
            problems.append(
                f"{name}\n  missing: {sorted(expected - actual)}"
                f"\n  unexpected: {sorted(actual - expected)}"
            )
    assert not problems, "\n".join(problems)


def test_parallel_run_matches_serial(isolated_dir: Path) -> None:
    serial = _folder_run(str(isolated_dir), "1")
    parallel = _folder_run(str(isolated_dir), "2")
    assert parallel[0] == serial[0], parallel[2]
    assert "Traceback" not in parallel[2], parallel[2]
    assert parse_findings(parallel[1]) == parse_findings(serial[1])
    assert parse_findings(serial[1]), "the fixture folder must produce findings"


ROUTE_SOURCE = """\
import time

import requests
from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, int]:
    requests.get("https://api.example.com"){noqa}
    time.sleep(1)
    return {"item_id": item_id}
"""


def test_stdin_with_display_name(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[flake8]\n", encoding="utf-8")
    result = run_flake8(
        "--select",
        "API",
        "--stdin-display-name",
        "app/routes.py",
        "-",
        cwd=tmp_path,
        stdin=ROUTE_SOURCE.replace("{noqa}", ""),
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert parse_findings(result.stdout) == {
        ("app/routes.py", 11, "API101"),
        ("app/routes.py", 12, "API102"),
    }
    assert "GET /items/{item_id}" in result.stdout
    assert "httpx.AsyncClient" in result.stdout
    assert "trio" not in result.stdout


def _project(tmp_path: Path, source: str, config: str = "") -> Path:
    (tmp_path / "setup.cfg").write_text("[flake8]\n" + config, encoding="utf-8")
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("", encoding="utf-8")
    (app / "routes.py").write_text(source, encoding="utf-8")
    return app / "routes.py"


def test_noqa_silences_one_code(tmp_path: Path) -> None:
    _project(tmp_path, ROUTE_SOURCE.replace("{noqa}", "  # noqa: API101"))
    result = run_flake8("--select", "API", "app", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert parse_findings(result.stdout) == {("app/routes.py", 12, "API102")}


def test_file_level_fastapi_lint_noqa(tmp_path: Path) -> None:
    # fastapi-lint's own file-level directive is not flake8's: the plugin applies it, so
    # the file is as quiet under flake8 as under the CLI (unless --disable-noqa).
    source = ROUTE_SOURCE.replace("{noqa}", "")
    routes = _project(tmp_path, "# fastapi-lint: noqa: API101\n" + source)
    result = run_flake8("--select", "API", "app", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert parse_findings(result.stdout) == {("app/routes.py", 13, "API102")}
    result = run_flake8("--select", "API", "--disable-noqa", "app", cwd=tmp_path)
    assert parse_findings(result.stdout) == {
        ("app/routes.py", 12, "API101"),
        ("app/routes.py", 13, "API102"),
    }
    routes.write_text("# fastapi-lint: noqa\n" + source, encoding="utf-8")
    result = run_flake8("--select", "API", "app", cwd=tmp_path)
    assert parse_findings(result.stdout) == set()


def test_extend_ignore_in_setup_cfg(tmp_path: Path) -> None:
    _project(tmp_path, ROUTE_SOURCE.replace("{noqa}", ""), "extend-ignore = API101\n")
    result = run_flake8("app", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    codes = {code for _, _, code in parse_findings(result.stdout)}
    assert "API101" not in codes
    assert "API102" in codes


EXTRA_SOURCE = """\
import mylib
from fastapi import FastAPI
from mylib import fetch_user

app = FastAPI()


@app.get("/users/{user_id}")
async def get_user(user_id: int) -> dict[str, int]:
    mylib.fetch_profile(user_id)
    fetch_user(user_id)
    mylib.store(user_id)
    return {"user_id": user_id}
"""


def test_extra_blocking_calls_option(tmp_path: Path) -> None:
    _project(tmp_path, EXTRA_SOURCE)
    without = run_flake8("--select", "API", "app", cwd=tmp_path)
    assert "Traceback" not in without.stderr, without.stderr
    assert parse_findings(without.stdout) == set()
    with_option = run_flake8(
        "--select", "API", "--fastapi-extra-blocking-calls", "mylib.fetch*", "app", cwd=tmp_path
    )
    assert "Traceback" not in with_option.stderr, with_option.stderr
    assert parse_findings(with_option.stdout) == {
        ("app/routes.py", 10, "API105"),
        ("app/routes.py", 11, "API105"),
    }


def test_extra_blocking_calls_from_setup_cfg(tmp_path: Path) -> None:
    _project(
        tmp_path, EXTRA_SOURCE, "fastapi-extra-blocking-calls = mylib.fetch_user, mylib.store\n"
    )
    result = run_flake8("--select", "API", "app", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert parse_findings(result.stdout) == {
        ("app/routes.py", 11, "API105"),
        ("app/routes.py", 12, "API105"),
    }


def test_documentation_trees_without_a_project_marker(tmp_path: Path) -> None:
    # A project known only by its `requirements.txt` (no pyproject.toml, no .git): flake8
    # run at its top skips `docs_src/` and `examples/` as the CLI's walk does.
    (tmp_path / "requirements.txt").write_text("fastapi\n")
    source = "import time\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
    source += '@app.get("/")\nasync def index() -> None:\n    time.sleep(1)\n'
    for folder in ("app", "docs_src/tutorial", "examples"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "main.py").write_text(source)
    result = run_flake8("--isolated", "--select", "API", ".", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert parse_findings(result.stdout) == {("./app/main.py", 10, "API102")}


def test_documentation_trees_below_an_absolute_path_without_any_marker(tmp_path: Path) -> None:
    # No marker at all and `examples/` without `__init__.py`: its files have no project
    # root above them. `flake8 /abs/media` still skips the tree, as the CLI's walk from
    # that folder does; named itself, the tree is checked.
    project = tmp_path / "media"
    source = "import time\n\n\nasync def resize() -> None:\n    time.sleep(1)\n"
    (project / "media").mkdir(parents=True)
    (project / "media" / "__init__.py").write_text("")
    (project / "media" / "jobs.py").write_text(source)
    (project / "examples").mkdir()
    (project / "examples" / "demo.py").write_text(source)
    whole = run_flake8("--isolated", "--select", "API", str(project), cwd=tmp_path)
    assert "Traceback" not in whole.stderr, whole.stderr
    assert parse_findings(whole.stdout) == {(str(project / "media" / "jobs.py"), 5, "API102")}
    named = run_flake8("--isolated", "--select", "API", str(project / "examples"), cwd=tmp_path)
    assert parse_findings(named.stdout) == {(str(project / "examples" / "demo.py"), 5, "API102")}


def test_documentation_tree_named_on_the_command_line(tmp_path: Path) -> None:
    # `flake8 docs_src/` checks the tree it is given, as `fastapi-lint check docs_src/`
    # does; a walk from the top still skips it, and so does a tree nested below the
    # named path.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')
    source = "import time\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
    source += '@app.get("/")\nasync def index() -> None:\n    time.sleep(1)\n'
    for folder in ("app", "docs_src/tutorial", "docs_src/tutorial/examples"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "main.py").write_text(source)
    named = run_flake8("--isolated", "--select", "API", "docs_src", cwd=tmp_path)
    assert "Traceback" not in named.stderr, named.stderr
    assert parse_findings(named.stdout) == {("docs_src/tutorial/main.py", 10, "API102")}
    one_file = run_flake8(
        "--isolated", "--select", "API", "docs_src/tutorial/main.py", cwd=tmp_path
    )
    assert parse_findings(one_file.stdout) == {("docs_src/tutorial/main.py", 10, "API102")}
    inside = run_flake8("--isolated", "--select", "API", cwd=tmp_path / "docs_src")
    assert parse_findings(inside.stdout) == {("./tutorial/main.py", 10, "API102")}
    top = run_flake8("--isolated", "--select", "API", ".", cwd=tmp_path)
    assert parse_findings(top.stdout) == {("./app/main.py", 10, "API102")}


def test_undecodable_file_is_silent_as_in_the_cli(tmp_path: Path) -> None:
    # flake8 falls back to latin-1 for a file that is not UTF-8 and has no cookie; the
    # CLI refuses it with one E902 line. The plugin stays silent on it, so both doors
    # give the same API findings; a file with a correct cookie is checked as usual.
    body = "import time\n\n\nasync def wait() -> None:\n    # caf\xe9\n    time.sleep(1)\n"
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "t"\n', encoding="utf-8")
    (tmp_path / "legacy.py").write_bytes(body.encode("latin-1"))
    (tmp_path / "declared.py").write_bytes(("# -*- coding: latin-1 -*-\n" + body).encode("latin-1"))
    result = run_flake8("--select", "API", "legacy.py", "declared.py", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert parse_findings(result.stdout) == {("declared.py", 7, "API102")}

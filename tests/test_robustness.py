"""Any input gives findings or one clear per-file error, never a crash (issue 10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fastapi_lint.engine import CheckError, check_source
from tests.fixture_support import REPO

BLOCKING_ROUTE = "import time\nasync def f():\n    time.sleep(1)\n"


def _check(source: str | bytes, name: str = "app/module.py") -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in check_source(source, name)]


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("def f(:\n", "syntax error"),
        ("x = 1\x00\n", "null bytes"),
        (b"x = '\xe9'\n", "decode"),
        (b"# -*- coding: nonexistent-codec -*-\nx = 1\n", "decode"),
        (b"\xef\xbb\xbf# -*- coding: latin-1 -*-\nx = 1\n", "UTF-8 BOM and a coding cookie"),
        ("x = 1\n".encode("utf-16"), "UTF-16"),
        ("x = " + "+".join(["1"] * 5000) + "\n", ""),
        ("x = " + "[" * 5000 + "]" * 5000 + "\n", ""),
        ("x = " + "f(" * 1000 + ")" * 1000 + "\n", ""),
        ("if True:\n\tx = 1\n        y = 2\n", ""),
    ],
    ids=[
        "syntax",
        "null-bytes",
        "non-utf8",
        "unknown-codec",
        "bom-and-cookie",
        "utf-16",
        "chained-plus",
        "nested-lists",
        "nested-calls",
        "mixed-tabs",
    ],
)
def test_bad_input_gives_one_line_error_or_findings(source: str | bytes, fragment: str) -> None:
    try:
        _check(source)
    except CheckError as error:
        message = str(error)
        assert "\n" not in message
        assert fragment in message
    # Any other exception (RecursionError included) fails the test.


def test_coding_cookie_bom_crlf_and_mixed_line_endings() -> None:
    latin1 = b"# -*- coding: latin-1 -*-\nimport time\nasync def f():\n    x = '\xe9'\n    time.sleep(1)\n"
    assert _check(latin1) == [(5, "API102")]
    assert _check(b"\xef\xbb\xbf" + BLOCKING_ROUTE.encode()) == [(3, "API102")]
    assert _check(BLOCKING_ROUTE.replace("\n", "\r\n")) == [(3, "API102")]
    assert _check("import time\r\nasync def f():\n    time.sleep(1)\r\n") == [(3, "API102")]


def test_tabs() -> None:
    assert _check("import time\nasync def f():\n\ttime.sleep(1)\n") == [(3, "API102")]


def test_fifty_thousand_lines() -> None:
    body = "".join(f"async def f{i}():\n    time.sleep(1)\n" for i in range(25_000))
    findings = _check("import time\n" + body)
    assert len(findings) == 25_000


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 syntax needs Python 3.12")
def test_python_312_syntax_parses() -> None:
    source = textwrap.dedent(
        """
        import time
        type Pair[T] = tuple[T, T]
        class Box[T]:
            async def get(self) -> T:
                time.sleep(1)
                return f"{f'{1}'}"
        """
    )
    assert _check(source) == [(6, "API102")]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="older Pythons cannot parse PEP 695")
def test_python_312_syntax_is_unparsable_before_312() -> None:
    with pytest.raises(CheckError):
        _check("type Pair[T] = tuple[T, T]\n")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fastapi_lint.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.skipif(os.name != "posix", reason="symlinks and permissions")
def test_cli_survives_odd_files(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'odd'\n")
    (tmp_path / "good.py").write_text(BLOCKING_ROUTE)
    (tmp_path / "bad_syntax.py").write_text("def f(:\n")
    (tmp_path / "nulls.py").write_bytes(b"x = 1\x00\n")
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9'\n")
    (tmp_path / "dir.py").mkdir()
    (tmp_path / "broken.py").symlink_to(tmp_path / "missing.py")
    (tmp_path / "loop_a.py").symlink_to(tmp_path / "loop_b.py")
    (tmp_path / "loop_b.py").symlink_to(tmp_path / "loop_a.py")
    unreadable = tmp_path / "unreadable.py"
    unreadable.write_text(BLOCKING_ROUTE)
    unreadable.chmod(0)
    result = _cli("check", "--no-cache", ".", cwd=tmp_path)
    unreadable.chmod(0o644)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    assert "good.py:3:5: API102" in result.stdout
    for name in ("bad_syntax.py", "nulls.py", "latin.py"):
        lines = [line for line in result.stderr.splitlines() if name in line]
        assert len(lines) == 1, (name, result.stderr)


def test_form_feeds_and_unicode_separators_keep_lines_aligned(tmp_path: Path) -> None:
    # A form feed between sections (old Emacs style) and a U+2028 in a string are line
    # breaks for str.splitlines, not for ast: the def-name column of API201 and the
    # source line `full` prints must come from the line ast numbers.
    source = (
        "from fastapi import FastAPI\n\x0c\napp = FastAPI()\nNOTE = 'a\u2028b'\n\n\n"
        '@app.get("/a")\nasync def read_a():\n    return {"a": 1}\n'
    )
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'ff'\n")
    (tmp_path / "routes.py").write_text(source, encoding="utf-8")
    result = _cli("check", "--no-cache", "-q", "routes.py", cwd=tmp_path)
    assert "routes.py:8:11: API201" in result.stdout, result.stdout + result.stderr
    result = _cli("check", "--no-cache", "--output-format", "full", "routes.py", cwd=tmp_path)
    assert "8 | async def read_a():" in result.stdout, result.stdout


def test_findings_without_libcst(tmp_path: Path) -> None:
    """libcst (a dependency) places the imports a fix adds; an environment without it
    loses those fixes, never the file's findings (no E902)."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'nocst'\n")
    (tmp_path / "main.py").write_text(
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.on_event("startup")\nasync def boot() -> None:\n    return None\n'
    )
    blocked = (
        "import sys; sys.modules['libcst'] = None; from fastapi_lint.cli import main; "
        "sys.exit(main(['check', '--no-cache', '--output-format', 'json-lines', '.']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", blocked], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert "E902" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert '"code": "API206"' in result.stdout, result.stdout + result.stderr


def test_nothing_is_executed(tmp_path: Path) -> None:
    """Linting a project never imports its modules: no marker file, no exit, no socket."""
    marker = tmp_path / "MARKER"
    project = tmp_path / "proj"
    (project / "app").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'proj'\n")
    payload = textwrap.dedent(
        f"""
        import pathlib, socket, sys
        pathlib.Path({str(marker)!r}).write_text("imported")
        socket.create_connection(("127.0.0.1", 9))
        sys.exit(3)
        """
    )
    (project / "app" / "__init__.py").write_text(payload)
    (project / "app" / "services.py").write_text(
        payload + "\nimport requests\ndef fetch():\n    return requests.get('x')\n"
    )
    (project / "app" / "main.py").write_text(
        "from fastapi import FastAPI\nfrom app.services import fetch\n"
        "app = FastAPI()\n\n@app.get('/')\nasync def root() -> dict:\n    return fetch()\n"
    )
    (project / "conftest.py").write_text(payload)
    (project / "setup.py").write_text(payload)
    result = _cli("check", "--no-cache", ".", cwd=project)
    assert "Traceback" not in result.stderr, result.stderr
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "API", "."],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in flake8.stderr, flake8.stderr
    assert not marker.exists()
    assert "API107" in result.stdout and "API107" in flake8.stdout


def _interpreters() -> list[str]:
    root = Path.home() / ".pyenv" / "versions"
    found = []
    for minor in ("3.9", "3.10", "3.11", "3.12", "3.13"):
        candidates = sorted(root.glob(f"{minor}.*/bin/python"))
        if candidates:
            found.append(str(candidates[-1]))
    return found


_DUMP = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    sys.setrecursionlimit(10000)
    from fastapi_lint.engine import check_source, CheckError
    from fastapi_lint.source import read_source
    out = {}
    for path in sorted(Path("fixtures").rglob("*.py")):
        if "projects" in path.parts:
            continue
        try:
            out[path.as_posix()] = [[d.line, d.col, d.code, d.message] for d in check_source(read_source(path), str(path))]
        except CheckError as error:
            out[path.as_posix()] = str(error)
    print(json.dumps(out, sort_keys=True))
    """
)


def test_same_findings_on_every_python_version() -> None:
    """Byte-identical findings on 3.9-3.13 (those installed): only the stdlib is needed to check."""
    interpreters = [i for i in _interpreters() if not i.startswith(sys.base_prefix)]
    if not interpreters:
        pytest.skip("no other Python interpreters installed")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    reference = subprocess.run(
        [sys.executable, "-c", _DUMP],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert reference.returncode == 0, reference.stderr
    expected = json.loads(reference.stdout)
    for interpreter in interpreters:
        result = subprocess.run(
            [interpreter, "-c", _DUMP],
            cwd=REPO,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert result.returncode == 0, (interpreter, result.stderr[-2000:])
        assert json.loads(result.stdout) == expected, interpreter

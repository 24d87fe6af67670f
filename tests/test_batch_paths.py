"""Per-file and per-run shortcuts of the batch doors (issue 20) that must answer
exactly as the long way did."""

from __future__ import annotations

import gc
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from fastapi_lint.config import file_settings
from fastapi_lint.flake8_plugin import in_excluded_tree
from fastapi_lint.project import facts


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_folder_without_pyproject_has_the_settings_of_the_nearest_one_with_the_table(
    tmp_path: Path,
) -> None:
    _write(tmp_path / "pyproject.toml", "[tool.fastapi-lint]\nextend-include = ['docs/']\n")
    # A pyproject.toml without the table between them does not stop the search.
    _write(tmp_path / "svc" / "pyproject.toml", "[project]\nname = 'svc'\n")
    deep = tmp_path / "svc" / "app" / "routers"
    deep.mkdir(parents=True)
    for folder in (deep, deep.parent, tmp_path / "svc", tmp_path):
        settings = file_settings(folder)
        assert settings.root == str(tmp_path.resolve())
        assert settings.extend_include == ("docs/",)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-none" / "a"
    elsewhere.mkdir(parents=True)
    assert file_settings(elsewhere).extend_include == ()


def test_excluded_trees_are_decided_per_folder_as_per_file(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    inside = _write(tmp_path / "docs_src" / "tutorial" / "main.py", "x = 1\n")
    outside = _write(tmp_path / "app" / "main.py", "x = 1\n")
    top = _write(tmp_path / "main.py", "x = 1\n")
    assert in_excluded_tree(str(inside), None, ())
    assert not in_excluded_tree(str(inside), None, ("docs_src/",))
    assert not in_excluded_tree(str(outside), None, ())
    assert not in_excluded_tree(str(top), None, ())
    # A link to a file in an excluded tree is decided where the file is.
    link = tmp_path / "app" / "linked.py"
    link.symlink_to(inside)
    assert in_excluded_tree(str(link), None, ())


def test_only_a_pool_worker_writes_its_facts_before_it_is_told_to() -> None:
    assert not facts.exits_unflushed()
    with ProcessPoolExecutor(max_workers=1) as pool:
        assert pool.submit(facts.exits_unflushed).result()


def test_check_runs_without_the_automatic_cyclic_collector(tmp_path: Path) -> None:
    _write(tmp_path / "app.py", "import time\n\nasync def f():\n    time.sleep(1)\n")
    code = (
        "import gc, sys\n"
        "from fastapi_lint import linter\n"
        "seen = []\n"
        "original = linter.check_files\n"
        "def spy(*args, **kwargs):\n"
        "    seen.append(gc.isenabled())\n"
        "    return original(*args, **kwargs)\n"
        "linter.check_files = spy\n"
        "import fastapi_lint.cli as cli\n"
        "cli.check_files = spy\n"
        "cli.main(['check', '--no-cache', '-q', '--exit-zero', sys.argv[1]])\n"
        "print(seen)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[False]"
    assert gc.isenabled()  # this process (the language server's case) keeps it

"""Speed work (issue 20) that must not change what is reported."""

from __future__ import annotations

import io
import sys
import tokenize
from pathlib import Path

import pytest

from fastapi_lint import noqa as noqa_module
from fastapi_lint.noqa import NoqaMap, has_noqa, line_ranges, noqa_rows

SOURCE = (
    "import os\n"
    'x = f(\n    """\n    text\n    """,\n)\n'
    "y = 1 + \\\n    2\n"
    "z = '''a\nb'''\n"
    "w = 3\n"
)


def test_noqa_map_without_the_word_never_tokenizes(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("tokenized a file without noqa")

    monkeypatch.setattr(noqa_module.tokenize, "generate_tokens", fail)
    noqa = NoqaMap(SOURCE)
    assert not has_noqa(SOURCE)
    assert not noqa.is_silenced(3, "API101")
    assert not noqa.file_level


def test_noqa_word_test_ignores_case() -> None:
    assert has_noqa("x = 1  # NoQA\n")
    assert NoqaMap("x = 1  # NOQA\n").is_silenced(1, "API101")


@pytest.mark.parametrize("until", range(1, 14))
def test_partial_noqa_rows_agree_with_the_whole_file(until: int) -> None:
    whole = noqa_rows(SOURCE)
    partial = noqa_rows(SOURCE, until=until)
    assert {k: v for k, v in partial.items() if k <= until} == {
        k: v for k, v in whole.items() if k <= until
    }


def test_line_ranges_untokenizable_file_is_empty() -> None:
    assert line_ranges("x = (\n") == {}
    assert tokenize.NL  # the module is the real one after the monkeypatch test


def test_noqa_map_rows_reuse_its_ranges() -> None:
    source = SOURCE + "v = 1  # noqa\n"
    noqa = NoqaMap(source)
    assert noqa.is_silenced(12, "API101")  # tokenizes the whole file
    assert noqa.rows(until=3) == noqa_rows(source)
    assert NoqaMap(source).rows() == noqa_rows(source)


# ---------------------------------------------------------------- incremental results
SERVICES = (
    'import time\n\n\ndef fetch_profile(user_id: int) -> str:\n    time.sleep(1)\n    return "x"\n'
)
MAIN = (
    "from fastapi import FastAPI\n\nfrom app.services import fetch_profile\n\n"
    'app = FastAPI()\n\n\n@app.get("/")\nasync def index() -> str:\n'
    "    return fetch_profile(1)\n"
)


def _run_check(
    root: Path, monkeypatch: pytest.MonkeyPatch, cache: bool = True
) -> tuple[str, list[str]]:
    """One in-process CLI run: (json-lines output, the files checked, not from the cache)."""
    from fastapi_lint import cli, linter
    from fastapi_lint.project.process_indexes import forget_indexes

    forget_indexes()  # a new process would start without an index
    checked: list[str] = []
    real = linter.check_path

    def counting(job: linter.Job, path: str, data: bytes | None = None) -> linter.Outcome:
        checked.append(Path(path).name)
        return real(job, path, data)

    monkeypatch.setattr(linter, "check_path", counting)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    args = ["check", "--jobs", "1", "--output-format", "json-lines", str(root)]
    cli.main(args if cache else [*args, "--no-cache"])
    monkeypatch.undo()
    forget_indexes()
    return out.getvalue(), sorted(checked)


def test_same_findings_cold_warm_and_incremental(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "t"\n')
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text(SERVICES)
    (package / "main.py").write_text(MAIN)
    (package / "other.py").write_text("X = 1\n")

    cold, checked = _run_check(tmp_path, monkeypatch)
    assert "API107" in cold and len(checked) == 4
    warm, checked = _run_check(tmp_path, monkeypatch)
    assert warm == cold and checked == []

    # A module nobody reads: only it is checked again.
    (package / "other.py").write_text("X = 2  # a one-line edit\n")
    incremental, checked = _run_check(tmp_path, monkeypatch)
    assert incremental == cold and checked == ["other.py"]

    # The callee no longer blocks: the route's file, which read it, is checked again.
    (package / "services.py").write_text(SERVICES.replace("time.sleep(1)", "pass"))
    incremental, checked = _run_check(tmp_path, monkeypatch)
    assert checked == ["main.py", "services.py"]
    fresh, _ = _run_check(tmp_path, monkeypatch, cache=False)
    assert incremental == fresh and "API107" not in fresh

    # Adding a module changes the project's layout: everything is checked again.
    (package / "new.py").write_text("Y = 1\n")
    again, checked = _run_check(tmp_path, monkeypatch)
    assert again == fresh and len(checked) == 5


def test_folder_listings_ignore_caches_and_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check that listed a folder (the Pydantic version decision reads the root's
    declaration files) stays cached when the run itself creates the cache folder there,
    or pytest its `__pycache__`, or an editor a swap file; a new declaration file is a
    change of the listing and checks the project's readers again."""
    from fastapi_lint.cache import CACHE_DIR_NAME

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "t"\n')
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(
        "from pydantic import BaseModel, field_validator\n\n\n"
        "class Item(BaseModel):\n    name: str\n\n    class Config:\n"
        "        orm_mode = True\n"
    )
    cold, checked = _run_check(tmp_path, monkeypatch)
    assert "API601" in cold and checked == ["__init__.py", "models.py"]
    assert (tmp_path / CACHE_DIR_NAME).is_dir()  # made by the run, after the checks
    warm, checked = _run_check(tmp_path, monkeypatch)
    assert warm == cold and checked == []

    for folder in (tmp_path, package):
        (folder / "__pycache__").mkdir()
        (folder / ".models.py.swp").write_text("")
    warm, checked = _run_check(tmp_path, monkeypatch)
    assert warm == cold and checked == []

    (tmp_path / "requirements.txt").write_text("pydantic<2\n")  # pinned to v1 after all
    pinned, checked = _run_check(tmp_path, monkeypatch)
    assert "models.py" in checked and "API601" not in pinned

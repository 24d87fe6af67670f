"""What an evicted module's summary answers since session 8: the names a star import
takes, the `call` fact of a `-> None` def without a returned value, and the eviction
order that counts questions over the whole run."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_lint.project import index, process_indexes, reads
from fastapi_lint.project.star_imports import star_names
from fastapi_lint.semantic.values import Instance
from tests.test_index_memory import tiny_model_cache as tiny_model_cache


def _project(tmp_path: Path, files: dict[str, str]) -> index.ProjectIndex:
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    for name, text in files.items():
        (app / name).write_text(text)
    return process_indexes.index_for(str(app / "__init__.py"))


def _count_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    builds: list[str] = []
    original = index.ProjectIndex._build

    def counted(self, path, module_name):  # type: ignore[no-untyped-def]
        builds.append(module_name)
        return original(self, path, module_name)

    monkeypatch.setattr(index.ProjectIndex, "_build", counted)
    return builds


def test_star_names_of_an_evicted_module_come_from_its_summary(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tiny_model_cache,  # type: ignore[no-untyped-def]
) -> None:
    project = _project(
        tmp_path,
        {
            "base.py": '__all__ = ["A"]\nA = 1\nB = 2\n',
            "names.py": 'from app.base import *\n\nC = 3\n_D = 4\n\n\ndef done():\n    print("x")\n',
            "other.py": "VALUE = 1\n",
        },
    )
    builds = _count_builds(monkeypatch)
    expected = star_names(project, "app.names")
    assert expected == frozenset({"A", "C", "done"})
    assert project.model("app.other") is not None  # evicts app.names and app.base
    del builds[:]
    reads.record_reads()
    assert star_names(project, "app.names") == expected
    assert star_names(project, "app.base") == frozenset({"A"})
    assert builds == [], "a star import's names rebuilt a module"
    recorded = reads.recorded_reads()
    assert {str(tmp_path / "app" / name) for name in ("names.py", "base.py")} <= {
        str(Path(p)) for p in recorded
    }
    # A module with star imports answers nothing else from its summary: a name
    # it lacks may come from the star.
    assert project.function("app.names.A") is None
    assert builds[-1] == "app.names"


def test_a_none_annotated_def_without_a_returned_value_gives_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tiny_model_cache,  # type: ignore[no-untyped-def]
) -> None:
    project = _project(
        tmp_path,
        {
            "tools.py": (
                "from app.other import Client\n\n\n"
                "def done() -> None:\n"
                '    print("x")\n\n\n'
                "def made() -> None:\n"
                "    return Client()\n"
            ),
            "other.py": "class Client:\n    pass\n",
        },
    )
    builds = _count_builds(monkeypatch)
    assert project.model("app.tools") is not None
    assert project.model("app.other") is not None  # evicts app.tools
    assert project.call_result("app.tools.done") is None
    assert builds == ["app.tools", "app.other"], "a `-> None` def rebuilt its module"
    # `-> None` names no class: the returned value decides, as in the model.
    assert project.call_result("app.tools.made") is not None
    assert "app.tools" in builds[2:]


def test_a_builtin_return_annotation_comes_from_the_summary(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tiny_model_cache,  # type: ignore[no-untyped-def]
) -> None:
    project = _project(
        tmp_path,
        {
            "tools.py": (
                "from app.other import Client\n\n"
                "bytes = Client\n\n\n"
                "def name() -> str:\n"
                '    return "x"\n\n\n'
                "class Box:\n"
                "    def size(self) -> int:\n"
                "        return 1\n\n"
                "    def anything(self) -> object:\n"
                "        return Client()\n\n\n"
                "def raw() -> bytes:\n"
                "    return Client()\n"
            ),
            "other.py": "class Client:\n    pass\n",
        },
    )
    builds = _count_builds(monkeypatch)
    assert project.model("app.tools") is not None
    assert project.model("app.other") is not None  # evicts app.tools
    assert project.call_result("app.tools.name") == Instance("builtins.str")
    assert project.call_result("app.tools.Box.size") == Instance("builtins.int")
    assert builds == ["app.tools", "app.other"], "a `-> str` def rebuilt its module"
    # `-> object` says nothing (the returns decide); `bytes` is rebound in the module.
    assert project.call_result("app.tools.Box.anything") == Instance("app.other.Client")
    assert builds.count("app.tools") == 2
    assert project.model("app.other") is not None  # evicts app.tools again
    assert project.call_result("app.tools.raw") == Instance("app.other.Client")
    assert builds.count("app.tools") == 3


def test_a_rebuilt_module_keeps_the_questions_asked_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "MAX_CACHED_MODELS", 4)
    monkeypatch.setenv("FASTAPI_LINT_NO_CACHE", "1")
    process_indexes.forget_indexes()
    try:
        project = _project(tmp_path, {f"{name}.py": "X = 1\n" for name in "abcde"})
        for _ in range(5):
            project.model("app.a")
        project._drop((project.source_root, "app.a"))
        project.model("app.a")  # rebuilt: its sixth question
        for name in "bcd":
            project.model(f"app.{name}")
        project.model("app.e")  # one too many: b goes, not the hub rebuilt just before
        cached = [name for _, name in project._models]
        assert cached == ["app.a", "app.c", "app.d", "app.e"]
    finally:
        process_indexes.forget_indexes()


def test_names_a_module_with_star_imports_binds_itself_come_from_its_summary(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tiny_model_cache,  # type: ignore[no-untyped-def]
) -> None:
    # The model looks a module's own bindings up before its star imports' names, so
    # the summary answers for them as the model would (litellm's `auth_utils`, with
    # `from ..._types import *`, was rebuilt for each of its defs asked about).
    project = _project(
        tmp_path,
        {
            "base.py": "A = 1\n\n\ndef shared():\n    return 1\n",
            "names.py": (
                "from app.base import *\nfrom app.base import shared as renamed\n\n\n"
                "def done():\n    return 2\n\n\nclass Thing:\n    pass\n"
            ),
            "other.py": "VALUE = 1\n",
        },
    )
    expected = {
        name: project.resolve(f"app.names.{name}")
        for name in ("done", "Thing", "renamed", "shared", "missing")
    }
    assert project.model("app.other") is not None  # evicts app.names and app.base
    builds = _count_builds(monkeypatch)
    project._fact_memo.clear()
    for name in ("done", "Thing", "renamed"):
        assert project.resolve(f"app.names.{name}") == expected[name]
    assert builds == [], "a def of a module with star imports rebuilt it"
    # A name it does not bind itself may come from the star: the model answers.
    assert project.resolve("app.names.shared") == expected["shared"]
    assert project.resolve("app.names.missing") == expected["missing"]
    assert "app.names" in builds

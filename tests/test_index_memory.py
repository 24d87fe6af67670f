"""The project index frees the models it evicts, and findings do not depend on its cache size."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.project import index, model_cache, process_indexes, reads
from fastapi_lint.semantic.model import ModuleModel
from fastapi_lint.semantic.values import Instance, Ref
from fastapi_lint.source import read_source
from tests.fixture_support import FIXTURES, expected_findings, fixture_options, relative

PROJECT_FILES = sorted(
    p for p in (FIXTURES / "projects").rglob("*.py") if "__pycache__" not in p.parts
)


@pytest.fixture
def tiny_model_cache(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """One cached model at a time and no fact cache: every question evicts and rebuilds."""
    monkeypatch.setattr(index, "MAX_CACHED_MODELS", 1)
    monkeypatch.setattr(index, "MAX_CACHED_LINES", 1)
    monkeypatch.setenv("FASTAPI_LINT_NO_CACHE", "1")
    released: list[ModuleModel] = []
    original = ModuleModel.release

    def release(model: ModuleModel) -> None:
        released.append(model)
        original(model)

    monkeypatch.setattr(ModuleModel, "release", release)
    process_indexes.forget_indexes()
    yield released
    process_indexes.forget_indexes()


@pytest.mark.parametrize("path", PROJECT_FILES, ids=[relative(p) for p in PROJECT_FILES])
def test_fixture_projects_with_a_one_model_cache(path: Path, tiny_model_cache) -> None:  # type: ignore[no-untyped-def]
    diagnostics = check_source(read_source(path), str(path), fixture_options(path))
    assert {(d.line, d.code) for d in diagnostics} == expected_findings(path)


def test_evicted_models_are_released(tiny_model_cache) -> None:  # type: ignore[no-untyped-def]
    for path in PROJECT_FILES:
        check_source(read_source(path), str(path), fixture_options(path))
    assert tiny_model_cache, "no model was released"
    assert all(not hasattr(model, "tree") for model in tiny_model_cache)
    live = list(process_indexes._indexes.values())
    for project in live:
        for model in project.models():
            assert hasattr(model, "tree"), "a cached model was released"


def test_checked_model_is_released_without_an_index(monkeypatch: pytest.MonkeyPatch) -> None:
    released: list[ModuleModel] = []
    original = ModuleModel.release

    def release(model: ModuleModel) -> None:
        released.append(model)
        original(model)

    monkeypatch.setattr(ModuleModel, "release", release)
    check_source("import time\n\nasync def f():\n    time.sleep(1)\n", "<stdin>")
    assert len(released) == 1


def test_checked_module_survives_evictions_during_its_check(tiny_model_cache) -> None:  # type: ignore[no-untyped-def]
    import ast

    root = FIXTURES / "projects" / "sync_session_app"
    project = process_indexes.index_for(str(root / "app" / "crud.py"))
    path = root / "app" / "crud.py"
    source = read_source(path)
    checked = ModuleModel(ast.parse(source), str(path), "app.crud", project=project)
    project.register(checked, source)
    for other in ("app.db", "app.models", "app.deps", "app.services"):
        assert project.model(other) is not None  # each evicts the one before
    assert project.model("app.crud") is checked
    assert project.is_project_module("app.crud")
    project.finish_check()
    assert checked in tiny_model_cache, "the evicted checked model was not released"


def test_a_fact_does_not_depend_on_how_deep_it_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fact is computed from its key alone: asked first from a deep chain, it is not cut short.

    On real code (a route whose dependency's dependency returns a model) the
    answer depended on whether a shallow question had been memoized first, so
    --jobs and the check order changed findings.
    """
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(
        "class User:\n    pass\n\n\ndef load() -> User:\n    return User()\n"
    )
    (app / "deps.py").write_text("from app.models import load\n\nCURRENT = load()\n")
    monkeypatch.setenv("FASTAPI_LINT_NO_CACHE", "1")
    answers = []
    for depth in (index.MAX_DEPTH + 5, 0):
        process_indexes.forget_indexes()
        project = process_indexes.index_for(str(app / "deps.py"))
        answers.append(project.resolve("app.deps.CURRENT", depth=depth))
    process_indexes.forget_indexes()
    assert answers[0] == answers[1]
    assert answers[1] is not None


def test_an_edited_file_drops_the_orm_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor saving models.py (a relationship added) must not leave N+1 rules on the old one."""
    from fastapi_lint.project.orm import catalogue_for

    monkeypatch.setenv("FASTAPI_LINT_NO_CACHE", "1")
    process_indexes.forget_indexes()
    root = FIXTURES / "projects" / "nplusone_blog"
    project = process_indexes.index_for(str(root / "app" / "models.py"))
    model = project.model("app.models")
    assert model is not None
    before = catalogue_for(model)
    assert catalogue_for(model) is before
    project.forget(root / "app" / "models.py")
    model = project.model("app.models")
    assert model is not None
    assert catalogue_for(model) is not before
    process_indexes.forget_indexes()


def test_an_evicted_module_answers_from_its_summary(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tiny_model_cache,  # type: ignore[no-untyped-def]
) -> None:
    """Questions about an evicted module that need only its module-level names are
    answered without building it again, and its file is still recorded as read."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(
        "from httpx import AsyncClient as Client\n\n"
        "LIMIT = 3\n\n\n"
        "class User:\n"
        "    name: str\n\n"
        "    def __init__(self) -> None:\n"
        "        self.client = Client()\n\n"
        "    def greet(self) -> str:\n"
        "        return self.name\n\n\n"
        "def load() -> User:\n"
        "    return User()\n\n\n"
        "class Admin(User, Client, object, Unknown):\n"
        "    pass\n\n\n"
        "def log(message):\n"
        "    print(message)\n"
    )
    (app / "other.py").write_text("VALUE = 1\n")
    project = process_indexes.index_for(str(app / "models.py"))
    builds: list[str] = []
    original = index.ProjectIndex._build

    def counted(self, path, module_name):  # type: ignore[no-untyped-def]
        builds.append(module_name)
        return original(self, path, module_name)

    monkeypatch.setattr(index.ProjectIndex, "_build", counted)
    assert project.model("app.models") is not None
    assert project.model("app.other") is not None  # evicts app.models
    assert builds == ["app.models", "app.other"]
    reads.record_reads()
    assert project.resolve("app.models.User") == Ref("app.models.User")
    assert project.resolve("app.models.load") == Ref("app.models.load")
    assert project.resolve("app.models.Client") == Ref("httpx.AsyncClient")
    assert project.resolve("app.models.missing") is None
    assert project.is_class("app.models.User")
    assert not project.is_class("app.models.load")
    assert project.function("app.models.missing") is None
    assert project.attribute_type("app.models.User", "greet") is None
    assert not project.is_annotated_alias("app.models.User")
    assert project.class_bases("app.models.Admin") == [
        "app.models.User",
        "httpx.AsyncClient",
        "builtins.object",
    ]
    assert project.class_bases("app.models.load") == []
    # What a blocking-chain summary needs of a def without calls (or an async one).
    assert model_cache.quiet_function(project, "app.models.User.greet") == (
        "greet",
        "User",
        False,
        False,
    )
    assert model_cache.quiet_function(project, "app.models.load") is None  # calls User()
    assert project.call_result("app.models.log") is None  # returns no value
    assert builds == ["app.models", "app.other"], "a summary question rebuilt the model"
    assert os.path.realpath(app / "models.py") in reads.recorded_reads()
    # A value, an attribute some statement types, a def's body: built again.
    assert project.resolve("app.models.LIMIT") is None
    assert builds[-1] == "app.models"
    assert project.attribute_type("app.models.User", "client") == Instance("httpx.AsyncClient")
    assert project.function("app.models.load") is not None

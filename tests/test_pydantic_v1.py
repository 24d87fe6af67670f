"""API6xx: rule docs, the project-level "on Pydantic v2" decision, and its cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.project.process_indexes import forget_indexes
from fastapi_lint.registry import Rule
from fastapi_lint.rules.pydantic_v1 import FAMILY
from fastapi_lint.rules.pydantic_v1.project_version import _declared, decide
from fastapi_lint.settings import RuleOptions
from fastapi_lint.source import read_source
from tests.fixture_support import FIXTURES


@pytest.mark.parametrize("rule", FAMILY.rules, ids=[r.code for r in FAMILY.rules])
def test_rule_docs(rule: Rule) -> None:
    example = {d.code for d in check_source(rule.example, "<stdin>", RuleOptions())}
    clean = {d.code for d in check_source(rule.use_instead, "<stdin>", RuleOptions())}
    assert example == {rule.code}
    assert clean == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('dependencies = ["pydantic>=2.5"]', (True, False)),
        ('dependencies = ["pydantic[email]>=2.0,<3"]', (True, False)),
        ("pydantic-settings==2.1.0", (True, False)),
        ('pydantic = "^2.6"', (True, False)),
        ('pydantic = "2.5.3"', (True, False)),
        ("Requires-Dist: pydantic (>=2.7.0)", (True, False)),
        ("pydantic<2", (False, True)),
        ("pydantic==1.10.13", (False, True)),
        ("pydantic~=1.10", (False, True)),
        ('pydantic = {version = "^1.10", extras = ["email"]}', (False, True)),
        # Poetry's inline table with the version after other keys.
        ('pydantic = {extras = ["email"], version = "^2.7.0"}', (True, False)),
        ('pydantic = {extras=["dotenv"], version="1.10.2"}', (False, True)),
        ("pydantic>=1.10,<3", (False, False)),  # either: unsure
        ("pydantic", (False, False)),
        # An unpinned pydantic line (egg-info requires.txt) is not pinned by the next line's
        # requirement of another package.
        ("pydantic[dotenv]\nstac_pydantic>=2.0.3\n", (False, False)),
        ('install_requires = [\n    "pydantic",\n    "geojson-pydantic>=2.0",\n]', (False, False)),
        ("pydantic[email]>=2.4\nstac_pydantic>=3\n", (True, False)),
        ("pydantic_core==2.14.5", (False, False)),
        ("pydantic-extra-types>=2", (False, False)),
        ("Validation with pydantic, version 2 of course", (False, False)),
    ],
)
def test_declarations(text: str, expected: tuple[bool, bool]) -> None:
    assert _declared(text) == expected


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


V1_MODEL = "from pydantic import BaseModel\n\n\nclass Item(BaseModel):\n    class Config:\n        orm_mode = True\n"
V2_IMPORT = "from pydantic import BaseModel, field_validator\n"


def test_decision(tmp_path: Path) -> None:
    read: list[str] = []
    unsure = _project(tmp_path / "unsure", {"pyproject.toml": "[project]\n", "app/m.py": V1_MODEL})
    assert not decide(str(unsure), read.append)
    by_import = _project(tmp_path / "imports", {"app/m.py": V1_MODEL, "app/v.py": V2_IMPORT})
    assert decide(str(by_import), read.append)
    assert str(by_import / "app" / "v.py") in read and str(by_import / "app") in read
    pinned_v1 = _project(
        tmp_path / "v1",
        {"requirements.txt": "pydantic<2\n", "app/m.py": V1_MODEL, "app/v.py": V2_IMPORT},
    )
    assert not decide(str(pinned_v1), read.append)
    compat = _project(
        tmp_path / "compat", {"app/m.py": "from pydantic.v1 import BaseModel, validator\n"}
    )
    assert not decide(str(compat), read.append)
    nested = _project(
        tmp_path / "nested",
        {
            "pyproject.toml": "[project]\n",
            "app/m.py": V1_MODEL,
            "sub/pyproject.toml": "",
            "sub/v.py": V2_IMPORT,
        },
    )
    assert not decide(str(nested), read.append)  # another project's imports do not count


def test_cold_and_warm_runs_agree_and_see_a_new_module(tmp_path: Path) -> None:
    project = _project(
        tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n", "app/__init__.py": ""}
    )
    model_path = project / "app" / "models.py"
    model_path.write_text(V1_MODEL, encoding="utf-8")

    def codes() -> list[str]:
        forget_indexes()  # a new process: only the disk cache is shared
        source = read_source(model_path)
        return [d.code for d in check_source(source, str(model_path), RuleOptions())]

    assert codes() == []  # unsure: silent
    assert codes() == []  # warm
    (project / "app" / "validators.py").write_text(V2_IMPORT, encoding="utf-8")
    assert codes() == ["API601"]  # the folder's stamp changed: recomputed
    assert codes() == ["API601"]  # warm, from the cached fact
    (project / "requirements.txt").write_text("pydantic==1.10.13\n", encoding="utf-8")
    assert codes() == []


def test_fixture_projects(tmp_path: Path) -> None:
    """A v1 project stays silent even with v2-looking code around it; a copy behaves the same."""
    copy = tmp_path / "v1"
    shutil.copytree(FIXTURES / "projects" / "pydantic_v1_app", copy)
    for path in sorted(copy.rglob("*.py")):
        assert check_source(read_source(path), str(path), RuleOptions()) == []


_HEAD = "from typing import ClassVar\n\nfrom pydantic import BaseModel, ConfigDict\n\n\nclass Item(BaseModel):\n"


@pytest.mark.parametrize(
    "body",
    [
        "    class Config:\n        fields = {'name': {'alias': 'n'}}\n",  # no v2 equivalent
        "    class Config:\n        @staticmethod\n        def schema_extra(schema):\n            pass\n",
        "    class Config:\n        allow_mutation = FLAG\n",  # inverting needs a literal
        "    model_config = ConfigDict(frozen=True)\n\n    class Config:\n        orm_mode = True\n",
        "    class Config:\n        json_encoders: ClassVar[dict] = {}\n",  # ClassVar's last use
    ],
)
def test_config_fix_not_offered(body: str) -> None:
    from fastapi_lint.fixes import attach_fixes

    source = _HEAD + body
    diagnostics = attach_fixes(source, check_source(source, "<stdin>", RuleOptions()))
    config = [d for d in diagnostics if d.code == "API601"]
    assert config and all(d.fix is None for d in config)


def test_config_fix_keeps_values() -> None:
    from fastapi_lint.fixes import apply_edits, attach_fixes

    source = (
        _HEAD
        + "    x: ClassVar[int] = 1\n\n    class Config:\n        allow_mutation = False\n        extra = 'forbid'\n"
    )
    (diagnostic,) = attach_fixes(source, check_source(source, "<stdin>", RuleOptions()))
    assert diagnostic.fix is not None and not diagnostic.fix.safe
    fixed = apply_edits(source, diagnostic.fix.edits)
    assert (
        "    model_config = ConfigDict(\n        frozen=True,\n        extra='forbid',\n    )\n"
        in fixed
    )

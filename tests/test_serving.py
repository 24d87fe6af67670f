"""Serving code and opt-in codes (the contract's Revision 2)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.project.process_indexes import forget_indexes
from fastapi_lint.registry import all_rules, default_codes, opt_in_codes
from fastapi_lint.settings import RuleOptions, Selection
from tests.fixture_support import FIXTURES

CODES = list(all_rules())


def test_opt_in_codes_need_their_own_code_or_all() -> None:
    assert "API108" in opt_in_codes()
    assert "API108" not in default_codes()
    opt_in = opt_in_codes()
    assert "API108" not in Selection().enabled_codes(CODES, opt_in=opt_in)
    assert "API108" not in Selection(select=("API1",)).enabled_codes(CODES, opt_in=opt_in)
    assert "API108" in Selection(select=("API", "API108")).enabled_codes(CODES, opt_in=opt_in)
    assert "API108" in Selection(select=("ALL",)).enabled_codes(CODES, opt_in=opt_in)
    ignored = Selection(select=("ALL",), ignore=("API108",))
    assert "API108" not in ignored.enabled_codes(CODES, opt_in=opt_in)
    # The other codes of the family are untouched.
    assert "API103" in Selection(select=("API1",)).enabled_codes(CODES, opt_in=opt_in)


def test_check_source_leaves_opt_in_codes_out_by_default() -> None:
    path = FIXTURES / "api108_blocking_minor_syscall.py"
    source = path.read_text(encoding="utf-8")
    default = {d.code for d in check_source(source, str(path), selection=Selection())}
    selected = {
        d.code
        for d in check_source(source, str(path), selection=Selection(select=("API", "API108")))
    }
    assert "API108" not in default and "API103" in default
    assert "API108" in selected


def _findings(project: Path, options: RuleOptions) -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(project.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for d in check_source(source, str(path), options):
            found.append((path.relative_to(project).as_posix(), d.line, d.code))
    return found


def _bound_calls(monkeypatch: pytest.MonkeyPatch, owner: type, name: str, why: str) -> None:
    """Fail once ``owner.name`` is called 20,000 times in a run: searches that revisit
    functions per path, not once each, grow exponentially with the project."""
    calls = 0
    original = getattr(owner, name)

    def counting(self: object, *args: object) -> object:
        nonlocal calls
        calls += 1
        assert calls < 20_000, why
        return original(self, *args)

    monkeypatch.setattr(owner, name, counting)


def test_serving_facts_cold_and_warm_agree(tmp_path: Path) -> None:
    project = tmp_path / "serving_app"
    shutil.copytree(FIXTURES / "projects" / "serving_app", project)
    options = RuleOptions(cache_dir=str(tmp_path / "cache"))
    forget_indexes()
    cold = _findings(project, options)
    forget_indexes()
    warm = _findings(project, options)
    forget_indexes()
    assert cold == warm
    assert ("app/jobs.py", 18, "API101") in cold
    assert not any(path.startswith("scripts/") for path, _, _ in cold)


def test_a_new_serving_caller_invalidates_the_cached_answer(tmp_path: Path) -> None:
    project = tmp_path / "serving_app"
    shutil.copytree(FIXTURES / "projects" / "serving_app", project)
    options = RuleOptions(cache_dir=str(tmp_path / "cache"))
    forget_indexes()
    before = _findings(project, options)
    assert ("app/jobs.py", 12, "API101") not in before
    (project / "app" / "admin.py").write_text(
        "from fastapi import APIRouter\n\nfrom app.jobs import rebuild_search_index\n\n"
        "router = APIRouter()\n\n\n@router.post('/reindex')\nasync def reindex() -> None:\n"
        "    await rebuild_search_index()\n",
        encoding="utf-8",
    )
    forget_indexes()
    after = _findings(project, options)
    forget_indexes()
    assert ("app/jobs.py", 12, "API101") in after


def test_serving_code_only_false_reports_everywhere(tmp_path: Path) -> None:
    project = FIXTURES / "projects" / "serving_app"
    found = _findings(project, RuleOptions(use_cache=False, serving_code_only=False))
    assert ("scripts/seed.py", 9, "API102") in found
    assert ("app/jobs.py", 12, "API101") in found


def test_migration_folders_without_a_project_marker(tmp_path: Path) -> None:
    # No pyproject.toml, setup.cfg or .git: each loose folder is its own root, and its
    # name still says that its modules run once, not per request.
    project = tmp_path / "shop"
    blocking = "import time\n\n\nasync def step() -> None:\n    time.sleep(1)\n"
    for relative in ("migrations/seed.py", "alembic/versions/0001_init.py", "app/jobs.py"):
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(blocking, encoding="utf-8")
    (project / "app" / "__init__.py").write_text("", encoding="utf-8")
    forget_indexes()
    found = _findings(project, RuleOptions(use_cache=False))
    forget_indexes()
    assert found == [("app/jobs.py", 5, "API102")]


def test_without_project_index_the_module_alone_decides() -> None:
    path = FIXTURES / "api102_serving_code.py"
    source = path.read_text(encoding="utf-8")
    alone = {
        (d.line, d.code) for d in check_source(source, str(path), RuleOptions(project_index=False))
    }
    indexed = {
        (d.line, d.code) for d in check_source(source, str(path), RuleOptions(use_cache=False))
    }
    assert alone == indexed


def test_flake8_enable_extensions_turns_an_opt_in_code_on(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    shutil.copy(FIXTURES / "api108_blocking_minor_syscall.py", target)
    # The installed package registers the switch as an entry point; a local
    # plugin stands in for it here so the test runs from the checkout.
    (tmp_path / "setup.cfg").write_text(
        "[flake8]\n[flake8:local-plugins]\nextension =\n"
        "    API108 = fastapi_lint.flake8_plugin:MinorSyscallSwitch\n",
        encoding="utf-8",
    )

    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "flake8", "--select", "API", *args, "app.py"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result.stdout

    assert "API108" not in run()
    assert "API108" in run("--enable-extensions", "API108")
    assert "API108" in run("--extend-select", "API108")


SESSION_APP = """\
from fastapi import Depends, FastAPI, Request
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.base import BaseHTTPMiddleware

engine = create_engine("sqlite://")
SessionLocal = sessionmaker(bind=engine)
app = FastAPI()


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@app.get("/count")
async def count(db: Session = Depends(get_db)) -> int:
    return db.execute("select 1").scalar_one()


@app.get("/body")
async def body(request: Request, db: Session = Depends(get_db)) -> int:
    await request.body()
    return db.execute("select 1").scalar_one()


@app.middleware("http")
async def audit(request: Request, call_next):
    db = SessionLocal()
    db.execute("insert into audit values (1)")
    return await call_next(request)


class Audit(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        with SessionLocal() as db:
            db.execute("select 1")
        return await call_next(request)
"""


def test_api301_advice_fits_the_function() -> None:
    found = {
        d.line: d.message
        for d in check_source(SESSION_APP, "<stdin>", RuleOptions(project_index=False))
        if d.code == "API301"
    }
    assert "make it a sync `def`" in found[20]
    assert "it awaits, so it stays `async`" in found[25]
    assert "middleware stays `async`" in found[32]
    assert "middleware stays `async`" in found[39]
    assert all("sync `def`" not in found[line] for line in (25, 32, 39))


def test_the_caller_search_judges_each_function_once_per_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Provider classes calling each other's protocol methods (`initialize`, `query`) on
    # untyped receivers: every method is a candidate caller of every other, through
    # cycles. Judged once each per question, not once per path (which is exponential).
    from fastapi_lint.project import serving

    project = tmp_path / "providers"
    (project / "app").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'providers'\n")
    (project / "app" / "__init__.py").write_text("")
    for number in range(12):
        (project / "app" / f"provider{number}.py").write_text(
            "import time\n\n\n"
            f"class Provider{number}:\n"
            "    def __init__(self, upstream, store) -> None:\n"
            "        self.upstream, self.store = upstream, store\n\n"
            "    async def initialize(self) -> None:\n"
            "        await self.upstream.initialize()\n"
            "        await self.store.query()\n\n"
            "    async def query(self) -> None:\n"
            "        await self.upstream.query()\n"
            "        await self.store.initialize()\n"
            "        time.sleep(1)\n",
            encoding="utf-8",
        )
    _bound_calls(
        monkeypatch, serving._ProjectSearch, "serving", "the caller search revisits functions"
    )
    forget_indexes()
    found = _findings(project, RuleOptions(use_cache=False))
    forget_indexes()
    # No caller outside the cycle: the methods may be library entry points (serving).
    assert len([f for f in found if f[2] == "API102"]) == 12


@pytest.mark.parametrize(
    ("definition", "call", "fits"),
    [
        ("def run(self): ...", "x.run()", True),
        ("def run(self): ...", "x.run(a, b)", False),
        ("def run(self, a, b=1): ...", "x.run(a)", True),
        ("def run(self, a, b=1): ...", "x.run()", False),
        ("def run(self, a, *, key): ...", "x.run(a, key=1)", True),
        ("def run(self, a, *, key): ...", "x.run(a)", False),
        ("def run(self, a): ...", "x.run(b=1)", False),
        ("def run(self, a, /): ...", "x.run(a=1)", False),
        ("def run(self, *args, **kwargs): ...", "x.run(1, 2, c=3)", True),
        ("def run(self): ...", "x.run(*items)", True),
        ("@staticmethod\ndef run(a): ...", "x.run(1)", True),
    ],
)
def test_a_method_call_fits_the_signature(definition: str, call: str, fits: bool) -> None:
    # An untyped `x.run(...)` is a caller of a method only if the method can take its arguments.
    import ast

    from fastapi_lint.semantic.syntax import call_fits, is_staticmethod

    node = ast.parse(definition).body[0]
    assert isinstance(node, ast.FunctionDef)
    expr = ast.parse(call).body[0]
    assert isinstance(expr, ast.Expr) and isinstance(expr.value, ast.Call)
    assert call_fits(node, expr.value, bound=not is_staticmethod(node)) is fits


def test_spawn_chains_share_one_budget_per_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers that spawn each other's tasks on untyped receivers: judging whether a
    # spawner is reached from start-up code meets another spawn site at every caller,
    # and each asks again (up to four deep). One budget for the outermost question
    # and all it nests, not one per nested question (which multiplies per level).
    from fastapi_lint.project import startup_tasks

    project = tmp_path / "workers"
    (project / "app").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'workers'\n")
    (project / "app" / "__init__.py").write_text("")
    for number in range(10):
        (project / "app" / f"worker{number}.py").write_text(
            "import asyncio\nimport time\n\n\n"
            f"class Worker{number}:\n"
            "    def __init__(self, peer, other) -> None:\n"
            "        self.peer, self.other = peer, other\n\n"
            f"    async def start{number % 3}(self) -> None:\n"
            f"        asyncio.create_task(self.peer.run{number % 4}())\n"
            f"        asyncio.create_task(self.other.start{(number + 1) % 3}())\n\n"
            f"    async def run{number % 4}(self) -> None:\n"
            f"        asyncio.create_task(self.peer.start{(number + 2) % 3}())\n"
            f"        asyncio.create_task(self.other.run{(number + 1) % 4}())\n"
            "        time.sleep(1)\n",
            encoding="utf-8",
        )
    _bound_calls(
        monkeypatch, startup_tasks._Reach, "reached", "nested spawn questions multiply searches"
    )
    forget_indexes()
    found = _findings(project, RuleOptions(use_cache=False))
    forget_indexes()
    # No start-up code and no caller outside the workers: they may be library entry points.
    assert len([f for f in found if f[2] == "API102"]) == 10

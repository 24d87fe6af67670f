"""Real repository layouts: a module is (source root, dotted name), one answer from every door.

``fixtures/projects/monorepo`` holds two services that both have a package
``app`` (``billing/app`` with a sync session, ``orders/app`` with an
``AsyncSession``) and a shared library (``libs/shared``). The same findings
must come out whatever the order of the files, the number of jobs, the state
of the caches and the door (the engine, the CLI, flake8; the language server
is in ``test_server.py``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.project import process_indexes
from fastapi_lint.project.layout import module_identity, source_root_of
from fastapi_lint.settings import RuleOptions
from fastapi_lint.source import read_source
from tests.fixture_support import FIXTURES, expected_findings
from tests.test_cli import run as run_cli

MONOREPO = FIXTURES / "projects" / "monorepo"


def monorepo_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def expected(root: Path) -> set[tuple[str, int, str]]:
    return {
        (path.relative_to(root).as_posix(), line, code)
        for path in monorepo_files(root)
        for line, code in expected_findings(path)
    }


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    root = tmp_path / "monorepo"
    shutil.copytree(MONOREPO, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def engine_findings(root: Path, order: list[Path], cache: Path) -> set[tuple[str, int, str]]:
    options = RuleOptions(cache_dir=str(cache))
    found = set()
    for path in order:
        for d in check_source(read_source(path), str(path), options):
            found.add((path.relative_to(root).as_posix(), d.line, d.code))
    return found


def test_every_order_and_cache_state_gives_the_same_findings(
    monorepo: Path, tmp_path: Path
) -> None:
    files = monorepo_files(monorepo)
    want = expected(monorepo)
    orders = [
        files,
        files[::-1],
        # One service's files first, then the other's, then the library.
        sorted(files, key=lambda p: ("orders" not in p.parts, str(p))),
        sorted(files, key=lambda p: ("shared" not in p.parts, "billing" in p.parts, str(p))),
    ]
    cache = tmp_path / "cache"
    for order in orders:
        for _state in ("cold or warm", "warm"):
            process_indexes.forget_indexes()
            assert engine_findings(monorepo, order, cache) == want, [p.name for p in order]
        shutil.rmtree(cache, ignore_errors=True)
    process_indexes.forget_indexes()


def cli_findings(root: Path, *args: str) -> set[tuple[str, int, str]]:
    result = run_cli("check", "--output-format", "json", *args, cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return {
        (
            Path(f["filename"]).resolve().relative_to(root.resolve()).as_posix(),
            f["location"]["row"],
            f["code"],
        )
        for f in json.loads(result.stdout)
    }


def test_cli_jobs_and_cache_agree(monorepo: Path) -> None:
    want = expected(monorepo)
    files = [str(p.relative_to(monorepo)) for p in monorepo_files(monorepo)]
    assert cli_findings(monorepo, "--jobs", "1", *files) == want  # cold
    assert cli_findings(monorepo, "--jobs", "2", *files[::-1]) == want  # warm
    shutil.rmtree(monorepo / ".fastapi_lint_cache")
    assert cli_findings(monorepo, "--jobs", "4", ".") == want  # cold
    assert cli_findings(monorepo, "--jobs", "1", *files[::-1]) == want  # warm


def flake8_findings(root: Path, *args: str) -> set[tuple[str, int, str]]:
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "API", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = set()
    for line in result.stdout.splitlines():
        path, row, _col, rest = line.split(":", 3)
        found.add((Path(path).as_posix().removeprefix("./"), int(row), rest.split()[0]))
    return found


def test_flake8_agrees_with_the_cli(monorepo: Path) -> None:
    pytest.importorskip("flake8")
    (monorepo / "setup.cfg").write_text("[flake8]\n")
    want = expected(monorepo)
    assert flake8_findings(monorepo, "--jobs", "1", ".") == want
    assert flake8_findings(monorepo, "--jobs", "2", ".") == want


def test_source_roots(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    layouts = {
        "billing/app/__init__.py": "billing",
        "billing/app/db.py": "billing",
        "backend/app/__init__.py": "backend",
        "backend/app/api/routes/items.py": "backend",  # namespace folders inside a package
        "src/pkg/__init__.py": "src",
        "src/pkg/mod.py": "src",
        "src/loose.py": "src",
        "app/routers/orders.py": ".",  # a namespace package at the root
        "scripts/tool.py": ".",
        "my-service/app/__init__.py": "my-service",
        "my-service/app/main.py": "my-service",
    }
    for relative in layouts:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("")
    root = tmp_path.resolve()
    for relative, source_root in layouts.items():
        assert source_root_of(root / relative, root) == (root / source_root).resolve(), relative
    assert module_identity(root / "backend/app/api/routes/items.py", root) == (
        root / "backend",
        "app.api.routes.items",
    )
    assert module_identity(root / "scripts/tool.py", root) == (root, "scripts.tool")
    # A configured source root wins (ruff's `src`).
    configured = (str(root / "billing" / "app"),)
    assert module_identity(root / "billing/app/db.py", root, configured)[1] == "db"


def test_imports_resolve_in_the_files_own_root_first(monorepo: Path) -> None:
    process_indexes.forget_indexes()
    try:
        billing = process_indexes.index_for(str(monorepo / "billing" / "app" / "routes.py"))
        orders = process_indexes.index_for(str(monorepo / "orders" / "app" / "routes.py"))
        assert (
            billing.module_path("app.database")
            == (monorepo / "billing" / "app" / "database.py").resolve()
        )
        assert (
            orders.module_path("app.database")
            == (monorepo / "orders" / "app" / "database.py").resolve()
        )
        # The library is elsewhere, and only one folder holds it.
        assert (
            billing.module_path("shared.http")
            == (monorepo / "libs" / "shared" / "http.py").resolve()
        )
        # From the repository root, `app` is ambiguous: not resolved at all.
        root_view = process_indexes.index_for(str(monorepo / "manage.py"))
        assert root_view.module_path("app.database") is None
    finally:
        process_indexes.forget_indexes()


def test_configured_roots_resolve_before_the_rest(monorepo: Path) -> None:
    process_indexes.forget_indexes()
    try:
        options = RuleOptions(src=(str((monorepo / "orders").resolve()),))
        root_view = process_indexes.index_for(str(monorepo / "manage.py"), options)
        assert (
            root_view.module_path("app.database")
            == (monorepo / "orders" / "app" / "database.py").resolve()
        )
    finally:
        process_indexes.forget_indexes()


def test_a_setup_module_inside_a_package_is_not_a_project_root(tmp_path: Path) -> None:
    # `app/initial_setup/setup.py` is a module of the package, not a packaging script:
    # its folder must not become the project root (imports of `app.*` would stop resolving).
    from fastapi_lint.project.layout import find_project_root

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    package = tmp_path / "app" / "initial_setup"
    package.mkdir(parents=True)
    for init in (tmp_path / "app" / "__init__.py", package / "__init__.py"):
        init.write_text("")
    (package / "setup.py").write_text("")
    assert find_project_root(package / "setup.py") == tmp_path.resolve()


NAMESPACE_TREE = {
    "web/main.py": (
        "from fastapi import FastAPI\n\nfrom web.api.v1 import api_router\n\n"
        'app = FastAPI()\napp.include_router(api_router, prefix="/api")\n'
    ),
    "web/api/v1.py": (
        "from fastapi import APIRouter\n\nfrom web.api.endpoints import items, users\n\n"
        "api_router = APIRouter()\n"
        'api_router.include_router(items.router, prefix="/items")\n'
        'api_router.include_router(users.router, prefix="/items")\n'
    ),
    "web/common/clock.py": "import time\n\n\ndef pause():\n    time.sleep(1)\n",
    "web/api/endpoints/items.py": (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/{item_id}")\nasync def get_item(item_id: str):\n    return item_id\n'
    ),
    "web/api/endpoints/users.py": (
        "from fastapi import APIRouter\n\nfrom web.common.clock import pause\n\n"
        "router = APIRouter()\n\n\n"
        '@router.get("/{item_id}")\nasync def same(item_id: str):\n    pause()\n'
        "    return item_id\n"
    ),
}


def test_namespace_packages_without_a_marker_share_one_root(tmp_path: Path) -> None:
    # No marker, no __init__.py: `web/api/endpoints/users.py` imports `web.common.clock`,
    # so the tree is imported from the folder holding `web/`, for every file of it
    # (it was each file's own folder: nothing across modules resolved).
    from fastapi_lint.project.layout import find_project_root

    project = tmp_path / "shop-service"
    for relative, text in NAMESPACE_TREE.items():
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(text, encoding="utf-8")
    for relative in NAMESPACE_TREE:
        assert find_project_root(project / relative) == project.resolve(), relative
    want = {
        ("web/api/endpoints/users.py", 10, "API107"),  # pause() -> time.sleep()
        ("web/api/endpoints/users.py", 9, "API204"),  # GET /api/items/{item_id} twice
    }
    selected = ("--select", "API107,API204", "--no-cache")
    assert cli_findings(project, *selected, ".") == want
    # From another folder, and on the one file: the same root.
    users = str(project / "web/api/endpoints/users.py")
    result = run_cli("check", "--output-format", "json", *selected, users, cwd=tmp_path)
    assert {(f["location"]["row"], f["code"]) for f in json.loads(result.stdout)} == {
        (line, code) for _, line, code in want
    }
    # A flat folder of scripts stays its own root.
    flat = tmp_path / "flat_tool"
    flat.mkdir()
    (flat / "main.py").write_text("from db import get_db\n", encoding="utf-8")
    (flat / "db.py").write_text("def get_db():\n    return 1\n", encoding="utf-8")
    assert find_project_root(flat / "main.py") == flat.resolve()


@pytest.mark.parametrize("marker", ["requirements.txt", "pyproject.toml"])
def test_packages_inside_a_namespace_folder_keep_its_name(tmp_path: Path, marker: str) -> None:
    # `app/` has no __init__.py but `app/routers/` and `app/services/` are packages and
    # the code imports `app.services.slow`: the modules are `app.routers.items`, not
    # `routers.items` (where `from app.services.slow import crunch` resolved to nothing).
    project = tmp_path / "blog"
    files = {
        marker: "",
        "app/routers/__init__.py": "",
        "app/services/__init__.py": "",
        "app/services/slow.py": "import time\n\n\ndef crunch():\n    time.sleep(1)\n",
        "app/routers/items.py": (
            "from app.services.slow import crunch\n\n\nasync def items():\n    crunch()\n"
        ),
        "scripts/run.py": "async def main():\n    return 1\n",
    }
    for relative, text in files.items():
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(text, encoding="utf-8")
    root = project.resolve()
    assert module_identity(root / "app/routers/items.py", root) == (root, "app.routers.items")
    assert source_root_of(root / "app/services/slow.py", root) == root
    selected = ("--select", "API107", "--no-cache")
    assert cli_findings(project, *selected, ".") == {("app/routers/items.py", 5, "API107")}
    # Without the evidence of an `app.` import, a package stays top-level (monorepo services).
    (project / "app/routers/items.py").write_text("from .helpers import x\n", encoding="utf-8")
    (project / "app/services/slow.py").write_text("", encoding="utf-8")
    from fastapi_lint.project import layout

    layout._folder_imports.cache_clear()
    layout._namespace_base.cache_clear()
    layout._imports_own_name.cache_clear()
    layout._module_identity.cache_clear()
    assert module_identity(root / "app/routers/items.py", root)[1] == "routers.items"


def test_namespace_services_of_a_monorepo_are_imported_from_their_own_folder(
    tmp_path: Path,
) -> None:
    # One pyproject.toml at the top, two services with a namespace package `app`
    # (no __init__.py) importing `app.util`: each is `app.*` from its service folder
    # (they were `services.users.app.util`, so `from app.util import slow` resolved
    # to nothing and the chain was lost).
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'mono'\n", encoding="utf-8")
    blocking = "import time\n\n\ndef slow():\n    time.sleep(1)\n"
    harmless = "def slow():\n    return 1\n"
    main = "from app.util import slow\n\n\nasync def ping():\n    slow()\n"
    files = {
        "services/users/app/util.py": blocking,
        "services/users/app/main.py": main,
        "services/orders/app/util.py": harmless,
        "services/orders/app/main.py": main,
        # A flat folder whose modules import each other by bare name.
        "tools/helpers.py": blocking,
        "tools/run.py": "from helpers import slow\n\n\nasync def go():\n    slow()\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    root = tmp_path.resolve()
    users = root / "services/users"
    assert module_identity(users / "app/main.py", root) == (users, "app.main")
    assert source_root_of(users / "app/util.py", root) == users
    assert module_identity(root / "tools/run.py", root) == (root / "tools", "run")
    found = cli_findings(tmp_path, "--select", "API107", "--no-cache", ".")
    assert found == {("services/users/app/main.py", 5, "API107"), ("tools/run.py", 5, "API107")}


def test_project_walks_skip_other_projects_and_virtual_environments(tmp_path: Path) -> None:
    """A script outside any project makes its folder the root; the walks of that
    root (route table, caller search, the stamp guarding them) do not enter the
    other projects and virtual environments that sit beside it."""
    from fastapi_lint import cache
    from fastapi_lint.project.layout import walked_subfolders

    (tmp_path / "one.py").write_text("import requests\n")
    for folder, marker in (("other", "pyproject.toml"), ("env311", "pyvenv.cfg")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / marker).write_text("")
        (tmp_path / folder / "api.py").write_text("x = 1\n")
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "text.py").write_text("y = 2\n")
    names = walked_subfolders(str(tmp_path), ["other", "env311", "helpers", ".git"], frozenset())
    assert names == ["helpers"]

    cache.forget_all_modules_stamps()
    before = cache.file_stamp(cache.all_modules_dependency(str(tmp_path)))
    (tmp_path / "other" / "api.py").write_text("x = 2  # edited in another project\n")
    cache.forget_all_modules_stamps()
    assert cache.file_stamp(cache.all_modules_dependency(str(tmp_path))) == before
    (tmp_path / "helpers" / "text.py").write_text("y = 3  # edited in this one\n")
    cache.forget_all_modules_stamps()
    assert cache.file_stamp(cache.all_modules_dependency(str(tmp_path))) != before


def test_a_monorepo_without_a_marker_is_one_project(monorepo: Path, tmp_path: Path) -> None:
    """An archive of a repository (no pyproject.toml, no .git): a service importing a
    library of the repository (`orders/app` imports `shared`, in `libs/`) has the
    repository as its root, so the library is followed across modules as with a marker;
    a service whose imports no folder above holds keeps its own. An unpacked distribution never climbs
    (what it imports is installed elsewhere), nor does anything into another project."""
    from fastapi_lint.project.layout import find_project_root

    (monorepo / "pyproject.toml").unlink()
    for service in ("orders", "billing"):
        assert find_project_root(monorepo / service / "app/routes.py") == monorepo.resolve()
    assert cli_findings(monorepo, "--no-cache", ".") == expected(monorepo)

    # A repository's top (a README) is not climbed past: the monorepo beside it is not its.
    wheels = tmp_path / "site"
    wheels.mkdir()
    (wheels / "README.md").write_text("")
    for relative in (
        "orders_svc-1.0/orders_svc/__init__.py",
        "orders_svc-1.0/orders_svc-1.0.dist-info/METADATA",
        "shared-2.0/shared/__init__.py",
        "shared-2.0/shared-2.0.dist-info/METADATA",
        "tools/shared/__init__.py",
    ):
        (wheels / relative).parent.mkdir(parents=True, exist_ok=True)
        (wheels / relative).write_text("", encoding="utf-8")
    (wheels / "orders_svc-1.0/orders_svc/api.py").write_text("from shared import x\n")
    (wheels / "svc/app").mkdir(parents=True)
    (wheels / "svc/app/__init__.py").write_text("")
    (wheels / "svc/app/api.py").write_text("from shared import x\n")
    (wheels / "tools/pyproject.toml").write_text("")
    assert (
        find_project_root(wheels / "orders_svc-1.0/orders_svc/api.py")
        == (wheels / "orders_svc-1.0").resolve()
    )
    # `shared` only in an unpacked distribution and in another project: not this one's,
    # and the repository holding `svc` ends at `site/`.
    assert find_project_root(wheels / "svc/app/api.py") == (wheels / "svc").resolve()


def test_loose_helpers_in_an_unmarked_tests_tree_are_test_code(tmp_path: Path) -> None:
    # No pyproject.toml, no .git: `tests/integration/fakes.py` imports nothing of the
    # project, so its own folder became its root and the path inside the project
    # (`fakes.py`) lost its `tests` component: its demo key was reported as API501.
    service = tmp_path / "payments-svc"
    files = {
        "payments/__init__.py": "",
        "payments/config.py": 'STRIPE_SECRET_KEY = "rk-9Lq2Xv7Mz4Tw8Pb1"\n',
        "tests/integration/fakes.py": 'STRIPE_SECRET_KEY = "rk-9Lq2Xv7Mz4Tw8Pb1"\n',
        "tests/fakes.py": 'WEBHOOK_SECRET = "wh-3Kd8Rq1Zp6Ny0Tc5"\n',
        # kept: a loose folder of operator scripts is not a tests tree
        "ops/seed.py": 'ADMIN_PASSWORD = "Seed-4dmin-2024"\n',
    }
    for relative, text in files.items():
        (service / relative).parent.mkdir(parents=True, exist_ok=True)
        (service / relative).write_text(text, encoding="utf-8")
    # kept: a marked project checked out under a folder named `test` is not test code
    checkout = tmp_path / "test" / "ledger"
    (checkout / "app").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("[project]\nname = 'ledger'\n", encoding="utf-8")
    (checkout / "app" / "__init__.py").write_text("", encoding="utf-8")
    (checkout / "app" / "config.py").write_text('DB_PASSWORD = "l3dger-Pw-77"\n', encoding="utf-8")
    selected = ("--select", "API501", "--no-cache")
    assert cli_findings(service, *selected, ".") == {
        ("payments/config.py", 1, "API501"),
        ("ops/seed.py", 1, "API501"),
    }
    assert cli_findings(checkout, *selected, ".") == {("app/config.py", 1, "API501")}

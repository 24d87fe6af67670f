"""The app route table (``project/routes.py``): cross-module API203/API204, cold and warm
runs, and the default excludes of documentation trees in both doors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.flake8_plugin import in_excluded_tree
from fastapi_lint.project.process_indexes import forget_indexes
from fastapi_lint.settings import RuleOptions
from fastapi_lint.source import read_source
from tests.fixture_support import FIXTURES

PROJECT = FIXTURES / "projects" / "routes_prefixes"


def _findings(root: Path, options: RuleOptions) -> list[tuple[str, int, str, str]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for d in check_source(read_source(path), str(path), options):
            if d.code.startswith("API2"):
                found.append((path.relative_to(root).as_posix(), d.line, d.code, d.message))
    return found


def test_cold_and_warm_runs_agree(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    options = RuleOptions(cache_dir=str(tmp_path / "cache"))
    forget_indexes()
    cold = _findings(root, options)
    forget_indexes()  # flushes the facts; the next run reads them from disk
    assert list((tmp_path / "cache").rglob("*.json"))
    warm = _findings(root, options)
    forget_indexes()
    assert cold == warm
    assert ("shop/admin/routes.py", 9, "API203") in {f[:3] for f in cold}
    message = next(f[3] for f in cold if f[:3] == ("shop/admin/routes.py", 9, "API203"))
    assert "GET /api/users/{user_id} (`read_user`, shop.api.users line 6" in message


def test_an_edited_module_changes_the_table(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    options = RuleOptions(cache_dir=str(tmp_path / "cache"))
    forget_indexes()
    assert ("shop/admin/routes.py", 9, "API203") in {f[:3] for f in _findings(root, options)}
    forget_indexes()
    main = root / "shop" / "main.py"
    # The admin router now comes first: its /users/me is no longer shadowed.
    text = main.read_text()
    text = text.replace(
        'app.include_router(api_router, prefix="/api")\napp.include_router(admin_router)\n',
        'app.include_router(admin_router)\napp.include_router(api_router, prefix="/api")\n',
    )
    main.write_text(text + "\n")
    after = {f[:3] for f in _findings(root, options)}
    forget_indexes()
    assert ("shop/admin/routes.py", 9, "API203") not in after
    # ... and the duplicate is now the items module's route, registered second.
    assert ("shop/api/items.py", 7, "API204") in after


def test_flake8_plugin_is_silent_in_documentation_trees(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    for folder in ("docs_src/tutorial", "docs", "examples", "app"):
        (tmp_path / folder).mkdir(parents=True)
    assert in_excluded_tree(str(tmp_path / "docs_src" / "tutorial" / "main.py"), None, ())
    assert in_excluded_tree(str(tmp_path / "examples" / "main.py"), str(tmp_path), ())
    assert not in_excluded_tree(str(tmp_path / "app" / "main.py"), None, ())
    assert not in_excluded_tree(str(tmp_path / "docs_src" / "main.py"), None, ("docs_src",))
    # Vendored packages are fixed upstream: silent too, unless re-included.
    vendored = str(tmp_path / "app" / "thirdparty" / "parser" / "tokens.py")
    assert in_excluded_tree(vendored, str(tmp_path), ())
    assert not in_excluded_tree(vendored, str(tmp_path), ("thirdparty",))


_TUTORIAL = (
    "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
    '@app.get("/items")\nasync def items():\n    return {"id": 1}\n'
)


def _cli(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "fastapi_lint.cli", "check", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout


def test_cli_excludes_documentation_trees_by_default(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "docs_src").mkdir()
    (tmp_path / "docs_src" / "tutorial001.py").write_text(_TUTORIAL)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text(_TUTORIAL)
    everything = _cli(tmp_path, ".")
    assert "app/main.py" in everything and "docs_src" not in everything
    assert "docs_src/tutorial001.py" in _cli(tmp_path, "docs_src")
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n[tool.fastapi-lint]\nextend-include = [\"docs_src\"]\n"
    )
    assert "docs_src/tutorial001.py" in _cli(tmp_path, ".")


INVENTORY = FIXTURES / "projects" / "routes_inventory"


def _routes(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fastapi_lint.cli", "routes", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "snapshot"),
    [
        ((), "routes.txt"),
        (("--output-format", "json"), "routes.json"),
        (("--output-format", "markdown"), "routes.md"),
        (("--output-format", "csv"), "routes.csv"),
        (("--unauthenticated",), "unauthenticated.txt"),
    ],
)
def test_route_inventory_snapshots(args: tuple[str, ...], snapshot: str) -> None:
    result = _routes(INVENTORY, *args)
    assert result.returncode == 0, result.stderr
    expected = (INVENTORY / "expected" / snapshot).read_text(encoding="utf-8")
    assert result.stdout == expected


def test_route_inventory_of_one_folder_keeps_full_paths() -> None:
    result = _routes(INVENTORY, "svc/routers", "--output-format", "json")
    rows = json.loads(result.stdout)
    assert {row["path"] for row in rows} >= {"/api/v1/admin/reports/daily", "/api/v1/items"}
    assert all(row["file"].startswith("svc/routers/") for row in rows)


def test_route_inventory_respects_default_excludes(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "docs_src").mkdir()
    (tmp_path / "docs_src" / "tutorial001.py").write_text(_TUTORIAL)
    (tmp_path / "main.py").write_text(_TUTORIAL.replace("/items", "/served"))
    rows = json.loads(_routes(tmp_path, "--output-format", "json").stdout)
    assert [row["path"] for row in rows] == ["/served"]


def test_messages_of_the_revision() -> None:
    events = FIXTURES / "projects" / "routes_crossmodule" / "app" / "events.py"
    (finding,) = [d for d in check_source(read_source(events), str(events)) if d.code == "API206"]
    assert "Starlette 1.0 removed `on_event` and `add_event_handler`" in finding.message
    path = FIXTURES / "api205_unbound_path_parameter.py"
    messages = [d.message for d in check_source(read_source(path), str(path))]
    assert any(
        "dependency `item_from_request` reads it from `request.path_params`" in m for m in messages
    )
    path = FIXTURES / "api201_missing_response_model.py"
    messages = [d.message for d in check_source(read_source(path), str(path))]
    assert any("it returns a dict with keys `status`" in m for m in messages)
    assert any("annotate it `-> list[Item]`" in m for m in messages)


def test_cli_excludes_vendored_packages_by_default(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    for folder in ("app/thirdparty/speech", "app/_vendor", "app/api"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "app" / "thirdparty" / "speech" / "client.py").write_text(_TUTORIAL)
    (tmp_path / "app" / "_vendor" / "server.py").write_text(_TUTORIAL)
    (tmp_path / "app" / "api" / "routes.py").write_text(_TUTORIAL)
    everything = _cli(tmp_path, ".")
    assert "app/api/routes.py" in everything
    assert "thirdparty" not in everything and "_vendor" not in everything
    assert "app/thirdparty/speech/client.py" in _cli(tmp_path, "app/thirdparty")


def test_route_inventory_reads_settings_and_module_prefixes() -> None:
    # `prefix=settings.API_V1_STR` (a settings field's default) and `config.ADMIN_PREFIX`
    # (a module constant) are joined; an attribute an `__init__` sets stays an expression.
    project = FIXTURES / "projects" / "routes_settings_prefix"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    paths = [row["path"] for row in rows]
    assert "/api/v1/members/{member_id}" in paths
    assert paths.count("/admin/audit") == 2
    assert "{paths.BASE}/audit" in paths
    models = {row["path"]: row["response_model"] for row in rows}
    assert not models["/robots.txt"]  # a Response class is no response model
    assert models["/api/v1/members/me"] == "dict[str, int]"
    # `Annotated[Pager, Depends()]`: the class is the dependency.
    assert next(row["dependencies"] for row in rows if row["path"] == "/pages") == ["Pager"]


def test_route_inventory_follows_type_alias_dependencies(tmp_path: Path) -> None:
    # `ServiceKey: TypeAlias = Annotated[str, Depends(api_key)]` in another module is the
    # same dependency as a plain alias: the route reaches the API key scheme.
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "deps.py").write_text(
        "from typing import Annotated, TypeAlias\n\nfrom fastapi import Depends\n"
        "from fastapi.security import APIKeyHeader\n\napi_key = APIKeyHeader(name='X-Key')\n"
        "ServiceKey: TypeAlias = Annotated[str, Depends(api_key)]\n"
    )
    (tmp_path / "app" / "main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.deps import ServiceKey\n\napp = FastAPI()\n\n\n"
        "@app.post('/reindex')\nasync def reindex(key: ServiceKey) -> None:\n    return None\n"
    )
    (row,) = json.loads(_routes(tmp_path, "--output-format", "json").stdout)
    assert row["dependencies"] == ["api_key"]
    assert row["security"] == ["APIKeyHeader"]


def test_route_inventory_reads_the_prefix_of_a_router_subclass() -> None:
    # `VersionedRouter("v1")` whose `__init__` passes `prefix=f"/api/{version}"` on to
    # `APIRouter.__init__`: the call's argument (or the parameter's default) fills it in.
    project = FIXTURES / "projects" / "routes_router_subclass"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    assert [row["path"] for row in rows] == [
        "/api/v1/reports/{report_id}",
        "/api/v1/reports/latest",
        "/api/v2/reports/{report_id}",
        "/api/v2/reports/summary",
        "/admin/reports/{report_id}",
    ]


def test_route_inventory_lists_the_bound_methods_of_a_class_based_view() -> None:
    # `self.router = APIRouter(prefix=...)` and `self.router.add_api_route("/", self.list_orders)`
    # in the view's `__init__`; the app includes `orders.router` of an instance.
    project = FIXTURES / "projects" / "routes_class_views"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    assert [(row["path"], row["handler"]) for row in rows] == [
        ("/api/orders/", "shop.views:OrdersView.list_orders"),
        ("/api/orders/{order_id}", "shop.views:OrdersView.get_order"),
        ("/api/orders/{order_id}", "shop.views:OrdersView.get_order_again"),
        ("/api/orders/{order_id}/lines/{line_no}", "shop.views:OrdersView.line"),
        ("/api/orders/{order_id}/wait", "shop.views:OrdersView.wait"),
    ]


def test_route_inventory_lists_endpoints_of_other_modules() -> None:
    # `router.add_api_route("/", handlers.list_invoices)`: the endpoint is named, filed and
    # lined in its own module; the route is served where the router is.
    project = FIXTURES / "projects" / "routes_handler_modules"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    found = {(row["method"], row["path"], row["handler"], row["file"]) for row in rows}
    assert ("GET", "/v1/invoices/", "app.handlers:list_invoices", "app/handlers.py") in found
    assert (
        "DELETE",
        "/v1/invoices/{invoice_id}",
        "app.handlers:delete_invoice",
        "app/handlers.py",
    ) in found
    assert ("POST", "/webhooks/paypal", "app.handlers:webhook", "app/handlers.py") in found


def test_route_inventory_fills_in_the_prefix_of_router_factories() -> None:
    # `APIRouter(prefix=f"/{kind}s")` in a factory: each include's argument (a literal, a
    # keyword, an element of a loop over a literal dict or list) gives its own prefix.
    project = FIXTURES / "projects" / "routes_factories"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    assert [row["path"] for row in rows if row["handler"].endswith(".read")] == [
        "/api/gadgets/{item_id}",
        "/api/widgets/{item_id}",
        "/orders/{item_id}",
        "/billing/invoices/{item_id}",
        "{f'/{kind}s'}/{item_id}",
    ]
    assert [row["path"] for row in rows if row["handler"].endswith(".health")] == [
        "{'/' + area}/health"
    ]
    # `router = versioned_router(2)` at module level: the factory returns
    # `APIRouter(prefix=f"/v{version}")`, so each module's router has its own version (the
    # two were compared as duplicates of `/api/stock/{sku}`); an unknown one stays unknown.
    assert [row["path"] for row in rows if "stock" in row["handler"]] == [
        "/api/v1/stock/{sku}",
        "/api/v1/stock/{sku}",
        "/api/v2/stock/{sku}",
        "/api{f'/v{version}'}/stock/{sku}",
    ]


def test_route_inventory_fills_in_the_prefix_of_assigned_factory_routers() -> None:
    # `router = resource_router("/trucks")` at module level, the factory returning its local
    # `router = APIRouter(prefix=path)`: each assigned router takes its call's prefix (the
    # inventory showed `/api{path}/...` for both, and the duplicate went unseen).
    project = FIXTURES / "projects" / "routes_assigned_factories"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    assert [row["path"] for row in rows] == [
        "/api/trucks/{resource_id}",
        "/api/trucks/parked",
        "/api/trucks/{resource_id}/route",
        "/api/drivers/{resource_id}",
        "/api/drivers/{resource_id}/shifts",
        "/api/drivers/{resource_id}",
        "/api/trucks/{resource_id}/route/map",
    ]


def test_route_inventory_reads_the_class_attributes_of_a_cbv_view() -> None:
    # `agent: str = Depends(current_agent)` on a `@cbv(router)` class: a dependency of each
    # route the class declares (the inventory listed them as unauthenticated); a plain
    # class's attributes are nobody's parameters.
    project = FIXTURES / "projects" / "routes_cbv_security"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    assert [(row["handler"], row["dependencies"], row["security"]) for row in rows] == [
        ("desk.views:CaseViews.list_cases", ["current_agent"], ["HTTPBearer"]),
        ("desk.views:CaseViews.close_case", ["current_agent"], ["HTTPBearer"]),
        ("desk.views:public_case", [], []),
        ("desk.views:NotAView.status", [], []),
    ]
    unauthenticated = _routes(project, "--unauthenticated", "--output-format", "json").stdout
    assert [row["handler"] for row in json.loads(unauthenticated)] == [
        "desk.views:public_case",
        "desk.views:NotAView.status",
    ]


def test_route_inventory_leaves_out_routes_registered_after_the_include() -> None:
    # `app.include_router(reports)` copies the routes; `@reports.get("/weekly")` below it in
    # the same module is never served (it was listed, and compared as a duplicate).
    project = FIXTURES / "projects" / "routes_late_registrations"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    assert [row["handler"] for row in rows] == [
        "ledger.main:daily_report",
        "ledger.main:weekly_page",
        "ledger.main:daily_page",
    ]


def test_route_inventory_expands_a_loop_of_versioned_includes() -> None:
    # `for version, module in VERSIONS: app.include_router(module.router,
    # prefix=f"/api/{version}")` over a literal table: one include per element (the
    # routers were listed under no app).
    project = FIXTURES / "projects" / "routes_versioned_loop"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    assert [(row["app"], row["path"]) for row in rows][:3] == [
        ("shopfront.main:app", "/api/v1/orders"),
        ("shopfront.main:app", "/api/v2/orders"),
        ("shopfront.main:app", "/api/v2/orders/{order_id}"),
    ]


def test_route_inventory_knows_fastapi_users_dependencies() -> None:
    # `fastapi_users.current_user(...)` authenticates with the library's own transports'
    # schemes: imported, a module variable, or inline; `optional=True` enforces nothing,
    # and a project class's `current_user` method is not the library's.
    project = FIXTURES / "projects" / "routes_fastapi_users"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    security = {row["path"]: row["security"] for row in rows}
    assert security["/me"] == security["/admin"] == security["/inline"]
    assert security["/me"] and "FastAPIUsers.current_user" in str(security["/me"])
    assert not security["/maybe"] and not security["/flags"]
    unauthenticated = _routes(project, "--unauthenticated", "--output-format", "json").stdout
    assert {row["path"] for row in json.loads(unauthenticated)} == {"/maybe", "/flags"}


def test_route_inventory_drops_the_trailing_slash_of_a_mount() -> None:
    # Starlette's `Mount` strips the trailing slash of its path: `app.mount("/", site)`
    # serves the site's `/status` at `/status` (it was listed as `//status`).
    project = FIXTURES / "projects" / "routes_mount_at_root"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    assert [(row["handler"], row["path"]) for row in rows] == [
        ("portal.main:about", "/pages/about"),
        ("portal.site:page", "/pages/{slug}"),
        ("portal.site:site_status", "/status"),
        ("portal.site:page", "/static/pages/{slug}"),
        ("portal.site:site_status", "/static/status"),
        ("portal.main:status", "/status"),
    ]


def test_route_inventory_lists_every_service_of_a_monorepo() -> None:
    # billing/app and orders/app are both the package `app`: each service is its own view
    # of the project (only billing's routes were listed).
    project = FIXTURES / "projects" / "monorepo"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    found = sorted((row["file"].split("monorepo/")[-1], row["path"]) for row in rows)
    assert found == [
        ("billing/app/routes.py", "/invoices/{invoice_id}"),
        ("billing/app/routes.py", "/invoices/{invoice_id}/receipt"),
        ("billing/app/routes.py", "/rates"),
        ("orders/app/routes.py", "/orders/{order_id}"),
        ("orders/app/routes.py", "/rates"),
    ]


def test_route_inventory_names_the_files_it_could_not_read(tmp_path: Path) -> None:
    # A router module with a syntax error and one that is not UTF-8: the table leaves
    # them out, so the command says so on stderr and exits 1 (the rows it could read
    # are still listed); a broken module that declares no routes is not the table's.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "t"\n')
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "main.py").write_text(
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/ok")\n'
        "async def ok() -> None:\n    return None\n"
    )
    (app / "broken.py").write_text(
        'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/x")\n'
        "async def x(:\n    pass\n"
    )
    (app / "legacy.py").write_bytes(b"from fastapi import APIRouter\n# caf\xe9\n")
    (app / "helpers.py").write_text("def f(:\n")
    result = _routes(tmp_path, "--output-format", "json")
    assert result.returncode == 1
    assert [row["path"] for row in json.loads(result.stdout)] == ["/ok"]
    errors = result.stderr.splitlines()
    assert any(
        line.endswith("app/broken.py:7:13: E999 SyntaxError: invalid syntax") for line in errors
    )
    assert any("app/legacy.py: E902 cannot decode" in line for line in errors)
    assert not any("helpers.py" in line for line in errors)
    assert errors[-1].startswith("2 files could not be read")


def test_route_inventory_reads_status_codes(tmp_path: Path) -> None:
    """`status_code=` as the app serves it: a module constant, a `status` or `HTTPStatus`
    member all show as the number; an unknown value keeps its source text."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "main.py").write_text(
        "from http import HTTPStatus\n"
        "from fastapi import FastAPI, status\n"
        "from settings import CODES\n\n"
        "app = FastAPI()\n"
        "GONE = 204\n\n\n"
        '@app.delete("/a", status_code=GONE)\n'
        "async def a() -> None: ...\n\n\n"
        '@app.post("/b", status_code=HTTPStatus.CREATED)\n'
        "async def b() -> None: ...\n\n\n"
        '@app.post("/c", status_code=status.HTTP_202_ACCEPTED)\n'
        "async def c() -> None: ...\n\n\n"
        '@app.post("/d", status_code=CODES.made)\n'
        "async def d() -> None: ...\n"
    )
    rows = json.loads(_routes(tmp_path, "--output-format", "json").stdout)
    assert [row["status_code"] for row in rows] == ["204", "201", "202", "CODES.made"]


def test_route_inventory_expands_prefix_loops() -> None:
    """One router included under each prefix a loop over a literal gives it."""
    project = FIXTURES / "projects" / "routes_prefix_loop"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    paths = [row["path"] for row in rows if row["handler"] == "depot.parcels:parcel"]
    assert paths == [
        "/api/v1/parcels/{parcel_id}",
        "/api/v2/parcels/{parcel_id}",
        "/dated/2024-01/stable/parcels/{parcel_id}",
        "/dated/2024-06/edge/parcels/{parcel_id}",
        "/sunset/2023-01/parcels/{parcel_id}",
        "/sunset/2023-06/parcels/{parcel_id}",
    ]


def test_route_inventory_gives_each_turn_of_a_loop_its_own_prefix() -> None:
    # `for tool in TOOLS: app.include_router(make_job_router(tool), prefix=f"/api/{tool}")`:
    # each turn includes a new router under that tool's prefix (the turns shared the
    # expression `{f'/api/{tool}'}`, and one tool's routes "shadowed" the next one's).
    project = FIXTURES / "projects" / "routes_looped_prefixes"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    streams = [row["path"] for row in rows if row["handler"].endswith(".stream_output")]
    assert streams == [
        f"/{area}/{tool}/{{job_id}}/output/stream"
        for area in ("api", "ui")
        for tool in ("rsync", "restic", "borg")
    ]


def test_route_inventory_follows_short_named_routers_passed_to_register() -> None:
    # `v1 = APIRouter(prefix="/v1")` handed to `accounts.register(v1)`: the name says
    # nothing, the call that built it says router (the routes were listed nowhere); a value
    # named like an app that is no router (`cfg = load_app_config()`) adds nothing.
    project = FIXTURES / "projects" / "routes_passed_routers"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    assert [(row["method"], row["path"]) for row in rows] == [
        ("GET", "/v1/accounts/{account_id}"),
        ("GET", "/v1/accounts/overdrawn"),
        ("POST", "/v1/accounts/{account_id}"),
        ("GET", "/beta/accounts/overdrawn"),
        ("POST", "/beta/accounts/{account_id}"),
    ]


def test_route_inventory_reads_dependency_lists_held_by_names() -> None:
    # `dependencies=SIGNED_IN` (a list imported from another module, or one of this module,
    # or spread into a literal): its `Depends` reach the OAuth2 scheme (the routes were
    # listed without a security scheme); a list with no scheme in it stays unauthenticated.
    project = FIXTURES / "projects" / "routes_shared_dependencies"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    security = {row["path"]: row["security"] for row in rows}
    assert security == {
        "/reports": ["OAuth2PasswordBearer"],
        "/exports": ["OAuth2PasswordBearer"],
        "/tickets": ["OAuth2PasswordBearer"],
        "/macros": ["OAuth2PasswordBearer"],
        "/status": [],
    }
    unauthenticated = _routes(project, "--unauthenticated", "--output-format", "json").stdout
    assert [row["path"] for row in json.loads(unauthenticated)] == ["/status"]


def test_route_inventory_serves_a_factory_made_app_under_its_mount() -> None:
    # `app.mount("/backoffice", create_backoffice())`: the app the factory returns is
    # served under the mount, with its own dependencies (it was listed as an app of its
    # own, at `/orders`); a wrapper that hands back its argument is not such a factory.
    project = FIXTURES / "projects" / "routes_mounted_factories"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    assert [(row["app"], row["path"], row["security"]) for row in rows] == [
        ("kiosk.main:app", "/backoffice/orders", ["HTTPBasic"]),
        ("kiosk.main:app", "/menu", []),
        ("kiosk.main:shop", "/cart", []),
    ]


def test_route_inventory_reads_routers_listed_by_a_function_and_each_loop() -> None:
    # `for router in enabled_routers():` over a project function returning a list literal
    # (its routers were listed under no app); three loops share the variable `router`,
    # and each include reads the loop above it (all three read the last one, which
    # served the audit router under /api too). A list built at run time stays unknown.
    project = FIXTURES / "projects" / "routes_listed_by_function"
    rows = json.loads(_routes(project, "--output-format", "json").stdout)
    assert [(row["app"], row["path"]) for row in rows] == [
        ("books.main:app", "/api/invoices/{invoice_id}"),
        ("books.main:app", "/api/invoices/summary"),
        ("books.main:app", "/admin/audit/events"),
        ("(no app)", "/labs/{name}"),
    ]

"""The app route table: every route as each app of the project serves it.

FastAPI copies a router's routes into its parent when ``include_router`` runs,
joining the prefixes (``APIRouter(prefix=...)`` and ``include_router(...,
prefix=...)``); nested routers compose. The table follows that statically,
across modules, from the project index: nothing is imported or run.

Two facts, both in the fact cache (``project/facts.py``):

* ``route-module:<module>``: one module's routers, ``include_router`` calls and
  routes, as JSON (depends on the module and on what resolving its names read);
* ``route-table:<root>``: the apps' tables, joined from the module facts of the
  project's files. It depends on every Python file and folder walked, so a new
  or edited file recomputes it, and it is the same whichever file asks first:
  flake8 checks files in separate processes, and each gets the whole table.

Order: Starlette dispatches to the first matching route. Registrations in one
module (and one code block) run in statement order; registrations in different
modules run in import order, which the table guesses only where one module is
the sole importer of both (``project/import_order.py``): other such pairs have
no known order (``ServedRoute.order_against``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from fastapi_lint.cache import Stamp, content_stamp, route_table_dependency
from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.project import route_factories
from fastapi_lint.project.import_order import Ranks, registration_ranks
from fastapi_lint.project.index import index_of
from fastapi_lint.project.layout import walked_subfolders
from fastapi_lint.project.process_indexes import index_for
from fastapi_lint.project.reads import note_read, reads_unrecorded
from fastapi_lint.semantic.memo import Memo, MemoKey
from fastapi_lint.settings import DEFAULT_EXCLUDED_TREES, NON_SOURCE_FOLDERS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.settings import RuleOptions

# Trees never part of the served table: tests build throwaway apps, and the
# documentation trees hold tutorial apps (they are excluded from checks too).
_SKIPPED_FOLDERS = NON_SOURCE_FOLDERS | {
    "tests",
    "test",
    *DEFAULT_EXCLUDED_TREES,
    "__pypackages__",
    "_build",
    "buck-out",
}
# A file can only add to the table if it mentions one of these: words, a route
# decorator, or (`app = create_app()`, `register_routes(app)`) an app made or
# filled elsewhere. Tested one by one: an alternation of them has no literal to
# search for, and it scanned every file of a project at a quarter of parse speed.
_RELEVANT_WORDS = (
    "include_router",
    "APIRouter",
    "FastAPI",
    "add_api_route",
    "add_api_websocket_route",
)
_ROUTE_DECORATOR = lazy_compile(
    r"@\s*[\w.]+\.(?:get|post|put|patch|delete|options|head|trace|api_route|websocket)\s*\("
)
_APP_ASSIGNED = lazy_compile(r"app\s*=")  # `\bapp\s*=`, the boundary tested on each match
_APP_PASSED = lazy_compile(r"\(\s*app\s*[,)]")
_WORD_CHAR = lazy_compile(r"\w")


def declares_routes(text: str) -> bool:
    """Whether a module's text may declare routes, apps or routers (the table reads it)."""
    return _relevant(text)


def _relevant(text: str) -> bool:
    if any(word in text for word in _RELEVANT_WORDS):
        return True
    if "@" in text and _ROUTE_DECORATOR.search(text) is not None:
        return True
    if "app" not in text:
        return False
    if _APP_PASSED.search(text) is not None:
        return True
    for match in _APP_ASSIGNED.finditer(text):
        start = match.start()
        if start == 0 or _WORD_CHAR.match(text, start - 1) is None:
            return True
    return False


_MAX_FILES = 5000
_MAX_NESTING = 12
Piece = tuple[str, str]


# ------------------------------------------------------------ the table's API


@dataclass(frozen=True)
class ServedRoute:
    """One route as one app serves it."""

    app: str  # the app's key (qualified name, or module:name:line for a local app)
    app_label: str  # ``module:name`` of the app
    methods: Optional[tuple[str, ...]]  # None when not literal
    pieces: tuple[Piece, ...]  # the full path; non-literal prefixes kept as expressions
    module: str
    function: str  # qualified name of the handler
    name: str
    file: str
    line: int  # the def line
    registration_line: int  # the decorator or add_api_route call
    steps: tuple[tuple[str, str, tuple[int, ...], tuple[str, ...]], ...]
    in_schema: bool
    app_openapi: bool  # the app publishes an OpenAPI schema (no `openapi_url=None`)
    is_async: bool
    response_model: str
    status_code: str
    dependencies: tuple[str, ...]
    security: tuple[str, ...]
    # The endpoint's module when it is not the registering one
    # (`router.add_api_route("/", handlers.list_items)`); "" otherwise.
    endpoint_module: str = ""
    # The registering call of such an endpoint declares its response (a response model or
    # class, `responses=`, a status code, `include_in_schema`, `deprecated`, `**options`).
    endpoint_declared: bool = False
    # `deprecated=True` on a router or app it is served through, or on `include_router`.
    deprecated: bool = False
    # An endpoint of another module: the registering call's own path (router prefixes left
    # out), known when no `dependencies=` there (call or router) may bind a path parameter.
    own_path: Optional[str] = None
    # (module, line) of each `include_router(..., dependencies=[...])` on the way to the
    # app: those dependencies run for this route too.
    dependency_sites: tuple[tuple[str, int], ...] = ()

    @property
    def app_publishes_no_schema(self) -> bool:
        return not self.app_openapi

    @property
    def path(self) -> Optional[str]:
        """The full path, None if a prefix or the path is not a literal."""
        if any(kind != "lit" for kind, _ in self.pieces):
            return None
        return "".join(text for _, text in self.pieces)

    @property
    def display_path(self) -> str:
        return "".join(text if kind == "lit" else "{" + text + "}" for kind, text in self.pieces)

    @property
    def display(self) -> str:
        methods = ",".join(self.methods) if self.methods else "ROUTE"
        return f"{methods} {self.display_path}"

    @property
    def is_websocket(self) -> bool:
        return self.methods == ("WEBSOCKET",)

    def order_against(self, other: ServedRoute) -> Optional[int]:
        """-1 if this route is registered before ``other`` on their app, 1 after, None unknown.

        Known when, at the router where their registrations part, both happen in
        the same module and code block, in branches that can both run.
        """
        for mine, theirs in zip(self.steps, other.steps):
            if mine == theirs:
                continue
            router, block, position, branches = mine
            other_router, other_block, other_position, other_branches = theirs
            if router != other_router or block != other_block or position == other_position:
                return None
            if _exclusive(branches, other_branches):
                return None
            return -1 if position < other_position else 1
        return None

    def same_router_and_module(self, other: ServedRoute) -> bool:
        """Both registered directly on one router from one module (the per-module rules' case)."""
        if not self.steps or not other.steps or len(self.steps) != len(other.steps):
            return False
        if self.steps[:-1] != other.steps[:-1]:
            return False
        if self.endpoint_module or other.endpoint_module:
            return False  # an endpoint of another module: no per-module rule compared it
        return self.steps[-1][0] == other.steps[-1][0] and self.module == other.module


@dataclass
class RouteTable:
    """All served routes of a project, by app, in registration order where known."""

    routes: list[ServedRoute]
    orphans: list[ServedRoute]  # routes on routers no app includes (as far as we can tell)
    # Indexes of the routes built on first use (here and by the route rules).
    memo: Memo = field(default_factory=Memo, init=False, repr=False, compare=False)

    def served(self, module: str, registration_line: int) -> list[ServedRoute]:
        """The served forms of one registration (one per app, and per include)."""
        index = self.memo.get(_BY_REGISTRATION)
        if index is None:
            index = {}
            for route in self.routes:
                index.setdefault((route.module, route.registration_line), []).append(route)
            self.memo.put(_BY_REGISTRATION, index)
        return list(index.get((module, registration_line), []))

    def app_routes(self, app: str) -> list[ServedRoute]:
        return [r for r in self.routes if r.app == app]

    def apps(self) -> list[str]:
        seen: dict[str, None] = {}
        for route in self.routes:
            seen.setdefault(route.app, None)
        return list(seen)


_BY_REGISTRATION: MemoKey[dict[tuple[str, int], list[ServedRoute]]] = MemoKey("by-registration")
# Per process and view; dropped when a module's text changes (``ProjectIndex.forget``).
ROUTE_TABLE: MemoKey[RouteTable] = MemoKey("route-table", text_dependent=True)


def route_table(project: ProjectIndex) -> RouteTable:
    """The project's route table (a cached fact), computed once per process.

    Kept on the index even when a cycle guard cut its computation short (then
    it is not stored on disk, and the next process computes the same table):
    every module of a run must see one table. ``ProjectIndex.forget`` drops it.

    The answer of every check that reads it depends on the table (the result
    cache's one dependency for them, stamped by its content: ``route_table_stamp``):
    an edited include, route or import elsewhere changes what this module's routes
    collide with.
    """
    view = "" if project.source_root == str(project.root) else project.source_root
    note_read(route_table_dependency(str(project.root), view))
    memo = project.memo.get(ROUTE_TABLE)
    if memo is not None:
        return memo
    with reads_unrecorded():  # the dependency above stands for the files it reads
        data = _table_fact(project)
    table = _table_from_json(data)
    project.memo.put(ROUTE_TABLE, table)
    return table


def route_table_stamp(root: str, source_root: str, options: RuleOptions | None) -> Stamp | None:
    """The result cache's stamp of the route table of the project at ``root`` (as the
    view of ``source_root`` sees it): a digest of the table as the project's files now
    make it (recomputed from the facts of the modules that changed)."""
    project = index_for("", options=options, root=root)
    if source_root:
        project = project.view(source_root)
    data = _table_fact(project)
    return content_stamp(data) if data is not None else None


def _table_fact(project: ProjectIndex) -> Any:
    """The table as the project's cached fact: one key for the checks and the stamp."""
    return project.fact("route-table/16", str(project.root), lambda: _compute_table(project))


def route_table_for(model: ModuleModel) -> RouteTable | None:
    project = index_of(model)
    if project is None:
        return None
    return route_table(project)


# ------------------------------------------------------------ JSON <-> objects


def _table_from_json(data: Any) -> RouteTable:
    if not isinstance(data, dict):
        return RouteTable([], [])

    def build(items: Any) -> list[ServedRoute]:
        result = []
        for item in items if isinstance(items, list) else []:
            try:
                result.append(
                    ServedRoute(
                        app=item["app"],
                        app_label=item["app_label"],
                        methods=tuple(item["methods"]) if item["methods"] is not None else None,
                        pieces=tuple((p[0], p[1]) for p in item["pieces"]),
                        module=item["module"],
                        function=item["function"],
                        name=item["name"],
                        file=item["file"],
                        line=item["line"],
                        registration_line=item["reg"],
                        steps=tuple((s[0], s[1], tuple(s[2]), tuple(s[3])) for s in item["steps"]),
                        in_schema=item["schema"],
                        app_openapi=item["openapi"],
                        is_async=item["async"],
                        response_model=item["response_model"],
                        status_code=item["status"],
                        dependencies=tuple(item["deps"]),
                        security=tuple(item["security"]),
                        endpoint_module=item.get("handler_module", ""),
                        endpoint_declared=bool(item.get("declared")),
                        deprecated=bool(item.get("deprecated")),
                        own_path=item.get("own_path"),
                        dependency_sites=tuple(
                            (site[0], site[1]) for site in item.get("dep_sites") or ()
                        ),
                    )
                )
            except (KeyError, TypeError, IndexError):
                continue  # a fact from another version: ignore the entry
        return result

    return RouteTable(build(data.get("routes")), build(data.get("orphans")))


# ------------------------------------------------------------ the project walk


def project_files(project: ProjectIndex) -> tuple[list[str], list[str]]:
    """(.py files, folders walked) under the project root, skipping tests and docs trees."""
    files: list[str] = []
    folders: list[str] = []
    for folder, subfolders, names in os.walk(project.root):
        folders.append(folder)
        subfolders[:] = walked_subfolders(folder, subfolders, _SKIPPED_FOLDERS)
        for name in sorted(names):
            if not name.endswith(".py") or name.startswith("test_") or name.endswith("_test.py"):
                continue
            if name == "conftest.py":
                continue
            files.append(os.path.join(folder, name))
            if len(files) >= _MAX_FILES:
                return files, folders
    return files, folders


def project_modules(project: ProjectIndex, relevant: Callable[[str], bool]) -> Iterator[str]:
    """The module names of the project's files whose text is ``relevant``; every file and
    folder walked is a dependency of the fact being computed."""
    from fastapi_lint.project.layout import module_name_for
    from fastapi_lint.source import SourceError, read_source

    files, folders = project_files(project)
    for folder in folders:
        project.depends_on_path(folder)
    for path in files:
        project.depends_on_path(path)
        try:
            text = read_source(path)
        except (SourceError, OSError):
            continue
        if relevant(text):
            yield module_name_for(Path(path), project.root)


def _compute_table(project: ProjectIndex) -> dict[str, Any]:
    summaries: dict[str, dict[str, Any]] = {}
    for module_name in project_modules(project, _relevant):
        summary = _module_fact(project, module_name)
        if isinstance(summary, dict):
            summaries[module_name] = summary
    return _join(
        summaries,
        lambda routers: registration_ranks(
            project, lambda: project_files(project)[0], routers, summaries
        ),
    )


def _module_fact(project: ProjectIndex, module_name: str) -> Any:
    return project.fact(
        "route-module/16", module_name, lambda: _module_summary(project, module_name)
    )


def _module_summary(project: ProjectIndex, module_name: str) -> dict[str, Any] | None:
    model = project.model(module_name)
    if model is None:
        return None
    from fastapi_lint.project.route_modules import ModuleRoutes

    return ModuleRoutes(model).summary()


def _exclusive(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """Whether two statements sit in branches of one if/try that do not both run."""
    mine = {token.rsplit(":", 1)[0]: token.rsplit(":", 1)[1] for token in first}
    sequential = {"body", "orelse", "finalbody"}
    for token in second:
        where, branch = token.rsplit(":", 1)
        other = mine.get(where)
        if other is None or other == branch:
            continue
        if where.startswith("try:") and other in sequential and branch in sequential:
            continue  # a try's body, else and finally all run
        return True
    return False


# ------------------------------------------------------------ joining modules


def _join(
    summaries: dict[str, dict[str, Any]],
    ranked: Callable[[dict[str, dict[str, Any]]], Ranks] | None = None,
) -> dict[str, Any]:
    """The apps' tables from the module summaries; ``ranked`` orders the modules that
    register on one shared router (``project/import_order.py``)."""
    routers: dict[str, dict[str, Any]] = {}
    router_module: dict[str, str] = {}
    includes: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    routes: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for module, summary in summaries.items():
        for key, router in (summary.get("routers") or {}).items():
            routers.setdefault(key, router)
            router_module.setdefault(key, module)
        for include in summary.get("includes") or []:
            includes.setdefault(include["parent"], []).append((module, include))
        for route in summary.get("routes") or []:
            routes.setdefault(route["router"], []).append((module, route))
    # `app = create_app()`: the factory's app settings (dependencies, openapi_url...)
    # apply to every route of the assigned app, not only to the factory's subtree.
    for items in list(includes.values()):
        for _, include in items:
            if include.get("alias") and include["child"] in routers:
                parent = dict(routers.get(include["parent"], {}))
                child = routers[include["child"]]
                # A router factory's prefix (`APIRouter(prefix=prefix)`) with this call's
                # arguments: each assigned router its own (`/products`, `/warehouses`).
                child_prefix = route_factories.filled_prefix(
                    child.get("template"), include.get("bind")
                )
                if child_prefix is None:
                    child_prefix = list(child.get("prefix") or [])
                parent["prefix"] = list(parent.get("prefix") or []) + child_prefix
                parent["deps"] = list(parent.get("deps") or []) + list(child.get("deps") or [])
                parent["security"] = sorted(
                    set(parent.get("security") or []) | set(child.get("security") or [])
                )
                for flag in ("schema", "openapi"):
                    parent[flag] = bool(parent.get(flag, True)) and bool(child.get(flag, True))
                parent.setdefault("app", child.get("app"))
                routers[include["parent"]] = parent
    files = {m: s.get("file", "") for m, s in summaries.items()}
    ranks = ranked(routers) if ranked is not None else {}
    included = {i["child"] for items in includes.values() for _, i in items}
    # An app built by a factory and assigned elsewhere (`app = create_app()`) is served
    # as the assigned one: only apps nobody includes are roots.
    # ... as far as the including side is known: `def mount_app(app: FastAPI):
    # app.mount("/x", sub)` in a library that never calls it leaves `sub` a root.
    known = set(routers) | included
    served_elsewhere = {
        i["child"] for items in includes.values() for _, i in items if i["parent"] in known
    }
    apps = [
        key for key, router in routers.items() if router.get("app") and key not in served_elsewhere
    ]
    served: list[dict[str, Any]] = []
    for app in apps:
        app_router = routers[app]
        context = {
            "app": app,
            "app_label": app_router.get("label", app),
            "openapi": bool(app_router.get("openapi", True)),
            "files": files,
            "ranks": ranks,
        }
        _expand(
            app,
            list(app_router.get("prefix") or []),
            [],
            list(app_router.get("deps") or []),
            list(app_router.get("security") or []),
            bool(app_router.get("schema", True)),
            routers,
            includes,
            routes,
            context,
            served,
            set(),
            deprecated=bool(app_router.get("deprecated")),
        )
    orphans: list[dict[str, Any]] = []
    # Routers no app reaches, with routes of their own or included ones (a parameter
    # nobody passes an app to is not one: `mount_chainlit(app)` in a library).
    candidates = [*routes, *(k for k in includes if k in routers and k not in routes)]
    roots = [k for k in candidates if k not in included and k not in apps]
    for root in roots:
        router = routers.get(root, {})
        context = {"app": "", "app_label": "", "files": files, "openapi": True, "ranks": ranks}
        _expand(
            root,
            list(router.get("prefix") or []),
            [],
            list(router.get("deps") or []),
            list(router.get("security") or []),
            bool(router.get("schema", True)),
            routers,
            includes,
            routes,
            context,
            orphans,
            set(),
            deprecated=bool(router.get("deprecated")),
        )
    return {"routes": served, "orphans": orphans}


def _expand(
    router_key: str,
    prefix: list[list[str]],
    steps: list[list[Any]],
    deps: list[str],
    security: list[str],
    schema: bool,
    routers: dict[str, dict[str, Any]],
    includes: dict[str, list[tuple[str, dict[str, Any]]]],
    routes: dict[str, list[tuple[str, dict[str, Any]]]],
    context: dict[str, Any],
    out: list[dict[str, Any]],
    active: set[str],
    copied_at: tuple[str, str, list[int]] | None = None,
    *,
    deprecated: bool = False,
    sites: tuple[tuple[str, int], ...] = (),
) -> None:
    """``copied_at``: where ``include_router`` copied this router's routes (module, block,
    position); what the same block registers on it later is not served through it."""
    if router_key in active or len(active) > _MAX_NESTING:
        return
    active = active | {router_key}
    events: list[tuple[str, str, list[int], dict[str, Any], bool]] = []
    for module, include in includes.get(router_key, []):
        events.append((module, include["block"], include["pos"], include, True))
    for module, route in routes.get(router_key, []):
        events.append((module, route["block"], route["pos"], route, False))
    # The router's own module first (it registers before anyone imports the router), then
    # the others; their order against each other is unknown (see order_against) unless
    # one module imports them in turn (the steps then share an `imports:` block).
    home = routers.get(router_key, {}).get("module")
    events.sort(key=lambda e: (e[0] != home, e[0], e[1], e[2]))
    for module, block, pos, item, is_include in events:
        if copied_at is not None and (module, block) == copied_at[:2] and pos > copied_at[2]:
            continue  # `app.include_router(r)` then `@r.get(...)`: FastAPI copied r before
        step = [router_key, block, pos, item["branches"]]
        rank = context["ranks"].get((router_key, module)) if block == module else None
        if rank is not None:
            # modules imported in turn by one module register in that order
            step = [router_key, f"imports:{rank[0]}", [*rank[1], *pos], item["branches"]]
        if is_include:
            child = item["child"]
            child_router = {} if item.get("alias") else routers.get(child, {})
            # A mounted app keeps its own dependencies and schema: FastAPI passes none down.
            mounted = bool(item.get("mount"))
            # A factory's router (`APIRouter(prefix=f"/{kind}s")`): this call's arguments.
            child_prefix = route_factories.filled_prefix(
                child_router.get("template"), item.get("bind")
            )
            if child_prefix is None:
                child_prefix = list(child_router.get("prefix") or [])
            _expand(
                child,
                prefix + list(item["prefix"]) + child_prefix,
                [*steps, step],
                ([] if mounted else deps)
                + list(item["deps"])
                + list(child_router.get("deps") or []),
                sorted(
                    set([] if mounted else security)
                    | set(item["security"])
                    | set(child_router.get("security") or [])
                ),
                (mounted or schema)
                and bool(item["schema"])
                and bool(child_router.get("schema", True)),
                routers,
                includes,
                routes,
                context,
                out,
                active,
                # A mounted app or a factory's own app is served live; an include copies.
                None
                if mounted or item.get("alias") or "(" in child
                else (module, block, list(pos)),
                # FastAPI passes `deprecated=True` down includes, not into a mounted app.
                deprecated=(deprecated and not mounted)
                or bool(item.get("deprecated"))
                or bool(child_router.get("deprecated")),
                sites=(() if mounted else sites)
                + (((module, item["line"]),) if item["deps"] else ()),
            )
            continue
        out.append(
            {
                "app": context["app"],
                "app_label": context["app_label"],
                "methods": item["methods"],
                "pieces": _merge(prefix + list(item["pieces"])),
                "module": module,
                "function": item["function"],
                "name": item["name"],
                "file": item.get("handler_file") or context["files"].get(module, ""),
                "line": item["line"],
                "reg": item["reg"],
                "steps": [*steps, step],
                "schema": schema and bool(item["schema"]),
                "openapi": context["openapi"],
                "async": item["async"],
                "response_model": item["response_model"],
                "status": item["status"],
                "deps": deps + list(item["deps"]),
                "security": sorted(set(security) | set(item["security"])),
                "handler_module": item.get("handler_module", ""),
                "declared": bool(item.get("declared")),
                **({"deprecated": True} if deprecated else {}),
                **({"own_path": item["own_path"]} if "own_path" in item else {}),
                **({"dep_sites": [list(site) for site in sites]} if sites else {}),
            }
        )


def _merge(pieces: list[list[str]]) -> list[list[str]]:
    """Adjacent literal pieces joined into one."""
    merged: list[list[str]] = []
    for kind, text in pieces:
        if kind == "lit" and merged and merged[-1][0] == "lit":
            merged[-1] = ["lit", merged[-1][1] + text]
        elif kind != "lit" or text:
            merged.append([kind, text])
    return merged

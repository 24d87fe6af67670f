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
modules run in import order, which the table does not guess: such pairs have
no known order (``ServedRoute.order_against``).
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.values import Instance, Ref

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import Binding, ModuleModel, Scope

# Trees never part of the served table: tests build throwaway apps, and the
# documentation trees hold tutorial apps (they are excluded from checks too).
_SKIPPED_FOLDERS = frozenset(
    {
        "tests",
        "test",
        "docs_src",
        "docs",
        "examples",
        "node_modules",
        "site-packages",
        "venv",
        "__pycache__",
        "build",
        "dist",
    }
)
# A file can only add to the table if it mentions one of these.
_RELEVANT = re.compile(
    r"include_router|APIRouter|FastAPI|add_api_route|add_api_websocket_route"
    r"|@\s*[\w.]+\.(?:get|post|put|patch|delete|options|head|trace|api_route|websocket)\s*\("
    # `app = create_app()` and `register_routes(app)`: an app made or filled elsewhere.
    r"|\bapp\s*=|\(\s*app\s*[,)]"
)
_MAX_FILES = 5000
_NESTED_ROOTS = ("pyproject.toml", "setup.py", "setup.cfg")
_MAX_NESTING = 12
_NON_JSON_RESPONSES = frozenset(
    {
        "HTMLResponse",
        "PlainTextResponse",
        "RedirectResponse",
        "FileResponse",
        "StreamingResponse",
        "Response",
    }
)
SECURITY_PREFIX = "fastapi.security"
# Piece of a joined path: ("lit", text) or ("expr", source of a non-literal prefix).
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
        return self.steps[-1][0] == other.steps[-1][0] and self.module == other.module


@dataclass
class RouteTable:
    """All served routes of a project, by app, in registration order where known."""

    routes: list[ServedRoute]
    orphans: list[ServedRoute]  # routes on routers no app includes (as far as we can tell)

    def served(self, module: str, registration_line: int) -> list[ServedRoute]:
        """The served forms of one registration (one per app, and per include)."""
        index = self.__dict__.get("_by_registration")
        if index is None:
            index = {}
            for route in self.routes:
                index.setdefault((route.module, route.registration_line), []).append(route)
            self.__dict__["_by_registration"] = index
        return list(index.get((module, registration_line), []))

    def app_routes(self, app: str) -> list[ServedRoute]:
        return [r for r in self.routes if r.app == app]

    def apps(self) -> list[str]:
        seen: dict[str, None] = {}
        for route in self.routes:
            seen.setdefault(route.app, None)
        return list(seen)


def route_table(project: ProjectIndex) -> RouteTable:
    """The project's route table (a cached fact)."""
    memo = project.__dict__.get("_route_table")
    data = project.fact("route-table", str(project.root), lambda: _compute_table(project))
    if memo is not None and memo[0] is data:
        return memo[1]  # type: ignore[no-any-return]
    table = _table_from_json(data)
    project.__dict__["_route_table"] = (data, table)
    return table


def route_table_for(model: ModuleModel) -> RouteTable | None:
    if model.project is None:
        return None
    return route_table(model.project)


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
                    )
                )
            except (KeyError, TypeError, IndexError):
                continue  # a fact from another version: ignore the entry
        return result

    return RouteTable(build(data.get("routes")), build(data.get("orphans")))


# ------------------------------------------------------------ the project walk


def _project_files(project: ProjectIndex) -> tuple[list[str], list[str]]:
    """(.py files, folders walked) under the project root, skipping tests and docs trees."""
    from fastapi_lint.config import DEFAULT_EXCLUDE

    skipped = set(DEFAULT_EXCLUDE) | _SKIPPED_FOLDERS
    files: list[str] = []
    folders: list[str] = []
    for folder, subfolders, names in os.walk(project.root):
        folders.append(folder)
        subfolders[:] = sorted(
            d
            for d in subfolders
            if d not in skipped
            and not d.startswith(".")
            and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))
            # Another project inside this one (a vendored service, a fixture project).
            and not any(os.path.exists(os.path.join(folder, d, marker)) for marker in _NESTED_ROOTS)
        )
        for name in sorted(names):
            if not name.endswith(".py") or name.startswith("test_") or name.endswith("_test.py"):
                continue
            if name == "conftest.py":
                continue
            files.append(os.path.join(folder, name))
            if len(files) >= _MAX_FILES:
                return files, folders
    return files, folders


def _compute_table(project: ProjectIndex) -> dict[str, Any]:
    from fastapi_lint.project.index import module_name_for
    from fastapi_lint.source import SourceError, read_source

    files, folders = _project_files(project)
    for folder in folders:
        project.depends_on_path(folder)
    summaries: dict[str, dict[str, Any]] = {}
    for path in files:
        project.depends_on_path(path)
        try:
            text = read_source(path)
        except (SourceError, OSError):
            continue
        if not _RELEVANT.search(text):
            continue
        from pathlib import Path

        module_name = module_name_for(Path(path), project.root)
        summary = _module_fact(project, module_name)
        if isinstance(summary, dict):
            summaries[module_name] = summary
    return _join(summaries)


def _module_fact(project: ProjectIndex, module_name: str) -> Any:
    return project.fact("route-module", module_name, lambda: _module_summary(project, module_name))


def _module_summary(project: ProjectIndex, module_name: str) -> dict[str, Any] | None:
    model = project.model(module_name)
    if model is None:
        return None
    return ModuleRoutes(model).summary()


# ------------------------------------------------------------ one module


class ModuleRoutes:
    """One module's routers, include_router calls and routes, as JSON."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.routers: dict[str, dict[str, Any]] = {}
        self.includes: list[dict[str, Any]] = []
        self.routes: list[dict[str, Any]] = []
        self._security_memo: dict[str, list[str]] = {}

    def summary(self) -> dict[str, Any]:
        model = self.model
        facts = model.fastapi
        for ref in model.calls:
            call = ref.node
            assert isinstance(call, ast.Call)
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr == "include_router":
                self._include(call, ref.scope)
            else:
                self._maybe_router(call, ref.scope)
                if call.args or call.keywords:
                    self._passed_routers(call, ref.scope)
        for route in facts.routes:
            self._route(route)
        return {
            "file": os.path.abspath(model.path) if model.path else "",
            "routers": self.routers,
            "includes": self.includes,
            "routes": self.routes,
        }

    # ---------------------------------------------------------------- keys
    def router_key(self, expr: ast.expr, scope: Scope, depth: int = 0) -> str | None:
        """A router's identity: the qualified name of its module-level variable,
        ``module:name:line`` for one local to a function."""
        from fastapi_lint.semantic.model import BindingKind, ScopeKind

        model = self.model
        if isinstance(expr, ast.Name):
            binding = model.lookup(expr.id, scope)
            if binding is None:
                return None
            if binding.kind is BindingKind.IMPORT:
                return self._canonical(binding.qualname or "")
            if binding.kind is BindingKind.PARAM:
                # `def register_routes(app: FastAPI)`: the routers its callers pass in
                # (see _passed_routers).
                function = binding.scope.function
                return f"{function.qualname}({expr.id})" if function is not None else None
            if binding.kind not in (BindingKind.ASSIGN, BindingKind.OTHER):
                return None
            if binding.scope.kind is ScopeKind.MODULE:
                return f"{model.module_name}.{expr.id}"
            return f"{model.module_name}:{expr.id}:{binding.line}"
        if isinstance(expr, ast.Attribute):
            owner = model.evaluate(expr.value, scope)
            if isinstance(owner, Ref):
                return self._canonical(f"{owner.qualname}.{expr.attr}")
        return None

    def _canonical(self, qualname: str) -> str | None:
        if not qualname:
            return None
        project = self.model.project
        if project is not None:
            found = project.definition(qualname)
            if found is not None:
                other, binding = found
                return f"{other.module_name}.{binding.name}"
        return stubs.canonical(qualname)

    def _router_kind(self, expr: ast.expr, scope: Scope) -> bool | None:
        """True for an app, False for a router, None for neither."""
        value = self.model.evaluate(expr, scope)
        if isinstance(value, Instance):
            return self.model.fastapi._router_base(value.type)
        if isinstance(value, Ref):
            if self.model.fastapi._looks_like_project_router(value.qualname):
                return value.qualname.rsplit(".", 1)[-1] == "app"
        return None

    # ---------------------------------------------------------------- collection
    def _maybe_router(self, call: ast.Call, scope: Scope) -> None:
        """``x = FastAPI(...)`` / ``x = APIRouter(...)``: a router and its settings."""
        model = self.model
        value = model.evaluate(call, scope)
        if not isinstance(value, Instance):
            return
        is_app = model.fastapi._router_base(value.type)
        if is_app is None:
            return
        parent = model.parents.get(id(call))
        if not isinstance(parent, (ast.Assign, ast.AnnAssign)):
            return
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) != 1 or not isinstance(targets[0], ast.Name):
            return
        key = self.router_key(targets[0], scope)
        if key is None:
            return
        self._factory_result(call, scope, key)
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        self.routers[key] = {
            "app": is_app,
            "prefix": self._pieces(keywords.get("prefix"), scope),
            "deps": self._dependency_labels(keywords.get("dependencies"), scope),
            "security": self._dependency_security(keywords.get("dependencies"), scope),
            "schema": self._in_schema(keywords, is_app),
            "openapi": not ("openapi_url" in keywords and _const(keywords["openapi_url"]) is None),
            "line": call.lineno,
            "label": f"{model.module_name}:{targets[0].id}",
            "module": model.module_name,
        }

    def _include(self, call: ast.Call, scope: Scope) -> None:
        func = call.func
        assert isinstance(func, ast.Attribute)
        parent = self.router_key(func.value, scope)
        if parent is None or self._router_kind(func.value, scope) is None:
            return
        child_node = call.args[0] if call.args else None
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        if child_node is None:
            child_node = keywords.get("router")
        if child_node is None:
            return
        children = self._children(child_node, scope)
        statement = self._statement(call)
        for index, child in enumerate(children):
            self.includes.append(
                {
                    "parent": parent,
                    "child": child,
                    "prefix": self._pieces(keywords.get("prefix"), scope),
                    "deps": self._dependency_labels(keywords.get("dependencies"), scope),
                    "security": self._dependency_security(keywords.get("dependencies"), scope),
                    "schema": self._in_schema(keywords, False),
                    "line": call.lineno,
                    "block": self._block(statement),
                    "pos": [statement.lineno, getattr(statement, "col_offset", 0), index],  # type: ignore[attr-defined]
                    "branches": self._branches(statement),
                }
            )

    def _factory_result(self, call: ast.Call, scope: Scope, key: str) -> None:
        """``app = create_app()``: the app the factory builds (and returns) is this one;
        recorded as an include of the factory's local app, without prefix."""
        model = self.model
        callee = model.evaluate(call.func, scope)
        if not isinstance(callee, Ref):
            return
        found = model.find_function(callee.qualname)
        if found is None:
            return
        factory_model, info = found
        for ref in factory_model.nodes[ast.Return]:
            returned = getattr(ref.node, "value", None)
            if ref.scope.code_function is not info or not isinstance(returned, ast.Name):
                continue
            local = ModuleRoutes(factory_model).router_key(returned, ref.scope)
            if local is None or local == key:
                continue
            statement = self._statement(call)
            self.includes.append(
                {
                    "parent": key,
                    "child": local,
                    "prefix": [],
                    "deps": [],
                    "security": [],
                    "schema": True,
                    "line": call.lineno,
                    "block": self._block(statement),
                    "pos": [statement.lineno, getattr(statement, "col_offset", 0), -1],
                    "branches": self._branches(statement),
                    "alias": True,
                }
            )
            return

    def _passed_routers(self, call: ast.Call, scope: Scope) -> None:
        """``register_routes(app)``: an app or router handed to a project function, which
        registers routes on its parameter; recorded as an include without prefix."""
        model = self.model
        passed: list[tuple[str | int, str]] = []
        for position, arg in enumerate(call.args):
            key = self._passed_key(arg, scope)
            if key is not None:
                passed.append((position, key))
        for keyword in call.keywords:
            if keyword.arg is not None:
                key = self._passed_key(keyword.value, scope)
                if key is not None:
                    passed.append((keyword.arg, key))
        if not passed:
            return
        callee = model.evaluate(call.func, scope)
        if not isinstance(callee, Ref):
            return
        found = model.find_function(callee.qualname)
        if found is None:
            return
        _, info = found
        args = info.node.args
        positional = [a.arg for a in args.posonlyargs + args.args]
        if info.is_method and positional:
            positional = positional[1:]
        names = set(positional) | {a.arg for a in args.kwonlyargs}
        statement = self._statement(call)
        for where, key in passed:
            if isinstance(where, int):
                if where >= len(positional):
                    continue
                param = positional[where]
            elif where in names:
                param = where
            else:
                continue
            self.includes.append(
                {
                    "parent": key,
                    "child": f"{info.qualname}({param})",
                    "prefix": [],
                    "deps": [],
                    "security": [],
                    "schema": True,
                    "line": call.lineno,
                    "block": self._block(statement),
                    "pos": [statement.lineno, getattr(statement, "col_offset", 0), 0],
                    "branches": self._branches(statement),
                }
            )

    def _passed_key(self, node: ast.expr, scope: Scope) -> str | None:
        if not isinstance(node, ast.Name):
            return None
        if self._router_kind(node, scope) is None:
            return None
        return self.router_key(node, scope)

    def _children(self, node: ast.expr, scope: Scope) -> list[str]:
        """The routers an ``include_router`` argument names; a loop variable over a list
        of routers (``for r in ROUTERS: app.include_router(r)``, the list here or
        imported) gives each of them."""
        from fastapi_lint.semantic.model import BindingKind

        if isinstance(node, ast.Name):
            binding = self.model.lookup(node.id, scope)
            if binding is not None and binding.kind is BindingKind.FOR:
                if binding.value is None:
                    return []
                return self._listed_routers(binding.value, binding.scope, 0)
        key = self.router_key(node, scope)
        return [key] if key is not None else []

    def _listed_routers(self, node: ast.expr, scope: Scope, depth: int) -> list[str]:
        from fastapi_lint.semantic.model import BindingKind

        if depth > 4:
            return []
        if isinstance(node, (ast.List, ast.Tuple)):
            keys = [self.router_key(e, scope) for e in node.elts if not isinstance(e, ast.Starred)]
            return [k for k in keys if k is not None]
        if not isinstance(node, ast.Name):
            return []
        binding = self.model.lookup(node.id, scope)
        if binding is None:
            return []
        if binding.kind is BindingKind.ASSIGN and binding.value is not None:
            return self._listed_routers(binding.value, binding.scope, depth + 1)
        project = self.model.project
        if binding.kind is BindingKind.IMPORT and binding.qualname and project is not None:
            found = project.definition(binding.qualname)
            if found is None:
                return []
            other, other_binding = found
            if other_binding.kind is not BindingKind.ASSIGN or other_binding.value is None:
                return []
            return ModuleRoutes(other)._listed_routers(
                other_binding.value, other_binding.scope, depth + 1
            )
        return []

    def _route(self, route: Any) -> None:
        from fastapi_lint.semantic.fastapi import RouteInfo

        assert isinstance(route, RouteInfo)
        function = route.function
        registration = route.registration
        is_decorator = registration in function.node.decorator_list
        scope = function.outer if is_decorator else self._scope_of(registration)
        func = registration.func
        if not isinstance(func, ast.Attribute):
            return
        key = self.router_key(func.value, scope)
        if key is None:
            return
        statement = function.node if is_decorator else self._statement(registration)
        if is_decorator:
            decorators = function.node.decorator_list
            index = next(i for i, d in enumerate(decorators) if d is registration)
            pos = [min(d.lineno for d in decorators), 0, len(decorators) - index]
        else:
            pos = [registration.lineno, 1, registration.col_offset]
        keywords = route.keywords
        star = any(k.arg is None for k in registration.keywords)
        methods: list[str] | None = list(route.methods)
        if func.attr in ("api_route", "add_api_route"):
            declared = keywords.get("methods")
            literal = declared is None or (
                isinstance(declared, (ast.List, ast.Tuple, ast.Set))
                and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in declared.elts
                )
            )
            if not literal or star:
                methods = None
        path = route.path if route.path is not None else None
        pieces: list[list[str]] = (
            [["lit", path]] if path is not None else [["expr", _source(route.path_node)]]
        )
        response_model = keywords.get("response_model")
        returns = function.node.returns
        shown_model = response_model if response_model is not None else returns
        status = keywords.get("status_code")
        self.routes.append(
            {
                "router": key,
                "methods": methods,
                "pieces": pieces,
                "function": function.qualname,
                "name": function.name,
                "line": function.node.lineno,
                "reg": registration.lineno,
                "block": self._block(statement),
                "pos": pos,
                "branches": self._branches(statement),
                "async": function.is_async,
                "response_model": _source(shown_model) if shown_model is not None else "",
                "status": _status(status, route.is_websocket),
                "deps": self._function_dependency_labels(function)
                + self._dependency_labels(keywords.get("dependencies"), scope),
                "security": sorted(
                    set(self.function_security(function))
                    | set(self._dependency_security(keywords.get("dependencies"), scope))
                ),
                "schema": _const(keywords.get("include_in_schema")) is not False,
            }
        )

    # ---------------------------------------------------------------- settings
    def _in_schema(self, keywords: dict[str, ast.expr], is_app: bool) -> bool:
        if _const(keywords.get("include_in_schema")) is False:
            return False
        if is_app and "openapi_url" in keywords and _const(keywords["openapi_url"]) is None:
            return False
        default_class = keywords.get("default_response_class")
        return default_class is None or _last_name(default_class) not in _NON_JSON_RESPONSES

    def _pieces(self, node: ast.expr | None, scope: Scope) -> list[list[str]]:
        if node is None:
            return []
        text = self._string(node, scope, 0)
        if text is not None:
            return [["lit", text]] if text else []
        return [["expr", _source(node)]]

    def _string(self, node: ast.expr, scope: Scope, depth: int) -> str | None:
        """A string constant: a literal, a module constant, an f-string or ``+`` of those."""
        from fastapi_lint.semantic.model import BindingKind

        if depth > 6:
            return None
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self._string(node.left, scope, depth + 1)
            right = self._string(node.right, scope, depth + 1)
            return left + right if left is not None and right is not None else None
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    if value.format_spec is not None or value.conversion != -1:
                        return None
                    part = self._string(value.value, scope, depth + 1)
                else:
                    part = self._string(value, scope, depth + 1)  # type: ignore[arg-type]
                if part is None:
                    return None
                parts.append(part)
            return "".join(parts)
        if isinstance(node, ast.Name):
            binding: Binding | None = self.model.lookup(node.id, scope)
            if binding is None:
                return None
            if (
                binding.kind is BindingKind.ASSIGN
                and binding.value is not None
                and binding.unpack_index is None
                and len(binding.scope.bindings.get(node.id, [])) == 1
            ):
                return self._string(binding.value, binding.scope, depth + 1)
            project = self.model.project
            if binding.kind is BindingKind.IMPORT and binding.qualname and project is not None:
                # A constant of another module (`from app.config import API_PREFIX`).
                found = project.definition(binding.qualname)
                if found is not None:
                    other, other_binding = found
                    name = ast.Name(id=other_binding.name, ctx=ast.Load())
                    return ModuleRoutes(other)._string(name, other.module_scope, depth + 1)
        return None

    # ---------------------------------------------------------------- dependencies
    def _dependency_targets(
        self, declared: ast.expr | None, scope: Scope
    ) -> list[tuple[ast.Call, ast.expr | None]]:
        if not isinstance(declared, (ast.List, ast.Tuple)):
            return []
        result = []
        for element in declared.elts:
            is_depends, target = self.model.fastapi.depends_target(element, scope)
            if is_depends and isinstance(element, ast.Call):
                result.append((element, target))
        return result

    def _dependency_labels(self, declared: ast.expr | None, scope: Scope) -> list[str]:
        return [
            _dependency_label(call, target)
            for call, target in self._dependency_targets(declared, scope)
        ]

    def _dependency_security(self, declared: ast.expr | None, scope: Scope) -> list[str]:
        found: set[str] = set()
        for call, target in self._dependency_targets(declared, scope):
            found |= set(self._target_security(call, target, scope, None, 0))
        return sorted(found)

    def _function_dependency_labels(self, function: Any) -> list[str]:
        labels = []
        for call, target, _, _ in self._param_dependencies(function):
            labels.append(_dependency_label(call, target))
        return labels

    def _param_dependencies(
        self, function: Any
    ) -> list[tuple[ast.Call, ast.expr | None, Scope, ast.expr | None]]:
        """(Depends call, target, scope, parameter annotation base) of each parameter."""
        from fastapi_lint.semantic.model import parameter_defaults

        model = self.model
        facts = model.fastapi
        args = function.node.args
        defaults = parameter_defaults(args)
        outer = function.outer
        result = []
        for arg in args.posonlyargs + args.args + args.kwonlyargs:
            default = defaults.get(id(arg))
            base = None
            meta: list[ast.expr] = []
            meta_scope = outer
            if arg.annotation is not None:
                base_node, meta, meta_scope = model.annotated_metadata(arg.annotation, outer)
                base = base_node if isinstance(base_node, ast.expr) else None
            if isinstance(default, ast.Call):
                is_depends, target = facts.depends_target(default, outer)
                if is_depends:
                    result.append((default, target, outer, base))
                    continue
            for item in meta:
                is_depends, target = facts.depends_target(item, meta_scope)
                if is_depends and isinstance(item, ast.Call):
                    result.append((item, target, meta_scope, base))
        return result

    def function_security(self, function: Any, depth: int = 0) -> list[str]:
        """The security schemes a function's ``Depends``/``Security`` parameters reach."""
        key = function.qualname
        if key in self._security_memo:
            return self._security_memo[key]
        self._security_memo[key] = []  # cycle guard
        found: set[str] = set()
        if depth <= _MAX_NESTING:
            for call, target, scope, base in self._param_dependencies(function):
                found |= set(self._target_security(call, target, scope, base, depth + 1))
        result = sorted(found)
        self._security_memo[key] = result
        return result

    def _target_security(
        self,
        call: ast.Call,
        target: ast.expr | None,
        scope: Scope,
        base: ast.expr | None,
        depth: int,
    ) -> list[str]:
        model = self.model
        is_security = _last_name(call.func) == "Security"
        if target is None:
            target = base  # `Depends()`: the annotation is the dependency
        if target is None or depth > _MAX_NESTING:
            return ["Security(...)"] if is_security else []
        value = model.evaluate(target, scope)
        schemes: list[str] = []
        if isinstance(value, Instance):
            scheme = self._scheme_of_type(value.type)
            if scheme is not None:
                schemes = [scheme]
            else:
                schemes = self._qualname_security(value.type + ".__call__", depth)
        elif isinstance(value, Ref):
            schemes = self._qualname_security(value.qualname, depth)
            if not schemes:
                schemes = self._qualname_security(value.qualname + ".__init__", depth)
        if is_security and not schemes:
            return [f"Security({_source(target)})"]
        return schemes

    def _scheme_of_type(self, type_name: str) -> str | None:
        if type_name.startswith(SECURITY_PREFIX):
            return type_name.rsplit(".", 1)[-1]
        project = self.model.project
        bases = project.class_bases(type_name) if project is not None else []
        for base in bases:
            if base.startswith(SECURITY_PREFIX):
                return f"{type_name.rsplit('.', 1)[-1]} ({base.rsplit('.', 1)[-1]})"
        return None

    def _qualname_security(self, qualname: str, depth: int) -> list[str]:
        if qualname.startswith(("fastapi.", "starlette.")):
            return []
        model = self.model
        function = model.function_named(qualname)
        if function is not None:
            return self.function_security(function, depth)
        project = model.project
        if project is None or qualname.split(".", 1)[0] in _external():
            return []

        def compute() -> list[str]:
            found = project.function(qualname)
            if found is None:
                return []
            other_model, info = found
            return ModuleRoutes(other_model).function_security(info, depth)

        result = project.fact("security-schemes", qualname, compute)
        return list(result) if isinstance(result, list) else []

    # ---------------------------------------------------------------- positions
    def _scope_of(self, node: ast.AST) -> Scope:
        function = self.model.function_scope_of(node)
        return function.scope if function is not None else self.model.module_scope  # type: ignore[attr-defined]

    def _statement(self, node: ast.AST) -> ast.stmt:
        current: ast.AST = node
        for ancestor in self.model.ancestors(node):
            if isinstance(current, ast.stmt):
                return current
            current = ancestor
        return current if isinstance(current, ast.stmt) else node  # type: ignore[return-value]

    def _block(self, statement: ast.AST) -> str:
        for ancestor in self.model.ancestors(statement):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                return f"{self.model.module_name}:{ancestor.lineno}"
            if isinstance(ancestor, ast.Lambda):
                return f"{self.model.module_name}:{ancestor.lineno}:lambda"
        return self.model.module_name

    def _branches(self, statement: ast.AST) -> list[str]:
        """Tokens ``line:col:branch`` of the if/try statements around ``statement``."""
        tokens = []
        child: ast.AST = statement
        for ancestor in self.model.ancestors(statement):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                break
            if isinstance(ancestor, (ast.If, ast.Try)) or type(ancestor).__name__ in (
                "TryStar",
                "Match",
            ):
                branch = "other"
                for name in ("body", "orelse", "handlers", "finalbody", "cases"):
                    items = getattr(ancestor, name, None)
                    if isinstance(items, list) and any(item is child for item in items):
                        branch = name
                        if name in ("handlers", "cases"):
                            branch = f"{name}{items.index(child)}"
                kind = "if" if isinstance(ancestor, ast.If) else "try"
                tokens.append(f"{kind}:{ancestor.lineno}:{ancestor.col_offset}:{branch}")  # type: ignore[attr-defined]
            child = ancestor
        return tokens


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


def _external() -> frozenset[str]:
    from fastapi_lint.project.index import EXTERNAL_TOP_LEVEL

    return EXTERNAL_TOP_LEVEL


def _dependency_label(call: ast.Call, target: ast.expr | None) -> str:
    name = _last_name(call.func) or "Depends"
    inner = _source(target) if target is not None else ""
    return f"{name}({inner})" if name == "Security" else (inner or "Depends()")


def _source(node: ast.AST | None) -> str:
    if node is None:
        return ""
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - unparse of odd trees
        return "?"
    return text if len(text) <= 80 else text[:77] + "..."


def _status(node: ast.expr | None, websocket: bool) -> str:
    if websocket:
        return ""
    if node is None:
        return "200"
    if isinstance(node, ast.Constant):
        return str(node.value)
    name = _last_name(node)
    match = re.match(r"HTTP_(\d{3})_", name)
    return match.group(1) if match else _source(node)


def _const(node: ast.expr | None) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    return _MISSING


_MISSING = object()


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


# ------------------------------------------------------------ joining modules


def _join(summaries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The apps' tables from the module summaries."""
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
                parent["deps"] = list(parent.get("deps") or []) + list(child.get("deps") or [])
                parent["security"] = sorted(
                    set(parent.get("security") or []) | set(child.get("security") or [])
                )
                for flag in ("schema", "openapi"):
                    parent[flag] = bool(parent.get(flag, True)) and bool(child.get(flag, True))
                parent.setdefault("app", child.get("app"))
                routers[include["parent"]] = parent
    files = {m: s.get("file", "") for m, s in summaries.items()}
    included = {i["child"] for items in includes.values() for _, i in items}
    # An app built by a factory and assigned elsewhere (`app = create_app()`) is served
    # as the assigned one: only apps nobody includes are roots.
    apps = [key for key, router in routers.items() if router.get("app") and key not in included]
    served: list[dict[str, Any]] = []
    for app in apps:
        app_router = routers[app]
        context = {
            "app": app,
            "app_label": app_router.get("label", app),
            "openapi": bool(app_router.get("openapi", True)),
            "files": files,
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
        )
    orphans: list[dict[str, Any]] = []
    roots = [k for k in routes if k not in included and k not in apps]
    for root in roots:
        router = routers.get(root, {})
        context = {"app": "", "app_label": "", "files": files, "openapi": True}
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
) -> None:
    if router_key in active or len(active) > _MAX_NESTING:
        return
    active = active | {router_key}
    events: list[tuple[str, str, list[int], dict[str, Any], bool]] = []
    for module, include in includes.get(router_key, []):
        events.append((module, include["block"], include["pos"], include, True))
    for module, route in routes.get(router_key, []):
        events.append((module, route["block"], route["pos"], route, False))
    # The router's own module first (it registers before anyone imports the router), then
    # the others; their order against each other is unknown (see order_against).
    home = routers.get(router_key, {}).get("module")
    events.sort(key=lambda e: (e[0] != home, e[0], e[1], e[2]))
    for module, block, pos, item, is_include in events:
        step = [router_key, block, pos, item["branches"]]
        if is_include:
            child = item["child"]
            child_router = {} if item.get("alias") else routers.get(child, {})
            _expand(
                child,
                prefix + list(item["prefix"]) + list(child_router.get("prefix") or []),
                [*steps, step],
                deps + list(item["deps"]) + list(child_router.get("deps") or []),
                sorted(
                    set(security) | set(item["security"]) | set(child_router.get("security") or [])
                ),
                schema and bool(item["schema"]) and bool(child_router.get("schema", True)),
                routers,
                includes,
                routes,
                context,
                out,
                active,
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
                "file": context["files"].get(module, ""),
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

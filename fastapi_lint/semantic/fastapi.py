"""FastAPI facts of one module: apps, routers, routes, dependencies, async contexts."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.constant_strings import string_value
from fastapi_lint.semantic.limits import too_deep
from fastapi_lint.semantic.periodic import is_periodic_task
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import keyword_value, parameter_defaults
from fastapi_lint.semantic.values import Instance, Member, Ref, Value

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

DEPENDS_NAMES = frozenset({"fastapi.Depends", "fastapi.Security"})


# Response classes whose body is not JSON: an app or router whose default is one
# of them does not describe a JSON response model (API201, the route inventory).
NON_JSON_RESPONSES = frozenset(
    {
        "HTMLResponse",
        "PlainTextResponse",
        "RedirectResponse",
        "FileResponse",
        "StreamingResponse",
        "Response",
    }
)


@dataclass(frozen=True)
class RouterRef:
    """A FastAPI() or APIRouter() object, identified by where it is defined."""

    key: str  # qualified name of the variable, or a source spelling when unknown
    is_app: bool
    # The literal `prefix=` of `router = APIRouter(prefix="/items")` in this module, which
    # messages put before a route's path (what a reader searches for); "" when unknown.
    # Not part of the router's identity.
    prefix: str = field(default="", compare=False)


@dataclass(eq=False)
class RouteInfo:
    function: FunctionInfo
    router: RouterRef
    methods: tuple[str, ...]
    path: Optional[str]  # None when not a literal
    registration: ast.Call  # the decorator call or the add_api_route(...) call
    keywords: dict[str, ast.expr]
    path_node: Optional[ast.expr] = None

    @property
    def is_websocket(self) -> bool:
        return self.methods == ("WEBSOCKET",)

    @property
    def display(self) -> str:
        methods = ",".join(self.methods) if self.methods else "ROUTE"
        if self.path is None:
            return f"{methods} route `{self.function.name}`"
        path = self.router.prefix + self.path
        return f"{methods} {path}" if path else f'{methods} ""'  # the router's root


@dataclass(eq=False)
class ForeignRoute:
    """``router.add_api_route("/{id}", handlers.get_item)`` where the endpoint is a function
    of another module: no ``RouteInfo`` (the per-module rules read the function in its own
    module); the route table (``project/route_modules.py``) serves it and the cross-router
    conflict check compares it."""

    qualname: str  # the endpoint, resolved when the table is built
    router: RouterRef
    methods: tuple[str, ...]
    path: Optional[str]
    registration: ast.Call
    keywords: dict[str, ast.expr]
    path_node: Optional[ast.expr] = None


# The start-up/shutdown handler lists of an app or router (`FastAPI(on_startup=[...])`).
EVENT_LISTS = frozenset({"on_startup", "on_shutdown"})


@dataclass(frozen=True)
class DependencyUse:
    """``Depends(target)`` in a parameter, an ``Annotated`` alias or ``dependencies=[...]``."""

    consumer: Optional[FunctionInfo]
    param: Optional[ast.arg]
    target: Optional[ast.expr]  # None for `Depends()` (the annotation is the dependency)
    scope: Scope  # where `target` must be evaluated
    call: ast.Call


@dataclass(eq=False)
class FastAPIFacts:
    model: ModuleModel
    routes: list[RouteInfo] = field(default_factory=list)
    routes_by_function: dict[int, list[RouteInfo]] = field(default_factory=dict)
    dependencies: list[DependencyUse] = field(default_factory=list)
    startup_handlers: set[int] = field(default_factory=set)  # id(function node)
    dependency_functions: set[str] = field(default_factory=set)  # qualnames
    event_registrations: list[ast.Call] = field(default_factory=list)  # on_event/add_event_handler
    foreign_routes: list[ForeignRoute] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._collect()

    # ------------------------------------------------------------ queries
    def router_of(self, expr: ast.expr, scope: Scope) -> RouterRef | None:
        value = self.model.evaluate(expr, scope)
        if value is None and isinstance(expr, ast.Name):
            value = self._router_beside_none(expr.id, scope)
        if isinstance(value, Instance):
            base = self._router_base(value.type)
            if base is not None:
                return RouterRef(self._key(expr, scope), base, self._own_prefix(expr, scope, base))
            return None
        if isinstance(value, Ref) and self._looks_like_project_router(value.qualname):
            return RouterRef(value.qualname, value.qualname.rsplit(".", 1)[-1] == "app")
        return None

    def _router_beside_none(self, name: str, scope: Scope) -> Value | None:
        """``if HAVE_FASTAPI: router = APIRouter()`` / ``else: router = None``: the ``None``
        (the later binding) is the stand-in for a missing dependency.  ``@router.get(...)``
        on ``None`` could not run, so where the code decorates with the name it holds the
        router: the last other binding whose value is an app or a router."""
        binding = self.model.lookup(name, scope)
        if binding is None or not _is_none(binding.value):
            return None
        for other in reversed(binding.scope.bindings.get(name, [])):
            if other is binding or other.value is None or _is_none(other.value):
                continue
            value = self.model.evaluate(other.value, other.scope)
            if isinstance(value, Instance) and self._router_base(value.type) is not None:
                return value
        return None

    def _own_prefix(self, expr: ast.expr, scope: Scope, is_app: bool) -> str:
        """``"/items"`` for ``router = APIRouter(prefix="/items")`` bound once in this module."""
        if is_app or not isinstance(expr, ast.Name):
            return ""
        binding = self.model.lookup(expr.id, scope)
        if binding is None or not isinstance(binding.value, ast.Call):
            return ""
        prefix = keyword_value(binding.value.keywords, "prefix")
        if prefix is None:
            return ""
        return self._path_text(prefix, binding.scope) or ""

    def _router_base(self, type_name: str) -> bool | None:
        if type_name in stubs.FASTAPI_APP_TYPES:
            return True
        if type_name in stubs.FASTAPI_ROUTER_TYPES:
            return False
        project = self.model.project
        bases = (
            project.class_bases(type_name) if project is not None else self._local_bases(type_name)
        )
        for base in bases:
            if base in stubs.FASTAPI_APP_TYPES:
                return True
            if base in stubs.FASTAPI_ROUTER_TYPES:
                return False
        return None

    def _local_bases(self, type_name: str) -> list[str]:
        for class_info in self.model.classes:
            if class_info.qualname == type_name:
                return [
                    q
                    for q in (
                        self.model.qualified_name(b, class_info.outer)
                        for b in class_info.node.bases
                    )
                    if q
                ]
        return []

    def _looks_like_project_router(self, qualname: str) -> bool:
        # An unresolved name imported from the project (no index, or the
        # defining module could not be read): trust the conventional names.
        if "." not in qualname or qualname.startswith(("fastapi.", "starlette.")):
            return False
        last = qualname.rsplit(".", 1)[-1]
        return last in ("app", "router", "api_router") or last.endswith("_router")

    def _key(self, expr: ast.expr, scope: Scope) -> str:
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id, scope)
            if binding is not None:
                return f"{self.model.module_name}:{expr.id}:{binding.line}"
        try:
            return ast.unparse(expr)
        except Exception:  # pragma: no cover - unparse of odd trees
            return repr(expr)

    def is_startup_handler(self, function: FunctionInfo) -> bool:
        return id(function.node) in self.startup_handlers

    def is_async_context(self, scope: Scope) -> bool:
        """Whether code in ``scope`` runs on the event loop (see the contract)."""
        function = scope.code_function
        return function is not None and function.is_async and not self.is_startup_handler(function)

    def routes_of(self, function: FunctionInfo) -> list[RouteInfo]:
        return self.routes_by_function.get(id(function.node), [])

    def describe(self, function: FunctionInfo | None) -> str:
        """How a message names a function: ``route GET /items/{id}`` or ``async function `f```."""
        if function is None:
            return "module code"
        routes = self.routes_of(function)
        if routes:
            route = routes[0]
            # "GET route `f`" already says route when the path is not a literal.
            return route.display if route.path is None else f"route {route.display}"
        if function.qualname in self.dependency_functions:
            return f"async dependency `{function.name}`"
        kind = "async method" if function.is_method else "async function"
        return f"{kind} `{function.name}`"

    def depends_target(self, call: ast.expr, scope: Scope) -> tuple[bool, ast.expr | None]:
        """Whether ``call`` is ``Depends(...)``/``Security(...)``, and its dependency."""
        if not isinstance(call, ast.Call):
            return False, None
        func = call.func
        # Cheap filter first: the spelled name, or a local alias of an import.
        if isinstance(func, ast.Attribute):
            if func.attr not in ("Depends", "Security"):
                return False, None
        elif isinstance(func, ast.Name):
            if func.id not in ("Depends", "Security"):
                binding = self.model.lookup(func.id, scope)
                if binding is None or not (binding.qualname or "").endswith(
                    ("Depends", "Security")
                ):
                    return False, None
        else:
            return False, None
        qualname = self.model.qualified_name(func, scope)
        if qualname not in DEPENDS_NAMES:
            return False, None
        if call.args:
            return True, call.args[0]
        for keyword in call.keywords:
            if keyword.arg == "dependency":
                return True, keyword.value
        return True, None

    # ------------------------------------------------------------ collection
    def _collect(self) -> None:
        model = self.model
        for ref in model.calls:
            call = ref.node
            assert isinstance(call, ast.Call)
            func = call.func
            if isinstance(func, ast.Attribute):
                if func.attr == "add_api_route" or func.attr == "add_api_websocket_route":
                    self._collect_add_api_route(call, ref.scope)
                elif func.attr == "add_event_handler":
                    router = self.router_of(func.value, ref.scope)
                    if router is not None:
                        self.event_registrations.append(call)
                        if len(call.args) >= 2:
                            self._mark_startup(call.args[1], ref.scope)
                elif func.attr == "on_event" and not self._decorates(call):
                    # `app.on_event("startup")(connect)`: the decorator applied by hand.
                    if self.router_of(func.value, ref.scope) is not None:
                        self.event_registrations.append(call)
                        applied = model.parent(call)
                        if isinstance(applied, ast.Call) and applied.func is call and applied.args:
                            self._mark_startup(applied.args[0], ref.scope)
                elif (
                    func.attr == "append"
                    and isinstance(func.value, ast.Attribute)
                    and func.value.attr in EVENT_LISTS
                    and call.args
                ):
                    self._mark_startup(call.args[0], ref.scope)  # `app.router.on_startup.append(f)`
            for keyword in call.keywords:
                if keyword.arg == "lifespan":
                    self._mark_startup(keyword.value, ref.scope)
                elif keyword.arg in EVENT_LISTS and isinstance(
                    keyword.value, (ast.List, ast.Tuple)
                ):
                    for element in keyword.value.elts:  # `FastAPI(on_startup=[connect])`
                        self._mark_startup(element, ref.scope)
        for function in model.functions:
            self._collect_function(function)
        for function in model.functions:
            if function.name == "lifespan" and any(
                (model.qualified_name(d, function.outer) or "").endswith("asynccontextmanager")
                for d in function.node.decorator_list
            ):
                self.startup_handlers.add(id(function.node))
        for ref in model.calls:
            is_depends, target = self.depends_target(ref.node, ref.scope)  # type: ignore[arg-type]
            if is_depends and target is not None:
                value = model.evaluate(target, ref.scope)
                if isinstance(value, Ref):
                    self.dependency_functions.add(value.qualname)
                elif isinstance(value, Instance):
                    # `Depends(RateLimiter(100))`, `Depends(rate_limit)` on an instance:
                    # FastAPI calls the instance, so its `__call__` runs per request.
                    self.dependency_functions.add(f"{value.type}.__call__")
            elif is_depends:
                self._mark_alias_dependency(ref.node, ref.scope)
        for use in self.dependencies:
            self._mark_annotation_dependency(use)

    def _mark_annotation_dependency(self, use: DependencyUse) -> None:
        """``reader: Reader = Depends()`` (also ``Annotated[Reader, Depends()]``): FastAPI
        builds the annotation's class per request, so the class is the dependency."""
        if use.target is not None or use.param is None or use.param.annotation is None:
            return
        if use.consumer is None:
            return
        base, _, scope = self.model.annotated_metadata(use.param.annotation, use.consumer.outer)
        if base is None:
            return
        value = self.model.evaluate(base, scope)
        if isinstance(value, Ref):
            self.dependency_functions.add(value.qualname)

    def _mark_alias_dependency(self, call: ast.AST, scope: Scope) -> None:
        """``Limiter = Annotated[RateLimiter, Depends()]``: FastAPI builds the class per
        request wherever the alias annotates a parameter, in this module or another."""
        holder = self.model.parent(call)
        if not isinstance(holder, ast.Tuple):
            return
        subscript = self.model.parent(holder)
        if not isinstance(subscript, ast.Subscript) or subscript.slice is not holder:
            return
        outer = self.model.qualified_name(subscript.value, scope) or ""
        if outer.rsplit(".", 1)[-1] != "Annotated" or not holder.elts:
            return
        value = self.model.evaluate(holder.elts[0], scope)
        if isinstance(value, Ref):
            self.dependency_functions.add(value.qualname)

    def _decorates(self, call: ast.Call) -> bool:
        owner = self.model.parent(call)
        return isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and any(
            d is call for d in owner.decorator_list
        )

    def _mark_startup(self, expr: ast.expr, scope: Scope) -> None:
        if (
            isinstance(expr, ast.Call)
            and expr.args
            and self.model.qualified_name(expr.func, scope) == "functools.partial"
        ):
            expr = expr.args[0]  # `add_event_handler("startup", partial(connect, url))`
        qualname = self.model.qualified_name(expr, scope)
        for function in self.model.functions:
            if function.qualname == qualname and not is_periodic_task(self.model, function):
                self.startup_handlers.add(id(function.node))

    def _collect_function(self, function: FunctionInfo) -> None:
        model = self.model
        node = function.node
        outer = function.outer
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
                continue
            attr = decorator.func.attr
            if attr == "on_event":
                if self.router_of(decorator.func.value, outer) is not None:
                    if not is_periodic_task(model, function):  # `@repeat_every` loops on
                        self.startup_handlers.add(id(node))
                    self.event_registrations.append(decorator)
                continue
            if attr not in stubs.ROUTE_METHODS:
                continue
            router = self.router_of(decorator.func.value, outer)
            if router is None:
                continue
            keywords = {k.arg: k.value for k in decorator.keywords if k.arg}
            path_node = decorator.args[0] if decorator.args else keywords.get("path")
            methods = self._methods(attr, keywords)
            self._add_route(
                RouteInfo(
                    function,
                    router,
                    methods,
                    self._path_text(path_node, outer),
                    decorator,
                    keywords,
                    path_node,
                )
            )
        # Parameter dependencies.
        args = node.args
        positional = args.posonlyargs + args.args
        defaults = parameter_defaults(args)
        for arg in positional + args.kwonlyargs:
            default_call = defaults.get(id(arg))
            if isinstance(default_call, ast.Call):
                is_depends, target = self.depends_target(default_call, outer)
                if is_depends:
                    self.dependencies.append(
                        DependencyUse(function, arg, target, outer, default_call)
                    )
                    continue
            if arg.annotation is not None:
                _, metadata, meta_scope = model.annotated_metadata(arg.annotation, outer)
                for meta in metadata:
                    is_depends, target = self.depends_target(meta, meta_scope)
                    if is_depends and isinstance(meta, ast.Call):
                        self.dependencies.append(
                            DependencyUse(function, arg, target, meta_scope, meta)
                        )

    def _collect_add_api_route(self, call: ast.Call, scope: Scope) -> None:
        func = call.func
        assert isinstance(func, ast.Attribute)
        router = self.router_of(func.value, scope)
        if router is None:
            return
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        path_node = call.args[0] if call.args else keywords.get("path")
        endpoint = call.args[1] if len(call.args) > 1 else keywords.get("endpoint")
        if endpoint is None:
            return
        qualname = self.model.qualified_name(endpoint, scope)
        if qualname is None:
            # `self.router.add_api_route("/", self.list_jobs)` in a class-based view: the
            # bound method of the view's class.
            bound = self.model.evaluate(endpoint, scope)
            if isinstance(bound, Member):
                qualname = f"{bound.owner}.{bound.name}"
        if func.attr == "add_api_websocket_route":
            methods: tuple[str, ...] = ("WEBSOCKET",)
        else:
            methods = self._methods("api_route", keywords)
        local = False
        for function in self.model.functions:
            if function.qualname == qualname:
                local = True
                self._add_route(
                    RouteInfo(
                        function,
                        router,
                        methods,
                        self._path_text(path_node, scope),
                        call,
                        keywords,
                        path_node,
                    )
                )
        if not local and qualname is not None and "." in qualname:
            path = self._path_text(path_node, scope)
            self.foreign_routes.append(
                ForeignRoute(qualname, router, methods, path, call, keywords, path_node)
            )

    def _path_text(self, node: ast.expr | None, scope: Scope) -> str | None:
        """The route's path: a literal, or a string constant simple flow reaches
        (``ITEM_PATH = "/{item_id}"`` in this module or imported from another module
        of the project, an f-string or ``+`` of those), read as FastAPI will."""
        text = _literal_str(node)
        if text is not None or node is None or isinstance(node, ast.Constant):
            return text
        return string_value(self.model, node, scope)

    def _methods(self, attr: str, keywords: dict[str, ast.expr]) -> tuple[str, ...]:
        method = stubs.ROUTE_METHODS[attr]
        if method:
            return (method,)
        methods_node = keywords.get("methods")
        if isinstance(methods_node, (ast.List, ast.Tuple, ast.Set)):
            found = tuple(
                e.value.upper()
                for e in methods_node.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            )
            if found:
                return found
        return ("GET",)

    def _add_route(self, route: RouteInfo) -> None:
        self.routes.append(route)
        self.routes_by_function.setdefault(id(route.function.node), []).append(route)
        declared = route.keywords.get("dependencies")
        elements = declared.elts if isinstance(declared, (ast.List, ast.Tuple)) else []
        for dependency in elements:
            is_depends, target = self.depends_target(dependency, route.function.outer)
            if is_depends and isinstance(dependency, ast.Call):
                self.dependencies.append(
                    DependencyUse(route.function, None, target, route.function.outer, dependency)  # type: ignore[arg-type]
                )


def _is_none(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _literal_str(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


# ------------------------------------------------------------ Depends(...)
def parameter_markers(
    model: ModuleModel, function: FunctionInfo, arg: ast.arg
) -> list[tuple[ast.expr, Scope]]:
    """What may declare a parameter (``Depends(...)``, ``Body()``...): its default and its
    ``Annotated`` metadata, each with the scope it is read in."""
    markers: list[tuple[ast.expr, Scope]] = []
    default = parameter_defaults(function.node.args).get(id(arg))
    if default is not None:
        markers.append((default, function.outer))
        if isinstance(default, ast.Name):
            # A marker kept under a name: `CurrentUser = Depends(get_user)` in the module
            # or the app factory, then `user: dict = CurrentUser`.
            binding = model.lookup(default.id, function.outer)
            if (
                binding is not None
                and binding.kind is BindingKind.ASSIGN
                and binding.unpack_index is None
                and isinstance(binding.value, ast.Call)
            ):
                markers.append((binding.value, binding.scope))
    if arg.annotation is not None:
        _, metadata, meta_scope = model.annotated_metadata(arg.annotation, function.outer)
        markers.extend((meta, meta_scope) for meta in metadata)
    return markers


def dependency_target(
    model: ModuleModel, function: FunctionInfo, arg: ast.arg
) -> tuple[ast.expr, Scope] | None:
    """The provider of a ``Depends(p)`` parameter (default or ``Annotated`` metadata)."""
    candidates = parameter_markers(model, function, arg)
    for candidate, scope in candidates:
        if not isinstance(candidate, ast.Call):
            continue
        if model.qualified_name(candidate.func, scope) not in (
            "fastapi.Depends",
            "fastapi.Security",
        ):
            continue
        if candidate.args:
            return candidate.args[0], scope
        for keyword in candidate.keywords:
            if keyword.arg == "dependency":
                return keyword.value, scope
    return None


def dependency_value(
    model: ModuleModel, function: FunctionInfo, arg: ast.arg, depth: int = 0
) -> Value | None:
    """What a ``Depends(p)`` parameter receives: the provider's return (or yield) value."""
    if too_deep(depth):
        return None
    found = dependency_target(model, function, arg)
    if found is None:
        return None
    target, scope = found
    if isinstance(target, ast.Lambda) and not target.args.args:
        # `Depends(lambda: SessionLocal())`: FastAPI calls the lambda.
        return model.evaluate(target.body, scope, depth + 1)
    provider = model.evaluate(target, scope, depth + 1)
    received = _provider_result(model, provider, depth)
    if received is None:
        # `Depends(partial(get_session, readonly=True))`, or a name bound to one.
        wrapped = _partial_provider(model, target, scope, depth + 1)
        if wrapped is not None:
            received = _provider_result(model, wrapped, depth)
    return received


def _provider_result(model: ModuleModel, provider: Value | None, depth: int) -> Value | None:
    """What FastAPI passes for a provider: what calling it returns or yields."""
    if isinstance(provider, Ref):
        qualname = provider.qualname
        if qualname in stubs.CALL_RETURNS:
            return Instance(stubs.CALL_RETURNS[qualname])
        local = model.local_function_return(qualname, depth + 1)
        if local is not None:
            return local
        if model.project is not None:
            return model.project.call_result(qualname, depth + 1)
        return None
    if isinstance(provider, Instance):
        # `Depends(SessionLocal)`: calling the sessionmaker makes the session.
        if provider.type in (stubs.SESSIONMAKER, "sqlalchemy.orm.scoped_session"):
            return Instance("sqlalchemy.orm.Session")
        if provider.type == stubs.ASYNC_SESSIONMAKER:
            return Instance("sqlalchemy.ext.asyncio.AsyncSession")
        # `Depends(sync_db)` on an instance of a project class: FastAPI calls the
        # instance, so the parameter receives what its `__call__` returns or yields.
        return _called_method_result(model, f"{provider.type}.__call__", depth)
    if isinstance(provider, Member):
        # `Depends(db_manager.get_session)`: a bound method of a project object; FastAPI
        # calls it, so the parameter receives what the method returns or yields.
        return _called_method_result(model, f"{provider.owner}.{provider.name}", depth)
    return None


def _called_method_result(model: ModuleModel, method: str, depth: int) -> Value | None:
    """What calling the project method ``method`` returns or yields, if known."""
    local = model.local_function_return(method, depth + 1)
    if local is not None:
        return local
    if model.project is not None:
        return model.project.call_result(method, depth + 1)
    return None


def _partial_provider(
    model: ModuleModel, target: ast.expr, scope: Scope, depth: int
) -> Value | None:
    """``Depends(partial(get_session, readonly=True))``, or a name bound to such a
    partial (here or in another module of the project): FastAPI calls the wrapped
    function, so the parameter receives what that function returns or yields."""
    if too_deep(depth):
        return None
    if isinstance(target, ast.Call):
        if target.args and model.qualified_name(target.func, scope) == "functools.partial":
            return model.evaluate(target.args[0], scope, depth + 1)
        return None
    if not isinstance(target, ast.Name):
        return None
    binding = model.lookup(target.id, scope)
    if binding is None:
        return None
    if binding.kind is BindingKind.ASSIGN and binding.unpack_index is None:
        if isinstance(binding.value, ast.Call):
            return _partial_provider(model, binding.value, binding.scope, depth + 1)
        return None
    if binding.kind is BindingKind.IMPORT and binding.qualname and model.project is not None:
        found = model.project.definition(binding.qualname, depth + 1)
        if found is None:
            return None
        other, defined = found
        if defined.kind is BindingKind.ASSIGN and isinstance(defined.value, ast.Call):
            return _partial_provider(other, defined.value, defined.scope, depth + 1)
    return None

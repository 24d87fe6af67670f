"""API205: path parameters that never reach the route function (not a
parameter, dependency or read of ``request.path_params``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.registry import Rule
from fastapi_lint.rules import route_paths
from fastapi_lint.rules.dependency_factories import returned_dependency
from fastapi_lint.rules.routes._common import (
    APP,
    FRAMEWORK_PREFIXES,
    MAX_DEPENDENCY_DEPTH,
    has_star_kwargs,
    keyword_argument,
    returns_and_yields,
    route_context_scope,
    router_call,
)
from fastapi_lint.rules.routes.include_dependencies import include_dependency_names
from fastapi_lint.semantic.limits import note_cut
from fastapi_lint.semantic.syntax import last_name, parameter_defaults
from fastapi_lint.semantic.values import Instance, Ref

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.fastapi import DependencyUse, RouteInfo
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

API205 = Rule(
    code="API205",
    name="unbound-path-parameter",
    message="path parameter `{param}` of {route} is not a parameter of `{function}` or of its dependencies{detail}",
    summary="Checks for `{param}` placeholders of a route path that no function parameter receives.",
    why=(
        "FastAPI passes path parameters by name. A placeholder without a matching parameter (a typo, "
        "a renamed argument) is matched and then silently dropped: the function never sees it."
    ),
    example=(
        APP + '@app.get("/items/{item_id}")\nasync def read_item(id: int) -> int:\n    return id\n'
    ),
    use_instead=(
        APP
        + '@app.get("/items/{item_id}")\nasync def read_item(item_id: int) -> int:\n    return item_id\n'
    ),
)


# ------------------------------------------------------------ API205


class _Unsure(Exception):
    """A dependency could not be followed: no report for this route."""


# A name bound by a dependency that reads the parameter from `request.path_params`:
# "\x00path_params:<param>:<function>" (kept in the names, and in their fact).
_READS_MARK = "\x00path_params:"


def _reads_path_params(model: ModuleModel) -> dict[int, set[str] | None]:
    """Function node ids whose code reads ``path_params``: the literal keys read, or
    None when it reads them some other way (iterates, passes them on)."""
    found: dict[int, set[str] | None] = {}
    for ref in model.nodes[ast.Attribute]:
        node = ref.node
        if getattr(node, "attr", None) == "path_params":
            _mark_enclosing(model, node, found, _read_key(model, node))
    for ref in model.nodes[ast.Constant]:
        if getattr(ref.node, "value", None) == "path_params":
            _mark_enclosing(model, ref.node, found, None)
    return found


def _read_key(model: ModuleModel, node: ast.AST) -> str | None:
    """``path_params["x"]`` / ``path_params.get("x")``: ``x``."""
    parent = model.parents.get(node)
    if isinstance(parent, ast.Subscript) and parent.value is node:
        key = parent.slice
    elif isinstance(parent, ast.Attribute) and parent.attr == "get":
        call = model.parents.get(parent)
        if not isinstance(call, ast.Call) or not call.args:
            return None
        key = call.args[0]
    else:
        return None
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    return None


def _mark_enclosing(
    model: ModuleModel, node: ast.AST, found: dict[int, set[str] | None], key: str | None
) -> None:
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            keys = found.get(id(ancestor), set())
            if key is None or keys is None:
                found[id(ancestor)] = None
            else:
                found[id(ancestor)] = keys | {key}


class PathParamBinder:
    """The names a route function and its ``Depends`` chain receive from the request."""

    def __init__(self) -> None:
        # Keyed by id(): the keyed objects are kept alive alongside, so an id
        # is never reused by another module's tree while this binder lives.
        self._readers: dict[int, tuple[ModuleModel, dict[int, set[str] | None]]] = {}
        self._cache: dict[int, tuple[ast.AST, frozenset[str]]] = {}
        self._active: set[int] = set()

    def _reads(self, model: ModuleModel, function: FunctionInfo) -> tuple[bool, set[str] | None]:
        """Whether the function reads ``path_params``, and which literal keys."""
        key = id(model)
        if key not in self._readers:
            self._readers[key] = (model, _reads_path_params(model))
        readers = self._readers[key][1]
        if id(function.node) not in readers:
            return False, set()
        return True, readers[id(function.node)]

    def names(
        self,
        model: ModuleModel,
        function: FunctionInfo,
        skip_self: bool,
        depth: int = 0,
        route: bool = False,
    ) -> frozenset[str]:
        """Parameter names, aliases and names of dependencies; raises _Unsure.

        A dependency that reads literal keys of ``request.path_params`` adds a
        mark per key (``_READS_MARK``): the parameter is still unbound, and the
        message says where it is read.
        """
        reads, keys = self._reads(model, function)
        if reads and (route or keys is None):
            raise _Unsure  # the route reads path_params itself, or reads them all
        key = id(function.node)
        if key in self._cache:
            return self._cache[key][1]
        if depth > MAX_DEPENDENCY_DEPTH or key in self._active:
            note_cut()  # unsure for this question only: no fact above may keep it
            raise _Unsure
        self._active.add(key)
        try:
            dependencies = _param_dependencies(model, function)
            # `user_id=Depends(current_user_id)` takes its value from the dependency, not
            # from the path: FastAPI binds `{user_id}` only through the dependency's own
            # parameters (a route then answers for the caller's id, whatever the URL says).
            result = set(self._own_names(model, function, skip_self)) - {
                d.param.arg for d in dependencies if d.param is not None
            }
            result |= {f"{_READS_MARK}{k}:{function.name}" for k in keys or ()}
            for dependency in dependencies:
                result |= self._dependency_names(model, dependency, depth)
        finally:
            self._active.discard(key)
        frozen = frozenset(result)
        self._cache[key] = (function.node, frozen)
        return frozen

    def _own_names(self, model: ModuleModel, function: FunctionInfo, skip_self: bool) -> set[str]:
        args = function.node.args
        if args.kwarg is not None or args.vararg is not None:
            raise _Unsure
        positional = args.posonlyargs + args.args
        params = positional + args.kwonlyargs
        if skip_self and positional:
            params = params[1:]
        names = {arg.arg for arg in params}
        defaults = list(args.defaults) + [d for d in args.kw_defaults if d is not None]
        for default in defaults:
            names |= _aliases(default)
        for arg in params:
            if arg.annotation is not None:
                _, metadata, _ = model.annotated_metadata(arg.annotation, function.outer)
                for meta in metadata:
                    names |= _aliases(meta)
        return names

    def _dependency_names(
        self, model: ModuleModel, dependency: DependencyUse, depth: int
    ) -> frozenset[str]:
        target = dependency.target
        scope = dependency.scope
        if target is None:
            param = dependency.param
            if param is None or param.annotation is None:
                raise _Unsure
            consumer = dependency.consumer
            outer = consumer.outer if consumer is not None else scope
            base, _, base_scope = model.annotated_metadata(param.annotation, outer)
            if not isinstance(base, ast.expr):
                raise _Unsure
            target, scope = base, base_scope
        return self.target_names(model, target, scope, depth + 1)

    def target_names(
        self, model: ModuleModel, target: ast.expr, scope: Scope, depth: int
    ) -> frozenset[str]:
        if isinstance(target, ast.Call):
            made = self._factory_target_names(model, target, scope, depth)
            if made is not None:
                return made
        value = model.evaluate(target, scope)
        if isinstance(value, Ref):
            qualname = value.qualname
            if qualname.startswith(FRAMEWORK_PREFIXES):
                return frozenset()
            project = index_of(model)
            if model.function_named(qualname) is None and project is not None:
                # Another module's dependency: a fact, so warm runs need not build it.
                # Computed from its key alone: a binder of its own, not this
                # one's chain in progress (whose cycle guard would answer unsure).
                names = project.fact(
                    "depends-names/2",
                    qualname,
                    lambda: PathParamBinder()._project_names(model, qualname),
                )
                if names is None:
                    raise _Unsure
                return frozenset(names)
            return self._ref_names(model, qualname, depth)
        if isinstance(value, Instance):
            if value.type.startswith(FRAMEWORK_PREFIXES):
                return frozenset()
            call = model.find_function(value.type + ".__call__")
            if call is not None:
                call_model, info = call
                return self.names(call_model, info, True, depth)
        raise _Unsure

    def _factory_target_names(
        self, model: ModuleModel, call: ast.Call, scope: Scope, depth: int
    ) -> frozenset[str] | None:
        """``Depends(require_role("admin"))``: the names of the function the project factory
        returns (None: not such a factory, evaluate the call as before)."""
        factory = model.qualified_name(call.func, scope)
        if not factory or factory.startswith(FRAMEWORK_PREFIXES):
            return None
        project = index_of(model)
        if model.function_named(factory) is None and project is not None:
            names = project.fact(
                "factory-depends-names/1",
                factory,
                lambda: PathParamBinder()._project_factory_names(model, factory),
            )
            return None if names is None else frozenset(names)
        return self._returned_names(model, factory, depth)

    def _returned_names(
        self, model: ModuleModel, factory: str, depth: int
    ) -> frozenset[str] | None:
        returned = returned_dependency(model, factory)
        if returned is None:
            return None
        function_model, function = returned
        return self.names(function_model, function, False, depth)

    def _project_factory_names(self, model: ModuleModel, factory: str) -> list[str] | None:
        """``_returned_names`` as JSON for the fact cache (None: not a factory, or unsure)."""
        try:
            names = self._returned_names(model, factory, 0)
        except _Unsure:
            return None
        return None if names is None else sorted(names)

    def _ref_names(self, model: ModuleModel, qualname: str, depth: int) -> frozenset[str]:
        """The names a project function (or a class, through ``__init__``) binds."""
        function = model.find_function(qualname)
        if function is not None:
            function_model, info = function
            return self.names(function_model, info, info.is_method, depth)
        init = model.find_function(qualname + ".__init__")
        if init is not None and _find_class(model, qualname):
            init_model, info = init
            return self.names(init_model, info, True, depth)
        fields = _model_fields(model, qualname)
        if fields is not None:
            return frozenset(fields)
        raise _Unsure

    def _project_names(self, model: ModuleModel, qualname: str) -> list[str] | None:
        """``_ref_names`` as JSON for the fact cache (None: unsure)."""
        try:
            return sorted(self._ref_names(model, qualname, 0))
        except _Unsure:
            return None


def _param_dependencies(model: ModuleModel, function: FunctionInfo) -> list[DependencyUse]:
    """``Depends`` parameters of one function, without collecting its whole module."""
    from fastapi_lint.semantic.fastapi import DEPENDS_NAMES, DependencyUse

    def depends(node: ast.expr, scope: Scope) -> tuple[bool, ast.expr | None]:
        if not isinstance(node, ast.Call):
            return False, None
        if model.qualified_name(node.func, scope) not in DEPENDS_NAMES:
            return False, None
        if node.args:
            return True, node.args[0]
        return True, keyword_argument(node, "dependency")

    args = function.node.args
    positional = args.posonlyargs + args.args
    defaults = parameter_defaults(args)
    outer = function.outer
    result = []
    for arg in positional + args.kwonlyargs:
        default = defaults.get(id(arg))
        if default is not None:
            is_depends, target = depends(default, outer)
            if is_depends:
                result.append(DependencyUse(function, arg, target, outer, default))  # type: ignore[arg-type]
                continue
        if arg.annotation is not None:
            _, metadata, meta_scope = model.annotated_metadata(arg.annotation, outer)
            for meta in metadata:
                is_depends, target = depends(meta, meta_scope)
                if is_depends:
                    result.append(DependencyUse(function, arg, target, meta_scope, meta))  # type: ignore[arg-type]
    return result


def _aliases(node: ast.expr) -> set[str]:
    if not isinstance(node, ast.Call):
        return set()
    return {
        k.value.value
        for k in node.keywords
        if k.arg in ("alias", "validation_alias")
        and isinstance(k.value, ast.Constant)
        and isinstance(k.value.value, str)
    }


_MODEL_ROOTS = ("pydantic.", "sqlmodel.")


def _model_fields(model: ModuleModel, qualname: str) -> set[str] | None:
    """The fields (and their aliases) of a project Pydantic model without an ``__init__``:
    FastAPI reads a class dependency's signature, which Pydantic builds from the fields
    (``params: Annotated[ItemParams, Depends()]``). None when unsure."""
    from fastapi_lint.rules.route_shapes import model_class_kind

    if model_class_kind(model, qualname) != "pydantic":
        return None
    names: set[str] = set()
    for owner in [qualname, *model.class_bases(qualname)]:
        if owner.startswith(_MODEL_ROOTS):
            continue
        info = model.class_anywhere(owner)
        if info is None:
            return None  # a base of another library: its fields are unknown
        for statement in info.node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if statement.name in ("__init__", "__new__"):
                    return None
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                names.add(statement.target.id)
                if statement.value is not None:
                    names |= _aliases(statement.value)
    return names


def _find_class(model: ModuleModel, qualname: str) -> bool:
    if model.class_named(qualname) is not None:
        return True
    return model.project is not None and model.project.is_class(qualname)


def _router_dependencies(
    model: ModuleModel, route: RouteInfo
) -> list[tuple[ModuleModel, ast.expr, Scope]]:
    """``dependencies=[Depends(f)]`` of the router the route is registered on."""
    found = router_call(model, route)
    if found is None:
        return []
    router_model, call, scope = found
    declared = keyword_argument(call, "dependencies")
    if declared is None:
        return []
    if not isinstance(declared, (ast.List, ast.Tuple)):
        raise _Unsure
    result = []
    for element in declared.elts:
        is_depends, target = router_model.fastapi.depends_target(element, scope)
        if not is_depends or target is None:
            raise _Unsure
        result.append((router_model, target, scope))
    return result


def _checked_path_params(model: ModuleModel, route: RouteInfo) -> list[str]:
    """The path parameters a function is expected to receive.

    Left out: a trailing ``{rest:path}`` catch-all (ignoring the rest is the
    point of a catch-all), unless the function has a required ``str`` parameter
    no path parameter binds (``{rest:path}`` with ``def f(path: str)``: FastAPI makes
    it a required query parameter, the catch-all renamed); a parameter that another path of the same function
    lacks (one handler deliberately shared by several paths, unless a required parameter
    is a placeholder of another path only: ``_renamed_shared_param``); every parameter
    of a route serving an HTML page (the page's script reads its URL).
    """
    assert route.path is not None
    template = route_paths.parse_path(route.path)
    last = template.parts[-1] if template.parts else None
    catch_all = isinstance(last, route_paths.PathParam) and last.convertor == "path"
    wanted = [p.name for p in template.params if not (p is last and catch_all)]
    if catch_all and _renamed_catch_all(route, {p.name for p in template.params}):
        wanted.append(last.name)  # type: ignore[union-attr]
    if not wanted:
        return []
    others = [
        set(route_paths.path_param_names(other.path))
        for other in model.fastapi.routes_of(route.function)
        if other is not route and other.path is not None
    ]
    if not _renamed_shared_param(route, {p.name for p in template.params}, others):
        for present in others:
            wanted = [name for name in wanted if name in present]
    if wanted and _serves_page(model, route):
        return []
    return wanted


def _class_view_names(
    model: ModuleModel, function: FunctionInfo, binder: PathParamBinder
) -> set[str]:
    """What the annotated attributes of a class-based view bind (``@cbv(router)`` makes each
    one an ``__init__`` parameter FastAPI fills per request): their names and aliases, and
    the names of their ``Depends`` chains. Raises _Unsure for a class with bases (inherited
    attributes) or a dependency that cannot be resolved."""
    found = model.class_named(function.qualname.rsplit(".", 1)[0])
    if found is None or found.node.bases or found.node.keywords:
        raise _Unsure
    scope = found.scope
    names: set[str] = set()
    for statement in found.node.body:
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        names.add(statement.target.id)
        _, metadata, meta_scope = model.annotated_metadata(statement.annotation, scope)
        markers = [(m, meta_scope) for m in metadata]
        if statement.value is not None:
            markers.append((statement.value, scope))
        for marker, marker_scope in markers:
            names |= _aliases(marker)
            is_depends, target = model.fastapi.depends_target(marker, marker_scope)
            if not is_depends:
                continue
            if target is None:
                raise _Unsure  # `Depends()`: the annotation's class
            names |= binder.target_names(model, target, marker_scope, 1)
    return names


def _required_params(route: RouteInfo) -> list[ast.arg]:
    """The route function's parameters without a default."""
    args = route.function.node.args
    positional = args.posonlyargs + args.args
    return positional[: len(positional) - len(args.defaults)] + [
        arg for arg, default in zip(args.kwonlyargs, args.kw_defaults) if default is None
    ]


def _renamed_shared_param(route: RouteInfo, own: set[str], others: list[set[str]]) -> bool:
    """A handler stacked on several paths whose required parameter is a placeholder of
    another path only (``/orgs/{org_id}/members`` and ``/teams/{team_id}/members`` over
    ``def f(org_id: int)``): on this path FastAPI makes it a required query parameter and
    drops this path's own placeholder, so the paths are not deliberately shared."""
    elsewhere = set().union(*others) - own if others else set()
    if not elsewhere:
        return False
    required = _required_params(route)
    return any(
        arg.arg in elsewhere and (arg.annotation is None or isinstance(arg.annotation, ast.Name))
        for arg in required
    )


def _renamed_catch_all(route: RouteInfo, path_names: set[str]) -> bool:
    """A required parameter annotated ``str`` that no path parameter binds."""
    required = _required_params(route)
    for arg in required:
        if arg.arg in path_names or arg.arg in ("self", "cls"):
            continue
        annotation = arg.annotation
        if isinstance(annotation, ast.Name) and annotation.id == "str":
            return True
    return False


_PAGE_RESPONSES = frozenset({"HTMLResponse", "TemplateResponse", "FileResponse"})


def _serves_page(model: ModuleModel, route: RouteInfo) -> bool:
    response_class = route.keywords.get("response_class")
    if response_class is not None and last_name(response_class) in _PAGE_RESPONSES:
        return True
    return _returns_page(model, route.function)


def _returns_page(model: ModuleModel, function: FunctionInfo) -> bool:
    returns_annotation = function.node.returns
    if returns_annotation is not None and last_name(returns_annotation) in _PAGE_RESPONSES:
        return True
    returns, _, _ = returns_and_yields(model, function)
    return any(
        isinstance(r.value, ast.Call) and last_name(r.value.func) in _PAGE_RESPONSES
        for r in returns
    )


def check_unbound(
    model: ModuleModel, reporter: Reporter, route: RouteInfo, binder: PathParamBinder
) -> None:
    if route.path is None:
        return
    wanted = _checked_path_params(model, route)
    if not wanted:
        return
    function = route.function
    try:
        bound = set(binder.names(model, function, False, route=True))
        if function.is_method and route.registration in function.node.decorator_list:
            # A class-based view (`@cbv(router)`): the class attributes are parameters too.
            bound |= _class_view_names(model, function, binder)
        declared = route.keywords.get("dependencies")
        if declared is not None:
            if not isinstance(declared, (ast.List, ast.Tuple)):
                raise _Unsure
            scope = route_context_scope(model, route)
            for element in declared.elts:
                is_depends, target = model.fastapi.depends_target(element, scope)
                if not is_depends or target is None:
                    raise _Unsure
                bound |= binder.target_names(model, target, scope, 1)
        if has_star_kwargs(route):
            raise _Unsure
        missing = [name for name in wanted if name not in bound]
        if missing:
            for router_model, target, scope in _router_dependencies(model, route):
                bound |= binder.target_names(router_model, target, scope, 1)
        if any(name not in bound for name in wanted):
            bound |= include_dependency_names(
                model,
                route,
                lambda site, target, scope: binder.target_names(site, target, scope, 1),
                _Unsure,
            )
    except _Unsure:
        return
    _report_unbound(model, reporter, function, wanted, bound, route.display)


def check_unbound_endpoint(
    model: ModuleModel,
    reporter: Reporter,
    function: FunctionInfo,
    paths: list[str],
    display: str,
    binder: PathParamBinder,
) -> None:
    """An endpoint another module registers (``router.add_api_route("/{id}", handlers.f)``):
    the parameters of its own paths (each registration's, prefixes left out) that it does not
    bind. Left out as for a route: a ``{rest:path}`` catch-all, a parameter another of its
    paths lacks, an endpoint serving an HTML page (the registering call's ``response_class=``
    leaves ``ServedRoute.own_path`` unknown)."""
    wanted: list[str] | None = None
    for path in paths:
        template = route_paths.parse_path(path)
        names = [p.name for p in template.params if p.convertor != "path"]
        wanted = names if wanted is None else [n for n in wanted if n in names]
    if not wanted or _returns_page(model, function):
        return
    try:
        bound = set(binder.names(model, function, False, route=True))
    except _Unsure:
        return
    _report_unbound(model, reporter, function, wanted, bound, display)


def _report_unbound(
    model: ModuleModel,
    reporter: Reporter,
    function: FunctionInfo,
    wanted: list[str],
    bound: set[str],
    display: str,
) -> None:
    node = function.node
    readers: dict[str, str] = {}
    for mark in bound:
        if mark.startswith(_READS_MARK):
            param, _, reader_name = mark[len(_READS_MARK) :].partition(":")
            readers.setdefault(param, reader_name)
    depends_params = {
        d.param.arg for d in _param_dependencies(model, function) if d.param is not None
    }
    for name in wanted:
        if name not in bound:
            reader = readers.get(name, "")
            detail = ""
            if reader:
                detail = (
                    f"; dependency `{reader}` reads it from `request.path_params`: declare the "
                    "parameter and check it against the resource"
                )
            elif name in depends_params:
                detail = (
                    f"; its `{name}` parameter takes the value of a `Depends(...)`, not the "
                    "path's: declare the path parameter in that dependency or rename one of them"
                )
            reporter.report(
                "API205",
                node,
                line=node.lineno,
                col=node.col_offset,
                param=name,
                route=display,
                function=function.name,
                detail=detail,
            )

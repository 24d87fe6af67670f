"""One module's contribution to the route table: routers, includes and routes, as JSON.

``ModuleRoutes(model).summary()`` is the ``route-module:<module>`` fact of
``project/routes.py``: the ``FastAPI(...)``/``APIRouter(...)`` assignments
(also ``app = create_app()``), ``include_router``/``mount`` calls (a loop over a
list of routers, an app handed to a project function), and the routes, each
with its position, branches and what the inventory prints.
"""

from __future__ import annotations

import ast
import os
from typing import TYPE_CHECKING, Any

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.project import route_factories, route_lists, route_mounts
from fastapi_lint.project.registration_guards import implied_branches
from fastapi_lint.project.route_security import DependencyReader, source_text
from fastapi_lint.project.route_settings import (
    RESPONSE_SETTINGS,
    bound_strings,
    is_deprecated,
    is_project_class,
    route_methods,
    status_text,
)
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.constant_strings import string_value
from fastapi_lint.semantic.fastapi import NON_JSON_RESPONSES
from fastapi_lint.semantic.syntax import constant_value, keyword_value, last_name
from fastapi_lint.semantic.values import Instance, Ref

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, FunctionInfo, Scope

_ROUTER_WORDS = lazy_compile(r"(?i)app|router|api|fastapi")
# Piece of a joined path: ("lit", text) or ("expr@<module>:<line>:<col>", source of a
# non-literal prefix): the same expression at another place is another piece.


class ModuleRoutes:
    """One module's routers, include_router calls and routes, as JSON."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.routers: dict[str, dict[str, Any]] = {}
        self.includes: list[dict[str, Any]] = []
        self.routes: list[dict[str, Any]] = []
        self.dependencies = DependencyReader(model)

    def summary(self) -> dict[str, Any]:
        model = self.model
        facts = model.fastapi
        for ref in model.calls:
            call = ref.node
            assert isinstance(call, ast.Call)
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr == "include_router":
                self._include(call, ref.scope)
            elif isinstance(func, ast.Attribute) and func.attr == "mount":
                self._mount(call, ref.scope)
            else:
                self._maybe_router(call, ref.scope)
                if call.args or call.keywords:
                    self._passed_routers(call, ref.scope)
        for route in facts.routes:
            self._route(route)
        for foreign in facts.foreign_routes:
            self._foreign_route(foreign)
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
        from fastapi_lint.semantic.scopes import BindingKind, ScopeKind

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
                if binding.line and binding.line > expr.lineno:
                    # `@app.get(...)` under a later `app = create_app()`: which object the
                    # decorator saw is the binding before it.
                    binding = model.lookup(expr.id, scope, line=expr.lineno) or binding
                if self._replaced(binding):
                    return f"{model.module_name}.{expr.id}@{binding.line}"
                return f"{model.module_name}.{expr.id}"
            return f"{model.module_name}:{expr.id}:{binding.line}"
        if isinstance(expr, ast.Attribute):
            owner = model.evaluate(expr.value, scope)
            if isinstance(owner, Ref):
                return self._canonical(f"{owner.qualname}.{expr.attr}")
            if isinstance(owner, Instance) and is_project_class(model, owner.type):
                # A class-based view's `self.router` (and `view.router` of an instance):
                # one router per class, whichever instance holds it.
                return f"{owner.type}.{expr.attr}"
        return None

    def _replaced(self, binding: Binding) -> bool:
        """``app = FastAPI()`` with routes, then ``app = create_app()`` further down the
        module: the first app is dropped (the name serves the second), so its routes are
        no app's. Both assignments stand in the module body (not alternative branches)
        and the second builds a new app or router without the first (not a wrapper such
        as ``app = VersionedFastAPI(app)``)."""
        from fastapi_lint.semantic.scopes import BindingKind

        model = self.model
        bindings = model.module_scope.bindings.get(binding.name) or []  # type: ignore[attr-defined]
        if len(bindings) < 2 or binding is bindings[-1] or not self._top_level(binding):
            return False
        if (
            not isinstance(binding.value, ast.Call)
            or self._router_kind(binding.value, binding.scope) is None
        ):
            return False
        for later in bindings[bindings.index(binding) + 1 :]:
            value = later.value
            if (
                later.kind is BindingKind.ASSIGN
                and isinstance(value, ast.Call)
                and self._top_level(later)
                and self._router_kind(value, later.scope) is not None
                and not any(
                    isinstance(n, ast.Name) and n.id == binding.name for n in ast.walk(value)
                )
            ):
                return True
        return False

    def _top_level(self, binding: Binding) -> bool:
        statement = self._statement(binding.node)
        return isinstance(self.model.parents.get(statement), ast.Module)

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
        parent = model.parents.get(call)
        if not isinstance(parent, (ast.Assign, ast.AnnAssign)):
            return
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) != 1 or not isinstance(targets[0], (ast.Name, ast.Attribute)):
            return
        target = targets[0]
        name = target.id if isinstance(target, ast.Name) else target.attr
        # Cheap test first: the class or factory, or the variable, says app or router.
        if not (_ROUTER_WORDS.search(last_name(call.func)) or _ROUTER_WORDS.search(name)):
            return
        value = model.evaluate(call, scope)
        if not isinstance(value, Instance):
            return
        is_app = model.fastapi._router_base(value.type)
        if is_app is None:
            return
        key = self.router_key(target, scope)
        if key is None:
            return
        self._factory_result(call, scope, key)
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        if is_app and "lifespan" in keywords:
            self._lifespan(keywords["lifespan"], call, scope, key)
        prefix = self._pieces(keywords.get("prefix"), scope)
        if "prefix" not in keywords and value.type not in stubs.FASTAPI_ROUTER_TYPES:
            prefix = self._init_prefix(call, value.type, scope)
        elif "prefix" not in keywords:
            prefix = self._factory_prefix(call, scope)
        template = None
        if any(kind != "lit" for kind, _ in prefix):
            template = route_factories.prefix_template(keywords.get("prefix"), scope)
        self.routers[key] = {
            # An app the module drops for another under the same name (`app@215`, see
            # `_replaced`) serves nothing: its routes are no app's.
            "app": is_app and "@" not in key,
            "prefix": prefix,
            **({"template": template} if template else {}),
            "deps": self.dependencies.labels(keywords.get("dependencies"), scope),
            "security": self.dependencies.security(keywords.get("dependencies"), scope),
            "schema": self._in_schema(keywords, is_app),
            **({"deprecated": True} if is_deprecated(keywords) else {}),
            "openapi": not (
                "openapi_url" in keywords and constant_value(keywords["openapi_url"]) is None
            ),
            "line": call.lineno,
            "label": f"{model.module_name}:{ast.unparse(target)}",
            "module": model.module_name,
        }

    def _init_prefix(self, call: ast.Call, type_name: str, scope: Scope) -> list[list[str]]:
        """``VersionedRouter("v1")``: a project ``APIRouter`` subclass whose ``__init__``
        passes ``prefix=`` on to ``super().__init__(...)``. The prefix is known when the
        ``__init__`` parameters it uses get literal arguments (or defaults) here."""
        found = self.model.find_function(f"{type_name}.__init__")
        if found is None:
            return []
        init_model, info = found
        for ref in init_model.calls:
            forwarded = ref.node
            func = getattr(forwarded, "func", None)
            if ref.scope.code_function is not info or not isinstance(func, ast.Attribute):
                continue
            parent = func.value
            if func.attr != "__init__" or not (
                isinstance(parent, ast.Call) and last_name(parent.func) == "super"
            ):
                continue
            prefix = keyword_value(forwarded.keywords, "prefix")  # type: ignore[attr-defined]
            if prefix is None:
                return []
            bound = bound_strings(call, info.node, self, scope)
            text = ModuleRoutes(init_model)._string(prefix, ref.scope, 0, bound)
            if text is not None:
                return [["lit", text]] if text else []
            # Its value depends on this call's arguments: the same piece only here.
            place = f"expr@{self.model.module_name}:{call.lineno}:{call.col_offset}"
            return [[place, source_text(prefix)]]
        return []

    def _factory_prefix(self, call: ast.Call, scope: Scope) -> list[list[str]]:
        """``router = versioned_router(2)``: a project function that returns
        ``APIRouter(prefix=f"/v{version}", ...)`` gives the router that prefix, with this
        call's arguments. Unknown arguments leave it an expression (never compared as
        empty: two versions of one router would look like duplicates)."""
        callee = self.model.evaluate(call.func, scope)
        if not isinstance(callee, Ref):
            return []
        found = self.model.find_function(callee.qualname)
        if found is None:
            return []
        factory_model, info = found
        for ref in factory_model.nodes[ast.Return]:
            returned = getattr(ref.node, "value", None)
            if ref.scope.code_function is not info or not isinstance(returned, ast.Call):
                continue
            prefix = keyword_value(returned.keywords, "prefix")
            if prefix is None:
                continue
            bound = bound_strings(call, info.node, self, scope, method=False)
            text = ModuleRoutes(factory_model)._string(prefix, ref.scope, 0, bound)
            if text is not None:
                return [["lit", text]] if text else []
            place = f"expr@{self.model.module_name}:{call.lineno}:{call.col_offset}"
            return [[place, source_text(prefix)]]
        return []

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
        looped = route_factories.looped_includes(self, child_node, keywords.get("prefix"), scope)
        if looped is not None:
            for index, (child, prefix) in enumerate(looped):
                self._record_include(
                    call,
                    parent,
                    child,
                    prefix=prefix,
                    deps=self.dependencies.labels(keywords.get("dependencies"), scope),
                    security=self.dependencies.security(keywords.get("dependencies"), scope),
                    schema=self._in_schema(keywords, False),
                    index=index,
                    deprecated=is_deprecated(keywords),
                )
            return
        children = self._children(child_node, scope)
        # `include_router(make_router("items"))`, also in a loop: the factory's arguments.
        runs: list[dict[str, str]] = [{}]
        loop = None
        if isinstance(child_node, ast.Call) and children:
            found = self._callee(child_node, scope)
            if found is not None:
                runs, loop = route_factories.argument_runs(self, child_node, found[1].node, scope)
        turns = route_factories.run_prefixes(self, keywords.get("prefix"), scope, loop, len(runs))
        index = 0
        for child in children:
            for turn, bind in enumerate(runs):
                self._record_include(
                    call,
                    parent,
                    child,
                    prefix=turns[turn] if turns else self._pieces(keywords.get("prefix"), scope),
                    deps=self.dependencies.labels(keywords.get("dependencies"), scope),
                    security=self.dependencies.security(keywords.get("dependencies"), scope),
                    schema=self._in_schema(keywords, False),
                    index=index,
                    bind=bind,
                    deprecated=is_deprecated(keywords),
                )
                index += 1

    def _mount(self, call: ast.Call, scope: Scope) -> None:
        """``app.mount("/v1", sub_app)`` (``project/route_mounts.py``)."""
        found = route_mounts.mounted(self, call, scope)
        if found is not None:
            parent, children, pieces = found
            for child in children:
                self._record_include(call, parent, child, prefix=list(pieces), mount=True)

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
            # `router = make_crud_router("/products")`: the call's arguments fill in the
            # prefix the factory gives its router (`APIRouter(prefix=prefix)`).
            runs = route_factories.argument_values(self, call, info.node, scope)
            bind = runs[0] if len(runs) == 1 else None
            self._record_include(call, key, local, index=-1, alias=True, bind=bind)
            return

    def _lifespan(self, node: ast.expr, call: ast.Call, scope: Scope, key: str) -> None:
        """``FastAPI(lifespan=lifespan)``: routes registered on the lifespan's ``app``
        parameter (or by what it calls) are the app's."""
        value = self.model.evaluate(node, scope)
        if not isinstance(value, Ref):
            return
        found = self.model.find_function(value.qualname)
        if found is None:
            return
        _, info = found
        args = info.node.args
        positional = args.posonlyargs + args.args
        if not positional:
            return
        self._add_include(call, key, f"{info.qualname}({positional[0].arg})")

    def _add_include(self, call: ast.Call, parent: str, child: str) -> None:
        self._record_include(call, parent, child)

    def _record_include(
        self,
        call: ast.Call,
        parent: str,
        child: str,
        *,
        prefix: list[list[str]] | None = None,
        deps: list[Any] | None = None,
        security: list[Any] | None = None,
        schema: bool = True,
        index: int = 0,
        bind: dict[str, str] | None = None,
        implied: list[str] | None = None,
        **flags: bool,
    ) -> None:
        """One router (or app) served under another, at the place ``call`` puts it;
        ``implied``: branch tokens the include counts as inside (registration_guards)."""
        statement = self._statement(call)
        self.includes.append(
            {
                **({"bind": bind} if bind else {}),
                "parent": parent,
                "child": child,
                "prefix": prefix or [],
                "deps": deps or [],
                "security": security or [],
                "schema": schema,
                "line": call.lineno,
                "block": self._block(statement),
                "pos": [statement.lineno, getattr(statement, "col_offset", 0), index],
                "branches": self._branches(statement) + (implied or []),
                **flags,
            }
        )

    def _passed_routers(self, call: ast.Call, scope: Scope) -> None:
        """``register_routes(app)``: an app or router handed to a project function, which
        registers routes on its parameter; recorded as an include without prefix."""
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
        found = self._callee(call, scope)
        if found is None:
            return
        _, info = found
        args = info.node.args
        positional = [a.arg for a in args.posonlyargs + args.args]
        if info.is_method and positional:
            positional = positional[1:]
        names = set(positional) | {a.arg for a in args.kwonlyargs}
        for where, key in passed:
            if isinstance(where, int):
                if where >= len(positional):
                    continue
                param = positional[where]
            elif where in names:
                param = where
            else:
                continue
            # `if not mount_ui(app):` routes never meet the ones mount_ui registered
            implied = implied_branches(self.model, call, self._statement(call), info, param)
            self._record_include(call, key, f"{info.qualname}({param})", implied=implied)

    def _callee(self, call: ast.Call, scope: Scope) -> tuple[ModuleModel, Any] | None:
        """The project function a call runs: by name, or ``self.method(...)`` in a method."""
        model = self.model
        callee = model.evaluate(call.func, scope)
        if isinstance(callee, Ref):
            return model.find_function(callee.qualname)
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "self"
        ):
            method = scope.code_function
            if method is not None and method.is_method:
                owner = method.qualname.rsplit(".", 1)[0]
                return model.find_function(f"{owner}.{func.attr}")
        return None

    def _passed_key(self, node: ast.expr, scope: Scope) -> str | None:
        if not isinstance(node, ast.Name):
            return None
        if not _ROUTER_WORDS.search(node.id):
            # Cheap test first; a short name may still hold one built by a call that says
            # router (`v1 = APIRouter(prefix="/v1")`, then `orders.register(v1)`).
            binding = self.model.lookup(node.id, scope)
            value = binding.value if binding is not None else None
            if not isinstance(value, ast.Call) or not _ROUTER_WORDS.search(last_name(value.func)):
                return None
        if self._router_kind(node, scope) is None:
            return None
        return self.router_key(node, scope)

    def _children(self, node: ast.expr, scope: Scope) -> list[str]:
        """The routers an ``include_router`` argument names; a loop variable over a list
        of routers (``for r in ROUTERS: app.include_router(r)``, the list here or
        imported) gives each of them."""
        from fastapi_lint.semantic.scopes import BindingKind

        if isinstance(node, ast.Name):
            # The loop before this use: `router` may be the variable of several loops.
            binding = self.model.lookup(node.id, scope, node.lineno)
            if binding is not None and binding.kind is BindingKind.FOR:
                if binding.value is None:
                    return []
                return self._listed_routers(binding.value, binding.scope, 0)
        if isinstance(node, ast.Call):
            return self._returned_routers(node, scope)
        key = self.router_key(node, scope)
        return [key] if key is not None else []

    def _returned_routers(self, call: ast.Call, scope: Scope) -> list[str]:
        """``include_router(create_v1_router())``: the local router the factory returns."""
        found = self._callee(call, scope)
        if found is None:
            return []
        factory_model, info = found
        keys = []
        for ref in factory_model.nodes[ast.Return]:
            returned = getattr(ref.node, "value", None)
            if ref.scope.code_function is info and isinstance(returned, ast.Name):
                key = ModuleRoutes(factory_model).router_key(returned, ref.scope)
                if key is not None and key not in keys:
                    keys.append(key)
        return keys

    def _listed_routers(self, node: ast.expr, scope: Scope, depth: int) -> list[str]:
        from fastapi_lint.semantic.scopes import BindingKind

        if depth > 4:
            return []
        if isinstance(node, (ast.List, ast.Tuple)):
            keys = [self.router_key(e, scope) for e in node.elts if not isinstance(e, ast.Starred)]
            return [k for k in keys if k is not None]
        if isinstance(node, ast.Call):
            return route_lists.returned_routers(self, node, scope, depth)
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
        methods = route_methods(route, registration, func.attr in ("api_route", "add_api_route"))
        self.routes.append(
            self._record(
                route, key, methods, function, statement, pos, scope, self, self.dependencies
            )
        )

    def _foreign_route(self, route: Any) -> None:
        """``router.add_api_route(path, handlers.get_item)`` with the endpoint in another
        module: read the endpoint there, register the route here (at the call)."""
        from fastapi_lint.semantic.fastapi import ForeignRoute

        assert isinstance(route, ForeignRoute)
        found = self.model.find_function(route.qualname)
        if found is None:
            return
        endpoint_model, function = found
        registration = route.registration
        scope = self._scope_of(registration)
        func = registration.func
        assert isinstance(func, ast.Attribute)
        key = self.router_key(func.value, scope)
        if key is None:
            return
        record = self._record(
            route,
            key,
            route_methods(route, registration, True),
            function,
            self._statement(registration),
            [registration.lineno, 1, registration.col_offset],
            scope,
            ModuleRoutes(endpoint_model),
            DependencyReader(endpoint_model),
        )
        record["handler_file"] = os.path.abspath(endpoint_model.path) if endpoint_model.path else ""
        record["handler_module"] = endpoint_model.module_name
        # The call says more than the endpoint about its response (API201 in the endpoint's
        # module asks): a response model or class, `responses=`, a no-body status, left out
        # of the schema or deprecated, or settings it cannot read (`**options`).
        record["declared"] = any(
            k.arg is None or k.arg in RESPONSE_SETTINGS for k in registration.keywords
        )
        # API205 in the endpoint's module: the path, when nothing here may bind a parameter.
        router = self.routers.get(key)
        if (
            route.path is not None
            and router is not None
            and not router.get("deps")
            and all(
                k.arg not in (None, "dependencies", "response_class") for k in registration.keywords
            )
        ):
            record["own_path"] = route.path
        self.routes.append(record)

    def _record(
        self,
        route: Any,
        key: str,
        methods: list[str] | None,
        function: FunctionInfo,
        statement: ast.stmt,
        pos: list[int],
        scope: Scope,
        endpoint_routes: ModuleRoutes,
        endpoint_dependencies: DependencyReader,
    ) -> dict[str, Any]:
        """One route of the table: its registration here (router, path, position) and its
        endpoint read in the endpoint's own module (response class, dependencies)."""
        keywords = route.keywords
        pieces: list[list[str]] = (
            [["lit", route.path]]
            if route.path is not None
            else self._expression_piece(route.path_node, scope)
        )
        response_model = keywords.get("response_model")
        returns = function.node.returns
        if (
            response_model is None
            and returns is not None
            and endpoint_routes._response_class(returns, function.outer)
        ):
            returns = None  # `-> StreamingResponse`: FastAPI sends it as is, no response model
        shown_model = response_model if response_model is not None else returns
        dependencies = keywords.get("dependencies")
        return {
            "router": key,
            "methods": methods,
            "pieces": pieces,
            "function": function.qualname,
            "name": function.name,
            "line": function.node.lineno,
            "reg": route.registration.lineno,
            "block": self._block(statement),
            "pos": pos,
            "branches": self._branches(statement),
            "async": function.is_async,
            "response_model": source_text(shown_model) if shown_model is not None else "",
            "status": status_text(
                self.model, keywords.get("status_code"), scope, route.methods == ("WEBSOCKET",)
            ),
            "deps": endpoint_dependencies.function_labels(function)
            + self.dependencies.labels(dependencies, scope),
            "security": sorted(
                set(endpoint_dependencies.function_security(function))
                | set(self.dependencies.security(dependencies, scope))
            ),
            "schema": constant_value(keywords.get("include_in_schema")) is not False,
        }

    def _response_class(self, annotation: ast.expr, scope: Scope) -> bool:
        """A return annotation naming a Starlette ``Response`` class (or a subclass)."""
        from fastapi_lint.rules.routes._common import _is_response_type

        if not isinstance(annotation, (ast.Name, ast.Attribute)):
            return False
        qualname = self.model.qualified_name(annotation, scope)
        return qualname is not None and _is_response_type(self.model, qualname)

    # ---------------------------------------------------------------- settings
    def _in_schema(self, keywords: dict[str, ast.expr], is_app: bool) -> bool:
        if constant_value(keywords.get("include_in_schema")) is False:
            return False
        if is_app and "openapi_url" in keywords and constant_value(keywords["openapi_url"]) is None:
            return False
        default_class = keywords.get("default_response_class")
        return default_class is None or last_name(default_class) not in NON_JSON_RESPONSES

    def _pieces(self, node: ast.expr | None, scope: Scope) -> list[list[str]]:
        if node is None:
            return []
        text = self._string(node, scope, 0)
        if text is not None:
            return [["lit", text]] if text else []
        return self._expression_piece(node, scope)

    def _expression_piece(self, node: ast.expr | None, scope: Scope) -> list[list[str]]:
        """A non-literal prefix or path, known only as its expression.

        ``settings.PAGES_PREFIX`` names one value wherever the module writes it.
        A loop variable, a parameter or a function's local does not: the
        ``route_prefix`` of two loops holds two values, so such an expression
        is only the same piece at the same place (one ``include_router`` call).
        """
        if node is None:
            return [["expr@?", "?"]]
        if self._is_module_value(node, scope):
            return [[f"expr@{self.model.module_name}", source_text(node)]]
        place = f"expr@{self.model.module_name}:{node.lineno}:{node.col_offset}"
        return [[place, source_text(node)]]

    def _is_module_value(self, node: ast.expr, scope: Scope) -> bool:
        """Every name in ``node`` is an import, class, function or a module-level assignment."""
        from fastapi_lint.semantic.scopes import BindingKind, ScopeKind

        stable = (BindingKind.IMPORT, BindingKind.CLASS, BindingKind.FUNCTION, BindingKind.ASSIGN)
        for name in ast.walk(node):
            if isinstance(name, ast.Name):
                binding = self.model.lookup(name.id, scope)
                if (
                    binding is None
                    or binding.kind not in stable
                    or binding.scope.kind is not ScopeKind.MODULE
                ):
                    return False
        return True

    def _string(
        self, node: ast.expr, scope: Scope, depth: int, bound: dict[str, str] | None = None
    ) -> str | None:
        """A string constant (``semantic/constant_strings.py``)."""
        return string_value(self.model, node, scope, depth, bound)

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
        # A class body runs where the class statement stands (a `@cbv(router)` view's
        # routes register in line with the module's own): not a block of its own.
        for ancestor in self.model.ancestors(statement):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
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

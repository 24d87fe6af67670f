"""API203/API204: routes shadowed by an earlier route with the same or a
matching path (registration order, as Starlette matches).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from fastapi_lint.registry import Rule
from fastapi_lint.rules import route_paths
from fastapi_lint.rules.routes._common import APP, has_star_kwargs, is_decorator, keyword_argument

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.fastapi import RouteInfo
    from fastapi_lint.semantic.model import ModuleModel

API203 = Rule(
    code="API203",
    name="shadowed-route",
    message="{route} can never be reached: {earlier} ({where}) matches the same requests first",
    summary="Checks for routes whose path is already matched by an earlier route of the same app, prefixes of routers joined across modules.",
    why=(
        "Starlette tries routes in registration order and dispatches to the first whose path "
        "matches: `{user_id}` matches any single segment, so `/users/me` registered after "
        "`/users/{user_id}` is never called (the request reaches `/users/{user_id}` and usually "
        "fails validation with a 422). A mount is one of the app's routes too: what the app "
        'registers after `app.mount("/static", ...)` under `/static/` never runs.'
    ),
    example=(
        APP + '@app.get("/users/{user_id}")\nasync def read_user(user_id: str) -> str:\n'
        "    return user_id\n\n\n"
        '@app.get("/users/me")\nasync def read_me() -> str:\n    return "me"\n'
    ),
    use_instead=(
        APP + '@app.get("/users/me")\nasync def read_me() -> str:\n    return "me"\n\n\n'
        '@app.get("/users/{user_id}")\nasync def read_user(user_id: str) -> str:\n'
        "    return user_id\n"
    ),
)
API204 = Rule(
    code="API204",
    name="duplicate-route",
    message="{route} is registered twice on {on} (first at {where}); the second never runs",
    summary="Checks for the same method and path registered twice on one router or app, prefixes joined across modules.",
    why=(
        "The first registration wins; the second function is dead code that looks alive, "
        "usually the result of a copy-paste or a merge. An app that the module later drops "
        "for another under the same name (`app = FastAPI()` with routes, then "
        "`app = create_app()`) serves nothing: its routes are not compared with the new app's. "
        "Registrations that name different route classes (`route_class_override=`, a class "
        "whose `matches()` reads the Content-Type: one JSON and one form route) are not "
        "compared: each may take its own requests."
    ),
    example=(
        APP
        + '@app.get("/items")\nasync def list_items() -> list[str]:\n    return ["hammer"]\n\n\n'
        '@app.get("/items")\nasync def list_all_items() -> list[str]:\n'
        '    return ["hammer", "saw"]\n'
    ),
    use_instead=(
        APP + '@app.get("/items")\nasync def list_items() -> list[str]:\n'
        '    return ["hammer", "saw"]\n'
    ),
)


# ------------------------------------------------------------ API203 / API204


@dataclass(frozen=True)
class _Registered:
    route: RouteInfo
    order: tuple[int, int, int]
    methods: Optional[frozenset[str]]  # None when not literal
    line: int  # where a message points for this route


def registration_order(route: RouteInfo) -> tuple[int, int, int]:
    node = route.function.node
    if is_decorator(route):
        # A def statement registers its decorators bottom-up when it executes.
        start = min(d.lineno for d in node.decorator_list)
        index = next(i for i, d in enumerate(node.decorator_list) if d is route.registration)
        return (start, 0, -index)
    return (route.registration.lineno, 1, route.registration.col_offset)


def _literal_methods(route: RouteInfo) -> frozenset[str] | None:
    attr = (
        route.registration.func.attr if isinstance(route.registration.func, ast.Attribute) else ""
    )
    if attr in ("api_route", "add_api_route"):
        declared = route.keywords.get("methods")
        if declared is not None:
            if not isinstance(declared, (ast.List, ast.Tuple, ast.Set)) or not all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in declared.elts
            ):
                return None
        if has_star_kwargs(route):
            return None
    return frozenset(route.methods)


def statement_of(model: ModuleModel, route: RouteInfo) -> ast.AST:
    return route.function.node if is_decorator(route) else route.registration


def code_block(model: ModuleModel, node: ast.AST) -> ast.AST | None:
    """The function or module whose code runs the registration (a class body runs in line,
    where the class statement stands: a `@cbv(router)` view's routes and the module's)."""
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            return ancestor
        if isinstance(ancestor, ast.Lambda):
            return ancestor
    return None


def exclusive(model: ModuleModel, first: ast.AST, second: ast.AST) -> bool:
    """Whether two statements sit in branches that do not both run (if/else, try/except)."""
    first_path = [first, *model.ancestors(first)]
    second_path = [second, *model.ancestors(second)]
    second_ids = {id(n): index for index, n in enumerate(second_path)}
    for index, node in enumerate(first_path):
        position = second_ids.get(id(node))
        if position is None:
            continue
        if index == 0 or position == 0:
            return False
        if not isinstance(node, (ast.If, ast.Try)) and type(node).__name__ not in (
            "TryStar",
            "Match",
        ):
            return False
        first_child, second_child = first_path[index - 1], second_path[position - 1]
        return _different_branches(node, first_child, second_child)
    return False


def _different_branches(node: ast.AST, first: ast.AST, second: ast.AST) -> bool:
    def branch(child: ast.AST) -> str:
        for name in ("body", "orelse", "handlers", "finalbody", "cases"):
            items = getattr(node, name, None)
            if isinstance(items, list) and any(item is child for item in items):
                if name in ("handlers", "cases"):
                    return f"{name}:{id(child)}"
                return name
        return "other"

    first_branch, second_branch = branch(first), branch(second)
    if isinstance(node, ast.If):
        return first_branch != second_branch
    if isinstance(node, ast.Try) or type(node).__name__ in ("TryStar", "Match"):
        sequential = {"body", "orelse", "finalbody"}
        if first_branch in sequential and second_branch in sequential:
            return False
        return first_branch != second_branch
    return False


def _message_line(route: RouteInfo) -> int:
    """Where a message points for an earlier route: its decorator or `add_api_route` call."""
    return route.registration.lineno


def check_conflicts(model: ModuleModel, reporter: Reporter, routes: list[RouteInfo]) -> None:
    by_router: dict[str, list[_Registered]] = {}
    for route in routes:
        if route.path is None:
            continue
        registered = _Registered(
            route, registration_order(route), _literal_methods(route), _message_line(route)
        )
        by_router.setdefault(route.router.key, []).append(registered)
    for registrations in by_router.values():
        registrations.sort(key=lambda r: r.order)
        for index, later in enumerate(registrations):
            if later.methods is None:
                continue
            earlier_ones = [
                r
                for r in registrations[:index]
                # Only routes sharing a method and a path can conflict (cheap tests first).
                if r.methods
                and r.methods & later.methods
                and _may_conflict(r.route.path, later.route.path)
                and _comparable(model, r.route, later.route)
            ]
            _check_one(reporter, later, earlier_ones)


def _may_conflict(earlier: str | None, later: str | None) -> bool:
    """What ``_check_one`` asks of a pair of paths: the same template, or covering."""
    if earlier is None or later is None:
        return False
    return bool(route_paths.same_path(earlier, later) or route_paths.covers(earlier, later))


def _comparable(model: ModuleModel, first: RouteInfo, second: RouteInfo) -> bool:
    if _route_class(first) != _route_class(second):
        return False
    first_statement = statement_of(model, first)
    second_statement = statement_of(model, second)
    if code_block(model, first_statement) is not code_block(model, second_statement):
        return False
    if exclusive(model, first_statement, second_statement):
        return False
    if branch_returns_before(model, first_statement, second_statement):
        return False
    return not _unless_registered(model, second_statement, second.path)


def _route_class(route: RouteInfo) -> str | None:
    """The ``route_class_override=`` of a registration, as written. A route class may match on
    more than the path and the method (its ``matches()`` reading the Content-Type: one JSON and
    one form route on the same path), so two registrations that name different classes may
    both be served: no one can tell statically which request each takes."""
    call = route.registration
    value = keyword_argument(call, "route_class_override") if isinstance(call, ast.Call) else None
    return None if value is None else ast.dump(value)


_EXITS = (ast.Return, ast.Raise)


def branch_returns_before(model: ModuleModel, first: ast.AST, second: ast.AST) -> bool:
    """The first registration sits in an ``if`` branch that ends by leaving the function
    (``return``/``raise``) and the second follows that ``if``: only one of them runs.
    ``if not index.is_file(): @app.get("/{p:path}") ...; return`` then the same catch-all
    serving the built frontend is a fallback chosen at start-up, not a duplicate."""
    child = first
    for ancestor in model.ancestors(first):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Module)):
            return False
        if isinstance(ancestor, ast.If):
            for branch in (ancestor.body, ancestor.orelse):
                if (
                    any(child is stmt for stmt in branch)
                    and isinstance(branch[-1], _EXITS)
                    and not _inside(model, second, ancestor)
                ):
                    return True
        child = ancestor
    return False


def _inside(model: ModuleModel, node: ast.AST, outer: ast.AST) -> bool:
    return any(ancestor is outer for ancestor in model.ancestors(node))


def _unless_registered(model: ModuleModel, statement: ast.AST, path: str | None) -> bool:
    """The registration runs only when the app does not serve ``path`` yet: it sits in the
    body of an ``if`` that requires ``not`` a lookup of that path in ``app.routes`` (inline, or
    a module name assigned from one: ``has_agents = any(r.path == "/agents.json" for r in
    app.routes)`` ... ``if not has_agents:``). Such a route is a fallback, never a duplicate."""
    if path is None:
        return False
    child = statement
    for ancestor in model.ancestors(statement):
        if isinstance(ancestor, ast.If) and any(child is stmt for stmt in ancestor.body):
            test = ancestor.test
            tests = (
                test.values
                if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And)
                else [test]
            )
            for each in tests:
                if (
                    isinstance(each, ast.UnaryOp)
                    and isinstance(each.op, ast.Not)
                    and _looks_up_route(model, each.operand, path)
                ):
                    return True
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            break
        child = ancestor
    return False


def _looks_up_route(model: ModuleModel, node: ast.expr, path: str) -> bool:
    if isinstance(node, ast.Name):
        bindings = model.module_scope.bindings.get(node.id, [])
        if len(bindings) != 1 or not isinstance(bindings[0].value, ast.expr):
            return False
        node = bindings[0].value
    reads_routes = any(
        isinstance(part, ast.Attribute) and part.attr == "routes" for part in ast.walk(node)
    )
    names_path = any(
        isinstance(part, ast.Constant) and part.value == path for part in ast.walk(node)
    )
    return reads_routes and names_path


def _check_one(reporter: Reporter, later: _Registered, earlier_ones: list[_Registered]) -> None:
    assert later.methods is not None and later.route.path is not None
    node = later.route.function.node
    for earlier in earlier_ones:
        assert earlier.methods is not None and earlier.route.path is not None
        if earlier.methods & later.methods and route_paths.same_path(
            earlier.route.path, later.route.path
        ):
            # One function registered twice (a copied `add_api_route` line): its `def` is
            # both registrations' line; the second registration is the one to delete.
            at: ast.stmt | ast.expr = node
            registration = later.route.registration
            if earlier.route.function.node is node and registration not in node.decorator_list:
                at = registration
            reporter.report(
                "API204",
                at,
                line=at.lineno,
                col=at.col_offset,
                route=later.route.display,
                on="the same router",
                where=f"line {earlier.line}",
            )
            return
    # Shadowed: every method of the later route is served by an earlier, wider route.
    shadowing: list[_Registered] = []
    for method in sorted(later.methods):
        found = next(
            (
                e
                for e in earlier_ones
                if method in e.methods  # type: ignore[operator]
                # The same function on both paths: the "shadowed" request runs it anyway.
                and e.route.function is not later.route.function
                and route_paths.covers(e.route.path, later.route.path)  # type: ignore[arg-type]
            ),
            None,
        )
        if found is None:
            return
        shadowing.append(found)
    if shadowing:
        first = shadowing[0]
        reporter.report(
            "API203",
            node,
            line=node.lineno,
            col=node.col_offset,
            route=later.route.display,
            earlier=first.route.display,
            where=f"line {first.line}",
        )

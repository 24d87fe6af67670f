"""API306: a connection pool built inside a route, a dependency or middleware.

Engines, database pools, MongoDB clients, ``aiohttp.ClientSession`` and Redis
clients each own a pool of connections: made once per process they reuse
connections, made per request they open (and leak or tear down) new ones.
A rule of the sessions family (``API3``) in its own module: the registry
runs it as a second family object with the same prefix.

Where the pool is created decides: module level, ``lifespan``/start-up code,
a ``functools.cache``/``lru_cache`` factory (or one behind a project decorator
that keeps the first result, ``rules/memo_decorators.py``) and an ``if X is None:`` store on a
global or ``app.state`` (also when ``X`` is a sibling global the branch sets) run once; a route, a ``Depends`` target (found in any
module of the project) or middleware run per request, and so does an uncached
project helper they call that builds the pool (``get_db`` -> ``get_sessionmaker()``
-> ``get_engine()`` -> ``create_engine``; up to three helpers deep).  A route (or the branch
of one) that only administrators reach (``rules/admin_only.py``) is a setup
or "test connection" action run a few times a day: not reported.
"""

from __future__ import annotations

import ast
import os
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.project.index import index_of
from fastapi_lint.project.project_files import ProjectFiles
from fastapi_lint.registry import Family, Rule
from fastapi_lint.rules.admin_only import admin_only
from fastapi_lint.rules.blocking.minor_syscalls import calls_by_function
from fastapi_lint.rules.dependency_factories import is_factory_dependency
from fastapi_lint.rules.injected_pools import lent_parameter, passed_parameter
from fastapi_lint.rules.memo_decorators import is_memoized
from fastapi_lint.rules.once_per_process import once_per_process
from fastapi_lint.rules.requested_pools import (
    PoolPath,
    carried,
    pool_path,
    taken_by,
    unconditional,
)
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.fastapi import dependency_target

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo, FunctionInfo, Scope

API306 = Rule(
    code="API306",
    name="client-per-request",
    message=(
        "`{call}` creates {resource} in {context}: every request builds and discards a new "
        "pool; create it once (at module level or in `lifespan`, kept on `app.state`) and "
        "reuse it"
    ),
    summary=(
        "Checks for engines, connection pools and pooled clients created inside routes, "
        "dependencies or middleware."
    ),
    why=(
        "An SQLAlchemy engine, an `asyncpg`/`aiomysql` pool, a `MongoClient`, an "
        "`aiohttp.ClientSession` and a Redis client each hold a pool of connections that is "
        "meant to live as long as the process: SQLAlchemy's docs say the engine is 'intended "
        "to normally be a permanent fixture established up-front', aiohttp's say 'don't create "
        "a session per request', and PyMongo's say to create the client once per process. "
        "Built in a route or a dependency, each request pays the TCP (and TLS, and "
        "authentication) handshakes again, the connections are not reused, and a pool that is "
        "not closed leaks its sockets until the database refuses new clients "
        "(`too many connections`). A project helper that builds the pool each time it is "
        "called (`get_engine()` without a cache, reached from the dependency) counts too, "
        "and so does the `__init__` of a class injected as a dependency, also with a bare "
        "`Depends()` (`reader: Reader = Depends()`), which FastAPI builds per request. "
        "Not reported: `httpx.Client`/`AsyncClient` (httpx allows "
        "short-lived clients), websocket "
        "routes (one pool per connection), code that runs once: module level, `lifespan`, "
        "a `functools.cache` factory (or one behind a project decorator that keeps the first "
        "result, such as a hand-written `@singleton`), an `if pool is None:` store (or one per key: "
        "`if key not in _engines:` that stores `_engines[key]`), and routes only "
        'administrators reach (an admin-only dependency of the route, its router or its include, or an `if role != "admin": raise` '
        'guard first): a settings page\'s "test connection" button is not a hot path.'
    ),
    example=(
        "import redis.asyncio as redis\n"
        "from fastapi import Depends, FastAPI\n\n"
        "app = FastAPI()\n\n\n"
        "async def get_cache():\n"
        '    client = redis.Redis.from_url("redis://cache:6379/0")\n'
        "    try:\n"
        "        yield client\n"
        "    finally:\n"
        "        await client.aclose()\n\n\n"
        '@app.get("/visits")\n'
        "async def visits(cache: redis.Redis = Depends(get_cache)) -> int:\n"
        '    return await cache.incr("visits")\n'
    ),
    use_instead=(
        "from contextlib import asynccontextmanager\n\n"
        "import redis.asyncio as redis\n"
        "from fastapi import FastAPI, Request\n\n\n"
        "@asynccontextmanager\n"
        "async def lifespan(app: FastAPI):\n"
        '    app.state.cache = redis.Redis.from_url("redis://cache:6379/0")\n'
        "    yield\n"
        "    await app.state.cache.aclose()\n\n\n"
        "app = FastAPI(lifespan=lifespan)\n\n\n"
        '@app.get("/visits")\n'
        "async def visits(request: Request) -> int:\n"
        '    return await request.app.state.cache.incr("visits")\n'
    ),
)

# Calls that build a connection pool (canonical names), and how the message names the result.
_ENGINE = "an SQLAlchemy engine (a connection pool)"
_REDIS = "a Redis client (a connection pool)"
_AIOHTTP = "an `aiohttp.ClientSession` (a connection pool)"
POOL_FACTORIES: dict[str, str] = {
    "sqlalchemy.create_engine": _ENGINE,
    "sqlalchemy.engine.create_engine": _ENGINE,
    "sqlmodel.create_engine": _ENGINE,
    "sqlalchemy.ext.asyncio.create_async_engine": _ENGINE,
    "asyncpg.create_pool": "an asyncpg connection pool",
    "asyncpg.pool.create_pool": "an asyncpg connection pool",
    "aiomysql.create_pool": "an aiomysql connection pool",
    "aiopg.create_pool": "an aiopg connection pool",
    "psycopg_pool.ConnectionPool": "a psycopg connection pool",
    "psycopg_pool.AsyncConnectionPool": "a psycopg connection pool",
    "pymongo.MongoClient": "a MongoDB client (a connection pool)",
    "pymongo.AsyncMongoClient": "a MongoDB client (a connection pool)",
    "pymongo.asynchronous.mongo_client.AsyncMongoClient": "a MongoDB client (a connection pool)",
    "motor.motor_asyncio.AsyncIOMotorClient": "a MongoDB client (a connection pool)",
    "motor.AsyncIOMotorClient": "a MongoDB client (a connection pool)",
    "aiohttp.ClientSession": _AIOHTTP,
    "aiohttp.client.ClientSession": _AIOHTTP,
    "redis.ConnectionPool": "a Redis connection pool",
    "redis.connection.ConnectionPool": "a Redis connection pool",
    "redis.asyncio.ConnectionPool": "a Redis connection pool",
    "redis.asyncio.connection.ConnectionPool": "a Redis connection pool",
    "redis.ConnectionPool.from_url": "a Redis connection pool",
    "redis.asyncio.ConnectionPool.from_url": "a Redis connection pool",
    "redis.Redis": _REDIS,
    "redis.StrictRedis": _REDIS,
    "redis.from_url": _REDIS,
    "redis.Redis.from_url": _REDIS,
    "redis.asyncio.Redis": _REDIS,
    "redis.asyncio.StrictRedis": _REDIS,
    "redis.asyncio.client.Redis": _REDIS,
    "redis.asyncio.from_url": _REDIS,
    "redis.asyncio.Redis.from_url": _REDIS,
    "redis.asyncio.client.Redis.from_url": _REDIS,
    "aioredis.Redis": _REDIS,
    "aioredis.from_url": _REDIS,
    "aioredis.Redis.from_url": _REDIS,
    "aioredis.create_redis_pool": _REDIS,
}
# Keywords that hand the client an existing pool (or no pool at all): nothing is built per call.
_SHARED_POOL_KEYWORDS = frozenset({"connection_pool", "connector", "pool", "poolclass"})
_MIDDLEWARE_BASES = frozenset(
    {"starlette.middleware.base.BaseHTTPMiddleware", "fastapi.middleware.base.BaseHTTPMiddleware"}
)
_DEPENDS_NAME = lazy_compile(r"\b(?:Depends|Security)\(\s*(?:dependency\s*=\s*)?([\w.]+)")
# `reader: Reader = Depends()`, `Annotated[Reader, Depends()]`: the annotation's class.
_DEPENDS_ANNOTATION = lazy_compile(
    r"(?::|Annotated\[)\s*([\w.]+)\s*(?:=|,)\s*(?:Depends|Security)\(\s*\)"
)


# ---------------------------------------------------------------- where code runs per request
def _role(model: ModuleModel, function: FunctionInfo) -> str | None:
    """How the message names a function FastAPI runs per request, or None."""
    facts = model.fastapi
    if facts.is_startup_handler(function):
        return None
    routes = facts.routes_of(function)
    if routes:
        route = routes[0]
        if route.is_websocket:
            return None  # one pool per connection, which lives as long as the socket
        return route.display if route.path is None else f"route {route.display}"
    if _is_middleware(model, function):
        owner = function.class_info
        return f"middleware `{owner.name if owner is not None else function.name}`"
    if is_dependency(model, function):
        if function.name in ("__init__", "__call__") and function.class_info is not None:
            return f"dependency `{function.class_info.name}`"
        return f"dependency `{function.name}`"
    return None


def _is_middleware(model: ModuleModel, function: FunctionInfo) -> bool:
    facts = model.fastapi
    if is_http_middleware_function(function):
        return True
    for decorator in function.node.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "middleware"
            and facts.router_of(decorator.func.value, function.outer) is not None
        ):
            return True
    class_info = function.class_info
    if class_info is None or function.name not in ("dispatch", "__call__"):
        return False
    bases = [model.qualified_name(base, class_info.outer) or "" for base in class_info.node.bases]
    if model.project is not None:
        bases += [b for q in list(bases) if q for b in model.project.class_bases(q)]
    if function.name == "dispatch":
        return any(stubs.canonical(b) in _MIDDLEWARE_BASES for b in bases)
    # A pure ASGI middleware: `async def __call__(self, scope, receive, send)`.
    names = [a.arg for a in function.node.args.args]
    return function.is_async and names[1:4] == ["scope", "receive", "send"]


def is_http_middleware_function(function: FunctionInfo) -> bool:
    """``async def add_timing(request, call_next)``: Starlette's HTTP middleware protocol,
    whatever registers it (``@app.middleware("http")``, ``app.middleware("http")(fn)`` in
    another module, ``BaseHTTPMiddleware(app, dispatch=fn)``)."""
    params = function.node.args.args
    return (
        function.is_async
        and function.class_info is None
        and len(params) == 2
        and params[1].arg == "call_next"
    )


def is_dependency(model: ModuleModel, function: FunctionInfo) -> bool:
    """A ``Depends``/``Security`` target: a function, or the ``__init__`` of a class."""
    qualname = function.qualname
    if function.name == "__call__" and function.class_info is not None:
        return _instance_depended_on(model, function.class_info)
    if function.name == "__init__" and function.class_info is not None:
        qualname = function.class_info.qualname
    elif function.is_method:
        return False
    elif function.parent_function is not None:
        # `Depends(engine_dependency(url))`: the factory's returned function runs per request.
        return is_factory_dependency(
            model, function, lambda name: _models_depending_on(model, name)
        )
    if qualname in model.fastapi.dependency_functions:
        return True
    return _depended_on_elsewhere(model, qualname) or _declares_injection(model, function)


def _declares_injection(model: ModuleModel, function: FunctionInfo) -> bool:
    """A function (or ``__init__``) whose parameters FastAPI fills: ``settings: SettingsDep``,
    ``db: Session = Depends(get_db)``. Only FastAPI's dependency injection calls such a
    function, once per request, even when the ``Depends(...)`` naming it lives outside the
    linted tree (a package that exports its dependencies)."""
    args = function.node.args
    return any(
        dependency_target(model, function, arg) is not None
        for arg in args.posonlyargs + args.args + args.kwonlyargs
    )


def _instance_depended_on(model: ModuleModel, class_info: ClassInfo) -> bool:
    """Whether an instance of the class is a ``Depends`` target, so that FastAPI runs its
    ``__call__`` per request: ``Depends(RateLimiter(100))``, or a module-level instance
    (``rate_limit = RateLimiter(100)``) passed as ``Depends(rate_limit)`` in any module."""
    method = f"{class_info.qualname}.__call__"
    if method in model.fastapi.dependency_functions:
        return True
    if _depended_on_elsewhere(model, method, class_info.name):
        return True
    for name, bindings in model.module_scope.bindings.items():
        made = bindings[-1].value if bindings else None
        if (
            isinstance(made, ast.Call)
            and model.qualified_name(made.func, model.module_scope) == class_info.qualname
        ):
            if _depended_on_elsewhere(model, method, name):
                return True
    return False


def _depended_on_elsewhere(model: ModuleModel, qualname: str, name: str | None = None) -> bool:
    """Whether another module of the project passes ``qualname`` to ``Depends(...)``
    (``name``: the word spelled after ``Depends(``, by default the qualname's last).

    Files are searched as text for ``Depends(<name>`` first; only the few that
    match are modelled, to confirm the name resolves to this definition.
    """
    name = name or qualname.rsplit(".", 1)[-1]
    return any(
        qualname in other.fastapi.dependency_functions
        for other in _models_depending_on(model, name)
    )


def _models_depending_on(model: ModuleModel, name: str) -> Iterator[ModuleModel]:
    """The other modules of the project that spell ``Depends(<name>``, modelled."""
    project = index_of(model)
    if project is None:
        return
    from fastapi_lint.project.layout import module_name_for

    for path in _files_depending_on(project, name):
        if model.path and os.path.abspath(model.path) == path:
            continue
        other = project.model(module_name_for(Path(path), project.root))
        if other is not None:
            yield other


# Per listing of the project's files (``ProjectFiles``, dropped when a file changes):
# each name passed to ``Depends``/``Security`` -> the files (tests included) passing it.
_depends_index: weakref.WeakKeyDictionary[ProjectFiles, dict[str, list[str]]]
_depends_index = weakref.WeakKeyDictionary()


def _files_depending_on(project: ProjectIndex, name: str) -> list[str]:
    """The project's files (tests included) that pass ``name`` to ``Depends(...)``,
    from one scan of the listing. Walking and stat'ing every file per question made
    this rule's dependency test too dear to ask for every function."""
    files = ProjectFiles.of(project)
    index = _depends_index.get(files)
    if index is None:
        index = {}
        for path in (*files.paths, *files.test_paths):
            for spelled in _depends_names(files.text(path, keep=False)):
                index.setdefault(spelled, []).append(path)
        _depends_index[files] = index
    return index.get(name, [])


def _depends_names(text: str | None) -> frozenset[str]:
    if text is None or ("Depends(" not in text and "Security(" not in text):
        return frozenset()
    spelled = [*_DEPENDS_NAME.finditer(text), *_DEPENDS_ANNOTATION.finditer(text)]
    return frozenset(m.group(1).rsplit(".", 1)[-1] for m in spelled)


# ---------------------------------------------------------------- once-per-process code
def _stored_target(model: ModuleModel, call: ast.Call) -> ast.expr | None:
    """Where a created client is stored when not in a local: ``_pool = ...``, ``app.state.x = ...``."""
    node: ast.AST = call
    parent = model.parent(node)
    if isinstance(parent, ast.Await):
        node, parent = parent, model.parent(parent)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        for target in targets:
            if isinstance(target, (ast.Attribute, ast.Subscript)):
                return target
            if isinstance(target, ast.Name):
                return target
    return None


def _target_words(target: ast.expr) -> set[str]:
    """The names a guard must mention to protect a store: ``_pool``, ``redis`` of ``state.redis``."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Attribute):
        return {target.attr}
    if isinstance(target, ast.Subscript):
        words = {n.id for n in ast.walk(target.value) if isinstance(n, ast.Name)}
        words |= {n.attr for n in ast.walk(target.value) if isinstance(n, ast.Attribute)}
        return words
    return set()


def _is_global_store(function: FunctionInfo, target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return any(
            isinstance(s, ast.Global) and target.id in s.names for s in ast.walk(function.node)
        )
    return True  # an attribute or item of an object that outlives the call


def _kept_beyond_call(function: FunctionInfo, name: str) -> bool:
    """``engine = _engines.get(key)``, ``if engine is None: engine = create_async_engine(...)``
    then ``_engines[key] = engine``: the local is stored in a cache that outlives the call."""
    return any(
        isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Name)
        and node.value.id == name
        and any(isinstance(t, (ast.Subscript, ast.Attribute)) for t in node.targets)
        for node in ast.walk(function.node)
    )


def _stores_of(function: FunctionInfo, name: str) -> set[str]:
    """The containers a local is stored in: ``_engines`` for ``_engines[key] = engine``."""
    words: set[str] = set()
    for node in ast.walk(function.node):
        if not (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Name)
            and node.value.id == name
        ):
            continue
        for target in node.targets:
            if isinstance(target, ast.Subscript):
                words |= _target_words(target)
    return words


def _guarded_store(model: ModuleModel, function: FunctionInfo, call: ast.Call) -> bool:
    """``if _pool is None: _pool = create_pool(...)`` (also ``app.state``): made once, then reused.

    The guard may test another global its branch sets: ``if _sessions is None:
    _engine = make_engine(); _sessions = sessionmaker(bind=_engine)`` builds both on the
    first call only (API107's "once per process"). A per-key cache may test the container
    the local goes to: ``if job_id not in _engines: engine = create_engine(...)`` then
    ``_engines[job_id] = engine`` builds one engine per key, not per call.
    """
    if once_per_process(model, function, call):
        return True
    target = _stored_target(model, call)
    if target is None:
        return False
    if not _guard_mentions(model, function, call, _target_words(target)):
        if not isinstance(target, ast.Name):
            return False
        containers = _stores_of(function, target.id)
        return bool(containers) and _guard_mentions(model, function, call, containers)
    return _is_global_store(function, target) or (
        isinstance(target, ast.Name) and _kept_beyond_call(function, target.id)
    )


def _guard_mentions(
    model: ModuleModel, function: FunctionInfo, call: ast.Call, words: set[str]
) -> bool:
    """Whether an ``if``/``while`` around ``call`` in ``function`` tests one of ``words``."""
    for ancestor in model.ancestors(call):
        if ancestor is function.node:
            break
        if not isinstance(ancestor, (ast.If, ast.While)):
            continue
        test = ancestor.test
        mentioned = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
        mentioned |= {n.attr for n in ast.walk(test) if isinstance(n, ast.Attribute)}
        mentioned |= {
            n.value
            for n in ast.walk(test)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
        if words & mentioned:
            return True
    return False


def _shares_pool(call: ast.Call) -> bool:
    """``Redis(connection_pool=pool)``, ``ClientSession(connector=shared)``, ``poolclass=NullPool``."""
    return any(k.arg in _SHARED_POOL_KEYWORDS for k in call.keywords)


def _spell(call: ast.Call) -> str:
    try:
        spelled = ast.unparse(call.func)
    except Exception:  # pragma: no cover - unparse of odd trees
        return "..."
    if len(spelled) > 50:
        spelled = spelled.rsplit(".", 1)[-1]
    return f"{spelled}(...)" if call.args or call.keywords else f"{spelled}()"


# ---------------------------------------------------------------- pools built by project helpers
_HELPER_DEPTH = 3  # get_db() -> get_sessionmaker() -> get_engine() -> create_engine()
_MAX_PATHS = 4  # ways one helper may build a pool, kept per helper


def _pools_made_by(model: ModuleModel, function: FunctionInfo) -> Iterator[tuple[ast.Call, str]]:
    """The unguarded pool factory calls ``function`` itself makes, with their resource."""
    for call, scope in calls_by_function(model).get(id(function.node), []):
        target = model.call_target(call, scope)
        resource = target and (
            POOL_FACTORIES.get(stubs.canonical(target)) or POOL_FACTORIES.get(target)
        )
        if resource and not _shares_pool(call) and not _guarded_store(model, function, call):
            yield call, resource


def _helper_pool(project: ProjectIndex, qualname: str, depth: int = 0) -> list[PoolPath]:
    """The ways the project function ``qualname`` builds a pool when it runs, itself or
    through further project functions (``[]``: none, or it is cached). Each is a
    ``PoolPath``: ``chain`` (spelled calls..., resource), ``lent`` (the pool is built only
    when the call passes nothing for that parameter, ``rules/injected_pools.py``) and
    ``when`` (conditions on the function's parameters the path needs: ``if url:`` before
    a one-off engine, ``rules/requested_pools.py``). Only files the index reads decide
    it: the answer is cached on disk."""

    def compute() -> list[PoolPath]:
        found = project.function(qualname)
        if found is None:
            return []
        model, function = found
        if is_memoized(model, function) or function.is_method:
            return []
        paths = [
            pool_path(
                [_spell(call), resource],
                lent_parameter(model, function, call),
                model,
                function,
                call,
            )
            for call, resource in _pools_made_by(model, function)
        ]
        if any(unconditional(path) for path in paths) or depth + 1 >= _HELPER_DEPTH:
            return paths[:_MAX_PATHS]
        for call, scope in calls_by_function(model).get(id(function.node), []):
            target = model.call_target(call, scope)
            if target is None or not _in_project(project, target):
                continue
            inner = _helper_pool(project, target, depth + 1)
            if not inner or _guarded_store(model, function, call):
                continue
            for path in inner:
                lent = path["lent"]
                own = passed_parameter(lent, call, function) if lent is not None else None
                if not taken_by(path, call, own is not None):
                    continue  # the helper lends its callee a client, or asks for no pool
                paths.append(carried(path, _spell(call), own, model, function, call))
                break
            if len(paths) >= _MAX_PATHS:
                break
        return paths[:_MAX_PATHS]

    found = project.fact("pool-helper/14", f"{depth}:{qualname}", compute)
    return [dict(path) for path in found or []]


def _in_project(project: ProjectIndex, qualname: str) -> bool:
    return "." in qualname and project.is_project_module(qualname.rsplit(".", 1)[0])


def check(model: ModuleModel, reporter: Reporter) -> None:
    if not reporter.enabled("API306"):
        return
    roles: dict[int, str | None] = {}
    project = index_of(model)
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        scope: Scope = ref.scope
        function = scope.code_function
        if function is None:
            continue  # module level, a class body, a lambda
        target = model.call_target(call, scope)
        if target is None:
            continue
        resource = POOL_FACTORIES.get(stubs.canonical(target)) or POOL_FACTORIES.get(target)
        helper = resource is None and project is not None and _in_project(project, target)
        if (resource is None and not helper) or _shares_pool(call):
            continue
        # Where the call runs first: most calls of project helpers are in functions that
        # run once or per job, and following each helper's calls across the project (to
        # find a pool built inside) was an eighth of a cold run.
        key = id(function.node)
        if key not in roles:
            roles[key] = None if is_memoized(model, function) else _role(model, function)
        context = roles[key]
        if context is None:
            continue
        chain: list[str] | None = None
        if helper:
            # `get_sessionmaker()` in `get_db`, building an engine each call: the same pool.
            paths = _helper_pool(project, target) if project is not None else []
            pooled = next((path for path in paths if taken_by(path, call)), None)
            if pooled is None:
                continue  # no pool, or one built only when the route lends no client
            chain = pooled["chain"]
        if _guarded_store(model, function, call):
            continue
        spelled = _spell(call)
        if chain is not None:
            spelled, resource = " -> ".join([spelled, *chain[:-1]]), chain[-1]
        if admin_only(model, function, call):
            continue  # an administrator's setup or "test connection" action: not per request
        reporter.report("API306", call, call=spelled, resource=str(resource), context=context)


FAMILY = Family(
    prefix="API3",
    title="Database sessions",
    rules=(API306,),
    check=check,
)

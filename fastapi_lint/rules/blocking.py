"""API1xx: calls that block the event loop in async context.

A sync ``def`` route or dependency runs in FastAPI's threadpool
(fastapi/routing.py: ``run_in_threadpool`` for non-coroutine endpoints), so
blocking there is correct; only code that runs on the loop is checked.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.project.serving import runs_before_serving
from fastapi_lint.registry import Family, FixAvailability, Rule
from fastapi_lint.rules.blocking_syscalls import (
    API108,
    MINOR_SYSCALLS,
    POPEN,
    advice_for,
    calls_by_function,
    waits_for_process,
)
from fastapi_lint.rules.chain_conditions import (
    Condition,
    falsified,
    once_per_process,
    passed_through,
    path_conditions,
)
from fastapi_lint.rules.self_clients import local_value, self_client_root
from fastapi_lint.rules.session_handoff import passes_reported_session
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.model import cut_count, note_cut
from fastapi_lint.settings import RuleOptions

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

OFFLOAD_HINT = "`await run_in_threadpool(...)` (fastapi.concurrency) or a sync `def` route"

API101 = Rule(
    code="API101",
    name="blocking-http-call",
    message="`{call}` is a blocking HTTP call in {context}; use `httpx.AsyncClient` and `await` it",
    summary="Checks for blocking HTTP requests (requests, urllib, urllib3, http.client, sync httpx) in async code.",
    why=(
        "An `async def` route runs on the event loop. A blocking HTTP request stops the loop until the "
        "remote server answers: every other request of the worker waits with it."
    ),
    example=(
        "import requests\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/weather")\nasync def weather() -> dict[str, float]:\n'
        '    return requests.get("https://api.example.com/weather").json()\n'
    ),
    use_instead=(
        "import httpx\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/weather")\nasync def weather() -> dict[str, float]:\n'
        "    async with httpx.AsyncClient() as client:\n"
        '        response = await client.get("https://api.example.com/weather")\n'
        "    return response.json()\n"
    ),
    options="`extra-blocking-calls`: more qualified names (with `*`) to treat as blocking.",
)
API102 = Rule(
    code="API102",
    name="blocking-sleep",
    fix=FixAvailability.SAFE,
    fix_description="Replaces `time.sleep(x)` with `await asyncio.sleep(x)` and adds `import asyncio` when missing.",
    message="`time.sleep()` blocks the event loop in {context}; use `await asyncio.sleep(...)`",
    summary="Checks for `time.sleep` in async code.",
    why="`time.sleep` suspends the whole event loop, not just this request.",
    example=(
        "import time\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/slow")\nasync def slow() -> None:\n    time.sleep(1)\n'
    ),
    use_instead=(
        "import asyncio\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/slow")\nasync def slow() -> None:\n    await asyncio.sleep(1)\n'
    ),
)
API103 = Rule(
    code="API103",
    name="blocking-file-io",
    message="`{call}` is blocking file I/O in {context}; use `anyio` (`anyio.open_file`, `anyio.Path`) or `aiofiles`",
    summary=(
        "Checks for blocking file reads, writes and tree operations in async code "
        "(single metadata calls are API108)."
    ),
    why="Disk I/O blocks the event loop; on network file systems or busy disks for a long time.",
    example=(
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/config")\nasync def config() -> str:\n'
        '    with open("config.toml") as f:\n        return f.read()\n'
    ),
    use_instead=(
        "import anyio\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/config")\nasync def config() -> str:\n'
        '    return await anyio.Path("config.toml").read_text()\n'
    ),
)
API104 = Rule(
    code="API104",
    name="blocking-subprocess",
    message="`{call}` runs a subprocess and blocks the event loop in {context}; use `asyncio.create_subprocess_exec`, `anyio.run_process` or "
    + OFFLOAD_HINT,
    summary=(
        "Checks for blocking subprocess calls in async code; `Popen` when the function waits "
        "for it (spawning only is API108)."
    ),
    why="Waiting for a child process blocks the event loop for as long as the process runs.",
    example=(
        "import subprocess\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.post("/build")\nasync def build() -> None:\n    subprocess.run(["make"], check=True)\n'
    ),
    use_instead=(
        "import anyio\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.post("/build")\nasync def build() -> None:\n    await anyio.run_process(["make"])\n'
    ),
)
API105 = Rule(
    code="API105",
    name="blocking-client-call",
    message="`{call}` is a blocking client call in {context}; use {alternative}, " + OFFLOAD_HINT,
    summary="Checks for sync database, cache, mail, storage and socket clients used in async code.",
    why=(
        "psycopg2, pymysql, sqlite3, pymongo, redis, smtplib, boto3 and raw sockets wait on the network "
        "synchronously: the event loop stops for each round trip."
    ),
    example=(
        "import redis\nfrom fastapi import FastAPI\n\napp = FastAPI()\ncache = redis.Redis()\n\n\n"
        '@app.get("/hits")\nasync def hits() -> int:\n    return int(cache.incr("hits"))\n'
    ),
    use_instead=(
        "import redis.asyncio as redis\nfrom fastapi import FastAPI\n\napp = FastAPI()\ncache = redis.Redis()\n\n\n"
        '@app.get("/hits")\nasync def hits() -> int:\n    return int(await cache.incr("hits"))\n'
    ),
    options="`extra-blocking-calls`: names listed there are reported under this code.",
)
API106 = Rule(
    code="API106",
    name="blocking-password-hash",
    message="`{call}` is CPU-heavy password hashing on the event loop in {context}; use "
    + OFFLOAD_HINT,
    summary="Checks for slow password hashing (bcrypt, argon2, passlib, pbkdf2, scrypt) in async code.",
    why="Password hashes are slow on purpose (100 ms and more): on the event loop they stall every request.",
    example=(
        "from fastapi import FastAPI\nfrom passlib.context import CryptContext\n\n"
        'app = FastAPI()\npwd_context = CryptContext(schemes=["bcrypt"])\n\n\n'
        '@app.post("/users")\nasync def create_user(password: str) -> str:\n'
        "    return pwd_context.hash(password)\n"
    ),
    use_instead=(
        "from fastapi import FastAPI\nfrom fastapi.concurrency import run_in_threadpool\n"
        "from passlib.context import CryptContext\n\n"
        'app = FastAPI()\npwd_context = CryptContext(schemes=["bcrypt"])\n\n\n'
        '@app.post("/users")\nasync def create_user(password: str) -> str:\n'
        "    return await run_in_threadpool(pwd_context.hash, password)\n"
    ),
)
API107 = Rule(
    code="API107",
    name="blocking-call-chain",
    message="`{callee}` blocks the event loop in {context}: {chain}; use " + OFFLOAD_HINT,
    summary="Checks for calls to sync project functions that block (directly or through further calls).",
    why=(
        "The blocking call hides one or more calls away, often in another module: `await`-less helpers "
        "that call `requests` or a sync database session stall the loop just the same."
    ),
    example=(
        "import requests\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        "def fetch_profile(user_id: int) -> dict[str, str]:\n"
        '    return requests.get(f"https://profiles.example.com/{user_id}").json()\n\n\n'
        '@app.get("/users/{user_id}")\nasync def get_user(user_id: int) -> dict[str, str]:\n'
        "    return fetch_profile(user_id)\n"
    ),
    use_instead=(
        "import requests\nfrom fastapi import FastAPI\nfrom fastapi.concurrency import run_in_threadpool\n\n"
        "app = FastAPI()\n\n\n"
        "def fetch_profile(user_id: int) -> dict[str, str]:\n"
        '    return requests.get(f"https://profiles.example.com/{user_id}").json()\n\n\n'
        '@app.get("/users/{user_id}")\nasync def get_user(user_id: int) -> dict[str, str]:\n'
        "    return await run_in_threadpool(fetch_profile, user_id)\n"
    ),
)

_HTTP_VERBS = "{get,post,put,patch,delete,head,options,request}"
_HTTPX_VERBS = "{get,post,put,patch,delete,head,options,request,stream}"

# Code -> qualified-name patterns (``*`` any run of characters, ``{a,b}`` alternatives).
BLOCKING_CALLS: dict[str, tuple[str, ...]] = {
    "API101": (
        f"requests.{_HTTP_VERBS}",
        f"requests.Session.{_HTTP_VERBS}",
        "requests.Session.send",
        "urllib.request.urlopen",
        "urllib.request.OpenerDirector.open",
        "urllib3.request",
        "urllib3.PoolManager.{request,urlopen,request_encode_url,request_encode_body}",
        "http.client.HTTPConnection.{request,getresponse,connect}",
        f"httpx.{_HTTPX_VERBS}",
        f"httpx.Client.{_HTTPX_VERBS}",
        "httpx.Client.send",
    ),
    "API102": ("time.sleep",),
    # File contents and tree operations; single metadata calls are API108 (Revision 2).
    "API103": (
        "builtins.open",
        "io.open",
        # `os.fdopen(os.open(...))`: the file object of a low-level descriptor, written
        # like open()'s (atomic writes through mkstemp + os.replace do this).
        "os.fdopen",
        "tempfile.{NamedTemporaryFile,TemporaryFile}",
        "pathlib.Path.{read_text,read_bytes,write_text,write_bytes,open,iterdir}",
        "shutil.{copy,copy2,copyfile,copyfileobj,copytree,move,rmtree}",
        "os.{listdir,scandir,walk}",
        "zipfile.ZipFile.{extractall,extract}",
        "tarfile.TarFile.{extractall,extract}",
        "tempfile.SpooledTemporaryFile.{read,write,readlines,readline}",
    ),
    "API104": (
        "subprocess.{run,call,check_call,check_output,Popen,getoutput,getstatusoutput}",
        "subprocess.Popen.{communicate,wait}",
        "os.{system,popen,wait,waitpid,wait3,wait4,waitid}",
    ),
    "API105": (
        "{sqlite3,psycopg2,psycopg,pymysql,MySQLdb,mysql.connector}.connect",
        "psycopg.Connection.connect",
        "{sqlite3,psycopg2,psycopg,pymysql,mysql.connector}.{Connection,Cursor}.*",
        "pymongo.Collection.*",
        "pymongo.Database.{command,list_collection_names,create_collection,drop_collection,list_collections,aggregate,validate_collection}",
        "pymongo.MongoClient.{list_database_names,drop_database,server_info,list_databases}",
        "redis.Redis.*",
        "redis.Pipeline.execute",
        "smtplib.SMTP.*",
        "ftplib.FTP.*",
        "imaplib.IMAP4.*",
        "boto3.Client.*",
        "boto3.Resource.*",
        "socket.{create_connection,getaddrinfo,gethostbyname,gethostbyname_ex,gethostbyaddr}",
        "socket.socket.{connect,connect_ex,recv,recv_into,recvfrom,send,sendall,sendto,accept}",
    ),
    "API106": (
        "passlib.context.CryptContext.{hash,verify,verify_and_update,encrypt}",
        "passlib.hash.*.{hash,verify,encrypt}",
        "bcrypt.{hashpw,checkpw,kdf}",
        "argon2.PasswordHasher.{hash,verify}",
        "hashlib.{pbkdf2_hmac,scrypt}",
        # pwdlib: what the FastAPI tutorial and fastapi-users hash passwords with.
        "pwdlib.PasswordHash.{hash,verify,verify_and_update}",
        "fastapi_users.password.PasswordHelper.{hash,verify_and_update}",
    ),
    "API108": MINOR_SYSCALLS,
}

# Methods that do no I/O on otherwise blocking receivers.
LOCAL_METHODS: dict[str, frozenset[str]] = {
    "boto3.Client": frozenset(
        {
            "generate_presigned_url",
            "generate_presigned_post",
            "get_paginator",
            "get_waiter",
            "can_paginate",
            "close",
            "meta",
            "exceptions",
        }
    ),
    "boto3.Resource": frozenset({"Bucket", "Object", "Table", "Queue", "Topic", "meta"}),
    "redis.Redis": frozenset(
        {
            "pipeline",
            "pubsub",
            "lock",
            "from_url",
            "close",
            "connection_pool",
            "get_connection_kwargs",
        }
    ),
    "pymongo.Collection": frozenset({"with_options", "name", "full_name", "database"}),
    "smtplib.SMTP": frozenset({"set_debuglevel"}),
    # Creating a client-side cursor sends nothing to the server.
    "sqlite3.Connection": frozenset(
        {"cursor", "row_factory", "create_function", "set_trace_callback"}
    ),
    "psycopg2.Connection": frozenset({"cursor", "set_session", "set_isolation_level"}),
    "psycopg.Connection": frozenset({"cursor"}),
    "pymysql.Connection": frozenset({"cursor"}),
    "mysql.connector.Connection": frozenset({"cursor"}),
}

# Types whose constructor itself connects when given a host.
CONNECTING_CONSTRUCTORS = frozenset(
    {
        "smtplib.SMTP",
        "smtplib.SMTP_SSL",
        "ftplib.FTP",
        "ftplib.FTP_TLS",
        "imaplib.IMAP4",
        "imaplib.IMAP4_SSL",
    }
)

# Sync session methods that talk to the database (used by API107's chain).
SYNC_SESSION_IO_METHODS = frozenset(
    {
        "query",
        "execute",
        "exec",
        "scalar",
        "scalars",
        "get",
        "commit",
        "flush",
        "refresh",
        "merge",
        "rollback",
        "delete",
        "get_one",
        "connection",
    }
)

# API105: the asyncio counterpart of each sync client, by qualified-name prefix.
ASYNC_ALTERNATIVES: tuple[tuple[str, str], ...] = (
    ("psycopg2.", "`asyncpg` or `psycopg.AsyncConnection`"),
    ("psycopg.", "`psycopg.AsyncConnection`"),
    ("pymysql.", "`aiomysql` or `asyncmy`"),
    ("MySQLdb.", "`aiomysql` or `asyncmy`"),
    ("mysql.connector.", "`aiomysql` or `asyncmy`"),
    ("sqlite3.", "`aiosqlite`"),
    ("pymongo.", "`motor` (or pymongo's `AsyncMongoClient`)"),
    ("redis.", "`redis.asyncio`"),
    ("smtplib.", "`aiosmtplib`"),
    ("ftplib.", "`aioftp`"),
    ("imaplib.", "`aioimaplib`"),
    ("boto3.", "`aioboto3`"),
    ("socket.", "`asyncio.open_connection` / `loop.getaddrinfo`"),
)


def async_alternative(qualname: str) -> str:
    for prefix, alternative in ASYNC_ALTERNATIVES:
        if qualname.startswith(prefix):
            return alternative
    return "an async API"


def _expand(pattern: str) -> list[str]:
    match = re.search(r"\{([^}]*)\}", pattern)
    if not match:
        return [pattern]
    result = []
    for option in match.group(1).split(","):
        result.extend(_expand(pattern[: match.start()] + option + pattern[match.end() :]))
    return result


@lru_cache(maxsize=1)
def _compiled() -> tuple[dict[str, str], list[tuple[re.Pattern[str], str]]]:
    exact: dict[str, str] = {}
    wildcards: list[tuple[re.Pattern[str], str]] = []
    for code, patterns in BLOCKING_CALLS.items():
        for pattern in patterns:
            for expanded in _expand(pattern):
                if "*" in expanded:
                    wildcards.append((re.compile(fnmatch.translate(expanded)), code))
                else:
                    exact.setdefault(expanded, code)
    return exact, wildcards


def blocking_code(qualname: str, options: RuleOptions | None = None) -> str | None:
    """The API10x code of a call target, or None when it does not block."""
    exact, wildcards = _compiled()
    code = exact.get(qualname)
    if code is not None:
        return code
    owner, _, method = qualname.rpartition(".")
    if method.startswith("_") or method in LOCAL_METHODS.get(owner, ()):
        return None
    for pattern, wildcard_code in wildcards:
        if pattern.match(qualname):
            return wildcard_code
    if (
        options is not None
        and options.extra_blocking_calls
        and options.matches_extra_blocking(qualname)
    ):
        return "API105"
    return None


# Receiver types spelled the way users reach them.
DISPLAY_OWNERS = {"tempfile.SpooledTemporaryFile": "UploadFile.file"}


def display_call(qualname: str) -> str:
    """How a message spells a call target."""
    if qualname.startswith("builtins."):
        return qualname[len("builtins.") :] + "()"
    owner, _, method = qualname.rpartition(".")
    if owner in DISPLAY_OWNERS:
        return f"{DISPLAY_OWNERS[owner]}.{method}()"
    return qualname + "()"


@dataclass(frozen=True)
class BlockingCall:
    code: str
    target: str
    node: ast.Call


def _options(model: ModuleModel) -> RuleOptions:
    return model.options


def classify_call(model: ModuleModel, call: ast.Call, scope: Scope) -> BlockingCall | None:
    """Whether a call blocks by itself (API101-API106)."""
    if model.is_awaited(call):
        return None  # awaiting means an async API, whatever the name suggests
    target = model.call_target(call, scope)
    if target is None:
        return None
    target = stubs.canonical(target)
    code = blocking_code(target, _options(model))
    if (
        code is None
        and target in CONNECTING_CONSTRUCTORS
        and (call.args or _has_keyword(call, "host"))
    ):
        code = "API105"
    if code is None:
        return None
    if target == POPEN and not waits_for_process(model, call, scope):
        code = "API108"  # spawning only (Revision 2): the function never waits for it
    if _on_reported_object(model, call, scope):
        return None
    return BlockingCall(code, target, call)


def _on_reported_object(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """Whether ``call`` is a method of an object a reported call of the same function made.

    ``conn = sqlite3.connect(...)`` is reported; ``conn.cursor().execute(...)``
    after it is the same blocking work and is not reported again (RULES.md).
    """
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    function = scope.code_function
    expr: ast.AST = func.value
    for _ in range(8):
        if isinstance(expr, ast.Name):
            found = local_value(model, expr, scope, function)
            if found is None:
                return False
            expr, scope = found
        elif isinstance(expr, ast.Call):
            if classify_call(model, expr, scope) is not None:
                return True
            if not isinstance(expr.func, ast.Attribute):
                return False
            expr = expr.func.value
        elif isinstance(expr, (ast.Attribute, ast.Subscript)):
            expr = expr.value
        else:
            return False  # an `await`, a literal, ...: not an object a reported call made
    return False


def _has_keyword(call: ast.Call, name: str) -> bool:
    return any(k.arg == name for k in call.keywords)


def sync_session_use(model: ModuleModel, call: ast.Call, scope: Scope) -> str | None:
    """A database round trip on a sync SQLAlchemy session, or creating one: its display."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in SYNC_SESSION_IO_METHODS:
        receiver = model.type_of(func.value, scope)
        if receiver in stubs.SYNC_SESSION_TYPES:
            return f"Session.{func.attr}()"
    return None


# How many project functions a chain may pass through below the called one.
# Longer chains are mostly lazy one-time set-up (singletons, config loading)
# reached through conditional paths: reporting them costs precision.
MAX_CHAIN_DEPTH = 2
# A chain is a property of the function it starts from (so summaries can be
# cached and shared across modules): at most this many project functions.
MAX_CHAIN_FUNCTIONS = MAX_CHAIN_DEPTH + 1
# How deep the search may recurse through the call graph (a safety net).
MAX_EXPLORATION = 48


def resolve_project_function(
    model: ModuleModel, call: ast.Call, scope: Scope
) -> tuple[ModuleModel, FunctionInfo] | None:
    """The project function or method a call runs, in this module or another."""
    target = model.call_target(call, scope)
    if target is None:
        return None
    return model.find_function(target)


# Builtins that iterate a generator they are given (so its body runs right there).
_CONSUMERS = frozenset(
    {
        "list",
        "tuple",
        "set",
        "frozenset",
        "dict",
        "sorted",
        "next",
        "sum",
        "min",
        "max",
        "any",
        "all",
    }
)


@dataclass(frozen=True)
class BlockingPath:
    """One way a function blocks: the chain below it and the conditions on its parameters."""

    chain: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class CalleeSummary:
    """What API107 needs to know of a called project function, cached across modules."""

    display: str
    is_async: bool
    is_generator: bool
    paths: tuple[BlockingPath, ...] = ()

    def chain_for(self, call: ast.Call) -> tuple[str, ...] | None:
        """The first blocking path this call's arguments do not rule out (RULES.md Revision 2)."""
        for path in self.paths_for(call):
            return path.chain
        return None

    def paths_for(self, call: ast.Call) -> list[BlockingPath]:
        """The blocking paths this call's arguments do not rule out."""
        return [path for path in self.paths if not falsified(list(path.conditions), call)]

    def to_json(self) -> dict[str, object]:
        return {
            "display": self.display,
            "is_async": self.is_async,
            "is_generator": self.is_generator,
            "paths": [[list(p.chain), list(p.conditions)] for p in self.paths],
        }

    @classmethod
    def from_json(cls, data: object) -> CalleeSummary | None:
        if not isinstance(data, dict):
            return None
        paths = []
        for entry in data.get("paths") or ():
            if isinstance(entry, list) and len(entry) == 2:
                chain, conditions = entry
                paths.append(
                    BlockingPath(
                        tuple(str(c) for c in chain),
                        tuple(c for c in conditions if isinstance(c, dict)),
                    )
                )
        return cls(
            display=str(data.get("display", "")),
            is_async=bool(data.get("is_async")),
            is_generator=bool(data.get("is_generator")),
            paths=tuple(paths),
        )


def summarize_function(
    model: ModuleModel,
    function: FunctionInfo,
    depth: int = 0,
    visiting: Exploration | None = None,
) -> CalleeSummary:
    paths = () if function.is_async else blocking_paths(model, function, depth, visiting)
    return CalleeSummary(
        display=_function_display(function),
        is_async=function.is_async,
        is_generator=model.is_generator(function),
        paths=tuple(paths),
    )


def callee_summary(
    model: ModuleModel,
    call: ast.Call,
    scope: Scope,
    depth: int = 0,
    visiting: Exploration | None = None,
) -> CalleeSummary | None:
    """The project function a call runs (this module or another) and whether it blocks.

    Functions of other modules are answered by the project index as facts
    cached on disk, so a warm run does not read the modules they live in.
    """
    target = model.call_target(call, scope)
    if target is None:
        return None
    local = model.function_named(target)
    if local is not None:
        return summarize_function(model, local, depth, visiting)
    project = index_of(model)
    if project is None:
        return None

    def compute() -> object:
        found = project.function(target)
        if found is None:
            return None
        # Depth-independent: the fact is shared by every caller (the index
        # guards cross-module cycles itself).
        return summarize_function(found[0], found[1]).to_json()

    return CalleeSummary.from_json(project.fact("callee/2", target, compute))


def runs_body(model: ModuleModel, call: ast.Call, callee: CalleeSummary) -> bool:
    """Whether calling ``callee`` at ``call`` runs its body right there.

    Calling a generator function only creates the generator: a sync generator
    handed to ``StreamingResponse`` is iterated in Starlette's threadpool. Its
    body runs on the loop when the call is iterated in place (``for``, a
    comprehension, ``list(...)``) or entered (a ``@contextmanager`` in ``with``).
    """
    if not callee.is_generator:
        return True
    parent = model.parent(call)
    if isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is call:
        return True
    if isinstance(parent, ast.withitem) or isinstance(parent, ast.YieldFrom):
        return True
    if isinstance(parent, ast.With):
        return any(item.context_expr is call for item in parent.items)
    if isinstance(parent, ast.Call) and call in parent.args:
        func = parent.func
        if isinstance(func, ast.Name) and func.id in _CONSUMERS:
            return True
        if isinstance(func, ast.Attribute) and func.attr == "join":
            return True
    return False


# Decorators that run the body once and then answer from memory: blocking
# there happens on the first call only (usually at startup).
MEMOIZING_DECORATORS = frozenset(
    {
        "functools.cache",
        "functools.lru_cache",
        "functools.cached_property",
        "cachetools.cached",
        "cachetools.func.lru_cache",
        "cachetools.func.ttl_cache",
    }
)


def _is_memoized(model: ModuleModel, function: FunctionInfo) -> bool:
    for decorator in function.node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if model.qualified_name(target, function.outer) in MEMOIZING_DECORATORS:
            return True
    return False


# At most this many ways a function blocks are kept (each with its conditions).
MAX_PATHS = 4


# The blocking paths of each function of a module, by qualified name.
_CHAINS: MemoKey[dict[str, list[BlockingPath]]] = MemoKey("blocking-chains")


class Exploration:
    """The functions of one module being explored, outermost first, and the
    outermost of them that a recursion reached back to (Tarjan's low-link)."""

    __slots__ = ("positions", "reached")

    def __init__(self) -> None:
        self.positions: dict[str, int] = {}
        self.reached = _UNREACHED


_UNREACHED = 1 << 30


def blocking_paths(
    model: ModuleModel,
    function: FunctionInfo,
    depth: int = 0,
    visiting: Exploration | None = None,
) -> list[BlockingPath]:
    """How calling ``function`` blocks: ``[BlockingPath(("fetch()", "requests.get()"))]``.

    Remembered only when the answer is the function's own: a recursion back to
    a function further out, or the exploration limit, gave an answer for this
    question only (asked first from elsewhere, the same function would get
    another); remembering it made findings depend on the check order.
    """
    cache = model.memo.setdefault(_CHAINS, {})
    key = function.qualname
    if key in cache:
        return cache[key]
    search = visiting if visiting is not None else Exploration()
    position = search.positions.get(key)
    if position is not None:
        # Recursion: the path through the cycle adds nothing new.
        search.reached = min(search.reached, position)
        return []
    if len(search.positions) > MAX_EXPLORATION:
        note_cut()
        return []
    position = search.positions[key] = len(search.positions)
    outer_reached, search.reached = search.reached, _UNREACHED
    cuts = cut_count()
    try:
        result = _blocking_paths(model, function, depth, search)
    finally:
        del search.positions[key]
        reached, search.reached = search.reached, min(outer_reached, search.reached)
    if reached >= position and cut_count() == cuts:
        cache[key] = result
    return result


def _blocking_paths(
    model: ModuleModel, function: FunctionInfo, depth: int, visiting: Exploration
) -> list[BlockingPath]:
    if function.is_async or _is_memoized(model, function):
        return []
    calls = [
        (call, scope)
        for call, scope in calls_by_function(model).get(id(function.node), [])
        # Lazy module-level singletons block once per process (Revision 2).
        if not once_per_process(model, function, call)
    ]
    paths: list[BlockingPath] = []

    def add(chain: list[str], call: ast.Call, inherited: list[Condition] | None = None) -> bool:
        """Keep a path; True when the search can stop (a path no call can rule out)."""
        conditions = tuple((path_conditions(model, function, call) or []) + (inherited or []))
        path = BlockingPath(tuple(chain), conditions)
        if path not in paths:
            paths.append(path)
        return not conditions or len(paths) >= MAX_PATHS

    for call, scope in calls:
        blocking = classify_call(model, call, scope)
        # A single metadata call (API108) is no reason to offload the caller:
        # the chain names the call that moves data.
        if blocking is not None and blocking.code != "API108":
            if add([display_call(blocking.target)], call):
                return paths
        elif blocking is None:
            session_use = sync_session_use(model, call, scope)
            if session_use is not None and add([session_use], call):
                return paths
    for call, scope in calls:
        if model.is_awaited(call):
            continue
        if model.call_target(call, scope) == function.qualname:
            continue  # plain recursion
        callee = callee_summary(model, call, scope, depth + 1, visiting)
        if callee is None or callee.is_async or not runs_body(model, call, callee):
            continue
        stop = False
        for callee_path in callee.paths_for(call):
            if 1 + len(callee_path.chain) > MAX_CHAIN_FUNCTIONS:
                continue
            inherited = passed_through(list(callee_path.conditions), call, function)
            if add([callee.display, *callee_path.chain], call, inherited):
                stop = True
                break
        if stop:
            break
    return paths


def _function_display(function: FunctionInfo) -> str:
    if function.class_info is not None:
        return f"{function.class_info.name}.{function.name}()"
    return f"{function.name}()"


def _self_client_uses(
    model: ModuleModel, function: FunctionInfo, calls: list[tuple[ast.Call, Scope]]
) -> dict[int, str | None]:
    """Calls on a ``self.x`` client (or on what it returned), by ``id``: the target to
    report at the first one of each client whose uses block, None for the others."""
    groups: dict[str, list[tuple[ast.Call, Scope, str]]] = {}
    for call, scope in calls:
        if model.is_awaited(call):
            continue
        root = self_client_root(model, function, call, scope, _is_client_type)
        if root is not None:
            attr, client = root
            target = model.call_target(call, scope)
            method = call.func.attr if isinstance(call.func, ast.Attribute) else "call"
            groups.setdefault(attr, []).append(
                (call, scope, stubs.canonical(target) if target else f"{client}.{method}")
            )
    uses: dict[int, str | None] = {}
    for group in groups.values():
        blocks = any(
            blocking_code(target, _options(model)) is not None
            or classify_call(model, call, scope) is not None
            for call, scope, target in group
        )
        for index, (call, _, target) in enumerate(group):
            uses[id(call)] = target if blocks and index == 0 else None
    return uses


def _is_client_type(type_name: str) -> bool:
    """A sync network client whose every method talks to its server (API105)."""
    return blocking_code(f"{type_name}.any_operation") == "API105"


def check(model: ModuleModel, reporter: Reporter) -> None:
    facts = model.fastapi
    grouped = calls_by_function(model)
    for function in model.functions:
        if not function.is_async or runs_before_serving(model, function):
            continue
        context = facts.describe(function)
        calls = sorted(
            grouped.get(id(function.node), []),
            key=lambda item: (item[0].lineno, item[0].col_offset),
        )
        clients = _self_client_uses(model, function, calls)
        for call, scope in calls:
            if id(call) in clients:
                first = clients[id(call)]
                if first is not None:
                    reporter.report(
                        "API105",
                        call,
                        call=display_call(first),
                        context=context,
                        alternative=async_alternative(first),
                    )
                continue
            blocking = classify_call(model, call, scope)
            if blocking is not None:
                # Templates ignore the fields they do not name (`alternative`: API105).
                reporter.report(
                    blocking.code,
                    call,
                    call=display_call(blocking.target),
                    context=context,
                    alternative=async_alternative(blocking.target),
                    advice=advice_for(blocking.target),
                )
                continue
            if not reporter.enabled("API107") or model.is_awaited(call):
                continue
            callee = callee_summary(model, call, scope)
            if callee is None or callee.is_async or not callee.paths:
                continue
            if not runs_body(model, call, callee) or once_per_process(model, function, call):
                continue
            chain = callee.chain_for(call)
            if not chain:
                continue  # every blocking path is ruled out by this call's arguments
            if (
                chain[-1].startswith("Session.")
                and reporter.enabled("API301")
                and passes_reported_session(model, function, call, scope)
            ):
                continue  # the session itself is the finding (API301), once per function
            reporter.report(
                "API107",
                call,
                callee=callee.display,
                context=context,
                chain=" -> ".join([callee.display, *chain]),
            )


FAMILY = Family(
    prefix="API1",
    title="Blocking the event loop",
    rules=(API101, API102, API103, API104, API105, API106, API107, API108),
    check=check,
)

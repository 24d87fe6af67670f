"""What fastapi-lint knows about third-party libraries, as data.

Qualified names are canonical: the public spelling a user would import
(``requests.Session``, ``sqlalchemy.orm.Session``). ``canonical()`` maps the
private module paths libraries re-export from onto those spellings.
"""

from __future__ import annotations

from functools import lru_cache

# Private or alternative module paths -> the canonical public name.
CANONICAL_PREFIXES: dict[str, str] = {
    "requests.api.": "requests.",
    "requests.sessions.": "requests.",
    "httpx._api.": "httpx.",
    "httpx._client.": "httpx.",
    "starlette.concurrency.": "fastapi.concurrency.",
    "fastapi.applications.FastAPI": "fastapi.FastAPI",
    "fastapi.routing.APIRouter": "fastapi.APIRouter",
    "fastapi.param_functions.": "fastapi.",
    "fastapi.params.Depends": "fastapi.Depends",
    "fastapi.params.Security": "fastapi.Security",
    "fastapi.datastructures.UploadFile": "fastapi.UploadFile",
    "starlette.datastructures.UploadFile": "fastapi.UploadFile",
    "fastapi.background.BackgroundTasks": "fastapi.BackgroundTasks",
    "starlette.background.BackgroundTasks": "fastapi.BackgroundTasks",
    "fastapi.responses.": "starlette.responses.",
    "fastapi.middleware.cors.": "starlette.middleware.cors.",
    "fastapi.middleware.Middleware": "starlette.middleware.Middleware",
    "starlette.middleware.sessions.": "starlette.middleware.sessions.",
    "sqlalchemy.orm.session.": "sqlalchemy.orm.",
    "sqlalchemy.orm.relationships.": "sqlalchemy.orm.",
    "sqlalchemy.orm.strategy_options.": "sqlalchemy.orm.",
    "sqlalchemy.ext.asyncio.session.": "sqlalchemy.ext.asyncio.",
    "sqlalchemy.ext.asyncio.engine.": "sqlalchemy.ext.asyncio.",
    "sqlalchemy.sql.expression.": "sqlalchemy.",
    "sqlalchemy.future.select": "sqlalchemy.select",
    "sqlalchemy.sql.select": "sqlalchemy.select",
    "sqlmodel.sql.expression.": "sqlmodel.",
    "sqlmodel.ext.asyncio.session.AsyncSession": "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlmodel.orm.session.Session": "sqlmodel.Session",
    "pydantic_settings.main.": "pydantic_settings.",
    "pydantic.env_settings.": "pydantic.",
    "pymongo.mongo_client.MongoClient": "pymongo.MongoClient",
    # Where annotations import them from (`db: Database = Depends(get_db)`); pymongo 4.9
    # moved the sync classes under `pymongo.synchronous`.
    "pymongo.database.Database": "pymongo.Database",
    "pymongo.collection.Collection": "pymongo.Collection",
    "pymongo.synchronous.mongo_client.MongoClient": "pymongo.MongoClient",
    "pymongo.synchronous.database.Database": "pymongo.Database",
    "pymongo.synchronous.collection.Collection": "pymongo.Collection",
    "redis.client.Redis": "redis.Redis",
    "redis.client.StrictRedis": "redis.Redis",
    "redis.StrictRedis": "redis.Redis",
    "redis.lock.Lock": "redis.Lock",
    "redis.client.PubSub": "redis.PubSub",
    "urllib3.poolmanager.PoolManager": "urllib3.PoolManager",
    "psycopg2.connect": "psycopg2.connect",
    # Where annotations name the DB-API classes (`self.conn: psycopg2.extensions.connection`).
    "psycopg2.extensions.connection": "psycopg2.Connection",
    "psycopg2.extensions.cursor": "psycopg2.Cursor",
    "psycopg2._psycopg.connection": "psycopg2.Connection",
    "psycopg2._psycopg.cursor": "psycopg2.Cursor",
    "psycopg2.extras.RealDictCursor": "psycopg2.Cursor",
    "psycopg2.extras.DictCursor": "psycopg2.Cursor",
    "pymysql.cursors.Cursor": "pymysql.Cursor",
    "pymysql.cursors.DictCursor": "pymysql.Cursor",
    "mysql.connector.connection.": "mysql.connector.",
    "passlib.context.CryptContext": "passlib.context.CryptContext",
    "argon2._password_hasher.PasswordHasher": "argon2.PasswordHasher",
    "anyio.to_thread.": "anyio.to_thread.",
    "asyncio.tasks.": "asyncio.",
    "asyncio.threads.": "asyncio.",
    "jose.jwt.": "jose.jwt.",
    "jwt.api_jwt.": "jwt.",
    "pathlib.PosixPath": "pathlib.Path",
    "pathlib.WindowsPath": "pathlib.Path",
    "anyio._core._fileio.Path": "anyio.Path",
}


# The package prefixes above, in order (one C-level test rules most names out).
_DOTTED_PREFIXES = tuple(prefix for prefix in CANONICAL_PREFIXES if prefix.endswith("."))


@lru_cache(maxsize=65536)
def canonical(qualname: str) -> str:
    if qualname in CANONICAL_PREFIXES:
        return CANONICAL_PREFIXES[qualname]
    if qualname.startswith(_DOTTED_PREFIXES):
        for prefix in _DOTTED_PREFIXES:
            if qualname.startswith(prefix):
                return CANONICAL_PREFIXES[prefix] + qualname[len(prefix) :]
    return qualname


# ---------------------------------------------------------------- type flow
# Calling one of these returns an instance of the given type.
CALL_RETURNS: dict[str, str] = {
    "requests.session": "requests.Session",
    "builtins.open": "io.TextIOWrapper",
    "os.fdopen": "io.TextIOWrapper",
    "sqlite3.connect": "sqlite3.Connection",
    "psycopg2.connect": "psycopg2.Connection",
    "psycopg.connect": "psycopg.Connection",
    "psycopg.Connection.connect": "psycopg.Connection",
    "pymysql.connect": "pymysql.Connection",
    "pymysql.connections.Connection": "pymysql.Connection",
    "MySQLdb.connect": "pymysql.Connection",
    "mysql.connector.connect": "mysql.connector.Connection",
    "boto3.client": "boto3.Client",
    "boto3.resource": "boto3.Resource",
    "boto3.Session": "boto3.Session",
    "boto3.session.Session": "boto3.Session",
    "redis.from_url": "redis.Redis",
    "redis.Redis.from_url": "redis.Redis",
    "redis.asyncio.from_url": "redis.asyncio.Redis",
    "redis.asyncio.Redis.from_url": "redis.asyncio.Redis",
    "subprocess.Popen": "subprocess.Popen",
    # `with tarfile.open(path) as tar: tar.extractall(dest)`: the archive API103 extracts.
    "tarfile.open": "tarfile.TarFile",
    "tarfile.TarFile.open": "tarfile.TarFile",
    "smtplib.SMTP_SSL": "smtplib.SMTP",
    "ftplib.FTP_TLS": "ftplib.FTP",
    "imaplib.IMAP4_SSL": "imaplib.IMAP4",
    "socket.create_connection": "socket.socket",
    "socket.socket": "socket.socket",
    "urllib3.PoolManager": "urllib3.PoolManager",
    "urllib3.HTTPConnectionPool": "urllib3.PoolManager",
    "urllib3.HTTPSConnectionPool": "urllib3.PoolManager",
    "urllib3.connection_from_url": "urllib3.PoolManager",
    "http.client.HTTPConnection": "http.client.HTTPConnection",
    "http.client.HTTPSConnection": "http.client.HTTPConnection",
    "sqlalchemy.create_engine": "sqlalchemy.Engine",
    "sqlmodel.create_engine": "sqlalchemy.Engine",
    "sqlalchemy.ext.asyncio.create_async_engine": "sqlalchemy.ext.asyncio.AsyncEngine",
    "sqlalchemy.orm.Session": "sqlalchemy.orm.Session",
    "sqlmodel.Session": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.scoped_session": "sqlalchemy.orm.scoped_session",
    "sqlalchemy.ext.asyncio.AsyncSession": "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.ext.asyncio.async_scoped_session": "sqlalchemy.ext.asyncio.AsyncSession",
    # declarative_base() returns a class whose metaclass is DeclarativeMeta (API4xx model catalogue).
    "sqlalchemy.orm.declarative_base": "sqlalchemy.orm.DeclarativeMeta",
    "sqlalchemy.ext.declarative.declarative_base": "sqlalchemy.orm.DeclarativeMeta",
    "sqlalchemy.orm.registry": "sqlalchemy.orm.registry",
    "motor.motor_asyncio.AsyncIOMotorClient": "motor.AsyncIOMotorClient",
    "pymongo.MongoClient": "pymongo.MongoClient",
    "httpx.Client": "httpx.Client",
    "httpx.AsyncClient": "httpx.AsyncClient",
    "requests.Session": "requests.Session",
    "pathlib.Path": "pathlib.Path",
    "pathlib.Path.cwd": "pathlib.Path",
    "pwdlib.PasswordHash.recommended": "pwdlib.PasswordHash",
    "pathlib.Path.home": "pathlib.Path",
    "anyio.Path": "anyio.Path",
}

# boto3 resource collections (`bucket.objects`, `s3.buckets`): building and narrowing one
# sends nothing; iterating it lists pages and its batch actions (`.delete()`) call the service.
BOTO3_COLLECTIONS = frozenset(
    {
        "objects",
        "object_versions",
        "multipart_uploads",
        "buckets",
        "tables",
        "queues",
        "dead_letter_source_queues",
        "topics",
        "subscriptions",
        "instances",
        "volumes",
        "snapshots",
        "images",
    }
)
_LAZY_COLLECTION = ("all", "filter", "limit", "page_size")


# Subclasses an annotation may name (`conn: http.client.HTTPSConnection`,
# `smtp: smtplib.SMTP_SSL`) whose methods the rules know under the base class, as
# their constructors' entries above say.
ANNOTATED_SUBCLASSES: dict[str, str] = {
    "http.client.HTTPSConnection": "http.client.HTTPConnection",
    "smtplib.SMTP_SSL": "smtplib.SMTP",
    "ftplib.FTP_TLS": "ftplib.FTP",
    "imaplib.IMAP4_SSL": "imaplib.IMAP4",
    "urllib3.HTTPConnectionPool": "urllib3.PoolManager",
    "urllib3.HTTPSConnectionPool": "urllib3.PoolManager",
}


def annotated_class(qualname: str) -> str:
    """The class an annotation naming ``qualname`` gives its value (``canonical``, and a
    subclass of ``ANNOTATED_SUBCLASSES`` as its base)."""
    found = canonical(qualname)
    return ANNOTATED_SUBCLASSES.get(found, found)


# Calling a method of an instance of T returns an instance of the given type.
METHOD_RETURNS: dict[str, str] = {
    "sqlite3.Connection.cursor": "sqlite3.Cursor",
    "sqlite3.Connection.execute": "sqlite3.Cursor",
    "psycopg2.Connection.cursor": "psycopg2.Cursor",
    "psycopg.Connection.cursor": "psycopg.Cursor",
    "psycopg.Connection.execute": "psycopg.Cursor",
    # Connection pools of the sync drivers hand out driver connections (taking one is
    # local; what the connection then sends is the client call).
    **{
        f"psycopg2.pool.{pool}.getconn": "psycopg2.Connection"
        for pool in ("SimpleConnectionPool", "ThreadedConnectionPool", "AbstractConnectionPool")
    },
    "psycopg_pool.ConnectionPool.getconn": "psycopg.Connection",
    "psycopg_pool.ConnectionPool.connection": "psycopg.Connection",
    "pymysql.Connection.cursor": "pymysql.Cursor",
    "mysql.connector.Connection.cursor": "mysql.connector.Cursor",
    "boto3.Session.client": "boto3.Client",
    "boto3.Session.resource": "boto3.Resource",
    "boto3.Resource.Bucket": "boto3.Resource",
    "boto3.Resource.Object": "boto3.Resource",
    "boto3.Resource.Table": "boto3.Resource",
    # Narrowing a collection is lazy (`bucket.objects.filter(Prefix=p)`): still a collection.
    **{
        f"boto3.ResourceCollection.{method}": "boto3.ResourceCollection"
        for method in _LAZY_COLLECTION
    },
    # Creating them is local; paginating and waiting call the service.
    "boto3.Client.get_paginator": "boto3.Paginator",
    "boto3.Client.get_waiter": "boto3.Waiter",
    "pymongo.MongoClient.get_database": "pymongo.Database",
    "pymongo.MongoClient.get_default_database": "pymongo.Database",
    "pymongo.Database.get_collection": "pymongo.Collection",
    "motor.AsyncIOMotorClient.get_database": "motor.Database",
    "motor.Database.get_collection": "motor.Collection",
    "sqlalchemy.Engine.connect": "sqlalchemy.Connection",
    "sqlalchemy.Engine.begin": "sqlalchemy.Connection",
    "socket.socket.accept": "socket.socket",
    "sqlalchemy.orm.sessionmaker.begin": "sqlalchemy.orm.Session",
    "sqlalchemy.ext.asyncio.async_sessionmaker.begin": "sqlalchemy.ext.asyncio.AsyncSession",
    "redis.Redis.pipeline": "redis.Pipeline",
    # Making a lock or a pubsub object sends nothing; acquiring and subscribing do.
    "redis.Redis.lock": "redis.Lock",
    "redis.Redis.pubsub": "redis.PubSub",
    "sqlalchemy.orm.registry.generate_base": "sqlalchemy.orm.DeclarativeMeta",
    **{
        f"{path_type}.{method}": path_type
        for path_type in ("pathlib.Path", "anyio.Path")
        for method in (
            "resolve",
            "absolute",
            "expanduser",
            "joinpath",
            "with_suffix",
            "with_name",
            "with_stem",
            "relative_to",
        )
    },
}

# Iterating over what these methods return gives instances of the given type:
# `for path in MEDIA.glob("*.json"): path.read_text()` reads a file per item.
ITERATION_ITEMS: dict[str, str] = {
    **{f"pathlib.Path.{method}": "pathlib.Path" for method in ("glob", "rglob", "iterdir")},
    # `for obj in bucket.objects.filter(Prefix=p): obj.delete()`: one request per item.
    **{f"boto3.ResourceCollection.{method}": "boto3.Resource" for method in _LAZY_COLLECTION},
}

# Builtins that keep the items of the iterable they are given (`sorted(d.glob("*"))`).
ITEM_PRESERVING_BUILTINS = frozenset({"sorted", "list", "reversed", "tuple", "set"})

# Reading an attribute of an instance of T gives an instance of the given type.
# "*" matches any attribute name not listed as a method.
ATTRIBUTE_TYPES: dict[tuple[str, str], str] = {
    # The upload's spooled file, named apart from a `tempfile.SpooledTemporaryFile()` of
    # the code's own (in memory until it rolls over; not in API103's list).
    ("fastapi.UploadFile", "file"): "fastapi.UploadFile.file",
    # `client.admin` is a property giving the admin database, not a collection holder.
    ("pymongo.MongoClient", "admin"): "pymongo.Database",
    ("motor.AsyncIOMotorClient", "admin"): "motor.Database",
    ("pymongo.MongoClient", "*"): "pymongo.Database",
    ("pymongo.Database", "*"): "pymongo.Collection",
    ("motor.AsyncIOMotorClient", "*"): "motor.Database",
    ("motor.Database", "*"): "motor.Collection",
    ("boto3.Resource", "meta"): "boto3.ResourceMeta",
    **{("boto3.Resource", name): "boto3.ResourceCollection" for name in BOTO3_COLLECTIONS},
    ("boto3.ResourceMeta", "client"): "boto3.Client",
    ("pathlib.Path", "parent"): "pathlib.Path",
    ("anyio.Path", "parent"): "anyio.Path",
    # `Path(__file__).resolve().parents[2]`: an ancestor folder is a Path too.
    ("pathlib.Path", "parents"): "pathlib.PathParents",
    ("fastapi.FastAPI", "router"): "fastapi.APIRouter",
    # `request.app.state.auth`: the application of a request and its state (the project's
    # assignments to `app.state.<name>` type the last step, project/app_state.py).
    ("fastapi.Request", "app"): "fastapi.FastAPI",
    ("starlette.requests.Request", "app"): "fastapi.FastAPI",
    ("fastapi.WebSocket", "app"): "fastapi.FastAPI",
    ("starlette.websockets.WebSocket", "app"): "fastapi.FastAPI",
    ("fastapi.FastAPI", "state"): "starlette.datastructures.State",
}
SUBSCRIPT_TYPES: dict[str, str] = {
    "pathlib.PathParents": "pathlib.Path",
    "pymongo.MongoClient": "pymongo.Database",
    "pymongo.Database": "pymongo.Collection",
    "motor.AsyncIOMotorClient": "motor.Database",
    "motor.Database": "motor.Collection",
}
# Real methods of types that ATTRIBUTE_TYPES gives a "*" entry (not sub-collections).
KNOWN_METHODS: dict[str, frozenset[str]] = {
    "pymongo.MongoClient": frozenset(
        {
            "close",
            "list_database_names",
            "drop_database",
            "server_info",
            "start_session",
            "get_database",
            "get_default_database",
            "list_databases",
            "watch",
            "admin",
        }
    ),
    "pymongo.Database": frozenset(
        {
            "command",
            "list_collection_names",
            "create_collection",
            "drop_collection",
            "get_collection",
            "list_collections",
            "watch",
            "aggregate",
            "validate_collection",
            # attributes, not collections
            "name",
            "client",
            "with_options",
            "codec_options",
            "read_preference",
            "read_concern",
            "write_concern",
        }
    ),
    "motor.AsyncIOMotorClient": frozenset(
        {
            "close",
            "list_database_names",
            "drop_database",
            "server_info",
            "start_session",
            "get_database",
            "get_default_database",
            "list_databases",
            "watch",
        }
    ),
    "motor.Database": frozenset(
        {
            "command",
            "list_collection_names",
            "create_collection",
            "drop_collection",
            "get_collection",
            "list_collections",
            "watch",
            "aggregate",
        }
    ),
}

# Path objects: `/`, `.parent` and the path-building methods keep the type.
PATH_TYPES: frozenset[str] = frozenset({"pathlib.Path", "anyio.Path"})

# `with X as name` binds X.__enter__(); where that is not X itself.
ENTER_TYPES: dict[str, str] = {}

# Offloading calls: the callable passed as an argument runs in a worker thread.
OFFLOADING_CALLS: frozenset[str] = frozenset(
    {
        "fastapi.concurrency.run_in_threadpool",
        "anyio.to_thread.run_sync",
        "asyncio.to_thread",
        "asyncer.asyncify",
        "sqlalchemy.ext.asyncio.AsyncSession.run_sync",
        "sqlalchemy.ext.asyncio.AsyncConnection.run_sync",
        "asyncio.AbstractEventLoop.run_in_executor",
        "starlette.concurrency.run_until_first_complete",
    }
)
OFFLOADING_METHOD_NAMES: frozenset[str] = frozenset({"run_in_executor"})

# Session types.
SYNC_SESSION_TYPES: frozenset[str] = frozenset(
    {"sqlalchemy.orm.Session", "sqlmodel.Session", "sqlalchemy.orm.scoped_session"}
)
ASYNC_SESSION_TYPES: frozenset[str] = frozenset(
    {"sqlalchemy.ext.asyncio.AsyncSession", "sqlmodel.ext.asyncio.session.AsyncSession"}
)
SESSIONMAKER = "sqlalchemy.orm.sessionmaker"
ASYNC_SESSIONMAKER = "sqlalchemy.ext.asyncio.async_sessionmaker"

FASTAPI_APP_TYPES: frozenset[str] = frozenset({"fastapi.FastAPI"})
FASTAPI_ROUTER_TYPES: frozenset[str] = frozenset({"fastapi.APIRouter"})
ROUTE_METHODS: dict[str, str] = {
    "get": "GET",
    "post": "POST",
    "put": "PUT",
    "patch": "PATCH",
    "delete": "DELETE",
    "options": "OPTIONS",
    "head": "HEAD",
    "trace": "TRACE",
    "websocket": "WEBSOCKET",
    "api_route": "",
    "websocket_route": "WEBSOCKET",
}

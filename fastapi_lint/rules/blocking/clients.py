"""API105 blocking-client-call: sync database, cache, mail, storage and socket clients in async code."""

from __future__ import annotations

from fastapi_lint.registry import Rule
from fastapi_lint.rules.blocking._common import OFFLOAD_HINT

API105 = Rule(
    code="API105",
    name="blocking-client-call",
    message="`{call}` is a blocking client call in {context}; use {alternative}, " + OFFLOAD_HINT,
    summary="Checks for sync database, cache, mail, storage and socket clients used in async code.",
    why=(
        "psycopg2, pymysql, sqlite3, pymongo, redis, smtplib, boto3 and raw sockets wait on the network "
        "synchronously: the event loop stops for each round trip. An SQLite database held in memory "
        '(`sqlite3.connect(":memory:")`) touches no file and no network: it is not reported.'
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

# Qualified-name patterns (``*`` any run of characters, ``{a,b}`` alternatives).
PATTERNS: tuple[str, ...] = (
    "{sqlite3,psycopg2,psycopg,pymysql,MySQLdb,mysql.connector}.connect",
    "psycopg.Connection.connect",
    "{sqlite3,psycopg2,psycopg,pymysql,mysql.connector}.{Connection,Cursor}.*",
    "pymongo.Collection.*",
    "pymongo.Database.{command,list_collection_names,create_collection,drop_collection,list_collections,aggregate,validate_collection}",
    "pymongo.MongoClient.{list_database_names,drop_database,server_info,list_databases}",
    "redis.Redis.*",
    "redis.Pipeline.execute",
    # A lock is a key set and deleted on the server; `acquire` polls with `time.sleep`
    # until `blocking_timeout`. A sync pubsub reads its connection (`get_message`, `listen`).
    "redis.Lock.{acquire,release,extend,reacquire,locked,owned}",
    "redis.PubSub.{subscribe,psubscribe,ssubscribe,unsubscribe,punsubscribe,sunsubscribe,get_message,listen,ping}",
    "smtplib.SMTP.*",
    "ftplib.FTP.*",
    "imaplib.IMAP4.*",
    "boto3.Client.*",
    "boto3.Resource.*",
    # A collection's batch actions (`bucket.objects.filter(...).delete()`).
    "boto3.ResourceCollection.*",
    # A page iterator sends one request per page; a waiter polls (and sleeps) until done.
    "boto3.Paginator.paginate",
    "boto3.Waiter.wait",
    "socket.{create_connection,getaddrinfo,gethostbyname,gethostbyname_ex,gethostbyaddr}",
    "socket.socket.{connect,connect_ex,recv,recv_into,recvfrom,send,sendall,sendto,accept}",
)

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
    "boto3.ResourceCollection": frozenset({"all", "filter", "limit", "page_size"}),
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

# Local methods whose result, entered by a `with`, blocks in its `__enter__`
# (`with cache.lock("key"):` acquires the lock on the server).
ENTERED_BLOCKING = frozenset({"redis.Redis.lock"})

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

"""Unit tests for API101-API107 beyond the fixtures: tables, messages, edge cases."""

from __future__ import annotations

import time

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.rules.blocking import (
    async_alternative,
    blocking_code,
    display_call,
)
from fastapi_lint.settings import RuleOptions


@pytest.mark.parametrize(
    ("qualname", "code"),
    [
        ("requests.get", "API101"),
        ("requests.Session.post", "API101"),
        ("httpx.Client.stream", "API101"),
        ("httpx.AsyncClient.get", None),
        ("time.sleep", "API102"),
        ("asyncio.sleep", None),
        ("builtins.open", "API103"),
        ("os.path.join", None),
        ("pathlib.Path.read_text", "API103"),
        ("anyio.Path.read_text", None),
        ("subprocess.run", "API104"),
        ("asyncio.create_subprocess_exec", None),
        ("redis.Redis.get", "API105"),
        ("redis.Redis.pipeline", None),
        ("redis.asyncio.Redis.get", None),
        ("boto3.Client.get_object", "API105"),
        ("boto3.Client.generate_presigned_url", None),
        ("pymongo.Collection.find_one", "API105"),
        ("motor.Collection.find_one", None),
        ("sqlite3.Connection.cursor", None),
        ("sqlite3.Cursor.fetchall", "API105"),
        ("bcrypt.hashpw", "API106"),
        ("bcrypt.gensalt", None),
        ("hashlib.sha256", None),
    ],
)
def test_blocking_code(qualname: str, code: str | None) -> None:
    assert blocking_code(qualname) == code


def test_extra_blocking_calls_use_api105() -> None:
    options = RuleOptions(extra_blocking_calls=("mylib.fetch*",))
    assert blocking_code("mylib.fetch_user", options) == "API105"
    assert blocking_code("mylib.store", options) is None


def test_display() -> None:
    assert display_call("builtins.open") == "open()"
    assert display_call("requests.get") == "requests.get()"
    assert display_call("fastapi.UploadFile.file.read") == "UploadFile.file.read()"
    assert async_alternative("redis.Redis.get") == "`redis.asyncio`"
    assert async_alternative("mylib.fetch") == "an async API"


ROUTE = """\
import time

import requests
from fastapi import FastAPI

app = FastAPI()


def fetch(item_id: int) -> dict[str, int]:
    return requests.get(f"https://api.example.com/{item_id}").json()


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, int]:
    time.sleep(1)
    return fetch(item_id)
"""


def test_messages_name_call_route_and_fix() -> None:
    diagnostics = {d.code: d.message for d in check_source(ROUTE, "app/routes.py")}
    assert diagnostics["API102"].startswith(
        "`time.sleep()` blocks the event loop in route GET /items/{item_id}"
    )
    assert "await asyncio.sleep" in diagnostics["API102"]
    chain = diagnostics["API107"]
    assert "fetch() -> requests.get()" in chain
    assert "route GET /items/{item_id}" in chain
    assert "run_in_threadpool" in chain
    assert all("trio" not in message for message in diagnostics.values())


def test_long_recursive_chains_terminate_quickly() -> None:
    # 200 mutually recursive sync helpers, the last one blocking: no hang, no
    # RecursionError, and the chain beyond the depth limit is not reported.
    lines = ["import time", "from fastapi import FastAPI", "app = FastAPI()"]
    count = 200
    for index in range(count):
        callee = f"helper_{(index + 1) % count}"
        lines.append(f"def helper_{index}(n: int) -> None:\n    {callee}(n - 1)\n    helper_0(n)")
    lines.append("def last() -> None:\n    time.sleep(1)")
    lines.append("def near() -> None:\n    last()")
    lines.append('@app.get("/x")\nasync def route() -> None:\n    helper_0(1)\n    near()')
    source = "\n\n\n".join(lines) + "\n"
    started = time.perf_counter()
    diagnostics = check_source(source, "app/routes.py")
    assert time.perf_counter() - started < 20
    assert [(d.code, d.message.split(":")[0]) for d in diagnostics] == [
        ("API107", "`near()` blocks the event loop in route GET /x")
    ]

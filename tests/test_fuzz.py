"""The engine never raises on any input: random programs, mutated fixtures, random text.

The normal suite runs a bounded number of examples. A long run is one command:

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastapi_lint.engine import CheckError, check_source
from tests.fixture_support import fixture_files

settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
settings.register_profile(
    "long", max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

FIXTURES = [path.read_text(encoding="utf-8") for path in fixture_files()]
FASTAPI_WORDS = [
    "async def f(db: Session = Depends(get_db)):\n",
    "    time.sleep(1)\n",
    "    requests.get(url)\n",
    "@app.get('/items/{id}')\n",
    "    await session.execute(select(User))\n",
    "    for user in users:\n",
    "        user.posts\n",
    "SECRET_KEY = 'dev-secret-value'\n",
    "import time, requests\n",
    "from fastapi import FastAPI, Depends\n",
    "app = FastAPI()\n",
    "class User(Base):\n",
    "    posts = relationship('Post')\n",
    "    return {'a': 1}\n",
    "lambda: (yield)\n",
    "    global app\n",
    "del app\n",
]


def _check(source: str) -> None:
    try:
        check_source(source, "app/fuzzed.py")
    except CheckError:
        pass  # one clear per-file error is the contract for unparsable input


@given(st.text(max_size=400))
def test_random_text(source: str) -> None:
    _check(source)


@given(st.lists(st.sampled_from(FASTAPI_WORDS), max_size=30))
def test_random_fastapi_lines(lines: list[str]) -> None:
    _check("".join(lines))


@given(st.integers(min_value=0, max_value=10**9))
def test_mutated_fixtures(seed: int) -> None:
    rng = random.Random(seed)
    source = rng.choice(FIXTURES)
    lines = source.splitlines(keepends=True)
    for _ in range(rng.randint(1, 6)):
        if not lines:
            break
        index = rng.randrange(len(lines))
        operation = rng.randrange(5)
        if operation == 0:
            del lines[index]
        elif operation == 1:
            lines.insert(index, rng.choice(FASTAPI_WORDS))
        elif operation == 2:
            other = rng.randrange(len(lines))
            lines[index], lines[other] = lines[other], lines[index]
        elif operation == 3:
            lines[index] = lines[index].lstrip()
        else:
            cut = rng.randrange(len(lines[index]) + 1)
            lines[index] = lines[index][:cut] + "\n"
    _check("".join(lines))


hypothesmith = pytest.importorskip("hypothesmith")


@given(hypothesmith.from_grammar())
def test_random_valid_programs(source: str) -> None:
    _check(source)


@given(hypothesmith.from_node())
def test_random_valid_trees(source: str) -> None:
    _check(source)

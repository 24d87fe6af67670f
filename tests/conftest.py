from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    # tests/test_snapshots.py: rewrite tests/snapshots/ from the current output
    # instead of comparing with it (docs/design.md, "Testing").
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="rewrite tests/snapshots/ from the current output of the fixtures",
    )

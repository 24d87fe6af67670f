"""API401's advice names the fix that fits the statement: a bulk write for writes, a prefetch for reads."""

from __future__ import annotations

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.settings import RuleOptions
from tests.fixture_support import FIXTURES

FIXTURE = FIXTURES / "api401_per_item_on_purpose.py"


def _advice_by_line() -> dict[int, str]:
    source = FIXTURE.read_text()
    diagnostics = check_source(source, str(FIXTURE), RuleOptions())
    return {d.line: d.message.split("; ", 1)[1] for d in diagnostics if d.code == "API401"}


def _line_of(fragment: str) -> int:
    for number, line in enumerate(FIXTURE.read_text().splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


@pytest.mark.parametrize(
    ("fragment", "advice"),
    [
        ("chunks_table.insert().values(id=i", "send one bulk insert"),
        ('text("INSERT INTO chunks', "send one bulk insert"),
        ("db.execute(statement)", "send one bulk insert"),
        ("self.chunks.insert().values(seq=seq", "send one bulk insert"),
        ("delete(Job).where(col(Job.flow_id) == flow_id))", "send one `delete(Model)"),
        ("await self.session.exec(  # error: API401", "send one bulk statement with a list"),
        ("select(Job).where(Job.id == job_id))  # error", "query once before the loop"),
    ],
)
def test_write_loops_get_bulk_write_advice(fragment: str, advice: str) -> None:
    assert _advice_by_line()[_line_of(fragment)].startswith(advice)

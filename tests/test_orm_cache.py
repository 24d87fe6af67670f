"""The ORM catalogue's cached facts follow the files that declare a model's relationships
outside its class body (``backref=``, ``Owner.name = relationship(...)`` at module level):
an edit there changes the warm run as it changes the cold one."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi_lint.engine import check_source
from fastapi_lint.project.process_indexes import forget_indexes
from fastapi_lint.settings import RuleOptions
from fastapi_lint.source import read_source
from tests.fixture_support import FIXTURES

PROJECT = FIXTURES / "projects" / "nplusone_late_relationships"


def _findings(root: Path, options: RuleOptions) -> set[tuple[str, int, str]]:
    found = set()
    for path in sorted(root.rglob("*.py")):
        for d in check_source(read_source(path), str(path), options):
            if d.code.startswith("API4"):
                found.add((path.relative_to(root).as_posix(), d.line, d.code))
    return found


def test_an_edited_late_relationship_reaches_the_warm_run(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    cached = RuleOptions(cache_dir=str(tmp_path / "cache"))
    forget_indexes()
    before = _findings(root, cached)
    assert ("hospital/api.py", 32, "API402") in before
    assert ("hospital/api.py", 26, "API402") in before
    forget_indexes()  # flushes the facts; the next run reads them from disk
    # `Ward.beds` is declared in the package's __init__.py, a file that neither Ward's
    # module nor the route imports into Ward's answer unless the catalogue says so.
    models = root / "hospital" / "models" / "__init__.py"
    text = models.read_text()
    edited = text.replace(
        "Ward.beds = relationship(Bed, order_by=Bed.label)",
        'Ward.beds = relationship(Bed, order_by=Bed.label, lazy="selectin")',
    )
    assert edited != text
    models.write_text(edited)
    warm = _findings(root, cached)
    forget_indexes()
    cold = _findings(root, RuleOptions(cache_dir=str(tmp_path / "cold-cache")))
    forget_indexes()
    assert warm == cold
    assert ("hospital/api.py", 32, "API402") not in warm
    assert ("hospital/api.py", 26, "API402") in warm

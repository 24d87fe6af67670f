"""Starlette path semantics (``fastapi_lint.rules.route_paths``) and the API2xx rule docs."""

from __future__ import annotations

import pytest

from fastapi_lint.engine import check_source
from fastapi_lint.registry import Rule
from fastapi_lint.rules import route_paths
from fastapi_lint.rules.routes import FAMILY
from fastapi_lint.settings import RuleOptions


@pytest.mark.parametrize(
    ("earlier", "later", "expected"),
    [
        ("/users/{user_id}", "/users/me", True),
        ("/users/{user_id:int}", "/users/me", False),
        ("/users/{user_id:int}", "/users/12", True),
        ("/users/me", "/users/{user_id}", False),
        ("/files/{p:path}", "/files/a/b", True),
        ("/files/{p:path}", "/files/", True),
        ("/files/{p:path}", "/files", False),
        ("/files/{p:path}", "/files/{name}/meta", True),
        ("/{p:path}", "/anything/{x}", True),
        ("/{p:path}/x", "/a/x", True),
        ("/items/{id}", "/items/{id:int}", True),
        ("/items/{id:int}", "/items/{name}", False),
        ("/items/{id}", "/items/{id}/edit", False),
        ("/{a}/{b}", "/x/{c}", True),
        ("/x/{c}", "/{a}/{b}", False),
        ("/items/{id:float}", "/items/1.5", True),
        ("/items/{id:float}", "/items/{x:int}", True),
        ("/items/{id:int}", "/items/{x:float}", False),
        ("/items/{u:uuid}", "/items/123e4567-e89b-12d3-a456-426614174000", True),
        ("/items/{u:uuid}", "/items/123E4567-E89B-12D3-A456-426614174000", True),
        ("/items/{u:uuid}", "/items/me", False),
        ("/items/{id}", "/items/{u:uuid}", True),
        ("/items/{u:uuid}", "/items/{id}", False),
        ("/reports/{name}.json", "/reports/summary.json", True),
        ("/reports/{name}.json", "/reports/summary.csv", False),
        ("/{name}", "/{x}.json", True),
        ("/{x}.json", "/{name}", False),
        ("/items/", "/items", False),
        ("/items", "/items/", False),
        ("/items", "/items", True),
        ("", "", True),
    ],
)
def test_covers(earlier: str, later: str, expected: bool) -> None:
    assert route_paths.covers(earlier, later) is expected


def test_custom_convertor_is_unsure() -> None:
    assert route_paths.covers("/a/{x:custom}", "/a/b") is None
    assert route_paths.covers("/a/b", "/a/{x:custom}") is None


def test_same_path_ignores_an_explicit_str_but_not_parameter_names() -> None:
    assert route_paths.same_path("/items/{id}", "/items/{id:str}")
    assert not route_paths.same_path("/items/{id}", "/items/{item_id:str}")
    assert route_paths.covers("/items/{id}", "/items/{item_id:str}")
    assert not route_paths.same_path("/items/{id}", "/items/{id:int}")
    assert not route_paths.same_path("/items", "/items/")


def test_path_param_names() -> None:
    assert route_paths.path_param_names("/users/{user_id}/files/{path:path}") == [
        "user_id",
        "path",
    ]
    assert route_paths.path_param_names("/static") == []
    # Not a Starlette parameter: left as literal text.
    assert route_paths.path_param_names("/weird/{item-id}") == []


@pytest.mark.parametrize("rule", FAMILY.rules, ids=[r.code for r in FAMILY.rules])
def test_rule_docs(rule: Rule) -> None:
    example = {d.code for d in check_source(rule.example, "<stdin>", RuleOptions())}
    clean = {d.code for d in check_source(rule.use_instead, "<stdin>", RuleOptions())}
    assert example == {rule.code}
    assert clean == set()

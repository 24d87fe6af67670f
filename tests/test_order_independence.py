"""Memoized answers do not depend on which question was asked first.

A depth limit or a cycle guard answers "unknown" for the question that hit it.
An answer memoized from a shallow question and reused by a deep one (where a
fresh computation would have been cut) made findings depend on the check
order, ``--jobs`` and the cache: each memo here is asked in both orders.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Callable

import pytest

from fastapi_lint.project import index, process_indexes
from fastapi_lint.semantic.limits import MAX_EVAL_DEPTH
from fastapi_lint.semantic.model import ModuleModel

CHAIN = 12  # long enough for a depth limit to cut the end of the chain


def _chain_model() -> ModuleModel:
    lines = ["class Client:", "    pass", "", "v0 = Client()"]
    lines += [f"v{n} = v{n - 1}" for n in range(1, CHAIN + 1)]
    source = "\n".join(lines) + "\n"
    return ModuleModel(ast.parse(source), "chain.py", "chain")


def _value_of(model: ModuleModel, name: str) -> ast.expr:
    for statement in model.tree.body:
        if isinstance(statement, ast.Assign) and getattr(statement.targets[0], "id", "") == name:
            return statement.value
    raise AssertionError(name)


def test_an_evaluation_does_not_depend_on_what_was_asked_before() -> None:
    alone = _chain_model()
    last = alone.evaluate(_value_of(alone, f"v{CHAIN}"), alone.module_scope)
    primed = _chain_model()
    # The middle of the chain, asked first from the top, is answered in full...
    middle = _value_of(primed, f"v{CHAIN // 2}")
    assert primed.evaluate(middle, primed.module_scope) is not None
    # ...and must not lengthen the chain the depth limit allows.
    again = primed.evaluate(_value_of(primed, f"v{CHAIN}"), primed.module_scope)
    assert again == last
    # A memoized answer is still reused where it fits.
    assert primed.evaluate(middle, primed.module_scope) is not None


def test_a_deep_question_does_not_spoil_a_shallow_one() -> None:
    model = _chain_model()
    middle = _value_of(model, f"v{CHAIN // 2}")
    assert model.evaluate(middle, model.module_scope, MAX_EVAL_DEPTH) is None
    assert model.evaluate(middle, model.module_scope) is not None


def _query_chain_model() -> ModuleModel:
    lines = [
        "from sqlalchemy import select",
        "from sqlalchemy.orm import DeclarativeBase",
        "",
        "class Base(DeclarativeBase):",
        "    pass",
        "",
        "class User(Base):",
        '    __tablename__ = "users"',
        "",
        "def users0():",
        "    return select(User)",
    ]
    for n in range(1, CHAIN + 1):
        lines += ["", f"def users{n}():", f"    return users{n - 1}()"]
    source = "\n".join(lines) + "\n"
    return ModuleModel(ast.parse(source), "queries.py", "queries")


def test_a_query_helper_is_the_same_asked_first_or_last() -> None:
    """What a helper returns (the N+1 rules' query flow) is computed from the def alone."""
    from fastapi_lint.rules.nplusone.flow import flow_for

    answers = []
    for order in (range(CHAIN + 1), range(CHAIN, -1, -1)):
        model = _query_chain_model()
        flow = flow_for(model)
        found = {}
        for n in order:
            function = model.function_named(f"queries.users{n}")
            assert function is not None
            found[n] = flow.function_result(function)
        answers.append(found)
    assert answers[0] == answers[1]
    assert all(value is not None for value in answers[0].values())


def _recursive_helpers_model() -> ModuleModel:
    source = (
        "import time\n\n\n"
        "def pause():\n    time.sleep(1)\n\n\n"
        "def first():\n    second()\n    pause()\n\n\n"
        "def second():\n    first()\n"
    )
    return ModuleModel(ast.parse(source), "helpers.py", "helpers")


def test_how_a_recursive_helper_blocks_does_not_depend_on_what_was_asked_first() -> None:
    """A recursion cut short at an outer function gives an answer for that question only."""
    from fastapi_lint.rules.blocking.call_chain import blocking_paths

    answers = []
    for order in (("first", "second"), ("second", "first")):
        model = _recursive_helpers_model()
        found = {}
        for name in order:
            function = model.function_named(f"helpers.{name}")
            assert function is not None
            found[name] = blocking_paths(model, function)
        answers.append(found)
    assert answers[0] == answers[1]
    assert answers[0]["second"], "second() blocks through first() and pause()"


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    for name, text in files.items():
        (app / name).write_text(text)
    return app


def _asked_deep_then_shallow(
    app: Path, monkeypatch: pytest.MonkeyPatch, ask: Callable[[ModuleModel, int], object]
) -> list[object]:
    """The shallow answer of a fresh process, then the one after a deep question came first."""
    monkeypatch.setenv("FASTAPI_LINT_NO_CACHE", "1")
    answers = []
    for depths in ((0,), (11, 0)):
        process_indexes.forget_indexes()
        project = process_indexes.index_for(str(app / "routes.py"))
        model = project.model("app.routes")
        assert model is not None
        for depth in depths:
            answer = ask(model, depth)
        answers.append(answer)
    process_indexes.forget_indexes()
    return answers


def test_a_dependency_security_fact_does_not_depend_on_the_askers_depth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi_lint.project.route_security import DependencyReader

    app = _project(
        tmp_path,
        {
            "deps.py": (
                "from fastapi import Depends\n"
                "from fastapi.security import OAuth2PasswordBearer\n\n"
                'scheme = OAuth2PasswordBearer(tokenUrl="token")\n\n\n'
                "def current_token(token: str = Depends(scheme)) -> str:\n    return token\n\n\n"
                "def current_user(token: str = Depends(current_token)) -> str:\n    return token\n"
            ),
            "routes.py": "from app.deps import current_user\n",
        },
    )
    answers = _asked_deep_then_shallow(
        app,
        monkeypatch,
        lambda model, depth: DependencyReader(model)._qualname_security(
            "app.deps.current_user", depth
        ),
    )
    assert answers[0] == answers[1]
    assert answers[0]


def test_an_imported_alias_fact_does_not_depend_on_the_askers_depth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi_lint.rules.routes.response_model import _alias_is_untyped

    app = _project(
        tmp_path,
        {
            "types.py": "from typing import Any\n\nJSON = dict[str, Any]\n",
            "routes.py": "from app.types import JSON\n",
        },
    )
    answers = _asked_deep_then_shallow(
        app,
        monkeypatch,
        lambda model, depth: _alias_is_untyped(model, "JSON", model.module_scope, depth),
    )
    assert answers[0] == answers[1]
    assert answers[0] is True


def test_a_fact_does_not_depend_on_how_high_the_askers_stack_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index's limit on nested questions counts from the innermost fact, as depths do."""
    app = _project(
        tmp_path,
        {
            "models.py": "class User:\n    pass\n\n\ndef load() -> User:\n    return User()\n",
            "routes.py": "from app.models import load\n\nCURRENT = load()\n",
        },
    )
    monkeypatch.setenv("FASTAPI_LINT_NO_CACHE", "1")
    answers = []
    for shallow_first in (False, True):
        process_indexes.forget_indexes()
        project = process_indexes.index_for(str(app / "routes.py"))
        if shallow_first:
            project.resolve("app.routes.CURRENT")
        # Asked from under many questions in progress (a long chain of other facts).
        outer = {f"outer:{n}" for n in range(index.MAX_DEPTH + 2)}
        project._in_progress.update(outer)
        try:
            answers.append(project.resolve("app.routes.CURRENT"))
        finally:
            project._in_progress.difference_update(outer)
    process_indexes.forget_indexes()
    assert answers[0] == answers[1]
    assert answers[0] is not None

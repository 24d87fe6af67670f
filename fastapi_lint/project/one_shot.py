"""One-shot entry points besides CLI commands and start-up code: tests, fixtures, queue jobs.

pytest runs each test function and each fixture once, in a loop run of its
own (pytest-asyncio, anyio's plugin), as ``asyncio.run`` runs ``main()``; unittest's
``IsolatedAsyncioTestCase`` does the same for its ``test*`` methods and hooks.
An RQ worker runs each async job to completion in a loop of its own. Blocking
there delays one test or one job, not the requests of a server
(:mod:`fastapi_lint.project.serving` judges the rest).
"""

from __future__ import annotations

import ast
import os
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.project.layout import guessed_root_in_tests
from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.syntax import last_name
from fastapi_lint.settings import is_test_file

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo, FunctionInfo

# Decorators of pytest fixtures: pytest runs one once per test (or module, or
# session), in that test's loop run.
_FIXTURE_DECORATORS = frozenset(
    {
        "pytest.fixture",
        "pytest.yield_fixture",
        "_pytest.fixtures.fixture",
        "pytest_asyncio.fixture",
        "pytest_asyncio.plugin.fixture",
    }
)
# Job decorators of task queues whose worker runs each async job to completion
# in a loop of its own (rq: `loop.run_until_complete` per job).
_ONE_SHOT_JOB_DECORATORS = frozenset({"rq.decorators.job"})
# Handing a function to such a worker (`notify.delay(...)`) does not run it here.
ENQUEUE_ATTRS = frozenset({"delay"})
# unittest cases: their `test*` methods and set-up hooks are tests, whatever the class' name.
_UNITTEST_CASES = frozenset(
    {
        "unittest.TestCase",
        "unittest.IsolatedAsyncioTestCase",
        "unittest.case.TestCase",
        "unittest.async_case.IsolatedAsyncioTestCase",
    }
)
# Set-up and tear-down methods pytest or unittest call around each test.
_TEST_HOOK_METHODS = frozenset(
    {
        "setup_method",
        "teardown_method",
        "setup_class",
        "teardown_class",
        "setup",
        "teardown",
        "setUp",
        "tearDown",
        "asyncSetUp",
        "asyncTearDown",
        "setUpClass",
        "tearDownClass",
    }
)

_TEST_MODULE: MemoKey[bool] = MemoKey("serving-test-module")


def in_test_file(model: ModuleModel) -> bool:
    """The contract's test files (``test_*.py``, ``conftest.py``, a ``tests/`` folder...),
    by the module's path inside its project: a project checked out under ``~/test/`` is not
    test code. The one test every rule asks (API5xx, API201/API202, serving code)."""
    found = model.memo.get(_TEST_MODULE)
    if found is None:
        path = os.path.abspath(model.path)
        project = index_of(model)
        if project is not None:
            root = str(project.root)
            relative = os.path.relpath(path, root)
            if relative.startswith(".."):  # reached through a symbolic link
                relative = os.path.relpath(os.path.realpath(path), root)
            if not relative.startswith(".."):
                path = relative
        found = (
            is_test_file(path.replace("\\", "/"))
            or (
                project is not None
                and bool(model.path)
                and guessed_root_in_tests(
                    project.root, os.path.dirname(os.path.abspath(model.path))
                )
            )
            or _holds_pytest_fixtures(model)
        )
        model.memo.put(_TEST_MODULE, found)
    return found


def _holds_pytest_fixtures(model: ModuleModel) -> bool:
    """A module that defines pytest fixtures at its top level is test code whatever its
    name: a plugin module (``app/account/testing.py``) that conftest files load through
    ``pytest_plugins`` or a star import. Serving code never defines fixtures."""
    return any(
        function.parent_function is None
        and function.class_info is None
        and _decorated_by(model, function, _FIXTURE_DECORATORS)
        for function in model.functions
    )


def _decorated_by(model: ModuleModel, function: FunctionInfo, names: frozenset[str]) -> bool:
    for decorator in function.node.decorator_list:
        expr = decorator.func if isinstance(decorator, ast.Call) else decorator
        if model.qualified_name(expr, function.outer) in names:
            return True
    return False


def is_test_entry(model: ModuleModel, function: FunctionInfo) -> bool:
    """A function pytest (or unittest) runs one-shot: a test, a set-up hook or a fixture.

    Fixtures are known by their decorator (``pytest.fixture``, ``pytest_asyncio.fixture``,
    resolved through imports), wherever they are defined. Tests are, in a test
    file, module-level ``test*`` functions and ``test*`` methods (and
    set-up/tear-down hooks) of ``Test*`` classes or of ``unittest`` cases.
    """
    if function.parent_function is not None:
        return False
    if _decorated_by(model, function, _FIXTURE_DECORATORS):
        return True
    if not in_test_file(model):
        return False
    name = function.name
    owner = function.class_info
    if owner is None:
        # Any test file, not only pytest's default `python_files`: projects collect
        # others too (`integration_test_*.py`), and a helper named `test*` is only
        # ever called by tests.
        return name.startswith("test")
    if not (name.startswith("test") or name in _TEST_HOOK_METHODS):
        return False
    return (
        owner.name.startswith("Test")
        or _is_unittest_case(model, owner)
        or _is_inherited_by_test_class(model, owner)
    )


def _is_inherited_by_test_class(model: ModuleModel, owner: ClassInfo) -> bool:
    """``class BaseTestInstall`` holding the ``test*`` methods that ``class
    TestInstallRunner(BaseTestInstall)`` in the same test file inherits: pytest runs
    them through the subclass."""
    for candidate in model.classes:
        if candidate.name.startswith("Test") and any(
            last_name(base) == owner.name for base in candidate.node.bases
        ):
            return True
    return False


def _is_unittest_case(model: ModuleModel, owner: ClassInfo) -> bool:
    for base in owner.node.bases:
        if model.qualified_name(base, owner.outer) in _UNITTEST_CASES:
            return True
    project = model.project
    return project is not None and any(
        base in _UNITTEST_CASES for base in project.class_bases(owner.qualname)
    )


def is_one_shot_job(model: ModuleModel, function: FunctionInfo) -> bool:
    """An RQ job (``@job(queue)``): the worker runs it to completion in a loop of its own."""
    return function.parent_function is None and _decorated_by(
        model, function, _ONE_SHOT_JOB_DECORATORS
    )


def handed_over(model: ModuleModel, function: FunctionInfo) -> bool:
    """Whether the enclosing function references ``function`` other than by calling it."""
    parent = function.parent_function
    if parent is None:
        return False
    for node in ast.walk(parent.node):
        if isinstance(node, ast.Name) and node.id == function.name:
            if not isinstance(node.ctx, ast.Load):
                continue
            holder = model.parent(node)
            if isinstance(holder, ast.Call) and holder.func is node:
                continue
            if isinstance(holder, (ast.Return, ast.Yield)):
                continue  # a factory fixture hands it to the tests that call it
            return True
    return False

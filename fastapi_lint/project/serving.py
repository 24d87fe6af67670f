"""Serving code: which async functions run while the application serves requests.

The contract, Revision 2, "Serving code": API1xx, API3xx and API4xx are about the
event loop and the database round trips of a server under load. An async
function whose every caller in the project is a one-shot runner
(``asyncio.run(main())``), a CLI command (``click``/``typer``/``cyclopts``), an
``if __name__ == "__main__":`` block or start-up code (``lifespan``,
``on_event``) -- directly or through other such functions -- does not serve
requests: blocking there delays one script, not every user. Modules under a
``scripts/``, ``migrations/``, ``alembic/`` or ``versions/`` folder are not
serving code either. pytest is a one-shot runner too: it runs each test
function and each fixture once, in a loop run of its own, so tests, fixtures
and the test-file helpers only they call are not serving code; routes,
dependencies and middleware defined in test files still are (the app under
test serves requests). A worker runs an RQ job (``@job`` of ``rq.decorators``)
one-shot in a loop of its own. Calls from test files never make a function of
the application's own modules non-serving: a function only its tests call is
as good as one with no caller. A function with at least one other caller, or with no
caller in the project (a route, a library entry point, a hook a framework
calls), is serving code.

The engine applies :func:`drop_non_serving` to every finding of those
families by its enclosing function, so each rule gets the behaviour without
knowing about it. Callers are found through a word index of the project's
files, built once per process: only files that mention the function's name
are modelled, one at a time, and the search stops at the first serving
caller. Answers are remembered per process rather than as facts on disk: an
answer depends on every file of the project (a caller may appear anywhere),
which a fact per function could only express with every file as a dependency.

A method call whose receiver simple flow cannot type (``provisioner.provision()``)
may be a call of any method of that name: it is judged by where it runs, like
any caller, as is a call through a base class or a ``Protocol`` the method's
class satisfies. A caller that leads back to a function being judged (``start()``
-> ``_start_loops()`` -> ``x.start()``) decides nothing; the other callers do.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from fastapi_lint.cache import all_modules_dependency
from fastapi_lint.project.asgi_lifespan import on_lifespan_message, under_lifespan_branch
from fastapi_lint.project.branch_receivers import branch_targets
from fastapi_lint.project.caller_sites import (
    global_receiver_target,
    read_as_data,
    serves_connections,
)
from fastapi_lint.project.cli_apps import is_cli_target
from fastapi_lint.project.event_handlers import registered_as_event_handler
from fastapi_lint.project.index import index_of, note_read
from fastapi_lint.project.instances import (
    InstanceSearch,
    main_block_lines,
    spawned_as_task,
    under_main_guard,
)
from fastapi_lint.project.layout import ROOT_MARKERS, is_root_marker
from fastapi_lint.project.loaded_names import loaded_attributes, loaded_names
from fastapi_lint.project.nested_startup import declared_as_startup, runs_only_at_startup
from fastapi_lint.project.one_shot import (
    ENQUEUE_ATTRS,
    handed_over,
    in_test_file,
    is_one_shot_job,
    is_test_entry,
)
from fastapi_lint.project.own_loop import nested_cli_command, runs_only_on_own_loop, served_nested
from fastapi_lint.project.project_files import ProjectFiles
from fastapi_lint.project.protocols import PROTOCOL_BASES, satisfies
from fastapi_lint.project.receivers import builtin_without, call_fitter, names_an_object
from fastapi_lint.project.runner_flow import passed_to_runner as _passed_to_runner
from fastapi_lint.project.script_imports import same_definition
from fastapi_lint.project.startup_tasks import (
    QUESTION_VISITS,
    started_at_startup,
    stored_for_later,
)
from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.periodic import is_periodic_task
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import method_call_check
from fastapi_lint.semantic.values import Instance

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Diagnostic
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.project import ProjectFacts
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

# Families whose findings are about serving requests.
SERVING_PREFIXES = ("API1", "API3", "API4")

# Folders whose modules run once, by hand or by a migration tool.
NON_SERVING_FOLDERS = frozenset({"scripts", "migrations", "alembic", "versions"})


_CLI_DECORATOR_ATTRS = frozenset({"command", "group", "callback", "result_callback"})
# How many click groups up a command's decorator is followed (`@b.command()` on `@a.group()`...).
_MAX_GROUP_DEPTH = 6

# A method whose name more files than this mention is judged serving code
# without reading its callers (a very common name: some caller may serve).
_MAX_METHOD_CANDIDATE_FILES = 150

# How many callers deep the search may go before it gives up (and keeps reporting).
_MAX_CALLER_DEPTH = 40
# How many functions one question may judge before it gives up (and keeps reporting):
# protocol methods that every provider implements (`initialize`, `query`) are called
# from many files, each caller again a common method; a few hundred is more than any
# real chain of callers needs.
_MAX_SEARCH_STEPS = 300

# Tables kept per model (built once, read for every question about the module).
_SERVING_LINE_FUNCTIONS: MemoKey[dict[int, FunctionInfo]] = MemoKey("serving-line-functions")
_SERVING_EXCEPT_LINES: MemoKey[list[tuple[int, int]]] = MemoKey("serving-except-lines")
_SERVING_MAIN_LINES: MemoKey[list[tuple[int, int]]] = MemoKey("serving-main-lines")
_SERVING_IMPORT_ALIASES: MemoKey[dict[str, set[str]]] = MemoKey("serving-import-aliases")
_SERVING_IN_FOLDER: MemoKey[bool] = MemoKey("serving-in-folder")
# Whether the checked module's text differs from what the facts saw.
_SERVING_DIRTY: MemoKey[bool] = MemoKey("serving-dirty")


def is_serving_finding(code: str) -> bool:
    return code.startswith(SERVING_PREFIXES)


def in_non_serving_folder(path: str, root: str | None) -> bool:
    """Whether a module lives under ``scripts/`` or a migrations folder of the project."""
    parts = _relative(path, root).split("/")[:-1]
    if any(part in NON_SERVING_FOLDERS for part in parts):
        return True
    # Without a project marker or a package above it, a loose folder of modules is its
    # own root (`migrations/seed.py`, `alembic/versions/0001_init.py`): its name still
    # says what runs there.
    return (
        not parts
        and root is not None
        and os.path.basename(os.path.normpath(root)) in NON_SERVING_FOLDERS
        and not any(is_root_marker(Path(root), marker) for marker in ROOT_MARKERS)
    )


def _in_non_serving_folder_of(model: ModuleModel) -> bool:
    """Whether the model's module is under ``scripts/`` or a migrations folder (they run
    once, by hand or by a migration tool), asked once per model: the filter and every
    question of the caller search ask it of each module they read.

    Test files are not exempt as a whole: a route or dependency defined in a test file
    serves the app under test. Their tests and fixtures are one-shot functions
    (:func:`is_test_entry`)."""
    found = model.memo.get(_SERVING_IN_FOLDER)
    if found is None:
        project = index_of(model)
        found = model.memo.put(
            _SERVING_IN_FOLDER,
            in_non_serving_folder(model.path, str(project.root) if project else None),
        )
    return found


def _relative(path: str, root: str | None) -> str:
    absolute = os.path.abspath(path)
    if root:
        relative = os.path.relpath(absolute, root)
        if not relative.startswith(".."):
            absolute = relative
    return absolute.replace("\\", "/")


def runs_before_serving(model: ModuleModel, function: FunctionInfo) -> bool:
    """``lifespan`` and ``on_event`` handlers run before the server serves (or after it stops).

    Besides the handlers the module registers itself, an ``@asynccontextmanager``
    (or a function named like a lifespan, or decorated by a lifespan helper such
    as ``@svcs.fastapi.lifespan``) taking the app (``async def lifespan(app:
    FastAPI)``) is a lifespan even when another module passes it to
    ``FastAPI(lifespan=...)``.
    """
    if model.fastapi.is_startup_handler(function):
        return True
    node = function.node
    decorators = [
        (model.qualified_name(d.func if isinstance(d, ast.Call) else d, function.outer) or "")
        for d in node.decorator_list
    ]
    if "lifespan" not in node.name.lower() and not any(
        d.endswith(("asynccontextmanager", "lifespan")) for d in decorators
    ):
        return False
    params = node.args.posonlyargs + node.args.args
    if not params:
        return False
    first = params[0]
    if first.annotation is not None:
        annotated = model.annotation_type(first.annotation, function.outer)
        return annotated in ("fastapi.FastAPI", "starlette.applications.Starlette")
    return first.arg in ("app", "_app", "application")


def is_cli_command(model: ModuleModel, function: FunctionInfo, depth: int = 0) -> bool:
    """``@click.command()``, ``@cli.command()`` on a click group, ``@app.command()`` on a Typer app."""
    for decorator in function.node.decorator_list:
        expr = decorator.func if isinstance(decorator, ast.Call) else decorator
        target = model.qualified_name(expr, function.outer)
        if target is None and isinstance(expr, ast.Attribute):
            owner = model.type_of(expr.value, function.outer)
            target = f"{owner}.{expr.attr}" if owner else None
        if target is None:
            continue
        if is_cli_target(model, target):
            return True
        owner_name, _, attr = target.rpartition(".")
        if attr in _CLI_DECORATOR_ATTRS:
            # The group may live in another module: `from app.cli import cli` then `@cli.command()`.
            found = model.find_function(owner_name) if depth < _MAX_GROUP_DEPTH else None
            if found is not None and found[1] is not function and is_cli_command(*found, depth + 1):
                return True
    return False


def _is_served_directly(model: ModuleModel, function: FunctionInfo) -> bool:
    """A route, websocket, middleware or exception handler of an app or router, or a
    periodic task (``@repeat_every``) that loops on the serving event loop."""
    facts = model.fastapi
    if facts.routes_of(function) or is_periodic_task(model, function):
        return True
    for decorator in function.node.decorator_list:
        expr = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(expr, ast.Attribute) and facts.router_of(expr.value, function.outer):
            return expr.attr != "on_event"  # `@app.on_event("startup")`: start-up code
    return False


def _outermost(function: FunctionInfo) -> FunctionInfo:
    while function.parent_function is not None:
        function = function.parent_function
    return function


def _is_one_shot_function(model: ModuleModel, function: FunctionInfo) -> bool:
    return (
        is_cli_command(model, function)
        or runs_before_serving(model, function)
        or is_test_entry(model, function)
    )


def _serves_inside_test(model: ModuleModel, function: FunctionInfo) -> bool:
    """A def nested in a test or fixture that the app under test runs: a route or
    middleware declared there, or a function handed over uncalled (a dependency
    override, ``app.add_api_route(path, handler)``), at any level below the test."""
    current: FunctionInfo | None = function
    while current is not None and current.parent_function is not None:
        if _is_served_directly(model, current) or handed_over(model, current):
            return True
        current = current.parent_function
    return False


# ---------------------------------------------------------------- the filter
def drop_non_serving(model: ModuleModel, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The findings minus API1xx/API3xx/API4xx ones in code that does not serve requests."""
    candidates = [d for d in diagnostics if is_serving_finding(d.code)]
    if not candidates:
        return diagnostics
    if _in_non_serving_folder_of(model):  # `scripts/`, migrations
        return [d for d in diagnostics if not is_serving_finding(d.code)]
    verdicts: dict[int, bool] = {}
    dropped: set[int] = set()
    for diagnostic in candidates:
        function = _enclosing_function(model, diagnostic.line)
        if (
            diagnostic.code.startswith("API4") and _in_except_branch(model, diagnostic.line)
        ) or on_lifespan_message(model, diagnostic.line, function):
            dropped.add(id(diagnostic))  # error recovery (API4xx); start-up or shutdown code
            continue
        if function is None:
            if _in_main_block(model, diagnostic.line):
                dropped.add(id(diagnostic))  # module code of `if __name__ == "__main__":`
            continue
        key = id(function.node)
        if key not in verdicts:
            verdicts[key] = _nested_is_serving(model, function)
        if not verdicts[key]:
            dropped.add(id(diagnostic))
    return [d for d in diagnostics if id(d) not in dropped]


def _enclosing_function(model: ModuleModel, line: int) -> FunctionInfo | None:
    """The innermost def whose lines contain ``line`` (one table per model)."""
    table: dict[int, FunctionInfo] | None = model.memo.get(_SERVING_LINE_FUNCTIONS)
    if table is None:
        table = {}
        # Outer defs first, so an inner def's lines end up naming the inner one.
        for function in sorted(model.functions, key=lambda f: f.node.lineno):
            node = function.node
            for number in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                table[number] = function
        model.memo.put(_SERVING_LINE_FUNCTIONS, table)
    return table.get(line)


def _in_main_block(model: ModuleModel, line: int) -> bool:
    """Module code under ``if __name__ == "__main__":``: the program run by hand."""
    blocks: list[tuple[int, int]] | None = model.memo.get(_SERVING_MAIN_LINES)
    if blocks is None:
        blocks = model.memo.put(_SERVING_MAIN_LINES, main_block_lines(model))
    return any(start <= line <= end for start, end in blocks)


def _in_except_branch(model: ModuleModel, line: int) -> bool:
    """Statements of an ``except`` clause: error recovery, not the request's normal path."""
    handlers: list[tuple[int, int]] | None = model.memo.get(_SERVING_EXCEPT_LINES)
    if handlers is None:
        handlers = [
            (handler.body[0].lineno, handler.body[-1].end_lineno or handler.body[-1].lineno)
            for handler in ast.walk(model.tree)
            if isinstance(handler, ast.ExceptHandler) and handler.body
        ]
        model.memo.put(_SERVING_EXCEPT_LINES, handlers)
    return any(start <= line <= end for start, end in handlers)


def _nested_is_serving(model: ModuleModel, function: FunctionInfo) -> bool:
    """A def is judged by its outermost function, but for what a test runs (a route
    declared inside a test serves the app under test) and routes declared in a factory."""
    if _nested_in_test_serves(model, function) or served_nested(
        model, function, _is_served_directly
    ):
        return True
    if runs_only_on_own_loop(model, function, _passed_to_runner) or nested_cli_command(
        model, function, _registered_as_command, is_cli_command
    ):
        return False  # `asyncio.run(main())` inside the parent, or a command it registers
    if runs_only_at_startup(model, function, runs_before_serving) or declared_as_startup(
        model, function, runs_before_serving
    ):
        return False  # the factory's own start-up handler, or called only by one
    return function_is_serving(model, _outermost(function))


def function_is_serving(model: ModuleModel, function: FunctionInfo) -> bool:
    """Whether ``function`` (a top-level def or a method) may run while the app serves."""
    if _is_served_directly(model, function):
        return True
    if _is_one_shot_function(model, function):
        return False
    project = index_of(model)
    if project is None:
        verdict = _LocalSearch(model).serving(model, function)
    else:
        # A caller may appear in any module (or leave one): the finding's cached
        # result must be re-checked when any of them changes.
        note_read(all_modules_dependency(str(project.root)))
        verdict = _ProjectSearch(project, model).serving(model, function)
    # Undetermined (its only callers reach back to it): as good as no caller.
    return verdict is not False


# ---------------------------------------------------------------- caller search
# A verdict: True serving, False not serving, None undetermined (every caller found
# leads back to a function being judged: a cycle decides nothing by itself).
Verdict = Optional[bool]


class _CallerSearch:
    """Classifies the references to a function found in candidate modules."""

    instances: InstanceSearch  # where the objects of a method's class are made
    # Functions the spawn-site searches of this question may still judge, and how many
    # times a limit cut them short (startup_tasks).
    startup_visits_left = QUESTION_VISITS
    startup_cuts = 0

    def startup_verdicts(self) -> dict[str, bool] | None:
        """Where exact "reached from start-up code" answers are remembered (None: not)."""
        return None

    def candidates(self, name: str, is_method: bool, tests: bool) -> Iterator[ModuleModel]:
        raise NotImplementedError

    def serving_of(self, model: ModuleModel, function: FunctionInfo) -> Verdict:
        raise NotImplementedError

    def serving_from_callers(self, model: ModuleModel, function: FunctionInfo) -> Verdict:
        """The verdict of ``function``'s callers (``model`` is its module).

        Callers in test files count only for a function of a test file (a test
        helper): the application's own functions are not judged by their tests.
        An RQ job has the worker as a one-shot caller besides the ones found.
        """
        qualname = function.qualname
        name = function.name
        found_caller = is_one_shot_job(model, function)
        undetermined = False
        is_method = function.class_info is not None
        tests = in_test_file(model)
        # `action.run(results, calls)` on an untyped receiver cannot be `Checker.run(self)`.
        fits = method_call_check(function.node) if is_method else None
        for candidate in self.candidates(name, is_method, tests):
            fitting = call_fitter(candidate, function.node, fits)
            for verdict in _reference_verdicts(candidate, qualname, name, is_method, self, fitting):
                if verdict:
                    return True  # one serving caller is enough: stop searching
                if verdict is None:
                    undetermined = True
                else:
                    found_caller = True
        if found_caller:
            return False
        # Only callers in a cycle: undetermined. No caller in the project at all:
        # a route, an entry point, a framework hook.
        return None if undetermined else True


class _LocalSearch(_CallerSearch):
    """Without a project index (stdin, ``project-index = false``): this module only."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.visiting: set[str] = set()
        self.instances = _instance_search(self, None)

    def candidates(self, name: str, is_method: bool, tests: bool) -> Iterator[ModuleModel]:
        yield self.model

    def serving(self, model: ModuleModel, function: FunctionInfo) -> Verdict:
        if function.qualname in self.visiting:
            return None  # a cycle (see _ProjectSearch.serving)
        if len(self.visiting) > _MAX_CALLER_DEPTH:
            return True
        if self.instances.off_the_loop(function) or self.instances.entered_at_startup(function):
            return False
        self.visiting.add(function.qualname)
        try:
            return self.serving_from_callers(model, function)
        finally:
            self.visiting.discard(function.qualname)

    def serving_of(self, model: ModuleModel, function: FunctionInfo) -> Verdict:
        return _caller_verdict(model, function, self.serving)


def _instance_search(search: _CallerSearch, project: ProjectIndex | None) -> InstanceSearch:
    files = ProjectFiles.of(project) if project is not None else None
    return InstanceSearch.remembered(
        project,
        mentioning=lambda name: search.candidates(name, False, False),
        count=lambda name: len(files.referencing(name, False, False)) if files else 1,
        passed_to_runner=_passed_to_runner,
        registered_as_command=_registered_as_command,
        is_cli_command=is_cli_command,
        runs_before_serving=runs_before_serving,
    )


def _caller_verdict(
    model: ModuleModel,
    function: FunctionInfo,
    search: Callable[[ModuleModel, FunctionInfo], Verdict],
) -> Verdict:
    """The verdict of a calling function (any def: it is judged by its outermost one)."""
    if _nested_in_test_serves(model, function) or served_nested(
        model, function, _is_served_directly
    ):
        return True
    if runs_only_on_own_loop(model, function, _passed_to_runner) or nested_cli_command(
        model, function, _registered_as_command, is_cli_command
    ):
        return False
    if function.parent_function is not None and (
        runs_before_serving(model, function)
        or runs_only_at_startup(model, function, runs_before_serving)
    ):
        return False  # a lifespan nested in an app factory: start-up code, not the factory
    function = _outermost(function)
    if _is_served_directly(model, function):
        return True
    if _is_one_shot_function(model, function):
        return False
    return search(model, function)


def _nested_in_test_serves(model: ModuleModel, function: FunctionInfo) -> bool:
    """A def nested in a test or fixture that the app under test runs (see _serves_inside_test)."""
    if function.parent_function is None or not is_test_entry(model, _outermost(function)):
        return False
    return _serves_inside_test(model, function)


class _ProjectSearch(_CallerSearch):
    """Callers anywhere in the project, found through a word index of its files.

    Answers are remembered per process (``ProjectFiles.verdicts``), not as
    facts on disk: an answer depends on every file of the project (a caller
    may appear anywhere), and a fact listing every file as a dependency for
    each function cost more to store and check than the search itself.
    """

    def __init__(self, project: ProjectIndex, checked: ModuleModel) -> None:
        self.project = project
        self.checked = checked
        self.files = ProjectFiles.of(project)
        self.visiting: set[str] = set()
        self.cut_short = False  # a cycle was met: answers are not remembered
        self.current: ModuleModel = checked
        # Every answer of this question, cut short or not: a function met again on
        # another path is not searched again (without this, a cycle makes the search
        # exponential in the number of paths: minutes on one module of llama-stack).
        self.answered: dict[str, Verdict] = {}
        self.steps = 0
        self.instances = _instance_search(self, project)

    def serving(self, model: ModuleModel, function: FunctionInfo) -> Verdict:
        qualname = function.qualname
        memo = self.files.verdicts
        if qualname in memo:
            return memo[qualname]
        if qualname in self.answered:
            return self.answered[qualname]
        if qualname in self.visiting:
            # A cycle (`start()` -> `_start_workers()` -> `x.start()`): the way back
            # to a function being judged decides nothing; its other callers do.
            # The answers met on the way are not remembered past this question.
            self.cut_short = True
            return None
        if self.instances.off_the_loop(function) or self.instances.entered_at_startup(function):
            return False  # a method of objects made off the serving loop, or entered at start-up
        self.steps += 1
        if len(self.visiting) > _MAX_CALLER_DEPTH or self.steps > _MAX_SEARCH_STEPS:
            self.cut_short = True
            return True  # too deep or too wide to tell: keep reporting
        if function.class_info is not None and (
            len(self.files.mentioning(function.name)) > _MAX_METHOD_CANDIDATE_FILES
        ):
            # A name in hundreds of files (`.get()`, `.run()`) on receivers of
            # unknown type: any of them may be a serving caller. Searching them
            # all built most of the project's models (agno: 62 s -> 44 s of CPU
            # with the cap; gpustack's `Server.start`, in 123 files, is still
            # searched and found to be start-up code).
            return True
        self.visiting.add(qualname)
        previous, self.current = self.current, model
        try:
            answer = self.serving_from_callers(model, function)
        finally:
            self.visiting.discard(qualname)
            self.current = previous
        self.answered[qualname] = answer
        if answer is not None and not self.cut_short and not self._checked_is_dirty():
            memo[qualname] = answer
        return answer

    def startup_verdicts(self) -> dict[str, bool] | None:
        return None if self._checked_is_dirty() else self.files.startup_verdicts

    def _checked_is_dirty(self) -> bool:
        dirty = self.checked.memo.get(_SERVING_DIRTY)
        if dirty is None:
            dirty = self.files.dirty(self.checked)
            self.checked.memo.put(_SERVING_DIRTY, dirty)
        return dirty

    def candidates(self, name: str, is_method: bool, tests: bool) -> Iterator[ModuleModel]:
        """The function's own module first, then the files that mention ``name``
        (test files too when ``tests``: the callers of a test helper)."""
        first = self.current
        yield first
        files = self.files
        first_path = files.realpath(first.path) if first.path else ""
        for path in files.referencing(name, is_method, tests):
            if files.realpath(path) == first_path:
                continue
            module_name = files.module_name(self.project, path)
            if module_name is None or module_name == first.module_name:
                continue
            if module_name == self.checked.module_name:
                yield self.checked  # its buffer, not the file on disk
                continue
            model = self.project.model(module_name)
            if model is not None and files.realpath(model.path) == files.realpath(path):
                yield model

    def serving_of(self, model: ModuleModel, function: FunctionInfo) -> Verdict:
        return _caller_verdict(model, function, self.serving)


def _inside_body(owner: ast.AST, node: ast.AST, model: ModuleModel) -> bool:
    body = owner.body if isinstance(owner.body, list) else [owner.body]  # type: ignore[attr-defined]
    ids = {id(stmt) for stmt in body}
    if id(node) in ids:
        return True
    return any(id(ancestor) in ids for ancestor in model.ancestors(node))


def _reference_verdicts(
    model: ModuleModel,
    qualname: str,
    name: str,
    is_method: bool,
    search: _CallerSearch,
    fits: Callable[[ast.Call], bool] | None = None,
) -> Iterator[Verdict]:
    """One verdict per reference to ``qualname`` in ``model``: True when it may serve.

    Reads the model's recorded names and attributes (with their scopes), never
    walks the tree. A method is reached as ``x.name``; a module-level function
    by its name, an import alias, or ``module.name``.
    """
    names = {name}
    aliases: dict[str, set[str]] | None = model.memo.get(_SERVING_IMPORT_ALIASES)
    if aliases is None:
        aliases = {}
        # Function-local imports too: `from app.server import start as run_server` in `main()`.
        scopes = {id(s): s for s in [model.module_scope, *model.scope_of_node.values()]}
        for bindings in (b for s in scopes.values() for b in s.bindings.values()):
            for binding in bindings:
                if binding.kind is BindingKind.IMPORT and binding.qualname:
                    aliases.setdefault(binding.qualname, set()).add(binding.name)
        model.memo.put(_SERVING_IMPORT_ALIASES, aliases)
    names |= aliases.get(qualname, set())
    in_folder = _in_non_serving_folder_of(model)
    names_table, attributes_table = loaded_names(model), loaded_attributes(model)
    refs: list[tuple[ast.AST, Scope]] = []
    if not is_method:
        for alias in names:
            refs.extend(names_table.get(alias, ()))
    for attribute, scope in attributes_table.get(name, ()):
        if not is_method:
            if not isinstance(attribute.value, ast.Name):
                continue  # `a.b.name` / `call().name` cannot be a module's function here
            if names_an_object(model, attribute.value, scope, qualname):
                continue  # `session.run(query)`: a method of a local object, not `module.run`
        refs.append((attribute, scope))
    refs.sort(key=lambda item: (getattr(item[0], "lineno", 0), getattr(item[0], "col_offset", 0)))
    for node, scope in refs:
        parent = model.parent(node)
        called = isinstance(parent, ast.Call) and parent.func is node
        if called:
            target = model.call_target(parent, scope)  # type: ignore[arg-type]
        else:
            target = model.qualified_name(node, scope)
            if target is None:
                value = model.evaluate(node, scope)
                if isinstance(value, Instance):
                    continue  # data of a known type (`self.total = 0`), not a function
                owner = getattr(value, "owner", None)
                target = f"{owner}.{getattr(value, 'name', '')}" if owner else None
            if target is None and isinstance(node, ast.Attribute):
                # `self.total` read on a receiver of known type: that type's attribute.
                receiver = model.type_of(node.value, scope)
                target = f"{receiver}.{node.attr}" if receiver else None
        if target is not None and builtin_without(target):
            # `self.adapter.evaluate(...)` with `self.adapter = engine` and `engine: str | Any`:
            # simple flow typed the receiver by the union's first member, which has no such
            # method. The receiver is some other object: judged as an untyped one.
            target = None
        if target is None and called and isinstance(node, ast.Attribute):
            target = global_receiver_target(model, node, scope)  # `global c; c = C(); c.start()`
        if (
            target is not None
            and target != qualname
            and not (is_method and _dispatches_to(model, target, qualname))
            and not same_definition(model, target, qualname)
            and not (is_method and called and _branch_runs(model, node, scope, qualname))
        ):
            continue  # another thing of the same name
        if target is None and isinstance(node, ast.Name) and model.lookup(node.id, scope):
            continue  # a local name bound to something simple flow cannot follow
        if target is None and called and fits is not None and not fits(parent):  # type: ignore[arg-type]
            continue  # arguments this method cannot take: another method of that name
        if target is None and not called and read_as_data(model, node, ENQUEUE_ATTRS):
            continue  # `runs.c.run == name`: a value of that name, not the function
        # A target of None is `obj.name` on a receiver simple flow cannot type
        # (`provisioner.provision()`, `archiver.start()`): it may be this function,
        # so it is judged like any caller, by where it runs.
        if in_folder:
            yield False
            continue
        if (
            not called
            and isinstance(parent, ast.Attribute)
            and parent.value is node
            and parent.attr in ENQUEUE_ATTRS
        ):
            yield False  # `notify.delay(...)`: handed to a worker queue, not run here
            continue
        site: ast.AST = parent if called else node  # type: ignore[assignment]
        if not called and serves_connections(model, site, scope):
            yield True  # a connection handler of a server: runs per client
            continue
        if (
            _passed_to_runner(model, site, scope)
            or _registered_as_command(model, site, scope)
            or registered_as_event_handler(model, site, scope)
        ):
            yield False
            continue
        owner_function = model.function_scope_of(node)
        if owner_function is not None and not _inside_body(owner_function.node, node, model):
            owner_function = owner_function.parent_function  # a decorator or default
        if owner_function is not None and _outermost(owner_function).qualname == qualname:
            continue  # recursion: the function calling itself is no caller
        if owner_function is None:
            yield not under_main_guard(model, node)
            continue
        if not called and is_test_entry(model, _outermost(owner_function)):
            # Handed over by a test, not run by it: a dependency override, a
            # monkeypatched function, a handler for the app under test.
            yield True
            continue
        if (
            spawned_as_task(model, site) or stored_for_later(model, site, scope)
        ) and started_at_startup(
            model, owner_function, search, _reference_verdicts, _is_served_directly
        ):
            # `asyncio.create_task(poll_invoices())` in a lifespan (or in a method of an
            # object it enters, or a helper it awaits): the task runs for the server's
            # whole life on the loop that serves requests; so does a function it stores
            # in a registry object (`Tool("write_file", write_file)`), run when used.
            yield True
            continue
        if called and under_lifespan_branch(model, site) and not spawned_as_task(model, site):
            yield False  # on an ASGI lifespan message: start-up or shutdown code
            continue
        yield search.serving_of(model, owner_function)


def _branch_runs(model: ModuleModel, node: ast.AST, scope: Scope, qualname: str) -> bool:
    """``runner.run_job()`` where ``runner`` is assigned another class in another
    branch: the call may run ``qualname`` too."""
    return any(
        other == qualname or _dispatches_to(model, other, qualname)
        for other in branch_targets(model, node, scope)
    )


def _dispatches_to(model: ModuleModel, target: str, qualname: str) -> bool:
    """Whether calling method ``target`` may run method ``qualname`` (an override).

    ``provisioner.provision()`` on a receiver typed as a base class of the
    method's class, or as a ``Protocol`` the method's class satisfies without naming
    it (``protocols.py``), runs whichever class the object is; on a subclass that does
    not override it, the inherited method.
    """
    project = model.project
    if project is None:
        return False
    owner, _, method = target.rpartition(".")
    own_class, _, own_method = qualname.rpartition(".")
    if method != own_method or not owner or not own_class:
        return False
    if owner in project.class_bases(own_class):
        return True
    if own_class in project.class_bases(owner) and not _defines(project, owner, method):
        return True  # `self._store()` in a subclass that inherits `_store`
    return any(base in PROTOCOL_BASES for base in project.class_bases(owner)) and satisfies(
        project, own_class, owner
    )


def _defines(project: ProjectFacts, class_qualname: str, name: str) -> bool:
    found = project.class_info(class_qualname)
    return found is None or any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name
        for node in found[1].node.body
    )


def _registered_as_command(model: ModuleModel, site: ast.AST, scope: Scope) -> bool:
    """``app.command(deploy)`` / ``app.command(name="x")(deploy)``: a CLI library registers it."""
    parent = model.parent(site)
    if not isinstance(parent, ast.Call) or site not in parent.args:
        return False
    func = parent.func
    if isinstance(func, ast.Call):  # `app.command(name="x")(deploy)`
        func = func.func
    target = model.qualified_name(func, scope)
    if target is None and isinstance(func, ast.Attribute):
        owner = model.type_of(func.value, scope)
        target = f"{owner}.{func.attr}" if owner else None
    return target is not None and is_cli_target(model, target)

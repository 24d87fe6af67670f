"""Serving code through a class's instances: where every object of a class is made.

The serving-code search (``project/serving.py``) judges a function by its callers.
A method is often reached in ways no call spells: ``async with server:`` runs
``server.__aenter__``, and ``self._dispatch(...)`` inside an object whose methods
a socket server calls back has no caller to find at all. Where the *objects* of
the class come from answers for those methods, when the answer is certain:

- **Off the serving loop** (a class whose every object a one-shot program
  makes): every ``Class(...)`` of the project sits in a function that runs only
  on a loop of its own or in a CLI (passed to ``asyncio.run`` and the other
  one-shot runners, a ``click``/``typer`` command, an ``if __name__ ==
  "__main__":`` block; directly or through functions only such code calls), and
  the object stays there: it is used through its attributes, entered, compared
  or handed to a function of the same module, never stored on another object
  (``app.state.x = obj``), in a container, a module global, or returned. Every
  method of the class then runs on that private loop: not serving code.
  Start-up code does not count here: an object a ``lifespan`` makes lives on the
  loop that serves requests (its methods run while the app serves).
- **Entered at start-up** (``async with obj:`` / ``await
  stack.enter_async_context(obj)`` in a ``lifespan`` or ``on_event`` handler):
  when every ``Class(...)`` of the project sits in start-up code and the object
  stays there, ``Class.__aenter__`` and ``Class.__aexit__`` run at start-up and
  shutdown only. A task one of the class's methods starts (``self._task =
  asyncio.create_task(self._loop())``) runs while the app serves: it stays
  serving code.

Any other mention of the class (a subclass, ``Class.create()``, ``isinstance``,
a module-level object, a reference in a registry) leaves the answer unknown, and
the methods are judged by their callers as before.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional

from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import block_nodes, last_name

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo, FunctionInfo, Scope

# The methods ``async with obj:`` runs.
ENTER_METHODS = frozenset({"__aenter__", "__aexit__"})
# ``stack.enter_async_context(obj)`` enters ``obj`` (``AsyncExitStack``, ``ExitStack``).
_ENTER_CALLS = frozenset({"enter_async_context", "enter_context"})
# How many callers up a one-shot function is looked for (`main()` -> `run()` -> `serve()`).
_MAX_PRIVATE_DEPTH = 3
# A class or function whose name more modules than this mention is not looked for:
# objects made everywhere are not one program's (and reading them all costs).
_MAX_MODULES = 40

# Per process and view: class qualname -> (off the loop?, entered at start-up?).
_INSTANCE_VERDICTS: MemoKey[dict[str, tuple[bool, bool]]] = MemoKey(
    "serving-instance-verdicts", text_dependent=True
)
_FUNCTION_VERDICTS: MemoKey[dict[str, bool]] = MemoKey(
    "serving-private-functions", text_dependent=True
)

# Packages that serve (or build) a web app: a program importing one may be the server.
_WEB_PACKAGES = frozenset(
    {"uvicorn", "hypercorn", "granian", "daphne", "gunicorn", "fastapi", "starlette"}
)
_WEB_SERVER: MemoKey[bool] = MemoKey("serving-runs-web-server")

Site = Callable[["ModuleModel", ast.AST, "Scope"], bool]


@dataclass
class InstanceSearch:
    """What the serving search lends: the modules that mention a name, and its tests."""

    mentioning: Callable[[str], Iterable[ModuleModel]]
    count: Callable[[str], int]  # how many files mention a name (whatever module asks)
    passed_to_runner: Site
    registered_as_command: Site
    is_cli_command: Callable[[ModuleModel, FunctionInfo], bool]
    runs_before_serving: Callable[[ModuleModel, FunctionInfo], bool]
    classes: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    functions: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def remembered(cls, project: Optional[ProjectIndex], **lent: object) -> InstanceSearch:
        """A search whose answers live as long as the project's texts (``project.memo``)."""
        search = cls(**lent)  # type: ignore[arg-type]
        if project is not None:
            classes = project.memo.get(_INSTANCE_VERDICTS)
            if classes is None:
                classes = {}
                project.memo.put(_INSTANCE_VERDICTS, classes)
            functions = project.memo.get(_FUNCTION_VERDICTS)
            if functions is None:
                functions = {}
                project.memo.put(_FUNCTION_VERDICTS, functions)
            search.classes, search.functions = classes, functions
        return search

    # ------------------------------------------------------------ questions
    def off_the_loop(self, function: FunctionInfo) -> bool:
        """A method of a class whose every object a one-shot program makes and keeps."""
        return function.class_info is not None and self._verdict(function)[0]

    def entered_at_startup(self, function: FunctionInfo) -> bool:
        """``__aenter__``/``__aexit__`` of a class whose every object start-up code makes and enters."""
        return function.name in ENTER_METHODS and self.startup_class(function)

    def startup_class(self, function: FunctionInfo) -> bool:
        """A method of a class whose every object start-up code makes and keeps."""
        return function.class_info is not None and self._verdict(function)[1]

    def _verdict(self, function: FunctionInfo) -> tuple[bool, bool]:
        class_info = function.class_info
        assert class_info is not None
        found = self.classes.get(class_info.qualname)
        if found is None:
            self.classes[class_info.qualname] = (False, False)  # a cycle decides nothing
            found = (False, False)
            if self.count(class_info.name) <= _MAX_MODULES:
                found = self._classify(class_info)
            self.classes[class_info.qualname] = found
        return found

    def _classify(self, class_info: ClassInfo) -> tuple[bool, bool]:
        qualname, name = class_info.qualname, class_info.name
        entered_as = _entered_as_other(class_info.node)
        models = list(self.mentioning(name))
        # A program that runs the web server itself (`uvicorn.run(...)` in `main()`) makes
        # its private loop the serving loop: its objects may serve requests.
        private = not any(_runs_web_server(model) for model in models)
        startup = True
        made = False
        for model, node, _scope in _references(models, qualname, name):
            if in_annotation(model, node):
                continue
            call = model.parent(node)
            if not isinstance(call, ast.Call) or call.func is not node:
                return False, False  # a subclass, `Class.create()`, a registry entry
            made = True
            owner = model.function_scope_of(call)
            if owner is None:
                # A module-level object is a global anything may reach, but under
                # `if __name__ == "__main__":` (a program's own).
                if not under_main_guard(model, call):
                    return False, False
                startup = False
                continue
            if not _stays_local(model, call, owner, entered_as):
                return False, False
            outermost = _outermost(owner)
            if startup and not self.runs_before_serving(model, owner):
                startup = False
            if private and not self._runs_privately(model, outermost, _MAX_PRIVATE_DEPTH):
                private = False
            if not private and not startup:
                return False, False
        return (private and made), (startup and made)

    def _runs_privately(self, model: ModuleModel, function: FunctionInfo, depth: int) -> bool:
        """A CLI command, or a function every reference to which runs it off the serving loop."""
        if _runs_web_server(model):
            return False
        if self.is_cli_command(model, function):
            return True
        if function.class_info is not None or depth <= 0:
            return False  # a method's callers have receivers of any type: not followed here
        found = self.functions.get(function.qualname)
        if found is None:
            self.functions[function.qualname] = False  # a cycle decides nothing
            found = False
            if self.count(function.name) <= _MAX_MODULES:
                found = self._every_caller_private(function, depth)
            self.functions[function.qualname] = found
        return found

    def _every_caller_private(self, function: FunctionInfo, depth: int) -> bool:
        found = False
        models = list(self.mentioning(function.name))
        if any(_runs_web_server(model) for model in models):
            return False
        for model, node, scope in _references(models, function.qualname, function.name):
            parent = model.parent(node)
            site = parent if isinstance(parent, ast.Call) and parent.func is node else node
            if self.passed_to_runner(model, site, scope) or self.registered_as_command(
                model, site, scope
            ):
                found = True
                continue
            owner = model.function_scope_of(node)
            if owner is None:
                if not under_main_guard(model, node):
                    return False
                found = True
                continue
            outermost = _outermost(owner)
            if outermost.qualname == function.qualname:
                continue  # recursion
            if not self._runs_privately(model, outermost, depth - 1):
                return False
            found = True
        return found  # no caller at all: an entry point, maybe a served one


def _runs_web_server(model: ModuleModel) -> bool:
    """Whether the module imports an ASGI server or web framework (``uvicorn``, ``fastapi``),
    at its top or inside a function (``import uvicorn`` in ``main()``)."""
    found = model.memo.get(_WEB_SERVER)
    if found is None:
        found = False
        # Imports are statements: the expressions (most of the tree) are not walked.
        for node in block_nodes(model.tree):
            if isinstance(node, ast.Import):
                found = any(a.name.split(".")[0] in _WEB_PACKAGES for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found = node.module.split(".")[0] in _WEB_PACKAGES
            if found:
                break
        model.memo.put(_WEB_SERVER, found)
    return found


def _outermost(function: FunctionInfo) -> FunctionInfo:
    while function.parent_function is not None:
        function = function.parent_function
    return function


def _references(
    models: Iterable[ModuleModel], qualname: str, name: str
) -> Iterable[tuple[ModuleModel, ast.AST, Scope]]:
    """Loaded names and ``module.name`` attributes that resolve to ``qualname``."""
    for model in models:
        spellings = {name}
        for bindings in model.module_scope.bindings.values():
            for binding in bindings:
                if binding.kind is BindingKind.IMPORT and binding.qualname == qualname:
                    spellings.add(binding.name)
        for ref in model.nodes[ast.Name]:
            node = ref.node
            if (
                isinstance(node, ast.Name)
                and node.id in spellings
                and isinstance(node.ctx, ast.Load)
                and model.qualified_name(node, ref.scope) == qualname
            ):
                yield model, node, ref.scope
        for ref in model.nodes[ast.Attribute]:
            node = ref.node
            if (
                isinstance(node, ast.Attribute)
                and node.attr == name
                and isinstance(node.ctx, ast.Load)
                and model.qualified_name(node, ref.scope) == qualname
            ):
                yield model, node, ref.scope


def in_annotation(model: ModuleModel, node: ast.AST) -> bool:
    """``server: Broker | None = None``, ``def run(server: Broker)``, ``-> Broker``."""
    child = node
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, (ast.arg, ast.AnnAssign)):
            return child is ancestor.annotation
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # The model links a parameter's annotation to the def itself.
            args = ancestor.args
            params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            return child is ancestor.returns or any(
                p is not None and child is p.annotation for p in params
            )
        if isinstance(ancestor, (ast.stmt, ast.Lambda)):
            return False
        child = ancestor
    return False


def _entered_as_other(node: ast.ClassDef) -> frozenset[type[ast.stmt]]:
    """The kinds of ``with`` whose ``as`` target is not the object itself: the class's
    own ``__aenter__`` (``__enter__``) never returns ``self`` (``async with
    BrowserSession() as context:`` binds the browser context the method made)."""
    kinds: set[type[ast.stmt]] = set()
    for statement in node.body:
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        kind = {"__aenter__": ast.AsyncWith, "__enter__": ast.With}.get(statement.name)
        if kind is None or not statement.args.args:
            continue
        receiver = statement.args.args[0].arg
        returns = [n for n in _own_nodes(statement) if isinstance(n, ast.Return)]
        if not any(isinstance(n.value, ast.Name) and n.value.id == receiver for n in returns):
            kinds.add(kind)
    return frozenset(kinds)


def _own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterable[ast.AST]:
    """The nodes of a function's body, not of the functions and classes inside it."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


def _stays_local(
    model: ModuleModel,
    made: ast.expr,
    owner: FunctionInfo,
    entered_as: frozenset[type[ast.stmt]] = frozenset(),
) -> bool:
    """Whether the object ``made`` is only used in ``owner``: through its attributes,
    entered, compared, or handed to a function of the same module. ``entered_as``: the
    kinds of ``with`` whose target is not the object (its enter method returns another)."""
    parent = model.parent(made)
    if isinstance(parent, ast.Expr):
        return True  # `await stack.enter_async_context(Server())`, the result unused
    if isinstance(parent, ast.withitem):
        target = parent.optional_vars
        statement = model.parent(parent)
        return (
            target is None
            or type(statement) in entered_as
            or (isinstance(target, ast.Name) and _name_stays_local(model, target.id, owner))
        )
    if isinstance(parent, ast.Attribute) and parent.value is made:
        return True  # `Broker(port).run()`: used once, through its method
    if isinstance(parent, ast.Await):
        return _stays_local(model, parent, owner, entered_as)
    if isinstance(parent, ast.Call) and made in parent.args:
        if isinstance(parent.func, ast.Attribute) and parent.func.attr in _ENTER_CALLS:
            # `x = await stack.enter_async_context(...)`
            return _stays_local(model, parent, owner, entered_as)
        return _local_function(model, parent, owner)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is made:
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        return len(targets) == 1 and (
            isinstance(targets[0], ast.Name) and _name_stays_local(model, targets[0].id, owner)
        )
    return False


def _name_stays_local(model: ModuleModel, name: str, owner: FunctionInfo) -> bool:
    if name in owner.scope.global_names:
        return False
    for node in ast.walk(owner.node):
        if not (isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)):
            continue
        if model.function_scope_of(node) is not owner:
            return False  # captured by a nested def or lambda: it may outlive the call
        parent = model.parent(node)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            continue  # `server.stop()`, `server.running`
        if isinstance(parent, ast.Compare):
            continue  # `server is not None`
        if isinstance(parent, ast.withitem) and parent.context_expr is node:
            if parent.optional_vars is None:
                continue
            return False  # `async with server as x`: `x` is whatever `__aenter__` returns
        if isinstance(parent, ast.Call) and node in parent.args:
            func = parent.func
            if isinstance(func, ast.Attribute) and func.attr in _ENTER_CALLS:
                if isinstance(model.parent(model.parent(parent) or parent), ast.Expr):
                    continue  # `await stack.enter_async_context(server)`, result unused
                return False
            if _local_function(model, parent, owner):
                continue
        return False
    return True


def _local_function(model: ModuleModel, call: ast.Call, owner: FunctionInfo) -> bool:
    """A call of a top-level function of the same module (``await _start(server)``)."""
    target = model.call_target(call, owner.scope)
    function = model.function_named(target) if target else None
    return function is not None and function.class_info is None and function.parent_function is None


def under_main_guard(model: ModuleModel, node: ast.AST) -> bool:
    """Inside ``if __name__ == "__main__":``, or anywhere in a package's ``__main__.py``:
    Python runs that module only as the program (``python -m package``), so its top
    level is the guarded block without the guard (``from .cli import main; main()``)."""
    if os.path.basename(model.path or "") == "__main__.py":
        return True
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, ast.If) and _is_main_test(ancestor.test):
            return True
    return False


def main_block_lines(model: ModuleModel) -> list[tuple[int, int]]:
    """The line ranges of the module's top-level ``if __name__ == "__main__":`` bodies
    (the whole module for a package's ``__main__.py``)."""
    if os.path.basename(model.path or "") == "__main__.py":
        return [(1, sys.maxsize)]
    return [
        (node.body[0].lineno, node.body[-1].end_lineno or node.body[-1].lineno)
        for node in model.tree.body
        if isinstance(node, ast.If) and _is_main_test(node.test) and node.body
    ]


def _is_main_test(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    has_main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return has_name and has_main


# Calls that start a coroutine on the running loop, at once or later (APScheduler's jobs).
_TASK_SPAWNERS = frozenset(
    {"create_task", "ensure_future", "start_soon", "add_job", "add_schedule"}
)


def spawned_as_task(model: ModuleModel, site: ast.AST) -> bool:
    """``asyncio.create_task(worker())``, ``tg.start_soon(worker)``, ``loop.create_task(...)``."""
    parent = model.parent(site)
    if not isinstance(parent, ast.Call) or site not in parent.args:
        return False
    return last_name(parent.func) in _TASK_SPAWNERS

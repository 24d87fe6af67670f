"""API107 blocking-call-chain: calls to sync project functions that block further down.

A function's blocking paths (the chain below it and the conditions on its
parameters that guard it) are summarized once per function and cached across
modules as project facts; a call inherits the paths its arguments do not rule
out (the contract, Revision 2, ``chain_conditions``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.project.model_cache import quiet_function
from fastapi_lint.registry import Rule
from fastapi_lint.rules.blocking._common import OFFLOAD_HINT
from fastapi_lint.rules.blocking.calls import (
    LISTINGS,
    classify_call,
    display_call,
    displayed_file_io,
    entered_by_with,
)
from fastapi_lint.rules.blocking.dispatch_tables import dispatched_summary
from fastapi_lint.rules.blocking.kernel_paths import kernel_path_conditions
from fastapi_lint.rules.blocking.minor_syscalls import calls_by_function
from fastapi_lint.rules.blocking.pause_lengths import pause_conditions
from fastapi_lint.rules.blocking.singleton_classes import is_singleton_class
from fastapi_lint.rules.blocking.template_methods import overridden_hook_chain
from fastapi_lint.rules.chain_conditions import (
    ArgumentValues,
    Condition,
    falsified,
    passed_through,
    path_conditions,
)
from fastapi_lint.rules.debug_gates import debug_only
from fastapi_lint.rules.memo_decorators import is_memoized
from fastapi_lint.rules.once_per_process import once_per_process
from fastapi_lint.rules.receiver_state import self_attribute_atoms
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.values import Instance

if TYPE_CHECKING:
    from fastapi_lint.rules.blocking.calls import BlockingCall
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

API107 = Rule(
    code="API107",
    name="blocking-call-chain",
    message="`{callee}` blocks the event loop in {context}: {chain}; use " + OFFLOAD_HINT,
    summary="Checks for calls to sync project functions that block (directly or through further calls).",
    why=(
        "The blocking call hides one or more calls away, often in another module: `await`-less helpers "
        "that call `requests` or a sync database session stall the loop just the same; so does "
        "a call through a dict literal of project functions or classes picked by a runtime key "
        "(`PARSERS[kind](path)`, also a class attribute `self.HANDLERS[kind]` or the literal a "
        "function returns, `get_handlers()[kind]`) when every entry blocks. Not "
        "reported when the blocking call cannot run for this call (a condition on a parameter the "
        "arguments make false, also `isinstance(records, (str, Path))` when the call passes a "
        "list, or on an attribute of the object it is called on that the object's "
        "construction makes false: `if self.log_file:` in a logger built as `Logger()`, or one "
        "every construction of the class in the project builds so) or runs once: per process "
        "(under `if _CLIENT is None:` that assigns "
        "it, `functools.cache` or a project decorator that keeps the first result), per "
        'thread, which in async code is the loop\'s one thread (`conn = getattr(_local, "conn", '
        "None)`, `if conn is None:` that stores `_local.conn` on a module `threading.local()`; "
        "the connection's own calls stay reported), per key "
        "(`v = self._cache.get(k)`, `if v is None:` that stores `self._cache[k]`, or `if v is "
        "not None: return v` before the work that stores it; `if k not in _CACHE:` that "
        "stores `_CACHE[k]`, also double-checked under a lock; `if k in "
        "seen: return` then `seen.add(k)` on a set kept in `app.state` or `self`), or per "
        "change of a file (a read redone only when a `stat()` "
        "signature kept in a module global or dict changes)."
    ),
    example=(
        "import requests\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        "def fetch_profile(user_id: int) -> dict[str, str]:\n"
        '    return requests.get(f"https://profiles.example.com/{user_id}").json()\n\n\n'
        '@app.get("/users/{user_id}")\nasync def get_user(user_id: int) -> dict[str, str]:\n'
        "    return fetch_profile(user_id)\n"
    ),
    use_instead=(
        "import requests\nfrom fastapi import FastAPI\nfrom fastapi.concurrency import run_in_threadpool\n\n"
        "app = FastAPI()\n\n\n"
        "def fetch_profile(user_id: int) -> dict[str, str]:\n"
        '    return requests.get(f"https://profiles.example.com/{user_id}").json()\n\n\n'
        '@app.get("/users/{user_id}")\nasync def get_user(user_id: int) -> dict[str, str]:\n'
        "    return await run_in_threadpool(fetch_profile, user_id)\n"
    ),
)

# Sync session methods that talk to the database (used by API107's chain).
SYNC_SESSION_IO_METHODS = frozenset(
    {
        "query",
        "execute",
        "exec",
        "scalar",
        "scalars",
        "get",
        "commit",
        "flush",
        "refresh",
        "merge",
        "rollback",
        "delete",
        "get_one",
        "connection",
    }
)


def sync_session_use(model: ModuleModel, call: ast.Call, scope: Scope) -> str | None:
    """A database round trip on a sync SQLAlchemy session, or creating one: its display."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in SYNC_SESSION_IO_METHODS:
        receiver = model.type_of(func.value, scope)
        if receiver in stubs.SYNC_SESSION_TYPES:
            return f"Session.{func.attr}()"
    return None


def is_session_path(chain: tuple[str, ...]) -> bool:
    """Whether a blocking chain ends in a sync session round trip (API301's matter)."""
    return bool(chain) and chain[-1].startswith("Session.")


# How many project functions a chain may pass through below the called one.
# Longer chains are mostly lazy one-time set-up (singletons, config loading)
# reached through conditional paths: reporting them costs precision. (Four
# functions were tried in session 6: a callee's answer stops at its first
# unconditional path, and a longer one found first then hid a shorter, conditional
# one from its callers: agno's `_format_all_messages -> ... -> open()`, judged worth,
# went silent.)
MAX_CHAIN_DEPTH = 2
# A chain is a property of the function it starts from (so summaries can be
# cached and shared across modules): at most this many project functions.
MAX_CHAIN_FUNCTIONS = MAX_CHAIN_DEPTH + 1
# How deep the search may recurse through the call graph (a safety net).
MAX_EXPLORATION = 48


# Builtins that iterate a generator they are given (so its body runs right there).
_CONSUMERS = frozenset(
    {
        "list",
        "tuple",
        "set",
        "frozenset",
        "dict",
        "sorted",
        "next",
        "sum",
        "min",
        "max",
        "any",
        "all",
    }
)


@dataclass(frozen=True)
class BlockingPath:
    """One way a function blocks: the chain below it and the conditions on its parameters."""

    chain: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class CalleeSummary:
    """What API107 needs to know of a called project function, cached across modules."""

    display: str
    is_async: bool
    is_generator: bool
    paths: tuple[BlockingPath, ...] = ()

    def chain_for(
        self, call: ast.Call, values: ArgumentValues | None = None
    ) -> tuple[str, ...] | None:
        """The first blocking path this call's arguments do not rule out (the contract, Revision 2)."""
        for path in self.paths_for(call, values):
            return path.chain
        return None

    def paths_for(self, call: ast.Call, values: ArgumentValues | None = None) -> list[BlockingPath]:
        """The blocking paths this call's arguments do not rule out."""
        return [path for path in self.paths if not falsified(list(path.conditions), call, values)]

    def to_json(self) -> dict[str, object]:
        return {
            "display": self.display,
            "is_async": self.is_async,
            "is_generator": self.is_generator,
            "paths": [[list(p.chain), list(p.conditions)] for p in self.paths],
        }

    @classmethod
    def from_json(cls, data: object) -> CalleeSummary | None:
        if not isinstance(data, dict):
            return None
        paths = []
        for entry in data.get("paths") or ():
            if isinstance(entry, list) and len(entry) == 2:
                chain, conditions = entry
                paths.append(
                    BlockingPath(
                        tuple(str(c) for c in chain),
                        tuple(c for c in conditions if isinstance(c, dict)),
                    )
                )
        return cls(
            display=str(data.get("display", "")),
            is_async=bool(data.get("is_async")),
            is_generator=bool(data.get("is_generator")),
            paths=tuple(paths),
        )


def summarize_function(
    model: ModuleModel,
    function: FunctionInfo,
    depth: int = 0,
    visiting: Exploration | None = None,
) -> CalleeSummary:
    paths = () if function.is_async else blocking_paths(model, function, depth, visiting)
    return CalleeSummary(
        display=_function_display(function),
        is_async=function.is_async,
        is_generator=model.is_generator(function),
        paths=tuple(paths),
    )


def callee_summary(
    model: ModuleModel,
    call: ast.Call,
    scope: Scope,
    depth: int = 0,
    visiting: Exploration | None = None,
) -> CalleeSummary | None:
    """The project function a call runs (this module or another) and whether it blocks.

    Functions of other modules are answered by the project index as facts
    cached on disk, so a warm run does not read the modules they live in.
    """
    target = model.call_target(call, scope)

    def entry(name: str) -> CalleeSummary | None:  # `PARSERS[kind](path)`: dispatch_tables
        return _target_summary(model, call, scope, name, depth, visiting)

    if target is None:
        # `check_token(token)` with `check_token = Checker(url)`: the class' `__call__`.
        value = model.evaluate(call.func, scope)
        if not isinstance(value, Instance) or not _is_project_class(model, value.type):
            return dispatched_summary(model, call, scope, entry)
        summary = _function_summary(model, f"{value.type}.__call__", depth, visiting)
        if summary is None or not isinstance(call.func, ast.Name):
            return summary
        return replace(summary, display=f"{call.func.id}()")
    return _target_summary(model, call, scope, target, depth, visiting)


def _target_summary(
    model: ModuleModel,
    call: ast.Call,
    scope: Scope,
    target: str,
    depth: int,
    visiting: Exploration | None,
) -> CalleeSummary | None:
    """What calling the project function or class ``target`` at ``call`` runs."""
    if _is_project_class(model, target):
        # `CsvReport(path)` runs `CsvReport.__init__` right there: a constructor that
        # opens a file or a connection blocks like any other call of the project;
        # `with FileLock(path):` also runs its `__enter__`.
        summary = _function_summary(model, f"{target}.__init__", depth, visiting)
        if summary is None:
            # No `__init__` of the project's: a dataclass (or attrs class, Pydantic
            # model) runs its post-init hook from the generated one.
            summary = _post_init_summary(model, target, depth, visiting)
        if summary is not None and summary.paths and is_singleton_class(model, target):
            # `Hub()` with a metaclass that keeps one instance: `__init__` ran once,
            # on the first call; later calls return the stored instance.
            summary = replace(summary, paths=())
        if entered_by_with(model, call) and (summary is None or not summary.paths):
            summary = _function_summary(model, f"{target}.__enter__", depth, visiting) or summary
        if summary is None:
            return None
        return replace(summary, display=f"{target.rsplit('.', 1)[-1]}()")
    summary = _function_summary(model, target, depth, visiting)
    if entered_by_with(model, call) and summary is not None and not summary.paths:
        # `with manager.lock(path):` where `lock()` returns a project object: the `with`
        # runs that object's `__enter__`, which may wait or query (a lock, a session).
        entered = _entered_result(model, call, scope, depth, visiting)
        if entered is not None and not summary.is_generator:
            return replace(entered, display=summary.display)
    return summary


_POST_INIT_HOOKS = ("__post_init__", "__attrs_post_init__", "model_post_init")


def _post_init_summary(
    model: ModuleModel, target: str, depth: int, visiting: Exploration | None
) -> CalleeSummary | None:
    """The post-init hook a generated ``__init__`` runs (``Config()`` whose
    ``__post_init__`` reads the file), when the class defines one."""
    for hook in _POST_INIT_HOOKS:
        summary = _function_summary(model, f"{target}.{hook}", depth, visiting)
        if summary is not None:
            return summary
    return None


def _entered_result(
    model: ModuleModel, call: ast.Call, scope: Scope, depth: int, visiting: Exploration | None
) -> CalleeSummary | None:
    """The ``__enter__`` of the project object a call returns, when it blocks."""
    value = model.evaluate(call, scope)
    if not isinstance(value, Instance) or not _is_project_class(model, value.type):
        return None
    entered = _function_summary(model, f"{value.type}.__enter__", depth, visiting)
    return entered if entered is not None and entered.paths else None


def _is_project_class(model: ModuleModel, target: str) -> bool:
    if model.class_named(target) is not None:
        return True
    project = index_of(model)
    return project is not None and project.is_class(target)


def _function_summary(
    model: ModuleModel, target: str, depth: int, visiting: Exploration | None
) -> CalleeSummary | None:
    local = model.function_named(target)
    owner, _, method = target.rpartition(".")
    if local is None and owner and model.class_named(owner) is not None:
        # A method the class inherits (`UserClient().fetch()` with `fetch` on its base).
        for base in model.class_bases(owner):
            local = model.function_named(f"{base}.{method}")
            if local is not None or model.class_named(base) is None:
                break
    if local is not None:
        summary = summarize_function(model, local, depth, visiting)
        if local.qualname != target and not summary.paths:
            summary = _with_hooks(model, local, owner, summary, depth, visiting)
        return summary
    project = index_of(model)
    if project is None:
        return None

    def quiet(qualname: str) -> object:
        # A def of an evicted module that is async or runs no call: its summary
        # needs no evaluation, so the module is not built again (its file is
        # recorded as read all the same).
        found = quiet_function(project, qualname)
        if found is None:
            return None
        name, class_name, is_async, is_generator = found
        display = f"{class_name}.{name}()" if class_name else f"{name}()"
        return CalleeSummary(display, is_async, is_generator, ()).to_json()

    def compute() -> object:
        summary = quiet(target)
        if summary is not None:
            return summary
        found = project.function(target)
        if found is None and owner and project.is_class(owner):
            for base in project.class_bases(owner):
                summary = quiet(f"{base}.{method}")
                if summary is not None:
                    return summary
                found = project.function(f"{base}.{method}")
                if found is not None:
                    break
        if found is None:
            return None
        # Depth-independent: the fact is shared by every caller (the index
        # guards cross-module cycles itself).
        summary = summarize_function(found[0], found[1])
        if found[1].qualname != target and not summary.paths:
            summary = _with_hooks(found[0], found[1], owner, summary, 0, None)
        return summary.to_json()

    # Versioned: /2 facts did not look up inherited methods; /3 stopped at a
    # session path; /4 had no kernel-path conditions; /5 did not follow the hooks an
    # inherited method calls on `self`; /7 put a connection's `close()` before the
    # connect or query of the helper that closes it, did not see sync generators
    # iterated by comprehensions nor Depends() markers kept in a variable; /25 named
    # one helper's file I/O before another's long wait, and a listing before the reads;
    # /26 typed offloaded results and post-init hooks; /28 and/or short-circuits, frozenset
    # constants, per-key fills; /29 keyword locals (`v = kwargs.get("k")`); /30 early
    # returns of a per-key memo on `self` (`if k in self._cache: return ...`); /31 results of
    # calls through `Callable[..., R]` annotations; /32 in-memory SQLite and mixin attributes;
    # /33 `global` inside a block, memos keyed by configuration; /34 stat-stamped dict entries;
    # /35 mixin attributes that classes of other modules set; /36 one-line prefix predicates
    # and names known by the prefix of the project call that returned them; /37 conditions on
    # an attribute of `self` (`if self._conn is not None:`), a callee's close named after the
    # other callees' paths; /38 `if a or b:` and `if not a and not b: return` on two flags,
    # parameters assigned again before their test; /39 calls through dispatch tables
    # (`PARSERS[kind](path)`); /40 ids assigned on the call's path (reaching assignments),
    # dispatch tables kept on classes or returned by a function; /41 sync LLM SDK clients;
    # /42 `isinstance(param, (str, Path))` path conditions; /43 tests on `self.<attr>` that
    # the project's constructions of the receiver make false.
    return CalleeSummary.from_json(project.fact("callee/43", target, compute))


def _with_hooks(
    model: ModuleModel,
    inherited: FunctionInfo,
    owner: str,
    summary: CalleeSummary,
    depth: int,
    visiting: Exploration | None,
) -> CalleeSummary:
    """An inherited method's summary for receivers of ``owner``: the base's own, or the
    way it blocks through a ``self.hook()`` that ``owner`` overrides (template method)."""
    chain = overridden_hook_chain(
        model, inherited, owner, lambda hook: _function_summary(model, hook, depth + 1, visiting)
    )
    return replace(summary, paths=(BlockingPath(chain),)) if chain else summary


def runs_body(model: ModuleModel, call: ast.Call, callee: CalleeSummary) -> bool:
    """Whether calling ``callee`` at ``call`` runs its body right there.

    Calling a generator function only creates the generator: a sync generator
    handed to ``StreamingResponse`` is iterated in Starlette's threadpool. Its
    body runs on the loop when the call is iterated in place (``for``, a
    comprehension, ``list(...)``) or entered (a ``@contextmanager`` in ``with``).
    """
    if not callee.is_generator:
        return True
    parent = model.parent(call)
    if isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is call:
        return True
    if isinstance(parent, ast.withitem) or isinstance(parent, ast.YieldFrom):
        return True
    if isinstance(parent, ast.With):
        return any(item.context_expr is call for item in parent.items)
    if isinstance(parent, _COMPREHENSIONS) and any(
        generator.iter is call for generator in parent.generators
    ):
        # The model links every iterable of a comprehension to the comprehension itself.
        # A list, set or dict comprehension iterates right there; a generator expression
        # only when something consumes it in place (`sum(r.total for r in rows())`).
        return not isinstance(parent, ast.GeneratorExp) or _consumed_in_place(model, parent)
    return _consumed_in_place(model, call)


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _consumed_in_place(model: ModuleModel, iterable: ast.expr) -> bool:
    """``list(iterable)``, ``sum(...)``, ``", ".join(...)``: a builtin iterates it there."""
    parent = model.parent(iterable)
    if isinstance(parent, ast.Call) and iterable in parent.args:
        func = parent.func
        if isinstance(func, ast.Name) and func.id in _CONSUMERS:
            return True
        if isinstance(func, ast.Attribute) and func.attr == "join":
            return True
    return False


# At most this many ways a function blocks are kept (each with its conditions).
MAX_PATHS = 4


# The blocking paths of each function of a module, by qualified name.
_CHAINS: MemoKey[dict[str, list[BlockingPath]]] = MemoKey("blocking-chains")


class Exploration:
    """The functions of one module being explored, outermost first, and the
    outermost of them that a recursion reached back to (Tarjan's low-link)."""

    __slots__ = ("positions", "reached")

    def __init__(self) -> None:
        self.positions: dict[str, int] = {}
        self.reached = _UNREACHED


_UNREACHED = 1 << 30


def blocking_paths(
    model: ModuleModel,
    function: FunctionInfo,
    depth: int = 0,
    visiting: Exploration | None = None,
) -> list[BlockingPath]:
    """How calling ``function`` blocks: ``[BlockingPath(("fetch()", "requests.get()"))]``.

    Remembered only when the answer is the function's own: a recursion back to
    a function further out, or the exploration limit, gave an answer for this
    question only (asked first from elsewhere, the same function would get
    another); remembering it made findings depend on the check order. The
    outermost function of an exploration keeps its answer.
    """
    cache = model.memo.setdefault(_CHAINS, {})
    key = function.qualname
    if key in cache:
        return cache[key]
    search = visiting if visiting is not None else Exploration()
    position = search.positions.get(key)
    if position is not None:
        # Recursion: the path through the cycle adds nothing new.
        search.reached = min(search.reached, position)
        return []
    if len(search.positions) > MAX_EXPLORATION:
        # Too deep (48 nested helpers of one module): an answer for this question
        # only, like a recursion back to the outermost function.
        search.reached = 0
        return []
    position = search.positions[key] = len(search.positions)
    outer_reached, search.reached = search.reached, _UNREACHED
    try:
        result = _blocking_paths(model, function, depth, search)
    finally:
        del search.positions[key]
        reached, search.reached = search.reached, min(outer_reached, search.reached)
    # Not `cut_count()`: a model's cycle guard answers the same way whoever asks,
    # and refusing to remember after any cut re-explored agno's helpers
    # hundreds of thousands of times (a 15x slower run).
    if reached >= position:
        cache[key] = result
    return result


def _blocking_paths(
    model: ModuleModel, function: FunctionInfo, depth: int, visiting: Exploration
) -> list[BlockingPath]:
    if function.is_async or is_memoized(model, function):
        return []
    calls = [
        (call, scope)
        for call, scope in calls_by_function(model).get(id(function.node), [])
        # Lazy module-level singletons block once per process (Revision 2); a debug
        # capture runs only where a developer set its environment variable.
        if not once_per_process(model, function, call) and not debug_only(model, function, call)
    ]
    paths: list[BlockingPath] = []

    def add(chain: list[str], call: ast.Call, inherited: list[Condition] | None = None) -> bool:
        """Keep a path; True when the search can stop (a path no call can rule out)."""
        conditions = tuple(
            (path_conditions(model, function, call) or [])
            + (inherited or [])
            # `if conn is not None: conn.close()` with `conn = self._conn` (receiver_state)
            + self_attribute_atoms(model, function, call)
        )
        path = BlockingPath(tuple(chain), conditions)
        session = is_session_path(path.chain)
        # Callers take the first path their arguments leave open (a session path aside):
        # another one under the same conditions would never be named, and would take one
        # of the MAX_PATHS places that a path under other conditions needs (a `search`
        # branch whose helper blocks three ways, then the `elif ids` branch's query).
        # Unless it is shorter: a caller may extend it where the longer one is too long.
        if not any(
            p.conditions == conditions
            and is_session_path(p.chain) == session
            and len(p.chain) <= len(path.chain)
            for p in paths
        ):
            paths.append(path)
        # A path ending in a session query does not end the search: a caller
        # that hands over its API301 session needs the other ways the
        # function blocks (`authenticate(session=db)` also verifies a hash).
        # Nor does a path through two callees or more: a shorter way found later may be
        # the one the callers need (they may add only so many functions), so the search
        # goes on until a path through one callee, or the path budget, ends it.
        final = not conditions and not is_session_path(path.chain) and len(path.chain) <= 2
        return final or len(paths) >= MAX_PATHS

    # A pause (`time.sleep` between retries) is named only when nothing moves data: a
    # retry helper blocks on its request every call, on its back-off only on failure. So
    # is the `close()` of a connection: `conn = _connect()` ... `conn.close()` names the
    # connect (or the query) that the helper runs, not the hang-up after it.
    pauses: list[tuple[str, ast.Call, list[Condition]]] = []
    classified = [(call, scope, classify_call(model, call, scope)) for call, scope in calls]
    # A long wait (a request, a child process, a database round trip, a password hash)
    # is named before local file I/O: `_write_tmp(); subprocess.run(["node", tmp])`
    # blocks on the process, and naming the temp-file write would hide the reason
    # to offload. A directory listing comes after the reads and writes of file data:
    # `for f in sorted(logs.glob("*.jsonl")): open(f)` names the reads of the logs. The
    # sort is stable: statement order within each kind.
    classified.sort(key=lambda item: _wait_rank(item[2]))
    for call, scope, blocking in classified:
        if blocking is not None and (
            blocking.code == "API102" or blocking.target.endswith(".close")
        ):
            length = pause_conditions(model, function, call, scope, blocking.target)
            pauses.append((display_call(blocking.target), call, length))
            continue
        # A single metadata call (API108) is no reason to offload the caller:
        # the chain names the call that moves data.
        if blocking is not None and blocking.code != "API108":
            # `def _read(path): open(path)`: no blocking read when the caller passes a
            # kernel pseudo-file (`_read("/proc/self/maps")`).
            kernel = kernel_path_conditions(model, function, call, scope, blocking.target)
            if add([display_call(blocking.target)], call, kernel):
                return paths
        elif blocking is None:
            session_use = sync_session_use(model, call, scope)
            if session_use is not None and add([session_use], call):
                return paths
    # As for the function's own calls, a long wait in one callee is named before local
    # file I/O in another: `add_user()` reads `users.yaml` (`load_users()`) and hashes the
    # password (`hash_password()`); naming the small read would hide the reason to offload.
    # A callee path ending in file I/O waits until the other callees are looked at.
    file_io: list[tuple[list[str], ast.Call, list[Condition]]] = []
    # A callee path that ends in a `close()` comes last, as the function's own closes do:
    # `notebook_for()` closing an evicted connection is no reason to name it before the
    # query another callee runs.
    closes: list[tuple[list[str], ast.Call, list[Condition]]] = []
    stop = False
    for call, scope in calls:
        if model.is_awaited(call):
            continue
        if model.call_target(call, scope) == function.qualname:
            continue  # plain recursion
        callee = callee_summary(model, call, scope, depth + 1, visiting)
        if callee is None or callee.is_async or not runs_body(model, call, callee):
            continue
        own_display = _function_display(function)
        for callee_path in callee.paths_for(call, ArgumentValues(model, scope, call)):
            if 1 + len(callee_path.chain) > MAX_CHAIN_FUNCTIONS:
                continue
            if own_display in callee_path.chain:
                # Back through this function (`first -> second -> first -> pause`): the
                # way without the cycle is found directly, whatever was asked first.
                continue
            inherited = passed_through(list(callee_path.conditions), call, function)
            chain = [callee.display, *callee_path.chain]
            if displayed_file_io(chain[-1]):
                file_io.append((chain, call, inherited))
                continue
            if chain[-1].endswith(".close()"):
                closes.append((chain, call, inherited))
                continue
            if add(chain, call, inherited):
                stop = True
                break
        if stop:
            break
    file_io.sort(key=lambda item: item[0][-1].removesuffix("()") in LISTINGS)
    for chain, call, inherited in file_io + closes:
        if add(chain, call, inherited):
            break
    for display, call, length in pauses:
        # `time.sleep(delay)`: no pause for a caller that passes `0` (pause_lengths).
        if add([display], call, length):
            break
    return paths


def _wait_rank(blocking: BlockingCall | None) -> int:
    """A long wait first, then reads and writes of file data, then directory listings."""
    if blocking is None or blocking.code != "API103":
        return 0
    return 2 if blocking.target in LISTINGS else 1


def _function_display(function: FunctionInfo) -> str:
    if function.class_info is not None:
        return f"{function.class_info.name}.{function.name}()"
    return f"{function.name}()"

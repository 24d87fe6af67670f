"""API108 blocking-minor-syscall (opt-in): one short system call on the event loop.

The contract, Revision 2: a single metadata call (``os.makedirs``, ``Path.exists``,
``Path.unlink``, ``tempfile.mkstemp``) costs microseconds on a local disk; on
real applications reporting it like a file read (API103) taught users to turn
API103 off. Starting a process without waiting for it (``subprocess.Popen``
alone) is one ``fork``/``exec``, not a wait for the child (API104). Both are
still system calls on the loop, so the rule exists, but it runs only when
selected (``--select API108``, ``extend-select``, ``ALL``; flake8:
``--enable-extensions=API108`` or ``--extend-select=API108``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.registry import Rule
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.memo import MemoKey

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

API108 = Rule(
    code="API108",
    name="blocking-minor-syscall",
    opt_in=True,
    message="`{call}` is a blocking system call in {context}; {advice}",
    summary=(
        "Checks for single short system calls in async code: file metadata (`os.makedirs`, "
        "`Path.exists`, `Path.unlink`, `tempfile.mkstemp`, `any(path.iterdir())`: whether a "
        'directory is empty, `path.write_text("")`: creating or emptying a file), '
        "`subprocess.Popen` without a wait and `open()` of a file only "
        "handed to a child process as its output or to `StreamingResponse` as its body. Opt-in."
    ),
    why=(
        "Each call blocks the event loop for one system call: microseconds on a local disk, "
        "much longer on a network file system or a busy machine, and `Popen` forks the worker. "
        "They are seldom worth a change, so the rule is off unless selected: "
        '`fastapi-lint check --extend-select API108` (or `extend-select = ["API108"]` in '
        "`[tool.fastapi-lint]`; flake8: `--enable-extensions=API108`). Reading or writing file "
        "contents is API103, waiting for a process is API104."
    ),
    example=(
        "import os\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.post("/reports")\nasync def create_report() -> None:\n'
        '    os.makedirs("reports", exist_ok=True)\n'
    ),
    use_instead=(
        "import anyio\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.post("/reports")\nasync def create_report() -> None:\n'
        '    await anyio.Path("reports").mkdir(parents=True, exist_ok=True)\n'
    ),
    options="Opt-in: select it with `--select API108`, `extend-select` or `ALL`.",
)

# Single metadata calls: moved out of API103 by Revision 2.
MINOR_SYSCALLS: tuple[str, ...] = (
    "os.path.{exists,isfile,isdir,getsize,getmtime}",
    "pathlib.Path.{exists,is_file,is_dir,stat,mkdir,touch,unlink,rmdir,rename,replace}",
    "os.{makedirs,mkdir,remove,unlink,rename,replace,stat,chmod,rmdir,removedirs}",
    "tempfile.{mkstemp,mkdtemp}",
)

POPEN = "subprocess.Popen"
# Calls on a process that wait for it (or for its output).
_WAIT_METHODS = frozenset({"wait", "communicate"})
_PIPES = frozenset({"stdout", "stderr"})

SYSCALL_ADVICE = "use `anyio.Path` / `aiofiles.os`, or `await anyio.to_thread.run_sync(...)`"
SPAWN_ADVICE = "use `asyncio.create_subprocess_exec` or `anyio.open_process`"


def advice_for(target: str) -> str:
    return SPAWN_ADVICE if target == POPEN else SYSCALL_ADVICE


# Opens whose file a function may only hand to a child process or to a worker thread.
OPEN_CALLS = frozenset({"builtins.open", "io.open", "pathlib.Path.open", "os.fdopen"})
_PROCESS_STREAMS = frozenset({"stdin", "stdout", "stderr"})
# The event loop's pipe transports: `await loop.connect_read_pipe(factory, pipe)` reads and
# writes the file object without blocking (the loop sets it non-blocking and polls it).
_LOOP_PIPE_METHODS = frozenset({"connect_read_pipe", "connect_write_pipe"})


def _offloaded(model: ModuleModel, node: ast.Name, scope: Scope) -> bool:
    """``await asyncio.to_thread(out.write, data)``: the file's method (or the file) is the
    function a worker thread runs, or one of its arguments."""
    argument: ast.AST = node
    parent = model.parent(node)
    if isinstance(parent, ast.Attribute) and parent.value is node:
        argument, parent = parent, model.parent(parent)
    if not isinstance(parent, ast.Call) or argument not in parent.args:
        return False
    return model.is_offloading_call(parent, scope)


def opened_for_child_process(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """``with open(log, "a") as out: Popen(cmd, stdout=out)`` or ``with path.open("wb") as
    out: await asyncio.to_thread(out.write, data)``: the function only opens a file for a
    child process or a worker thread (one system call); it reads and writes nothing on the
    loop itself. Also ``os.fdopen(os.dup(fd))`` handed to ``loop.connect_read_pipe``: the
    loop's transport does the I/O without blocking; and ``StreamingResponse(path.open("rb"))``:
    Starlette iterates a sync iterator in its threadpool, every read runs in a thread."""
    if _streamed(model, call, scope):
        return True
    parent = model.parent(call)
    name: ast.expr | None = None
    if isinstance(parent, ast.withitem):
        name = parent.optional_vars
    elif isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        name = parent.targets[0]
    function = scope.code_function
    if not isinstance(name, ast.Name) or function is None:
        return False
    binding = model.lookup(name.id, scope, name.lineno)
    if binding is None:
        return False
    # `os.fdopen(os.dup(fd))` wraps a descriptor already open (a pipe, the terminal): only
    # such a file may be handed to the loop's pipe transport (opening a FIFO by name blocks).
    wraps_descriptor = model.call_target(call, scope) == "os.fdopen"
    uses = 0
    for ref in model.nodes[ast.Name]:
        node = ref.node
        assert isinstance(node, ast.Name)
        if node.id != name.id or not isinstance(node.ctx, ast.Load):
            continue
        if model.lookup(node.id, ref.scope, node.lineno) is not binding:
            continue
        keyword = model.parent(node)
        owner = model.parent(keyword) if isinstance(keyword, ast.keyword) else None
        if (
            ref.scope.code_function is function
            and isinstance(keyword, ast.keyword)
            and keyword.arg in _PROCESS_STREAMS
            and isinstance(owner, ast.Call)
            and (model.call_target(owner, ref.scope) or "").startswith("subprocess.")
        ):
            uses += 1
            continue
        if ref.scope.code_function is function and _offloaded(model, node, ref.scope):
            uses += 1
            continue
        if ref.scope.code_function is function and _only_closes(model, node):
            continue
        if ref.scope.code_function is function and wraps_descriptor and _loop_pipe(model, node):
            uses += 1
            continue
        if ref.scope.code_function is function and _streamed(model, node, ref.scope):
            uses += 1
            continue
        return False  # read, written, returned or passed elsewhere: file I/O (API103)
    return uses > 0


_STREAMING_RESPONSES = frozenset(
    {"fastapi.responses.StreamingResponse", "starlette.responses.StreamingResponse"}
)


def _streamed(model: ModuleModel, node: ast.expr, scope: Scope) -> bool:
    """``StreamingResponse(f)`` / ``StreamingResponse(content=f)``: the file object is the
    response body, which Starlette reads chunk by chunk in its threadpool (a sync iterator
    goes through ``iterate_in_threadpool``), not on the loop."""
    parent = model.parent(node)
    if isinstance(parent, ast.keyword):
        if parent.arg != "content":
            return False
        parent = model.parent(parent)
    elif not (isinstance(parent, ast.Call) and parent.args and parent.args[0] is node):
        return False
    if not isinstance(parent, ast.Call):
        return False
    target = model.call_target(parent, scope)
    return target is not None and stubs.canonical(target) in _STREAMING_RESPONSES


def _only_closes(model: ModuleModel, node: ast.Name) -> bool:
    """``with out:`` or ``out.close()`` on a file the function writes only through a worker
    thread: closing it is no read or write on the loop."""
    parent = model.parent(node)
    if isinstance(parent, ast.withitem):
        return parent.context_expr is node and parent.optional_vars is None
    if isinstance(parent, ast.Attribute) and parent.attr == "close":
        call = model.parent(parent)
        return isinstance(call, ast.Call) and call.func is parent
    return False


def _loop_pipe(model: ModuleModel, node: ast.Name) -> bool:
    """``await loop.connect_write_pipe(factory, out)``: the file object is handed to the event
    loop's pipe transport, which drives it without blocking."""
    parent = model.parent(node)
    return (
        isinstance(parent, ast.Call)
        and node in parent.args
        and isinstance(parent.func, ast.Attribute)
        and parent.func.attr in _LOOP_PIPE_METHODS
    )


def waits_for_process(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """Whether the function that runs ``Popen(...)`` waits for that process.

    ``Popen(...).communicate()``, ``with Popen(...)`` (its ``__exit__`` waits),
    or ``proc = Popen(...)`` followed by ``proc.wait()``, ``proc.communicate()``
    or a read of ``proc.stdout``/``proc.stderr`` in the same function.
    """
    parent = model.parent(call)
    if isinstance(parent, ast.Attribute):
        return parent.attr in _WAIT_METHODS or parent.attr in _PIPES
    if isinstance(parent, ast.withitem):
        return True
    targets: list[ast.expr]
    if isinstance(parent, ast.Assign):
        targets = list(parent.targets)
    elif isinstance(parent, (ast.AnnAssign, ast.NamedExpr)):
        targets = [parent.target]
    else:
        return False
    if len(targets) != 1:
        return False
    target = ast.dump(targets[0], annotate_fields=False).replace("Store()", "Load()")
    function = scope.code_function
    if function is None:
        return False
    for other, other_scope in calls_by_function(model).get(id(function.node), []):
        func = other.func
        if not isinstance(func, ast.Attribute):
            continue
        receiver = func.value
        if func.attr not in _WAIT_METHODS:
            if not (isinstance(receiver, ast.Attribute) and receiver.attr in _PIPES):
                continue
            receiver = receiver.value
        if ast.dump(receiver, annotate_fields=False) == target and not _rebound(
            model, receiver, other_scope, call
        ):
            return True
    return False


def _rebound(model: ModuleModel, receiver: ast.expr, scope: Scope, popen: ast.Call) -> bool:
    """The name waited on holds something else there: the function reused it for
    another process (``for proc in processes: await proc.wait()`` over asyncio ones)."""
    if not isinstance(receiver, ast.Name):
        return False
    binding = model.lookup(receiver.id, scope, receiver.lineno)
    return binding is not None and binding.value is not None and binding.value is not popen


_CALLS_BY_FUNCTION: MemoKey[dict[int, list[tuple[ast.Call, Scope]]]] = MemoKey("calls-by-function")


def calls_by_function(model: ModuleModel) -> dict[int, list[tuple[ast.Call, Scope]]]:
    """Calls grouped by the function whose body runs them (nested defs and lambdas excluded)."""
    cached = model.memo.get(_CALLS_BY_FUNCTION)
    if cached is not None:
        return cached
    grouped: dict[int, list[tuple[ast.Call, Scope]]] = {}
    for ref in model.calls:
        function = ref.scope.code_function
        key = id(function.node) if function is not None else 0
        grouped.setdefault(key, []).append((ref.node, ref.scope))  # type: ignore[arg-type]
    model.memo.put(_CALLS_BY_FUNCTION, grouped)
    return grouped

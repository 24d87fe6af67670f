"""Whether a call blocks by itself (API101-API106): the pattern table and the classification.

Each rule module holds its own qualified-name patterns; this module compiles
them into one table and answers ``classify_call`` for the family's check and
for API107's chains.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from fastapi_lint.rules.blocking import (
    clients,
    file_io,
    http_calls,
    minor_syscalls,
    password_hash,
    sleep,
    subprocesses,
)
from fastapi_lint.rules.blocking.clients import (
    CONNECTING_CONSTRUCTORS,
    ENTERED_BLOCKING,
    LOCAL_METHODS,
)
from fastapi_lint.rules.blocking.datagram_sockets import local_on_datagram_socket
from fastapi_lint.rules.blocking.inherited_clients import inherited_library_method
from fastapi_lint.rules.blocking.kernel_paths import reads_kernel_path
from fastapi_lint.rules.blocking.minor_syscalls import (
    MINOR_SYSCALLS,
    OPEN_CALLS,
    POPEN,
    opened_for_child_process,
    waits_for_process,
)
from fastapi_lint.rules.blocking.numeric_hosts import NAME_LOOKUPS, looks_up_numeric_address
from fastapi_lint.rules.blocking.path_or_buffer import PATH_OR_BUFFER_CALLS, names_a_file
from fastapi_lint.rules.blocking.sdk_clients import sdk_call_target
from fastapi_lint.rules.chain_conditions import ArgumentValues
from fastapi_lint.rules.self_clients import local_value
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.memory_databases import SQLITE_CONNECT, opens_memory_database
from fastapi_lint.semantic.partials import partial_call_target
from fastapi_lint.semantic.syntax import catches_named, keyword_value
from fastapi_lint.settings import RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

# Code -> qualified-name patterns (``*`` any run of characters, ``{a,b}`` alternatives).
BLOCKING_CALLS: dict[str, tuple[str, ...]] = {
    http_calls.API101.code: http_calls.PATTERNS,
    sleep.API102.code: sleep.PATTERNS,
    file_io.API103.code: file_io.PATTERNS,
    subprocesses.API104.code: subprocesses.PATTERNS,
    clients.API105.code: clients.PATTERNS,
    password_hash.API106.code: password_hash.PATTERNS,
    minor_syscalls.API108.code: MINOR_SYSCALLS,
}


def _expand(pattern: str) -> list[str]:
    match = re.search(r"\{([^}]*)\}", pattern)
    if not match:
        return [pattern]
    result = []
    for option in match.group(1).split(","):
        result.extend(_expand(pattern[: match.start()] + option + pattern[match.end() :]))
    return result


@lru_cache(maxsize=1)
def _compiled() -> tuple[dict[str, str], list[tuple[re.Pattern[str], str]]]:
    exact: dict[str, str] = {}
    wildcards: list[tuple[re.Pattern[str], str]] = []
    for code, patterns in BLOCKING_CALLS.items():
        for pattern in patterns:
            for expanded in _expand(pattern):
                if "*" in expanded:
                    wildcards.append((re.compile(fnmatch.translate(expanded)), code))
                else:
                    exact.setdefault(expanded, code)
    return exact, wildcards


@lru_cache(maxsize=65536)
def _wildcard_code(qualname: str) -> str | None:
    """The code of the first wildcard pattern matching ``qualname`` (asked for every
    call of every checked module, with a few thousand distinct targets)."""
    for pattern, code in _compiled()[1]:
        if pattern.match(qualname):
            return code
    return None


def blocking_code(qualname: str, options: RuleOptions | None = None) -> str | None:
    """The API10x code of a call target, or None when it does not block."""
    code = _compiled()[0].get(qualname)
    if code is not None:
        return code
    owner, _, method = qualname.rpartition(".")
    if method.startswith("_") or method in LOCAL_METHODS.get(owner, ()):
        return None
    wildcard_code = _wildcard_code(qualname)
    if wildcard_code is not None:
        return wildcard_code
    if (
        options is not None
        and options.extra_blocking_calls
        and options.matches_extra_blocking(qualname)
    ):
        return "API105"
    return None


# Receiver types spelled the way users reach them.
DISPLAY_OWNERS = {"fastapi.UploadFile.file": "UploadFile.file"}


def display_call(qualname: str) -> str:
    """How a message spells a call target."""
    if qualname.startswith("builtins."):
        return qualname[len("builtins.") :] + "()"
    owner, _, method = qualname.rpartition(".")
    if owner in DISPLAY_OWNERS:
        return f"{DISPLAY_OWNERS[owner]}.{method}()"
    return qualname + "()"


# Directory listings (API103 tree operations): they read names, not the files' data.
LISTINGS = frozenset(
    {
        "pathlib.Path.iterdir",
        "pathlib.Path.glob",
        "pathlib.Path.rglob",
        "pathlib.Path.walk",
        "glob.glob",
        "glob.iglob",
        "os.listdir",
        "os.scandir",
        "os.walk",
    }
)


def displayed_file_io(display: str) -> bool:
    """Whether a chain's last call, as ``display_call`` spelled it, is local file I/O (API103):
    ``open()``, ``pathlib.Path.read_text()``, ``UploadFile.file.read()``."""
    qualname = display.removesuffix("()")
    owner, _, method = qualname.rpartition(".")
    if not owner:
        qualname = f"builtins.{method}"
    else:
        for real, shown in DISPLAY_OWNERS.items():
            if owner == shown:
                qualname = f"{real}.{method}"
    return blocking_code(qualname) == "API103"


@dataclass(frozen=True)
class BlockingCall:
    code: str
    target: str
    node: ast.Call


def _options(model: ModuleModel) -> RuleOptions:
    return model.options


def classify_call(model: ModuleModel, call: ast.Call, scope: Scope) -> BlockingCall | None:
    """Whether a call blocks by itself (API101-API106)."""
    if model.is_awaited(call) or _iterated_or_entered_async(model, call):
        return None  # awaiting means an async API, whatever the name suggests
    target = model.call_target(call, scope)
    if target is None or (
        isinstance(call.func, ast.Name) and blocking_code(target, _options(model)) is None
    ):
        # `get_rates()` with `get_rates = partial(requests.get, URL)`.
        target = partial_call_target(model, call, scope) or target
    if target is None:
        # `client.chat.completions.create(...)` on a sync OpenAI/Anthropic client.
        target = sdk_call_target(model, call, scope)
    if target is None:
        return None
    target = stubs.canonical(target)
    code = blocking_code(target, _options(model))
    if code is None:
        inherited = inherited_library_method(
            model, target, lambda name: blocking_code(name, _options(model)) is not None
        )
        if inherited is not None:
            target, code = inherited, blocking_code(inherited, _options(model))
    if (
        code is None
        and target in CONNECTING_CONSTRUCTORS
        and (call.args or _has_keyword(call, "host"))
    ):
        code = "API105"
    if code is None and target in ENTERED_BLOCKING and entered_by_with(model, call):
        code = "API105"  # `with cache.lock(key):` acquires the lock on entry
    if code is None:
        return None
    if target in _WAIT_CALLS and _no_hang(model, call, scope):
        return None  # `os.waitpid(-1, os.WNOHANG)` polls: it returns at once
    if target == _URLOPEN and _opens_data_url(model, call, scope):
        return None  # urllib's DataHandler decodes a `data:` URL in memory
    if target == SQLITE_CONNECT and opens_memory_database(model, call, scope):
        return None  # `sqlite3.connect(":memory:")`: a database in memory, no file
    if target in PATH_OR_BUFFER_CALLS and not names_a_file(model, call, scope, target):
        return None  # ``soundfile.write(io.BytesIO(), ...)``: a buffer in memory, not a file
    if reads_kernel_path(model, call, scope, target):
        return None  # `/proc`, `/sys`: the kernel answers from memory, no disk behind it
    if target.startswith(_SOCKET_METHODS) and _on_nonblocking_socket(model, call, scope):
        return None  # a non-blocking socket returns at once (or raises BlockingIOError)
    if local_on_datagram_socket(model, call, target, receiver_calls(model, call, scope)):
        # A UDP datagram is queued by the kernel, and `connect()` on a UDP socket only
        # picks a route: no peer to wait for.
        return None
    if target in NAME_LOOKUPS and looks_up_numeric_address(model, call, scope):
        return None  # `gethostbyname(request.client.host)`: an address parsed, no DNS
    if target == POPEN and not waits_for_process(model, call, scope):
        code = "API108"  # spawning only (Revision 2): the function never waits for it
    elif target in OPEN_CALLS and opened_for_child_process(model, call, scope):
        code = "API108"  # a file for a child process or a worker thread: no content I/O here
    elif target in _LAZY_LISTINGS and _emptiness_probe(model, call, scope):
        code = "API108"  # `any(path.iterdir())`: stops at the first entry, not a directory read
    elif target in _PATH_WRITES and _writes_nothing(call):
        code = "API108"  # `path.write_text("")`: creates or truncates a file, like `touch()`
    if _on_reported_object(model, call, scope):
        return None
    return BlockingCall(code, target, call)


_WAIT_CALLS = frozenset({"os.waitpid", "os.wait3", "os.wait4", "os.waitid"})


def _iterated_or_entered_async(model: ModuleModel, call: ast.Call) -> bool:
    """``async for m in pubsub.listen()``, ``async with client.lock(key)``: only an async
    object can be iterated or entered that way (a sync one raises ``TypeError``), so the
    receiver is an async client whatever simple flow typed it (a factory returning either)."""
    parent = model.parent(call)
    if isinstance(parent, (ast.AsyncFor, ast.comprehension)) and parent.iter is call:
        return isinstance(parent, ast.AsyncFor) or bool(parent.is_async)
    return (
        isinstance(parent, ast.withitem)
        and parent.context_expr is call
        and isinstance(model.parent(parent), ast.AsyncWith)
    )


def entered_by_with(model: ModuleModel, call: ast.Call) -> bool:
    """Whether the call is the context expression of a ``with`` (not ``async with``)."""
    parent = model.parent(call)
    return (
        isinstance(parent, ast.withitem)
        and parent.context_expr is call
        and isinstance(model.parent(parent), ast.With)
    )


# Listings read lazily, entry by entry (the kernel hands a batch per system call).
_LAZY_LISTINGS = frozenset({"pathlib.Path.iterdir", "os.scandir"})


_PATH_WRITES = frozenset({"pathlib.Path.write_text", "pathlib.Path.write_bytes"})


def _writes_nothing(call: ast.Call) -> bool:
    """``log_path.write_text("")``, ``marker.write_bytes(b"")``: no content is written, the
    call creates the file or truncates it (one open and close), a metadata call like
    ``Path.touch()`` (API108), not a write of data (Revision 2)."""
    data = _first_argument(call, "data")
    return isinstance(data, ast.Constant) and data.value in ("", b"")


def _emptiness_probe(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """``any(path.iterdir())``, ``next(os.scandir(d), None)``, ``next(iter(path.iterdir()))``:
    whether a directory has an entry. The scan stops at the first one (an entry is always
    truthy), so it costs one system call like ``os.path.exists`` (API108), not a read of
    the directory. ``any(p.suffix == ".py" for p in path.iterdir())`` searches the listing:
    still a scan."""
    parent = model.parent(call)
    if (
        isinstance(parent, ast.Call)
        and parent.args
        and parent.args[0] is call
        and _builtin_call(model, parent, scope) == "iter"
        and len(parent.args) == 1
    ):
        call, parent = parent, model.parent(parent)
    if not isinstance(parent, ast.Call) or not parent.args or parent.args[0] is not call:
        return False
    name = _builtin_call(model, parent, scope)
    return (name == "any" and len(parent.args) == 1) or name == "next"


def _builtin_call(model: ModuleModel, call: ast.Call, scope: Scope) -> str | None:
    """The builtin a call calls (``any``, ``next``), unless a local name shadows it."""
    if call.keywords or not isinstance(call.func, ast.Name):
        return None
    target = model.call_target(call, scope)
    return target[len("builtins.") :] if target and target.startswith("builtins.") else None


def _no_hang(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """The options argument of an ``os.wait*`` call includes ``os.WNOHANG``."""
    arguments = [*call.args, *(k.value for k in call.keywords)]
    for argument in arguments:
        for node in ast.walk(argument):
            if isinstance(node, (ast.Name, ast.Attribute)):
                if model.qualified_name(node, scope) == "os.WNOHANG":
                    return True
    return False


_URLOPEN = "urllib.request.urlopen"


def _first_argument(call: ast.Call, name: str) -> ast.expr | None:
    """The first parameter's value, given by keyword (``name``) or position."""
    value = keyword_value(call.keywords, name)
    if value is None and call.args and not isinstance(call.args[0], ast.Starred):
        value = call.args[0]
    return value


def _opens_data_url(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """``urlopen(value)`` under ``if value.startswith("data:"):`` (or a ``data:`` literal):
    no network, no file."""
    url = _first_argument(call, "url")
    if url is None:
        return False
    value = ArgumentValues(model, scope, call).of(url)
    return isinstance(value, str) and value.lower().startswith("data:")


_SOCKET_METHODS = "socket.socket."
# What a non-blocking socket raises instead of waiting: catching one of these around the
# call says the code polls a socket it made non-blocking (an accept loop after a readiness
# wait, an SSL handshake step), not that it waits on the network.
_WOULD_BLOCK_ERRORS = frozenset({"BlockingIOError", "SSLWantReadError", "SSLWantWriteError"})


def _on_nonblocking_socket(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """``sock.accept()`` inside ``try: ... except BlockingIOError:``, or on a name the same
    function made non-blocking (``sock.setblocking(False)``, ``sock.settimeout(0)``)."""
    child: ast.AST = call
    for ancestor in model.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            break
        if isinstance(ancestor, ast.Try) and child in ancestor.body:
            if any(
                catches_named(handler.type, _WOULD_BLOCK_ERRORS) for handler in ancestor.handlers
            ):
                return True
        child = ancestor
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    function = scope.code_function
    if not isinstance(receiver, ast.Name) or function is None:
        return False
    for node in ast.walk(function.node):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == receiver.id
            and node.func.attr in ("setblocking", "settimeout")
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value in (False, 0)
        ):
            return True
    return False


def _on_reported_object(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """Whether ``call`` is a method of an object a reported call of the same function made.

    ``conn = sqlite3.connect(...)`` is reported; ``conn.cursor().execute(...)``
    after it is the same blocking work and is not reported again (the contract).
    """
    return any(
        classify_call(model, made, made_scope) is not None
        for made, made_scope in receiver_calls(model, call, scope)
    )


def receiver_calls(
    model: ModuleModel, call: ast.Call, scope: Scope
) -> Iterator[tuple[ast.Call, Scope]]:
    """The calls that made the object ``call`` is a method of, nearest first, followed
    through local names (``conn = connect(); conn.cursor().execute()``)."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return
    function = scope.code_function
    expr: ast.AST = func.value
    for _ in range(8):
        if isinstance(expr, ast.Name):
            found = local_value(model, expr, scope, function)
            if found is None:
                return
            expr, scope = found
        elif isinstance(expr, ast.Call):
            yield expr, scope
            if not isinstance(expr.func, ast.Attribute):
                return
            expr = expr.func.value
        elif isinstance(expr, (ast.Attribute, ast.Subscript)):
            expr = expr.value
        else:
            return  # an `await`, a literal, ...: not an object a reported call made


def _has_keyword(call: ast.Call, name: str) -> bool:
    return any(k.arg == name for k in call.keywords)

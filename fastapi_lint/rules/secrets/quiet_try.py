"""Whether a ``try`` body can raise an exception whose text is worth hiding (API509).

API509 reports the caught exception's text sent to a client because a broad
``except`` catches whatever the database, a file or a remote service raised,
with hosts, paths and SQL in its text.  A ``try`` body that cannot get such an
error has nothing to leak: it only reads attributes and builds values in
memory (``settings.max_upload_size``, ``{"providers": found}``), or calls
functions that catch every exception themselves and return a value.  A
maintainer would not change the handler's text there, so the rule stays
silent.  The test is conservative: one call the analysis cannot read makes the
body not quiet.

A body is quiet when every call in it (nested ``lambda`` bodies included,
nested ``def`` bodies not: they do not run there) is one of:

- a builtin that works in memory (``len``, ``sorted``, ``str``, an exception
  class), or a standard-library function that does (``json.dumps``,
  ``uuid.uuid4``, ``datetime.now``);
- a logging call (``logger.info(...)``, ``await logger.adebug(...)``), or a
  method whose name only string, container and model objects have
  (``append``, ``items``, ``strip``, ``model_dump``);
- a constructor of a project Pydantic model, or of ``HTTPException`` or a
  Starlette response;
- a project function (any module, a few calls deep) whose body is quiet; a
  method only when called on its class (``Catalog.snapshot()``), never on an
  instance, which a subclass may answer (the def found may be an abstract stub).
  A stub body (only a docstring, ``pass``, ``...`` or ``raise
  NotImplementedError``) is never quiet: the code that runs is written elsewhere
  or later.

Code that fails on the values it is given is not quiet with a 500: an item
read by key (``PRICES[plan]``: a ``KeyError``), a division (a
``ZeroDivisionError``), a parse (``int(raw)``, ``json.loads``, ``uuid.UUID``),
a ``raise`` (``raise ValueError("malformed coupon")`` in a helper).
Its text is harmless, but the handler turns a missing item or a bad value into
a server error where a 404 or a 400 was meant: a maintainer changes it.

With a status below 500 (``quiet_try(..., client_input=True)``), calls that
parse or validate are quiet too, whatever they call: ``Model.model_validate
(payload)``, ``int(raw)``, ``json.loads``, a constructor, ``validate_*``/
``parse_*`` helpers, re-encoding what they parsed (``Expr(text).to_json()``), and
``await request.json()``.  ``await request.body()``
is quiet with any status: it fails only when the client has gone.  Their errors describe the
client's own input, the message a 400 or 422 is for.  Awaited, only reading
the request's body counts: ``await client.get(url)`` is I/O whatever its name.

A nested ``try`` with a broad handler that does not raise (``except
Exception: log...; return None``) is quiet whatever its body does: nothing it
raises gets out.  ``with``/``async with``/``async for`` statements are not
quiet (entering a context or iterating a stream may do I/O), nor is a class
body or an ``await`` of something other than a quiet call.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.function_facts import function_fact
from fastapi_lint.rules.pydantic_v1.models import ModelKind, class_kind
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.scopes import enclosing_scope
from fastapi_lint.semantic.syntax import last_name, own_nodes

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

# Project helpers are followed this many calls deep within one module (a call
# into another module asks that module's fact, cached, with its own depth).
_MAX_DEPTH = 3
_BROAD = frozenset({"builtins.Exception", "builtins.BaseException"})
_PURE_BUILTINS = frozenset(
    (
        "abs all any bool bytes dict divmod enumerate format frozenset getattr hasattr hash "
        "id isinstance issubclass iter len list max min next range repr reversed round set "
        "slice sorted str sum tuple type zip"
    ).split()
)
# Standard-library functions that compute in memory and do not fail on their input.
_PURE_FUNCTIONS = frozenset(
    (
        "json.dumps uuid.uuid4 uuid.uuid5 typing.cast "
        "datetime.datetime datetime.datetime.now datetime.datetime.utcnow datetime.date.today "
        "datetime.timedelta time.time time.monotonic "
        "time.perf_counter copy.copy copy.deepcopy logging.getLogger os.getenv "
        "os.path.join os.path.basename os.path.dirname os.path.splitext "
        "urllib.parse.urlunparse urllib.parse.urlunsplit "
        "urllib.parse.quote urllib.parse.quote_plus urllib.parse.urlencode "
        "base64.b64encode base64.urlsafe_b64encode "
        "hashlib.sha256 hashlib.md5 hashlib.sha1"
    ).split()
)
# Ones that parse what they are given: what they raise describes their input. Quiet only
# with a status below 500 (the client's input); with a 500 the handler is the place where
# a parse failure becomes a server error, and a maintainer would answer it with a 4xx.
_PARSING_FUNCTIONS = frozenset(
    (
        "json.loads uuid.UUID datetime.datetime.fromisoformat "
        "urllib.parse.urlparse urllib.parse.urlsplit urllib.parse.unquote "
        "urllib.parse.parse_qs urllib.parse.parse_qsl base64.b64decode base64.urlsafe_b64decode "
        "re.compile re.match re.search re.sub re.fullmatch re.findall"
    ).split()
)
_PARSING_BUILTINS = frozenset({"int", "float"})
_FAILING_OPERATORS = (ast.Div, ast.FloorDiv, ast.Mod)
# Methods only in-memory objects have: no database, client or file object has
# them with another meaning (``get``, ``keys``, ``insert``, ``update``, ``add``,
# ``count`` and ``json`` are left out for that reason; ``copy`` counts without
# arguments only).  Only for a receiver of unknown type: a known one decides.
_PURE_METHODS = frozenset(
    (
        "append extend items values setdefault startswith endswith split rsplit "
        "partition rpartition strip lstrip rstrip lower upper title casefold capitalize format join replace encode "
        "decode splitlines isoformat strftime total_seconds timestamp astimezone hexdigest "
        "isdigit isalnum isalpha "
        "match fullmatch zfill ljust rjust removeprefix removesuffix model_dump model_dump_json model_copy"
    ).split()
)
_BUILTIN_TYPES = frozenset("str bytes dict list set frozenset tuple int float".split())
_LOG_METHODS = frozenset(
    (
        "debug info warning warn error exception critical log "
        "adebug ainfo awarning aerror aexception acritical"
    ).split()
)
_SAFE_CLASSES = frozenset(
    {
        "fastapi.HTTPException",
        "fastapi.exceptions.HTTPException",
        "starlette.exceptions.HTTPException",
    }
)
_RESPONSE_MODULES = ("starlette.responses.", "fastapi.responses.")
# With a status below 500, calls that parse or validate input: what they raise
# describes the client's input (``Model.model_validate(body)``, ``int(raw)``).
_VALIDATION_CALLS = frozenset(
    (
        "model_validate model_validate_json validate_python validate_json validate_strings "
        "parse_obj parse_raw parse_obj_as from_dict from_json loads literal_eval fromisoformat "
        "strptime fromtimestamp int float bool str Decimal UUID split strip lower upper model_dump "
        "isoformat urlparse unquote b64decode urlsafe_b64decode get len "
        # Re-encoding the value just parsed (`Expr(text).to_json()`): in memory.
        "to_json to_dict as_dict"
    ).split()
)
_VALIDATION_PREFIXES = ("validate", "parse", "_validate", "_parse")
# Reading the request's own body (``await request.json()``): a parse error describes what the
# client sent.
_BODY_READERS = frozenset({"json", "body", "form"})
_REQUEST_CLASSES = ("starlette.requests.Request", "fastapi.Request", "fastapi.requests.Request")
_REQUEST_BODY_READERS = frozenset(
    f"{owner}.{method}" for owner in _REQUEST_CLASSES for method in _BODY_READERS
)
_REQUEST_RAW_READERS = frozenset(f"{owner}.body" for owner in _REQUEST_CLASSES)


def quiet_try(model: ModuleModel, try_node: ast.Try, client_input: bool = False) -> bool:
    """Whether no exception with text worth hiding can leave ``try_node``'s body.

    ``client_input`` (the response's status is below 500): parsing and validating calls
    count as quiet too, as they describe the client's own input.
    """
    return _Quiet(model, client_input).body(try_node.body, 0)


class _Quiet:
    def __init__(self, model: ModuleModel, client_input: bool) -> None:
        self.model = model
        self.client_input = client_input

    def body(self, statements: list[ast.stmt], depth: int) -> bool:
        return all(_quiet(self, statement, depth) for statement in statements)


def _quiet(q: _Quiet, node: ast.AST, depth: int) -> bool:
    model = q.model
    if isinstance(node, (ast.With, ast.AsyncWith, ast.AsyncFor, ast.ClassDef)):
        return False
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        # Defining runs only the decorators and the defaults.
        arguments = node.args
        defaults = [*node.decorator_list, *arguments.defaults]
        defaults.extend(default for default in arguments.kw_defaults if default is not None)
        return all(_quiet(q, part, depth) for part in defaults)
    if isinstance(node, ast.Try) and _swallows_everything(model, node):
        statements = [*node.orelse, *node.finalbody]
        statements.extend(s for handler in node.handlers for s in handler.body)
        return all(_quiet(q, part, depth) for part in statements)
    if isinstance(node, ast.Await):
        call = node.value
        if not isinstance(call, ast.Call) or not _quiet_call(q, call, depth, awaited=True):
            return False
        return all(_quiet(q, child, depth) for child in ast.iter_child_nodes(call))
    if isinstance(node, ast.Call) and not _quiet_call(q, node, depth, awaited=False):
        return False
    if isinstance(node, ast.Raise) and node.exc is not None and not q.client_input:
        # `raise ValueError("empty")` in the body or a helper: it fails on the value it was
        # given, and a 500 with its text turns a bad value into a server error where a 400
        # was meant (as a read by key or a parse does).
        return False
    if isinstance(node, ast.AnnAssign):
        # The annotation (`names: list[str] = []`) is not evaluated in a function body.
        return node.value is None or _quiet(q, node.value, depth)
    if not q.client_input and (
        (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load))
        or (isinstance(node, ast.BinOp) and isinstance(node.op, _FAILING_OPERATORS))
    ):
        # `items[item_id]` raises a KeyError, `total / count` a ZeroDivisionError: a missing
        # item or a bad value, which a 500 with its text turns into a server error where a
        # 404 or 400 was meant.
        return False
    return all(_quiet(q, child, depth) for child in ast.iter_child_nodes(node))


def _swallows_everything(model: ModuleModel, try_node: ast.Try) -> bool:
    """A broad handler, and no handler raises: whatever the body raises stays inside.

    A handler that only re-raises an ``HTTPException`` or a project exception
    (``except HTTPException: raise``) lets out text the project wrote, not a driver's.
    """
    scope = enclosing_scope(model, try_node)
    broad = False
    for handler in try_node.handlers:
        types = [] if handler.type is None else _handler_types(handler.type)
        names = [model.qualified_name(t, scope) for t in types]
        if any(isinstance(node, ast.Raise) for node in own_nodes([handler])):
            first = handler.body[0]
            reraise = len(handler.body) == 1 and isinstance(first, ast.Raise) and first.exc is None
            if not (reraise and names and all(n and _project_text(model, n) for n in names)):
                return False
            continue
        broad = broad or handler.type is None or any(n in _BROAD for n in names)
    return broad


def _handler_types(node: ast.expr) -> list[ast.expr]:
    return list(node.elts) if isinstance(node, ast.Tuple) else [node]


def _project_text(model: ModuleModel, qualname: str) -> bool:
    """An exception whose text the project writes: ``HTTPException`` or a project class."""
    return stubs.canonical(qualname) in _SAFE_CLASSES or _exception_class(model, qualname)


def _quiet_call(q: _Quiet, call: ast.Call, depth: int, awaited: bool) -> bool:
    model = q.model
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr in _LOG_METHODS
        and "log" in last_name(func.value).lower()
    ):
        return True
    scope = enclosing_scope(model, call)
    target = model.call_target(call, scope)
    if target is None:
        # An unknown receiver: by the method's name.
        if q.client_input and _parses_input(call, awaited):
            return True
        return isinstance(func, ast.Attribute) and (
            func.attr in _PURE_METHODS or (func.attr == "copy" and not call.args)
        )
    target = stubs.canonical(target)
    if target.startswith("builtins."):
        name = target[len("builtins.") :]
        if name in _PARSING_BUILTINS:
            return q.client_input
        return (
            name in _PURE_BUILTINS
            or name.endswith(("Error", "Exception", "Warning"))
            or name.partition(".")[0] in _BUILTIN_TYPES  # ``str.replace``, ``dict.get``
        )
    if target in _PURE_FUNCTIONS or target in _SAFE_CLASSES or target.startswith(_RESPONSE_MODULES):
        return True
    if target in _PARSING_FUNCTIONS:
        return q.client_input
    if q.client_input and target in _REQUEST_BODY_READERS:
        return True
    if awaited and target in _REQUEST_RAW_READERS:
        # `await request.body()` fails only when the client goes away (`ClientDisconnect`,
        # no text): nobody is left to receive the answer, whatever its status.
        return True
    if class_kind(model, target) is ModelKind.MODEL or _exception_class(model, target):
        return True  # a Pydantic model validates values in memory; an exception is a value
    if depth >= _MAX_DEPTH:
        return False
    owner = target.rpartition(".")[0]
    if _is_class(model, owner) and not (
        isinstance(func, ast.Attribute) and model.qualified_name(func.value, scope) == owner
    ):
        # A method called on an instance (``storage.list_files()``, ``self.load()``): a
        # subclass may answer it, and the def found is often an abstract stub.
        return False
    if q.client_input and not awaited and _validating_name(target.rpartition(".")[2]):
        # ``validate_password(new_password)``, ``Item.from_dict(raw)``: named for checking the
        # input, in the project or a library.
        return True
    if model.find_function(target) is None:
        return False  # a library's function (``requests.get``): only the lists above are known
    if q.client_input:
        return function_fact(model, "quiet-input-body/2", target, _quiet_input_function, depth + 1)
    return function_fact(model, "quiet-body/2", target, _quiet_function, depth + 1)


def _validating_name(name: str) -> bool:
    """``model_validate``, ``loads``, ``int``, a class, ``validate_email``: parsing by its name
    (``get`` only on an unknown receiver, where it is most often a dict's)."""
    return (
        (name in _VALIDATION_CALLS and name != "get")
        or name[:1].isupper()
        or name.startswith(_VALIDATION_PREFIXES)
    )


def _parses_input(call: ast.Call, awaited: bool) -> bool:
    """A call that parses or validates input, by its name: ``model_validate``, ``int``, a
    constructor, ``validate_email(...)``; awaited, only reading the request's own body."""
    name = last_name(call.func)
    if name in _BODY_READERS:
        return not awaited or (isinstance(call.func, ast.Attribute) and not call.args)
    if awaited:
        return False  # ``await client.get(url)`` is I/O whatever its name
    return name == "get" or _validating_name(name)


def _exception_class(model: ModuleModel, qualname: str) -> bool:
    """A project exception class (``raise OrderNotFound(order_id)``)."""
    return any(
        base in _SAFE_CLASSES
        or (base.startswith("builtins.") and base.endswith(("Error", "Exception")))
        for base in model.class_bases(qualname)
    )


def _is_class(model: ModuleModel, qualname: str) -> bool:
    if not qualname:
        return False
    if model.class_named(qualname) is not None:
        return True
    return model.project is not None and model.project.is_class(qualname)


def _quiet_function(model: ModuleModel, function: FunctionInfo, depth: int) -> bool:
    if _stub_body(function.node.body):
        return False
    return _Quiet(model, client_input=False).body(function.node.body, depth)


def _quiet_input_function(model: ModuleModel, function: FunctionInfo, depth: int) -> bool:
    if _stub_body(function.node.body):
        return False
    return _Quiet(model, client_input=True).body(function.node.body, depth)


def _stub_body(body: list[ast.stmt]) -> bool:
    """A body that stands for code written elsewhere or later: only a docstring, ``pass``,
    ``...`` or ``raise NotImplementedError``.  What runs is not what we read (an override,
    a placeholder the real work replaces), so it is no evidence of a quiet call."""
    for statement in body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a docstring or ``...``
        if isinstance(statement, ast.Raise) and statement.exc is not None:
            exc = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
            if last_name(exc) == "NotImplementedError":
                continue
        return False
    return True

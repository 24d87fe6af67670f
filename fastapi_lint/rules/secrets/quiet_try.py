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

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

# Project helpers are followed this many calls deep within one module (a call
# into another module asks that module's fact, cached, with its own depth).
_MAX_DEPTH = 3
_BROAD = frozenset({"builtins.Exception", "builtins.BaseException"})
_PURE_BUILTINS = frozenset(
    (
        "abs all any bool bytes dict divmod enumerate float format frozenset getattr hasattr hash "
        "id int isinstance issubclass iter len list max min next range repr reversed round set "
        "slice sorted str sum tuple type zip"
    ).split()
)
# Standard-library functions that compute in memory.
_PURE_FUNCTIONS = frozenset(
    (
        "json.dumps json.loads uuid.uuid4 uuid.uuid5 uuid.UUID typing.cast "
        "datetime.datetime datetime.datetime.now datetime.datetime.utcnow datetime.date.today "
        "datetime.datetime.fromisoformat datetime.timedelta time.time time.monotonic "
        "time.perf_counter copy.copy copy.deepcopy logging.getLogger os.getenv "
        "os.path.join os.path.basename os.path.dirname os.path.splitext "
        "urllib.parse.urlparse urllib.parse.quote urllib.parse.unquote urllib.parse.urlencode "
        "base64.b64encode base64.b64decode base64.urlsafe_b64encode base64.urlsafe_b64decode "
        "hashlib.sha256 hashlib.md5 hashlib.sha1 re.compile re.match re.search re.sub "
        "re.fullmatch re.findall"
    ).split()
)
# Methods only in-memory objects have: no database, client or file object has
# them with another meaning (``get``, ``update``, ``add``, ``count``, ``copy``
# and ``json`` are left out for that reason).
_PURE_METHODS = frozenset(
    (
        "append extend insert items keys values setdefault startswith endswith split rsplit "
        "strip lstrip rstrip lower upper title casefold capitalize format join replace encode "
        "decode splitlines isoformat strftime total_seconds hexdigest isdigit isalnum isalpha "
        "zfill ljust rjust removeprefix removesuffix model_dump model_dump_json model_copy"
    ).split()
)
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
_BOUNDARIES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def quiet_try(model: ModuleModel, try_node: ast.Try) -> bool:
    """Whether no exception with text worth hiding can leave ``try_node``'s body."""
    return all(_quiet(model, statement, 0) for statement in try_node.body)


def _quiet(model: ModuleModel, node: ast.AST, depth: int) -> bool:
    if isinstance(node, (ast.With, ast.AsyncWith, ast.AsyncFor, ast.ClassDef)):
        return False
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        # Defining runs only the decorators and the defaults.
        arguments = node.args
        defaults = [*node.decorator_list, *arguments.defaults]
        defaults.extend(default for default in arguments.kw_defaults if default is not None)
        return all(_quiet(model, part, depth) for part in defaults)
    if isinstance(node, ast.Try) and _swallows_everything(model, node):
        statements = [*node.orelse, *node.finalbody]
        statements.extend(s for handler in node.handlers for s in handler.body)
        return all(_quiet(model, part, depth) for part in statements)
    if isinstance(node, ast.Await) and not isinstance(node.value, ast.Call):
        return False
    if isinstance(node, ast.Call) and not _quiet_call(model, node, depth):
        return False
    return all(_quiet(model, child, depth) for child in ast.iter_child_nodes(node))


def _swallows_everything(model: ModuleModel, try_node: ast.Try) -> bool:
    """A broad handler, and no handler raises: whatever the body raises stays inside."""
    scope = _scope_of(model, try_node)
    broad = False
    for handler in try_node.handlers:
        if any(isinstance(node, ast.Raise) for node in _walk_code(handler)):
            return False
        if handler.type is None:
            broad = True
            continue
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        broad = broad or any(model.qualified_name(t, scope) in _BROAD for t in types)
    return broad


def _walk_code(node: ast.AST) -> list[ast.AST]:
    """The nodes of ``node`` that run with it (nested defs and classes left out)."""
    found: list[ast.AST] = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(
            child for child in ast.iter_child_nodes(current) if not isinstance(child, _BOUNDARIES)
        )
    return found


def _quiet_call(model: ModuleModel, call: ast.Call, depth: int) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr in _PURE_METHODS:
            return True
        if func.attr in _LOG_METHODS and "log" in _receiver_name(func.value).lower():
            return True
    scope = _scope_of(model, call)
    target = model.call_target(call, scope)
    if target is None:
        return False
    target = stubs.canonical(target)
    if target.startswith("builtins."):
        name = target[len("builtins.") :]
        return name in _PURE_BUILTINS or name.endswith(("Error", "Exception", "Warning"))
    if target in _PURE_FUNCTIONS or target in _SAFE_CLASSES or target.startswith(_RESPONSE_MODULES):
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
    return function_fact(model, "quiet-body", target, _quiet_function, depth + 1)


def _exception_class(model: ModuleModel, qualname: str) -> bool:
    """A project exception class (``raise OrderNotFound(order_id)``)."""
    local = model.class_named(qualname)
    bases: list[str] = []
    if local is not None:
        for base in local.node.bases:
            name = model.qualified_name(base, local.outer)
            if name:
                bases.append(name)
                if model.project is not None:
                    bases.extend(model.project.class_bases(name))
    elif model.project is not None:
        bases = model.project.class_bases(qualname)
    return any(
        base in _SAFE_CLASSES
        or (base.startswith("builtins.") and base.endswith(("Error", "Exception")))
        for base in bases
    )


def _is_class(model: ModuleModel, qualname: str) -> bool:
    if not qualname:
        return False
    if model.class_named(qualname) is not None:
        return True
    return model.project is not None and model.project.is_class(qualname)


def _quiet_function(model: ModuleModel, function: FunctionInfo, depth: int) -> bool:
    return all(_quiet(model, statement, depth) for statement in function.node.body)


def _receiver_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _scope_of(model: ModuleModel, node: ast.AST) -> Scope:
    """The scope ``node`` is evaluated in: its innermost function, lambda or comprehension."""
    for ancestor in model.ancestors(node):
        scope = model.scope_of_node.get(id(ancestor))
        if scope is not None:
            return scope
    return model.module_scope

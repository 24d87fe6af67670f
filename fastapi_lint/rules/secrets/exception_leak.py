"""API509 exception-detail-leak: the caught exception's text sent to the client.

``raise HTTPException(500, detail=str(e))`` inside ``except Exception as e:``
hands database errors (table and column names, the failing SQL), file paths
and library internals to whoever sent the request (CWE-209).  The rule looks
at the calls and ``return`` statements the model recorded that build a
response (``HTTPException``, ``JSONResponse`` and the other Starlette
responses, a Jinja2 error page ``templates.TemplateResponse(..., {"detail": str(e)})``,
a dict returned by a route), finds the ``except`` clause they sit
in, and reports the expression in their arguments that carries the caught
exception's text.  A raised alias (``StarletteHTTPException``) or project
subclass of ``HTTPException`` (``raise APIError(500, str(e))``) is one too; a
subclass that fixes its own status (``super().__init__(404, ...)``) has it.

Which ``except`` clauses count (the contract, Revision 2): ``Exception``,
``BaseException``, a bare ``except:``, or a database driver/ORM error.  A
status code below 500 with a narrower exception type than ``Exception`` is a
validation message meant for the client (``except IntegrityError as e:
raise HTTPException(409, str(e))`` stays silent).  Beyond the contract, a
status below 500 from a ``try`` body that only parses or validates input
(``Model.model_validate(body)``, ``int(...)``, ``json.loads``, ``await
request.json()``; see ``quiet_try.py``) stays silent too: whatever it raises
describes the client's input.  A response's status is
its ``status_code`` (a literal, ``status.HTTP_500_...``, ``HTTPStatus.X``);
a response without one is a 200, a status the rule cannot read counts as
500 or more.

What carries the text: ``e`` itself, ``str(e)``, ``repr(e)``, an f-string
with ``{e}``, ``e.args`` (``e.args[0]``), SQLAlchemy's ``e.orig``,
``traceback.format_exc()``/``format_exception(...)``, and a name assigned
one of those earlier in the same ``except`` body (``msg = f"failed: {e}"``).
The search descends into dicts, lists, ``+``/``%`` joins, ``.format(...)``,
``"".join(...)``, ``getattr(e, "message", str(e))``, ``dict(...)``, model constructors (a capitalized
callee: ``ErrorResponse(message=str(e))``) and escapes that keep the text
(``html.escape(str(e))`` in an HTML fragment, ``urllib.parse.quote``), never into other calls: a
helper given ``e`` (``sanitize(e)``, ``getattr(e, "detail", ...)``) decides
itself what the client sees. Except a project helper that only wraps its
argument into a response (``return response_500(message=str(e))`` with
``def response_500(message): return JSONResponse(status_code=500, content={"message":
message})``): it is the response, with its status (``response_helpers.py``).  Text only logged is never in a response's
arguments, so it is never reported.

An exception handler registered on the app (``@app.exception_handler(Exception)``,
``add_exception_handler``, ``FastAPI(exception_handlers={500: ...})``) is an ``except``
clause around every route, its second parameter the caught exception
(``exception_handlers.py``). In a conditional expression on the status
(``str(exc) if status < 500 else "Internal error"``) only the 5xx branch counts; in one
on a debug setting (``str(exc) if settings.debug else "Internal error"``) only the branch
production takes, and a response under ``if settings.DEBUG:`` is not sent in production
(``debug_detail.py``).

Routes only administrators reach (``rules/admin_only.py``: an admin-only
dependency, or a guard refusing everyone else before the ``try``) are not
reported: the contract's "to the client" means any client, and an operator
reading their own service's error is the diagnostic the text was written for.
So is a private module-level helper (``_sync_catalog``) whose every use in its
module is a call from such a route: its error reaches the same operator.

Nor are ``try`` bodies that cannot raise text worth hiding (``quiet_try.py``):
they only read attributes and build values in memory, or call project
functions that catch every exception themselves (``settings.max_upload_mb``,
``await suggest_title(text)`` whose body ends in ``except Exception: return
None``). A read by key, a division or a parse is not quiet with a 500: the
missing item or bad value deserved a 404 or a 400.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.registry import Rule
from fastapi_lint.rules.admin_only import admin_only
from fastapi_lint.rules.branches import ifs_guarding_within
from fastapi_lint.rules.secret_patterns import escape_control
from fastapi_lint.rules.secrets.closed_sockets import raised_after_close
from fastapi_lint.rules.secrets.debug_detail import debug_branch, under_debug_gate
from fastapi_lint.rules.secrets.exception_handlers import as_except_clause, registered_types
from fastapi_lint.rules.secrets.handler_registrations import registered_elsewhere
from fastapi_lint.rules.secrets.import_time import constructed_before_serving
from fastapi_lint.rules.secrets.quiet_try import quiet_try
from fastapi_lint.rules.secrets.response_helpers import HTTP_EXCEPTIONS as _HTTP_EXCEPTIONS
from fastapi_lint.rules.secrets.response_helpers import response_helper
from fastapi_lint.rules.secrets.stream_bodies import only_streamed
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.syntax import SCOPE_NODES, keyword_value

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

API509 = Rule(
    code="API509",
    name="exception-detail-leak",
    message=(
        "`{carrier}` sends the caught exception's text to the client in `{sink}`; "
        "log the exception and return a generic message"
    ),
    summary=(
        "Checks for responses and `HTTPException`s that carry the text of an exception caught "
        "by a broad or database `except` clause (or an exception handler registered for one)."
    ),
    why=(
        "An exception's text is written for the developer: a database error names tables, "
        "columns and the failing SQL, an `OSError` the server's paths, a client library the "
        "internal URLs it called. Sent in a response, it tells an attacker how the service is "
        "built and which input broke it (CWE-209, information exposure through an error "
        "message). Caught by `except Exception`, it can be any error of any layer, so nobody "
        "reviewed what it says. Validation messages meant for the client (a status below 500 "
        "from a narrow exception type) are not reported, nor routes only administrators reach "
        "(an admin-only dependency such as `Depends(get_admin_user)` on the route, its router "
        "or its include, or an "
        '`if user.role != "admin": raise ...` guard before the `try`), nor private helpers '
        "that only such routes call: the operator reading "
        "the error is not an anonymous client. Nor is a `try` body that cannot fail with "
        "such text: one that only reads attributes and builds values in memory, or calls "
        "project functions that catch every exception themselves (a read by key, a division, "
        "a parse or a `raise` still is reported with a 500: that error deserved a 404 or a 400). "
        "A traceback (`traceback.format_exc()`) is never a message for the client, and a "
        "text cut short (`str(exc)[:160]`) still sends the words that name the host or query. An "
        "exception handler registered on the app (`@app.exception_handler(Exception)`, "
        "`add_exception_handler(SQLAlchemyError, handler)`, a status key of 500) is an "
        "`except` clause around every route: its response is checked the same way, and so is "
        "a project subclass of `HTTPException` or a project helper that builds the response "
        "or raises the `HTTPException` from its argument (`raise internal_error(e)`). Text shown "
        'only while debugging (`str(exc) if settings.debug else "Internal error"`, a response '
        "under `if settings.DEBUG:`) is not sent by the deployed service: not reported."
    ),
    example=(
        "import os\n\nfrom databases import Database\nfrom fastapi import FastAPI, HTTPException\n\n"
        'app = FastAPI()\ndatabase = Database(os.environ["DATABASE_URL"])\n\n\n'
        '@app.get("/orders/{order_id}")\n'
        "async def read_order(order_id: int) -> dict[str, int]:\n"
        "    try:\n"
        '        return {"id": order_id, "total": await compute_total(order_id)}\n'
        "    except Exception as exc:\n"
        "        raise HTTPException(status_code=500, detail=str(exc))\n\n\n"
        "async def compute_total(order_id: int) -> int:\n"
        '    return await database.fetch_val("SELECT total FROM orders WHERE id = :id", '
        '{"id": order_id})\n'
    ),
    use_instead=(
        "import logging\nimport os\n\n"
        "from databases import Database\nfrom fastapi import FastAPI, HTTPException\n\n"
        "logger = logging.getLogger(__name__)\napp = FastAPI()\n"
        'database = Database(os.environ["DATABASE_URL"])\n\n\n'
        '@app.get("/orders/{order_id}")\n'
        "async def read_order(order_id: int) -> dict[str, int]:\n"
        "    try:\n"
        '        return {"id": order_id, "total": await compute_total(order_id)}\n'
        "    except Exception as exc:\n"
        '        logger.exception("computing the total of order %s failed", order_id)\n'
        '        raise HTTPException(status_code=500, detail="Internal server error") from exc\n\n\n'
        "async def compute_total(order_id: int) -> int:\n"
        '    return await database.fetch_val("SELECT total FROM orders WHERE id = :id", '
        '{"id": order_id})\n'
    ),
    options="`secrets-in-tests`: report in test files too.",
)

_RESPONSE_CLASSES = frozenset(
    "Response JSONResponse PlainTextResponse HTMLResponse ORJSONResponse UJSONResponse".split()
)
# ``templates.TemplateResponse(request, "500.html", {"detail": str(exc)})``: an error page
# rendering its context shows the text to the client as a ``JSONResponse`` would.
_TEMPLATE_RESPONSES = frozenset(
    {
        "starlette.templating.Jinja2Templates.TemplateResponse",
        "fastapi.templating.Jinja2Templates.TemplateResponse",
    }
)
_SINK_NAMES = _RESPONSE_CLASSES | {"HTTPException", "TemplateResponse"}
_BROAD = frozenset({"builtins.Exception", "builtins.BaseException"})
# Database driver and ORM errors: every class of these modules is an error
# class (``sqlalchemy.exc.IntegrityError``, ``psycopg2.errors.UniqueViolation``).
_DB_ERROR_MODULES = (
    "sqlalchemy.exc.",
    "sqlalchemy.orm.exc.",
    "psycopg2.errors.",
    "psycopg.errors.",
    "asyncpg.exceptions.",
    "pymongo.errors.",
)
# Top-level driver names: ``psycopg2.Error``, ``psycopg2.IntegrityError``, ``asyncpg.PostgresError``.
_DB_DRIVERS = ("psycopg2.", "psycopg.", "asyncpg.")
_TRACEBACK_TEXT = frozenset(
    {"traceback.format_exc", "traceback.format_exception", "traceback.format_exception_only"}
)
# Calls that return their text argument escaped for a page or a URL: the message is
# still all there (``html.escape(str(e))`` in an HTML fragment).
_TEXT_ESCAPES = frozenset(
    {
        "html.escape",
        "markupsafe.escape",
        "markupsafe.Markup.escape",
        "urllib.parse.quote",
        "urllib.parse.quote_plus",
    }
)
_STATUS_NAME_RE = lazy_compile(r"HTTP_(\d{3})(?:_|$)")
_BROAD_KIND, _DB_KIND = "broad", "db"


def _catch_kind(model: ModuleModel, handler: ast.ExceptHandler, scope: Scope) -> str | None:
    """``broad`` (Exception, BaseException, bare), ``db`` (driver/ORM errors) or None."""
    if handler.type is None:
        return _BROAD_KIND
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return _types_kind(model, types, scope)


def _types_kind(model: ModuleModel, types: list[ast.expr], scope: Scope) -> str | None:
    kind = None
    for node in types:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            # a class registered from another module, by its qualified name
            qualname: str | None = node.value
        else:
            qualname = model.qualified_name(node, scope)
        if qualname is None:
            continue
        if qualname in _BROAD:
            return _BROAD_KIND
        if qualname.startswith(_DB_ERROR_MODULES) or (
            qualname.startswith(_DB_DRIVERS)
            and qualname.count(".") == 1
            and qualname.endswith(("Error", "Exception"))
        ):
            kind = _DB_KIND
    return kind


def _status_of(node: ast.expr | None, default: int | None) -> int | None:
    """A status code's value: ``500``, ``status.HTTP_500_...``, ``HTTPStatus.X``; None if unknown."""
    if node is None:
        return default
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, int) else None
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
    if not isinstance(name, str):
        return None
    match = _STATUS_NAME_RE.match(name)
    if match is not None:
        return int(match.group(1))
    if isinstance(node, ast.Attribute):
        from http import HTTPStatus  # an IntEnum of 60 members: built when first needed

        if name in HTTPStatus.__members__:
            return int(HTTPStatus[name])
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return keyword_value(call.keywords, name)


def _template_status_node(call: ast.Call) -> ast.expr | None:
    """The status of ``TemplateResponse(request, name, context, status_code)`` or of the
    older ``TemplateResponse(name, context, status_code)`` (the name is a string first)."""
    found = _keyword(call, "status_code")
    if found is not None:
        return found
    old_style = bool(call.args) and isinstance(call.args[0], ast.Constant)
    index = 2 if old_style else 3
    return call.args[index] if len(call.args) > index else None


class _Leaks:
    def __init__(self, model: ModuleModel, reporter: Reporter) -> None:
        self.model = model
        self.reporter = reporter

    def run(self) -> None:
        model = self.model
        for ref in model.calls:
            call = ref.node
            assert isinstance(call, ast.Call)
            func = call.func
            last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if last in _SINK_NAMES or (
                isinstance(model.parent(call), ast.Raise)
                and last is not None
                and last[:1].isupper()
            ):
                # ``raise StarletteHTTPException(...)``, ``raise APIError(500, str(e))``: an
                # alias or a project subclass of ``HTTPException`` is resolved in ``check_call``.
                self.check_call(call, ref.scope)
            elif (
                last is not None
                and not last[:1].isupper()
                and (call.args or call.keywords)
                and self.enclosing_handler(call) is not None
            ):
                # ``return response_500(message=str(e))``: a project helper building the response.
                self.check_helper_call(call, ref.scope)
        route_returns = [
            ref
            for ref in model.nodes[ast.Return]
            if isinstance(getattr(ref.node, "value", None), ast.Dict)
        ]
        if route_returns:
            facts = model.fastapi
            for ref in route_returns:
                function = model.function_by_node.get(id(ref.scope.node))
                if function is not None and facts.routes_of(function):
                    node = ref.node
                    assert isinstance(node, ast.Return) and node.value is not None
                    self.check_sink(node, [node.value], 200, ref.scope, "return {...}")

    def check_call(self, call: ast.Call, scope: Scope) -> None:
        if isinstance(self.model.parent(call), ast.Expr):
            # ``HTTPException(500, detail=str(e))`` on its own line, without ``raise``: the
            # object is built and dropped, nothing reaches the client.
            return
        target = self.model.call_target(call, scope)
        if target is None:
            return
        target = stubs.canonical(target)
        if target in _HTTP_EXCEPTIONS:
            status_node = _keyword(call, "status_code") or (call.args[0] if call.args else None)
            status = _status_of(status_node, None)
            sink = "HTTPException(...)"
        elif target.rsplit(".", 1)[-1] in _RESPONSE_CLASSES and target.startswith(
            ("starlette.responses.", "fastapi.")
        ):
            status_node = _keyword(call, "status_code") or (
                call.args[1] if len(call.args) > 1 else None
            )
            status = _status_of(status_node, 200)
            sink = target.rsplit(".", 1)[-1] + "(...)"
        elif target in _TEMPLATE_RESPONSES:
            status = _status_of(_template_status_node(call), 200)
            sink = "TemplateResponse(...)"
        elif self.is_http_exception_subclass(target):
            status_node = _keyword(call, "status_code") or (call.args[0] if call.args else None)
            status = _status_of(status_node, None)
            if status is None:
                status = self.subclass_status(target)
            sink = target.rsplit(".", 1)[-1] + "(...)"
        else:
            return
        values = [*call.args, *(k.value for k in call.keywords)]
        self.check_sink(call, values, status, scope, sink)

    def check_helper_call(self, call: ast.Call, scope: Scope) -> None:
        helper = response_helper(self.model, call, scope, _RESPONSE_CLASSES, _status_of)
        if helper is None:
            return
        bound = helper.arguments(call)
        status = helper.status
        if helper.status_param is not None and helper.status_param in bound:
            status = _status_of(bound[helper.status_param], None)
        values = [bound[name] for name in sorted(helper.carriers) if name in bound]
        if values:
            self.check_sink(call, values, status, scope, f"{helper.name}(...)")

    def check_sink(
        self, sink: ast.AST, values: list[ast.expr], status: int | None, scope: Scope, shown: str
    ) -> None:
        handler = self.enclosing_handler(sink) or self.registered_handler(scope)
        if handler is None:
            return
        kind = _catch_kind(self.model, handler, scope)
        narrowed = self.narrowed_types(sink, handler)
        if narrowed is not None:
            # ``if isinstance(exc, ConflictError): raise HTTPException(409, str(exc))``
            kind = _types_kind(self.model, narrowed, scope)
        if kind is None or (kind == _DB_KIND and status is not None and status < 500):
            return  # a validation message from a narrow exception type is meant for the client
        if status is not None and status < 500 and self.narrowed_by_name(sink, handler):
            return  # ``if type(exc).__name__ == "NotFoundError": raise HTTPException(404, ...)``
        if under_debug_gate(self.model, handler, sink):
            return  # ``if settings.DEBUG: return JSONResponse({"detail": str(exc)})``
        finder = _CarrierFinder(self.model, handler, scope, sink)
        for value in values:
            carrier = finder.find(value)
            if carrier is not None:
                try_node = self.model.parent(handler)
                client_status = status is not None and status < 500
                if client_status and self.is_traceback(carrier, scope):
                    # A traceback names files and source lines: never a message about the
                    # client's input, whatever the try body parses.
                    client_status = False
                if isinstance(try_node, ast.Try) and quiet_try(self.model, try_node, client_status):
                    # Nothing the try body raises has text worth hiding; with a 4xx, parsing
                    # and validating (``Model.model_validate(body)``) describe the input.
                    return
                if self.operator_only(sink, scope):
                    return
                function = scope.code_function
                if function is not None and constructed_before_serving(self.model, function):
                    return  # raised while the app is imported or starts: no client sees it
                if (
                    function is not None
                    and isinstance(self.model.parent(sink), ast.Raise)
                    and only_streamed(self.model, function)
                ):
                    return  # raised in a streaming body: the response has already started
                if function is not None and raised_after_close(self.model, function, handler, sink):
                    return  # the websocket is closed: the detail is never sent
                text = escape_control(ast.unparse(carrier))
                if len(text) > 40:
                    text = text[:37] + "..."
                self.reporter.report("API509", carrier, carrier=text, sink=shown)
                return

    def is_http_exception_subclass(self, target: str) -> bool:
        """A project class built on ``HTTPException`` (``class APIError(HTTPException)``)."""
        if target.startswith(("builtins.", "fastapi.", "starlette.")):
            return False
        seen: set[str] = set()
        pending = [target]
        while pending and len(seen) < 16:
            # ``class_bases`` is transitive across the project; a module checked alone
            # resolves only its own classes, one level at a time.
            for base in self.model.class_bases(pending.pop()):
                if stubs.canonical(base) in _HTTP_EXCEPTIONS:
                    return True
                if base not in seen:
                    seen.add(base)
                    pending.append(base)
        return False

    def subclass_status(self, target: str) -> int | None:
        """The status a subclass gives ``HTTPException`` itself: ``super().__init__(404, ...)``
        or ``status_code=404`` in its ``__init__``; None when the caller chooses it."""
        class_info = self.model.class_anywhere(target)
        if class_info is None:
            return None
        for statement in class_info.node.body:
            if not (isinstance(statement, ast.FunctionDef) and statement.name == "__init__"):
                continue
            for node in ast.walk(statement):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "__init__"
                ):
                    status_node = _keyword(node, "status_code") or (
                        node.args[0] if node.args else None
                    )
                    return _status_of(status_node, None)
        return None

    def is_traceback(self, carrier: ast.expr, scope: Scope) -> bool:
        """``traceback.format_exc()`` (or a text built around it) carries the text."""
        return any(
            isinstance(node, ast.Call) and self.model.call_target(node, scope) in _TRACEBACK_TEXT
            for node in ast.walk(carrier)
        )

    def operator_only(self, sink: ast.AST, scope: Scope) -> bool:
        """Only administrators reach the sink: they operate the service, so the error's text
        is a diagnostic for its operator, not a leak to "any client"."""
        function = scope.code_function
        if function is None:
            return False
        if self.model.fastapi.routes_of(function):
            return admin_only(self.model, function, sink)
        return self.helper_of_admin_routes(function)

    def helper_of_admin_routes(self, function: FunctionInfo) -> bool:
        """A private module-level helper whose every use in its module is a call from a
        route only administrators reach (``_resolve_projects(...)`` in the routes of an
        admin router): the helper's error reaches the same operator. A private name
        used elsewhere, or handed on as a value, leaves its callers unknown: reported."""
        name = function.name
        if not name.startswith("_") or name.startswith("__") or function.is_method:
            return False
        if function.parent_function is not None:
            return False
        model = self.model
        calls = 0
        for node in ast.walk(model.tree):
            if not (isinstance(node, ast.Name) and node.id == name):
                continue
            call = model.parent(node)
            if not (isinstance(call, ast.Call) and call.func is node):
                return False
            caller = model.function_scope_of(call)
            if caller is None or caller is function or not model.fastapi.routes_of(caller):
                return False
            if not admin_only(model, caller, call):
                return False
            calls += 1
        return calls > 0

    def narrowed_types(self, sink: ast.AST, handler: ast.ExceptHandler) -> list[ast.expr] | None:
        """The types of an ``isinstance(exc, ...)`` test whose body holds the sink, if any."""
        for guard in ifs_guarding_within(self.model, handler, sink):
            types = _isinstance_types(guard.test, handler.name)
            if types is not None:
                return types
        return None

    def narrowed_by_name(self, sink: ast.AST, handler: ast.ExceptHandler) -> bool:
        """Whether an ``if`` holding the sink tests the exception's class name against
        named classes (``type(exc).__name__ == "MessageNotFoundError"``, ``in {...}``, or
        through ``error_name = type(exc).__name__``): an ``isinstance`` test by name."""
        if handler.name is None:
            return False
        names = {handler.name}
        for statement in _statements(handler.body):
            if (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and _is_class_name_of(statement.value, handler.name)
            ):
                names.add(statement.targets[0].id)
        return any(
            _tests_class_name(guard.test, handler.name, names)
            for guard in ifs_guarding_within(self.model, handler, sink)
        )

    def registered_handler(self, scope: Scope) -> ast.ExceptHandler | None:
        """In the body of an exception handler registered on the app (``@app.exception_handler
        (Exception)``): the ``except`` clause it stands for (``exception_handlers.py``)."""
        function = scope.code_function
        if function is None or scope.node is not function.node:
            return None  # a lambda or comprehension inside the handler: not its body
        types = registered_types(self.model, function) or registered_elsewhere(self.model, function)
        return as_except_clause(function, types) if types else None

    def enclosing_handler(self, node: ast.AST) -> ast.ExceptHandler | None:
        for ancestor in self.model.ancestors(node):
            if isinstance(ancestor, ast.ExceptHandler):
                return ancestor
            if isinstance(ancestor, SCOPE_NODES):
                return None
        return None


class _CarrierFinder:
    """Finds the expression that carries the caught exception's text in a response argument."""

    def __init__(
        self, model: ModuleModel, handler: ast.ExceptHandler, scope: Scope, sink: ast.AST
    ) -> None:
        self.model = model
        self.name = handler.name
        self.handler = handler
        self.scope = scope
        self.line = getattr(sink, "lineno", 0)
        self._aliases: dict[str, ast.expr] | None = None

    def find(self, node: ast.expr, depth: int = 0) -> ast.expr | None:
        if depth > 8:
            return None
        if self.is_text(node):
            return node
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            # ``str(e)[:160]``: a truncated text is still the exception's text.
            return node if self.find(node.value, depth + 1) is not None else None
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                if isinstance(part, ast.FormattedValue) and (
                    self.is_text(_unsliced(part.value))
                    or self.is_exception(part.value)
                    or self.escaped_text(part.value, depth)
                ):
                    return node
            return None
        children: list[ast.expr] = []
        if isinstance(node, ast.Dict):
            children = list(node.values)
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            children = list(node.elts)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            children = [node.left, node.right]
        elif isinstance(node, ast.IfExp):
            # ``str(exc) if isinstance(exc, ValueError) else "Failed"``: narrowed, like an ``if``;
            # ``str(exc) if status < 500 else "Internal error"``: the text only in a 4xx.
            below_500 = _below_500(node.test)
            debug = debug_branch(node.test)
            if debug is not None:
                # ``str(exc) if settings.debug else "Internal error"``: the text only while
                # debugging (``debug_detail.py``); production sends the other branch.
                children = [node.orelse] if debug else [node.body]
            elif below_500 is not None:
                children = [node.orelse] if below_500 else [node.body]
            else:
                children = [node.orelse] if self.narrows(node.test) else [node.body, node.orelse]
        elif isinstance(node, ast.Call):
            children = self.call_children(node)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            alias = self.aliases().get(node.id)
            if alias is not None and self.find(alias, depth + 1) is not None:
                return node
        for child in children:
            found = self.find(child, depth + 1)
            if found is not None:
                return found
        return None

    def escaped_text(self, node: ast.expr, depth: int) -> bool:
        """``{html.escape(str(e))}`` in an f-string: the text escaped, still all there."""
        return (
            isinstance(node, ast.Call)
            and bool(node.args)
            and self.model.call_target(node, self.scope) in _TEXT_ESCAPES
            and self.find(node.args[0], depth + 1) is not None
        )

    def narrows(self, test: ast.expr) -> bool:
        """``isinstance(exc, ValueError)``: the exception is of a narrow, non-database type."""
        elts = _isinstance_types(test, self.name)
        return elts is not None and _types_kind(self.model, elts, self.scope) is None

    def call_children(self, call: ast.Call) -> list[ast.expr]:
        func = call.func
        arguments = [*call.args, *(k.value for k in call.keywords)]
        if call.args and self.model.call_target(call, self.scope) in _TEXT_ESCAPES:
            return [call.args[0]]
        if isinstance(func, ast.Attribute):
            if func.attr in ("format", "join"):
                return arguments
            if func.attr in ("model_dump", "dict", "model_dump_json", "json") and not arguments:
                return [func.value]
            return []
        if isinstance(func, ast.Name) and (
            func.id in ("dict", "jsonable_encoder") or func.id[:1].isupper()
        ):
            return arguments
        if isinstance(func, ast.Name) and func.id == "getattr" and len(call.args) == 3:
            # ``getattr(e, "message", str(e))``: the exception's text when it has no message.
            return [call.args[2]]
        return []

    def is_exception(self, node: ast.expr) -> bool:
        """``e``, ``e.args``, ``e.args[0]``, ``e.orig``: the caught exception or its text parts."""
        if isinstance(node, ast.Subscript):
            node = node.value
        if isinstance(node, ast.Attribute) and node.attr in ("args", "orig"):
            node = node.value
        return (
            self.name is not None
            and isinstance(node, ast.Name)
            and node.id == self.name
            and isinstance(node.ctx, ast.Load)
        )

    def is_text(self, node: ast.expr) -> bool:
        """An expression that is the exception's text itself."""
        if self.is_exception(node):
            return True
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("str", "repr") and len(node.args) == 1:
            return self.is_exception(node.args[0])
        target = self.model.call_target(node, self.scope)
        return target in _TRACEBACK_TEXT

    def aliases(self) -> dict[str, ast.expr]:
        """Names assigned in the ``except`` body before the response: ``msg = f"failed: {e}"``."""
        if self._aliases is None:
            self._aliases = {}
            for node in _statements(self.handler.body):
                if (
                    isinstance(node, ast.Assign)
                    and node.lineno < self.line
                    and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    # ``if settings.debug: msg = f"{msg}: {e}"``: production keeps the other
                    and not under_debug_gate(self.model, self.handler, node)
                ):
                    self._aliases[node.targets[0].id] = node.value  # the last one wins
        return self._aliases


def _unsliced(node: ast.expr) -> ast.expr:
    """``str(e)[:200]`` -> ``str(e)``: the text a slice keeps part of."""
    while isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        node = node.value
    return node


def _below_500(test: ast.expr) -> bool | None:
    """``status_code < 500`` (True: the body is the client-error branch), ``>= 500``
    (False: the orelse is), or None for any other test."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    bound = test.comparators[0]
    if not isinstance(bound, ast.Constant) or type(bound.value) is not int:
        return None
    op, value = test.ops[0], bound.value
    if (isinstance(op, ast.Lt) and value == 500) or (isinstance(op, ast.LtE) and value == 499):
        return True
    if (isinstance(op, ast.GtE) and value == 500) or (isinstance(op, ast.Gt) and value == 499):
        return False
    return None


def _is_class_name_of(node: ast.expr, name: str) -> bool:
    """``type(exc).__name__`` or ``exc.__class__.__name__``."""
    if not (isinstance(node, ast.Attribute) and node.attr == "__name__"):
        return False
    owner = node.value
    if isinstance(owner, ast.Call):
        return (
            isinstance(owner.func, ast.Name)
            and owner.func.id == "type"
            and len(owner.args) == 1
            and isinstance(owner.args[0], ast.Name)
            and owner.args[0].id == name
        )
    return (
        isinstance(owner, ast.Attribute)
        and owner.attr == "__class__"
        and isinstance(owner.value, ast.Name)
        and owner.value.id == name
    )


_BROAD_NAMES = frozenset({"Exception", "BaseException"})


def _tests_class_name(test: ast.expr, name: str, aliases: set[str]) -> bool:
    """``<class name> == "X"`` or ``<class name> in ("X", "Y")`` with named classes
    other than ``Exception``."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    left = test.left
    if not (
        _is_class_name_of(left, name)
        or (isinstance(left, ast.Name) and left.id in aliases and left.id != name)
    ):
        return False
    right = test.comparators[0]
    if isinstance(test.ops[0], ast.Eq):
        values: list[ast.expr] = [right]
    elif isinstance(test.ops[0], ast.In) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
        values = list(right.elts)
    else:
        return False
    return bool(values) and all(
        isinstance(value, ast.Constant)
        and isinstance(value.value, str)
        and value.value not in _BROAD_NAMES
        for value in values
    )


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a body in source order, nested blocks included, nested defs not."""
    for statement in body:
        yield statement
        if isinstance(statement, SCOPE_NODES):
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(statement, field, ()):
                # ``match_case`` exists from Python 3.10 on: compare by name.
                if isinstance(child, ast.ExceptHandler) or type(child).__name__ == "match_case":
                    yield from _statements(child.body)
                else:
                    yield from _statements([child])


def check_exception_leaks(model: ModuleModel, reporter: Reporter) -> None:
    _Leaks(model, reporter).run()


def _isinstance_types(test: ast.expr, name: str | None) -> list[ast.expr] | None:
    """The types of ``isinstance(name, T)`` or ``isinstance(name, (T, U))``, else None."""
    if (
        name is not None
        and isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
        and len(test.args) == 2
        and isinstance(test.args[0], ast.Name)
        and test.args[0].id == name
    ):
        types = test.args[1]
        return list(types.elts) if isinstance(types, ast.Tuple) else [types]
    return None

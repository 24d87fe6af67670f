"""Exception handlers registered on an app or router, seen as ``except`` clauses (API509).

``@app.exception_handler(Exception)`` (also ``app.add_exception_handler(SQLAlchemyError,
handler)`` and ``FastAPI(exception_handlers={Exception: handler})``) registers a function
that Starlette calls with the exception a route raised: it is an ``except`` clause around
every route of the app. A catch-all handler returning ``{"detail": str(exc)}`` sends the
text of any error of any layer to the client, as ``except Exception as e:`` in a route
does. The handler's second parameter is the caught exception, the types it is registered
for are the clause's types; a status code key of 500 or more (``exception_handler(500)``)
is Starlette's handler of every unhandled error: a broad clause.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

# Per model: id(def node) -> the types its registrations name.
_HANDLERS: MemoKey[dict[int, list[ast.expr]]] = MemoKey("exception-handlers")


def registered_types(model: ModuleModel, function: FunctionInfo) -> list[ast.expr] | None:
    """The exception types (or status codes) ``function`` is registered to handle, or None
    when it is not registered as an exception handler in this module."""
    table = model.memo.get(_HANDLERS)
    if table is None:
        table = model.memo.put(_HANDLERS, _collect(model))
    return table.get(id(function.node))


def as_except_clause(function: FunctionInfo, types: list[ast.expr]) -> ast.ExceptHandler | None:
    """An ``except (types) as exc:`` clause whose body is the handler's body, for the
    checks written for ``except`` clauses; None for a handler without an exception parameter."""
    arguments = [*function.node.args.posonlyargs, *function.node.args.args]
    if len(arguments) < 2:
        return None
    broad = any(
        isinstance(t, ast.Constant) and isinstance(t.value, int) and t.value >= 500 for t in types
    )
    clause_type: ast.expr | None = None if broad else ast.Tuple(elts=list(types), ctx=ast.Load())
    return ast.ExceptHandler(type=clause_type, name=arguments[1].arg, body=function.node.body)


def _collect(model: ModuleModel) -> dict[int, list[ast.expr]]:
    table: dict[int, list[ast.expr]] = {}
    for function in model.functions:
        for decorator in function.node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and isinstance(decorator.func, ast.Attribute)
                and decorator.func.attr == "exception_handler"
                and len(decorator.args) == 1
            ):
                table.setdefault(id(function.node), []).append(decorator.args[0])
    for handler, exception_type, scope in registrations(model):
        _register(model, table, handler, exception_type, scope)
    return table


def registrations(model: ModuleModel) -> Iterator[tuple[ast.expr, ast.expr, Scope]]:
    """(handler, exception type or status, scope) of every ``add_exception_handler(T, h)``
    and ``exception_handlers={T: h}`` call of the module."""
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "add_exception_handler":
            if len(call.args) == 2:
                yield call.args[1], call.args[0], ref.scope
            continue
        for keyword in call.keywords:
            if keyword.arg == "exception_handlers" and isinstance(keyword.value, ast.Dict):
                for key, value in zip(keyword.value.keys, keyword.value.values):
                    if key is not None:
                        yield value, key, ref.scope


def _register(
    model: ModuleModel,
    table: dict[int, list[ast.expr]],
    handler: ast.expr,
    exception_type: ast.expr,
    scope: Scope,
) -> None:
    """``add_exception_handler(T, handler)``: a handler defined in this module, by name."""
    if not isinstance(handler, ast.Name):
        return
    binding = model.lookup(handler.id, scope)
    if binding is None or binding.kind is not BindingKind.FUNCTION:
        return
    for function in model.functions:
        if function.node is binding.node:
            table.setdefault(id(function.node), []).append(exception_type)
            return

"""API301 on class dependencies: ``def __init__(self, db: Session = Depends(get_db))``.

FastAPI builds such a class per request and fills its ``__init__`` parameters like a
dependency's; the request's sync session is then kept on ``self`` (``self.db = db``).
An ``async def`` method of the class that queries through ``self.db`` runs each round
trip on the event loop. The session never appears as a parameter of an async route or
dependency, so it is reported where the loop uses it: once per async method, at its
first call that talks to the database (as for a module-level session). A class whose
``__init__`` takes a plain ``Session`` parameter is not a dependency: its session is
reported where it comes from (the route parameter, the call that creates it).
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from typing import TYPE_CHECKING

from fastapi_lint.rules.session_context import report_sync_session
from fastapi_lint.rules.sessions.kinds import SYNC, param_session
from fastapi_lint.semantic.syntax import own_nodes

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo


def _self_name(function: FunctionInfo) -> str | None:
    params = function.node.args.posonlyargs + function.node.args.args
    return params[0].arg if params else None


def injected_session_attributes(model: ModuleModel, init: FunctionInfo) -> frozenset[str]:
    """The attributes ``__init__`` stores an injected sync session in (``self.db = db``)."""
    self_name = _self_name(init)
    if self_name is None:
        return frozenset()
    args = init.node.args
    injected: set[str] = set()
    for arg in args.posonlyargs[1:] + args.args[1:] + args.kwonlyargs:
        session = param_session(model, init, arg)
        if session is not None and session.kind == SYNC and session.from_depends:
            injected.add(arg.arg)
    if not injected:
        return frozenset()
    attributes: set[str] = set()
    for statement in init.node.body:
        if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Name)):
            continue
        if statement.value.id not in injected:
            continue
        for target in statement.targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == self_name
            ):
                attributes.add(target.attr)
    return frozenset(attributes)


def check_class_dependency_sessions(
    model: ModuleModel, reporter: Reporter, io_methods: frozenset[str]
) -> None:
    facts = model.fastapi
    sessions: dict[int, frozenset[str]] = {}
    for function in model.functions:
        if (
            function.class_info is not None
            and function.name == "__init__"
            and not function.is_async
        ):
            attributes = injected_session_attributes(model, function)
            if attributes:
                sessions[id(function.class_info.node)] = attributes
    if not sessions:
        return
    for function in model.functions:
        if not function.is_async or function.class_info is None:
            continue
        stored = sessions.get(id(function.class_info.node))
        self_name = _self_name(function)
        if stored is None or self_name is None or facts.is_startup_handler(function):
            continue
        first = first_attribute_call(function, io_methods, stored, self_name)
        if first is not None:
            call, attribute = first
            report_sync_session(model, reporter, call, f"{self_name}.{attribute}", function)


def first_attribute_call(
    function: FunctionInfo, methods: Collection[str], attributes: Collection[str], owner: str
) -> tuple[ast.Call, str] | None:
    """The first call in the source of ``<owner>.<attribute>.<method>()`` in ``function``'s
    own body, with its attribute: reported once per session and function (Revision 2)."""
    uses: list[tuple[int, int, ast.Call, str]] = []
    for node in own_nodes(function.node.body):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = node.func.value
        if (
            node.func.attr in methods
            and isinstance(receiver, ast.Attribute)
            and receiver.attr in attributes
            and isinstance(receiver.value, ast.Name)
            and receiver.value.id == owner
        ):
            uses.append((node.lineno, node.col_offset, node, receiver.attr))
    if not uses:
        return None
    _, _, call, attribute = min(uses, key=lambda use: use[:2])
    return call, attribute

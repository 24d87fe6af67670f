"""API1xx: calls that block the event loop in async context.

A sync ``def`` route or dependency runs in FastAPI's threadpool
(fastapi/routing.py: ``run_in_threadpool`` for non-coroutine endpoints), so
blocking there is correct; only code that runs on the loop is checked.

One module per rule holds its metadata, docs, qualified-name patterns (and
fix); ``calls`` classifies a call against all of them, ``call_chain`` follows
project functions (API107). One traversal checks the whole family here.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.project.serving import runs_before_serving
from fastapi_lint.registry import Family
from fastapi_lint.rules.blocking import sleep
from fastapi_lint.rules.blocking.call_chain import (
    API107,
    callee_summary,
    is_session_path,
    runs_body,
)
from fastapi_lint.rules.blocking.calls import (
    BlockingCall,
    _options,
    blocking_code,
    classify_call,
    display_call,
    receiver_calls,
)
from fastapi_lint.rules.blocking.clients import API105, async_alternative
from fastapi_lint.rules.blocking.file_io import API103
from fastapi_lint.rules.blocking.http_calls import API101, http_client
from fastapi_lint.rules.blocking.minor_syscalls import API108, advice_for, calls_by_function
from fastapi_lint.rules.blocking.password_hash import API106
from fastapi_lint.rules.blocking.sleep import API102
from fastapi_lint.rules.blocking.subprocesses import API104
from fastapi_lint.rules.chain_conditions import ArgumentValues
from fastapi_lint.rules.debug_gates import debug_only
from fastapi_lint.rules.once_per_process import once_per_process
from fastapi_lint.rules.self_clients import self_client_root
from fastapi_lint.rules.session_handoff import passes_reported_session
from fastapi_lint.semantic import stubs

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.fixes.context import Fixer
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

__all__ = ["FAMILY", "FIXERS", "async_alternative", "blocking_code", "check", "display_call"]


def _self_client_uses(
    model: ModuleModel, function: FunctionInfo, calls: list[tuple[ast.Call, Scope]]
) -> dict[int, str | None]:
    """Calls on a ``self.x`` client (or on what it returned), by ``id``: the target to
    report at the first one of each client whose uses block, None for the others."""
    groups: dict[str, list[tuple[ast.Call, Scope, str]]] = {}
    for call, scope in calls:
        if model.is_awaited(call):
            continue
        root = self_client_root(model, function, call, scope, _is_client_type)
        if root is not None:
            attr, client = root
            target = model.call_target(call, scope)
            method = call.func.attr if isinstance(call.func, ast.Attribute) else "call"
            groups.setdefault(attr, []).append(
                (call, scope, stubs.canonical(target) if target else f"{client}.{method}")
            )
    uses: dict[int, str | None] = {}
    for group in groups.values():
        blocks = any(
            blocking_code(target, _options(model)) is not None
            or classify_call(model, call, scope) is not None
            for call, scope, target in group
        )
        for index, (call, _, target) in enumerate(group):
            uses[id(call)] = target if blocks and index == 0 else None
    return uses


def _is_client_type(type_name: str) -> bool:
    """A sync network client whose every method talks to its server (API105)."""
    return blocking_code(f"{type_name}.any_operation") == "API105"


def check(model: ModuleModel, reporter: Reporter) -> None:
    facts = model.fastapi
    grouped = calls_by_function(model)
    for function in model.functions:
        if not function.is_async or runs_before_serving(model, function):
            continue
        context = facts.describe(function)
        # In the order they run: an inner call that starts where its outer call starts
        # (`helper().execute()`) ends first and runs first.
        calls = sorted(
            grouped.get(id(function.node), []),
            key=lambda item: (
                item[0].lineno,
                item[0].col_offset,
                item[0].end_lineno or 0,
                item[0].end_col_offset or 0,
            ),
        )
        clients = _self_client_uses(model, function, calls)
        # API107 calls reported in this function, with the library their chain ends in.
        chained: dict[int, str] = {}
        for call, scope in calls:
            if id(call) in clients:
                first = clients[id(call)]
                if first is not None:
                    reporter.report(
                        "API105",
                        call,
                        call=display_call(first),
                        context=context,
                        alternative=async_alternative(first),
                    )
                continue
            blocking = classify_call(model, call, scope)
            if blocking is not None and _on_chained_object(model, call, scope, blocking, chained):
                continue
            if blocking is not None and debug_only(model, function, call):
                continue  # a developer's capture, off unless its variable is set
            if blocking is not None:
                # Templates ignore the fields they do not name (`alternative`: API105).
                reporter.report(
                    blocking.code,
                    call,
                    call=display_call(blocking.target),
                    context=context,
                    alternative=async_alternative(blocking.target),
                    advice=advice_for(blocking.target),
                    http_client=http_client(blocking.target),
                )
                continue
            if not reporter.enabled("API107") or model.is_awaited(call):
                continue
            callee = callee_summary(model, call, scope)
            if callee is None or callee.is_async or not callee.paths:
                continue
            if not runs_body(model, call, callee) or once_per_process(model, function, call):
                continue
            if debug_only(model, function, call):
                continue  # a developer's capture, off unless its variable is set
            chains = [p.chain for p in callee.paths_for(call, ArgumentValues(model, scope, call))]
            if not chains:
                continue  # every blocking path is ruled out by this call's arguments
            if (
                is_session_path(chains[0])
                and reporter.enabled("API301")
                and passes_reported_session(model, function, call, scope)
            ):
                # The session itself is the finding (API301), once per function;
                # the helper may still block another way (a password hash).
                chains = [c for c in chains if not is_session_path(c)]
                if not chains:
                    continue
            chain = chains[0]
            chained[id(call)] = _library(chain[-1])
            reporter.report(
                "API107",
                call,
                callee=callee.display,
                context=context,
                chain=" -> ".join([callee.display, *chain]),
            )


def _library(display: str) -> str:
    """``psycopg.connect()`` -> ``psycopg``: the top-level package of a chain's last call."""
    return display.split(".", 1)[0].split("(", 1)[0]


def _on_chained_object(
    model: ModuleModel,
    call: ast.Call,
    scope: Scope,
    blocking: BlockingCall,
    chained: dict[int, str],
) -> bool:
    """``with connection() as conn: conn.execute(...)``: the helper call is reported
    (API107, its chain ends in ``psycopg.connect()``) and the connection it made is the same
    blocking work, not reported again (the contract: operations on an object a reported call
    returned). Only for client objects (API105) of the library the chain ends in."""
    if not chained or blocking.code != "API105":
        return False  # a file the helper made (`path = make_dir(); path.write_bytes()`) is new I/O
    library = _library(blocking.target)
    return any(chained.get(id(made)) == library for made, _ in receiver_calls(model, call, scope))


FAMILY = Family(
    prefix="API1",
    title="Blocking the event loop",
    rules=(API101, API102, API103, API104, API105, API106, API107, API108),
    check=check,
)


# The fixers, read by fastapi_lint.fixes.rules (libcst is imported only inside them).
FIXERS: dict[str, Fixer] = {API102.code: sleep.fix}

"""API206: startup/shutdown code registered with ``on_event`` rather than a
``lifespan`` handler, and its fix (one ``lifespan`` from the app's handlers).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from fastapi_lint.diagnostics import Edit, Fix
from fastapi_lint.registry import FixAvailability, Rule
from fastapi_lint.rules.routes._common import APP
from fastapi_lint.semantic.syntax import last_name

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Diagnostic
    from fastapi_lint.fixes.context import FixContext
    from fastapi_lint.semantic.model import ModuleModel

API206 = Rule(
    code="API206",
    name="deprecated-on-event",
    fix=FixAvailability.UNSAFE,
    fix_description="Moves the app's `@app.on_event` handlers into one `lifespan` async context manager passed to `FastAPI(lifespan=...)`, when the app is created in the same module: unsafe, because handler order and error handling at start-up change subtly.",
    message="`{call}` is deprecated and Starlette 1.0 removed `on_event` and `add_event_handler`; move this code into a `lifespan` handler",
    summary="Checks for `on_event(...)` and `add_event_handler(...)` on a FastAPI app or router.",
    why=(
        "Startup and shutdown events are deprecated in FastAPI and Starlette in favour of the "
        "`lifespan` context manager, which also keeps startup state and its cleanup together. "
        "Event handlers are ignored when a `lifespan` is given."
    ),
    example=(
        APP + '@app.on_event("startup")\nasync def connect() -> None:\n    print("connecting")\n'
    ),
    use_instead=(
        "from collections.abc import AsyncIterator\nfrom contextlib import asynccontextmanager\n\n"
        "from fastapi import FastAPI\n\n\n"
        "@asynccontextmanager\nasync def lifespan(app: FastAPI) -> AsyncIterator[None]:\n"
        '    print("connecting")\n    yield\n\n\napp = FastAPI(lifespan=lifespan)\n'
    ),
)


# ------------------------------------------------------------ API206


def event_call_display(call: ast.Call) -> str:
    func = call.func
    try:
        receiver = ast.unparse(func)
    except Exception:  # pragma: no cover - odd trees
        receiver = last_name(func)
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        argument = f'"{first.value}"'
    else:
        argument = "..."
    if isinstance(func, ast.Attribute) and func.attr == "add_event_handler":
        return f"{receiver}({argument}, ...)"
    return f"{receiver}({argument})"


def version_fallback(model: ModuleModel, call: ast.Call, registrations: list[ast.Call]) -> bool:
    """The registration runs only on old FastAPI/Starlette versions: it sits in one branch
    of an ``if`` that tests a version (``if FASTAPI_VERSION >= "0.109.1": ... else:
    app.add_event_handler(...)``) whose other branch registers no event handler. The
    maintainers already moved the current versions off ``on_event``; the old branch is
    kept on purpose for the versions that lack the replacement."""
    child: ast.AST = call
    for ancestor in model.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return False
        if isinstance(ancestor, ast.If) and _tests_version(ancestor.test):
            other = ancestor.orelse if child in ancestor.body else ancestor.body
            others = {id(node) for statement in other for node in ast.walk(statement)}
            return not any(id(registration) in others for registration in registrations)
        child = ancestor
    return False


def _tests_version(test: ast.expr) -> bool:
    for node in ast.walk(test):
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
        if isinstance(name, str) and "version" in name.lower() and name != "version_info":
            return True
    return False


# ------------------------------------------------------------ API206 fix


def fix_on_event(context: FixContext, diagnostic: Diagnostic) -> Optional[Fix]:
    """API206: ``@app.on_event`` handlers -> one ``lifespan`` passed to ``FastAPI(...)`` (unsafe).

    Only when every handler is a decorator on an app created in this module by
    a plain ``app = FastAPI(...)`` without its own ``lifespan``. One fix moves
    all of the app's handlers, startup ones before ``yield``, shutdown after.
    """
    decorator = context.call_at(diagnostic)
    if decorator is None or not isinstance(decorator.func, ast.Attribute):
        return None
    if decorator.func.attr != "on_event" or not isinstance(decorator.func.value, ast.Name):
        return None
    app_name = decorator.func.value.id
    creation = _app_creation(context.tree, app_name)
    if creation is None or any(k.arg == "lifespan" for k in creation.value.keywords):  # type: ignore[attr-defined]
        return None
    if context.binds_name("lifespan") or _has_event_calls(context.tree, app_name):
        return None
    startup: list[tuple[ast.expr, str, bool]] = []
    shutdown: list[tuple[ast.expr, str, bool]] = []
    for statement in context.tree.body:
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for handler_decorator in statement.decorator_list:
            event = _event_of(handler_decorator, app_name)
            if event is None:
                continue
            if statement.args.args or statement.args.posonlyargs or statement.args.kwonlyargs:
                return None
            entry = (handler_decorator, statement.name, isinstance(statement, ast.AsyncFunctionDef))
            if event == "startup":
                startup.append(entry)
            elif event == "shutdown":
                shutdown.append(entry)
            else:
                return None
    if not startup and not shutdown:
        return None
    factory = context.text(creation.value.func)  # type: ignore[attr-defined]
    body = [
        "@asynccontextmanager\n",
        f"async def lifespan(app: {factory}) -> AsyncIterator[None]:\n",
    ]
    body += [f"    {'await ' if is_async else ''}{name}()\n" for _, name, is_async in startup]
    body.append("    yield\n")
    body += [f"    {'await ' if is_async else ''}{name}()\n" for _, name, is_async in shutdown]
    body.append("\n\n")
    above = creation.lineno - 2
    if above >= 1 and not context.lines[above].strip() and context.lines[above - 1].strip():
        body.insert(0, "\n")  # two blank lines before a top-level def
    edits: list[Edit] = [context.insert_before(creation, "".join(body))]
    call = creation.value
    assert isinstance(call, ast.Call)
    edits.append(_add_keyword(context, call, "lifespan=lifespan"))
    for handler_decorator, _, _ in startup + shutdown:
        line = handler_decorator.lineno
        end = handler_decorator.end_lineno or line
        edits.append(Edit(line, 0, end + 1, 0, ""))
    for module, name in (
        ("contextlib", "asynccontextmanager"),
        ("collections.abc", "AsyncIterator"),
    ):
        if not context.binds_name(name):
            import_edit = context.import_edit(module, name)
            if import_edit is None:
                return None
            edits.append(import_edit)
    merged = _merge_import_edits(context, edits)
    if merged is None:
        return None
    edits = merged
    return Fix(
        "Move the `on_event` handlers into a `lifespan` handler", safe=False, edits=tuple(edits)
    )


def _merge_import_edits(context: FixContext, edits: list[Edit]) -> list[Edit] | None:
    """Two libcst import edits may touch the same lines: redo them as one."""
    import_edits = [
        e for e in edits if e.start_col == 0 and e.end_col == 0 and "import" in e.content
    ]
    if len(import_edits) < 2:
        return edits
    try:  # a dependency; an environment without it loses the fix, not the findings
        import libcst as cst
        from libcst.codemod import CodemodContext
        from libcst.codemod.visitors import AddImportsVisitor
    except ImportError:
        return None

    from fastapi_lint.fixes.context import line_edit

    try:
        tree = cst.parse_module(context.source)
        codemod = CodemodContext()
        AddImportsVisitor.add_needed_import(codemod, "contextlib", "asynccontextmanager")
        AddImportsVisitor.add_needed_import(codemod, "collections.abc", "AsyncIterator")
        rewritten = AddImportsVisitor(codemod).transform_module(tree).code
    except Exception:
        return None
    merged = line_edit(context.source, rewritten)
    if merged is None:
        return None
    return [e for e in edits if e not in import_edits] + [merged]


def _app_creation(tree: ast.Module, app_name: str) -> ast.Assign | None:
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and statement.targets[0].id == app_name
            and isinstance(statement.value, ast.Call)
            and (
                (
                    isinstance(statement.value.func, ast.Name)
                    and statement.value.func.id == "FastAPI"
                )
                or (
                    isinstance(statement.value.func, ast.Attribute)
                    and statement.value.func.attr == "FastAPI"
                )
            )
        ):
            return statement
    return None


def _has_event_calls(tree: ast.Module, app_name: str) -> bool:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("add_event_handler", "on_event")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == app_name
            and not _is_decorator_position(tree, node)
        ):
            return True
    return False


def _is_decorator_position(tree: ast.Module, call: ast.Call) -> bool:
    return any(
        call in statement.decorator_list
        for statement in tree.body
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
    )


def _event_of(decorator: ast.expr, app_name: str) -> str | None:
    if (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "on_event"
        and isinstance(decorator.func.value, ast.Name)
        and decorator.func.value.id == app_name
        and len(decorator.args) == 1
        and isinstance(decorator.args[0], ast.Constant)
        and isinstance(decorator.args[0].value, str)
    ):
        return decorator.args[0].value
    return None


def _add_keyword(context: FixContext, call: ast.Call, keyword: str) -> Edit:
    """Insert ``keyword`` as the last argument of ``call``."""
    end_line = call.end_lineno or call.lineno
    end_col = context.char_col(end_line, (call.end_col_offset or 1) - 1)  # before `)`
    arguments = [*call.args, *call.keywords]
    if not arguments:
        return Edit(end_line, end_col, end_line, end_col, keyword)
    last = arguments[-1]
    last_line: int = getattr(last, "end_lineno", None) or getattr(last, "lineno", None) or end_line
    last_col = context.char_col(last_line, getattr(last, "end_col_offset", None) or 0)
    between = context.source.splitlines(keepends=True)[last_line - 1][last_col:]
    if last_line != end_line or between.strip().startswith(","):
        # Multi-line call or trailing comma: add a line in the same style.
        indent = " " * (
            len(context.lines[last_line - 1]) - len(context.lines[last_line - 1].lstrip())
        )
        if between.strip().startswith(","):
            comma_col = last_col + between.index(",") + 1
            return Edit(last_line, comma_col, last_line, comma_col, f"\n{indent}{keyword},")
        return Edit(last_line, last_col, last_line, last_col, f",\n{indent}{keyword}")
    return Edit(last_line, last_col, last_line, last_col, f", {keyword}")

"""A default the project refuses is a placeholder, not a credential (API501, API503).

``ENCRYPTION_KEY: str = "fillmein"`` in a settings class, with a start-up check
elsewhere (``if settings.ENCRYPTION_KEY == "fillmein": raise ...``): the value
never works as a key, the code fails closed on it. A maintainer keeps both.
So does a check on a placeholder's prefix in a function that reads the field
(``if val.lower().startswith("__replace_me__"): raise ...``), and a validator of the
field in its own class that raises on it (``@field_validator("jwt_secret_key")`` with
``if value.get_secret_value() == "change-me": raise ValueError``): settings classes
validate their defaults (``validate_default`` is on in pydantic-settings, ``validate_all``
in v1's ``BaseSettings``), so the default stops the start-up.
Only a check that fails closed counts (a branch that raises or records a problem, an
``assert``): ``if settings.SMTP_PASSWORD == "dev-pw": log.warning(...)`` only warns, and
the default still logs in.
The comparison may sit in any module, so the search is a project fact whose
dependencies are the files it read (an edit that adds or drops the check
re-checks the settings module).
"""

from __future__ import annotations

import ast
import hashlib
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.semantic.syntax import last_name

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel


def _compared_in(nodes: list[ast.AST], text: str, name: str) -> bool:
    """A check that fails closed on ``name`` (``settings.NAME``, ``NAME``) holding ``text``:
    ``if settings.NAME == "text": raise ...`` (also ``in (...)``, a problem recorded for the
    caller, ``assert settings.NAME != "text"``). A comparison whose branch only logs or
    prints lets the default through: it still works as the credential. A gate also
    refuses it: ``return enabled and settings.NAME != "text"`` answers whether a feature
    may use the value (``if key != "x": raise`` is the opposite, a check that lets only
    ``"x"`` in)."""
    wanted = name.lower()
    gates: tuple[type[ast.cmpop], ...] = (ast.NotEq, ast.NotIn)
    for node in nodes:
        test: ast.expr | None
        refusing_ops: tuple[type[ast.cmpop], ...]
        if isinstance(node, ast.If):
            test = node.test
            if not refusing_body(node.body):
                continue
            refusing_ops = (ast.Eq, ast.In)
        elif isinstance(node, ast.Assert):
            test, refusing_ops = node.test, gates
        elif isinstance(node, ast.Return):
            test, refusing_ops = node.value, gates
        else:
            continue
        if test is None:
            continue
        for compare in ast.walk(test):
            if not isinstance(compare, ast.Compare) or len(compare.ops) != 1:
                continue
            if not isinstance(compare.ops[0], refusing_ops):
                continue
            sides = [compare.left, *compare.comparators]
            if not any(last_name(side).lower() == wanted for side in sides):
                continue  # `role == "admin"` says nothing about ADMIN_PASSWORD = "admin"
            for side in sides:
                elements = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                if any(isinstance(e, ast.Constant) and e.value == text for e in elements):
                    return True
    return False


def refusing_body(body: list[ast.stmt]) -> bool:
    """The branch fails closed (``raise``) or records a problem for a validator that
    collects them (``issues.append("secret still has its dev value")``: the caller
    refuses the configuration). Printing or logging alone lets the value through."""
    for statement in body:
        if isinstance(statement, ast.Raise):
            return True
        call = statement.value if isinstance(statement, ast.Expr) else None
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "append"
            and len(call.args) == 1
            and isinstance(call.args[0], (ast.Constant, ast.JoinedStr))
            and (not isinstance(call.args[0], ast.Constant) or isinstance(call.args[0].value, str))
        ):
            return True
    return False


_MIN_PREFIX = 6


def _prefix_refused(nodes: list[ast.AST], text: str, name: str) -> bool:
    """A function that reads ``name`` and raises when a value starts with a placeholder's
    prefix the default starts with: ``if val.lower().startswith("__replace_me__"): raise``
    (a check over several secret fields, each read in a loop)."""
    wanted = name.lower()
    for function in nodes:
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        inside = list(ast.walk(function))
        if not any(_mentions(node, wanted) for node in inside):
            continue
        checks = [node for node in inside if _starts_like(node, text)]
        if not checks:
            continue
        names = {
            target.id
            for node in inside
            if isinstance(node, ast.Assign) and any(check is node.value for check in checks)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in inside:
            if not isinstance(node, ast.If) or not any(
                isinstance(inner, ast.Raise) for stmt in node.body for inner in ast.walk(stmt)
            ):
                continue
            for part in ast.walk(node.test):
                if any(part is check for check in checks):
                    return True
                if isinstance(part, ast.Name) and part.id in names:
                    return True
    return False


def _mentions(node: ast.AST, wanted: str) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr.lower() == wanted
    if isinstance(node, ast.Name):
        return node.id.lower() == wanted
    return isinstance(node, ast.Constant) and str(node.value).lower() == wanted


def _starts_like(node: ast.AST, text: str) -> bool:
    """``x.startswith("__replace_me__")`` (also after ``.lower()``) that ``text`` matches."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "startswith"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and len(node.args[0].value) >= _MIN_PREFIX
    ):
        return False
    prefix = node.args[0].value
    receiver = node.func.value
    folded = (
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Attribute)
        and receiver.func.attr in ("lower", "casefold")
    )
    return text.lower().startswith(prefix) if folded else text.startswith(prefix)


_VALIDATOR_DECORATORS = frozenset({"field_validator", "validator"})


def _validator_refuses(
    model: ModuleModel, name: str, text: str, literal: ast.AST, settings: bool
) -> bool:
    """A validator of field ``name`` in the literal's class raises when the value equals
    ``text`` (or is one of several refused values), and the class validates defaults."""
    owner = next((a for a in model.ancestors(literal) if isinstance(a, ast.ClassDef)), None)
    if owner is not None and _model_validator_refuses(owner, name, text):
        return True
    if owner is None or not _defaults_validated(owner, literal, model, settings):
        return False
    for function in owner.body:
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if not any(_validates(decorator, name) for decorator in function.decorator_list):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.If) and _refusing_test(node, text):
                return True
    return False


def _model_validator_refuses(owner: ast.ClassDef, name: str, text: str) -> bool:
    """A ``@model_validator(mode="after")`` of the class raises when ``self.name`` equals
    ``text``, itself or through a method it hands the value to (the full-stack template's
    ``self._check_default_secret("SECRET_KEY", self.SECRET_KEY)``). It runs on every
    construction, defaults included, so the default stops the start-up."""
    methods = {
        f.name: f for f in owner.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    for function in methods.values():
        if not any(_after_model_validator(d) for d in function.decorator_list):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.If) and _reads_field(node.test, name):
                if _refusing_test(node, text):
                    return True
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "self"
                and node.func.attr in methods
                and any(_reads_field(arg, name) for arg in node.args)
            ):
                helper = ast.walk(methods[node.func.attr])
                if any(isinstance(n, ast.If) and _refusing_test(n, text) for n in helper):
                    return True
    return False


def _after_model_validator(decorator: ast.expr) -> bool:
    """``@model_validator(mode="after")``: it sees the built model, defaults included."""
    return (
        isinstance(decorator, ast.Call)
        and last_name(decorator.func) == "model_validator"
        and any(
            k.arg == "mode" and isinstance(k.value, ast.Constant) and k.value.value == "after"
            for k in decorator.keywords
        )
    )


def _reads_field(node: ast.expr, name: str) -> bool:
    """``self.name`` anywhere in ``node``."""
    return any(
        isinstance(n, ast.Attribute)
        and n.attr == name
        and isinstance(n.value, ast.Name)
        and n.value.id == "self"
        for n in ast.walk(node)
    )


def _validates(decorator: ast.expr, name: str) -> bool:
    """``@field_validator("name", ...)``, ``@validator("name")``."""
    return (
        isinstance(decorator, ast.Call)
        and last_name(decorator.func) in _VALIDATOR_DECORATORS
        and any(isinstance(arg, ast.Constant) and arg.value == name for arg in decorator.args)
    )


def _refusing_test(statement: ast.If, text: str) -> bool:
    """``if value == "text" or len(value) < 32: raise``: an equality (or membership) with
    ``text`` in the test of a branch that raises. ``!=`` is the opposite: the value that
    passes."""
    if not any(isinstance(inner, ast.Raise) for stmt in statement.body for inner in ast.walk(stmt)):
        return False
    for part in ast.walk(statement.test):
        if not isinstance(part, ast.Compare) or len(part.ops) != 1:
            continue
        if not isinstance(part.ops[0], (ast.Eq, ast.In)):
            continue
        for side in (part.left, *part.comparators):
            elements = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
            if any(isinstance(e, ast.Constant) and e.value == text for e in elements):
                return True
    return False


def _defaults_validated(
    owner: ast.ClassDef, literal: ast.AST, model: ModuleModel, settings: bool
) -> bool:
    """Whether the validators run on the default: ``validate_default=`` in the field's
    ``Field()`` or the class's ``model_config`` decides; else a settings class does (a plain
    model uses its default unchecked)."""
    calls: list[ast.Call] = []
    for statement in owner.body:
        if (
            isinstance(statement, (ast.Assign, ast.AnnAssign))
            and isinstance(statement.value, ast.Call)
            and any(
                isinstance(t, ast.Name) and t.id == "model_config"
                for t in (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
            )
        ):
            calls.append(statement.value)
    fields = [a for a in model.ancestors(literal) if isinstance(a, ast.Call)]
    for call in [*fields, *calls]:  # the field's own setting wins over the class's
        for keyword in call.keywords:
            if keyword.arg in ("validate_default", "validate_all") and isinstance(
                keyword.value, ast.Constant
            ):
                return keyword.value.value is True
    return settings


def refused_by_project(
    model: ModuleModel, name: str, text: str, literal: ast.AST, settings: bool = False
) -> bool:
    """Whether some code of the project compares ``name`` against its default ``text``
    (``settings``: the literal is the default of a settings class field)."""
    if isinstance(model.parent(literal), ast.Compare):
        return False  # `if password == "s3cret!"`: the comparison is the finding
    if _validator_refuses(model, name, text, literal, settings):
        return True
    local = list(ast.walk(model.tree))
    if _compared_in(local, text, name):
        return True
    if _prefix_refused(local, text, name):
        return True
    project = index_of(model)
    if project is None:
        return False
    own_path = model.path

    def compute() -> bool:
        from fastapi_lint.project.project_files import project_texts

        quoted = (f'"{text}"', f"'{text}'")
        for path, source in project_texts(project):
            project.depends_on_path(path)
            if path == own_path or name not in source:
                continue
            compared = any(q in source for q in quoted)
            if not compared and ".startswith(" not in source:
                continue
            try:
                tree = ast.parse(source)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            nodes = list(ast.walk(tree))
            if compared and _compared_in(nodes, text, name):
                return True
            if _prefix_refused(nodes, text, name):
                return True
        return False

    # The key names the value by a digest: the cache on disk never holds a secret.
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return bool(project.fact("refused-literal/3", f"{own_path}:{name}:{digest}", compute))

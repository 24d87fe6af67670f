"""What a call site knows of the values it passes, for API107's reachability check.

``chain_conditions`` stores a callee's path conditions on its parameters; this
module says what each call passes: a literal, a module constant, an item of a
module-level dict literal under a literal key (``STORAGE_MODES["cache"]``), an f-string
known by its start, a name the enclosing ``if`` tested (``startswith`` a prefix,
or equal to a literal, also once folded: ``if provider.lower() == "minio":``),
an environment variable's name, a project instance.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.rules.chain_objects import (
    INSTANCE,
    NOT_NONE,
    annotated_not_none,
    project_instance,
)
from fastapi_lint.rules.chain_types import KnownClass, argument_class
from fastapi_lint.rules.return_prefixes import assigned_prefix
from fastapi_lint.semantic import stubs

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, Scope

MISSING = object()
LITERAL_TYPES = (str, int, float, bool, type(None))


# Text methods a test applies to a parameter before comparing it (`provider.lower()`).
FOLDS = frozenset({"lower", "upper", "casefold", "strip"})


def folded_name(node: ast.expr) -> tuple[str, list[str]] | None:
    """``name`` -> ("name", []); ``name.strip().lower()`` -> ("name", ["strip", "lower"])."""
    folds: list[str] = []
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in FOLDS
        and not node.args
        and not node.keywords
    ):
        folds.append(node.func.attr)
        node = node.func.value
    if not isinstance(node, ast.Name):
        return None
    return node.id, folds[::-1]


def fold(text: str, folds: list[str]) -> str:
    for method in folds:
        text = getattr(text, method)()
    return text


def literal(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, LITERAL_TYPES):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return Prefix(first.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        # `"/srv/local/" + name`: a concatenation known by its start, like an f-string.
        start = literal(node.left)
        if isinstance(start, str) and start:
            return Prefix(start)
    return MISSING


def imported_binding(model: ModuleModel, binding: Binding) -> Binding | None:
    """``binding`` itself, or what it imports from another module of the project
    (``from app.prompts import SYSTEM_PROMPTS``), followed a few hops; None when the
    name is bound more than once there."""
    from fastapi_lint.semantic.scopes import BindingKind

    for _ in range(4):
        if binding.kind is not BindingKind.IMPORT:
            return binding if len(binding.scope.bindings.get(binding.name, ())) == 1 else None
        found = model.project.definition(binding.qualname or "") if model.project else None
        if found is None:
            return None
        model, binding = found
    return None


class Prefix(str):
    """An f-string, or a name tested with ``startswith``: only its start is known."""


class Pinned:
    """A name the enclosing ``if`` compared with a literal (``if provider.lower() ==
    "minio":`` around the call): known once folded the same way."""

    def __init__(self, text: str, folds: list[str]) -> None:
        self.text = text
        self.folds = folds


class EnvName:
    """The name of an environment variable (``provider.api_key_env``): an identifier."""


ENV_NAME = EnvName()
# `api_key_env`, `OPEN_SANDBOX_API_BASE_ENV_VAR`, `token_env_name`: names that hold the
# name of an environment variable (the contract counts `*_env`/`*_var`/`*_name` as names
# about a secret, not secrets).
_ENV_NAMED = lazy_compile(r"(?:^|_)env(?:_?var(?:iable)?)?(?:_name)?$")


class ArgumentValues:
    """What a call site knows of the values it passes, beyond literals.

    A constant (``OPEN_SANDBOX_API_BASE_ENV_VAR``, assigned once a literal in
    this module or imported from another module of the project); a name the
    enclosing ``if`` tested with ``startswith`` (``if key.startswith("os.environ/"):
    get_secret(key)``: a known prefix); a value named as an environment
    variable's name (an identifier, so never ``"oidc/..."``).
    """

    def __init__(self, model: ModuleModel, scope: Scope, call: ast.Call) -> None:
        self.model = model
        self.scope = scope
        self.call = call

    def of(self, node: ast.expr) -> Any:
        value = literal(node)
        if value is not MISSING:
            return value
        if isinstance(node, ast.Name):
            value = self._constant(node)
            if value is not MISSING:
                return value
            prefix = self._tested_prefix(node.id)
            if prefix is not None:
                return Prefix(prefix)
            pinned = self._tested_equal(node.id)
            if pinned is not None:
                return pinned
            returned = assigned_prefix(self.model, self.scope, node)  # `sid = new_local_id()`
            if returned is not None:
                return Prefix(returned)
        if isinstance(node, ast.Subscript):
            value = self._constant_item(node)
            if value is not MISSING:
                return value
        if isinstance(node, (ast.Name, ast.BinOp, ast.Call)):
            # `Path("/proc") / str(pid) / "stat"`: a path known by its start.
            text = path_text(self.model, self.scope, node)
            if text is not None:
                return text if isinstance(text, Prefix) else Prefix(text)
        if project_instance(self.model, self.scope, node):
            return INSTANCE
        name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
        if isinstance(node, (ast.Name, ast.Attribute)) and _ENV_NAMED.search(name.lower()):
            return ENV_NAME
        # After the name test: `_env_variable_name = router.env_name()` (`-> str`) is an
        # environment variable's name (never "oidc/..."), not only a value that is not None.
        known = argument_class(self.model, self.scope, node)
        if known is not None:
            return KnownClass(known)  # `rows = await store.pending()` with `-> list[dict]`
        if annotated_not_none(self.model, self.scope, node):
            return NOT_NONE
        return MISSING

    def _constant(self, name: ast.Name) -> Any:
        from fastapi_lint.semantic.scopes import BindingKind

        binding = self.model.lookup(name.id, self.scope, name.lineno)
        binding = imported_binding(self.model, binding) if binding is not None else None
        if (
            binding is None
            or binding.kind is not BindingKind.ASSIGN
            or binding.unpack_index is not None
            or not isinstance(binding.value, ast.expr)
        ):
            return MISSING
        return literal(binding.value)

    def _constant_item(self, node: ast.Subscript) -> Any:
        """``STORAGE_MODES["cache"]``: the literal a module-level dict literal (this module's
        or imported from another module of the project) holds under a literal key."""
        from fastapi_lint.semantic.scopes import BindingKind

        key = node.slice
        if not (
            isinstance(node.value, ast.Name)
            and isinstance(key, ast.Constant)
            and isinstance(key.value, (str, int))
        ):
            return MISSING
        binding = self.model.lookup(node.value.id, self.scope, node.lineno)
        binding = imported_binding(self.model, binding) if binding is not None else None
        if (
            binding is None
            or binding.kind is not BindingKind.ASSIGN
            or binding.unpack_index is not None
            or not isinstance(binding.value, ast.Dict)
            or binding.scope.parent is not None
        ):
            return MISSING
        if any(item_key is None for item_key in binding.value.keys):
            return MISSING  # `{**BASE, ...}`: other keys may hold this one
        found: Any = MISSING
        for item_key, item_value in zip(binding.value.keys, binding.value.values):
            if isinstance(item_key, ast.Constant) and item_key.value == key.value:
                found = literal(item_value)  # the last one wins, as in Python
        return MISSING if isinstance(found, Prefix) else found

    def _tested_prefix(self, name: str) -> str | None:
        """``if name.startswith("os.environ/"):`` (or ``x if name.startswith(...) else y``)
        around the call: the prefix the name is known to have there."""
        for test in self._enclosing_tests():
            prefix = _startswithliteral(test, name)
            if prefix is not None:
                return prefix
        return None

    def _tested_equal(self, name: str) -> Pinned | None:
        """``if provider.lower() == "minio":`` (also as an ``elif``) around the call."""
        for test in self._enclosing_tests():
            if (
                isinstance(test, ast.Compare)
                and len(test.ops) == 1
                and isinstance(test.ops[0], ast.Eq)
                and isinstance(test.comparators[0], ast.Constant)
                and isinstance(test.comparators[0].value, str)
            ):
                folded = folded_name(test.left)
                if folded is not None and folded[0] == name:
                    return Pinned(test.comparators[0].value, folded[1])
        return None

    def _enclosing_tests(self) -> list[ast.expr]:
        """The tests (and the parts of an ``and``) that hold where the call runs: the
        ``if``s whose body holds it, in this function."""
        found: list[ast.expr] = []
        child: ast.AST = self.call
        for ancestor in self.model.ancestors(self.call):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                break
            body: list[ast.AST] = []
            if isinstance(ancestor, ast.If):
                body = list(ancestor.body)
            elif isinstance(ancestor, ast.IfExp):
                body = [ancestor.body]
            if any(child is stmt for stmt in body):
                test = ancestor.test  # type: ignore[attr-defined]
                if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
                    found.extend(test.values)
                else:
                    found.append(test)
            child = ancestor
        return found


def _startswithliteral(test: ast.expr, name: str) -> str | None:
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr == "startswith"
        and isinstance(test.func.value, ast.Name)
        and test.func.value.id == name
        and len(test.args) == 1
        and not test.keywords
        and isinstance(test.args[0], ast.Constant)
        and isinstance(test.args[0].value, str)
        and test.args[0].value
    ):
        return test.args[0].value
    return None


# Paths derived from a path stay under it: an entry of its listing, a child.
DERIVING_METHODS = frozenset({"glob", "rglob", "iterdir", "joinpath"})
_PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PosixPath", "pathlib.PurePosixPath"})


# The path expressions being evaluated: ``path = Path(path)`` reads its own name again.
_EVALUATING: set[int] = set()


def path_text(model: ModuleModel, scope: Scope, node: ast.expr) -> str | None:
    """The text a ``pathlib.Path`` expression starts with, when a literal gives it:
    ``Path("/proc") / str(pid) / "stat"`` starts with ``"/proc/"``; a name assigned
    such a path, an entry of its listing (``for card in Path("/sys/class/drm").glob(...)``)."""
    if id(node) in _EVALUATING:
        return None  # ``path = Path(path)``: the name's value is the name itself
    _EVALUATING.add(id(node))
    try:
        return _path_text(model, scope, node)
    finally:
        _EVALUATING.discard(id(node))


def _path_text(model: ModuleModel, scope: Scope, node: ast.expr) -> str | None:
    joined = False
    for _ in range(6):  # names, `/` joins and listings: a few steps of simple flow
        if isinstance(node, ast.Name):
            found = _assigned_value(model, node, scope)
            if found is None:
                return None
            node = found
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            node, joined = node.left, True
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in DERIVING_METHODS
        ):
            node, joined = node.func.value, True
        elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            # `stats_file or NET_DEV`: callers leave the override out (a test passes one),
            # so the path is the fallback.
            if not all(_none_parameter(model, scope, value) for value in node.values[:-1]):
                return None
            node = node.values[-1]
        else:
            break
    if not isinstance(node, ast.Call) or len(node.args) != 1 or node.keywords:
        return None
    if stubs.canonical(model.call_target(node, scope) or "") not in _PATH_CLASSES:
        return None
    value = ArgumentValues(model, scope, node).of(node.args[0])
    if not isinstance(value, str) or not value:
        return None
    if joined or isinstance(value, Prefix):
        # Only the start is known: a child of the directory (`Path("/proc") / pid`).
        return Prefix(value if value.endswith("/") else f"{value}/")
    return value


def _assigned_value(model: ModuleModel, name: ast.Name, scope: Scope) -> ast.expr | None:
    from fastapi_lint.semantic.scopes import BindingKind

    binding = model.lookup(name.id, scope, name.lineno)
    if binding is None or binding.unpack_index is not None:
        return None
    if binding.kind is BindingKind.ASSIGN and isinstance(binding.value, ast.expr):
        return binding.value
    if binding.kind is BindingKind.FOR and isinstance(binding.node, ast.For):
        if isinstance(binding.node.target, ast.Name) and isinstance(binding.value, ast.expr):
            return binding.value  # the iterable: an entry of a listing is under its folder
    return None


def _none_parameter(model: ModuleModel, scope: Scope, node: ast.expr) -> bool:
    """A parameter of the enclosing function whose default is None (``path: Path | None =
    None``), never reassigned."""
    from fastapi_lint.semantic.scopes import BindingKind
    from fastapi_lint.semantic.syntax import parameter_defaults

    if not isinstance(node, ast.Name):
        return False
    binding = model.lookup(node.id, scope, node.lineno)
    function = binding.scope.node if binding is not None else None
    if (
        binding is None
        or binding.kind is not BindingKind.PARAM
        or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        or len(binding.scope.bindings.get(node.id, [])) != 1
    ):
        return False
    default = parameter_defaults(function.args).get(id(binding.node))
    return isinstance(default, ast.Constant) and default.value is None

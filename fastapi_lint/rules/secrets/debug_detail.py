"""API509: an exception's text that only a debug or development setting shows.

``detail = str(exc) if settings.debug else "Internal server error"`` in a catch-all
handler is the pattern a maintainer writes on purpose: the text helps them while they
develop, and the deployed service (debug off) sends the generic message. The finding's
claim, "sends the caught exception's text to the client", is false where it matters;
the fix the rule asks for is already there.

A debug gate is a test that holds only while debugging or developing:

- a flag whose last name says so: a name with the word ``debug`` in it (split on ``_``
  and camelCase: ``settings.debug``, ``DEBUG``, ``app.debug``, ``config.DEBUG_MODE``,
  ``self.isDebug``) or a development switch (``settings.is_development``, ``DEV_MODE``),
  also read through a getter (``is_debug_enabled()``, ``settings.is_dev()``) and
  compared with ``True``/``False`` (``settings.DEBUG is True``);
- a comparison of an environment setting with development names
  (``settings.ENVIRONMENT == "development"``, ``env in ("dev", "local")``) or against
  production (``settings.environment != "production"``);
- the opposite, a production flag (``is_prod``, ``settings.is_production``, a call of
  ``_is_production(request)``): its ``else`` is the debugging branch;
- ``not`` of the opposite, an ``and`` with a debug gate in it, an ``or`` with the
  opposite of one in it (``not settings.DEBUG or quiet`` holds outside debugging).

Only what runs outside debugging is searched for the text: the orelse of
``str(e) if settings.debug else "..."`` (``"..." if settings.debug else str(e)`` shows
the text in production: still reported). A response inside ``if settings.DEBUG:`` (or
in the ``else`` of ``if not settings.DEBUG:``) is not sent in production at all. A flag
named otherwise (``verbose``, ``expose_errors``) says nothing about the deployment:
still reported.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

_WORD = lazy_compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")

# The last name of a flag that is on only while debugging or developing.
_DEVELOPMENT_FLAGS = frozenset({"dev_mode", "is_dev", "is_development", "development_mode"})
# The last name of a flag (or a function) that holds only in production: its true branch
# is the deployed one (``if is_prod: generic message else: str(exc)``).
_PRODUCTION_FLAGS = frozenset(
    {
        "is_prod",
        "is_production",
        "isprod",
        "isproduction",
        "in_production",
        "prod_mode",
        "production_mode",
        "is_prod_env",
        "is_production_env",
        "is_production_environment",
    }
)
# The last name of a setting that names the deployment.
_ENVIRONMENT_SETTINGS = frozenset(
    {"env", "environment", "app_env", "app_environment", "env_name", "environment_name", "stage"}
)
_DEVELOPMENT = frozenset({"dev", "develop", "development", "local", "debug"})
_PRODUCTION = frozenset({"prod", "production"})


def debug_branch(test: ast.expr) -> bool | None:
    """True when ``test`` holds only while debugging (its true branch is the debug one),
    False when it holds only outside debugging (``not settings.debug``), None otherwise."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = debug_branch(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        gates = [debug_branch(value) for value in test.values]
        if isinstance(test.op, ast.And) and True in gates:
            return True  # ``settings.DEBUG and verbose``: needs debugging on
        if isinstance(test.op, ast.Or) and False in gates:
            return False  # ``not settings.DEBUG or quiet``: holds with debugging off
        return None
    if isinstance(test, ast.Compare):
        return _flag_test(test) if _is_bool(test.comparators[0]) else _environment_test(test)
    called = isinstance(test, ast.Call)
    name = _last_name(test.func if isinstance(test, ast.Call) else test)
    if name is None:
        return None
    if name.lstrip("_").lower() in _PRODUCTION_FLAGS:
        return False  # ``if is_prod:``, ``if _is_production(request):``
    if called:
        # ``settings.is_development()``, a getter of the flag (``is_debug_enabled()``,
        # ``runtime.is_debug()``); not a call that asks about its arguments
        # (``is_debug_request(request)`` may be the client's own switch).
        if name.lstrip("_").lower() in _DEVELOPMENT_FLAGS:
            return True
        getter = isinstance(test, ast.Call) and not test.args and not test.keywords
        return True if getter and _is_debug_flag(name) else None
    return True if _is_debug_flag(name) else None


def _is_debug_flag(name: str) -> bool:
    words = {word.lower() for part in name.split("_") for word in _WORD.findall(part)}
    return "debug" in words or name.lower() in _DEVELOPMENT_FLAGS


def _is_bool(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is bool


def _flag_test(test: ast.Compare) -> bool | None:
    """``settings.DEBUG is True`` / ``== True`` (True), ``DEBUG is False`` (False)."""
    if len(test.ops) != 1:
        return None
    flag = debug_branch(test.left)
    bound = test.comparators[0]
    if flag is None or not isinstance(bound, ast.Constant):
        return None
    if isinstance(test.ops[0], (ast.Is, ast.Eq)):
        return flag if bound.value else not flag
    if isinstance(test.ops[0], (ast.IsNot, ast.NotEq)):
        return not flag if bound.value else flag
    return None


def under_debug_gate(model: ModuleModel, outer: ast.AST, node: ast.AST) -> bool:
    """Whether ``node`` runs only while debugging: inside ``outer`` (an ``except`` clause or
    a handler's body) it sits in the branch of an ``if`` that only debugging takes."""
    child = node
    for ancestor in model.ancestors(node):
        if ancestor is outer:
            return False
        if isinstance(ancestor, ast.If):
            gate = debug_branch(ancestor.test)
            if gate is True and any(child is stmt for stmt in ancestor.body):
                return True
            if gate is False and any(child is stmt for stmt in ancestor.orelse):
                return True
        child = ancestor
    return False


def _environment_test(test: ast.Compare) -> bool | None:
    """``settings.ENVIRONMENT == "development"`` (True), ``env != "production"`` (True),
    ``env == "production"`` (False); None for any other comparison."""
    if len(test.ops) != 1:
        return None
    name = _last_name(test.left)
    if name is None or name.lower() not in _ENVIRONMENT_SETTINGS:
        return None
    values = _literal_strings(test.comparators[0])
    if not values:
        return None
    op = test.ops[0]
    positive = isinstance(op, (ast.Eq, ast.In))
    if not positive and not isinstance(op, (ast.NotEq, ast.NotIn)):
        return None
    if values <= _DEVELOPMENT:
        return positive
    if values <= _PRODUCTION:
        return not positive
    return None


def _literal_strings(node: ast.expr) -> set[str]:
    """The lower-cased strings of a literal or of a tuple/list/set of literals; empty when
    any element is not a string literal."""
    elements = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
    values: set[str] = set()
    for element in elements:
        if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
            return set()
        values.add(element.value.lower())
    return values


def _last_name(node: ast.expr) -> str | None:
    """``debug`` of ``settings.debug`` / ``DEBUG`` / ``app.state.debug``; ``is_debug_enabled``
    of ``is_debug_enabled()`` / ``settings.is_debug()`` (a getter of the flag)."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None

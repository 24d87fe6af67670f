"""API509: an exception's text that only a debug or development setting shows.

``detail = str(exc) if settings.debug else "Internal server error"`` in a catch-all
handler is the pattern a maintainer writes on purpose: the text helps them while they
develop, and the deployed service (debug off) sends the generic message. The finding's
claim, "sends the caught exception's text to the client", is false where it matters;
the fix the rule asks for is already there.

A debug gate is a test that holds only while debugging or developing:

- a flag whose last name says so: ``settings.debug``, ``DEBUG``, ``app.debug``,
  ``config.DEBUG_MODE``, ``settings.is_development``;
- a comparison of an environment setting with development names
  (``settings.ENVIRONMENT == "development"``, ``env in ("dev", "local")``) or against
  production (``settings.environment != "production"``);
- ``not`` of the opposite, and an ``and`` with a debug gate in it.

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

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

# The last name of a flag that is on only while debugging or developing.
_DEBUG_FLAGS = frozenset(
    {"debug", "debug_mode", "is_debug", "dev_mode", "is_dev", "is_development", "development_mode"}
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
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return True if any(debug_branch(value) is True for value in test.values) else None
    if isinstance(test, ast.Compare):
        return _environment_test(test)
    name = _last_name(test)
    return True if name is not None and name.lower() in _DEBUG_FLAGS else None


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
    """``debug`` of ``settings.debug`` / ``DEBUG`` / ``app.state.debug``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None

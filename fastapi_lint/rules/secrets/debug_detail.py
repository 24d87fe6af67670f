"""API509: the exception's text chosen only in debug mode.

``"details": str(exc) if settings.DEBUG else "An unexpected error occurred"`` in a
catch-all handler sends the text to the client only when the operator switched
debugging on (Starlette's own ``debug=True`` does the same with a traceback page).
With the flag off, the default everywhere a service is deployed, the client gets
the generic message: the claim "sends the caught exception's text to the client"
is false, and a maintainer would not change the code.

A debug flag is a name or attribute whose last identifier has the word ``debug``
(split on ``_`` and camelCase): ``DEBUG``, ``settings.DEBUG``, ``app.debug``,
``config.DEBUG_MODE``, ``self.is_debug``; also ``flag is True``/``flag == True``
and ``flag and ...`` (both must hold). ``not flag`` (and ``flag is False``)
selects the other branch. Only the branch that runs without debugging counts:
the ``else`` of ``x if DEBUG else y`` (the body of ``x if not DEBUG else y``), or a
sink outside every ``if DEBUG:`` (inside ``if not DEBUG: ... else:`` it is debug-only).
Other switches (``ENVIRONMENT != "production"``, ``SHOW_ERRORS``) stay reported:
they are on in staging and easy to leave on.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.semantic.syntax import SCOPE_NODES

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

_WORD = lazy_compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def debug_flag(test: ast.expr) -> bool | None:
    """True when ``test`` holds only in debug mode, False when only outside it, else None."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = debug_flag(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        flags = [debug_flag(value) for value in test.values]
        if isinstance(test.op, ast.And) and True in flags:
            return True  # ``DEBUG and verbose``: the branch needs debugging on
        if isinstance(test.op, ast.Or) and False in flags:
            return False  # ``not DEBUG or quiet``: the branch runs with debugging off
        return None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        bound = test.comparators[0]
        if isinstance(bound, ast.Constant) and type(bound.value) is bool:
            flag = debug_flag(test.left)
            if flag is None:
                return None
            if isinstance(test.ops[0], (ast.Is, ast.Eq)):
                return flag if bound.value else not flag
            if isinstance(test.ops[0], (ast.IsNot, ast.NotEq)):
                return not flag if bound.value else flag
        return None
    if isinstance(test, ast.Attribute):
        name = test.attr
    elif isinstance(test, ast.Name):
        name = test.id
    else:
        return None
    words = {word.lower() for part in name.split("_") for word in _WORD.findall(part)}
    return True if "debug" in words else None


def debug_only(model: ModuleModel, node: ast.AST) -> bool:
    """Whether ``node`` sits in a branch of an ``if`` statement (in its function) that
    runs only in debug mode: the body of ``if DEBUG:``, the ``else`` of ``if not DEBUG:``."""
    child = node
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, SCOPE_NODES):
            return False
        if isinstance(ancestor, ast.If):
            flag = debug_flag(ancestor.test)
            if flag is True and any(child is stmt for stmt in ancestor.body):
                return True
            if flag is False and any(child is stmt for stmt in ancestor.orelse):
                return True
        child = ancestor
    return False

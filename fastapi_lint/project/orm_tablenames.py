"""Table names computed by a ``@declared_attr def __tablename__(cls)`` on a base class.

Project templates give every model its table from the class name, once, on the
declarative base or a mixin::

    @as_declarative()
    class Base:
        @declared_attr
        def __tablename__(cls) -> str:
            return cls.__name__.lower()

SQLAlchemy calls the function for each mapped subclass, so ``class Item(Base)`` maps
the table ``item``. Only the two spellings whose result is certain are read:
``cls.__name__`` and ``cls.__name__.lower()``; any other body (a regex to snake_case,
a prefix from settings) stays unknown.
"""

from __future__ import annotations

import ast
from typing import Optional

TABLENAME = "__tablename__"


def declared_tablename(body: list[ast.stmt]) -> Optional[ast.FunctionDef]:
    """The ``__tablename__`` function of a class body, when a ``declared_attr`` decorator
    (``@declared_attr``, ``@declared_attr.directive``, ``@orm.declared_attr``) marks it."""
    for statement in body:
        if isinstance(statement, ast.FunctionDef) and statement.name == TABLENAME:
            if any(_is_declared_attr(d) for d in statement.decorator_list):
                return statement
    return None


def _is_declared_attr(decorator: ast.expr) -> bool:
    node = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(node, ast.Attribute) and node.attr == "directive":
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr == "declared_attr"
    return isinstance(node, ast.Name) and node.id == "declared_attr"


def table_from_class_name(function: ast.FunctionDef, class_name: str) -> Optional[str]:
    """The table ``function`` computes for the mapped class ``class_name``, or None when
    its body is anything but ``return cls.__name__`` / ``return cls.__name__.lower()``."""
    body = [s for s in function.body if not _is_docstring(s)]
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        return None
    if not function.args.args:
        return None
    first = function.args.args[0].arg
    value = body[0].value
    lower = False
    if (
        isinstance(value, ast.Call)
        and not value.args
        and not value.keywords
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "lower"
    ):
        lower, value = True, value.func.value
    if (
        isinstance(value, ast.Attribute)
        and value.attr == "__name__"
        and isinstance(value.value, ast.Name)
        and value.value.id == first
    ):
        return class_name.lower() if lower else class_name
    return None


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )

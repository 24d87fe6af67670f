"""A lazy initialisation kept on the application's state: once per process (API107).

``if request.app.state.scorer is None: request.app.state.scorer = load_model("scorer")``
in a dependency loads the model on the first request and keeps it on ``app.state``,
which lives as long as the process: every later request finds it set. It is the
``if GLOBAL is None:`` guard of the contract with the application as the holder
(the contract's API306 names both), and a maintainer keeps it as it is.

Recognised tests, on a ``state`` attribute reached through the request or the app
(``request.app.state.X``, ``app.state.X``, ``websocket.app.state.X``):
``X is None``, ``not X``, ``getattr(<...>.state, "X", None) is None``,
``not getattr(<...>.state, "X", None)`` and ``not hasattr(<...>.state, "X")``; the
branch must assign that same attribute.
"""

from __future__ import annotations

import ast

from fastapi_lint.semantic.syntax import unset_operand


def state_attribute_unset(test: ast.expr) -> tuple[str, str] | None:
    """(holder, name) of an unset test on ``<holder>.state.<name>``: ``("request.app.state",
    "scorer")`` for ``request.app.state.scorer is None``; None for anything else."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        checked = _hasattr_state(test.operand)
        if checked is not None:
            return checked
    operand = unset_operand(test)
    if operand is None:
        return None
    if isinstance(operand, ast.Attribute) and _is_state(operand.value):
        return ast.unparse(operand.value), operand.attr
    return _getattr_state(operand)


def assigns_state_attribute(body: list[ast.stmt], holder: str, name: str) -> bool:
    """Whether ``body`` assigns ``<holder>.<name>`` (``request.app.state.scorer = ...``,
    also through ``setattr(<holder>, "name", ...)``)."""
    for statement in body:
        for node in ast.walk(statement):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = list(node.targets)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                targets = [node.target]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "setattr"
                and len(node.args) == 3
                and ast.unparse(node.args[0]) == holder
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == name
            ):
                return True
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == name
                    and ast.unparse(target.value) == holder
                ):
                    return True
    return False


def _is_state(node: ast.expr) -> bool:
    """``<...>.app.state`` or ``app.state``: Starlette's application state."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "state"
        and (
            (isinstance(node.value, ast.Name) and node.value.id == "app")
            or (isinstance(node.value, ast.Attribute) and node.value.attr == "app")
        )
    )


def _getattr_state(node: ast.expr) -> tuple[str, str] | None:
    """``getattr(request.app.state, "scorer", None)``."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
        and _is_state(node.args[0])
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    ):
        return ast.unparse(node.args[0]), node.args[1].value
    return None


def _hasattr_state(node: ast.expr) -> tuple[str, str] | None:
    """``hasattr(request.app.state, "scorer")``."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "hasattr"
        and len(node.args) == 2
        and _is_state(node.args[0])
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    ):
        return ast.unparse(node.args[0]), node.args[1].value
    return None

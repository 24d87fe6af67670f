"""What a query's conditions and the code around a statement say, read from the syntax.

Which columns a ``where``/``filter`` pins to one value (the identity-map case of
API402), whether a statement runs in error handling (rarely, off the hot path), and
what a function adds to a list of loader options before ``.options(*options)``.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

# Nesting of and_/or_ read before giving up (a bound on work, not on meaning).
MAX_NESTING = 12


def equality_filters(call: ast.Call) -> frozenset[str]:
    """Columns a ``where``/``filter``/``filter_by`` call compares with ``==`` (AND-ed only).

    An ``or_(...)`` (also over a generator: ``or_(*(and_(Run.dag_id == d, ...) for d
    in ...))``) pins the columns that every branch pins: the rows then share the few
    parents the query names.
    """
    names: set[str] = {k.arg for k in call.keywords if k.arg is not None}
    for argument in call.args:
        names |= _pinned_columns(argument)
    return frozenset(names)


def _pinned_columns(node: ast.AST, depth: int = 0) -> set[str]:
    if depth > MAX_NESTING:
        return set()
    if isinstance(node, ast.Compare):
        if len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq):
            left, right = node.left, node.comparators[0]
            if _class_column(left) and _class_column(right):
                return set()  # `Post.author_id == User.id`: a join condition, many parents
            return {
                side.attr
                for side in (left, right)
                if isinstance(side, ast.Attribute) and _class_column(side)
            }
        return set()
    if isinstance(node, ast.BoolOp):
        branches: list[ast.AST] = list(node.values)
        conjunction = isinstance(node.op, ast.And)
    elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
        name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        if name not in ("and_", "or_") or node.keywords:
            return set()
        conjunction = name == "and_"
        branches = []
        for argument in node.args:
            if isinstance(argument, ast.Starred) and isinstance(argument.value, ast.GeneratorExp):
                branches.append(argument.value.elt)  # one branch per generated item
            elif isinstance(argument, ast.Starred):
                if not conjunction:
                    return set()  # branches the linter cannot read
            else:
                branches.append(argument)
    else:
        return set()
    pinned = [_pinned_columns(branch, depth + 1) for branch in branches]
    if conjunction:
        return set().union(*pinned)
    if not pinned:
        return set()
    return set.intersection(*pinned)


# Logger methods that mark the branch calling them as error handling.
ERROR_LOG_METHODS = frozenset({"error", "exception", "critical", "fatal"})


def in_except_branch(model: ModuleModel, node: ast.AST) -> bool:
    """Whether ``node`` runs in error handling of its function, which runs rarely and is
    not the request's hot path: an ``except`` clause, or an ``if``/``else`` block that
    logs an error (``if not dag: log.error("DAG %s not found", ...); fail its runs;
    continue``)."""
    child: ast.AST = node
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, ast.ExceptHandler):
            return True
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
        if isinstance(ancestor, ast.If):
            for block in (ancestor.body, ancestor.orelse):
                if any(statement is child for statement in block) and _logs_error(block):
                    return True
        child = ancestor
    return False


def _logs_error(block: list[ast.stmt]) -> bool:
    """A statement of the block is ``log.error(...)`` / ``logger.exception(...)`` on a logger."""
    for statement in block:
        if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
            continue
        func = statement.value.func
        if not isinstance(func, ast.Attribute) or func.attr not in ERROR_LOG_METHODS:
            continue
        receiver = func.value
        name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
        if "log" in name.lower():
            return True
    return False


def _class_column(node: ast.AST) -> bool:
    """``Post.author_id``: a column read on a class (by convention capitalized), also
    through the module that holds it (``models.Post.author_id``)."""
    if not isinstance(node, ast.Attribute):
        return False
    owner = node.value
    if isinstance(owner, ast.Name):
        return owner.id[:1].isupper()
    return (
        isinstance(owner, ast.Attribute)
        and owner.attr[:1].isupper()
        and isinstance(owner.value, (ast.Name, ast.Attribute))
        and _module_path(owner.value)
    )


def _module_path(node: ast.expr) -> bool:
    """``models`` / ``app.models``: a dotted name in lower case (a module, not a class)."""
    while isinstance(node, ast.Attribute):
        if not node.attr[:1].islower():
            return False
        node = node.value
    return isinstance(node, ast.Name) and node.id[:1].islower()


def added_elements(name: str, owner: ast.AST) -> list[ast.expr] | None:
    """What the function adds to list ``name`` after building it: ``options.append(
    selectinload(...))`` under an ``if``, ``options.extend([...])``, ``options += [...]``
    (an option that may be added counts: unsure, silent). None when an addition
    cannot be read (``options.extend(more)``)."""
    added: list[ast.expr] = []
    for node in ast.walk(owner):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            method, args = node.func.attr, node.args
            if method == "append" and len(args) == 1:
                added.append(args[0])
            elif method == "insert" and len(args) == 2:
                added.append(args[1])
            elif method == "extend" and len(args) == 1:
                if not isinstance(args[0], (ast.List, ast.Tuple)):
                    return None
                added.extend(args[0].elts)
        elif (
            isinstance(node, ast.AugAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            if not isinstance(node.value, (ast.List, ast.Tuple)):
                return None
            added.extend(node.value.elts)
    return added

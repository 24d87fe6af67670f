"""What a relationship's join compares, read from the declarations (never imported).

SQLAlchemy's lazy loader answers a scalar relationship from the session's
identity map when its join is exactly "the target's primary key equals these
columns of the owner" (``LazyLoader.use_get``, sqlalchemy/orm/strategies.py):
it then costs one SELECT per distinct parent, not one per item. That holds for
a plain many-to-one and also for a ``uselist=False`` relationship whose
``primaryjoin`` puts ``foreign()`` on the target's primary key (SQLAlchemy
calls that direction one-to-many, yet ``use_get`` is still true). The helpers
here read the pieces that decide it: the ``primaryjoin`` comparisons, a
class's primary-key columns and the column a ``ForeignKey`` references.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from fastapi_lint.semantic.syntax import (
    constant_value,
    keyword_value,
    last_name,
    single_assignment,
    string_annotation,
)

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

# (class name as written, or None for a bare column name; column name)
ColumnRef = tuple[Optional[str], str]
# Names that wrap a column in a primaryjoin without changing what it compares.
JOIN_ANNOTATIONS = frozenset({"foreign", "remote"})
PRIMARY_KEY_CONSTRAINTS = frozenset({"PrimaryKeyConstraint"})


@dataclass(frozen=True)
class JoinCondition:
    """A ``primaryjoin`` read as AND-ed equalities of two columns.

    ``complete`` is False when the condition holds anything else (an OR, a
    literal, a function call, a comparison other than ``==``): then it is not
    a primary-key get, whatever the pairs say.
    """

    pairs: tuple[tuple[ColumnRef, ColumnRef], ...] = ()
    complete: bool = True


@dataclass
class _JoinReader:
    pairs: list[tuple[ColumnRef, ColumnRef]] = field(default_factory=list)
    complete: bool = True

    def read(self, node: ast.expr) -> None:
        stack: list[ast.expr] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.BoolOp) and isinstance(current.op, ast.And):
                stack.extend(current.values)
            elif isinstance(current, ast.Call) and last_name(current.func) == "and_":
                if current.keywords:
                    self.complete = False
                stack.extend(current.args)
            elif (
                isinstance(current, ast.Compare)
                and len(current.ops) == 1
                and isinstance(current.ops[0], ast.Eq)
            ):
                left = column_ref(current.left)
                right = column_ref(current.comparators[0])
                if left is None or right is None:
                    self.complete = False
                else:
                    self.pairs.append((left, right))
            else:
                self.complete = False


def _written_expression(node: ast.expr) -> ast.expr | None:
    """The expression a relationship argument stands for: a lambda's body, or a string's
    text parsed (SQLAlchemy evaluates ``"Post.author_id"`` late); None when unparsable."""
    if isinstance(node, ast.Lambda):
        node = node.body
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return string_annotation(node.value)
    return node


def join_condition(node: ast.expr) -> JoinCondition:
    """``"foreign(Run.dag_id) == Dag.dag_id"``, ``lambda: and_(...)``, ``A.x == B.y``."""
    expression = _written_expression(node)
    if expression is None:
        return JoinCondition(complete=False)
    node = expression
    reader = _JoinReader()
    reader.read(node)
    return JoinCondition(tuple(reader.pairs), reader.complete and bool(reader.pairs))


def column_ref(node: ast.expr) -> ColumnRef | None:
    """``Model.column``, ``foreign(Model.column)``, ``remote(column)``, a bare ``column``."""
    while (
        isinstance(node, ast.Call)
        and last_name(node.func) in JOIN_ANNOTATIONS
        and len(node.args) == 1
        and not node.keywords
    ):
        node = node.args[0]
    if isinstance(node, ast.Name):
        return None, node.id
    if isinstance(node, ast.Attribute):
        owner = node.value
        # `Model.__table__.c.column`
        if (
            isinstance(owner, ast.Attribute)
            and owner.attr == "c"
            and isinstance(owner.value, ast.Attribute)
            and owner.value.attr == "__table__"
        ):
            owner = owner.value.value
        owner_name = last_name(owner) or None
        return (owner_name, node.attr) if owner_name else None
    return None


def _class_assignments(body: list[ast.stmt]) -> Iterator[tuple[str, ast.expr]]:
    """``name = value`` and ``name: T = value`` of a class body, with a value."""
    for statement in body:
        assignment = single_assignment(statement)
        if assignment is not None and isinstance(assignment[0], ast.Name):
            yield assignment[0].id, assignment[1]


def declared_primary_key(body: list[ast.stmt]) -> tuple[list[str], set[str]]:
    """(primary-key columns, other names) a class body declares.

    Columns: ``Column(..., primary_key=True)``, ``mapped_column(primary_key=True)``,
    SQLModel ``Field(primary_key=True)``, and ``PrimaryKeyConstraint("a", "b")``
    in ``__table_args__``. The other names let a subclass's redeclaration of an
    inherited key column as a plain column win.
    """
    keys: list[str] = []
    others: set[str] = set()
    for name, value in _class_assignments(body):
        if name == "__table_args__":
            for node in ast.walk(value):
                if isinstance(node, ast.Call) and last_name(node.func) in PRIMARY_KEY_CONSTRAINTS:
                    for argument in node.args:
                        column = _constraint_column(argument)
                        if column is not None and column not in keys:
                            keys.append(column)
            continue
        if name.startswith("__"):
            continue
        if _has_primary_key_flag(value):
            if name not in keys:
                keys.append(name)
        else:
            others.add(name)
    return keys, others


def declared_unique_columns(body: list[ast.stmt]) -> list[str]:
    """Columns a class body declares unique on their own: ``Column(..., unique=True)``,
    ``mapped_column(unique=True)``, SQLModel ``Field(unique=True)`` (also through
    ``sa_column=Column(...)``), and a one-column ``UniqueConstraint("a")`` in
    ``__table_args__``. A query comparing one of them with ``==`` finds one row at most.
    """
    found: list[str] = []
    for name, value in _class_assignments(body):
        if name == "__table_args__":
            for node in ast.walk(value):
                if (
                    isinstance(node, ast.Call)
                    and last_name(node.func) == "UniqueConstraint"
                    and len(node.args) == 1
                ):
                    column = _constraint_column(node.args[0])
                    if column is not None and column not in found:
                        found.append(column)
            continue
        if name.startswith("__"):
            continue
        if any(
            isinstance(node, ast.Call)
            and constant_value(keyword_value(node.keywords, "unique")) is True
            for node in ast.walk(value)
        ):
            found.append(name)
    return found


def _foreign_key_target(value: ast.expr | None) -> ast.expr | None:
    """What a column's ``ForeignKey(...)`` (or SQLModel ``foreign_key=``) names:
    ``"table.column"`` or ``Model.column``."""
    if value is None:
        return None
    for node in ast.walk(value):
        if not isinstance(node, ast.Call):
            continue
        target: ast.expr | None = None
        if last_name(node.func) == "ForeignKey" and node.args:
            target = node.args[0]
        for keyword in node.keywords:
            if keyword.arg in ("foreign_key", "column") and last_name(node.func) in (
                "Field",
                "ForeignKey",
            ):
                target = keyword.value
        if (isinstance(target, ast.Constant) and isinstance(target.value, str)) or isinstance(
            target, ast.Attribute
        ):
            return target
    return None


def _has_primary_key_flag(value: ast.expr) -> bool:
    return any(
        isinstance(node, ast.Call)
        and constant_value(keyword_value(node.keywords, "primary_key")) is True
        for node in ast.walk(value)
    )


def _constraint_column(node: ast.expr) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rsplit(".", 1)[-1]
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


@dataclass
class JoinHints:
    """The join a relationship() declaration spells out: secondary, remote_side, foreign_keys."""

    secondary: bool = False
    remote_side: bool = False
    foreign_keys: list[tuple[Optional[str], str]] = field(default_factory=list)
    primaryjoin: Optional[ast.expr] = None

    def read_keywords(self, keywords: list[ast.keyword]) -> None:
        for keyword in keywords:
            if keyword.arg is not None:
                self.read(keyword.arg, keyword.value)

    def read_dict(self, model: ModuleModel, node: ast.expr, scope: object) -> None:
        if isinstance(node, ast.Name):
            binding = model.lookup(node.id, scope)  # type: ignore[arg-type]
            if binding is not None and binding.value is not None:
                node = binding.value
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    self.read(key.value, value)
        elif isinstance(node, ast.Call):
            self.read_keywords(node.keywords)

    def read(self, name: str, value: ast.expr) -> None:
        if name == "secondary":
            self.secondary = True
        elif name == "remote_side":
            self.remote_side = True
        elif name == "foreign_keys":
            self.foreign_keys = column_names(value)
        elif name == "primaryjoin":
            self.primaryjoin = value


def column_names(node: ast.expr) -> list[tuple[Optional[str], str]]:
    """``[Post.author_id]``, ``author_id``, ``"Post.author_id"``, ``"[Post.author_id]"``."""
    expression = _written_expression(node)
    if expression is None:
        return []
    node = expression
    elements = node.elts if isinstance(node, (ast.List, ast.Tuple, ast.Set)) else [node]
    names: list[tuple[Optional[str], str]] = []
    for element in elements:
        if isinstance(element, ast.Name):
            names.append((None, element.id))
        elif isinstance(element, ast.Attribute):
            owner = element.value
            names.append(((last_name(owner) or None), element.attr))
        elif isinstance(element, ast.Constant) and isinstance(element.value, str):
            owner_name, _, column = element.value.rpartition(".")
            names.append((owner_name.rsplit(".", 1)[-1] or None, column))
    return names


def foreign_key_reference(value: ast.expr | None) -> tuple[Optional[str], Optional[str]]:
    """The table and the column a column's ``ForeignKey(...)`` (or SQLModel
    ``foreign_key=``) points at: ``("users", "id")`` for ``"users.id"``,
    ``("class:User", "id")`` for ``User.id``; ``(None, None)`` without one."""
    target = _foreign_key_target(value)
    if isinstance(target, ast.Constant):
        parts = str(target.value).split(".")
        return (parts[-2], parts[-1]) if len(parts) >= 2 else (None, None)
    if isinstance(target, ast.Attribute):
        owner = last_name(target.value) or None
        return (f"class:{owner}" if owner else None), target.attr
    return None, None

"""The relationship record and pure readers of ORM declarations (no project lookups).

Shared by the model catalogue (orm.py) and the ``backref=`` reader (orm_backrefs.py).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from fastapi_lint.semantic.syntax import last_name, string_annotation, subscript_elements

if TYPE_CHECKING:
    from fastapi_lint.project.orm_joins import JoinCondition
    from fastapi_lint.semantic.model import ModuleModel

RELATIONSHIP_FUNCTIONS = frozenset(
    {
        "sqlalchemy.orm.relationship",
        "sqlalchemy.orm.relation",
        "sqlalchemy.orm.dynamic_loader",
        "sqlmodel.Relationship",
        "sqlmodel.main.Relationship",
    }
)
# Loader strategies that run one SELECT per parent object when the attribute is read.
LAZY_SELECT = "select"
# Relationship directions, as SQLAlchemy names them (sqlalchemy/orm/interfaces.py).
MANY_TO_ONE = "many-to-one"
ONE_TO_MANY = "one-to-many"
MANY_TO_MANY = "many-to-many"
COLLECTION_NAMES = frozenset(
    {"list", "List", "set", "Set", "Sequence", "MutableSequence", "Collection", "Iterable", "tuple"}
)
OPTIONAL_NAMES = frozenset({"Optional", "Union"})
MAX_BASE_DEPTH = 10


@dataclass(frozen=True)
class Relationship:
    name: str
    owner: str  # qualified name of the model declaring it
    target: Optional[str]  # qualified name of the target model, when resolved
    target_name: Optional[str]  # the class name as written
    lazy: str  # loader strategy: "select" (the default), "selectin", ..., "?" when not literal
    collection: Optional[bool]  # None when the declaration does not say
    line: int
    # MANY_TO_ONE, ONE_TO_MANY or MANY_TO_MANY; None when the declarations do not tell.
    direction: Optional[str] = None
    # Many-to-one: the owner's column holding the foreign key (``author_id`` for ``author``).
    foreign_key: Optional[str] = None
    # What the declaration says about its join: a ``secondary``/``link_model`` table,
    # ``remote_side`` (self-referential many-to-one), ``foreign_keys`` as (class, column).
    secondary: bool = False
    remote_side: bool = False
    declared_foreign_keys: tuple[tuple[Optional[str], str], ...] = ()
    # The declared ``primaryjoin``, when there is one (orm_joins.join_condition).
    join: Optional[JoinCondition] = None
    # SQLAlchemy's ``use_get``: a scalar relationship whose join is exactly the target's
    # primary key, loaded by a primary-key get that the identity map answers; ``get_key``
    # holds the owner's columns compared with that key.
    loads_by_get: bool = False
    get_key: tuple[str, ...] = ()

    @property
    def is_lazy_select(self) -> bool:
        return self.lazy == LAZY_SELECT

    @property
    def is_many_to_one(self) -> bool:
        return self.direction == MANY_TO_ONE


def _lazy_value(node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        value = node.value
        if value is True:
            return LAZY_SELECT
        if value is False:
            return "joined"
        if value is None:
            return "noload"
        if isinstance(value, str):
            return value
    return "?"


def _lazy_from_kwargs(model: ModuleModel, node: ast.expr, scope: object) -> str:
    if isinstance(node, ast.Name):
        binding = model.lookup(node.id, scope)  # type: ignore[arg-type]
        if binding is not None and isinstance(binding.value, ast.Dict):
            node = binding.value
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if key is None:
                return "?"
            if isinstance(key, ast.Constant) and key.value == "lazy":
                return _lazy_value(value)
        return LAZY_SELECT
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        for keyword in node.keywords:
            if keyword.arg == "lazy":
                return _lazy_value(keyword.value)
            if keyword.arg is None:
                return "?"
        return LAZY_SELECT
    return "?"


def _target_name(node: ast.expr | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, ast.Lambda):
        node = node.body
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
        return text if text.replace(".", "").replace("_", "").isalnum() else None
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _annotation_target(annotation: ast.expr) -> tuple[str | None, Optional[bool], str | None]:
    """(target class name, is a collection, Mapped wrapper name) of a relationship annotation."""
    wrapper: str | None = None
    node: ast.expr | None = annotation
    collection: Optional[bool] = None
    for _ in range(8):
        if node is None:
            return None, collection, wrapper
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            parsed = string_annotation(node.value)
            if parsed is None:
                return None, collection, wrapper
            node = parsed
            continue
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            left, right = node.left, node.right
            node = right if _is_none(left) else left
            continue
        if isinstance(node, ast.Subscript):
            outer = last_name(node.value)
            elements = subscript_elements(node)
            if outer in ("Mapped", "WriteOnlyMapped", "DynamicMapped", "Relationship"):
                wrapper = wrapper or outer
                node = elements[0] if elements else None
                continue
            if outer in OPTIONAL_NAMES:
                non_none = [e for e in elements if not _is_none(e)]
                node = non_none[0] if len(non_none) == 1 else None
                if outer == "Optional" and collection is None:
                    collection = False
                continue
            if outer in COLLECTION_NAMES:
                collection = True
                node = elements[0] if elements else None
                continue
            if outer in ("Dict", "dict", "Mapping"):
                collection = True
                node = elements[-1] if elements else None
                continue
            return None, collection, wrapper
        if isinstance(node, (ast.Name, ast.Attribute)):
            if collection is None:
                collection = False
            return (last_name(node) or None), collection, wrapper
        return None, collection, wrapper
    return None, collection, wrapper


def _is_none(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and node.value is None) or (
        isinstance(node, ast.Name) and node.id == "None"
    )

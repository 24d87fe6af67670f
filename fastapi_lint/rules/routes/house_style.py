"""A project's house style for response models, read once from the route table.

Some applications annotate every route ``-> dict`` (or ``response_model=dict``,
``-> list[dict]``), others declare no response model anywhere. A maintainer who
chose that style does not retype one route because a linter flags it: four rounds
of reading real applications counted those API202 and API201 findings as noise.
Revision 2: report what a maintainer would change; when unsure, stay silent. A
project mixing typed and untyped routes keeps every finding: there the untyped
ones are the exceptions a maintainer fixes.

The test reads the route table (every route of every app and router of the
project, tests, docs and examples trees left out), from the text of each route's
response model or return annotation: a syntactic reading, so an alias
(``JSON = dict[str, Any]``) counts as a typed model, which only keeps findings.
Checks that ask depend on the table (``route_table`` records it), so an edit of
any route module recomputes the answer.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi_lint.project.routes import route_table_for
from fastapi_lint.rules.routes._common import (
    ANY_TYPES,
    MAPPING_TYPES,
    SEQUENCE_TYPES,
    WRAPPER_TYPES,
)
from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.syntax import last_name, string_annotation, subscript_elements

if TYPE_CHECKING:
    from fastapi_lint.project.routes import RouteTable
    from fastapi_lint.semantic.model import ModuleModel

# API202 leaves the project alone from this many untyped routes on, when they are this
# share of the routes that declare a response type (below: a few untyped routes among
# typed ones, the exceptions a maintainer fixes).
MIN_UNTYPED_ROUTES = 10
MIN_UNTYPED_SHARE = 0.8
# API201 leaves the project alone from this many routes on, when none declares one.
MIN_UNDECLARED_ROUTES = 10

_ANY_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in ANY_TYPES)
_MAPPING_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in MAPPING_TYPES)
_SEQUENCE_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in SEQUENCE_TYPES)
_MAX_DEPTH = 12


@dataclass(frozen=True)
class HouseStyle:
    """What the project's routes declare, counted once per registration."""

    routes: int  # HTTP routes (websockets never declare a response model)
    declared: int  # routes with a response model or a return annotation that becomes one
    untyped: int  # of those, untyped ones (`dict`, `Any`, `list[dict]`...)

    @property
    def untyped_by_design(self) -> bool:
        """API202 is the project's style, not an exception: silent."""
        return (
            self.untyped >= MIN_UNTYPED_ROUTES and self.untyped >= MIN_UNTYPED_SHARE * self.declared
        )

    @property
    def undeclared_by_design(self) -> bool:
        """No route of the project declares a response model: API201 silent."""
        return self.routes >= MIN_UNDECLARED_ROUTES and self.declared == 0


_HOUSE_STYLE: MemoKey[HouseStyle] = MemoKey("house-style")


def house_style(model: ModuleModel) -> HouseStyle | None:
    """The house style of the model's project, None outside a project."""
    table = route_table_for(model)  # records the table as a dependency of this check
    if table is None:
        return None
    style = table.memo.get(_HOUSE_STYLE)
    if style is None:
        style = _count(table)
        table.memo.put(_HOUSE_STYLE, style)
    return style


def untyped_by_design(model: ModuleModel) -> bool:
    style = house_style(model)
    return style is not None and style.untyped_by_design


def undeclared_by_design(model: ModuleModel) -> bool:
    style = house_style(model)
    return style is not None and style.undeclared_by_design


def _count(table: RouteTable) -> HouseStyle:
    # One registration served by two apps (or included twice) is one route of the code.
    seen: dict[tuple[str, int], str] = {}
    for route in [*table.routes, *table.orphans]:
        if route.is_websocket:
            continue
        seen.setdefault((route.module, route.registration_line), route.response_model)
    declared = [text for text in seen.values() if _declares(text)]
    untyped = [text for text in declared if _untyped_text(text)]
    return HouseStyle(routes=len(seen), declared=len(declared), untyped=len(untyped))


def _declares(text: str) -> bool:
    """The table keeps ``response_model=`` or else the return annotation, Response classes
    left out; ``None`` declares no body."""
    return bool(text) and text.strip().strip("'\"").strip() != "None"


def _untyped_text(text: str) -> bool:
    try:
        expression = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return False
    return _untyped(expression, 0)


def _untyped(node: ast.expr, depth: int) -> bool:
    """API202's reading of a type expression (``untyped_annotation``), by names alone; a
    bare ``Any`` counts too: it opts out of a model the same way."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parsed = string_annotation(node.value)
        return parsed is not None and _untyped(parsed, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [side for side in (node.left, node.right) if not _is_none(side)]
        return any(_untyped(side, depth + 1) for side in sides)
    if isinstance(node, ast.Subscript):
        outer = last_name(node.value) or ""
        elements = subscript_elements(node)
        if outer in WRAPPER_TYPES:
            checked = elements[:1] if outer == "Annotated" else elements
            return any(_untyped(e, depth + 1) for e in checked if not _is_none(e))
        if outer in _MAPPING_NAMES:
            return len(elements) < 2 or _untyped(elements[1], depth + 1)
        if outer in _SEQUENCE_NAMES:
            return any(
                _untyped(e, depth + 1)
                for e in elements
                if not (isinstance(e, ast.Constant) and e.value is Ellipsis)
            )
        return False
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = last_name(node) or ""
        return name in _ANY_NAMES or name in _MAPPING_NAMES or name in _SEQUENCE_NAMES
    return False


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None

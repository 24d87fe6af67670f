"""What a rule of the family found, before the project-level v2 decision lets it through."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Diagnostic
    from fastapi_lint.fixes.context import FixContext


@dataclass(frozen=True)
class Finding:
    code: str
    node: ast.AST
    fields: dict[str, Any] = field(default_factory=dict)


def node_at(context: FixContext, diagnostic: Diagnostic, node_type: type) -> ast.AST | None:
    """The node of ``node_type`` the diagnostic was reported on (same start and end; a
    ``class``/``def`` finding is reported at its name token, on the keyword's line)."""
    if node_type in (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef):
        return context.definition_on_line(diagnostic.line, node_type)
    for node in context.nodes_at(diagnostic.line, diagnostic.col, node_type):
        end = (getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None))
        if end == (diagnostic.end_line, diagnostic.end_col):
            return node
    return None

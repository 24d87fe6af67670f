"""The HTTP status a route's ``status_code=`` argument holds, by simple flow.

A literal (``204``), a constant of ``fastapi.status``/``starlette.status``
(``status.HTTP_204_NO_CONTENT``), a member of ``http.HTTPStatus``
(``HTTPStatus.NO_CONTENT``), or a name this module assigns one of those once
(``DELETED = 204``, also inside the function that registers the route).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

_STATUS_NAME = lazy_compile(r"HTTP_(\d{3})(?:_|$)")
_MAX_DEPTH = 4


def status_code_value(
    model: ModuleModel, node: ast.expr | None, scope: Scope, depth: int = 0
) -> int | None:
    """The status code ``node`` holds, None when it is not known statically."""
    if node is None or depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Constant):
        value = node.value
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(node, ast.Attribute):
        match = _STATUS_NAME.match(node.attr)
        if match:
            return int(match.group(1))
        qualname = model.qualified_name(node, scope) or ""
        owner, _, member = qualname.rpartition(".")
        if owner != "http.HTTPStatus":
            return None
        from http import HTTPStatus  # only for code that uses it (start-up cost)

        return int(HTTPStatus[member]) if member in HTTPStatus.__members__ else None
    if isinstance(node, ast.Name):
        match = _STATUS_NAME.match(node.id)
        if match:
            return int(match.group(1))  # `from fastapi.status import HTTP_204_NO_CONTENT`
        binding = model.lookup(node.id, scope)
        if binding is not None and binding.assigned is not None:
            return status_code_value(model, binding.assigned, binding.scope, depth + 1)
    return None

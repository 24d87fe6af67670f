"""The success response a route documents through ``responses=`` (API201, API202).

``responses={200: {"model": Item}}`` or ``responses={200: {"content":
{"application/json": {"schema": {...}}}}}`` puts the body's schema in the
OpenAPI document even without ``response_model=``: FastAPI deep-merges each
entry of ``responses`` into the operation's responses, the model's schema
included (``fastapi/openapi/utils.py``, ``get_openapi_path``). Such a route
already publishes its shape; a response model would add nothing to it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.project.index import index_of
from fastapi_lint.rules.routes._common import route_context_scope
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import last_name

if TYPE_CHECKING:
    from fastapi_lint.semantic.fastapi import RouteInfo
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

# `status.HTTP_200_OK`, `starlette.status.HTTP_201_CREATED`.
_STATUS_NAME = lazy_compile(r"^HTTP_(\d{3})_")
# `http.HTTPStatus` members a success response is keyed by.
_HTTP_STATUS = {"OK": 200, "CREATED": 201, "ACCEPTED": 202}
# JSON-schema keywords that say something about a body; `{"type": "object"}` alone
# (FastAPI's schema of an untyped dict) says nothing.
_DESCRIBING_KEYWORDS = frozenset(
    {"$ref", "properties", "items", "allOf", "anyOf", "oneOf", "enum", "const", "patternProperties"}
)
_MAX_DEPTH = 6


@dataclass(frozen=True)
class Documented:
    """The model (``"model": X``) or JSON schema documented for the success status."""

    kind: str  # "model" or "schema"
    node: ast.expr
    model: ModuleModel  # the module the node is written in
    scope: Scope


def documented_success(model: ModuleModel, route: RouteInfo) -> Optional[Documented]:
    """The success response's model or schema given in the route's ``responses=``."""
    responses = route.keywords.get("responses")
    if responses is None:
        return None
    codes = {200}
    status = _status_number(route.keywords.get("status_code"))
    if status is not None:
        codes.add(status)
    scope = route_context_scope(model, route)
    for owner, entry, entry_scope in _success_entries(model, responses, scope, codes, 0):
        found = _documented_body(owner, entry, entry_scope)
        if found is not None:
            return found
    return None


def _status_number(node: ast.expr | None) -> int | None:
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, int) else None
    name = last_name(node)
    match = _STATUS_NAME.match(name)
    if match:
        return int(match.group(1))
    return _HTTP_STATUS.get(name)


def _key_matches(key: ast.expr, codes: set[int]) -> bool:
    if isinstance(key, ast.Constant):
        if isinstance(key.value, str):
            text = key.value.strip().upper()
            return text == "2XX" or (text.isdigit() and int(text) in codes)
        return isinstance(key.value, int) and key.value in codes
    return _status_number(key) in codes if isinstance(key, (ast.Name, ast.Attribute)) else False


def _success_entries(
    model: ModuleModel, node: ast.expr, scope: Scope, codes: set[int], depth: int
) -> list[tuple[ModuleModel, ast.expr, Scope]]:
    """The values of ``responses`` keyed by a success status (``{**COMMON, 200: ...}``
    and module-level constants included)."""
    resolved = _dict_literal(model, node, scope, depth)
    if resolved is None:
        return []
    owner, mapping, owner_scope = resolved
    found: list[tuple[ModuleModel, ast.expr, Scope]] = []
    for key, value in zip(mapping.keys, mapping.values):
        if key is None:  # `**COMMON_RESPONSES`
            found.extend(_success_entries(owner, value, owner_scope, codes, depth + 1))
        elif _key_matches(key, codes):
            found.append((owner, value, owner_scope))
    return found


def _dict_literal(
    model: ModuleModel, node: ast.expr, scope: Scope, depth: int
) -> tuple[ModuleModel, ast.Dict, Scope] | None:
    """A dict literal, or the dict literal a name holds (here or imported from a project
    module); None when the value is built some other way."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Dict):
        return model, node, scope
    if not isinstance(node, ast.Name):
        return None
    # The binding that reaches the use: a method that registers routes one after another
    # rebinds `responses = {...}` before each group of them.
    binding = model.lookup(node.id, scope, node.lineno if hasattr(node, "lineno") else None)
    if binding is None:
        return None
    if binding.kind is BindingKind.ASSIGN:
        if binding.value is None or binding.unpack_index is not None:
            return None
        return _dict_literal(model, binding.value, binding.scope, depth + 1)
    project = index_of(model)
    if binding.kind is BindingKind.IMPORT and binding.qualname and project is not None:
        found = project.split(binding.qualname)
        if found is None or len(found[1]) != 1:
            return None
        other, (name,) = found
        probe = ast.Name(id=name, ctx=ast.Load())
        return _dict_literal(other, probe, other.module_scope, depth + 1)
    return None


def _documented_body(model: ModuleModel, entry: ast.expr, scope: Scope) -> Optional[Documented]:
    resolved = _dict_literal(model, entry, scope, 0)
    if resolved is None:
        return None
    owner, response, owner_scope = resolved
    items = _string_items(response)
    if "model" in items:
        return Documented("model", items["model"], owner, owner_scope)
    content = items.get("content")
    if content is None:
        return None
    content_dict = _dict_literal(owner, content, owner_scope, 0)
    if content_dict is None:
        return None
    owner, media_types, owner_scope = content_dict
    for media_type, value in _string_items(media_types).items():
        if "json" not in media_type:
            continue
        media = _dict_literal(owner, value, owner_scope, 0)
        if media is None:
            continue
        schema = _string_items(media[1]).get("schema")
        if schema is not None and _schema_describes(media[0], schema, media[2]):
            return Documented("schema", schema, media[0], media[2])
    return None


def _string_items(mapping: ast.Dict) -> dict[str, ast.expr]:
    return {
        key.value: value
        for key, value in zip(mapping.keys, mapping.values)
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }


def _schema_describes(model: ModuleModel, schema: ast.expr, scope: Scope) -> bool:
    """Whether a JSON schema describes the body. A schema built by a call
    (``Item.model_json_schema()``) or held by a name we cannot read is trusted."""
    resolved = _dict_literal(model, schema, scope, 0)
    if resolved is None:
        return True
    items = _string_items(resolved[1])
    if _DESCRIBING_KEYWORDS & items.keys():
        return True
    extra = items.get("additionalProperties")
    return isinstance(extra, ast.Dict) and bool(extra.keys)

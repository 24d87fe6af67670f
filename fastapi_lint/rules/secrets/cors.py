"""API507 permissive-cors-with-credentials."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from fastapi_lint.registry import Rule
from fastapi_lint.rules.secrets._common import CheckerBase, _keyword

if TYPE_CHECKING:
    from fastapi_lint.semantic.scopes import Scope


API507 = Rule(
    code="API507",
    name="permissive-cors-with-credentials",
    message="`CORSMiddleware` allows any origin ({origins}) with `allow_credentials=True`; list the trusted origins",
    summary="Checks for CORS configurations that allow every origin and credentials together.",
    why=(
        "With `allow_credentials=True`, Starlette answers a wildcard configuration by echoing the "
        "request's `Origin`: any web site a user visits can then call the API with the user's "
        "cookies and read the responses."
    ),
    example=(
        "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\n"
        "app = FastAPI()\napp.add_middleware(\n"
        '    CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"]\n)\n'
    ),
    use_instead=(
        "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\n"
        "app = FastAPI()\napp.add_middleware(\n"
        "    CORSMiddleware,\n"
        '    allow_origins=["https://app.example.com"],\n'
        "    allow_credentials=True,\n"
        '    allow_methods=["*"],\n)\n'
    ),
    options="`secrets-in-tests`: report in test files too.",
)

_ANY_ORIGIN_REGEXES = frozenset({".*", "^.*$", ".+", "^.+$", ".*$", "^.*"})
# Origins no deployment trusts: a pattern Starlette's `fullmatch` accepts for one of them
# accepts any site (`https?://.*`, `https://.+`).
_STRANGER_ORIGINS = ("https://stranger-4f1c.invalid", "http://stranger-4f1c.invalid")


def _any_origin_regex(pattern: str) -> bool:
    if pattern in _ANY_ORIGIN_REGEXES:
        return True
    if ")*" in pattern or ")+" in pattern or "){" in pattern:
        return False  # a quantified group may backtrack for ages: not tried
    try:
        compiled = re.compile(pattern)
    except re.error:
        return False
    return any(compiled.fullmatch(origin) for origin in _STRANGER_ORIGINS)


class CorsChecks(CheckerBase):
    def check_cors(self, call: ast.Call, scope: Scope) -> None:
        credentials = self.cors_option(call, "allow_credentials", scope)
        if credentials is None or not self.is_true(credentials, scope, 0):
            return
        origins = self.cors_option(call, "allow_origins", scope)
        regex = self.cors_option(call, "allow_origin_regex", scope)
        described = None
        if origins is not None and self.has_wildcard_origin(origins, scope, 0):
            described = '`allow_origins=["*"]`'
        elif regex is not None:
            pattern = self.literal_value(regex, scope, 0)
            if isinstance(pattern, str) and _any_origin_regex(pattern):
                described = f'`allow_origin_regex="{pattern}"`'
        if described is not None:
            self.reporter.report("API507", call, origins=described)

    def cors_option(self, call: ast.Call, name: str, scope: Scope) -> ast.expr | None:
        """A keyword argument, also from ``**CORS_KWARGS`` (a dict literal or ``dict(...)``
        the name holds): the options are often kept in one place for several apps."""
        keyword = _keyword(call, name)
        if keyword is not None:
            return keyword.value
        for unpacked in call.keywords:
            if unpacked.arg is not None:
                continue
            mapping: ast.expr | None = unpacked.value
            if not isinstance(mapping, (ast.Dict, ast.Call)):
                mapping = self.resolved(unpacked.value, scope, 0)
            if isinstance(mapping, ast.Dict):
                for key, value in zip(mapping.keys, mapping.values):
                    if isinstance(key, ast.Constant) and key.value == name:
                        return value
            elif (
                isinstance(mapping, ast.Call)
                and isinstance(mapping.func, ast.Name)
                and mapping.func.id == "dict"
            ):
                found = _keyword(mapping, name)
                if found is not None:
                    return found.value
        return None

    def is_true(self, node: ast.expr, scope: Scope, depth: int) -> bool:
        return self.literal_value(node, scope, depth) is True

    def has_wildcard_origin(self, node: ast.expr, scope: Scope, depth: int) -> bool:
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            # an element may name the wildcard: `[config.ANY_ORIGIN]`
            return any(
                self.literal_value(element, scope, depth + 1) == "*" for element in node.elts
            )
        if isinstance(node, ast.Constant):
            return node.value == "*"  # a str is a sequence: ``"*"`` allows every origin
        value = self.resolved(node, scope, depth)
        return value is not None and self.has_wildcard_origin(value, scope, depth + 1)

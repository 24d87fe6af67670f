"""API507 permissive-cors-with-credentials."""

from __future__ import annotations

import ast
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


class CorsChecks(CheckerBase):
    def check_cors(self, call: ast.Call, scope: Scope) -> None:
        credentials = _keyword(call, "allow_credentials")
        if credentials is None or not self.is_true(credentials.value, scope, 0):
            return
        origins = _keyword(call, "allow_origins")
        regex = _keyword(call, "allow_origin_regex")
        described = None
        if origins is not None and self.has_wildcard_origin(origins.value, scope, 0):
            described = '`allow_origins=["*"]`'
        elif regex is not None:
            pattern = self.literal_value(regex.value, scope, 0)
            if isinstance(pattern, str) and pattern in _ANY_ORIGIN_REGEXES:
                described = f'`allow_origin_regex="{pattern}"`'
        if described is not None:
            self.reporter.report("API507", call, origins=described)

    def is_true(self, node: ast.expr, scope: Scope, depth: int) -> bool:
        return self.literal_value(node, scope, depth) is True

    def has_wildcard_origin(self, node: ast.expr, scope: Scope, depth: int) -> bool:
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return any(
                isinstance(element, ast.Constant) and element.value == "*" for element in node.elts
            )
        if isinstance(node, ast.Constant):
            return node.value == "*"  # a str is a sequence: ``"*"`` allows every origin
        value = self.resolved(node, scope, depth)
        return value is not None and self.has_wildcard_origin(value, scope, depth + 1)

"""The API5xx checker: one pass over the nodes the model recorded, dispatching to the rule mixins."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.secrets.cors import CorsChecks
from fastapi_lint.rules.secrets.credential_format import CredentialFormatChecks
from fastapi_lint.rules.secrets.env_fallback import (
    _ENV_LOOKUPS,
    _STARLETTE_CONFIG,
    EnvFallbackChecks,
    _may_be_config_call,
)
from fastapi_lint.rules.secrets.hardcoded_secret import HardcodedSecretChecks
from fastapi_lint.rules.secrets.jwt_verification import (
    _JOSE_DECODE,
    _PYJWT_DECODE,
    JwtVerificationChecks,
)
from fastapi_lint.rules.secrets.refused_defaults import refused_by_project
from fastapi_lint.rules.secrets.settings_default import SettingsDefaultChecks
from fastapi_lint.rules.secrets.signing_key import (
    _ITSDANGEROUS_CLASSES,
    _SIGNING_CALLS,
    SigningKeyChecks,
)
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from fastapi_lint.rules.secrets._common import _Candidate
    from fastapi_lint.semantic.scopes import Scope


_SESSION_MIDDLEWARE = "starlette.middleware.sessions.SessionMiddleware"
_CORS_MIDDLEWARE = "starlette.middleware.cors.CORSMiddleware"
_MIDDLEWARE = "starlette.middleware.Middleware"

# Last names of the calls above: cheap pre-filter before resolving a callee.
_INTERESTING_CALLEES = frozenset(
    {name.rsplit(".", 1)[-1] for name in (*_ENV_LOOKUPS, *_SIGNING_CALLS)}
    | _ITSDANGEROUS_CLASSES
    | {"add_middleware", "Middleware", "CORSMiddleware", "config"}
)


class Checker(
    HardcodedSecretChecks,
    EnvFallbackChecks,
    SettingsDefaultChecks,
    CredentialFormatChecks,
    SigningKeyChecks,
    CorsChecks,
    JwtVerificationChecks,
):
    """Every API5xx check of one module; findings go through ``offer`` (one per literal)."""

    def run(self) -> None:
        model = self.model
        names_wanted = bool(self.enabled & {"API501", "API502", "API503"})
        if self.enabled & {"API504", "API505"}:
            self.check_constants()
        if names_wanted:
            for ref in model.nodes[ast.Assign]:
                node = ref.node
                assert isinstance(node, ast.Assign)
                for target in node.targets:
                    self.check_assignment(target, node.value)
            for ref in model.nodes[ast.AnnAssign]:
                node = ref.node
                assert isinstance(node, ast.AnnAssign)
                if node.value is not None:
                    self.check_assignment(node.target, node.value)
            if "API501" in self.enabled:
                for ref in model.nodes[ast.Dict]:
                    self.check_dict(ref.node)  # type: ignore[arg-type]
                for ref in model.nodes[ast.Compare]:
                    self.check_compare(ref.node, ref.scope)  # type: ignore[arg-type]
                self.check_match_values()
                self.check_defaults()
            if "API503" in self.enabled:
                self.check_settings_classes()
        for ref in model.nodes[ast.Call]:
            self.check_call(ref.node, ref.scope)  # type: ignore[arg-type]
        for candidate in self.candidates.values():
            if candidate.code in ("API501", "API502", "API503") and self.refused(candidate):
                continue
            self.reporter.report(candidate.code, candidate.node, **candidate.fields)

    def refused(self, candidate: _Candidate) -> bool:
        """A default the project compares its name against and refuses (fail closed): a
        literal, a settings field's default, or an environment fallback
        (``SECRET = os.getenv("SECRET", "dev-only")`` with ``if SECRET == "dev-only": raise``)."""
        node = candidate.node
        text = node.value if isinstance(node, ast.Constant) else None
        name = (
            candidate.fields.get("name")
            or candidate.fields.get("field")
            or candidate.fields.get("assigned")
        )
        if not isinstance(text, str) or not isinstance(name, str):
            return False
        return refused_by_project(
            self.model, name.rsplit(".", 1)[-1], text, node, settings=candidate.code == "API503"
        )

    # ----------------------------------------------------------- calls
    def check_call(self, call: ast.Call, scope: Scope) -> None:
        model = self.model
        enabled = self.enabled
        if "API501" in enabled:
            self.check_keywords(call)
            self.check_digest_compare(call, scope)
        func = call.func
        if isinstance(func, ast.Attribute):
            callee = func.attr
        elif isinstance(func, ast.Name):
            callee = func.id
        else:
            return
        if callee not in _INTERESTING_CALLEES and isinstance(func, ast.Name):
            # ``from decouple import config as env_config``: the imported name counts.
            binding = model.lookup(func.id, scope, getattr(func, "lineno", None))
            if binding is not None and binding.kind is BindingKind.IMPORT and binding.qualname:
                callee = binding.qualname.rsplit(".", 1)[-1]
        if callee not in _INTERESTING_CALLEES:
            # Any name may hold a starlette ``Config``: ``env("SECRET", default="x")``.
            if "API502" in enabled and isinstance(func, ast.Name) and _may_be_config_call(call):
                if model.type_of(func, scope) == _STARLETTE_CONFIG:
                    self.check_env_lookup(call, _STARLETTE_CONFIG, scope)
            return
        if callee == "add_middleware":
            self.check_middleware(call, call.args[0] if call.args else None, scope)
            return
        target = model.call_target(call, scope)
        if target is None:
            if (
                "API502" in enabled
                and _may_be_config_call(call)
                and model.type_of(func, scope) == _STARLETTE_CONFIG
            ):
                self.check_env_lookup(call, _STARLETTE_CONFIG, scope)
            return
        target = stubs.canonical(target)
        if target in _ENV_LOOKUPS:
            if "API502" in enabled:
                self.check_env_lookup(call, target, scope)
            return
        if target == _MIDDLEWARE:
            self.check_middleware(call, call.args[0] if call.args else None, scope)
            return
        if target == _CORS_MIDDLEWARE or target == _SESSION_MIDDLEWARE:
            self.check_middleware(call, None, scope, middleware=target)
            return
        if "API506" in enabled:
            self.check_signing_call(call, target)
        if "API508" in enabled and (target in _PYJWT_DECODE or target in _JOSE_DECODE):
            self.check_jwt_decode(call, target, scope)

    # API506 (SessionMiddleware), API507 (CORSMiddleware)
    def check_middleware(
        self,
        call: ast.Call,
        middleware_node: ast.expr | None,
        scope: Scope,
        middleware: str | None = None,
    ) -> None:
        if middleware is None:
            if middleware_node is None:
                return
            middleware = self.model.qualified_name(middleware_node, scope)
            if middleware is None:
                return
            middleware = stubs.canonical(middleware)
        if middleware == _SESSION_MIDDLEWARE and "API506" in self.enabled:
            self.check_signing_key(call, -1, "SessionMiddleware")
        elif middleware == _CORS_MIDDLEWARE and "API507" in self.enabled:
            self.check_cors(call, scope)

"""API508 jwt-verification-disabled."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.registry import Rule
from fastapi_lint.rules.secrets._common import _keyword
from fastapi_lint.rules.secrets.token_origin import TokenOriginChecks
from fastapi_lint.rules.secrets.verifying_helpers import helper_verifies
from fastapi_lint.semantic import stubs

if TYPE_CHECKING:
    from fastapi_lint.semantic.scopes import Scope


API508 = Rule(
    code="API508",
    name="jwt-verification-disabled",
    message="`{call}` {problem}; {advice}",
    summary="Checks for JWT decoding that skips signature verification or does not pin the algorithms.",
    why=(
        "A token whose signature is not verified is whatever the client says it is. Without "
        "`algorithms=`, old PyJWT versions accept the algorithm the token names (`none`, or an "
        "HMAC keyed with the public key); PyJWT 2 raises at run time. An unverified decode that "
        "only reads the issuer or the header to choose the key is not reported when the same "
        "token is then decoded with verification in the function (also in a worker thread: "
        "`await asyncio.to_thread(jwt.decode, token, key, ...)`, or in a project function the "
        "token is handed to). Nor is a keyless claims read "
        "of a token this server received from the identity provider itself over TLS (the "
        "`id_token` of the code exchange, a token endpoint's response, a token the provider's "
        "userinfo endpoint just accepted: OIDC Core 3.1.3.7), or one in a function that declares "
        "it unverified (`get_unverified_claims`); a token that comes from the request always is."
    ),
    example=(
        "import jwt\n\n\ndef read_claims(token: str, key: str) -> dict[str, str]:\n"
        '    return jwt.decode(token, key, options={"verify_signature": False})\n'
    ),
    use_instead=(
        "import jwt\n\n\ndef read_claims(token: str, key: str) -> dict[str, str]:\n"
        '    return jwt.decode(token, key, algorithms=["HS256"])\n'
    ),
    options="`secrets-in-tests`: report in test files too.",
)

_PYJWT_DECODE = frozenset({"jwt.decode", "jwt.decode_complete", "jwt.PyJWT.decode"})
_JOSE_DECODE = frozenset({"jose.jwt.decode"})
_DECODES = _PYJWT_DECODE | _JOSE_DECODE | {"authlib.jose.jwt.decode"}


def _no_algorithms(call: ast.Call) -> bool:
    """No ``algorithms`` given, or ``algorithms=None`` spelled out (the same thing)."""
    keyword = _keyword(call, "algorithms")
    given = keyword.value if keyword is not None else (call.args[2] if len(call.args) > 2 else None)
    return given is None or (isinstance(given, ast.Constant) and given.value is None)


class JwtVerificationChecks(TokenOriginChecks):
    def check_jwt_decode(self, call: ast.Call, target: str, scope: Scope) -> None:
        display = target + "()"
        verify = _keyword(call, "verify")
        options = _keyword(call, "options")
        if verify is not None and self.literal_value(verify.value, scope, 0) is False:
            problem = "passes `verify=False`: the signature is not checked"
        elif options is not None and self.disables_signature(options.value, scope):
            problem = 'disables signature verification (`"verify_signature": False`)'
        elif (
            target in _PYJWT_DECODE
            and _no_algorithms(call)
            and not any(k.arg is None for k in call.keywords)
            and not any(isinstance(arg, ast.Starred) for arg in call.args)
        ):
            self.reporter.report(
                "API508",
                call,
                call=display,
                problem="has no `algorithms=`",
                advice='pin the accepted algorithms: `algorithms=["HS256"]`',
            )
            return
        else:
            return
        if self.verified_later(call, scope):
            return  # the unverified read only picks the key or checks the issuer
        if self.provider_claims_read(call, scope):
            return  # claims of a token this server got from the identity provider itself
        self.reporter.report(
            "API508",
            call,
            call=display,
            problem=problem,
            advice="verify the token with its key and `algorithms=`",
        )

    def is_unverified(self, call: ast.Call, scope: Scope) -> bool:
        verify = _keyword(call, "verify")
        options = _keyword(call, "options")
        return (verify is not None and self.literal_value(verify.value, scope, 0) is False) or (
            options is not None and self.disables_signature(options.value, scope)
        )

    def verified_later(self, call: ast.Call, scope: Scope) -> bool:
        """A decode with verification of the same token follows in the function (the contract,
        Revision 2): the unverified decode read the header or the issuer to choose the key."""
        if scope.function is None or not call.args:
            return False
        if self.claims_returned(call, scope):
            return False  # the unverified claims are the answer: no key is chosen with them
        token = ast.dump(call.args[0])
        line = call.lineno
        for ref in self.model.calls:
            other = ref.node
            assert isinstance(other, ast.Call)
            if ref.scope is not scope or other.lineno <= line:
                continue
            if (
                other.args
                and ast.dump(other.args[0]) == token
                and isinstance(other.func, ast.Attribute)
                and other.func.attr in ("decode", "decode_complete")
                and not self.is_unverified(other, scope)
                and (len(other.args) > 1 or _keyword(other, "key") is not None)
            ):
                target = self.model.call_target(other, scope)
                if target is not None and stubs.canonical(target) in _DECODES:
                    return True
            if self.offloaded_verified_decode(other, token, scope):
                return True
            if helper_verifies(self.model, other, token, scope):
                return True  # `claims = await verify_access_token(token, issuer)`
        return False

    def offloaded_verified_decode(self, call: ast.Call, token: str, scope: Scope) -> bool:
        """``await asyncio.to_thread(jwt.decode, token, key, algorithms=[...])`` (also
        ``run_in_threadpool``, ``anyio.to_thread.run_sync``, ``loop.run_in_executor(None,
        jwt.decode, ...)``): the verified decode runs in a worker thread, its arguments after
        the function.  A ``**kwargs`` built in the function may carry the key."""
        if not self.model.is_offloading_call(call, scope):
            return False
        args = list(call.args)
        if isinstance(call.func, ast.Attribute) and call.func.attr == "run_in_executor":
            args = args[1:]  # the executor
        if len(args) < 2 or not isinstance(args[0], (ast.Name, ast.Attribute)):
            return False
        target = self.model.qualified_name(args[0], scope)
        if target is None or stubs.canonical(target) not in _DECODES:
            return False
        if ast.dump(args[1]) != token or self.is_unverified(call, scope):
            return False
        for keyword in call.keywords:
            if keyword.arg is None and self.kwargs_disable_signature(keyword.value, scope):
                return False
        return len(args) > 2 or any(k.arg in ("key", None) for k in call.keywords)

    def kwargs_disable_signature(self, node: ast.expr, scope: Scope) -> bool:
        """``**decode_kwargs`` where ``decode_kwargs = {"options": {"verify_signature":
        False}, ...}``: the keywords it spreads switch verification off."""
        resolved = self.resolved(node, scope, 0) if isinstance(node, ast.Name) else node
        if not isinstance(resolved, ast.Dict):
            return False
        for key, value in zip(resolved.keys, resolved.values):
            if isinstance(key, ast.Constant) and key.value == "options":
                if self.disables_signature(value, scope):
                    return True
            if isinstance(key, ast.Constant) and key.value == "verify":
                if isinstance(value, ast.Constant) and value.value is False:
                    return True
        return False

    def claims_returned(self, call: ast.Call, scope: Scope) -> bool:
        """``return jwt.decode(token, options={"verify_signature": False})`` (also through a
        local name): the function hands out the unverified claims, whatever it verifies on
        another path."""
        if self.under_configuration_switch(call, scope):
            return (
                False  # `if settings.TRUSTED_PROXY_DECODE:` an operator's choice, not the token's
            )
        parent = self.model.parent(call)
        if isinstance(parent, ast.Return):
            return True
        if not (
            isinstance(parent, ast.Assign)
            and len(parent.targets) == 1
            and isinstance(parent.targets[0], ast.Name)
            and scope.function is not None
        ):
            return False
        name = parent.targets[0].id
        return any(
            isinstance(ref.node, ast.Return)
            and isinstance(ref.node.value, ast.Name)
            and ref.node.value.id == name
            for ref in self.model.returns_of(scope.function)
        )

    def under_configuration_switch(self, call: ast.Call, scope: Scope) -> bool:
        """The decode sits under an ``if`` whose test does not read the token nor anything the
        function derived from it (a setting): the server's configuration picks the path."""
        function = scope.function
        if function is None or not call.args or not isinstance(call.args[0], ast.Name):
            return False
        tainted = {call.args[0].id}
        for node in ast.walk(function.node):
            if isinstance(node, ast.Assign) and _names(node.value) & tainted:
                tainted |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        tests: list[ast.expr] = []
        child: ast.AST = call
        for ancestor in self.model.ancestors(call):
            if ancestor is function.node:
                break
            if isinstance(ancestor, ast.If) and child is not ancestor.test:
                tests.append(ancestor.test)
            child = ancestor
        return bool(tests) and not any(_names(test) & tainted for test in tests)

    def disables_signature(self, node: ast.expr, scope: Scope) -> bool:
        if isinstance(node, ast.Name):
            resolved = self.resolved(node, scope, 0)
            if resolved is None:
                return False
            node = resolved
        if not isinstance(node, ast.Dict):
            return False
        for key, value in zip(node.keys, node.values):
            if (
                isinstance(key, ast.Constant)
                and key.value in ("verify_signature", "verify")
                and isinstance(value, ast.Constant)
                and value.value is False
            ):
                return True
        return False


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}

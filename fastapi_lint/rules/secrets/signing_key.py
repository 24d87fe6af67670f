"""API506 hardcoded-signing-key: a literal key given to a JWT, HMAC, itsdangerous, Fernet or session call."""

from __future__ import annotations

import ast

from fastapi_lint.registry import Rule
from fastapi_lint.rules.secret_patterns import redact
from fastapi_lint.rules.secrets._common import CheckerBase, encoded_literal

API506 = Rule(
    code="API506",
    name="hardcoded-signing-key",
    message="`{call}` uses the hardcoded {what} {value}; load the key from settings or the environment",
    summary="Checks for literal keys passed to JWT, HMAC, itsdangerous, Fernet and `SessionMiddleware`.",
    why=(
        "Whoever knows a signing key can forge tokens and session cookies (log in as anyone); "
        "whoever knows an encryption key can read the data. A literal key is known to everyone "
        "who can read the code. A MAC or token computed and thrown away (a constant-time "
        'decoy `hmac.new(b"pad", token.encode(), "sha256").digest()` on a lookup miss) '
        "signs nothing and is not reported; a discarded `decode` still verifies and is."
    ),
    example=(
        "import jwt\n\n\ndef create_access_token(claims: dict[str, str]) -> str:\n"
        '    return jwt.encode(claims, "my-signing-key", algorithm="HS256")\n'
    ),
    use_instead=(
        "import os\n\nimport jwt\n\n\ndef create_access_token(claims: dict[str, str]) -> str:\n"
        '    return jwt.encode(claims, os.environ["JWT_SECRET"], algorithm="HS256")\n'
    ),
    options="`secrets-in-tests`: report in test files too.",
)

# Signing / encryption calls: qualified name -> position of the key argument.
_SIGNING_CALLS: dict[str, int] = {
    "jwt.encode": 1,
    "jwt.decode": 1,
    "jwt.decode_complete": 1,
    "jwt.PyJWT.encode": 1,
    "jwt.PyJWT.decode": 1,
    "jose.jwt.encode": 1,
    "jose.jwt.decode": 1,
    "jose.jws.sign": 1,
    "jose.jws.verify": 1,
    "authlib.jose.jwt.encode": 2,
    "authlib.jose.jwt.decode": 1,
    "hmac.new": 0,
    "hmac.digest": 0,
    "cryptography.fernet.Fernet": 0,
    "starlette.middleware.sessions.SessionMiddleware": -1,
}
_ITSDANGEROUS_CLASSES = frozenset(
    {
        "Serializer",
        "URLSafeSerializer",
        "TimedSerializer",
        "URLSafeTimedSerializer",
        "Signer",
        "TimestampSigner",
        "JSONWebSignatureSerializer",
        "TimedJSONWebSignatureSerializer",
    }
)
_KEY_KEYWORDS = frozenset({"key", "secret", "secret_key", "signing_key"})
# Calls that only produce a MAC or a token: when the statement throws the result away
# (`hmac.new(b"decoy", token.encode(), "sha256").digest()`, a constant-time decoy run on a
# lookup miss), nothing is signed, so the literal protects nothing. A discarded `decode` or
# `verify` still checks its input (it raises), so it is kept.
_PRODUCING_CALLS = frozenset({"hmac.new", "hmac.digest", "jwt.encode", "jose.jwt.encode"})


class SigningKeyChecks(CheckerBase):
    def check_signing_call(self, call: ast.Call, target: str) -> None:
        position = _SIGNING_CALLS.get(target)
        display = target
        if position is None:
            if not target.startswith("itsdangerous.") or (
                target.rsplit(".", 1)[-1] not in _ITSDANGEROUS_CLASSES
            ):
                return
            position = 0
            display = "itsdangerous." + target.rsplit(".", 1)[-1]
        elif target in _PRODUCING_CALLS and _discarded(self.model.parents, call):
            return
        self.check_signing_key(call, position, display)

    def check_signing_key(self, call: ast.Call, position: int, display: str) -> None:
        nodes: list[ast.expr] = []
        if 0 <= position < len(call.args) and not any(
            isinstance(arg, ast.Starred) for arg in call.args[: position + 1]
        ):
            nodes.append(call.args[position])
        nodes.extend(k.value for k in call.keywords if k.arg in _KEY_KEYWORDS)
        # ``settings.jwt_secret or "fallback-key"``: the literal signs whenever the setting is
        # empty, like a literal key.
        nodes = [
            node.values[-1]
            if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or)
            else node
            for node in nodes
        ]
        for node in map(encoded_literal, nodes):
            if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
                if not node.value:
                    continue
                text = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
                what = "encryption key" if "Fernet" in display else "signing key"
                self.offer("API506", node, call=display + "()", what=what, value=redact(text))


def _discarded(parents: dict[ast.AST, ast.AST], call: ast.Call) -> bool:
    """Whether the statement holding ``call`` throws its result away: the call, or a chain of
    method calls on it (``.digest()``, ``.hexdigest()``), is a bare expression statement."""
    node: ast.AST = call
    parent = parents.get(node)
    while isinstance(parent, ast.Attribute) or (
        isinstance(parent, ast.Call) and parent.func is node
    ):
        node, parent = parent, parents.get(parent)
    return isinstance(parent, ast.Expr)

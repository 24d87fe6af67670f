"""Where the token an unverified JWT decode reads comes from (the contract, Revision 2, API508).

Reading a JWT's claims without checking its signature is a hole when the token
came from the client: it then says whatever the client wants.  It is the
standard OpenID Connect pattern when the server itself received the token from
the identity provider, over TLS, at the provider's token endpoint (OIDC Core
3.1.3.7 lets TLS stand in for the signature there): the ``id_token`` of the
code exchange, the token response of ``authorize_access_token()`` or
``fetch_token()``, the tokens an SSO client object keeps after the exchange,
a token the provider's userinfo or introspection endpoint has just accepted.

Only *claims reads* are judged here: a decode given no key at all
(``jwt.decode(token, options={"verify_signature": False})``).  A decode given a
key that then switches verification off stays reported, as does every decode
of a token that simple flow traces to the request (a route or dependency
parameter, ``request.headers``/``cookies``).  When the origin is unknown the
finding stays too, except for the two declared cases: a value named
``id_token`` (an ID token is issued to this server, the relying party, by the
provider) and a function that says in its name or docstring that it reads the
claims unverified (``get_unverified_claims``, like PyJWT's own
``get_unverified_header``): its callers decide what the claims are trusted for.
"""

from __future__ import annotations

import ast
import enum
import re
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.rules.secret_patterns import split_name_words
from fastapi_lint.rules.secrets._common import CheckerBase, _keyword
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import last_name

if TYPE_CHECKING:
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope


class Origin(enum.Enum):
    CLIENT = "client"  # the request: the client chose the token
    PROVIDER = "provider"  # the identity provider, reached by this server over TLS
    UNKNOWN = "unknown"


# Parts of a path that hold what the client sent.
_CLIENT_WORDS = frozenset({"request", "req", "headers", "cookies", "query", "websocket"})
# Annotations of injected request objects.
_REQUEST_TYPES = frozenset({"Request", "WebSocket", "HTTPConnection"})
# A function says its decode is unverified on purpose: ``get_unverified_claims``,
# "Decode JWT claims without signature verification."
_DECLARED_NAME_WORDS = frozenset({"unverified", "insecure"})
_DECLARED_DOC_RE = lazy_compile(
    r"\bunverified\b|without\s+(?:\w+\s+){0,2}verif|(?:does\s+not|doesn't|never)\s+verif"
    r"|no\s+signature\s+verification|not\s+(?:be\s+)?verified",
    re.IGNORECASE,
)
_MAX_DEPTH = 4
# Methods of a request that read what the client sent (``json`` is judged apart: it also
# reads the provider's responses).
_REQUEST_BODY_READERS = frozenset({"form", "body"})
# Words of a value this server received as a client: a ``token_response``, an SSO client
# object (fastapi-sso keeps ``access_token``/``id_token`` after the code exchange).
_RECEIVED_WORDS = frozenset({"response", "resp", "sso"})
# Calls that return their argument, converted or checked: ``str(x)``,
# ``_optional_str(x)``, ``Adapter.validate_python(x)``.
_WRAPPER_WORDS = frozenset({"str", "validate", "optional", "strip", "ensure", "required"})


def _is_wrapper(callee: str) -> bool:
    return bool(_WRAPPER_WORDS & set(_words(callee)))


def _words(name: str) -> list[str]:
    return split_name_words(name)


def _names_id_token(name: str) -> bool:
    """``id_token``, ``raw_id_token``, ``idToken``: an OpenID Connect ID token."""
    words = _words(name)
    return any(a == "id" and b == "token" for a, b in zip(words, words[1:])) or "idtoken" in words


def _is_exchange(function_name: str) -> bool:
    """A call that obtains tokens from the provider's token endpoint: ``fetch_token``,
    ``fetch_access_token``, authlib's ``authorize_access_token``, ``*token_exchange*``,
    ``exchange_code``, ``refresh_token``."""
    words = _words(function_name)
    if "exchange" in words:
        return True
    return "token" in words and bool({"fetch", "authorize", "refresh", "request"} & set(words))


def _combine(origins: list[Origin]) -> Origin:
    if Origin.CLIENT in origins:
        return Origin.CLIENT
    if origins and all(origin is Origin.PROVIDER for origin in origins):
        return Origin.PROVIDER
    return Origin.UNKNOWN


def is_claims_read(call: ast.Call) -> bool:
    """A decode given no key: it reads claims, it does not try to verify anything."""
    return len(call.args) < 2 and _keyword(call, "key") is None and bool(call.args)


class TokenOriginChecks(CheckerBase):
    def provider_claims_read(self, call: ast.Call, scope: Scope) -> bool:
        """Whether an unverified, keyless decode reads claims of a token this server got
        from the identity provider, or sits in a function declared unverified."""
        function = scope.function
        if function is None or not is_claims_read(call):
            return False
        if _declares_unverified(function):
            return True
        token = call.args[0]
        if self.sent_to_provider(token, call, function):
            return True
        return self.token_origin(token, scope, 0) is Origin.PROVIDER

    # ----------------------------------------------------------- origin by simple flow
    def token_origin(self, expr: ast.expr, scope: Scope, depth: int) -> Origin:
        words: list[str] = []
        node: ast.expr = expr
        while True:
            if isinstance(node, ast.Await):
                node = node.value
            elif isinstance(node, ast.Subscript):
                key = node.slice
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    words.append(key.value)
                node = node.value
            elif isinstance(node, ast.Attribute):
                words.append(node.attr)
                node = node.value
            elif isinstance(node, ast.Call):
                func = node.func
                callee = (
                    func.attr
                    if isinstance(func, ast.Attribute)
                    else func.id
                    if isinstance(func, ast.Name)
                    else ""
                )
                if isinstance(func, ast.Attribute) and callee == "get" and node.args:
                    key = node.args[0]
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        words.append(key.value)
                    node = func.value
                elif isinstance(func, ast.Attribute) and callee == "json":
                    # A response body: the provider's token endpoint, unless it is the request's.
                    if self.token_origin(func.value, scope, depth + 1) is Origin.CLIENT:
                        return Origin.CLIENT
                    return Origin.PROVIDER
                elif isinstance(func, ast.Attribute) and callee in _REQUEST_BODY_READERS:
                    # `await request.form()`: what the client posted (an OIDC `form_post`
                    # callback's `id_token` is sent by the browser, not fetched over TLS).
                    if self.token_origin(func.value, scope, depth + 1) is Origin.CLIENT:
                        return Origin.CLIENT
                    break
                elif _is_exchange(callee):
                    return Origin.PROVIDER
                elif node.args and _is_wrapper(callee):
                    node = node.args[0]  # ``str(x)``, ``validate_python(x)``: the same value
                else:
                    break  # a lookup (``get_session(session_id)``): judged by its name
            elif isinstance(node, (ast.BoolOp, ast.IfExp)):
                # ``token or ""``: a literal fallback is no token of anyone's.
                values = node.values if isinstance(node, ast.BoolOp) else [node.body, node.orelse]
                return _combine(
                    [
                        self.token_origin(value, scope, depth + 1)
                        for value in values
                        if not isinstance(value, ast.Constant)
                    ]
                )
            elif isinstance(node, ast.Name):
                words.append(node.id)
                break
            else:
                return Origin.UNKNOWN
        if any(word.lower() in _CLIENT_WORDS for word in words):
            return Origin.CLIENT
        by_name = (
            Origin.PROVIDER
            if any(_names_id_token(word) or _RECEIVED_WORDS & set(_words(word)) for word in words)
            else Origin.UNKNOWN
        )
        if not isinstance(node, ast.Name):
            return by_name
        flowed = self._name_origin(node, scope, depth)
        if flowed is Origin.UNKNOWN:
            return by_name
        return flowed

    def _name_origin(self, name: ast.Name, scope: Scope, depth: int) -> Origin:
        if depth > _MAX_DEPTH:
            return Origin.UNKNOWN
        binding = self.model.lookup(name.id, scope, getattr(name, "lineno", None))
        if binding is None:
            return Origin.UNKNOWN
        if binding.kind is BindingKind.PARAM:
            function = binding.scope.function
            if function is None or name.id in ("self", "cls"):
                return Origin.UNKNOWN
            return self._parameter_origin(function, name.id, binding.annotation, depth)
        if binding.kind is BindingKind.ASSIGN:
            values = [
                other.value
                for other in binding.scope.bindings.get(name.id, [])
                if other.kind is BindingKind.ASSIGN
                and other.value is not None
                and other.unpack_index is None
            ]
            if not values:
                return Origin.UNKNOWN
            return _combine([self.token_origin(v, binding.scope, depth + 1) for v in values])
        return Origin.UNKNOWN

    def _parameter_origin(
        self, function: FunctionInfo, param: str, annotation: ast.expr | None, depth: int
    ) -> Origin:
        facts = self.model.fastapi
        if facts.routes_of(function) or function.qualname in facts.dependency_functions:
            return Origin.CLIENT  # FastAPI fills it from the request
        if annotation is not None and any(
            isinstance(n, (ast.Name, ast.Attribute))
            and (n.id if isinstance(n, ast.Name) else n.attr) in _REQUEST_TYPES
            for n in ast.walk(annotation)
        ):
            return Origin.CLIENT
        origins = [
            self.token_origin(argument, scope, depth + 1)
            for argument, scope in self._call_arguments(function, param)
        ]
        if Origin.CLIENT in origins:
            return Origin.CLIENT
        if origins and all(origin is Origin.PROVIDER for origin in origins):
            return Origin.PROVIDER
        return Origin.UNKNOWN

    def _call_arguments(self, function: FunctionInfo, param: str) -> list[tuple[ast.expr, Scope]]:
        """What the calls of ``function`` in this module pass as ``param``."""
        args = function.node.args
        positional = [arg.arg for arg in args.posonlyargs + args.args]
        if param not in positional and param not in [arg.arg for arg in args.kwonlyargs]:
            return []
        index = positional.index(param) if param in positional else -1
        bound = function.is_method and bool(positional) and positional[0] in ("self", "cls")
        found: list[tuple[ast.expr, Scope]] = []
        for ref in self.model.calls:
            call = ref.node
            assert isinstance(call, ast.Call)
            func = call.func
            if isinstance(func, ast.Name):
                if func.id != function.name or function.is_method:
                    continue
                shift = 0
            elif isinstance(func, ast.Attribute) and func.attr == function.name:
                shift = 1 if bound else 0
            else:
                continue
            keyword = _keyword(call, param)
            if keyword is not None:
                found.append((keyword.value, ref.scope))
            elif 0 <= index - shift < len(call.args) and not any(
                isinstance(arg, ast.Starred) for arg in call.args[: index - shift + 1]
            ):
                found.append((call.args[index - shift], ref.scope))
        return found

    # ----------------------------------------------------------- userinfo / introspection
    def sent_to_provider(self, token: ast.expr, call: ast.Call, function: FunctionInfo) -> bool:
        """The function sent the same token to the provider's userinfo or introspection
        endpoint before reading its claims: the provider accepted it."""
        wanted = ast.dump(token)
        for ref in self.model.calls:
            other = ref.node
            assert isinstance(other, ast.Call)
            if ref.scope.function is not function or other.lineno >= call.lineno:
                continue
            func = other.func
            callee = last_name(func)
            words = _words(callee)
            if not ("userinfo" in words or "introspect" in words or "introspection" in words):
                if not any(a == "user" and b == "info" for a, b in zip(words, words[1:])):
                    continue
            for argument in [*other.args, *(k.value for k in other.keywords)]:
                if self._holds(argument, wanted, ref.scope):
                    return True
        return False

    def _holds(self, node: ast.expr, wanted: str, scope: Scope) -> bool:
        for part in ast.walk(node):
            if ast.dump(part) == wanted:
                return True
            if isinstance(part, ast.Name):
                binding = self.model.lookup(part.id, scope, getattr(part, "lineno", None))
                if (
                    binding is not None
                    and binding.kind is BindingKind.ASSIGN
                    and binding.value is not None
                    and any(ast.dump(inner) == wanted for inner in ast.walk(binding.value))
                ):
                    return True
        return False


def _declares_unverified(function: FunctionInfo) -> bool:
    if set(_words(function.name)) & _DECLARED_NAME_WORDS:
        return True
    docstring = ast.get_docstring(function.node)
    return bool(docstring and _DECLARED_DOC_RE.search(docstring))

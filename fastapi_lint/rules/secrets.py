"""API5xx: secrets and security.

Name-only secret detectors (ruff S105-S107, bandit B105-B107) match one
regex on names and drown users in ``token_type = "bearer"`` and
``tokenUrl="token"`` while missing ``apiKey``, annotated fields, settings
defaults and ``os.getenv("SECRET_KEY", "dev-secret")``.  These rules combine
the name (``secret_patterns.is_secret_like_name``), the value
(``is_secret_value``) and known credential formats (``find_credential``),
and know where FastAPI code keeps its secrets: Pydantic ``BaseSettings``
fields, env lookups, JWT/itsdangerous/Fernet keys, ``SessionMiddleware``.

At most one API5xx finding per string literal (RULES.md): the first of
API504, API503, API502, API506, API505, API501 that applies.  Findings are
reported at the literal; messages show a secret only through ``redact``.

The rule iterates the nodes the model recorded (constants, assignments,
dicts, calls, comparisons) and checks the cheap conditions first; it never
walks the tree itself.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from fastapi_lint.registry import Family, FixAvailability, Rule
from fastapi_lint.rules.secret_patterns import (
    find_credential,
    is_secret_like_name,
    is_secret_value,
    is_url_password_secret,
    redact,
    split_name_words,
    url_password,
)
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.model import BindingKind
from fastapi_lint.settings import RuleOptions, is_test_file

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ClassInfo, ModuleModel, Scope

_FASTAPI_APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"

API501 = Rule(
    code="API501",
    name="hardcoded-secret",
    message="hardcoded secret {value} assigned to `{name}`; load it from the environment or a secrets manager",
    summary="Checks for string literals assigned to, passed as or compared with secret-like names.",
    why=(
        "A secret in source code is shared with everyone who can read the repository, its forks, "
        "its history and every image built from it, and it cannot be rotated without a release. "
        'Unlike name-only checks, values that are not secrets (`token_type = "bearer"`, '
        '`tokenUrl="token"`, env-var names, paths, sentences, placeholders with `xxxx` or `<...>`) '
        'are not reported; weak placeholders such as `"changeme"` are: they reach production.'
    ),
    example=(
        "import psycopg2\n\n\ndef connect() -> object:\n"
        '    return psycopg2.connect(host="db", user="app", password="s3cr3t-Pa55")\n'
    ),
    use_instead=(
        "import os\n\nimport psycopg2\n\n\ndef connect() -> object:\n"
        '    return psycopg2.connect(host="db", user="app", password=os.environ["DB_PASSWORD"])\n'
    ),
    options=(
        "`extra-secret-names`: more names (or words) that are secret-like. "
        "`ignored-secret-names`: names that never are. "
        "`extra-placeholders`: values that are placeholders, never secrets. "
        "`secrets-in-tests`: report in test files too."
    ),
)
API502 = Rule(
    code="API502",
    name="secret-env-fallback",
    fix=FixAvailability.UNSAFE,
    fix_description='Replaces `os.getenv(NAME, "literal")` with `os.environ[NAME]`: unsafe, because the program now fails at start-up when the variable is unset.',
    message="`{lookup}` falls back to the hardcoded secret {value} when `{variable}` is unset; fail instead of shipping a default",
    summary="Checks for environment lookups of secrets with a hardcoded fallback value.",
    why=(
        '`os.getenv("SECRET_KEY", "dev-secret")` runs in production with the development secret '
        "as soon as the variable is missing or misspelled, and nobody notices: every token signed "
        "with it can be forged by anyone who has read the code."
    ),
    example=(
        "import os\n\nimport jwt\n\n"
        'SECRET_KEY = os.getenv("SECRET_KEY", "dev-secret-key")\n\n\n'
        "def sign(claims: dict[str, str]) -> str:\n"
        '    return jwt.encode(claims, SECRET_KEY, algorithm="HS256")\n'
    ),
    use_instead=(
        "import os\n\nimport jwt\n\n"
        'SECRET_KEY = os.environ["SECRET_KEY"]  # KeyError at startup when missing\n\n\n'
        "def sign(claims: dict[str, str]) -> str:\n"
        '    return jwt.encode(claims, SECRET_KEY, algorithm="HS256")\n'
    ),
    options=API501.options,
)
API503 = Rule(
    code="API503",
    name="secret-settings-default",
    message="settings field `{field}` of `{settings}` has the hardcoded default {value}; declare it without a default so it must come from the environment",
    summary="Checks for secret-like fields of Pydantic `BaseSettings` classes with a string default.",
    why=(
        "A default makes the setting optional: a deployment that forgets the variable starts "
        "without error and runs with the secret everybody can read in the repository."
    ),
    example=(
        "from pydantic_settings import BaseSettings\n\n\n"
        "class Settings(BaseSettings):\n"
        '    database_url: str = "sqlite:///./app.db"\n'
        '    secret_key: str = "change-this-secret"\n'
    ),
    use_instead=(
        "from pydantic import SecretStr\nfrom pydantic_settings import BaseSettings\n\n\n"
        "class Settings(BaseSettings):\n"
        '    database_url: str = "sqlite:///./app.db"\n'
        "    secret_key: SecretStr  # required: read from SECRET_KEY\n"
    ),
    options=API501.options,
)
API504 = Rule(
    code="API504",
    name="known-credential-format",
    message="string contains a {label} {value}; revoke it and load it from the environment",
    summary="Checks for string literals containing a known credential format (cloud, VCS, payment, AI provider keys, private keys, JWTs).",
    why=(
        "These formats are unambiguous: the string is a live credential whatever it is assigned to. "
        "Scanners harvest public repositories for them within minutes; a key that was ever "
        "committed must be revoked, not just deleted."
    ),
    example='import stripe\n\nstripe.api_key = "sk_live_' + "4eC39HqLyjWDarjtT1zdp7dc" + '"\n',
    use_instead='import os\n\nimport stripe\n\nstripe.api_key = os.environ["STRIPE_API_KEY"]\n',
    options="`secrets-in-tests`: report in test files too.",
)
API505 = Rule(
    code="API505",
    name="credentials-in-url",
    message="`{scheme}://` URL embeds the password {value}; build the URL from settings or the environment",
    summary="Checks for URL literals with a password: `scheme://user:password@host`.",
    why=(
        "Connection URLs are logged, printed in tracebacks and shown in admin pages; a password in "
        "one leaks with it. Default credentials (`postgres:postgres`) in a URL that reaches "
        "production are the first thing an attacker tries."
    ),
    example=(
        "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
        'engine = create_async_engine("postgresql+asyncpg://app:Tr0ub4dor@db/app")\n'
    ),
    use_instead=(
        "import os\n\nfrom sqlalchemy.ext.asyncio import create_async_engine\n\n"
        'engine = create_async_engine(os.environ["DATABASE_URL"])\n'
    ),
    options=(
        "`extra-placeholders`: password values that are placeholders. "
        "`secrets-in-tests`: report in test files too."
    ),
)
API506 = Rule(
    code="API506",
    name="hardcoded-signing-key",
    message="`{call}` uses the hardcoded {what} {value}; load the key from settings or the environment",
    summary="Checks for literal keys passed to JWT, HMAC, itsdangerous, Fernet and `SessionMiddleware`.",
    why=(
        "Whoever knows a signing key can forge tokens and session cookies (log in as anyone); "
        "whoever knows an encryption key can read the data. A literal key is known to everyone "
        "who can read the code."
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
API508 = Rule(
    code="API508",
    name="jwt-verification-disabled",
    message="`{call}` {problem}; {advice}",
    summary="Checks for JWT decoding that skips signature verification or does not pin the algorithms.",
    why=(
        "A token whose signature is not verified is whatever the client says it is. Without "
        "`algorithms=`, old PyJWT versions accept the algorithm the token names (`none`, or an "
        "HMAC keyed with the public key); PyJWT 2 raises at run time."
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

# Header names whose literal value (``Bearer <credential>``) is a credential.
_AUTH_HEADERS = frozenset({"authorization", "proxy-authorization"})

# Compared with a secret-like name, these values are code detecting an
# unconfigured placeholder, not a credential.
_PLACEHOLDER_CHECK_RE = re.compile(r"placeholder|your|change_?me|changethis|replace_?me", re.I)

# Precedence among findings on one literal (RULES.md): lower wins.
_RANK = {"API504": 0, "API503": 1, "API502": 2, "API506": 3, "API505": 4, "API501": 5}

# Keywords and keys under which literals are example data (OpenAPI docs).
_EXAMPLE_KEYS = frozenset(
    {"example", "examples", "json_schema_extra", "schema_extra", "openapi_examples"}
)

_SETTINGS_BASES = frozenset(
    {
        "pydantic_settings.BaseSettings",
        "pydantic.BaseSettings",
        "pydantic.v1.BaseSettings",
        "pydantic.v1.env_settings.BaseSettings",
    }
)

# Environment lookups: qualified name -> (position of the variable, of the default).
_ENV_LOOKUPS: dict[str, tuple[int, int]] = {
    "os.getenv": (0, 1),
    "os.environ.get": (0, 1),
    "os.environ.setdefault": (0, 1),
    "os.environ.pop": (0, 1),
    "decouple.config": (0, -1),  # decouple: default is keyword-only in practice
    "decouple.AutoConfig": (0, -1),
    "decouple.Config": (0, -1),
    "starlette.config.Config": (0, 2),  # Config.__call__(key, cast=None, default=...)
}
_STARLETTE_CONFIG = "starlette.config.Config"

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
_SESSION_MIDDLEWARE = "starlette.middleware.sessions.SessionMiddleware"
_CORS_MIDDLEWARE = "starlette.middleware.cors.CORSMiddleware"
_MIDDLEWARE = "starlette.middleware.Middleware"
_ANY_ORIGIN_REGEXES = frozenset({".*", "^.*$", ".+", "^.+$", ".*$", "^.*"})

# Last names of the calls above: cheap pre-filter before resolving a callee.
_INTERESTING_CALLEES = frozenset(
    {name.rsplit(".", 1)[-1] for name in (*_ENV_LOOKUPS, *_SIGNING_CALLS)}
    | _ITSDANGEROUS_CLASSES
    | {"add_middleware", "Middleware", "CORSMiddleware", "config"}
)

_PYJWT_DECODE = frozenset({"jwt.decode", "jwt.decode_complete", "jwt.PyJWT.decode"})
_JOSE_DECODE = frozenset({"jose.jwt.decode"})

_MAX_FLOW_DEPTH = 4
_MIN_CREDENTIAL_LENGTH = 15  # the shortest detected format: ``xoxb-`` and 10 characters
_MIN_URL_LENGTH = 9  # ``a://b:c@d``

Literal = Union[ast.Constant, ast.JoinedStr]


@dataclass
class _Candidate:
    code: str
    node: Literal
    fields: dict[str, Any] = field(default_factory=dict)


def _options(model: ModuleModel) -> RuleOptions:
    options = model.options.get("rule_options")
    return options if isinstance(options, RuleOptions) else RuleOptions()


def _is_test_module(model: ModuleModel) -> bool:
    """``is_test_file`` on the path relative to the project root, when known.

    A project checked out under ``~/test/`` is not test code: only the path
    inside the project counts.
    """
    path = model.path
    if model.project is not None:
        try:
            path = Path(path).resolve().relative_to(model.project.root).as_posix()
        except (ValueError, OSError):
            pass
    return is_test_file(path)


def _text(node: ast.AST) -> str | None:
    """A str literal's value (bytes decoded when ASCII), else None."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str):
            return value
        if isinstance(value, bytes):
            try:
                return value.decode("ascii")
            except UnicodeDecodeError:
                return None
    return None


def _dotted(node: ast.AST) -> str | None:
    """``settings.secret`` -> ``"settings.secret"``; None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _target_name(node: ast.AST) -> str | None:
    """The name a value is stored under: a variable, attribute or constant subscript key."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return _dotted(node) or node.attr
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    return None


def _keyword(call: ast.Call, *names: str) -> ast.keyword | None:
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword
    return None


def _argument(call: ast.Call, position: int, *names: str) -> ast.expr | None:
    keyword = _keyword(call, *names) if names else None
    if keyword is not None:
        return keyword.value
    if 0 <= position < len(call.args) and not any(
        isinstance(arg, ast.Starred) for arg in call.args[: position + 1]
    ):
        return call.args[position]
    return None


def _names_its_value(name: str, value: str) -> bool:
    """``PASSWORD = "password"``, ``RESOURCE_TYPE_GATEWAY_SECRET = "gateway_secret"``.

    The value is the name's own words: a label or an identifier, not a secret.
    A longer name may end with a value of two words or more; a one-word value
    under a longer name (``DB_PASSWORD = "password"``) stays a weak password.
    """
    name_words = split_name_words(name)
    value_words = split_name_words(value)
    if value_words == name_words:
        return True
    return (
        len(value_words) >= 2
        and value.replace("_", "").replace("-", "").isalnum()
        and name_words[-len(value_words) :] == value_words
    )


class _Checker:
    def __init__(self, model: ModuleModel, reporter: Reporter, options: RuleOptions) -> None:
        self.model = model
        self.reporter = reporter
        self.options = options
        self.candidates: dict[int, _Candidate] = {}
        self._names: dict[str, bool] = {}
        self._settings: dict[int, bool] = {}
        self.enabled = {rule.code for rule in FAMILY.rules if reporter.enabled(rule.code)}

    # ----------------------------------------------------------- helpers
    def offer(self, code: str, node: Literal, **fields: Any) -> None:
        """A finding on a literal; the best-ranked one per literal is reported."""
        if code not in self.enabled:
            return
        current = self.candidates.get(id(node))
        if current is None or _RANK[code] < _RANK[current.code]:
            self.candidates[id(node)] = _Candidate(code, node, fields)

    def secret_name(self, name: str) -> bool:
        known = self._names.get(name)
        if known is None:
            options = self.options
            last = name.rsplit(".", 1)[-1]
            known = is_secret_like_name(
                last, options.extra_secret_names, options.ignored_secret_names
            ) and not (
                last != name and name.lower() in {n.lower() for n in options.ignored_secret_names}
            )
            self._names[name] = known
        return known

    def secret_value(self, value: str) -> bool:
        return is_secret_value(value, self.options.extra_placeholders)

    def in_example_data(self, node: ast.AST) -> bool:
        """Whether a literal sits in OpenAPI example data (``examples=``, ``json_schema_extra``...)."""
        child = node
        for ancestor in self.model.ancestors(node):
            if isinstance(ancestor, ast.keyword):
                if ancestor.arg in _EXAMPLE_KEYS:
                    return True
            elif isinstance(ancestor, ast.Dict):
                for key, value in zip(ancestor.keys, ancestor.values):
                    if (
                        value is child
                        and isinstance(key, ast.Constant)
                        and key.value in _EXAMPLE_KEYS
                    ):
                        return True
            elif isinstance(ancestor, (ast.Assign, ast.AnnAssign)):
                targets = (
                    ancestor.targets if isinstance(ancestor, ast.Assign) else [ancestor.target]
                )
                return any(
                    isinstance(target, ast.Name) and target.id in _EXAMPLE_KEYS
                    for target in targets
                )
            elif isinstance(ancestor, ast.stmt):
                return False
            child = ancestor
        return False

    def name_assignment(self, name: str | None, literal: ast.AST) -> None:
        """API501 for ``name = literal`` in any of its forms."""
        if name is None or not isinstance(literal, ast.Constant) or " " in name:
            return
        value = _text(literal)
        if not value:
            return
        if name.lower() in _AUTH_HEADERS:
            # ``{"Authorization": "Bearer 9f8e..."}``: the header value is the credential.
            if " " not in value.strip():
                return
        elif not self.secret_name(name):
            return
        if not self.secret_value(value) or _names_its_value(name.rsplit(".", 1)[-1], value):
            return  # ``PASSWORD = "password"`` in an enum or a form: the name is the value
        if self.in_example_data(literal) or self.in_enum_body(literal):
            return
        self.offer("API501", literal, name=name, value=redact(value))

    def in_enum_body(self, literal: ast.AST) -> bool:
        """An enum member (``class Grant(str, Enum): PASSWORD = "pw"``) is a constant, not a secret."""
        statement = self.model.parent(literal)
        if not isinstance(statement, (ast.Assign, ast.AnnAssign)):
            return False
        class_node = self.model.parent(statement)
        if not isinstance(class_node, ast.ClassDef):
            return False
        class_info = self.model.class_by_node.get(id(class_node))
        if class_info is None:
            return False
        for base in class_node.bases:
            qualname = self.model.qualified_name(base, class_info.outer) or ""
            if qualname.startswith("enum.") or qualname.endswith("Enum"):
                return True
        return False

    # ----------------------------------------------------------- run
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
                    self.check_compare(ref.node)  # type: ignore[arg-type]
                self.check_defaults()
            if "API503" in self.enabled:
                self.check_settings_classes()
        for ref in model.nodes[ast.Call]:
            self.check_call(ref.node, ref.scope)  # type: ignore[arg-type]
        for candidate in self.candidates.values():
            self.reporter.report(candidate.code, candidate.node, **candidate.fields)

    # ----------------------------------------------------------- API504, API505
    def check_constants(self) -> None:
        model = self.model
        want_credentials = "API504" in self.enabled
        want_urls = "API505" in self.enabled
        f_strings_seen: set[int] = set()
        for ref in model.nodes[ast.Constant]:
            node = ref.node
            assert isinstance(node, ast.Constant)
            value = node.value
            if isinstance(value, bytes):
                if want_credentials and len(value) >= _MIN_CREDENTIAL_LENGTH:
                    self.check_credential(node, value.decode("latin-1"))
                continue
            if not isinstance(value, str):
                continue
            parent = model.parent(node)
            if isinstance(parent, ast.JoinedStr):
                if want_credentials and len(value) >= _MIN_CREDENTIAL_LENGTH:
                    self.check_credential(parent, value)
                if (
                    want_urls
                    and ("@" in value or "://" in value)
                    and id(parent) not in f_strings_seen
                ):
                    f_strings_seen.add(id(parent))
                    # The f-string with its fields as ``{}``: a field password is a placeholder.
                    text = "".join(
                        str(part.value) if isinstance(part, ast.Constant) else "{}"
                        for part in parent.values
                    )
                    if "@" in text and "://" in text:
                        self.check_url(parent, text)
                continue
            if len(value) < _MIN_URL_LENGTH:
                continue
            if want_credentials and len(value) >= _MIN_CREDENTIAL_LENGTH:
                self.check_credential(node, value)
            if want_urls and "@" in value and "://" in value:
                self.check_url(node, value)

    def check_credential(self, literal: Literal, value: str) -> None:
        match = find_credential(value)
        if match is not None:
            self.offer(
                "API504", literal, label=match.label, value=redact(value[match.start : match.end])
            )

    def check_url(self, literal: Literal, text: str) -> None:
        stripped = text.strip()
        scheme_end = stripped.find("://")
        if scheme_end <= 0 or any(char.isspace() for char in stripped):
            return  # a URL literal, not text that mentions one
        scheme = stripped[:scheme_end]
        if not (scheme[0].isalpha() and all(c.isalnum() or c in "+.-" for c in scheme)):
            return
        password = url_password(stripped)
        if password is None or not is_url_password_secret(
            password, self.options.extra_placeholders
        ):
            return
        parent = self.model.parent(literal)
        if (
            isinstance(parent, ast.Attribute)
            and parent.attr == "format"
            and isinstance(self.model.parent(parent), ast.Call)
        ):
            return  # a template: ``"postgresql://{user}:pw@{host}".format(...)``
        self.offer("API505", literal, scheme=scheme, value=redact(password))

    # ----------------------------------------------------------- API501 / API503 assignments
    def check_assignment(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                for sub_target, sub_value in zip(target.elts, value.elts):
                    self.check_assignment(sub_target, sub_value)
            return
        # ``password: str = Field(default="x")`` and ``SecretStr("x")`` hold a literal too.
        literal = _field_default_literal(value)
        if literal is not None:
            self.name_assignment(_target_name(target), literal)

    def check_dict(self, node: ast.Dict) -> None:
        pairs = [
            (key.value, value)
            for key, value in zip(node.keys, node.values)
            if isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and isinstance(value, ast.Constant)
        ]
        for name, value in pairs:
            if "." in name:
                continue  # a dotted path (``"app.routes.get_credentials"``) is no variable name
            if any(
                other is not value and other.value == value.value and not self.secret_name(key)
                for key, other in pairs
            ):
                # A mapping table: ``{"tel": "textbox", "password": "textbox"}``,
                # ``{"pass": "password", "passwd": "password"}``.
                continue
            self.name_assignment(name, value)

    def check_compare(self, node: ast.Compare) -> None:
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            return
        left, right = node.left, node.comparators[0]
        for name_side, literal in ((left, right), (right, left)):
            if isinstance(literal, ast.Constant) and not isinstance(name_side, ast.Constant):
                name = _target_name(name_side)
                if name is None and isinstance(name_side, ast.Call):
                    # ``data.get("password") == "x"``
                    func = name_side.func
                    if isinstance(func, ast.Attribute) and func.attr == "get" and name_side.args:
                        name = _text(name_side.args[0])
                value = _text(literal)
                if value and _PLACEHOLDER_CHECK_RE.search(value):
                    continue  # ``if api_key == "YOUR_API_KEY"``: code checking for the placeholder
                self.name_assignment(name, literal)

    def check_defaults(self) -> None:
        for function in self.model.functions:
            args = function.node.args
            positional = args.posonlyargs + args.args
            for arg, default in zip(
                positional[len(positional) - len(args.defaults) :], args.defaults
            ):
                if isinstance(default, ast.Constant):
                    self.name_assignment(arg.arg, default)
            for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
                if isinstance(kw_default, ast.Constant):
                    self.name_assignment(arg.arg, kw_default)

    def check_settings_classes(self) -> None:
        model = self.model
        for class_info in model.classes:
            if not self.is_settings_class(class_info):
                continue
            for statement in class_info.node.body:
                targets: list[ast.expr]
                if isinstance(statement, ast.AnnAssign) and statement.value is not None:
                    targets = [statement.target]
                    value = statement.value
                elif isinstance(statement, ast.Assign):
                    targets, value = statement.targets, statement.value
                else:
                    continue
                literal = _field_default_literal(value)
                if literal is None:
                    continue
                text = _text(literal)
                if not text:
                    continue
                for target in targets:
                    if (
                        isinstance(target, ast.Name)
                        and self.secret_name(target.id)
                        and self.secret_value(text)
                    ):
                        self.offer(
                            "API503",
                            literal,
                            field=target.id,
                            settings=class_info.name,
                            value=redact(text),
                        )

    def is_settings_class(self, class_info: ClassInfo, depth: int = 0) -> bool:
        cached = self._settings.get(id(class_info.node))
        if cached is not None:
            return cached
        self._settings[id(class_info.node)] = False  # cycles
        result = self._is_settings_class(class_info, depth)
        self._settings[id(class_info.node)] = result
        return result

    def _is_settings_class(self, class_info: ClassInfo, depth: int) -> bool:
        model = self.model
        for base in class_info.node.bases:
            qualname = model.qualified_name(base, class_info.outer)
            if qualname is None:
                continue
            qualname = stubs.canonical(qualname)
            if qualname in _SETTINGS_BASES:
                return True
            local = next((c for c in model.classes if c.qualname == qualname), None)
            if local is not None:
                if depth < 8 and self.is_settings_class(local, depth + 1):
                    return True
            elif model.project is not None:
                bases = model.project.class_bases(qualname)
                if any(stubs.canonical(b) in _SETTINGS_BASES for b in bases):
                    return True
        return False

    # ----------------------------------------------------------- calls
    def check_call(self, call: ast.Call, scope: Scope) -> None:
        model = self.model
        enabled = self.enabled
        if "API501" in enabled:
            for keyword in call.keywords:
                if keyword.arg is not None and isinstance(keyword.value, ast.Constant):
                    self.name_assignment(keyword.arg, keyword.value)
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
                    self.check_env_lookup(call, _STARLETTE_CONFIG)
            return
        if callee == "add_middleware":
            self.check_middleware(call, call.args[0] if call.args else None, scope, 1)
            return
        target = model.call_target(call, scope)
        if target is None:
            if (
                "API502" in enabled
                and _may_be_config_call(call)
                and model.type_of(func, scope) == _STARLETTE_CONFIG
            ):
                self.check_env_lookup(call, _STARLETTE_CONFIG)
            return
        target = stubs.canonical(target)
        if target in _ENV_LOOKUPS:
            if "API502" in enabled:
                self.check_env_lookup(call, target)
            return
        if target == _MIDDLEWARE:
            self.check_middleware(call, call.args[0] if call.args else None, scope, 1)
            return
        if target == _CORS_MIDDLEWARE or target == _SESSION_MIDDLEWARE:
            self.check_middleware(call, None, scope, 0, middleware=target)
            return
        if "API506" in enabled:
            self.check_signing_call(call, target)
        if "API508" in enabled and (target in _PYJWT_DECODE or target in _JOSE_DECODE):
            self.check_jwt_decode(call, target, scope)

    # API502
    def check_env_lookup(self, call: ast.Call, target: str) -> None:
        variable_position, default_position = _ENV_LOOKUPS[target]
        variable_node = _argument(call, variable_position, "key", "option")
        variable = _text(variable_node) if variable_node is not None else None
        fallback = _argument(call, default_position, "default")
        candidates: list[ast.expr] = [] if fallback is None else [fallback]
        parent = self.model.parent(call)
        if isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.Or):
            # ``os.getenv("SECRET_KEY") or "dev-secret"``
            index = next(i for i, v in enumerate(parent.values) if v is call)
            candidates.extend(parent.values[index + 1 : index + 2])
            parent = self.model.parent(parent)
        literals = [node for node in candidates if isinstance(node, ast.Constant)]
        if not literals:
            return
        assigned = _assigned_name(self.model, call)
        names = [name for name in (variable, assigned) if name]
        if not any(self.secret_name(name) for name in names):
            return
        lookup = _lookup_display(target, variable)
        for literal in literals:
            value = _text(literal)
            if value and self.secret_value(value):
                self.offer(
                    "API502",
                    literal,
                    lookup=lookup,
                    variable=variable or assigned or "?",
                    value=redact(value),
                )

    # API506
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
        self.check_signing_key(call, position, display)

    def check_signing_key(self, call: ast.Call, position: int, display: str) -> None:
        nodes: list[ast.expr] = []
        if 0 <= position < len(call.args) and not any(
            isinstance(arg, ast.Starred) for arg in call.args[: position + 1]
        ):
            nodes.append(call.args[position])
        nodes.extend(k.value for k in call.keywords if k.arg in _KEY_KEYWORDS)
        for node in nodes:
            if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
                if not node.value:
                    continue
                text = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
                what = "encryption key" if "Fernet" in display else "signing key"
                self.offer("API506", node, call=display + "()", what=what, value=redact(text))

    # API506 (SessionMiddleware), API507 (CORSMiddleware)
    def check_middleware(
        self,
        call: ast.Call,
        middleware_node: ast.expr | None,
        scope: Scope,
        first_option: int,
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

    def resolved(self, node: ast.expr, scope: Scope, depth: int) -> ast.expr | None:
        """A name's assigned value by simple flow (this module or a project module)."""
        if not isinstance(node, ast.Name) or depth > _MAX_FLOW_DEPTH:
            return None
        model = self.model
        binding = model.lookup(node.id, scope, getattr(node, "lineno", None))
        if binding is None:
            return None
        if binding.kind is BindingKind.ASSIGN:
            if binding.value is not None and binding.unpack_index is None:
                return binding.value
            return None
        if binding.kind is BindingKind.IMPORT and model.project is not None and binding.qualname:
            definition = model.project.definition(binding.qualname)
            if definition is not None:
                _, other = definition
                if other.kind is BindingKind.ASSIGN and other.unpack_index is None:
                    value = other.value
                    # Only literal containers and constants: they need no scope.
                    if isinstance(value, (ast.Constant, ast.List, ast.Tuple, ast.Set)):
                        return value
        return None

    def literal_value(self, node: ast.expr, scope: Scope, depth: int) -> object:
        if isinstance(node, ast.Constant):
            return node.value
        value = self.resolved(node, scope, depth)
        if value is not None:
            return self.literal_value(value, scope, depth + 1)
        return None

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

    # API508
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
            and _keyword(call, "algorithms") is None
            and len(call.args) < 3
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
        self.reporter.report(
            "API508",
            call,
            call=display,
            problem=problem,
            advice="verify the token with its key and `algorithms=`",
        )

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


def _field_default_literal(value: ast.expr) -> ast.Constant | None:
    """The string literal a field default holds: ``"x"``, ``SecretStr("x")``,
    ``Field(default="x")``, ``Field("x")``; None otherwise."""
    for _ in range(3):
        if isinstance(value, ast.Constant):
            return value if isinstance(value.value, (str, bytes)) else None
        if not isinstance(value, ast.Call) or not isinstance(value.func, (ast.Name, ast.Attribute)):
            return None
        callee = value.func.id if isinstance(value.func, ast.Name) else value.func.attr
        if callee in ("SecretStr", "SecretBytes"):
            if not value.args:
                return None
            value = value.args[0]
        elif callee == "Field":
            default = _argument(value, 0, "default")
            if default is None:
                return None
            value = default
        else:
            return None
    return None


def _may_be_config_call(call: ast.Call) -> bool:
    """``config("NAME", ..., default=<literal>)``: worth resolving the callee."""
    return (
        bool(call.args)
        and isinstance(call.args[0], ast.Constant)
        and (len(call.args) >= 3 or _keyword(call, "default") is not None)
    )


def _assigned_name(model: ModuleModel, node: ast.AST) -> str | None:
    """The name an expression's value is stored under: assignment target, keyword, dict key."""
    parent = model.parent(node)
    if isinstance(parent, ast.BoolOp):
        node, parent = parent, model.parent(parent)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        return _target_name(parent.targets[0])
    if isinstance(parent, ast.AnnAssign):
        return _target_name(parent.target)
    if isinstance(parent, ast.keyword):
        return parent.arg
    if isinstance(parent, ast.Dict):
        for key, value in zip(parent.keys, parent.values):
            if value is node and isinstance(key, ast.Constant) and isinstance(key.value, str):
                return key.value
    return None


def _lookup_display(target: str, variable: str | None) -> str:
    name = {
        "starlette.config.Config": "config",
        "decouple.config": "config",
        "decouple.AutoConfig": "config",
        "decouple.Config": "config",
    }.get(target, target)
    shown = f'"{variable}"' if variable else "..."
    return f"{name}({shown}, ...)"


def check(model: ModuleModel, reporter: Reporter) -> None:
    options = _options(model)
    if not options.secrets_in_tests and _is_test_module(model):
        return
    _Checker(model, reporter, options).run()


FAMILY = Family(
    prefix="API5",
    title="Secrets and security",
    rules=(API501, API502, API503, API504, API505, API506, API507, API508),
    check=check,
)

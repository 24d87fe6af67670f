"""API501 hardcoded-secret: a secret-like name given a literal that could work as a credential."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.registry import Rule
from fastapi_lint.rules.secret_patterns import (
    is_secret_value,
    names_onchain_assets,
    redact,
    split_name_words,
)
from fastapi_lint.rules.secrets._common import (
    CheckerBase,
    _field_default_literal,
    _target_name,
    _text,
)
from fastapi_lint.rules.secrets.canaries import planted_canary
from fastapi_lint.rules.secrets.cli_choices import declared_cli_name
from fastapi_lint.rules.secrets.credential_values import (
    could_be_credential,
    is_random_looking,
    is_weak_password,
)
from fastapi_lint.rules.secrets.refused_defaults import refusing_body
from fastapi_lint.rules.secrets.templates import class_templates, template_password, templates
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.builder import MATCH_VALUE
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

API501 = Rule(
    code="API501",
    name="hardcoded-secret",
    message="hardcoded secret {value} {how} `{name}`; load it from the environment or a secrets manager",
    summary="Checks for string literals assigned to, passed as or compared with secret-like names.",
    why=(
        "A secret in source code is shared with everyone who can read the repository, its forks, "
        "its history and every image built from it, and it cannot be rotated without a release. "
        'Unlike name-only checks, values that are not secrets (`token_type = "bearer"`, '
        '`tokenUrl="token"`, env-var names, paths, sentences, placeholders with `xxxx` or `<...>`) '
        "are not reported, nor values no service would accept as a credential: sentinels compared "
        'against (`if user.password == "LDAP"`; a command-line option `token == "--verbose"`), redaction markers (`"REDACTED"`), dummy keys for '
        'providers that need none (`api_key="ollama"`) and the placeholder spelled out in words '
        'under an API-key name (`OPENAI_API_KEY` defaulted to `"sk-placeholder-for-openapi-export"`), '
        'names (`{"token": "access_token"}`), '
        'the field of a secret that the function uses as a mapping key (`secret_key = "password"` '
        'then `secret_data[secret_key]`; a constant `WIFI_PASSWORD_KEY = "password"`), '
        'labels of in-process auth objects (`Auth(token="ui-session", key_name="ui-session")`), '
        'defaults a check refuses (`if settings.jwt_secret == "dev-secret": raise ...`), '
        "bait that a leak guard only searches for (`CANARY_PASSWORD` read as `if bait in prompt`), "
        "tokenizer tokens, addresses of on-chain tokens (`TOKEN_PROGRAM`, `USDC_TOKEN_MINT`), "
        'terminal escape sequences (`GREEN_TOKEN = "\\033[92m"`), the public '
        "half of a key pair (`VAPID_PUBLIC_KEY`, a signature scheme's `RECEIPT_VERIFYING_KEY`), "
        'the nonce of a WebSocket handshake (`"Sec-WebSocket-Key": "dGhl..."` in an upgrade '
        "probe), "
        'words stored where a password hash belongs (`password_hash="seed-user-no-login"`: '
        "nothing a user types hashes to it, so the account is locked; a digest stays reported) "
        "and messages "
        'or labels in scripts written without spaces (a locale table\'s `"password_mismatch": '
        '"パスワードが一致しません"`). '
        'Random-looking keys, weak passwords (`"admin"`, `"changeme"`; compared with, when what '
        'the caller sends is let in on a match: `if password == "root": return token`) and '
        "passwords of words and separators are reported: they reach production. So are the "
        "random-looking entries of a keyring, a list, tuple, set or dict literal whose name ends "
        'in the secret (`PARTNER_API_KEYS = {"acme": "pk_4f9a1c7e2b8d6053"}`); words there are a '
        'denylist or field names (`_WEAK_PASSWORDS = {"12345678", "password"}`, '
        '`SENSITIVE_CREDENTIAL_KEYS = ["password", "secret"]`), and `PASSWORD_HASHERS` or '
        "`API_KEY_HEADERS` hold kinds and names."
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

# Header names whose literal value (``Bearer <credential>``) is a credential.
_AUTH_HEADERS = frozenset({"authorization", "proxy-authorization"})

# Compared with a secret-like name, these values are code detecting an
# unconfigured placeholder, not a credential.
_MATCH_TYPES: tuple[type, ...] = (ast.Match,) if hasattr(ast, "Match") else ()
_PLACEHOLDER_CHECK_RE = lazy_compile(
    r"placeholder|your|change[-_]?me|change[-_]?this|replace[-_]?me", re.I
)

# Keywords and keys under which literals are example data (OpenAPI docs).
_EXAMPLE_KEYS = frozenset(
    {"example", "examples", "json_schema_extra", "schema_extra", "openapi_examples"}
)
_EXAMPLE_WORDS = frozenset({"example", "examples"})


def _is_example_key(name: object) -> bool:
    """``examples=``, ``json_schema_extra``, and any name whose words say it holds an
    example: ``example_request=``, ``"response_examples"``, ``EXAMPLE_PAYLOAD``."""
    if not isinstance(name, str):
        return False
    return name in _EXAMPLE_KEYS or bool(_EXAMPLE_WORDS.intersection(split_name_words(name)))


# Words that make a name one member of a set of kinds: ``GRANT_TYPE_PASSWORD`` names the
# OAuth grant type whose value is "password", ``AUTH_METHOD_TOKEN`` a login method.
_KIND_WORDS = frozenset({"type", "types", "kind", "grant", "method", "mode", "flow", "scheme"})


_DIGEST_COMPARES = frozenset({"secrets.compare_digest", "hmac.compare_digest"})

# The last word of a name whose collection literal holds the credentials themselves
# (``API_KEYS``, ``ADMIN_PASSWORDS``), not kinds or texts about them (``PASSWORD_HASHERS``,
# ``PASSWORD_MESSAGES``, ``API_KEY_HEADERS``).
_KEYRING_WORDS = frozenset(
    {
        "key",
        "keys",
        "secret",
        "secrets",
        "password",
        "passwords",
        "passwd",
        "passwds",
        "pwd",
        "pwds",
        "passphrase",
        "passphrases",
        "credential",
        "credentials",
        "token",
        "tokens",
    }
)


def _names_a_keyring(name: str) -> bool:
    words = split_name_words(name.rsplit(".", 1)[-1])
    return bool(words) and words[-1].lower() in _KEYRING_WORDS


# FastAPI parameter markers whose first argument (or ``default=``) is the parameter's default.
_PARAM_MARKERS = frozenset(
    f"fastapi.{name}" for name in ("Query", "Header", "Cookie", "Form", "Body")
)


def _without_encode(node: ast.expr) -> ast.expr:
    """``credentials.password.encode("utf8")`` compares ``credentials.password``."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "encode"
    ):
        return node.func.value
    return node


def _names_its_value(name: str, value: str) -> bool:
    """``PASSWORD = "password"``, ``RESOURCE_TYPE_GATEWAY_SECRET = "gateway_secret"``.

    The value is the name's own words: a label or an identifier, not a secret.
    A longer name may end with a value of two words or more; a one-word value
    under a longer name (``DB_PASSWORD = "password"``) stays a weak password,
    unless a word before it names a kind (``GRANT_TYPE_PASSWORD = "password"``:
    the constant of an enumeration, as ``grant_type == "password"`` compares).
    """
    name_words = split_name_words(name)
    value_words = split_name_words(value)
    if value_words == name_words:
        return True
    if _keys_its_value(name_words, value_words) and _KEY_NAME_RE.fullmatch(value):
        return True
    if not value_words or name_words[-len(value_words) :] != value_words:
        return False
    if not value.replace("_", "").replace("-", "").isalnum():
        return False
    if len(value_words) >= 2:
        return True
    return any(word.lower() in _KIND_WORDS for word in name_words[: -len(value_words)])


# A key's name: letters joined by ``_``/``-`` (``"password"``, ``"api-token"``), no digits.
_KEY_NAME_RE = lazy_compile(r"[A-Za-z]+(?:[-_][A-Za-z]+)*")

# Secret words that, followed by ``key``, make the name of a mapping key rather than a
# credential: ``PASSWORD_KEY`` holds the key a password is stored under, while
# ``SECRET_KEY``, ``API_KEY`` or ``PRIVATE_KEY`` are themselves keys (credentials).
_STORED_UNDER_WORDS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "token", "credential", "credentials"}
)


def _keys_its_value(name_words: list[str], value_words: list[str]) -> bool:
    """``WIFI_PASSWORD_KEY = "password"``, ``SESSION_TOKEN_KEY = "session_token"``: the
    words before a final ``key`` are the value, and the last of them is a secret word
    that is no key itself: the constant names the key a secret is stored under."""
    if len(name_words) < 2 or name_words[-1].lower() != "key" or not value_words:
        return False
    stem = [word.lower() for word in name_words[:-1]]
    if stem[-1] not in _STORED_UNDER_WORDS:
        return False
    return stem[-len(value_words) :] == [word.lower() for word in value_words]


_KEY_METHODS = frozenset({"get", "pop", "setdefault"})


def _keys_a_mapping(use: ast.Name, parent: ast.AST | None) -> bool:
    """``data[name]``, ``{name: value}``, ``name in data``, ``data.get(name)``."""
    if isinstance(parent, ast.Subscript):
        return parent.slice is use
    if isinstance(parent, ast.Dict):
        return any(key is use for key in parent.keys)
    if isinstance(parent, ast.Compare):
        return parent.left is use and isinstance(parent.ops[0], (ast.In, ast.NotIn))
    if isinstance(parent, ast.Call) and parent.args and parent.args[0] is use:
        func = parent.func
        return isinstance(func, ast.Attribute) and func.attr in _KEY_METHODS
    return False


_AUTH_WORDS = frozenset({"auth", "authentication", "login"})
_OFF_WORDS = frozenset({"disable", "disabled", "no", "skip", "without", "bypass"})


def _message_catalog(node: ast.Dict) -> bool:
    """A dict whose keys are display texts, several of them sentences (``"Add Row"``,
    ``"New password"``): a translation table or a label catalog.  Its ``"Password"`` key is
    the text of a label and its value that label's translation (``"Passwort"``), not a
    credential.  Three sentence keys, a third of the keys at least: a form's two labels
    (``{"User Name": ..., "Password": ...}``) do not make a catalog."""
    keys = [
        key.value
        for key in node.keys
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    ]
    sentences = sum(1 for key in keys if len(key.split()) > 1)
    return sentences >= 3 and 3 * sentences >= len(keys)


def _holds_onchain_assets(model: ModuleModel, node: ast.Dict) -> bool:
    """The dict is assigned to a name that says its entries are on-chain assets
    (``KNOWN_PROGRAMS = {...}``, ``self.mint_addresses = {...}``)."""
    holder = model.parent(node)
    if isinstance(holder, ast.Assign) and holder.value is node:
        targets = holder.targets
    elif isinstance(holder, ast.AnnAssign) and holder.value is node:
        targets = [holder.target]
    else:
        return False
    names = [_target_name(target) for target in targets]
    return any(name is not None and names_onchain_assets(name) for name in names)


def _flag_words(node: ast.expr) -> set[str] | None:
    name = _target_name(node)
    if name is None or isinstance(node, ast.Subscript):
        return None
    return set(split_name_words(name.rsplit(".", 1)[-1]))


def _auth_off(test: ast.expr) -> bool:
    """``X == False``, ``X is False``, ``not X`` for an authentication flag ``X``, or a
    flag that says it switches authentication off (``DISABLE_AUTH``)."""
    negated: ast.expr | None = None
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        negated = test.operand
    elif (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], (ast.Eq, ast.Is))
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is False
    ):
        negated = test.left
    if negated is not None:
        words = _flag_words(negated)
        return bool(words and words & _AUTH_WORDS and not words & _OFF_WORDS)
    words = _flag_words(test)
    return bool(words and words & _AUTH_WORDS and words & _OFF_WORDS)


class HardcodedSecretChecks(CheckerBase):
    def in_example_data(self, node: ast.AST) -> bool:
        """Whether a literal sits in OpenAPI example data (``examples=``, ``json_schema_extra``...)."""
        child = node
        for ancestor in self.model.ancestors(node):
            if isinstance(ancestor, ast.keyword):
                if _is_example_key(ancestor.arg):
                    return True
            elif isinstance(ancestor, ast.Dict):
                for key, value in zip(ancestor.keys, ancestor.values):
                    if (
                        value is child
                        and isinstance(key, ast.Constant)
                        and _is_example_key(key.value)
                    ):
                        return True
            elif isinstance(ancestor, (ast.Assign, ast.AnnAssign)):
                targets = (
                    ancestor.targets if isinstance(ancestor, ast.Assign) else [ancestor.target]
                )
                return any(
                    isinstance(target, ast.Name) and _is_example_key(target.id)
                    for target in targets
                )
            elif isinstance(ancestor, ast.stmt):
                return False
            child = ancestor
        return False

    def name_assignment(
        self,
        name: str | None,
        literal: ast.AST,
        compared: bool = False,
        argument: bool = False,
        accepted: bool = False,
    ) -> None:
        """API501 for ``name = literal`` in any of its forms (``compared``: ``name == literal``;
        ``argument``: ``f(name=literal)``; ``accepted``: a comparison that refuses every
        other value, so the literal is the credential the code lets in)."""
        if name is None or not isinstance(literal, ast.Constant) or " " in name:
            return
        value = _text(literal)
        if not value:
            return
        last = name.rsplit(".", 1)[-1]
        credential = value
        if name.lower() in _AUTH_HEADERS:
            # ``{"Authorization": "Bearer 9f8e..."}``: the header value is the credential.
            if " " not in value.strip():
                return
            credential = value.split()[-1]
        elif not (self.secret_name(name) or self.unknown_key_name(name, value)):
            return
        secret = self.secret_value(value) or (
            accepted and is_secret_value(value, self.options.extra_placeholders, accepted=True)
        )
        if not secret:
            return
        if _names_its_value(last, value) and not self.used_as_secret(literal):
            return  # ``PASSWORD = "password"`` in an enum or a form: the name is the value
        if not could_be_credential(
            credential, last, compared=compared, argument=argument, accepted=accepted
        ):
            return  # Revision 2: sentinels, redaction markers, dummy keys, names
        if compared and declared_cli_name(self.model, value):
            return  # `args.credential_command == "add-password"`: a sub-command's name
        if self.text_token_name(last, literal):
            return
        if self.in_example_data(literal) or self.in_enum_body(literal):
            return
        if self.in_template(last, value, literal):
            return  # ``SMTP_USERNAME = "username"``, ``SMTP_PASSWORD = "password"``
        if self.under_auth_off(literal):
            return  # ``if AUTH_ENABLED == False: admin_password = "admin"``: protects nothing
        if self.names_a_key(name, value, literal):
            return  # ``secret_key = "password"`` then ``secret_data[secret_key]``: a key's name
        if not compared and not argument and planted_canary(self.model, name):
            return  # ``CANARY_PASSWORD = "..."`` only searched for in outgoing text: bait
        how = "compared with" if compared else "assigned to"
        self.offer("API501", literal, name=name, value=redact(value), how=how)

    def names_a_key(self, name: str, value: str, literal: ast.AST) -> bool:
        """A parameter default or local variable holding a word that its function then uses
        as a mapping key (``data = {secret_key: password}``, ``secret_data[secret_key]``):
        it names the field of a secret, as ``*_field`` or ``*_name`` would, not a credential.
        A use as a secret-like keyword argument (``connect(password=db_password)``) keeps it."""
        if not _KEY_NAME_RE.fullmatch(value):
            return False
        function = self.holding_function(name, literal)
        if function is None:
            return False
        keyed = False
        for node in ast.walk(function):
            if not (
                isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
            ):
                continue
            parent = self.model.parent(node)
            if isinstance(parent, ast.keyword) and parent.arg and self.secret_name(parent.arg):
                return False
            keyed = keyed or _keys_a_mapping(node, parent)
        return keyed

    def holding_function(self, name: str, literal: ast.AST) -> ast.AST | None:
        """The function whose parameter default or local assignment ``name = literal`` is."""
        parent = self.model.parent(literal)
        if isinstance(parent, ast.arguments):
            parent = self.model.parent(parent)
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defaults = parent.args.defaults + parent.args.kw_defaults
            return parent if any(default is literal for default in defaults) else None
        if not isinstance(parent, (ast.Assign, ast.AnnAssign)):
            return None
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if not any(isinstance(target, ast.Name) and target.id == name for target in targets):
            return None
        for ancestor in self.model.ancestors(parent):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return ancestor
            if isinstance(ancestor, ast.ClassDef):
                return None  # a class attribute, not a local
        return None

    def in_template(self, name: str, value: str, literal: ast.AST) -> bool:
        """A password field whose value names it, beside a user field that does the same, in
        one class body, call or dict literal."""
        if not template_password(name, value, {tuple(split_name_words(name)[:-1])}):
            return False  # not even the shape of one
        for ancestor in self.model.ancestors(literal):
            if isinstance(ancestor, ast.ClassDef):
                return template_password(name, value, class_templates(ancestor))
            if isinstance(ancestor, ast.Call):
                pairs = [
                    (keyword.arg, text)
                    for keyword in ancestor.keywords
                    if keyword.arg is not None and (text := _text(keyword.value))
                ]
                return template_password(name, value, templates(pairs))
            if isinstance(ancestor, ast.Dict):
                pairs = [
                    (key.value, text)
                    for key, item in zip(ancestor.keys, ancestor.values)
                    if isinstance(key, ast.Constant)
                    and isinstance(key.value, str)
                    and (text := _text(item))
                ]
                return template_password(name, value, templates(pairs))
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
                return False
        return False

    def under_auth_off(self, literal: ast.AST) -> bool:
        """The literal sits in the branch a switched-off authentication takes
        (``elif WEBUI_AUTH == False:``, ``if not settings.auth_enabled:``, ``if DISABLE_AUTH:``):
        every caller is signed in as that user anyway, the password protects nothing."""
        child = literal
        for ancestor in self.model.ancestors(literal):
            if isinstance(ancestor, ast.If) and child in ancestor.body:
                if _auth_off(ancestor.test):
                    return True
            elif isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                return False
            child = ancestor
        return False

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

    # ----------------------------------------------------------- API501 assignments
    def check_assignment(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                for sub_target, sub_value in zip(target.elts, value.elts):
                    self.check_assignment(sub_target, sub_value)
            return
        if isinstance(value, ast.IfExp):
            # ``SECRET_KEY = "dev-9f8e..." if DEBUG else os.environ["SECRET_KEY"]``: the
            # literal ships with the code whichever branch production takes.
            for branch in (value.body, value.orelse):
                self.check_assignment(target, branch)
            return
        # ``password: str = Field(default="x")`` and ``SecretStr("x")`` hold a literal too.
        literal = _field_default_literal(value)
        if literal is not None:
            self.name_assignment(_target_name(target), literal)
            return
        name = _target_name(target)
        if name is not None and _names_a_keyring(name) and self.secret_name(name):
            # ``API_KEYS = ["k_9f8e..."]``, ``ADMIN_TOKENS = {"ops": "adm_7Qk2..."}``: a keyring
            # whose entries are the credentials the code accepts or sends.
            # Only random-looking entries: a list of words under such a name is a
            # denylist (`_WEAK_PASSWORDS = {"12345678", "password"}`) or the names of
            # fields to redact (`SENSITIVE_CREDENTIAL_KEYS = ["password", "secret"]`).
            for entry in self.keyring_entries(value):
                text = _text(entry)
                if text and is_random_looking(text):
                    self.name_assignment(name, entry)

    def keyring_entries(self, value: ast.expr) -> list[ast.expr]:
        """The string literals a list, tuple or set literal holds, or the values of a dict
        literal under keys that are not secret-like themselves (``check_dict`` takes those:
        ``{"password": ...}``)."""
        if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            return [e for e in value.elts if isinstance(e, ast.Constant)]
        if isinstance(value, ast.Dict):
            return [
                item
                for key, item in zip(value.keys, value.values)
                if isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and not self.secret_name(key.value)
                and isinstance(item, ast.Constant)
            ]
        return []

    def check_dict(self, node: ast.Dict) -> None:
        if _message_catalog(node):
            return  # ``{"Password": "Passwort", "Change Password": "Passwort ändern", ...}``
        pairs = [
            (key.value, value)
            for key, value in zip(node.keys, node.values)
            if isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and isinstance(value, ast.Constant)
        ]
        asset_table = _holds_onchain_assets(self.model, node)
        for name, value in pairs:
            if "." in name:
                continue  # a dotted path (``"app.routes.get_credentials"``) is no variable name
            if asset_table and any(
                word == "tokens" or word.endswith("token") for word in split_name_words(name)
            ):
                continue  # ``KNOWN_PROGRAMS = {"token": "Tokenkeg..."}``: the token program's address
            if any(
                other is not value and other.value == value.value and not self.secret_name(key)
                for key, other in pairs
            ):
                # A mapping table: ``{"tel": "textbox", "password": "textbox"}``,
                # ``{"pass": "password", "passwd": "password"}``.
                continue
            self.name_assignment(name, value)

    def check_keywords(self, call: ast.Call) -> None:
        """``f(password="x")``; a value the call also gives a name that is no secret's is a
        label: ``AuthInfo(token="ui-session", key_name="ui-session")`` names the object."""
        constants = [
            (keyword.arg, keyword.value)
            for keyword in call.keywords
            if keyword.arg is not None and isinstance(keyword.value, ast.Constant)
        ]
        for name, value in constants:
            if any(
                other is not value
                and other.value == value.value
                and not self.secret_name(other_name)
                for other_name, other in constants
            ):
                continue
            self.name_assignment(name, value, argument=True)

    def check_compare(self, node: ast.Compare, scope: Scope | None = None) -> None:
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
                if self.refuses_literal(node):
                    continue  # ``if SECRET == "dev-secret": raise``: the check refuses the value
                accepted = self.refuses_others(node) or (
                    value is not None
                    and is_weak_password(value)
                    and self.admits_input(node, name_side, scope)
                )
                self.name_assignment(name, literal, compared=True, accepted=accepted)

    def check_digest_compare(self, call: ast.Call, scope: Scope) -> None:
        """``secrets.compare_digest(credentials.password, "M3trics-Pa55!")`` is the
        timing-safe ``==``: a gate that lets exactly that literal in (the HTTP Basic
        pattern of FastAPI's docs)."""
        func = call.func
        last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if last != "compare_digest" or len(call.args) != 2 or call.keywords:
            return
        if self.model.call_target(call, scope) not in _DIGEST_COMPARES:
            return
        for name_side, literal in (call.args, reversed(call.args)):
            if isinstance(literal, ast.Constant) and not isinstance(name_side, ast.Constant):
                name = _target_name(_without_encode(name_side))
                value = _text(literal)
                if value and _PLACEHOLDER_CHECK_RE.search(value):
                    continue
                self.name_assignment(name, literal, compared=True, accepted=True)

    def check_match_values(self) -> None:
        """``match password: case "admin123":`` compares the subject with each literal."""
        if MATCH_VALUE is None:
            return
        for ref in self.model.nodes.get(MATCH_VALUE, ()):
            literal = getattr(ref.node, "value", None)
            if not isinstance(literal, ast.Constant):
                continue
            statement = next(
                (a for a in self.model.ancestors(ref.node) if isinstance(a, _MATCH_TYPES)), None
            )
            subject = getattr(statement, "subject", None)
            if not isinstance(subject, ast.expr):
                continue
            value = _text(literal)
            if value and _PLACEHOLDER_CHECK_RE.search(value):
                continue
            self.name_assignment(_target_name(subject), literal, compared=True)

    def used_as_secret(self, literal: ast.AST) -> bool:
        """``SECRET = "SECRET"`` then ``JWTStrategy(secret=SECRET)``: a constant whose value
        repeats its name is a label, unless the module hands it over as a secret (a
        secret-like keyword argument or attribute)."""
        statement = self.model.parent(literal)
        if not (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            return False
        name = statement.targets[0].id
        for node in ast.walk(self.model.tree):
            if not isinstance(node, ast.Name) or node.id != name or node is statement.targets[0]:
                continue
            parent = self.model.parent(node)
            if isinstance(parent, ast.keyword) and parent.arg and self.secret_name(parent.arg):
                return True
            if isinstance(parent, ast.Assign) and parent.value is node:
                for target in parent.targets:
                    target_name = _target_name(target)
                    if target_name is not None and self.secret_name(target_name):
                        return True
        return False

    def refuses_others(self, compare: ast.Compare) -> bool:
        """``if x_token != "literal": raise HTTPException(...)``: only the literal gets past
        the check, so it is the credential (a stand-in word does not make it harmless)."""
        statement = self.model.parent(compare)
        return (
            isinstance(compare.ops[0], ast.NotEq)
            and isinstance(statement, ast.If)
            and statement.test is compare
            and any(isinstance(child, ast.Raise) for child in statement.body)
        )

    def admits_input(self, compare: ast.Compare, name_side: ast.expr, scope: Scope | None) -> bool:
        """``if password == "letmein": return issue_token(username)`` where ``password`` is a
        parameter (or ``form.password``, ``body.get("password")``): what the caller sends is
        let in when it equals the literal, a backdoor whatever the word. A settings value
        compared with a word (``if settings.MODE == "admin"``) is a mode test."""
        if scope is None or not isinstance(compare.ops[0], ast.Eq):
            return False
        test: ast.AST = compare
        parent = self.model.parent(compare)
        if isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.And):
            test, parent = parent, self.model.parent(parent)
        if not (isinstance(parent, ast.If) and parent.test is test):
            return False
        root: ast.AST = name_side
        while isinstance(root, (ast.Attribute, ast.Call)):
            root = root.value if isinstance(root, ast.Attribute) else root.func
        if not isinstance(root, ast.Name) or root.id in ("self", "cls"):
            return False
        binding = self.model.lookup(root.id, scope)
        return binding is not None and binding.kind is BindingKind.PARAM

    def refuses_literal(self, compare: ast.Compare) -> bool:
        """``if settings.JWT_SECRET == "dev-secret-change-me-2024": raise ValueError(...)``
        (also as one operand of an ``and``): the check fails closed on that value, so
        the literal is a known default being refused, not a credential the code lets in.
        So is ``assert settings.JWT_SECRET != "dev-secret-change-me-2024"``, and a gate that
        answers whether a feature may use a setting: ``return enabled and settings.KEY !=
        "fill-me-in"`` (``return token != "x"`` on a plain name stays reported)."""
        if isinstance(compare.ops[0], ast.NotEq):
            test: ast.AST = compare
            statement = self.model.parent(compare)
            if isinstance(statement, ast.Assert):
                return statement.test is compare
            while isinstance(statement, ast.BoolOp) and isinstance(statement.op, ast.And):
                test, statement = statement, self.model.parent(statement)
            return (
                isinstance(statement, ast.Return)
                and statement.value is test
                and isinstance(compare.left, ast.Attribute)
            )
        if not isinstance(compare.ops[0], ast.Eq):
            return False
        test = compare
        parent = self.model.parent(compare)
        if isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.And):
            test, parent = parent, self.model.parent(parent)
        return isinstance(parent, ast.If) and parent.test is test and refusing_body(parent.body)

    def check_defaults(self) -> None:
        for function in self.model.functions:
            args = function.node.args
            positional = args.posonlyargs + args.args
            pairs: list[tuple[ast.arg, ast.expr | None]] = [
                *zip(positional[len(positional) - len(args.defaults) :], args.defaults),
                *zip(args.kwonlyargs, args.kw_defaults),
            ]
            for arg, default in pairs:
                if isinstance(default, ast.Call):
                    default = self.marker_default(default, function.outer)
                if isinstance(default, ast.Constant):
                    self.name_assignment(arg.arg, default)

    def marker_default(self, call: ast.Call, scope: Scope) -> ast.expr | None:
        """``x_admin_token: str = Header(default="adm-7Q...")``: the literal a FastAPI parameter
        marker (``Query``, ``Header``, ``Cookie``, ``Form``, ``Body``) gives the parameter when
        the request lacks it is the parameter's default, as ``= "adm-7Q..."`` would be."""
        qualname = stubs.canonical(self.model.qualified_name(call.func, scope) or "")
        if qualname not in _PARAM_MARKERS:
            return None
        if call.args:
            return call.args[0]
        return next((k.value for k in call.keywords if k.arg == "default"), None)

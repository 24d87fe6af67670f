"""API504 known-credential-format and API505 credentials-in-url: literals judged by their content alone."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.registry import Rule
from fastapi_lint.rules.credential_formats import find_credential
from fastapi_lint.rules.secret_patterns import (
    is_url_password_secret,
    redact,
    url_password,
)
from fastapi_lint.rules.secrets._common import CheckerBase, Literal
from fastapi_lint.rules.secrets.form_hints import is_form_hint

if TYPE_CHECKING:
    from fastapi_lint.semantic.scopes import Scope

# A URL password that says it is none (Revision 2's dummies for keyless providers): IAM and
# OAuth-token database logins put the real credential in at connect time
# (`postgresql+asyncpg://app:placeholder@host/db` with a `do_connect` hook).
_STAND_IN_PASSWORDS = frozenset(
    "placeholder dummy fake unused not-used not-needed notneeded ignored".split()
)

API504 = Rule(
    code="API504",
    name="known-credential-format",
    message="string contains {label} {value}; revoke it and load it from the environment",
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

# The functions of ``re`` (and of the ``regex`` package, which copies them) whose first
# argument is a pattern: ``re.match(r"postgres://(.+):(.+)@(.+)/(.+)", dsn)`` parses URLs,
# it holds none.
_PATTERN_FUNCTIONS = frozenset(
    f"{module}.{function}"
    for module in ("re", "regex")
    for function in "compile match fullmatch search findall finditer sub subn split".split()
)
_MIN_CREDENTIAL_LENGTH = 15  # the shortest detected format: ``xoxb-`` and 10 characters
_MIN_URL_LENGTH = 9  # ``a://b:c@d``


class CredentialFormatChecks(CheckerBase):
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
                        self.check_url(parent, text, ref.scope)
                continue
            if len(value) < _MIN_URL_LENGTH:
                continue
            if want_credentials and len(value) >= _MIN_CREDENTIAL_LENGTH:
                self.check_credential(node, value)
            if want_urls and "@" in value and "://" in value:
                self.check_url(node, value, ref.scope)

    def check_credential(self, literal: Literal, value: str) -> None:
        match = find_credential(value)
        if match is not None:
            self.offer(
                "API504",
                literal,
                label=match.described,
                value=redact(value[match.start : match.end]),
            )

    def check_url(self, literal: Literal, text: str, scope: Scope) -> None:
        stripped = text.strip()
        scheme_end = stripped.find("://")
        if scheme_end <= 0 or any(char.isspace() for char in stripped):
            return  # a URL literal, not text that mentions one
        scheme = stripped[:scheme_end]
        if not (scheme[0].isalpha() and all(c.isalnum() or c in "+.-_" for c in scheme)):
            return
        password = url_password(stripped)
        if password is None or not is_url_password_secret(
            password, self.options.extra_placeholders
        ):
            return
        if password.lower() in _STAND_IN_PASSWORDS:
            return  # `user:placeholder@host`: a token provider or connect hook puts the real one in
        parent = self.model.parent(literal)
        if (
            isinstance(parent, ast.Attribute)
            and parent.attr == "format"
            and isinstance(self.model.parent(parent), ast.Call)
        ):
            return  # a template: ``"postgresql://{user}:pw@{host}".format(...)``
        if is_form_hint(self.model, literal):
            return  # ``placeholder="postgresql://user:password@host/db"``: a form's hint text
        if self.is_pattern_argument(literal, scope):
            return  # ``re.match(r"amqp://(.+):(.+)@(.+)", url)``: a pattern that parses URLs
        self.offer("API505", literal, scheme=scheme, value=redact(password))

    def is_pattern_argument(self, literal: Literal, scope: Scope) -> bool:
        """Whether ``literal`` is the pattern given to a function of ``re``."""
        parent = self.model.parent(literal)
        if isinstance(parent, ast.keyword) and parent.arg == "pattern":
            call = self.model.parent(parent)  # ``re.sub(pattern=r"...", ...)``
        elif isinstance(parent, ast.Call) and parent.args[:1] == [literal]:
            call = parent
        else:
            return False
        return (
            isinstance(call, ast.Call) and self.model.call_target(call, scope) in _PATTERN_FUNCTIONS
        )

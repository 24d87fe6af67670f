"""Pure string predicates behind the API5xx rules (the contract, "API5xx: secrets and security").

Nothing here knows about ``ast``: the rules find the names and literals, these
functions judge them.  Every regex is compiled once, on first use (``lazy_compile``).

Names (``is_secret_like_name``)
    A name is split into words (``split_name_words``) and is secret-like when a
    word is ``secret``, ``password``, ``passwd``, ``pwd``, ``passphrase``,
    ``token``, ``credential(s)`` (also ``creds``), when two words form
    ``api key`` / ``private key`` / ``access key`` / ``signing key`` (also
    ``encryption``, ``master``, ``hmac``, ``jwt``, ``fernet`` key), or when one
    lowercase word ends with one of those (``dbpassword``, ``authtoken``,
    ``apikey``, ``secretkey``).  It is *not* secret-like when it names something
    about a secret: its last word is one of the contract's suffixes (``_url``,
    ``_uri``, ``_endpoint``, ``_path``, ``_file``, ``_dir``, ``_env``, ``_var``,
    ``_name``, ``_field``, ``_header``, ``_type``, ``_algorithm``, ``_ttl``,
    ``_length``, ``_pattern``, ``_regex``, ``_prefix``, plurals included) or a
    few more of the same nature (``_context`` as in FastAPI's ``pwd_context``,
    ``_exception`` as in ``credentials_exception``, ``_label``, ``_scheme``,
    ``_timeout``, ``_sentinel``...), or a word after the first starts with
    ``expir``, ``min`` or ``max`` (``ACCESS_TOKEN_EXPIRE_MINUTES``,
    ``password_min_length``).  ``hashed_password`` stays secret-like: the value
    check then lets a bcrypt hash through.

    ``token`` needs care: LLM code counts tokens.  A plural ``tokens`` only
    counts after an auth qualifier (``access_tokens``, not ``max_tokens`` or
    ``num_tokens``); ``tokenizer`` is a different word; a ``token`` name with a
    counting word (``token_count``, ``token_limit``, ``token_ids``) or a
    tokenizer / pagination qualifier (``eos_token``, ``pad_token``,
    ``next_token``, ``page_token``) is not a secret either.

Values (``is_secret_value``)
    Not a secret value, from the contract: ``""``; an env-var name
    (``SECRET_KEY``); a sentence (whitespace inside); a file name, path or URL
    without credentials; ``bearer``; a password hash (``$2b$``, ``$argon2id$``,
    ``$pbkdf2-sha256$``, ``$6$``, Django's ``pbkdf2_sha256$``...); a placeholder
    made of one repeated character, containing ``...``, ``xxxx``, ``example``,
    ``<...>``, ``${...}`` or ``{...}``.  Decisions beyond the contract:

    * ``"changeme"``, ``"secret"``, ``"supersecret"``, ``"your-secret-key"``,
      ``"secret_key"``, ``"root"``, ``"admin"``, ``"test"``, ``"password"`` ARE
      secret values: placeholders and weak passwords reach production, and
      ``if password == "root"`` must be reported.  Short values are not exempt.
    * A value that is itself a field or header *name* is not a secret: an
      identifier made only of auth vocabulary with at least one credential noun
      (``"access_token"``, ``"api_key"``, ``"x-api-key"``, ``"X-API-Key"``,
      ``"token"``, ``"new_password"``, ``"Authorization"``, ``"Cookie"``), and
      any ``X-Something`` header (``"X-Webhook-Secret"``).  Otherwise a value
      with a word containing ``secret`` (``"client_secret"``) and the bare
      words ``password`` / ``passwd`` stay secrets.
    * An env-var shaped value (``SECRET_KEY``, needs an underscore) is a name,
      unless a word marks a placeholder (``CHANGE_ME``, ``YOUR_API_KEY``).
      ``$SECRET_KEY`` is an env-var reference.
    * Format specifiers (``%s``, ``%(pw)s``, ``{}``), masked values (``***``),
      ``none`` / ``null`` / ``true`` / ``false`` are not secrets.
    * ``"Bearer <credential>"`` (also ``Token``, ``Basic``, ``Bot``) is judged by
      its credential, not dismissed as a sentence, when that credential has a
      digit or a symbol or 20+ characters (``"Token expired"`` is a sentence).
    * A CSS selector of a form field (``input[type='password']``,
      ``input#client-secret``, ``[name=api_key]``) or an XPath step
      (``//input[@name="token"]``) finds an element: not a secret.
    * ``"example"`` is matched case-insensitively here (documentation values);
      ``find_credential`` follows the contract's case-sensitive ``EXAMPLE``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from fastapi_lint.lazy_re import lazy_compile

__all__ = [
    "escape_control",
    "is_placeholder",
    "is_secret_like_name",
    "is_secret_value",
    "is_selector",
    "is_url_password_secret",
    "redact",
    "split_name_words",
    "url_password",
]

# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

_NON_WORD_RE = lazy_compile(r"[\W_]+")
# ALLCAPS run before a Capitalized word (JWTSecret -> JWT, Secret), a
# (Capitalized) lowercase run, an ALLCAPS run, digits, other letters.
_CAMEL_WORD_RE = lazy_compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+|[^\W\d_]+")

# Words that make a name secret-like on their own.
_SECRET_WORDS = frozenset(
    (
        "secret secrets password passwords passwd pwd passphrase token credential credentials creds"
    ).split()
)
# ``<qualifier>_key`` pairs (and ``<qualifier>key`` compounds).  The contract
# names api, private, access and signing keys; the others are keys by nature.
_KEY_QUALIFIERS = frozenset(
    "api private access signing secret encryption master hmac jwt fernet".split()
)
_KEY_WORDS = frozenset({"key", "keys"})
# One lowercase word ending with a secret word (``dbpassword``) or made of a
# qualifier and ``key`` (``apikey``).  Words ending with ``token`` are judged
# by ``_token_is_secret``.
_SECRET_ENDINGS = tuple(sorted(_SECRET_WORDS - {"token"}))
_KEY_COMPOUND_RE = lazy_compile("(?:" + "|".join(sorted(_KEY_QUALIFIERS)) + ")keys?")

# ``tokens`` counts only after one of these: elsewhere (``max_tokens``,
# ``num_tokens``, ``prompt_tokens``) it is LLM vocabulary.
_AUTH_QUALIFIERS = frozenset(
    "access refresh auth api bearer session csrf xsrf bot oauth jwt id personal".split()
)
# Anti-forgery tokens (``XSRF-TOKEN``, Django's ``csrftoken``) prove the page, not the
# sender: a hardcoded one is no credential (the secret that signs them still is).
_ANTI_FORGERY_WORDS = ("csrf", "xsrf")
# A ``token`` name with one of these counts or indexes LLM tokens.
_TOKEN_COUNT_WORDS = frozenset(
    (
        "count counts counter num number limit limits usage budget total used remaining "
        "estimate index indices offset position pos logprob logprobs embedding embeddings "
        "embed embeds vocab window threshold cap quota ratio percent input output prompt completion cached "
        "reasoning"
    ).split()
)
# ``<qualifier>_token`` that is a tokenizer symbol or a pagination cursor.
_NON_SECRET_TOKEN_QUALIFIERS = frozenset(
    (
        "pad eos bos unk sep cls mask stop start end special page next prev previous "
        "pagination continuation cancellation cancel sync resume termination sentinel delimiter "
        "separator"
    ).split()
)
# ``token`` followed by one of these names an on-chain asset, not a credential: the
# address of a token program or contract (``TOKEN_PROGRAM``, ``USDC_TOKEN_ADDRESS``), its
# mint or its decimals.  Those are public identifiers printed in every block explorer.
_ASSET_TOKEN_WORDS = frozenset(
    (
        "program programs mint mints contract contracts address addresses decimals symbol "
        "symbols supply"
    ).split()
)
# The plurals of those words name a table of on-chain assets (``KNOWN_PROGRAMS``).
_ASSET_TABLE_WORDS = frozenset("programs mints contracts addresses".split())
# Last words of names *about* a secret.  The contract's list first (with
# plurals), then more of the same nature.
_ABOUT_LAST_WORDS = frozenset(
    (
        "url urls uri uris endpoint endpoints path paths file files dir dirs env var vars "
        "name names field fields header headers type types algorithm algorithms ttl length "
        "pattern patterns regex prefix prefixes "
        # beyond the contract, same nature
        "filename filepath directory variable alg algo len regexp suffix lifetime timeout "
        "seconds minutes hours days duration exp context exception exc error errors label "
        "hint placeholder message msg prompt description help title scheme policy version "
        "format encoding location strength rounds size validator sentinel marker "
        # JWT claims and cookie attributes named after the token they describe
        "audience aud issuer iss claim claims scope scopes samesite domain cookie cookies status "
        # components that handle secrets: ``secret_store_class``, ``credential_provider``
        "class cls module backend provider providers manager store storage service handler "
        "factory loader source mode kind strategy param params parameter parameters option options "
        "attr attribute column handling check checks outcome result results reason code codes "
        "method methods table tables index indexes constraint alias aliases ref reference setting "
        "target owner use fingerprint project tenant "
        # parts of the app named after what they handle: ``dashboard_token_router``
        "router routers route routes middleware dashboard "
        # an action on the secret (an RBAC scope, an event, a flow): ``USER_PASSWORD_RESET``
        "reset change recovery rotation leak leaks "
        # what is granted to a key, what a token is spelled with: ``api_key_role = "admin"``,
        # ``TOKEN_CHARS = "A-Za-z0-9_-"``
        "role roles chars charset alphabet"
    ).split()
)
# ``*_expire*``, ``*_min*``, ``*_max*``: a word after the first starting so.
_ABOUT_WORD_PREFIXES = ("expir", "min", "max")


@lru_cache(maxsize=4096)
def _split_name_words(name: str) -> tuple[str, ...]:
    words: list[str] = []
    for chunk in _NON_WORD_RE.split(name):
        words.extend(word.lower() for word in _CAMEL_WORD_RE.findall(chunk))
    return tuple(words)


def split_name_words(name: str) -> list[str]:
    """Split an identifier, attribute path or header name into lowercase words.

    ``apiKey`` -> ``['api', 'key']``, ``JWTSecret`` -> ``['jwt', 'secret']``,
    ``x-api-key`` -> ``['x', 'api', 'key']``.
    """
    return list(_split_name_words(name))


def _token_is_secret(words: tuple[str, ...], index: int) -> bool:
    """``words[index]`` is ``token``, ``tokens`` or ends with ``token``: an auth token?"""
    previous = words[index - 1] if index > 0 else ""
    following = words[index + 1] if index + 1 < len(words) else ""
    if previous in _ANTI_FORGERY_WORDS or words[index].startswith(_ANTI_FORGERY_WORDS):
        return False  # ``csrf_token``, ``x-csrftoken``: a nonce, it authenticates nothing
    if words[index] == "tokens" and previous not in _AUTH_QUALIFIERS:
        return False
    if previous in _NON_SECRET_TOKEN_QUALIFIERS or following in ("id", "ids"):
        return False
    if any(word in _ASSET_TOKEN_WORDS for word in words[index + 1 :]):
        return False  # ``TOKEN_PROGRAM``, ``token_mint_address``: a public on-chain address
    if words[index] == "token" and previous in _AUTH_QUALIFIERS:
        # ``usage_api_token``, ``limits_access_token``: the token of a usage or limits API;
        # a counting word only names a text token when it qualifies the token itself.
        return not any(word in _TOKEN_COUNT_WORDS for word in words[index + 1 :])
    return not any(word in _TOKEN_COUNT_WORDS for word in words)


def _last_secret_word(words: tuple[str, ...]) -> int:
    """Index of the last word that makes ``words`` secret-like, or -1."""
    found_at = -1
    for index, word in enumerate(words):
        if word == "tokens" or word.endswith("token"):  # also ``authtoken``
            found = _token_is_secret(words, index)
        elif word in _KEY_WORDS:
            found = index > 0 and words[index - 1] in _KEY_QUALIFIERS
        else:  # a secret word, alone or ending one word: ``dbpassword``, ``apikey``
            found = word.endswith(_SECRET_ENDINGS) or bool(_KEY_COMPOUND_RE.fullmatch(word))
        if found:
            found_at = index
    return found_at


def names_onchain_assets(name: str) -> bool:
    """``KNOWN_PROGRAMS``, ``MINT_ADDRESSES``: a table whose entries are on-chain assets, so a
    ``"token"`` key in it names the token program (``{"token": "Tokenkeg..."}``), the same
    public address ``TOKEN_PROGRAM`` holds.  Only a collection's name counts: a
    ``PROGRAM_SETTINGS`` table is the settings of one program, its token may be a credential."""
    return any(word in _ASSET_TABLE_WORDS for word in _split_name_words(name))


def names_something_about_a_secret(value: str) -> bool:
    """``"s3SecretAccessKeyName"``, ``"tokenUrl"``: an identifier naming something about a
    secret (its name, file, URL), read like a variable name."""
    return _is_about_a_secret(_split_name_words(value))


def _is_about_a_secret(words: tuple[str, ...]) -> bool:
    meaningful = [word for word in words if not word.isdigit()]
    if len(meaningful) < 2:
        return False
    if meaningful[-1] in _ABOUT_LAST_WORDS:
        return True
    return any(word.startswith(_ABOUT_WORD_PREFIXES) for word in meaningful[1:])


# A name with one of these holds a stand-in on purpose: ``_DUMMY_SECRET``, ``FAKE_API_KEY``.
_STAND_IN_WORDS = frozenset("dummy fake mock example sample placeholder".split())


# Words that may follow the secret word without changing what the name holds:
# ``SECRET_KEY_BASE``, ``GITHUB_TOKEN_PROD``, ``api_key_v2``.
_TRAILING_QUALIFIERS = frozenset(
    (
        "prod production dev development test staging live sandbox local default base value str "
        "raw plain plaintext bytes b64 base64 hex encoded encrypted old new current next previous "
        "primary secondary main backup override fallback"
    ).split()
)
# A name starting with a verb names a function or a flag: ``get_credentials``,
# ``ENABLE_API_KEYS``, ``is_password_set``.
_LEADING_VERBS = frozenset(
    (
        "get set create update delete list rename cancel clear fetch load read write "
        "validate check generate rotate revoke remove add save find lookup handle parse build "
        "make compute enable enabled disable disabled allow use require requires show include "
        "is has should can must needs"
    ).split()
)


@lru_cache(maxsize=4096)
def _is_secret_like_words(words: tuple[str, ...]) -> bool:
    last = _last_secret_word(words)
    if last < 0 or _is_about_a_secret(words):
        return False
    if any(word in _STAND_IN_WORDS for word in words) or (
        len(words) > 1 and words[0] in _LEADING_VERBS
    ):
        return False
    # Two or more words after the secret word describe something else:
    # ``_CREDENTIALS_UNIQUE_INDEX``, ``RAW_SECRET_SAFETY_UNAVAILABLE_TURN``.
    trailing = [word for word in words[last + 1 :] if not word.isdigit()]
    return len(trailing) < 2 or all(word in _TRAILING_QUALIFIERS for word in trailing)


def _contains_run(words: tuple[str, ...], run: tuple[str, ...]) -> bool:
    size = len(run)
    return size > 0 and any(words[i : i + size] == run for i in range(len(words) - size + 1))


def is_secret_like_name(
    name: str, extra_names: Iterable[str] = (), ignored_names: Iterable[str] = ()
) -> bool:
    """Whether ``name`` (a variable, attribute, key, keyword or env var) names a secret.

    ``extra_names``: more words or names that count as secret-like (a name
    equal to one always is; one containing its words is, unless it is about a
    secret, like ``pin_length``).  ``ignored_names``: full names that never are
    (case-insensitive; for ``form.password`` the last component counts too).
    """
    lowered = name.lower()
    ignored = {ignored_name.lower() for ignored_name in ignored_names}
    if ignored and (lowered in ignored or lowered.rsplit(".", 1)[-1] in ignored):
        return False
    words = _split_name_words(name)
    if not words:
        return False
    extra_found = False
    for extra in extra_names:
        extra_words = _split_name_words(extra)
        if extra_words == words or extra.lower() == lowered:
            return True
        extra_found = extra_found or _contains_run(words, extra_words)
    if extra_found:
        return not _is_about_a_secret(words)
    return _is_secret_like_words(words)


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------

_WHITESPACE_RE = lazy_compile(r"\s")
# ``xxxx``, ``...``, ``…``, masked ``***``, ``<...>``, ``${...}`` and ``{...}``; also
# ``&lt;secret&gt;``: the ``<...>`` of text meant for HTML (a label in a rendered graph).
_PLACEHOLDER_PART_RE = lazy_compile(
    r"x{4}|\.\.\.|…|\*{3}|<[^<>]*>|&lt;?[^<>&]*&gt;?|\{[^{}]*\}", re.IGNORECASE
)
# printf-style fields: ``%s``, ``%r``, ``%d``, ``%(password)s``.
_PERCENT_FORMAT_RE = lazy_compile(r"%(?:\([^()\s]*\))?[srd]")
# The lookahead requires a letter; the body is unambiguous (words split by
# `_`), so matching is linear even on a 100,000-character literal.
_ENV_VAR_RE = lazy_compile(r"(?=[A-Z0-9_]*[A-Z])[A-Z0-9]+(?:_[A-Z0-9]+)+")
_ENV_REFERENCE_RE = lazy_compile(r"\$[A-Z_][A-Z0-9_]*")
# Words that turn an env-var shaped value into a placeholder that reaches
# production: ``CHANGE_ME``, ``YOUR_API_KEY``, ``REPLACE_WITH_SECRET``.
_PLACEHOLDER_WORDS = frozenset(
    (
        "change changeme changethis replace replaceme your yours insecure unsafe dummy todo fixme"
    ).split()
)
_NOT_SECRET_WORDS = frozenset({"bearer", "none", "null", "nil", "undefined", "true", "false"})
_PASSWORD_HASH_RE = lazy_compile(
    r"(?:\$(?:2[abxy]?|argon2(?:id|i|d)|pbkdf2(?:-sha(?:1|256|512))?|scrypt|bcrypt(?:-sha256)?|"
    r"[1567]|apr1|y|gy|sha1|md5|sha256|sha512)\$"
    r"|(?:pbkdf2_sha(?:1|256|512)|argon2|bcrypt_sha256|bcrypt|scrypt|sha1|md5|crypt)\$)\S+"
)
# HTTP auth schemes written before a credential (`Bearer 9f8e...`, `Api-Key YOUR_KEY`).
AUTH_SCHEMES = "bearer|token|basic|bot|api-key"
_AUTH_SCHEME_RE = lazy_compile(rf"(?:{AUTH_SCHEMES})\s+(\S+)", re.IGNORECASE)
# A scheme as RFC 3986 spells it, plus the underscore of SQLAlchemy drivers
# (``oracle+cx_oracle://``).
_URL_START_RE = lazy_compile(r"[A-Za-z][A-Za-z0-9+._\-]*://")
_X_HEADER_RE = lazy_compile(r"[Xx]-[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
_HEADER_NAMES = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "www-authenticate",
        "proxy-authenticate",
    }
)
_IDENTIFIER_VALUE_RE = lazy_compile(r"[A-Za-z][A-Za-z0-9]*(?:[_\-][A-Za-z0-9]+)*")
# Values that are field or header names: every word from this vocabulary and
# at least one credential noun (``access_token``, ``X-API-Key``, ``apiKey``).
_FIELD_NOUNS = frozenset(
    (
        "token tokens password passwords passwd pwd passphrase key apikey credential "
        "credentials authorization cookie bearer"
    ).split()
)
_FIELD_WORDS = _FIELD_NOUNS | frozenset(
    {
        "access",
        "refresh",
        "id",
        "api",
        "client",
        "auth",
        "csrf",
        "xsrf",
        "session",
        "x",
        "hashed",
        "hash",
        "new",
        "old",
        "current",
        "confirm",
        "confirmation",
        "repeat",
        "username",
        "oauth",
        "jwt",
        "form",
        "header",
        "value",
    }
)
# Bare words that are, first of all, the weakest passwords.
_WEAK_PASSWORD_WORDS = frozenset({"password", "passwd"})

_FILE_EXTENSIONS = (
    "json|ya?ml|toml|ini|cfg|conf|config|txt|pem|key|crt|cert|cer|pub|p12|pfx|p8|jks|keystore|der|csr|"
    "env|db|sqlite3?|gpg|asc|enc|age|kdbx|secrets?|token|pickle|pkl|log|csv|xml|py|sh|gz|zip"
)
_FILE_NAME_RE = lazy_compile(rf"[\w.\-]+\.(?:{_FILE_EXTENSIONS})", re.IGNORECASE)
_DOTFILE_RE = lazy_compile(r"\.[a-z][a-z0-9_.\-]*")
_SSH_KEY_FILE_RE = lazy_compile(r"id_(?:rsa|dsa|ecdsa|ed25519)(?:\.pub)?")
# No ``+`` or ``=``: a base64 secret may start with ``/``.
_ABSOLUTE_PATH_RE = lazy_compile(r"(?:/|\./|\.\./|~/|~\\|[A-Za-z]:[\\/]|\\\\)[\w.@~:\-/\\]*")
_RELATIVE_PATH_RE = lazy_compile(r"[\w.\-]+(?:/[\w.\-]+)+/?")
_LOWER_SEGMENT_RE = lazy_compile(r"[a-z0-9_.\-]+")
_RANDOM_SEGMENT_RE = lazy_compile(r"(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])[A-Za-z0-9]{16,}")


# A provider's key prefix and one repeated character for the key: ``hf_XXX``, ``sk-000``,
# ``sk-proj-***``: the shape of a key with nothing in it.
_PREFIXED_FILLER_RE = lazy_compile(r"(?:[A-Za-z]{2,8}[-_]){1,2}([A-Za-z0-9*.])\1{2,}")


def is_placeholder(value: str) -> bool:
    """The contract's placeholders: one repeated character, ``...``, ``xxxx``,
    ``example``, ``<...>``, ``${...}``, ``{...}`` (and masked ``***``), also after a
    provider's key prefix (``hf_XXX``)."""
    return (
        len(set(value)) == 1
        or _PREFIXED_FILLER_RE.fullmatch(value) is not None
        or _PLACEHOLDER_PART_RE.search(value) is not None
        or "example" in value.lower()
    )


# Values that say there is no secret: ``"no-api-key"``, ``"not-set"``, ``"unset"``.
_ABSENT_WORDS = frozenset("no not unset missing empty none without".split())
_STAND_IN_VALUE_WORDS = frozenset("fake dummy mock unused".split())
# ``PGPASSWORD``, ``GITHUBTOKEN``: an env-var name without underscore.
_COMPOUND_ENV_RE = lazy_compile(r"[A-Z0-9]*(?:PASSWORD|PASSWD|SECRET|TOKEN|APIKEY)[A-Z0-9]*")


# ``rag.openai.api_key``, ``app.storage.FileStore``: a config key or import path.
_DOTTED_PATH_RE = lazy_compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
# A regular expression, not a secret: ``(?![A-Za-z])``, ``^\w+$``.
_REGEX_HINT_RE = lazy_compile(r"\(\?[:!=<P]|\\[bdwsDWS]|\[\^|^\^.*\$$")
# A CSS selector with an attribute test (``input[type='password']``, ``#login [name=pwd]``
# without the space) or an XPath step (``//input[@type="password"]``): the login form's
# field a scraper fills, not what it fills it with.
_CSS_ATTRIBUTE_SELECTOR_RE = lazy_compile(
    r"(?:[A-Za-z][\w-]*|\*)?(?:[#.][A-Za-z_][\w-]*)*"
    r"(?:\[[A-Za-z_][\w-]*(?:[~|^$*]?=(?:\"[^\"]*\"|'[^']*'|[\w-]+))?\])+"
    r"(?:::?[A-Za-z-]+(?:\([^()]*\))?)*"
)
_XPATH_STEP_RE = lazy_compile(r"\.?//?[A-Za-z*][\w-]*\[@[\w-]+(?:=(?:\"[^\"]*\"|'[^']*'))?\].*")


# A CSS selector that finds a login form's field (``input[type='password']``,
# ``input#password``, ``[name="api_key"]``): scraping and browser-automation code keeps
# these under names like ``SEL_PASSWORD``. An attribute selector, or an HTML element
# with an id or class; several of them joined by ``,`` or ``>``.
_CSS_ATTRIBUTE = r"""\[[a-z][a-z0-9_:-]*(?:[~|^$*]?=(?:'[^'\]]*'|"[^"\]]*"|[\w-]+))?\]"""
_CSS_SUFFIX = rf"(?:[#.][A-Za-z_][\w-]*|{_CSS_ATTRIBUTE}|::?[a-z-]+(?:\([^()]*\))?)"
_CSS_ELEMENT = r"(?:input|button|form|textarea|select|label|div|span|iframe|section)"
_CSS_COMPOUND = rf"(?:{_CSS_ELEMENT}{_CSS_SUFFIX}+|{_CSS_ATTRIBUTE}{_CSS_SUFFIX}*)"
_CSS_SELECTOR_RE = lazy_compile(rf"{_CSS_COMPOUND}(?:[,>+~]{_CSS_COMPOUND})*")


def is_selector(value: str) -> bool:
    """``input[type='password']``, ``input#password``, ``//input[@name="token"]``: where a
    page holds a field, not what goes in it."""
    stripped = value.strip()
    return bool(
        _CSS_ATTRIBUTE_SELECTOR_RE.fullmatch(stripped)
        or _CSS_SELECTOR_RE.fullmatch(stripped)
        or _XPATH_STEP_RE.fullmatch(stripped)
    )


def _is_stand_in(value: str) -> bool:
    """``"sk-FAKE-KEY"``, ``"dummy_secret"``, ``"no-api-key"``: a value that is no secret on purpose."""
    if value[:4].lower() == "urn:":
        return True  # ``urn:ietf:params:oauth:token-type:access_token``: an identifier
    words = _split_name_words(value)
    if not words:
        return False
    if any(word in _STAND_IN_VALUE_WORDS for word in words):
        return True
    return words[0] in _ABSENT_WORDS and all(
        word in _FIELD_WORDS or word in _ABSENT_WORDS or word in ("set", "secret", "provided")
        for word in words[1:]
    )


def _is_env_var_name(value: str) -> bool:
    if _ENV_REFERENCE_RE.fullmatch(value):
        return True
    if (
        _COMPOUND_ENV_RE.fullmatch(value)
        and value.lower() not in _WEAK_PASSWORD_WORDS
        and value not in ("SECRET", "TOKEN")
    ):
        return True
    if not _ENV_VAR_RE.fullmatch(value):
        return False
    return not any(word in _PLACEHOLDER_WORDS for word in value.lower().split("_"))


def _is_path(value: str) -> bool:
    segments = re.split(r"[/\\]", value)
    if any(_RANDOM_SEGMENT_RE.fullmatch(segment) for segment in segments) or "=" in value:
        return False  # base64 secrets contain ``/`` too
    if _ABSOLUTE_PATH_RE.fullmatch(value):
        return True
    if _RELATIVE_PATH_RE.fullmatch(value):
        last = segments[-1]
        return (
            value.endswith("/")
            or _FILE_NAME_RE.fullmatch(last) is not None
            or all(_LOWER_SEGMENT_RE.fullmatch(segment) for segment in segments)
        )
    return False


def _is_file_name(value: str) -> bool:
    return any(
        pattern.fullmatch(value) for pattern in (_FILE_NAME_RE, _DOTFILE_RE, _SSH_KEY_FILE_RE)
    )


def _is_field_or_header_name(value: str) -> bool:
    """``"access_token"``, ``"X-API-Key"``, ``"Authorization"``: a name, not a secret."""
    if _X_HEADER_RE.fullmatch(value) or value.lower() in _HEADER_NAMES:
        return True
    if not _IDENTIFIER_VALUE_RE.fullmatch(value):
        return False
    words = _split_name_words(value)
    if any("secret" in word for word in words):
        return False  # "secret", "client_secret", "your-secret-key": placeholders
    if len(words) == 1 and words[0] in _WEAK_PASSWORD_WORDS:
        return False  # password = "password"
    if len(words) == 1 and len(words[0]) <= 40 and words[0].isalpha():
        words = _segment_field_words(words[0]) or words  # "csrftoken", "accesstoken"
    return all(word in _FIELD_WORDS for word in words) and any(
        word in _FIELD_NOUNS for word in words
    )


@lru_cache(maxsize=1024)
def _segment_field_words(word: str) -> tuple[str, ...] | None:
    """Split a run of field words written together: ``csrftoken`` -> ``('csrf', 'token')``."""
    if not word:
        return ()
    for end in range(min(len(word), 16), 0, -1):
        head = word[:end]
        if head in _FIELD_WORDS:
            rest = _segment_field_words(word[end:])
            if rest is not None:
                return (head, *rest)
    return None


def _looks_like_credential(word: str) -> bool:
    return len(word) >= 20 or not word.isalpha()


# Values longer than this are judged on their first characters only.
MAX_ANALYSED_LENGTH = 1024


def is_secret_value(
    value: str, extra_placeholders: Iterable[str] = (), *, accepted: bool = False
) -> bool:
    """Whether a string literal given to a secret-like name looks like a real secret.

    ``accepted``: the code lets in whoever sends this value (``if x_token !=
    "fake-super-secret-token": raise``), so a stand-in word does not make it harmless.

    See the module docstring for the list of values that are not secrets.
    ``extra_placeholders`` are exact values (case-insensitive) that are not.
    """
    if len(value) > MAX_ANALYSED_LENGTH:
        # No password or key is this long; judging a prefix keeps every
        # heuristic linear on megabyte literals (embedded documents, blobs).
        value = value[:MAX_ANALYSED_LENGTH]
    stripped = value.strip()
    if not stripped:
        return False
    lowered = stripped.lower()
    if lowered in _NOT_SECRET_WORDS or lowered in {p.lower() for p in extra_placeholders}:
        return False
    scheme_value = _AUTH_SCHEME_RE.fullmatch(stripped)
    if scheme_value is not None and _looks_like_credential(scheme_value.group(1)):
        # "Bearer 9f8e..." is a credential with its scheme, not a sentence
        # ("Token expired" still is one).
        return is_secret_value(scheme_value.group(1), extra_placeholders)
    if _WHITESPACE_RE.search(stripped):
        return False  # a sentence (PEM blocks are API504's business)
    if _URL_START_RE.match(stripped):
        password = url_password(stripped)
        return password is not None and is_url_password_secret(password, extra_placeholders)
    return not (
        is_placeholder(stripped)
        or (not accepted and _is_stand_in(stripped))
        or _REGEX_HINT_RE.search(stripped)
        or (_DOTTED_PATH_RE.fullmatch(stripped) and not _RANDOM_SEGMENT_RE.search(stripped))
        or _PERCENT_FORMAT_RE.search(stripped)
        or _PASSWORD_HASH_RE.fullmatch(stripped)
        or _is_env_var_name(stripped)
        or _is_file_name(stripped)
        or _is_path(stripped)
        or _is_field_or_header_name(stripped)
        or is_selector(stripped)
    )


# ---------------------------------------------------------------------------
# URLs (API505)
# ---------------------------------------------------------------------------

_AUTHORITY_END_RE = lazy_compile(r"[/?#\s]")
# A password holding an unencoded ``/``, ``?`` or ``#``: the user part has no
# ``:``, the password runs to the first ``@`` that is followed by a host.
_LOOSE_USERINFO_RE = lazy_compile(
    r"(?P<user>[^@\s/:]*):(?P<password>\S*?)@[A-Za-z0-9.\-\[\]]+(?::\d+)?(?:[/?#\s]|$)"
)


def url_password(url: str) -> str | None:
    """The password of ``scheme://user:password@host...``, or None (none, or empty)."""
    url = url[:MAX_ANALYSED_LENGTH]
    start = _URL_START_RE.search(url)
    if start is None:
        return None
    rest = url[start.end() :]
    end = _AUTHORITY_END_RE.search(rest)
    authority = rest if end is None else rest[: end.start()]
    if "@" in authority:
        userinfo = authority.rsplit("@", 1)[0]
        if ":" not in userinfo:
            return None
        password = userinfo.split(":", 1)[1]
    else:
        loose = _LOOSE_USERINFO_RE.match(rest)
        if loose is None:
            return None
        password = loose.group("password")
    return password or None


def is_url_password_secret(pw: str, extra_placeholders: Iterable[str] = ()) -> bool:
    """Whether the password part of a URL is a real one (API505).

    Not when empty, a placeholder (``***``, ``xxxx``, ``<password>``,
    ``{password}``, ``${DB_PASSWORD}``...), a ``%s`` / ``%(pw)s`` field, an
    env-var name or reference, a piece of a regular expression (``[^@]+)``: the
    literal is a pattern that parses such URLs, ``r"mysql://([^:]+):([^@]+)@..."``),
    or one of ``extra_placeholders``.  Default credentials (``postgres:postgres``,
    ``user:password``) are secrets.
    """
    if not pw or pw.lower() in {p.lower() for p in extra_placeholders}:
        return False
    return not (
        is_placeholder(pw)
        or _PERCENT_FORMAT_RE.search(pw)
        or _is_env_var_name(pw)
        or _REGEX_HINT_RE.search(pw)
    )


def escape_control(text: str) -> str:
    """``text`` with control characters escaped (``\\n``, ``\\t``, ``\\x1b``): a message
    stays one line in every output format, whatever a literal holds."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def redact(value: str) -> str:
    """What a message may show of a secret: ``'sk_l…' (32 chars)``.

    At most the first 4 characters (the contract, "Secrets in output") and never
    more than half of the value, so a short secret (``"root"``) is never shown
    in full: ``'ro…' (4 chars)``.  Control characters among them are escaped
    (``'a\\nb…'``): a multi-line literal must not break one-line formats.
    """
    shown = escape_control(value[: min(4, len(value) // 2)])
    return "'" + shown + "…' (" + str(len(value)) + " chars)"

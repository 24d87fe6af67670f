"""Which literals could work as a credential (the contract, Revision 2, API501).

``secret_patterns.is_secret_value`` removes what is plainly no secret (paths,
sentences, env-var names, placeholders).  On real applications that still
left two findings in three wrong: a secret-like name is given many values
that no service would accept as a credential.  These predicates are pure
string tests, like ``secret_patterns``; the rules decide where they apply.

Never a credential, for API501 (Revision 2's six classes):

1. a sentinel compared against (``if user.password == "LDAP"``): a literal
   of letters only on one side of ``==``/``!=`` (``sentinel``);
2. a redaction marker: ``"REDACTED"``, ``"[MASKED]"``, ``"<hidden>"``,
   ``"***"`` (``is_redaction_marker``, every name-based rule);
3. a dummy key for a keyless provider: ``"ollama"``, ``"dummy"``, ``"EMPTY"``,
   ``"not-needed"``, ``"sk-placeholder"``; ``"YOUR_…"``/``"…_HERE"`` under an
   API-key name (``is_keyless_dummy``, every name-based rule).  A
   ``YOUR_SECRET_KEY`` signing key still signs cookies in production: only
   API keys of third parties are dummies when they say ``YOUR_``;
4. a name: one word of letters, or words joined by ``_`` in one letter case
   (``"access_token"``, ``"user_api_key_hash"``, ``"asc"``), unless it is a
   known weak password or a close variant (``is_weak_password``: ``admin``,
   ``root``, ``secret``, ``changeme``, ``supersecret``, ``admin123``,
   ``P@ssw0rd``);
5. a dict whose values are all names in the sense of 4 follows from 4, value
   by value;
6. "token" meaning a text token: a tokenizer's special token (``"[CLS]"``,
   ``"<|endoftext|>"``, ``"</s>"``), see ``is_text_token``; the name test
   already keeps ``max_tokens`` and ``token_count`` out.

Beyond the six (session 4, read on the corpus): a slug of words given to a
bare ``token`` labels an in-process auth object (``token="ui-session"``); a
literal shorter than 4 characters is a code, an option or a key segment
(``token == "-c"``, ``_LAYOUT_SCHEMA_TOKEN = "ff1"``), not a credential,
unless it is a known weak password (session 8); a value holding a
control character (``GREEN_TOKEN = "\\033[92m"``, a terminal colour) is terminal
styling, not a credential (session 8); a
weak word passed as a provider's ``api_key=`` is a dummy; a name that says its
value is retired or refused (``LEGACY_DEFAULT_PASSWORD``) holds a deny-list
entry unless the value is random-looking.  A CSS selector or XPath step
(``SEL_PASSWORD = "input[type='password']"``) names the form field a scraper
fills, not what it fills it with (session 10).  Text in a script written without
spaces between words (Chinese, Japanese, Thai: ``"パスワードが一致しません"``, a
translated "passwords do not match") is a message or a UI label, a sentence the
whitespace test cannot see (session 15, ``is_unspaced_script_text``).  The name of an
algorithm (``PASSWORD_HASHER = "argon2"``, ``"HS256"``, ``"aes-256-gcm"``) says which one
the code uses, not a credential (session 20).

Keys public by design (a PostHog project key ``phc_...``, a Stripe
publishable key ``pk_live_...``) authorize nothing.  A stand-in that says it is wrong (``"invalid-token"``, ``"wrong-password"``,
``"not-the-current-token"``) is no credential either.  Random-looking values
(hex or base64 of 16+ characters, as ``openssl rand -hex 32`` makes them)
and passwords of words and separators (``"orders-local-pw"``) are reported.

``is_random_looking`` also serves recall: a ``*_KEY`` name the name test
does not know (``ENCRYPTION_LOCAL_KEY``) is secret-like when its value is
random-looking.  A name alone never makes a finding.  A value with a calendar
date for one of its parts is an identifier built by a scheme, not random
(``john_cov_key_2025 = "1J1U-20250101-20251231-MED-57AMFC"``, session 10).
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.rules.secret_patterns import (
    AUTH_SCHEMES,
    is_selector,
    names_something_about_a_secret,
    split_name_words,
)

__all__ = [
    "could_be_credential",
    "is_api_key_name",
    "is_keyless_dummy",
    "is_name_value",
    "is_random_looking",
    "is_redaction_marker",
    "is_selector",
    "is_text_token",
    "is_unknown_key_name",
    "is_unspaced_script_text",
    "is_weak_password",
    "names_retired_value",
    "sentinel",
    "too_short",
]

# ---------------------------------------------------------------- 2. redaction
_REDACTION_WORDS = frozenset(
    (
        "redacted masked hidden filtered removed censored obfuscated sanitized omitted scrubbed "
        "secret_redacted value_hidden hidden_value sensitive"
    ).split()
)
_MARKER_STRIP = "[]<>(){}*_-#! "


def is_redaction_marker(value: str) -> bool:
    """``"REDACTED"``, ``"[MASKED]"``, ``"<hidden>"``, ``"***"``, ``"**FILTERED**"``."""
    stripped = value.strip()
    if stripped and set(stripped) <= set("*•·#"):
        return True
    return stripped.strip(_MARKER_STRIP).lower() in _REDACTION_WORDS


# ---------------------------------------------------------------- 3. keyless providers
_KEYLESS_DUMMIES = frozenset(
    (
        "ollama lm-studio lmstudio lm_studio vllm llamacpp llama-cpp llama.cpp localai local "
        "dummy none empty not-needed not_needed notneeded not-used no-key nokey no_key "
        "no-key-required not-required unused placeholder fake anything na n/a any nothing "
        "sk-placeholder sk-no-key-required sk-dummy sk-fake sk-local sk-none sk-empty sk-noop "
        "sk-unused sk-not-needed sk-anything sk-ollama sk-vllm"
    ).split()
)
_YOUR_PLACEHOLDER_RE = lazy_compile(
    r"(?:YOUR|Your|your)[_-]\w[\w\-]*|[A-Za-z0-9_\-]+[_-](?:HERE|here)"
)
# The placeholder dummy spelled out in plain words (``sk-placeholder-for-openapi-export``):
# letters only, as a digit or a random tail may be a real key's.
_WORDY_PLACEHOLDER_RE = lazy_compile(r"(?:sk-)?placeholder(?:[-_][a-z]+)+")
# A provider's key prefix and a digit count (``sk-1234567890``, ``sk-proj-123456``, LiteLLM's
# ``sk-1234``).
_COUNTING_DUMMY_RE = lazy_compile(
    r"(?:[A-Za-z]{2,8}[-_]){1,2}(?:0?123456789?0?|1234|12345|123456|1234567|12345678)"
)
# ``Bearer YOUR_API_KEY``: the placeholder after an HTTP auth scheme.
_AUTH_SCHEME_PREFIX_RE = lazy_compile(rf"(?:{AUTH_SCHEMES})\s+", re.IGNORECASE)


def is_api_key_name(name: str) -> bool:
    """``api_key``, ``OPENAI_API_KEY``, ``apiKey``, ``x-api-key``: a third party's key."""
    words = split_name_words(name)
    return "apikey" in words or any(
        first == "api" and second in ("key", "keys") for first, second in zip(words, words[1:])
    )


def is_client_secret_name(name: str) -> bool:
    """``client_secret``, ``GOOGLE_CLIENT_SECRET``, ``oauthClientSecret``: an OAuth
    provider's credential for this app."""
    words = split_name_words(name)
    return any(first == "client" and second == "secret" for first, second in zip(words, words[1:]))


# Servers the app logs in to: a password under one of these words is presented to the
# server, never checked by the app (``SMTP_PASSWORD``, ``EMAIL_HOST_PASSWORD``, ``REDIS_PASS``).
_LOGIN_SERVICE_WORDS = frozenset(
    (
        "smtp mail email imap pop3 ftp sftp db database postgres postgresql pg mysql mariadb "
        "mssql oracle redis mongo mongodb rabbitmq rabbit amqp broker ldap proxy elastic "
        "elasticsearch opensearch kafka neo4j clickhouse influxdb cassandra memcached minio "
        "docker registry"
    ).split()
)
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "pass"})


def is_service_login_name(name: str) -> bool:
    """``SMTP_PASSWORD``, ``mail_password``, ``POSTGRES_PASSWORD``: the password of a server the
    app connects to.  Not ``ADMIN_PASSWORD`` (the app checks it) nor ``DB_ENCRYPTION_KEY``."""
    words = split_name_words(name)
    return bool(_PASSWORD_WORDS.intersection(words)) and bool(
        _LOGIN_SERVICE_WORDS.intersection(words)
    )


def is_keyless_dummy(value: str, name: str = "") -> bool:
    """A key a keyless provider (Ollama, vLLM, LM Studio...) is given because the client
    needs one, or a ``YOUR_…`` fill-in that says it stands for a third party's key."""
    placeholder = _AUTH_SCHEME_PREFIX_RE.sub("", value.strip())
    if _YOUR_PLACEHOLDER_RE.fullmatch(placeholder):
        words = split_name_words(placeholder)
        if is_api_key_name(placeholder) or "token" in words:
            # ``headers={"Authorization": "Bearer YOUR_API_KEY"}`` in an API client: the
            # value itself names what it stands for, whatever the name it is given to.
            return True
    if name and not is_api_key_name(name):
        # ``SECRET_KEY = "PLACEHOLDER"`` signs sessions with that word: not a provider's dummy.
        # An OAuth client secret is the provider's credential too: ``"YOUR_CLIENT_SECRET"``
        # fails at the provider's token endpoint, it signs nothing of the app's.  So does
        # ``smtp_password = "YOUR_SMTP_PASSWORD"`` at the mail server: no server accepts it.
        return (is_client_secret_name(name) or is_service_login_name(name)) and bool(
            _YOUR_PLACEHOLDER_RE.fullmatch(value)
        )
    lowered = value.strip().lower()
    if lowered in _KEYLESS_DUMMIES:
        return True
    if lowered.startswith("sk-") and lowered[3:] in _KEYLESS_DUMMIES:
        return True  # ``"sk-no-key"``, ``"sk-lm-studio"``: a dummy in a provider key's shape
    if _WORDY_PLACEHOLDER_RE.fullmatch(value.strip().lower()):
        return True  # ``OPENAI_API_KEY = "sk-placeholder-for-schema-export"``
    if _COUNTING_DUMMY_RE.fullmatch(value.strip()):
        return True  # ``"sk-proj-1234567890"``: a key's shape with a count for its secret
    return bool(name) and bool(_YOUR_PLACEHOLDER_RE.fullmatch(value))


# ---------------------------------------------------------------- 4. names and weak passwords
# The contract's weak passwords and a few as common.
_WEAK_WORDS = frozenset(
    (
        "changeme changethis password passwd passwort pass admin administrator root toor secret "
        "letmein qwerty welcome guest"
    ).split()
)
# Words that make a weak password no stronger: ``supersecret``, ``mysecretkey``, ``change_me``.
_WEAK_FILLERS = frozenset(
    "my super your the very top this me change it its default new so ultra mega strong is".split()
)
_WEAK_VOCABULARY = _WEAK_WORDS | _WEAK_FILLERS | {"pw", "pwd"}
# Words of a fill-in placeholder that reaches production (``YOUR_SECRET_KEY_HERE``).
_PLACEHOLDER_WORDS = frozenset("your here replace replaceme change changeme todo fixme".split())
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_EDGE_NOISE_RE = lazy_compile(r"^[\W\d_]+|[\W\d_]+$")
_SEPARATORS_RE = lazy_compile(r"[\s_\-.]+")


@lru_cache(maxsize=2048)
def _segment(word: str, vocabulary: frozenset[str]) -> tuple[str, ...] | None:
    """``supersecretkey`` -> ``('super', 'secret', 'key')`` over ``vocabulary``, or None."""
    if not word:
        return ()
    for end in range(min(len(word), 13), 0, -1):
        head = word[:end]
        if head in vocabulary:
            rest = _segment(word[end:], vocabulary)
            if rest is not None:
                return (head, *rest)
    return None


def _weak_words(text: str, vocabulary: frozenset[str]) -> bool:
    if _SEPARATORS_RE.sub("", text) in _WEAK_WORDS:
        return True  # ``change_me``, ``let-me-in``
    words: list[str] = []
    for chunk in _SEPARATORS_RE.split(text):
        if not chunk:
            continue
        segmented = _segment(chunk, vocabulary)
        if segmented is None:
            return False
        words.extend(segmented)
    return any(word in _WEAK_WORDS for word in words)


def is_weak_password(value: str) -> bool:
    """A known weak password or a close variant: ``admin``, ``Secret``, ``admin123``,
    ``supersecret``, ``change_me``, ``P@ssw0rd!``, ``your-secret-key``, ``123456``."""
    stripped = value.strip()
    if stripped.isdigit():
        return len(stripped) >= 4 and stripped in "12345678901234567890"  # 1234, 123456...
    core = _EDGE_NOISE_RE.sub("", stripped).lower()
    if not core:
        return False
    # ``supersecretkey`` is weak; ``secret_key`` is a name (an identifier map's value).
    vocabulary = _WEAK_VOCABULARY if "_" in core else _WEAK_VOCABULARY | {"key"}
    if _weak_words(core, vocabulary):
        return True
    leet = _EDGE_NOISE_RE.sub("", stripped.lower().translate(_LEET))
    return leet != core and _weak_words(leet, vocabulary)


_ONE_WORD_RE = lazy_compile(r"[A-Za-z]+")
# ``list[V1Secret]``, ``dict(str, str)``, ``Optional[str]``: a type written as text.
_TYPE_EXPRESSION_RE = lazy_compile(
    r"[A-Za-z_][\w.]*\[[\w.\[\], |]+\]|(?:dict|list|tuple|set)\([\w., ]+\)"
)
# ``s3AccessKeyIDName``: lower-case start, words marked by capitals, digits allowed.
_CAMEL_WITH_DIGITS_RE = lazy_compile(r"[a-z][a-z0-9]*(?:[A-Z][A-Za-z0-9]*)+")
# Each word letters with at most a short number (``oauth2``, ``v1``, ``2fa``): a random
# segment (``4f9a2b7e``) makes a key, not a name.
# A word may carry its number inside (``a2a``, ``b2b``, ``k8s``): one run of digits.
_SNAKE_LOWER_RE = lazy_compile(
    r"_*[a-z]+(?:[0-9]{1,3}[a-z]*)?(?:_+(?:[a-z]+(?:[0-9]{1,3}[a-z]*)?|[0-9]{1,4}[a-z]*))*_*"
)
_SNAKE_UPPER_RE = lazy_compile(
    r"_*[A-Z]+(?:[0-9]{1,3}[A-Z]*)?(?:_+(?:[A-Z]+(?:[0-9]{1,3}[A-Z]*)?|[0-9]{1,4}[A-Z]*))*_*"
)
_CASE_CHANGE_RE = lazy_compile(r"[a-z][A-Z]|[A-Z][a-z]")
# The names of hashing, key-derivation, signing and cipher algorithms, which settings name
# under secret-like keys (``PASSWORD_HASHER``, ``TOKEN_ALGORITHM``): their digits made them
# look like a word with a digit added (``"hunter2"``), which stays a weak password.
_ALGORITHM_NAME_RE = lazy_compile(
    r"(?i)(?:argon2(?:id|i|d)?|bcrypt(?:[-_]sha256)?|scrypt|yescrypt|pbkdf2(?:[-_]sha(?:1|256|512))?"
    r"|sha[-_]?(?:1|224|256|384|512)(?:_crypt)?|sha3[-_](?:224|256|384|512)|md5(?:_crypt)?"
    r"|blake2[bs]|[hrpe]s(?:256|384|512)|eddsa|ed25519|x25519|aes[-_]?(?:128|192|256)(?:[-_](?:gcm|cbc|ctr))?"
    r"|hmac[-_]?sha(?:1|256|384|512)|chacha20(?:[-_]poly1305)?)"
)


def is_name_value(value: str) -> bool:
    """A name rather than a password: one word of letters (``"asc"``, ``"accessToken"``) or
    words joined by ``_`` in one letter case (``"access_token"``, ``"ACCESS_TOKEN"``),
    unless it is a weak password (``"admin"``, ``"change_me"``); also such names joined by
    ``:`` (``"myapp:channel:binding"``, see ``_is_key_namespace``)."""
    stripped = value.strip()
    if _is_usage_choices(stripped):
        return True  # ``"[global|thread]"``: the choices of a command's argument
    if _ALGORITHM_NAME_RE.fullmatch(stripped):
        return True  # ``PASSWORD_HASHER = "argon2"``: which algorithm, not a password
    if ":" in stripped:
        return _is_key_namespace(stripped)
    if _TYPE_EXPRESSION_RE.fullmatch(stripped):
        return True  # ``"list[V1LocalObjectReference]"``: a generated client's type map
    if _CAMEL_WITH_DIGITS_RE.fullmatch(stripped) and names_something_about_a_secret(stripped):
        return True  # ``"s3SecretAccessKeyName"``: a config key naming where a secret is
    if _ONE_WORD_RE.fullmatch(stripped):
        # 16+ letters switching case at every other letter are random, not camelCase.
        if len(stripped) >= 16 and len(_CASE_CHANGE_RE.findall(stripped)) > len(stripped) // 3:
            return False
    elif not (
        ("_" in stripped)
        and (_SNAKE_LOWER_RE.fullmatch(stripped) or _SNAKE_UPPER_RE.fullmatch(stripped))
    ):
        return False
    if any(word in _PLACEHOLDER_WORDS for word in split_name_words(stripped)):
        return False
    return not is_weak_password(stripped)


def _is_usage_choices(value: str) -> bool:
    """``"[global|thread]"``, ``"(on|off)"``: names joined by ``|`` in brackets, the way a
    usage line writes the choices of an argument (``/provider switch NAME [global|thread]``)."""
    if len(value) < 5 or (value[0], value[-1]) not in (("[", "]"), ("(", ")")):
        return False
    choices = value[1:-1].split("|")
    return len(choices) >= 2 and all(
        choice and not choice.startswith(("[", "(")) and is_name_value(choice) for choice in choices
    )


def _is_key_namespace(value: str) -> bool:
    """``"myapp:channel:binding"``, ``"auth:refresh_token:"``: a Redis or cache key namespace
    (names joined by ``:``, Redis's convention), held by a constant named after what the key
    stores (``_CHANNEL_CREDENTIAL_BINDING``).  Every segment must be a name in the sense of
    ``is_name_value`` and none a weak password (``"svc:7Hq2Lm9Xk4Rt"`` stays a credential).
    Two names without a trailing ``:`` are a basic-auth pair as often (``"postgres:postgres"``,
    ``"user:pass"``): a namespace has three segments or ends in ``:``."""
    if "::" in value:
        # ``"VOLUME::INVALID_CREDENTIALS"``: an error code in a namespace (C++/Rust style); a
        # basic-auth pair or a URL never doubles the colon.
        parts = value.split("::")
        return len(parts) >= 2 and all(part and is_name_value(part) for part in parts)
    segments = value.split(":")
    prefix = segments[-1] == ""
    if prefix:
        segments.pop()  # a prefix: ``"auth:token:"``
    return len(segments) >= (2 if prefix else 3) and all(
        segment and is_name_value(segment) for segment in segments
    )


# ---------------------------------------------------------------- locked accounts
_LOCKED_MARKER_RE = lazy_compile(r"[!*]+[A-Za-z]*[!*]*")


def is_locked_password_marker(value: str) -> bool:
    """``password_hash = "!disabled"``, ``"*LK*"``, ``"!locked"``: the shadow-file convention
    for an account that cannot log in. ``verify`` rejects it (no hash scheme starts with
    ``!`` or ``*``), so it grants nothing; ``"!admin"`` stays a weak password."""
    stripped = value.strip()
    return bool(_LOCKED_MARKER_RE.fullmatch(stripped)) and not is_weak_password(stripped)


# ---------------------------------------------------------------- secret objects
# A Kubernetes-style resource name (DNS-1123 words) ending in a plural collection word.
_SECRET_OBJECT_RE = lazy_compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*-(?:credentials|creds|secrets)")


def names_secret_object(value: str) -> bool:
    """``"sandbox-oss-credentials"``, ``"db-secrets"``: the name of the object (a Kubernetes
    ``Secret``, a vault entry) that holds credentials, given to a setting that says which one
    to mount. A password is never called "...-credentials"; ``"orders-local-pw"`` and
    ``"my-secret"`` stay reported."""
    stripped = value.strip()
    return bool(_SECRET_OBJECT_RE.fullmatch(stripped)) and not is_weak_password(stripped)


# ---------------------------------------------------------------- structured values
def is_json_structure(value: str) -> bool:
    """``"[1,null]"``, ``'{"mode": "strict"}'``: a JSON array or object written as text (a
    protocol field a client sends as is). A credential is one string, never a structure."""
    stripped = value.strip()
    if not (stripped[:1] == "[" and stripped[-1:] == "]") and not (
        stripped[:1] == "{" and stripped[-1:] == "}"
    ):
        return False
    try:
        parsed = json.loads(stripped)
    except ValueError:
        return False
    if not isinstance(parsed, (list, dict)):
        return False
    # A JSON list of keys (``'["sk-live-..."]'``, an env default) still holds credentials.
    return not any(could_be_credential(leaf) for leaf in _string_leaves(parsed))


def _string_leaves(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        return [leaf for item in value for leaf in _string_leaves(item)]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _string_leaves(item)]
    return []


# ---------------------------------------------------------------- 1. sentinels
def sentinel(value: str) -> bool:
    """A literal compared against with no digit or symbol (``"LDAP"``, ``"unavailable"``),
    too short for any credential (``token == "-c"``), or a command-line option
    (``token == "--add-skill"``, a hand-written argv loop over ``tokens``)."""
    stripped = value.strip()
    return stripped.isalpha() or too_short(stripped) or is_cli_option(stripped)


# ``--name``, ``--add-skill``, ``-verbose``: dashes, then words of letters joined by dashes.
_CLI_OPTION_RE = lazy_compile(r"--?[A-Za-z]+(?:-[A-Za-z]+)*")


def is_cli_option(value: str) -> bool:
    """A command-line option spelled as one (session 18): compared with a ``token`` read from
    an argument list, it picks the branch of a parser; no password starts with ``--``."""
    return bool(_CLI_OPTION_RE.fullmatch(value))


def too_short(value: str) -> bool:
    """Under 4 characters and no known weak password: a code, an option or a key segment
    (``"-c"``, ``"ff1"``, ``"pf"``).  Three characters are guessed in a moment; no
    maintainer keeps a credential that short, while ``"1234"`` or ``"root"`` stay weak."""
    stripped = value.strip()
    return len(stripped) < 4 and not is_weak_password(stripped)


# ---------------------------------------------------------------- 6. text tokens
_SPECIAL_TOKEN_RE = lazy_compile(
    r"<\|[^<>|\s]*\|>|</?[A-Za-z_]{1,12}>|\[[A-Za-z_]{1,16}\]|[▁Ġ]|<0x[0-9A-Fa-f]{2}>"
    # The start or end of a tag in a model's output (``"<function"``, ``"tool_call>"``).
    r"|<[/|]?[A-Za-z_][\w|▁-]{0,31}|[A-Za-z_][\w|▁-]{0,31}>"
    # A LaTeX token of a formula parser: ``\left.``, ``\right\rbrace``, ``\left\{``.
    r"|(?:\\(?:[A-Za-z]+|[^\w\s])[^\w\s\\]?)+"
)


def is_text_token(value: str) -> bool:
    """A tokenizer's special token: ``"[CLS]"``, ``"<|endoftext|>"``, ``"</s>"``, ``"▁"``,
    ``"<｜User｜>"``; a LaTeX token (``"\\left."``)."""
    stripped = value.strip()
    return bool(_SPECIAL_TOKEN_RE.fullmatch(stripped)) or _has_non_ascii_symbol(stripped)


def _has_non_ascii_symbol(value: str) -> bool:
    """``"｜DSML｜"``, ``"<｜end▁of▁sentence｜>"``: a symbol outside ASCII (a full-width bar,
    a box character) marks a model's text token; keys and tokens a service accepts are
    ASCII. Letters outside ASCII (a password ``"mötley-crüe-1"``) do not count."""
    return any(ord(char) > 127 and not unicodedata.category(char).startswith("L") for char in value)


# Han ideographs, kana, Hangul and Thai: scripts written without spaces between words
# (Korean spaces its words, but a one-word label holds no space either).
_UNSPACED_SCRIPT_RE = lazy_compile(
    r"[\u0e00-\u0e7f\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf"
    r"\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)


def is_unspaced_script_text(value: str) -> bool:
    """``"パスワードが一致しません"``, ``"交易密码"``, ``"API密钥"``: two or more characters of a
    script written without spaces make a message or a UI label (a locale table's entry
    under ``password_mismatch``), a sentence whose words no whitespace separates.  Keys
    and tokens a service accepts are ASCII, and nobody hardcodes a password in ideographs."""
    return len(_UNSPACED_SCRIPT_RE.findall(value, 0, 64)) >= 2


# ---------------------------------------------------------------- control sequences
def is_control_sequence(value: str) -> bool:
    """``GREEN_TOKEN = "\\033[92m"``: a terminal escape sequence (a colour "token").

    A control character (ESC, BEL, NUL) cannot be typed into a password field or sent in an
    HTTP header: no credential holds one, while terminal styling always does.  Line breaks
    and tabs do not count (a PEM block spans lines)."""
    return any(unicodedata.category(char) == "Cc" and not char.isspace() for char in value)


# ---------------------------------------------------------------- token labels
_SLUG_RE = lazy_compile(r"[a-z]+(?:-[a-z]+)+")


def is_token_label(value: str, name: str) -> bool:
    """``token="ui-session-owner"``: a slug of lowercase words given to a bare ``token``
    labels an in-process auth object; issued tokens are random.  ``api_token``,
    ``access_token`` and passwords (``"orders-local-pw"``) of words stay reported."""
    return (
        split_name_words(name) == ["token"]
        and bool(_SLUG_RE.fullmatch(value.strip()))
        and not is_weak_password(value)
    )


# ---------------------------------------------------------------- stand-ins
_WRONG_WORDS = frozenset(
    "not no wrong invalid bad fake bogus expired incorrect unknown mismatched other stale".split()
)


def _is_wrong_on_purpose(value: str) -> bool:
    """``"invalid-token"``, ``"wrong-password"``, ``"not-the-current-token"``: fails on purpose."""
    words = split_name_words(value)
    return len(words) >= 2 and words[0] in _WRONG_WORDS and value[:1].isalpha()


# ---------------------------------------------------------------- random-looking
_KEY_CHARS_RE = lazy_compile(r"[A-Za-z0-9+/=_\-]{16,}")
_HEX_RE = lazy_compile(r"[0-9a-fA-F\-]{16,}")


# A calendar date as one part of a value: ``20250101`` or ``2025-01-01`` between separators.
_DATE_PART_RE = lazy_compile(
    r"(?:^|[-_.:/])(?:19|20)\d\d-?(?:0[1-9]|1[0-2])-?(?:0[1-9]|[12]\d|3[01])(?=$|[-_.:/T])"
)


def is_random_looking(value: str) -> bool:
    """Hex or base64 of 16+ characters (``openssl rand -hex 32``, ``secrets.token_urlsafe()``).

    A value with a calendar date for one of its parts is an identifier built by a scheme
    (``"1J1U-20250101-20251231-MED-57AMFC"``, a coverage period's key): random keys have
    no dates in them.
    """
    stripped = value.strip()
    if not _KEY_CHARS_RE.fullmatch(stripped) or is_name_value(stripped):
        return False
    if _DATE_PART_RE.search(stripped):
        return False
    digits = sum(char.isdigit() for char in stripped)
    if _HEX_RE.fullmatch(stripped):
        return digits >= 2 and any(char.isalpha() for char in stripped)
    classes = sum(
        (
            any(char.islower() for char in stripped),
            any(char.isupper() for char in stripped),
            digits > 0,
        )
    )
    return classes >= 2 and digits >= 2


_UUID_RE = lazy_compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def is_uuid(value: str) -> bool:
    """``"da93c2bd-c857-4b10-8c8c-60988103320f"``: an identifier as often as a key."""
    return bool(_UUID_RE.fullmatch(value.strip()))


# Keys named as the shareable half: a key pair's public key, a client's publishable key,
# a signature scheme's verifying key (Ed25519 ``VerifyKey``: it checks signatures, it makes none).
_PUBLIC_WORDS = frozenset({"public", "publishable", "pub", "verifying", "verify", "verification"})


def is_unknown_key_name(name: str) -> bool:
    """``ENCRYPTION_LOCAL_KEY``, ``SESSION_KEY``, ``KEY``: a key the name test does not know.

    Secret-like only with a random-looking value (``CACHE_KEY = "users"`` is a cache key).
    """
    words = [word for word in split_name_words(name) if not word.isdigit()]
    if len(words) > 1 and words[-2] in _PUBLIC_WORDS:
        return False  # ``LANGFUSE_PUBLIC_KEY``, ``VAPID_PUBLIC_KEY``: the half meant to be shared
    if _names_handshake_nonce(words):
        return False
    return bool(words) and words[-1] in ("key", "keys")


def _names_handshake_nonce(words: list[str]) -> bool:
    """``Sec-WebSocket-Key``: the nonce a client sends to open a WebSocket (RFC 6455).

    The client makes it up for each handshake and the server only hashes it back into
    ``Sec-WebSocket-Accept``: it opens nothing, and probes send the RFC's sample value.
    """
    before = words[:-1]
    return before[-1:] == ["websocket"] or before[-2:] == ["web", "socket"]


# ---------------------------------------------------------------- stored hashes
_WORDS_ONLY_RE = lazy_compile(r"[A-Za-z]+(?:[-_. ][A-Za-z]+)+")


def is_unusable_hash_value(value: str, name: str) -> bool:
    """``password_hash="seed-user-no-login"``: words stored where a hash belongs.

    Login hashes what the user typed and compares: no input hashes to a phrase of words
    (and passlib refuses it as an unknown scheme), so the account cannot log in, like the
    ``"!locked"`` marker.  A digest (hex, base64) under a hash name stays reported: it is
    the stored form of a real password; so does a known weak password stored in clear.
    """
    if not {"hash", "hashed", "digest"} & set(split_name_words(name)):
        return False
    stripped = value.strip()
    return bool(_WORDS_ONLY_RE.fullmatch(stripped)) and not is_weak_password(stripped)


# ---------------------------------------------------------------- together
def could_be_credential(
    value: str,
    name: str = "",
    *,
    compared: bool = False,
    argument: bool = False,
    accepted: bool = False,
) -> bool:
    """Whether API501 reports ``value`` given to the secret-like ``name`` (see the module doc).

    ``value`` already passed ``secret_patterns.is_secret_value``; ``argument``: it is passed
    as a keyword argument of a call (``OpenAI(api_key="...")``).
    """
    if (compared and sentinel(value) and not (accepted and is_weak_password(value))) or too_short(
        value
    ):
        # A word compared with is a mode or a sentinel (``"LDAP"``), unless the comparison is a
        # gate that refuses every other value and the word is a known weak password
        # (``if body.password != "letmein": raise HTTPException(401)``): the code lets exactly
        # that password in.
        return False
    if is_token_label(value, name):
        return False
    if is_redaction_marker(value) or is_keyless_dummy(value, name) or is_text_token(value):
        return False
    if is_unspaced_script_text(value):
        return False
    if is_control_sequence(value) or is_locked_password_marker(value):
        return False
    if name and is_unusable_hash_value(value, name):
        return False
    if names_secret_object(value):
        return False
    if (not accepted and _is_wrong_on_purpose(value)) or is_public_client_key(value):
        return False
    if is_regex(value) or is_selector(value) or is_json_structure(value):
        return False
    if _CSS_COLOUR_RE.fullmatch(value.strip()):
        return False  # ``{"credential": "#f59e0b"}``: the colour a graph draws credentials in
    if is_name_value(value):
        return False
    if name and names_retired_value(name) and not is_random_looking(value):
        # ``LEGACY_DEFAULT_ADMIN_PASSWORD = "password1234"``: kept to reject it.
        return False
    if name and is_api_key_name(name) and not (is_random_looking(value) or _has_digit(value)):
        # A provider's API key is random: ``"mlflow-gateway-auth"`` is a dummy for a
        # client that insists on a key.  Passed to a call, even a weak word is a dummy
        # (``post_call(api_key="my-secret-key")``); a constant may be the app's own key.
        return not argument and is_weak_password(value)
    return True


# A name that says its value is retired or refused: a deny-list entry, not a credential.
_RETIRED_WORDS = frozenset(
    (
        "retired compromised leaked banned blocked blocklisted blacklisted "
        "denied denylisted forbidden disallowed rejected revoked"
    ).split()
)
# "legacy" and "deprecated" more often name the system the credential opens
# (``LEGACY_BILLING_PASSWORD``, the password of the legacy billing service): they say the
# value is retired only next to "default" (``_LEGACY_DEFAULT_ADMIN_PASSWORD``, a shipped
# default kept to refuse it).
_AGED_WORDS = frozenset(("legacy", "deprecated"))
_DEFAULT_WORDS = frozenset(("default", "defaults"))


def names_retired_value(name: str) -> bool:
    """``_LEGACY_DEFAULT_ADMIN_PASSWORD``, ``COMPROMISED_TOKEN``, ``BLOCKED_PASSWORD``."""
    words = set(split_name_words(name))
    if _RETIRED_WORDS & words:
        return True
    return bool(_AGED_WORDS & words) and bool(_DEFAULT_WORDS & words)


# Keys made to be public: a PostHog project key and a Stripe publishable key ship in
# every browser that loads the page; they identify a project, they authorize nothing.
_PUBLIC_KEY_RE = lazy_compile(r"(?:phc_|pk_live_|pk_test_)[A-Za-z0-9]{16,}")


# A character class with a repeat or a letter range: ``[!#$%&A-Za-z0-9-]+`` (an RFC token grammar).
_CHARACTER_CLASS_RE = lazy_compile(r"\[[^\]]+\][+*?{]|[A-Za-z0-9]-[A-Za-z0-9]\]")


# ``#f59e0b``, ``#fff``, ``#00000080``: a CSS hex colour.
_CSS_COLOUR_RE = lazy_compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


def is_regex(value: str) -> bool:
    """A regular expression's character class: ``[A-Za-z0-9._~-]+``."""
    return bool(_CHARACTER_CLASS_RE.search(value))


def is_public_client_key(value: str) -> bool:
    """``phc_...`` (PostHog), ``pk_live_...`` (Stripe publishable): public by design."""
    return bool(_PUBLIC_KEY_RE.fullmatch(value.strip()))


def never_credential(value: str, name: str = "") -> bool:
    """The classes every name-based rule (API501-API503) skips: redaction markers,
    keyless-provider dummies, special tokens, values wrong on purpose."""
    return (
        is_redaction_marker(value)
        or is_keyless_dummy(value, name)
        or is_text_token(value)
        or is_unspaced_script_text(value)
        or is_control_sequence(value)
        or _is_wrong_on_purpose(value)
        or is_public_client_key(value)
        or is_regex(value)
        or is_selector(value)
    )


def _has_digit(value: str) -> bool:
    return any(char.isdigit() for char in value)

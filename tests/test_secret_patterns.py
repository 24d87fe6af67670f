"""Unit tests of fastapi_lint.rules.secret_patterns (the contract, API5xx).

Credential-shaped values are built by concatenation so that secret scanners
run on this repository do not flag the test file itself.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import time

import pytest

from fastapi_lint.rules.credential_formats import (
    CREDENTIAL_LABELS,
    CredentialMatch,
    find_credential,
)
from fastapi_lint.rules.secret_patterns import (
    is_secret_like_name,
    is_secret_value,
    is_url_password_secret,
    redact,
    split_name_words,
    url_password,
)


def _b64(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


# The jwt.io example token (HS256).
JWT_IO = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
# FastAPI's OAuth2/JWT tutorial.
TUTORIAL_SECRET_KEY = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"
TUTORIAL_BCRYPT_HASH = "$2b$12$EixZaYVK1fsbw1ZfbX3OXePaWxn96p36WQoeG6Lruj3vjPGga31lW"
RANDOM_36 = "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"
RANDOM_43 = "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9f"


# ---------------------------------------------------------------------------
# split_name_words
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("apiKey", ["api", "key"]),
        ("SECRET_KEY", ["secret", "key"]),
        ("clientSecret", ["client", "secret"]),
        ("JWTSecret", ["jwt", "secret"]),
        ("x-api-key", ["x", "api", "key"]),
        ("X-API-Key", ["x", "api", "key"]),
        ("APIKey", ["api", "key"]),
        ("AWS_SECRET_ACCESS_KEY", ["aws", "secret", "access", "key"]),
        ("tokenUrl", ["token", "url"]),
        ("form_data.password", ["form", "data", "password"]),
        ("settings.SECRET_KEY", ["settings", "secret", "key"]),
        ("getHTTPResponse", ["get", "http", "response"]),
        ("password2", ["password", "2"]),
        ("__secret__", ["secret"]),
        ("apikey", ["apikey"]),
        ("PascalCaseName", ["pascal", "case", "name"]),
        ("", []),
        ("___", []),
    ],
)
def test_split_name_words(name: str, words: list[str]) -> None:
    assert split_name_words(name) == words


def test_split_name_words_returns_a_fresh_list() -> None:
    first = split_name_words("apiKey")
    first.append("mutated")
    assert split_name_words("apiKey") == ["api", "key"]


# ---------------------------------------------------------------------------
# is_secret_like_name
# ---------------------------------------------------------------------------

SECRET_LIKE_NAMES = [
    # the contract's words
    "secret",
    "SECRET_KEY",
    "secret_key",
    "secretKey",
    "password",
    "db_password",
    "DB_PASSWORD",
    "POSTGRES_PASSWORD",
    "passwd",
    "pwd",
    "passphrase",
    "token",
    "access_token",
    "refresh_token",
    "accessToken",
    "apiKey",
    "api_key",
    "API_KEY",
    "APIKey",
    "apikey",
    "x-api-key",
    "private_key",
    "privateKey",
    "access_key",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "client_secret",
    "clientSecret",
    "jwt_secret",
    "JWTSecret",
    "credential",
    "credentials",
    "signing_key",
    # FastAPI realities: the value check decides for these
    "form_data.password",
    "user.hashed_password",
    "hashed_password",
    "new_password",
    "password_hash",
    "settings.SECRET_KEY",
    "self.api_key",
    "FIRST_SUPERUSER_PASSWORD",
    # compounds and close relatives
    "dbpassword",
    "authtoken",
    "secretkey",
    "SECRETKEY",
    "mysecret",
    "id_token",
    "session_token",
    "CSRF_SECRET",
    "bot_token",
    "password_reset_token",
    "access_tokens",
    "encryption_key",
    "creds",
    "secrets",
    "GITHUB_TOKEN",
    "OPENAI_API_KEY",
    "url_token",
]

NOT_SECRET_LIKE_NAMES = [
    # anti-forgery nonces: they prove the page, not the sender (CSRF_SECRET still is secret-like)
    "csrf_token",
    "x-csrftoken",
    "XSRF-TOKEN",
    "csrfmiddlewaretoken",
    # the contract's exclusions
    "tokenUrl",
    "token_url",
    "SECRET_KEY_FILE",
    "password_min_length",
    "ACCESS_TOKEN_EXPIRE_MINUTES",
    "REFRESH_TOKEN_EXPIRES",
    "token_type",
    "JWT_ALGORITHM",
    "jwt_secret_algorithm",
    "secret_url",
    "token_uri",
    "token_endpoint",
    "secret_path",
    "secrets_dir",
    "SECRET_KEY_ENV",
    "password_var",
    "secret_name",
    "password_field",
    "api_key_header",
    "API_KEY_NAME",
    "token_ttl",
    "password_max_length",
    "token_max_age",
    "password_pattern",
    "password_regex",
    "token_prefix",
    "tokenType",
    "token_expiration",
    # LLM vocabulary
    "tokenizer",
    "tokenize",
    "max_tokens",
    "num_tokens",
    "token_count",
    "tokens",
    "prompt_tokens",
    "total_tokens",
    "token_limit",
    "token_ids",
    "token_usage",
    "token_embed",
    "eos_token",
    "pad_token",
    "next_page_token",
    "NextToken",
    # names about a secret, beyond the contract
    "pwd_context",
    "credentials_exception",
    "password_label",
    "oauth2_scheme",
    # no secret word at all
    "key",
    "public_key",
    "primary_key",
    "sort_key",
    "cache_key",
    "user_id",
    "username",
    "authorization",
    "passwordless",
    "secretary",
    "ALGORITHM",
    "",
]


@pytest.mark.parametrize("name", SECRET_LIKE_NAMES)
def test_secret_like_names(name: str) -> None:
    assert is_secret_like_name(name)


@pytest.mark.parametrize("name", NOT_SECRET_LIKE_NAMES)
def test_not_secret_like_names(name: str) -> None:
    assert not is_secret_like_name(name)


def test_extra_names_add_words_and_full_names() -> None:
    assert not is_secret_like_name("user_pin")
    assert is_secret_like_name("user_pin", extra_names=["pin"])
    assert is_secret_like_name("USER_PIN", extra_names=["pin"])
    assert is_secret_like_name("my_auth_key", extra_names=["auth_key"])
    assert is_secret_like_name("myAuthKey", extra_names=["auth_key"])
    # a name about the extra word is still not one
    assert not is_secret_like_name("pin_length", extra_names=["pin"])
    # a full name given as extra always counts
    assert is_secret_like_name("pin_length", extra_names=["pin_length"])
    # a generator is accepted
    assert is_secret_like_name("license", extra_names=(n for n in ["license"]))
    assert not is_secret_like_name("spinner", extra_names=["pin"])


def test_ignored_names_are_full_names_case_insensitive() -> None:
    assert not is_secret_like_name("SECRET_KEY", ignored_names=["secret_key"])
    assert not is_secret_like_name("secret_key", ignored_names=["SECRET_KEY"])
    assert not is_secret_like_name("form_data.password", ignored_names=["password"])
    # only full names: other names keep their verdict
    assert is_secret_like_name("db_password", ignored_names=["password"])
    assert is_secret_like_name("SECRET_KEY", ignored_names=["secret"])
    # ignored wins over extra
    assert not is_secret_like_name("pin", extra_names=["pin"], ignored_names=["PIN"])


# ---------------------------------------------------------------------------
# is_secret_value
# ---------------------------------------------------------------------------

SECRET_VALUES = [
    TUTORIAL_SECRET_KEY,
    # placeholders reach production (the contract)
    "changeme",
    "your-secret-key",
    "secret",
    "supersecret",
    "mysecret",
    "secret_key",
    "secret-key",
    "client_secret",
    "CHANGEME",
    "CHANGE_ME",
    "YOUR_API_KEY",
    "changethis",
    "django-insecure-7x!q$w9@h2k",
    # weak passwords, comparisons (`if password == "root"`)
    "root",
    "admin",
    "test",
    "password",
    "Password",
    "PASSWORD",
    "passwd",
    "password123",
    "Passw0rd!",
    "hunter2",
    "postgres",
    "ab",
    "1234",
    "fakehashedsecret",
    "my_api_key",
    # a credential with its auth scheme is not a sentence
    "Bearer 9f8e7d6c5b4a3928",
    "Token " + TUTORIAL_SECRET_KEY,
    "Basic dXNlcjpwYXNzd29yZA==",
    # URLs with a real password
    "postgresql://user:hunter2@localhost/app",
    "postgresql://postgres:postgres@db:5432/app",
    # base64 with slashes is not a path
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCY12345678",
    "/aB3dE5fG7hJ9kL1mN3pQ5r",
    "k3y+wiTh/plus==",
    # leading/trailing whitespace is not a sentence
    "  s3cr3t-v4lue\n",
]

NOT_SECRET_VALUES = [
    # the contract's list
    "",
    "SECRET_KEY",
    "DATABASE_URL",
    "AWS_SECRET_ACCESS_KEY",
    "OPENAI_API_KEY_2",
    "Could not validate credentials",
    "Incorrect username or password",
    "secret.json",
    "credentials.json",
    "service-account.json",
    "/run/secrets/db_password",
    "./certs/key.pem",
    "~/.ssh/id_rsa",
    "id_rsa",
    ".env",
    ".env.production",
    "secrets/db_password.txt",
    "config/secrets/",
    "C:\\secrets\\token.txt",
    "https://example.com/token",
    "https://auth.myapp.io/oauth/token",
    "postgresql://localhost/app",
    "postgresql://user@localhost/app",
    "postgresql://user:***@localhost/app",
    "bearer",
    "Bearer",
    "BEARER",
    TUTORIAL_BCRYPT_HASH,
    "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
    "$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
    "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
    "$pbkdf2-sha256$29000$N2bMOYeQ0nqP0Rqj1JoT4g$abc",
    "$scrypt$ln=16,r=8,p=1$c2FsdA$aGFzaA",
    "$6$rounds=5000$saltsalt$abcdef",
    "pbkdf2_sha256$260000$salt$hash",
    "*****",
    "***",
    "xxx",
    "0000000000",
    "a",
    "...",
    "sk-...",
    "ghp_…",
    "xxxx-xxxx-xxxx",
    "sk-XXXXXXXXXXXXXXXX",
    "my-EXAMPLE-key",
    "example-secret",
    "<your-secret-key>",
    "<SECRET>",
    "${SECRET_KEY}",
    "{password}",
    "{}",
    "prefix-{0}",
    # format specifiers, env references, non-values
    "%s",
    "%(password)s",
    "$SECRET_KEY",
    "none",
    "None",
    "null",
    "true",
    "False",
    # field and header names: a name, not a secret
    "token",
    "Token",
    "access_token",
    "refresh_token",
    "api_key",
    "apiKey",
    "x-api-key",
    "X-API-Key",
    "X-Auth-Token",
    "X-Webhook-Secret",
    "Authorization",
    "Proxy-Authorization",
    "Cookie",
    "new_password",
    "hashed_password",
    "credentials",
    "key",
    # "Token expired" is still a sentence
    "Token expired",
    "Bearer {token}",
    "Bearer <token>",
]


@pytest.mark.parametrize("value", SECRET_VALUES)
def test_secret_values(value: str) -> None:
    assert is_secret_value(value)


@pytest.mark.parametrize("value", NOT_SECRET_VALUES)
def test_not_secret_values(value: str) -> None:
    assert not is_secret_value(value)


def test_extra_placeholders_are_exact_and_case_insensitive() -> None:
    assert is_secret_value("dev-secret")
    assert not is_secret_value("dev-secret", extra_placeholders=["DEV-SECRET"])
    assert is_secret_value("dev-secret-2", extra_placeholders=["dev-secret"])
    assert not is_secret_value(
        "postgresql://app:dev-secret@db/app", extra_placeholders=["dev-secret"]
    )


# ---------------------------------------------------------------------------
# url_password / is_url_password_secret (API505)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("postgresql://user:password@localhost/db", "password"),
        ("postgresql+asyncpg://postgres:postgres@db:5432/app", "postgres"),
        ("mysql+pymysql://root:hunter2@127.0.0.1:3306/app", "hunter2"),
        ("redis://:s3cret@localhost:6379/0", "s3cret"),
        ("mongodb+srv://admin:Pa55w0rd@cluster0.abcde.mongodb.net/?retryWrites=true", "Pa55w0rd"),
        ("amqp://guest:guest@localhost//", "guest"),
        ("postgresql://user:p@ss@localhost/db", "p@ss"),
        ("postgresql://user:pa/ss@localhost/db", "pa/ss"),
        ("postgresql://user:p%40ss@localhost/db", "p%40ss"),
        ("postgresql://{user}:{password}@{host}/db", "{password}"),
        ("postgresql://user:%s@localhost/db", "%s"),
        ("postgresql://user:${DB_PASSWORD}@localhost/db", "${DB_PASSWORD}"),
        ("DATABASE_URL=postgresql://app:hunter2@db/app", "hunter2"),
        # no password
        ("postgresql://user@localhost/db", None),
        ("postgresql://user:@localhost/db", None),
        ("postgresql://localhost:5432/db", None),
        ("sqlite:///./test.db", None),
        ("sqlite+aiosqlite:///:memory:", None),
        ("https://example.com/path?next=a:b@c", None),
        ("https://example.com/@user:name", None),
        ("http://[::1]:8000/", None),
        ("user:password@localhost", None),
        ("not a url", None),
        ("", None),
    ],
)
def test_url_password(url: str, password: str | None) -> None:
    assert url_password(url) == password


@pytest.mark.parametrize(
    "password", ["password", "postgres", "guest", "hunter2", "p@ss", "changeme", "root"]
)
def test_url_passwords_that_are_secrets(password: str) -> None:
    # default credentials are included (the contract, API505)
    assert is_url_password_secret(password)


@pytest.mark.parametrize(
    "password",
    [
        "",
        "***",
        "*****",
        "%s",
        "%(password)s",
        "{password}",
        "{}",
        "${DB_PASSWORD}",
        "$DB_PASSWORD",
        "DB_PASSWORD",
        "xxxx",
        "XXXXXXXX",
        "<password>",
        "...",
        "EXAMPLE",
        "]+):([^@]+)",  # a pattern's groups: r"mysql://([^:]+):([^@]+)@([^/]+)/(.+)"
        r"(?P<password>\S+)",
    ],
)
def test_url_passwords_that_are_not_secrets(password: str) -> None:
    assert not is_url_password_secret(password)


def test_url_password_extra_placeholders() -> None:
    assert is_url_password_secret("localdev")
    assert not is_url_password_secret("localdev", extra_placeholders=["LocalDev"])


# ---------------------------------------------------------------------------
# find_credential (API504)
# ---------------------------------------------------------------------------

CREDENTIALS = [
    ("aws-access-key-id", "AKIA" + "Z7Q2K4M9X3B8N5LP"),
    ("aws-access-key-id", "ASIA" + "Z7Q2K4M9X3B8N5LP"),
    ("aws-access-key-id", "ABIA" + "1234567890ABCDEF"),
    ("aws-access-key-id", "ACCA" + "Z7Q2K4M9X3B8N5LP"),
    ("github-token", "ghp_" + RANDOM_36),
    ("github-token", "gho_" + RANDOM_36),
    ("github-token", "ghs_" + RANDOM_36),
    ("github-token", "ghu_" + RANDOM_36),
    ("github-token", "ghr_" + RANDOM_36),
    ("github-token", "ghp_" + RANDOM_36[:20]),
    ("github-token", "github_pat_" + "11ABCDEFG0aB3dE5fG7hJ9_" + RANDOM_43 + "kL1mN3pQ5rS7tU9"),
    ("gitlab-token", "glpat-" + "aB3dE5fG7hJ9kL1mN3pQ"),
    ("gitlab-token", "glpat-" + "aB3d-E5fG_7hJ9kL1mN3p"),
    ("slack-token", "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"),
    ("slack-token", "xoxp-" + "482930175561-220938475610-913377450128-q7vkd2"),
    ("slack-token", "xoxa-" + "2-123456789012"),
    ("stripe-live-key", "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"),
    ("stripe-live-key", "rk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"),
    ("google-api-key", "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"),
    ("openai-api-key", "sk-" + "aB3dE5fG7hJ9kL1mN3pQ" + "T3BlbkFJ" + "aB3dE5fG7hJ9kL1mN3pQ"),
    ("openai-api-key", "sk-proj-" + RANDOM_36),
    ("anthropic-api-key", "sk-ant-" + "api03-" + RANDOM_36),
    ("sendgrid-api-key", "SG." + RANDOM_36[:22] + "." + RANDOM_43),
    (
        "private-key",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq9Zx2\n-----END RSA PRIVATE KEY-----\n",
    ),
    ("private-key", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF\n"),
    ("private-key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"),
    ("private-key", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk\n"),
    ("private-key", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0zZzQBCADZ\n"),
    (
        "private-key",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0w\n",
    ),
    (
        "private-key",
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
        "DEK-Info: AES-128-CBC,8A7E\n\nMIIEpAIBAAKCAQEA7bq9\n",
    ),
    ("jwt", JWT_IO),
    ("jwt", _b64({"alg": "RS256", "kid": "k1"}) + "." + _b64({"sub": "42"}) + ".c2lnbmF0dXJl"),
    ("jwt", _b64({"alg": "HS256"}) + "..c2lnbmF0dXJl"),  # detached payload
]


@pytest.mark.parametrize(("kind", "value"), CREDENTIALS)
def test_find_credential_whole_value(kind: str, value: str) -> None:
    match = find_credential(value)
    assert match is not None
    assert match.kind == kind
    assert match.start == 0
    assert match.label == CREDENTIAL_LABELS[kind]


def test_jwt_header_with_whitespace() -> None:
    # "{ " and "{\n" encode to "eyA" and "ewo": still a JSON header
    for header in ('{ "alg": "HS256" }', '{\n  "alg": "HS256"\n}'):
        encoded = base64.urlsafe_b64encode(header.encode()).rstrip(b"=").decode()
        token = encoded + "." + _b64({"sub": "1"}) + ".c2lnbmF0dXJl"
        match = find_credential(token)
        assert match is not None and match.kind == "jwt"


@pytest.mark.parametrize(("kind", "value"), CREDENTIALS)
def test_find_credential_substring(kind: str, value: str) -> None:
    text = "prefix: " + value + " suffix"
    match = find_credential(text)
    assert match is not None
    assert match.kind == kind
    assert match.start == len("prefix: ")
    assert text[match.start : match.end].strip() in value


def test_find_credential_spans() -> None:
    key = "ghp_" + RANDOM_36
    text = "Authorization: token " + key
    match = find_credential(text)
    assert match == CredentialMatch("github-token", len(text) - len(key), len(text))
    bearer = "Bearer " + JWT_IO
    assert find_credential(bearer) == CredentialMatch("jwt", 7, len(bearer))


def test_find_credential_returns_the_leftmost() -> None:
    aws = "AKIA" + "Z7Q2K4M9X3B8N5LP"
    stripe = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    match = find_credential(stripe + "," + aws)
    assert match is not None and match.kind == "stripe-live-key"
    match = find_credential(aws + "," + stripe)
    assert match is not None and match.kind == "aws-access-key-id"


def test_find_credential_skips_a_placeholder_before_a_real_one() -> None:
    real = "ghp_" + RANDOM_36
    match = find_credential("ghp_" + "x" * 36 + " " + real)
    assert match is not None and match.start == 41


NOT_CREDENTIALS = [
    # A format filled with counting runs: a hand-written sample (a form's placeholder).
    "xoxb-" + "1234567890-1234567890123-abcdefghijklmnop",
    # documented examples
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "ghp_" + RANDOM_36 + "EXAMPLE",
    # placeholders
    "AKIA" + "XXXXXXXXXXXXXXXX",
    "AKIA" + "0000000000000000",
    "ghp_" + "x" * 36,
    "ghp_" + "0" * 36,
    "ghp_xxxxxxxxxxxxxxxx" + RANDOM_36[:20],
    "sk_" + "live_" + "abcdefgh12345678...",
    "sk_" + "live_" + "abcdefgh12345678…",
    "sk_" + "live_" + "<your-key>",
    "sk-proj-${OPENAI_API_KEY}",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----\n<your key here>\n-----END PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----\nxxxxxxxxxxxxxxxxxxxxxxxx\n-----END PRIVATE KEY-----",
    # weak formats without entropy
    "AKIA" + "1111222211112222",
    "AIza" + "a" * 35,
    "AIza" + "ababababababababababababababababab" + "a",
    # wrong lengths or shapes
    "AKIA" + "Z7Q2K4M9X3B8N5L",  # 15
    "AKIA" + "Z7Q2K4M9X3B8N5LPQ",  # 17
    "AKIA" + "z7q2k4m9x3b8n5lp",  # lowercase
    "XAKIA" + "Z7Q2K4M9X3B8N5LP",  # no boundary
    "ghp_" + "short",
    "glpat-" + "tooShort123",
    "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBW",  # 34
    "xoxb-" + "not-a-real-token",  # no digits
    "sk_" + "test_" + "4eC39HqLyjWDarjtT1zdp7dc",  # test keys: the contract lists live only
    "pk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc",  # publishable key
    "sk-" + "abc",
    "sk-ant-" + "short",
    "SG." + "short.short",
    # PEM: public keys, certificates, a bare header used in a check
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEF\n-----END PUBLIC KEY-----",
    "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTAN\n-----END CERTIFICATE-----",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----",
    # JWT look-alikes
    _b64({"alg": "none"}) + "." + _b64({"sub": "1"}) + ".",
    _b64({"alg": "none", "typ": "JWT"}) + "." + _b64({"sub": "1"}) + ".c2ln",
    _b64({"alg": "NONE"}) + "." + _b64({"sub": "1"}) + ".c2ln",
    _b64({"typ": "JWT"}) + "." + _b64({"sub": "1"}) + ".c2ln",  # no alg
    _b64(["alg"]) + "." + _b64({"sub": "1"}) + ".c2ln",  # not an object
    "eyJhbGciOiJIUzI1NiJ9." + _b64({"sub": "1"}),  # two parts
    "eyJub3Rqc29u.eyJzdWIiOiIxIn0.c2ln",  # header is not JSON
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.xxxxxxxxxxxxxxxx",
    # ordinary strings
    "www.example.com",
    "app.core.security",
    "v1.2.3",
    TUTORIAL_SECRET_KEY,
    TUTORIAL_BCRYPT_HASH,
    "Authorization",
    "",
]


@pytest.mark.parametrize("value", NOT_CREDENTIALS)
def test_find_credential_negatives(value: str) -> None:
    assert find_credential(value) is None


def test_every_kind_has_a_label() -> None:
    kinds = {kind for kind, _ in CREDENTIALS}
    assert kinds == set(CREDENTIAL_LABELS)
    assert CREDENTIAL_LABELS["aws-access-key-id"] == "AWS access key id"
    assert CREDENTIAL_LABELS["github-token"] == "GitHub token"
    assert all(label and label[0] != " " for label in CREDENTIAL_LABELS.values())


def test_credential_match_is_frozen() -> None:
    match = CredentialMatch("jwt", 0, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.start = 1  # type: ignore[misc]


def test_find_credential_is_fast_on_large_and_adversarial_input() -> None:
    inputs = [
        "sk-" * 20_000,
        "ey" * 50_000,
        "eyJ." * 25_000,
        "AKIA" * 25_000,
        "-----BEGIN PRIVATE KEY-----" * 2_000,
        "a" * 100_000,
        ("word " * 20_000),
    ]
    started = time.process_time()
    for value in inputs:
        find_credential(value)
        is_secret_value(value)
    # A guard against catastrophic backtracking (quadratic or worse would take
    # minutes), not a speed measurement: CPU time, so a loaded machine passes.
    assert time.process_time() - started < 5.0


# ---------------------------------------------------------------------------
# redact
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("sk_live_abcdefghijklmnopqrstuvwx", "'sk_l…' (32 chars)"),
        (TUTORIAL_SECRET_KEY, "'09d2…' (64 chars)"),
        ("root", "'ro…' (4 chars)"),
        ("guest", "'gu…' (5 chars)"),
        ("ab", "'a…' (2 chars)"),
        ("", "'…' (0 chars)"),
    ],
)
def test_redact(value: str, shown: str) -> None:
    assert redact(value) == shown


def test_redact_never_shows_more_than_four_characters() -> None:
    secret = "ghp_" + RANDOM_36
    shown = redact(secret)
    assert shown == "'" + secret[:4] + "…' (" + str(len(secret)) + " chars)"
    assert secret[4:8] not in shown

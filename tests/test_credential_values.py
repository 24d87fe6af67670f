"""Unit tests of fastapi_lint.rules.secrets.credential_values (the contract, Revision 2, API501)."""

from __future__ import annotations

import pytest

from fastapi_lint.rules.secrets.credential_values import (
    could_be_credential,
    is_control_sequence,
    is_name_value,
    is_random_looking,
    is_unknown_key_name,
    is_unspaced_script_text,
    is_weak_password,
)


@pytest.mark.parametrize(
    ("value", "name", "compared"),
    [
        ("LDAP", "password", True),  # 1. a sentinel
        ("unavailable", "token", True),
        ("REDACTED", "password", False),  # 2. redaction markers
        ("[MASKED]", "api_key", False),
        ("<hidden>", "secret", False),
        ("ollama", "api_key", False),  # 3. keyless providers
        ("EMPTY", "api_key", False),
        ("not-needed", "api_key", False),
        ("sk-placeholder", "api_key", False),
        ("YOUR_OPENAI_API_KEY_HERE", "OPENAI_API_KEY", False),
        ("mlops-gateway-auth", "api_key", False),
        ("access_token", "token", False),  # 4. names
        ("user_api_key_hash", "password", False),
        ("asc", "sort_token", False),
        ("airflow", "password", False),
        ("billing:session:tokens", "SESSION_TOKENS_KEY", False),  # a Redis key namespace
        ("billing:password_reset:", "PASSWORD_RESET_PREFIX_KEY", False),
        ("[CLS]", "cls_token", False),  # 6. text tokens
        ("<|endoftext|>", "token", False),
        ("invalid-token", "token", False),  # wrong on purpose
    ],
)
def test_never_a_credential(value: str, name: str, compared: bool) -> None:
    assert not could_be_credential(value, name, compared=compared)


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7", "SECRET_KEY"),
        ("admin", "admin_password"),
        ("changeme", "password"),
        ("supersecret", "SECRET_KEY"),
        ("admin123", "password"),
        ("P@ssw0rd", "password"),
        ("your-secret-key", "SECRET_KEY"),
        ("orders-local-pw", "db_password"),
        ("YOUR_SECRET_KEY_HERE", "SECRET_KEY"),  # a signing key signs with it all the same
        ("sk-test-9fA3kL0pQ7zX2mN8vB5cR1tY", "api_key"),
        ("postgres:postgres", "db_credentials"),  # two names: a user and a password
        ("admin:admin:admin", "credentials"),  # a weak password among the segments
        ("billing:worker:9fQ2xLm7Tb4Kw8Zp", "worker_secret"),  # a random segment
    ],
)
def test_could_be_a_credential(value: str, name: str) -> None:
    assert could_be_credential(value, name)


def test_compared_weak_password_with_a_digit_is_reported() -> None:
    assert could_be_credential("r00t", "password", compared=True)
    assert not could_be_credential("root", "password", compared=True)


@pytest.mark.parametrize("value", ["secret", "Secret", "admin1", "letmein", "123456", "change_me"])
def test_weak_passwords(value: str) -> None:
    assert is_weak_password(value)
    assert not is_name_value(value)


@pytest.mark.parametrize("value", ["secret_key", "passport", "bypass", "session", "1234567a"])
def test_not_weak_passwords(value: str) -> None:
    assert not is_weak_password(value)


def test_random_looking_and_unknown_key_names() -> None:
    assert is_random_looking("b2f94e1c07d8a35f6e2c91b04d7a8e3f")
    assert is_random_looking("Qm9vdHN0cmFwS2V5Rm9yU2Vzc2lvbnMx")
    assert not is_random_looking("server_settings_cache")
    assert not is_random_looking("XkqTz")
    # Identifiers built from dates: a coverage period's key, a nightly batch.
    assert not is_random_looking("4K2Z-20240101-20241231-VIS-QW82NB")
    assert not is_random_looking("export_2023-07-14_Hq3xP9")
    assert is_random_looking("Hq3x20230714P9kLm2Zt")  # digits that only look like a date
    assert is_unknown_key_name("ENCRYPTION_LOCAL_KEY")
    assert not is_unknown_key_name("KEY_PREFIX")


@pytest.mark.parametrize(
    "value",
    ["input[type='password']", "form#signin[name=pwd]", '//input[@id="token"]'],
)
def test_selectors_are_not_credentials(value: str) -> None:
    assert not could_be_credential(value, "password")


@pytest.mark.parametrize("value", ["Tr0ub4dor[42]&3", "p[a]ss-W0rd!"])
def test_passwords_with_brackets_are_credentials(value: str) -> None:
    assert could_be_credential(value, "password")


@pytest.mark.parametrize("value", ["\033[92m", "\x1b[1;31m", "\a", "ab\x00cd1234"])
def test_control_sequences_are_not_credentials(value: str) -> None:
    # Terminal styling: ESC, BEL or NUL cannot be typed into a password field.
    assert is_control_sequence(value)
    assert not could_be_credential(value, "GREEN_TOKEN")


@pytest.mark.parametrize("value", ["\\033[92m-hunter2", "line1\nline2-Xy9z", "s3cr3t-Pa55"])
def test_printable_values_are_not_control_sequences(value: str) -> None:
    # Escaped backslashes are printable; line breaks do not count (PEM blocks span lines).
    assert not is_control_sequence(value)


@pytest.mark.parametrize("value", ["パスワードが違います", "交易密码", "API密钥", "รหัสผ่านผิด"])
def test_unspaced_script_text_is_not_a_credential(value: str) -> None:
    # A message or label in a script without spaces between words: a sentence.
    assert is_unspaced_script_text(value)
    assert not could_be_credential(value, "password_wrong")


@pytest.mark.parametrize("value", ["ledger-demo-密2", "mötley-crüe-1", "9c41f0d2b7e85a36"])
def test_one_ideograph_or_latin_letters_stay_credentials(value: str) -> None:
    assert not is_unspaced_script_text(value)
    assert could_be_credential(value, "password")

"""API106 blocking-password-hash: CPU-heavy password hashing on the event loop."""

from __future__ import annotations

from fastapi_lint.registry import Rule
from fastapi_lint.rules.blocking._common import OFFLOAD_HINT

API106 = Rule(
    code="API106",
    name="blocking-password-hash",
    message="`{call}` is CPU-heavy password hashing on the event loop in {context}; use "
    + OFFLOAD_HINT,
    summary="Checks for slow password hashing (bcrypt, argon2, passlib, pbkdf2, scrypt) in async code.",
    why="Password hashes are slow on purpose (100 ms and more): on the event loop they stall every request.",
    example=(
        "from fastapi import FastAPI\nfrom passlib.context import CryptContext\n\n"
        'app = FastAPI()\npwd_context = CryptContext(schemes=["bcrypt"])\n\n\n'
        '@app.post("/users")\nasync def create_user(password: str) -> str:\n'
        "    return pwd_context.hash(password)\n"
    ),
    use_instead=(
        "from fastapi import FastAPI\nfrom fastapi.concurrency import run_in_threadpool\n"
        "from passlib.context import CryptContext\n\n"
        'app = FastAPI()\npwd_context = CryptContext(schemes=["bcrypt"])\n\n\n'
        '@app.post("/users")\nasync def create_user(password: str) -> str:\n'
        "    return await run_in_threadpool(pwd_context.hash, password)\n"
    ),
)

# Qualified-name patterns (``*`` any run of characters, ``{a,b}`` alternatives).
PATTERNS: tuple[str, ...] = (
    "passlib.context.CryptContext.{hash,verify,verify_and_update,encrypt}",
    "passlib.hash.*.{hash,verify,encrypt}",
    "bcrypt.{hashpw,checkpw,kdf}",
    "argon2.PasswordHasher.{hash,verify}",
    # argon2-cffi's functional API: the same hash, used to derive a key from a master
    # password (`hash_secret_raw(secret=..., salt=..., memory_cost=...)`).
    "argon2.low_level.{hash_secret,hash_secret_raw,verify_secret}",
    "hashlib.{pbkdf2_hmac,scrypt}",
    # pwdlib: what the FastAPI tutorial and fastapi-users hash passwords with.
    "pwdlib.PasswordHash.{hash,verify,verify_and_update}",
    "fastapi_users.password.PasswordHelper.{hash,verify_and_update}",
    # Werkzeug's helpers (scrypt or pbkdf2 with 600,000 rounds), common in code that came
    # from Flask.
    "werkzeug.security.{generate_password_hash,check_password_hash}",
    # `cryptography`'s password KDFs (a Fernet key from a master password); HKDF, which
    # expands a key that is already random, is no password hashing.
    "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC.{derive,verify}",
    "cryptography.hazmat.primitives.kdf.scrypt.Scrypt.{derive,verify}",
    "cryptography.hazmat.primitives.kdf.argon2.Argon2id.{derive,verify}",
)

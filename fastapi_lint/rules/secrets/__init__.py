"""API5xx: secrets and security.

Name-only secret detectors (ruff S105-S107, bandit B105-B107) match one
regex on names and drown users in ``token_type = "bearer"`` and
``tokenUrl="token"`` while missing ``apiKey``, annotated fields, settings
defaults and ``os.getenv("SECRET_KEY", "dev-secret")``.  These rules combine
the name (``secret_patterns.is_secret_like_name``), the value
(``is_secret_value``) and known credential formats (``find_credential``),
and know where FastAPI code keeps its secrets: Pydantic ``BaseSettings``
fields, env lookups, JWT/itsdangerous/Fernet keys, ``SessionMiddleware``.

At most one API5xx finding per string literal (the contract): the first of
API504, API503, API502, API506, API505, API501 that applies.  Findings are
reported at the literal; messages show a secret only through ``redact``.

One module per rule (or tightly coupled pair) holds its metadata and its
check as a mixin of ``checker.Checker``; ``_common`` holds what they share.
The rule iterates the nodes the model recorded (constants, assignments,
dicts, calls, comparisons) and checks the cheap conditions first; it never
walks the tree itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.registry import Family, Rule
from fastapi_lint.rules.secrets._common import _options
from fastapi_lint.rules.secrets.checker import Checker
from fastapi_lint.rules.secrets.cors import API507
from fastapi_lint.rules.secrets.credential_format import API504, API505
from fastapi_lint.rules.secrets.env_fallback import API502, fix_secret_env_fallback
from fastapi_lint.rules.secrets.exception_leak import API509, check_exception_leaks
from fastapi_lint.rules.secrets.hardcoded_secret import API501
from fastapi_lint.rules.secrets.jwt_verification import API508
from fastapi_lint.rules.secrets.settings_default import API503
from fastapi_lint.rules.secrets.signing_key import API506
from fastapi_lint.rules.test_code import is_test_module

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.fixes.context import Fixer
    from fastapi_lint.semantic.model import ModuleModel

__all__ = ["FAMILY", "FIXERS", "Rule", "check"]

_RULES = (API501, API502, API503, API504, API505, API506, API507, API508, API509)
_CODES = tuple(rule.code for rule in _RULES)


def check(model: ModuleModel, reporter: Reporter) -> None:
    options = _options(model)
    if not options.secrets_in_tests and is_test_module(model):
        return
    Checker(model, reporter, options, _CODES).run()
    if reporter.enabled(API509.code):
        check_exception_leaks(model, reporter)


FAMILY = Family(
    prefix="API5",
    title="Secrets and security",
    rules=_RULES,
    check=check,
)


# The fixers, read by fastapi_lint.fixes.rules (libcst is imported only inside them).
FIXERS: dict[str, Fixer] = {API502.code: fix_secret_env_fallback}

"""API502 secret-env-fallback: an environment lookup of a secret with a literal fallback,
and its fix (``os.environ[NAME]``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from fastapi_lint.registry import FixAvailability, Rule
from fastapi_lint.rules.secret_patterns import redact
from fastapi_lint.rules.secrets._common import (
    CheckerBase,
    _argument,
    _keyword,
    _target_name,
    _text,
)
from fastapi_lint.rules.secrets.credential_values import (
    could_be_credential,
    is_api_key_name,
    is_weak_password,
    never_credential,
)
from fastapi_lint.rules.secrets.hardcoded_secret import API501
from fastapi_lint.semantic.syntax import last_name, single_assignment

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Diagnostic, Edit, Fix
    from fastapi_lint.fixes.context import FixContext
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


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
        "with it can be forged by anyone who has read the code. A value read as a number "
        '(`int(os.getenv("SHARE_TOKEN_BYTES", "24"))`, `cast=int`) is a size, a count or a '
        "timeout and is not reported, unless it is a weak password such as `123456`. Nor is a "
        'fallback the project refuses where it would matter (`if SECRET_KEY == "dev-secret" '
        'and ENV == "production": raise ...`): the code fails closed on it.'
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


class EnvFallbackChecks(CheckerBase):
    def check_env_lookup(self, call: ast.Call, target: str, scope: Scope) -> None:
        variable_position, default_position = _ENV_LOOKUPS[target]
        variable_node = _argument(call, variable_position, "key", "option")
        variable = _text(variable_node) if variable_node is not None else None
        fallback = _argument(call, default_position, "default")
        candidates: list[ast.expr] = [] if fallback is None else [fallback]
        parent = self.model.parent(call)
        or_fallback: ast.expr | None = None
        if isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.Or):
            # ``os.getenv("SECRET_KEY") or "dev-secret"``
            index = next(i for i, v in enumerate(parent.values) if v is call)
            candidates.extend(parent.values[index + 1 : index + 2])
            or_fallback = candidates[-1] if len(parent.values) > index + 1 else None
            parent = self.model.parent(parent)
        literals = [node for node in candidates if isinstance(node, ast.Constant)]
        if not literals:
            return
        as_number = _read_as_number(self.model, call, parent, scope, target)
        assigned = _assigned_name(self.model, call)
        names = [name for name in (variable, assigned) if name]
        secret_names = [name for name in names if self.secret_name(name)]
        secret_named = bool(secret_names)
        # Revision 2, class 6: ``token`` meaning a text token in tokenizer code
        # (``os.environ.get("RERANKER_POSITIVE_TOKEN", "yes")``) names a piece of text.
        text_token = secret_named and all(self.text_token_name(n, call) for n in secret_names)
        for literal in literals:
            # shown as written: a default argument, or an `or` after the lookup
            lookup = _lookup_display(target, variable, literal is or_fallback)
            value = _text(literal)
            if not value or not self.secret_value(value):
                continue
            if not (secret_named or any(self.unknown_key_name(n, value) for n in names)):
                continue
            if as_number and not is_weak_password(value):
                continue  # ``int(os.getenv("TOKEN_BYTES", "24"))``: a size or a count
            if text_token and not could_be_credential(value, secret_names[0]):
                continue  # a word or a special token, not a credential (``HF_TOKEN`` stays)
            if any(never_credential(value, name) for name in names):
                continue  # ``os.getenv("OLLAMA_API_KEY", "ollama")``: a dummy, not a fallback secret
            if (
                any(is_api_key_name(name) for name in names)
                and value.isalpha()
                and not is_weak_password(value)
            ):
                continue  # ``os.getenv("OPENAI_API_KEY", "custom")``: a provider's key is random
            self.offer(
                "API502",
                literal,
                lookup=lookup,
                variable=variable or assigned or "?",
                value=redact(value),
                # the name a start-up check compares against its default (``refused``)
                assigned=assigned,
            )


# Conversions that make an environment value a number (a size, a count, a timeout).
_NUMBER_TYPES = frozenset({"builtins.int", "builtins.float"})


def _read_as_number(
    model: ModuleModel, call: ast.Call, parent: ast.AST | None, scope: Scope, target: str
) -> bool:
    """The lookup's value is converted to a number: ``int(os.getenv(...))`` (also around an
    ``or`` fallback) or decouple/starlette ``config(..., cast=int)`` (starlette's ``cast`` may
    come second, positionally)."""
    cast = _argument(call, 1 if target == _STARLETTE_CONFIG else -1, "cast")
    if cast is not None and model.qualified_name(cast, scope) in _NUMBER_TYPES:
        return True
    if not isinstance(parent, ast.Call) or len(parent.args) != 1 or parent.keywords:
        return False
    inner = parent.args[0]
    if inner is not call and not (isinstance(inner, ast.BoolOp) and call in inner.values):
        return False
    return model.qualified_name(parent.func, scope) in _NUMBER_TYPES


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
    assignment = single_assignment(parent)
    if assignment is not None:
        return _target_name(assignment[0])
    if isinstance(parent, ast.keyword):
        return parent.arg
    if isinstance(parent, ast.Dict):
        for key, value in zip(parent.keys, parent.values):
            if value is node and isinstance(key, ast.Constant) and isinstance(key.value, str):
                return key.value
    return None


def _lookup_display(target: str, variable: str | None, after_or: bool = False) -> str:
    name = {
        "starlette.config.Config": "config",
        "decouple.config": "config",
        "decouple.AutoConfig": "config",
        "decouple.Config": "config",
    }.get(target, target)
    shown = f'"{variable}"' if variable else "..."
    if after_or:
        return f"{name}({shown}) or ..."
    return f"{name}({shown}, ...)"


# ------------------------------------------------------------ fix

_FIX_LOOKUPS = {("os", "getenv"), ("environ", "get")}


def fix_secret_env_fallback(context: FixContext, diagnostic: Diagnostic) -> Optional[Fix]:
    """API502: ``os.getenv("SECRET_KEY", "literal")`` -> ``os.environ["SECRET_KEY"]`` (unsafe)."""
    from fastapi_lint.diagnostics import Fix

    literals = context.nodes_at(diagnostic.line, diagnostic.col, ast.Constant)
    if not literals:
        return None
    literal = literals[0]
    parent = context.parent(literal)
    if isinstance(parent, ast.keyword):
        if parent.arg != "default":
            return None
        parent = context.parent(parent)
    if not isinstance(parent, ast.Call) or not parent.args:
        return None
    call = parent
    func = call.func
    if isinstance(func, ast.Attribute):
        owner = func.value
        owner_name = last_name(owner)
        if (owner_name, func.attr) not in _FIX_LOOKUPS:
            return None
        if owner_name == "environ" and isinstance(owner, ast.Attribute):
            if not (isinstance(owner.value, ast.Name) and owner.value.id == "os"):
                return None
    elif not (isinstance(func, ast.Name) and func.id == "getenv"):
        return None
    if len(call.args) + len(call.keywords) != 2:
        return None
    name_text = context.text(call.args[0])
    edits: list[Edit] = []
    os_name = context.module_imports("os")
    if os_name is None:
        if context.binds_name("os"):
            return None
        import_edit = context.import_edit("os")
        if import_edit is None:
            return None
        edits.append(import_edit)
        os_name = "os"
    edits.append(context.replace(call, f"{os_name}.environ[{name_text}]"))
    return Fix(
        "Read the variable with `os.environ[...]` (fails fast when it is unset)",
        safe=False,
        edits=tuple(edits),
    )

"""What every API5xx check shares: the literal helpers, the options, the
finding precedence per literal and simple flow over names.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

from fastapi_lint.rules.secret_patterns import (
    escape_control,
    is_secret_like_name,
    is_secret_value,
    split_name_words,
)
from fastapi_lint.rules.secrets.credential_values import (
    is_random_looking,
    is_unknown_key_name,
    is_uuid,
)
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.settings import RuleOptions

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope


# Precedence among findings on one literal (the contract): lower wins.
_RANK = {"API504": 0, "API503": 1, "API502": 2, "API506": 3, "API505": 4, "API501": 5}

_MAX_FLOW_DEPTH = 4

Literal = Union[ast.Constant, ast.JoinedStr]

# Libraries whose import makes ``token`` a piece of text (the contract's Revision 2, class 6).
_TOKENIZER_LIBRARIES = frozenset(
    {"transformers", "tokenizers", "tiktoken", "sentencepiece", "llama_cpp", "vllm", "mlx_lm"}
)
# Secret words that keep a ``token`` name secret-like in tokenizer code too.
_NON_TOKEN_SECRET_WORDS = (
    "secret",
    "password",
    "passwd",
    "pwd",
    "key",
    "credential",
    "credentials",
)


@dataclass
class _Candidate:
    code: str
    node: Literal
    fields: dict[str, Any] = field(default_factory=dict)


def _options(model: ModuleModel) -> RuleOptions:
    return model.options


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


def encoded_literal(node: ast.expr) -> ast.expr:
    """``"whsec-8f2a".encode()``, ``bytes("whsec-8f2a", "utf-8")``: the str literal the
    call turns into the bytes key (``hmac.new`` and ``Fernet`` take bytes); else ``node``."""
    if not isinstance(node, ast.Call):
        return node
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "encode":
        inner = func.value
    elif isinstance(func, ast.Name) and func.id == "bytes" and node.args:
        inner = node.args[0]
    else:
        return node
    return inner if isinstance(inner, ast.Constant) and isinstance(inner.value, str) else node


def _field_default_literal(value: ast.expr) -> ast.Constant | None:
    """The string literal a field default holds: ``"x"``, ``SecretStr("x")``,
    ``Field(default="x")``, ``Field("x")``, ``field(default="x")``, ``"x".encode()``;
    None otherwise."""
    for _ in range(3):
        if isinstance(value, ast.Constant):
            return value if isinstance(value.value, (str, bytes)) else None
        if not isinstance(value, ast.Call) or not isinstance(value.func, (ast.Name, ast.Attribute)):
            return None
        callee = value.func.id if isinstance(value.func, ast.Name) else value.func.attr
        if encoded_literal(value) is not value:
            # ``JWT_SECRET = "3c9a...".encode()``: the bytes of the literal are the secret
            value = encoded_literal(value)
        elif callee in ("SecretStr", "SecretBytes"):
            if not value.args:
                return None
            value = value.args[0]
        elif callee == "Field":
            default = _argument(value, 0, "default")
            if default is None:
                return None
            value = default
        elif callee in ("field", "attrib", "ib"):
            # a dataclass or attrs field: `password: str = field(default="x", repr=False)`
            keyword = next((k.value for k in value.keywords if k.arg == "default"), None)
            if keyword is None:
                return None
            value = keyword
        else:
            return None
    return None


class CheckerBase:
    """State and helpers of one module's API5xx check; the rule mixins build on it."""

    _tokenizer_module: bool | None = None

    def __init__(
        self, model: ModuleModel, reporter: Reporter, options: RuleOptions, codes: tuple[str, ...]
    ) -> None:
        self.model = model
        self.reporter = reporter
        self.options = options
        self.candidates: dict[int, _Candidate] = {}
        self._names: dict[str, bool] = {}
        self._settings: dict[int, bool] = {}
        self.enabled = {code for code in codes if reporter.enabled(code)}

    def offer(self, code: str, node: Literal, **fields: Any) -> None:
        """A finding on a literal; the best-ranked one per literal is reported."""
        if code not in self.enabled:
            return
        # Names and keys come from literals too (``{"pass\\nword": ...}``): one line each.
        fields = {k: escape_control(v) if isinstance(v, str) else v for k, v in fields.items()}
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

    def unknown_key_name(self, name: str, value: str) -> bool:
        """``ENCRYPTION_LOCAL_KEY = "5ed0c5..."``: a ``*_KEY`` name the name test does not know,
        secret-like only with a random-looking value (a name alone never makes a finding)."""
        last = name.rsplit(".", 1)[-1]
        ignored = {n.lower() for n in self.options.ignored_secret_names}
        return (
            last.lower() not in ignored
            and name.lower() not in ignored
            and is_unknown_key_name(last)
            and is_random_looking(value)
            and not is_uuid(value)  # a fixed UUID names a probe or a cache entry
        )

    def secret_value(self, value: str) -> bool:
        return is_secret_value(value, self.options.extra_placeholders)

    def resolved(self, node: ast.expr, scope: Scope, depth: int) -> ast.expr | None:
        """A name's assigned value by simple flow (this module or a project module), or a
        project module's constant read through the module (``config.ANY_ORIGIN`` after
        ``from app.core import config``)."""
        if depth > _MAX_FLOW_DEPTH or node not in self.model.parents:
            return None  # a node of another module's tree: its names are not this module's
        if isinstance(node, ast.Attribute):
            return self._module_constant(node, scope)
        if not isinstance(node, ast.Name):
            return None
        model = self.model
        binding = model.lookup(node.id, scope, getattr(node, "lineno", None))
        if binding is None:
            return None
        if binding.kind is BindingKind.ASSIGN:
            if binding.value is not None and binding.unpack_index is None:
                return binding.value
            return None
        if binding.kind is BindingKind.IMPORT and binding.qualname:
            return self._project_constant(binding.qualname)
        return None

    def _module_constant(self, node: ast.Attribute, scope: Scope) -> ast.expr | None:
        if not isinstance(node.value, ast.Name):
            return None
        binding = self.model.lookup(node.value.id, scope, getattr(node, "lineno", None))
        if binding is None or binding.kind is not BindingKind.IMPORT or not binding.qualname:
            return None
        return self._project_constant(f"{binding.qualname}.{node.attr}")

    def _project_constant(self, qualname: str) -> ast.expr | None:
        project = self.model.project
        definition = project.definition(qualname) if project is not None else None
        if definition is not None:
            _, other = definition
            if other.kind is BindingKind.ASSIGN and other.unpack_index is None:
                value = other.value
                # Only literal containers and constants: the names inside them are not
                # resolved here (``resolved`` reads only this module's nodes).
                if isinstance(value, (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict)):
                    return value
        return None

    def literal_value(self, node: ast.expr, scope: Scope, depth: int) -> object:
        if isinstance(node, ast.Constant):
            return node.value
        value = self.resolved(node, scope, depth)
        if value is not None:
            return self.literal_value(value, scope, depth + 1)
        return None

    def text_token_name(self, name: str, literal: ast.AST) -> bool:
        """``token`` meaning a text token: in tokenizer code, a name whose only secret word is
        ``token`` (``self.token = "<unk>"``, ``cls_token``) names a piece of text."""
        words = split_name_words(name)
        if not any("token" in word for word in words) or any(
            word.endswith(_NON_TOKEN_SECRET_WORDS) for word in words
        ):
            return False
        if self.imports_tokenizer():
            return True
        for ancestor in self.model.ancestors(literal):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if "tokeniz" in ancestor.name.lower() or "vocab" in ancestor.name.lower():
                    return True
        return False

    def imports_tokenizer(self) -> bool:
        if self._tokenizer_module is None:
            self._tokenizer_module = any(
                binding.kind is BindingKind.IMPORT
                and (binding.qualname or "").split(".", 1)[0] in _TOKENIZER_LIBRARIES
                for bindings in self.model.module_scope.bindings.values()
                for binding in bindings
            )
        return self._tokenizer_module

"""API503 secret-settings-default: a secret-like `BaseSettings` field with a literal default."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.registry import Rule
from fastapi_lint.rules.secret_patterns import redact
from fastapi_lint.rules.secrets._common import CheckerBase, _field_default_literal, _text
from fastapi_lint.rules.secrets.credential_values import never_credential
from fastapi_lint.rules.secrets.hardcoded_secret import API501
from fastapi_lint.rules.secrets.templates import class_templates, template_password
from fastapi_lint.semantic import stubs

if TYPE_CHECKING:
    from fastapi_lint.semantic.scopes import ClassInfo


API503 = Rule(
    code="API503",
    name="secret-settings-default",
    message="settings field `{field}` of `{settings}` has the hardcoded default {value}; declare it without a default so it must come from the environment",
    summary="Checks for secret-like fields of Pydantic `BaseSettings` classes with a string default.",
    why=(
        "A default makes the setting optional: a deployment that forgets the variable starts "
        "without error and runs with the secret everybody can read in the repository."
    ),
    example=(
        "from pydantic_settings import BaseSettings\n\n\n"
        "class Settings(BaseSettings):\n"
        '    database_url: str = "sqlite:///./app.db"\n'
        '    secret_key: str = "change-this-secret"\n'
    ),
    use_instead=(
        "from pydantic import SecretStr\nfrom pydantic_settings import BaseSettings\n\n\n"
        "class Settings(BaseSettings):\n"
        '    database_url: str = "sqlite:///./app.db"\n'
        "    secret_key: SecretStr  # required: read from SECRET_KEY\n"
    ),
    options=API501.options,
)

_SETTINGS_BASES = frozenset(
    {
        "pydantic_settings.BaseSettings",
        "pydantic.BaseSettings",
        "pydantic.v1.BaseSettings",
        "pydantic.v1.env_settings.BaseSettings",
    }
)


class SettingsDefaultChecks(CheckerBase):
    def check_settings_classes(self) -> None:
        model = self.model
        for class_info in model.classes:
            if not self.is_settings_class(class_info):
                continue
            templates = class_templates(class_info.node)
            for statement in class_info.node.body:
                targets: list[ast.expr]
                if isinstance(statement, ast.AnnAssign) and statement.value is not None:
                    targets = [statement.target]
                    value = statement.value
                elif isinstance(statement, ast.Assign):
                    targets, value = statement.targets, statement.value
                else:
                    continue
                literal = _field_default_literal(value)
                if literal is None:
                    continue
                text = _text(literal)
                if not text:
                    continue
                for target in targets:
                    if (
                        isinstance(target, ast.Name)
                        # A leading underscore makes a private attribute, not a field:
                        # API501 judges it like any other assignment.
                        and not target.id.startswith("_")
                        and (self.secret_name(target.id) or self.unknown_key_name(target.id, text))
                        and self.secret_value(text)
                        and not never_credential(text, target.id)
                        and not template_password(target.id, text, templates)
                    ):
                        self.offer(
                            "API503",
                            literal,
                            field=target.id,
                            settings=class_info.name,
                            value=redact(text),
                        )

    def is_settings_class(self, class_info: ClassInfo, depth: int = 0) -> bool:
        cached = self._settings.get(id(class_info.node))
        if cached is not None:
            return cached
        self._settings[id(class_info.node)] = False  # cycles
        result = self._is_settings_class(class_info, depth)
        self._settings[id(class_info.node)] = result
        return result

    def _is_settings_class(self, class_info: ClassInfo, depth: int) -> bool:
        model = self.model
        for base in class_info.node.bases:
            qualname = model.qualified_name(base, class_info.outer)
            if qualname is None:
                continue
            qualname = stubs.canonical(qualname)
            if qualname in _SETTINGS_BASES:
                return True
            local = next((c for c in model.classes if c.qualname == qualname), None)
            if local is not None:
                if depth < 8 and self.is_settings_class(local, depth + 1):
                    return True
            elif model.project is not None:
                bases = model.project.class_bases(qualname)
                if any(stubs.canonical(b) in _SETTINGS_BASES for b in bases):
                    return True
        return False

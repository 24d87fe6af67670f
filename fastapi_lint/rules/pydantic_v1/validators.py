"""API602: ``@validator`` and ``@root_validator`` in a Pydantic v2 project."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.registry import Rule
from fastapi_lint.rules.pydantic_v1.findings import Finding
from fastapi_lint.rules.pydantic_v1.models import compat_v1_name

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

_V1_VALIDATORS = {
    "validator": "field_validator",
    "root_validator": "model_validator",
}
_MODULES = ("pydantic", "pydantic.class_validators", "pydantic.deprecated.class_validators")

API602 = Rule(
    code="API602",
    name="pydantic-v1-validator",
    message="`@{decorator}` is a Pydantic v1 validator; use `@{replacement}`",
    summary="Checks for `@validator` and `@root_validator` in a Pydantic v2 project.",
    why=(
        "Pydantic v2 keeps `@validator` and `@root_validator` only as deprecated shims "
        "(`PydanticDeprecatedSince20`), removed in v3. Their replacements change shape, not only "
        'name: `pre=True` is `mode="before"`, `each_item=True` has no equivalent, '
        "`@root_validator` receives and returns values differently, and the methods become "
        "explicit class methods, so the change needs a person (no autofix). Only reported when "
        "the project is on Pydantic v2, never for code importing `pydantic.v1`."
    ),
    example=(
        "from pydantic import BaseModel, ConfigDict, validator\n\n\n"
        "class User(BaseModel):\n"
        "    model_config = ConfigDict(str_strip_whitespace=True)\n\n"
        "    email: str\n\n"
        '    @validator("email")\n'
        "    def lower(cls, value: str) -> str:\n"
        "        return value.lower()\n"
    ),
    use_instead=(
        "from pydantic import BaseModel, ConfigDict, field_validator\n\n\n"
        "class User(BaseModel):\n"
        "    model_config = ConfigDict(str_strip_whitespace=True)\n\n"
        "    email: str\n\n"
        '    @field_validator("email")\n'
        "    @classmethod\n"
        "    def lower(cls, value: str) -> str:\n"
        "        return value.lower()\n"
    ),
)


def find(model: ModuleModel) -> list[Finding]:
    findings = []
    for function in model.functions:
        for decorator in function.node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            qualname = model.qualified_name(target, function.outer) or ""
            module, _, name = qualname.rpartition(".")
            if module in _MODULES and name in _V1_VALIDATORS:
                if compat_v1_name(model, target, function.outer):
                    continue  # ``validator`` of a compatibility module: v1 on purpose
                fields = {"decorator": name, "replacement": _V1_VALIDATORS[name]}
                findings.append(Finding(API602.code, decorator, fields))
    return findings

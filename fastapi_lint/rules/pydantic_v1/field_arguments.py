"""API604: Pydantic v1 arguments of ``Field(...)`` (``regex=``, ``min_items=``...)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from fastapi_lint.registry import FixAvailability, Rule
from fastapi_lint.rules.pydantic_v1.findings import Finding, node_at
from fastapi_lint.rules.pydantic_v1.models import compat_v1_name

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Diagnostic, Fix
    from fastapi_lint.fixes.context import FixContext
    from fastapi_lint.semantic.model import ModuleModel

_RENAMED = {"regex": "pattern", "min_items": "min_length", "max_items": "max_length"}
_REMOVED = {
    "const": "annotate the field with `Literal[...]`",
    "allow_mutation": "use `frozen=` (inverted)",
    "unique_items": "annotate the field with `set[...]`",
}
_FIELDS = {"pydantic.Field", "pydantic.fields.Field"}

API604 = Rule(
    code="API604",
    name="pydantic-v1-field-argument",
    message="`{argument}=` of `Field` is Pydantic v1; {advice}",
    summary=(
        "Checks for the Pydantic v1 arguments of `Field(...)`: `regex=`, `min_items=`, "
        "`max_items=`, `const=`, `allow_mutation=`, `unique_items=`."
    ),
    why=(
        "Pydantic v2 renamed `regex` to `pattern` and `min_items`/`max_items` to "
        "`min_length`/`max_length`, and removed `const`, `allow_mutation` and `unique_items`. "
        "The old names go through a deprecation shim removed in v3, and the removed ones are "
        "ignored with only a warning: the constraint silently stops being checked. Only "
        "reported when the project is on Pydantic v2, never for code importing `pydantic.v1`."
    ),
    example=(
        "from pydantic import BaseModel, ConfigDict, Field\n\n\n"
        "class Signup(BaseModel):\n"
        "    model_config = ConfigDict(str_strip_whitespace=True)\n\n"
        '    username: str = Field(regex=r"^[a-z0-9_]+$")\n'
    ),
    use_instead=(
        "from pydantic import BaseModel, ConfigDict, Field\n\n\n"
        "class Signup(BaseModel):\n"
        "    model_config = ConfigDict(str_strip_whitespace=True)\n\n"
        '    username: str = Field(pattern=r"^[a-z0-9_]+$")\n'
    ),
    fix=FixAvailability.SAFE,
    fix_description=(
        "Renames `regex=` to `pattern=`, `min_items=` to `min_length=` and `max_items=` to "
        "`max_length=` (not when the new name is already given). `const=`, `allow_mutation=` "
        "and `unique_items=` need a change of annotation or meaning: no fix."
    ),
)


def find(model: ModuleModel) -> list[Finding]:
    findings = []
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        if not any(k.arg in _RENAMED or k.arg in _REMOVED for k in call.keywords):
            continue
        if model.call_target(call, ref.scope) not in _FIELDS:
            continue
        if compat_v1_name(model, call.func, ref.scope):
            continue  # ``Field`` of a compatibility module: v1 on purpose
        for keyword in call.keywords:
            if keyword.arg in _RENAMED:
                advice = f"use `{_RENAMED[keyword.arg]}=`"
            elif keyword.arg in _REMOVED:
                advice = _REMOVED[keyword.arg]
            else:
                continue
            findings.append(
                Finding(API604.code, keyword, {"argument": keyword.arg, "advice": advice})
            )
    return findings


# ------------------------------------------------------------------ fix (the fix path only)
def fix(context: FixContext, diagnostic: Diagnostic) -> Optional[Fix]:
    from fastapi_lint.diagnostics import Edit, Fix

    keyword = node_at(context, diagnostic, ast.keyword)
    if not isinstance(keyword, ast.keyword) or keyword.arg not in _RENAMED:
        return None
    call = context.parent(keyword)
    new_name = _RENAMED[keyword.arg]
    if not isinstance(call, ast.Call) or any(k.arg == new_name for k in call.keywords):
        return None
    line = keyword.lineno
    start = context.char_col(line, keyword.col_offset)
    end = start + len(keyword.arg)
    if context.lines[line - 1][start:end] != keyword.arg:
        return None
    edit = Edit(line, start, line, end, new_name)
    return Fix(f"Rename `{keyword.arg}=` to `{new_name}=`", True, (edit,))

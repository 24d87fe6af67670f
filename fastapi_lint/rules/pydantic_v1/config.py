"""API601: ``class Config:`` and v1-only config keys in Pydantic v2 models."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from fastapi_lint.registry import FixAvailability, Rule
from fastapi_lint.rules.pydantic_v1.findings import Finding, node_at
from fastapi_lint.rules.pydantic_v1.imports import ensure_imported
from fastapi_lint.rules.pydantic_v1.models import ModelKind, local_class_kind
from fastapi_lint.semantic.syntax import single_assignment

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Diagnostic, Edit, Fix
    from fastapi_lint.fixes.context import FixContext
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo

# pydantic/_internal/_config.py: V2_RENAMED_KEYS and V2_REMOVED_KEYS (Pydantic's migration guide).
RENAMED_KEYS = {
    "allow_population_by_field_name": "populate_by_name",
    "anystr_lower": "str_to_lower",
    "anystr_strip_whitespace": "str_strip_whitespace",
    "anystr_upper": "str_to_upper",
    "keep_untouched": "ignored_types",
    "max_anystr_length": "str_max_length",
    "min_anystr_length": "str_min_length",
    "orm_mode": "from_attributes",
    "schema_extra": "json_schema_extra",
    "validate_all": "validate_default",
}
REMOVED_KEYS = frozenset(
    {
        "allow_mutation",  # `frozen`, inverted: fixable when the value is a literal bool
        "copy_on_model_validation",
        "error_msg_templates",
        "fields",
        "getter_dict",
        "json_dumps",
        "json_loads",
        "post_init_call",
        "smart_union",
        "underscore_attrs_are_private",
    }
)
_CONFIG_DICTS = {
    "pydantic.ConfigDict",
    "pydantic.config.ConfigDict",
    "pydantic_settings.SettingsConfigDict",
    "builtins.dict",
}

API601 = Rule(
    code="API601",
    name="pydantic-v1-config",
    message="{what} in `{model}` is Pydantic v1 configuration; {advice}",
    summary=(
        "Checks for `class Config:` in Pydantic v2 models and settings, and for v1-only keys "
        "in `model_config` or class keywords (`class Row(BaseModel, orm_mode=True)`)."
    ),
    why=(
        "Pydantic v2 reads `class Config` through a deprecation shim (`PydanticDeprecatedSince20`) "
        "that Pydantic v3 removes, and renamed most keys: `orm_mode` is `from_attributes`, "
        "`schema_extra` is `json_schema_extra`, `allow_population_by_field_name` is "
        "`populate_by_name`. In `model_config` an old key is ignored with only a warning, so "
        "`ConfigDict(orm_mode=True)` silently does nothing. Only reported when the project is on "
        "Pydantic v2 (its dependencies say so, or a module imports a v2-only name such as "
        "`field_validator` or `ConfigDict`), never for code importing `pydantic.v1`."
    ),
    example=(
        "from pydantic_settings import BaseSettings\n\n\n"
        "class Settings(BaseSettings):\n"
        "    database_url: str\n\n"
        "    class Config:\n"
        '        env_file = ".env"\n'
    ),
    use_instead=(
        "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n"
        "class Settings(BaseSettings):\n"
        "    database_url: str\n\n"
        '    model_config = SettingsConfigDict(env_file=".env")\n'
    ),
    fix=FixAvailability.UNSAFE,
    fix_description=(
        "Replaces `class Config:` with `model_config = ConfigDict(...)` (`SettingsConfigDict` "
        "for settings) with the keys renamed and comments kept, importing the name. Unsafe: "
        "renamed keys can change behaviour (`orm_mode` also allowed `from_orm`; `allow_mutation` "
        "becomes the inverted `frozen`). Not offered when the class holds methods, a key with no "
        "v2 equivalent, or already has a `model_config`."
    ),
)


def _key_advice(key: str) -> str:
    if key in RENAMED_KEYS:
        return f"use `{RENAMED_KEYS[key]}`"
    if key == "allow_mutation":
        return "use `frozen` (inverted)"
    return "it has no Pydantic v2 equivalent"


def find(model: ModuleModel) -> list[Finding]:
    findings: list[Finding] = []
    for class_info in model.classes:
        kind = None
        for statement in class_info.node.body:
            is_config_class = isinstance(statement, ast.ClassDef) and statement.name == "Config"
            is_model_config = isinstance(statement, (ast.Assign, ast.AnnAssign)) and any(
                isinstance(t, ast.Name) and t.id == "model_config" for t in _targets(statement)
            )
            if not (is_config_class or is_model_config):
                continue
            if kind is None:
                kind = local_class_kind(model, class_info)
                if kind is None:
                    break
            if is_config_class:
                findings.append(_config_class_finding(statement, class_info.name, kind))
            else:
                findings.extend(_model_config_findings(model, class_info, statement))
        # `class Row(BaseModel, orm_mode=True)`: config given as class keywords.
        v1_keywords = [
            k for k in class_info.node.keywords if k.arg in RENAMED_KEYS or k.arg in REMOVED_KEYS
        ]
        if v1_keywords and (kind or local_class_kind(model, class_info)) is not None:
            for keyword in v1_keywords:
                assert keyword.arg is not None
                what = f"config key `{keyword.arg}`"
                fields = {
                    "what": what,
                    "model": class_info.name,
                    "advice": _key_advice(keyword.arg),
                }
                findings.append(Finding(API601.code, keyword, fields))
    return findings


def _targets(statement: ast.stmt) -> list[ast.expr]:
    if isinstance(statement, ast.Assign):
        return statement.targets
    if isinstance(statement, ast.AnnAssign):
        return [statement.target]
    return []


def _config_class_finding(statement: ast.stmt, model_name: str, kind: ModelKind) -> Finding:
    assert isinstance(statement, ast.ClassDef)
    config_dict = "SettingsConfigDict" if kind is ModelKind.SETTINGS else "ConfigDict"
    renames = []
    for child in statement.body:
        for target in _targets(child):
            if isinstance(target, ast.Name) and target.id in RENAMED_KEYS:
                renames.append(f"`{target.id}` is `{RENAMED_KEYS[target.id]}`")
    advice = f"use `model_config = {config_dict}(...)`"
    if renames:
        advice += f" ({', '.join(renames)})"
    return Finding(
        API601.code, statement, {"what": "`class Config`", "model": model_name, "advice": advice}
    )


def _model_config_findings(
    model: ModuleModel, class_info: ClassInfo, statement: ast.stmt
) -> list[Finding]:
    value = getattr(statement, "value", None)
    name = class_info.name
    findings = []
    if isinstance(value, ast.Call):
        target = model.qualified_name(value.func, class_info.outer)
        if target not in _CONFIG_DICTS:
            return []
        for keyword in value.keywords:
            if keyword.arg in RENAMED_KEYS or keyword.arg in REMOVED_KEYS:
                what = f"config key `{keyword.arg}`"
                fields = {"what": what, "model": name, "advice": _key_advice(keyword.arg)}
                findings.append(Finding(API601.code, keyword, fields))
    elif isinstance(value, ast.Dict):
        for key in value.keys:
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if key.value in RENAMED_KEYS or key.value in REMOVED_KEYS:
                    what = f"config key `{key.value}`"
                    fields = {"what": what, "model": name, "advice": _key_advice(key.value)}
                    findings.append(Finding(API601.code, key, fields))
    return findings


# ------------------------------------------------------------------ fix (the fix path only)
def fix(context: FixContext, diagnostic: Diagnostic) -> Optional[Fix]:
    """``class Config:`` -> ``model_config = ConfigDict(...)`` with renamed keys (unsafe)."""
    from fastapi_lint.diagnostics import Edit, Fix

    config = node_at(context, diagnostic, ast.ClassDef)
    if not isinstance(config, ast.ClassDef) or config.decorator_list or config.bases:
        return None
    owner = context.parent(config)
    if not isinstance(owner, ast.ClassDef):
        return None
    for statement in owner.body:
        if any(isinstance(t, ast.Name) and t.id == "model_config" for t in _targets(statement)):
            return None  # v2 refuses both; a person merges them
    if _v1_settings_base(context, owner):
        return None  # the base's import must move to `pydantic_settings` first: a person's edit
    entries = _entries(context, config)
    if entries is None or _drops_last_use(context, config):
        return None
    config_dict = (
        "SettingsConfigDict" if "SettingsConfigDict" in diagnostic.message else "ConfigDict"
    )
    module = "pydantic_settings" if config_dict == "SettingsConfigDict" else "pydantic"
    import_edit, local_name = ensure_imported(context, module, config_dict)
    if local_name is None:
        return None
    indent = " " * config.col_offset
    arguments = [entry for entry in entries if not entry.startswith("#")]
    if len(arguments) == 1 and len(entries) == 1 and "\n" not in arguments[0]:
        replacement = f"model_config = {local_name}({arguments[0]})"
    elif not arguments:
        replacement = f"model_config = {local_name}()"
    else:
        lines = [f"model_config = {local_name}("]
        for entry in entries:
            if entry.startswith("#"):
                lines.append(f"{indent}    {entry}")
            else:
                code, _, comment = entry.partition("\x00")
                lines.append(f"{indent}    {code},{'  ' + comment if comment else ''}")
        lines.append(f"{indent})")
        replacement = "\n".join(lines)
    last = config.body[-1]
    end_line = last.end_lineno or last.lineno
    end_text = context.lines[end_line - 1].rstrip("\r\n")
    start_col = context.char_col(config.lineno, config.col_offset)
    edits: list[Edit] = [Edit(config.lineno, start_col, end_line, len(end_text), replacement)]
    if import_edit is not None:
        edits.append(import_edit)
    return Fix(
        f"Replace `class Config` with `model_config = {config_dict}(...)`", False, tuple(edits)
    )


def _v1_settings_base(context: FixContext, owner: ast.ClassDef) -> bool:
    """``class Settings(BaseSettings)`` with ``from pydantic import BaseSettings`` (the v1
    spelling, also ``pydantic.BaseSettings``): a ``SettingsConfigDict`` alone would not make
    the module import under Pydantic 2."""
    v1_names = {
        alias.asname or alias.name
        for node in ast.walk(context.tree)
        if isinstance(node, ast.ImportFrom)
        and node.module in ("pydantic", "pydantic.env_settings")
        and not node.level
        for alias in node.names
        if alias.name == "BaseSettings"
    }
    for base in owner.bases:
        if isinstance(base, ast.Name) and base.id in v1_names:
            return True
        if (
            isinstance(base, ast.Attribute)
            and base.attr == "BaseSettings"
            and isinstance(base.value, ast.Name)
            and base.value.id == "pydantic"
        ):
            return True
    return False


def _drops_last_use(context: FixContext, config: ast.ClassDef) -> bool:
    """An annotation in ``Config`` (``json_encoders: ClassVar[dict]``) is the only use of a name:
    the rewrite drops it and would leave its import unused."""
    dropped = {
        node.id
        for statement in config.body
        if isinstance(statement, ast.AnnAssign)
        for node in ast.walk(statement.annotation)
        if isinstance(node, ast.Name)
    }
    if not dropped:
        return False
    inside = {id(node) for node in ast.walk(config)}
    used = {
        node.id
        for node in ast.walk(context.tree)
        if isinstance(node, ast.Name) and node.id in dropped and id(node) not in inside
    }
    return bool(dropped - used)


def _entries(context: FixContext, config: ast.ClassDef) -> list[str] | None:
    """``key=value`` texts (``\\x00`` then a trailing comment) and comment lines, in order."""
    entries: list[str] = []
    previous_end = config.lineno
    body = list(config.body)
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        previous_end = body[0].end_lineno or body[0].lineno
        body = body[1:]
    for statement in body:
        for number in range(previous_end + 1, statement.lineno):
            text = context.lines[number - 1].strip()
            if text.startswith("#"):
                entries.append(text)
        previous_end = statement.end_lineno or statement.lineno
        if isinstance(statement, ast.Pass):
            continue
        assignment = single_assignment(statement)
        if assignment is None:
            return None  # a method (`schema_extra` as a function), a conditional...
        target, value = assignment
        if not isinstance(target, ast.Name):
            return None
        key, value_text = target.id, context.text(value)
        if key == "allow_mutation":
            if not (isinstance(value, ast.Constant) and isinstance(value.value, bool)):
                return None
            key, value_text = "frozen", str(not value.value)
        elif key in REMOVED_KEYS:
            return None
        key = RENAMED_KEYS.get(key, key)
        end_line = statement.end_lineno or statement.lineno
        line_text = context.lines[end_line - 1]
        tail = line_text[context.char_col(end_line, statement.end_col_offset or 0) :].strip()
        comment = tail if tail.startswith("#") else ""
        if tail and not comment:
            return None  # `a = 1; b = 2`
        entries.append(f"{key}={value_text}" + (f"\x00{comment}" if comment else ""))
    return entries

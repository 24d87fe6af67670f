"""API603: the Pydantic v1 model API (``.dict()``, ``.parse_obj()``...) on v2 models."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from fastapi_lint.registry import FixAvailability, Rule
from fastapi_lint.rules.pydantic_v1.findings import Finding, node_at
from fastapi_lint.rules.pydantic_v1.models import MODEL_BASES, class_kind, defines_method
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.values import Instance, Ref, Value

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Diagnostic, Fix
    from fastapi_lint.fixes.context import FixContext
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

# v1 method -> (v2 replacement, keyword arguments the rename keeps meaning for, safe).
# A replacement of None has no one-word v2 equivalent: reported, never fixed.
_INSTANCE_METHODS: dict[str, tuple[str, frozenset[str] | None, bool]] = {
    "dict": (
        "model_dump",
        frozenset(
            {"include", "exclude", "by_alias", "exclude_unset", "exclude_defaults", "exclude_none"}
        ),
        True,
    ),
    "json": (
        "model_dump_json",
        frozenset(
            {
                "include",
                "exclude",
                "by_alias",
                "exclude_unset",
                "exclude_defaults",
                "exclude_none",
                "indent",
            }
        ),
        True,
    ),
    "copy": ("model_copy", frozenset({"update", "deep"}), True),
}
_CLASS_METHODS: dict[str, tuple[str, frozenset[str] | None, bool]] = {
    "parse_obj": ("model_validate", frozenset(), True),
    "parse_raw": ("model_validate_json", frozenset(), True),
    "parse_file": ("model_validate_json(path.read_text())", None, False),
    "from_orm": ("model_validate", frozenset(), False),
    "construct": ("model_construct", None, True),  # any keyword: the fields
    "schema": ("model_json_schema", frozenset({"by_alias", "ref_template"}), True),
    "schema_json": ("json.dumps(Model.model_json_schema())", None, False),
    "update_forward_refs": ("model_rebuild", frozenset(), True),
}
_NOT_RENAMES = {"parse_file", "schema_json"}
_PARSE_OBJ_AS = {"pydantic.parse_obj_as", "pydantic.tools.parse_obj_as"}

API603 = Rule(
    code="API603",
    name="pydantic-v1-method",
    message="`{call}` is the Pydantic v1 API of `{model}`; use `{replacement}`",
    summary=(
        "Checks for the Pydantic v1 model methods (`.dict()`, `.json()`, `.copy()`, "
        "`.parse_obj()`, `.from_orm()`...) and `parse_obj_as` on Pydantic v2 models."
    ),
    why=(
        "Each v1 method is a deprecated shim in Pydantic v2 (`PydanticDeprecatedSince20` on "
        "every call) and is removed in v3; some behave differently already (`.copy()` does not "
        "validate, `from_orm` needs `from_attributes`). Receivers are typed by simple flow as "
        "instances or classes of the project's Pydantic models (from any module, subclasses "
        "of subclasses, `BaseSettings`): `.dict()` on a plain dict, an ORM object or another "
        "library's object is never reported. Only reported when the project is on Pydantic v2, "
        "never for code importing `pydantic.v1`."
    ),
    example=(
        "from pydantic import BaseModel, ConfigDict\n\n\n"
        "class User(BaseModel):\n"
        "    model_config = ConfigDict(frozen=True)\n\n"
        "    name: str\n\n\n"
        "def payload(user: User) -> dict:\n"
        "    return user.dict()\n"
    ),
    use_instead=(
        "from pydantic import BaseModel, ConfigDict\n\n\n"
        "class User(BaseModel):\n"
        "    model_config = ConfigDict(frozen=True)\n\n"
        "    name: str\n\n\n"
        "def payload(user: User) -> dict:\n"
        "    return user.model_dump()\n"
    ),
    fix=FixAvailability.SAFE,
    fix_description=(
        "Renames the method: `dict` -> `model_dump`, `json` -> `model_dump_json`, `copy` -> "
        "`model_copy`, `parse_obj` -> `model_validate`, `parse_raw` -> `model_validate_json`, "
        "`construct` -> `model_construct`, `schema` -> `model_json_schema`, "
        "`update_forward_refs` -> `model_rebuild`; only with arguments the new method takes "
        "with the same meaning. `from_orm` -> `model_validate` is unsafe (the model needs "
        "`from_attributes`). `parse_file`, `schema_json` and `parse_obj_as` have no fix."
    ),
)


def find(model: ModuleModel) -> list[Finding]:
    findings = []
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        func = call.func
        if isinstance(func, ast.Name) or (
            isinstance(func, ast.Attribute) and func.attr == "parse_obj_as"
        ):
            if model.call_target(call, ref.scope) in _PARSE_OBJ_AS:
                fields = {
                    "call": "parse_obj_as(...)",
                    "model": "pydantic",
                    "replacement": "TypeAdapter(T).validate_python(...)",
                }
                findings.append(Finding(API603.code, call, fields))
            continue
        if not isinstance(func, ast.Attribute):
            continue
        method = func.attr
        is_instance_method = method in _INSTANCE_METHODS
        if not is_instance_method and method not in _CLASS_METHODS:
            continue
        if _rebinds_its_receiver(model, call, func.value, ref.scope):
            continue
        receiver = _receiver(model, func.value, ref.scope)
        bound = _typevar_bound(model, func.value, ref.scope) if is_instance_method else None
        if isinstance(receiver, Instance):
            qualname = receiver.type
        elif isinstance(receiver, Ref) and not is_instance_method:
            qualname = receiver.qualname
        elif bound is not None:
            qualname = bound
        else:
            continue
        # `BaseModel` itself only through a TypeVar bound to it (a template's generic CRUD
        # base); a parameter annotated `pydantic.BaseModel` is any model, v1 ones too
        # (libraries serving both dispatch on `is_v2_model(obj)` first).
        if not (qualname in MODEL_BASES and qualname == bound) and (
            class_kind(model, qualname) is None or defines_method(model, qualname, method)
        ):
            continue
        replacement = (_INSTANCE_METHODS.get(method) or _CLASS_METHODS[method])[0]
        if method not in _NOT_RENAMES:
            replacement = f".{replacement}()"
        fields = {
            "call": f".{method}()",
            "model": qualname.rsplit(".", 1)[-1],
            "replacement": replacement,
        }
        findings.append(Finding(API603.code, call, fields))
    return findings


def _rebinds_its_receiver(model: ModuleModel, call: ast.Call, expr: ast.expr, scope: Scope) -> bool:
    """``response = Model(**response.json())``: the name is read before this assignment binds it."""
    if not isinstance(expr, ast.Name):
        return False
    binding = model.lookup(expr.id, scope, expr.lineno)
    if binding is None or binding.value is None:
        return False
    return any(ancestor is binding.value for ancestor in model.ancestors(call))


_UNION_NAMES = frozenset({"typing.Union", "typing.Optional"})
_DICT_NAMES = frozenset(
    {"builtins.dict", "typing.Dict", "typing.Mapping", "collections.abc.Mapping", "typing.Any"}
)
_TYPEVAR_NAMES = frozenset({"typing.TypeVar", "typing_extensions.TypeVar"})


def _typevar_bound(model: ModuleModel, expr: ast.expr, scope: Scope) -> str | None:
    """``obj_in: Union[UpdateSchemaType, Dict[str, Any]]`` with ``UpdateSchemaType =
    TypeVar("UpdateSchemaType", bound=BaseModel)`` (the generic CRUD base of FastAPI
    templates): a parameter typed by a TypeVar bound to a model, alone or beside a dict or
    ``None`` (which have no ``.dict()``), holds an instance of that model."""
    if not isinstance(expr, ast.Name):
        return None
    binding = model.lookup(expr.id, scope, expr.lineno)
    if binding is None or binding.kind is not BindingKind.PARAM or binding.annotation is None:
        return None
    members = [binding.annotation]
    while any(isinstance(m, (ast.Subscript, ast.BinOp)) for m in members):
        member = next(m for m in members if isinstance(m, (ast.Subscript, ast.BinOp)))
        members.remove(member)
        if isinstance(member, ast.BinOp) and isinstance(member.op, ast.BitOr):
            members += [member.left, member.right]
        elif isinstance(member, ast.Subscript):
            outer = model.qualified_name(member.value, binding.scope)
            if outer in _UNION_NAMES:
                slice_ = member.slice
                members += slice_.elts if isinstance(slice_, ast.Tuple) else [slice_]
            elif outer in _DICT_NAMES:
                members.append(member.value)
            else:
                return None
        else:
            return None
    bounds = []
    for element in members:
        if isinstance(element, ast.Constant) and element.value is None:
            continue
        if model.qualified_name(element, binding.scope) in _DICT_NAMES:
            continue
        var = model.lookup(element.id, binding.scope) if isinstance(element, ast.Name) else None
        if var is None or var.kind is not BindingKind.ASSIGN:
            return None
        value = var.value
        if not isinstance(value, ast.Call) or (
            model.qualified_name(value.func, var.scope) not in _TYPEVAR_NAMES
        ):
            return None
        bound = next((k.value for k in value.keywords if k.arg == "bound"), None)
        qualname = model.qualified_name(bound, var.scope) if bound is not None else None
        if qualname is None:
            return None
        bounds.append(qualname)
    return bounds[0] if len(bounds) == 1 else None


# Class methods that build an instance of their class (v1 and v2 names).
_CONSTRUCTORS = frozenset(
    {
        "parse_obj",
        "parse_raw",
        "parse_file",
        "from_orm",
        "construct",
        "model_validate",
        "model_validate_json",
        "model_construct",
    }
)


def _receiver(model: ModuleModel, expr: ast.expr, scope: Scope) -> Value | None:
    """What the receiver holds; also ``x = Model.parse_obj(...)`` / ``x = obj.copy()`` gives a model."""
    if isinstance(expr, ast.Subscript):
        # `Page[Item].parse_obj(raw)`: a parametrized generic model is that model's class
        # (`items[0].dict()` indexes a value instead: evaluated as any receiver).
        generic = model.evaluate(expr.value, scope)
        if isinstance(generic, Ref):
            return generic
    value = model.evaluate(expr, scope)
    if (
        value is None
        and isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr not in _CLASS_METHODS
        and expr.func.attr not in _INSTANCE_METHODS
    ):
        # ``Item.model_validate(raw).dict()``: typed inline as ``x = Item.model_validate(raw)``
        # types ``x``. Not after a v1 call (``Item.parse_obj(raw).dict()``, ``.copy().dict()``):
        # both calls start at one column, where the inner one is reported (the outer one once
        # it is fixed).
        return _built_by(model, expr, scope)
    if value is not None or not isinstance(expr, ast.Name):
        return value
    binding = model.lookup(expr.id, scope, expr.lineno)
    if binding is None or binding.unpack_index is not None:
        return None
    if binding.kind is BindingKind.FOR:
        return _built_item(model, binding.value, binding.scope)
    if binding.kind is not BindingKind.ASSIGN or not isinstance(binding.value, ast.Call):
        return None
    if isinstance(binding.value.func, ast.Attribute) and binding.value.func.value is expr:
        return None
    return _built_by(model, binding.value, binding.scope)


def _built_by(model: ModuleModel, built: ast.expr, scope: Scope) -> Value | None:
    """The model a constructor call builds: ``Model.parse_obj(...)``, ``obj.copy()``."""
    if not isinstance(built, ast.Call) or not isinstance(built.func, ast.Attribute):
        return None
    func = built.func
    owner = model.evaluate(func.value, scope)
    if isinstance(owner, Ref) and func.attr in _CONSTRUCTORS:
        return Instance(owner.qualname)
    if isinstance(owner, Instance) and func.attr in ("copy", "model_copy"):
        return owner
    return None


def _built_item(model: ModuleModel, iterable: ast.expr | None, scope: Scope) -> Value | None:
    """``for item in items`` over ``items = [Item.from_orm(row) for row in rows]`` (or
    ``[Item(**r) for r in raw]``): each item is the model the comprehension builds."""
    if not isinstance(iterable, ast.Name):
        return None
    source = model.lookup(iterable.id, scope, iterable.lineno)
    if source is None or source.kind is not BindingKind.ASSIGN or source.unpack_index is not None:
        return None
    built = source.value
    if not isinstance(built, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return None
    if len(built.generators) != 1:
        return None
    value = model.evaluate(built.elt, source.scope)
    return value if isinstance(value, Instance) else _built_by(model, built.elt, source.scope)


# ------------------------------------------------------------------ fix (the fix path only)
def fix(context: FixContext, diagnostic: Diagnostic) -> Optional[Fix]:
    """Rename the method when the new one takes the call's arguments with the same meaning."""
    from fastapi_lint.diagnostics import Edit, Fix

    call = node_at(context, diagnostic, ast.Call)
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        return None
    method = call.func.attr
    entry = _INSTANCE_METHODS.get(method) or _CLASS_METHODS.get(method)
    if entry is None or method in _NOT_RENAMES:
        return None
    new_name, keywords, safe = entry
    if keywords is not None:
        if any(k.arg is None or k.arg not in keywords for k in call.keywords):
            return None
        positional = 1 if method in ("parse_obj", "parse_raw", "from_orm") else 0
        if len(call.args) != positional or any(isinstance(a, ast.Starred) for a in call.args):
            return None
    func = call.func
    end_line = func.end_lineno or func.lineno
    end_col = context.char_col(end_line, func.end_col_offset or 0)
    start_col = end_col - len(method)
    if context.lines[end_line - 1][start_col:end_col] != method:
        return None
    edit = Edit(end_line, start_col, end_line, end_col, new_name)
    return Fix(f"Replace `.{method}()` with `.{new_name}()`", safe, (edit,))

"""Which classes are Pydantic v2 models, and which modules are v1 code on purpose."""

from __future__ import annotations

import ast
import enum
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo, Scope

MODEL_BASES = frozenset(
    {
        "pydantic.BaseModel",
        "pydantic.main.BaseModel",
        "pydantic.RootModel",
        "pydantic.root_model.RootModel",
        "pydantic.generics.GenericModel",
        "sqlmodel.SQLModel",
        "sqlmodel.main.SQLModel",
    }
)
# ``from pydantic import BaseSettings`` is the v1 spelling: in a v2 project it is a module
# caught half-way through the migration (Pydantic 2 refuses the import), so its ``class
# Config`` is reported like any other (``pydantic.v1`` imports stay exempt, see below).
SETTINGS_BASES = frozenset(
    {
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "pydantic.BaseSettings",
        "pydantic.env_settings.BaseSettings",
    }
)


class ModelKind(enum.Enum):
    MODEL = "model"
    SETTINGS = "settings"


def _kind_of_bases(bases: list[str]) -> ModelKind | None:
    if any(base in SETTINGS_BASES for base in bases):
        return ModelKind.SETTINGS
    if any(base in MODEL_BASES for base in bases):
        return ModelKind.MODEL
    return None


def class_kind(model: ModuleModel, qualname: str, depth: int = 0) -> ModelKind | None:
    """Whether the project class ``qualname`` is a Pydantic model or settings class.

    Subclasses of subclasses count, across modules (through the index's
    cached ``bases`` fact). A class of another library is never a project model.
    """
    if depth > 8:
        return None
    local = model.class_named(qualname)
    if local is not None:
        return local_class_kind(model, local, depth)
    if model.project is None:
        return None
    project = index_of(model)
    found = project.class_info(qualname) if project is not None else None
    if found is not None:
        # Read from its own module: a base imported through a compatibility
        # module is only visible there (see ``_compat_v1_base``).
        return local_class_kind(found[0], found[1], depth)
    return _kind_of_bases(model.project.class_bases(qualname))


def local_class_kind(model: ModuleModel, class_info: ClassInfo, depth: int = 0) -> ModelKind | None:
    bases = []
    for base in class_info.node.bases:
        target = base.value if isinstance(base, ast.Subscript) else base
        if compat_v1_name(model, target, class_info.outer):
            return None  # a Pydantic v1 model on purpose, whatever else it derives from
        qualname = model.qualified_name(target, class_info.outer)
        if qualname:
            bases.append(qualname)
    kind = _kind_of_bases(bases)
    if kind is not None:
        return kind
    for base_name in bases:
        if base_name.split(".")[0] in ("pydantic", "pydantic_settings", "sqlmodel"):
            continue
        found = class_kind(model, base_name, depth + 1)
        if found is not None:
            return found
    return None


def defines_method(model: ModuleModel, qualname: str, name: str) -> bool:
    """Whether a project class (or a project base of it) defines ``name`` itself."""
    candidates = [qualname, *model.class_bases(qualname)]
    for candidate in candidates:
        if candidate.split(".")[0] in ("pydantic", "pydantic_settings", "sqlmodel"):
            continue
        class_info = model.class_anywhere(candidate)
        if class_info is None:
            continue
        for statement in class_info.node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if statement.name == name:
                    return True
    return False


def compat_v1_name(model: ModuleModel, node: ast.expr, scope: Scope) -> bool:
    """``from ._compat import BaseModel`` where ``_compat`` binds ``BaseModel`` from
    ``pydantic.v1`` when Pydantic 2 is installed (``if PYDANTIC_V2: from pydantic.v1
    import BaseModel`` / ``else: from pydantic import BaseModel``): on a v2 install the
    project's models are v1 models, and ``.dict()`` and ``@validator`` are their API.
    Followed through re-exports, a few modules deep."""
    if not isinstance(node, ast.Name):
        return False
    binding = model.lookup(node.id, scope, node.lineno)
    project = index_of(model)
    qualname = binding.qualname if binding is not None else None
    for _ in range(4):
        if binding is None or binding.kind is not BindingKind.IMPORT or not qualname:
            return False
        if qualname.startswith("pydantic.v1."):
            return True
        module_name, _, name = qualname.rpartition(".")
        if project is None or not module_name or not project.is_project_module(module_name):
            return False
        defining = project.model(module_name)
        bindings = defining.module_scope.bindings.get(name, []) if defining else []
        if any((other.qualname or "").startswith("pydantic.v1.") for other in bindings):
            return True
        binding = bindings[-1] if bindings else None
        qualname = binding.qualname if binding is not None else None
    return False


def imports_pydantic_v1(model: ModuleModel) -> bool:
    """A shim module that binds one name both from ``pydantic.v1`` and from elsewhere
    (``try: from pydantic.v1 import BaseModel`` / ``except ImportError: from pydantic
    import BaseModel``): which one a use means is decided at run time, so nothing in
    it is reported.

    A module that imports some names from ``pydantic.v1`` and others from ``pydantic``
    (legacy models kept on v1 next to new v2 ones) is judged name by name: a v1 class,
    ``pydantic.v1.validator`` or ``pydantic.v1.Field`` never resolves to a v2 name, so
    only the v2 models' leftovers are reported.
    """
    for bindings in model.module_scope.bindings.values():
        imports = [binding for binding in bindings if binding.kind is BindingKind.IMPORT]
        if len(imports) < 2:
            continue
        from_v1 = [_is_v1(binding.qualname or "") for binding in imports]
        if any(from_v1) and not all(from_v1):
            return True
    return False


def _is_v1(qualname: str) -> bool:
    return qualname == "pydantic.v1" or qualname.startswith("pydantic.v1.")


def _names_a_version(test: ast.expr) -> bool:
    """``PYDANTIC_V2``, ``IS_PYDANTIC_V1``, ``pydantic.VERSION...``, ``hasattr(x, "model_dump")``.

    Names only: a bare ``VERSION`` or ``API_V1`` is about something else.
    """
    for node in ast.walk(test):
        if isinstance(node, ast.Name) and "PYDANTIC" in node.id.upper():
            return True
        if isinstance(node, ast.Attribute) and "PYDANTIC" in node.attr.upper():
            return True
        # `hasattr(obj, "model_dump")`: a v2 method name as a string, not a variable `model_params`.
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.startswith("model_") or "PYDANTIC" in node.value.upper():
                return True
    return False


def is_compatibility_code(model: ModuleModel, node: ast.AST) -> bool:
    """v1 code kept on purpose next to its v2 twin: it runs only on the other major version.

    Under a version test (``if PYDANTIC_V2: ... else: ...``, ``hasattr(obj,
    "model_dump")``), or in the ``except`` of a ``try`` that first tries the
    v2 API (``try: obj.model_dump() except AttributeError: obj.dict()``).
    """
    child: ast.AST = node
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, (ast.If, ast.IfExp, ast.While)) and child is not ancestor.test:
            if _names_a_version(ancestor.test):
                return True
        if isinstance(ancestor, ast.Try) and isinstance(child, ast.ExceptHandler):
            for statement in ancestor.body:
                for inner in ast.walk(statement):
                    if isinstance(inner, ast.Attribute) and inner.attr.startswith("model_"):
                        return True
                    if isinstance(inner, ast.alias) and inner.name in (
                        "field_validator",
                        "model_validator",
                        "ConfigDict",
                    ):
                        return True
        if isinstance(child, ast.stmt) and _after_version_return(ancestor, child):
            return True
        # A definition under a version test is guarded as a whole: keep looking up.
        child = ancestor
    return False


def _after_version_return(parent: ast.AST, statement: ast.stmt) -> bool:
    """``if PYDANTIC_V2: return x.model_dump()`` earlier in the same block: the rest is v1 code."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(parent, name, None)
        if not isinstance(block, list) or statement not in block:
            continue
        for earlier in block[: block.index(statement)]:
            if (
                isinstance(earlier, ast.If)
                and earlier.body
                and isinstance(earlier.body[-1], (ast.Return, ast.Raise))
                and _names_a_version(earlier.test)
            ):
                return True
    return False

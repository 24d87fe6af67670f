"""Relationships a model receives from outside its class body.

``relationship("Article", backref="author")`` on ``Author`` declares
``Article.author`` (a many-to-one here) without a line in ``Article``'s body;
so does ``Department.doctors = relationship(Doctor)`` written at module level
once both classes exist (the usual way around a circular import). The
catalogue (orm.py) asks for them per package, the way it resolves string
targets.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from fastapi_lint.project.orm_facts import (
    LAZY_SELECT,
    RELATIONSHIP_FUNCTIONS,
    Relationship,
    _annotation_target,
    _lazy_value,
    _target_name,
)
from fastapi_lint.project.orm_joins import JoinHints
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.syntax import keyword_value

if TYPE_CHECKING:
    from fastapi_lint.project.orm import Catalogue
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo


def backrefs_to(catalogue: Catalogue, model: ModuleModel, qualname: str) -> dict[str, Relationship]:
    """Relationships that models of the same module or package declare on this one
    with ``backref="name"`` (or ``backref=backref("name", lazy=...)``).

    Bounded like the resolution of string targets: the defining module and the
    modules of its package, where models that refer to each other live.
    """
    package = model.module_name.rpartition(".")[0]
    if model.path.replace("\\", "/").endswith("/__init__.py"):
        package = model.module_name
    key = package or model.module_name
    index = catalogue.backref_index.get(key)
    if index is not None:
        # Built while another model's fact was computed: this fact reads those files too,
        # or an edit to them (a backref, a late `Owner.name = relationship(...)`) would
        # leave this model's cached answer stale.
        if catalogue.project is not None:
            for path in catalogue.backref_reads.get(key, ()):
                catalogue.project.depends_on_path(path)
    else:
        index = {}
        catalogue.backref_index[key] = index  # cycle guard while building
        modules: list[ModuleModel] = [model]
        if catalogue.project is not None:
            for module_name in catalogue.modules_of_package(package, model):
                if module_name == model.module_name:
                    continue
                if not catalogue.project.is_project_module(module_name):
                    continue
                other = catalogue.project.model(module_name)
                if other is not None:
                    modules.append(other)
        catalogue.backref_reads[key] = [other.path for other in modules if other.path]
        for other in modules:
            for class_info in other.classes:
                index_backrefs(catalogue, other, class_info, index)
            index_assigned(catalogue, other, index)
    return index.get(qualname, {})


def index_assigned(
    catalogue: Catalogue, model: ModuleModel, index: dict[str, dict[str, Relationship]]
) -> None:
    """Add the module-level ``Owner.name = relationship(...)`` statements of ``model``
    to ``index`` (owner model -> name -> relationship)."""
    for statement in model.tree.body:
        if not (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Attribute)
            and isinstance(statement.targets[0].value, ast.Name)
            and isinstance(statement.value, ast.Call)
        ):
            continue
        target = statement.targets[0]
        assert isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
        function = stubs.canonical(
            model.qualified_name(statement.value.func, model.module_scope) or ""
        )
        if function not in RELATIONSHIP_FUNCTIONS or function.startswith("sqlmodel."):
            continue
        owner = catalogue.resolve_model_name(target.value.id, model)
        if owner is None:
            continue
        relationship = catalogue.relationship_of(
            model, owner, model.module_scope, target.attr, None, statement.value
        )
        if relationship is not None:
            index.setdefault(owner, {}).setdefault(target.attr, relationship)


def index_backrefs(
    catalogue: Catalogue,
    model: ModuleModel,
    class_info: ClassInfo,
    index: dict[str, dict[str, Relationship]],
) -> None:
    """Add the ``backref=`` relationships declared in ``class_info`` to ``index``
    (target model -> name -> relationship)."""
    for statement in class_info.node.body:
        value = statement.value if isinstance(statement, (ast.Assign, ast.AnnAssign)) else None
        if not isinstance(value, ast.Call):
            continue
        backref = keyword_value(value.keywords, "backref")
        if backref is None:
            continue
        function = stubs.canonical(model.qualified_name(value.func, class_info.outer) or "")
        if function not in RELATIONSHIP_FUNCTIONS or function.startswith("sqlmodel."):
            continue
        name: Optional[str] = None
        lazy = LAZY_SELECT
        collection: Optional[bool] = None
        if isinstance(backref, ast.Constant) and isinstance(backref.value, str):
            name = backref.value
        elif (
            isinstance(backref, ast.Call)
            and backref.args
            and isinstance(backref.args[0], ast.Constant)
            and isinstance(backref.args[0].value, str)
            and (model.qualified_name(backref.func, class_info.outer) or "").endswith("backref")
        ):
            name = backref.args[0].value
            for keyword in backref.keywords:
                if keyword.arg == "lazy":
                    lazy = _lazy_value(keyword.value)
                elif keyword.arg == "uselist" and isinstance(keyword.value, ast.Constant):
                    collection = bool(keyword.value.value)
        if not name or not catalogue.is_orm_class(class_info.qualname, model):
            continue
        target_node = value.args[0] if value.args else None
        for keyword in value.keywords:
            if keyword.arg == "argument":
                target_node = keyword.value
        target_name = _target_name(target_node)
        if target_name is None and isinstance(statement, ast.AnnAssign):
            target_name = _annotation_target(statement.annotation)[0]
        target = catalogue.resolve_model_name(target_name, model) if target_name else None
        if target is None:
            continue
        hints = JoinHints()
        hints.read_keywords(value.keywords)
        index.setdefault(target, {})[name] = Relationship(
            name=name,
            owner=target,
            target=class_info.qualname,
            target_name=class_info.name,
            lazy=lazy,
            collection=collection,
            line=value.lineno,
            secondary=hints.secondary,
        )

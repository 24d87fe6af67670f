"""The ORM model catalogue: SQLAlchemy / SQLModel mapped classes and their relationships.

Built lazily, one class at a time, from the semantic models of the modules
that define them (never by importing code). A model is a class whose bases
lead, transitively, to a declarative base: ``DeclarativeBase`` (2.0),
``declarative_base()`` / ``registry().generate_base()`` (1.x), a class
decorated ``@as_declarative()``, or ``SQLModel`` with ``table=True``.

Relationship targets given by string (``relationship("Post")``) are resolved
the way SQLAlchemy's registry would find them, within bounded work: the
owner module's own names (including ``TYPE_CHECKING`` imports), the classes of
the project modules it imports, then the modules of its own package. The
catalogue is cached per project index (one per project root per process).
"""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from fastapi_lint.project.index import index_of
from fastapi_lint.project.orm_backrefs import backrefs_to
from fastapi_lint.project.orm_facts import (
    LAZY_SELECT,
    MANY_TO_MANY,
    MANY_TO_ONE,
    MAX_BASE_DEPTH,
    ONE_TO_MANY,
    RELATIONSHIP_FUNCTIONS,
    Relationship,
    _annotation_target,
    _lazy_from_kwargs,
    _lazy_value,
    _target_name,
)
from fastapi_lint.project.orm_joins import (
    JoinHints,
    declared_primary_key,
    declared_unique_columns,
    foreign_key_reference,
    join_condition,
)
from fastapi_lint.project.orm_models import OrmModel, orm_model_from_json, orm_model_to_json
from fastapi_lint.project.orm_properties import relationship_getters
from fastapi_lint.project.orm_tablenames import declared_tablename, table_from_class_name
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.syntax import constant_value, keyword_value
from fastapi_lint.semantic.values import Instance, Ref

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo, Scope

DECLARATIVE_BASES = frozenset(
    {
        "sqlalchemy.orm.DeclarativeBase",
        "sqlalchemy.orm.DeclarativeBaseNoMeta",
        "sqlalchemy.orm.decl_api.DeclarativeBase",
        "sqlalchemy.orm.decl_api.DeclarativeBaseNoMeta",
    }
)
# What `declarative_base()` returns: a class whose metaclass is DeclarativeMeta.
DECLARATIVE_META = "sqlalchemy.orm.DeclarativeMeta"
DECLARATIVE_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.declarative_base",
        "sqlalchemy.ext.declarative.declarative_base",
        "sqlalchemy.orm.decl_api.declarative_base",
    }
)
AS_DECLARATIVE = frozenset(
    {
        "sqlalchemy.orm.as_declarative",
        "sqlalchemy.ext.declarative.as_declarative",
        "sqlalchemy.orm.decl_api.as_declarative",
    }
)
SQLMODEL = frozenset({"sqlmodel.SQLModel", "sqlmodel.main.SQLModel"})
PYDANTIC_BASES = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel"}) | SQLMODEL


class Catalogue:
    """ORM models of one project, answered one class at a time and cached."""

    def __init__(self, project: ProjectIndex | None) -> None:
        self.project = project
        self._models: dict[str, Optional[OrmModel]] = {}
        self._orm_class: dict[str, bool] = {}
        self._by_name: dict[tuple[str, str], Optional[str]] = {}
        self._package_modules: dict[str, list[str]] = {}
        self._primary_keys: dict[str, tuple[str, ...]] = {}
        self.backref_index: dict[str, dict[str, dict[str, Relationship]]] = {}  # orm_backrefs
        self.backref_reads: dict[str, list[str]] = {}  # the files each backref index read

    # ------------------------------------------------------------ classes
    def find_class(
        self, qualname: str, current: ModuleModel | None = None
    ) -> tuple[ModuleModel, ClassInfo] | None:
        if current is not None:
            class_info = current.class_named(qualname)
            if class_info is not None:
                return current, class_info
        if self.project is not None:
            return self.project.class_info(qualname)
        return None

    def class_bases(
        self, model: ModuleModel, class_info: ClassInfo
    ) -> list[tuple[str | None, object]]:
        """Each base as (qualified name or None, evaluated value)."""
        result: list[tuple[str | None, object]] = []
        for base in class_info.node.bases:
            value = model.evaluate(base, class_info.outer)
            qualname = value.qualname if isinstance(value, Ref) else None
            result.append((stubs.canonical(qualname) if qualname else None, value))
        return result

    def is_orm_class(
        self, qualname: str, current: ModuleModel | None = None, depth: int = 0
    ) -> bool:
        """Whether a class descends from a declarative base (the base itself included)."""
        project = self.project
        if project is not None:
            # A fact (memoized with the files it read, kept on disk): warm runs
            # answer without building the modules of the class and its bases.
            return bool(
                project.fact(
                    "orm-class",
                    qualname,
                    lambda: self._is_orm_class(qualname, current, depth),
                )
            )
        cached = self._orm_class.get(qualname)
        if cached is not None:
            return cached
        if depth > MAX_BASE_DEPTH:
            return False
        self._orm_class[qualname] = False  # cycle guard
        result = self._is_orm_class(qualname, current, depth)
        self._orm_class[qualname] = result
        return result

    def _is_orm_class(self, qualname: str, current: ModuleModel | None, depth: int) -> bool:
        found = self.find_class(qualname, current)
        if found is None:
            return False
        model, class_info = found
        for decorator in class_info.node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if (model.qualified_name(target, class_info.outer) or "") in AS_DECLARATIVE:
                return True
        if _is_sqlmodel_table(class_info) and self.has_base(model, class_info, SQLMODEL):
            return True
        for base_name, value in self.class_bases(model, class_info):
            if isinstance(value, Instance) and value.type == DECLARATIVE_META:
                return True
            if base_name is None:
                continue
            if base_name in DECLARATIVE_BASES:
                return True
            if base_name in SQLMODEL:
                continue
            if self._is_declarative_variable(base_name, model) or self.is_orm_class(
                base_name, model, depth + 1
            ):
                return True
        return False

    def _is_declarative_variable(self, qualname: str, model: ModuleModel) -> bool:
        """``Base = declarative_base()`` seen through an import that did not evaluate."""
        module_name, _, name = qualname.rpartition(".")
        owner = model if module_name == model.module_name else None
        if owner is None and self.project is not None:
            owner = self.project.model(module_name) if module_name else None
        if owner is None:
            return False
        bindings = owner.module_scope.bindings.get(name)
        if not bindings:
            return False
        value = bindings[-1].value
        if isinstance(value, ast.Call):
            factory = owner.qualified_name(value.func, owner.module_scope) or ""
            if factory in DECLARATIVE_FACTORIES:
                return True
            if isinstance(value.func, ast.Attribute) and value.func.attr == "generate_base":
                return True
        return False

    def has_base(
        self,
        model: ModuleModel,
        class_info: ClassInfo,
        wanted: frozenset[str],
        depth: int = 0,
    ) -> bool:
        """Whether a class has one of ``wanted`` among its bases, transitively."""
        if depth > MAX_BASE_DEPTH:
            return False
        for base_name, _ in self.class_bases(model, class_info):
            if base_name is None:
                continue
            if base_name in wanted:
                return True
            found = self.find_class(base_name, model)
            if found is not None and self.has_base(found[0], found[1], wanted, depth + 1):
                return True
        return False

    # ------------------------------------------------------------ models
    def get(self, qualname: str, current: ModuleModel | None = None) -> OrmModel | None:
        """The ORM model named ``qualname`` (a mapped class), or None."""
        project = self.project
        if project is not None:
            return orm_model_from_json(
                project.fact(
                    # Versioned: older caches hold relationships without a direction (1),
                    # without the primary-key get test (2), without backrefs (3) or
                    # without relationships assigned to the class after it (6), without
                    # the getters that read a relationship (7), without tables that a
                    # base's `@declared_attr __tablename__` names (8).
                    "orm-model/8",
                    qualname,
                    lambda: orm_model_to_json(self._get(qualname, current)),
                )
            )
        if qualname in self._models:
            return self._models[qualname]
        self._models[qualname] = None  # cycle guard while building
        result = self._get(qualname, current)
        self._models[qualname] = result
        return result

    def _get(self, qualname: str, current: ModuleModel | None) -> OrmModel | None:
        if self.is_orm_class(qualname, current):
            found = self.find_class(qualname, current)
            if found is not None:
                return self._build(found[0], found[1])
        return None

    def _build(self, model: ModuleModel, class_info: ClassInfo) -> OrmModel:
        info = OrmModel(
            qualname=class_info.qualname,
            module=model.module_name,
            path=model.path,
            line=class_info.node.lineno,
            is_sqlmodel=_is_sqlmodel_table(class_info),
        )
        # Inherited relationships and columns (mapped bases and mixins).
        for base_name, _ in reversed(self.class_bases(model, class_info)):
            if base_name is None or base_name in DECLARATIVE_BASES or base_name in SQLMODEL:
                continue
            inherited = self._inherited(base_name, model)
            if inherited is not None:
                info.relationships.update(inherited.relationships)
                info.columns.update(inherited.columns)
                info.foreign_keys.update(inherited.foreign_keys)
                info.referenced_columns.update(inherited.referenced_columns)
                info.relationship_getters.update(inherited.relationship_getters)
        annotation: ast.expr | None
        for statement in class_info.node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                name, annotation, value = statement.target.id, statement.annotation, statement.value
            elif (
                isinstance(statement, ast.FunctionDef)
                and _declared_attr(model, statement)
                and _returned(statement) is not None
            ):
                # `@declared_attr def owner(cls): return relationship("User")` in a mixin
                name, annotation, value = statement.name, statement.returns, _returned(statement)
            elif (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
            ):
                name, annotation, value = statement.targets[0].id, None, statement.value
            else:
                continue
            if name.startswith("__"):
                continue
            relationship = self.relationship_of(
                model, class_info.qualname, class_info.outer, name, annotation, value
            )
            if relationship is not None:
                info.relationships[name] = relationship
                info.columns.discard(name)
                info.foreign_keys.pop(name, None)
                info.referenced_columns.pop(name, None)
            else:
                info.relationships.pop(name, None)
                info.columns.add(name)
                referenced, column = foreign_key_reference(value)
                if referenced is not None:
                    info.foreign_keys[name] = referenced
                else:
                    info.foreign_keys.pop(name, None)
                if column is not None:
                    info.referenced_columns[name] = column
                else:
                    info.referenced_columns.pop(name, None)
        # `relationship("Article", backref="author")` elsewhere declares `author` here.
        for name, relationship in backrefs_to(self, model, info.qualname).items():
            if name not in info.relationships and name not in info.columns:
                info.relationships[name] = relationship
        for name, relationship in list(info.relationships.items()):
            if relationship.owner == info.qualname:
                direction, foreign_key = self._direction(info, relationship)
                relationship = replace(relationship, direction=direction, foreign_key=foreign_key)
                get_key = self._primary_key_get(info, relationship)
                info.relationships[name] = replace(
                    relationship, loads_by_get=get_key is not None, get_key=get_key or ()
                )
        info.relationship_getters.update(relationship_getters(class_info.node, info.relationships))
        return info

    def _primary_key_get(
        self, owner: OrmModel, relationship: Relationship
    ) -> Optional[tuple[str, ...]]:
        """The owner's columns a lazy load compares with the target's primary key, when
        SQLAlchemy loads the relationship by a primary-key get (``use_get``).

        Decided by the join, not by the direction: the relationship is scalar
        (``uselist=False``, a scalar ``Mapped[...]`` annotation, or a many-to-one's
        default) and its join compares exactly the target's primary-key columns. A
        ``primaryjoin`` is read as written (``foreign()`` on the target's key included);
        without one the foreign key decides, as for a plain many-to-one.
        """
        target = relationship.target
        if relationship.secondary or target is None:
            return None
        scalar = relationship.collection is False or (
            relationship.collection is None and relationship.direction == MANY_TO_ONE
        )
        if not scalar:
            return None
        join = relationship.join
        if join is not None:
            if not join.complete or target == owner.qualname:
                return None  # self-referential: which side is remote is not in the names
            target_name = target.rsplit(".", 1)[-1]
            compared: dict[str, str] = {}
            for left, right in join.pairs:
                if left[0] == target_name and right[0] in (None, owner.name):
                    compared[left[1]] = right[1]
                elif right[0] == target_name and left[0] in (None, owner.name):
                    compared[right[1]] = left[1]
                else:
                    return None  # a column of a third class: not a get
            key = self.primary_key(target)
            if not key or len(join.pairs) != len(key) or set(compared) != set(key):
                return None
            return tuple(compared[column] for column in key)
        if relationship.direction != MANY_TO_ONE or relationship.foreign_key is None:
            return None
        referenced = owner.referenced_columns.get(relationship.foreign_key)
        key = self.primary_key(target)
        if referenced is not None and key and (referenced,) != key:
            return None  # the foreign key references a unique column, not the key
        return (relationship.foreign_key,)

    def primary_key(self, qualname: str, depth: int = 0) -> tuple[str, ...]:
        """A mapped class's primary-key columns as declared (own or inherited), or ()."""
        cached = self._primary_keys.get(qualname)
        if cached is not None:
            return cached
        found = self.find_class(qualname)
        if found is None or depth > MAX_BASE_DEPTH:
            return ()
        self._primary_keys[qualname] = ()  # cycle guard
        model, class_info = found
        own, others = declared_primary_key(class_info.node.body)
        result: list[str] = []
        for base_name, _ in self.class_bases(model, class_info):
            if base_name is None or base_name in DECLARATIVE_BASES or base_name in SQLMODEL:
                continue
            for column in self.primary_key(base_name, depth + 1):
                if column not in result and column not in others:
                    result.append(column)
        for column in own:
            if column not in result:
                result.append(column)
        self._primary_keys[qualname] = tuple(result)
        return self._primary_keys[qualname]

    def single_row_columns(self, qualname: str, depth: int = 0) -> frozenset[str]:
        """Columns that each name one row of a mapped class: a one-column primary key
        and the columns declared unique (own or inherited, unless redeclared)."""
        found = self.find_class(qualname)
        if found is None or depth > MAX_BASE_DEPTH:
            return frozenset()
        model, class_info = found
        result: set[str] = set()
        key = self.primary_key(qualname)
        if len(key) == 1:
            result.add(key[0])
        own_keys, own_others = declared_primary_key(class_info.node.body)
        redeclared = set(own_keys) | own_others
        for base_name, _ in self.class_bases(model, class_info):
            if base_name is None or base_name in DECLARATIVE_BASES or base_name in SQLMODEL:
                continue
            inherited = self.single_row_columns(base_name, depth + 1)
            result |= {column for column in inherited if column not in redeclared}
        result.update(declared_unique_columns(class_info.node.body))
        return frozenset(result)

    def _direction(
        self, owner: OrmModel, relationship: Relationship
    ) -> tuple[Optional[str], Optional[str]]:
        """(direction, the owner's foreign key column) the way SQLAlchemy decides it.

        The side that holds the foreign key decides (sqlalchemy/orm/relationships.py,
        ``_determine_direction``): a foreign key on the owner pointing at the target's
        table makes a many-to-one; a ``secondary`` table a many-to-many; otherwise
        the key is on the target's side (one-to-many, or one-to-one with
        ``uselist=False``). Ambiguous declarations answer None.
        """
        if relationship.secondary:
            return MANY_TO_MANY, None
        declared = relationship.declared_foreign_keys
        if declared:
            local = [
                column
                for class_name, column in declared
                if class_name in (None, owner.name) and column in owner.columns
            ]
            if len(local) == 1 and len(declared) == 1:
                if relationship.target == owner.qualname and not relationship.remote_side:
                    return None, None  # self-referential: the side is in remote_side
                return MANY_TO_ONE, local[0]
            if not local and relationship.target != owner.qualname:
                return ONE_TO_MANY, None
            return None, None
        if relationship.target is None:
            return (ONE_TO_MANY if relationship.collection else None), None
        if relationship.target == owner.qualname:
            # An adjacency list: `parent = relationship("Node", remote_side=[id])` is the
            # many-to-one side; without remote_side SQLAlchemy makes it one-to-many.
            if not relationship.remote_side:
                return ONE_TO_MANY, None
            table = self.table_name(owner.qualname)
            own = [c for c, ref in owner.foreign_keys.items() if _refers_to(ref, table, owner.name)]
            return (MANY_TO_ONE, own[0]) if len(own) == 1 else (None, None)
        table = self.table_name(relationship.target)
        target_name = relationship.target.rsplit(".", 1)[-1]
        candidates = [
            column
            for column, ref in owner.foreign_keys.items()
            if _refers_to(ref, table, target_name)
        ]
        if len(candidates) == 1 and relationship.collection is not True:
            return MANY_TO_ONE, candidates[0]
        if candidates:
            return None, None  # several keys to that table: SQLAlchemy needs foreign_keys=
        if relationship.collection is True or table is not None:
            return ONE_TO_MANY, None
        return None, None

    def table_name(
        self, qualname: str, depth: int = 0, mapped: Optional[str] = None
    ) -> Optional[str]:
        """A mapped class's table: ``__tablename__``, SQLModel's lower-cased class name,
        (single-table inheritance) its mapped base's table, or the name a base's or
        mixin's ``@declared_attr __tablename__`` computes for the class ``mapped``."""
        found = self.find_class(qualname)
        if found is None or depth > MAX_BASE_DEPTH:
            return None
        model, class_info = found
        mapped = mapped or class_info.name
        declared = declared_tablename(class_info.node.body)
        if declared is not None:
            return table_from_class_name(declared, mapped)
        for statement in class_info.node.body:
            value: ast.expr | None
            if isinstance(statement, ast.Assign):
                targets, value = statement.targets, statement.value
            elif isinstance(statement, ast.AnnAssign):
                targets, value = [statement.target], statement.value
            else:
                continue
            if any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in targets):
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    return value.value
                return None
        if _is_sqlmodel_table(class_info):
            return class_info.name.lower()
        for base_name, _ in self.class_bases(model, class_info):
            if base_name is None or base_name in DECLARATIVE_BASES or base_name in SQLMODEL:
                continue
            if self.is_orm_class(base_name, model):
                return self.table_name(base_name, depth + 1, mapped)
            mixin = self.find_class(base_name, model)
            if mixin is not None and declared_tablename(mixin[1].node.body) is not None:
                return self.table_name(base_name, depth + 1, mapped)
        return None

    def _inherited(self, base_name: str, model: ModuleModel) -> OrmModel | None:
        """Relationships of a mapped base class or a plain mixin class of the project."""
        if self.project is None and base_name in self._models:
            return self._models[base_name]
        found = self.find_class(base_name, model)
        if found is None:
            return None
        if self.is_orm_class(base_name, model):
            return self.get(base_name, model)
        # A mixin: its relationship() attributes are copied onto each model.
        key = "mixin:" + base_name
        if key in self._models:
            return self._models[key]
        self._models[key] = None
        built = self._build(found[0], found[1])
        self._models[key] = built
        return built

    def relationship_of(
        self,
        model: ModuleModel,
        owner: str,
        scope: Scope,
        name: str,
        annotation: ast.expr | None,
        value: ast.expr | None,
    ) -> Relationship | None:
        """The relationship ``value`` declares as ``owner.name`` (in the class body, or
        assigned to the class later: ``Owner.name = relationship(...)``), or None."""
        if not isinstance(value, ast.Call):
            return None
        function = stubs.canonical(model.qualified_name(value.func, scope) or "")
        if function not in RELATIONSHIP_FUNCTIONS:
            return None
        call = value
        lazy = LAZY_SELECT
        if function == "sqlalchemy.orm.dynamic_loader":
            lazy = "dynamic"
        if function.startswith("sqlmodel."):
            for keyword in value.keywords:
                if keyword.arg == "sa_relationship" and isinstance(keyword.value, ast.Call):
                    call = keyword.value
                elif keyword.arg == "sa_relationship_kwargs":
                    lazy = _lazy_from_kwargs(model, keyword.value, scope)
        target_node: ast.expr | None = None
        collection: Optional[bool] = None
        hints = JoinHints()
        for keyword in value.keywords:
            if keyword.arg == "link_model":
                hints.secondary = True  # SQLModel's many-to-many through a link table
            elif keyword.arg == "sa_relationship_kwargs":
                hints.read_dict(model, keyword.value, scope)
        if call is not value or not function.startswith("sqlmodel."):
            hints.read_keywords(call.keywords)
            if call.args:
                target_node = call.args[0]
            for keyword in call.keywords:
                if keyword.arg == "argument":
                    target_node = keyword.value
                elif keyword.arg == "lazy":
                    lazy = _lazy_value(keyword.value)
                elif keyword.arg == "uselist" and isinstance(keyword.value, ast.Constant):
                    collection = bool(keyword.value.value)
        annotated_name: Optional[str] = None
        if annotation is not None:
            annotated_name, annotated_collection, wrapper = _annotation_target(annotation)
            if collection is None:
                collection = annotated_collection
            if wrapper == "WriteOnlyMapped":
                lazy = "write_only"
            elif wrapper == "DynamicMapped":
                lazy = "dynamic"
        target_name = _target_name(target_node) or annotated_name
        target = None
        if target_name:
            target = self.resolve_model_name(target_name, model)
        return Relationship(
            name=name,
            owner=owner,
            target=target,
            target_name=target_name.rsplit(".", 1)[-1] if target_name else None,
            lazy=lazy,
            collection=collection,
            line=value.lineno,
            secondary=hints.secondary,
            remote_side=hints.remote_side,
            declared_foreign_keys=tuple(hints.foreign_keys),
            join=join_condition(hints.primaryjoin) if hints.primaryjoin is not None else None,
        )

    # ------------------------------------------------------------ names
    def resolve_model_name(self, name: str, model: ModuleModel) -> str | None:
        """The model a relationship names by string or bare name, seen from ``model``."""
        key = (model.module_name, name)
        if key in self._by_name:
            return self._by_name[key]
        self._by_name[key] = None
        result = self._resolve_model_name(name, model)
        self._by_name[key] = result
        return result

    def _resolve_model_name(self, name: str, model: ModuleModel) -> str | None:
        short = name.rsplit(".", 1)[-1]
        if "." in name and self.is_orm_class(name, model):
            return name  # a module-qualified path: "app.models.Post"
        # 1. A name the owner module defines or imports (TYPE_CHECKING imports included).
        bindings = model.module_scope.bindings.get(short)
        if bindings:
            value = model.binding_value(bindings[-1])
            if isinstance(value, Ref) and self.is_orm_class(value.qualname, model):
                return value.qualname
        for class_info in model.classes:
            if class_info.name == short and self.is_orm_class(class_info.qualname, model):
                return class_info.qualname
        if self.project is None:
            return None
        # 2. Classes of the project modules the owner module imports.
        candidates: list[str] = []
        for binding_list in model.module_scope.bindings.values():
            for binding in binding_list:
                if binding.qualname and binding.kind.value == "import":
                    candidates.append(binding.qualname)
        seen: set[str] = set()
        for qualname in candidates:
            for module_name in (qualname, qualname.rpartition(".")[0]):
                if not module_name or module_name in seen:
                    continue
                seen.add(module_name)
                found = self._class_in_module(module_name, short)
                if found:
                    return found
        # 3. Modules of the owner's own package (models split one per file).
        package = model.module_name.rpartition(".")[0]
        if model.path.replace("\\", "/").endswith("/__init__.py"):
            package = model.module_name
        for module_name in self.modules_of_package(package, model):
            if module_name in seen:
                continue
            seen.add(module_name)
            found = self._class_in_module(module_name, short)
            if found:
                return found
        return None

    def _class_in_module(self, module_name: str, short: str) -> str | None:
        assert self.project is not None
        if not self.project.is_project_module(module_name):
            return None
        other = self.project.model(module_name)
        if other is None:
            return None
        for class_info in other.classes:
            if class_info.name == short and self.is_orm_class(class_info.qualname, other):
                return class_info.qualname
        return None

    def modules_of_package(self, package: str, model: ModuleModel) -> list[str]:
        if package in self._package_modules:
            return self._package_modules[package]
        modules: list[str] = []
        folder = Path(model.path).resolve().parent if model.path else None
        if folder is not None and folder.is_dir():
            try:
                names = sorted(p.stem for p in folder.glob("*.py") if p.stem.isidentifier())
            except OSError:
                names = []
            for stem in names[:200]:
                if stem == "__init__":
                    modules.append(package)
                else:
                    modules.append(f"{package}.{stem}" if package else stem)
        self._package_modules[package] = modules
        return modules


def _declared_attr(model: ModuleModel, function: ast.FunctionDef) -> bool:
    """``@declared_attr`` (not ``@declared_attr.directive``): the method's return value is
    the mapped attribute of every class that mixes it in."""
    for decorator in function.decorator_list:
        qualname = model.qualified_name(decorator, model.module_scope) or ""
        if qualname.rsplit(".", 1)[-1] == "declared_attr":
            return True
    return False


def _returned(function: ast.FunctionDef) -> ast.expr | None:
    """The value of a one-statement ``return X`` body (a docstring before it allowed)."""
    body = [
        s
        for s in function.body
        if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    if len(body) == 1 and isinstance(body[0], ast.Return):
        return body[0].value
    return None


def _refers_to(reference: str, table: Optional[str], class_name: str) -> bool:
    return reference == f"class:{class_name}" or (table is not None and reference == table)


def _is_sqlmodel_table(class_info: ClassInfo) -> bool:
    return constant_value(keyword_value(class_info.node.keywords, "table")) is True


# On the project index (a view) for the process, or on the model without an index;
# dropped when an editor says a file changed (a relationship may have been added).
_ORM_CATALOGUE: MemoKey[Catalogue] = MemoKey("orm-catalogue", text_dependent=True)


def catalogue_for(model: ModuleModel) -> Catalogue:
    """The catalogue of the model's project (cached on the project index), or a module one."""
    project = index_of(model)
    if project is None:
        cached = model.memo.get(_ORM_CATALOGUE)
        if cached is None:
            cached = model.memo.put(_ORM_CATALOGUE, Catalogue(None))
        return cached
    catalogue = project.memo.get(_ORM_CATALOGUE)
    if catalogue is None:
        catalogue = project.memo.put(_ORM_CATALOGUE, Catalogue(project))
    return catalogue

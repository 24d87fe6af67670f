"""One ORM model of the catalogue (``project/orm.py``) and its JSON form for the disk cache.

A model is what the catalogue knows of one mapped class: its columns, foreign keys,
relationships and the ``@property`` getters that read them. The JSON form is what the
project index stores under the ``orm-model`` fact key; change both together and bump it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi_lint.project.orm_facts import Relationship


@dataclass
class OrmModel:
    qualname: str
    module: str
    path: str
    line: int
    is_sqlmodel: bool
    relationships: dict[str, Relationship] = field(default_factory=dict)
    columns: set[str] = field(default_factory=set)
    # Columns holding a foreign key: column -> the table it references
    # (``"users"`` for ``ForeignKey("users.id")``, ``"class:User"`` for ``ForeignKey(User.id)``).
    foreign_keys: dict[str, str] = field(default_factory=dict)
    # Foreign-key columns: column -> the column it references (``"id"``), when written.
    referenced_columns: dict[str, str] = field(default_factory=dict)
    # `@property` getters that read a relationship: getter -> relationship (orm_properties).
    relationship_getters: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


def orm_model_to_json(orm: OrmModel | None) -> object:
    if orm is None:
        return None
    return {
        "qualname": orm.qualname,
        "module": orm.module,
        "path": orm.path,
        "line": orm.line,
        "is_sqlmodel": orm.is_sqlmodel,
        "relationships": [
            [
                r.name,
                r.owner,
                r.target,
                r.target_name,
                r.lazy,
                r.collection,
                r.line,
                r.direction,
                r.foreign_key,
                r.secondary,
                r.remote_side,
                [list(pair) for pair in r.declared_foreign_keys],
                r.loads_by_get,
                list(r.get_key),
            ]
            for r in orm.relationships.values()
        ],
        "columns": sorted(orm.columns),
        "foreign_keys": orm.foreign_keys,
        "referenced_columns": orm.referenced_columns,
        "relationship_getters": orm.relationship_getters,
    }


def orm_model_from_json(data: object) -> OrmModel | None:
    if not isinstance(data, dict):
        return None
    relationships = {}
    for entry in data["relationships"]:
        name, owner, target, target_name, lazy, collection, line = entry[:7]
        direction, foreign_key, secondary, remote_side, declared, by_get, get_key = entry[7:]
        relationships[name] = Relationship(
            name,
            owner,
            target,
            target_name,
            lazy,
            collection,
            line,
            direction,
            foreign_key,
            secondary,
            remote_side,
            tuple((owner_name, column) for owner_name, column in declared),
            loads_by_get=by_get,
            get_key=tuple(get_key),
        )
    return OrmModel(
        qualname=data["qualname"],
        module=data["module"],
        path=data["path"],
        line=data["line"],
        is_sqlmodel=data["is_sqlmodel"],
        relationships=relationships,
        columns=set(data["columns"]),
        foreign_keys=dict(data.get("foreign_keys", {})),
        referenced_columns=dict(data.get("referenced_columns", {})),
        relationship_getters=dict(data.get("relationship_getters", {})),
    )

"""The values the N+1 query flow computes (a query, its loader options, where it was
built) and their JSON form, the project facts that carry them across modules."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Union

# Loader strategies in options; the covering ones stop the per-item lazy load.
COVERING_STRATEGIES = frozenset(
    {
        "selectinload",
        "refresh",  # `session.refresh(obj, ["books"])` (refreshes.py)
        "joinedload",
        "subqueryload",
        "immediateload",
        "contains_eager",
        "raiseload",
        "noload",
    }
)


class Kind(enum.Enum):
    STATEMENT = "statement"  # select(User): not run yet
    QUERY = "query"  # session.query(User)...: a legacy Query, iterable
    RESULT = "result"  # session.execute(stmt): rows
    SCALARS = "scalars"  # ScalarResult / list of ORM objects
    ENTITY = "entity"  # one ORM object


MANY_KINDS = frozenset({Kind.QUERY, Kind.SCALARS})


@dataclass(frozen=True)
class Loaders:
    """Loader options of a query, as relationship paths relative to its entity."""

    entries: frozenset[tuple[tuple[str, ...], str]] = frozenset()
    opaque: bool = False  # options we cannot read: assume they load everything

    def covers(self, name: str) -> bool:
        if self.opaque:
            return True
        for path, strategy in self.entries:
            if len(path) == 1 and path[0] in (name, "*") and strategy in COVERING_STRATEGIES:
                return True
        return False

    def below(self, name: str) -> Loaders:
        entries = frozenset(
            (path[1:], strategy)
            for path, strategy in self.entries
            if len(path) > 1 and path[0] == name
        )
        return Loaders(entries, self.opaque)

    def plus(self, other: Loaders) -> Loaders:
        return Loaders(self.entries | other.entries, self.opaque or other.opaque)


# In ``QueryValue.filters``: the query has a filter the linter cannot read (a parameter).
OPAQUE_FILTER = "*"


@dataclass(frozen=True)
class Origin:
    module: str
    path: str
    line: int


@dataclass(frozen=True)
class QueryValue:
    kind: Kind
    model: str  # qualified name of the ORM model
    loaders: Loaders
    origin: Origin
    is_async: bool
    root: str  # the model the query selects (for the fix text)
    path: tuple[tuple[str, str], ...] = ()  # (model name, relationship) from the root
    # Columns of the entity the query pins to one value (`.where(Post.author_id == x)`,
    # `.filter_by(author_id=x)`): every row shares that many-to-one parent.
    filters: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ModelClass:
    """A reference to an ORM model class itself (``User`` in ``select(User)``)."""

    model: str


FlowValue = Union[QueryValue, ModelClass]


def query_to_json(value: QueryValue | None) -> object:
    if value is None:
        return None
    return {
        "kind": value.kind.value,
        "model": value.model,
        "loaders": sorted([list(path), strategy] for path, strategy in value.loaders.entries),
        "opaque": value.loaders.opaque,
        "origin": [value.origin.module, value.origin.path, value.origin.line],
        "is_async": value.is_async,
        "root": value.root,
        "path": [list(step) for step in value.path],
        "filters": sorted(value.filters),
    }


def query_from_json(data: object) -> QueryValue | None:
    if not isinstance(data, dict):
        return None
    module, file_path, line = data["origin"]
    return QueryValue(
        kind=Kind(data["kind"]),
        model=data["model"],
        loaders=Loaders(
            frozenset((tuple(path), strategy) for path, strategy in data["loaders"]),
            data["opaque"],
        ),
        origin=Origin(module, file_path, line),
        is_async=data["is_async"],
        root=data["root"],
        path=tuple((owner, attr) for owner, attr in data["path"]),
        filters=frozenset(data.get("filters", ())),
    )

"""Whether a project class satisfies a project ``Protocol`` (the serving-code caller search).

``await self.backend.initialize()`` on a receiver typed as ``StorageBackend(Protocol)`` runs
whichever class the object is, but only a class that has the protocol's members can be
that object: a job store with ``initialize`` and none of ``vector_search``, ``upsert`` or
``reset`` is never handed over where a storage backend is expected. Members count when
the class (or a project base) defines them as methods, assigns them in its body or sets
them on ``self`` (a property of the protocol may be a plain attribute). A class with a base
outside the project may inherit anything: it is taken as satisfying the protocol.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.semantic.project import ProjectFacts

PROTOCOL_BASES = frozenset({"typing.Protocol", "typing_extensions.Protocol"})
# Bases outside the project that add no members a protocol would ask for.
_MEMBERLESS_BASES = frozenset(
    {"abc.ABC", "typing.Generic", "builtins.object", "object"} | PROTOCOL_BASES
)


def _body_members(node: ast.ClassDef) -> set[str]:
    """Names a class body defines: methods, class attributes, ``self.x = ...`` in methods."""
    names: set[str] = set()
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(stmt.name)
            for inner in ast.walk(stmt):
                if (
                    isinstance(inner, ast.Attribute)
                    and isinstance(inner.ctx, ast.Store)
                    and isinstance(inner.value, ast.Name)
                    and inner.value.id == "self"
                ):
                    names.add(inner.attr)
        elif isinstance(stmt, ast.Assign):
            names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            names.add(stmt.target.id)
    return names


def _members(project: ProjectFacts, class_qualname: str) -> set[str] | None:
    """Members of a project class and its project bases; None when a base is unknown."""
    names: set[str] = set()
    for qualname in (class_qualname, *project.class_bases(class_qualname)):
        found = project.class_info(qualname)
        if found is None:
            if qualname in _MEMBERLESS_BASES:
                continue
            return None
        names |= _body_members(found[1].node)
    return names


def _required(project: ProjectFacts, protocol_qualname: str) -> set[str]:
    """The public methods a protocol (and its project protocol bases) declares."""
    names: set[str] = set()
    for qualname in (protocol_qualname, *project.class_bases(protocol_qualname)):
        found = project.class_info(qualname)
        if found is None:
            continue
        names.update(
            stmt.name
            for stmt in found[1].node.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
            and not stmt.name.startswith("_")
        )
    return names


def satisfies(project: ProjectFacts, class_qualname: str, protocol_qualname: str) -> bool:
    """Whether an object of ``class_qualname`` may stand where ``protocol_qualname`` is
    expected (True when unsure)."""
    members = _members(project, class_qualname)
    if members is None:
        return True
    return _required(project, protocol_qualname) <= members

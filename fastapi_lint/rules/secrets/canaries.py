"""A planted canary is bait, not a credential (API501).

``CANARY_PASSWORD = "Tr1pw1re-pass!"`` next to a guard that refuses any outgoing text
containing it (``for bait in (CANARY_HOST, CANARY_PASSWORD): if bait in prompt: raise``):
the value is made up so that a leak of it shows; it opens nothing, and moving it to the
environment would only hide the bait from the guard. A maintainer keeps it.

Both signs are needed: a name that says the value is bait (``canary``, ``honeytoken``,
``decoy``, ``tripwire``) and, in the defining module, every read of the name being a
needle searched for in text (``NAME in text``, ``text.find(NAME)``, or a member of a
literal collection whose loop variable is searched for so). A ``CANARY_DB_PASSWORD`` that
a canary deployment passes to its driver keeps its finding.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.secret_patterns import split_name_words

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

_BAIT_WORDS = frozenset(
    "canary canaries honeytoken honeytokens decoy decoys tripwire tripwires".split()
)
_SEARCH_METHODS = frozenset({"find", "rfind", "index", "rindex", "count"})


def _is_needle(model: ModuleModel, node: ast.expr) -> bool:
    """``node in text``, ``node not in text`` or ``text.find(node)``."""
    parent = model.parent(node)
    if isinstance(parent, ast.Compare):
        return (
            parent.left is node
            and len(parent.ops) == 1
            and isinstance(parent.ops[0], (ast.In, ast.NotIn))
        )
    return (
        isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Attribute)
        and parent.func.attr in _SEARCH_METHODS
        and len(parent.args) == 1
        and parent.args[0] is node
    )


def _loop_of(model: ModuleModel, collection: ast.AST) -> ast.For | ast.comprehension | None:
    parent = model.parent(collection)
    if isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is collection:
        return parent
    return None


def _needle_member(model: ModuleModel, node: ast.Name) -> bool:
    """A member of a literal collection looped over, whose loop variable is searched for:
    ``for bait in (A, B): if bait in text: ...`` (the guard may also log a prefix of it)."""
    collection = model.parent(node)
    if not isinstance(collection, (ast.Tuple, ast.List, ast.Set)):
        return False
    loop = _loop_of(model, collection)
    if loop is None or not isinstance(loop.target, ast.Name):
        return False
    variable = loop.target.id
    scope = model.parent(loop) if isinstance(loop, ast.comprehension) else loop
    if scope is None:
        return False
    reads = [
        inner
        for inner in ast.walk(scope)
        if isinstance(inner, ast.Name) and inner.id == variable and isinstance(inner.ctx, ast.Load)
    ]
    return any(_is_needle(model, read) for read in reads)


def planted_canary(model: ModuleModel, name: str) -> bool:
    """Whether ``name`` (assigned a secret-like literal) holds bait a guard searches for."""
    if "." in name or not _BAIT_WORDS.intersection(split_name_words(name)):
        return False
    reads = [
        node
        for node in ast.walk(model.tree)
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
    ]
    return bool(reads) and all(
        _is_needle(model, read) or _needle_member(model, read) for read in reads
    )

"""A bare import of a sibling module from inside a package folder.

``orchestrator/onboarding_api.py`` (beside ``orchestrator/__init__.py``) importing
``from tenants import create_tenant`` beside ``orchestrator/tenants.py``: the bare
name fails unless the folder itself is on ``sys.path`` (the app is started from
there, or its entry module inserts it), and then it names the sibling module, the
one the project knows as ``orchestrator.tenants``. Without that, the route's call
of ``create_tenant`` resolved to nothing and its blocking work went unseen.

Only on firm evidence, since a package may hold a module named like a library
(``app/redis.py`` beside ``import redis``): a ``from`` import whose every name the
sibling binds at its top level, at least one of them defined by the sibling itself
(``def``, ``class`` or an assignment); the others may be names it imports and so
re-exports (``from run_manager import manager, RunBusyError`` where ``run_manager.py``
defines ``manager`` and imports ``RunBusyError`` from the orchestrator). The first
name must be no project module from the source root (``tenants.py`` at the root
would be the one imported), nor a standard library module, nor the importing
module's own name (``groq.py`` doing ``from groq import Groq`` wraps the library), nor
a name the sibling imports itself (``peft.py`` doing ``from peft import ...``).
"""

from __future__ import annotations

import ast
import os
import re
import sys
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

# The standard library's modules (3.10+; on 3.9 the built-in ones: a sibling named like
# a pure-Python one there is also checked against what it defines and imports).
_STDLIB: frozenset[str] = frozenset(getattr(sys, "stdlib_module_names", sys.builtin_module_names))
# Enough of a module to see its top-level definitions.
_MAX_READ = 262144


def sibling_module(model: ModuleModel, module: str, names: list[str]) -> str | None:
    """The dotted name of the sibling module ``from <module> import <names>`` reaches
    in ``model``'s package folder, or None."""
    project = model.project
    if project is None or not model.path or not module or not names or "*" in names:
        return None
    parts = model.module_name.split(".")
    is_package = os.path.basename(model.path) == "__init__.py"
    package = parts if is_package else parts[:-1]
    if not package:
        return None  # a top-level module: its folder is a source root already
    # The tests without a file system access first (the index remembers its
    # answers): three `isfile` calls per `from` import were 1% of a cold run.
    top = module.split(".", 1)[0]
    if top in _STDLIB or project.is_project_module(top):
        return None
    folder = os.path.dirname(os.path.abspath(model.path))
    if not os.path.isfile(os.path.join(folder, "__init__.py")):
        return None
    path = _module_file(folder, module.split("."))
    if path is None or os.path.realpath(path) == os.path.realpath(model.path):
        return None  # `from groq import Groq` in `groq.py`: the library it wraps
    text = _read(path)
    if text is None or _imports_name(text, top):
        return None  # `peft.py` doing `from peft import ...`: a wrapper of the library
    defined = [n for n in names if _defines(text, n) or n in _top_level_names(path).nested]
    if not defined:
        return None
    if len(defined) < len(names) and not all(
        n in defined or n in _top_level_names(path).imported for n in names
    ):
        return None
    return ".".join([*package, module])


def _module_file(folder: str, parts: list[str]) -> str | None:
    base = os.path.join(folder, *parts)
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(candidate):
            return candidate
    return None


@lru_cache(maxsize=512)
def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(_MAX_READ)
    except OSError:
        return None


def _imports_name(text: str, top: str) -> bool:
    """Whether the module imports a module named ``top`` itself (the library it shadows)."""
    word = re.escape(top)
    return (
        re.search(rf"^\s*(?:import\s+{word}\b|from\s+{word}(?:\.|\s+import\b))", text, re.MULTILINE)
        is not None
    )


def _defines(text: str, name: str) -> bool:
    """A top-level ``def``/``async def``/``class`` of ``name``, or an assignment to it."""
    word = re.escape(name)
    pattern = (
        rf"^(?:(?:async\s+)?def\s+{word}\s*[(\[]|class\s+{word}\b|{word}\s*(?::[^=\n]*)?=(?!=))"
    )
    return re.search(pattern, text, re.MULTILINE) is not None


# Statements whose bodies still run at module level: a name bound there is a module attribute.
_MODULE_LEVEL_BLOCKS = (ast.If, ast.Try, ast.With)


class _TopLevelNames(NamedTuple):
    nested: frozenset[str]  # defined inside top-level `if`/`try`/`with` blocks
    imported: frozenset[str]  # bound by an import at module level (re-exported)


_NO_NAMES = _TopLevelNames(frozenset(), frozenset())


@lru_cache(maxsize=512)
def _top_level_names(path: str) -> _TopLevelNames:
    """Module attributes the line-start pattern of ``_defines`` does not see: names
    the module defines inside top-level ``if``/``try``/``with`` blocks (``DATA_DIR =
    Path(...)`` in each branch of an ``if os.getenv(...)``), and names its module-level
    imports bind (``from failures import RunnerBusy``: importable from it too)."""
    text = _read(path)
    if text is None:
        return _NO_NAMES
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return _NO_NAMES  # unreadable (or cut at _MAX_READ): no evidence
    nested: set[str] = set()
    imported: set[str] = set()
    pending: list[tuple[list[ast.stmt], bool]] = [(tree.body, False)]
    while pending:
        body, in_block = pending.pop()
        for statement in body:
            if isinstance(statement, _MODULE_LEVEL_BLOCKS):
                pending.extend((inner, True) for inner in _bodies(statement))
            elif isinstance(statement, (ast.Import, ast.ImportFrom)):
                imported.update(_import_bindings(statement))
            elif not in_block:
                continue  # a top-level definition: `_defines` reads it from the text
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                nested.add(statement.name)
            elif isinstance(statement, ast.Assign):
                nested.update(t.id for t in statement.targets if isinstance(t, ast.Name))
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                if statement.value is not None:
                    nested.add(statement.target.id)
    return _TopLevelNames(frozenset(nested), frozenset(imported))


def _import_bindings(statement: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The names an import statement binds (``import a.b`` binds ``a``; no ``*``)."""
    for alias in statement.names:
        if alias.name == "*":
            continue
        if alias.asname:
            yield alias.asname
        elif isinstance(statement, ast.Import):
            yield alias.name.split(".", 1)[0]
        else:
            yield alias.name


def _bodies(block: ast.stmt) -> list[list[ast.stmt]]:
    if isinstance(block, ast.If):
        return [block.body, block.orelse]
    if isinstance(block, ast.Try):
        return [block.body, block.orelse, block.finalbody, *(h.body for h in block.handlers)]
    if isinstance(block, ast.With):
        return [block.body]
    return []

"""A bare import of a sibling module from inside a package folder.

``orchestrator/onboarding_api.py`` (beside ``orchestrator/__init__.py``) importing
``from tenants import create_tenant`` beside ``orchestrator/tenants.py``: the bare
name fails unless the folder itself is on ``sys.path`` (the app is started from
there, or its entry module inserts it), and then it names the sibling module, the
one the project knows as ``orchestrator.tenants``. Without that, the route's call
of ``create_tenant`` resolved to nothing and its blocking work went unseen.

Only on firm evidence, since a package may hold a module named like a library
(``app/redis.py`` beside ``import redis``): a ``from`` import whose every name the
sibling defines itself (``def``, ``class`` or an assignment at its top level), of a
first name that is no project module from the source root (``tenants.py`` at the
root would be the one imported), nor a standard library module, nor the importing
module's own name (``groq.py`` doing ``from groq import Groq`` wraps the library), nor
a name the sibling imports itself (``peft.py`` doing ``from peft import ...``).
"""

from __future__ import annotations

import ast
import os
import re
import sys
from functools import lru_cache
from typing import TYPE_CHECKING

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
    if not all(_defines(text, name) or name in _nested_top_level_names(path) for name in names):
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


@lru_cache(maxsize=512)
def _nested_top_level_names(path: str) -> frozenset[str]:
    """Names the module binds inside top-level ``if``/``try``/``with`` blocks
    (``DATA_DIR = Path(...)`` in each branch of an ``if os.getenv(...)``): module
    attributes all the same, which the line-start pattern of ``_defines`` does not see."""
    text = _read(path)
    if text is None:
        return frozenset()
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return frozenset()  # unreadable (or cut at _MAX_READ): no evidence
    names: set[str] = set()
    pending = [s for s in tree.body if isinstance(s, _MODULE_LEVEL_BLOCKS)]
    while pending:
        block = pending.pop()
        for body in _bodies(block):
            for statement in body:
                if isinstance(statement, _MODULE_LEVEL_BLOCKS):
                    pending.append(statement)
                elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names.add(statement.name)
                elif isinstance(statement, ast.Assign):
                    names.update(t.id for t in statement.targets if isinstance(t, ast.Name))
                elif isinstance(statement, ast.AnnAssign) and isinstance(
                    statement.target, ast.Name
                ):
                    if statement.value is not None:
                        names.add(statement.target.id)
    return frozenset(names)


def _bodies(block: ast.stmt) -> list[list[ast.stmt]]:
    if isinstance(block, ast.If):
        return [block.body, block.orelse]
    if isinstance(block, ast.Try):
        return [block.body, block.orelse, block.finalbody, *(h.body for h in block.handlers)]
    if isinstance(block, ast.With):
        return [block.body]
    return []

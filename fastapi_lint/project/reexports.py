"""A package that binds a submodule's name to something else.

``pkg/cognify/__init__.py`` holding ``from .cognify import cognify`` makes
``pkg.cognify.cognify`` the function, not the submodule of that name: importing
the submodule sets the package attribute, then the ``from`` import rebinds it,
so ``from pkg.cognify import cognify`` in a route gets the function. Resolving
that name to the module lost the route as a caller of the function (its
blocking calls were judged by a CLI caller alone) and every fact read through
the import.
"""

from __future__ import annotations

import ast
import os
from typing import TYPE_CHECKING

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.project.layout import EXTERNAL_TOP_LEVEL
from fastapi_lint.project.reads import note_read
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding


def package_rebinds(index: ProjectIndex, module_name: str) -> bool:
    """Whether the package above ``module_name`` binds its last name to something other
    than that submodule (a function, a class, a value imported from it)."""
    package, _, name = module_name.rpartition(".")
    if not package:
        return False
    path = index.module_path(package)
    if path is None or path.name != "__init__.py":
        return False
    if index._checked_entry(package) is None:
        # On disk (not an editor's buffer): a word test on the text first, so that
        # asking about a submodule does not build every package above it.
        note_read(str(path))
        index.depends_on_path(str(path))
        if name not in _package_words(str(path)):
            return False
    model = index.model(package)
    if model is None:
        return False
    bindings = model.module_scope.bindings.get(name)
    if not bindings:
        return False
    binding = effective_binding(index, model, bindings)
    # `from . import cognify`: the submodule itself.
    return not (
        binding.kind is BindingKind.IMPORT
        and stubs.canonical(binding.qualname or "") == module_name
    )


def effective_binding(index: ProjectIndex, model: ModuleModel, bindings: list[Binding]) -> Binding:
    """The binding that is the package attribute, as at run time: the last one, unless
    it only swaps in a package from outside the project under a condition
    (``if EDITION == "cloud": models = cloud_models``): then the one before it holds
    in the project's own configuration, and it is what the project's code is
    checked against (the outside package is not there to read)."""
    for binding in reversed(bindings):
        if binding is bindings[0] or not _conditional_outside(index, model, binding):
            return binding
    return bindings[-1]


def _conditional_outside(index: ProjectIndex, model: ModuleModel, binding: Binding) -> bool:
    if not any(isinstance(a, (ast.If, ast.Try)) for a in model.ancestors(binding.node)):
        return False
    if binding.kind is BindingKind.IMPORT:
        target = binding.qualname or ""
    elif binding.kind is BindingKind.ASSIGN and isinstance(
        binding.value, (ast.Name, ast.Attribute)
    ):
        target = model.qualified_name(binding.value, binding.scope) or ""
    else:
        return False
    top = target.split(".", 1)[0]
    return bool(top) and not index.is_project_module(top)


def longest_module_cut(index: ProjectIndex, parts: list[str]) -> int | None:
    """How many of ``parts`` name the longest project module prefix (``index.split``'s
    cut), or None: the module a qualified name is defined in."""
    if parts[0] in EXTERNAL_TOP_LEVEL:
        return None
    for cut in range(len(parts) - 1, 0, -1):
        if index.is_project_module(".".join(parts[:cut])):
            return cut
    return None


# The words of each package's text, per process: path -> ((size, mtime), words).
_WORDS: dict[str, tuple[tuple[int, int], frozenset[str]]] = {}
_WORD = lazy_compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _package_words(path: str) -> frozenset[str]:
    try:
        stat = os.stat(path)
    except OSError:
        return frozenset()
    stamp = (stat.st_size, stat.st_mtime_ns)
    cached = _WORDS.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            words = frozenset(_WORD.findall(handle.read()))
    except OSError:
        words = frozenset()
    _WORDS[path] = (stamp, words)
    return words

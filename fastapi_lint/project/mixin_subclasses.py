"""Attributes a mixin reads that the classes mixing it in, in other modules, set.

A service split into mixins, one module each (``class ItemsMixin:`` in
``services/items.py`` reading ``self.store``), composed in a further module
(``class CatalogService(ItemsMixin, BaseService)`` in ``service.py``), gets the
attribute from another base (``BaseService.__init__`` storing ``self.store =
store``, annotated ``Store``). ``semantic/mixin_attributes.py`` answers this when
the deriving classes share the mixin's module; this module answers it across the
project: the classes of other modules that name the mixin among their bases, each
asked for the attribute (its own assignments, then its bases'). When every one of
them that types the attribute gives the same class, that is its type in the
mixin's methods; when they disagree it stays unknown (no report when unsure).

The answer depends on every module (a class mixing it in may appear anywhere):
it is kept in the index's memory (dropped when a module's text changes), and a
fact or file that used it depends on all the project's modules.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi_lint.cache import all_modules_dependency
from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.project.layout import module_name_for, walked_subfolders
from fastapi_lint.project.mixin_shape import stands_alone
from fastapi_lint.project.model_cache import summarized_shape
from fastapi_lint.project.reads import note_read
from fastapi_lint.semantic.limits import too_deep
from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.values import Instance
from fastapi_lint.settings import NON_SOURCE_FOLDERS, is_test_file

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.values import Value

__all__ = ["mixed_in_attribute_type"]

# More modules than this define classes naming the mixin: too common a name to model.
_MAX_FILES = 12

# `class CatalogService(ItemsMixin, BaseService):`, the bases also over several lines.
_CLASS_BASES = lazy_compile(r"^[ \t]*class[ \t]+\w+[ \t]*\(([^)]*)\)", re.MULTILINE)
_WORD = lazy_compile(r"[A-Za-z_]\w*")


@dataclass
class _Derivations:
    """Which modules define a class naming a word among its bases, and the answers."""

    # base word -> the non-test modules whose class statements name it
    modules: dict[str, list[str]] = field(default_factory=dict)
    # Every folder and module walked: a fact that used an answer depends on them all.
    walked: list[str] = field(default_factory=list)
    answers: dict[tuple[str, str], str | None] = field(default_factory=dict)


_DERIVATIONS: MemoKey[_Derivations] = MemoKey("mixin-derivations", text_dependent=True)
# class qualname -> whether it stands alone (a mixin's shape), per project view.
_STANDS_ALONE: MemoKey[dict[str, bool]] = MemoKey("mixin-shapes", text_dependent=True)


def mixed_in_attribute_type(
    project: ProjectIndex, class_qualname: str, attr: str, depth: int
) -> Value | None:
    """Type of ``self.attr`` in the project class ``class_qualname`` (which neither
    sets nor inherits it), from the classes of other modules deriving from it."""
    if too_deep(depth):
        return None
    # A class with real bases gets its attributes from them (a model's fields, a
    # client's state): only a mixin leaves them to the classes that mix it in. The
    # question is asked for every attribute nothing else types, and the answer depends
    # on every module: asked for all classes it cost a tenth of a cold run and made
    # every file that asked it re-checked after any edit. Remembered per class: looking
    # the class up again for each attribute cost as much.
    alone = project.memo.get(_STANDS_ALONE)
    if alone is None:
        alone = project.memo.put(_STANDS_ALONE, {})
    if alone.get(class_qualname) is False:
        return None
    if class_qualname not in alone and summarized_shape(project, class_qualname) is False:
        alone[class_qualname] = False  # an evicted module's summary says so: not built again
        return None
    found = project.class_info(class_qualname)
    if found is None:
        return None
    model, class_info = found
    alone[class_qualname] = stands_alone(class_info.node)
    if not alone[class_qualname]:
        return None
    if attr in class_info.scope.bindings:
        return None  # a method or class attribute of its own: not a mixed-in value
    root = str(project.root)
    note_read(all_modules_dependency(root))
    derivations = project.memo.get(_DERIVATIONS)
    if derivations is None:
        derivations = project.memo.put(_DERIVATIONS, _derivations(root))
    for path in derivations.walked:
        project.depends_on_path(path)
    key = (class_qualname, attr)
    if key not in derivations.answers:
        derivations.answers[key] = None  # a cycle back here while it is computed: unknown
        paths = derivations.modules.get(class_qualname.rsplit(".", 1)[-1], [])
        derivations.answers[key] = _deriving_type(
            project, paths, model, class_qualname, attr, depth
        )
    name = derivations.answers[key]
    return Instance(name) if name else None


def _derivations(root: str) -> _Derivations:
    found = _Derivations()
    for folder, subfolders, files in os.walk(root):
        found.walked.append(folder)
        subfolders[:] = walked_subfolders(folder, subfolders, NON_SOURCE_FOLDERS)
        for name in sorted(files):
            path = os.path.join(folder, name)
            if not name.endswith(".py") or is_test_file(os.path.relpath(path, root)):
                continue
            found.walked.append(path)
            try:
                text = Path(path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            words: set[str] = set()
            for match in _CLASS_BASES.finditer(text):
                words.update(_WORD.findall(match.group(1)))
            for word in words:
                found.modules.setdefault(word, []).append(path)
    return found


def _deriving_type(
    project: ProjectIndex,
    paths: list[str],
    own: ModuleModel,
    class_qualname: str,
    attr: str,
    depth: int,
) -> str | None:
    if not paths or len(paths) > _MAX_FILES:
        return None
    found: str | None = None
    for path in paths:
        try:
            module_name = module_name_for(Path(path), project.root)
        except ValueError:  # outside the root (a symlink): not one of the project's modules
            continue
        model = project.model(module_name) if module_name else None
        if model is None or model.path == own.path:
            continue  # the mixin's own module: semantic/mixin_attributes.py answers it
        for info in model.classes:
            if class_qualname not in model.class_bases(info.qualname):
                continue
            value = model.instance_attribute_type(info.qualname, attr, depth + 1)
            if value is None:
                value = model.inherited_attribute_type(info.qualname, attr, depth + 1)
            if not isinstance(value, Instance):
                continue
            if found is not None and value.type != found:
                return None
            found = value.type
    return found

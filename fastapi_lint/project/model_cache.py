"""What the project index keeps of modules' models: the cache entries, and the
summary an evicted model leaves behind.

A summary holds, for a few kB, what many questions about a module need: each
module-level name's last binding (its kind and qualified name), the
qualified names of its defs and classes, and per class the attributes
``instance_attribute_type`` may find a type for. A question that needs no more
(a re-export followed, a def or a class named, a name the module lacks,
whether a name is a class, an attribute no statement types) is answered
without parsing and modelling the module again; one that needs a value, a
body or a base builds it as before. On dstack most rebuilds of evicted models
were such questions (a cold run: 685 dependency builds for 1,105 files, 579
with summaries).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi_lint.project.layout import EXTERNAL_TOP_LEVEL
from fastapi_lint.project.reads import note_read
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.values import Ref, Value

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding


@dataclass
class ModelEntry:
    """A model in the index's cache (``None``: the module could not be read)."""

    model: ModuleModel | None
    source_hash: int | None = None  # of the text the model was built from
    # The module's length, a proxy for the memory its tree and model hold.
    lines: int = field(init=False)
    # Questions answered from this entry after the one that built it.
    hits: int = field(default=0, init=False)
    # The model's file, absolute ("" without one): the CLI's check order asks
    # for the cached files before every file it checks.
    path: str = field(init=False)

    def __post_init__(self) -> None:
        body = self.model.tree.body if self.model is not None else None
        self.lines = (getattr(body[-1], "end_lineno", 0) or 0) if body else 0
        path = self.model.path if self.model is not None else ""
        self.path = os.path.abspath(path) if path else ""


@dataclass
class ModuleSummary:
    """What an evicted model's module binds (see the module's docstring)."""

    view: ProjectIndex  # where its names resolve
    bindings: dict[str, tuple[str, str | None]]  # name -> (BindingKind value, qualname)
    functions: frozenset[str]  # the qualified names of its defs (methods, nested defs)
    classes: frozenset[str]
    # Per class, the attributes ``instance_attribute_type`` may find a type for.
    attributes: dict[str, frozenset[str]]


def summarize(
    model: ModuleModel | None, view: ProjectIndex | None, dirty_paths: set[str]
) -> ModuleSummary | None:
    """The summary of a model leaving the cache (``view``: its ``project``); None
    for a model without a file or a view, or built from an editor buffer (later
    questions read the file on disk)."""
    if model is None or not model.path or view is None:
        return None
    if os.path.abspath(model.path) in dirty_paths:
        return None
    if model.star_imports:
        return None  # its names are not all bindings: a missing one may come from the star
    return ModuleSummary(
        view,
        {
            name: (bindings[-1].kind.value, bindings[-1].qualname)
            for name, bindings in model.module_scope.bindings.items()
            if bindings
        },
        frozenset(function.qualname for function in model.functions),
        frozenset(class_info.qualname for class_info in model.classes),
        _instance_attributes(model),
    )


def _instance_attributes(model: ModuleModel) -> dict[str, frozenset[str]]:
    """Per class (the first of a qualified name, as ``class_named``), the names
    ``instance_attribute_type`` looks at: class-level bindings other than defs
    and classes (whose value is never an instance), and ``self.x = ...``
    targets of its methods. Any other attribute has no known type."""
    from fastapi_lint.semantic.scopes import BindingKind

    result: dict[str, frozenset[str]] = {}
    assigned = model.self_assigned_attributes()
    for class_info in model.classes:
        if class_info.qualname in result:
            continue  # `class_named` answers with the first
        names = {
            name
            for name, bindings in class_info.scope.bindings.items()
            if bindings and bindings[-1].kind not in (BindingKind.FUNCTION, BindingKind.CLASS)
        }
        names |= assigned.get(id(class_info), set())
        result[class_info.qualname] = frozenset(names)
    return result


def find(index: ProjectIndex, qualname: str) -> tuple[ModuleSummary, list[str]] | None:
    """What ``index.split`` finds, from the summary of an evicted model (None when
    the model is cached, or never was, or is being checked): the summary and the
    attribute path. As ``index.model()`` would, the module's file is recorded as
    read (by the check, and by the facts being computed)."""
    summaries = index._state.summaries
    if not summaries:
        return None
    parts = qualname.split(".")
    if parts[0] in EXTERNAL_TOP_LEVEL:
        return None
    for cut in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:cut])
        if index.is_project_module(module_name):
            if index._checked_entry(module_name) is not None:
                return None
            found = index.locate(module_name)
            key = (found[0], module_name) if found is not None else None
            summary = summaries.get(key) if key is not None else None
            if found is None or summary is None or key in index._models:
                return None
            path = str(found[1])  # the file a rebuild would read
            note_read(path)
            index.depends_on_path(path)
            return summary, parts[cut:]
    return None


def lacks(index: ProjectIndex, qualname: str, kind: str) -> bool:
    """Whether an evicted module's summary says it has no def (``kind`` "function")
    or class ("class") of that qualified name."""
    found = find(index, qualname)
    if found is None:
        return False
    return qualname not in (found[0].functions if kind == "function" else found[0].classes)


def untyped_attribute(index: ProjectIndex, class_qualname: str, attr: str) -> bool:
    """Whether an evicted module's summary says ``instance_attribute_type`` finds no
    type for ``attr`` of that class (or that the module has no such class)."""
    found = find(index, class_qualname)
    if found is None:
        return False
    attributes = found[0].attributes.get(class_qualname)
    return attributes is None or attr not in attributes


def defines_class(index: ProjectIndex, qualname: str) -> bool:
    """``index.class_info(qualname) is not None``, from a summary when there is one."""
    found = find(index, qualname)
    if found is not None:
        return qualname in found[0].classes
    return index.class_info(qualname) is not None


def resolve(index: ProjectIndex, qualname: str, depth: int) -> tuple[bool, Value | None]:
    """``index._resolve`` from a summary: (whether it answers, the answer). An
    import, a def, a class or a missing name is answered; a value is not."""
    found = find(index, qualname)
    if found is None:
        return False, None
    summary, rest = found
    bound = summary.bindings.get(rest[0])
    if bound is None:
        return True, None
    kind, bound_qualname = bound
    if kind == "import":
        target = stubs.canonical(bound_qualname or "")
        full = ".".join([target, *rest[1:]])
        resolved = summary.view.resolve(full, depth + 1)
        return True, resolved if resolved is not None else Ref(stubs.canonical(full))
    if kind in ("function", "class"):
        return True, Ref(qualname)
    return False, None


def definition(
    index: ProjectIndex, qualname: str, depth: int, assignments_only: bool
) -> tuple[bool, tuple[ModuleModel, Binding] | None]:
    """``index.definition`` from a summary: (whether it answers, the answer).
    Everything but a module-level binding that must be returned is answered."""
    found = find(index, qualname)
    if found is None:
        return False, None
    summary, rest = found
    bound = summary.bindings.get(rest[0])
    if bound is None:
        return True, None
    if bound[0] == "import":
        target = stubs.canonical(bound[1] or "")
        full = ".".join([target, *rest[1:]])
        return True, summary.view.definition(full, depth + 1, assignments_only=assignments_only)
    if len(rest) > 1 or (assignments_only and bound[0] != "assign"):
        return True, None
    return False, None

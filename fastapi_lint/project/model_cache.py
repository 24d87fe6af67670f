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

import ast
import gc
import os
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi_lint.project.class_clients import client_attribute_names
from fastapi_lint.project.mixin_shape import stands_alone
from fastapi_lint.project.reads import note_read
from fastapi_lint.project.reexports import longest_module_cut, package_rebinds
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.values import Instance, Ref, Value

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, FunctionInfo


@dataclass
class ModelEntry:
    """A model in the index's cache (``None``: the module could not be read)."""

    model: ModuleModel | None
    source_hash: int | None = None  # of the text the model was built from
    # The module's length, a proxy for the memory its tree and model hold.
    lines: int = field(init=False)
    # The model's file, absolute ("" without one): the CLI's check order asks
    # for the cached files before every file it checks.
    path: str = field(init=False)

    def __post_init__(self) -> None:
        body = self.model.tree.body if self.model is not None else None
        self.lines = (getattr(body[-1], "end_lineno", 0) or 0) if body else 0
        path = self.model.path if self.model is not None else ""
        self.path = os.path.abspath(path) if path else ""


ModuleKey = tuple[str, str]  # (source root, dotted name): a module's identity

# A model evicted for the line budget is taken from the oldest quarter of the
# cache, one evicted for the count from the older half (see ``ModelCache.victim``).
EVICTION_WINDOW_LINES = 4
EVICTION_WINDOW_COUNT = 2


class ModelCache(OrderedDict[ModuleKey, ModelEntry]):
    """The index's models, least recently used first, knowing the files they were
    built from: before each file it checks, the CLI asks which of the files it has
    still to check has a model here (``first_file``).

    Entries leave through ``take``/``remove``/``clear`` (which keep the files
    counted), never ``pop``."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, int] = {}  # absolute path -> entries built from it

    def __setitem__(self, key: ModuleKey, entry: ModelEntry) -> None:
        self.take(key)
        super().__setitem__(key, entry)
        if entry.path:
            self.files[entry.path] = self.files.get(entry.path, 0) + 1

    def take(self, key: ModuleKey) -> ModelEntry | None:
        """Remove and return the entry of ``key`` (None: there is none)."""
        entry = super().pop(key, None)
        if entry is not None and entry.path:
            left = self.files[entry.path] - 1
            if left:
                self.files[entry.path] = left
            else:
                del self.files[entry.path]
        return entry

    def remove(self, key: ModuleKey) -> ModelEntry:
        entry = self.take(key)
        if entry is None:
            raise KeyError(key)
        return entry

    def clear(self) -> None:
        super().clear()
        self.files.clear()

    def victim(self, asked: dict[ModuleKey, int], for_lines: bool) -> ModuleKey:
        """The module to evict: among the older half of the cache (its oldest
        quarter when the line budget, not the count, is exceeded), the one asked
        about least often over the run (the oldest of those). Plain LRU let one
        check that scans hundreds of modules evict hubs such as litellm's
        ``utils.py`` between two questions and rebuild them up to six times;
        counting only since the last build let a rebuilt hub go again. Under the
        line budget the older half let long modules asked often but long ago
        outstay recent ones: a cold litellm run rebuilt 2.31 million lines with
        it, 1.98 million with the quarter. Projects bounded by the count (prefect:
        680 dependency builds with the half, 723 with the quarter) keep the half."""
        part = EVICTION_WINDOW_LINES if for_lines else EVICTION_WINDOW_COUNT
        window = max(1, len(self) // part)
        best_key, best_asked = next(iter(self)), -1
        for count, key in enumerate(self):
            if count >= window:
                break
            times = asked.get(key, 0)
            if best_asked < 0 or times < best_asked:
                best_key, best_asked = key, times
        return best_key

    def first_file(self, wanted: Mapping[str, object]) -> str | None:
        """The first of ``wanted`` (absolute paths) with a model here, least
        recently used first. The files are intersected in C: scanning the
        entries for each checked file was 1.5-2% of a cold run."""
        hits = self.files.keys() & wanted.keys()
        if len(hits) <= 1:
            return next(iter(hits), None)
        for entry in self.values():
            if entry.path in hits:
                return entry.path
        return None


def freeze_at_exit() -> None:
    """At exit, what the process holds (the models above all) is frozen: the
    interpreter's last collections skip it and nothing frees it. Left unfrozen, a
    run's few hundred models cost a collection of the whole heap and then their
    freeing (1.2-1.4 s of a cold dstack run); released one by one, about 0.1 s of
    the four corpus wheels' cold run (the last project's models), for nothing."""
    gc.freeze()


@dataclass
class ModuleSummary:
    """What an evicted model's module binds (see the module's docstring)."""

    view: ProjectIndex  # where its names resolve
    bindings: dict[str, tuple[str, str | None]]  # name -> (BindingKind value, qualname)
    functions: frozenset[str]  # the qualified names of its defs (methods, nested defs)
    classes: frozenset[str]
    # Per class, the attributes ``instance_attribute_type`` may find a type for.
    attributes: dict[str, frozenset[str]]
    # Per module-level class whose bases are all plain names bound once at module
    # level (or builtins): each base as ("ref", qualname), ("import", canonical
    # target, resolved when asked) or ("none", "") for an unknown name.
    bases: dict[str, tuple[tuple[str, str], ...]]
    # Per def (the first of a qualified name, as ``function_named``) whose
    # blocking-chain summary needs no evaluation, an async def or one whose body
    # runs no call: (name, its class's name or "", is_async, is_generator).
    quiet: dict[str, tuple[str, str, bool, bool]]
    # The defs (first of a qualified name) without a return annotation (or with
    # ``-> None``) that return or yield no value: calling them gives nothing known.
    valueless: frozenset[str]
    # The defs (first of a qualified name) annotated with a builtin class no scope
    # of theirs rebinds (``-> str``, a module-level def or a method of a
    # module-level class): def qualname -> the builtin's name.
    builtin_returns: dict[str, str]
    # What ``from <module> import *`` takes from the module itself: its literal
    # ``__all__`` (``declared``), else its public module-level names; and the
    # modules of its own star imports, whose names it passes on without ``__all__``.
    # A module with star imports answers nothing else from its summary.
    exports: frozenset[str]
    declared: bool
    star_modules: tuple[str, ...]
    # ``Class.attr`` of module-level class attributes that may hold a client
    # (``class_clients.client_attribute_names``): only a model answers those.
    class_clients: frozenset[str]
    # The classes (first of a qualified name) shaped like a mixin
    # (``mixin_subclasses.stands_alone``): the others are answered without a model.
    mixin_shaped: frozenset[str] = frozenset()


def _first_functions(model: ModuleModel) -> Iterator[FunctionInfo]:
    """Each qualname's first function (the one a lookup by name answers with)."""
    seen: set[str] = set()
    for function in model.functions:
        if function.qualname not in seen:
            seen.add(function.qualname)
            yield function


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
    declared = model.declared_all()
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
        _class_bases(model),
        _quiet_functions(model),
        _valueless_functions(model),
        _builtin_returns(model),
        declared
        if declared is not None
        else frozenset(name for name in model.module_scope.bindings if not name.startswith("_")),
        declared is not None,
        tuple(module for module, _ in model.star_imports),
        client_attribute_names(model),
        _mixin_shaped(model),
    )


def _mixin_shaped(model: ModuleModel) -> frozenset[str]:
    seen: set[str] = set()
    shaped: set[str] = set()
    for class_info in model.classes:
        if class_info.qualname in seen:
            continue  # `class_named` answers with the first
        seen.add(class_info.qualname)
        if stands_alone(class_info.node):
            shaped.add(class_info.qualname)
    return frozenset(shaped)


def summarized_shape(index: ProjectIndex, class_qualname: str) -> bool | None:
    """Whether the class of an evicted module is shaped like a mixin, from its
    summary (None: no summary answers, or the module has no such class)."""
    found = find(index, class_qualname)
    if found is None or class_qualname not in found[0].classes:
        return None
    return class_qualname in found[0].mixin_shaped


def _valueless_functions(model: ModuleModel) -> frozenset[str]:
    """See ``ModuleSummary.valueless``: what ``function_return_value`` answers
    None for without evaluating anything (the returns as ``returns_of`` has them)."""
    valued = set()
    for ref in model.of_type(ast.Return, ast.Yield):
        owner = ref.scope.code_function
        if owner is not None and getattr(ref.node, "value", None) is not None:
            valued.add(id(owner.node))
    result: set[str] = set()
    for function in _first_functions(model):
        returns = function.node.returns
        # `-> None` names no class (``annotation_type`` gives None): the returns decide.
        unannotated = returns is None or (
            isinstance(returns, ast.Constant) and returns.value is None
        )
        if unannotated and id(function.node) not in valued:
            result.add(function.qualname)
    return frozenset(result)


def _builtin_returns(model: ModuleModel) -> dict[str, str]:
    """See ``ModuleSummary.builtin_returns``: the annotations ``annotation_type``
    reads as ``builtins.<name>`` (``lookup`` finds no binding, so ``evaluate``
    gives the builtin) whatever the module's values."""
    from fastapi_lint.semantic.model import BUILTIN_NAMES
    from fastapi_lint.semantic.scopes import ScopeKind

    module_scope = model.module_scope
    result: dict[str, str] = {}
    for function in _first_functions(model):
        returns = function.node.returns
        if not isinstance(returns, ast.Name) or returns.id not in BUILTIN_NAMES:
            continue
        outer = function.outer
        if outer is not module_scope and not (
            outer.kind is ScopeKind.CLASS and outer.parent is module_scope
        ):
            continue  # a nested def: enclosing function scopes would have to be read
        if module_scope.bindings.get(returns.id) or outer.bindings.get(returns.id):
            continue
        result[function.qualname] = returns.id
    return result


def known_return(index: ProjectIndex, qualname: str) -> tuple[bool, Value | None]:
    """What calling the def ``qualname`` of an evicted module gives, from its summary:
    (whether it answers, the answer). Nothing known for a def that returns no value
    (``valueless``); the builtin class of a ``-> str`` def, as ``annotation_type``
    finds it (an ``Annotated`` alias of that name aside, asked as the model asks)."""
    from fastapi_lint.semantic.model import _UNINFORMATIVE_RETURNS

    found = find(index, qualname)
    if found is None:
        return False, None
    summary = found[0]
    if qualname in summary.valueless:
        return True, None
    builtin = summary.builtin_returns.get(qualname)
    if builtin is None:
        return False, None
    name = f"builtins.{builtin}"
    if summary.view.is_annotated_alias(name):
        return False, None
    annotated = stubs.canonical(name)
    if annotated in _UNINFORMATIVE_RETURNS:
        return False, None  # `-> object`: the returns decide
    return True, Instance(annotated)


def _quiet_functions(model: ModuleModel) -> dict[str, tuple[str, str, bool, bool]]:
    """See ``ModuleSummary.quiet``. The calls of a body are grouped as
    ``calls_by_function`` groups them (by the scope's code function)."""
    calling = set()
    for ref in model.calls:
        owner = ref.scope.code_function
        if owner is not None:
            calling.add(id(owner.node))
    result: dict[str, tuple[str, str, bool, bool]] = {}
    for function in _first_functions(model):
        if function.is_async or id(function.node) not in calling:
            owner_name = function.class_info.name if function.class_info is not None else ""
            result[function.qualname] = (
                function.name,
                owner_name,
                function.is_async,
                model.is_generator(function),
            )
    return result


def quiet_function(index: ProjectIndex, qualname: str) -> tuple[str, str, bool, bool] | None:
    """The summary of a def of an evicted module that neither runs a call in
    its body nor is sync (see ``ModuleSummary.quiet``): what a blocking-chain
    summary needs of it, without building the module again. None otherwise."""
    found = find(index, qualname)
    if found is None:
        return None
    return found[0].quiet.get(qualname)


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


def _class_bases(model: ModuleModel) -> dict[str, tuple[tuple[str, str], ...]]:
    """The bases ``model.qualified_name`` reads without evaluating anything but an
    import (see ``ModuleSummary.bases``); other classes are left out (rebuilt)."""
    from fastapi_lint.semantic.model import BUILTIN_NAMES
    from fastapi_lint.semantic.scopes import BindingKind

    result: dict[str, tuple[tuple[str, str], ...]] = {}
    seen: set[str] = set()
    module_scope = model.module_scope
    for class_info in model.classes:
        if class_info.qualname in seen:
            continue  # `class_named` answers with the first
        seen.add(class_info.qualname)
        if class_info.outer is not module_scope:
            continue
        entries: list[tuple[str, str]] = []
        for base in class_info.node.bases:
            if not isinstance(base, ast.Name):
                break
            bindings = module_scope.bindings.get(base.id)
            if not bindings:
                builtin = base.id in BUILTIN_NAMES
                entries.append(("ref", f"builtins.{base.id}") if builtin else ("none", ""))
                continue
            if len(bindings) != 1:
                break  # `lookup` picks by line: leave it to the model
            binding = bindings[0]
            if binding.kind is BindingKind.IMPORT and binding.qualname:
                entries.append(("import", stubs.canonical(binding.qualname)))
            elif binding.kind in (BindingKind.FUNCTION, BindingKind.CLASS):
                entries.append(("ref", binding.qualname or binding.name))
            else:
                break  # a value: needs the model's evaluation
        else:
            result[class_info.qualname] = tuple(entries)
    return result


def class_bases(index: ProjectIndex, class_qualname: str, depth: int) -> list[str] | None:
    """``index._class_bases`` from a summary (None: the summary cannot answer).
    Each base is what ``qualified_name`` gives in the model (an import resolved
    through the project, as ``resolve_ref`` does), then its own bases."""
    found = find(index, class_qualname)
    if found is None:
        return None
    summary = found[0]
    if class_qualname not in summary.classes:
        return []
    entries = summary.bases.get(class_qualname)
    if entries is None:
        return None
    result: list[str] = []
    for kind, name in entries:
        if kind == "none":
            continue
        if kind == "import":
            resolved = summary.view.resolve(name, depth + 2)
            value = resolved if resolved is not None else Ref(name)
            if not isinstance(value, Ref) or not value.qualname:
                continue
            name = value.qualname
        result.append(name)
        result.extend(summary.view.class_bases(name, depth + 1))
    return result


def evicted_summary(index: ProjectIndex, module_name: str) -> ModuleSummary | None:
    """The summary of the evicted model of ``module_name`` (None when the model is
    cached, or never was, or is being checked), its file recorded as read as
    ``index.model()`` would record it."""
    summaries = index._state.summaries
    if not summaries or index._checked_entry(module_name) is not None:
        return None
    found = index.locate(module_name)
    key = (found[0], module_name) if found is not None else None
    summary = summaries.get(key) if key is not None else None
    if found is None or summary is None or key in index._models:
        return None
    path = str(found[1])  # the file a rebuild would read
    note_read(path)
    index.depends_on_path(path)
    return summary


def find(
    index: ProjectIndex, qualname: str, *, bound_name: bool = False
) -> tuple[ModuleSummary, list[str]] | None:
    """What ``index.split`` finds, from the summary of an evicted model (None when
    the model is cached, or never was, or is being checked): the summary and the
    attribute path. As ``index.model()`` would, the module's file is recorded as
    read (by the check, and by the facts being computed).

    A module with star imports has no summary answers, except with ``bound_name``
    for a name the module binds itself: the model looks its own bindings up before
    any star import's (``_module_binding``), so the summary answers as it would."""
    summaries = index._state.summaries
    if not summaries:
        return None
    parts = qualname.split(".")
    cut = longest_module_cut(index, parts)
    if cut is None:
        return None
    module_name = ".".join(parts[:cut])
    if index._checked_entry(module_name) is not None:
        return None
    found = index.locate(module_name)
    key = (found[0], module_name) if found is not None else None
    summary = summaries.get(key) if key is not None else None
    if found is None or summary is None or key in index._models:
        return None
    if summary.star_modules and not (
        bound_name and cut < len(parts) and parts[cut] in summary.bindings
    ):
        return None  # a star import's names are not all bindings: it may bind a missing one
    path = str(found[1])  # the file a rebuild would read
    note_read(path)
    index.depends_on_path(path)
    if cut >= 2 and parts[cut] not in summary.bindings and package_rebinds(index, module_name):
        # `from .telemetry import telemetry` in the package: the name is read on the
        # package's object (`index.split`), not answered missing here.
        return None
    return summary, parts[cut:]


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
    found = find(index, qualname, bound_name=True)
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
    if kind == "class" and ".".join(rest) in summary.class_clients:
        return False, None  # `Shared.http = requests.Session()`: the model evaluates it
    if kind in ("function", "class"):
        return True, Ref(qualname)
    return False, None


def definition(
    index: ProjectIndex, qualname: str, depth: int, assignments_only: bool
) -> tuple[bool, tuple[ModuleModel, Binding] | None]:
    """``index.definition`` from a summary: (whether it answers, the answer).
    Everything but a module-level binding that must be returned is answered."""
    found = find(index, qualname, bound_name=True)
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

"""The project index: cross-module facts, built lazily, never by importing code.

Rules ask questions about qualified names (``app.db.SessionLocal``,
``app.services.fetch_profile``); the index finds the module that defines the
name inside the project, builds that module's semantic model on demand and
answers from it. Only modules a rule asks about (and what they in turn refer
to) are read.
"""

from __future__ import annotations

import ast
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from fastapi_lint.project import facts, model_cache
from fastapi_lint.project.app_state import STATE_TYPE, app_state_attribute
from fastapi_lint.project.class_clients import class_client
from fastapi_lint.project.facts import FactStore, cache_folder
from fastapi_lint.project.inherited_methods import defining_base_method
from fastapi_lint.project.layout import (
    EXTERNAL_TOP_LEVEL,
    discover_source_roots,
    module_file,
)
from fastapi_lint.project.mixin_subclasses import mixed_in_attribute_type
from fastapi_lint.project.model_cache import (
    ModelCache,
    ModelEntry,
    ModuleKey,
    ModuleSummary,
    defines_class,
    summarize,
)
from fastapi_lint.project.package_attributes import split_qualname
from fastapi_lint.project.reads import note_read, note_reads
from fastapi_lint.project.reads import record_reads as record_reads  # re-exported
from fastapi_lint.project.reads import recorded_reads as recorded_reads
from fastapi_lint.project.reexports import package_rebinds
from fastapi_lint.project.star_imports import star_names
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.limits import cut_count, fresh_depths, note_cut, restore_depths
from fastapi_lint.semantic.memo import Memo
from fastapi_lint.semantic.tuple_returns import returned_tuple_items
from fastapi_lint.semantic.values import Instance, Ref, Value, from_json, to_json
from fastapi_lint.settings import RuleOptions

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, ClassInfo, FunctionInfo

# How deep a question may recurse through other modules' names.
MAX_DEPTH = 24


# Models of other modules kept per process: enough for the imports of a large
# application, bounded so memory stays flat on a 1,000-file project. A tree
# costs about 1-3 kB of memory per source line: the line budget keeps a run
# over modules of 20,000 lines (litellm's proxy) within a few hundred MB.
# 240 rather than 160 since the CLI releases a project's models before the next
# project's (dstack cold: 1,512 parses for 1,126 files instead of 1,637, 254 MB).
# 200,000 lines, not 150,000 (session 8): litellm 10-16% less CPU for +90 MB (620 MB);
# 250,000 (session 10): litellm rebuilds 1.74 M lines instead of 1.98 M for +80 MB.
MAX_CACHED_MODELS = 240
MAX_CACHED_LINES = 250_000
# Facts computed for one outermost question. Cut-short facts are never remembered, so
# methods that call each other (an AST interpreter's `_execute_*`) were asked again and
# again: camel-ai ran 11 minutes. The largest elsewhere: litellm 1,602, langflow 727.
MAX_FACTS_PER_QUESTION = 5_000


class _ProjectState:
    """What the source roots of one project share: the models, the facts, the guards."""

    def __init__(self, root: Path, options: RuleOptions) -> None:
        self.root = root
        self.options = options
        self.models = ModelCache()
        self.cached_lines = 0
        self.evicted: list[ModuleModel] = []
        self.checked: tuple[ModuleKey, ModelEntry] | None = None
        self.checking = False  # between register() and finish_check()
        self.fact_misses = 0  # facts computed (not found in memory or on disk)
        self.question_start = 0  # fact_misses when the outermost fact being computed began
        self.in_progress: set[str] = set()
        self.facts = FactStore(cache_folder(root, options), root)
        self.fact_memo: dict[str, tuple[Any, frozenset[str]]] = {}
        # One frame per fact being computed: the module files read, and whether
        # a cycle guard or depth limit cut the computation short.
        self.frames: list[_FactFrame] = []
        self.dirty_paths: set[str] = set()
        self.last_flush = time.monotonic()
        self.flush_interval = FLUSH_INTERVAL_SECONDS
        self.views: dict[str, ProjectIndex] = {}
        self.configured_roots = tuple(str(Path(folder).resolve()) for folder in options.src)
        default = [str(root)]
        src = root / "src"
        if src.is_dir() and not (src / "__init__.py").exists():
            default.insert(0, str(src))
        self.default_roots = tuple(default)
        self._discovered: dict[str, list[str]] | None = None
        # What evicted models' modules bind (see model_cache).
        self.summaries: dict[ModuleKey, ModuleSummary] = {}
        # Questions asked about each module's model over the run, evictions included.
        self.asked: dict[ModuleKey, int] = {}

    def release_models(self) -> None:
        """Release every model this project holds (for a process done with the project);
        not while one of its files is being checked (its rules hold models)."""
        if self.checking:
            return
        held = [entry.model for entry in self.models.values()] + self.evicted
        if self.checked is not None:
            held.append(self.checked[1].model)
        self.models.clear()
        self.summaries.clear()
        self.cached_lines = 0
        self.evicted = []
        self.checked = None
        released: set[int] = set()
        for model in held:
            if model is not None and id(model) not in released:
                released.add(id(model))
                model.release()

    def forget_layout(self) -> None:
        """A file changed, maybe a new package: walk the project again when asked."""
        self._discovered = None

    def discovered(self) -> dict[str, list[str]]:
        if self._discovered is None:
            self._discovered = discover_source_roots(self.root)
        return self._discovered


class ProjectIndex:
    """Answers cross-module questions for the modules of one source root of a project.

    A module is known by (source root, dotted name): ``app.database`` imported
    from ``billing/app/routes.py`` is ``billing/app/database.py``, never the
    ``app.database`` of another service. Each source root of a project has its
    own view (this class); the views share the models, the facts and the cycle
    guards (:class:`_ProjectState`). A name resolves in the view's own source
    root first, then in the configured roots (``src``), then in ``src/`` and
    the project root, then in another folder of the project only when exactly
    one holds it.
    """

    def __init__(
        self,
        root: Path,
        options: RuleOptions | None = None,
        source_root: Path | None = None,
        state: _ProjectState | None = None,
    ) -> None:
        if state is None:
            state = _ProjectState(root.resolve(), options or RuleOptions())
        self._state = state
        self.root = state.root
        self.options = state.options
        self.source_root = str(source_root.resolve() if source_root else state.root)
        state.views.setdefault(self.source_root, self)
        # The view's tag in fact keys: the same question asked from two source
        # roots may have two answers.
        try:
            tag = Path(self.source_root).relative_to(self.root).as_posix()
        except ValueError:
            tag = self.source_root
        self._tag = "" if tag == "." else tag
        self.facts = state.facts
        self._models = state.models
        self._in_progress = state.in_progress
        self._fact_memo = state.fact_memo
        self._frames = state.frames
        self._dirty_paths = state.dirty_paths
        self._paths: dict[str, tuple[str, Path] | None] = {}
        # What project facts keep per view for the process (route table, file lists).
        self.memo = Memo()

    def view(self, source_root: str | Path) -> ProjectIndex:
        """The index of another source root of the same project."""
        views = self._state.views
        # Keyed by resolved paths, which most callers pass: no realpath per question.
        found = views.get(source_root if isinstance(source_root, str) else str(source_root))
        if found is not None:
            return found
        key = str(Path(source_root).resolve())
        found = views.get(key)
        if found is None:
            found = ProjectIndex(self.root, source_root=Path(key), state=self._state)
        return found

    # ------------------------------------------------------------ modules
    def register(self, model: ModuleModel, source: str | None = None) -> None:
        """The module being checked (its buffer replaces the file on disk)."""
        entry = ModelEntry(model, hash(source) if source is not None else None)
        key = (self.source_root, model.module_name)
        # Kept apart from the LRU too: the modules its rules ask about must not
        # evict it (and send a question about it to the file on disk).
        self._state.checked = (key, entry)
        self._state.checking = True
        self._remember(key, entry)
        if source is not None and model.path and self.facts.enabled:
            # An editor's unsaved buffer: facts that read this module's file on
            # disk do not describe the buffer, so they are neither used nor kept.
            from fastapi_lint.source import SourceError, read_source

            try:
                on_disk = read_source(model.path)
            except SourceError:
                on_disk = None
            if on_disk != source:
                self._dirty_paths.add(os.path.abspath(model.path))
                self._state.summaries.pop(key, None)

    def locate(self, module_name: str) -> tuple[str, Path] | None:
        """(source root, file) of a project module, as seen from this source root."""
        if module_name in self._paths:
            return self._paths[module_name]
        found = None
        if module_name and module_name.split(".", 1)[0] not in EXTERNAL_TOP_LEVEL:
            state = self._state
            # Plain strings and os.path: pathlib's joins were 10% of a cold run.
            relative = os.path.join(*module_name.split("."))
            searched = [self.source_root, *state.configured_roots, *state.default_roots]
            for base in dict.fromkeys(searched):
                path = module_file(base, relative)
                if path is not None:
                    found = (base, path)
                    break
            if found is None:
                # Elsewhere in the project: only when one folder holds it.
                holders = state.discovered().get(module_name.split(".", 1)[0], [])
                hits = [
                    (base, path)
                    for base in dict.fromkeys(holders)
                    if base not in searched
                    for path in [module_file(base, relative)]
                    if path is not None
                ]
                if len(hits) == 1:
                    found = hits[0]
        self._paths[module_name] = found
        return found

    def module_path(self, module_name: str) -> Path | None:
        found = self.locate(module_name)
        return found[1] if found is not None else None

    def _checked_entry(self, module_name: str) -> ModelEntry | None:
        """The module being checked, when ``module_name`` in this view is that module."""
        checked = self._state.checked
        if checked is None or checked[0][1] != module_name:
            return None
        if checked[0][0] == self.source_root:
            return checked[1]
        found = self.locate(module_name)
        return checked[1] if found is not None and found[0] == checked[0][0] else None

    def _key(self, module_name: str) -> ModuleKey | None:
        found = self.locate(module_name)
        return (found[0], module_name) if found is not None else None

    def is_project_module(self, module_name: str) -> bool:
        if self._checked_entry(module_name) is not None:
            return True
        return self.locate(module_name) is not None

    def _remember(self, key: ModuleKey, entry: ModelEntry) -> None:
        previous = self._models.take(key)
        if previous is not None:
            self._state.cached_lines -= previous.lines
        self._models[key] = entry
        self._state.cached_lines += entry.lines
        # The newest entry stays, however long: it is the module being asked about.
        while len(self._models) > 1 and (
            len(self._models) > MAX_CACHED_MODELS or self._state.cached_lines > MAX_CACHED_LINES
        ):
            over_lines = self._state.cached_lines > MAX_CACHED_LINES
            key = self._models.victim(self._state.asked, over_lines)
            evicted = self._models.remove(key)
            self._state.cached_lines -= evicted.lines
            model = evicted.model
            self._summarize(key, model)
            if model is None or (
                self._state.checked is not None and self._state.checked[1] is evicted
            ):
                continue  # the module being checked lives on in `_checked`
            # Nobody else holds it (the three references are the entry's, `model`
            # and the argument): free its tree now. A check that builds hundreds
            # of modules would otherwise keep them all until it ends.
            if sys.getrefcount(model) <= 3 + model.internal_references():
                model.release()
            else:
                self._state.evicted.append(model)

    def _drop(self, key: ModuleKey) -> None:
        """Take a module out of the cache; its model is released between files."""
        entry = self._models.remove(key)
        self._state.cached_lines -= entry.lines
        self._summarize(key, entry.model)
        if entry.model is not None:
            self._state.evicted.append(entry.model)

    def _summarize(self, key: ModuleKey, model: ModuleModel | None) -> None:
        view = model.project if model is not None else None
        summary = summarize(
            model, view if isinstance(view, ProjectIndex) else None, self._dirty_paths
        )
        if summary is not None:
            self._state.summaries[key] = summary

    def finish_check(self) -> None:
        """A file's check is over: free what it no longer needs.

        The checked module's model stays cached once this process has had to
        compute facts (a cold cache, even if this very check computed none):
        later files may then ask about this module, and building its model
        again would parse it twice. While every answer comes from the fact
        cache, later files will not need it either, and keeping it would only
        make the garbage collector walk it.
        """
        self._state.checking = False
        checked = self._state.checked
        if checked is not None:
            key, entry = checked
            cached = self._models.get(key) is entry
            if not cached or self._state.fact_misses == 0:
                self._state.checked = None
                if cached:
                    self._drop(key)
                elif entry.model is not None:
                    self._state.evicted.append(entry.model)  # evicted while it was checked
            elif entry.model is not None:
                # Kept for later files' questions (mostly its module-level names): the
                # evaluations memoised for its own rules were a tenth of the peak memory.
                entry.model.forget_evaluations()
        self.release_evicted()

    def release_evicted(self) -> None:
        """Free the models evicted while a file was checked (call between files).

        A rule may still hold an evicted model while the file is checked, so
        they are released only once its check is over.
        """
        if not self._state.evicted:
            return
        evicted, self._state.evicted = self._state.evicted, []
        live = {id(entry.model) for entry in self._models.values()}
        if self._state.checked is not None:
            live.add(id(self._state.checked[1].model))
        for model in evicted:
            if id(model) not in live:
                live.add(id(model))  # evicted twice: release once
                model.release()

    def reusable_model(self, module_name: str, source: str) -> ModuleModel | None:
        """A model already built (as another module's dependency) from this exact text."""
        entry = self._models.get((self.source_root, module_name))
        if entry is not None and entry.model is not None and entry.source_hash == hash(source):
            return entry.model
        return None

    def model(self, module_name: str) -> ModuleModel | None:
        checked = self._checked_entry(module_name)
        current = self._state.checked if checked is not None else None
        key = current[0] if current else self._key(module_name)
        if key is None:
            return None
        if checked is not None and self._models.get(key) is not checked:
            self._remember(key, checked)
        asked = self._state.asked
        asked[key] = asked.get(key, 0) + 1
        entry = self._models.get(key)
        if entry is not None:
            self._models.move_to_end(key)
            self._read_module(entry.model, module_name)
            return entry.model
        path = self.module_path(module_name)
        built: tuple[ModuleModel, int] | None = None
        if path is not None:
            # Built in its own source root's view: its imports resolve from there.
            built = self.view(key[0])._build(path, module_name)
        model = built[0] if built is not None else None
        entry = ModelEntry(model, built[1] if built is not None else None)
        self._remember(key, entry)
        self._read_module(model, module_name)
        return model

    def _read_module(self, model: ModuleModel | None, module_name: str) -> None:
        # A module that does not parse is read too: once fixed, the answers change.
        path = model.path if model is not None else self.module_path(module_name)
        if path is not None:
            note_read(str(path))
            if self._frames:
                self._depends_on(str(path))

    # ------------------------------------------------------------ facts (cached on disk)
    def _depends_on(self, path: str) -> None:
        absolute = os.path.abspath(path)
        for frame in self._frames:
            frame.paths.add(absolute)

    def depends_on_path(self, path: str) -> None:
        """The fact being computed read this file or folder (a walk, a text search)."""
        if self._frames:
            self._depends_on(path)

    def _cut_short(self) -> None:
        note_cut()
        for frame in self._frames:
            frame.complete = False

    def fact(self, kind: str, key: str, compute: Callable[[], Any]) -> Any:
        """The JSON answer to a cross-module question, from memory, the disk cache, or ``compute``.

        A fact computed while a cycle guard or depth limit cut it short is used
        for this question only, never remembered: cold and warm runs agree.
        """
        # The view's source root is part of the key: `app.db.get_db` names
        # another function in another service.
        full_key = f"{kind}@{self._tag}:{key}" if self._tag else f"{kind}:{key}"
        memo = self._fact_memo.get(full_key)
        if memo is not None:
            # The files this answer read are read by the asking fact too.
            note_reads(memo[1])
            for frame in self._frames:
                frame.paths |= memo[1]
            return memo[0]
        guard_key = "fact:" + full_key
        if guard_key in self._in_progress:
            self._cut_short()
            return None
        found, value = self.facts.get(full_key)
        if found:
            deps = self.facts.dependencies(full_key)
            if not deps & self._dirty_paths:
                note_reads(deps)
                for frame in self._frames:
                    frame.paths |= deps
                self._fact_memo[full_key] = (value, frozenset(deps))
                return value
        if not self._frames:
            self._state.question_start = self._state.fact_misses
        elif self._state.fact_misses - self._state.question_start >= MAX_FACTS_PER_QUESTION:
            self._cut_short()  # see MAX_FACTS_PER_QUESTION
            return None
        self._state.fact_misses += 1
        frame = _FactFrame(base=len(self._in_progress) + 1)
        self._frames.append(frame)
        self._in_progress.add(guard_key)
        cuts = cut_count()
        saved_depths = fresh_depths()  # from its key alone: the asker's depth is not the fact's
        try:
            value = compute()
        finally:
            restore_depths(saved_depths)
            self._in_progress.discard(guard_key)
            self._frames.pop()
        if cut_count() != cuts:
            # A model's cycle guard or depth limit answered part of it.
            frame.complete = False
        # The asking check read what the fact read (a text search over the project's
        # files included), as it does when the fact comes from memory or disk: the
        # result cache then re-checks the asker when one of those files changes.
        note_reads(frame.paths)
        for outer in self._frames:
            outer.paths |= frame.paths
            if not frame.complete:
                outer.complete = False
        if frame.complete:
            self._fact_memo[full_key] = (value, frozenset(frame.paths))
            if not frame.paths & self._dirty_paths:
                self.facts.put(full_key, value, frame.paths)
        return value

    def flush(self, force: bool = False) -> None:
        """Write new facts to disk when forced, else at growing intervals (5 s, 10 s...)
        in a pool worker: flake8's leave through ``os._exit`` (no atexit), so the
        periodic write is what keeps their facts (at worst the last seconds of facts
        are computed again). Each write merges whole shards (flushing after every
        file was 40% of a run); a main process writes once, at exit (`process_indexes._at_exit`).
        """
        now = time.monotonic()
        state = self._state
        due = now - state.last_flush >= state.flush_interval and facts.exits_unflushed()
        if force or due:
            self._state.last_flush = now
            self.facts.flush()
            # Shards are rewritten whole and grow (a tenth of a long flake8 run at
            # a fixed 5 s); a worker that dies loses at most half its run's facts.
            if not force:
                state.flush_interval = min(state.flush_interval * 2, MAX_FLUSH_INTERVAL_SECONDS)

    def forget(self, path: str | Path) -> None:
        """The file at ``path`` changed (an editor said so): drop the models built
        from it, the modules found missing, and the facts kept in memory (the
        facts on disk check the files' stamps themselves)."""
        absolute = os.path.abspath(path)
        for key, entry in list(self._models.items()):
            if entry.model is None or os.path.abspath(entry.model.path) == absolute:
                self._drop(key)
        if self._state.checked is not None and self._state.checked[1].model is not None:
            if os.path.abspath(self._state.checked[1].model.path) == absolute:
                self._state.checked = None
        self._state.forget_layout()
        for view in self._state.views.values():
            view._paths = {
                name: found
                for name, found in view._paths.items()
                if found is not None and os.path.abspath(found[1]) != absolute
            }
        self._fact_memo.clear()
        self._state.summaries.clear()
        self.facts.forget_stamp(absolute)
        # The route table, the serving-code search's file list and word index...
        self.memo.drop_text_dependent()

    def _build(self, path: Path, module_name: str) -> tuple[ModuleModel, int] | None:
        from fastapi_lint.semantic.model import ModuleModel
        from fastapi_lint.source import SourceError, read_source

        try:
            source = read_source(path)
            tree = ast.parse(source, filename=str(path))
            model = ModuleModel(
                tree,
                str(path),
                module_name,
                project=self,
                options=self.options,
                may_declare_globals="global" in source,
            )
            return model, hash(source)
        except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError, OSError):
            return None

    def split(self, qualname: str) -> tuple[ModuleModel, list[str]] | None:
        """The project module defining ``qualname`` and the attribute path inside it."""
        return split_qualname(self, qualname)

    # ------------------------------------------------------------ queries
    def _too_deep(self, depth: int) -> bool:
        """A depth limit answers "unknown" for this question only (a cut, never remembered)."""
        if depth > MAX_DEPTH:
            self._cut_short()
            return True
        return False

    def _guarded(self, key: str) -> bool:
        base = self._frames[-1].base if self._frames else 0
        if key in self._in_progress or len(self._in_progress) - base > MAX_DEPTH:
            self._cut_short()
            return False
        self._in_progress.add(key)
        return True

    def _module_binding(self, qualname: str) -> tuple[ModuleModel, list[str], Binding] | None:
        """The project module behind ``qualname``, the attribute path in it, and its binding."""
        found = self.split(qualname)
        if found is None:
            return None
        model, rest = found
        bindings = model.module_scope.bindings.get(rest[0])
        if not bindings:
            star = model.star_binding(rest[0])  # `from .user import *` in a package
            return (model, rest, star) if star is not None else None
        return model, rest, bindings[-1]

    star_names = star_names  # what `from <module> import *` binds

    def resolve(self, qualname: str, depth: int = 0) -> Value | None:
        """What a project-level name holds; follows re-exports and module constants."""
        if qualname.split(".", 1)[0] in EXTERNAL_TOP_LEVEL:
            return None
        return from_json(
            self.fact("resolve/6-e20", qualname, lambda: to_json(self._resolve(qualname)))
        )

    def _resolve(self, qualname: str, depth: int = 0) -> Value | None:
        if self._too_deep(depth) or not self._guarded(self._tag + "|resolve:" + qualname):
            return None
        try:
            if self.is_project_module(qualname) and not package_rebinds(self, qualname):
                return Ref(qualname)
            answered, value = model_cache.resolve(self, qualname, depth)
            if answered:
                return value  # from an evicted module's summary: not built again
            found = self._module_binding(qualname)
            if found is None:
                return None
            model, rest, binding = found
            from fastapi_lint.semantic.scopes import BindingKind

            if binding.kind is BindingKind.IMPORT:
                target = stubs.canonical(binding.qualname or "")
                full = ".".join([target, *rest[1:]])
                resolved = _view_of(model, self).resolve(full, depth + 1)
                return resolved if resolved is not None else Ref(stubs.canonical(full))
            if binding.kind is BindingKind.CLASS and len(rest) == 2:
                client = class_client(model, rest[0], rest[1], depth + 1)  # `Shared.http`
                return client if client is not None else Ref(qualname)
            if binding.kind in (BindingKind.FUNCTION, BindingKind.CLASS):
                return Ref(qualname)
            value = model.binding_value(binding, depth + 1)
            for attr in rest[1:]:
                value = model.attribute_of(value, attr, depth + 1)
            return value
        finally:
            self._in_progress.discard(self._tag + "|resolve:" + qualname)

    def definition(
        self, qualname: str, depth: int = 0, *, assignments_only: bool = False
    ) -> tuple[ModuleModel, Binding] | None:
        """The module-level binding that defines ``qualname`` (re-exports followed);
        with ``assignments_only``, None unless that binding is an assignment."""
        if self._too_deep(depth) or not self._guarded(self._tag + "|definition:" + qualname):
            return None
        try:
            answered, defined = model_cache.definition(self, qualname, depth, assignments_only)
            if answered:
                return defined  # from an evicted module's summary: not built again
            found = self._module_binding(qualname)
            if found is None:
                return None
            model, rest, binding = found
            from fastapi_lint.semantic.scopes import BindingKind

            if binding.kind is BindingKind.IMPORT:
                target = stubs.canonical(binding.qualname or "")
                return _view_of(model, self).definition(
                    ".".join([target, *rest[1:]]), depth + 1, assignments_only=assignments_only
                )
            if len(rest) > 1 or (assignments_only and binding.kind is not BindingKind.ASSIGN):
                return None
            return model, binding
        finally:
            self._in_progress.discard(self._tag + "|definition:" + qualname)

    def function(self, qualname: str) -> tuple[ModuleModel, FunctionInfo] | None:
        if model_cache.lacks(self, qualname, "function"):
            return None  # an evicted module without that def: not built again
        found = self.split(qualname)
        if found is None:
            return None
        model, _ = found
        function = model.function_named(qualname)
        return (model, function) if function is not None else None

    def class_info(self, qualname: str) -> tuple[ModuleModel, ClassInfo] | None:
        if model_cache.lacks(self, qualname, "class"):
            return None  # an evicted module without that class: not built again
        found = self.split(qualname)
        if found is None:
            return None
        model, _ = found
        class_info = model.class_named(qualname)
        return (model, class_info) if class_info is not None else None

    def call_result(self, qualname: str, depth: int = 0) -> Value | None:
        """What calling a project function or class gives (annotation, provider returns)."""
        if qualname.split(".", 1)[0] in EXTERNAL_TOP_LEVEL:
            return None
        return from_json(
            self.fact("call/6-e20", qualname, lambda: to_json(self._call_result(qualname)))
        )

    def _call_result(self, qualname: str, depth: int = 0) -> Value | None:
        if self._too_deep(depth) or not self._guarded(self._tag + "|call:" + qualname):
            return None
        try:
            known, value = model_cache.known_return(self, qualname)
            if known:
                return value  # from an evicted module's summary: not built again
            found = self.function(qualname)
            if found is not None:
                model, function = found
                return model.function_return_value(function, depth + 1)
            if (inherited := defining_base_method(self, qualname)) is not None:
                return self.call_result(inherited, depth + 1)  # `self._path()` of a base
            if defines_class(self, qualname):
                return Instance(qualname)
            value = self.resolve(qualname, depth + 1)
            if isinstance(value, Instance):
                sessions = {
                    stubs.SESSIONMAKER: "sqlalchemy.orm.Session",
                    stubs.ASYNC_SESSIONMAKER: "sqlalchemy.ext.asyncio.AsyncSession",
                    "sqlalchemy.orm.scoped_session": "sqlalchemy.orm.Session",
                }
                if value.type in sessions:
                    return Instance(sessions[value.type])
            return None
        finally:
            self._in_progress.discard(self._tag + "|call:" + qualname)

    def attribute_type(self, class_qualname: str, attr: str, depth: int = 0) -> Value | None:
        """Type of ``obj.attr`` for an instance of a project class of another module."""
        if class_qualname == STATE_TYPE and not self._too_deep(depth):
            return app_state_attribute(self, attr, depth)  # `request.app.state.auth`
        if class_qualname.split(".", 1)[0] in EXTERNAL_TOP_LEVEL or self._too_deep(depth):
            return None

        def compute() -> Any:
            if model_cache.untyped_attribute(self, class_qualname, attr):
                return None  # an evicted module's summary: not built again
            found = self.class_info(class_qualname)
            if found is None:
                return None
            return to_json(found[0].instance_attribute_type(class_qualname, attr, 1))

        return from_json(self.fact("attribute/6-e20", f"{class_qualname}.{attr}", compute))

    def mixin_attribute_type(self, class_qualname: str, attr: str, depth: int = 0) -> Value | None:
        """Type of ``self.attr`` in a mixin, from the classes of other modules deriving from it."""
        if class_qualname.split(".", 1)[0] in EXTERNAL_TOP_LEVEL or self._too_deep(depth):
            return None
        return mixed_in_attribute_type(self, class_qualname, attr, depth)

    def is_class(self, qualname: str) -> bool:
        """Whether a project name is a class defined in the project, as a cached fact."""
        if qualname.split(".", 1)[0] in EXTERNAL_TOP_LEVEL:
            return False
        return bool(self.fact("is-class", qualname, lambda: defines_class(self, qualname)))

    def list_item(self, qualname: str) -> str | None:
        """The class ``X`` of a project def annotated ``-> list[X]``, as a cached fact."""
        if qualname.split(".", 1)[0] in EXTERNAL_TOP_LEVEL:
            return None

        def compute() -> object:
            found = self.function(qualname)
            return found[0].returned_list_item(found[1]) if found is not None else None

        item = self.fact("list-item", qualname, compute)
        return item if isinstance(item, str) else None

    def tuple_items(self, qualname: str) -> list[str | None] | None:
        """The element classes of a project def annotated ``-> tuple[A, B]``, as a cached fact."""
        if qualname.split(".", 1)[0] in EXTERNAL_TOP_LEVEL:
            return None

        def compute() -> object:
            found = self.function(qualname)
            return returned_tuple_items(found[0], found[1]) if found is not None else None

        items = self.fact("tuple-items", qualname, compute)
        return items if isinstance(items, list) else None

    def generator_item(self, qualname: str, depth: int = 0) -> Value | None:
        """What a project generator function yields (``next(get_db())``), as a cached fact."""
        if qualname.split(".", 1)[0] in EXTERNAL_TOP_LEVEL:
            return None

        def compute() -> object:
            found = self.function(qualname)
            if found is None or not found[0].is_generator(found[1]):
                return None
            value = found[0].function_return_value(found[1], 1)
            return to_json(value) if isinstance(value, Instance) else None

        return from_json(self.fact("generator-item", qualname, compute))

    def is_annotated_alias(self, qualname: str) -> bool:
        """Whether a project name is an ``Annotated[...]`` alias (``SessionDep``), as a cached fact."""
        if qualname.split(".", 1)[0] in EXTERNAL_TOP_LEVEL:
            return False

        def compute() -> bool:
            from fastapi_lint.semantic.scopes import BindingKind

            # Only an assignment can be an alias (a summary says a def is not one).
            found = self.definition(qualname, assignments_only=True)
            if found is None:
                return False
            model, binding = found
            if binding.kind is not BindingKind.ASSIGN or binding.value is None:
                return False
            return bool(model.annotated_metadata(binding.value, binding.scope)[1])

        return bool(self.fact("alias", qualname, compute))

    def class_bases(self, class_qualname: str, depth: int = 0) -> list[str]:
        """Qualified names of a project class' bases, transitively."""
        if class_qualname.split(".", 1)[0] in EXTERNAL_TOP_LEVEL:
            return []
        bases = self.fact("bases", class_qualname, lambda: self._class_bases(class_qualname))
        return list(bases) if isinstance(bases, list) else []

    def _class_bases(self, class_qualname: str, depth: int = 0) -> list[str]:
        if depth > 8:
            self._cut_short()
            return []
        if (bases := model_cache.class_bases(self, class_qualname, depth)) is not None:
            return bases  # from an evicted module's summary: not built again
        found = self.class_info(class_qualname)
        if found is None:
            return []
        model, class_info = found
        result = []
        for base in class_info.node.bases:
            qualname = model.base_qualname(base, class_info.outer)
            if qualname:
                result.append(qualname)
                result.extend(_view_of(model, self).class_bases(qualname, depth + 1))
        return result

    def models(self) -> Iterator[ModuleModel]:
        for entry in list(self._models.values()):
            if entry.model is not None:
                yield entry.model


def _view_of(model: ModuleModel, fallback: ProjectIndex) -> ProjectIndex:
    """The view a model's own names resolve in (its source root's)."""
    project = getattr(model, "project", None)
    return project if isinstance(project, ProjectIndex) else fallback


@dataclass
class _FactFrame:
    paths: set[str] = field(default_factory=set)
    complete: bool = True
    base: int = 0  # questions in progress when it began: the nesting limit counts from there


FLUSH_INTERVAL_SECONDS = 5.0
MAX_FLUSH_INTERVAL_SECONDS = 120.0


def index_of(model: ModuleModel) -> ProjectIndex | None:
    """The project index behind ``model``, which knows it only as ``ProjectFacts``
    (the semantic layer's protocol): for the rules and project facts that need
    more of the index than a model asks (its root, facts, route table)."""
    project = model.project
    return project if isinstance(project, ProjectIndex) else None

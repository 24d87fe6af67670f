"""The semantic model of one module, built in one traversal.

The builder walks the tree once, recording scopes and bindings (as pyflakes'
Checker does) and the nodes rules care about, each with the scope it sits in.
Names are resolved lazily, after the whole module is known, so a name used in
a function body before its module-level binding in source order still
resolves, and a local binding shadows an import for the whole function.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from typing import TYPE_CHECKING, Optional

from fastapi_lint.semantic import (
    annotation_types,
    callable_returns,
    limits,
    offloaded,
    sequences,
    stubs,
    tuple_returns,
)
from fastapi_lint.semantic.builder import RECORDED_TYPES, Builder
from fastapi_lint.semantic.dunder_all import declared_all
from fastapi_lint.semantic.fastapi import DEPENDS_NAMES, dependency_value
from fastapi_lint.semantic.limits import MAX_EVAL_DEPTH, note_cut, too_deep
from fastapi_lint.semantic.list_returns import LIST_TYPES, gives_a_list
from fastapi_lint.semantic.memo import Memo
from fastapi_lint.semantic.memory_databases import (
    MEMORY_CONNECTION,
    SQLITE_CONNECT,
    opens_memory_database,
)
from fastapi_lint.semantic.mixin_attributes import mixin_attribute_type
from fastapi_lint.semantic.properties import property_value
from fastapi_lint.semantic.scopes import (
    Binding,
    BindingKind,
    ClassInfo,
    FunctionInfo,
    NodeRef,
    Scope,
    ScopeKind,
)
from fastapi_lint.semantic.sqlalchemy import sessionmaker_kind
from fastapi_lint.semantic.syntax import (
    is_classmethod,
    is_staticmethod,
    last_name,
    subscript_elements,
)
from fastapi_lint.semantic.values import Instance, Member, Ref, Value
from fastapi_lint.settings import RuleOptions

if TYPE_CHECKING:
    from fastapi_lint.semantic.fastapi import FastAPIFacts
    from fastapi_lint.semantic.project import ProjectFacts

BUILTIN_NAMES = frozenset(dir(builtins))


class ModuleModel:
    """Everything rules need to know about one module."""

    def __init__(
        self,
        tree: ast.Module,
        path: str,
        module_name: str,
        lines: list[str] | None = None,
        project: ProjectFacts | None = None,
        options: RuleOptions | None = None,
    ) -> None:
        self.tree = tree
        self.path = path
        self.module_name = module_name
        self.lines = lines or []
        self.project = project
        # The options the rules read when they check this model.
        self.options = options or RuleOptions()
        self.functions: list[FunctionInfo] = []
        self.classes: list[ClassInfo] = []
        self.nodes: dict[type, list[NodeRef]] = {t: [] for t in RECORDED_TYPES}
        self.parents: dict[int, ast.AST] = {}
        self.function_by_node: dict[int, FunctionInfo] = {}
        self.class_by_node: dict[int, ClassInfo] = {}
        self.scope_of_node: dict[int, Scope] = {}
        self.module_scope = Scope(ScopeKind.MODULE, tree, None)
        # Tables built on first use (each query below says what it indexes).
        self._generator_functions: set[int] | None = None
        self._functions_by_qualname: dict[str, FunctionInfo] | None = None
        self._classes_by_qualname: dict[str, ClassInfo] | None = None
        self._returns_by_function: dict[int, list[NodeRef]] | None = None
        self._self_assignments: dict[tuple[int, str], list[NodeRef]] | None = None
        # What rules and project facts keep per module (their own typed keys).
        self.memo = Memo()
        # `from m import *` at module level: (m, the import), in order.
        self.star_imports: list[tuple[str, ast.ImportFrom]] = []
        self._star_bindings: dict[str, Binding | None] = {}
        Builder(self).build()
        self._eval_stack: set[int] = set()
        # An answer and how far below its own depth its computation reached.
        self._eval_memo: dict[tuple[int, int], tuple[Value | None, int]] = {}
        self._fastapi: FastAPIFacts | None = None

    def internal_references(self) -> int:
        """References to this model from objects it owns (its FastAPI facts, and
        memoised values that keep it, such as the N+1 rules' query flow)."""
        owned = [self._fastapi, *self.memo.values()]
        return sum(getattr(value, "model", None) is self for value in owned)

    def release(self) -> None:
        """Break the model's reference cycles so its tree is freed at once.

        Scopes, bindings and functions point at each other, so a dropped model
        would wait for a full run of the cyclic collector, which seldom comes:
        dead trees piled up to gigabytes on large projects. Only for a model no
        caller uses any more (the index releases evicted models between files).
        """
        for scope in [self.module_scope, *self.scope_of_node.values()]:
            scope.bindings = {}
            scope.parent = None
            scope.function = None
            scope.class_info = None
            scope.__dict__.pop("_code_function", None)
        for function in self.functions:
            function.__dict__.clear()
        for class_info in self.classes:
            class_info.__dict__.clear()
        self.__dict__.clear()
        self.released = True

    def forget_evaluations(self) -> None:
        """Drop the memoised evaluations (each is computed again when asked):
        for a model kept after its own check, whose memo mostly served its
        own rules."""
        self._eval_memo = {}

    # ------------------------------------------------------------ queries
    def of_type(self, *types: type) -> Iterator[NodeRef]:
        for node_type in types:
            yield from self.nodes.get(node_type, ())

    @property
    def calls(self) -> list[NodeRef]:
        return self.nodes[ast.Call]

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        current = self.parents.get(id(node))
        while current is not None:
            yield current
            current = self.parents.get(id(current))

    def is_generator(self, function: FunctionInfo) -> bool:
        """Whether a def yields in its own body, from the recorded yields (no walk)."""
        generators = self._generator_functions
        if generators is None:
            generators = set()
            for ref in self.of_type(ast.Yield, ast.YieldFrom):
                owner = ref.scope.code_function
                if owner is not None:
                    generators.add(id(owner.node))
            self._generator_functions = generators
        return id(function.node) in generators

    def function_named(self, qualname: str) -> FunctionInfo | None:
        """The first def of ``qualname`` in this module (a getter before its setter)."""
        table: dict[str, FunctionInfo] | None = self._functions_by_qualname
        if table is None:
            table = {}
            for function in self.functions:
                table.setdefault(function.qualname, function)
            self._functions_by_qualname = table
        return table.get(qualname)

    def find_function(self, qualname: str) -> tuple[ModuleModel, FunctionInfo] | None:
        """The def of ``qualname`` and the model it lives in: this module, else the project."""
        function = self.function_named(qualname)
        if function is not None:
            return self, function
        if self.project is not None:
            return self.project.function(qualname)
        return None

    def class_named(self, qualname: str) -> ClassInfo | None:
        table: dict[str, ClassInfo] | None = self._classes_by_qualname
        if table is None:
            table = {}
            for class_info in self.classes:
                table.setdefault(class_info.qualname, class_info)
            self._classes_by_qualname = table
        return table.get(qualname)

    def class_bases(self, qualname: str) -> list[str]:
        """Qualified names of a class' bases, transitively: read in this module when it
        defines the class (its text may be an unsaved buffer), else from the project."""
        local = self.class_named(qualname)
        if local is None:
            return self.project.class_bases(qualname) if self.project is not None else []
        bases: list[str] = []
        for base in local.node.bases:
            name = self.base_qualname(base, local.outer)
            if name:
                bases.append(name)
                if self.project is not None:
                    bases.extend(self.project.class_bases(name))
        return bases

    def base_qualname(self, base: ast.expr, scope: Scope) -> str | None:
        """The class a base names: ``CRUDBase`` for ``class CRUDItem(CRUDBase[Item, ...])``
        (a parametrized generic base is that class; its methods and attributes are inherited)."""
        return self.qualified_name(base.value if isinstance(base, ast.Subscript) else base, scope)

    def class_anywhere(self, qualname: str) -> ClassInfo | None:
        """A class' statement: this module's when it defines the class (its text may be
        an unsaved buffer), else the project's."""
        local = self.class_named(qualname)
        if local is not None or self.project is None:
            return local
        found = self.project.class_info(qualname)
        return found[1] if found is not None else None

    def returns_of(self, function: FunctionInfo) -> list[NodeRef]:
        """The ``return`` then ``yield`` nodes a def runs itself (not nested defs')."""
        table: dict[int, list[NodeRef]] | None = self._returns_by_function
        if table is None:
            table = {}
            for ref in self.nodes[ast.Return] + self.nodes[ast.Yield]:
                owner = ref.scope.code_function
                if owner is not None:
                    table.setdefault(id(owner.node), []).append(ref)
            self._returns_by_function = table
        return table.get(id(function.node), [])

    def self_assignments(self, class_info: ClassInfo, attr: str) -> list[NodeRef]:
        """``self.attr = ...`` / ``self.attr: T = ...`` statements in the class's methods."""
        table: dict[tuple[int, str], list[NodeRef]] | None = self._self_assignments
        if table is None:
            table = {}
            for ref in self.nodes[ast.Assign] + self.nodes[ast.AnnAssign]:
                function = ref.scope.code_function
                if function is None or function.class_info is None:
                    continue
                node = ref.node
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]  # type: ignore[attr-defined]
                for target in targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in ("self", "cls")
                    ):
                        key = (id(function.class_info), target.attr)
                        table.setdefault(key, []).append(ref)
            self._self_assignments = table
        return table.get((id(class_info), attr), [])

    def self_assigned_attributes(self) -> dict[int, set[str]]:
        """``id(class info)`` -> the attributes its methods assign (``self.x = ...``)."""
        if self.classes:
            self.self_assignments(self.classes[0], "")  # builds the table
        result: dict[int, set[str]] = {}
        for owner, attr in self._self_assignments or {}:
            result.setdefault(owner, set()).add(attr)
        return result

    def is_awaited(self, node: ast.expr) -> bool:
        return isinstance(self.parent(node), ast.Await)

    @property
    def fastapi(self) -> FastAPIFacts:
        """FastAPI facts (apps, routers, routes, dependencies), built on first use."""
        if self._fastapi is None:
            from fastapi_lint.semantic.fastapi import FastAPIFacts

            self._fastapi = FastAPIFacts(self)
        return self._fastapi

    # ------------------------------------------------------------ names
    def lookup(self, name: str, scope: Scope, line: int | None = None) -> Binding | None:
        """The binding a name refers to from ``scope`` (LEGB, class scopes skipped)."""
        current: Optional[Scope] = scope
        first = True
        while current is not None:
            if current.kind is ScopeKind.CLASS and not first:
                current = current.parent
                continue
            declaring: Optional[Scope] = None
            if name in current.global_names:
                declaring, current = current, self.module_scope
            bindings = current.bindings.get(name)
            if bindings:
                if declaring is scope and len(bindings) > 1:
                    # `global _pool` ... `_pool = make_pool()` ... `return _pool`: the
                    # function's own assignment before the read, as for a local (another
                    # function's reset to None elsewhere says nothing of this value).
                    own = _pick_own(bindings, scope, line)
                    if own is not None:
                        return own
                if len(bindings) == 1:
                    return bindings[0]  # most names: what _pick gives, without its list
                return _pick(bindings, line if current is scope else None)
            first = False
            current = current.parent
        return self.star_binding(name) if self.star_imports else None

    def star_binding(self, name: str) -> Binding | None:
        """The import binding a ``from m import *`` of a project module gives ``name``
        (the last such import that exports it), as ``from m import name`` would.
        Star imports of other libraries bind nothing: their names are unknown."""
        if not self.star_imports or self.project is None or name.startswith("_"):
            return None
        if name in self._star_bindings:
            return self._star_bindings[name]
        found = None
        for module, node in reversed(self.star_imports):
            exported = self.project.star_names(module)
            if exported is not None and name in exported:
                found = Binding(
                    name, BindingKind.IMPORT, node, self.module_scope, qualname=f"{module}.{name}"
                )
                break
        self._star_bindings[name] = found
        return found

    def declared_all(self) -> frozenset[str] | None:
        """The names of a module-level ``__all__`` (None without one, or a computed one)."""
        return declared_all(self.tree)

    def qualified_name(self, expr: ast.AST, scope: Scope) -> str | None:
        """The canonical qualified name an expression refers to, if it names something."""
        value = self.evaluate(expr, scope)
        if isinstance(value, Ref):
            return value.qualname
        return None

    def call_target(self, call: ast.Call, scope: Scope) -> str | None:
        """What a call calls: ``requests.get``, or ``httpx.Client.get`` for a method."""
        # Asked for every call by several rules: a memoized answer is taken here
        # as `evaluate` would take it at depth 0 (its reach always fits there).
        found = self._eval_memo.get((id(call.func), id(scope)))
        if found is not None and found[1] <= MAX_EVAL_DEPTH:
            if found[1] > limits.deepest:
                limits.deepest = found[1]
            value = found[0]
        else:
            value = self.evaluate(call.func, scope)
        if isinstance(value, Ref):
            return value.qualname
        if isinstance(value, Member):
            return f"{value.owner}.{value.name}"
        return None

    def is_offloading_call(self, call: ast.Call, scope: Scope) -> bool:
        """``asyncio.to_thread(f, ...)``, ``run_in_threadpool(f, ...)``,
        ``loop.run_in_executor(None, f, ...)``: the callable passed runs in a worker thread."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in stubs.OFFLOADING_METHOD_NAMES:
            return True
        target = self.call_target(call, scope)
        return target is not None and stubs.canonical(target) in stubs.OFFLOADING_CALLS

    def type_of(self, expr: ast.AST, scope: Scope) -> str | None:
        value = self.evaluate(expr, scope)
        if isinstance(value, Instance):
            return value.type
        return None

    def function_scope_of(self, node: ast.AST) -> FunctionInfo | None:
        for ancestor in self.ancestors(node):
            info = self.function_by_node.get(id(ancestor))
            if info is not None:
                return info
        return None

    # ------------------------------------------------------------ evaluation
    def evaluate(self, expr: ast.AST, scope: Scope, depth: int = 0) -> Value | None:
        """What an expression holds, by simple flow: a named thing or an instance."""
        # The hottest function of a run: `limits.too_deep` and `cut_count` are
        # inlined (the same bookkeeping, without two calls per evaluation).
        if depth > limits.deepest:
            limits.deepest = depth
        if depth > MAX_EVAL_DEPTH:
            note_cut()
            return None
        key = id(expr)
        memo = self._eval_memo
        # Only nodes of this module's tree are memoized: a temporary node (a
        # parsed string annotation) dies, and its id() may be reused.
        memo_key = (key, id(scope)) if key in self.parents else None
        if memo_key is not None:
            found = memo.get(memo_key)
            # Reused only where its reach fits: asked deeper, it would be cut.
            if found is not None:
                reached = depth + found[1]
                if reached <= MAX_EVAL_DEPTH:
                    if reached > limits.deepest:
                        limits.deepest = reached
                    return found[0]
        stack = self._eval_stack
        if key in stack:
            note_cut()
            return None
        stack.add(key)
        cuts = limits.cuts
        outer_deepest = limits.deepest
        limits.deepest = depth
        try:
            result = self._evaluate(expr, scope, depth)
        finally:
            stack.discard(key)
            reach = limits.deepest - depth
            if outer_deepest > limits.deepest:
                limits.deepest = outer_deepest
        # Each expression sits in one scope and names resolve the same way
        # every time, so a result is computed once per model -- unless a cycle
        # guard or a depth limit answered part of it: that answer depends on
        # what was being asked when it ran (a check order, --jobs), so it is
        # used once and asked again next time.
        if memo_key is not None and limits.cuts == cuts:
            memo[memo_key] = (result, reach)
        return result

    def _evaluate(self, expr: ast.AST, scope: Scope, depth: int) -> Value | None:
        if isinstance(expr, ast.Name):
            binding = self.lookup(expr.id, scope, getattr(expr, "lineno", None))
            if binding is None:
                if expr.id in BUILTIN_NAMES:
                    return Ref(f"builtins.{expr.id}")
                return None
            return self.binding_value(binding, depth + 1)
        if isinstance(expr, ast.Attribute):
            owner = self.evaluate(expr.value, scope, depth + 1)
            return self.attribute_of(owner, expr.attr, depth + 1)
        if isinstance(expr, ast.Call):
            callee = self.evaluate(expr.func, scope, depth + 1)
            result = self.call_result(callee, expr, scope, depth + 1)
            if result is None and (callee is None or isinstance(callee, Member)):
                # `await self._repo_for(key)` with `Callable[[str], Awaitable[Repo]]`
                return callable_returns.callable_result(self, expr, scope, depth + 1)
            return result
        if isinstance(expr, ast.Await):
            return self.evaluate(expr.value, scope, depth + 1)
        if isinstance(expr, ast.NamedExpr):
            return self.evaluate(expr.value, scope, depth + 1)
        if isinstance(expr, ast.Subscript):
            owner = self.evaluate(expr.value, scope, depth + 1)
            if isinstance(owner, Instance):
                item_type = stubs.SUBSCRIPT_TYPES.get(owner.type)
                if item_type:
                    return Instance(item_type)
            item = sequences.subscript_item(self, expr, scope, depth + 1)
            return Instance(item) if item else sequences.literal_item(self, expr, scope, depth + 1)
        if isinstance(expr, ast.IfExp):
            body = self.evaluate(expr.body, scope, depth + 1)
            orelse = self.evaluate(expr.orelse, scope, depth + 1)
            return body if body == orelse or orelse is None else None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            # `Path(...) / "x"` (and `"x" / path`): pathlib's operator keeps the type.
            for side in (expr.left, expr.right):
                operand = self.evaluate(side, scope, depth + 1)
                if isinstance(operand, Instance) and operand.type in stubs.PATH_TYPES:
                    return operand
            return None
        if isinstance(expr, ast.BoolOp):
            values = [self.evaluate(v, scope, depth + 1) for v in expr.values]
            known = [v for v in values if v is not None]
            return known[-1] if known and all(v == known[0] for v in known) else None
        return None

    def binding_value(self, binding: Binding, depth: int = 0) -> Value | None:
        kind = binding.kind
        if kind is BindingKind.IMPORT:
            assert binding.qualname is not None
            return self.resolve_ref(Ref(stubs.canonical(binding.qualname)), depth)
        if kind in (BindingKind.FUNCTION, BindingKind.CLASS):
            return Ref(binding.qualname or binding.name)
        if kind is BindingKind.PARAM:
            return self._param_value(binding, depth)
        if kind is BindingKind.ASSIGN:
            value: Value | None = None
            if binding.value is not None and binding.unpack_index is None:
                value = self.evaluate(binding.value, binding.scope, depth + 1)
            elif binding.value is not None:  # `first, second = locations()`
                item = tuple_returns.unpacked_item(self, binding, depth + 1)
                value = Instance(item) if item is not None else None
            # `SessionDep: TypeAlias = Annotated[...]` names a type: it holds no instance.
            # A class-based view's `repo: Repo = Depends(Repo)` receives a `Repo`.
            if (
                binding.annotation is not None
                and (not isinstance(value, Instance) or value.type in DEPENDS_NAMES)
                and last_name(binding.annotation) != "TypeAlias"
            ):
                annotated = self.annotation_type(binding.annotation, binding.scope, depth + 1)
                if annotated is not None:
                    return Instance(annotated)
            return value
        if kind is BindingKind.WITH and binding.value is not None:
            entered = self.evaluate(binding.value, binding.scope, depth + 1)
            if isinstance(entered, Instance):
                return Instance(stubs.ENTER_TYPES.get(entered.type, entered.type))
            return None
        if kind is BindingKind.FOR and isinstance(binding.value, ast.Call):
            # `for db in get_db():` / `async for s in get_session():` over a generator provider.
            if binding.unpack_index is None:
                return self._generator_item(binding.value, binding.scope, depth + 1)
        elif kind is BindingKind.FOR and binding.value is not None and binding.unpack_index is None:
            # `for p in points` over `points: list[Point]` (a parameter, an annotated
            # variable or a class attribute such as a model's field): each item is a `Point`.
            item = sequences.sequence_item(self, binding.value, binding.scope, depth + 1)
            return Instance(item) if item is not None else None
        return None

    def _generator_item(self, call: ast.Call, scope: Scope, depth: int) -> Value | None:
        call = sequences.walked_call(self, call, scope)  # `sorted(media.glob("*.png"))`
        callee = self.evaluate(call.func, scope, depth + 1)
        if isinstance(callee, Member):
            return sequences.scan_item(callee)  # `for path in media.glob("*.png")`: paths
        if not isinstance(callee, Ref):
            return None
        local = self.function_named(callee.qualname)
        if local is None or not self.is_generator(local):
            return sequences.called_item(self, callee.qualname, local, depth + 1)
        value = self.function_return_value(local, depth + 1)
        return value if isinstance(value, Instance) else None

    def _super_instance(self, scope: Scope) -> Value | None:
        """``super()`` in a method: an instance of the class' first base, where the
        method lookup of single inheritance continues (``super().fetch()``)."""
        function = scope.code_function
        if function is None or function.class_info is None or is_staticmethod(function.node):
            return None
        bases = self.class_bases(function.class_info.qualname)
        if not bases:
            return None
        return Ref(bases[0]) if is_classmethod(function.node) else Instance(bases[0])

    def _param_value(self, binding: Binding, depth: int) -> Value | None:
        arg = binding.node
        assert isinstance(arg, ast.arg)
        function = binding.scope.function
        if function is not None and function.class_info is not None:
            positional = function.node.args.posonlyargs + function.node.args.args
            if positional and positional[0] is arg and not is_staticmethod(function.node):
                if is_classmethod(function.node):
                    return Ref(function.class_info.qualname)
                return Instance(function.class_info.qualname)
        if arg.annotation is not None:
            annotated = self.annotation_type(
                arg.annotation, binding.scope.parent or binding.scope, depth + 1
            )
            if annotated is not None:
                return Instance(annotated)
        if function is not None:
            # `db=Depends(get_db)`: what the provider returns or yields.
            return dependency_value(self, function, arg, depth + 1)
        return None

    def resolve_ref(self, ref: Ref, depth: int = 0) -> Value:
        """Follow a project-level name to what it holds (a module constant, a client)."""
        if self.project is None or too_deep(depth):
            return ref
        resolved = self.project.resolve(ref.qualname, depth + 1)
        return resolved if resolved is not None else ref

    def attribute_of(self, owner: Value | None, attr: str, depth: int) -> Value | None:
        if owner is None:
            return None
        if isinstance(owner, Ref):
            return self.resolve_ref(Ref(stubs.canonical(f"{owner.qualname}.{attr}")), depth)
        if isinstance(owner, Instance):
            known = stubs.ATTRIBUTE_TYPES.get((owner.type, attr))
            if known:
                return Instance(known)
            attribute_type = self.instance_attribute_type(owner.type, attr, depth + 1)
            if attribute_type is None:
                attribute_type = self.inherited_attribute_type(owner.type, attr, depth + 1)
            if attribute_type is None:  # a mixin's `self.client`, set by its subclasses
                attribute_type = mixin_attribute_type(self, owner.type, attr, depth + 1)
            if attribute_type is None and self.project is not None:  # ... in other modules
                attribute_type = self.project.mixin_attribute_type(owner.type, attr, depth + 1)
            if attribute_type is not None:
                return attribute_type
            wildcard = stubs.ATTRIBUTE_TYPES.get((owner.type, "*"))
            if wildcard and attr not in stubs.KNOWN_METHODS.get(owner.type, ()):
                return Instance(wildcard)
            return Member(owner.type, attr)
        return None

    def call_result(
        self, callee: Value | None, call: ast.Call, scope: Scope, depth: int
    ) -> Value | None:
        inner = offloaded.called_inside(callee, call)
        if inner is not None:  # `await asyncio.to_thread(make_client)`: the client
            return self.evaluate(inner, scope, depth + 1)
        if callee is None:  # `PROVIDERS.get(name)` over `PROVIDERS: dict[str, Provider]`
            return sequences.mapping_lookup(self, call, scope, depth + 1)
        if isinstance(callee, Ref):
            qualname = callee.qualname
            if qualname in (stubs.SESSIONMAKER, stubs.ASYNC_SESSIONMAKER):
                return Instance(sessionmaker_kind(self, call, scope, qualname))
            if qualname == "functools.partial" and call.args:
                return None
            if qualname == "contextlib.closing" and call.args:  # gives back its argument
                return self.evaluate(call.args[0], scope, depth + 1)
            if qualname == "builtins.super" and not call.args:
                return self._super_instance(scope)
            if qualname == SQLITE_CONNECT and opens_memory_database(self, call, scope):
                return Instance(MEMORY_CONNECTION)  # no file, no network: not a client
            if qualname in stubs.CALL_RETURNS:
                return Instance(stubs.CALL_RETURNS[qualname])
            if self.project is not None:
                returned = self.project.call_result(qualname, depth + 1)
                if returned is not None:
                    return returned
            local = self.local_function_return(qualname, depth + 1)
            if local is not None:
                return local
            return Instance(qualname) if _looks_like_class(qualname) else None
        if isinstance(callee, Member):
            method = f"{callee.owner}.{callee.name}"
            if method in stubs.METHOD_RETURNS:
                return Instance(stubs.METHOD_RETURNS[method])
            if self.project is not None:
                returned = self.project.call_result(method, depth + 1)
                if returned is not None:
                    return returned
            return self.local_function_return(method, depth + 1)
        if isinstance(callee, Instance):
            if callee.type in (stubs.SESSIONMAKER, "sqlalchemy.orm.scoped_session"):
                return Instance("sqlalchemy.orm.Session")
            if callee.type in (
                stubs.ASYNC_SESSIONMAKER,
                "sqlalchemy.ext.asyncio.async_scoped_session",
                # An `async_scoped_session(...)` registry is typed as the AsyncSession it
                # proxies (`scoped.commit()`); calling it (`scoped()`) gives that session.
                "sqlalchemy.ext.asyncio.AsyncSession",
            ):
                return Instance("sqlalchemy.ext.asyncio.AsyncSession")
        return None

    def local_function_return(self, qualname: str, depth: int) -> Value | None:
        function = self.function_named(qualname)
        if function is not None:
            return self.function_return_value(function, depth)
        return None

    def function_return_value(self, function: FunctionInfo, depth: int = 0) -> Value | None:
        """What calling a project function gives, from its annotation or its returns."""
        returns = function.node.returns
        if returns is not None and gives_a_list(self, returns, function.outer):
            return None  # `-> list[Item]`, `-> Item | list[Item]`: not one instance
        if returns is not None:
            annotated = self.annotation_type(
                returns, function.outer, depth + 1, unwrap_iterators=True
            )
            if annotated is not None and annotated not in _UNINFORMATIVE_RETURNS:
                return Instance(annotated)
        # Infer from the value returned or yielded (providers: `return SessionLocal()`),
        # also behind `-> Generator`/`-> Any`. Returns of different classes (a factory's
        # `GRPCServer(...)` and `HTTPServer(...)`) give their nearest common project base
        # (whose methods they all inherit), else no one type. `return ITEMS.get(key)` may
        # be None: no type (a route returning it has no known shape).
        found: Instance | None = None
        for ref in self.returns_of(function):
            node = ref.node
            if getattr(node, "value", None) is None:
                continue
            if sequences.may_miss(self, node.value, ref.scope):  # type: ignore[attr-defined]
                return None
            value = self.evaluate(node.value, ref.scope, depth + 1)  # type: ignore[attr-defined]
            if isinstance(value, Instance):
                if found is None:
                    found = value
                elif value.type != found.type:
                    common = self._common_project_base(found.type, value.type)
                    if common is None:
                        return None
                    found = Instance(common)
        return found

    def _common_project_base(self, first: str, second: str) -> str | None:
        """The nearest project class that both classes are or derive from."""
        others = {second, *self.class_bases(second)}
        for candidate in (first, *self.class_bases(first)):
            if candidate in others and self.class_anywhere(candidate) is not None:
                return candidate
        return None

    def returned_list_item(self, function: FunctionInfo, depth: int = 0) -> str | None:
        """The class ``X`` of a def annotated ``-> list[X]`` (``List``, ``Sequence``), or None."""
        returns = function.node.returns
        if not isinstance(returns, ast.Subscript) or too_deep(depth):
            return None
        outer = self.qualified_name(returns.value, function.outer) or ""
        if outer not in LIST_TYPES:
            return None
        elements = subscript_elements(returns)
        if len(elements) != 1:
            return None
        return self.annotation_type(elements[0], function.outer, depth + 1)

    def call_list_item(self, call: ast.Call, scope: Scope) -> str | None:
        """The class ``X`` when ``call`` calls a project def annotated ``-> list[X]``."""
        target = self.call_target(call, scope)
        if target is None:
            return None
        function = self.function_named(target)
        if function is not None:
            return self.returned_list_item(function)
        if self.project is not None:
            return self.project.list_item(target)
        return None

    def instance_attribute_type(self, class_qualname: str, attr: str, depth: int) -> Value | None:
        """Type of ``obj.attr`` for a project class: class annotations and ``self.x = ...``."""
        class_info = self.class_named(class_qualname)
        if class_info is not None:
            bindings = class_info.scope.bindings.get(attr)
            if bindings:
                value = property_value(self, bindings[-1], depth) or self.binding_value(
                    bindings[-1], depth + 1
                )
                if isinstance(value, Instance):
                    return value
            for ref in self.self_assignments(class_info, attr):
                node = ref.node
                annotation = getattr(node, "annotation", None)
                if annotation is not None:
                    annotated = self.annotation_type(annotation, ref.scope, depth + 1)
                    if annotated:
                        return Instance(annotated)
                value_node = getattr(node, "value", None)
                if value_node is not None:
                    value = self.evaluate(value_node, ref.scope, depth + 1)
                    if isinstance(value, Instance):
                        return value
                    # ``import psycopg2`` (often local to ``__init__``) then ``self.driver =
                    # psycopg2``: the attribute is the module, ``self.driver.connect`` its call.
                    if isinstance(value, Ref) and isinstance(value_node, ast.Name):
                        binding = self.lookup(value_node.id, ref.scope, value_node.lineno)
                        if binding is not None and isinstance(binding.node, ast.Import):
                            return value
            return None
        if self.project is not None:
            return self.project.attribute_type(class_qualname, attr, depth + 1)
        return None

    def inherited_attribute_type(self, class_qualname: str, attr: str, depth: int) -> Value | None:
        """Type of ``obj.attr`` that a project base class sets: a repository base's
        ``__init__`` storing ``self.session = session`` types ``self.session`` in every
        subclass. The first base (in the order ``class_bases`` lists them) that types it."""
        if too_deep(depth):
            return None
        for base in self.class_bases(class_qualname):
            if base.startswith("builtins."):
                continue
            found = self.instance_attribute_type(base, attr, depth + 1)
            if found is not None:
                return found
        return None

    # ------------------------------------------------------------ annotations
    def annotation_type(
        self, annotation: ast.AST, scope: Scope, depth: int = 0, unwrap_iterators: bool = False
    ) -> str | None:
        """The class an annotation names: ``Session``, ``Optional[Session]``, ``Annotated[S, ...]``."""
        return annotation_types.annotation_type(self, annotation, scope, depth, unwrap_iterators)

    def annotated_metadata(
        self, annotation: ast.AST, scope: Scope, depth: int = 0
    ) -> tuple[ast.AST | None, list[ast.expr], Scope]:
        """Split ``Annotated[T, meta...]`` (also through an alias like ``SessionDep``)."""
        return annotation_types.annotated_metadata(self, annotation, scope, depth)


# Return annotations that say nothing of what the function gives: a bare iterator or
# generator (`def get_db() -> Generator:`), `Any`, `object`.
_UNINFORMATIVE_RETURNS = frozenset(
    f"{module}.{name}"
    for module in ("typing", "typing_extensions", "collections.abc")
    for name in (
        "Any",
        "Iterator",
        "Generator",
        "Iterable",
        "AsyncIterator",
        "AsyncGenerator",
        "AsyncIterable",
    )
) | {"builtins.object"}


def _pick_own(bindings: list[Binding], scope: Scope, line: int | None) -> Binding | None:
    """The last of ``bindings`` made in ``scope`` itself, before ``line`` when known."""
    own = [b for b in bindings if b.scope is scope and (line is None or b.line <= line)]
    return own[-1] if own else None


def _pick(bindings: list[Binding], line: int | None) -> Binding:
    if line is not None:
        before = [b for b in bindings if b.line <= line]
        if before:
            return before[-1]
    return bindings[-1]


def _looks_like_class(qualname: str) -> bool:
    last = qualname.rsplit(".", 1)[-1]
    return bool(last) and last[0].isupper()

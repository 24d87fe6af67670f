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
import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Union

from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.values import Instance, Member, Ref, Value

if TYPE_CHECKING:
    from fastapi_lint.semantic.fastapi import FastAPIFacts
    from fastapi_lint.semantic.project import ProjectFacts

BUILTIN_NAMES = frozenset(dir(builtins))
MAX_EVAL_DEPTH = 16

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]


_UNSET = object()


class ScopeKind(enum.Enum):
    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"
    LAMBDA = "lambda"
    COMPREHENSION = "comprehension"


class BindingKind(enum.Enum):
    IMPORT = "import"
    ASSIGN = "assign"
    PARAM = "param"
    FUNCTION = "function"
    CLASS = "class"
    WITH = "with"
    FOR = "for"
    OTHER = "other"


@dataclass(eq=False)
class Binding:
    name: str
    kind: BindingKind
    node: ast.AST
    scope: Scope
    qualname: Optional[str] = None  # imports, functions, classes
    value: Optional[ast.expr] = None  # assigned value, `with` context, `for` iterable
    annotation: Optional[ast.expr] = None
    # For ASSIGN from tuple unpacking of a non-tuple: which element (None = whole value).
    unpack_index: Optional[int] = None

    @property
    def line(self) -> int:
        return getattr(self.node, "lineno", 0)


@dataclass(eq=False)
class Scope:
    kind: ScopeKind
    node: ast.AST
    parent: Optional[Scope]
    function: Optional[FunctionInfo] = None  # for FUNCTION scopes
    class_info: Optional[ClassInfo] = None  # for CLASS scopes
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)

    def bind(self, binding: Binding) -> None:
        target = self
        if binding.name in self.global_names:
            while target.parent is not None:
                target = target.parent
        target.bindings.setdefault(binding.name, []).append(binding)

    @property
    def code_function(self) -> Optional[FunctionInfo]:
        """The function whose body runs this scope's code inline.

        Comprehensions run inline in their function; lambdas, classes and
        nested defs run elsewhere (or later), so they have none.
        """
        cached = self.__dict__.get("_code_function", _UNSET)
        if cached is not _UNSET:
            return cached  # type: ignore[no-any-return]
        scope: Optional[Scope] = self
        while scope is not None and scope.kind is ScopeKind.COMPREHENSION:
            scope = scope.parent
        result = scope.function if scope is not None and scope.kind is ScopeKind.FUNCTION else None
        self.__dict__["_code_function"] = result
        return result


@dataclass(eq=False)
class ClassInfo:
    node: ast.ClassDef
    qualname: str
    scope: Scope  # the class body's scope
    outer: Scope

    @property
    def name(self) -> str:
        return self.node.name


@dataclass(eq=False)
class FunctionInfo:
    node: FunctionNode
    qualname: str
    outer: Scope  # the scope the def statement is in
    scope: Scope = field(init=False)
    class_info: Optional[ClassInfo] = None  # for methods
    parent_function: Optional[FunctionInfo] = None  # for nested functions

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def is_async(self) -> bool:
        return isinstance(self.node, ast.AsyncFunctionDef)

    @property
    def is_method(self) -> bool:
        return self.class_info is not None

    @property
    def def_line(self) -> int:
        return self.node.lineno


class NodeRef(NamedTuple):
    """A node of interest and the scope it was found in."""

    node: ast.AST
    scope: Scope


# Fields that hold child nodes, per node type. `ctx` and operator fields only
# hold singleton marker nodes (Load, Add, Eq...): skipping them halves the walk.
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _children(node: ast.AST, node_type: type) -> list[ast.AST]:
    fields = _CHILD_FIELDS.get(node_type)
    if fields is None:
        fields = tuple(f for f in node_type._fields if f not in _SKIPPED_FIELDS)  # type: ignore[attr-defined]
        _CHILD_FIELDS[node_type] = fields
    result: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if value is None:
            continue
        if type(value) is list:
            for item in value:
                if isinstance(item, ast.AST):
                    result.append(item)
        elif isinstance(value, ast.AST):
            result.append(value)
    return result


# Node types without child nodes (``ctx`` aside): the traversal records them and
# goes no further. Names and constants are about half the nodes of a module.
_LEAF_TYPES = frozenset(
    {ast.Name, ast.Constant, ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal}
)


# Node types recorded for rules; everything else is only traversed.
RECORDED_TYPES: tuple[type, ...] = (
    ast.Call,
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
    ast.Compare,
    ast.Dict,
    ast.Return,
    ast.Yield,
    ast.YieldFrom,
    ast.Attribute,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.comprehension,
    ast.With,
    ast.AsyncWith,
    ast.Constant,
    ast.Name,
)


class ModuleModel:
    """Everything rules need to know about one module."""

    def __init__(
        self,
        tree: ast.Module,
        path: str,
        module_name: str,
        lines: list[str] | None = None,
        project: ProjectFacts | None = None,
        options: dict[str, object] | None = None,
    ) -> None:
        self.tree = tree
        self.path = path
        self.module_name = module_name
        self.lines = lines or []
        self.project = project
        self.options = options or {}
        self.functions: list[FunctionInfo] = []
        self.classes: list[ClassInfo] = []
        self.nodes: dict[type, list[NodeRef]] = {t: [] for t in RECORDED_TYPES}
        self.parents: dict[int, ast.AST] = {}
        self.function_by_node: dict[int, FunctionInfo] = {}
        self.class_by_node: dict[int, ClassInfo] = {}
        self.scope_of_node: dict[int, Scope] = {}
        self.module_scope = Scope(ScopeKind.MODULE, tree, None)
        _Builder(self).build()
        self._eval_stack: set[int] = set()
        self._eval_memo: dict[tuple[int, int], Value | None] = {}
        self._fastapi: FastAPIFacts | None = None

    def internal_references(self) -> int:
        """References to this model from objects it owns (its FastAPI facts, query flow)."""
        return sum(
            getattr(self.__dict__.get(name), "model", None) is self
            for name in ("_fastapi", "_query_flow")
        )

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
        generators = self.__dict__.get("_generator_functions")
        if generators is None:
            generators = set()
            for ref in self.of_type(ast.Yield, ast.YieldFrom):
                owner = ref.scope.code_function
                if owner is not None:
                    generators.add(id(owner.node))
            self.__dict__["_generator_functions"] = generators
        return id(function.node) in generators

    def function_named(self, qualname: str) -> FunctionInfo | None:
        """The first def of ``qualname`` in this module (a getter before its setter)."""
        table: dict[str, FunctionInfo] | None = self.__dict__.get("_functions_by_qualname")
        if table is None:
            table = {}
            for function in self.functions:
                table.setdefault(function.qualname, function)
            self.__dict__["_functions_by_qualname"] = table
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
        table: dict[str, ClassInfo] | None = self.__dict__.get("_classes_by_qualname")
        if table is None:
            table = {}
            for class_info in self.classes:
                table.setdefault(class_info.qualname, class_info)
            self.__dict__["_classes_by_qualname"] = table
        return table.get(qualname)

    def returns_of(self, function: FunctionInfo) -> list[NodeRef]:
        """The ``return`` then ``yield`` nodes a def runs itself (not nested defs')."""
        table: dict[int, list[NodeRef]] | None = self.__dict__.get("_returns_by_function")
        if table is None:
            table = {}
            for ref in self.nodes[ast.Return] + self.nodes[ast.Yield]:
                owner = ref.scope.code_function
                if owner is not None:
                    table.setdefault(id(owner.node), []).append(ref)
            self.__dict__["_returns_by_function"] = table
        return table.get(id(function.node), [])

    def self_assignments(self, class_info: ClassInfo, attr: str) -> list[NodeRef]:
        """``self.attr = ...`` / ``self.attr: T = ...`` statements in the class's methods."""
        table: dict[tuple[int, str], list[NodeRef]] | None = self.__dict__.get("_self_assignments")
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
            self.__dict__["_self_assignments"] = table
        return table.get((id(class_info), attr), [])

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
            if name in current.global_names:
                current = self.module_scope
            bindings = current.bindings.get(name)
            if bindings:
                return _pick(bindings, line if current is scope else None)
            first = False
            current = current.parent
        return None

    def qualified_name(self, expr: ast.AST, scope: Scope) -> str | None:
        """The canonical qualified name an expression refers to, if it names something."""
        value = self.evaluate(expr, scope)
        if isinstance(value, Ref):
            return value.qualname
        return None

    def call_target(self, call: ast.Call, scope: Scope) -> str | None:
        """What a call calls: ``requests.get``, or ``httpx.Client.get`` for a method."""
        value = self.evaluate(call.func, scope)
        if isinstance(value, Ref):
            return value.qualname
        if isinstance(value, Member):
            return f"{value.owner}.{value.name}"
        return None

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
        if depth > MAX_EVAL_DEPTH:
            return None
        # Only nodes of this module's tree are memoized: a temporary node (a
        # parsed string annotation) dies, and its id() may be reused.
        memo_key = (id(expr), id(scope)) if id(expr) in self.parents else None
        memo = self._eval_memo
        if memo_key in memo:
            return memo[memo_key]  # type: ignore[index]
        key = id(expr)
        if key in self._eval_stack:
            return None
        self._eval_stack.add(key)
        try:
            result = self._evaluate(expr, scope, depth)
        finally:
            self._eval_stack.discard(key)
        # Each expression sits in one scope and names resolve the same way
        # every time, so a result is computed once per model.
        if memo_key is not None:
            memo[memo_key] = result
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
            return self.call_result(callee, expr, scope, depth + 1)
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
            return None
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
            if binding.annotation is not None and not isinstance(value, Instance):
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
        return None

    def _generator_item(self, call: ast.Call, scope: Scope, depth: int) -> Value | None:
        callee = self.evaluate(call.func, scope, depth + 1)
        if not isinstance(callee, Ref):
            return None
        local = self.function_named(callee.qualname)
        if local is None:
            if self.project is not None:
                return self.project.generator_item(callee.qualname, depth + 1)
            return None
        if not self.is_generator(local):
            return None
        value = self.function_return_value(local, depth + 1)
        return value if isinstance(value, Instance) else None

    def _param_value(self, binding: Binding, depth: int) -> Value | None:
        arg = binding.node
        assert isinstance(arg, ast.arg)
        function = binding.scope.function
        if function is not None and function.class_info is not None:
            positional = function.node.args.posonlyargs + function.node.args.args
            if positional and positional[0] is arg and not _is_staticmethod(function.node):
                if _is_classmethod(function.node):
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
            return self.dependency_value(function, arg, depth + 1)
        return None

    def dependency_target(
        self, function: FunctionInfo, arg: ast.arg
    ) -> tuple[ast.expr, Scope] | None:
        """The provider of a ``Depends(p)`` parameter (default or ``Annotated`` metadata)."""
        args = function.node.args
        positional = args.posonlyargs + args.args
        default: ast.expr | None = None
        if arg in positional:
            index = positional.index(arg) - (len(positional) - len(args.defaults))
            if index >= 0:
                default = args.defaults[index]
        elif arg in args.kwonlyargs:
            default = args.kw_defaults[args.kwonlyargs.index(arg)]
        candidates: list[tuple[ast.expr, Scope]] = []
        if default is not None:
            candidates.append((default, function.outer))
        if arg.annotation is not None:
            _, metadata, meta_scope = self.annotated_metadata(arg.annotation, function.outer)
            candidates.extend((meta, meta_scope) for meta in metadata)
        for candidate, scope in candidates:
            if not isinstance(candidate, ast.Call):
                continue
            if self.qualified_name(candidate.func, scope) not in (
                "fastapi.Depends",
                "fastapi.Security",
            ):
                continue
            if candidate.args:
                return candidate.args[0], scope
            for keyword in candidate.keywords:
                if keyword.arg == "dependency":
                    return keyword.value, scope
        return None

    def dependency_value(
        self, function: FunctionInfo, arg: ast.arg, depth: int = 0
    ) -> Value | None:
        """What a ``Depends(p)`` parameter receives: the provider's return (or yield) value."""
        if depth > MAX_EVAL_DEPTH:
            return None
        found = self.dependency_target(function, arg)
        if found is None:
            return None
        target, scope = found
        provider = self.evaluate(target, scope, depth + 1)
        if isinstance(provider, Ref):
            qualname = provider.qualname
            if qualname in stubs.CALL_RETURNS:
                return Instance(stubs.CALL_RETURNS[qualname])
            local = self._local_function_return(qualname, depth + 1)
            if local is not None:
                return local
            if self.project is not None:
                return self.project.call_result(qualname, depth + 1)
            return None
        if isinstance(provider, Instance):
            # `Depends(SessionLocal)`: calling the sessionmaker makes the session.
            if provider.type in (stubs.SESSIONMAKER, "sqlalchemy.orm.scoped_session"):
                return Instance("sqlalchemy.orm.Session")
            if provider.type == stubs.ASYNC_SESSIONMAKER:
                return Instance("sqlalchemy.ext.asyncio.AsyncSession")
        return None

    def resolve_ref(self, ref: Ref, depth: int = 0) -> Value:
        """Follow a project-level name to what it holds (a module constant, a client)."""
        if self.project is None or depth > MAX_EVAL_DEPTH:
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
        if callee is None:
            return None
        if isinstance(callee, Ref):
            qualname = callee.qualname
            if qualname in (stubs.SESSIONMAKER, stubs.ASYNC_SESSIONMAKER):
                return Instance(self._sessionmaker_kind(call, scope, qualname))
            if qualname == "functools.partial" and call.args:
                return None
            if qualname in stubs.CALL_RETURNS:
                return Instance(stubs.CALL_RETURNS[qualname])
            if self.project is not None:
                returned = self.project.call_result(qualname, depth + 1)
                if returned is not None:
                    return returned
            local = self._local_function_return(qualname, depth + 1)
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
            return self._local_function_return(method, depth + 1)
        if isinstance(callee, Instance):
            if callee.type in (stubs.SESSIONMAKER, "sqlalchemy.orm.scoped_session"):
                return Instance("sqlalchemy.orm.Session")
            if callee.type in (
                stubs.ASYNC_SESSIONMAKER,
                "sqlalchemy.ext.asyncio.async_scoped_session",
            ):
                return Instance("sqlalchemy.ext.asyncio.AsyncSession")
        return None

    def _sessionmaker_kind(self, call: ast.Call, scope: Scope, qualname: str) -> str:
        for keyword in call.keywords:
            if keyword.arg == "class_":
                session_class = self.qualified_name(keyword.value, scope)
                if session_class and (
                    session_class in stubs.ASYNC_SESSION_TYPES
                    or session_class.endswith("AsyncSession")
                ):
                    return stubs.ASYNC_SESSIONMAKER
                return stubs.SESSIONMAKER
        return qualname

    def _local_function_return(self, qualname: str, depth: int) -> Value | None:
        function = self.function_named(qualname)
        if function is not None:
            return self.function_return_value(function, depth)
        return None

    def function_return_value(self, function: FunctionInfo, depth: int = 0) -> Value | None:
        """What calling a project function gives, from its annotation or its returns."""
        returns = function.node.returns
        if returns is not None:
            annotated = self.annotation_type(
                returns, function.outer, depth + 1, unwrap_iterators=True
            )
            if annotated is not None:
                return Instance(annotated)
        # Infer from the value returned or yielded (providers: `return SessionLocal()`).
        for ref in self.returns_of(function):
            node = ref.node
            if getattr(node, "value", None) is None:
                continue
            value = self.evaluate(node.value, ref.scope, depth + 1)  # type: ignore[attr-defined]
            if isinstance(value, Instance):
                return value
        return None

    def instance_attribute_type(self, class_qualname: str, attr: str, depth: int) -> Value | None:
        """Type of ``obj.attr`` for a project class: class annotations and ``self.x = ...``."""
        class_info = self.class_named(class_qualname)
        if class_info is not None:
            bindings = class_info.scope.bindings.get(attr)
            if bindings:
                value = self.binding_value(bindings[-1], depth + 1)
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
            return None
        if self.project is not None:
            return self.project.attribute_type(class_qualname, attr, depth + 1)
        return None

    # ------------------------------------------------------------ annotations
    def annotation_type(
        self, annotation: ast.AST, scope: Scope, depth: int = 0, unwrap_iterators: bool = False
    ) -> str | None:
        """The class an annotation names: ``Session``, ``Optional[Session]``, ``Annotated[S, ...]``."""
        if depth > MAX_EVAL_DEPTH:
            return None
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                parsed = ast.parse(annotation.value, mode="eval").body
            except (SyntaxError, ValueError):
                return None
            return self.annotation_type(parsed, scope, depth + 1, unwrap_iterators)
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            left = self.annotation_type(annotation.left, scope, depth + 1, unwrap_iterators)
            right = self.annotation_type(annotation.right, scope, depth + 1, unwrap_iterators)
            return left or right
        if isinstance(annotation, ast.Subscript):
            outer = self.qualified_name(annotation.value, scope) or ""
            short = outer.rsplit(".", 1)[-1]
            elements = subscript_elements(annotation)
            if short in (
                "Optional",
                "Annotated",
                "Union",
                "Final",
                "ClassVar",
                "Required",
                "NotRequired",
            ):
                for element in elements[:1] if short != "Union" else elements:
                    found = self.annotation_type(element, scope, depth + 1, unwrap_iterators)
                    if found and found != "builtins.None":
                        return found
                return None
            if unwrap_iterators and short in (
                "Iterator",
                "Generator",
                "AsyncIterator",
                "AsyncGenerator",
                "Iterable",
                "AsyncIterable",
                "ContextManager",
                "AsyncContextManager",
                "AbstractContextManager",
                "AbstractAsyncContextManager",
                "Awaitable",
                "Coroutine",
            ):
                index = 2 if short == "Coroutine" else 0
                if len(elements) > index:
                    return self.annotation_type(elements[index], scope, depth + 1)
            # A generic project class (`AuthenticationBackend[UP, ID]`) is an instance of it.
            if outer and (
                self.class_named(outer) is not None
                or (self.project is not None and self.project.is_class(outer))
            ):
                return outer
            return None
        if isinstance(annotation, (ast.Name, ast.Attribute)):
            # A type alias (`SessionDep = Annotated[Session, Depends(get_db)]`, here or imported).
            base, _, base_scope = self.annotated_metadata(annotation, scope, depth + 1)
            if base is not None and base is not annotation:
                return self.annotation_type(base, base_scope, depth + 1, unwrap_iterators)
        value = self.evaluate(annotation, scope, depth + 1)
        if isinstance(value, Ref):
            return stubs.canonical(value.qualname)
        if isinstance(value, Instance) and value.type == "typing.TypeAlias":
            return None
        return None

    def annotated_metadata(
        self, annotation: ast.AST, scope: Scope, depth: int = 0
    ) -> tuple[ast.AST | None, list[ast.expr], Scope]:
        """Split ``Annotated[T, meta...]`` (also through an alias like ``SessionDep``).

        Returns the base type node, the metadata nodes and the scope they must be
        evaluated in (the alias' scope when it came through a module-level alias).
        """
        if depth > MAX_EVAL_DEPTH:
            return annotation, [], scope
        if isinstance(annotation, ast.Subscript):
            outer = self.qualified_name(annotation.value, scope) or ""
            if outer.rsplit(".", 1)[-1] == "Annotated":
                elements = subscript_elements(annotation)
                if elements:
                    return elements[0], list(elements[1:]), scope
            if outer.rsplit(".", 1)[-1] == "Optional":
                elements = subscript_elements(annotation)
                if elements:
                    return self.annotated_metadata(elements[0], scope, depth + 1)
        if isinstance(annotation, ast.Name):
            binding = self.lookup(annotation.id, scope)
            if (
                binding is not None
                and binding.kind is BindingKind.ASSIGN
                and binding.value is not None
            ):
                return self.annotated_metadata(binding.value, binding.scope, depth + 1)
        if isinstance(annotation, (ast.Name, ast.Attribute)) and self.project is not None:
            # An alias defined in another module: `from app.deps import SessionDep`.
            qualname = self.qualified_name(annotation, scope)
            definition = (
                self.project.definition(qualname)
                if qualname and self.project.is_annotated_alias(qualname)
                else None
            )
            if definition is not None:
                other, binding = definition
                if binding.kind is BindingKind.ASSIGN and binding.value is not None:
                    return other.annotated_metadata(binding.value, binding.scope, depth + 1)
        return annotation, [], scope


def _pick(bindings: list[Binding], line: int | None) -> Binding:
    if line is not None:
        before = [b for b in bindings if b.line <= line]
        if before:
            return before[-1]
    return bindings[-1]


def subscript_elements(node: ast.Subscript) -> list[ast.expr]:
    inner = node.slice
    if isinstance(inner, ast.Index):  # type: ignore[attr-defined]  # Python 3.8 trees
        inner = inner.value  # type: ignore[attr-defined]
    if isinstance(inner, ast.Tuple):
        return list(inner.elts)
    return [inner]


def _looks_like_class(qualname: str) -> bool:
    last = qualname.rsplit(".", 1)[-1]
    return bool(last) and last[0].isupper()


def decorator_names(node: FunctionNode) -> set[str]:
    """The last name of each decorator: ``staticmethod``, ``get`` for ``@app.get(...)``."""
    names = set()
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            names.add(target.attr)
    return names


def _is_staticmethod(node: FunctionNode) -> bool:
    return "staticmethod" in decorator_names(node)


def _is_classmethod(node: FunctionNode) -> bool:
    return "classmethod" in decorator_names(node)


class _Builder:
    """One traversal of the tree: scopes, bindings, recorded nodes, parents."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.recorded = model.nodes
        self.parents = model.parents

    def build(self) -> None:
        model = self.model
        self._visit_body(model.tree.body, model.tree, model.module_scope)

    # An explicit work list instead of recursion keeps deep expression trees
    # (thousands of chained `+`) from hitting the recursion limit.
    def _visit_body(self, nodes: list, parent: ast.AST, scope: Scope) -> None:
        for node in nodes:
            self.visit(node, parent, scope)

    def visit(self, root: ast.AST, root_parent: ast.AST, scope: Scope) -> None:
        stack: list[tuple[ast.AST, ast.AST, Scope]] = [(root, root_parent, scope)]
        pop = stack.pop
        push = stack.append
        parents = self.parents
        recorded_get = self.recorded.get
        handlers_get = _HANDLERS.get
        fields_get = _CHILD_FIELDS.get
        leaves = _LEAF_TYPES
        # Children are pushed in reverse so that they are visited in source
        # order (rules read the recorded nodes in that order).
        while stack:
            node, parent, current = pop()
            parents[id(node)] = parent
            node_type = type(node)
            bucket = recorded_get(node_type)
            if bucket is not None:
                bucket.append(NodeRef(node, current))
            if node_type in leaves:
                continue  # names and constants: no child nodes (most of a tree)
            handler = handlers_get(node_type)
            if handler is not None:
                children = handler(self, node, current)
                if children:
                    for child, child_scope in reversed(children):
                        push((child, node, child_scope))
                continue
            fields = fields_get(node_type)
            if fields is None:
                _children(node, node_type)  # fills the table of child fields
                fields = _CHILD_FIELDS[node_type]
            pending = []
            for name in fields:
                value = getattr(node, name, None)
                if value is None:
                    continue
                if type(value) is list:
                    for item in value:
                        if isinstance(item, ast.AST):
                            pending.append(item)
                elif isinstance(value, ast.AST):
                    pending.append(value)
            for child in reversed(pending):
                push((child, node, current))

    # --- handlers return the (child, scope) pairs to visit, in order
    def _generic(self, node: ast.AST, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        return [(child, scope) for child in _children(node, type(node))]

    def _qualname(self, scope: Scope, name: str) -> str:
        parts = [name]
        current: Optional[Scope] = scope
        while current is not None and current.kind is not ScopeKind.MODULE:
            if current.kind is ScopeKind.CLASS and current.class_info is not None:
                parts.append(current.class_info.name)
            elif current.kind is ScopeKind.FUNCTION and current.function is not None:
                parts.append(current.function.name)
            current = current.parent
        parts.append(self.model.module_name)
        return ".".join(reversed([p for p in parts if p]))

    def visit_function(self, node: FunctionNode, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        model = self.model
        class_info = scope.class_info if scope.kind is ScopeKind.CLASS else None
        info = FunctionInfo(
            node=node,
            qualname=self._qualname(scope, node.name),
            outer=scope,
            class_info=class_info,
            parent_function=scope.code_function if scope.kind is not ScopeKind.CLASS else None,
        )
        function_scope = Scope(ScopeKind.FUNCTION, node, scope, function=info)
        info.scope = function_scope
        model.functions.append(info)
        model.function_by_node[id(node)] = info
        model.scope_of_node[id(node)] = function_scope
        scope.bind(Binding(node.name, BindingKind.FUNCTION, node, scope, qualname=info.qualname))
        children: list[tuple[ast.AST, Scope]] = [(d, scope) for d in node.decorator_list]
        args = node.args
        for default in args.defaults + [d for d in args.kw_defaults if d is not None]:
            children.append((default, scope))
        all_args = args.posonlyargs + args.args + args.kwonlyargs
        if args.vararg:
            all_args.append(args.vararg)
        if args.kwarg:
            all_args.append(args.kwarg)
        for arg in all_args:
            function_scope.bind(
                Binding(arg.arg, BindingKind.PARAM, arg, function_scope, annotation=arg.annotation)
            )
            if arg.annotation is not None:
                children.append((arg.annotation, scope))
        if node.returns is not None:
            children.append((node.returns, scope))
        self._prescan_globals(node.body, function_scope)
        children.extend((stmt, function_scope) for stmt in node.body)
        return children

    def _prescan_globals(self, body: list[ast.stmt], scope: Scope) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.Global, ast.Nonlocal)):
                scope.global_names.update(stmt.names if isinstance(stmt, ast.Global) else ())

    def visit_class(self, node: ast.ClassDef, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        model = self.model
        class_scope = Scope(ScopeKind.CLASS, node, scope)
        info = ClassInfo(
            node=node, qualname=self._qualname(scope, node.name), scope=class_scope, outer=scope
        )
        class_scope.class_info = info
        model.classes.append(info)
        model.class_by_node[id(node)] = info
        model.scope_of_node[id(node)] = class_scope
        scope.bind(Binding(node.name, BindingKind.CLASS, node, scope, qualname=info.qualname))
        children: list[tuple[ast.AST, Scope]] = [(d, scope) for d in node.decorator_list]
        children.extend((b, scope) for b in node.bases)
        children.extend((k, scope) for k in node.keywords)
        children.extend((stmt, class_scope) for stmt in node.body)
        return children

    def visit_lambda(self, node: ast.Lambda, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        lambda_scope = Scope(ScopeKind.LAMBDA, node, scope)
        self.model.scope_of_node[id(node)] = lambda_scope
        args = node.args
        children: list[tuple[ast.AST, Scope]] = [(d, scope) for d in args.defaults]
        children.extend((d, scope) for d in args.kw_defaults if d is not None)
        for arg in (
            args.posonlyargs
            + args.args
            + args.kwonlyargs
            + [a for a in (args.vararg, args.kwarg) if a]
        ):
            lambda_scope.bind(Binding(arg.arg, BindingKind.PARAM, arg, lambda_scope))
        children.append((node.body, lambda_scope))
        return children

    def visit_comprehension_expr(self, node: ast.AST, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        comp_scope = Scope(ScopeKind.COMPREHENSION, node, scope)
        self.model.scope_of_node[id(node)] = comp_scope
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        children: list[tuple[ast.AST, Scope]] = []
        for index, generator in enumerate(generators):
            # The first iterable is evaluated in the enclosing scope.
            self.parents[id(generator)] = node
            self.recorded[ast.comprehension].append(NodeRef(generator, comp_scope))
            children.append((generator.iter, scope if index == 0 else comp_scope))
            self._bind_target(
                generator.target, comp_scope, BindingKind.FOR, generator, generator.iter
            )
            children.append((generator.target, comp_scope))
            children.extend((cond, comp_scope) for cond in generator.ifs)
        if isinstance(node, ast.DictComp):
            children.extend([(node.key, comp_scope), (node.value, comp_scope)])
        else:
            children.append((node.elt, comp_scope))  # type: ignore[attr-defined]
        return children

    def visit_import(self, node: ast.Import, scope: Scope) -> None:
        for alias in node.names:
            if alias.asname:
                scope.bind(
                    Binding(alias.asname, BindingKind.IMPORT, node, scope, qualname=alias.name)
                )
            else:
                top = alias.name.split(".", 1)[0]
                scope.bind(Binding(top, BindingKind.IMPORT, node, scope, qualname=top))
        return None

    def visit_import_from(self, node: ast.ImportFrom, scope: Scope) -> None:
        module = self._absolute_module(node)
        for alias in node.names:
            if alias.name == "*":
                continue
            local = alias.asname or alias.name
            qualname = f"{module}.{alias.name}" if module else alias.name
            scope.bind(Binding(local, BindingKind.IMPORT, node, scope, qualname=qualname))
        return None

    def _absolute_module(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        package_parts = self.model.module_name.split(".")
        is_package = self.model.path.replace("\\", "/").endswith("/__init__.py")
        if not is_package:
            package_parts = package_parts[:-1]
        if node.level > 1:
            package_parts = package_parts[: len(package_parts) - (node.level - 1)]
        base = ".".join(package_parts)
        if node.module:
            return f"{base}.{node.module}" if base else node.module
        return base

    def _bind_target(
        self,
        target: ast.AST,
        scope: Scope,
        kind: BindingKind,
        node: ast.AST,
        value: ast.expr | None,
        annotation: ast.expr | None = None,
    ) -> None:
        if isinstance(target, ast.Name):
            scope.bind(Binding(target.id, kind, node, scope, value=value, annotation=annotation))
        elif isinstance(target, (ast.Tuple, ast.List)):
            elements = target.elts
            values = (
                value.elts
                if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(elements)
                else None
            )
            for index, element in enumerate(elements):
                if isinstance(element, ast.Starred):
                    element = element.value
                if values is not None and kind is BindingKind.ASSIGN:
                    self._bind_target(element, scope, kind, node, values[index])
                elif isinstance(element, ast.Name):
                    scope.bind(
                        Binding(
                            element.id,
                            kind if kind is not BindingKind.ASSIGN else BindingKind.ASSIGN,
                            node,
                            scope,
                            value=value,
                            unpack_index=index,
                        )
                    )
                else:
                    self._bind_target(element, scope, BindingKind.OTHER, node, None)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, scope, kind, node, None)

    def visit_assign(self, node: ast.Assign, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        for target in node.targets:
            self._bind_target(target, scope, BindingKind.ASSIGN, node, node.value)
        return self._generic(node, scope)

    def visit_ann_assign(self, node: ast.AnnAssign, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        self._bind_target(node.target, scope, BindingKind.ASSIGN, node, node.value, node.annotation)
        return self._generic(node, scope)

    def visit_aug_assign(self, node: ast.AugAssign, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        if isinstance(node.target, ast.Name) and not scope.bindings.get(node.target.id):
            scope.bind(Binding(node.target.id, BindingKind.OTHER, node, scope))
        return self._generic(node, scope)

    def visit_named_expr(self, node: ast.NamedExpr, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        target_scope = scope
        while target_scope.kind is ScopeKind.COMPREHENSION and target_scope.parent is not None:
            target_scope = target_scope.parent
        self._bind_target(node.target, target_scope, BindingKind.ASSIGN, node, node.value)
        return self._generic(node, scope)

    def visit_for(self, node: ast.For | ast.AsyncFor, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        self._bind_target(node.target, scope, BindingKind.FOR, node, node.iter)
        return self._generic(node, scope)

    def visit_with(
        self, node: ast.With | ast.AsyncWith, scope: Scope
    ) -> list[tuple[ast.AST, Scope]]:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind_target(
                    item.optional_vars, scope, BindingKind.WITH, node, item.context_expr
                )
        return self._generic(node, scope)

    def visit_except(self, node: ast.ExceptHandler, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        if node.name:
            scope.bind(Binding(node.name, BindingKind.OTHER, node, scope))
        return self._generic(node, scope)

    def visit_delete_like(self, node: ast.AST, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        return self._generic(node, scope)


_Handler = Callable[[_Builder, Any, Scope], Optional[list[tuple[ast.AST, Scope]]]]
_HANDLERS: dict[type, _Handler] = {
    ast.FunctionDef: _Builder.visit_function,
    ast.AsyncFunctionDef: _Builder.visit_function,
    ast.ClassDef: _Builder.visit_class,
    ast.Lambda: _Builder.visit_lambda,
    ast.ListComp: _Builder.visit_comprehension_expr,
    ast.SetComp: _Builder.visit_comprehension_expr,
    ast.GeneratorExp: _Builder.visit_comprehension_expr,
    ast.DictComp: _Builder.visit_comprehension_expr,
    ast.Import: _Builder.visit_import,
    ast.ImportFrom: _Builder.visit_import_from,
    ast.Assign: _Builder.visit_assign,
    ast.AnnAssign: _Builder.visit_ann_assign,
    ast.AugAssign: _Builder.visit_aug_assign,
    ast.NamedExpr: _Builder.visit_named_expr,
    ast.For: _Builder.visit_for,
    ast.AsyncFor: _Builder.visit_for,
    ast.With: _Builder.visit_with,
    ast.AsyncWith: _Builder.visit_with,
    ast.ExceptHandler: _Builder.visit_except,
}

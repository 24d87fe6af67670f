"""The one traversal that builds a module's model: scopes, bindings, recorded
nodes and parents (as pyflakes' Checker walks a module once)."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional

from fastapi_lint.semantic.scopes import (
    Binding,
    BindingKind,
    ClassInfo,
    FunctionInfo,
    NodeRef,
    Scope,
    ScopeKind,
)
from fastapi_lint.semantic.sibling_imports import sibling_module
from fastapi_lint.semantic.syntax import (
    FunctionNode,
    catches_named,
)

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

# Fields that may hold child nodes, per node type: ``(name, is_list)``. `ctx` and
# operator fields only hold singleton marker nodes (Load, Add, Eq...), and the
# fields below only ever hold names, numbers or flags: skipping them, and
# knowing which fields are lists, spares an isinstance test per field.
_SKIPPED_FIELDS = frozenset(
    {
        "ctx",
        "op",
        "ops",
        "type_comment",
        "simple",
        "attr",
        "id",
        "kind",
        "conversion",
        "module",
        "level",
        "rest",
        "is_async",
        "tag",
        "asname",
        "kwd_attrs",
    }
)
_CHILD_FIELDS: dict[type, tuple[tuple[str, bool], ...]] = {}


def _child_fields(node: ast.AST, node_type: type) -> tuple[tuple[str, bool], ...]:
    """The table entry of ``node_type``. A field that holds a list on one node
    holds a list on every node of its type (the grammar's ``*`` fields)."""
    fields = tuple(
        (name, type(getattr(node, name, None)) is list)
        for name in node_type._fields  # type: ignore[attr-defined]
        if name not in _SKIPPED_FIELDS
    )
    _CHILD_FIELDS[node_type] = fields
    return fields


# The same entries, last field first: the traversal pushes children in reverse.
_REVERSED_CHILD_FIELDS: dict[type, tuple[tuple[str, bool], ...]] = {}


def _reversed_child_fields(node: ast.AST, node_type: type) -> tuple[tuple[str, bool], ...]:
    fields = tuple(reversed(_CHILD_FIELDS.get(node_type) or _child_fields(node, node_type)))
    _REVERSED_CHILD_FIELDS[node_type] = fields
    return fields


def _children(node: ast.AST, node_type: type) -> list[ast.AST]:
    fields = _CHILD_FIELDS.get(node_type) or _child_fields(node, node_type)
    result: list[ast.AST] = []
    for name, is_list in fields:
        value = getattr(node, name, None)
        if value is None:
            continue
        if is_list:
            # Items are nodes or None (a dict's `**` key), or names (`global a, b`).
            for item in value:
                if item is not None and type(item) is not str:
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
# `case "literal":` patterns (3.10+): a `match` compares its subject with each.
MATCH_VALUE: type | None = getattr(ast, "MatchValue", None)
if MATCH_VALUE is not None:
    RECORDED_TYPES += (MATCH_VALUE,)


class Builder:
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
        fields_get = _REVERSED_CHILD_FIELDS.get
        leaves = _LEAF_TYPES
        ast_type = ast.AST
        # NodeRef(node, scope) without the NamedTuple's Python-level __new__
        # (a tenth of the traversal: there is one per name and constant).
        new_ref = tuple.__new__
        ref_type = NodeRef
        # Children are pushed in reverse so that they are visited in source
        # order (rules read the recorded nodes in that order).
        while stack:
            node, parent, current = pop()
            parents[node] = parent
            node_type = type(node)
            bucket = recorded_get(node_type)
            if bucket is not None:
                bucket.append(new_ref(ref_type, (node, current)))
            if node_type in leaves:
                continue  # names and constants: no child nodes (most of a tree)
            handler = handlers_get(node_type)
            if handler is not None:
                children = handler(self, node, current)
                if children:
                    for child, child_scope in reversed(children):
                        push((child, node, child_scope))
                continue
            # Last field first and list items last first: popped in source order.
            fields = fields_get(node_type) or _reversed_child_fields(node, node_type)
            for name, is_list in fields:
                value = getattr(node, name, None)
                if value is None:
                    continue
                if is_list:
                    for item in reversed(value):
                        if item is not None and type(item) is not str:
                            push((item, node, current))
                elif isinstance(value, ast_type):
                    push((value, node, current))

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
        if model.may_declare_globals:
            self._prescan_globals(node.body, function_scope)
        children.extend((stmt, function_scope) for stmt in node.body)
        return children

    def _prescan_globals(self, body: list[ast.stmt], scope: Scope) -> None:
        # A `global` statement anywhere in the function's blocks (under `with _lock:`,
        # `if`, `try`) declares the name for the whole function; nested defs and classes
        # have their own scope.
        for stmt in body:
            if isinstance(stmt, ast.Global):
                scope.global_names.update(stmt.names)
            elif not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self._prescan_globals(_nested_statements(stmt), scope)

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
            self.parents[generator] = node
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
        primary = self._primary_imports(node)
        for alias in node.names:
            if (alias.asname or alias.name.split(".", 1)[0]) in primary:
                continue
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
        primary = self._primary_imports(node)
        for alias in node.names:
            if alias.name == "*":
                if module and scope is self.model.module_scope:
                    # Its names are known only to the project (``ModuleModel.star_binding``).
                    self.model.star_imports.append((module, node))
                continue
            local = alias.asname or alias.name
            if local in primary:
                continue
            qualname = f"{module}.{alias.name}" if module else alias.name
            scope.bind(Binding(local, BindingKind.IMPORT, node, scope, qualname=qualname))
        return None

    def _absolute_module(self, node: ast.ImportFrom) -> str:
        if not node.level:
            module = node.module or ""
            names = [alias.name for alias in node.names]
            return sibling_module(self.model, module, names) or module
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
        if not self._import_placeholder(node):
            for target in node.targets:
                self._bind_target(target, scope, BindingKind.ASSIGN, node, node.value)
        return self._generic(node, scope)

    def _import_placeholder(self, node: ast.Assign) -> bool:
        """``try: import bcrypt`` / ``except ImportError: bcrypt = None``: the stand-in for
        a missing optional dependency. Where the code calls the library it is installed,
        so the name is the import; binding the ``None`` (the later binding) would leave
        every use of the library unresolved. An exception class stands in the same way
        (``except ImportError: JWTError = Exception``): ``except JWTError`` catches the
        library's error, not every error."""
        if not _placeholder_value(node.value):
            return False
        imported = self._primary_imports(node)
        return bool(imported) and all(
            isinstance(t, ast.Name) and t.id in imported for t in node.targets
        )

    def _primary_imports(self, node: ast.stmt) -> set[str]:
        """The names the ``try`` body imports when ``node`` sits in its ``except
        ImportError`` handler: ``try: from pydantic import field_validator`` / ``except
        ImportError: from pydantic import validator as field_validator``. Where the code
        runs the library is installed, so a name is the ``try`` body's import; the
        handler's rebinding (a fallback for older installs, a ``None`` stand-in) is
        not what the name holds."""
        handler = self.parents.get(node)
        if not isinstance(handler, ast.ExceptHandler) or not catches_named(
            handler.type, _IMPORT_ERRORS
        ):
            return set()
        statement = self.parents.get(handler)
        if not isinstance(statement, _TRY_TYPES):
            return set()
        imported: set[str] = set()
        body: list[ast.stmt] = getattr(statement, "body", [])
        for item in body:
            if isinstance(item, ast.Import):
                imported.update(a.asname or a.name.split(".", 1)[0] for a in item.names)
            elif isinstance(item, ast.ImportFrom):
                imported.update(a.asname or a.name for a in item.names)
        return imported

    def visit_ann_assign(self, node: ast.AnnAssign, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        self._bind_target(node.target, scope, BindingKind.ASSIGN, node, node.value, node.annotation)
        return self._generic(node, scope)

    def visit_type_alias(self, node: Any, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        # `type SessionDep = Annotated[Session, Depends(get_db)]` (3.12): FastAPI unwraps
        # the alias (0.118+), so it binds its name as an assignment would.
        self._bind_target(node.name, scope, BindingKind.ASSIGN, node, node.value)
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


_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


def _placeholder_value(value: ast.expr) -> bool:
    """``None``, a builtin exception class (``Exception``, ``ValueError``), ``object``
    (``APIRouter = object``) or a lambda (``Query = lambda *a, **kw: None``): stand-ins
    that only keep the module importable without the library."""
    if isinstance(value, ast.Constant):
        return value.value is None
    if isinstance(value, ast.Lambda):
        return True
    if not isinstance(value, ast.Name):
        return False
    builtin = getattr(builtins, value.id, None)
    return builtin is object or (isinstance(builtin, type) and issubclass(builtin, BaseException))


_TRY_TYPES: tuple[type, ...] = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)


_Handler = Callable[[Builder, Any, Scope], Optional[list[tuple[ast.AST, Scope]]]]
_HANDLERS: dict[type, _Handler] = {
    ast.FunctionDef: Builder.visit_function,
    ast.AsyncFunctionDef: Builder.visit_function,
    ast.ClassDef: Builder.visit_class,
    ast.Lambda: Builder.visit_lambda,
    ast.ListComp: Builder.visit_comprehension_expr,
    ast.SetComp: Builder.visit_comprehension_expr,
    ast.GeneratorExp: Builder.visit_comprehension_expr,
    ast.DictComp: Builder.visit_comprehension_expr,
    ast.Import: Builder.visit_import,
    ast.ImportFrom: Builder.visit_import_from,
    ast.Assign: Builder.visit_assign,
    ast.AnnAssign: Builder.visit_ann_assign,
    ast.AugAssign: Builder.visit_aug_assign,
    ast.NamedExpr: Builder.visit_named_expr,
    ast.For: Builder.visit_for,
    ast.AsyncFor: Builder.visit_for,
    ast.With: Builder.visit_with,
    ast.AsyncWith: Builder.visit_with,
    ast.ExceptHandler: Builder.visit_except,
}
if hasattr(ast, "TypeAlias"):  # Python 3.12+
    _HANDLERS[ast.TypeAlias] = Builder.visit_type_alias


def _nested_statements(stmt: ast.stmt) -> list[ast.stmt]:
    """The statements of the blocks of a compound statement (none for a simple one)."""
    nested: list[ast.stmt] = []
    for field in ("body", "orelse", "finalbody"):
        block = getattr(stmt, field, None)
        if isinstance(block, list):
            nested.extend(child for child in block if isinstance(child, ast.stmt))
    for handler in getattr(stmt, "handlers", None) or ():
        nested.extend(handler.body)
    for case in getattr(stmt, "cases", None) or ():
        nested.extend(case.body)
    return nested

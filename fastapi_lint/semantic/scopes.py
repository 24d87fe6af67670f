"""Scopes, bindings, functions and classes: what the builder records of a module."""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Optional

from fastapi_lint.semantic.syntax import FunctionNode

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

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

    @property
    def assigned(self) -> Optional[ast.expr]:
        """The whole value of a plain ``name = value`` (None for other kinds and for one
        element unpacked from a value that is not a tuple literal)."""
        if self.kind is BindingKind.ASSIGN and self.unpack_index is None:
            return self.value
        return None


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


class NodeRef(NamedTuple):
    """A node of interest and the scope it was found in."""

    node: ast.AST
    scope: Scope


def enclosing_scope(model: ModuleModel, node: ast.AST) -> Scope:
    """The scope ``node`` is evaluated in: its innermost function, lambda or comprehension."""
    for ancestor in model.ancestors(node):
        scope = model.scope_of_node.get(id(ancestor))
        if scope is not None:
            return scope
    return model.module_scope

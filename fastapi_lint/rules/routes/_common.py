"""What the route rules share: type knowledge, the examples' app, and helpers
that read a route's function, returns and responses.
"""

from __future__ import annotations

import ast
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from fastapi_lint.project.index import index_of
from fastapi_lint.semantic.syntax import keyword_value, last_name
from fastapi_lint.semantic.values import Instance, Member

if TYPE_CHECKING:
    from fastapi_lint.semantic.fastapi import RouteInfo
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope


APP = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
APP_ITEM = (
    "from fastapi import FastAPI\nfrom pydantic import BaseModel\n\napp = FastAPI()\n\n\n"
    "class Item(BaseModel):\n    id: int\n    name: str\n\n\n"
)


# ------------------------------------------------------------ type knowledge

ANY_TYPES = frozenset({"typing.Any", "typing_extensions.Any", "builtins.object"})
MAPPING_TYPES = frozenset(
    {
        "builtins.dict",
        "typing.Dict",
        "typing.Mapping",
        "typing.MutableMapping",
        "typing.OrderedDict",
        "typing.DefaultDict",
        "typing_extensions.OrderedDict",
        "collections.OrderedDict",
        "collections.defaultdict",
        "collections.abc.Mapping",
        "collections.abc.MutableMapping",
    }
)
SEQUENCE_TYPES = frozenset(
    {
        "builtins.list",
        "builtins.set",
        "builtins.frozenset",
        "builtins.tuple",
        "typing.List",
        "typing.Set",
        "typing.FrozenSet",
        "typing.Tuple",
        "typing.Sequence",
        "typing.MutableSequence",
        "typing.AbstractSet",
        "typing.Collection",
        "typing.Iterable",
        "typing.Deque",
        "collections.deque",
        "collections.abc.Sequence",
        "collections.abc.MutableSequence",
        "collections.abc.Set",
        "collections.abc.Collection",
        "collections.abc.Iterable",
    }
)
WRAPPER_TYPES = frozenset({"Optional", "Union", "Annotated", "Required", "NotRequired", "ReadOnly"})
NO_BODY_STATUS = frozenset({204, 304})
NO_BODY_STATUS_NAMES = frozenset(
    {"HTTP_204_NO_CONTENT", "HTTP_304_NOT_MODIFIED", "NO_CONTENT", "NOT_MODIFIED"}
)
# Packages whose dependencies (security schemes, `Request`...) never consume a path parameter.
FRAMEWORK_PREFIXES = ("fastapi.", "starlette.")
MAX_DEPENDENCY_DEPTH = 12


# ------------------------------------------------------------ helpers


def route_context_scope(model: ModuleModel, route: RouteInfo) -> Scope:
    """The scope the registration's expressions are evaluated in."""
    if route.registration in route.function.node.decorator_list:
        return route.function.outer
    function = model.function_scope_of(route.registration)
    return function.scope if function is not None else model.module_scope


def is_decorator(route: RouteInfo) -> bool:
    return route.registration in route.function.node.decorator_list


def has_star_kwargs(route: RouteInfo) -> bool:
    return any(k.arg is None for k in route.registration.keywords)


def router_call(model: ModuleModel, route: RouteInfo) -> tuple[ModuleModel, ast.Call, Scope] | None:
    """The ``FastAPI(...)`` / ``APIRouter(...)`` call that created the route's router."""
    func = route.registration.func
    if not isinstance(func, ast.Attribute):
        return None
    if isinstance(func.value, ast.Attribute) and last_name(func.value.value) == "self":
        return _instance_app_call(model, func.value.attr, route_context_scope(model, route))
    if not isinstance(func.value, ast.Name):
        return None
    return _assigned_call(model, func.value.id, route_context_scope(model, route), 0)


def _instance_app_call(
    model: ModuleModel, attr: str, scope: Scope
) -> tuple[ModuleModel, ast.Call, Scope] | None:
    """``self.app = FastAPI(openapi_url=None)`` in a method of the class whose method
    registers ``@self.app.get(...)`` routes (a server object that builds its own app)."""
    function = scope.function
    while function is not None and function.class_info is None:
        function = function.parent_function
    if function is None or function.class_info is None:
        return None
    for node in ast.walk(function.class_info.node):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and any(
                isinstance(target, ast.Attribute)
                and target.attr == attr
                and last_name(target.value) == "self"
                for target in node.targets
            )
        ):
            owner = model.function_scope_of(node)
            return model, node.value, owner.scope if owner is not None else model.module_scope
    return None


def _assigned_call(
    model: ModuleModel, name: str, scope: Scope, depth: int
) -> tuple[ModuleModel, ast.Call, Scope] | None:
    from fastapi_lint.semantic.scopes import BindingKind

    if depth > 4:
        return None
    binding = model.lookup(name, scope)
    if binding is None:
        return None
    if binding.kind is BindingKind.ASSIGN and isinstance(binding.value, ast.Call):
        if binding.unpack_index is None:
            return model, binding.value, binding.scope
        return None
    project = index_of(model)
    if binding.kind is BindingKind.IMPORT and binding.qualname and project is not None:
        found = project.split(binding.qualname)
        if found is None:
            return None
        other, rest = found
        if len(rest) != 1:
            return None
        return _assigned_call(other, rest[0], other.module_scope, depth + 1)
    return None


def keyword_argument(call: ast.Call, name: str) -> ast.expr | None:
    return keyword_value(call.keywords, name)


@dataclass
class _FunctionBody:
    returns: list[ast.Return]
    is_generator: bool
    scope: Optional[Scope]


# Per module: the return statements and yields of each function (a cache, dropped with the model).
_BODIES: weakref.WeakKeyDictionary[ModuleModel, dict[int, _FunctionBody]] = (
    weakref.WeakKeyDictionary()
)


def returns_and_yields(
    model: ModuleModel, function: FunctionInfo
) -> tuple[list[ast.Return], bool, Scope | None]:
    bodies = _BODIES.get(model)
    if bodies is None:
        bodies = {}
        for ref in model.nodes[ast.Return]:
            owner = ref.scope.code_function
            if owner is not None:
                body = bodies.setdefault(id(owner.node), _FunctionBody([], False, None))
                body.returns.append(ref.node)  # type: ignore[arg-type]
                body.scope = ref.scope
        for ref in model.nodes[ast.Yield] + model.nodes[ast.YieldFrom]:
            owner = ref.scope.code_function
            if owner is not None:
                bodies.setdefault(
                    id(owner.node), _FunctionBody([], False, None)
                ).is_generator = True
        _BODIES[model] = bodies
    found = bodies.get(id(function.node))
    if found is None:
        return [], False, None
    return found.returns, found.is_generator, found.scope


def _is_response_type(model: ModuleModel, type_name: str, depth: int = 0) -> bool:
    """Whether a class is a Starlette ``Response`` (or a subclass)."""
    if depth > 8:
        return False
    last = type_name.rsplit(".", 1)[-1]
    if type_name.startswith(("starlette.", "fastapi.", "sse_starlette.")):
        return last.endswith("Response")
    bases: list[str] | None = None
    class_info = model.class_named(type_name)
    if class_info is not None:
        bases = [
            q
            for q in (model.qualified_name(b, class_info.outer) for b in class_info.node.bases)
            if q
        ]
    if bases is None and model.project is not None:
        if model.project.is_class(type_name):
            bases = model.project.class_bases(type_name)
    if bases is None:
        # A class from a library we know nothing about: trust the conventional name.
        return last.endswith("Response") and not type_name.startswith("pydantic.")
    return any(_is_response_type(model, base, depth + 1) for base in bases if base != type_name)


def returns_response(
    model: ModuleModel, value: ast.expr | None, scope: Scope, depth: int = 0
) -> bool:
    if value is None or depth > 8:
        return False
    if isinstance(value, ast.IfExp):
        return returns_response(model, value.body, scope) and returns_response(
            model, value.orelse, scope
        )
    if isinstance(value, ast.Await):
        value = value.value
    evaluated = model.evaluate(value, scope)
    if isinstance(evaluated, Instance) and _is_response_type(model, evaluated.type):
        return True
    if evaluated is None or isinstance(evaluated, Member):
        # `templates.TemplateResponse(...)`, a response from a library call we cannot type.
        if isinstance(value, ast.Call):
            callee = model.evaluate(value.func, scope)
            if callee is None or isinstance(callee, Member):
                return last_name(value.func).endswith("Response")
    if isinstance(value, ast.Name):
        return _transformed_response(model, value, scope, depth)
    return False


def _transformed_response(model: ModuleModel, name: ast.Name, scope: Scope, depth: int) -> bool:
    """``response = await flow.set_cookies(response, ...)``: a helper handed the response
    back (typically typed with a TypeVar bound to ``Response``); follow the earlier binding."""
    from fastapi_lint.semantic.scopes import BindingKind

    binding = model.lookup(name.id, scope, name.lineno)
    if binding is None or binding.kind is not BindingKind.ASSIGN or binding.value is None:
        return False
    value = binding.value
    if isinstance(value, ast.Await):
        value = value.value
    if not isinstance(value, ast.Call):
        return False
    passes_itself = any(
        isinstance(arg, ast.Name) and arg.id == name.id
        for arg in [*value.args, *(k.value for k in value.keywords)]
    )
    if not passes_itself:
        return False
    previous = ast.Name(id=name.id, ctx=ast.Load())
    previous.lineno = binding.line - 1
    previous.col_offset = 0
    return returns_response(model, previous, binding.scope, depth + 1)

"""Dependencies of routes, routers and apps, and the security schemes they reach.

For the route table (``project/routes.py``) and the route inventory: a
``Depends``/``Security`` target is followed into project functions (any module,
a cached ``security-schemes`` fact), callable instances (``__call__``) and
classes (``__init__``) until it reaches a ``fastapi.security`` scheme
(``OAuth2PasswordBearer``, ``HTTPBearer``, ``APIKeyHeader``...) or a project
subclass of one. ``Security(x)`` of a dependency that cannot be followed still
counts, as ``Security(x)``.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from fastapi_lint.project.index import index_of
from fastapi_lint.semantic.limits import cut_count, note_cut
from fastapi_lint.semantic.syntax import last_name
from fastapi_lint.semantic.values import Instance, Ref

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, Scope

SECURITY_PREFIX = "fastapi.security"
_MAX_NESTING = 12


class DependencyReader:
    """Dependency labels and security schemes, for one module."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self._security_memo: dict[str, list[str]] = {}
        self._active: set[str] = set()

    def targets(
        self, declared: ast.expr | None, scope: Scope, depth: int = 0
    ) -> list[tuple[DependencyReader, ast.Call, ast.expr | None, Scope]]:
        """Each ``Depends``/``Security`` of a ``dependencies=`` list, with the reader of the
        module it is written in and its scope: the list is a literal, or a module-level
        name holding one (``dependencies=PROTECTED``, ``deps.AUTH`` imported from another
        module), also spread into a literal (``[*PROTECTED, Depends(audit)]``)."""
        if depth > 3:
            return []
        if not isinstance(declared, (ast.List, ast.Tuple)):
            reader, declared, scope = self._shared_list(declared, scope)
            if not isinstance(declared, (ast.List, ast.Tuple)):
                return []
            if reader is not self:
                return reader.targets(declared, scope, depth + 1)
        result: list[tuple[DependencyReader, ast.Call, ast.expr | None, Scope]] = []
        for element in declared.elts:
            if isinstance(element, ast.Starred):
                result += self.targets(element.value, scope, depth + 1)
                continue
            is_depends, target = self.model.fastapi.depends_target(element, scope)
            if is_depends and isinstance(element, ast.Call):
                result.append((self, element, target, scope))
        return result

    def _shared_list(
        self, declared: ast.expr | None, scope: Scope
    ) -> tuple[DependencyReader, ast.expr | None, Scope]:
        """The list or tuple literal a module-level name assigned once holds, here or in the
        project module it is imported from; ``(self, None, scope)`` when there is none."""
        from fastapi_lint.semantic.scopes import BindingKind

        model = self.model
        none: tuple[DependencyReader, ast.expr | None, Scope] = (self, None, scope)
        if isinstance(declared, ast.Name):
            binding = model.lookup(declared.id, scope)
            if binding is None:
                return none
            if binding.kind is not BindingKind.IMPORT:
                if (
                    binding.kind is BindingKind.ASSIGN
                    and binding.unpack_index is None
                    and isinstance(binding.value, (ast.List, ast.Tuple))
                    and len(binding.scope.bindings.get(declared.id, [])) == 1
                ):
                    return self, binding.value, binding.scope
                return none
        elif not isinstance(declared, ast.Attribute):
            return none
        value = model.evaluate(declared, scope)
        defined = _project_assignment(model, value)
        if defined is None or not isinstance(value, Ref):
            return none
        owner, found = defined
        name = value.qualname.rsplit(".", 1)[-1]
        if (
            found.unpack_index is not None
            or not isinstance(found.value, (ast.List, ast.Tuple))
            or len(found.scope.bindings.get(name, [])) != 1
        ):
            return none
        return (self if owner is model else DependencyReader(owner)), found.value, found.scope

    def labels(self, declared: ast.expr | None, scope: Scope) -> list[str]:
        return [
            _dependency_label(call, target) for _, call, target, _ in self.targets(declared, scope)
        ]

    def security(self, declared: ast.expr | None, scope: Scope) -> list[str]:
        found: set[str] = set()
        for reader, call, target, where in self.targets(declared, scope):
            found |= set(reader._target_security(call, target, where, None, 0))
        return sorted(found)

    def function_labels(self, function: Any) -> list[str]:
        labels = []
        for call, target, _, base in self._param_dependencies(function):
            # `form: Annotated[OAuth2PasswordRequestForm, Depends()]`: the annotation's class
            # is the dependency, as FastAPI reads it.
            labels.append(_dependency_label(call, target if target is not None else base))
        return labels

    def _param_dependencies(
        self, function: Any
    ) -> list[tuple[ast.Call, ast.expr | None, Scope, ast.expr | None]]:
        """(Depends call, target, scope, parameter annotation base) of each parameter."""
        from fastapi_lint.semantic.syntax import parameter_defaults

        model = self.model
        facts = model.fastapi
        args = function.node.args
        defaults = parameter_defaults(args)
        outer = function.outer
        result = []
        for arg in args.posonlyargs + args.args + args.kwonlyargs:
            default = defaults.get(id(arg))
            base = None
            meta: list[ast.expr] = []
            meta_scope = outer
            if arg.annotation is not None:
                base_node, meta, meta_scope = model.annotated_metadata(arg.annotation, outer)
                base = base_node if isinstance(base_node, ast.expr) else None
            if isinstance(default, ast.Call):
                is_depends, target = facts.depends_target(default, outer)
                if is_depends:
                    result.append((default, target, outer, base))
                    continue
            for item in meta:
                is_depends, target = facts.depends_target(item, meta_scope)
                if is_depends and isinstance(item, ast.Call):
                    result.append((item, target, meta_scope, base))
        return result + self._class_view_dependencies(function)

    def _class_view_dependencies(
        self, function: Any
    ) -> list[tuple[ast.Call, ast.expr | None, Scope, ast.expr | None]]:
        """A ``@cbv(router)`` view's annotated class attributes (``user: User =
        Depends(current_user)``): dependencies of every route the class declares."""
        model = self.model
        if not function.is_method:
            return []
        found = model.class_named(function.qualname.rsplit(".", 1)[0])
        if found is None or not any(
            last_name(d.func if isinstance(d, ast.Call) else d) == "cbv"
            for d in found.node.decorator_list
        ):
            return []
        result = []
        for statement in found.node.body:
            if not isinstance(statement, ast.AnnAssign):
                continue
            base_node, meta, meta_scope = model.annotated_metadata(
                statement.annotation, found.scope
            )
            base = base_node if isinstance(base_node, ast.expr) else None
            markers = [(m, meta_scope) for m in meta]
            if statement.value is not None:
                markers.append((statement.value, found.scope))
            for marker, scope in markers:
                is_depends, target = model.fastapi.depends_target(marker, scope)
                if is_depends and isinstance(marker, ast.Call):
                    result.append((marker, target, scope, base))
        return result

    def function_security(self, function: Any, depth: int = 0) -> list[str]:
        """The security schemes a function's ``Depends``/``Security`` parameters reach."""
        key = function.qualname
        if key in self._security_memo:
            return self._security_memo[key]
        if key in self._active or depth > _MAX_NESTING:
            note_cut()  # an answer for this question only: no memo or fact keeps it
            return []
        self._active.add(key)
        cuts = cut_count()
        found: set[str] = set()
        try:
            for call, target, scope, base in self._param_dependencies(function):
                found |= set(self._target_security(call, target, scope, base, depth + 1))
        finally:
            self._active.discard(key)
        result = sorted(found)
        if cut_count() == cuts:
            self._security_memo[key] = result
        return result

    def _target_security(
        self,
        call: ast.Call,
        target: ast.expr | None,
        scope: Scope,
        base: ast.expr | None,
        depth: int,
    ) -> list[str]:
        model = self.model
        is_security = last_name(call.func) == "Security"
        if target is None:
            target = base  # `Depends()`: the annotation is the dependency
        if depth > _MAX_NESTING:
            note_cut()  # for this question only: no memo or fact keeps it
        if target is None or depth > _MAX_NESTING:
            return ["Security(...)"] if is_security else []
        value = model.evaluate(target, scope)
        schemes: list[str] = []
        library = self._library_scheme(target, value, scope)
        if library is not None:
            schemes = [library]
        elif isinstance(value, Instance):
            scheme = self._scheme_of_type(value.type)
            if scheme is not None:
                schemes = [scheme]
            else:
                schemes = self._qualname_security(value.type + ".__call__", depth)
        elif isinstance(value, Ref):
            schemes = self._qualname_security(value.qualname, depth)
            if not schemes:
                schemes = self._qualname_security(value.qualname + ".__init__", depth)
        if is_security and not schemes:
            return [f"Security({source_text(target)})"]
        return schemes

    def _library_scheme(self, target: ast.expr, value: object, scope: Scope) -> str | None:
        """A dependency made by an authentication library around its own schemes:
        fastapi-users' ``fastapi_users.current_user(active=True)`` (inline, a variable of
        this module, or one imported from another module of the project)."""
        found = _defining_call(self.model, target, value, scope)
        if found is None:
            return None
        owner, call, where = found
        if not (isinstance(call.func, ast.Attribute) and call.func.attr in _LIBRARY_AUTHENTICATORS):
            return None
        if any(
            k.arg == "optional" and not (isinstance(k.value, ast.Constant) and not k.value.value)
            for k in call.keywords
        ):
            return None  # `current_user(optional=True)` lets anonymous requests in
        receiver = call.func.value
        made_by = _constructed_class(owner, receiver, owner.evaluate(receiver, where), where)
        if made_by is not None and made_by in _LIBRARY_AUTHENTICATORS[call.func.attr]:
            return f"{made_by.rsplit('.', 1)[-1]}.{call.func.attr}"
        return None

    def _scheme_of_type(self, type_name: str) -> str | None:
        if type_name.startswith(SECURITY_PREFIX):
            return type_name.rsplit(".", 1)[-1]
        project = self.model.project
        bases = project.class_bases(type_name) if project is not None else []
        for base in bases:
            if base.startswith(SECURITY_PREFIX):
                return f"{type_name.rsplit('.', 1)[-1]} ({base.rsplit('.', 1)[-1]})"
        return None

    def _qualname_security(self, qualname: str, depth: int) -> list[str]:
        if qualname.startswith(("fastapi.", "starlette.")):
            return []
        model = self.model
        function = model.function_named(qualname)
        if function is not None:
            return self.function_security(function, depth)
        project = index_of(model)
        if project is None or qualname.split(".", 1)[0] in _external():
            return []

        def compute() -> list[str]:
            found = project.function(qualname)
            if found is None:
                return []
            other_model, info = found
            # From its key alone: the asker's depth is not the dependency's.
            return DependencyReader(other_model).function_security(info)

        result = project.fact("security-schemes", qualname, compute)
        return list(result) if isinstance(result, list) else []


# Library methods that return a dependency authenticating the request with the library's
# own ``fastapi.security`` schemes (fastapi-users' transports build an
# ``OAuth2PasswordBearer`` or an ``APIKeyCookie``), by the class that makes them.
_FASTAPI_USERS = frozenset(
    {"fastapi_users.FastAPIUsers", "fastapi_users.fastapi_users.FastAPIUsers"}
)
_LIBRARY_AUTHENTICATORS = {"current_user": _FASTAPI_USERS, "current_user_token": _FASTAPI_USERS}


def _defining_call(
    model: ModuleModel, expr: ast.expr, value: object, scope: Scope
) -> tuple[ModuleModel, ast.Call, Scope] | None:
    """The call that made what ``expr`` holds: ``expr`` itself, the value assigned to a
    name of this module, or of a module-level name imported from the project."""
    if isinstance(expr, ast.Call):
        return model, expr, scope
    if not isinstance(expr, ast.Name):
        return None
    binding = model.lookup(expr.id, scope)
    if binding is None:
        return None
    if isinstance(binding.value, ast.Call) and binding.unpack_index is None:
        return model, binding.value, binding.scope
    defined = _project_assignment(model, value)
    if defined is None:
        return None
    owner, found = defined
    if isinstance(found.value, ast.Call) and found.unpack_index is None:
        return owner, found.value, found.scope
    return None


def _project_assignment(model: ModuleModel, value: object) -> tuple[ModuleModel, Binding] | None:
    """The module-level assignment of the project that a resolved name (``Ref``) is."""
    project = index_of(model)
    if not isinstance(value, Ref) or project is None:
        return None
    if value.qualname.split(".", 1)[0] in _external():
        return None
    return project.definition(value.qualname, assignments_only=True)


def _constructed_class(
    model: ModuleModel, expr: ast.expr, value: object, scope: Scope
) -> str | None:
    """The class ``expr`` is an instance of; also ``FastAPIUsers[User, UUID](...)``, a
    generic class subscripted before the call."""
    if isinstance(value, Instance):
        return value.type
    found = _defining_call(model, expr, value, scope)
    if found is None:
        return None
    owner, call, where = found
    func = call.func.value if isinstance(call.func, ast.Subscript) else call.func
    return owner.qualified_name(func, where)


def _external() -> frozenset[str]:
    from fastapi_lint.project.layout import EXTERNAL_TOP_LEVEL

    return EXTERNAL_TOP_LEVEL


def _dependency_label(call: ast.Call, target: ast.expr | None) -> str:
    name = last_name(call.func) or "Depends"
    inner = source_text(target) if target is not None else ""
    return f"{name}({inner})" if name == "Security" else (inner or "Depends()")


def source_text(node: ast.AST | None) -> str:
    """``node`` as source, shortened for a route table cell."""
    if node is None:
        return ""
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - unparse of odd trees
        return "?"
    return text if len(text) <= 80 else text[:77] + "..."

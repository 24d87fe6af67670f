"""What the project's own constructions of a class pass it, and where its attribute is set.

API107 drops a blocking call guarded by a test on ``self.<attr>`` when the value the
object holds makes the test false (``if self.log_file:`` in a logger every module of the
project builds as ``Logger(verbose=True)``). Three questions, each a fact of one class:

- :func:`init_attribute`: how ``__init__`` sets the attribute -- from one of its
  parameters, or a literal -- when that is the only place the project sets it;
- :func:`constructed_arguments`: the literal each construction of the class in the
  project passes for one parameter of ``__init__`` (the default when it is omitted) --
  or, for a name bound once to a construction of a project class (``BrowserProfiler(
  logger=logger)`` under a module-level ``logger = Logger(verbose=True)``), where that
  construction is (:func:`construction_at` finds it again) -- or nothing known when one
  site is not understood: ``*args``/``**kwargs`` forwarded, any other value, the class handed on as a value (a factory we cannot read),
  ``cls(...)`` in a class method, a subclass with an ``__init__`` of its own;
- :func:`attribute_closed`: whether only the class's own methods store the attribute
  (no other object's ``x.attr = ...``, no subclass, no ``setattr``).

Only the project's non-test modules are searched: the finding is about the project's own
code paths, which run on the objects the project builds (a library's users may build
its classes otherwise, but they are not the code being checked). The answers depend on
every module (a construction may appear anywhere): each fact depends on every file and
folder of the project, and is asked only for an edge guarded by such a test.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any, Callable, Optional

from fastapi_lint.project.index import index_of
from fastapi_lint.project.project_files import ProjectFiles
from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.scopes import BindingKind, ScopeKind, enclosing_scope

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo, FunctionInfo, Scope

__all__ = [
    "attribute_closed",
    "bound_once",
    "constructed_arguments",
    "construction_at",
    "init_attribute",
    "parameter_spec",
    "self_store_count",
]

# More non-test modules than this mention the name: too common to model them all.
_MAX_FILES = 60
# Subclasses followed below a class (each one's constructions count as the class's).
_MAX_SUBCLASSES = 16
_LITERALS = (str, int, float, bool, type(None))
# Bases that add no state (nor an `__init__`) of their own.
_STATELESS_BASES = frozenset({"object", "abc.ABC", "typing.Generic", "typing.Protocol"})
_UNKNOWN = object()
# Names followed from an argument to the construction it holds (`log = base_log`).
_MAX_ALIASES = 3
# Per model: id(class statement) -> (attribute -> how many `self.<attr>` stores its methods
# hold, whether it sets attributes by computed names).
_SELF_STORES: MemoKey[dict[int, tuple[dict[str, int], bool]]] = MemoKey("self-store-counts")
# Per project view: attribute -> its stores in the project, (the class the stored object is
# of, None when unknown; whether it is `self.<attr>` in a method of that class), or None.
_ATTRIBUTE_STORES: MemoKey[dict[str, Optional[list[tuple[Optional[str], bool]]]]] = MemoKey(
    "attribute-stores", text_dependent=True
)


def init_attribute(model: ModuleModel, class_qualname: str, attr: str) -> Optional[dict[str, Any]]:
    """``{"param", "index", "default"}`` when the ``__init__`` a construction of the class
    runs stores ``self.attr = <param>`` (one top-level statement, the parameter never
    assigned again), ``{"literal": [value]}`` for ``self.attr = <literal>``; None when
    anything else may set it."""
    return _fact(
        model,
        "init-attribute/1",
        f"{class_qualname}.{attr}",
        lambda: _init_attribute(model, class_qualname, attr),
    )


def constructed_arguments(
    model: ModuleModel, class_qualname: str, spec: dict[str, Any], constructions: bool = False
) -> Optional[list[Any]]:
    """The literal each construction of the class in the project passes for the
    ``__init__`` parameter ``spec`` (``{"param", "index", "default"}``), or None. With
    ``constructions``, a name bound once to a construction of a project class is given as
    ``{"built", "module", "line", "column"}`` (see :func:`construction_at`); without, such
    an argument makes the answer unknown (the object is no literal the caller can test)."""
    key = f"{class_qualname}:{spec['param']}"
    found = _fact(
        model,
        "constructed-arguments/2",
        key,
        lambda: _constructed_arguments(model, class_qualname, spec),
    )
    if not isinstance(found, list):
        return None
    if not constructions and any(isinstance(value, dict) for value in found):
        return None
    return found


def construction_at(
    model: ModuleModel, site: dict[str, Any]
) -> Optional[tuple[ModuleModel, Scope, ast.Call]]:
    """The construction a ``{"built", "module", "line", "column"}`` answer of
    :func:`constructed_arguments` names, with the scope it runs in."""
    project = index_of(model)
    if site.get("module") == model.module_name:
        site_model: Optional[ModuleModel] = model
    else:
        site_model = project.model(site["module"]) if project is not None else None
    if site_model is None:
        return None
    for node in ast.walk(site_model.tree):
        if (
            isinstance(node, ast.Call)
            and node.lineno == site.get("line")
            and node.col_offset == site.get("column")
        ):
            return site_model, enclosing_scope(site_model, node), node
    return None


def bound_once(model: ModuleModel, scope: Scope, name: str) -> Optional[tuple[ast.expr, Scope]]:
    """The value of a name the function, else the module, assigns exactly once."""
    bindings = scope.bindings.get(name)
    if bindings is None and scope.kind is ScopeKind.FUNCTION and name not in scope.global_names:
        bindings = model.module_scope.bindings.get(name)
        if bindings is not None and _declared_global(model, name):
            return None
        scope = model.module_scope
    if not bindings or len(bindings) != 1 or bindings[0].kind is not BindingKind.ASSIGN:
        return None
    assigned = bindings[0].assigned
    return (assigned, scope) if assigned is not None else None


def _declared_global(model: ModuleModel, name: str) -> bool:
    if not model.may_declare_globals:
        return False
    return any(isinstance(node, ast.Global) and name in node.names for node in ast.walk(model.tree))


def attribute_closed(model: ModuleModel, class_qualname: str, attr: str) -> bool:
    """Whether the class's own methods are the only code of the project that stores
    ``attr`` on one of its instances."""
    return bool(
        _fact(
            model,
            "attribute-closed/1",
            f"{class_qualname}.{attr}",
            lambda: _attribute_closed(model, class_qualname, attr),
        )
    )


def parameter_spec(function: FunctionInfo, name: str) -> Optional[dict[str, Any]]:
    """``{"param", "index", "default"}`` of a method's parameter (``self`` not counted),
    when the method never assigns it again; None for ``*args``/``**kwargs``."""
    if _assigns_name(function.node, name):
        return None
    args = function.node.args
    positional = args.posonlyargs + args.args
    defaults: dict[str, ast.expr] = {}
    for arg, positional_default in zip(reversed(positional), reversed(args.defaults)):
        defaults[arg.arg] = positional_default
    for keyword_only, keyword_default in zip(args.kwonlyargs, args.kw_defaults):
        if keyword_default is not None:
            defaults[keyword_only.arg] = keyword_default
    index: Optional[int] = None
    for position, arg in enumerate(positional[1:]):
        if arg.arg == name:
            index = position
    if index is None and name not in {arg.arg for arg in args.kwonlyargs}:
        return None
    default: Any = _literal(defaults[name]) if name in defaults else _UNKNOWN
    return {"param": name, "index": index, "default": None if default is _UNKNOWN else [default]}


def _fact(model: ModuleModel, kind: str, key: str, compute: Callable[[], Any]) -> Any:
    project = index_of(model)
    if project is None:
        return compute()
    return project.fact(kind, key, lambda: _depending_on_every_file(project, compute))


def _depending_on_every_file(project: ProjectIndex, compute: Callable[[], Any]) -> Any:
    files = ProjectFiles.of(project)
    for path in files.folders + files.paths:
        project.depends_on_path(path)
    return compute()


def _population(model: ModuleModel, word: str, pattern: str) -> Optional[list[ModuleModel]]:
    """The project's non-test modules that mention ``word`` and match ``pattern`` (this
    module alone without a project), or None when too many do or one cannot be modelled."""
    compiled = re.compile(pattern)
    project = index_of(model)
    if project is None:
        return [model] if compiled.search("\n".join(model.lines)) else []
    files = ProjectFiles.of(project)
    paths = [p for p in files.mentioning(word) if compiled.search(files.text(p) or "")]
    if len(paths) > _MAX_FILES:
        return None
    found = []
    for path in paths:
        name = files.module_name(project, path)
        other = project.model(name) if name else None
        if other is None or files.realpath(other.path) != files.realpath(path):
            return None
        found.append(other)
    return found


def _class(model: ModuleModel, qualname: str) -> Optional[tuple[ModuleModel, ClassInfo]]:
    local = model.class_named(qualname)
    if local is not None:
        return model, local
    project = index_of(model)
    return project.class_info(qualname) if project is not None else None


def _init_attribute(model: ModuleModel, class_qualname: str, attr: str) -> Any:
    owner = _init_owner(model, class_qualname)
    if owner is None:
        return None
    owner_model, owner_class, init = owner
    if self_store_count(owner_model, owner_class, attr) != 1:
        return None  # set again by another method, or more than once
    statement = next((stmt for stmt in init.node.body if _stores_self(stmt, init, attr)), None)
    if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or statement.value is None:
        return None  # set only on some paths of `__init__`, or by another method
    # Asked last: the search reads every module that mentions the attribute.
    if not _attribute_closed(model, owner_class.qualname, attr):
        return None
    value = statement.value
    literal = _literal(value)
    if literal is not _UNKNOWN:
        return {"literal": [literal]}
    if isinstance(value, ast.Name):
        return parameter_spec(init, value.id)
    return None


def _stores_self(stmt: ast.stmt, init: FunctionInfo, attr: str) -> bool:
    """``self.attr = value`` (or annotated) as one statement."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        target = stmt.target
    else:
        return False
    args = init.node.args.posonlyargs + init.node.args.args
    return (
        bool(args)
        and isinstance(target, ast.Attribute)
        and target.attr == attr
        and isinstance(target.value, ast.Name)
        and target.value.id == args[0].arg
    )


def self_store_count(model: ModuleModel, class_info: ClassInfo, attr: str) -> int:
    """How many stores of ``self.attr`` the class's methods hold (augmented, unpacked,
    in nested functions, deletions: every one)."""
    return _class_stores(model, class_info)[0].get(attr, 0)


def _class_stores(model: ModuleModel, class_info: ClassInfo) -> tuple[dict[str, int], bool]:
    """The class's ``self.<attr>`` stores by attribute, and whether it sets attributes
    under names the text does not spell (``setattr``, ``__dict__``, ``vars``). One walk per
    class, kept in the model."""
    table = model.memo.get(_SELF_STORES)
    if table is None:
        table = model.memo.put(_SELF_STORES, {})
    found = table.get(id(class_info.node))
    if found is None:
        found = table[id(class_info.node)] = _walk_class_stores(class_info.node)
    return found


def _walk_class_stores(class_node: ast.ClassDef) -> tuple[dict[str, int], bool]:
    counts: dict[str, int] = {}
    escapes = False
    for stmt in class_node.body:
        self_name = None
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = stmt.args.posonlyargs + stmt.args.args
            self_name = args[0].arg if args else None
        for node in ast.walk(stmt):
            if isinstance(node, ast.Attribute):
                if node.attr == "__dict__":
                    escapes = True
                elif (
                    self_name is not None
                    and isinstance(node.ctx, (ast.Store, ast.Del))
                    and isinstance(node.value, ast.Name)
                    and node.value.id == self_name
                ):
                    counts[node.attr] = counts.get(node.attr, 0) + 1
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("setattr", "vars")
            ):
                escapes = True
    return counts, escapes


def _init_owner(
    model: ModuleModel, class_qualname: str
) -> Optional[tuple[ModuleModel, ClassInfo, FunctionInfo]]:
    """The project class whose ``__init__`` a construction of ``class_qualname`` runs."""
    for qualname in [class_qualname, *model.class_bases(class_qualname)]:
        if qualname in _STATELESS_BASES:
            continue
        found = _class(model, qualname)
        if found is None:
            return None  # a base outside the project may have its own `__init__`
        owner_model, owner_class = found
        init = owner_model.function_named(f"{qualname}.__init__")
        if init is not None:
            return owner_model, owner_class, init
        if owner_class.node.decorator_list or _defines(owner_class, "__new__"):
            return None  # a dataclass writes its own `__init__`
    return None


def _defines(class_info: ClassInfo, name: str) -> bool:
    return any(
        isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name
        for stmt in class_info.node.body
    )


def _constructed_arguments(model: ModuleModel, class_qualname: str, spec: dict[str, Any]) -> Any:
    classes = _with_subclasses(model, class_qualname)
    if classes is None:
        return None
    values: list[Any] = []
    for qualname in classes:
        name = qualname.rsplit(".", 1)[-1]
        population = _population(model, name, rf"\b{re.escape(name)}\b")
        if population is None:
            return None
        for other in population:
            found = _site_values(other, qualname, name, spec)
            if found is None:
                return None
            values.extend(found)
    return values


def _with_subclasses(model: ModuleModel, class_qualname: str) -> Optional[list[str]]:
    """The class and its project subclasses, or None when one of them (or the class)
    builds its instances otherwise: an ``__init__`` or ``__new__`` of the subclass's
    own, a decorator, ``cls(...)`` or ``type(self)(...)`` in a method."""
    found = [class_qualname]
    pending = [class_qualname]
    while pending:
        current = pending.pop()
        located = _class(model, current)
        if located is None or _builds_itself(located[1].node):
            return None
        name = current.rsplit(".", 1)[-1]
        population = _population(model, name, rf"class\s+\w+\s*\([^)]*\b{re.escape(name)}\b")
        if population is None:
            return None
        for other in population:
            for class_info in other.classes:
                if current not in [
                    other.base_qualname(b, class_info.outer) for b in class_info.node.bases
                ]:
                    continue
                if (
                    class_info.node.decorator_list
                    or _defines(class_info, "__init__")
                    or _defines(class_info, "__new__")
                ):
                    return None
                if class_info.qualname not in found:
                    found.append(class_info.qualname)
                    pending.append(class_info.qualname)
        if len(found) > _MAX_SUBCLASSES:
            return None
    return found


def _builds_itself(node: ast.ClassDef) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call):
            func = inner.func
            if isinstance(func, ast.Name) and func.id == "cls":
                return True
            if (
                isinstance(func, ast.Call)
                and isinstance(func.func, ast.Name)
                and func.func.id == "type"
            ):
                return True
    return False


def _site_values(
    model: ModuleModel, class_qualname: str, name: str, spec: dict[str, Any]
) -> Optional[list[Any]]:
    """The values the module's constructions of the class pass for ``spec``; None when a
    reference to the class is no construction nor a mere type (an annotation, a base,
    ``isinstance``, a class attribute read)."""
    values: list[Any] = []
    # The model links no parent to an annotation's nodes: a map of the module's own.
    parents = {child: node for node in ast.walk(model.tree) for child in ast.iter_child_nodes(node)}
    for node in parents:
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            pass
        elif (
            isinstance(node, ast.Attribute) and node.attr == name and isinstance(node.ctx, ast.Load)
        ):
            pass
        else:
            continue
        if model.qualified_name(node, enclosing_scope(model, node)) != class_qualname:
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Call) and parent.func is node:
            value = _argument(model, enclosing_scope(model, parent), parent, spec)
            if value is _UNKNOWN:
                return None
            values.append(value)
        elif not _names_a_type(parents, node):
            return None
    return values


def passed_argument(
    call: ast.Call, spec: dict[str, Any], read: Callable[[ast.expr], Any], unknown: Any
) -> Any:
    """What a construction passes for the ``__init__`` parameter ``spec``
    (``parameter_spec``): ``read`` of the argument it passes, else the parameter's literal
    default; ``unknown`` when it forwards ``*args``/``**kwargs`` or the default is no literal."""
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(
        keyword.arg is None for keyword in call.keywords
    ):
        return unknown
    for keyword in call.keywords:
        if keyword.arg == spec["param"]:
            return read(keyword.value)
    index = spec["index"]
    if index is not None and index < len(call.args):
        return read(call.args[index])
    default = spec["default"]
    return default[0] if isinstance(default, list) and len(default) == 1 else unknown


def _argument(model: ModuleModel, scope: Scope, call: ast.Call, spec: dict[str, Any]) -> Any:
    return passed_argument(call, spec, lambda node: _passed_value(model, scope, node), _UNKNOWN)


def _passed_value(model: ModuleModel, scope: Scope, node: ast.expr) -> Any:
    """A literal, or where the construction is that a name bound once holds."""
    literal = _literal(node)
    if literal is not _UNKNOWN:
        return literal
    for _ in range(_MAX_ALIASES):
        if not isinstance(node, ast.Name):
            return _UNKNOWN
        bound = bound_once(model, scope, node.id)
        if bound is None:
            return _UNKNOWN  # a parameter, rebound, `global`, a loop variable...
        node, scope = bound
        if isinstance(node, ast.Call):
            built = model.call_target(node, scope)
            if built is None or model.class_anywhere(built) is None:
                return _UNKNOWN
            return {
                "built": built,
                "module": model.module_name,
                "line": node.lineno,
                "column": node.col_offset,
            }
    return _UNKNOWN


def _names_a_type(parents: dict[ast.AST, ast.AST], node: ast.AST) -> bool:
    """A reference that builds nothing: an annotation, a base of a class statement, an
    ``isinstance``/``issubclass`` operand, a class attribute read (``Logger.LEVELS``)."""
    parent = parents.get(node)
    if isinstance(parent, ast.Attribute) and parent.value is node:
        grand = parents.get(parent)
        return not (isinstance(grand, ast.Call) and grand.func is parent)  # `Logger.create()`
    if isinstance(parent, ast.ClassDef) and node in parent.bases:
        return True
    child: ast.AST = node
    while parent is not None:
        if isinstance(parent, ast.arg) and parent.annotation is child:
            return True
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)) and parent.returns is child:
            return True
        if isinstance(parent, ast.AnnAssign) and parent.annotation is child:
            return True
        if (
            isinstance(parent, ast.Call)
            and isinstance(parent.func, ast.Name)
            and parent.func.id in ("isinstance", "issubclass")
            and child in parent.args[1:]
        ):
            return True
        if not isinstance(parent, (ast.Subscript, ast.Tuple, ast.BinOp, ast.Attribute)):
            return False
        child, parent = parent, parents.get(parent)
    return False


def _attribute_closed(model: ModuleModel, class_qualname: str, attr: str) -> bool:
    located = _class(model, class_qualname)
    if located is None or _class_stores(located[0], located[1])[1]:
        return False
    stores = _attribute_stores(model, attr)
    if stores is None:
        return False
    for owner, on_self in stores:
        if owner is None or (owner != class_qualname and _related(model, owner, class_qualname)):
            return False
        if owner == class_qualname and not on_self:
            return False  # `logger.log_file = ...` on an instance, outside the class
    return True


def _attribute_stores(model: ModuleModel, attr: str) -> Optional[list[tuple[Optional[str], bool]]]:
    """Every store of ``.attr`` in the project: found once per attribute (a service's
    ``self.logger`` is asked for each class holding one)."""
    project = index_of(model)
    table = project.memo.get(_ATTRIBUTE_STORES) if project is not None else None
    if table is None:
        table = {}
        if project is not None:
            project.memo.put(_ATTRIBUTE_STORES, table)
    if attr not in table:
        table[attr] = _find_attribute_stores(model, attr)
    return table[attr]


def _find_attribute_stores(
    model: ModuleModel, attr: str
) -> Optional[list[tuple[Optional[str], bool]]]:
    population = _population(model, attr, rf"\.{re.escape(attr)}\b")
    setters = _population(model, attr, rf"setattr\([^)]*['\"]{re.escape(attr)}['\"]")
    if population is None or setters:
        return None
    stores: list[tuple[Optional[str], bool]] = []
    for other in population:
        for ref in other.of_type(ast.Attribute):
            node = ref.node
            if (
                isinstance(node, ast.Attribute)
                and node.attr == attr
                and isinstance(node.ctx, (ast.Store, ast.Del))
            ):
                on_self = _self_store(other, node, ref.scope)
                stores.append((_store_owner(other, node, ref.scope), on_self))
    return stores


def _store_owner(model: ModuleModel, target: ast.Attribute, scope: Scope) -> Optional[str]:
    """The class whose instance a store writes: the method's class for ``self.x``, else
    the type simple flow gives the object."""
    if _self_store(model, target, scope):
        function = scope.code_function
        assert function is not None and function.class_info is not None
        return function.class_info.qualname
    return model.type_of(target.value, scope)


def _self_store(model: ModuleModel, target: ast.Attribute, scope: Scope) -> bool:
    function = scope.code_function
    if function is None or function.class_info is None or not isinstance(target.value, ast.Name):
        return False
    args = function.node.args.posonlyargs + function.node.args.args
    return bool(args) and args[0].arg == target.value.id


def _related(model: ModuleModel, one: str, other: str) -> bool:
    return one == other or other in model.class_bases(one) or one in model.class_bases(other)


def _assigns_name(function: ast.AST, name: str) -> bool:
    return any(
        isinstance(node, ast.Name)
        and node.id == name
        and isinstance(node.ctx, (ast.Store, ast.Del))
        for node in ast.walk(function)
    )


def _literal(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, _LITERALS):
        return node.value
    return _UNKNOWN

"""API107: a lazily opened attribute that an object built in the calling function never opened.

``index = MemoryIndex(path)`` ... ``index.close()``, where ``close()`` ends the cached
connection only ``if conn is not None`` (``conn = self._conn``) and ``__init__`` sets
``self._conn = None``: when none of the methods the function calls on ``index`` (nor
``__init__``, nor the methods they call on ``self``) ever assigns ``_conn``, the close
is out of reach for this call (the contract, Revision 2: a blocking call unreachable for this
call is not reported).

Two halves. In the callee, a blocking call under a test on ``self.<attr>`` (``if
self._conn is not None:``, ``if conn:`` with ``conn = self._conn``, after ``if self._conn
is None: return``, ``if not self.mock_mode:``, ``if self.mode == "remote":``) carries an
atom on that attribute, handed on to the callers that call it on ``self``
(``self._write(line)``). At the call site the atom is false when the receiver is a name the
function binds once to the project class and uses only to call its methods, and no method
reached from those calls assigns the attribute; or when every value the attribute can hold
on the receiver makes it false (``receiver_values``). Anything unknown (the object handed
on, ``self`` handed on by a method, ``super()``, a base class outside the project) keeps
the finding.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Callable, Optional

from fastapi_lint.project.index import index_of
from fastapi_lint.rules.branches import if_ancestors, in_body
from fastapi_lint.rules.once_per_process import early_exit_tests
from fastapi_lint.semantic.syntax import decorator_names, single_assignment

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

# Bases that add no state of their own to an instance.
_STATELESS_BASES = frozenset({"object", "abc.ABC", "typing.Generic", "typing.Protocol"})
# How many methods the search may read for one call site.
_MAX_METHODS = 48
_FACT = "self-attrs/1"


def self_attribute_atoms(
    model: ModuleModel, function: FunctionInfo, node: ast.AST
) -> list[dict[str, Any]]:
    """Atoms saying ``node`` runs only when an attribute of ``self`` passes the tests
    around it: set (``if self._conn is not None:``), true (``if self.log_file:``), false
    (``if not self.mock_mode:``), equal to a literal (``if self.mode == "remote":``)."""
    self_name = _self_name(function)
    if self_name is None:
        return []
    atoms: list[dict[str, Any]] = []
    for ancestor, child in if_ancestors(model, function, node):
        atom = _attribute_atom(model, function, ancestor.test, self_name)
        if atom is not None:
            atoms.append(atom if in_body(ancestor, child) else _negated(atom))
    for test in early_exit_tests(model, function, node):
        atom = _attribute_atom(model, function, test, self_name)
        if atom is not None:
            atoms.append(_negated(atom))  # `if self._conn is None: return` before it
    unique: dict[str, dict[str, Any]] = {}
    for atom in atoms:
        unique.setdefault(repr(sorted(atom.items())), atom)
    return list(unique.values())


def _negated(atom: dict[str, Any]) -> dict[str, Any]:
    return {**atom, "expect": not atom["expect"]}


def _attribute_atom(
    model: ModuleModel, function: FunctionInfo, test: ast.expr, self_name: str
) -> Optional[dict[str, Any]]:
    """The atom true exactly when ``test`` is, for a test of one attribute of ``self``."""
    expect = True
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        expect = not expect
        test = test.operand
    op, value = "truthy", None
    if isinstance(test, ast.Compare):
        if len(test.ops) != 1 or not isinstance(test.comparators[0], ast.Constant):
            return None
        operator, value = test.ops[0], test.comparators[0].value
        if isinstance(operator, (ast.Is, ast.IsNot)) and value is None:
            op = "none"
        elif isinstance(operator, (ast.Is, ast.IsNot)) and isinstance(value, bool):
            op = "is"
        elif isinstance(operator, (ast.Eq, ast.NotEq)) and isinstance(value, (str, int, float)):
            op = "eq"
        else:
            return None
        if isinstance(operator, (ast.IsNot, ast.NotEq)):
            expect = not expect
        test = test.left
    attr = _self_attribute(model, function, test, self_name)
    if attr is None:
        return None
    return {
        "param": f"self.{attr}",
        "index": None,
        "default": None,
        "self_attr": attr,
        "op": op,
        "value": value if op in ("is", "eq") else None,
        "expect": expect,
    }


def calls_own_method(call: ast.Call, function: FunctionInfo) -> bool:
    """``self.method(...)`` in a method: a call on the very object the method runs on."""
    self_name = _self_name(function)
    func = call.func
    return (
        self_name is not None
        and isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == self_name
    )


def _self_name(function: FunctionInfo) -> Optional[str]:
    if function.class_info is None:
        return None
    if {"staticmethod", "classmethod"} & set(decorator_names(function.node)):
        return None
    args = function.node.args.posonlyargs + function.node.args.args
    return args[0].arg if args else None


def _self_attribute(
    model: ModuleModel, function: FunctionInfo, node: ast.expr, self_name: str
) -> Optional[str]:
    """``self.attr``, or a local the function binds once to it (``conn = self._conn``)."""
    if isinstance(node, ast.Name) and node.id != self_name:
        bindings = function.scope.bindings.get(node.id, [])
        if len(bindings) != 1 or bindings[0].assigned is None:
            return None
        node = bindings[0].assigned
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == self_name
    ):
        return node.attr
    return None


def receiver_never_sets(model: ModuleModel, scope: Scope, call: ast.Call, attr: str) -> bool:
    """Whether ``call``'s receiver is an object the function built and never had fill
    ``attr``: ``__init__`` sets it to None and no method reached assigns it."""
    func = call.func
    if (
        scope.function is None
        or not isinstance(func, ast.Attribute)
        or not isinstance(func.value, ast.Name)
    ):
        return False
    receiver = func.value.id
    bindings = scope.bindings.get(receiver, [])
    if len(bindings) != 1 or not isinstance(bindings[0].assigned, ast.Call):
        return False
    class_name = model.call_target(bindings[0].assigned, scope)
    if class_name is None or not _is_project_class(model, class_name):
        return False
    methods = _methods_called_on(model, scope.node, receiver)
    if methods is None:
        return False
    return _attribute_stays_unset(model, class_name, methods, attr)


def _methods_called_on(
    model: ModuleModel, function_node: ast.AST, receiver: str
) -> Optional[set[str]]:
    """The methods called on ``receiver`` in the function, or None when it is used otherwise
    (handed on, returned, entered by ``with``, an attribute read or written)."""
    methods: set[str] = set()
    for node in ast.walk(function_node):
        if (
            not isinstance(node, ast.Name)
            or node.id != receiver
            or not isinstance(node.ctx, ast.Load)
        ):
            continue
        parent = model.parent(node)
        grand = model.parent(parent) if parent is not None else None
        if not (
            isinstance(parent, ast.Attribute)
            and parent.value is node
            and isinstance(grand, ast.Call)
            and grand.func is parent
        ):
            return None
        methods.add(parent.attr)
    return methods


def _attribute_stays_unset(
    model: ModuleModel, class_name: str, called: set[str], attr: str
) -> bool:
    bases = _class_bases(model, class_name)
    if bases is None:
        return False
    owners = [class_name, *bases]
    init = _method_facts(model, owners, "__init__")
    if init is None or attr not in init["none"]:
        return False
    pending = ["__init__", *sorted(called)]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        if len(seen) > _MAX_METHODS:
            return False
        facts = _method_facts(model, owners, name)
        if facts is None:
            if name in called:
                return False  # called on the object, but not a method the project shows
            continue  # a plain attribute of `self` (`self._lock`)
        if facts["escapes"] or attr in facts["sets"]:
            return False
        pending.extend(facts["calls"])
    return True


def _class_bases(model: ModuleModel, class_name: str) -> Optional[list[str]]:
    """The project bases of a class, or None when a base is outside the project."""
    local = model.class_named(class_name)
    if local is not None and any(
        model.base_qualname(b, local.outer) is None for b in local.node.bases
    ):
        return None
    kept = []
    for base in model.class_bases(class_name):
        if base in _STATELESS_BASES:
            continue
        if not _is_project_class(model, base):
            return None
        kept.append(base)
    return kept


def _is_project_class(model: ModuleModel, name: str) -> bool:
    if model.class_named(name) is not None:
        return True
    project = index_of(model)
    return project is not None and project.is_class(name)


def _method_facts(model: ModuleModel, owners: list[str], name: str) -> Optional[dict[str, Any]]:
    """What the first definition of method ``name`` along ``owners`` does to ``self``."""
    project = index_of(model)
    for owner in owners:
        qualname = f"{owner}.{name}"
        local = model.function_named(qualname)
        if local is not None:
            return method_self_facts(model, local)
        if model.class_named(owner) is not None:
            continue
        if project is None:
            return None
        facts = project.fact(_FACT, qualname, _project_method_facts(project, qualname))
        if isinstance(facts, dict):
            return facts
    return None


def _project_method_facts(project: ProjectIndex, qualname: str) -> Callable[[], object]:
    def compute() -> object:
        found = project.function(qualname)
        return method_self_facts(found[0], found[1]) if found is not None else None

    return compute


def method_self_facts(model: ModuleModel, function: FunctionInfo) -> dict[str, Any]:
    """The attributes a method assigns on ``self`` (other than to None), those its own
    body sets to None, the names it reads on ``self`` (methods it may call), and whether
    ``self`` leaves the method any other way."""
    self_name = _self_name(function)
    sets: set[str] = set()
    nones: list[str] = []
    calls: set[str] = set()
    if self_name is None:
        # A static or class method has no instance to change (a `cls.x = ...` class
        # attribute stays behind the instance's own `self.x = None`).
        static = function.class_info is not None and bool(
            {"staticmethod", "classmethod"} & set(decorator_names(function.node))
        )
        return {"sets": [], "none": [], "calls": [], "escapes": not static}
    escapes = False
    for node in ast.walk(function.node):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "super"
        ):
            escapes = True
        if not isinstance(node, ast.Name) or node.id != self_name:
            continue
        if isinstance(node.ctx, ast.Store):
            escapes = True  # `self` rebound
            continue
        parent = model.parent(node)
        if not isinstance(parent, ast.Attribute) or parent.value is not node:
            escapes = True  # handed on, returned, `setattr(self, ...)`
            continue
        if parent.attr == "__dict__":
            escapes = True
        elif isinstance(parent.ctx, ast.Load):
            calls.add(parent.attr)
        elif not _assigned_none(model, parent):
            sets.add(parent.attr)
    for stmt in function.node.body:
        target = _none_target(stmt, self_name)
        if target is not None:
            nones.append(target)
    return {"sets": sorted(sets), "none": nones, "calls": sorted(calls), "escapes": escapes}


def _assigned_none(model: ModuleModel, target: ast.Attribute) -> bool:
    parent = model.parent(target)
    value = None
    if isinstance(parent, (ast.Tuple, ast.List)):
        # `handle, self._handle = self._handle, None`: the element assigned to it.
        statement = model.parent(parent)
        position = next(i for i, element in enumerate(parent.elts) if element is target)
        if (
            isinstance(statement, ast.Assign)
            and parent in statement.targets
            and isinstance(statement.value, (ast.Tuple, ast.List))
            and len(statement.value.elts) == len(parent.elts)
        ):
            value = statement.value.elts[position]
    elif isinstance(parent, ast.Assign) and target in parent.targets:
        value = parent.value
    elif isinstance(parent, ast.AnnAssign) and parent.target is target:
        value = parent.value
        if value is None:
            return True  # `self._conn: Connection` declares, assigns nothing
    return isinstance(value, ast.Constant) and value.value is None


def _none_target(stmt: ast.stmt, self_name: Optional[str]) -> Optional[str]:
    """``self.attr = None`` (or annotated) as a statement of the method's own body."""
    assignment = single_assignment(stmt)
    if assignment is None:
        return None
    target, value = assignment
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == self_name
        and isinstance(value, ast.Constant)
        and value.value is None
    ):
        return target.attr
    return None

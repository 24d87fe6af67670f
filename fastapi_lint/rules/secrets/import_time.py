"""A constructor that runs before the app serves: its ``HTTPException`` reaches no client.

``class DockerService: def __init__(self): try: self.client = docker.from_env() except
Exception as e: raise HTTPException(503, f"Docker unavailable: {e}")``: when every object
of the class is made while the application is imported or starts (``service =
DockerService()`` at module level, or in a factory only module-level code and start-up
code call), the exception stops the process before it serves anything. No request is
answered with the text: API509's claim ("sends the caught exception's text to the
client") is false there.

Certain only when every mention of the class in the project's modules (tests aside) is a
call at module level, a call inside start-up code (``lifespan``, ``on_event``), or a call
inside a module-level function that is itself only called that way (one more level:
``create_service()`` called by ``start_consumer()`` called by the ``lifespan``). A class
picked from a local registry (``{"docker": DockerService}[kind](config)``) counts as a
call there. Any other mention (a subclass, ``Depends(DockerService)``, an object made in a
route, the class handed on as a value) leaves it unknown: reported as before.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.cache import all_modules_dependency
from fastapi_lint.project.index import index_of, note_read
from fastapi_lint.project.instances import in_annotation
from fastapi_lint.project.one_shot import in_test_file
from fastapi_lint.project.serving import runs_before_serving
from fastapi_lint.rules.mentioning_modules import modules_mentioning
from fastapi_lint.semantic.values import Ref

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

# How many functions up the search goes (`__init__` <- factory <- starter <- lifespan).
_MAX_DEPTH = 3
# Mentions that neither make an object nor hand the class on.
_INSPECTING_CALLS = frozenset({"isinstance", "issubclass", "type"})


def constructed_before_serving(model: ModuleModel, function: FunctionInfo) -> bool:
    """Whether ``function`` is the ``__init__`` of a project class whose every object is
    made at import time or in start-up code."""
    class_info = function.class_info
    if function.name != "__init__" or class_info is None or function.parent_function:
        return False
    if class_info.outer is not model.module_scope:
        return False  # a class defined inside a function: made wherever that runs
    return _made_before_serving(model, class_info.node.name, class_info.qualname, 0)


def _made_before_serving(model: ModuleModel, name: str, qualname: str, depth: int) -> bool:
    sites = _sites_before_serving(model, name, qualname, depth)
    return sites is not None and sites > 0


def _sites_before_serving(model: ModuleModel, name: str, qualname: str, depth: int) -> int | None:
    """How many calls of ``qualname`` the project makes, all before serving; None when
    one may run while the app serves (or the search cannot tell)."""
    modules = _modules_mentioning(model, name)
    if modules is None:
        return None
    sites = 0
    for other in modules:
        if in_test_file(other):
            continue  # a test makes objects in a run of its own, never for a client
        for ref in other.nodes[ast.Name]:
            node = ref.node
            assert isinstance(node, ast.Name)
            if node.id != name or not isinstance(node.ctx, ast.Load):
                continue
            if not _names(other, node, ref.scope, qualname):
                continue
            verdict = _site_before_serving(other, node, ref.scope, depth)
            if verdict is False:
                return None
            if verdict:
                sites += 1
    return sites


def _site_before_serving(
    model: ModuleModel, node: ast.Name, scope: Scope, depth: int
) -> bool | None:
    """True: a call that runs before serving; None: a mention that makes nothing (an
    annotation, ``isinstance``); False: anything else."""
    if in_annotation(model, node):
        return None
    parent = model.parent(node)
    if isinstance(parent, ast.Call) and parent.func is not node:
        callee = parent.func
        if isinstance(callee, ast.Name) and callee.id in _INSPECTING_CALLS:
            return None
    function = scope.code_function
    made = _is_call(model, node) or (
        function is not None and _local_registry(model, node, function)
    )
    if not made:
        return False
    if function is None:
        return True  # module level: runs when the module is imported
    if runs_before_serving(model, function):
        return True
    if (
        depth >= _MAX_DEPTH
        or function.is_method
        or function.parent_function is not None
        or function.node.decorator_list
        or model.fastapi.routes_of(function)
        or function.qualname in model.fastapi.dependency_functions
    ):
        return False
    sites = _sites_before_serving(model, function.name, function.qualname, depth + 1)
    if sites is None:
        return False
    # A factory nothing in the application calls (a compatibility alias kept for
    # importers) makes no object: it neither adds a site nor spoils the others.
    return True if sites else None


def _is_call(model: ModuleModel, node: ast.Name) -> bool:
    parent = model.parent(node)
    return isinstance(parent, ast.Call) and parent.func is node


def _local_registry(model: ModuleModel, node: ast.Name, function: FunctionInfo) -> bool:
    """``implementations = {"docker": DockerService, ...}`` in ``function``, only looked up
    there (``implementations[kind](config)``, ``kind in implementations``)."""
    table = model.parent(node)
    if not (isinstance(table, ast.Dict) and any(v is node for v in table.values)):
        return False
    assign = model.parent(table)
    if not (
        isinstance(assign, ast.Assign)
        and len(assign.targets) == 1
        and isinstance(assign.targets[0], ast.Name)
    ):
        return False
    local = assign.targets[0].id
    for inner in ast.walk(function.node):
        if not (isinstance(inner, ast.Name) and inner.id == local) or inner is assign.targets[0]:
            continue
        use = model.parent(inner)
        if isinstance(use, ast.Subscript) and use.value is inner:
            continue
        if isinstance(use, ast.Compare) and inner in use.comparators:
            continue
        if isinstance(use, ast.Attribute) and use.attr in ("keys", "get"):
            continue
        return False
    return True


def _names(model: ModuleModel, node: ast.Name, scope: Scope, qualname: str) -> bool:
    if model.qualified_name(node, scope) == qualname:
        return True
    value = model.evaluate(node, scope)  # through a package's re-export
    return isinstance(value, Ref) and value.qualname == qualname


def _modules_mentioning(model: ModuleModel, name: str) -> list[ModuleModel] | None:
    """The class's module, then the project's other modules whose text has ``name``
    (None when too many files mention it to search them all)."""
    project = index_of(model)
    if project is not None:
        # The answer reads every module (a maker may appear anywhere): the cached
        # finding is checked again when any of them changes.
        note_read(all_modules_dependency(str(project.root)))
    return modules_mentioning(model, name)

"""Classes whose metaclass keeps one instance: the constructor runs once per process.

``class Hub(metaclass=SingletonMeta)`` with

    class SingletonMeta(type):
        _instances = {}

        def __call__(cls, *args, **kwargs):
            if cls not in cls._instances:
                cls._instances[cls] = super().__call__(*args, **kwargs)
            return cls._instances[cls]

makes every ``Hub()`` after the first return the stored instance without running
``Hub.__init__`` again: a config file read there is read once per process, the
contract's lazily initialised global (Revision 2, API107) kept by the metaclass.
Recognised: a project metaclass (of the class or of one of its bases) whose
``__call__`` stores into a container keyed by its first parameter under a test
that the key is missing (``cls not in X``, ``X.get(cls) is None``, ``not X.get(cls)``),
and a project class decorator (``@singleton``) whose function does the same with the
class it receives.
A ``__new__`` that returns a stored instance is not enough: Python still runs
``__init__`` on every call.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.semantic.syntax import unset_operand

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo


def is_singleton_class(model: ModuleModel, qualname: str) -> bool:
    """Whether constructing the project class ``qualname`` runs ``__init__`` once only."""
    for name in (qualname, *model.class_bases(qualname)):
        if _metaclass_keeps_instances(model, name):
            return True
    return False


def _metaclass_keeps_instances(model: ModuleModel, qualname: str) -> bool:
    local = model.class_named(qualname)
    if local is not None:
        return _answer(model, local)
    project = index_of(model)
    if project is None:
        return False

    def compute() -> bool:
        found = project.class_info(qualname)
        return found is not None and _answer(*found)

    return bool(project.fact("singleton-class/1", qualname, compute))


def _answer(model: ModuleModel, class_info: ClassInfo) -> bool:
    for decorator in class_info.node.decorator_list:
        # `@singleton class Hub:` where `singleton(cls)` returns a function that builds
        # `cls` once and hands out the stored instance.
        name = model.qualified_name(decorator, class_info.outer)
        found = model.find_function(name) if name is not None else None
        if found is not None and _caches_by_first_parameter(found[1].node):
            return True
    for keyword in class_info.node.keywords:
        if keyword.arg != "metaclass":
            continue
        meta = model.qualified_name(keyword.value, class_info.outer)
        if meta is None:
            return False
        meta_class = model.class_anywhere(meta)
        return meta_class is not None and _caches_instances(meta_class.node)
    return False


def _caches_instances(meta: ast.ClassDef) -> bool:
    for statement in meta.body:
        if isinstance(statement, ast.FunctionDef) and statement.name == "__call__":
            return _caches_by_first_parameter(statement)
    return False


def _caches_by_first_parameter(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``if key not in X: X[key] = ...`` in ``function`` (or a function nested in it),
    ``key`` being its first parameter: the class a metaclass or decorator builds."""
    params = function.args.posonlyargs + function.args.args
    if not params:
        return False
    key = params[0].arg
    for node in ast.walk(function):
        if isinstance(node, ast.If):
            container = _missing_key_test(node.test, key)
            if container is not None and _stores_key(node.body, container, key):
                return True
    return False


def _missing_key_test(test: ast.expr, key: str) -> str | None:
    """The container a ``key not in X`` / ``X.get(key) is None`` test reads (unparsed)."""
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.NotIn)
        and isinstance(test.left, ast.Name)
        and test.left.id == key
    ):
        return ast.unparse(test.comparators[0])
    operand = unset_operand(test)
    if (
        isinstance(operand, ast.Call)
        and isinstance(operand.func, ast.Attribute)
        and operand.func.attr == "get"
        and operand.args
        and isinstance(operand.args[0], ast.Name)
        and operand.args[0].id == key
    ):
        return ast.unparse(operand.func.value)
    return None


def _stores_key(body: list[ast.stmt], container: str | None, key: str) -> bool:
    """``X[key] = ...`` in ``body`` for the container the test read."""
    for statement in body:
        for node in ast.walk(statement):
            if not isinstance(node, ast.Assign):
                continue
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and ast.unparse(target.value) == container
                    and isinstance(target.slice, ast.Name)
                    and target.slice.id == key
                ):
                    return True
    return False

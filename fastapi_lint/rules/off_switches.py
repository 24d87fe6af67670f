"""API1xx: blocking work under a debugging switch that its class never turns on.

``self.debug = False`` in ``__init__`` and, in ``close()``, ``if self.debug:`` around
``wave.open("diarization_audio.wav", "wb")``: a developer's capture, switched off in
the code itself (flipped by hand while debugging). With the attribute never set to
anything else, the branch does not run and the call does not block anyone.

The switch is ``self.<name>`` (also ``self.<name> and ...``) in the ``if`` around the
call, in a method; ``<name>`` says debugging (its words include ``debug``, ``dump`` or
``capture``, as for the environment variables of ``debug_gates.py``); and every
assignment to an attribute of that name in the module is the constant ``False`` or
``None`` (``self.debug = False``), at least one of them in the method's class. A
class that takes the switch as a parameter (``self.debug = debug``), or a module that
sets it elsewhere (``processor.debug = True``), keeps the call reported.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.branches import guarding_ifs
from fastapi_lint.rules.secret_patterns import split_name_words
from fastapi_lint.semantic.memo import MemoKey

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

_SWITCH_WORDS = frozenset({"debug", "dump", "capture"})
# Per module: attribute name -> the classes (by node id) that store it, or None when some
# store in the module gives it another value than False/None.
_OFF_ATTRIBUTES: MemoKey[dict[str, set[int] | None]] = MemoKey("off-switch-attributes")


def switched_off(model: ModuleModel, function: FunctionInfo, node: ast.AST) -> bool:
    """Whether ``node`` runs only under a debugging switch its class keeps off."""
    class_info = function.class_info
    arguments = function.node.args.posonlyargs + function.node.args.args
    if class_info is None or not arguments:
        return False
    self_name = arguments[0].arg
    for branch in guarding_ifs(model, function, node):
        test = branch.test
        tests = (
            test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
        )
        for operand in tests:
            if (
                isinstance(operand, ast.Attribute)
                and isinstance(operand.value, ast.Name)
                and operand.value.id == self_name
                and _SWITCH_WORDS.intersection(split_name_words(operand.attr))
            ):
                classes = _off_attributes(model).get(operand.attr)
                if classes is not None and id(class_info.node) in classes:
                    return True
    return False


def _off_attributes(model: ModuleModel) -> dict[str, set[int] | None]:
    found = model.memo.get(_OFF_ATTRIBUTES)
    if found is not None:
        return found
    found = {}
    owner: dict[int, int] = {}  # statement id -> innermost class node id
    for node in ast.walk(model.tree):
        if isinstance(node, ast.ClassDef):
            for inner in ast.walk(node):
                owner[id(inner)] = id(node)  # outer classes first: inner ones overwrite
    for node in ast.walk(model.tree):
        if not (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)):
            continue
        if not _SWITCH_WORDS.intersection(split_name_words(node.attr)):
            continue
        parent = model.parent(node)
        off = (
            isinstance(parent, (ast.Assign, ast.AnnAssign))
            and isinstance(parent.value, ast.Constant)
            and (parent.value.value is False or parent.value.value is None)
        )
        if not off:
            found[node.attr] = None
            continue
        classes = found.setdefault(node.attr, set())
        if classes is not None and id(node) in owner:
            classes.add(owner[id(node)])
    model.memo.put(_OFF_ATTRIBUTES, found)
    return found

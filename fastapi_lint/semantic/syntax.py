"""Facts read off the syntax tree alone, shared by the model and FastAPI knowledge."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from typing import Callable, Optional, Union

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
# Nodes whose bodies run elsewhere or later than the code around them.
SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


# The fields that hold statements (or except handlers, or match cases, which hold statements).
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


def block_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """``tree``, every statement in it (nested blocks, defs and classes included), its
    except handlers and match cases: what ``ast.walk`` yields of them, in another order.
    Expressions hold no statement and are not entered: most of a tree's nodes."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for field in _BLOCK_FIELDS:
            children = getattr(node, field, None)
            if children and type(children) is list:  # a lambda's body is one expression
                stack.extend(children)


def own_nodes(roots: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """The nodes that run with ``roots`` (a body's statements, or one node): nested
    defs, lambdas and classes left out. Depth first, children after their parent."""
    stack: list[ast.AST] = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, SCOPE_NODES):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def parameter_defaults(args: ast.arguments) -> dict[int, ast.expr]:
    """Each parameter's default value, keyed by ``id()`` of its ``ast.arg``."""
    positional = args.posonlyargs + args.args
    defaults: dict[int, ast.expr] = {}
    for arg, value in zip(positional[len(positional) - len(args.defaults) :], args.defaults):
        defaults[id(arg)] = value
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
        if kw_default is not None:
            defaults[id(arg)] = kw_default
    return defaults


def single_assignment(node: ast.AST | None) -> tuple[ast.expr, ast.expr] | None:
    """``(target, value)`` of ``target = value`` (one target) or ``target: T = value``;
    None for anything else (``a = b = value``, a bare declaration ``target: T``)."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        return node.targets[0], node.value
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        return node.target, node.value
    return None


def subscript_elements(node: ast.Subscript) -> list[ast.expr]:
    inner = node.slice
    if isinstance(inner, ast.Index):  # type: ignore[attr-defined]  # Python 3.8 trees
        inner = inner.value  # type: ignore[attr-defined]
    if isinstance(inner, ast.Tuple):
        return list(inner.elts)
    return [inner]


def string_annotation(text: str) -> ast.expr | None:
    """The expression a string annotation spells (``"list[Item]"``, read as
    ``typing.get_type_hints`` evaluates it: surrounding blanks ignored), or None
    when it does not parse."""
    try:
        return ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return None


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


def is_staticmethod(node: FunctionNode) -> bool:
    return "staticmethod" in decorator_names(node)


def is_classmethod(node: FunctionNode) -> bool:
    return "classmethod" in decorator_names(node)


NOT_CONSTANT = object()  # constant_value() of anything but a literal


def constant_value(node: ast.expr | None) -> object:
    """The value of a literal (``None`` included), else ``NOT_CONSTANT``."""
    if isinstance(node, ast.Constant):
        return node.value
    return NOT_CONSTANT


def keyword_value(keywords: Iterable[ast.keyword], name: str) -> ast.expr | None:
    """The value given as ``name=`` among a call's (or a class statement's) keywords."""
    return next((keyword.value for keyword in keywords if keyword.arg == name), None)


def last_name(node: ast.expr) -> str:
    """``x`` of ``x`` or ``a.b.x``; ``""`` for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def call_fits(node: FunctionNode, call: ast.Call, bound: bool) -> bool:
    """Whether ``call`` passes arguments that the function ``node`` accepts (``bound``: called
    as a method of an instance, so its first parameter is not passed). Unknown when the call
    unpacks ``*args``/``**kwargs``: it fits."""
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(
        keyword.arg is None for keyword in call.keywords
    ):
        return True
    args = node.args
    positional = args.posonlyargs + args.args
    if bound and positional:
        positional = positional[1:]
    if len(call.args) > len(positional) and args.vararg is None:
        return False
    posonly = {arg.arg for arg in args.posonlyargs}
    by_keyword = {arg.arg for arg in positional + args.kwonlyargs} - posonly
    given = {keyword.arg for keyword in call.keywords}
    if args.kwarg is None and not given <= by_keyword:
        return False
    defaults = parameter_defaults(args)
    for index, arg in enumerate(positional):
        if index < len(call.args) or id(arg) in defaults:
            continue
        if arg.arg not in given or arg.arg in posonly:
            return False  # a required parameter the call leaves out
    return all(arg.arg in given or id(arg) in defaults for arg in args.kwonlyargs)


# Decorators that keep a method's signature as written (bar the bound first parameter).
_PLAIN_METHOD_DECORATORS = frozenset(
    {"staticmethod", "classmethod", "abstractmethod", "override", "final"}
)


def method_call_check(node: FunctionNode) -> Optional[Callable[[ast.Call], bool]]:
    """For a method whose signature is as written: whether a call's arguments fit it.

    ``action.run(results, calls)`` on a receiver simple flow cannot type cannot be
    ``Checker.run(self)``: it would raise ``TypeError``. Decorated otherwise (a decorator
    may add or remove parameters): unknown (None).
    """
    if not decorator_names(node) <= _PLAIN_METHOD_DECORATORS:
        return None
    bound = not is_staticmethod(node)
    return lambda call: call_fits(node, call, bound)


def compared_with_none(test: ast.expr, op: type[ast.cmpop]) -> ast.expr | None:
    """``X is None`` (``op`` = ``ast.Is``) or ``X is not None`` (``ast.IsNot``): ``X``."""
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], op)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        return test.left
    return None


def unset_operand(test: ast.expr) -> ast.expr | None:
    """``X`` of ``X is None`` or ``not X``: the test of a lazy initialisation."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return test.operand
    return compared_with_none(test, ast.Is)


def catches_named(caught: ast.expr | None, names: frozenset[str]) -> bool:
    """Whether an ``except`` clause's type (``X``, ``mod.X`` or a tuple of those) names
    one of ``names`` by its last name (a bare ``except:`` names none)."""
    members = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    for member in members:
        name = member.attr if isinstance(member, ast.Attribute) else getattr(member, "id", None)
        if name in names:
            return True
    return False

"""Router factories called with known arguments: the prefix each call gives its router.

``make_crud_router("gadget")`` builds ``APIRouter(prefix=f"/{kind}s")``: the
route table records the prefix as a template of the factory's parameters
(``/``, ``kind``, ``s``), and each ``include_router(make_crud_router(...))``
the values its arguments give them: a literal, a module constant, or each
element of a loop over a literal collection (``for kind, schema in
RESOURCES.items():``, the dict a module-level literal), one include per
element, as the loop runs it. Anything else leaves the prefix an expression.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi_lint.semantic.scopes import Binding, Scope

# One element per loop iteration: a loop over more than this is not a route table.
_MAX_VALUES = 50


def prefix_template(node: ast.expr | None, scope: Scope) -> list[list[str]] | None:
    """``f"/{kind}s"`` (or ``"/" + kind``) of a router made in a function: its literal parts
    and the function's parameters, when it uses at least one that the function never rebinds."""
    function = scope.code_function
    if node is None or function is None:
        return None
    args = function.node.args
    params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    parts: list[list[str]] = []

    def add(part: ast.AST) -> bool:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            parts.append(["lit", part.value])
            return True
        if isinstance(part, ast.Name) and part.id in params:
            if len(scope.bindings.get(part.id, [])) != 1:
                return False  # `kind = kind.lower()`: not the argument any more
            parts.append(["param", part.id])
            return True
        if isinstance(part, ast.JoinedStr):
            for value in part.values:
                if isinstance(value, ast.FormattedValue):
                    if value.format_spec is not None or value.conversion != -1:
                        return False
                    if not add(value.value):
                        return False
                elif not add(value):
                    return False
            return True
        if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Add):
            return add(part.left) and add(part.right)
        return False

    if not add(node) or not any(kind == "param" for kind, _ in parts):
        return None
    return parts


def filled_prefix(template: Any, bound: Any) -> list[list[str]] | None:
    """The template's text with the include's argument values, when they cover it."""
    if not isinstance(template, list) or not isinstance(bound, dict):
        return None
    text = []
    for kind, value in template:
        if kind == "lit":
            text.append(value)
        elif isinstance(bound.get(value), str):
            text.append(bound[value])
        else:
            return None
    joined = "".join(text)
    return [["lit", joined]] if joined else []


def argument_values(
    routes: Any, call: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope
) -> list[dict[str, str]]:
    """The parameter values of each run of ``call`` (one per loop element when an argument
    is a loop variable over a literal collection); ``[{}]`` when none is known."""
    return argument_runs(routes, call, function, scope)[0]


def argument_runs(
    routes: Any, call: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope
) -> tuple[list[dict[str, str]], ast.AST | None]:
    """``argument_values`` and the ``for`` statement whose elements make the runs (None when
    the call runs once)."""
    args = function.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    if positional and positional[0] in ("self", "cls"):
        positional = positional[1:]
    passed: list[tuple[str, ast.expr]] = list(zip(positional, call.args))
    passed += [(k.arg, k.value) for k in call.keywords if k.arg is not None]
    fixed: dict[str, str] = {}
    looped: dict[str, list[str]] = {}
    loop_node: ast.AST | None = None
    for name, node in passed:
        text = routes._string(node, scope, 1)
        if text is not None:
            fixed[name] = text
            continue
        binding = _loop_binding(routes, node, scope)
        if binding is None:
            continue
        values = _loop_strings(routes, binding)
        if values is None:
            continue
        if loop_node is not None and binding.node is not loop_node:
            return [fixed], None  # two loops: the pairs are not known
        loop_node = binding.node
        looped[name] = values
    if not looped:
        return [fixed], None
    count = {len(v) for v in looped.values()}
    if len(count) != 1:
        return [fixed], None
    runs = [{**fixed, **{n: v[i] for n, v in looped.items()}} for i in range(count.pop())]
    return runs, loop_node


def run_prefixes(
    routes: Any, prefix: ast.expr | None, scope: Scope, loop: ast.AST | None, count: int
) -> list[list[list[str]]] | None:
    """``for tool in TOOLS: app.include_router(make_router(tool), prefix=f"/api/{tool}")``:
    the prefix of each run of the loop that makes the factory's runs, when it names that
    loop's variable. Each turn includes a new router under its own prefix, so the runs'
    routes never meet; a prefix not known as text stays an expression of its own run.
    None when the prefix does not depend on the loop."""
    if prefix is None or loop is None:
        return None
    names: dict[str, list[str]] = {}
    for name in ast.walk(prefix):
        if not isinstance(name, ast.Name):
            continue
        binding = _loop_binding(routes, name, scope)
        if binding is None or binding.node is not loop:
            continue
        values = _loop_strings(routes, binding)
        names[name.id] = values if values is not None and len(values) == count else []
    if not names:
        return None
    pieces: list[list[list[str]]] = []
    for index in range(count):
        bound = {name: values[index] for name, values in names.items() if values}
        text = routes._string(prefix, scope, 0, bound) if len(bound) == len(names) else None
        if text is not None:
            pieces.append([["lit", text]] if text else [])
            continue
        piece = routes._expression_piece(prefix, scope)
        pieces.append([[f"{piece[0][0]}#{index}", piece[0][1]]])
    return pieces


def _loop_binding(routes: Any, node: ast.expr, scope: Scope) -> Binding | None:
    from fastapi_lint.semantic.scopes import BindingKind

    if not isinstance(node, ast.Name):
        return None
    # The loop before this use: `version` may be the variable of several loops.
    binding = routes.model.lookup(node.id, scope, getattr(node, "lineno", None))
    if binding is None or binding.kind is not BindingKind.FOR or binding.value is None:
        return None
    return binding  # type: ignore[no-any-return]


def _loop_strings(routes: Any, binding: Binding) -> list[str] | None:
    """The strings a ``for`` variable takes: the elements of a literal list/tuple/set, the
    keys (``.keys()``, ``.items()`` [0], the dict itself) or values (``.items()`` [1],
    ``.values()``) of a dict literal, here or in a module-level name."""
    iterable = binding.value
    index = binding.unpack_index
    method = None
    if (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Attribute)
        and not iterable.args
        and iterable.func.attr in ("items", "keys", "values")
    ):
        method = iterable.func.attr
        iterable = iterable.func.value
    literal = _literal(routes, iterable, binding.scope, 0)
    elements: list[ast.expr | None]
    if isinstance(literal, ast.Dict):
        if method == "items":
            if index not in (0, 1):
                return None
            elements = list(literal.keys) if index == 0 else list(literal.values)
        elif method == "values":
            elements = list(literal.values)
        else:
            elements = list(literal.keys)
        if method != "items" and index is not None:
            return None
    elif isinstance(literal, (ast.List, ast.Tuple, ast.Set)) and method is None:
        elements = list(literal.elts)
        if index is not None:
            elements = [
                e.elts[index] if isinstance(e, ast.Tuple) and len(e.elts) > index else None
                for e in elements
            ]
    else:
        return None
    if not elements or len(elements) > _MAX_VALUES:
        return None
    values = []
    for element in elements:
        text = routes._string(element, binding.scope, 1) if element is not None else None
        if text is None:
            return None
        values.append(text)
    return values


def _literal(routes: Any, node: ast.expr | None, scope: Scope, depth: int) -> ast.expr | None:
    """A list/tuple/set/dict literal, itself or held by a name assigned once."""
    from fastapi_lint.semantic.scopes import BindingKind

    if node is None or depth > 3:
        return None
    if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
        return node
    if isinstance(node, ast.Name):
        binding = routes.model.lookup(node.id, scope)
        if (
            binding is not None
            and binding.kind is BindingKind.ASSIGN
            and binding.value is not None
            and binding.unpack_index is None
            and len(binding.scope.bindings.get(node.id, [])) == 1
        ):
            return _literal(routes, binding.value, binding.scope, depth + 1)
    return None


def looped_includes(
    routes: Any, child: ast.expr, prefix: ast.expr | None, scope: Scope
) -> list[tuple[str, list[list[str]]]] | None:
    """``for version, module in (("v1", v1), ("v2", v2)):
    app.include_router(module.router, prefix=f"/api/{version}")``: each element of the
    literal collection includes its own router under its own prefix, as the loop runs it.
    None when the include is not such a loop (or an element is not known)."""
    root = child.value if isinstance(child, ast.Attribute) else child
    if not isinstance(root, ast.Name) or not isinstance(child, (ast.Name, ast.Attribute)):
        return None
    binding = _loop_binding(routes, root, scope)
    if binding is None:
        return _looped_prefixes(routes, child, prefix, scope)
    loop_names = {
        name.id: found
        for name in (ast.walk(prefix) if prefix is not None else ())
        if isinstance(name, ast.Name)
        and (found := _loop_binding(routes, name, scope)) is not None
        and found.node is binding.node
    }
    if isinstance(child, ast.Name) and not loop_names:
        return None  # `for router in ROUTERS:` with one prefix: the listed routers (_children)
    literal = _literal(routes, binding.value, binding.scope, 0)
    if not isinstance(literal, (ast.List, ast.Tuple)) or not 0 < len(literal.elts) <= _MAX_VALUES:
        return None
    result = []
    for element in literal.elts:
        value = _element(element, binding.unpack_index)
        if value is None:
            return None
        if isinstance(child, ast.Attribute):
            value = ast.copy_location(
                ast.Attribute(value=value, attr=child.attr, ctx=ast.Load()), child
            )
        key = routes.router_key(value, binding.scope)
        if key is None:
            return None
        bound = _element_strings(routes, element, loop_names, binding.scope)
        if bound is None:
            return None
        pieces: list[list[str]] = []
        if prefix is not None:
            text = routes._string(prefix, scope, 0, bound)
            if text is None:
                return None
            pieces = [["lit", text]] if text else []
        result.append((key, pieces))
    return result


def _looped_prefixes(
    routes: Any, child: ast.expr, prefix: ast.expr | None, scope: Scope
) -> list[tuple[str, list[list[str]]]] | None:
    """``for version in ("v1", "v2"): app.include_router(api_router, prefix=f"/{version}")``:
    one router served under each prefix the loop gives it (``run_prefixes``)."""
    if prefix is None:
        return None
    loop = next(
        (
            found
            for node in ast.walk(prefix)
            if isinstance(node, ast.Name)
            and (found := _loop_binding(routes, node, scope)) is not None
        ),
        None,
    )
    strings = _loop_strings(routes, loop) if loop is not None else None
    key = routes.router_key(child, scope)
    if loop is None or not strings or key is None:
        return None
    pieces = run_prefixes(routes, prefix, scope, loop.node, len(strings))
    return [(key, piece) for piece in pieces] if pieces is not None else None


def _element_strings(
    routes: Any, element: ast.expr, loops: dict[str, Binding], scope: Scope
) -> dict[str, str] | None:
    """The string each loop variable takes from one element of the loop's collection."""
    bound: dict[str, str] = {}
    for name, found in loops.items():
        part = _element(element, found.unpack_index)
        text = routes._string(part, scope, 1) if part is not None else None
        if text is None:
            return None
        bound[name] = text
    return bound


def _element(element: ast.expr, index: int | None) -> ast.expr | None:
    """The part of one loop element a target name takes (``module`` of ``("v1", v1)``)."""
    if index is None:
        return element
    if isinstance(element, ast.Tuple) and index < len(element.elts):
        return element.elts[index]
    return None

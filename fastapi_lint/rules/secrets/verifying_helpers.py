"""Project functions that verify a JWT they are given (API508, the contract's Revision 2).

An unverified decode that only reads the issuer or the header to choose the key is
not reported when the same token is then decoded with verification.  Real code often
hands the token to a helper for that second step: ``claims = await
verify_access_token(token, issuer=iss)``, whose body runs ``jwt.decode(token, key,
algorithms=[...])`` (directly, in a worker thread, or through a further helper).  A
project function verifies its parameter when its body decodes that parameter with a
key and without switching verification off, a few calls deep.  Keyword dicts spread
into the decode (``**decode_kwargs``) are read when they are literals of the function;
an ``options=`` the analysis cannot read counts as switching verification off: when
unsure, the finding stays.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of
from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.scopes import BindingKind

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo, Scope

DECODES = frozenset(
    {
        "jwt.decode",
        "jwt.decode_complete",
        "jwt.PyJWT.decode",
        "jose.jwt.decode",
        "authlib.jose.jwt.decode",
    }
)
_MAX_DEPTH = 3
_MAX_FLOW = 3


def helper_verifies(model: ModuleModel, call: ast.Call, token: str, scope: Scope) -> bool:
    """``call`` passes the token (``ast.dump`` of its expression) to a project function
    that verifies that parameter."""
    return _passes_to_verifier(model, call, lambda arg: ast.dump(arg) == token, scope, 0)


def _passes_to_verifier(
    model: ModuleModel,
    call: ast.Call,
    is_token: Callable[[ast.expr], bool],
    scope: Scope,
    depth: int,
) -> bool:
    project = index_of(model)
    if project is None or depth >= _MAX_DEPTH:
        return False
    target = model.call_target(call, scope)
    if target is None:
        return False
    found = project.function(target)
    if found is None:
        return False
    other, function = found
    for param in _parameters_given(call, function, is_token):
        if _verifies_parameter(other, function, param, depth + 1):
            return True
    return False


def _parameters_given(
    call: ast.Call, function: FunctionInfo, is_token: Callable[[ast.expr], bool]
) -> list[str]:
    """The callee's parameters that receive the token."""
    args = function.node.args
    positional = [arg.arg for arg in args.posonlyargs + args.args]
    if function.is_method and positional and positional[0] in ("self", "cls"):
        if isinstance(call.func, ast.Attribute):
            positional = positional[1:]
    names: list[str] = []
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            break
        if index < len(positional) and is_token(arg):
            names.append(positional[index])
    known = set(positional) | {arg.arg for arg in args.kwonlyargs}
    for keyword in call.keywords:
        if keyword.arg in known and is_token(keyword.value):
            names.append(keyword.arg)
    return names


def _verifies_parameter(model: ModuleModel, function: FunctionInfo, param: str, depth: int) -> bool:
    def is_param(arg: ast.expr) -> bool:
        return isinstance(arg, ast.Name) and arg.id == param

    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        if ref.scope is not function.scope:
            continue
        if _verified_decode(model, call, is_param, ref.scope):
            return True
        if any(is_param(arg) for arg in [*call.args, *(k.value for k in call.keywords)]):
            if _passes_to_verifier(model, call, is_param, ref.scope, depth):
                return True
    return False


def _verified_decode(
    model: ModuleModel, call: ast.Call, is_token: Callable[[ast.expr], bool], scope: Scope
) -> bool:
    """``jwt.decode(token, key, ...)`` or ``await asyncio.to_thread(jwt.decode, token,
    **kwargs)`` with a key and nothing that switches verification off."""
    args = list(call.args)
    if model.is_offloading_call(call, scope):
        if isinstance(call.func, ast.Attribute) and call.func.attr == "run_in_executor":
            args = args[1:]  # the executor
        if not args or not isinstance(args[0], (ast.Name, ast.Attribute)):
            return False
        target = model.qualified_name(args[0], scope)
        args = args[1:]
    else:
        target = model.call_target(call, scope)
    if target is None or stubs.canonical(target) not in DECODES:
        return False
    if not args or not is_token(args[0]):
        return False
    has_key = len(args) > 1
    for keyword in call.keywords:
        if keyword.arg == "key":
            has_key = True
        elif keyword.arg in ("options", "verify"):
            if not _keeps_verification(model, keyword.arg, keyword.value, scope):
                return False
        elif keyword.arg is None:
            spread = _literal(model, keyword.value, scope)
            if not isinstance(spread, ast.Dict):
                return False  # keywords we cannot read may switch verification off
            for key, value in zip(spread.keys, spread.values):
                if not isinstance(key, ast.Constant):
                    return False
                if key.value == "key":
                    has_key = True
                elif key.value in ("options", "verify") and not _keeps_verification(
                    model, str(key.value), value, scope
                ):
                    return False
    return has_key


def _keeps_verification(model: ModuleModel, name: str, node: ast.expr, scope: Scope) -> bool:
    value = _literal(model, node, scope)
    if name == "verify":
        return isinstance(value, ast.Constant) and value.value is True
    if not isinstance(value, ast.Dict):
        return False
    for key, item in zip(value.keys, value.values):
        if isinstance(key, ast.Constant) and key.value in ("verify_signature", "verify"):
            flag = _literal(model, item, scope)
            if not (isinstance(flag, ast.Constant) and flag.value is True):
                return False
    return True


def _literal(model: ModuleModel, node: ast.expr, scope: Scope) -> ast.expr | None:
    """A name's assigned value in the function or module (a few steps), else the node."""
    for _ in range(_MAX_FLOW):
        if not isinstance(node, ast.Name):
            return node
        binding = model.lookup(node.id, scope, getattr(node, "lineno", None))
        if binding is None or binding.kind is not BindingKind.ASSIGN or binding.value is None:
            return None
        if binding.unpack_index is not None:
            return None
        node = binding.value
    return None if isinstance(node, ast.Name) else node

"""Facts read off the syntax tree alone, shared by the model and FastAPI knowledge."""

from __future__ import annotations

import ast


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

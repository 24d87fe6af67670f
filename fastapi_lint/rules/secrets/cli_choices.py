"""The command-line names a module declares: what ``args.x == "..."`` compares with.

``credential_commands = parser.add_subparsers(dest="credential_command")`` then
``credential_commands.add_parser("add-password")``: later ``if args.credential_command ==
"add-password":`` picks the sub-command. The name is secret-like (``credential``), the
literal is the sub-command's name, not a credential (API501, Revision 2: a sentinel
compared with). The same for the values of ``add_argument(..., choices=[...])``. Only literals the module itself declares count: a kebab-case
password compared with a password field (``"orders-local-pw"``) is still reported.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.syntax import last_name

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

_DECLARED: MemoKey[frozenset[str]] = MemoKey("cli-declared-names")


def declared_cli_name(model: ModuleModel, value: str) -> bool:
    """Whether the module declares ``value`` as a sub-command or a choice of its CLI."""
    names = model.memo.get(_DECLARED)
    if names is None:
        names = frozenset(_declared_names(model))
        model.memo.put(_DECLARED, names)
    return value in names


def _declared_names(model: ModuleModel) -> list[str]:
    found: list[str] = []
    for ref in model.of_type(ast.Call):
        call = ref.node
        assert isinstance(call, ast.Call)
        called = last_name(call.func)
        if called == "add_parser" and call.args:
            found.extend(_strings([call.args[0]]))  # `subparsers.add_parser("add-password")`
            for keyword in call.keywords:
                if keyword.arg == "aliases" and isinstance(keyword.value, (ast.List, ast.Tuple)):
                    found.extend(_strings(keyword.value.elts))
        elif called == "add_argument":
            for keyword in call.keywords:
                if keyword.arg == "choices" and isinstance(keyword.value, (ast.List, ast.Tuple)):
                    found.extend(_strings(keyword.value.elts))
    return found


def _strings(nodes: list[ast.expr]) -> list[str]:
    return [
        node.value
        for node in nodes
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]

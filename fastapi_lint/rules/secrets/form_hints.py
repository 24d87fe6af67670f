"""API505: a connection URL shown as the hint text of an empty form field.

A settings form that asks for a connection string shows its format in the empty
input: ``SourceField(name="dsn", type="password", placeholder="postgresql://user:
password@host:5432/db")``, ``{"label": "MongoDB URI", "placeholder":
"mongodb+srv://user:pass@cluster.example.net/app"}``. The browser draws that text
greyed out and never sends it; nothing connects with it. It is not a credential,
so "URL embeds the password" is a false claim there: the user types their own URL.

A setup wizard or a settings model shows the format the same way, as an example:
``DSN_EXAMPLES = {"postgres": "postgresql://user:pass@localhost/db"}`` printed next
to the prompt, ``Field(examples=["postgresql://user:pass@host/db"])`` in the schema.
That text is documentation of the format, not a password anything connects with.

A literal is such a hint when it is the value of a keyword argument, a dict entry
with a constant key, or an assignment (``field.placeholder = "..."``) whose name has
the word ``placeholder`` or ``example(s)`` (``placeholder=``, ``input_placeholder=``,
``"placeholder"``, ``examples=``, ``URL_EXAMPLES = ...``); an entry of a dict, list
or tuple counts with the name that holds the whole container. A known credential
format (API504) in one is still reported: a live token is live wherever it is written.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.rules.secret_patterns import split_name_words

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel


_HINT_WORDS = frozenset({"placeholder", "example", "examples"})


def _names_hint(name: object) -> bool:
    return isinstance(name, str) and not _HINT_WORDS.isdisjoint(split_name_words(name))


def is_form_hint(model: ModuleModel, literal: ast.expr) -> bool:
    """Whether ``literal`` is the placeholder text of a form field (see the module doc)."""
    child: ast.AST = literal
    for ancestor in model.ancestors(literal):
        if isinstance(ancestor, ast.keyword):
            return _names_hint(ancestor.arg)
        if isinstance(ancestor, ast.Dict):
            if any(
                value is child and isinstance(key, ast.Constant) and _names_hint(key.value)
                for key, value in zip(ancestor.keys, ancestor.values)
            ):
                return True
            child = ancestor  # `{"postgres": "..."}` judged by the name that holds the table
            continue
        if isinstance(ancestor, (ast.List, ast.Tuple, ast.Set)):
            child = ancestor  # `examples=["..."]`: one example of several
            continue
        if isinstance(ancestor, (ast.Assign, ast.AnnAssign)):
            targets = ancestor.targets if isinstance(ancestor, ast.Assign) else [ancestor.target]
            return ancestor.value is child and any(
                _names_hint(target.attr if isinstance(target, ast.Attribute) else target.id)
                for target in targets
                if isinstance(target, (ast.Attribute, ast.Name))
            )
        if isinstance(ancestor, ast.stmt) or not isinstance(ancestor, ast.JoinedStr):
            return False
        child = ancestor
    return False

"""Which decorators and registrations make a CLI command: the CLI libraries' own, and
those of a project class built on them.

Projects often subclass a CLI library's app to accept ``async def`` commands
(``class AsyncTyper(typer.Typer)`` whose ``command()`` wraps the coroutine in
``asyncer.runnify``) or to change its help output (``class NaturalOrderGroup(click.Group)``).
``@db_cli.command()`` on such an instance registers a CLI command as surely as
``@typer.Typer().command()`` does: it runs once, by hand (the contract, Revision 2,
"Serving code"). A project class with a ``command`` method that does not derive
from a CLI library (a chat bot's hook registry) is not a CLI: its hooks may run on
the server's loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.project.index import index_of

if TYPE_CHECKING:
    from fastapi_lint.project.index import ProjectIndex
    from fastapi_lint.semantic.model import ModuleModel

# Libraries whose ``command``/``group`` decorators make a CLI command.
CLI_LIBRARIES = ("click.", "typer.", "asyncclick.", "rich_click.", "cloup.", "cyclopts.")
# The methods of an app or group that register a command (cyclopts: ``@app.default``).
_REGISTRARS = frozenset({"command", "group", "callback", "result_callback", "default"})
# How many classes up a project class' bases are followed (as the index's class bases).
_MAX_BASES = 8


def is_cli_target(model: ModuleModel, target: str) -> bool:
    """Whether ``target`` (a decorator's or registration's qualified name) belongs to a CLI
    library, directly or as a registering method of a project class deriving from one of
    its classes."""
    if target.startswith(CLI_LIBRARIES):
        return True
    owner, _, attr = target.rpartition(".")
    if not owner or attr not in _REGISTRARS:
        return False
    project = index_of(model)
    return project is not None and _derives_from_cli(project, owner, set())


def _derives_from_cli(project: ProjectIndex, qualname: str, seen: set[str]) -> bool:
    """Walks the class statements themselves rather than the index's cached class bases:
    a fact's budget may cut those short, and the answer must not depend on which module
    asked first."""
    if qualname in seen or len(seen) > _MAX_BASES:
        return False
    seen.add(qualname)
    found = project.class_info(qualname)
    if found is None:
        return False
    model, info = found
    for base in info.node.bases:
        name = model.base_qualname(base, info.outer)
        if name and (name.startswith(CLI_LIBRARIES) or _derives_from_cli(project, name, seen)):
            return True
    return False

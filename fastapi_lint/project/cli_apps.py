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
    from fastapi_lint.semantic.model import ModuleModel

# Libraries whose ``command``/``group`` decorators make a CLI command.
CLI_LIBRARIES = ("click.", "typer.", "asyncclick.", "rich_click.", "cloup.", "cyclopts.")


def is_cli_target(model: ModuleModel, target: str) -> bool:
    """Whether ``target`` (a decorator's or registration's qualified name) belongs to a CLI
    library, directly or as a method of a project class deriving from one of its classes."""
    if target.startswith(CLI_LIBRARIES):
        return True
    owner = target.rpartition(".")[0]
    if not owner:
        return False
    project = index_of(model)
    if project is None:
        return False
    return any(base.startswith(CLI_LIBRARIES) for base in project.class_bases(owner))

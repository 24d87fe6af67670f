"""What call_chain's ``CalleeSummary`` and ``BlockingPath`` give, as protocols.

Modules that call_chain imports (template_methods.py, dispatch_tables.py) take
summaries through a callback and cannot import call_chain back; they type them
with these.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from fastapi_lint.rules.argument_values import ArgumentValues

__all__ = ["PathLike", "SummaryLike"]


class PathLike(Protocol):
    @property
    def chain(self) -> tuple[str, ...]: ...

    @property
    def conditions(self) -> Sequence[object]: ...


class SummaryLike(Protocol):
    @property
    def display(self) -> str: ...

    @property
    def is_async(self) -> bool: ...

    @property
    def is_generator(self) -> bool: ...

    @property
    def paths(self) -> Sequence[PathLike]: ...

    def paths_for(
        self, call: ast.Call, values: ArgumentValues | None = None
    ) -> Sequence[PathLike]: ...

"""Blocking methods a project class inherits from a library client.

``class ProviderClient(httpx.Client)`` or ``class RetrySession(requests.Session)``
wraps a sync client to set a base URL, retries or headers; ``provider.get(...)``
is then ``httpx.Client.get`` and blocks the same way. A method the project class
(or a project base) defines itself is the project's: API107 follows it instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.semantic import stubs

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi_lint.semantic.model import ModuleModel


def inherited_library_method(
    model: ModuleModel, target: str, is_blocking: Callable[[str], bool]
) -> str | None:
    """``httpx.Client.get`` for ``pkg.ProviderClient.get`` when the project class
    ``ProviderClient`` derives from ``httpx.Client`` and does not define ``get``."""
    owner, _, method = target.rpartition(".")
    # Asked for every call that blocks by no name: a class is spelled `CamelCase`.
    if not owner or method.startswith("_") or not owner.rpartition(".")[2][:1].isupper():
        return None
    if model.class_anywhere(owner) is None or model.find_function(target) is not None:
        return None
    for base in model.class_bases(owner):
        if model.class_anywhere(base) is not None:
            if model.find_function(f"{base}.{method}") is not None:
                return None  # a project base defines it: a project method
            continue
        inherited = stubs.canonical(f"{base}.{method}")
        if is_blocking(inherited):
            return inherited
    return None

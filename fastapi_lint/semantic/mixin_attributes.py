"""Attributes a mixin reads and the classes that mix it in set.

A provider split into mixins (``class Flows:`` with ``run_flow`` reading
``self.client``, ``class PrefectProvider(Flows, Deployments)`` whose ``__init__``
sets ``self.client = httpx.Client()``) types ``self.client`` in the mixin by the
classes of the same module that derive from it: when each of them that sets the
attribute gives it the same type, that is its type in the mixin's methods too. When
they disagree (one sync client, one async) the attribute stays unknown: no report
when unsure. Only the mixin's own module is read, so the answer needs no cross-module
fact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.semantic.limits import too_deep
from fastapi_lint.semantic.values import Instance

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.values import Value


def mixin_attribute_type(
    model: ModuleModel, class_qualname: str, attr: str, depth: int
) -> Value | None:
    """Type of ``self.attr`` in a class of this module that does not set it, from the
    classes of this module deriving from it (all of those that set it must agree)."""
    if too_deep(depth) or model.class_named(class_qualname) is None:
        return None
    found: Value | None = None
    for info in model.classes:
        if info.qualname == class_qualname or class_qualname not in model.class_bases(
            info.qualname
        ):
            continue
        value = model.instance_attribute_type(info.qualname, attr, depth + 1)
        if not isinstance(value, Instance):
            continue
        if found is not None and value != found:
            return None
        found = value
    return found

"""What ``ClassName.attr`` holds when the class body assigns it an instance.

``class Policy: context = CryptContext(...)`` and then ``Policy.context.verify(...)``
(here or in a module that imports ``Policy``): the class attribute is read through the
class, not through ``self``, so simple flow asks the project for ``app.auth.Policy.context``.
The class body's assignment answers it like a module constant does; anything but an
instance (a method, a nested class, an unknown value) leaves the name as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_lint.semantic.values import Instance

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.values import Value


def class_attribute_value(model: ModuleModel, rest: list[str], depth: int) -> Value | None:
    """``rest`` = ``["Policy", "context", ...]`` in ``model``: the instance the class body
    assigns ``context``, then the attributes after it; None when it is not one."""
    if len(rest) < 2:
        return None
    class_info = model.class_named(f"{model.module_name}.{rest[0]}")
    if class_info is None:
        return None
    bindings = class_info.scope.bindings.get(rest[1])
    if not bindings or len(bindings) != 1:
        return None
    value = model.binding_value(bindings[0], depth + 1)
    if not isinstance(value, Instance):
        return None
    result: Value | None = value
    for attr in rest[2:]:
        result = model.attribute_of(result, attr, depth + 1)
    return result

"""What a module's model may ask about the rest of the project.

``semantic/`` models one module; a name imported from another module of the
project is answered by the project index (``project/index.py``), which
implements this protocol. The model depends on the protocol only, so
``semantic/`` imports nothing from ``project/`` (tests/test_structure.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, ClassInfo, FunctionInfo
    from fastapi_lint.semantic.values import Value


class ProjectFacts(Protocol):
    """Answers about other modules of the project (``depth`` bounds recursion)."""

    def resolve(self, qualname: str, depth: int = 0) -> Value | None:
        """What a project-level name holds; follows re-exports and module constants."""

    def definition(
        self, qualname: str, depth: int = 0, *, assignments_only: bool = False
    ) -> tuple[ModuleModel, Binding] | None:
        """The module-level binding that defines ``qualname`` (re-exports followed); with
        ``assignments_only``, None unless that binding is an assignment."""

    def function(self, qualname: str) -> tuple[ModuleModel, FunctionInfo] | None:
        """The def of a project function and the model of its module."""

    def call_result(self, qualname: str, depth: int = 0) -> Value | None:
        """What calling a project function or class gives."""

    def attribute_type(self, class_qualname: str, attr: str, depth: int = 0) -> Value | None:
        """Type of ``obj.attr`` for an instance of a project class of another module."""

    def mixin_attribute_type(self, class_qualname: str, attr: str, depth: int = 0) -> Value | None:
        """Type of ``self.attr`` in a mixin, from the classes of other modules deriving from it."""

    def is_class(self, qualname: str) -> bool:
        """Whether a project name is a class defined in the project."""

    def list_item(self, qualname: str) -> str | None:
        """The class ``X`` of a project def annotated ``-> list[X]``."""

    def tuple_items(self, qualname: str) -> list[str | None] | None:
        """The element classes of a project def annotated ``-> tuple[A, B]``."""

    def generator_item(self, qualname: str, depth: int = 0) -> Value | None:
        """What a project generator function yields."""

    def is_annotated_alias(self, qualname: str) -> bool:
        """Whether a project name is an ``Annotated[...]`` alias."""

    def class_bases(self, class_qualname: str, depth: int = 0) -> list[str]:
        """Qualified names of a project class' bases, transitively."""

    def class_info(self, qualname: str) -> tuple[ModuleModel, ClassInfo] | None:
        """The class statement of a project class and the model of its module."""

    def star_names(self, module_name: str, depth: int = 0) -> frozenset[str] | None:
        """The names ``from <module_name> import *`` binds (None: not a project module)."""

    def is_project_module(self, module_name: str) -> bool:
        """Whether ``module_name`` is a module of the project, seen from this source root."""


def defining_function(model: ModuleModel, qualname: str) -> tuple[ModuleModel, FunctionInfo] | None:
    """The def of ``qualname`` and the model of its module: the checked module's own first,
    else the project's (None when it is no project function)."""
    local = model.function_named(qualname)
    if local is not None:
        return model, local
    return model.project.function(qualname) if model.project is not None else None

"""Typed memo: values computed once per owner (a module's model, a project index).

A rule or a project fact that keeps a per-model or per-project cache declares
a module-level :class:`MemoKey` next to the code that computes the value; the
owner holds a :class:`Memo` and knows nothing of what is kept in it (the lower
layer never names a rule's cache). The key's type parameter types the value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class MemoKey(Generic[T]):
    """The key of one memoised value. ``text_dependent``: the value describes
    the text of the project's modules, so it is dropped when a module's text
    changes (``Memo.drop_text_dependent``, called by ``ProjectIndex.forget``)."""

    __slots__ = ("name", "text_dependent")

    def __init__(self, name: str, *, text_dependent: bool = False) -> None:
        self.name = name
        self.text_dependent = text_dependent

    def __repr__(self) -> str:
        return f"MemoKey({self.name!r})"


class Memo:
    """Values by :class:`MemoKey`, for one owner."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[MemoKey[Any], Any] = {}

    def get(self, key: MemoKey[T]) -> T | None:
        value: T | None = self._values.get(key)
        return value

    def put(self, key: MemoKey[T], value: T) -> T:
        self._values[key] = value
        return value

    def setdefault(self, key: MemoKey[T], default: T) -> T:
        value: T = self._values.setdefault(key, default)
        return value

    def values(self) -> Iterator[object]:
        return iter(self._values.values())

    def drop_text_dependent(self) -> None:
        for key in [k for k in self._values if k.text_dependent]:
            del self._values[key]

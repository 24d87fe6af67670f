"""What an expression holds, as far as simple flow can tell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Ref:
    """A reference to a named thing: a module, class, function or project variable."""

    qualname: str


@dataclass(frozen=True)
class Instance:
    """An object of a known type (``httpx.Client``, ``sqlalchemy.orm.Session``)."""

    type: str


@dataclass(frozen=True)
class Member:
    """An attribute of an instance that is not known to be data: usually a method."""

    owner: str
    name: str


Value = Union[Ref, Instance, Member]


def to_json(value: Value | None) -> list[str] | None:
    if isinstance(value, Ref):
        return ["ref", value.qualname]
    if isinstance(value, Instance):
        return ["instance", value.type]
    if isinstance(value, Member):
        return ["member", value.owner, value.name]
    return None


def from_json(data: list[str] | None) -> Value | None:
    if not data:
        return None
    kind = data[0]
    if kind == "ref":
        return Ref(data[1])
    if kind == "instance":
        return Instance(data[1])
    if kind == "member":
        return Member(data[1], data[2])
    return None

"""Starlette's path semantics, as pure functions over path templates.

Starlette compiles a route path (``starlette/routing.py: compile_path``) into
the regex ``^...$``: literal text is matched as is, ``{name}`` becomes the
``str`` convertor ``[^/]+`` (one non-empty segment), ``{name:path}`` becomes
``.*`` (the rest, possibly empty), ``{name:int}`` ``[0-9]+``, ``{name:float}``
``[0-9]+(\\.[0-9]+)?`` and ``{name:uuid}`` a hexadecimal UUID
(``starlette/convertors.py``).

``covers(earlier, later)`` answers "does every URL path that ``later``
matches also match ``earlier``?" exactly, by checking inclusion of the two
regular languages (product of their automata over a finite set of
representative characters). A route whose path is covered by an earlier
route with the same method on the same router can never be reached: the
router dispatches to the first full match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Optional, Union

from fastapi_lint.lazy_re import lazy_compile

# starlette/routing.py: PARAM_REGEX
PARAM_REGEX = lazy_compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(:[a-zA-Z_][a-zA-Z0-9_]*)?}")

CONVERTORS = frozenset({"str", "path", "int", "float", "uuid"})

Predicate = Callable[[str], bool]


@dataclass(frozen=True)
class PathParam:
    name: str
    convertor: str  # "str" when none is given


@dataclass(frozen=True)
class PathTemplate:
    """A parsed route path: literal text and parameters, in order."""

    source: str
    parts: tuple[Union[str, PathParam], ...]

    @property
    def params(self) -> tuple[PathParam, ...]:
        return tuple(p for p in self.parts if isinstance(p, PathParam))

    @property
    def normalized(self) -> str:
        """The path with the default ``:str`` convertor made explicit: equal for the same
        template spelled two ways (``/items/{id}`` and ``/items/{id:str}``). Parameter
        names are kept: ``/teams/{name}`` after ``/teams/{id}`` is a shadowed route
        (API203), not the exact duplicate API204 is about (the contract)."""
        return "".join(
            p if isinstance(p, str) else "{" + p.name + ":" + p.convertor + "}" for p in self.parts
        )

    @property
    def literals(self) -> str:
        return "".join(p for p in self.parts if isinstance(p, str))


@lru_cache(maxsize=4096)
def parse_path(path: str) -> PathTemplate:
    """Split a path template into literal text and parameters (unknown convertors kept)."""
    parts: list[Union[str, PathParam]] = []
    position = 0
    for match in PARAM_REGEX.finditer(path):
        if match.start() > position:
            parts.append(path[position : match.start()])
        convertor = (match.group(2) or ":str")[1:]
        parts.append(PathParam(match.group(1), convertor))
        position = match.end()
    if position < len(path):
        parts.append(path[position:])
    return PathTemplate(path, tuple(parts))


def path_param_names(path: str) -> list[str]:
    """Names of the ``{param}`` placeholders of a path, in order."""
    return [p.name for p in parse_path(path).params]


def is_known(template: PathTemplate) -> bool:
    """Whether every convertor is one of Starlette's (custom ones are unknown to us)."""
    return all(p.convertor in CONVERTORS for p in template.params)


def same_path(first: str, second: str) -> bool:
    """The same path template, up to an explicit ``:str`` convertor."""
    return parse_path(first).normalized == parse_path(second).normalized


@lru_cache(maxsize=4096)
def covers(earlier: str, later: str) -> Optional[bool]:
    """Whether every URL path matched by ``later`` is matched by ``earlier``.

    None when unsure (a custom convertor).
    """
    first = parse_path(earlier)
    second = parse_path(later)
    if not is_known(first) or not is_known(second):
        return None
    if not first.params:
        return earlier == later
    # Fast negative: one URL the later route matches that the earlier one does not.
    if not _regex(first).match(_sample(second)):
        return False
    alphabet = _representatives(first.literals + second.literals)
    return _includes(_Automaton(first), _Automaton(second), alphabet)


_CONVERTOR_REGEX = {
    "str": "[^/]+",
    "path": ".*",
    "int": "[0-9]+",
    "float": r"[0-9]+(\.[0-9]+)?",
    "uuid": "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
}
_SAMPLES = {
    "str": "x",
    "path": "x",
    "int": "1",
    "float": "1",
    "uuid": "12345678-1234-1234-1234-123456789abc",
}


def _regex(template: PathTemplate) -> re.Pattern[str]:
    """Starlette's compiled path regex (``compile_path``)."""
    body = "".join(
        re.escape(p) if isinstance(p, str) else f"(?:{_CONVERTOR_REGEX[p.convertor]})"
        for p in template.parts
    )
    return re.compile(f"^{body}$", re.DOTALL)


def _sample(template: PathTemplate) -> str:
    return "".join(p if isinstance(p, str) else _SAMPLES[p.convertor] for p in template.parts)


# ------------------------------------------------------------ automata


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


def _is_hex(char: str) -> bool:
    return _is_digit(char) or "a" <= char <= "f" or "A" <= char <= "F"


def _not_slash(char: str) -> bool:
    return char != "/"


def _any(char: str) -> bool:
    return True


def _literal(expected: str) -> Predicate:
    return lambda char: char == expected


# A character's behaviour under every predicate above depends only on whether
# it is one of the literal characters, '/', '.', '-', a digit, a hex letter
# or none of those: one representative of each class is enough.
_OTHER_CANDIDATES = "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ_~!\ue000"


def _representatives(literals: str) -> tuple[str, ...]:
    chosen = set(literals) | {"/", ".", "-"}
    for pool in ("0123456789", "abcdef", "ABCDEF", _OTHER_CANDIDATES):
        spare = next((c for c in pool if c not in chosen), None)
        if spare is not None:
            chosen.add(spare)
    return tuple(sorted(chosen))


class _Automaton:
    """A small NFA for one path regex: transitions on predicates, epsilon moves."""

    def __init__(self, template: PathTemplate) -> None:
        self.moves: list[list[tuple[Predicate, int]]] = [[]]
        self.epsilon: list[list[int]] = [[]]
        state = 0
        for part in template.parts:
            if isinstance(part, str):
                for char in part:
                    state = self._step(state, _literal(char))
            else:
                state = self._param(state, part.convertor)
        self.accept = state

    def _new(self) -> int:
        self.moves.append([])
        self.epsilon.append([])
        return len(self.moves) - 1

    def _step(self, state: int, predicate: Predicate) -> int:
        target = self._new()
        self.moves[state].append((predicate, target))
        return target

    def _one_or_more(self, state: int, predicate: Predicate) -> int:
        target = self._step(state, predicate)
        self.moves[target].append((predicate, target))
        return target

    def _param(self, state: int, convertor: str) -> int:
        if convertor == "path":  # .*
            loop = self._new()
            self.epsilon[state].append(loop)
            self.moves[loop].append((_any, loop))
            return loop
        if convertor == "int":
            return self._one_or_more(state, _is_digit)
        if convertor == "float":  # [0-9]+(\.[0-9]+)?
            whole = self._one_or_more(state, _is_digit)
            dot = self._step(whole, _literal("."))
            fraction = self._one_or_more(dot, _is_digit)
            end = self._new()
            self.epsilon[whole].append(end)
            self.epsilon[fraction].append(end)
            return end
        if convertor == "uuid":
            for index, length in enumerate((8, 4, 4, 4, 12)):
                if index:
                    state = self._step(state, _literal("-"))
                for _ in range(length):
                    state = self._step(state, _is_hex)
            return state
        return self._one_or_more(state, _not_slash)  # str: [^/]+

    def closure(self, states: Iterable[int]) -> frozenset[int]:
        seen = set(states)
        stack = list(seen)
        while stack:
            for target in self.epsilon[stack.pop()]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return frozenset(seen)

    def advance(self, states: frozenset[int], char: str) -> frozenset[int]:
        return self.closure(
            target for state in states for predicate, target in self.moves[state] if predicate(char)
        )


def _includes(outer: _Automaton, inner: _Automaton, alphabet: tuple[str, ...]) -> bool:
    """L(inner) is a subset of L(outer): no reachable pair accepts inner but not outer."""
    start = (inner.closure([0]), outer.closure([0]))
    seen = {start}
    stack = [start]
    while stack:
        inner_states, outer_states = stack.pop()
        if inner.accept in inner_states and outer.accept not in outer_states:
            return False
        for char in alphabet:
            next_inner = inner.advance(inner_states, char)
            if not next_inner:
                continue
            pair = (next_inner, outer.advance(outer_states, char))
            if pair not in seen:
                seen.add(pair)
                stack.append(pair)
    return True

"""Which assignment of a local name reaches a read, on the path the read is on.

A route takes ``session_id = request.session_id``, then ``if not reuse and not
replace: session_id = store.new_local_session()``; later, under the same flags
(``if not reuse and not replace: store.cleanup(session_id)``), or after ``if replace:
... return`` and ``if reuse: ... return``, the name can only hold the second value:
wherever the read runs, the flags held when the assignment ran.

Simple path sensitivity, conservative everywhere: the reaching assignment is the last
one before the read that surely ran on the read's path -- it sits before the read in a
block that also holds the read, directly or under ``if``s (and ``with``s) whose tests
are known to hold at the read. A test holds at the read when an ``if`` around the read
tests it, or an ``if`` before it (in a block around the read) left the function on the
opposite test (``if replace: ... return``). Only tests made of names, constants,
comparisons, ``not``/``and``/``or``, on names never rebound after the test nor inside a
loop around it. Any other assignment between that one and the read, a loop around the
read (not the assignment) that assigns the name, a ``try`` or a loop between the
assignment and the shared block, ``global``/``nonlocal``: no answer (None).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING, Optional

from fastapi_lint.semantic.memo import MemoKey

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)

# The flow of each function asked about (its binding sites by name), by the def's id.
_FLOWS: MemoKey[dict[int, _Flow]] = MemoKey("reaching-flows")


def _position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def _end(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's own body (not of nested functions or classes)."""
    stack: list[ast.AST] = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _SCOPES):
            continue
        stack.extend(ast.iter_child_nodes(node))


def _declares(function: ast.AST, name: str) -> bool:
    """``global name``/``nonlocal name`` in the function or a function inside it."""
    return any(
        isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names
        for node in ast.walk(function)
    )


def _binds(node: ast.AST, name: str) -> bool:
    """Whether ``node`` (one node, not its children) binds ``name`` in the function."""
    if isinstance(node, ast.Name):
        return node.id == name and not isinstance(node.ctx, ast.Load)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == name
    if isinstance(node, ast.ExceptHandler):
        return node.name == name
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return any((alias.asname or alias.name.split(".")[0]) == name for alias in node.names)
    kind = type(node).__name__  # `match` patterns (3.10+), by name: 3.9 has no such nodes
    if kind in ("MatchAs", "MatchStar"):
        return getattr(node, "name", None) == name
    if kind == "MatchMapping":
        return getattr(node, "rest", None) == name
    if isinstance(node, ast.arg):
        return node.arg == name
    return False


class _Flow:
    """The statements of one function, as far as the reaching question needs them."""

    def __init__(self, model: ModuleModel, function: ast.AST) -> None:
        self.model = model
        self.function = function
        self._stores: dict[str, list[ast.AST]] = {}

    def stores(self, name: str) -> list[ast.AST]:
        """The nodes binding ``name`` in the function, parameters first."""
        if name not in self._stores:
            self._stores[name] = [node for node in _own_nodes(self.function) if _binds(node, name)]
        return self._stores[name]

    def statement(self, node: ast.AST) -> ast.AST:
        """The innermost statement holding ``node`` (itself when a statement)."""
        current: Optional[ast.AST] = node
        while current is not None and not isinstance(current, ast.stmt):
            current = self.model.parent(current)
        return current if current is not None else node

    def chain(self, node: ast.AST) -> list[ast.AST]:
        """``node``'s statement and the statements around it, inside out, up to (not
        including) the function."""
        found: list[ast.AST] = []
        current: Optional[ast.AST] = self.statement(node)
        while current is not None and current is not self.function:
            if isinstance(current, ast.stmt):
                found.append(current)
            current = self.model.parent(current)
        return found if current is self.function else []

    def block_of(self, statement: ast.AST) -> tuple[ast.AST, str, int] | None:
        """The compound statement (or function) whose block holds ``statement``, the
        block's field and the statement's index in it."""
        parent = self.model.parent(statement)
        if parent is None:
            return None
        for name in _BLOCK_FIELDS:
            block = getattr(parent, name, None)
            if isinstance(block, list):
                for index, item in enumerate(block):
                    if item is statement:
                        return parent, name, index
        return None

    # -- tests that hold at a read ------------------------------------------------

    def stable(self, test: ast.expr, since: ast.AST) -> bool:
        """A pure test on names that no statement rebinds from ``since`` on."""
        if not _pure(test):
            return False
        line = _position(since)
        for node in ast.walk(test):
            if not isinstance(node, ast.Name):
                continue
            for store in self.stores(node.id):
                if isinstance(store, ast.arg):
                    continue
                if _position(store) >= line:
                    return False
                if any(
                    isinstance(loop, _LOOPS) and _end(loop) >= line
                    for loop in self.model.ancestors(store)
                    if self._inside(loop)
                ):
                    return False  # rebound in a loop that comes back to the test
        return True

    def _inside(self, node: ast.AST) -> bool:
        return node is not self.function and any(
            ancestor is self.function for ancestor in self.model.ancestors(node)
        )

    def known(self, read: ast.AST) -> set[str]:
        """The (dumped) tests that hold where ``read`` runs."""
        facts: set[str] = set()
        for statement in self.chain(read):
            located = self.block_of(statement)
            if located is None:
                continue
            owner, field, index = located
            if isinstance(owner, ast.If):
                test = owner.test
                atoms = _conjuncts(test) if field == "body" else _negated(test)
                facts.update(ast.dump(atom) for atom in atoms if self.stable(atom, owner))
            block = getattr(owner, field)
            for before in block[:index]:
                if not isinstance(before, ast.If):
                    continue
                if _exits(before.body):
                    atoms = _negated(before.test)
                elif before.orelse and _exits(before.orelse):
                    atoms = _conjuncts(before.test)
                else:
                    continue
                facts.update(ast.dump(atom) for atom in atoms if self.stable(atom, before))
        return facts

    # -- the assignment that surely ran -------------------------------------------

    def surely_ran(self, store: ast.AST, read: ast.AST, facts: set[str]) -> bool:
        """Whether ``store``'s statement ran on every path that reaches ``read``."""
        read_chain = self.chain(read)
        read_places: dict[tuple[int, str], int] = {}
        for statement in read_chain:
            located = self.block_of(statement)
            if located is not None:
                owner, field, index = located
                read_places[(id(owner), field)] = index
        guards: list[tuple[ast.expr, ast.AST]] = []
        for statement in self.chain(store):
            located = self.block_of(statement)
            if located is None:
                return False
            owner, field, index = located
            shared = read_places.get((id(owner), field))
            if shared is not None:
                if shared <= index:
                    return False  # the read is not after the assignment in the block
                return all(
                    ast.dump(test) in facts and self.stable(test, since) for test, since in guards
                )
            if isinstance(owner, ast.If):
                atoms = _conjuncts(owner.test) if field == "body" else _negated(owner.test)
                guards.extend((atom, owner) for atom in atoms)
            elif not isinstance(owner, (ast.With, ast.AsyncWith)):
                return False  # a loop, a `try`, a `match`: the assignment may not run
        return False


def reaching_value(model: ModuleModel, function: ast.AST, read: ast.Name) -> ast.expr | None:
    """The value of the plain assignment (``name = value``) that ``read``, a name of
    ``function``'s own scope, sees on the path it is on, or None when no one assignment
    surely does."""
    innermost = next((node for node in model.ancestors(read) if isinstance(node, _FUNCTIONS)), None)
    if (
        innermost is not function
        or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        or _declares(function, read.id)
    ):
        return None
    flows = model.memo.setdefault(_FLOWS, {})
    flow = flows.get(id(function))
    if flow is None:
        flow = flows[id(function)] = _Flow(model, function)
    stores = flow.stores(read.id)
    read_at = _position(read)
    read_statement = flow.statement(read)
    before = [
        store for store in stores if not isinstance(store, ast.arg) and _position(store) < read_at
    ]
    if any(
        _end(flow.statement(store)) >= read_at or flow.statement(store) is read_statement
        for store in before
    ):
        return None  # `for name in ...:`, `with ... as name:`, `(name := ...)` around the read
    facts: set[str] | None = None
    for store in sorted(before, key=lambda node: _position(node), reverse=True):
        if facts is None:
            facts = flow.known(read)
        if not flow.surely_ran(store, read, facts):
            return None  # the last assignment before the read may or may not have run
        statement = flow.statement(store)
        for loop in model.ancestors(read):
            if loop is function:
                break
            if (
                isinstance(loop, _LOOPS)
                and not any(ancestor is loop for ancestor in model.ancestors(statement))
                and any(
                    any(ancestor is loop for ancestor in model.ancestors(other)) for other in stores
                )
            ):
                return None  # the loop comes back to the read with another value
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and statement.targets[0] is store
        ):
            return statement.value
        return None
    return None


def _pure(test: ast.expr) -> bool:
    return all(
        isinstance(
            node,
            (
                ast.Name,
                ast.Constant,
                ast.Compare,
                ast.BoolOp,
                ast.UnaryOp,
                ast.Load,
                ast.boolop,
                ast.cmpop,
                ast.unaryop,
            ),
        )
        for node in ast.walk(test)
    )


def _conjuncts(test: ast.expr) -> list[ast.expr]:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return [atom for value in test.values for atom in _conjuncts(value)]
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        operand = test.operand
        if isinstance(operand, ast.BoolOp) and isinstance(operand.op, ast.Or):
            return [atom for value in operand.values for atom in _negated(value)]
    return [test]


def _negated(test: ast.expr) -> list[ast.expr]:
    """The tests that hold where ``test`` is false."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _conjuncts(test.operand)
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return [atom for value in test.values for atom in _negated(value)]
    return [ast.UnaryOp(op=ast.Not(), operand=test)]


def _exits(body: list[ast.stmt]) -> bool:
    """Whether a block always leaves (``return``, ``raise``, ``continue``, ``break``)."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, _EXITS):
        return True
    if isinstance(last, ast.If):
        return bool(last.orelse) and _exits(last.body) and _exits(last.orelse)
    return False

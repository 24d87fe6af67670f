"""What a fixer works with: the module's text and tree (``FixContext``) and edit helpers."""

from __future__ import annotations

import ast
import sys
from collections import deque
from typing import Callable, Optional

from fastapi_lint.diagnostics import Diagnostic, Edit, Fix
from fastapi_lint.source import line_char_offset, physical_lines

Fixer = Callable[["FixContext", Diagnostic], Optional[Fix]]


class FixContext:
    """The module being fixed: its text, its tree and positions, parsed once."""

    def __init__(self, source: str) -> None:
        self.source = source
        # Physical lines, as ast numbers them (str.splitlines also splits on form feeds).
        self.lines = physical_lines(source)
        self.tree = ast.parse(source)
        self.parents: dict[int, ast.AST] = {}
        self.by_start: dict[tuple[int, int], list[ast.AST]] = {}
        # Names the module binds and how often each is loaded, gathered on first
        # use in the same order-free way (fixers ask for several names per file).
        self._bound: set[str] | None = None
        self._loads: dict[str, int] | None = None
        # Breadth first, as ast.walk goes (by_start keeps that order), visiting
        # each node's children once.
        parents = self.parents
        by_start = self.by_start
        iter_children = ast.iter_child_nodes
        queue: deque[ast.AST] = deque([self.tree])
        pop = queue.popleft
        push = queue.append
        while queue:
            node = pop()
            for child in iter_children(node):
                parents[id(child)] = node
                push(child)
            if hasattr(node, "lineno") and hasattr(node, "col_offset"):
                by_start.setdefault((node.lineno, node.col_offset), []).append(node)

    # ---------------------------------------------------------------- positions
    def char_col(self, line: int, byte_col: int) -> int:
        """ast columns count UTF-8 bytes; edits count characters."""
        return line_char_offset(self.lines, line, byte_col)

    def nodes_at(self, line: int, col: int, node_type: type) -> list[ast.AST]:
        return [n for n in self.by_start.get((line, col), []) if isinstance(n, node_type)]

    def call_at(self, diagnostic: Diagnostic) -> ast.Call | None:
        """The call a diagnostic is about: `a.b().c()` and `a.b()` start at the same place."""
        for node in self.nodes_at(diagnostic.line, diagnostic.col, ast.Call):
            assert isinstance(node, ast.Call)
            if (node.end_lineno, node.end_col_offset) == (diagnostic.end_line, diagnostic.end_col):
                return node
        return None

    def definition_on_line(
        self,
        line: int,
        node_type: type | tuple[type, ...] = (ast.FunctionDef, ast.AsyncFunctionDef),
    ) -> ast.AST | None:
        """The ``def`` (or ``class``) whose keyword is on ``line``: such findings are
        reported at the name token, not at the node's start."""
        for (start_line, _), nodes in self.by_start.items():
            if start_line == line:
                for node in nodes:
                    if isinstance(node, node_type):
                        return node
        return None

    def text(self, node: ast.AST) -> str:
        """The node's source, as ``ast.get_source_segment`` gives it (from the lines
        split once: that function splits the text up to the node on every call)."""
        try:
            if node.end_lineno is None or node.end_col_offset is None:  # type: ignore[attr-defined]
                return ""
            first = node.lineno - 1  # type: ignore[attr-defined]
            last = node.end_lineno - 1  # type: ignore[attr-defined]
            start = node.col_offset  # type: ignore[attr-defined]
            end = node.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:
            return ""
        lines = self.lines
        if last == first:
            return lines[first].encode()[start:end].decode()
        head = lines[first].encode()[start:].decode()
        tail = lines[last].encode()[:end].decode()
        return "".join([head, *lines[first + 1 : last], tail])

    def replace(self, node: ast.AST, content: str) -> Edit:
        return Edit(
            start_line=node.lineno,  # type: ignore[attr-defined]
            start_col=self.char_col(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            end_line=node.end_lineno,  # type: ignore[attr-defined]
            end_col=self.char_col(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
            content=content,
        )

    def insert_before(self, node: ast.AST, content: str) -> Edit:
        line = node.lineno  # type: ignore[attr-defined]
        col = self.char_col(line, node.col_offset)  # type: ignore[attr-defined]
        return Edit(line, col, line, col, content)

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    # ---------------------------------------------------------------- names
    def module_imports(self, module: str) -> str | None:
        """The local name a top-level ``import module [as x]`` binds, if any."""
        for statement in self.tree.body:
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.name == module:
                        return alias.asname or module
        return None

    def binds_name(self, name: str) -> bool:
        """Whether the module binds ``name`` anywhere (def, class, assignment, import)."""
        if self._bound is None:
            self._gather_names()
        assert self._bound is not None
        return name in self._bound

    def _loads_of(self, name: str) -> int:
        if self._loads is None:
            self._gather_names()
        assert self._loads is not None
        return self._loads.get(name, 0)

    def _gather_names(self) -> None:
        """One pass over the parsed nodes for :meth:`binds_name` and the loads of each name."""
        bound: set[str] = set()
        loads: dict[str, int] = {}
        for node in ast.walk(self.tree):
            _note_name(node, bound, loads)
        self._bound, self._loads = bound, loads

    def import_edit(self, module: str, name: str | None = None) -> Edit | None:
        """The edit adding ``import module`` (or ``from module import name``).

        A standard-library ``import module`` goes where isort (ruff's I001)
        puts it: in the standard library's section, in alphabetical order.
        Other imports are placed by libcst.
        """
        if name is None and module.split(".")[0] in sys.stdlib_module_names:
            placed = self._stdlib_import_edit(module)
            if placed is not None:
                return placed
        try:  # a dependency; an environment without it loses the fix, not the findings
            import libcst as cst
            from libcst.codemod import CodemodContext
            from libcst.codemod.visitors import AddImportsVisitor
        except ImportError:
            return None
        try:
            tree = cst.parse_module(self.source)
            context = CodemodContext()
            AddImportsVisitor.add_needed_import(context, module, name)
            rewritten = AddImportsVisitor(context).transform_module(tree).code
        except Exception:  # libcst cannot parse every new syntax: then no fix
            return None
        return line_edit(self.source, rewritten)

    def _leading_imports(self) -> list[ast.Import | ast.ImportFrom]:
        """The module's import block (after the docstring), ``__future__`` left out."""
        body = self.tree.body
        start = 0
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            start = 1
        block: list[ast.Import | ast.ImportFrom] = []
        for statement in body[start:]:
            if not isinstance(statement, (ast.Import, ast.ImportFrom)):
                break
            if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
                continue
            block.append(statement)
        return block

    def _stdlib_import_edit(self, module: str) -> Edit | None:
        block = self._leading_imports()
        if not block or any(self._shares_line(statement) for statement in block):
            return None
        stdlib = [s for s in block if _is_stdlib(s)]
        text = f"import {module}\n"
        if not stdlib:
            # Before the third-party section, as a section of its own.
            return Edit(block[0].lineno, 0, block[0].lineno, 0, text + "\n")
        plain = [s for s in stdlib if isinstance(s, ast.Import)]
        later = [s for s in plain if s.names[0].name.lower() > module.lower()]
        if later:
            line = later[0].lineno
        elif plain:
            line = (plain[-1].end_lineno or plain[-1].lineno) + 1
        else:
            line = stdlib[0].lineno  # `import x` before `from x import y` (isort's default)
        return Edit(line, 0, line, 0, text)

    def _shares_line(self, statement: ast.stmt) -> bool:
        """Whether another statement or a `;` sits on the statement's lines."""
        first = self.lines[statement.lineno - 1]
        last = self.lines[(statement.end_lineno or statement.lineno) - 1]
        end = self.char_col(statement.end_lineno or statement.lineno, statement.end_col_offset or 0)
        rest = last[end:].strip()
        return bool(first[: statement.col_offset].strip()) or bool(
            rest and not rest.startswith("#")
        )

    def remove_unused_import(self, name: str, uses: int = 1) -> Edit | None:
        """The edit deleting the top-level import of ``name`` when only ``uses`` loads of it remain.

        A fix that replaces the last use of an import (``time.sleep``) must
        not leave it unused (ruff's F401).
        """
        if self._loads_of(name) != uses or _named_in_all(self.tree, name):
            return None
        for statement in self.tree.body:
            if not isinstance(statement, (ast.Import, ast.ImportFrom)):
                continue
            bound = [
                alias
                for alias in statement.names
                if (alias.asname or alias.name.split(".")[0]) == name
            ]
            if not bound:
                continue
            if len(statement.names) > 1 or self._shares_line(statement):
                return None  # `import os, time`: left for the user (or ruff --fix)
            if (
                isinstance(statement, ast.Import)
                and bound[0].asname is None
                and "." in bound[0].name
            ):
                return None  # `import os.path` binds `os` for other uses too
            end = (statement.end_lineno or statement.lineno) + 1
            return Edit(statement.lineno, 0, end, 0, "")
        return None


def _note_name(node: ast.AST, bound: set[str], loads: dict[str, int]) -> None:
    if isinstance(node, ast.Name):
        if isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node.ctx, ast.Load):
            loads[node.id] = loads.get(node.id, 0) + 1
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        bound.add(node.name)
    elif isinstance(node, ast.alias):
        bound.add(node.asname or node.name.split(".")[0])


def _is_stdlib(statement: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(statement, ast.ImportFrom):
        if statement.level or not statement.module:
            return False
        top = statement.module.split(".")[0]
    else:
        top = statement.names[0].name.split(".")[0]
    return top in sys.stdlib_module_names


def _named_in_all(tree: ast.Module, name: str) -> bool:
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in statement.targets
        ):
            return any(
                isinstance(e, ast.Constant) and e.value == name for e in ast.walk(statement.value)
            )
    return False


def merge_edits(edits: list[Edit]) -> list[Edit]:
    """An insertion at the start of a deleted range becomes one replacement (LSP edits never touch)."""
    result: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start_line, e.start_col, e.end_line, e.end_col)):
        previous = result[-1] if result else None
        if (
            previous is not None
            and (previous.start_line, previous.start_col) == (edit.start_line, edit.start_col)
            and (previous.start_line, previous.start_col) == (previous.end_line, previous.end_col)
        ):
            result[-1] = Edit(
                edit.start_line,
                edit.start_col,
                edit.end_line,
                edit.end_col,
                previous.content + edit.content,
            )
        else:
            result.append(edit)
    return result


def line_edit(original: str, rewritten: str) -> Edit | None:
    """One edit replacing the lines that differ between two versions of a text."""
    if original == rewritten:
        return None
    old = original.splitlines(keepends=True)
    new = rewritten.splitlines(keepends=True)
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old), len(new)) - prefix
        and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]
    ):
        suffix += 1
    replaced = "".join(new[prefix : len(new) - suffix])
    start_line = prefix + 1
    end_line = len(old) - suffix + 1
    return Edit(start_line, 0, end_line, 0, replaced)

"""The shape of the package, from its import graph (no module is imported).

- no import cycle among ``fastapi_lint``'s modules (function-level imports
  count; imports under ``if TYPE_CHECKING:`` do not, they never run);
- the doors (the CLI, the flake8 plugin, the language server) never import
  each other: each is a thin layer over ``linter``/``engine``;
- ``semantic/`` is a leaf: it reaches the project index only through the
  protocol it defines, so it imports nothing from ``project/``, ``rules/`` or
  the doors, not even for type checking;
- no module over 900 lines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "fastapi_lint"
DOORS = frozenset({"fastapi_lint.cli", "fastapi_lint.flake8_plugin", "fastapi_lint.server"})
SEMANTIC_MAY_NOT_IMPORT = (
    "fastapi_lint.project",
    "fastapi_lint.rules",
    "fastapi_lint.cli",
    "fastapi_lint.server",
    "fastapi_lint.flake8_plugin",
    "fastapi_lint.linter",
)
MAX_LINES = 900


@dataclass(frozen=True)
class Import:
    target: str
    line: int
    type_only: bool  # under `if TYPE_CHECKING:`


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _known(name: str) -> str | None:
    """The module ``name`` imports: itself, or its nearest package we own."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str) -> Iterator[Import]:
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST, type_only: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for inner in child.body:
                    yield from visit_one(inner, True)
                for inner in child.orelse:
                    yield from visit_one(inner, type_only)
            else:
                yield from visit_one(child, type_only)

    def visit_one(node: ast.AST, type_only: bool) -> Iterator[Import]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _known(alias.name)
                if target:
                    yield Import(target, node.lineno, type_only)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                # `from fastapi_lint.output import text` imports the submodule.
                full = f"{base}.{alias.name}"
                target = full if full in MODULES else _known(base)
                if target:
                    yield Import(target, node.lineno, type_only)
        yield from visit(node, type_only)

    yield from visit(ast.parse(path.read_text(encoding="utf-8")), False)


def _graph() -> dict[str, set[str]]:
    return {
        module: {i.target for i in _imports(module) if not i.type_only and i.target != module}
        for module in MODULES
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            child = next(edges, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_sees_function_level_imports() -> None:
    # A guard for the test itself: `run_check` imports the registry in its body.
    assert "fastapi_lint.registry" in _graph()["fastapi_lint.cli"]


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycle() -> None:
    graph = _graph()
    details = [
        f"{cycle}: "
        + "; ".join(f"{a} -> {b}" for a in cycle for b in sorted(graph[a]) if b in cycle)
        for cycle in _cycles(graph)
    ]
    assert not details, "\n".join(details)


def test_no_door_imports_another_door() -> None:
    wrong = [
        f"{door} imports {i.target} (line {i.line})"
        for door in sorted(DOORS)
        for i in _imports(door)
        if i.target in DOORS and i.target != door
    ]
    assert not wrong, "\n".join(wrong)


def test_semantic_is_a_leaf() -> None:
    wrong = [
        f"{module} imports {i.target} (line {i.line})"
        for module in MODULES
        if module.startswith("fastapi_lint.semantic")
        for i in _imports(module)
        if i.target.startswith(SEMANTIC_MAY_NOT_IMPORT)
    ]
    assert not wrong, "\n".join(wrong)


def test_no_module_over_900_lines() -> None:
    sizes = {
        module: len(path.read_text(encoding="utf-8").splitlines())
        for module, path in MODULES.items()
    }
    over = {module: size for module, size in sizes.items() if size > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines: {over}"


def _module_level_compiles(tree: ast.Module) -> Iterator[int]:
    """Lines of ``re.compile(...)`` calls that run at import (outside any function body)."""

    def visit(node: ast.AST) -> Iterator[int]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr == "compile"
                and isinstance(child.func.value, ast.Name)
                and child.func.value.id == "re"
            ):
                yield child.lineno
            yield from visit(child)

    yield from visit(tree)


def test_no_regular_expression_is_compiled_at_import() -> None:
    # Every rule module is imported on every start: module-level patterns use
    # `lazy_compile` (fastapi_lint/lazy_re.py) and compile on first use.
    wrong = [
        f"{module}:{line}"
        for module, path in MODULES.items()
        for line in _module_level_compiles(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not wrong, "re.compile at import (use lazy_compile): " + ", ".join(wrong)

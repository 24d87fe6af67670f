"""Which of two modules registers first on a router they share, from import order.

A common layout keeps one router in its own module and lets endpoint modules
decorate it (``from .router import router``; ``@router.get("/ping")``), with the
package registering them by importing them: ``from . import ping_a, ping_b``.
The routes then register in that import order. The route table knows the order
of two such modules only when one module is the sole importer of both (tests
aside), at module level: then its import statements run them in order, and no
other import can run one of them first. Otherwise their order stays unknown
(``ServedRoute.order_against``): when unsure, silent.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi_lint.project.index import ProjectIndex

# (router key, registering module) -> (the sole importer, position of the import there)
Ranks = dict[tuple[str, str], tuple[str, list[int]]]


def registration_ranks(
    project: ProjectIndex,
    files: Callable[[], list[str]],
    routers: dict[str, dict[str, Any]],
    summaries: dict[str, dict[str, Any]],
) -> Ranks:
    """The import position of each module that registers, at module level, on a router
    of another module, when that router has several such modules and the order of
    some of them is known (see the module docstring). ``files``: the project's
    files, walked only when some router has such modules."""
    foreign: dict[str, set[str]] = {}
    for module, summary in summaries.items():
        items = [(r["router"], r["block"]) for r in summary.get("routes") or []]
        items += [(i["parent"], i["block"]) for i in summary.get("includes") or []]
        for router, block in items:
            home = routers.get(router, {}).get("module")
            if block == module and home is not None and home != module:
                foreign.setdefault(router, set()).add(module)
    shared = {router: modules for router, modules in foreign.items() if len(modules) > 1}
    if not shared:
        return {}
    wanted = set().union(*shared.values())
    importers = _importers(project, files(), wanted)
    ranks: Ranks = {}
    for router, modules in shared.items():
        for module in modules:
            found = importers.get(module, [])
            if len({importer for importer, _ in found}) == 1 and len(found) == 1:
                ranks[(router, module)] = found[0]
    return ranks


def _importers(
    project: ProjectIndex, files: list[str], wanted: set[str]
) -> dict[str, list[tuple[str, list[int]]]]:
    """For each wanted module, every (module, position) whose top level imports it; a
    module importing it only inside a function or a branch counts as an importer at
    an unknown position (so the module gets no rank)."""
    from fastapi_lint.project.layout import module_name_for
    from fastapi_lint.source import SourceError, read_source

    short = {name.rsplit(".", 1)[-1] for name in wanted}
    found: dict[str, list[tuple[str, list[int]]]] = {}
    for path in files:
        try:
            text = read_source(path)
        except (SourceError, OSError):
            continue
        if "import" not in text or not any(name in text for name in short):
            continue
        importer = module_name_for(Path(path), project.root)
        model = project.model(importer)
        if model is None:
            continue
        top = {id(statement): index for index, statement in enumerate(model.tree.body)}
        for node in ast.walk(model.tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for position, target in enumerate(_targets(model, node)):
                for module in wanted:
                    if module == importer or not (
                        target == module or target.startswith(module + ".")
                    ):
                        continue
                    index = top.get(id(node))
                    where = [index, position] if index is not None else [-1, -1]
                    found.setdefault(module, []).append((importer, where))
                    if index is None:
                        # an import of unknown time: make the module unranked
                        found[module].append((importer + ":nested", where))
    return found


def _targets(model: Any, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The absolute names an import statement reaches, one per imported name."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    targets = []
    for alias in node.names:
        if alias.name == "*":
            continue
        for binding in model.module_scope.bindings.get(alias.asname or alias.name, []):
            if binding.node is node and binding.qualname:
                targets.append(binding.qualname)
                break
    return targets

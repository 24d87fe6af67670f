"""Our semantic model against astroid on the names the rules ask about (issue 3).

Usage::

    python bench/astroid_compare.py [--apps dstack,fief-server,lnbits] [--limit 150]

For real applications of the corpus (``python bench/corpus.py``), takes the
files that define ``async def`` functions (at most ``--limit`` per app, evenly
spread) and, for every call whose code runs inline in an ``async def`` (the
calls API101-API107 judge), asks:

- ours: ``ModuleModel.call_target(call, scope)`` (with the project index, fact
  cache off), e.g. ``requests.get`` or ``httpx.AsyncClient.get``;
- astroid: ``call.func.inferred()`` on ``astroid.MANAGER.ast_from_file``
  (with the app's package folder on ``sys.path``); resolved when inference
  gives a function, method or class (``qname()``), not ``Uninferable``.

Prints per app: calls, resolution rate of each, both/only-ours/only-astroid,
agreement on the final name when both resolve, and the CPU time of each
(model building or astroid tree building included, other modules built on
demand included). The code is never imported or executed: astroid infers
from source too (but it does import C extensions' and installed libraries'
sources it finds on ``sys.path``: that is its strength and its cost).
"""

from __future__ import annotations

import argparse
import ast
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO_ROOT = BENCH.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "scratch" / "corpus"
DEFAULT_APPS = "dstack,fief-server,lnbits"


def package_dirs(member: Path) -> list[Path]:
    """Folders to put on sys.path: ``src`` if present, else the member folder."""
    src = member / "src"
    return [src] if src.is_dir() else [member]


def candidate_files(member: Path, limit: int) -> list[Path]:
    files = []
    for path in sorted(member.rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "async def" in text:
            try:
                ast.parse(text)
            except (SyntaxError, ValueError, RecursionError):
                continue
            files.append(path)
    if len(files) > limit:
        step = len(files) / limit
        files = [files[int(i * step)] for i in range(limit)]
    return files


def inline_async_calls_ours(path: Path) -> tuple[list[tuple[int, int, str | None]], float]:
    """(line, col, our target) for calls running inline in an async def; CPU seconds."""
    from fastapi_lint.engine import module_name_of
    from fastapi_lint.project.process_indexes import index_for
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.settings import RuleOptions

    options = RuleOptions(use_cache=False)
    start = time.process_time()
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    project = index_for(str(path), options={"rule_options": options})
    model = ModuleModel(
        tree,
        str(path),
        module_name_of(str(path), options),
        lines=source.splitlines(True),
        project=project,
        options={"rule_options": options},
    )
    project.register(model, source)
    found = []
    for ref in model.calls:
        function = ref.scope.code_function
        if function is None or not function.is_async:
            continue
        node = ref.node
        assert isinstance(node, ast.Call)
        found.append((node.lineno, node.col_offset, model.call_target(node, ref.scope)))
    return found, time.process_time() - start


def _inline_async(node: object) -> bool:
    """Whether an astroid node's code runs inline in an ``async def``."""
    from astroid import nodes

    return isinstance(node.scope(), nodes.AsyncFunctionDef)  # type: ignore[attr-defined]


def inline_async_calls_astroid(
    path: Path, modname: str
) -> tuple[dict[tuple[int, int], str | None], float]:
    import astroid
    from astroid import nodes

    start = time.process_time()
    result: dict[tuple[int, int], str | None] = {}
    try:
        module = astroid.MANAGER.ast_from_file(str(path), modname, source=True)
    except Exception:  # astroid's own failures count as unresolved
        return result, time.process_time() - start
    for call in module.nodes_of_class(nodes.Call):
        if not _inline_async(call):
            continue
        name = None
        try:
            for value in call.func.infer():
                if value is astroid.Uninferable:
                    continue
                if isinstance(value, (nodes.FunctionDef, nodes.ClassDef)) or hasattr(
                    value, "qname"
                ):
                    try:
                        name = value.qname()
                    except Exception:
                        name = None
                    if name:
                        break
        except Exception:  # InferenceError, RecursionError, ...
            name = None
        result[(call.lineno, call.col_offset)] = name
    return result, time.process_time() - start


def compare_app(
    member: Path, limit: int, examples: dict[str, list[str]] | None = None
) -> dict[str, float]:
    import astroid

    from fastapi_lint.engine import module_name_of
    from fastapi_lint.project import process_indexes as index_module
    from fastapi_lint.settings import RuleOptions

    index_module.forget_indexes()
    astroid.MANAGER.clear_cache()
    saved_path = list(sys.path)
    sys.path[:0] = [str(p) for p in package_dirs(member)]
    files = candidate_files(member, limit)
    stats = dict.fromkeys(
        ("files", "calls", "ours", "astroid", "both", "only_ours", "only_astroid", "agree"), 0.0
    )
    ours_cpu = astroid_cpu = 0.0
    try:
        for path in files:
            ours, cpu = inline_async_calls_ours(path)
            ours_cpu += cpu
            modname = module_name_of(str(path), RuleOptions())
            theirs, cpu = inline_async_calls_astroid(path, modname)
            astroid_cpu += cpu
            stats["files"] += 1
            for line, col, target in ours:
                other = theirs.get((line, col))
                stats["calls"] += 1
                stats["ours"] += target is not None
                stats["astroid"] += other is not None
                if target is not None and other is not None:
                    stats["both"] += 1
                    ours_last = target.rsplit(".", 1)[-1]
                    theirs_last = other.rsplit(".", 1)[-1]
                    stats["agree"] += ours_last == theirs_last
                elif target is not None:
                    stats["only_ours"] += 1
                    if examples is not None:
                        examples["only ours"].append(f"{path.name}:{line}: {target}")
                elif other is not None:
                    stats["only_astroid"] += 1
                    if examples is not None:
                        examples["only astroid"].append(f"{path.name}:{line}: {other}")
    finally:
        sys.path[:] = saved_path
    stats["ours_cpu"] = ours_cpu
    stats["astroid_cpu"] = astroid_cpu
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--apps", default=DEFAULT_APPS, help="member name prefixes")
    parser.add_argument("--limit", type=int, default=150, help="files per app")
    parser.add_argument("--examples", type=int, default=0, help="print N sample disagreements")
    args = parser.parse_args(argv)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    members = sorted(p for p in args.corpus.iterdir() if p.is_dir())
    print(
        "| app | files | calls in async defs | ours resolved | astroid resolved | both | only ours"
        " | only astroid | same name when both | ours CPU (s) | astroid CPU (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for prefix in args.apps.split(","):
        member = next((m for m in members if m.name.startswith(prefix)), None)
        if member is None:
            print(f"| {prefix} | (not in the corpus) |")
            continue
        examples: dict[str, list[str]] = {"only ours": [], "only astroid": []}
        s = compare_app(member, args.limit, examples)
        calls = s["calls"] or 1
        both = s["both"] or 1
        print(
            f"| {member.name} | {s['files']:.0f} | {s['calls']:.0f} |"
            f" {s['ours']:.0f} ({100 * s['ours'] / calls:.0f}%) |"
            f" {s['astroid']:.0f} ({100 * s['astroid'] / calls:.0f}%) |"
            f" {s['both']:.0f} | {s['only_ours']:.0f} | {s['only_astroid']:.0f} |"
            f" {100 * s['agree'] / both:.0f}% | {s['ours_cpu']:.2f} | {s['astroid_cpu']:.2f} |",
            flush=True,
        )
        if args.examples:
            import random

            rng = random.Random(0)
            for kind, found in examples.items():
                for example in rng.sample(found, min(args.examples, len(found))):
                    print(f"    {kind}: {example}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

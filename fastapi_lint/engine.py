"""The one entry point that checks a module: ``check_source`` / ``check_tree``.

Both doors (the flake8 plugin and the CLI) come here. Data flows one way:
tree -> module model (+ project index) -> rule families -> diagnostics.
Filtering by ``# noqa`` and formatting happen outside, in the door.
"""

from __future__ import annotations

import ast
import atexit
import gc
import sys
from pathlib import Path

from fastapi_lint.diagnostics import Diagnostic, Reporter
from fastapi_lint.lazy_re import LazyPattern, lazy_compile
from fastapi_lint.registry import all_codes, families, opt_in_codes, rules_for
from fastapi_lint.settings import RuleOptions, Selection
from fastapi_lint.source import SourceError, decode_source, source_lines

# Deeply nested expressions can exhaust the C stack of ast.parse or of the
# compiler; a higher recursion limit lets the few recursive helpers finish.
_RECURSION_LIMIT = 10_000


class CheckError(Exception):
    """One file could not be checked; the message is a single line."""


def parse(source: str, path: str) -> ast.Module:
    try:
        return ast.parse(source, filename=path)
    except SyntaxError as error:
        line = f"{error.lineno}:{(error.offset or 1)}: " if error.lineno else ""
        message = error.msg
        needed = newer_syntax(source, error)
        if needed is not None:
            message += (
                f" (needs Python {needed} to parse; run fastapi-lint under that interpreter,"
                f" this one is {sys.version_info.major}.{sys.version_info.minor})"
            )
        raise CheckError(f"{line}syntax error: {message}") from None
    except (ValueError, TypeError) as error:  # null bytes on older Pythons
        raise CheckError(
            f"cannot parse: {str(error).splitlines()[0] if str(error) else 'invalid source'}"
        ) from None
    except (RecursionError, MemoryError):
        raise CheckError("cannot parse: the file is nested too deeply") from None


# Syntax newer than some interpreters: (the Python that parses it, a pattern of its line).
_NEWER_SYNTAX: tuple[tuple[tuple[int, int], LazyPattern[str]], ...] = (
    ((3, 10), lazy_compile(r"^\s*match\s+[^\s=:.,)\]].*:\s*(#.*)?$")),  # PEP 634 match
    ((3, 11), lazy_compile(r"^\s*except\s*\*")),  # PEP 654 except*
    ((3, 12), lazy_compile(r"^\s*type\s+[A-Za-z_]\w*\s*(\[.*\])?\s*=")),  # PEP 695 aliases
    ((3, 12), lazy_compile(r"^\s*(async\s+)?def\s+[A-Za-z_]\w*\s*\[")),  # PEP 695 generics
    ((3, 12), lazy_compile(r"^\s*class\s+[A-Za-z_]\w*\s*\[")),
    ((3, 14), lazy_compile(r"^\s*except\s+[^:()\[]+,[^:]*:")),  # PEP 758: `except A, B:`
    ((3, 14), lazy_compile(r"(^|[\s=(,\[{:])[tT][rR]?[\"']")),  # PEP 750 template strings
)


def newer_syntax(source: str, error: SyntaxError) -> str | None:
    """The Python version that parses the line a SyntaxError points at, if newer than ours."""
    lines = source_lines(source)
    if not error.lineno or not 1 <= error.lineno <= len(lines):
        return None
    text = lines[error.lineno - 1]
    for version, pattern in _NEWER_SYNTAX:
        if sys.version_info < version and pattern.search(text):
            return f"{version[0]}.{version[1]}"
    # PEP 701 (3.12): f-strings that reuse their quotes or span lines.
    if sys.version_info < (3, 12) and error.msg.startswith("f-string"):
        return "3.12"
    # A replacement field left open at the end of the line (`f"{make_url(` and the
    # arguments on the next lines): older parsers see an unterminated string.
    if (
        sys.version_info < (3, 12)
        and error.msg.startswith("unterminated string literal")
        and (opened := _OPEN_FSTRING.search(text)) is not None
        and opened.group(0).count("{") > opened.group(0).count("}")
    ):
        return "3.12"
    return None


_OPEN_FSTRING = lazy_compile(r"(?<![\w'\"])[rR]?[fF][rR]?(\"|')(?!\1\1).*$")


def module_name_of(path: str, options: RuleOptions) -> str:
    if not path or path in ("-", "<stdin>"):
        return "__main__"
    from fastapi_lint.project.layout import find_project_root, module_name_for

    file_path = Path(path)
    root = Path(options.project_root) if options.project_root else find_project_root(file_path)
    return module_name_for(file_path, root, options.src)


_gc_tuned = False


def tune_gc() -> None:
    """Raise the collector's first threshold once per process, and skip its last walk.

    The models of a project's modules are large, long-lived object graphs; with
    the default threshold (700) the cyclic collector re-walks them thousands of
    times per run and doubles the analysis time. Nothing we allocate relies on
    prompt collection of cycles. The CLI calls it first thing: importing the
    rule modules alone runs ~15 collections (~9 ms) at the default threshold.

    At exit the interpreter collects the whole heap once more (~15 ms after a
    one-file check, a tenth of it; more after a project's models) only to free
    memory that the process returns to the system anyway: the objects alive then
    are frozen (``gc.freeze``) and the final collections leave them alone. The
    other exit handlers (saving the fact cache) run as before.
    """
    global _gc_tuned
    if not _gc_tuned:
        _gc_tuned = True
        first, second, third = gc.get_threshold()
        if first and first < 50_000:
            gc.set_threshold(50_000, max(second, 20), max(third, 100))
        atexit.register(gc.freeze)


def batch_gc() -> None:
    """A batch of files (``fastapi-lint check``): no automatic cyclic collection.

    Even at the raised threshold, the young collections walk every new tree
    and model twice (young, then middle generation) before they settle in the
    oldest one, which the thresholds practically never collect: 7-9% of a cold
    run over the four corpus wheels, for nothing. The models, the only large
    cyclic structures, are released explicitly (``ModuleModel.release``: when
    evicted, between projects, at exit), so reference counting frees them; the
    cyclic garbage left otherwise is negligible (628 unreachable objects after
    a cold check of all of dstack, 1,105 files; peak RSS unchanged). Processes
    that live on (the language server) or share their heap with other plugins'
    cyclic trees (flake8, pyflakes' parent links) keep the collector.
    Forked pool workers inherit the setting.
    """
    tune_gc()
    gc.disable()


def _may_declare_globals(source: str | None, lines: list[str] | None) -> bool:
    """Whether the module's text may hold a ``global`` statement (True when unknown)."""
    if source is not None:
        return "global" in source
    if lines:
        return any("global" in line for line in lines)
    return True


def check_tree(
    tree: ast.Module,
    path: str,
    lines: list[str] | None = None,
    options: RuleOptions | None = None,
    enabled: frozenset[str] | None = None,
    source: str | None = None,
) -> list[Diagnostic]:
    """All findings of the enabled rules on one parsed module."""
    from fastapi_lint.semantic.model import ModuleModel

    tune_gc()
    options = options or RuleOptions()
    if enabled is None:
        enabled = frozenset(all_codes())
    if not enabled:
        return []
    rules = rules_for(enabled)  # imports the selected families, only those
    project = None
    if options.project_index and path and path not in ("-", "<stdin>"):
        from fastapi_lint.project.process_indexes import index_for

        project = index_for(path, options=options, root=options.project_root)
    previous_limit = sys.getrecursionlimit()
    if previous_limit < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    model = None
    try:
        module_name = module_name_of(path, options)
        if project is not None and source is not None:
            model = project.reusable_model(module_name, source)
            if model is not None and model.path != path and _same_file(model.path, path):
                # Built as a dependency from the absolute path; checked as given
                # (`check .`): the model becomes the one a fresh build would be, as
                # registering it replaces the dependency's entry anyway. Building it
                # again made a cold run of dstack by relative paths 23% longer.
                model.path = path
            if model is not None and (model.options != options or model.path != path):
                model = None  # rules read the options (and path) from the model
            elif model is not None and lines and not model.lines:
                # Built as a dependency, without its lines: the serving search compares
                # them with the file to know whether its answers may be remembered.
                model.lines = lines
        if model is None:
            model = ModuleModel(
                tree,
                path,
                module_name,
                lines=lines,
                project=project,
                options=options,
                may_declare_globals=_may_declare_globals(source, lines),
            )
        if project is not None:
            project.register(model, source)
        reporter = Reporter(path, rules, enabled, model.lines or lines)
        for family in families(enabled):
            if not any(rule.code in enabled for rule in family.rules):
                continue
            try:
                family.check(model, reporter)
            except RecursionError:
                raise CheckError("the file is nested too deeply to analyse") from None
            except Exception as error:  # a bug in one family must not stop the run
                print(
                    f"fastapi-lint: internal error in {family.prefix}xx rules on {path}: "
                    f"{error.__class__.__name__} (please report it)",
                    file=sys.stderr,
                )
        if options.serving_code_only and reporter.diagnostics:
            # One place for the contract's serving-code rule (Revision 2): API1xx,
            # API3xx and API4xx findings in code that never serves a request
            # (CLI commands, one-shot runners, scripts, migrations) are dropped.
            from fastapi_lint.project.serving import drop_non_serving

            try:
                reporter.diagnostics = drop_non_serving(model, reporter.diagnostics)
            except RecursionError:
                raise CheckError("the file is nested too deeply to analyse") from None
    finally:
        sys.setrecursionlimit(previous_limit)
        if project is not None:
            project.flush()
            project.finish_check()
        elif model is not None:
            model.release()
    return sorted(reporter.diagnostics)


def _same_file(built: str, checked: str) -> bool:
    import os

    return bool(built) and os.path.abspath(built) == os.path.abspath(checked)


def _built_tree(source: str, path: str, options: RuleOptions | None) -> ast.Module | None:
    """The tree of this exact text if the project index already parsed it (the
    module was read as another module's dependency): each file is parsed once."""
    options = options or RuleOptions()
    if not options.project_index or not path or path in ("-", "<stdin>"):
        return None
    from fastapi_lint.project.process_indexes import index_for

    project = index_for(path, options=options, root=options.project_root)
    model = project.reusable_model(module_name_of(path, options), source)
    return model.tree if model is not None else None


def check_source(
    source: str | bytes,
    path: str = "<stdin>",
    options: RuleOptions | None = None,
    selection: Selection | None = None,
) -> list[Diagnostic]:
    """Parse and check one module's source. Raises CheckError for unparsable input."""
    if isinstance(source, bytes):
        try:
            source = decode_source(source)
        except SourceError as error:
            raise CheckError(str(error)) from None
    if "\x00" in source:
        raise CheckError("cannot parse: source contains null bytes")
    tree = _built_tree(source, path, options) or parse(source, path)
    enabled = None
    if selection is not None:
        enabled = selection.enabled_codes(list(all_codes()), path, opt_in_codes())
    return check_tree(tree, path, source_lines(source), options, enabled, source=source)

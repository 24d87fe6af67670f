"""Where a project starts and what its modules are called: project roots, source
roots (``src/`` layouts, configured roots) and module identity, read from the
file system alone.
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache
from pathlib import Path

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.settings import NON_SOURCE_FOLDERS

ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
# Names from these packages are never project names, whatever the folder holds.
EXTERNAL_TOP_LEVEL = frozenset(
    {
        "fastapi",
        "starlette",
        "pydantic",
        "pydantic_settings",
        "sqlalchemy",
        "sqlmodel",
        "requests",
        "httpx",
        "aiohttp",
        "asyncio",
        "anyio",
        "os",
        "sys",
        "time",
        "typing",
        "typing_extensions",
        "json",
        "logging",
        "subprocess",
        "shutil",
        "pathlib",
        "tempfile",
        "socket",
        "urllib",
        "urllib3",
        "http",
        "redis",
        "pymongo",
        "motor",
        "boto3",
        "botocore",
        "passlib",
        "bcrypt",
        "jwt",
        "jose",
        "collections",
        "functools",
        "itertools",
        "datetime",
        "uuid",
        "enum",
        "dataclasses",
        "re",
        "contextlib",
        "builtins",
        "io",
        "hashlib",
        "hmac",
        "secrets",
        "base64",
        "abc",
    }
)


def find_project_root(path: Path) -> Path:
    """Nearest folder upward with a project marker; else above the top-most package."""
    return _root_of_path(str(path))


# Per path, once per process: asked several times for every checked file.
@lru_cache(maxsize=8192)
def _root_of_path(text: str) -> Path:
    path = Path(text)
    start = path if path.is_dir() else path.parent
    return _root_of_folder(str(start))


@lru_cache(maxsize=4096)
def _root_of_folder(folder: str) -> Path:
    start = Path(folder).resolve()
    # A path that does not exist (`--stdin-filename new/dir/x.py`): from what does.
    while not start.is_dir() and start.parent != start:
        start = start.parent
    marked = _marked_folder(str(start))
    if marked is not None:
        return marked
    # No marker (an unpacked wheel or sdist): the folder above the top-most
    # package, skipping namespace folders (`pkg/models/` without __init__.py).
    top = None
    gap = 0
    for candidate in (start, *start.parents):
        if (candidate / "__init__.py").exists():
            top, gap = candidate, 0
        else:
            gap += 1
            if gap > 2:
                break
    if top is None:
        return _namespace_root(start)
    return Path(_library_root(lift_namespace(str(top.parent)), str(top)))


@lru_cache(maxsize=4096)
def _marked_folder(folder: str) -> Path | None:
    """The nearest of ``folder`` (resolved) and its parents holding a root marker. The
    folders of a project share their parents: each is looked at once per process."""
    candidate = Path(folder)
    if any(is_root_marker(candidate, marker) for marker in ROOT_MARKERS):
        return candidate
    if candidate.parent == candidate:
        return None
    return _marked_folder(str(candidate.parent))


# How far above a package's folder the repository holding its libraries is looked for.
MAX_LIBRARY_LEVELS = 3
# Folders listed per level when looking for a library package (`libs/*/`, `packages/*/src/`).
MAX_LIBRARY_LISTING = 200
_REPOSITORY_FILES = lazy_compile(r"(?i)readme(?:\.\w+)?$|requirements[\w.-]*\.txt$|pipfile$")
_DISTRIBUTION_INFO = lazy_compile(r"\.(?:dist|egg)-info$|^PKG-INFO$")


@lru_cache(maxsize=1024)
def _library_root(base: str, top: str) -> str:
    """Without a marker, the folder of a repository of services and libraries.

    ``services/orders/app/`` imports ``shared.http``, a library of the same
    repository (``libs/shared/shared/``): both are one project, whose root is the
    nearest ancestor of ``base`` (the folder above the package) that holds a
    package the package imports and ``base`` does not hold. Only on that evidence,
    at most ``MAX_LIBRARY_LEVELS`` up, and never out of an unpacked distribution
    (``*.dist-info`` beside the package: what it imports is installed elsewhere).
    Otherwise ``base``: a folder of packages is its own project, as before.
    """
    try:
        if any(_DISTRIBUTION_INFO.search(name) for name in os.listdir(base)):
            return base
    except OSError:
        return base
    wanted = {
        name
        for name in _package_imports(top)
        if not os.path.exists(os.path.join(base, name))
        and not os.path.isfile(os.path.join(base, name + ".py"))
    }
    if not wanted:
        return base
    current = base
    for _ in range(MAX_LIBRARY_LEVELS):
        parent = os.path.dirname(current)
        if parent == current or _other_project(parent):
            break
        current = parent
        if any(_holds_package(current, name) for name in sorted(wanted)):
            return current
        if _repository_top(current):
            break  # above it: other repositories beside this one
    return base


def _repository_top(folder: str) -> bool:
    """A folder with a README or a requirements file: the top of a repository."""
    try:
        names = os.listdir(folder)
    except OSError:
        return True
    return any(_REPOSITORY_FILES.match(name) for name in names)


def _other_project(folder: str) -> bool:
    """A package's folder (climbing out of it is climbing into its package), an unpacked
    distribution or a folder with a project marker: not a folder of this repository."""
    try:
        names = os.listdir(folder)
    except OSError:
        return True
    return "__init__.py" in names or any(
        _DISTRIBUTION_INFO.search(name) or name in NESTED_ROOT_MARKERS for name in names
    )


@lru_cache(maxsize=256)
def _package_imports(top: str) -> frozenset[str]:
    """The first names the modules of the package ``top`` (and its subpackages) import
    that are neither the standard library nor known third-party packages."""
    names: set[str] = set()
    folders = 0
    for folder, subfolders, _files in os.walk(top):
        subfolders[:] = sorted(
            d for d in subfolders if not d.startswith(".") and d not in NON_SOURCE_FOLDERS
        )
        names |= _imported_top_names(folder)
        folders += 1
        if folders >= MAX_LIBRARY_LISTING:
            break
    return frozenset(names)


def _holds_package(folder: str, name: str) -> bool:
    """A package or module ``name`` in ``folder``, one or two folders down, or in their
    ``src/`` (``libs/shared/shared/``, ``packages/core/src/core/``)."""

    def here(base: str) -> bool:
        # Importable by its first name: `base` is a source root, not a package.
        if os.path.isfile(os.path.join(base, "__init__.py")):
            return False
        return os.path.isfile(os.path.join(base, name, "__init__.py")) or os.path.isfile(
            os.path.join(base, name + ".py")
        )

    if here(folder):
        return True
    for child in _source_children(folder):
        if here(child) or here(os.path.join(child, "src")):
            return True
        for grandchild in _source_children(child):
            if here(grandchild) or here(os.path.join(grandchild, "src")):
                return True
    return False


def _source_children(folder: str) -> list[str]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    # Not other projects (a marker, an unpacked distribution), nor virtual environments.
    return [
        e.path
        for e in entries[:MAX_LIBRARY_LISTING]
        if e.is_dir()
        and not e.name.startswith(".")
        and e.name not in NON_SOURCE_FOLDERS
        and not os.path.exists(os.path.join(e.path, "pyvenv.cfg"))
        and not _other_project(e.path)
    ]


# How far a tree of namespace packages (no `__init__.py`, no marker) is climbed.
MAX_NAMESPACE_LEVELS = 4
MAX_IMPORT_SCAN_FILES = 40
_IMPORT_LINE = lazy_compile(r"^[ \t]*(?:from[ \t]+(\w+)|import[ \t]+(\w+))", re.MULTILINE)


def _namespace_root(start: Path) -> Path:
    """No marker and no package above ``start``: the folder its tree imports from.

    A tree of namespace packages (``web/api/endpoints/items.py`` importing
    ``web.api.v1``) is imported from the folder that holds its top-level name:
    climbing through importable folder names, the nearest ancestor holding a
    module or folder that the modules met on the way (``start`` and the folders
    climbed) import by their first name. A leaf module that imports nothing of
    the project (``web/common/clock.py``) gets the same root as the modules
    that import it. Without such an import, ``start`` itself (a flat folder of
    scripts importing each other by their own names).
    """
    names = set(_imported_top_names(str(start)))
    folder = start
    for _ in range(MAX_NAMESPACE_LEVELS):
        if not folder.name.isidentifier() or folder.parent == folder:
            break
        folder = folder.parent
        if any((folder / name).is_dir() or (folder / f"{name}.py").is_file() for name in names):
            return folder
        names |= _imported_top_names(str(folder))
    return start


TEST_FOLDER_NAMES = ("tests", "test", "testing")


def guessed_root_in_tests(root: Path, module_folder: str) -> bool:
    """A root guessed without a marker from a folder of loose modules inside a tests tree.

    ``tests/integration/helpers.py`` importing nothing of the project, in a tree
    with no ``pyproject.toml`` or ``.git``: ``_namespace_root`` makes its own folder
    the root, so the path inside the project (``helpers.py``) lost the ``tests``
    component the contract reads. Only then (the module sits in the guessed root,
    which holds no package) are the root's name and its parent's read: a marked
    project checked out under ``~/test/`` keeps its marker, and a package root
    (``~/test/proj`` above ``app/``) is not the module's own folder.
    """
    if os.path.abspath(module_folder) != os.path.abspath(root):
        return False
    if (root / "__init__.py").exists() or any(is_root_marker(root, m) for m in ROOT_MARKERS):
        return False
    return root.name in TEST_FOLDER_NAMES or root.parent.name in TEST_FOLDER_NAMES


def _imported_top_names(folder: str) -> frozenset[str]:
    """First names of the absolute imports of the modules in ``folder`` that are
    neither its own modules or folders nor the standard library or known packages."""
    return _folder_imports(folder)[0]


@lru_cache(maxsize=1024)
def _folder_imports(folder: str) -> tuple[frozenset[str], bool]:
    """(``_imported_top_names``, whether a module imports a sibling by its bare name:
    ``from db import get_db`` beside ``db.py`` makes the folder a ``sys.path`` entry)."""
    names: set[str] = set()
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return frozenset(), False
    local = {e.name[:-3] if e.name.endswith(".py") else e.name for e in entries}
    sibling = False
    scanned = 0
    for entry in entries:
        if not entry.name.endswith(".py") or scanned >= MAX_IMPORT_SCAN_FILES:
            continue
        scanned += 1
        try:
            with open(entry.path, encoding="utf-8", errors="replace") as handle:
                text = handle.read(65536)
        except OSError:
            continue
        for match in _IMPORT_LINE.finditer(text):
            name = match.group(1) or match.group(2)
            if not name or name in EXTERNAL_TOP_LEVEL or _is_stdlib(name):
                continue
            if name in local:
                sibling = sibling or name != entry.name[:-3]
            elif name != "__future__":
                names.add(name)
    return frozenset(names), sibling


@lru_cache(maxsize=4096)
def _is_stdlib(name: str) -> bool:
    """A standard library module (``sys.stdlib_module_names`` from 3.10; on 3.9, the
    built-in modules and the names in the standard library's folder)."""
    names = getattr(sys, "stdlib_module_names", None)
    if names is not None:
        return name in names
    if name in sys.builtin_module_names:
        return True
    import sysconfig

    folder = sysconfig.get_paths()["stdlib"]
    return os.path.isfile(os.path.join(folder, name + ".py")) or os.path.isfile(
        os.path.join(folder, name, "__init__.py")
    )


@lru_cache(maxsize=4096)
def _namespace_base(folder: str, root: str) -> str | None:
    """The folder a module in ``folder`` (no package above it, inside ``root``) is
    imported from, on the evidence of its imports: the nearest ancestor up to
    ``root`` holding a name the modules met on the way import (``users/`` for
    ``users/app/main.py`` importing ``app.util``), else ``folder`` itself when its
    modules import each other by bare name; None without evidence."""
    if not _inside(folder, root):
        return None
    names, sibling = _folder_imports(folder)
    found = set(names)
    current = folder
    while found and current != root:
        parent = os.path.dirname(current)
        if parent == current or not os.path.basename(current).isidentifier():
            break
        current = parent
        if any(
            os.path.isdir(os.path.join(current, name))
            or os.path.isfile(os.path.join(current, name + ".py"))
            for name in found
        ):
            return current
        found |= _imported_top_names(current)
    return folder if sibling else None


def lift_namespace(base: str, root: str | None = None) -> str:
    """The folder above a package that sits in a namespace folder imported by name.

    ``app/`` without ``__init__.py`` holding the packages ``app/routers``,
    ``app/models``: its modules import ``app.routers``, so the source root is the
    folder above ``app``, not ``app`` (where ``routers`` would be top-level).
    Only on that evidence (an import of ``app.`` in ``app/`` or its direct
    subfolders), at most two namespace levels, never above ``root``.
    """
    for _ in range(2):
        name = os.path.basename(base)
        parent = os.path.dirname(base)
        if (
            parent == base
            or base == root
            or (root is not None and not _inside(parent, root))
            or not name.isidentifier()
            or os.path.exists(os.path.join(base, "__init__.py"))
            or not _imports_own_name(base)
        ):
            break
        base = parent
    return base


@lru_cache(maxsize=1024)
def _imports_own_name(folder: str) -> bool:
    """Whether modules in ``folder`` or its direct subfolders import ``<its name>.``."""
    name = os.path.basename(folder)
    if name in _imported_top_names(folder):
        return True
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return False
    for entry in entries[:MAX_IMPORT_SCAN_FILES]:
        if entry.is_dir() and not entry.name.startswith(".") and entry.name.isidentifier():
            if name in _imported_top_names(entry.path):
                return True
    return False


# A folder holding one of these under a project is another project (a vendored
# service, a fixture project). Not `.git`: a submodule is often the project's own code.
NESTED_ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")


def walked_subfolders(folder: str, subfolders: list[str], skipped: frozenset[str]) -> list[str]:
    """The subfolders of ``folder`` that a walk of the project enters, sorted.

    Every walk of a project (the route table, the caller search and the stamp
    of "every module" that guards its answers) enters the same folders: not
    hidden ones, not ``skipped`` names, not virtual environments, not other
    projects. Without the last two, a file outside any project (a script in
    ``/tmp``, a home folder) made its root's whole tree one project.
    """
    return sorted(
        name
        for name in subfolders
        if name not in skipped
        and not name.startswith(".")
        and not os.path.exists(os.path.join(folder, name, "pyvenv.cfg"))
        and not any(is_root_marker(Path(folder, name), marker) for marker in NESTED_ROOT_MARKERS)
    )


def is_root_marker(folder: Path, marker: str) -> bool:
    """A marker file in ``folder``; a ``setup.py`` beside an ``__init__.py`` is a module of
    that package (``app/initial_setup/setup.py``), not a packaging script."""
    if not (folder / marker).exists():
        return False
    return marker != "setup.py" or not (folder / "__init__.py").exists()


def module_identity(path: Path, root: Path, configured: tuple[str, ...] = ()) -> tuple[Path, str]:
    """A module's identity: (its source root, its dotted name from that root).

    Two services of one repository may both have a package ``app``
    (``billing/app``, ``orders/app``): the dotted name alone does not say
    which file a module is, the pair does.
    """
    return _module_identity(str(path), str(root), tuple(configured))


def module_name_for(path: Path, root: Path, configured: tuple[str, ...] = ()) -> str:
    return module_identity(path, root, configured)[1]


@lru_cache(maxsize=8192)
def _module_identity(
    path_text: str, root_text: str, configured: tuple[str, ...]
) -> tuple[Path, str]:
    if not configured:
        found = _plain_identity(_realpath(path_text), _real_folder(root_text))
        if found is not None:
            return Path(found[0]), found[1]
    resolved = Path(path_text).resolve()
    root = Path(root_text).resolve()
    base = source_root_of(resolved, root, configured)
    parts = _dotted_parts(resolved, base)
    if parts is None and base != root:
        # Not importable from its package root (`my-tool/run.py`): from the project root.
        parts = _dotted_parts(resolved, root)
        if parts is not None:
            base = root
    return base, ".".join(parts) if parts else resolved.stem


@lru_cache(maxsize=4096)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


def _realpath(path: str) -> str:
    """``os.path.realpath`` with the folders' answers kept: one ``lstat`` per file
    instead of one per component of its path."""
    folder, name = os.path.split(path)
    if not name or name in (".", ".."):
        return os.path.realpath(path)
    candidate = os.path.join(_real_folder(folder), name)
    return os.path.realpath(path) if os.path.islink(candidate) else candidate


def _plain_identity(path: str, root: str) -> tuple[str, str] | None:
    """What ``_module_identity`` computes without configured source roots, on
    plain strings (pathlib's parsing was most of its cost: it runs once per
    module file). None for the unusual cases, which take the pathlib way."""
    if not os.path.isabs(path) or not os.path.isabs(root) or path == root:
        return None
    # The folder above the top-most package (namespace folders between packages allowed).
    top = None
    gap = 0
    folder = os.path.dirname(path)
    while True:
        if folder == root:
            break
        if os.path.exists(os.path.join(folder, "__init__.py")):
            top, gap = folder, 0
        else:
            gap += 1
            if gap > 2:
                break
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    if top is not None:
        base = lift_namespace(os.path.dirname(top), root)
    else:
        src = os.path.join(root, "src")
        namespace = _namespace_base(os.path.dirname(path), root)
        if namespace is not None:
            base = namespace
        elif _inside(path, src) and not os.path.exists(os.path.join(src, "__init__.py")):
            base = src
        else:
            base = root if _inside(path, root) else os.path.dirname(path)
    if base == path:
        return None
    parts = _plain_parts(path, base)
    if parts is None and base != root:
        # Not importable from its package root (`my-tool/run.py`): from the project root.
        if path == root:
            return None
        parts = _plain_parts(path, root)
        if parts is not None:
            base = root
    return base, ".".join(parts) if parts else _stem(os.path.basename(path))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _stem(name: str) -> str:
    """``PurePath.stem``: the name without its last suffix."""
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _plain_parts(path: str, base: str) -> list[str] | None:
    if not _inside(path, base) or path == base:
        return None
    parts = path[len(base.rstrip("/")) + 1 :].split("/")
    parts[-1] = _stem(parts[-1])
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return parts if parts and all(p.isidentifier() for p in parts) else None


def _dotted_parts(path: Path, base: Path) -> list[str] | None:
    try:
        relative = path.relative_to(base)
    except ValueError:
        return None
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return parts if parts and all(p.isidentifier() for p in parts) else None


def source_root_of(path: Path, root: Path, configured: tuple[str, ...] = ()) -> Path:
    """The folder the module at ``path`` is imported from (a ``sys.path`` entry).

    The deepest configured source root containing it (ruff's ``src``); else the
    folder above its top-most package (``billing/`` for ``billing/app/db.py``,
    namespace folders between packages allowed); else ``src/`` or the project
    root (a namespace package or a script).
    """
    containing = [Path(c) for c in configured if _is_within(path, Path(c))]
    if containing:
        return max(containing, key=lambda folder: len(folder.parts))
    top = None
    gap = 0
    for folder in path.parents:
        if folder == root:
            break
        if (folder / "__init__.py").exists():
            top, gap = folder, 0
        else:
            gap += 1
            if gap > 2:
                break
    if top is not None:
        return Path(lift_namespace(str(top.parent), str(root)))
    namespace = _namespace_base(str(path.parent), str(root))
    if namespace is not None:
        return Path(namespace)
    src = root / "src"
    if _is_within(path, src) and not (src / "__init__.py").exists():
        return src
    return root if _is_within(path, root) else path.parent


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


# Folders never searched for source roots (virtual environments, tools' caches).
_SKIPPED_FOLDERS = NON_SOURCE_FOLDERS | {"__pypackages__"}
MAX_SOURCE_ROOT_DEPTH = 6
MAX_SOURCE_ROOT_FOLDERS = 5_000


def discover_source_roots(root: Path) -> dict[str, list[str]]:
    """Top-level module name -> the folders under ``root`` that hold it.

    A folder that is not itself a package but holds packages or modules is a
    source root (``billing/``, ``libs/``). Packages are not entered: source
    roots do not nest inside them. Bounded in depth and in folders read.
    """
    found: dict[str, list[str]] = {}
    budget = MAX_SOURCE_ROOT_FOLDERS
    pending = [(str(root), 0)]
    while pending and budget > 0:
        folder, depth = pending.pop()
        budget -= 1
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in sorted(entries, key=lambda e: e.name):
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if name.startswith(".") or name in _SKIPPED_FOLDERS:
                    continue
                if name.isidentifier() and os.path.isfile(os.path.join(entry.path, "__init__.py")):
                    found.setdefault(name, []).append(folder)
                elif depth < MAX_SOURCE_ROOT_DEPTH:
                    pending.append((entry.path, depth + 1))
            elif name.endswith(".py") and name[:-3].isidentifier() and name != "__init__.py":
                found.setdefault(name[:-3], []).append(folder)
    return found


def module_file(base: str, relative: str) -> Path | None:
    """The file of a module below ``base`` (``a/b`` -> ``a/b.py`` or ``a/b/__init__.py``)."""
    for candidate in (
        os.path.join(base, relative + ".py"),
        os.path.join(base, relative, "__init__.py"),
    ):
        if os.path.isfile(candidate):
            return Path(candidate)
    return None

"""Is this project on Pydantic v2? The one project-level decision API6xx rests on.

v1 code in a v1 project is correct code: the rules speak only when the
project is known to be on v2. The evidence, in order:

1. Dependency declarations at the project root (``pyproject.toml``,
   ``setup.cfg``, ``setup.py``, ``requirements*.txt`` and ``requirements/``,
   a wheel's ``METADATA`` or an sdist's ``PKG-INFO``): ``pydantic>=2`` or any
   ``pydantic-settings`` says v2, ``pydantic<2``/``==1.*`` says v1. Both at
   once is a project in transition: unsure, so silent.
2. Without a pinned declaration: any module of the project importing a
   v2-only name (``field_validator``, ``model_validator``, ``ConfigDict``,
   ``pydantic_settings``) says v2. ``pydantic.v1`` imports never count.

A folder inside the project that declares its own dependencies and pins
pydantic there (a bundled model server or worker image with its own
``requirements.txt: pydantic<2.0``) is built and run on its own: its pin
decides for the modules under it, the nearest such folder first. A folder
whose declarations do not mention pydantic leaves the decision to the folders
above it.

The answer is an index fact keyed by the project root whose dependencies are
the files and folders it read, so a cold run, a warm run, flake8 workers and
the language server agree, and adding a file (a folder's stamp changes) or
editing a requirement recomputes it.
"""

from __future__ import annotations

import ast
import os
import re
from typing import TYPE_CHECKING, Callable

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.project.index import index_of
from fastapi_lint.project.reads import note_read
from fastapi_lint.settings import DEFAULT_EXCLUDED_TREES, NON_SOURCE_FOLDERS

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

V2_ONLY_NAMES = frozenset({"field_validator", "model_validator", "ConfigDict", "field_serializer"})
_V2_BYTES = (b"field_validator", b"model_validator", b"ConfigDict", b"pydantic_settings")
# pydantic, pydantic-settings (but not pydantic-core, pydantic_extra_types...), and the version spec
# on the same line (`pydantic[dotenv]` then `stac_pydantic>=2.0.3` on the next is no v2 pin).
_REQUIREMENT = lazy_compile(
    r"""(?<![\w.-])(?P<name>pydantic(?:[-_]settings)?)(?![\w.-])(?:\[[^\]\n]*\])?"""
    r"""[ \t]*(?:=(?!=)[ \t]*)?(?:\{[^}\n]*?\bversion[ \t]*=[ \t]*["']|["'{])?"""
    r"""[ \t]*(?:version[ \t]*=[ \t]*["'])?(?P<spec>[^;#\n"'}]*)""",
    re.IGNORECASE,
)
_CONSTRAINT = lazy_compile(r"(?P<op><=|>=|==|~=|!=|<|>|\^|~)?\s*(?P<major>\d+)(?P<rest>[\w.*]*)")
_SKIPPED_FOLDERS = NON_SOURCE_FOLDERS | {"env", *DEFAULT_EXCLUDED_TREES}
_ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py")
_MAX_FILES = 20_000


def _declared(text: str) -> tuple[bool, bool]:
    """(says v2, says v1) for the pydantic requirements found in a declaration file."""
    v2 = v1 = False
    for match in _REQUIREMENT.finditer(text):
        if match.group("name").lower() != "pydantic":
            v2 = True  # pydantic-settings exists only for Pydantic v2
            continue
        spec = match.group("spec").strip()
        for constraint in _CONSTRAINT.finditer(spec):
            op = constraint.group("op")
            if op is None:
                if constraint.start() != 0:
                    continue  # a number in prose, not a version
                op = "=="  # Poetry's `pydantic = "2.5.3"`
            major = int(constraint.group("major"))
            rest = constraint.group("rest")
            if op in (">=", ">", "==", "~=", "^", "~") and major >= 2:
                v2 = True
            elif op in ("==", "~=", "^", "~", "<=") and major == 1:
                v1 = True
            elif op == "<" and major == 2 and rest in ("", ".0", ".0.0"):
                v1 = True
    return v2, v1


def _declaration_files(root: str) -> list[str]:
    found = []
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return []
    for name in names:
        path = os.path.join(root, name)
        lower = name.lower()
        if (
            lower in ("pyproject.toml", "setup.cfg", "setup.py", "pkg-info")
            or (lower.startswith("requirements") and lower.endswith((".txt", ".in")))
        ) and os.path.isfile(path):
            found.append(path)
        elif lower in ("requirements", "requirements.d") and os.path.isdir(path):
            found.extend(
                os.path.join(path, n)
                for n in sorted(os.listdir(path))
                if n.endswith((".txt", ".in"))
            )
        elif lower.endswith(".dist-info") and os.path.isfile(os.path.join(path, "METADATA")):
            found.append(os.path.join(path, "METADATA"))
        elif lower.endswith(".egg-info") and os.path.isfile(os.path.join(path, "requires.txt")):
            found.append(os.path.join(path, "requires.txt"))
    return found


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError:
        return b""


def imports_v2_names(tree: ast.AST) -> bool:
    """Whether a module imports (or uses as ``pydantic.X``) a name only Pydantic v2 has."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            top = node.module.split(".")[0]
            if top == "pydantic_settings":
                return True
            if top == "pydantic" and not node.module.startswith("pydantic.v1"):
                if any(alias.name in V2_ONLY_NAMES for alias in node.names):
                    return True
        elif isinstance(node, ast.Import):
            if any(alias.name.split(".")[0] == "pydantic_settings" for alias in node.names):
                return True
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in V2_ONLY_NAMES
            and isinstance(node.value, ast.Name)
            and node.value.id == "pydantic"
        ):
            return True
    return False


def _scan_sources(root: str, depends_on: Callable[[str], None]) -> bool:
    """Whether any module under ``root`` (not a nested project) imports a v2-only name."""
    seen = 0
    for folder, folders, files in os.walk(root):
        depends_on(folder)  # a folder's stamp changes when a file is added or removed
        folders[:] = sorted(
            name
            for name in folders
            if not name.startswith(".")
            and name not in _SKIPPED_FOLDERS
            and not any(
                os.path.exists(os.path.join(folder, name, marker)) for marker in _ROOT_MARKERS
            )
        )
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            seen += 1
            if seen > _MAX_FILES:
                return False
            path = os.path.join(folder, name)
            data = _read(path)
            depends_on(path)
            if not any(marker in data for marker in _V2_BYTES):
                continue
            try:
                tree = ast.parse(data)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            if imports_v2_names(tree):
                return True
    return False


def _pinned(folder: str, depends_on: Callable[[str], None]) -> bool | None:
    """What the dependency declarations of one folder say: True for v2, False for a v1 pin
    (or a pin both ways: unsure), None when they do not mention pydantic."""
    depends_on(folder)
    note_read(folder)  # a declaration file added later changes the decision (its listing)
    v2 = v1 = False
    for path in _declaration_files(folder):
        depends_on(path)
        # The asking check reads it too (a fact computed afresh does not pass its files on):
        # an edited requirement then re-checks the files whose findings it decided.
        note_read(path)
        says_v2, says_v1 = _declared(_read(path).decode("utf-8", "replace"))
        v2, v1 = v2 or says_v2, v1 or says_v1
    if v1:
        return False  # a v1 pin, or a project pinned both ways: unsure
    return True if v2 else None


def decide(root: str, depends_on: Callable[[str], None]) -> bool:
    """True when the project at ``root`` is on Pydantic v2 (see the module docstring)."""
    pinned = _pinned(root, depends_on)
    if pinned is not None:
        return pinned
    return _scan_sources(root, depends_on)


def project_on_v2(model: ModuleModel) -> bool:
    """The decision for the project of ``model`` (its own imports when there is no index)."""
    project = index_of(model)
    if project is None:
        return imports_v2_names(model.tree)
    root = str(project.root)
    nested = _nested_pin(model, root, project.fact, project.depends_on_path)
    if nested is not None:
        return nested
    return bool(project.fact("pydantic-v2/2", root, lambda: decide(root, project.depends_on_path)))


def _nested_pin(
    model: ModuleModel,
    root: str,
    fact: Callable[[str, str, Callable[[], object]], object],
    depends_on: Callable[[str], None],
) -> bool | None:
    """The pin of the nearest folder between the module and the project root that declares
    its own pydantic requirement (a bundled sub-project), None when no such folder."""
    if not model.path:
        return None
    root = os.path.abspath(root)
    folder = os.path.dirname(os.path.abspath(model.path))
    while folder != root and folder.startswith(root + os.sep):
        answer = fact("pydantic-pin/2", folder, _pin_of(folder, depends_on))
        if isinstance(answer, bool):
            return answer
        folder = os.path.dirname(folder)
    return None


def _pin_of(folder: str, depends_on: Callable[[str], None]) -> Callable[[], bool | None]:
    return lambda: _pinned(folder, depends_on)

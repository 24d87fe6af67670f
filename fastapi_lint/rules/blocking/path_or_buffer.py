"""API103: audio file and workbook readers and writers that take a path or an in-memory buffer.

``soundfile.write(path, audio, rate)`` and ``wave.open(path, "wb")`` write a whole
audio file to disk, and ``soundfile.read(path)`` reads one: in a TTS or transcription
route they block the loop for as long as ``open()`` + ``write()`` would. The same
functions also take a file object (``soundfile.write(io.BytesIO(), ...)``,
``wave.open(buffer, "wb")``), which is memory, not disk; so does openpyxl's
``load_workbook`` (a sheet on disk, or an upload's bytes in a ``BytesIO``). So they are reported only
when their first argument is known to name a file: a string literal or f-string,
``str(...)``/``os.path.join(...)``/``os.fspath(...)``, a ``Path`` (``Path(...)``, a
``/`` join, ``.with_suffix(...)``), a temporary file's ``.name``, a name assigned one
of those, or a parameter annotated ``str``/``Path``. Anything else stays silent.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic import stubs
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import keyword_value

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

# Qualified names (API103 patterns) -> the name of their file parameter.
PATH_OR_BUFFER_CALLS: dict[str, str] = {
    "wave.open": "f",
    "soundfile.read": "file",
    "soundfile.write": "file",
    "openpyxl.load_workbook": "filename",
    "openpyxl.reader.excel.load_workbook": "filename",
}
_PATH_BUILDERS = frozenset(
    {
        "builtins.str",
        "os.path.join",
        "os.path.abspath",
        "os.path.realpath",
        "os.fspath",
        "pathlib.Path",
        "pathlib.PurePath",
        "pathlib.PosixPath",
    }
)
_PATH_METHODS = frozenset({"joinpath", "with_suffix", "with_name", "with_stem", "resolve"})
_PATH_ANNOTATIONS = frozenset({"str", "Path", "PathLike", "StrPath"})
_MAX_STEPS = 4


def names_a_file(model: ModuleModel, call: ast.Call, scope: Scope, target: str) -> bool:
    """Whether the file argument of a path-or-buffer call is known to be a path."""
    parameter = PATH_OR_BUFFER_CALLS[target]
    argument = keyword_value(call.keywords, parameter)
    if argument is None and call.args and not isinstance(call.args[0], ast.Starred):
        argument = call.args[0]
    return argument is not None and _is_path(model, argument, scope, 0)


def _is_path(model: ModuleModel, node: ast.expr, scope: Scope, steps: int) -> bool:
    if steps > _MAX_STEPS:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _is_path(model, node.left, scope, steps + 1)  # ``OUT_DIR / f"{id}.wav"``
    if isinstance(node, ast.Attribute):
        return node.attr == "name"  # ``tmp.name`` of a NamedTemporaryFile
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr in _PATH_METHODS:
            return True
        target = model.call_target(node, scope)
        return target is not None and stubs.canonical(target) in _PATH_BUILDERS
    if isinstance(node, ast.Name):
        binding = model.lookup(node.id, scope, node.lineno)
        if binding is None or binding.unpack_index is not None:
            return False
        if binding.kind is BindingKind.ASSIGN and binding.value is not None:
            return _is_path(model, binding.value, scope, steps + 1)
        if binding.kind is BindingKind.PARAM and binding.annotation is not None:
            annotation = binding.annotation
            name = annotation.attr if isinstance(annotation, ast.Attribute) else None
            if isinstance(annotation, ast.Name):
                name = annotation.id
            return name in _PATH_ANNOTATIONS
    return False

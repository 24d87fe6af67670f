"""Clients kept as class attributes and read through the class.

``class Shared: http = requests.Session()`` then ``Shared.http.get(url)`` in an
async route is the same blocking call as through a module-level client or
``self.http``. ``Shared.http`` names a project class attribute, which the index
answers as a reference (``Model.id`` in a query must stay one: API4xx reads
relationship and column names from it), so only attributes bound in the class
body to a call that spells a client constructor are evaluated
(``requests.Session()``, ``redis.Redis.from_url(...)``, ``boto3.client("s3")``,
``CryptContext(...)`` for API106), and attributes annotated or built as a
``pathlib.Path`` (``_folder: Path | None = None`` that a classmethod fills, then
``cls._folder / name`` opened in an async method: API103), and attributes bound to
a name, an attribute or a ``/`` join that holds a path (``root = MEDIA_ROOT``).
The test is syntactic so that an evicted module's summary
(``model_cache.ModuleSummary.class_clients``) knows, without evaluating
anything, which attributes only a model can answer: cold, warm and parallel
runs agree.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING

from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.stubs import PATH_TYPES
from fastapi_lint.semantic.values import Instance, Value

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, ClassInfo

# The last name of a call that makes a client, a connection or a pool.
CLIENT_CONSTRUCTORS = frozenset(
    {
        "AsyncClient",
        "AsyncIOMotorClient",
        "AsyncMongoClient",
        "BlockingConnection",
        "Client",
        "ConnectionPool",
        "CryptContext",
        "Elasticsearch",
        "FTP",
        "FTP_TLS",
        "HTTPConnection",
        "HTTPSConnection",
        "IMAP4",
        "IMAP4_SSL",
        "Minio",
        "MongoClient",
        "PoolManager",
        "Redis",
        "SMTP",
        "SMTP_SSL",
        "Session",
        "StrictRedis",
        "client",
        "connect",
        "create_async_engine",
        "create_connection",
        "create_engine",
        "from_url",
        "recommended",
        "resource",
        "scoped_session",
        "session",
        "sessionmaker",
        "socket",
    }
)


def spells_client(value: ast.expr | None) -> bool:
    """``requests.Session()``, ``redis.Redis.from_url(URL)``, ``connect(DSN)``."""
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name in CLIENT_CONSTRUCTORS


# What a class attribute annotated or built as a path holds (``ROOT: Path | None = None``,
# ``ROOT = Path("/srv/media")``): ``cls.ROOT / name`` is a Path (Revision 2's `/` join).
_PATH_NAMES = frozenset({"Path", "PosixPath", "WindowsPath"})
_WRAPPERS = frozenset({"ClassVar", "Final"})


def spells_path(binding: Binding) -> bool:
    """``media: Path | None = None``, ``media: Optional[Path]``, ``media = Path(...)``.
    Not a column of a mapped class (``__tablename__``, ``table=True``): ``File.path`` in a
    query stays a reference to the column."""
    if _mapped_class(binding.scope.node, binding.scope.bindings):
        return False
    annotation = _unwrapped(binding.annotation)
    if annotation is not None:
        parts = [annotation]
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            parts = [annotation.left, annotation.right]
        elif isinstance(annotation, ast.Subscript) and _last(annotation.value) == "Optional":
            parts = [annotation.slice]
        return any(_last(part) in _PATH_NAMES for part in parts)
    value = binding.value
    return isinstance(value, ast.Call) and _last(value.func) in _PATH_NAMES


def refers_to_value(binding: Binding) -> bool:
    """``root = MEDIA_ROOT``, ``root = settings.media_root``, ``root = BASE / "media"``:
    a class attribute bound, unannotated, to a name, an attribute or a ``/`` join that
    may hold a path (``cls.root / key`` then reads a file, as ``self.root / key`` does).
    Not a column of a mapped class."""
    value = binding.value
    if _unwrapped(binding.annotation) is not None:
        return False
    if _mapped_class(binding.scope.node, binding.scope.bindings):
        return False
    if isinstance(value, ast.BinOp):
        return isinstance(value.op, ast.Div)
    return isinstance(value, (ast.Name, ast.Attribute))


def _unwrapped(annotation: ast.expr | None) -> ast.expr | None:
    """The type a class attribute's annotation names: ``Path`` for ``ClassVar[Path]`` or
    ``Final[Path]``; None for a bare ``Final`` (the value gives the type)."""
    while isinstance(annotation, ast.Subscript) and _last(annotation.value) in _WRAPPERS:
        annotation = annotation.slice
    if annotation is not None and _last(annotation) in _WRAPPERS:
        return None
    return annotation


def holds_client(binding: Binding) -> bool:
    """A class attribute worth evaluating: a client, a connection or a path."""
    return spells_client(binding.value) or spells_path(binding) or refers_to_value(binding)


def _mapped_class(node: ast.AST, bindings: Mapping[str, object]) -> bool:
    return "__tablename__" in bindings or (
        isinstance(node, ast.ClassDef) and any(k.arg == "table" for k in node.keywords)
    )


def _last(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else None


def client_attribute_names(model: ModuleModel) -> frozenset[str]:
    """``Class.attr`` of every module-level class attribute that may hold a client."""
    names = set()
    for name in model.module_scope.bindings:
        class_info = _module_class(model, name)
        if class_info is None:
            continue
        for attr, attr_bindings in class_info.scope.bindings.items():
            if attr_bindings and holds_client(attr_bindings[-1]):
                names.add(f"{class_info.name}.{attr}")
    return frozenset(names)


def class_client(model: ModuleModel, class_name: str, attr: str, depth: int) -> Value | None:
    """What ``Class.attr`` holds when the module-level class ``class_name`` binds it to
    a client (an instance of a known type) or a path; None otherwise."""
    class_info = _module_class(model, class_name)
    if class_info is None:
        return None
    attr_bindings = class_info.scope.bindings.get(attr)
    if not attr_bindings or not holds_client(attr_bindings[-1]):
        return None
    value = model.binding_value(attr_bindings[-1], depth + 1)
    if not isinstance(value, Instance):
        return None
    if refers_to_value(attr_bindings[-1]) and value.type not in PATH_TYPES:
        return None  # `status = DEFAULT_STATUS`: only a path is answered for a name
    return value


def _module_class(model: ModuleModel, name: str) -> ClassInfo | None:
    bindings = model.module_scope.bindings.get(name)
    binding = bindings[-1] if bindings else None
    if binding is None or binding.kind is not BindingKind.CLASS or not binding.qualname:
        return None
    return model.class_named(binding.qualname)

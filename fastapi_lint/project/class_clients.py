"""Clients kept as class attributes and read through the class.

``class Shared: http = requests.Session()`` then ``Shared.http.get(url)`` in an
async route is the same blocking call as through a module-level client or
``self.http``. ``Shared.http`` names a project class attribute, which the index
answers as a reference (``Model.id`` in a query must stay one: API4xx reads
relationship and column names from it), so only attributes bound in the class
body to a call that spells a client constructor are evaluated
(``requests.Session()``, ``redis.Redis.from_url(...)``, ``boto3.client("s3")``,
``CryptContext(...)`` for API106).
The test is syntactic so that an evicted module's summary
(``model_cache.ModuleSummary.class_clients``) knows, without evaluating
anything, which attributes only a model can answer: cold, warm and parallel
runs agree.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.values import Instance, Value

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import ClassInfo

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


def client_attribute_names(model: ModuleModel) -> frozenset[str]:
    """``Class.attr`` of every module-level class attribute that may hold a client."""
    names = set()
    for name in model.module_scope.bindings:
        class_info = _module_class(model, name)
        if class_info is None:
            continue
        for attr, attr_bindings in class_info.scope.bindings.items():
            if attr_bindings and spells_client(attr_bindings[-1].value):
                names.add(f"{class_info.name}.{attr}")
    return frozenset(names)


def class_client(model: ModuleModel, class_name: str, attr: str, depth: int) -> Value | None:
    """What ``Class.attr`` holds when the module-level class ``class_name`` binds it to
    a client (an instance of a known type); None otherwise."""
    class_info = _module_class(model, class_name)
    if class_info is None:
        return None
    attr_bindings = class_info.scope.bindings.get(attr)
    if not attr_bindings or not spells_client(attr_bindings[-1].value):
        return None
    value = model.binding_value(attr_bindings[-1], depth + 1)
    return value if isinstance(value, Instance) else None


def _module_class(model: ModuleModel, name: str) -> ClassInfo | None:
    bindings = model.module_scope.bindings.get(name)
    binding = bindings[-1] if bindings else None
    if binding is None or binding.kind is not BindingKind.CLASS or not binding.qualname:
        return None
    return model.class_named(binding.qualname)

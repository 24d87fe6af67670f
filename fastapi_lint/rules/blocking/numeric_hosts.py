"""API105: a name lookup of a numeric address asks no resolver.

``socket.gethostbyname("10.0.0.7")`` and ``socket.getaddrinfo(request.client.host, None)``
parse the address and return at once: the C library answers a numeric host without DNS.
Starlette's ``request.client.host`` (also of a ``WebSocket``) is the peer's address as the
server read it from the socket, never a name. ``gethostbyname_ex`` and ``gethostbyaddr``
are left out: given an address they ask for its names (a reverse lookup on the network).
"""

from __future__ import annotations

import ast
import ipaddress
from typing import TYPE_CHECKING

from fastapi_lint.rules.argument_values import ArgumentValues
from fastapi_lint.semantic.syntax import keyword_value

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

NAME_LOOKUPS = frozenset({"socket.gethostbyname", "socket.getaddrinfo"})

_CONNECTION_TYPES = frozenset(
    {
        "fastapi.Request",
        "fastapi.requests.Request",
        "starlette.requests.Request",
        "fastapi.WebSocket",
        "fastapi.websockets.WebSocket",
        "starlette.websockets.WebSocket",
        "starlette.requests.HTTPConnection",
        "fastapi.requests.HTTPConnection",
    }
)


def looks_up_numeric_address(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """Whether the host argument of a name lookup is an IP address: a literal (or a
    constant holding one) or the peer address of a request or websocket."""
    host = keyword_value(call.keywords, "host") or keyword_value(call.keywords, "hostname")
    if host is None and call.args and not isinstance(call.args[0], ast.Starred):
        host = call.args[0]
    if host is None:
        return False
    value = ArgumentValues(model, scope, call).of(host)
    if isinstance(value, str):
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return True
    return (
        isinstance(host, ast.Attribute)
        and host.attr == "host"
        and isinstance(host.value, ast.Attribute)
        and host.value.attr == "client"
        and model.type_of(host.value.value, scope) in _CONNECTION_TYPES
    )

"""Sends on a datagram (UDP) socket: the kernel queues the datagram and returns.

``sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)`` then
``sock.sendto(packet, (broadcast, 9))``: a Wake-on-LAN magic packet, a statsd
metric, a syslog line. Nothing waits for a peer (there is no connection and no
acknowledgement), so the call costs one system call, not a network round trip.
Receiving on the same socket (``recvfrom``) waits for a datagram and stays
reported, and so does every call on a stream (TCP) socket.

``connect()`` on a datagram socket sends nothing either: it records the peer and picks
the local interface (the "which local address reaches this peer" idiom:
``s.connect((peer, 80)); s.getsockname()[0]``).
"""

from __future__ import annotations

import ast
import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

_SENDS = frozenset({"socket.socket.send", "socket.socket.sendall", "socket.socket.sendto"})
_CONNECTS = frozenset({"socket.socket.connect", "socket.socket.connect_ex"})
_SOCKET_TYPES = {"socket.SOCK_DGRAM": True, "socket.SOCK_STREAM": False}


def local_on_datagram_socket(
    model: ModuleModel,
    call: ast.Call,
    target: str,
    made: Iterable[tuple[ast.Call, Scope]],
) -> bool:
    """Whether a send goes out on a datagram socket (the socket was made with
    ``SOCK_DGRAM``, or ``sendto``, the datagram call, on a socket not known to be a
    stream socket), or a ``connect()`` is made on a ``SOCK_DGRAM`` socket.
    ``sendto(data, ("metrics.internal", 8125))`` resolves the host name first (a
    blocking DNS lookup): still reported."""
    if target in _CONNECTS:
        return _first_socket_kind(model, made) is True
    if target not in _SENDS or _names_a_host(call, target):
        return False
    kind = _first_socket_kind(model, made)
    return kind if kind is not None else target == "socket.socket.sendto"


def _first_socket_kind(model: ModuleModel, made: Iterable[tuple[ast.Call, Scope]]) -> bool | None:
    """The kind (True: datagram) of the ``socket.socket(...)`` that made the receiver."""
    for call, scope in made:
        if model.call_target(call, scope) == "socket.socket":
            return _socket_kind(model, call, scope)
    return None


def _socket_kind(model: ModuleModel, call: ast.Call, scope: Scope) -> bool | None:
    """True for ``socket.socket(AF_INET, SOCK_DGRAM)``, False for a stream socket
    (``SOCK_STREAM``, or no type: the default), None when the type is not known."""
    kind: ast.expr | None = next((k.value for k in call.keywords if k.arg == "type"), None)
    if kind is None and len(call.args) > 1:
        kind = call.args[1]
    if kind is None:
        unpacked = any(isinstance(a, ast.Starred) for a in call.args) or any(
            k.arg is None for k in call.keywords
        )
        return None if unpacked else False
    for node in ast.walk(kind):
        if isinstance(node, (ast.Name, ast.Attribute)):
            found = _SOCKET_TYPES.get(model.qualified_name(node, scope) or "")
            if found is not None:
                return found
    return None


def _names_a_host(call: ast.Call, target: str) -> bool:
    """``sendto(data, ("metrics.internal", 8125))``: a host name literal, looked up on
    every send. An IP address, ``""`` or ``"<broadcast>"`` needs no lookup."""
    if target != "socket.socket.sendto" or len(call.args) < 2:
        return False
    address = call.args[-1]
    if not isinstance(address, ast.Tuple) or not address.elts:
        return False
    host = address.elts[0]
    if not isinstance(host, ast.Constant) or not isinstance(host.value, str):
        return False
    if host.value in ("", "<broadcast>"):
        return False
    try:
        ipaddress.ip_address(host.value)
    except ValueError:
        return True
    return False

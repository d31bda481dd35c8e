"""The network guard: every connection and name lookup that would leave this machine fails.

Installed by the test session (tests/stack.py) and, through a `sitecustomize` module, in
every Python process a bench starts under the suite (tests/test_benches.py). Free of Django
and pytest imports so that it can load that early.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def install(refuse: Callable[[str], None]) -> None:
    """Patch the socket module; `refuse(what)` records the attempt and raises."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(family: int, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if family != socket.AF_UNIX and not is_loopback(host):
            refuse(f"network connection to {address!r}")

    def connect(self: socket.socket, address: object) -> None:
        check(self.family, address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        check(self.family, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: object, *args, **kwargs):
        # Name lookups would reach a DNS server; only loopback names and literals are allowed.
        if host is not None and not is_loopback(host):
            refuse(f"name lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.getaddrinfo = getaddrinfo

"""Ephemeral loopback ports, so parallel workers never collide."""

from __future__ import annotations

import socket

LOOPBACK = "127.0.0.1"


def listening_socket() -> socket.socket:
    """A socket bound to an ephemeral loopback port and listening.

    Handing the socket itself to a child (uvicorn ``--fd``) leaves no window in
    which another process could take the port.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def free_port() -> int:
    """A loopback port that was free a moment ago, for servers that take a number.

    Callers must retry when the server then fails to bind: this is a hint, not a lease.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_is_bound(port: int) -> bool:
    """Whether something still listens on a loopback port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((LOOPBACK, port)) == 0

"""The connection layer under tryon's ``requests`` sessions: checked, pinned addresses and deadlines.

:class:`TryonAdapter` (mounted by :func:`tryon.http.make_session`) does two things urllib3
does not:

* **Address guard.** Inside a :func:`guarded` scope, every request — each redirect hop and
  each retry included — is parsed once with :func:`tryon.urls.parse_url`, its host is resolved
  **once** and checked by the guard, and the connection is made to exactly that checked
  address (the host name still goes into ``Host`` and TLS SNI/certificate checks). A pooled
  connection to any other address is not reused. No byte is sent before the check.
* **Overall deadlines.** Connections in use are registered with the current
  :class:`tryon.deadline.Deadline`, whose watchdog shuts them down when it passes; retries
  stop and their waits are cut short once no time is left.
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
from collections.abc import Iterator
from typing import Any, Protocol

import attrs
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as _connection

from tryon.deadline import current_deadline
from tryon.urls import Target, parse_url

__all__ = ["AddressGuard", "TryonAdapter", "guarded"]


class AddressGuard(Protocol):
    """Decides where a request may connect: the checked IP address, or raises UnsafeURLError."""

    def address_for(self, target: Target) -> str: ...


@attrs.frozen
class _Pin:
    host: str
    port: int
    ip: str


_guard: contextvars.ContextVar[AddressGuard | None] = contextvars.ContextVar("tryon_guard", default=None)
_pin: contextvars.ContextVar[_Pin | None] = contextvars.ContextVar("tryon_pin", default=None)


@contextlib.contextmanager
def guarded(guard: AddressGuard) -> Iterator[None]:
    """Requests made through a :class:`TryonAdapter` in this scope go only where *guard* allows."""
    token = _guard.set(guard)
    try:
        yield
    finally:
        _guard.reset(token)


def _norm(host: str) -> str:
    return host.strip("[]").lower().rstrip(".")


class _ConnMixin:
    """Connects to the pinned address (when one is set) within the current deadline."""

    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        pin = _pin.get()
        address = self._dns_host
        if pin is not None:
            if (_norm(self.host), self.port) != (pin.host, pin.port):
                raise NewConnectionError(self, f"refusing to connect to {self.host}:{self.port}: "  # type: ignore[arg-type]
                                                "it is not the host that was checked")
            address = pin.ip
        timeout = self.timeout
        deadline = current_deadline()
        if deadline is not None:
            left = deadline.remaining()
            if left <= 0:
                raise ConnectTimeoutError(self, deadline.message())
            timeout = min(timeout, left) if isinstance(timeout, int | float) else left
        try:
            sock = _connection.create_connection(
                (address, self.port), timeout, source_address=self.source_address,
                socket_options=self.socket_options)
        except socket.gaierror as e:
            raise NameResolutionError(self.host, self, e) from e  # type: ignore[arg-type]
        except TimeoutError as e:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out. (connect timeout={timeout})") from e
        except OSError as e:
            raise NewConnectionError(self, f"Failed to establish a new connection: {e}") from e  # type: ignore[arg-type]
        self._tryon_ip = address if pin is not None else None
        self._tryon_raw_sock = sock
        if deadline is not None:
            deadline.track(self)
        return sock


class _HTTPConnection(_ConnMixin, HTTPConnection):
    pass


class _HTTPSConnection(_ConnMixin, HTTPSConnection):
    pass


class _PoolMixin:
    """Never hands out a pooled connection to an address other than the pinned one; registers
    connections with the current deadline while they are in use."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        pin = _pin.get()
        if pin is not None and conn.sock is not None and getattr(conn, "_tryon_ip", None) != pin.ip:
            conn.close()
        deadline = current_deadline()
        if deadline is not None:
            conn._tryon_deadline = deadline
            deadline.track(conn)
        return conn

    def _put_conn(self, conn: Any) -> None:
        if conn is not None:
            deadline = conn.__dict__.pop("_tryon_deadline", None)
            if deadline is not None:
                deadline.untrack(conn)
        super()._put_conn(conn)  # type: ignore[misc]


class _HTTPPool(_PoolMixin, HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(_PoolMixin, HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class TryonAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections honour :func:`guarded` scopes and deadlines."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        guard = _guard.get()
        if guard is None:
            return super().send(request, *args, **kwargs)
        target = parse_url(request.url)  # the URL exactly as it is about to be sent
        proxies = kwargs.get("proxies") or (args[4] if len(args) > 4 else None)
        if proxies and any(proxies.get(k) for k in (target.scheme, f"{target.scheme}://{target.host}", "all")):
            guard.address_for(target)  # through a proxy the proxy connects; still refuse what is known bad
            return super().send(request, *args, **kwargs)
        token = _pin.set(_Pin(target.host, target.port, guard.address_for(target)))
        try:
            return super().send(request, *args, **kwargs)
        finally:
            _pin.reset(token)

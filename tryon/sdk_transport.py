"""``httpx`` clients for provider SDKs (OpenAI's) that honour tryon's overall deadlines.

An SDK's ``timeout`` bounds each socket operation, so a server that dribbles its headers or
body never trips it. :func:`deadline_http_client` builds the SDK's own default ``httpx`` client
(passed through the SDK's ``http_client=`` hook) whose network layer shortens every read,
write and connect to the time left on the current :class:`tryon.deadline.Deadline`; once it
has passed, *expired* (an SDK exception the SDK does not retry) is raised.

The OpenAI SDK ships ``httpx2``/``httpcore2`` (or ``httpx``/``httpcore`` in older releases);
whichever its client uses is used here.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
from collections.abc import Callable, Iterable
from typing import Any

from tryon.deadline import Deadline, DeadlineExceeded, current_deadline

__all__ = ["deadline_http_client"]

ExpiredFactory = Callable[[Deadline], BaseException]


def _modules() -> tuple[Any, Any]:
    for httpx_name, core_name in (("httpx2", "httpcore2"), ("httpx", "httpcore")):
        try:
            return importlib.import_module(httpx_name), importlib.import_module(core_name)
        except ImportError:
            continue
    raise ImportError("neither httpx2 nor httpx is installed")


def _clamp(timeout: float | None, expired: ExpiredFactory) -> tuple[Deadline | None, float | None]:
    deadline = current_deadline()
    if deadline is None:
        return None, timeout
    try:
        return deadline, deadline.clamp(timeout)
    except DeadlineExceeded:
        raise expired(deadline) from None


def _classes(core: Any, expired: ExpiredFactory) -> tuple[type, type, type, type]:
    timeouts = (core.ReadTimeout, core.WriteTimeout, core.ConnectTimeout)

    class Stream(core.NetworkStream):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def _io(self, method: Callable[..., Any], *args: Any, timeout: float | None) -> Any:
            deadline, timeout = _clamp(timeout, expired)
            try:
                return method(*args, timeout=timeout)
            except timeouts:
                if deadline is not None and deadline.expired:
                    raise expired(deadline) from None
                raise

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self._io(self._inner.read, max_bytes, timeout=timeout)

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._io(self._inner.write, buffer, timeout=timeout)

        def close(self) -> None:
            self._inner.close()

        def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                      timeout: float | None = None) -> Any:
            return Stream(self._io(self._inner.start_tls, ssl_context, server_hostname, timeout=timeout))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class Backend(core.NetworkBackend):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                        local_address: str | None = None, socket_options: Iterable[Any] | None = None) -> Any:
            deadline, timeout = _clamp(timeout, expired)
            try:
                return Stream(self._inner.connect_tcp(host, port, timeout=timeout, local_address=local_address,
                                                      socket_options=socket_options))
            except timeouts:
                if deadline is not None and deadline.expired:
                    raise expired(deadline) from None
                raise

        def connect_unix_socket(self, path: str, timeout: float | None = None,
                                socket_options: Iterable[Any] | None = None) -> Any:
            return Stream(self._inner.connect_unix_socket(path, timeout=timeout, socket_options=socket_options))

        def sleep(self, seconds: float) -> None:
            self._inner.sleep(seconds)

    class AsyncStream(core.AsyncNetworkStream):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        async def _io(self, method: Callable[..., Any], *args: Any, timeout: float | None) -> Any:
            deadline, timeout = _clamp(timeout, expired)
            try:
                return await method(*args, timeout=timeout)
            except timeouts:
                if deadline is not None and deadline.expired:
                    raise expired(deadline) from None
                raise

        async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return await self._io(self._inner.read, max_bytes, timeout=timeout)

        async def write(self, buffer: bytes, timeout: float | None = None) -> None:
            await self._io(self._inner.write, buffer, timeout=timeout)

        async def aclose(self) -> None:
            await self._inner.aclose()

        async def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                            timeout: float | None = None) -> Any:
            return AsyncStream(await self._io(self._inner.start_tls, ssl_context, server_hostname, timeout=timeout))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class AsyncBackend(core.AsyncNetworkBackend):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                              local_address: str | None = None,
                              socket_options: Iterable[Any] | None = None) -> Any:
            deadline, timeout = _clamp(timeout, expired)
            try:
                return AsyncStream(await self._inner.connect_tcp(
                    host, port, timeout=timeout, local_address=local_address, socket_options=socket_options))
            except timeouts:
                if deadline is not None and deadline.expired:
                    raise expired(deadline) from None
                raise

        async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                      socket_options: Iterable[Any] | None = None) -> Any:
            return AsyncStream(await self._inner.connect_unix_socket(path, timeout=timeout,
                                                                     socket_options=socket_options))

        async def sleep(self, seconds: float) -> None:
            await self._inner.sleep(seconds)

    return Backend, Stream, AsyncBackend, AsyncStream


def deadline_http_client(client_class: type, *, use_async: bool, expired: ExpiredFactory,
                         verify: Any = True, **kwargs: Any) -> Any:
    """An instance of the SDK's default client class (e.g. ``openai.DefaultHttpxClient``) whose
    connections honour the current deadline. *verify* (``True`` or a shared ``ssl.SSLContext``)
    goes to the transport; *kwargs* go to the client (``timeout``...)."""
    httpx, core = _modules()
    backend, _, async_backend, _ = _classes(core, expired)
    transport = httpx.AsyncHTTPTransport(verify=verify) if use_async else httpx.HTTPTransport(verify=verify)
    pool = getattr(transport, "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if inner is None:  # pragma: no cover - a transport layout this module does not know
        raise RuntimeError("cannot install tryon's deadline transport into this httpx version")
    pool._network_backend = async_backend(inner) if use_async else backend(inner)  # type: ignore[union-attr]
    return _closing(client_class, use_async)(transport=transport, **kwargs)


@functools.cache
def _closing(client_class: type, use_async: bool) -> type:
    """*client_class* that closes its pooled connections when it is garbage collected, as the
    SDK's own default client does (a client passed through ``http_client=`` is not the SDK's)."""
    if use_async:
        return client_class  # async clients are closed with their event loop by the plugin

    def __del__(self: Any) -> None:
        with contextlib.suppress(Exception):
            if not self.is_closed:
                self.close()

    return type(client_class.__name__, (client_class,), {"__del__": __del__})

"""Download image inputs given as URLs, safely.

Only ``http``/``https`` URLs are fetched. Every host is resolved with
``socket.getaddrinfo`` and refused (:class:`~tryon.errors.UnsafeURLError`) when any of
its addresses is not public: loopback, private (RFC 1918, IPv6 ULA), link-local
(including cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, reserved,
unspecified, or an IPv6 address embedding one of these (IPv4-mapped, 6to4, Teredo,
NAT64). A URL is parsed once, strictly (:func:`tryon.urls.parse_url`: ambiguous spellings
are refused), each host is resolved once and the connection goes to the very address that
was checked (:mod:`tryon.transport`; a second resolution could answer differently — DNS
rebinding). Redirects are followed by hand, each hop checked before anything is sent to it.
Downloads are capped while streaming, with connect/read timeouts and an overall deadline
that covers every hop, header and body byte; transient failures (connection errors,
429/5xx) are retried by the shared session.

Private addresses are allowed with ``URLFetcher(allow_private=True)``, with
``configure_fetcher(allow_private=True)`` for the default fetcher, or with the
environment variable ``TRYON_ALLOW_PRIVATE_URLS=1``; single internal hosts can be
trusted with ``allowed_hosts``. Proxy environment variables and ``.netrc`` are ignored
(pass ``proxies=`` explicitly). URLs in messages never show credentials or query strings.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from tryon.errors import InvalidInputError, UnsafeURLError
from tryon.http import max_retry_after
from tryon.media.limits import describe_bytes
from tryon.urls import Target, parse_url

if TYPE_CHECKING:
    import requests

__all__ = [
    "ALLOW_PRIVATE_ENV",
    "URLFetcher",
    "configure_fetcher",
    "default_fetcher",
    "display_url",
    "is_public_address",
]

#: Environment variable that, set to 1/true/yes/on, lets the default fetcher reach private addresses.
ALLOW_PRIVATE_ENV = "TRYON_ALLOW_PRIVATE_URLS"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

_default: URLFetcher | None = None
_default_lock = threading.Lock()


def display_url(url: str) -> str:
    """*url* without credentials, query string or fragment (``?...`` marks a removed query)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return url.split("?", 1)[0].split("#", 1)[0][:200]
    shown = urlunsplit((parts.scheme, host + port, parts.path, "", ""))
    if parts.query:
        shown += "?..."
    return shown if len(shown) <= 200 else shown[:197] + "..."


def is_public_address(address: str) -> bool:
    """Whether an IP address is a public, unicast internet address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded: ipaddress.IPv4Address | None = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip.teredo is not None:
            embedded = ip.teredo[1]
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
        if ip.is_site_local:
            return False
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _reason(exc: BaseException) -> str:
    """A short, credential-free description of a transport error."""
    text = re.sub(r"\?[^\s'\")]*", "?...", str(exc))
    text = re.sub(r"//[^/\s@]*@", "//", text)
    text = " ".join(text.split())
    return (text[:300] + "...") if len(text) > 300 else (text or type(exc).__name__)


def _peer_address(response: requests.Response) -> str | None:
    """The IP address a streamed response is being read from, when it can be found."""
    raw = response.raw
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is None:  # a closing (HTTP/1.0) response: http.client detached the socket
        reader = getattr(getattr(raw, "_fp", None), "fp", None)
        sock = getattr(getattr(reader, "raw", None), "_sock", None)
    try:
        return str(sock.getpeername()[0]) if sock is not None else None
    except (OSError, TypeError, IndexError, AttributeError):
        return None


def _env_allows_private() -> bool:
    return os.environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _resolve(host: str, port: int) -> list[str]:
    """Every address *host* resolves to."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


class URLFetcher:
    """Downloads image URLs with SSRF protection, a size cap, timeouts and retries."""

    def __init__(
        self,
        *,
        allow_private: bool | None = None,
        max_bytes: int = 50 * 1024 * 1024,
        timeout: float | tuple[float, float] = (5.0, 30.0),
        max_redirects: int = 5,
        retries: int = 2,
        backoff_factor: float = 0.5,
        total_timeout: float | None = 120.0,
        allowed_hosts: Iterable[str] = (),
        proxies: Mapping[str, str] | None = None,
    ) -> None:
        """*allow_private*: ``None`` reads ``TRYON_ALLOW_PRIVATE_URLS``. *timeout* is
        ``(connect, read)`` per socket operation; *total_timeout* bounds a whole download.
        *allowed_hosts* are host names (or ``host:port``) trusted without address checks.
        """
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        if max_redirects < 0 or retries < 0:
            raise ValueError("max_redirects and retries must not be negative")
        self.allow_private = _env_allows_private() if allow_private is None else bool(allow_private)
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.max_redirects = max_redirects
        self.retries = retries
        self.backoff_factor = backoff_factor
        self.total_timeout = total_timeout
        self.allowed_hosts = frozenset(h.strip().lower().strip("[]").rstrip(".") for h in allowed_hosts)
        self.proxies = dict(proxies) if proxies else None

    def __repr__(self) -> str:
        return (
            f"URLFetcher(allow_private={self.allow_private}, max_bytes={self.max_bytes}, "
            f"timeout={self.timeout}, max_redirects={self.max_redirects}, retries={self.retries})"
        )

    # ----------------------------------------------------------------- checks

    def _trusted(self, host: str, port: int) -> bool:
        return self.allow_private or host in self.allowed_hosts or f"{host}:{port}" in self.allowed_hosts

    def address_for(self, target: Target) -> str:
        """Resolve *target*'s host once and return the address to connect to; raise
        :class:`UnsafeURLError` unless every address it resolves to is public (or trusted)."""
        shown = target.display
        if target.is_ip:
            addresses = [target.host]
        else:
            try:
                addresses = _resolve(target.host, target.port)
            except (OSError, UnicodeError) as exc:
                raise InvalidInputError(
                    f"cannot resolve the host of {shown!r}: {_reason(exc)}", input_name=shown
                ) from None
        if not addresses:
            raise InvalidInputError(f"cannot resolve the host of {shown!r}: no addresses", input_name=shown)
        if not self._trusted(target.host, target.port):
            unsafe = [a for a in addresses if not is_public_address(a)]
            if unsafe:
                raise UnsafeURLError(
                    f"refused URL {shown!r}: {target.host} resolves to a non-public address "
                    f"({', '.join(unsafe)}); set allow_private=True or {ALLOW_PRIVATE_ENV}=1 to fetch from "
                    "private networks",
                    input_name=shown,
                )
        return addresses[0]

    def check(self, url: str) -> None:
        """Raise :class:`UnsafeURLError` unless *url* is an unambiguous http(s) URL whose host is public."""
        self.address_for(parse_url(url))

    def _check_peer(self, response: requests.Response, target: Target) -> None:
        """Defence in depth: the address actually connected to must be public too."""
        if self.proxies or self._trusted(target.host, target.port):
            return
        peer = _peer_address(response)
        if peer is not None and not is_public_address(peer):
            raise UnsafeURLError(
                f"refused URL {target.display!r}: the connection went to the non-public address {peer}",
                input_name=target.display,
            )

    # ----------------------------------------------------------------- fetching

    def fetch(self, url: str) -> tuple[bytes, str | None]:
        """Download *url*; return ``(body, content type without parameters or None)``.

        The whole download — every redirect hop, retry, header and body byte — ends within
        ``total_timeout``; each hop is checked (and its connection pinned to the checked
        address) before any byte is sent to it.
        """
        from tryon.deadline import Deadline
        from tryon.transport import guarded

        target = parse_url(url)
        with Deadline(self.total_timeout, f"fetching {target.display!r}") as deadline, guarded(self):
            try:
                return self._fetch(target, deadline)
            except InvalidInputError:
                raise
            except Exception:  # DeadlineExceeded from a retry wait, or an expired read
                if deadline.expired:
                    raise self._late(target) from None
                raise

    def _late(self, target: Target) -> InvalidInputError:
        return InvalidInputError(
            f"timed out fetching {target.display!r}: the download took longer than {self.total_timeout}s",
            input_name=target.display,
        )

    def _fetch(self, target: Target, deadline: Any) -> tuple[bytes, str | None]:
        import requests

        from tryon.http import is_timeout, shared_session

        # no proxies or .netrc credentials for arbitrary URLs; GET is the only method used
        session = shared_session(retries=self.retries, backoff_factor=self.backoff_factor,
                                 max_retry_after=min(10.0, max_retry_after()),
                                 headers={"Accept": "image/*, */*;q=0.5"}, trust_env=False)
        current = target
        for _hop in range(self.max_redirects + 1):
            shown = current.display
            try:
                response = session.get(
                    current.url, stream=True, allow_redirects=False, timeout=self.timeout, proxies=self.proxies
                )
            except requests.RequestException as exc:
                if deadline.expired:
                    raise self._late(current) from None
                if is_timeout(exc):
                    raise InvalidInputError(
                        f"timed out fetching {shown!r} (timeout={self.timeout}s)", input_name=shown
                    ) from None
                raise InvalidInputError(f"cannot fetch {shown!r}: {_reason(exc)}", input_name=shown) from None
            with response:
                if deadline.fired:  # headers cut short by the deadline can look complete
                    raise self._late(current)
                self._check_peer(response, current)
                if response.status_code in _REDIRECTS and response.headers.get("Location"):
                    current = current.join(response.headers["Location"])
                    continue
                if not 200 <= response.status_code < 300:
                    status = f"HTTP {response.status_code} {response.reason or ''}".strip()
                    raise InvalidInputError(f"cannot fetch {shown!r}: {status}", input_name=shown)
                body = self._read_capped(response, current, deadline)
                content_type = response.headers.get("Content-Type")
                media_type = content_type.split(";", 1)[0].strip().lower() if content_type else None
                return body, media_type or None
        raise InvalidInputError(
            f"cannot fetch {target.display!r}: more than {self.max_redirects} redirects",
            input_name=target.display,
        )

    def _read_capped(self, response: requests.Response, target: Target, deadline: Any) -> bytes:
        import requests

        from tryon.http import is_timeout

        shown = target.display
        cap = self.max_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > cap:
            raise InvalidInputError(
                f"refused {shown!r}: it is {describe_bytes(int(declared))}, over the "
                f"{describe_bytes(cap)} download limit",
                input_name=shown,
            )
        chunks: list[bytes] = []
        total = 0
        try:
            for chunk in response.iter_content(_CHUNK):
                total += len(chunk)
                if total > cap:
                    raise InvalidInputError(
                        f"refused {shown!r}: it is larger than the {describe_bytes(cap)} download limit",
                        input_name=shown,
                    )
                if deadline.expired:
                    raise self._late(target)
                chunks.append(chunk)
        except requests.RequestException as exc:
            if deadline.expired:
                raise self._late(target) from None
            if is_timeout(exc) or "timed out" in str(exc).lower():
                raise InvalidInputError(
                    f"timed out reading {shown!r} (timeout={self.timeout}s)", input_name=shown
                ) from None
            raise InvalidInputError(
                f"download of {shown!r} failed: {_reason(exc)}", input_name=shown
            ) from None
        if deadline.expired:
            raise self._late(target)
        return b"".join(chunks)


def default_fetcher() -> URLFetcher:
    """The fetcher used when none is given (created on first use from the environment)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = URLFetcher()
        return _default


def configure_fetcher(fetcher: URLFetcher | None = None, **options: Any) -> URLFetcher:
    """Replace the default fetcher with *fetcher*, or with ``URLFetcher(**options)``.

    ``configure_fetcher(allow_private=True)`` lets every later URL input reach private
    addresses; ``configure_fetcher()`` restores the defaults.
    """
    global _default
    new = fetcher if fetcher is not None else URLFetcher(**options)
    with _default_lock:
        _default = new
    return new

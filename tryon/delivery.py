"""Where a provider's result images may be downloaded from, and downloading them.

Providers that answer with result URLs (BFL's signed blobs, FASHN's CDN) are downloaded
**without** the API key, through the core fetcher (:class:`tryon.media.fetch.URLFetcher`:
size cap, timeouts, SSRF checks), and only from: the API origin itself, a host the plugin knows
as the provider's own delivery host (https only), or a host the user lists in the plugin's
``delivery_hosts`` setting. Private and loopback addresses are reachable only for the API origin
when ``base_url`` itself is private or loopback (a local emulator or proxy), and for hosts listed
explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tryon.urls import is_private_host

__all__ = [
    "DataURIError",
    "Origin",
    "decode_data_uri",
    "delivery_problem",
    "host_list",
    "is_private_host",
    "listed",
    "origin_of",
    "shown",
    "trusted_delivery_hosts",
]

Origin = tuple[str, str, int]


def host_list(value: Iterable[str] | str) -> tuple[str, ...]:
    """A ``delivery_hosts`` setting as a tuple of lower-case ``host``/``host:port`` (one string is one host)."""
    items = [value] if isinstance(value, str) else list(value)
    return tuple(str(h).strip().lower() for h in items if str(h).strip())


def origin_of(url: str) -> Origin | None:
    """``(scheme, host, port)`` of an http(s) URL, or ``None`` when it is not one or is ambiguous
    (parsed by the core's one strict parser, the same parse that decides where the call goes)."""
    from tryon.errors import UnsafeURLError
    from tryon.urls import parse_url

    try:
        return parse_url(url).origin
    except UnsafeURLError:
        return None


def shown(url: str) -> str:
    """*url* without its query (signed URLs carry tokens), for messages."""
    return url.split("?", 1)[0][:200]


def listed(origin: Origin, hosts: Iterable[str]) -> bool:
    """Whether *origin*'s host (or ``host:port``) is among *hosts*."""
    names = set(hosts)
    return origin[1] in names or f"{origin[1]}:{origin[2]}" in names


def delivery_problem(url: str, base_url: str, extra_hosts: Iterable[str], *,
                     known: Callable[[str], bool], provider: str = "provider", what: str = "result URL",
                     hosts: str | None = None) -> str | None:
    """Why a result image must not be downloaded from *url* (``None`` = it may).

    *known* tells whether a host is one of *provider*'s own delivery hosts (accepted over https);
    *what* names the URL in the message and *hosts* describes the trusted hosts (default: "the
    API host or a known *provider* delivery host").
    """
    target, api = origin_of(url), origin_of(base_url)
    if target is None or api is None:
        return f"the {what} {shown(url)!r} is not an http(s) URL"
    if target == api or listed(target, extra_hosts):
        return None
    if known(target[1]) and target[0] == "https":
        return None
    return (
        f"the {what} {shown(url)!r} is not on {hosts or f'the API host or a known {provider} delivery host'}; "
        f"add {target[1]}:{target[2]} to the delivery_hosts setting if you trust it"
    )


def trusted_delivery_hosts(base_url: str, extra_hosts: Iterable[str]) -> frozenset[str]:
    """Hosts the download may reach even on private addresses: those listed explicitly, and
    the API origin when ``base_url`` is itself private or loopback."""
    trusted = set(extra_hosts)
    api = origin_of(base_url)
    if api is not None and is_private_host(api[1]):
        trusted.add(f"{api[1]}:{api[2]}")
    return frozenset(trusted)


class DataURIError(ValueError):
    """A result ``data:`` URI that cannot be used; the message says why (the caller names the output)."""


def decode_data_uri(url: str, max_bytes: int) -> bytes:
    """The bytes of a base64 ``data:`` URI returned as a result, at most *max_bytes* (checked before
    decoding); raises :class:`DataURIError` ("is not base64", "is larger than ...", "has invalid base64")."""
    import base64
    import binascii

    head, sep, payload = url.partition(",")
    if not sep or not head.startswith("data:") or ";base64" not in head:
        raise DataURIError("is a data URI that is not base64")
    if len(payload) > max_bytes * 4 // 3 + 4:
        raise DataURIError(f"is larger than {max_bytes:,} bytes (max_result_bytes)")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise DataURIError("is a data URI with invalid base64") from None

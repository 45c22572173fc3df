"""Which hosts the FLUX plugin talks to, and with what.

The rules, in one place:

* The ``x-key`` header goes only to the configured API origin (scheme, host and port of
  ``base_url``) — and, when that is a BFL host (``*.bfl.ai``), to other **https** BFL hosts,
  because the global endpoint hands out regional polling URLs (``api.eu1.bfl.ai``...).
  A ``polling_url`` anywhere else is refused: the key is never sent there.
* Result images (``result.sample``, a signed URL) are downloaded **without** the key, and
  only from the API origin, a known BFL delivery host (``*.bfl.ai``,
  ``bfldelivery*.blob.core.windows.net``, https only) or a host listed in the
  ``delivery_hosts`` setting. Private and loopback addresses are reachable only for the API
  origin when ``base_url`` itself is private or loopback (a local emulator or proxy), and for
  hosts listed explicitly; everything else goes through the core fetcher's SSRF checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "Origin",
    "delivery_problem",
    "is_bfl_host",
    "origin_of",
    "polling_problem",
    "trusted_delivery_hosts",
]

Origin = tuple[str, str, int]
_DELIVERY_BLOB = re.compile(r"^bfldelivery[a-z0-9-]*\.blob\.core\.windows\.net$")


def origin_of(url: str) -> Origin | None:
    """``(scheme, host, port)`` of an http(s) URL, or ``None`` when it is not one or is ambiguous
    (parsed by the core's one strict parser, the same parse that decides where the call goes)."""
    from tryon.errors import UnsafeURLError
    from tryon.urls import parse_url

    try:
        return parse_url(url).origin
    except UnsafeURLError:
        return None


def is_bfl_host(host: str) -> bool:
    """Whether *host* is Black Forest Labs' own (``bfl.ai`` or a subdomain)."""
    return host == "bfl.ai" or host.endswith(".bfl.ai")


def _is_private(host: str) -> bool:
    """Whether *host* names a loopback or private address (IP literals and ``localhost``)."""
    from tryon.urls import is_private_host

    return is_private_host(host)


def _shown(url: str) -> str:
    """*url* without its query (signed URLs carry tokens)."""
    return url.split("?", 1)[0][:200]


def polling_problem(polling_url: str, base_url: str) -> str | None:
    """Why the key must not be sent to *polling_url* (``None`` = it may)."""
    target, api = origin_of(polling_url), origin_of(base_url)
    if target is None or api is None:
        return f"the polling URL {_shown(polling_url)!r} is not an unambiguous http(s) URL"
    if target == api:
        return None
    if is_bfl_host(api[1]) and is_bfl_host(target[1]) and target[0] == "https":
        return None
    return (
        f"the polling URL {_shown(polling_url)!r} is not on the configured API host "
        f"{api[0]}://{api[1]}:{api[2]}; refusing to send the API key there"
    )


def _listed(origin: Origin, hosts: Iterable[str]) -> bool:
    listed = set(hosts)
    return origin[1] in listed or f"{origin[1]}:{origin[2]}" in listed


def delivery_problem(sample_url: str, base_url: str, extra_hosts: Iterable[str]) -> str | None:
    """Why a result image must not be downloaded from *sample_url* (``None`` = it may)."""
    target, api = origin_of(sample_url), origin_of(base_url)
    if target is None or api is None:
        return f"the result URL {_shown(sample_url)!r} is not an http(s) URL"
    if target == api or _listed(target, extra_hosts):
        return None
    known = is_bfl_host(target[1]) or _DELIVERY_BLOB.match(target[1]) is not None
    if known and target[0] == "https":
        return None
    return (
        f"the result URL {_shown(sample_url)!r} is not on the API host or a known BFL delivery host; "
        f"add {target[1]}:{target[2]} to the delivery_hosts setting if you trust it"
    )


def trusted_delivery_hosts(base_url: str, extra_hosts: Iterable[str]) -> frozenset[str]:
    """Hosts the download may reach even on private addresses: those listed explicitly, and
    the API origin when ``base_url`` is itself private or loopback."""
    trusted = set(extra_hosts)
    api = origin_of(base_url)
    if api is not None and _is_private(api[1]):
        trusted.add(f"{api[1]}:{api[2]}")
    return frozenset(trusted)

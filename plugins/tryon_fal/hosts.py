"""Which hosts the fal plugin talks to, and with what.

* The ``Authorization: Key ...`` header goes only to the configured queue origin (scheme, host
  and port of ``base_url``). The ``status_url``/``response_url``/``cancel_url`` fal returns are
  followed only when they are on that origin: anywhere else the key would leave fal's API host.
* Result images are downloaded **without** the key, only from fal's CDN (``fal.media`` and its
  subdomains such as ``v3.fal.media``, https only), the queue origin, or a host listed in the
  ``delivery_hosts`` setting. Private and loopback addresses are reachable only for the queue
  origin when ``base_url`` itself is private or loopback (a local emulator or proxy), and for
  hosts listed explicitly; everything else goes through the core fetcher's SSRF checks.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

__all__ = ["CDN_SUFFIX", "delivery_problem", "origin_of", "queue_url_problem", "trusted_delivery_hosts"]

Origin = tuple[str, str, int]
CDN_SUFFIX = "fal.media"


def origin_of(url: str) -> Origin | None:
    """``(scheme, host, port)`` of an http(s) URL by the core's one strict parse (``None``: refused)."""
    from tryon.errors import UnsafeURLError
    from tryon.urls import parse_url

    try:
        return parse_url(url).origin
    except UnsafeURLError:
        return None


def _shown(url: str) -> str:
    return url.split("?", 1)[0][:200]


def _is_private(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host.strip("[]")).is_global
    except ValueError:
        return False


def queue_url_problem(url: str, base_url: str, what: str = "queue") -> str | None:
    """Why the key must not be sent to *url* (``None`` = it is on the queue origin)."""
    target, api = origin_of(url), origin_of(base_url)
    if target is None or api is None:
        return f"the {what} URL {_shown(url)!r} is not an unambiguous http(s) URL"
    if target == api:
        return None
    return (f"the {what} URL {_shown(url)!r} is not on the configured queue host {api[0]}://{api[1]}:{api[2]}; "
            "refusing to send the API key there")


def is_cdn_host(host: str) -> bool:
    """Whether *host* is fal's media CDN (``fal.media`` or a subdomain)."""
    return host == CDN_SUFFIX or host.endswith("." + CDN_SUFFIX)


def delivery_problem(url: str, base_url: str, extra_hosts: Iterable[str]) -> str | None:
    """Why a result image must not be downloaded from *url* (``None`` = it may, without the key)."""
    target, api = origin_of(url), origin_of(base_url)
    if target is None or api is None:
        return f"the result image URL {_shown(url)!r} is not an http(s) URL"
    listed = set(extra_hosts)
    if target == api or target[1] in listed or f"{target[1]}:{target[2]}" in listed:
        return None
    if is_cdn_host(target[1]) and target[0] == "https":
        return None
    return (f"the result image URL {_shown(url)!r} is not on fal's CDN ({CDN_SUFFIX}) or the queue host; "
            f"add {target[1]}:{target[2]} to the fal delivery_hosts setting if you trust it")


def trusted_delivery_hosts(base_url: str, extra_hosts: Iterable[str]) -> frozenset[str]:
    """Hosts the download may reach even on private addresses: those listed, and the queue origin
    when ``base_url`` is itself private or loopback."""
    trusted = set(extra_hosts)
    api = origin_of(base_url)
    if api is not None and _is_private(api[1]):
        trusted.add(f"{api[1]}:{api[2]}")
    return frozenset(trusted)

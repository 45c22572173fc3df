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

from collections.abc import Iterable

from tryon import delivery

__all__ = ["CDN_SUFFIX", "delivery_problem", "origin_of", "queue_url_problem", "trusted_delivery_hosts"]

Origin = delivery.Origin
CDN_SUFFIX = "fal.media"


origin_of = delivery.origin_of
_shown = delivery.shown


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
    return delivery.delivery_problem(url, base_url, extra_hosts, known=is_cdn_host, what="result image URL",
                                     hosts=f"fal's CDN ({CDN_SUFFIX}) or the queue host")


trusted_delivery_hosts = delivery.trusted_delivery_hosts

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

from tryon import delivery
from tryon.delivery import Origin, origin_of, trusted_delivery_hosts
from tryon.delivery import shown as _shown

__all__ = [
    "Origin",
    "delivery_problem",
    "is_bfl_host",
    "origin_of",
    "polling_problem",
    "trusted_delivery_hosts",
]

_DELIVERY_BLOB = re.compile(r"^bfldelivery[a-z0-9-]*\.blob\.core\.windows\.net$")


def is_bfl_host(host: str) -> bool:
    """Whether *host* is Black Forest Labs' own (``bfl.ai`` or a subdomain)."""
    return host == "bfl.ai" or host.endswith(".bfl.ai")


def _is_delivery_host(host: str) -> bool:
    return is_bfl_host(host) or _DELIVERY_BLOB.match(host) is not None


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


def delivery_problem(sample_url: str, base_url: str, extra_hosts: Iterable[str]) -> str | None:
    """Why a result image must not be downloaded from *sample_url* (``None`` = it may)."""
    return delivery.delivery_problem(sample_url, base_url, extra_hosts, known=_is_delivery_host, provider="BFL")

"""Which hosts the Replicate plugin talks to, and with what.

* The ``Authorization: Bearer`` token goes only to the configured API origin (scheme, host and
  port of ``base_url``): the create request, and a prediction's ``urls.get`` and ``urls.cancel``,
  which must be on that origin (anything else is refused and the token is not sent).
* Outputs (``https://replicate.delivery/...``, deleted by Replicate an hour after the prediction)
  are downloaded at once, **without** the token, only from ``replicate.delivery`` or one of
  its subdomains over https, the API origin itself, or a host listed in ``delivery_hosts``.
  Private and loopback addresses are reachable only for the API origin when ``base_url`` is
  itself private or loopback (a local emulator or proxy), and for hosts listed explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["DELIVERY_DOMAIN", "delivery_problem", "trusted_delivery_hosts"]

DELIVERY_DOMAIN = "replicate.delivery"


def _origin(url: str) -> tuple[str, str, int] | None:
    from tryon.errors import UnsafeURLError
    from tryon.urls import parse_url

    try:
        return parse_url(url).origin
    except UnsafeURLError:
        return None


def _shown(url: str) -> str:
    return url.split("?", 1)[0][:200]


def delivery_problem(output_url: str, base_url: str, extra_hosts: Iterable[str]) -> str | None:
    """Why an output must not be downloaded from *output_url* (``None`` = it may)."""
    target, api = _origin(output_url), _origin(base_url)
    if target is None or api is None:
        return f"the output URL {_shown(output_url)!r} is not an unambiguous http(s) URL"
    listed = set(extra_hosts)
    if target == api or target[1] in listed or f"{target[1]}:{target[2]}" in listed:
        return None
    host = target[1]
    if target[0] == "https" and (host == DELIVERY_DOMAIN or host.endswith("." + DELIVERY_DOMAIN)):
        return None
    return (f"the output URL {_shown(output_url)!r} is not on replicate.delivery or the API host; "
            f"add {host}:{target[2]} to the delivery_hosts setting if you trust it")


def trusted_delivery_hosts(base_url: str, extra_hosts: Iterable[str]) -> frozenset[str]:
    """Hosts the download may reach even on private addresses: those listed, and the API origin
    when ``base_url`` is itself private or loopback."""
    from tryon.urls import is_private_host, parse_url

    trusted = set(extra_hosts)
    api = parse_url(base_url)
    if is_private_host(api.host):
        trusted.add(f"{api.host}:{api.port}")
    return frozenset(trusted)

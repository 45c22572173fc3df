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

from tryon import delivery

__all__ = ["DELIVERY_DOMAIN", "delivery_problem", "is_delivery_host", "trusted_delivery_hosts"]

DELIVERY_DOMAIN = "replicate.delivery"


def is_delivery_host(host: str) -> bool:
    """Whether *host* is Replicate's file delivery (``replicate.delivery`` or a subdomain)."""
    return host == DELIVERY_DOMAIN or host.endswith("." + DELIVERY_DOMAIN)


def delivery_problem(output_url: str, base_url: str, extra_hosts: Iterable[str]) -> str | None:
    """Why an output must not be downloaded from *output_url* (``None`` = it may)."""
    return delivery.delivery_problem(output_url, base_url, extra_hosts, known=is_delivery_host, what="output URL",
                                     hosts="replicate.delivery or the API host")


trusted_delivery_hosts = delivery.trusted_delivery_hosts

"""How the FASHN plugin reaches the FASHN API: key, base URL, timeouts, polling, trusted hosts."""

from __future__ import annotations

from typing import Any

import attrs

from tryon.delivery import host_list
from tryon.provider_settings import (
    api_key_from,
    base_url_from,
    evolve_settings,
    non_negative_int,
    positive,
    secret,
    timeout,
)
from tryon.secrets import Secret

__all__ = ["BASE_URL_ENV", "DEFAULT_BASE_URL", "KEY_ENV", "PROVIDER", "FashnSettings"]

PROVIDER = "fashn"
#: The SDK's default origin; the paths are ``/v1/run`` and ``/v1/status/{id}``.
DEFAULT_BASE_URL = "https://api.fashn.ai"
KEY_ENV = "FASHN_API_KEY"
BASE_URL_ENV = "FASHN_BASE_URL"


@attrs.frozen(kw_only=True)
class FashnSettings:
    """Settings of every FASHN generator (``configure(**settings)`` / ``Router(settings={"fashn": ...})``).

    ``timeout`` bounds each HTTP call; ``poll_interval`` is the first wait between status polls,
    growing by ``poll_backoff`` up to ``max_poll_interval``; ``deadline`` bounds a whole
    prediction (submit, polls and downloads; FASHN documents up to 120 s for tryon-max).
    ``delivery_hosts`` lists extra hosts (``host`` or ``host:port``) trusted to serve result
    images, private addresses included.
    """

    api_key: Secret | None = attrs.field(default=None, converter=secret, repr=False)
    base_url: str | None = None
    timeout: float | tuple[float, float] = attrs.field(default=(10.0, 60.0), validator=timeout)
    poll_interval: float = attrs.field(default=1.0, validator=positive)
    max_poll_interval: float = attrs.field(default=3.0, validator=positive)
    poll_backoff: float = attrs.field(default=1.5, validator=positive)
    deadline: float = attrs.field(default=300.0, validator=positive)
    max_retries: int = attrs.field(default=3, validator=non_negative_int)
    delivery_hosts: tuple[str, ...] = attrs.field(default=(), converter=host_list)
    max_result_bytes: int = attrs.field(default=50 * 1024 * 1024, validator=positive)

    @classmethod
    def build(cls, base: FashnSettings | None = None, **changes: Any) -> FashnSettings:
        """*base* with *changes*; unknown names or bad values raise ``InvalidOptionError``."""
        return evolve_settings(cls, base, PROVIDER, **changes)

    def resolved_key(self) -> str:
        """The API key (setting, then ``FASHN_API_KEY``); raises before any request when there is none."""
        return api_key_from(self.api_key, PROVIDER, [KEY_ENV])

    def resolved_base_url(self) -> str:
        """The API base URL (setting, then ``FASHN_BASE_URL``, then https://api.fashn.ai)."""
        return base_url_from(self.base_url, BASE_URL_ENV, DEFAULT_BASE_URL)

"""How the Replicate plugin reaches the API: token, base URL, waiting, polling, trusted hosts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

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

__all__ = ["BASE_URL_ENV", "DEFAULT_BASE_URL", "KEY_ENV", "PROVIDER", "ReplicateSettings"]

PROVIDER = "replicate"
DEFAULT_BASE_URL = "https://api.replicate.com"
KEY_ENV = "REPLICATE_API_TOKEN"
BASE_URL_ENV = "REPLICATE_BASE_URL"
MAX_WAIT = 60
"""``Prefer: wait=N`` holds a create request for at most 60 seconds (the SDK's documented range 1-60)."""


def _hosts(value: Iterable[str] | str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else list(value)
    return tuple(str(h).strip().lower() for h in items if str(h).strip())


def _wait(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WAIT:
        raise ValueError(f"{attribute.name} must be a whole number of seconds from 0 to {MAX_WAIT} "
                         f"(0: do not wait, poll at once), not {value!r}")


@attrs.frozen(kw_only=True)
class ReplicateSettings:
    """Settings of every Replicate generator (``configure(**settings)`` / ``Router(settings={"replicate": ...})``).

    ``wait`` is the ``Prefer: wait=N`` of each create request (seconds the API holds the request
    open for the prediction to finish; 0 = answer at once); a prediction still running after it
    is polled through its ``urls.get``, the first wait ``poll_interval``, growing by
    ``poll_backoff`` up to ``max_poll_interval``. ``deadline`` bounds a whole prediction (create,
    polls and downloads); past it the prediction is cancelled through ``urls.cancel``.
    ``delivery_hosts`` lists extra hosts (``host`` or ``host:port``) trusted to serve outputs.
    """

    api_key: Secret | None = attrs.field(default=None, converter=secret, repr=False)
    api_key_env: str = KEY_ENV
    base_url: str | None = None
    timeout: float | tuple[float, float] = attrs.field(default=(10.0, 60.0), validator=timeout)
    wait: int = attrs.field(default=MAX_WAIT, validator=_wait)
    poll_interval: float = attrs.field(default=0.5, validator=positive)
    max_poll_interval: float = attrs.field(default=3.0, validator=positive)
    poll_backoff: float = attrs.field(default=1.5, validator=positive)
    deadline: float = attrs.field(default=300.0, validator=positive)
    max_retries: int = attrs.field(default=3, validator=non_negative_int)
    delivery_hosts: tuple[str, ...] = attrs.field(default=(), converter=_hosts)
    max_result_bytes: int = attrs.field(default=50 * 1024 * 1024, validator=positive)

    @classmethod
    def build(cls, base: ReplicateSettings | None = None, **changes: Any) -> ReplicateSettings:
        """*base* with *changes*; unknown names or bad values raise ``InvalidOptionError``."""
        return evolve_settings(cls, base, PROVIDER, **changes)

    def resolved_key(self) -> str:
        """The API token (setting, then ``REPLICATE_API_TOKEN``); raises before any request when none."""
        return api_key_from(self.api_key, PROVIDER, [self.api_key_env])

    def resolved_base_url(self) -> str:
        """The API base URL (setting, then ``REPLICATE_BASE_URL``, then https://api.replicate.com)."""
        return base_url_from(self.base_url, BASE_URL_ENV, DEFAULT_BASE_URL)

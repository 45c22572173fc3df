"""How the fal plugin reaches fal's queue API: key, base URL, timeouts, polling, trusted hosts."""

from __future__ import annotations

import os
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
from tryon.secrets import Secret, remember

__all__ = ["BASE_URL_ENV", "DEFAULT_BASE_URL", "KEY_ENV", "PROVIDER", "FalSettings"]

PROVIDER = "fal"
DEFAULT_BASE_URL = "https://queue.fal.run"
KEY_ENV = "FAL_KEY"
KEY_ID_ENV, KEY_SECRET_ENV = "FAL_KEY_ID", "FAL_KEY_SECRET"
BASE_URL_ENV = "FAL_BASE_URL"


def _hosts(value: Iterable[str] | str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else list(value)
    return tuple(str(h).strip().lower() for h in items if str(h).strip())


@attrs.frozen(kw_only=True)
class FalSettings:
    """Settings of every fal generator (``configure(**settings)`` / ``Router(settings={"fal": ...})``).

    ``base_url`` is the queue origin (default https://queue.fal.run, else ``FAL_BASE_URL``);
    ``timeout`` bounds each HTTP call; ``poll_interval`` is the first wait between status polls,
    growing by ``poll_backoff`` up to ``max_poll_interval``; ``deadline`` bounds a whole request
    (submit, polls and downloads) and, when it passes, the request is cancelled on fal.
    ``delivery_hosts`` lists extra hosts (``host`` or ``host:port``) trusted to serve result
    images, private addresses included; ``logs`` asks fal for the runner's logs while polling.
    """

    api_key: Secret | None = attrs.field(default=None, converter=secret, repr=False)
    base_url: str | None = None
    timeout: float | tuple[float, float] = attrs.field(default=(10.0, 60.0), validator=timeout)
    poll_interval: float = attrs.field(default=0.5, validator=positive)
    max_poll_interval: float = attrs.field(default=2.0, validator=positive)
    poll_backoff: float = attrs.field(default=1.5, validator=positive)
    deadline: float = attrs.field(default=300.0, validator=positive)
    max_retries: int = attrs.field(default=3, validator=non_negative_int)
    delivery_hosts: tuple[str, ...] = attrs.field(default=(), converter=_hosts)
    max_result_bytes: int = attrs.field(default=50 * 1024 * 1024, validator=positive)
    logs: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    api_key_env: str | None = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.matches_re(r"^[A-Z_][A-Z0-9_]*$")))
    """The environment variable holding the key instead of ``FAL_KEY`` (models files' ``api_key_env``)."""

    @classmethod
    def build(cls, base: FalSettings | None = None, **changes: Any) -> FalSettings:
        """*base* with *changes*; unknown names or bad values raise ``InvalidOptionError``."""
        return evolve_settings(cls, base, PROVIDER, **changes)

    def resolved_key(self) -> str:
        """The API key: the setting, then ``FAL_KEY``, then ``FAL_KEY_ID:FAL_KEY_SECRET``; raises
        ``MissingCredentialsError`` before any request when there is none."""
        if self.api_key_env is not None:
            return api_key_from(self.api_key, PROVIDER, [self.api_key_env])
        if self.api_key is None or not self.api_key.value:
            key_id, key_secret = os.environ.get(KEY_ID_ENV, "").strip(), os.environ.get(KEY_SECRET_ENV, "").strip()
            if not os.environ.get(KEY_ENV, "").strip() and key_id and key_secret:
                remember(key_secret)
                remember(f"{key_id}:{key_secret}")
                return f"{key_id}:{key_secret}"
        return api_key_from(self.api_key, PROVIDER, [KEY_ENV])

    def resolved_base_url(self) -> str:
        """The queue origin (setting, then ``FAL_BASE_URL``, then https://queue.fal.run)."""
        return base_url_from(self.base_url, BASE_URL_ENV, DEFAULT_BASE_URL)

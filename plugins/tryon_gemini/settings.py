"""How the Gemini plugin reaches the Gemini API: key, base URL, timeout, retries."""

from __future__ import annotations

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

__all__ = ["BASE_URL_ENV", "DEFAULT_BASE_URL", "KEY_ENVS", "PROVIDER", "GeminiSettings"]

PROVIDER = "gemini"
DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
#: Looked up in this order, as Google's own SDK does (GOOGLE_API_KEY wins when both are set).
KEY_ENVS = ("GOOGLE_API_KEY", "GEMINI_API_KEY")
BASE_URL_ENV = "GEMINI_BASE_URL"


@attrs.frozen(kw_only=True)
class GeminiSettings:
    """Settings of the Gemini generators (``configure(**settings)`` / ``Router(settings={"gemini": ...})``).

    ``timeout`` bounds each socket operation (seconds or ``(connect, read)``); ``deadline`` bounds
    a whole call, headers, body and retries included; ``max_retries`` is how often a 429, 5xx or
    connection failure is retried (honouring ``Retry-After`` up to the core's cap).
    """

    api_key: Secret | None = attrs.field(default=None, converter=secret, repr=False)
    base_url: str | None = None
    timeout: float | tuple[float, float] = attrs.field(default=(10.0, 180.0), validator=timeout)
    deadline: float = attrs.field(default=300.0, validator=positive)
    max_retries: int = attrs.field(default=3, validator=non_negative_int)

    @classmethod
    def build(cls, base: GeminiSettings | None = None, **changes: Any) -> GeminiSettings:
        """*base* with *changes*; unknown names or bad values raise ``InvalidOptionError``."""
        return evolve_settings(cls, base, PROVIDER, **changes)

    def resolved_key(self) -> str:
        """The API key (setting, then ``GOOGLE_API_KEY``, then ``GEMINI_API_KEY``), before any request."""
        return api_key_from(self.api_key, PROVIDER, KEY_ENVS)

    def resolved_base_url(self) -> str:
        """The API base URL (setting, then ``GEMINI_BASE_URL``, then the public endpoint)."""
        return base_url_from(self.base_url, BASE_URL_ENV, DEFAULT_BASE_URL)

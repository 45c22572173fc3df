"""Building blocks for a provider plugin's settings class (an attrs class per provider).

Every REST plugin resolves an API key from a setting or environment variables, a base URL
from a setting, an environment variable or a default, and validates timeouts and retry
counts. These helpers do it one way for all of them: a missing key raises
:class:`~tryon.errors.MissingCredentialsError` naming every variable looked at (before any
request), a resolved key is registered with :func:`tryon.secrets.remember` so it is redacted
everywhere, and a bad setting raises :class:`~tryon.errors.InvalidOptionError`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

import attrs

from tryon.errors import InvalidOptionError, MissingCredentialsError, Problem
from tryon.secrets import Secret, remember

__all__ = [
    "api_key_from",
    "base_url_from",
    "evolve_settings",
    "non_negative_int",
    "positive",
    "secret",
    "timeout",
]

T = TypeVar("T")


def secret(value: Any) -> Secret | None:
    """attrs converter: a key given as a string becomes a :class:`Secret` (``None`` stays ``None``)."""
    if value is None or isinstance(value, Secret):
        return value
    return Secret(str(value))


def positive(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """attrs validator: a positive number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{attribute.name} must be a positive number, not {value!r}")


def timeout(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """attrs validator: seconds, or ``(connect, read)`` seconds."""
    parts = value if isinstance(value, tuple) else (value,)
    if len(parts) not in (1, 2):
        raise ValueError(f"{attribute.name} must be seconds or (connect, read) seconds, not {value!r}")
    for part in parts:
        positive(instance, attribute, part)


def non_negative_int(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """attrs validator: a whole number of at least 0 (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be a whole number of at least 0, not {value!r}")


def evolve_settings(cls: type[T], base: T | None, provider: str, **changes: Any) -> T:
    """*base* (or a default *cls*) with *changes*; unknown names and bad values raise
    :class:`InvalidOptionError` naming the setting and the known ones."""
    known = {a.name for a in attrs.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(changes) - known)
    if unknown:
        raise InvalidOptionError(
            [
                Problem(
                    name, None, f"unknown {provider} setting {name!r}; known: " + ", ".join(sorted(known))
                )
                for name in unknown
            ]
        )
    try:
        return attrs.evolve(base, **changes) if base is not None else cls(**changes)  # type: ignore[misc]
    except (TypeError, ValueError) as exc:
        raise InvalidOptionError([Problem("settings", None, f"invalid {provider} setting: {exc}")]) from None


def api_key_from(setting: Secret | None, provider: str, env_vars: Sequence[str]) -> str:
    """The key from the setting, else the first of *env_vars* that is set (registered for redaction).

    Raises :class:`MissingCredentialsError` naming *env_vars* when there is none.
    """
    if setting is not None and setting.value:
        return setting.value
    for name in env_vars:
        value = os.environ.get(name, "").strip()
        if value:
            remember(value)
            return value
    raise MissingCredentialsError(provider, env_vars)


def base_url_from(setting: str | None, env_var: str, default: str) -> str:
    """The base URL from the setting, else *env_var*, else *default*; without a trailing slash.

    Raises :class:`InvalidOptionError` unless it is an ``http(s)://host`` URL.
    """
    url = (setting or os.environ.get(env_var) or default).strip().rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.query:
        raise InvalidOptionError(
            [Problem("base_url", url, f"base_url={url!r} is not an http(s) URL such as {default}")]
        )
    from tryon.errors import UnsafeURLError
    from tryon.urls import parse_url

    try:
        parse_url(url)  # the one parse every call will use: refuse now what it would refuse then
    except UnsafeURLError as exc:
        raise InvalidOptionError([Problem("base_url", "<base_url>", f"base_url: {exc.message}")]) from None
    return url

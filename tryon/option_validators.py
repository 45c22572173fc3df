"""attrs validators and converters for the typed provider options of a model (``provider_options``).

Each validator lets ``None`` through (the provider's default) and raises ``TypeError`` or
``ValueError`` naming the option and the accepted values; the router turns them into
:class:`~tryon.errors.InvalidOptionError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import attrs

__all__ = ["int_in", "number_in", "one_of", "optional_bool", "optional_str", "text_of"]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def int_in(low: int, high: int) -> Validator:
    """``None`` or a whole number (not a bool) from *low* to *high*."""

    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{attribute.name} must be a whole number from {low} to {high}, not {value!r}")
        if not low <= value <= high:
            raise ValueError(f"{attribute.name}={value} is out of range: use {low} to {high}")

    return check


def number_in(low: float, high: float) -> Validator:
    """``None`` or a number (not a bool) from *low* to *high*."""

    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{attribute.name} must be a number from {low} to {high}, not {value!r}")
        if not low <= value <= high:
            raise ValueError(f"{attribute.name}={value} is out of range: use {low} to {high}")

    return check


def one_of(values: Iterable[Any]) -> Validator:
    """``None`` or one of *values*."""
    allowed = tuple(values)

    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and value not in allowed:
            shown = ", ".join(repr(v) for v in allowed)
            raise ValueError(f"{attribute.name}={value!r} is not one of {shown}")

    return check


def text_of(value: Any) -> Any:
    """Converter: a whole number becomes its text (``2`` -> ``"2"``) for options the API takes as strings."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


optional_bool: Validator = attrs.validators.optional(attrs.validators.instance_of(bool))
optional_str: Validator = attrs.validators.optional(attrs.validators.instance_of(str))

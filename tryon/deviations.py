"""What a model is documented to return other than what was asked, declared as data.

The core checks every result against its request (:mod:`tryon.result_checks`). Where the
provider's documentation says it answers differently (dimensions rounded to a multiple of 16,
JPEG bytes although PNG was asked for), the plugin declares it here and the difference becomes
a structured notice on the result instead of an :class:`~tryon.errors.InvalidResponseError`.
Record the documentation as the ``deviations`` fact group of the model's sources.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

__all__ = ["Deviations"]


def _formats(values: Iterable[str]) -> frozenset[str]:
    if isinstance(values, str):
        raise TypeError("formats must be a collection of format names, not a single string")
    return frozenset(v.lower().replace("jpg", "jpeg") for v in values)


def _non_negative(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{attribute.name} must be a number of at least 0, not {value!r}")


@attrs.frozen(kw_only=True)
class Deviations:
    """Documented differences between a request and the images a model returns.

    ``size_multiple``: each edge may be rounded to a multiple of this many pixels (an edge
    may differ by less than it). ``size_tolerance``: each edge may differ by up to this
    fraction (``0.05`` = 5 %). ``any_size``: the model picks its own dimensions (only the
    aspect ratio of a ratio request is checked). ``formats``: formats it may answer with
    whatever format was asked for. ``note`` says where this is documented.
    """

    size_multiple: int = attrs.field(default=1, validator=_non_negative)
    size_tolerance: float = attrs.field(default=0.0, validator=_non_negative)
    any_size: bool = False
    formats: frozenset[str] = attrs.field(default=frozenset(), converter=_formats)
    note: str = ""

    def size_allowed(self, asked: tuple[int, int], got: tuple[int, int]) -> bool:
        """Whether *got* is within the documented rounding of *asked*."""
        for want, have in zip(asked, got, strict=True):
            diff = abs(want - have)
            if diff < max(self.size_multiple, 1) or (self.size_tolerance and diff <= want * self.size_tolerance):
                continue
            return False
        return True

"""Structured warnings recorded on a result (adjustments, deprecations, notes)."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["Notice"]


@attrs.frozen
class Notice:
    """Something the caller should know about a result.

    ``code`` is a stable, machine-readable kind (``"size-adjusted"``, ``"option-dropped"``,
    ``"image-downscaled"``, ``"model-retired"``, ...); ``option`` names the option concerned;
    ``original``/``applied`` hold the value asked for and the value used, when there is one.
    """

    code: str
    message: str
    option: str | None = None
    original: Any = attrs.field(default=None, hash=False)
    applied: Any = attrs.field(default=None, hash=False)

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in attrs.asdict(self).items() if v is not None}

"""Declaration pieces several fal families share."""

from __future__ import annotations

from tryon.media.limits import InputLimits

from ..sources import FILES, Source, inferred

__all__ = ["IMAGE_TYPES", "data_uri_inputs", "inputs"]

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})


def inputs(count: int) -> InputLimits:
    """Up to *count* PNG, JPEG or WebP images (sent as base64 data URIs)."""
    return InputLimits(accepted_types=IMAGE_TYPES, max_count=count)


def data_uri_inputs(note: str = "") -> tuple[Source, ...]:
    """How tryon sends input images to fal, and what is not known about their limits."""
    return (
        Source(where=FILES, checked="2026-12-02", verified=False,
               note="input images go as base64 data URIs in the JSON input (no upload to fal's storage)"),
        inferred("tryon", "PNG, JPEG and WebP are accepted (the types fal's schemas name for style references); "
                 "no byte or pixel limit is published per endpoint" + (f"; {note}" if note else "")),
    )

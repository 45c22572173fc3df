"""OpenAI adapters of the seed API: ``from tryon.api.openAI import GPTImageAdapter``.

Loaded lazily, so importing this package does not import the ``openai`` SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tryon.lazy import lazy_exports

if TYPE_CHECKING:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

__all__ = ["GPTImageAdapter"]

_LAZY = {"GPTImageAdapter": "tryon.api.openAI.image_adapter"}


__getattr__ = lazy_exports(__name__, _LAZY)

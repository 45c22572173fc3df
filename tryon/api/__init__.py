"""The seed's adapter API (``tryon.api.openAI.image_adapter.GPTImageAdapter``), kept working.

Attributes load lazily: ``import tryon.api`` imports neither the ``openai`` SDK nor Pillow.
New code should prefer the provider-agnostic API (:func:`tryon.generate`, :func:`tryon.edit`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tryon.lazy import lazy_exports

if TYPE_CHECKING:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

__all__ = ["GPTImageAdapter"]

_LAZY = {"GPTImageAdapter": "tryon.api.openAI.image_adapter"}


__getattr__ = lazy_exports(__name__, _LAZY)

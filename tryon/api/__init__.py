"""The seed's adapter API (``tryon.api.openAI.image_adapter.GPTImageAdapter``), kept working.

Attributes load lazily: ``import tryon.api`` imports neither the ``openai`` SDK nor Pillow.
New code should prefer the provider-agnostic API (:func:`tryon.generate`, :func:`tryon.edit`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

__all__ = ["GPTImageAdapter"]

_LAZY = {"GPTImageAdapter": "tryon.api.openAI.image_adapter"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value

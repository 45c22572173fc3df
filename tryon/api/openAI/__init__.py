"""OpenAI adapters of the seed API: ``from tryon.api.openAI import GPTImageAdapter``.

Loaded lazily, so importing this package does not import the ``openai`` SDK.
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

"""The first-party fal declarations, one module per endpoint family; :data:`MODELS` joins them."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..endpoints import FalModel
from . import flux, ideogram, qwen, recraft, seedream, tryon

__all__ = ["MODELS"]

MODELS: Mapping[str, FalModel] = MappingProxyType({
    m.model_id: m for family in (seedream, qwen, ideogram, recraft, flux, tryon) for m in family.MODELS
})
"""Model id -> declaration, for every first-party fal model."""

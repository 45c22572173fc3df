"""The first-party fal declarations, one module per endpoint family; :data:`MODELS` joins them."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from .. import sources as src
from ..endpoints import FalModel
from . import flux, ideogram, qwen, recraft, seedream, tryon

__all__ = ["MODELS"]

def _complete(model: FalModel) -> FalModel:
    """*model* with the fact groups that follow from its other sources: its operations (one endpoint
    each), its provider options and defaults (the endpoint schema's fields), a required mask, and the
    largest output (from the sizes)."""
    caps = model.capabilities
    facts = caps.sources.facts
    paths = ", ".join(e.path for e in model.endpoints())
    extra: dict[str, Any] = {"operations": src.listed(paths)}
    if "options" in facts:
        extra["provider_options"] = facts["options"]
    if "output_formats" in facts:
        extra["defaults"] = facts["output_formats"]
    if "mask" in facts:
        extra["mask_required"] = facts["mask"]
    if "sizes" in facts:
        extra["max_resolution"] = facts["sizes"]
    missing = {name: value for name, value in extra.items() if name not in facts}
    return attrs.evolve(model, capabilities=attrs.evolve(caps, sources=caps.sources.merged(missing)))


MODELS: Mapping[str, FalModel] = MappingProxyType({
    m.model_id: _complete(m) for family in (seedream, qwen, ideogram, recraft, flux, tryon) for m in family.MODELS
})
"""Model id -> declaration, for every first-party fal model."""

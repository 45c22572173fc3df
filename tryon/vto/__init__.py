"""Virtual try-on: a person dressed in garments, as one operation across providers.

- :mod:`tryon.vto.garments`: tryon's garment categories and :class:`Garment` (an image and its category);
- :mod:`tryon.vto.declaration`: :class:`TryOnCapabilities`, what a model declares about try-on;
- :mod:`tryon.vto.composition`: try-on served by a general multi-image editor through a prompt template;
- :mod:`tryon.vto.checks`: the router's try-on checks (refusals before any call).

The request type is :class:`tryon.request.TryOnRequest`; the router's entry points are
:meth:`tryon.Router.try_on` and :meth:`tryon.Router.atry_on`. See docs/try-on.md.
"""

from __future__ import annotations

from tryon.vto.declaration import (
    MASK_MODES,
    MODES,
    PHOTO_TYPES,
    PROMPT_POLICIES,
    Composition,
    TryOnCapabilities,
)
from tryon.vto.garments import CATEGORIES, TOP_LEVEL_CATEGORIES, Garment, category_chain, parent_of

__all__ = [
    "CATEGORIES",
    "MASK_MODES",
    "MODES",
    "PHOTO_TYPES",
    "PROMPT_POLICIES",
    "TOP_LEVEL_CATEGORIES",
    "Composition",
    "Garment",
    "TryOnCapabilities",
    "category_chain",
    "parent_of",
]

"""tryon's Gemini provider: Google's Nano Banana image models over the Gemini REST API.

Models: ``gemini-3.1-flash-image`` (alias ``nano-banana-2``), ``gemini-3-pro-image`` (alias
``nano-banana-pro``) and the shut-down ``gemini-3.1-flash-image-preview``, ``gemini-3-pro-image-preview``
and ``gemini-2.5-flash-image`` (alias ``nano-banana``), declared with their successors.
Settings (``Router(settings={"gemini": {...}})``): ``api_key``
(else ``GOOGLE_API_KEY`` or ``GEMINI_API_KEY``), ``base_url`` (else ``GEMINI_BASE_URL``, else
https://generativelanguage.googleapis.com), ``timeout``, ``max_retries``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tryon

from .generator import GeminiGenerator
from .models import MODELS, GeminiModel, GeminiProOptions
from .settings import GeminiSettings

__all__ = [
    "MODELS",
    "GeminiGenerator",
    "GeminiModel",
    "GeminiProOptions",
    "GeminiSettings",
    "generators",
    "register_emulators",
    "register_generators",
]


def generators(**settings: Any) -> list[GeminiGenerator]:
    """One generator per Gemini image model, with *settings* applied (for tests and applications)."""
    base = GeminiSettings.build(**settings)
    return [GeminiGenerator(model_id, model, base) for model_id, model in MODELS.items()]


@tryon.hookimpl
def register_generators(register: Callable[..., None]) -> None:
    """Register one generator per Gemini image model (with its Nano Banana alias)."""
    for generator in generators():
        register(generator)


@tryon.hookimpl
def register_emulators(register: Callable[..., None]) -> None:
    """The local Gemini API emulator, for ``tryon emulator --provider gemini`` (or ``google``)."""
    register("gemini", "tryon.testing.gemini_emulator:GeminiEmulator", aliases=("google",),
             description="Gemini API",
             env={"GEMINI_BASE_URL": "{url}", "GEMINI_API_KEY": "{key}"})

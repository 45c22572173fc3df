"""tryon's GPT-Image provider: OpenAI's GPT image models through the official SDK.

Registered through the ``tryon`` entry-point group like any third-party plugin. Importing
this module does not import the ``openai`` SDK; the first call does.
"""

from __future__ import annotations

from collections.abc import Callable

import tryon

from .declared import declared_generator
from .generator import OpenAIImageGenerator, OpenAISettings
from .models import DEFAULT_MODEL, MODELS

__all__ = ["DEFAULT_MODEL", "MODELS", "OpenAIImageGenerator", "OpenAISettings", "register_backends",
           "register_emulators", "register_generators"]


@tryon.hookimpl
def register_generators(register: Callable[..., None]) -> None:
    """Register one generator per GPT image model."""
    for model_id, capabilities in MODELS.items():
        register(OpenAIImageGenerator(model_id, capabilities))


@tryon.hookimpl
def register_backends(register: Callable[..., None]) -> None:
    """Serve models-file entries with ``backend = "openai"`` (any OpenAI-compatible images endpoint)."""
    register("openai", declared_generator)


@tryon.hookimpl
def register_emulators(register: Callable[..., None]) -> None:
    """The local OpenAI Images API emulator, for ``tryon emulator --provider openai``."""
    register("openai", "tryon.testing.openai_emulator:OpenAIEmulator", description="OpenAI Images API",
             env={"OPENAI_BASE_URL": "{base_url}", "OPENAI_API_KEY": "{key}"})

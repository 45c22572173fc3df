"""tryon's Replicate provider: image models on Replicate through its predictions API.

Registered through the ``tryon`` entry-point group like any third-party plugin. It declares the
most used image models (FLUX schnell, 1.1 pro, Kontext pro/max, Nano Banana Pro, Seedream 4) and
serves models declared in a models file with ``backend = "replicate"``. Settings
(``Router(settings={"replicate": {...}})``): ``api_key`` (else ``REPLICATE_API_TOKEN``),
``base_url`` (else ``REPLICATE_BASE_URL``, else https://api.replicate.com), ``wait``,
``timeout``, ``poll_interval``, ``max_poll_interval``, ``deadline``, ``max_retries``,
``delivery_hosts``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tryon

from .declared import declared_generator
from .generator import ReplicateGenerator
from .inputs import InputMap
from .models import MODELS, ReplicateModel
from .settings import ReplicateSettings

__all__ = ["MODELS", "InputMap", "ReplicateGenerator", "ReplicateModel", "ReplicateSettings", "generators",
           "register_backends", "register_emulators", "register_generators"]


def generators(**settings: Any) -> list[ReplicateGenerator]:
    """One generator per first-party Replicate model, with *settings* applied."""
    base = ReplicateSettings.build(**settings)
    return [ReplicateGenerator(model_id, model.slug, model.capabilities, model.inputs, base,
                               version=model.version, option_names=model.option_names, aliases=(model.slug,))
            for model_id, model in MODELS.items()]


@tryon.hookimpl
def register_generators(register: Callable[..., None]) -> None:
    """Register one generator per first-party Replicate model (also reachable as ``owner/name``)."""
    for generator in generators():
        register(generator)


@tryon.hookimpl
def register_backends(register: Callable[..., None]) -> None:
    """Serve models-file entries with ``backend = "replicate"``."""
    register("replicate", declared_generator)


@tryon.hookimpl
def register_emulators(register: Callable[..., None]) -> None:
    """The local Replicate predictions API emulator, for ``tryon emulator --provider replicate``."""
    register("replicate", "tryon_replicate.emulator:ReplicateEmulator", description="Replicate predictions API",
             env={"REPLICATE_BASE_URL": "{url}", "REPLICATE_API_TOKEN": "{key}"})

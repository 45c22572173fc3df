"""tryon's FLUX provider: Black Forest Labs' FLUX.2, Kontext and Fill models over the BFL REST API.

Registered through the ``tryon`` entry-point group like any third-party plugin. Settings
(``Router(settings={"bfl": {...}})``): ``api_key`` (else ``BFL_API_KEY``), ``base_url`` (else
``BFL_BASE_URL``, else https://api.bfl.ai), ``timeout``, ``poll_interval``,
``max_poll_interval``, ``deadline``, ``max_retries``, ``delivery_hosts``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tryon

from .generator import FluxGenerator
from .models import MODELS, FluxModel
from .settings import BFLSettings

__all__ = ["MODELS", "BFLSettings", "FluxGenerator", "FluxModel", "generators", "register_emulators",
           "register_generators"]


def generators(**settings: Any) -> list[FluxGenerator]:
    """One generator per FLUX model, with *settings* applied (for tests and applications)."""
    base = BFLSettings.build(**settings)
    return [FluxGenerator(model_id, model, base) for model_id, model in MODELS.items()]


@tryon.hookimpl
def register_generators(register: Callable[..., None]) -> None:
    """Register one generator per FLUX model."""
    for generator in generators():
        register(generator)


@tryon.hookimpl
def register_emulators(register: Callable[..., None]) -> None:
    """The local Black Forest Labs API emulator, for ``tryon emulator --provider bfl`` (or ``flux``)."""
    register("bfl", "tryon.testing.bfl_emulator:BFLEmulator", aliases=("flux",),
             description="BFL API",
             env={"BFL_BASE_URL": "{url}", "BFL_API_KEY": "{key}"})

"""tryon's fal.ai provider: Seedream, Qwen-Image-Edit, Ideogram, Recraft and FLUX over fal's queue API.

Registered through the ``tryon`` entry-point group like any third-party plugin. Settings
(``Router(settings={"fal": {...}})``): ``api_key`` (else ``FAL_KEY``, else
``FAL_KEY_ID``/``FAL_KEY_SECRET``), ``base_url`` (else ``FAL_BASE_URL``, else
https://queue.fal.run), ``timeout``, ``poll_interval``, ``max_poll_interval``, ``deadline``,
``max_retries``, ``delivery_hosts``, ``max_result_bytes``, ``logs``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tryon

from .endpoints import Endpoint, FalModel
from .families import MODELS
from .generator import FalGenerator
from .settings import FalSettings

__all__ = ["MODELS", "Endpoint", "FalGenerator", "FalModel", "FalSettings", "generators", "register_backends",
           "register_emulators", "register_generators"]


def generators(**settings: Any) -> list[FalGenerator]:
    """One generator per first-party fal model, with *settings* applied (for tests and applications)."""
    base = FalSettings.build(**settings)
    return [FalGenerator(model, base) for model in MODELS.values()]


@tryon.hookimpl
def register_generators(register: Callable[..., None]) -> None:
    """Register one generator per first-party fal model."""
    for generator in generators():
        register(generator)


@tryon.hookimpl
def register_emulators(register: Callable[..., None]) -> None:
    """The local fal queue API emulator, for ``tryon emulator --provider fal``."""
    register("fal", "tryon_fal.emulator:FalEmulator", aliases=("fal-ai",), description="fal queue API",
             env={"FAL_BASE_URL": "{url}", "FAL_KEY": "{key}"})


@tryon.hookimpl
def register_backends(register: Callable[..., None]) -> None:
    """The ``fal`` backend of models files: any fal endpoint declared without code (see :mod:`.declared`)."""
    from .declared import declared_generator

    register("fal", declared_generator)

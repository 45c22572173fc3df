"""tryon's FASHN provider: FASHN's dedicated virtual try-on models over the FASHN API.

Models ``fashn-tryon-v1.6`` and ``fashn-tryon-max`` (aliases ``tryon-v1.6``, ``tryon-max``) serve
``tryon.try_on``. Registered through the ``tryon`` entry-point group like any third-party plugin.
Settings (``Router(settings={"fashn": {...}})``): ``api_key`` (else ``FASHN_API_KEY``),
``base_url`` (else ``FASHN_BASE_URL``, else https://api.fashn.ai), ``timeout``,
``poll_interval``, ``max_poll_interval``, ``poll_backoff``, ``deadline``, ``max_retries``,
``delivery_hosts``, ``max_result_bytes``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tryon

from .generator import FashnGenerator
from .models import MODELS, FashnModel
from .settings import FashnSettings

__all__ = ["MODELS", "FashnGenerator", "FashnModel", "FashnSettings", "generators", "register_emulators",
           "register_generators"]


def generators(**settings: Any) -> list[FashnGenerator]:
    """One generator per FASHN try-on model, with *settings* applied (for tests and applications)."""
    base = FashnSettings.build(**settings)
    return [FashnGenerator(name, model, base) for name, model in MODELS.items()]


@tryon.hookimpl
def register_generators(register: Callable[..., None]) -> None:
    """Register one generator per FASHN try-on model."""
    for generator in generators():
        register(generator)


@tryon.hookimpl
def register_emulators(register: Callable[..., None]) -> None:
    """The local FASHN API emulator, for ``tryon emulator --provider fashn``."""
    register("fashn", "tryon.testing.fashn_emulator:FashnEmulator", description="FASHN API",
             env={"FASHN_BASE_URL": "{url}", "FASHN_API_KEY": "{key}"})

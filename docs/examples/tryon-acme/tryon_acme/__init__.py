"""Acme image models for tryon."""

from __future__ import annotations

from collections.abc import Callable

import tryon

from .generator import AcmeGenerator
from .models import MODELS


@tryon.hookimpl
def register_generators(register: Callable[..., None]) -> None:
    for model_id, capabilities in MODELS.items():
        register(AcmeGenerator(model_id, capabilities), aliases=())


@tryon.hookimpl
def register_emulators(register: Callable[..., None]) -> None:
    # `tryon emulator --provider acme` serves it; the module is imported only then
    register("acme", "tryon_acme.emulator:AcmeEmulator", description="Acme Images API",
             env={"ACME_BASE_URL": "{base_url}", "ACME_API_KEY": "{key}"})

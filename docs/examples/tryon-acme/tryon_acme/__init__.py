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

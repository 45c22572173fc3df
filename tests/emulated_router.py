"""A router whose GPT models talk to a running OpenAI emulator through the real plugin."""

from __future__ import annotations

from typing import Any

from tryon_openai import MODELS, OpenAIImageGenerator

import tryon
from tryon.testing.openai_emulator import OpenAIEmulator


def gpt_router(emulator: OpenAIEmulator, *, max_retries: int = 0, timeout: float = 10.0,
               wrap: Any = None) -> tryon.Router:
    """``Router(plugins=False)`` with every GPT model pointed at *emulator*.

    ``max_retries`` is the SDK's own retry count (0: every failure reaches tryon); *wrap*
    (a callable taking a generator) replaces each generator by a wrapper.
    """
    router = tryon.Router(plugins=False)
    for model_id, capabilities in MODELS.items():
        generator: Any = OpenAIImageGenerator(model_id, capabilities).configure(
            base_url=emulator.base_url, api_key="test-key", max_retries=max_retries, timeout=timeout)
        router.register(wrap(generator) if wrap is not None else generator)
    return router

"""The peers a user would pick instead of tryon, driven the way their documents show, when installed.

Installed with the ``bench`` extra (``pip install -e '.[bench]'``): litellm and any-llm-sdk.
They are never runtime dependencies of tryon; a peer that is not installed is left out of the
tables. Each peer call ends, like the raw SDK's, with the decoded bytes of every image.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import os
from collections.abc import Callable, Coroutine
from typing import Any

from benchmarks.common import API_KEY

__all__ = ["PEERS", "installed", "peer_async_generate", "peer_edit", "peer_generate"]

#: peer name -> importable module
PEERS = {"litellm": "litellm", "any-llm": "any_llm"}

# litellm fetches a price map from the internet on import unless told to use its bundled copy
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def installed() -> list[str]:
    """The peers importable here, in a fixed order."""
    return [name for name, module in PEERS.items() if importlib.util.find_spec(module) is not None]


def _images(response: Any) -> list[bytes]:
    return [base64.b64decode(item.b64_json) for item in response.data]


def peer_generate(peer: str, url: str, model: str, prompt: str, **options: Any) -> Callable[[], list[bytes]]:
    """A call that generates with *peer* against the OpenAI-compatible server at *url*."""
    if peer == "litellm":
        import litellm

        return lambda: _images(litellm.image_generation(model=f"openai/{model}", prompt=prompt, api_base=url,
                                                        api_key=API_KEY, **options))
    from any_llm import api

    return lambda: _images(api.image_generation(model=model, provider="openai", prompt=prompt, api_key=API_KEY,
                                                api_base=url, **options))


def peer_async_generate(peer: str, url: str, model: str, prompt: str,
                        **options: Any) -> Callable[[], Coroutine[Any, Any, list[bytes]]]:
    """The async form of :func:`peer_generate` (a coroutine function)."""
    if peer == "litellm":
        import litellm

        async def call() -> list[bytes]:
            return _images(await litellm.aimage_generation(model=f"openai/{model}", prompt=prompt, api_base=url,
                                                           api_key=API_KEY, **options))
        return call
    from any_llm import api

    async def any_call() -> list[bytes]:
        return _images(await api.aimage_generation(model=model, provider="openai", prompt=prompt, api_key=API_KEY,
                                                   api_base=url, **options))
    return any_call


def peer_edit(peer: str, url: str, model: str, prompt: str, images: list[bytes], mask: bytes,
              **options: Any) -> Callable[[], list[bytes]]:
    """A call that edits *images* with *mask* through *peer*."""
    if peer == "litellm":
        import litellm

        return lambda: _images(litellm.image_edit(
            image=[io.BytesIO(data) for data in images], mask=io.BytesIO(mask), prompt=prompt,
            model=f"openai/{model}", api_base=url, api_key=API_KEY, **options))
    from any_llm import api

    return lambda: _images(api.image_edit(
        model=model, provider="openai", image=[(f"image-{i}.png", data, "image/png") for i, data in enumerate(images)],
        mask=("mask.png", mask, "image/png"), prompt=prompt, api_key=API_KEY, api_base=url, **options))

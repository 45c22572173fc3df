"""fal models behind the tryon protocol: requests become endpoint inputs, queued requests become results."""

from __future__ import annotations

import time
from typing import Any

from tryon.answers import AnswerReader
from tryon.capabilities import Capabilities
from tryon.request import EditRequest, GenerateRequest, Request, TryOnRequest
from tryon.results import GeneratedImage, Generation

from .download import fetch_images, image_urls
from .endpoints import Endpoint, FalModel
from .queue import FalQueueClient
from .settings import PROVIDER, FalSettings
from .translate import input_body, try_on_body

__all__ = ["FalGenerator"]


class FalGenerator:
    """One model on fal (``fal-ai/bytedance/seedream/v4.5``, ``fal-ai/flux/dev``, ...) over the queue API."""

    provider = PROVIDER

    def __init__(self, model: FalModel, settings: FalSettings | None = None, *, provider: str = PROVIDER) -> None:
        self.provider = provider
        self.model_id = model.model_id
        self.aliases = model.all_aliases()
        self._model = model
        self.settings = settings or FalSettings()

    @property
    def capabilities(self) -> Capabilities:
        return self._model.capabilities

    @property
    def declaration(self) -> FalModel:
        """The data this generator serves (endpoints, fields, capabilities)."""
        return self._model

    def __repr__(self) -> str:
        return f"FalGenerator({self.model_id!r})"

    def configure(self, **settings: Any) -> FalGenerator:
        """A copy with these settings (``api_key``, ``base_url``, ``timeout``, ``poll_interval``, ...)."""
        return FalGenerator(self._model, FalSettings.build(self.settings, **settings), provider=self.provider)

    def check_credentials(self) -> None:
        """Raise ``MissingCredentialsError`` when no API key is configured (nothing is sent)."""
        self.settings.resolved_key()

    def endpoint_for(self, request: Request) -> Endpoint:
        """The endpoint serving *request*: the edit endpoint for edits, else the generate endpoint."""
        endpoint = self._model.edit if isinstance(request, EditRequest) else self._model.generate
        if endpoint is None:  # the router refuses the operation before this
            raise ValueError(f"{self.model_id} has no endpoint for this operation")
        return endpoint

    def body(self, request: Request) -> tuple[Endpoint, dict[str, Any], list[Any]]:
        """The endpoint, its JSON input for *request* and the notices of the mapping."""
        endpoint = self.endpoint_for(request)
        ratios = frozenset(self.capabilities.aspect_ratios)
        body, notices = input_body(endpoint, request, model=self.model_id, ratios=ratios)
        return endpoint, body, notices

    def _run(self, request: Request) -> Generation:
        endpoint, body, notices = self.body(request)
        return self._call(endpoint, body, notices)

    def _call(self, endpoint: Endpoint, body: dict[str, Any], notices: list[Any]) -> Generation:
        client = FalQueueClient(self.settings, self.model_id)
        started = time.monotonic()
        queued, answer = client.run(endpoint.path, body)
        reader = AnswerReader(PROVIDER, self.model_id, request_id=queued.id, what="fal result")
        left = self.settings.deadline - (time.monotonic() - started)
        data = fetch_images(image_urls(answer, reader), self.settings, client.base_url, reader, left)
        seed = answer.get("seed")
        seed = seed if isinstance(seed, int) and not isinstance(seed, bool) else None
        images = [GeneratedImage.from_bytes(d, index=i, seed=seed, provider=PROVIDER, model=self.model_id)
                  for i, d in enumerate(data)]
        return Generation(images=images, model=self.model_id, provider=PROVIDER, warnings=notices,
                          request_id=queued.id, request_ids=(queued.id,), raw=answer)

    def generate(self, request: GenerateRequest) -> Generation:
        """Text to image through the model's generate endpoint."""
        return self._run(request)

    def edit(self, request: EditRequest) -> Generation:
        """Editing (reference images, a mask) through the model's edit endpoint."""
        return self._run(request)

    def try_on(self, request: TryOnRequest) -> Generation:
        """Virtual try-on through the model's dedicated try-on endpoint (the router has checked it)."""
        endpoint, declared = self._model.tryon, self.capabilities.try_on
        if endpoint is None or declared is None:
            raise ValueError(f"{self.model_id} has no try-on endpoint")
        return self._call(endpoint, try_on_body(endpoint, request, declared), [])

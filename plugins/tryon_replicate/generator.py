"""Replicate models behind the tryon protocol: requests become prediction inputs, outputs become results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tryon.capabilities import Capabilities
from tryon.request import EditRequest, GenerateRequest, Request
from tryon.results import GeneratedImage, Generation

from .client import ReplicateClient
from .inputs import InputMap, build_input
from .settings import PROVIDER, ReplicateSettings

__all__ = ["ReplicateGenerator"]


class ReplicateGenerator:
    """One model on Replicate (``owner/name``, or a pinned ``version``) with its declared capabilities.

    Serves first-party declarations and models declared in a models file (``backend = "replicate"``)
    alike; *provider* names the settings it reads (default ``replicate``).
    """

    def __init__(self, model_id: str, slug: str, capabilities: Capabilities, inputs: InputMap,
                 settings: ReplicateSettings | None = None, *, version: str | None = None,
                 provider: str = PROVIDER, option_names: Mapping[str, str] | None = None,
                 aliases: tuple[str, ...] = ()) -> None:
        self.model_id = model_id
        self.slug = slug
        self.capabilities = capabilities
        self.inputs = inputs
        self.settings = settings or ReplicateSettings()
        self.version = version
        self.provider = provider
        self.option_names = dict(option_names or {})
        self.aliases = aliases

    def __repr__(self) -> str:
        return f"ReplicateGenerator({self.model_id!r}, {self.slug!r})"

    def configure(self, **settings: Any) -> ReplicateGenerator:
        """A copy with these settings (``api_key``, ``base_url``, ``wait``, ``deadline``, ...)."""
        return ReplicateGenerator(self.model_id, self.slug, self.capabilities, self.inputs,
                                  ReplicateSettings.build(self.settings, **settings), version=self.version,
                                  provider=self.provider, option_names=self.option_names, aliases=self.aliases)

    def check_credentials(self) -> None:
        """Raise ``MissingCredentialsError`` when no API token is configured (nothing is sent)."""
        self.settings.resolved_key()

    def model_input(self, request: Request) -> tuple[dict[str, Any], list[Any]]:
        """The prediction ``input`` for *request*, and notices about how options were mapped."""
        return build_input(self.inputs, request, self.capabilities, self.option_names)

    def _run(self, request: Request) -> Generation:
        model_input, notices = self.model_input(request)
        client = ReplicateClient(self.settings, self.slug, version=self.version, tryon_model=self.model_id)
        prediction = client.run(model_input)
        images = [GeneratedImage.from_bytes(data, index=i, seed=request.seed, provider=self.provider,
                                            model=self.model_id)
                  for i, data in enumerate(prediction.images)]
        return Generation(images=images, model=self.model_id, provider=self.provider, warnings=notices,
                          request_id=prediction.id, request_ids=(prediction.id,), raw=prediction.answer)

    def generate(self, request: GenerateRequest) -> Generation:
        """Text to image."""
        return self._run(request)

    def edit(self, request: EditRequest) -> Generation:
        """Reference-image editing (the inputs sent as data URIs)."""
        return self._run(request)

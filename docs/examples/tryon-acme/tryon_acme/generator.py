"""Acme requests over HTTP: the router has already validated and prepared them."""

from __future__ import annotations

import os
from typing import Any

import tryon
from tryon.http import json_object, same_origin, send, shared_session
from tryon.secrets import Secret

DEFAULT_BASE_URL = "https://api.acme.example"


class AcmeGenerator:
    provider = "acme"

    def __init__(self, model_id: str, capabilities: tryon.Capabilities, *, api_key: str | None = None,
                 base_url: str | None = None, max_retries: int = 2) -> None:
        self.model_id = model_id
        self.capabilities = capabilities
        self._key = Secret(api_key) if api_key else None  # never shown in a repr or an error
        self._base_url = (base_url or os.environ.get("ACME_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self._max_retries = max_retries
        self._session = shared_session(retries=max_retries)  # urllib3 Retry honouring Retry-After

    def configure(self, **settings: Any) -> AcmeGenerator:
        """A copy with other settings (``api_key``, ``base_url``, ``max_retries``)."""
        current = {"api_key": self._key.value if self._key else None, "base_url": self._base_url,
                   "max_retries": self._max_retries}
        return AcmeGenerator(self.model_id, self.capabilities, **{**current, **settings})

    def _headers(self) -> dict[str, str]:
        key = self._key.value if self._key else os.environ.get("ACME_API_KEY")
        if not key:
            raise tryon.MissingCredentialsError("acme", ["ACME_API_KEY"])  # before any request
        return {"Authorization": f"Bearer {key}"}

    def _call(self, request: tryon.Request, images: list[str]) -> tryon.Generation:
        body = {
            "model": self.model_id,
            "prompt": request.prompt,
            "size": request.size,
            "format": request.output_format or "png",
            "style": request.options.style,  # the model's typed options (AcmeOptions)
            "images": images,
        }
        # credentials go only to the API host (never along a redirect); deadline bounds the whole call
        response = send(self._session, "POST", f"{self._base_url}/v1/images", provider=self.provider,
                        model=self.model_id, json={k: v for k, v in body.items() if v}, deadline=300,
                        credentials=self._headers(), credential_scope=same_origin(self._base_url))
        answer = json_object(response, provider=self.provider, model=self.model_id)
        try:
            data = [item["b64"] for item in answer["data"]]
        except (KeyError, TypeError):
            raise tryon.InvalidResponseError("the answer has no images", provider=self.provider,
                                             model=self.model_id) from None
        images_out = [tryon.GeneratedImage.from_base64(b64, index=i, provider=self.provider, model=self.model_id)
                      for i, b64 in enumerate(data)]
        return tryon.Generation(images=images_out, model=self.model_id, provider=self.provider,
                                request_id=answer.get("id"))

    def generate(self, request: tryon.GenerateRequest) -> tryon.Generation:
        return self._call(request, [])

    def edit(self, request: tryon.EditRequest) -> tryon.Generation:
        # inputs arrive as tryon.media.InputImage values: bytes of an accepted type, ready to send
        return self._call(request, [image.to_base64() for image in request.images])

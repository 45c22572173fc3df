"""A local emulator of the Acme API, for tests that never leave 127.0.0.1."""

from __future__ import annotations

import base64
from typing import Any

from tryon.testing.server import ApiError, EmulatorServer, RecordedRequest, Response
from tryon.testing.synth import synth_image

SIZES = {"512x512", "1024x1024"}


class AcmeEmulator(EmulatorServer):
    provider = "acme"
    request_id_header = "x-request-id"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.route("POST", "/v1/images", self._images)

    def _images(self, request: RecordedRequest) -> Response:
        params = request.params
        if not params.get("prompt"):
            raise ApiError(400, "prompt is required", code="invalid_request", param="prompt")
        size = params.get("size", "1024x1024")
        if size not in SIZES:
            raise ApiError(400, f"size must be one of {sorted(SIZES)}", code="invalid_request", param="size")
        fmt = params.get("format", "png")
        if fmt not in ("png", "jpeg"):
            raise ApiError(400, "format must be png or jpeg", code="invalid_request", param="format")
        width, height = map(int, size.split("x"))
        image = synth_image(width, height, fmt, transparent=False, seed_text=params["prompt"])
        return Response.json({"id": self.new_request_id(), "data": [{"b64": base64.b64encode(image).decode()}]})

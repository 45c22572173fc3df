"""A dedicated try-on provider for tests: an HTTP emulator ("DressUp") and a generator on tryon's
shared HTTP layer. It exercises the dedicated path (``try_on``) of the router and the conformance
kit end to end, the way a plugin such as FASHN does, without depending on any plugin."""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image

import tryon
from tryon.answers import AnswerReader
from tryon.capabilities import Capabilities, Operation
from tryon.http import json_object, same_origin, send, shared_session
from tryon.media.limits import InputLimits
from tryon.pricing import PerImage, Price
from tryon.provenance import Provenance, Source
from tryon.secrets import Secret
from tryon.sizes import Sizes
from tryon.testing.server import ApiError, EmulatorServer, RecordedRequest, Response
from tryon.testing.synth import synth_image
from tryon.vto import TryOnCapabilities

CATEGORIES = {"tops", "bottoms", "one-pieces", "auto"}
MODES = {"performance", "balanced", "quality"}
PHOTO_TYPES = {"auto", "flat-lay", "model"}
_SOURCE = Source(where="tests/dressup_provider.py (a test provider)", checked="2026-12-02", kind="inferred")

CAPABILITIES = Capabilities(
    operations={Operation.TRY_ON},
    max_images_per_call=4,
    max_n=8,
    sizes=Sizes(auto=True),  # the output has the person's size
    output_formats={"png", "jpeg"},
    seed=True,
    inputs=InputLimits(accepted_types=frozenset({"image/png", "image/jpeg"}), max_bytes=10 * 1024 * 1024,
                       max_count=2),
    price=Price(rates=PerImage(by="mode", table={"quality": {None: 2.0}, None: {None: 1.0}}), credit_usd=0.075,
                sources=_SOURCE),
    try_on=TryOnCapabilities(
        categories={"top": "tops", "outerwear": "tops", "bottom": "bottoms", "one-piece": "one-pieces"},
        auto_category=True, auto_category_word="auto", max_garments=1, prompt="forbidden",
        mask_modes={"auto"}, modes={"speed": "performance", "balanced": "balanced", "quality": "quality"},
        photo_types={"auto": "auto", "flat-lay": "flat-lay", "worn": "model"}),
    sources=Provenance({"*": _SOURCE}),
)


class DressUpEmulator(EmulatorServer):
    """``POST /v1/run`` with ``model_image``, ``garment_image`` (base64), ``category``, ``mode``,
    ``garment_photo_type``, ``num_samples`` (1-4), ``seed``, ``output_format``: images of the person's size."""

    provider = "dressup"
    request_id_header = "x-request-id"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.route("POST", "/v1/run", self._run)

    def _run(self, request: RecordedRequest) -> Response:
        p = request.params
        unknown = set(p) - {"model_image", "garment_image", "category", "mode", "garment_photo_type", "num_samples",
                            "seed", "output_format"}
        if unknown:
            raise ApiError(400, f"unknown fields {sorted(unknown)}", code="invalid_request")
        person = _decode(p.get("model_image"), "model_image")
        _decode(p.get("garment_image"), "garment_image")
        for name, allowed in (("category", CATEGORIES), ("mode", MODES), ("garment_photo_type", PHOTO_TYPES)):
            if name in p and p[name] not in allowed:
                raise ApiError(400, f"{name} must be one of {sorted(allowed)}", code="invalid_request", param=name)
        n = p.get("num_samples", 1)
        if not isinstance(n, int) or not 1 <= n <= 4:
            raise ApiError(400, "num_samples must be 1-4", code="invalid_request", param="num_samples")
        fmt = p.get("output_format", "png")
        if fmt not in ("png", "jpeg"):
            raise ApiError(400, "output_format must be png or jpeg", code="invalid_request", param="output_format")
        images = [base64.b64encode(synth_image(*person.size, fmt, transparent=False,
                                               seed_text=f"{p.get('seed')}#{i}")).decode() for i in range(n)]
        return Response.json({"id": self.new_request_id(), "output": images, "credits": n})


def _decode(value: Any, name: str) -> Image.Image:
    if not isinstance(value, str) or not value:
        raise ApiError(400, f"{name} is required", code="invalid_request", param=name)
    try:
        image = Image.open(io.BytesIO(base64.b64decode(value)))
        image.load()
    except Exception:
        raise ApiError(400, f"{name} is not an image", code="invalid_request", param=name) from None
    return image


class DressUpTryOn:
    """The generator: a dedicated try-on model (``try_on`` only)."""

    provider = "dressup"

    def __init__(self, model_id: str = "dressup-1", *, api_key: str | None = None, base_url: str = "",
                 max_retries: int = 0) -> None:
        self.model_id = model_id
        self.capabilities = CAPABILITIES
        self._key = Secret(api_key) if api_key else None
        self._base_url = base_url.rstrip("/")
        self._max_retries = max_retries
        self._session = shared_session(retries=max_retries)

    def configure(self, **settings: Any) -> DressUpTryOn:
        current = {"api_key": self._key.value if self._key else None, "base_url": self._base_url,
                   "max_retries": self._max_retries}
        return DressUpTryOn(self.model_id, **{**current, **settings})

    def try_on(self, request: tryon.TryOnRequest) -> tryon.Generation:
        if self._key is None:
            raise tryon.MissingCredentialsError("dressup", ["DRESSUP_API_KEY"])
        declared = self.capabilities.try_on
        assert declared is not None
        [garment] = request.garments
        body = {
            "model_image": request.person.to_base64(),
            "garment_image": garment.image.to_base64(),
            "category": declared.category_word(garment.category),
            "mode": declared.mode_word(request.mode),
            "garment_photo_type": declared.photo_type_word(request.garment_photo_type),
            "num_samples": request.n,
            "seed": request.seed,
            "output_format": request.output_format,
        }
        response = send(self._session, "POST", f"{self._base_url}/v1/run", provider=self.provider,
                        model=self.model_id, json={k: v for k, v in body.items() if v is not None}, deadline=60,
                        credentials={"Authorization": f"Bearer {self._key.value}"},
                        credential_scope=same_origin(self._base_url))
        answer = json_object(response, provider=self.provider, model=self.model_id)
        read = AnswerReader(self.provider, self.model_id)
        read.request_id = read.text(answer.get("id"), "id", lenient=True)
        images = [tryon.GeneratedImage.from_base64(read.text(b64, f"output[{i}]") or "", index=i,
                                                   provider=self.provider, model=self.model_id)
                  for i, b64 in enumerate(read.items(answer.get("output"), "output"))]
        credits = answer.get("credits")
        usage = tryon.Usage(credits=credits) if isinstance(credits, int) else None
        return tryon.Generation(images=images, model=self.model_id, provider=self.provider,
                                request_id=read.request_id, usage=usage)

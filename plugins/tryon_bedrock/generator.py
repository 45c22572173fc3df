"""Amazon Nova Canvas behind the tryon protocol, through boto3's ``bedrock-runtime`` ``InvokeModel``."""

from __future__ import annotations

from typing import Any

from tryon.answers import AnswerReader
from tryon.capabilities import Capabilities
from tryon.errors import ContentPolicyError, InvalidOptionError, PartialResultError, Problem
from tryon.pricing import PerImage
from tryon.request import EditRequest, GenerateRequest, Request, TryOnRequest
from tryon.results import GeneratedImage, Generation

from .client import BedrockClient
from .models import MODEL_ID, NOVA_CANVAS, REGIONS
from .settings import PROVIDER, BedrockSettings
from .tasks import Body, build_body, build_try_on_body, output_size

__all__ = ["NovaCanvasGenerator"]


class NovaCanvasGenerator:
    """Amazon Nova Canvas (``amazon.nova-canvas-v1:0``, alias ``nova-canvas``) on Amazon Bedrock."""

    provider = PROVIDER
    model_id = MODEL_ID
    aliases = ("nova-canvas",)

    def __init__(self, settings: BedrockSettings | None = None, capabilities: Capabilities = NOVA_CANVAS) -> None:
        self.settings = settings or BedrockSettings()
        self._capabilities = capabilities

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    def __repr__(self) -> str:
        return f"NovaCanvasGenerator({self.model_id!r})"

    def configure(self, **settings: Any) -> NovaCanvasGenerator:
        """A copy with these settings (``region``, ``profile``, ``endpoint_url``, ``timeout``, ``deadline``,
        ``max_retries``)."""
        return NovaCanvasGenerator(BedrockSettings.build(self.settings, **settings), self._capabilities)

    def check_credentials(self) -> None:
        """``MissingCredentialsError`` when the AWS chain has no credentials (nothing is sent, nothing kept)."""
        self.settings.check_credentials()
        self._check_region()

    def _check_region(self) -> None:
        region = self.settings.wanted_region() or self.settings.resolved_region()
        if self.settings.endpoint_url is None and region not in REGIONS:
            raise InvalidOptionError([Problem(
                "region", region, f"{self.model_id} is served in {', '.join(REGIONS)} only, not {region}: set "
                "region=... (or endpoint_url=... for a proxy that serves it)")], model=self.model_id)

    # ------------------------------------------------------------------ calls

    def _run(self, request: Request) -> Generation:
        if isinstance(request, TryOnRequest):
            declared = self.capabilities.try_on
            assert declared is not None
            body: Body = build_try_on_body(request, declared)
        else:
            body = build_body(request)
        self._check_region()
        answer = BedrockClient(self.settings, self.model_id).invoke(body.json)
        reader = AnswerReader(PROVIDER, self.model_id, request_id=answer.request_id)
        encoded = reader.items(answer.body.get("images"), "images", optional=True)
        refusal = reader.text(answer.body.get("error"), "error", optional=True)
        images = []
        for i, value in enumerate(encoded):
            data = reader.text(value, f"images[{i}]")
            assert data is not None
            seed = request.seed + i if request.seed is not None else None
            images.append(GeneratedImage.from_base64(data, index=i, seed=seed, provider=PROVIDER, model=self.model_id))
        ids = (answer.request_id,) if answer.request_id else ()
        generation = Generation(images=images, model=self.model_id, provider=PROVIDER, warnings=body.notices,
                                request_id=answer.request_id, request_ids=ids, raw=_without_images(answer.body),
                                cost_usd=self._cost(request, images))
        if refusal is not None or not images:
            blocked = ContentPolicyError(
                f"the content filters withheld {request.n - len(images)} of {request.n} image(s): "
                f"{refusal or 'no image in the answer'}", provider=PROVIDER, model=self.model_id,
                request_id=answer.request_id)
            if images:
                raise PartialResultError(generation, [blocked])
            raise blocked
        return generation

    def generate(self, request: GenerateRequest) -> Generation:
        """Text to image (``TEXT_IMAGE``, or ``COLOR_GUIDED_GENERATION`` with ``colors``)."""
        return self._run(request)

    def edit(self, request: EditRequest) -> Generation:
        """Inpainting, outpainting, image variation, background removal, conditioning or color guidance."""
        return self._run(request)

    def _cost(self, request: Request, images: list[GeneratedImage]) -> float | None:
        """What the images made cost: each priced by its own band (AWS bills per generated image)."""
        price = self.capabilities.price
        if price is None or not images or not isinstance(price.rates, PerImage):
            return None
        return round(sum(price.rates.per_image(request.quality, _band(i.width * i.height))[0] for i in images), 6)

    def try_on(self, request: TryOnRequest) -> Generation:
        """Virtual try-on (``VIRTUAL_TRY_ON``): the person in the garment, masked by class, prompt or image."""
        return self._run(request)

    def price_size(self, request: Request) -> str:
        """The price band of *request*'s output: ``1024x1024`` up to 1 MP, else ``2048x2048``."""
        width, height = output_size(request)
        return _band(width * height)


def _band(pixels: int) -> str:
    """AWS's price bands: up to 1024x1024, else up to 2048x2048 (the largest output)."""
    return "1024x1024" if pixels <= 1024 * 1024 else "2048x2048"


def _without_images(body: dict[str, Any]) -> dict[str, Any]:
    """The answer as kept on the result: the base64 images replaced by their lengths."""
    out = dict(body)
    if isinstance(out.get("images"), list):
        out["images"] = [f"<{len(v)} base64 chars>" if isinstance(v, str) else v for v in out["images"]]
    if isinstance(out.get("maskImage"), str):
        out["maskImage"] = f"<{len(out['maskImage'])} base64 chars>"
    return out

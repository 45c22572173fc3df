"""Gemini image models behind the tryon protocol, over the REST ``generateContent`` endpoint.

The key travels in the ``x-goog-api-key`` header only (never as ``?key=``, which would put
it in URLs, logs and error messages). HTTP goes through :mod:`tryon.http`: a failed
``generateContent`` call is not billed, so 429, 5xx and connection failures are retried for
``POST`` too, honouring ``Retry-After``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tryon.capabilities import Capabilities
from tryon.errors import (
    AuthenticationError,
    InvalidOptionError,
    InvalidResponseError,
    Problem,
    ProviderRequestError,
)
from tryon.http import json_object_with_blobs, same_origin, send, shared_session
from tryon.media.outputs import convert_image
from tryon.notice import Notice
from tryon.request import EditRequest, GenerateRequest, Request
from tryon.results import GeneratedImage, Generation
from tryon.sizes import aspect_ratio_of, parse_size

from .models import GeminiModel
from .response import read_answer
from .settings import PROVIDER, GeminiSettings

if TYPE_CHECKING:
    from tryon.json_blobs import Blobs

__all__ = ["GeminiGenerator"]


class GeminiGenerator:
    """One Gemini image model (``gemini-2.5-flash-image``, ``gemini-3-pro-image-preview``)."""

    provider = PROVIDER

    def __init__(self, model_id: str, model: GeminiModel, settings: GeminiSettings | None = None) -> None:
        self.model_id = model_id
        self._model = model
        self.settings = settings or GeminiSettings()

    @property
    def capabilities(self) -> Capabilities:
        return self._model.capabilities

    @property
    def aliases(self) -> tuple[str, ...]:
        return self._model.aliases

    def __repr__(self) -> str:
        return f"GeminiGenerator({self.model_id!r})"

    def configure(self, **settings: Any) -> GeminiGenerator:
        """A copy with these settings (``api_key``, ``base_url``, ``timeout``, ``max_retries``)."""
        return GeminiGenerator(self.model_id, self._model, GeminiSettings.build(self.settings, **settings))

    def check_credentials(self) -> None:
        """Raise ``MissingCredentialsError`` when no API key is configured (nothing is sent)."""
        self.settings.resolved_key()

    # ------------------------------------------------------------------ request translation

    def image_config(self, request: Request) -> tuple[str | None, str | None, list[Notice]]:
        """``(aspectRatio, imageSize, notices)`` for *request*; ``size`` maps to a ratio (and tier)."""
        ratio = request.aspect_ratio
        tier = getattr(request.options, "image_size", None)
        size = request.size
        if size is None or size == "auto":
            return ratio, tier, []
        exact = self._model.ratio_and_tier(size)
        ratios = self._model.ratios
        size_ratio = exact[0] if exact else aspect_ratio_of(size, ratios)
        if size_ratio is None:
            raise InvalidOptionError(
                [
                    Problem(
                        "size",
                        size,
                        f"{self.model_id} takes an aspect ratio; size={size!r} "
                        "is not exactly one of " + ", ".join(ratios),
                    )
                ],
                model=self.model_id,
            )
        if ratio is not None and ratio != size_ratio:
            raise InvalidOptionError(
                [
                    Problem(
                        "aspect_ratio",
                        ratio,
                        f"size={size!r} is {size_ratio}, which "
                        f"contradicts aspect_ratio={ratio!r}; set only one",
                    )
                ],
                model=self.model_id,
            )
        size_tier = exact[1] if exact else self._tier_for(size, size_ratio)
        if tier is not None and size_tier is not None and tier != size_tier and exact:
            raise InvalidOptionError(
                [
                    Problem(
                        "image_size",
                        tier,
                        f"size={size!r} is the {size_tier} size; it "
                        f"contradicts image_size={tier!r}; set only one",
                    )
                ],
                model=self.model_id,
            )
        tier = tier if tier is not None else size_tier
        produced = self._model.output_size(size_ratio, tier)
        if produced == size:
            return size_ratio, tier, []
        sent = f"aspect_ratio={size_ratio!r}" + (f" at image_size={tier!r}" if tier else "")
        notice = Notice(
            "size-as-aspect-ratio",
            f"{self.model_id} takes an aspect ratio: size={size!r} was sent as {sent}; "
            f"the service answers with {produced}",
            option="size",
            original=size,
            applied=produced,
        )
        return size_ratio, tier, [notice]

    def _tier_for(self, size: str, ratio: str) -> str | None:
        """The smallest tier at least as large as *size* (the largest when none is)."""
        tiers = self._model.tiers
        if not tiers:
            return None
        wh = parse_size(size) or (0, 0)
        for tier in tiers:
            out = parse_size(self._model.output_size(ratio, tier)) or (0, 0)
            if out[0] * out[1] >= wh[0] * wh[1]:
                return tier
        return tiers[-1]

    def body(self, request: Request) -> tuple[dict[str, Any], list[Notice]]:
        """The ``generateContent`` JSON body for *request*, and notices about how sizes were mapped."""
        parts: list[dict[str, Any]] = [{"text": request.prompt}]
        if isinstance(request, EditRequest):
            parts.extend(
                {"inlineData": {"mimeType": image.media_type, "data": image.to_base64()}}
                for image in request.images
            )
        ratio, tier, notices = self.image_config(request)
        config: dict[str, Any] = {"responseModalities": ["IMAGE"]}
        image_config = {k: v for k, v in (("aspectRatio", ratio), ("imageSize", tier)) if v is not None}
        if image_config:
            config["imageConfig"] = image_config
        return {"contents": [{"role": "user", "parts": parts}], "generationConfig": config}, notices

    # ------------------------------------------------------------------ calls

    def _post(self, body: dict[str, Any]) -> tuple[dict[str, Any], Blobs]:
        settings = self.settings
        key = settings.resolved_key()  # MissingCredentialsError before anything is sent
        url = f"{settings.resolved_base_url()}/v1beta/models/{self.model_id}:generateContent"
        try:
            response = send(
                shared_session(retries=settings.max_retries, retry_post=True,
                               headers={"Accept": "application/json"}),
                "POST",
                url,
                provider=PROVIDER,
                model=self.model_id,
                timeout=settings.timeout,
                deadline=settings.deadline,
                json=body,
                credentials={"x-goog-api-key": key},
                credential_scope=same_origin(settings.resolved_base_url()),
            )
        except ProviderRequestError as exc:
            if exc.status == 400 and "api key not valid" in exc.message.lower():
                raise AuthenticationError(
                    f"the API key was refused: {exc.detail}",
                    provider=PROVIDER,
                    model=self.model_id,
                    status=400,
                    request_id=exc.request_id,
                ) from exc
            raise
        # the image's base64 is lifted out of the body before parsing (held once, as bytes)
        return json_object_with_blobs(response, provider=PROVIDER, model=self.model_id)

    def _run(self, request: Request) -> Generation:
        body, notices = self.body(request)
        raw, blobs = self._post(body)
        answer = read_answer(raw, provider=PROVIDER, model=self.model_id)
        try:
            data = blobs.decode(answer.image_b64)
        except ValueError as exc:  # binascii.Error: a damaged payload
            raise InvalidResponseError("the provider returned malformed base64 image data",
                                       provider=PROVIDER, model=self.model_id) from exc
        # Typed from its bytes, never from the label (Gemini 3 answers JPEG bytes labelled image/png).
        image = GeneratedImage.from_bytes(data, provider=PROVIDER, model=self.model_id)
        wanted = request.output_format
        if wanted is not None and image.format != wanted:
            data = convert_image(image.data, f"image/{wanted}")
            notices.append(Notice(
                "output-format-converted",
                f"{self.model_id} answered with {image.format.upper()} (the Gemini API has no output format "
                f"option); it was re-encoded as {wanted.upper()} as requested",
                option="output_format", original=image.format, applied=wanted))
            image = GeneratedImage.from_bytes(data, provider=PROVIDER, model=self.model_id)
        ids = (answer.response_id,) if answer.response_id else ()
        return Generation(
            images=[image],
            model=self.model_id,
            provider=PROVIDER,
            usage=answer.usage,
            warnings=notices,
            request_id=answer.response_id,
            request_ids=ids,
            raw=raw,
        )

    def generate(self, request: GenerateRequest) -> Generation:
        """Text to image."""
        return self._run(request)

    def edit(self, request: EditRequest) -> Generation:
        """Edit guided by the prompt, with the input images as references (no mask)."""
        return self._run(request)

    def price_size(self, request: Request) -> str | None:
        """The size class the price tables use: the ``imageSize`` tier (the default tier when unset)."""
        _, tier, _ = self.image_config(request)
        if tier is None:
            tier = self._model.default_tier
        return tier

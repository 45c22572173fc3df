"""A local emulator of the Gemini API's image generation (``generateContent``).

It behaves like ``https://generativelanguage.googleapis.com`` for the Nano Banana models::

    with GeminiEmulator() as emu:
        requests.post(f"{emu.url}/v1beta/models/gemini-2.5-flash-image:generateContent",
                      headers={"x-goog-api-key": "any"},
                      json={"contents": [{"parts": [{"text": "a fox"}]}],
                            "generationConfig": {"responseModalities": ["IMAGE"],
                                                 "imageConfig": {"aspectRatio": "16:9"}}})

Bodies are validated as the service does: known models, known field names (camelCase or
snake_case) at every level, ``aspectRatio`` from the model's ratios (ten; fifteen on 3.1 Flash
Image), ``imageSize`` (1K/2K/4K on Pro, 512/1K/2K/4K on 3.1 Flash, none on 2.5 Flash), the
number of images per request, their MIME types, base64 that
decodes to at most 7 MB per image. Errors use Google's shape
``{"error": {"code", "message", "status"}}``. Answers carry a real PNG of the exact pixel size
the service gives for the ratio (and tier), and ``usageMetadata``.

The key is read from ``x-goog-api-key``; a ``?key=`` query parameter also works, as on the
service, and is recorded (redacted) so tests can assert that a client never uses it.
:meth:`moderate_next` answers ``promptFeedback.blockReason: SAFETY`` with no candidates;
:meth:`block_image_next` a candidate that finished with ``IMAGE_SAFETY`` and no image;
:meth:`answer_jpeg_next` JPEG bytes labelled ``image/png``, as Gemini 3 models sometimes answer.
Run ``python -m tryon.testing.gemini_emulator`` to serve it standalone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import math
import secrets
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from tryon.testing.server import (
    ApiError,
    EmulatorServer,
    RecordedRequest,
    Response,
    command_line,
    serve_until_interrupted,
)

__all__ = ["MODEL_RULES", "GeminiEmulator", "ModelRules", "main"]

log = logging.getLogger(__name__)

MB = 1024 * 1024
RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
_FLASH = dict(
    zip(
        RATIOS,
        (
            "1024x1024",
            "832x1248",
            "1248x832",
            "864x1184",
            "1184x864",
            "896x1152",
            "1152x896",
            "768x1344",
            "1344x768",
            "1536x672",
        ),
        strict=True,
    )
)
_PRO: dict[str | None, Mapping[str, str]] = {
    "1K": dict(
        zip(
            RATIOS,
            (
                "1024x1024",
                "848x1264",
                "1264x848",
                "896x1200",
                "1200x896",
                "928x1152",
                "1152x928",
                "768x1376",
                "1376x768",
                "1584x672",
            ),
            strict=True,
        )
    ),
    "2K": dict(
        zip(
            RATIOS,
            (
                "2048x2048",
                "1696x2528",
                "2528x1696",
                "1792x2400",
                "2400x1792",
                "1856x2304",
                "2304x1856",
                "1536x2752",
                "2752x1536",
                "3168x1344",
            ),
            strict=True,
        )
    ),
    "4K": dict(
        zip(
            RATIOS,
            (
                "4096x4096",
                "3392x5056",
                "5056x3392",
                "3584x4800",
                "4800x3584",
                "3712x4608",
                "4608x3712",
                "3072x5504",
                "5504x3072",
                "6336x2688",
            ),
            strict=True,
        )
    ),
}
_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_TOP_LEVEL = {
    "contents",
    "generationConfig",
    "safetySettings",
    "systemInstruction",
    "tools",
    "toolConfig",
    "cachedContent",
}
_GENERATION_CONFIG = {
    "responseModalities",
    "imageConfig",
    "temperature",
    "topP",
    "topK",
    "candidateCount",
    "maxOutputTokens",
    "stopSequences",
    "seed",
    "thinkingConfig",
}
_IMAGE_CONFIG = {"aspectRatio", "imageSize"}
_PART = {"text", "inlineData", "fileData", "thought", "thoughtSignature"}
_BASE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})


@attrs.frozen
class ModelRules:
    """What the service accepts from one image model, and what it answers with."""

    max_images: int
    mime_types: frozenset[str]
    sizes: Mapping[str | None, Mapping[str, str]]  # tier (None: no imageSize) -> ratio -> "WxH"
    image_tokens: Mapping[str | None, int]
    input_image_tokens: int
    input_tile: int | None = None  # tiled models: an image above 384 px costs input_image_tokens per tile

    def input_tokens(self, width: int, height: int) -> int:
        """Prompt tokens of one input image (Gemini token guide: 258 for an image with both sides at
        most 384 px, else 258 per 768x768 tile, on the tiled models; a fixed count on the others)."""
        if self.input_tile is None or max(width, height) <= 384:
            return self.input_image_tokens
        return self.input_image_tokens * math.ceil(width / self.input_tile) * math.ceil(height / self.input_tile)

    @property
    def tiers(self) -> tuple[str, ...]:
        return tuple(t for t in self.sizes if t is not None)

    @property
    def ratios(self) -> tuple[str, ...]:
        return tuple(next(iter(self.sizes.values())))

    @property
    def default_tier(self) -> str | None:
        return ("1K" if "1K" in self.tiers else self.tiers[0]) if self.tiers else None


#: gemini-3.1-flash-image: five more ratios and a 512 tier (Vertex model card). Google publishes no pixel table:
#: shared ratios answer with Pro's sizes, the rest with the tier's pixel count on a 16 px grid.
FLASH31_RATIOS = (*RATIOS, "1:4", "4:1", "1:8", "8:1", "9:21")
_TIER_PIXELS = {"512": 512 * 512, "1K": 1024 * 1024, "2K": 2048 * 2048, "4K": 4096 * 4096}


def _grid(value: float) -> int:
    return max(16, round(value / 16) * 16)


def _flash31_table() -> dict[str | None, Mapping[str, str]]:
    table: dict[str | None, Mapping[str, str]] = {}
    for tier, pixels in _TIER_PIXELS.items():
        known = _PRO.get(tier, {})
        row = {}
        for ratio in FLASH31_RATIOS:
            w, h = (int(v) for v in ratio.split(":"))
            row[ratio] = known.get(ratio) or f"{_grid((pixels * w / h) ** 0.5)}x{_grid((pixels * h / w) ** 0.5)}"
        table[tier] = row
    return table


_FLASH_RULES = ModelRules(3, _BASE_TYPES, {None: _FLASH}, {None: 1290}, 258, input_tile=768)
_PRO_RULES = ModelRules(
    14, _BASE_TYPES | {"image/heic", "image/heif"}, _PRO, {"1K": 1120, "2K": 1120, "4K": 2000}, 560
)
_FLASH31_RULES = ModelRules(
    14, _BASE_TYPES | {"image/heic", "image/heif"}, _flash31_table(),
    {"512": 747, "1K": 1120, "2K": 1680, "4K": 2520}, 1120,
)
#: Model -> rules (the ``-preview`` name of 2.5 Flash Image is still served).
MODEL_RULES: dict[str, ModelRules] = {
    "gemini-3.1-flash-image": _FLASH31_RULES,
    "gemini-3.1-flash-image-preview": _FLASH31_RULES,
    "gemini-2.5-flash-image": _FLASH_RULES,
    "gemini-2.5-flash-image-preview": _FLASH_RULES,
    "gemini-3-pro-image-preview": _PRO_RULES,
    "gemini-3-pro-image": _PRO_RULES,
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _fields(obj: Any, known: set[str], where: str) -> dict[str, Any]:
    """*obj* with snake_case names made camelCase; an unknown name is a 400, as on the service."""
    if not isinstance(obj, Mapping):
        raise _bad(f"Invalid value at '{where or 'body'}': expected an object, got {type(obj).__name__}.")
    out: dict[str, Any] = {}
    for name, value in obj.items():
        camel = _camel(name)
        if camel not in known:
            at = f" at '{where}'" if where else ""
            raise _bad(f'Invalid JSON payload received. Unknown name "{name}"{at}: Cannot find field.')
        out[camel] = value
    return out


def _bad(message: str) -> ApiError:
    return ApiError(400, message, code="INVALID_ARGUMENT")


@attrs.frozen
class _Image:
    data: bytes
    width: int
    height: int


class GeminiEmulator(EmulatorServer):
    """Gemini API emulator: ``POST /v1beta/models/{model}:generateContent`` (and ``/v1/``, the SDK's default)."""

    provider = "gemini"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        require_key: bool = True,
        api_keys: Sequence[str] | None = None,
        latency: float = 0.0,
    ) -> None:
        super().__init__(host=host, port=port, require_key=require_key, api_keys=api_keys, latency=latency)
        self._image_blocks: deque[str] = deque()
        self._jpeg_answers: deque[str] = deque()
        self._block_lock = threading.Lock()
        # v1 is google-genai's default API version for the Gemini Developer API, v1beta the REST docs' one.
        self.route("POST", r"^/v1(?:beta)?/models/(?P<model>[^/:]+):generateContent$", self._generate)

    # -- scripted answers ------------------------------------------------
    def block_image_next(self, times: int = 1, *, reason: str = "IMAGE_SAFETY") -> None:
        """The next *times* answers hold a candidate that finished with *reason* and no image."""
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._block_lock:
            self._image_blocks.extend([reason] * times)

    def answer_jpeg_next(self, times: int = 1, *, label: str = "image/png") -> None:
        """The next *times* images are JPEG bytes labelled *label* (as Gemini 3 models sometimes answer)."""
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._block_lock:
            self._jpeg_answers.extend([label] * times)

    def reset(self) -> None:
        super().reset()
        with self._block_lock:
            self._image_blocks.clear()
            self._jpeg_answers.clear()

    @property
    def query_key_requests(self) -> list[RecordedRequest]:
        """Requests that carried the key as ``?key=`` (a client should never do this)."""
        return [r for r in self.requests if "key" in r.query]

    # -- provider hooks --------------------------------------------------
    def error_body(self, status: int, code: str | None, message: str, *, param: str | None = None) -> Any:
        error: dict[str, Any] = {"code": status, "message": message, "status": _STATUS.get(status, "UNKNOWN")}
        if code == "API_KEY_INVALID":
            error["status"] = "INVALID_ARGUMENT"
            error["details"] = [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                }
            ]
        return {"error": error}

    default_messages = {
        401: "Request had invalid authentication credentials.",
        429: "Resource has been exhausted (e.g. check quota).",
        500: "An internal error has occurred. Please retry or report in "
             "https://developers.generativeai.google/guide/troubleshooting",
        503: "The model is overloaded. Please try again later.",
    }

    def api_key_from(self, headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
        return headers.get("x-goog-api-key") or query.get("key") or None

    def unauthorized(self, api_key: str | None) -> Response:
        if api_key is None:
            return self.error_response(
                403,
                "Method doesn't allow unregistered callers (callers without established "
                "identity). Please use API Key or other form of API consumer identity "
                "to call this API.",
            )
        return self.error_response(
            400, "API key not valid. Please pass a valid API key.", code="API_KEY_INVALID"
        )

    def moderation_response(self, request: RecordedRequest) -> Response:
        return Response.json(
            {
                "promptFeedback": {
                    "blockReason": "SAFETY",
                    "safetyRatings": [
                        {
                            "category": "HARM_CATEGORY_SEXUALLY_EXPLICIT",
                            "probability": "HIGH",
                            "blocked": True,
                        }
                    ],
                },
                "usageMetadata": {"promptTokenCount": 12, "totalTokenCount": 12},
                "modelVersion": request.path_params.get("model", ""),
                "responseId": self.new_request_id(),
            }
        )

    def new_request_id(self) -> str:
        return secrets.token_urlsafe(16)

    # -- the endpoint ------------------------------------------------------
    def _generate(self, request: RecordedRequest) -> Response:
        model = request.path_params["model"]
        rules = MODEL_RULES.get(model)
        if rules is None:
            raise ApiError(
                404,
                f"models/{model} is not found for API version v1beta, or is not supported for "
                "generateContent. Call ListModels to see the list of available models and their "
                "supported methods.",
                code="NOT_FOUND",
            )
        if request.parse_error or not isinstance(request.params, dict) or not request.body_size:
            raise _bad("Invalid JSON payload received. Expected a JSON object.")
        body = _fields(request.params, _TOP_LEVEL, "")
        texts, images = self._read_contents(body.get("contents"), rules, model)
        config = _fields(body.get("generationConfig", {}), _GENERATION_CONFIG, "generation_config")
        modalities = self._modalities(config.get("responseModalities"), model)
        ratio, tier = self._image_config(config.get("imageConfig"), rules, model, images)
        with self._block_lock:
            blocked = self._image_blocks.popleft() if self._image_blocks else None
            jpeg_label = self._jpeg_answers.popleft() if self._jpeg_answers and blocked is None else None
        usage = self._usage(rules, texts, images, tier, modalities, image=blocked is None)
        response_id = self.new_request_id()
        if blocked is not None:
            candidate: dict[str, Any] = {
                "finishReason": blocked,
                "index": 0,
                "finishMessage": "Unable to show the generated image: it may violate our policies.",
            }
            return Response.json(
                {
                    "candidates": [candidate],
                    "usageMetadata": usage,
                    "modelVersion": model,
                    "responseId": response_id,
                }
            )
        size = rules.sizes[tier][ratio]
        width, height = (int(v) for v in size.split("x"))
        parts: list[dict[str, Any]] = []
        if "TEXT" in modalities:
            parts.append({"text": "Here is the image you asked for."})
        parts.append(
            {
                "inlineData": {
                    "mimeType": jpeg_label or "image/png",
                    "data": base64.b64encode(
                        self._render(model, texts, images, width, height, "jpeg" if jpeg_label else "png")
                    ).decode("ascii"),
                }
            }
        )
        return Response.json(
            {
                "candidates": [
                    {"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}
                ],
                "usageMetadata": usage,
                "modelVersion": model,
                "responseId": response_id,
            }
        )

    @staticmethod
    def _read_contents(contents: Any, rules: ModelRules, model: str) -> tuple[list[str], list[_Image]]:
        if not isinstance(contents, list) or not contents:
            raise _bad("* GenerateContentRequest.contents: contents is not specified")
        texts: list[str] = []
        images: list[_Image] = []
        for i, content in enumerate(contents):
            fields = _fields(content, {"role", "parts"}, f"contents[{i}]")
            if fields.get("role", "user") not in ("user", "model"):
                raise _bad(f"Please use a valid role: user, model. (got {fields.get('role')!r})")
            parts = fields.get("parts")
            if not isinstance(parts, list) or not parts:
                raise _bad(f"* GenerateContentRequest.contents[{i}].parts: contents.parts must not be empty.")
            for j, part in enumerate(parts):
                where = f"contents[{i}].parts[{j}]"
                part = _fields(part, _PART, where)
                if isinstance(part.get("text"), str):
                    texts.append(part["text"])
                elif "inlineData" in part:
                    images.append(GeminiEmulator._inline_image(part["inlineData"], rules, model, where))
                elif "fileData" in part:
                    raise _bad(f"{where}: the emulator does not serve the Files API; send inline data")
                else:
                    raise _bad(
                        f"* GenerateContentRequest.{where}.data: required oneof field 'data' must have "
                        "one initialized field"
                    )
        if len(images) > rules.max_images:
            raise _bad(
                f"Too many images in the request: {len(images)}. {model} accepts at most {rules.max_images} "
                "images per request."
            )
        return texts, images

    @staticmethod
    def _inline_image(value: Any, rules: ModelRules, model: str, where: str) -> _Image:
        from PIL import Image

        blob = _fields(value, {"mimeType", "data"}, f"{where}.inline_data")
        mime, data = blob.get("mimeType"), blob.get("data")
        if not isinstance(mime, str) or not mime:
            raise _bad(f"* GenerateContentRequest.{where}.inline_data.mime_type: mime_type is required")
        if mime not in rules.mime_types:
            raise _bad(
                f"Unsupported MIME type: {mime}. {model} accepts {', '.join(sorted(rules.mime_types))}."
            )
        try:
            text = data if isinstance(data, str) else ""
            # google-genai sends URL-safe base64 (``-``/``_``); the service takes both alphabets.
            altchars = b"-_" if ("-" in text or "_" in text) else None
            raw = base64.b64decode(text, altchars=altchars, validate=True)
        except (binascii.Error, ValueError):
            raise _bad(
                f"Invalid value at '{where}.inline_data.data' (TYPE_BYTES), Base64 decoding failed"
            ) from None
        if not raw:
            raise _bad(f"* GenerateContentRequest.{where}.inline_data.data: data is required")
        if len(raw) > 7 * MB:
            raise _bad(f"The image at {where} is {len(raw):,} bytes; images may be at most 7 MB.")
        try:
            with Image.open(io.BytesIO(raw)) as img:
                img.load()
                return _Image(raw, img.width, img.height)
        except Exception:
            if mime in ("image/heic", "image/heif"):  # Pillow may not read HEIF; trust the declared type
                return _Image(raw, 1024, 1024)
            raise _bad(
                f"Unable to process input image at {where}. Please retry or report in "
                "https://developers.generativeai.google/guide/troubleshooting"
            ) from None

    @staticmethod
    def _modalities(value: Any, model: str) -> list[str]:
        if value is None:
            return ["TEXT", "IMAGE"]
        if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
            raise _bad(
                "Invalid value at 'generation_config.response_modalities': expected a list of strings."
            )
        modalities = [m.upper() for m in value]
        unknown = [m for m in modalities if m not in ("TEXT", "IMAGE", "AUDIO")]
        if unknown:
            raise _bad(
                f"Invalid value at 'generation_config.response_modalities' (type.googleapis.com/"
                f'google.ai.generativelanguage.v1beta.GenerationConfig.Modality), "{unknown[0]}"'
            )
        if "IMAGE" not in modalities or "AUDIO" in modalities:
            raise _bad(
                f"Model {model} does not support the requested response modalities: "
                f"{', '.join(m.lower() for m in modalities)}"
            )
        return modalities

    @staticmethod
    def _image_config(
        value: Any, rules: ModelRules, model: str, images: list[_Image]
    ) -> tuple[str, str | None]:
        config = _fields({} if value is None else value, _IMAGE_CONFIG, "generation_config.image_config")
        ratio = config.get("aspectRatio")
        if ratio is None:
            ratio = GeminiEmulator._nearest_ratio(images[0], rules.ratios) if images else "1:1"
        elif ratio not in rules.ratios:
            raise _bad(f"Unsupported aspect ratio: {ratio!r}. Supported values are {', '.join(rules.ratios)}.")
        tier = config.get("imageSize")
        if tier is not None and not rules.tiers:
            raise _bad(f"Image size is not supported for model {model}.")
        if tier is not None and tier not in rules.tiers:
            raise _bad(f"Unsupported image size: {tier!r}. Supported values are {', '.join(rules.tiers)}.")
        if tier is None:
            tier = rules.default_tier
        return ratio, tier

    @staticmethod
    def _nearest_ratio(image: _Image, ratios: Sequence[str] = RATIOS) -> str:
        """An edit without a ratio keeps the first image's shape (the closest supported ratio)."""
        target = math.log(image.width / image.height)
        return min(ratios, key=lambda r: abs(math.log(int(r.split(":")[0]) / int(r.split(":")[1])) - target))

    @staticmethod
    def _usage(
        rules: ModelRules,
        texts: list[str],
        images: list[_Image],
        tier: str | None,
        modalities: list[str],
        *,
        image: bool,
    ) -> dict[str, Any]:
        text_in = max(1, sum(len(t) for t in texts) // 4)
        image_in = sum(rules.input_tokens(i.width, i.height) for i in images)
        image_out = rules.image_tokens[tier] if image else 0
        text_out = 8 if "TEXT" in modalities and image else 0
        prompt_details = [{"modality": "TEXT", "tokenCount": text_in}]
        if image_in:
            prompt_details.append({"modality": "IMAGE", "tokenCount": image_in})
        usage: dict[str, Any] = {
            "promptTokenCount": text_in + image_in,
            "candidatesTokenCount": image_out + text_out,
            "totalTokenCount": text_in + image_in + image_out + text_out,
            "promptTokensDetails": prompt_details,
        }
        if image_out:
            usage["candidatesTokensDetails"] = [{"modality": "IMAGE", "tokenCount": image_out}] + (
                [{"modality": "TEXT", "tokenCount": text_out}] if text_out else []
            )
        return usage

    @staticmethod
    def _render(
        model: str, texts: list[str], images: list[_Image], width: int, height: int, fmt: str = "png"
    ) -> bytes:
        from tryon.testing.synth import synth_image

        seed_text = f"{model}|{'|'.join(texts)}|" + "|".join(
            hashlib.sha256(i.data).hexdigest()[:16] for i in images
        )
        return synth_image(width, height, fmt, transparent=False, seed_text=seed_text)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the emulator until Ctrl-C."""
    parser = command_line("python -m tryon.testing.gemini_emulator",
                          "Serve a local emulator of the Gemini API's image generation.")
    args = parser.parse_args(argv)
    emulator = GeminiEmulator(host=args.host, port=args.port, latency=args.latency,
                              require_key=not args.no_require_key)
    return serve_until_interrupted(
        emulator, "Gemini API emulator listening on {url}",
        "export GEMINI_BASE_URL={url} GEMINI_API_KEY=emulator-key", verbose=args.verbose)

if __name__ == "__main__":
    raise SystemExit(main())

"""A local emulator of the OpenAI Images API (generations and edits).

The real ``openai`` SDK cannot tell it from the service::

    with OpenAIEmulator() as emu:
        client = OpenAI(base_url=emu.base_url, api_key="emulator-key")
        client.images.generate(model="gpt-image-2", prompt="a red fox", size="1536x864")

Parameter names and enum values are checked against the installed SDK's own
TypedDicts; per-model service rules (sizes, qualities, input fidelity, retired
models...) live in :data:`MODEL_RULES`. Answers carry real images (Pillow).
Run ``python -m tryon.testing.openai_emulator`` to serve it standalone.
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
import logging
import math
import re
import secrets
import threading
import time
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

import attrs

from tryon.testing.server import (
    ApiError,
    EmulatorServer,
    RecordedFile,
    RecordedRequest,
    Response,
    command_line,
    iter_sse,
    serve_until_interrupted,
)

__all__ = ["DEFAULT_MODEL", "MODEL_RULES", "ModelRules", "OpenAIEmulator", "main"]

log = logging.getLogger(__name__)

Endpoint = Literal["generate", "edit"]


# -- the service's truth ----------------------------------------------------
@attrs.frozen
class ModelRules:
    """What the service accepts for one image model."""

    arbitrary_sizes: bool = False
    extra_qualities: tuple[str, ...] = ()
    input_fidelity: tuple[str, ...] = ()  # empty: the parameter is rejected
    high_fidelity_images: int = 0  # leading input images that high fidelity applies to
    markup: bool = False
    retired: bool = False
    animated: bool = False  # GIF and SVG output and complexity (GPT Image 2.6)
    #: output image tokens per quality for the standard sizes (1024², 1024x1536, 1536x1024)
    output_tokens: dict[str, tuple[int, int, int]] | None = None


#: GPT image 2 and later: the tokens the per-image prices published for gpt-image-2 imply at $30/1M.
V2_OUTPUT_TOKENS = {"low": (217, 184, 184), "medium": (1784, 1384, 1384), "high": (7050, 5517, 5517)}
_GPT_2 = ModelRules(arbitrary_sizes=True, output_tokens=V2_OUTPUT_TOKENS)
_GPT_25 = ModelRules(arbitrary_sizes=True, extra_qualities=("xhigh", "max"), markup=True,
                     output_tokens=V2_OUTPUT_TOKENS)
_GPT_15 = ModelRules(input_fidelity=("high", "low"), high_fidelity_images=5, retired=True)  # shut down 2026-12-01

#: Per-model service rules. The SDK documents only the standard sizes and qualities for 2.6.
MODEL_RULES: dict[str, ModelRules] = {
    "gpt-image-1": ModelRules(input_fidelity=("high", "low"), high_fidelity_images=1, retired=True),
    "gpt-image-1-mini": ModelRules(input_fidelity=("low",), retired=True),
    "gpt-image-1.5": _GPT_15,
    "chatgpt-image-latest": _GPT_15,
    "gpt-image-2": _GPT_2,
    "gpt-image-2-2026-04-21": _GPT_2,
    "gpt-image-2.5-sunburst": _GPT_25,
    "gpt-image-2.5-sunburst-2026-09-08": _GPT_25,
    "gpt-image-2.5-flare": _GPT_25,
    "gpt-image-2.5-flare-2026-09-08": _GPT_25,
    "gpt-image-2.6-sunburst": ModelRules(animated=True, output_tokens=V2_OUTPUT_TOKENS),
    "gpt-image-2.6-flare": ModelRules(animated=True, output_tokens=V2_OUTPUT_TOKENS),
}
DEFAULT_MODEL = "gpt-image-2.6-sunburst"
STANDARD_SIZES = ("1024x1024", "1024x1536", "1536x1024")
BASE_QUALITIES = ("low", "medium", "high", "auto")
MAX_PROMPT_CHARS = 32000
MAX_INPUT_IMAGES = 16
MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_MASK_BYTES = 4 * 1024 * 1024
#: Arbitrary sizes: edges up to 3840, aspect 1:3 to 3:1, 655,360 to 8,294,400 pixels (the numbers the
#: SDK calls "the model's current pixel and edge limits", as third-party references state them).
MAX_WIDTH_OR_HEIGHT, MAX_ASPECT = 3840, 3.0
MIN_PIXELS, MAX_PIXELS = 655_360, 8_294_400
#: GIF frames share one image's pixel budget (width x height x frames); frame_count defaults to 9.
GIF_DEFAULT_FRAMES, GIF_DEFAULT_DURATION_MS = 9, 200
#: ImageRefParam.image_url maxLength in OpenAI's OpenAPI document (the JSON edit form).
MAX_IMAGE_URL_CHARS = 20_971_520
#: Output image tokens per image for the standard sizes (1024², 1024x1536, 1536x1024).
OUTPUT_TOKENS = {"low": (272, 408, 400), "medium": (1056, 1584, 1568), "high": (4160, 6240, 6208)}
_QUALITY_SCALE = {"xhigh": 1.5, "max": 2.0}
PARTIAL_IMAGE_TOKENS = 100
_INT_RANGES = {
    "n": (1, 10),
    "partial_images": (0, 3),
    "output_compression": (0, 100),
    "frame_count": (2, 16),
}
_DOCS = "https://platform.openai.com/account/api-keys"


# -- SDK introspection ------------------------------------------------------
@attrs.frozen
class _Field:
    kinds: frozenset[str]  # str, int, bool, number, object, file, null
    choices: tuple[Any, ...] = ()  # a closed enum when kinds has no "str"
    required: bool = False

    @property
    def closed(self) -> bool:
        return bool(self.choices) and not self.kinds & {"str", "int", "bool"}


def _describe(hint: Any) -> _Field:
    kinds: set[str] = set()
    choices: list[Any] = []
    required = False

    def visit(t: Any) -> None:
        nonlocal required
        origin = typing.get_origin(t)
        if origin in (typing.Required, typing.NotRequired, typing.Annotated):
            required = required or origin is typing.Required
            visit(typing.get_args(t)[0])
        elif origin in (typing.Union, types.UnionType):
            for arg in typing.get_args(t):
                visit(arg)
        elif origin is Literal:
            choices.extend(typing.get_args(t))
        elif t is type(None):
            kinds.add("null")
        elif t in (str, int, bool, float):
            kinds.add({str: "str", int: "int", bool: "bool", float: "number"}[t])
        elif typing.is_typeddict(t) or origin in (dict, Mapping):
            kinds.add("object")
        else:  # bytes, IO, PathLike, (name, content, ...) tuples, sequences of those
            kinds.add("file")

    visit(hint)
    return _Field(frozenset(kinds), tuple(choices), required)


@functools.cache
def sdk_fields(endpoint: Endpoint) -> dict[str, _Field]:
    """Parameter name → description, from the installed SDK's TypedDicts."""
    from openai.types import image_edit_params, image_generate_params

    module: Any = image_generate_params if endpoint == "generate" else image_edit_params
    prefix = "ImageGenerate" if endpoint == "generate" else "ImageEdit"
    fields = {
        name: _describe(hint)
        for name, hint in typing.get_type_hints(
            getattr(module, f"{prefix}ParamsBase"), include_extras=True
        ).items()
    }
    streaming = [
        typing.get_type_hints(getattr(module, f"{prefix}Params{kind}"), include_extras=True)["stream"]
        for kind in ("Streaming", "NonStreaming")
    ]
    fields["stream"] = _describe(typing.Union[tuple(streaming)])  # noqa: UP007
    fields["stream"] = attrs.evolve(fields["stream"], required=False)
    return fields


@functools.cache
def sdk_svg_fields(endpoint: Endpoint) -> dict[str, _Field]:
    """The fields of the SDK's ``Svg`` TypedDict (and ``reasoning.effort``) for *endpoint*."""
    from openai.types import image_edit_params, image_generate_params

    module: Any = image_generate_params if endpoint == "generate" else image_edit_params
    fields = {name: _describe(hint) for name, hint in typing.get_type_hints(module.Svg, include_extras=True).items()}
    effort = typing.get_type_hints(module.SvgReasoning, include_extras=True)["effort"]
    fields["reasoning.effort"] = _describe(effort)
    return fields


@functools.cache
def known_models() -> frozenset[str]:
    """The SDK's ``ImageModel`` literal (minus retired DALL·E) plus :data:`MODEL_RULES`."""
    from openai.types.image_model import ImageModel

    sdk = {m for m in typing.get_args(ImageModel) if not m.startswith("dall-e")}
    return frozenset(sdk | set(MODEL_RULES))


# -- helpers ----------------------------------------------------------------
def _fmt(value: Any) -> str:
    return (
        f"'{value}'"
        if isinstance(value, str)
        else repr(value).lower()
        if isinstance(value, bool)
        else str(value)
    )


def _one_of(values: Sequence[Any]) -> str:
    items = [_fmt(v) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f", and {items[-1]}"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number" if isinstance(value, float) else "an integer"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, RecordedFile):
        return "a file"
    return "an array" if isinstance(value, list) else "an object"


def _bad(message: str, param: str | None, code: str | None, status: int = 400) -> ApiError:
    return ApiError(status, message, code=code, param=param)


def _key_hint(key: str | None) -> str:
    """A masked key for messages: never the whole key."""
    if not key or len(key) < 10:
        return "***"
    return f"{key[:3]}...{key[-2:]}"


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _open_image(data: bytes, param: str, label: str) -> tuple[int, int, str, bool]:
    """(width, height, mode, has_alpha) of an uploaded image, or a 400."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            has_alpha = img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
            return img.width, img.height, img.mode, has_alpha
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise _bad(
            f"Invalid image file {label}: the file could not be decoded ({exc}).", param, "invalid_image"
        ) from None


def _parse_size(size: str) -> tuple[int, int] | None:
    m = re.fullmatch(r"(\d{1,5})x(\d{1,5})", size)
    return (int(m.group(1)), int(m.group(2))) if m else None


def _aspect_class(width: int, height: int) -> tuple[int, int]:
    ratio = width / height
    return (1536, 1024) if ratio >= 1.25 else (1024, 1536) if ratio <= 0.8 else (1024, 1024)


def output_tokens(quality: str, width: int, height: int,
                  table: dict[str, tuple[int, int, int]] | None = None) -> int:
    """Output image tokens of one image (the model's standard table, scaled by area for other sizes)."""
    table = table or OUTPUT_TOKENS
    base = table.get(quality, table["high"])
    size = f"{width}x{height}"
    tokens = (
        base[STANDARD_SIZES.index(size)] if size in STANDARD_SIZES else base[0] * width * height / 1024**2
    )
    return round(tokens * _QUALITY_SCALE.get(quality, 1.0))


def input_image_tokens(width: int, height: int, *, high_fidelity: bool) -> int:
    """Input tokens of one image: 65 + 129 per 512px tile (after fitting) plus any high-fidelity surcharge."""
    scale = min(1.0, 2048 / max(width, height))
    w, h = width * scale, height * scale
    scale = min(1.0, 768 / min(w, h))
    tiles = math.ceil(w * scale / 512) * math.ceil(h * scale / 512)
    extra = output_tokens("high", *_aspect_class(width, height)) if high_fidelity else 0
    return 65 + 129 * tiles + extra


# -- a normalised request ---------------------------------------------------
@attrs.define
class _Job:
    endpoint: Endpoint
    model: str
    rules: ModelRules
    prompt: str
    n: int = 1
    width: int = 1024
    height: int = 1024
    quality: str = "high"
    background: str = "opaque"
    output_format: str = "png"
    compression: int | None = None
    stream: bool = False
    partial_images: int = 0
    input_fidelity: str = "low"
    images: list[bytes] = attrs.field(factory=list)
    image_sizes: list[tuple[int, int]] = attrs.field(factory=list)
    mask: bytes | None = None
    markup_mask: bytes | None = None
    safety_identifier: str | None = None
    explicit_size: bool = False
    image_param: str = "image"
    frame_count: int = GIF_DEFAULT_FRAMES
    frame_duration_ms: int = GIF_DEFAULT_DURATION_MS
    svg_model: str | None = None

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"

    @property
    def event_prefix(self) -> str:
        return "image_generation" if self.endpoint == "generate" else "image_edit"

    def usage(self, images: int) -> dict[str, Any]:
        text = max(1, math.ceil(len(self.prompt) / 4))
        image_in = sum(
            input_image_tokens(
                w, h, high_fidelity=self.input_fidelity == "high" and i < self.rules.high_fidelity_images
            )
            for i, (w, h) in enumerate(self.image_sizes)
        )
        out = images * output_tokens(self.quality, self.width, self.height, self.rules.output_tokens)
        if self.stream:
            out += images * self.partial_images * PARTIAL_IMAGE_TOKENS
        return {
            "input_tokens": text + image_in,
            "input_tokens_details": {"image_tokens": image_in, "text_tokens": text},
            "output_tokens": out,
            "total_tokens": text + image_in + out,
            "output_tokens_details": {"image_tokens": out, "text_tokens": 0},
        }


# -- the emulator -----------------------------------------------------------
class OpenAIEmulator(EmulatorServer):
    """OpenAI Images API emulator: ``POST /v1/images/generations`` and ``/v1/images/edits``.

    ``retired_models_served`` makes it answer for retired models (``gpt-image-1``, ``gpt-image-1.5``...)
    like an OpenAI-compatible endpoint that still serves them. ``stream_interval``
    spaces streamed events. Images for JSON edits can reference ``file_id`` values
    registered with :meth:`add_file`.
    """

    request_id_header = "x-request-id"
    provider = "openai"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        require_key: bool = True,
        api_keys: Sequence[str] | None = None,
        latency: float = 0.0,
        retired_models_served: bool = False,
        default_model: str = DEFAULT_MODEL,
        stream_interval: float = 0.0,
    ) -> None:
        super().__init__(host=host, port=port, require_key=require_key, api_keys=api_keys, latency=latency)
        sdk_fields("generate")  # fail fast (and warm the cache) if the SDK is missing
        self.retired_models_served = retired_models_served
        self.default_model = default_model
        self.stream_interval = stream_interval
        self._files: dict[str, bytes] = {}
        self._files_lock = threading.Lock()
        self.route("POST", "/v1/images/generations", self._generations)
        self.route("POST", "/v1/images/edits", self._edits)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1`` — pass it as the SDK's ``base_url``."""
        return f"{self.url}/v1"

    def add_file(self, file_id: str, data: bytes) -> None:
        """Make ``{"file_id": file_id}`` resolvable in JSON edit bodies."""
        with self._files_lock:
            self._files[file_id] = data

    # -- provider hooks --------------------------------------------------
    def new_request_id(self) -> str:
        return f"req_{secrets.token_hex(16)}"

    def error_body(self, status: int, code: str | None, message: str, *, param: str | None = None) -> Any:
        if status == 429:
            kind = "insufficient_quota" if code == "insufficient_quota" else "requests"
        elif status >= 500:
            kind = "server_error"
        elif code == "moderation_blocked":
            kind = "image_generation_user_error"
        else:
            kind = "invalid_request_error"
        return {"error": {"message": message, "type": kind, "param": param, "code": code}}

    def default_error(self, status: int, api_key: str | None) -> tuple[str | None, str]:
        if status == 401:
            return (
                "invalid_api_key",
                f"Incorrect API key provided: {_key_hint(api_key)}. You can find your API key at {_DOCS}.",
            )
        if status == 403:
            return None, "You are not allowed to sample from this model."
        if status == 404:
            return "model_not_found", "The model does not exist or you do not have access to it."
        if status == 429:
            return "rate_limit_exceeded", (
                "Rate limit reached for images per minute (IPM): Limit 5, Used 5, Requested 1. "
                "Please try again later."
            )
        if status == 503:
            return "server_error", "The engine is currently overloaded, please try again later."
        if status >= 500:
            return "server_error", "The server had an error while processing your request. Sorry about that!"
        return super().default_error(status, api_key)

    def unauthorized(self, api_key: str | None) -> Response:
        if api_key is None:
            return self.error_response(
                401,
                (
                    "You didn't provide an API key. You need to provide your API key in an Authorization "
                    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API "
                    f"key from {_DOCS}."
                ),
            )
        return self.error_response(401, self.default_error(401, api_key)[1], code="invalid_api_key")

    def moderation_response(self, request: RecordedRequest) -> Response:
        return self.error_response(
            400,
            (
                "Your request was rejected by the safety system. If you believe this is an error, contact us "
                f"at help.openai.com and include the request ID {request.request_id}."
            ),
            code="moderation_blocked",
        )

    def malformed_response(self, request: RecordedRequest) -> Response:
        stream = request.params.get("stream") in (True, "true")
        if not stream:
            return super().malformed_response(request)
        prefix = "image_generation" if request.path.endswith("/generations") else "image_edit"
        broken = f'event: {prefix}.completed\ndata: {{"type": "{prefix}.completed", "b64_json": "iVB\n\n'
        return Response.stream([broken.encode()])

    # -- handlers --------------------------------------------------------
    def _generations(self, request: RecordedRequest) -> Response:
        self._require_json(request, "generate")
        job = self._job("generate", request.params, form=False)
        return self._reply(job)

    def _edits(self, request: RecordedRequest) -> Response:
        if request.content_type.lower().startswith("multipart/form-data"):
            if request.parse_error:
                raise _bad(f"Could not parse the multipart form body: {request.parse_error}.", None, None)
            values = _form_values(request.params)
            job = self._job("edit", values, form=True)
            self._load_form_images(job, values)
        else:
            self._require_json(request, "edit")
            values = dict(request.params)
            job = self._job("edit", values, form=False)
            self._load_json_images(job, values, request)
        self._check_edit_inputs(job)
        return self._reply(job)

    @staticmethod
    def _require_json(request: RecordedRequest, endpoint: Endpoint) -> None:
        mime = request.content_type.split(";")[0].strip().lower()
        if request.parse_error or not request.body_size:
            raise _bad(
                "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
                "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent "
                "was not valid JSON.)",
                None,
                None,
            )
        if mime != "application/json":
            expected = "'application/json'" + (" or 'multipart/form-data'" if endpoint == "edit" else "")
            raise _bad(
                f"Unsupported content type: '{mime}'. This endpoint expects {expected}.",
                None,
                "unsupported_content_type",
            )

    # -- validation ------------------------------------------------------
    def _job(self, endpoint: Endpoint, values: dict[str, Any], *, form: bool) -> _Job:
        fields = dict(sdk_fields(endpoint))
        json_edit = endpoint == "edit" and not form
        if json_edit:  # EditImageBodyJsonParam: image refs instead of file parts, plus moderation
            del fields["image"]
            fields["images"] = _Field(frozenset({"object"}), required=True)
            fields["mask"] = fields["markup"] = _Field(frozenset({"object"}))
            fields["moderation"] = sdk_fields("generate")["moderation"]
        for name in values:
            if name not in fields:
                raise _bad(f"Unknown parameter: '{name}'.", name, "unknown_parameter")
        clean: dict[str, Any] = {}
        for name, field in fields.items():
            value = values.get(name)
            if value is None or (form and value == "" and "file" not in field.kinds):
                if field.required:
                    raise _bad(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
                continue
            raw = "file" in field.kinds or (json_edit and name in ("images", "mask", "markup"))
            clean[name] = value if raw else _coerce(name, field, value, form=form)
        return self._apply_rules(endpoint, clean)

    def _apply_rules(self, endpoint: Endpoint, p: dict[str, Any]) -> _Job:
        model = p.get("model") or self.default_model
        rules = MODEL_RULES.get(model, ModelRules())
        if model not in known_models() or (rules.retired and not self.retired_models_served):
            raise _bad(
                f"The model `{model}` does not exist or you do not have access to it.",
                None,
                "model_not_found",
                404,
            )
        prompt: str = p["prompt"]
        if not prompt:
            raise _bad(
                "Invalid 'prompt': string too short. Expected a string with minimum length 1, but got an "
                "empty string instead.",
                "prompt",
                "empty_string",
            )
        if len(prompt) > MAX_PROMPT_CHARS:
            raise _bad(
                f"Invalid 'prompt': string too long. Expected a string with maximum length "
                f"{MAX_PROMPT_CHARS}, but got a string with length {len(prompt)} instead.",
                "prompt",
                "string_above_max_length",
            )
        for name in ("response_format", "style"):
            if name in p:
                raise _unsupported_parameter(
                    name,
                    "GPT image models always return base64-encoded images."
                    if name == "response_format"
                    else "Describe the style in the prompt.",
                )
        fmt = p.get("output_format", "png")
        if fmt in ("gif", "svg") and not rules.animated:
            raise _bad(
                f"output_format '{fmt}' is not supported with this model.",
                "output_format",
                "unsupported_value",
            )
        if "complexity" in p and not rules.animated:
            raise _unsupported_parameter("complexity", "Omit this parameter.")
        for name in ("frame_count", "frame_duration_ms", "svg"):
            if name in p and fmt != ("svg" if name == "svg" else "gif"):
                raise _bad(
                    f"'{name}' is only supported with output_format '{'svg' if name == 'svg' else 'gif'}'.",
                    name,
                    "unsupported_parameter",
                )
        self._check_animated(endpoint, fmt, p)
        qualities = (*BASE_QUALITIES, *rules.extra_qualities)
        quality = p.get("quality", "auto")
        if quality not in qualities:
            raise _bad(
                f"Unsupported value: 'quality' does not support '{quality}' with this model. Supported "
                f"values are: {_one_of(qualities)}.",
                "quality",
                "unsupported_value",
            )
        background = p.get("background", "auto")
        if background == "transparent" and fmt not in ("png", "webp"):
            raise _bad(
                f"Transparent background is not supported for output_format '{fmt}'. Use 'png' or 'webp'.",
                "background",
                "invalid_value",
            )
        compression = p.get("output_compression")
        if compression is not None and fmt == "png" and compression < 100:
            raise _bad(
                "Compression less than 100 is not supported for PNG output format. 'output_compression' "
                "is only supported with output_format 'jpeg' or 'webp'.",
                "output_compression",
                "unsupported_value",
            )
        for name, (low, high) in _INT_RANGES.items():
            _check_range(name, p.get(name), low, high)
        fidelity = p.get("input_fidelity")
        if fidelity is not None and not rules.input_fidelity:
            raise _unsupported_parameter("input_fidelity", "Omit this parameter.")
        if fidelity is not None and fidelity not in rules.input_fidelity:
            raise _bad(
                f"Unsupported value: 'input_fidelity' does not support '{fidelity}' with this model. "
                f"Supported values are: {_one_of(rules.input_fidelity)}.",
                "input_fidelity",
                "unsupported_value",
            )
        if "markup" in p and not rules.markup:
            raise _unsupported_parameter("markup", "Markup is supported by GPT Image 2.5 models.")
        if "markup" in p and "mask" in p:
            raise _bad("'markup' cannot be combined with 'mask'.", "markup", "conflicting_parameters")
        job = _Job(
            endpoint=endpoint,
            model=model,
            rules=rules,
            prompt=prompt,
            n=p.get("n", 1),
            quality="high" if quality == "auto" else quality,
            background="transparent" if background == "transparent" else "opaque",
            output_format=fmt,
            compression=compression if fmt != "png" else None,
            stream=bool(p.get("stream", False)),
            partial_images=p.get("partial_images", 0),
            input_fidelity=fidelity or "low",
            safety_identifier=p.get("safety_identifier") or p.get("user") or None,
            frame_count=p.get("frame_count", GIF_DEFAULT_FRAMES),
            frame_duration_ms=p.get("frame_duration_ms", GIF_DEFAULT_DURATION_MS),
            svg_model=(p.get("svg") or {}).get("model"),
        )
        self._resolve_size(job, p.get("size", "auto"))
        if fmt == "gif":
            self._check_gif_budget(job)
        return job

    @staticmethod
    def _check_animated(endpoint: Endpoint, fmt: str, p: dict[str, Any]) -> None:
        """GIF and SVG constraints as the SDK documents them (image_generate_params.py, 3.57)."""
        label = fmt.upper()
        if fmt in ("gif", "svg"):
            if p.get("stream"):
                raise _bad(f"{label} output does not support streaming.", "stream", "unsupported_parameter")
            if p.get("partial_images"):
                raise _bad(f"{label} output does not support partial images.", "partial_images",
                           "unsupported_parameter")
            if "output_compression" in p:
                raise _bad(f"{label} output does not support output_compression.", "output_compression",
                           "unsupported_parameter")
        if fmt == "gif":
            if "mask" in p:
                raise _bad("GIF output does not support masks.", "mask", "unsupported_parameter")
            _check_range("frame_count", p.get("frame_count"), 2, 16)
            _check_range("frame_duration_ms", p.get("frame_duration_ms"), 0, 2**31 - 1)
        if fmt == "svg":
            if p.get("n", 1) != 1:
                raise _bad("SVG output requires n=1.", "n", "unsupported_value")
            if "svg" in p:
                _check_svg(endpoint, p["svg"])

    @staticmethod
    def _check_gif_budget(job: _Job) -> None:
        if not job.explicit_size:
            return
        total = job.width * job.height * job.frame_count
        if not MIN_PIXELS <= total <= MAX_PIXELS:
            raise _bad(
                f"Invalid value for 'size': '{job.size}' with {job.frame_count} frames is {total:,} pixels; the "
                f"GIF frames must total between {MIN_PIXELS:,} and {MAX_PIXELS:,} pixels.",
                "size",
                "invalid_value",
            )

    @staticmethod
    def _resolve_size(job: _Job, size: str) -> None:
        if size == "auto":
            return  # resolved later for edits (first image's aspect class)
        parsed = _parse_size(size)
        gif = job.output_format == "gif"
        if size not in STANDARD_SIZES and not ((job.rules.arbitrary_sizes or gif) and parsed):
            raise _bad(
                f"Invalid value: '{size}'. Supported values are: {_one_of([*STANDARD_SIZES, 'auto'])}.",
                "size",
                "invalid_value",
            )
        assert parsed is not None
        width, height = parsed
        problem = None
        if width <= 0 or height <= 0 or width % 16 or height % 16:
            problem = "width and height must be positive multiples of 16"
        elif max(width, height) / min(width, height) > MAX_ASPECT:
            problem = "the aspect ratio must be between 1:3 and 3:1"
        elif max(width, height) > MAX_WIDTH_OR_HEIGHT:
            problem = f"no edge may exceed {MAX_WIDTH_OR_HEIGHT} pixels"
        elif not gif and not MIN_PIXELS <= width * height <= MAX_PIXELS:
            problem = f"the image must have between {MIN_PIXELS:,} and {MAX_PIXELS:,} pixels"
        if problem:
            raise _bad(f"Invalid value for 'size': '{size}': {problem}.", "size", "invalid_value")
        job.width, job.height, job.explicit_size = width, height, True

    # -- edit inputs -----------------------------------------------------
    def _load_form_images(self, job: _Job, values: dict[str, Any]) -> None:
        raw = values.get("image")
        files = raw if isinstance(raw, list) else [raw]
        job.images = []
        for i, item in enumerate(files):
            if not isinstance(item, RecordedFile):
                raise _bad(f"Invalid 'image[{i}]': expected a file upload.", "image", "invalid_type")
            job.images.append(item.data)
        for name in ("mask", "markup"):
            if name in values and not isinstance(values[name], RecordedFile):
                raise _bad(f"Invalid '{name}': expected a single file upload.", name, "invalid_type")
        mask, markup = values.get("mask"), values.get("markup")
        job.mask = mask.data if isinstance(mask, RecordedFile) else None
        job.markup_mask = markup.data if isinstance(markup, RecordedFile) else None

    def _load_json_images(self, job: _Job, values: dict[str, Any], request: RecordedRequest) -> None:
        refs = values["images"]
        if not isinstance(refs, list):
            raise _bad(
                f"Invalid type for 'images': expected an array, but got {_json_type(refs)} instead.",
                "images",
                "invalid_type",
            )
        if not refs:
            raise _bad(
                "Invalid 'images': empty array. Expected an array with minimum length 1, but got an empty "
                "array instead.",
                "images",
                "empty_array",
            )
        decoded = [self._resolve_ref(ref, f"images[{i}]") for i, ref in enumerate(refs)]
        job.images = [f.data for f in decoded]
        job.image_param = "images"
        request.files["images"] = decoded
        for name in ("mask", "markup"):
            if name in values:
                ref = self._resolve_ref(values[name], name)
                request.files[name] = [ref]
                if name == "mask":
                    job.mask = ref.data
                else:
                    job.markup_mask = ref.data

    def _resolve_ref(self, ref: Any, param: str) -> RecordedFile:
        if not isinstance(ref, dict):
            raise _bad(
                f"Invalid type for '{param}': expected an object, but got {_json_type(ref)} instead.",
                param,
                "invalid_type",
            )
        for key in ref:
            if key not in ("image_url", "file_id"):
                raise _bad(f"Unknown parameter: '{param}.{key}'.", f"{param}.{key}", "unknown_parameter")
        if ("image_url" in ref) == ("file_id" in ref):
            raise _bad(
                f"Invalid '{param}': provide exactly one of 'image_url' or 'file_id'.", param, "invalid_value"
            )
        if "file_id" in ref:
            with self._files_lock:
                data = self._files.get(str(ref["file_id"]))
            if data is None:
                raise _bad(
                    f"No such File object: {ref['file_id']} (register it with OpenAIEmulator.add_file).",
                    f"{param}.file_id",
                    "invalid_value",
                )
            return RecordedFile(str(ref["file_id"]), None, data)
        url = ref["image_url"]
        if not isinstance(url, str):
            raise _bad(
                f"Invalid type for '{param}.image_url': expected a string, but got {_json_type(url)} "
                "instead.",
                f"{param}.image_url",
                "invalid_type",
            )
        if len(url) > MAX_IMAGE_URL_CHARS:
            raise _bad(
                f"Invalid '{param}.image_url': string too long. Expected a string with maximum length "
                f"{MAX_IMAGE_URL_CHARS}, but got a string with length {len(url)} instead.",
                f"{param}.image_url",
                "string_above_max_length",
            )
        if not url.startswith("data:"):
            raise _bad(
                f"Invalid '{param}.image_url': the emulator cannot fetch remote URLs "
                f"({url[:80]!r}); send a base64 data: URL.",
                f"{param}.image_url",
                "invalid_image_url",
            )
        header, sep, payload = url[5:].partition(",")
        if not sep or not header.endswith(";base64"):
            raise _bad(
                f"Invalid '{param}.image_url': expected a base64 data URL.",
                f"{param}.image_url",
                "invalid_image_url",
            )
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise _bad(
                f"Invalid '{param}.image_url': invalid base64 data.",
                f"{param}.image_url",
                "invalid_image_url",
            ) from None
        return RecordedFile(None, header[: -len(";base64")] or None, data)

    def _check_edit_inputs(self, job: _Job) -> None:
        param = job.image_param
        if len(job.images) > MAX_INPUT_IMAGES:
            raise _bad(
                f"Invalid '{param}': array too long. Expected an array with maximum length "
                f"{MAX_INPUT_IMAGES}, but got an array with length {len(job.images)} instead.",
                param,
                "array_above_max_length",
            )
        for i, data in enumerate(job.images):
            label = f"'{param}[{i}]'"
            if len(data) >= MAX_IMAGE_BYTES:
                raise _bad(
                    f"Invalid file {label}: file too large ({len(data)} bytes). Each image must be "
                    "smaller than 50 MB.",
                    param,
                    "file_too_large",
                )
            if _sniff(data) is None:
                raise _bad(
                    f"Invalid file {label}: unsupported image format. Supported formats are 'png', "
                    "'jpeg', and 'webp'.",
                    param,
                    "invalid_image_format",
                )
            width, height, _, _ = _open_image(data, param, label)
            job.image_sizes.append((width, height))
        first = job.image_sizes[0]
        if not job.explicit_size:
            job.width, job.height = _aspect_class(*first)
        if job.mask is not None:
            self._check_overlay(job.mask, "mask", first, MAX_MASK_BYTES)
        if job.markup_mask is not None:
            job.markup_mask = self._check_overlay(job.markup_mask, "markup", first, MAX_IMAGE_BYTES)

    @staticmethod
    def _check_overlay(data: bytes, param: str, first: tuple[int, int], limit: int) -> bytes:
        """Validate a mask or markup PNG; for markup return the equivalent edit mask."""
        if len(data) >= limit:
            raise _bad(
                f"Invalid '{param}': file too large; it must be smaller than {limit // 2**20} MB.",
                param,
                "file_too_large",
            )
        if _sniff(data) != "png":
            raise _bad(
                f"Invalid '{param}': the {param} must be a valid PNG image.", param, "invalid_image_format"
            )
        width, height, mode, has_alpha = _open_image(data, param, f"'{param}'")
        if not has_alpha:
            raise _bad(
                f"Invalid '{param}': the {param} must have an alpha channel (got mode {mode}).",
                param,
                f"invalid_{param}",
            )
        if (width, height) != first:
            raise _bad(
                f"Invalid '{param}': {param} size ({width}x{height}) does not match image size "
                f"({first[0]}x{first[1]}).",
                param,
                f"invalid_{param}",
            )
        if param == "mask":
            return data
        from PIL import Image, ImageOps

        with Image.open(io.BytesIO(data)) as img:
            alpha = img.convert("RGBA").getchannel("A")
        lowest, _ = typing.cast(tuple[int, int], alpha.getextrema())
        if lowest > 0:
            raise _bad(
                "Invalid 'markup': the markup must contain transparent pixels.", param, "invalid_markup"
            )
        mask = Image.new("RGBA", alpha.size, (0, 0, 0, 0))
        mask.putalpha(ImageOps.invert(alpha.point(lambda a: 255 if a else 0)))  # drawn strokes → edit area
        out = io.BytesIO()
        mask.save(out, "PNG")
        return out.getvalue()

    # -- answers ---------------------------------------------------------
    def _render(self, job: _Job, index: int) -> bytes:
        from tryon.testing.synth import apply_mask_edit, synth_image

        seed = f"{job.model}|{job.prompt}|{index}"
        transparent = job.background == "transparent"
        if job.output_format == "gif":
            return _render_gif(job, seed)
        if job.output_format == "svg":
            return _render_svg(job, seed)
        if job.endpoint == "generate":
            return synth_image(
                job.width,
                job.height,
                job.output_format,
                transparent=transparent,
                seed_text=seed,
                compression=job.compression,
            )
        return apply_mask_edit(
            job.images[0],
            job.mask or job.markup_mask,
            job.width,
            job.height,
            job.output_format,
            seed,
            transparent=transparent,
            compression=job.compression,
        )

    def _reply(self, job: _Job) -> Response:
        images = [self._render(job, i) for i in range(job.n)]
        if job.stream:
            return Response.stream(iter_sse(self._events(job, images)))
        body: dict[str, Any] = {
            "created": int(time.time()),
            "background": job.background,
            "data": [{"b64_json": base64.b64encode(img).decode()} for img in images],
            "output_format": job.output_format,
            "quality": job.quality,
            "size": job.size,
            "usage": job.usage(len(images)),
        }
        if job.safety_identifier:
            body["safety_identifier"] = job.safety_identifier
        if job.output_format == "svg" and job.svg_model:
            text = max(1, math.ceil(len(job.prompt) / 4))
            body["svg_usage"] = {"input_tokens": text + 500, "model": job.svg_model, "output_tokens": 800,
                                 "reasoning_tokens": 200, "total_tokens": text + 1300}
        return Response.json(body)

    def _events(self, job: _Job, images: list[bytes]) -> Iterator[tuple[str, dict[str, Any]]]:
        from tryon.testing.synth import synth_partial

        common = {
            "background": job.background,
            "output_format": job.output_format,
            "quality": job.quality,
            "size": job.size,
        }
        for image in images:
            for index in range(job.partial_images):
                partial = synth_partial(image, index, job.partial_images, job.output_format)
                yield (
                    f"{job.event_prefix}.partial_image",
                    {
                        "type": f"{job.event_prefix}.partial_image",
                        "b64_json": base64.b64encode(partial).decode(),
                        "created_at": int(time.time()),
                        "partial_image_index": index,
                        **common,
                    },
                )
                if not self.sleep(self.stream_interval):
                    return
            usage = job.usage(1)
            del usage["output_tokens_details"]
            completed = {
                "type": f"{job.event_prefix}.completed",
                "b64_json": base64.b64encode(image).decode(),
                "created_at": int(time.time()),
                **common,
                "usage": usage,
            }
            if job.safety_identifier:
                completed["safety_identifier"] = job.safety_identifier
            yield f"{job.event_prefix}.completed", completed
            if not self.sleep(self.stream_interval):
                return


def _check_svg(endpoint: Endpoint, value: Any) -> None:
    """``svg`` against the SDK's ``Svg``/``SvgReasoning`` TypedDicts."""
    fields = sdk_svg_fields(endpoint)
    if not isinstance(value, dict):
        raise _bad(f"Invalid type for 'svg': expected an object, but got {_json_type(value)} instead.", "svg",
                   "invalid_type")
    for key in value:
        if key not in fields:
            raise _bad(f"Unknown parameter: 'svg.{key}'.", f"svg.{key}", "unknown_parameter")
    if "model" in value and not isinstance(value["model"], str):
        raise _bad("Invalid type for 'svg.model': expected a string.", "svg.model", "invalid_type")
    reasoning = value.get("reasoning")
    if reasoning is None:
        return
    if not isinstance(reasoning, dict) or set(reasoning) - {"effort"}:
        raise _bad("Invalid 'svg.reasoning': expected an object with 'effort'.", "svg.reasoning", "invalid_value")
    if reasoning.get("effort") is not None:
        _coerce("svg.reasoning.effort", fields["reasoning.effort"], reasoning["effort"], form=False)


def _render_gif(job: _Job, seed: str) -> bytes:
    """A real animated GIF: ``frame_count`` frames of the requested size, ``frame_duration_ms`` apart
    (rounded to 10 ms, as GIF delays are in hundredths of a second)."""
    from PIL import Image

    from tryon.testing.synth import synth_image

    frames = []
    for i in range(job.frame_count):
        png = synth_image(job.width, job.height, "png", transparent=False, seed_text=f"{seed}|frame{i}")
        with Image.open(io.BytesIO(png)) as im:
            frames.append(im.convert("P", palette=Image.Palette.ADAPTIVE, colors=64))
    out = io.BytesIO()
    duration = min(655_350, max(10, round(job.frame_duration_ms / 10) * 10))
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=duration, loop=0)
    return out.getvalue()


def _render_svg(job: _Job, seed: str) -> bytes:
    """A real SVG document of the requested size (a few shapes whose colours derive from *seed*)."""
    import hashlib

    digest = hashlib.sha256(seed.encode()).hexdigest()
    w, h = job.width, job.height
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">'
        f'<rect width="{w}" height="{h}" fill="#{digest[:6]}"/>'
        f'<circle cx="{w // 2}" cy="{h // 2}" r="{min(w, h) // 3}" fill="#{digest[6:12]}"/>'
        f'<path d="M0 {h} L{w // 2} {h // 3} L{w} {h} Z" fill="#{digest[12:18]}"/></svg>'
    ).encode()


def _unsupported_parameter(name: str, hint: str) -> ApiError:
    return _bad(
        f"Unsupported parameter: '{name}' is not supported with this model. {hint}",
        name,
        "unsupported_parameter",
    )


def _check_range(name: str, value: Any, low: int, high: int) -> None:
    if value is None:
        return
    if value < low:
        raise _bad(
            f"Invalid '{name}': integer below minimum value. Expected a value >= {low}, but got {value} "
            "instead.",
            name,
            "integer_below_min_value",
        )
    if value > high:
        raise _bad(
            f"Invalid '{name}': integer above maximum value. Expected a value <= {high}, but got {value} "
            "instead.",
            name,
            "integer_above_max_value",
        )


def _coerce(name: str, field: _Field, value: Any, *, form: bool) -> Any:
    """Check one value against its SDK type; multipart strings are converted first."""
    kinds = field.kinds
    if form and isinstance(value, str):
        bools = "bool" in kinds or (field.choices and all(isinstance(c, bool) for c in field.choices))
        if bools and value in ("true", "false"):
            value = value == "true"
        elif "int" in kinds and re.fullmatch(r"-?\d+", value):
            value = int(value)
    if isinstance(value, RecordedFile):
        raise _bad(
            f"Invalid type for '{name}': expected a form field, but got a file instead.", name, "invalid_type"
        )
    if field.closed:
        if value not in field.choices or type(value) is not type(field.choices[0]):
            raise _bad(
                f"Invalid value: {_fmt(value)}. Supported values are: {_one_of(field.choices)}.",
                name,
                "invalid_value",
            )
        return value
    ok = (
        ("str" in kinds and isinstance(value, str))
        or ("int" in kinds and isinstance(value, int) and not isinstance(value, bool))
        or ("bool" in kinds and isinstance(value, bool))
        or ("number" in kinds and isinstance(value, int | float) and not isinstance(value, bool))
        or ("object" in kinds and isinstance(value, dict))
    )
    if not ok:
        wanted = next(
            (
                w
                for k, w in (
                    ("str", "a string"),
                    ("int", "an integer"),
                    ("bool", "a boolean"),
                    ("number", "a number"),
                    ("object", "an object"),
                )
                if k in kinds
            ),
            "a value",
        )
        raise _bad(
            f"Invalid type for '{name}': expected {wanted}, but got {_json_type(value)} instead.",
            name,
            "invalid_type",
        )
    return value


def _form_values(params: Mapping[str, Any]) -> dict[str, Any]:
    """Multipart fields → parameter values: ``image[]`` → list, ``svg[model]`` → nested dict."""
    values: dict[str, Any] = {}
    for key, value in params.items():
        if key.endswith("[]"):
            values.setdefault(key[:-2], []).extend(value)
        elif (m := re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]+\])+)", key)) is not None:
            target = values.setdefault(m.group(1), {})
            if not isinstance(target, dict):
                raise _bad(
                    f"Invalid type for '{m.group(1)}': conflicting form fields.", m.group(1), "invalid_type"
                )
            path = re.findall(r"\[([^\[\]]+)\]", m.group(2))
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = value
        elif key in values:
            existing = values[key]
            values[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            values[key] = value
    for key, value in values.items():
        if isinstance(value, list) and key != "image" and not all(isinstance(v, RecordedFile) for v in value):
            raise _bad(
                f"Invalid type for '{key}': expected a single value, but got an array instead.",
                key,
                "invalid_type",
            )
    return values


# -- command line -----------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Serve the emulator until Ctrl-C."""
    parser = command_line("python -m tryon.testing.openai_emulator", "Serve a local emulator of the OpenAI Images API.")
    parser.add_argument("--retired-models-served", action="store_true",
                        help="also serve the retired models (gpt-image-1, gpt-image-1.5, ...)")
    args = parser.parse_args(argv)
    emulator = OpenAIEmulator(host=args.host, port=args.port, latency=args.latency,
                              retired_models_served=args.retired_models_served, require_key=not args.no_require_key)
    return serve_until_interrupted(
        emulator, "OpenAI Images API emulator listening on {base_url}",
        "export OPENAI_BASE_URL={base_url} OPENAI_API_KEY=emulator-key", verbose=args.verbose)

if __name__ == "__main__":
    raise SystemExit(main())

"""A local emulator of Replicate's predictions API: create (``Prefer: wait``), get, cancel, outputs.

It behaves like ``https://api.replicate.com`` for the models tryon declares::

    with ReplicateEmulator(pending_polls=2) as emu:
        created = requests.post(f"{emu.url}/v1/models/black-forest-labs/flux-schnell/predictions",
                                json={"input": {"prompt": "a fox"}},
                                headers={"Authorization": "Bearer any"}).json()
        # {"id": ..., "status": "starting", "urls": {"get": ..., "cancel": ...}, ...}

Prediction objects carry the fields of the official SDK's ``replicate.prediction.Prediction``
(``id``, ``model``, ``version``, ``status`` in starting/processing/succeeded/failed/canceled,
``input``, ``output``, ``logs``, ``error``, ``metrics``, ``created_at``, ``started_at``,
``completed_at``, ``urls``); errors are RFC 7807 problem details (``title``, ``detail``,
``status``), which is what the SDK's ``ReplicateError.from_response`` reads; a failed input
check is a 422 whose ``detail`` lists each field and which carries ``invalid_fields``.

Each model's input schema (:data:`MODEL_SCHEMAS`, transcribed from the models' Replicate API
pages, see ``tryon_replicate.models``) is enforced: types, enums, ranges, the prompt being
required and — stricter than the service — unknown fields refused, so a client that sends a field
the model does not have is caught. Outputs are real images (Pillow) of the size the inputs ask
for, served without a key from ``/delivery/...`` on this server; they can be made to expire.
``Prefer: wait=N`` answers the finished prediction at once unless ``pending_polls`` > 0, which
makes each prediction answer ``starting``/``processing`` to that many polls first. Scripted
fates: :meth:`fail_prediction_next`, :meth:`moderate_next`, :meth:`output_next`,
:meth:`expire_outputs_next`. Run ``python -m tryon_replicate.emulator`` to serve it standalone.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import math
import re
import secrets
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from fractions import Fraction
from http import HTTPStatus
from typing import Any

import attrs

from tryon.testing.server import EmulatorServer, RecordedRequest, Response, command_line, serve_until_interrupted
from tryon.testing.synth import synth_image

__all__ = ["MODEL_SCHEMAS", "Field", "ModelSchema", "ReplicateEmulator", "main"]

_PIL = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "webp": "webp"}
_MEDIA = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
_RATIO = re.compile(r"^(\d{1,3}):(\d{1,3})$")


@attrs.frozen
class Field:
    """One input of a model's schema."""

    kind: str  # string | integer | number | boolean | uri | uri-list
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_items: int | None = None


@attrs.frozen
class ModelSchema:
    """What one model's ``input`` accepts, and the shape of its output."""

    fields: Mapping[str, Field]
    output: str  # "uri" | "uri-list"
    default_format: str = "webp"
    default_ratio: str = "1:1"
    count: str | None = None  # the input holding the number of outputs
    images: str | None = None  # the input holding the reference images
    rules: tuple[str, ...] = ()


def _ratios(*values: str) -> tuple[str, ...]:
    return values


_SCHNELL_RATIOS = _ratios("1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21")
_KONTEXT_RATIOS = _ratios("match_input_image", "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "4:5", "5:4",
                          "21:9", "9:21", "2:1", "1:2")
_KONTEXT = ModelSchema(
    {"prompt": Field("string"), "input_image": Field("uri"), "aspect_ratio": Field("string", _KONTEXT_RATIOS),
     "output_format": Field("string", ("jpg", "png")), "seed": Field("integer"),
     "safety_tolerance": Field("integer", minimum=0, maximum=6), "prompt_upsampling": Field("boolean")},
    "uri", default_format="png", default_ratio="match_input_image", images="input_image",
    rules=("kontext-tolerance",))

MODEL_SCHEMAS: Mapping[str, ModelSchema] = {
    "black-forest-labs/flux-schnell": ModelSchema(
        {"prompt": Field("string"), "aspect_ratio": Field("string", _SCHNELL_RATIOS),
         "num_outputs": Field("integer", minimum=1, maximum=4),
         "num_inference_steps": Field("integer", minimum=1, maximum=4), "seed": Field("integer"),
         "output_format": Field("string", ("webp", "jpg", "png")),
         "output_quality": Field("integer", minimum=0, maximum=100), "disable_safety_checker": Field("boolean"),
         "go_fast": Field("boolean"), "megapixels": Field("string", ("1", "0.25"))},
        "uri-list", count="num_outputs"),
    "black-forest-labs/flux-1.1-pro": ModelSchema(
        {"prompt": Field("string"), "image_prompt": Field("uri"),
         "aspect_ratio": Field("string", ("custom", "1:1", "16:9", "3:2", "2:3", "4:5", "5:4", "9:16", "3:4", "4:3")),
         "width": Field("integer", minimum=256, maximum=1440), "height": Field("integer", minimum=256, maximum=1440),
         "safety_tolerance": Field("integer", minimum=1, maximum=6), "seed": Field("integer"),
         "prompt_upsampling": Field("boolean"), "output_format": Field("string", ("webp", "jpg", "png")),
         "output_quality": Field("integer", minimum=0, maximum=100)},
        "uri", rules=("custom-size-32",)),
    "black-forest-labs/flux-kontext-pro": _KONTEXT,
    "black-forest-labs/flux-kontext-max": _KONTEXT,
    "google/nano-banana-pro": ModelSchema(
        {"prompt": Field("string"), "image_input": Field("uri-list", max_items=14),
         "aspect_ratio": Field("string", ("match_input_image", "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4",
                                          "9:16", "16:9", "21:9")),
         "resolution": Field("string", ("1K", "2K", "4K")), "output_format": Field("string", ("jpg", "png")),
         "safety_filter_level": Field("string", ("block_low_and_above", "block_medium_and_above",
                                                 "block_only_high"))},
        "uri", default_format="jpg", default_ratio="match_input_image", images="image_input"),
    "bytedance/seedream-4": ModelSchema(
        {"prompt": Field("string"), "image_input": Field("uri-list", max_items=10),
         "size": Field("string", ("1K", "2K", "4K", "custom")),
         "aspect_ratio": Field("string", ("match_input_image", "1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3",
                                          "21:9")),
         "width": Field("integer", minimum=1024, maximum=4096), "height": Field("integer", minimum=1024, maximum=4096),
         "sequential_image_generation": Field("string", ("disabled", "auto")),
         "max_images": Field("integer", minimum=1, maximum=15), "enhance_prompt": Field("boolean")},
        "uri-list", default_format="jpeg", default_ratio="match_input_image", images="image_input"),
}
"""``owner/name`` -> input schema (from each model's API page on replicate.com, checked 2026-12-01)."""

_TIERS = {"1K": 1024, "2K": 2048, "4K": 4096}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def _kind_ok(field: Field, value: Any) -> bool:
    if field.kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if field.kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if field.kind == "boolean":
        return isinstance(value, bool)
    if field.kind == "uri-list":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, str)


def _uri_problem(value: str) -> str | None:
    if value.startswith(("http://", "https://")):
        return None
    if not value.startswith("data:") or ";base64," not in value:
        return "Does not match format 'uri'"
    try:
        base64.b64decode(value.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return "is not valid base64 data"
    return None


def validate_input(schema: ModelSchema, model_input: Any) -> list[tuple[str, str]]:
    """``(field, description)`` for each problem of *model_input* (empty: valid)."""
    if not isinstance(model_input, dict):
        return [("input", "Invalid type. Expected: object")]
    problems: list[tuple[str, str]] = []
    if not isinstance(model_input.get("prompt"), str) or not model_input.get("prompt"):
        problems.append(("input.prompt", "prompt is required"))
    for name, value in model_input.items():
        field = schema.fields.get(name)
        where = f"input.{name}"
        if field is None:
            problems.append((where, "Additional property is not allowed (emulator: stricter than the service)"))
            continue
        if not _kind_ok(field, value):
            problems.append((where, f"Invalid type. Expected: {field.kind}, given: {type(value).__name__}"))
            continue
        if field.choices is not None and value not in field.choices:
            problems.append((where, "must be one of the following: " + ", ".join(f'"{c}"' for c in field.choices)))
        if field.minimum is not None and value < field.minimum:
            problems.append((where, f"Must be greater than or equal to {field.minimum:g}"))
        if field.maximum is not None and value > field.maximum:
            problems.append((where, f"Must be less than or equal to {field.maximum:g}"))
        if field.kind in ("uri", "uri-list"):
            items = value if isinstance(value, list) else [value]
            if field.max_items is not None and len(items) > field.max_items:
                problems.append((where, f"Array must have at most {field.max_items} items"))
            for item in items:
                why = _uri_problem(item)
                if why:
                    problems.append((where, why))
    if "kontext-tolerance" in schema.rules and model_input.get("input_image") \
            and model_input.get("safety_tolerance", 2) > 2:
        problems.append(("input.safety_tolerance", "2 is the maximum allowed when input images are used"))
    if "custom-size-32" in schema.rules and model_input.get("aspect_ratio") == "custom":
        for name in ("width", "height"):
            if name not in model_input:
                problems.append((f"input.{name}", f"{name} is required when aspect_ratio=custom"))
    return problems


def _decode_first(urls: Sequence[str]) -> tuple[int, int] | None:
    """The size of the first data-URI image (URLs are not fetched)."""
    from PIL import Image

    for url in urls:
        if url.startswith("data:"):
            with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as img:
                return img.size
    return None


def _ratio_size(ratio: Fraction, pixels: int, multiple: int = 16) -> tuple[int, int]:
    width = math.sqrt(pixels * ratio)
    height = width / ratio
    return max(multiple, round(width / multiple) * multiple), max(multiple, round(height / multiple) * multiple)


@attrs.define
class _Prediction:
    id: str
    model: str
    schema: ModelSchema = attrs.field(repr=False)
    input: dict[str, Any]
    status: str = "starting"
    output: Any = None
    error: str | None = None
    polls_left: int = 0
    fate: tuple[str, Any] | None = None
    created_at: str = attrs.field(factory=_now)
    started_at: str | None = None
    completed_at: str | None = None
    version: str = "hidden"


class ReplicateEmulator(EmulatorServer):
    """Replicate's predictions API on 127.0.0.1 (see the module doc)."""

    provider = "replicate"

    def __init__(self, *, pending_polls: int = 0, versions: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pending_polls = pending_polls
        self.versions = dict(versions or {})  # version id -> owner/name, for POST /v1/predictions
        self._predictions: dict[str, _Prediction] = {}
        self._fates: deque[tuple[str, Any]] = deque()
        self._blobs: dict[str, tuple[bytes, str]] = {}
        self._expired: set[str] = set()
        self._state = threading.Lock()
        self.cancelled: list[str] = []
        self.answered: list[dict[str, Any]] = []
        """Every prediction object answered (create, get, cancel), in order."""
        self.route("POST", "/v1/models/{owner}/{name}/predictions", self._create_official)
        self.route("POST", "/v1/predictions", self._create_version)
        self.route("GET", "/v1/predictions/{id}", self._get)
        self.route("POST", "/v1/predictions/{id}/cancel", self._cancel)
        self.route("GET", "/delivery/{id}/{file}", self._deliver, api=False)

    # -- scripted fates ----------------------------------------------------
    def fail_prediction_next(self, error: str = "CUDA out of memory", times: int = 1) -> None:
        """The next predictions end ``failed`` with *error*."""
        self._fates.extend([("failed", error)] * times)

    def moderate_next(self, times: int = 1) -> None:
        """The next predictions end ``failed`` as the safety checker does."""
        self._fates.extend([("failed", "NSFW content detected. Try running it again, or try a different "
                                       "prompt.")] * times)

    def output_next(self, output: Any, times: int = 1) -> None:
        """The next predictions succeed with this literal ``output`` (to test malformed answers)."""
        self._fates.extend([("output", output)] * times)

    def poll_urls_next(self, get: str, cancel: str, times: int = 1) -> None:
        """The next predictions answer with these ``urls.get``/``urls.cancel`` (to test where a client goes)."""
        self._fates.extend([("urls", (get, cancel))] * times)

    def expire_outputs_next(self, times: int = 1) -> None:
        """The next predictions' outputs answer 404 (deleted, as Replicate does after an hour)."""
        self._fates.extend([("expire", None)] * times)

    def reset(self) -> None:
        super().reset()
        with self._state:
            self._predictions.clear()
            self._fates.clear()
            self._blobs.clear()
            self._expired.clear()
            self.cancelled.clear()
            self.answered.clear()

    @property
    def creates(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/predictions")]

    @property
    def polls(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "GET" and "/v1/predictions/" in r.path]

    @property
    def downloads(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith("/delivery/")]

    # -- provider hooks ------------------------------------------------------
    def error_body(self, status: int, code: str | None, message: str, *, param: str | None = None) -> Any:
        try:
            title = HTTPStatus(status).phrase
        except ValueError:
            title = "Error"
        return {"title": title, "detail": message, "status": status}

    default_messages: Mapping[int, str] = {
        429: "Request was throttled. Expected available in 1 second.",
        401: "You did not pass a valid authentication token",
    }

    def unauthorized(self, api_key: str | None) -> Response:
        return self.error_response(401, "You did not pass a valid authentication token")

    def moderation_response(self, request: RecordedRequest) -> Response:
        return self.error_response(422, "The input was flagged as sensitive.")

    # -- routes -------------------------------------------------------------
    def _problem(self, status: int, title: str, detail: str, **extra: Any) -> Response:
        return Response.json({"title": title, "detail": detail, "status": status, **extra}, status)

    def _create_official(self, request: RecordedRequest) -> Response:
        slug = f"{request.path_params['owner']}/{request.path_params['name']}"
        return self._create(request, slug)

    def _create_version(self, request: RecordedRequest) -> Response:
        version = request.params.get("version") if isinstance(request.params, dict) else None
        slug = self.versions.get(version) if isinstance(version, str) else None
        if slug is None:
            return self._problem(422, "Invalid version or not permitted",
                                 "The specified version does not exist (or perhaps you don't have permission "
                                 "to use it?)")
        return self._create(request, slug, version=str(version))

    def _create(self, request: RecordedRequest, slug: str, version: str = "hidden") -> Response:
        schema = MODEL_SCHEMAS.get(slug)
        if schema is None:
            return self._problem(404, "Not found", "The requested resource could not be found.")
        body = request.params
        if request.parse_error is not None or not isinstance(body, dict):
            return self._problem(400, "Bad request", "The request body is not a JSON object.")
        stray = sorted(set(body) - {"input", "version", "webhook", "webhook_events_filter", "stream"})
        problems = [(name, "Additional property is not allowed") for name in stray]
        problems += validate_input(schema, body.get("input"))
        if problems:
            detail = "".join(f"- {field}: {text}\n" for field, text in problems)
            return self._problem(422, "Input validation failed", detail,
                                 invalid_fields=[{"type": "invalid", "field": f, "description": t}
                                                 for f, t in problems])
        with self._state:
            prediction = _Prediction(self._new_id(), slug, schema, dict(body["input"]), version=version,
                                     polls_left=self.pending_polls,
                                     fate=self._fates.popleft() if self._fates else None)
            self._predictions[prediction.id] = prediction
        wait = self._prefer_wait(request.header("prefer"))
        if wait and prediction.polls_left == 0:
            self._finish(prediction)
        return Response.json(self._view(prediction, request), 201)

    @staticmethod
    def _prefer_wait(header: str | None) -> int | None:
        if not header:
            return None
        match = re.fullmatch(r"\s*wait(?:=(\d+))?\s*", header)
        if match is None:
            return None
        return int(match.group(1) or 60)

    def _get(self, request: RecordedRequest) -> Response:
        with self._state:
            prediction = self._predictions.get(request.path_params["id"])
        if prediction is None:
            return self._problem(404, "Not found", "The requested resource could not be found.")
        with self._state:
            if prediction.status in ("starting", "processing"):
                if prediction.polls_left > 0:
                    prediction.polls_left -= 1
                    prediction.status, prediction.started_at = "processing", prediction.started_at or _now()
                else:
                    self._finish(prediction)
        return Response.json(self._view(prediction, request))

    def _cancel(self, request: RecordedRequest) -> Response:
        with self._state:
            prediction = self._predictions.get(request.path_params["id"])
        if prediction is None:
            return self._problem(404, "Not found", "The requested resource could not be found.")
        if prediction.status in ("starting", "processing"):
            prediction.status, prediction.completed_at = "canceled", _now()
            self.cancelled.append(prediction.id)
        return Response.json(self._view(prediction, request))

    def _deliver(self, request: RecordedRequest) -> Response:
        key = f"{request.path_params['id']}/{request.path_params['file']}"
        blob = self._blobs.get(key)
        if blob is None or request.path_params["id"] in self._expired:
            return Response.json({"detail": "Not found"}, 404)
        return Response(status=200, body=blob[0], content_type=blob[1])

    # -- predictions ---------------------------------------------------------
    def _new_id(self) -> str:
        return "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(26))

    def _view(self, p: _Prediction, request: RecordedRequest) -> dict[str, Any]:
        base = self._origin(request)
        get, cancel = f"{base}/v1/predictions/{p.id}", f"{base}/v1/predictions/{p.id}/cancel"
        if p.fate is not None and p.fate[0] == "urls":
            get, cancel = p.fate[1]
        view = {
            "id": p.id, "model": p.model, "version": p.version, "input": p.input, "logs": "", "output": p.output,
            "data_removed": False, "error": p.error, "status": p.status, "source": "api",
            "created_at": p.created_at, "started_at": p.started_at, "completed_at": p.completed_at,
            "metrics": {"predict_time": 0.01} if p.status == "succeeded" else {},
            "urls": {"get": get, "cancel": cancel, "web": f"https://replicate.com/p/{p.id}"},
        }
        self.answered.append(view)
        return view

    def _origin(self, request: RecordedRequest) -> str:
        host = request.header("host")
        return f"http://{host}" if host else self.url

    def _finish(self, p: _Prediction) -> None:
        p.started_at = p.started_at or _now()
        p.completed_at = _now()
        fate = p.fate
        if fate is not None and fate[0] == "failed":
            p.status, p.error = "failed", str(fate[1])
            return
        if fate is not None and fate[0] == "output":
            p.status, p.output = "succeeded", fate[1]
            return
        if fate is not None and fate[0] == "expire":
            self._expired.add(p.id)
        urls = []
        for index, (data, fmt) in enumerate(self._render(p)):
            name = f"out-{index}.{'jpg' if fmt == 'jpeg' else fmt}"
            self._blobs[f"{p.id}/{name}"] = (data, _MEDIA[fmt])
            urls.append(f"{self.url}/delivery/{p.id}/{name}")
        p.status = "succeeded"
        p.output = urls if p.schema.output == "uri-list" else urls[0]

    def _render(self, p: _Prediction) -> list[tuple[bytes, str]]:
        inp, schema = p.input, p.schema
        fmt = _PIL[str(inp.get("output_format", schema.default_format))]
        count = int(inp.get(schema.count, 1)) if schema.count else 1
        width, height = self._size(p)
        seed = inp.get("seed", 0)
        return [(synth_image(width, height, fmt, transparent=False, seed_text=f"{p.id}-{seed}-{i}"), fmt)
                for i in range(count)]

    def _size(self, p: _Prediction) -> tuple[int, int]:
        inp, schema = p.input, p.schema
        if inp.get("aspect_ratio") == "custom" or inp.get("size") == "custom":
            width, height = int(inp.get("width", 2048)), int(inp.get("height", 2048))
            return (width // 32 * 32, height // 32 * 32) if "custom-size-32" in schema.rules else (width, height)
        ratio_text = str(inp.get("aspect_ratio", schema.default_ratio))
        pixels = 1024 * 1024
        if inp.get("megapixels") == "0.25":
            pixels //= 4
        tier = inp.get("resolution") or inp.get("size")
        if tier in _TIERS:
            pixels = _TIERS[tier] ** 2
        elif schema.images == "image_input" and "size" in schema.fields:
            pixels = _TIERS["2K"] ** 2  # seedream's default size
        match = _RATIO.match(ratio_text)
        if match:
            ratio = Fraction(int(match.group(1)), int(match.group(2)))
        else:  # match_input_image
            images = inp.get(schema.images) if schema.images else None
            first = _decode_first(images if isinstance(images, list) else [images] if images else [])
            ratio = Fraction(first[0], first[1]) if first else Fraction(1)
        return _ratio_size(ratio, pixels)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the emulator until Ctrl-C."""
    parser = command_line("python -m tryon_replicate.emulator", "Serve a local emulator of Replicate's API.")
    parser.add_argument("--pending-polls", type=int, default=0, help="polls answered 'processing' per prediction")
    args = parser.parse_args(argv)
    emulator = ReplicateEmulator(host=args.host, port=args.port, latency=args.latency,
                                 pending_polls=args.pending_polls, require_key=not args.no_require_key)
    return serve_until_interrupted(emulator, "Replicate API emulator listening on {url}",
                                   "export REPLICATE_BASE_URL={url} REPLICATE_API_TOKEN=emulator-key",
                                   verbose=args.verbose)


if __name__ == "__main__":
    raise SystemExit(main())

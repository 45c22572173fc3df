"""A local emulator of the FASHN API: ``POST /v1/run``, ``GET /v1/status/{id}``, CDN outputs.

It behaves like ``https://api.fashn.ai`` for the try-on models tryon serves::

    with FashnEmulator(pending_polls=2) as emu:
        run = requests.post(f"{emu.url}/v1/run", headers={"Authorization": "Bearer any"}, json={
            "model_name": "tryon-v1.6",
            "inputs": {"model_image": "data:image/png;base64,...", "garment_image": "data:image/png;base64,..."},
        }).json()                                  # {"id": "...", "error": null}
        requests.get(f"{emu.url}/v1/status/{run['id']}", headers=...).json()
        # starting, in_queue, processing, then {"status": "completed", "output": ["http://.../cdn/..."]}

What it checks is FASHN's documentation as of 2026-12-01 (docs.fashn.ai: API fundamentals,
error handling, the tryon-v1.6 and tryon-max references) and the official ``fashn`` SDK's
request types (0.9.0): the envelope (``model_name``, ``inputs``, ``webhook_url``), each model's
inputs with their enums and ranges (``num_samples``/``num_images`` 1-4, seed 0 to 2**32-1),
image inputs as an http(s) URL or a ``data:image/<type>;base64,`` URL (base64 without the prefix
fails the prediction with ``ImageLoadError``, as FASHN documents). Unlike the service it also
refuses unknown ``inputs`` fields, so a client that sends a field the model does not have is
caught. Image URLs are not fetched (the emulator never goes online): the result then has the
model's processing size.

Answers take FASHN's shapes: API-level errors ``{"error": "<Name>", "message": "..."}`` with
400 BadRequest, 401 UnauthorizedAccess, 404 NotFound, 429 RateLimitExceeded /
ConcurrencyLimitExceeded / OutOfCredits, 500 InternalServerError; a failed prediction is
``{"status": "failed", "error": {"name", "message"}}``. The final status answer carries the
``x-fashn-credits-used`` header. Outputs are real images (Pillow) served from ``/cdn/...``
without a key (or a second server with ``separate_cdn=True``), or data URLs with
``return_base64``. Fates can be scripted: :meth:`fail_prediction_next` (any documented error
name), :meth:`moderate_next`, :meth:`cancel_next`, :meth:`time_out_next`, :meth:`out_of_credits_next`,
:meth:`fail_poll_next`, :meth:`answer_status_next`. Run ``tryon emulator --provider fashn`` to serve it standalone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import math
import secrets
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from tryon.testing.server import EmulatorServer, RecordedRequest, Response, command_line, serve_until_interrupted

__all__ = ["ERROR_NAMES", "MODEL_INPUTS", "FashnCDN", "FashnEmulator", "InputField", "main", "max_credits"]

SEED_MAX = 2**32 - 1
ERROR_NAMES = ("ImageLoadError", "ContentModerationError", "PoseError", "InputValidationError", "PipelineError",
               "ThirdPartyError", "3rdPartyProviderError", "InternalServerError", "PollingTimeout")
_RATIOS = ("21:9", "1:1", "4:3", "3:2", "2:3", "5:4", "4:5", "3:4", "16:9", "9:16")
_MEDIA = {"png": "image/png", "jpeg": "image/jpeg"}


@attrs.frozen
class InputField:
    """One field of a model's ``inputs``."""

    kind: str  # image | string | enum | integer | boolean
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


_IMAGE = InputField("image", required=True)
_FORMAT = InputField("enum", choices=("png", "jpeg"))
_SEED = InputField("integer", minimum=0, maximum=SEED_MAX)
_COUNT = InputField("integer", minimum=1, maximum=4)
_BOOL = InputField("boolean")

#: ``model_name`` -> its ``inputs`` (FASHN's API reference pages, the SDK's ``TryOnRequestInputs`` and
#: ``TryOnMaxRequestInputs``).
MODEL_INPUTS: Mapping[str, Mapping[str, InputField]] = {
    "tryon-v1.6": {
        "model_image": _IMAGE,
        "garment_image": _IMAGE,
        "category": InputField("enum", choices=("auto", "tops", "bottoms", "one-pieces")),
        "garment_photo_type": InputField("enum", choices=("auto", "flat-lay", "model")),
        "mode": InputField("enum", choices=("performance", "balanced", "quality")),
        "moderation_level": InputField("enum", choices=("conservative", "permissive", "none")),
        "segmentation_free": _BOOL,
        "num_samples": _COUNT,
        "seed": _SEED,
        "output_format": _FORMAT,
        "return_base64": _BOOL,
    },
    "tryon-max": {
        "model_image": _IMAGE,
        "product_image": _IMAGE,
        "prompt": InputField("string"),
        "aspect_ratio": InputField("enum", choices=_RATIOS),
        "resolution": InputField("enum", choices=("1k", "2k", "4k")),
        "generation_mode": InputField("enum", choices=("balanced", "quality")),
        "num_images": _COUNT,
        "seed": _SEED,
        "output_format": _FORMAT,
        "return_base64": _BOOL,
    },
}
#: The field that asks for several outputs, per model.
_COUNT_FIELD = {"tryon-v1.6": "num_samples", "tryon-max": "num_images"}
#: Pixels per output for tryon-max's resolution tiers (FASHN's help: 1K ~1 MP, 2K ~4 MP, 4K ~16 MP).
_TIER_PIXELS = {"1k": 1024 * 1024, "2k": 4 * 1024 * 1024, "4k": 16 * 1024 * 1024}
#: tryon-v1.6 processes at 864x1296 (its reference page).
V16_SIZE = (864, 1296)


def credits_per_image(model: str, inputs: Mapping[str, Any]) -> int:
    """What the emulator bills per output image.

    tryon-v1.6: 1 credit (FASHN's reference). tryon-max: FASHN says "2-5 per output image depending
    on resolution and generation_mode" without a published table; the emulator bills 2 (1k), 3 (2k),
    4 (4k), plus 1 in ``quality`` mode: an assumption inside the documented range.
    """
    if model == "tryon-v1.6":
        return 1
    tier = {"1k": 2, "2k": 3, "4k": 4}[inputs.get("resolution") or "1k"]
    return tier + (1 if inputs.get("generation_mode") == "quality" else 0)


def max_credits(model: str) -> int:
    """The most one output image of *model* can cost at the emulator."""
    return 1 if model == "tryon-v1.6" else 5


class _BadRequest(Exception):
    pass


@attrs.frozen
class _Image:
    data: bytes | None  # None: given as a URL (not fetched)
    width: int
    height: int


def _decode(name: str, value: Any) -> _Image | str:
    """An image input: decoded, or the ``ImageLoadError`` message FASHN's pipeline would give."""
    from PIL import Image

    if not isinstance(value, str) or not value:
        raise _BadRequest(f"inputs.{name} must be an image URL or a base64 data URL")
    if value.startswith(("http://", "https://")):
        return _Image(None, *V16_SIZE)
    if value.startswith("saved:"):
        return _Image(None, *V16_SIZE)
    if not value.startswith("data:image/"):
        return (f"Unable to load {name}: base64 images must include the data:image/<format>;base64, prefix"
                if not value.startswith("data:") else f"Unable to load {name}: not an image data URL")
    header, _, payload = value.partition(",")
    if not header.endswith(";base64"):
        return f"Unable to load {name}: the data URL is not base64"
    try:
        data = base64.b64decode(payload, validate=True)
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            return _Image(data, img.width, img.height)
    except (binascii.Error, ValueError, OSError):
        return f"Unable to load {name}: the image could not be decoded"


def validate_run(body: Any) -> tuple[str, dict[str, Any]]:
    """``(model_name, inputs)`` of a valid run body; raises ``_BadRequest`` naming the problem."""
    if not isinstance(body, dict):
        raise _BadRequest("the request body must be a JSON object")
    extra = sorted(set(body) - {"model_name", "inputs", "webhook_url"})
    if extra:
        raise _BadRequest(f"unknown top-level field(s): {', '.join(extra)}")
    model = body.get("model_name")
    if not isinstance(model, str) or model not in MODEL_INPUTS:
        raise _BadRequest(f"model_name must be one of {', '.join(MODEL_INPUTS)}; got {model!r}")
    inputs = body.get("inputs")
    if not isinstance(inputs, dict):
        raise _BadRequest("inputs is required and must be an object")
    fields = MODEL_INPUTS[model]
    problems = [f"inputs.{n} is required" for n, f in fields.items() if f.required and n not in inputs]
    for name, value in inputs.items():
        field = fields.get(name)
        if field is None:
            problems.append(f"inputs.{name} is not a parameter of {model}")
        elif field.kind == "enum" and value not in field.choices:
            problems.append(f"inputs.{name} must be one of {', '.join(map(repr, field.choices))}; got {value!r}")
        elif field.kind == "boolean" and not isinstance(value, bool):
            problems.append(f"inputs.{name} must be a boolean")
        elif field.kind == "string" and not isinstance(value, str):
            problems.append(f"inputs.{name} must be a string")
        elif field.kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(f"inputs.{name} must be an integer")
            elif not field.minimum <= value <= field.maximum:  # type: ignore[operator]
                problems.append(f"inputs.{name} must be from {field.minimum} to {field.maximum}; got {value}")
        elif field.kind == "image" and (not isinstance(value, str) or not value):
            problems.append(f"inputs.{name} must be an image URL or a base64 data URL")
    if problems:
        raise _BadRequest("; ".join(problems))
    webhook = body.get("webhook_url")
    if webhook is not None and (not isinstance(webhook, str) or not webhook.startswith(("http://", "https://"))):
        raise _BadRequest("webhook_url must be an http(s) URL")
    return model, inputs


@attrs.define
class _Prediction:
    id: str
    model: str
    fate: str  # completed | an error name | canceled | time_out
    outputs: list[str]
    credits: int
    polls: int = 0
    message: str = ""


class _CDN:
    """Output images by name (no key needed, like FASHN's CDN)."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.Lock()

    def put(self, name: str, data: bytes, media_type: str) -> None:
        with self._lock:
            self._files[name] = (data, media_type)

    def clear(self) -> None:
        with self._lock:
            self._files.clear()

    def serve(self, request: RecordedRequest) -> Response:
        with self._lock:
            item = self._files.get(request.path_params.get("name", ""))
        if item is None:
            return Response(404, b"Not Found", "text/plain")
        return Response(200, item[0], item[1])


class FashnCDN(EmulatorServer):
    """A second server standing for FASHN's CDN: ``GET /cdn/<name>``, no key."""

    provider = "fashn-cdn"

    def __init__(self, store: _CDN, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port, require_key=False)
        self.route("GET", "/cdn/{name}", store.serve, api=False)


class FashnEmulator(EmulatorServer):
    """FASHN API emulator. ``pending_polls`` polls answer a running status (``starting``, then
    ``in_queue``, then ``processing``) before a prediction is final; ``separate_cdn`` serves outputs
    from a second server (:attr:`cdn`)."""

    provider = "fashn"
    request_id_header = "x-request-id"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, require_key: bool = True,
                 api_keys: Sequence[str] | None = None, latency: float = 0.0, pending_polls: int = 3,
                 separate_cdn: bool = False) -> None:
        super().__init__(host=host, port=port, require_key=require_key, api_keys=api_keys, latency=latency)
        if pending_polls < 0:
            raise ValueError("pending_polls must not be negative")
        self.pending_polls = pending_polls
        self.report_credits = True
        self._predictions: dict[str, _Prediction] = {}
        self._fates: deque[tuple[str, str]] = deque()
        self._poll_faults: deque[tuple[int, Any]] = deque()
        self._plock = threading.Lock()
        self._store = _CDN()
        self.cdn: FashnCDN | None = FashnCDN(self._store, host=host) if separate_cdn else None
        if self.cdn is None:
            self.route("GET", "/cdn/{name}", self._store.serve, api=False)
        self.answers: list[tuple[RecordedRequest, Response]] = []
        """Every run and status request with its answer (for checks against the SDK's types)."""
        self.route("POST", "/v1/run", self._logged(self._run))
        self.route("GET", "/v1/status/{id}", self._logged(self._status))

    def _logged(self, handler: Any) -> Any:
        def answer(request: RecordedRequest) -> Response:
            response: Response = handler(request)
            with self._plock:
                self.answers.append((request, response))
            return response
        return answer

    def start(self) -> FashnEmulator:
        if self.cdn is not None:
            self.cdn.start()
        super().start()
        return self

    def stop(self) -> None:
        super().stop()
        if self.cdn is not None:
            self.cdn.stop()

    def __enter__(self) -> FashnEmulator:
        return self.start()

    @property
    def cdn_url(self) -> str:
        return self.cdn.url if self.cdn is not None else self.url

    # -- scripted fates --------------------------------------------------
    def fail_prediction_next(self, name: str = "PipelineError", message: str | None = None, *, times: int = 1) -> None:
        """The next *times* predictions end ``failed`` with ``error.name`` *name* (one of :data:`ERROR_NAMES`)."""
        if name not in ERROR_NAMES:
            raise ValueError(f"name must be one of {', '.join(ERROR_NAMES)}")
        self._queue_fate(name, message or f"{name}: the emulator was told to fail this prediction", times)

    def moderate_next(self, times: int = 1) -> None:
        """The next *times* predictions fail with ``ContentModerationError``."""
        self.fail_prediction_next("ContentModerationError", "Prohibited content detected in garment image",
                                  times=times)

    def cancel_next(self, times: int = 1) -> None:
        """The next *times* predictions end ``canceled``."""
        self._queue_fate("canceled", "The prediction was canceled", times)

    def time_out_next(self, times: int = 1) -> None:
        """The next *times* predictions end ``time_out``."""
        self._queue_fate("time_out", "The prediction timed out", times)

    def out_of_credits_next(self, times: int = 1) -> None:
        """The next *times* runs answer 429 ``OutOfCredits``."""
        self.fail_next(429, times=times, code="OutOfCredits", message="No API credits remaining")

    def answer_status_next(self, answer: Mapping[str, Any], *, times: int = 1) -> None:
        """The next *times* status polls answer 200 with *answer* as it is (to test broken answers)."""
        with self._plock:
            self._poll_faults.extend([(200, dict(answer))] * times)

    def fail_poll_next(self, status: int, *, times: int = 1, name: str = "InternalServerError") -> None:
        """The next *times* status polls answer HTTP *status* with error *name*."""
        with self._plock:
            self._poll_faults.extend([(status, name)] * times)

    def _queue_fate(self, fate: str, message: str, times: int) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._plock:
            self._fates.extend([(fate, message)] * times)

    def reset(self) -> None:
        super().reset()
        with self._plock:
            self._fates.clear()
            self._poll_faults.clear()
            self._predictions.clear()
            self.answers.clear()
        self._store.clear()

    @property
    def runs(self) -> list[RecordedRequest]:
        return self.requests_to("/v1/run", "POST")

    @property
    def polls(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "GET" and r.path.startswith("/v1/status/")]

    # -- provider hooks --------------------------------------------------
    default_messages = {
        400: "Invalid request format",
        404: "Resource not found",
        429: "Too many requests in the window",
        500: "Internal server error",
    }
    _ERROR_NAMES = {400: "BadRequest", 401: "UnauthorizedAccess", 404: "NotFound", 429: "RateLimitExceeded",
                    500: "InternalServerError"}

    def error_body(self, status: int, code: str | None, message: str, *, param: str | None = None) -> Any:
        return {"error": code or self._ERROR_NAMES.get(status, "InternalServerError"), "message": message}

    def unauthorized(self, api_key: str | None) -> Response:
        return self.error_response(401, "Unauthorized: Invalid token", code="UnauthorizedAccess")

    def moderation_response(self, request: RecordedRequest) -> Response:
        return self.error_response(400, "Prohibited content detected", code="BadRequest")

    def new_request_id(self) -> str:
        return secrets.token_hex(12)

    # -- handlers --------------------------------------------------------
    def _run(self, request: RecordedRequest) -> Response:
        if request.parse_error or not request.content_type.lower().startswith("application/json"):
            return self.error_response(400, f"Invalid JSON body ({request.parse_error or 'not JSON'})")
        try:
            model, inputs = validate_run(request.params)
        except _BadRequest as exc:
            return self.error_response(400, str(exc))
        with self._plock:
            fate, message = self._fates.popleft() if self._fates else ("completed", "")
        images = {name: _decode(name, inputs[name]) for name, f in MODEL_INPUTS[model].items() if f.kind == "image"}
        failed = next((m for m in images.values() if isinstance(m, str)), None)
        if failed is not None and fate == "completed":
            fate, message = "ImageLoadError", failed
        prediction_id = f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}-" \
                        f"{secrets.token_hex(6)}-u1"
        count = inputs.get(_COUNT_FIELD[model]) or 1
        outputs: list[str] = []
        if fate == "completed":
            outputs = self._render(prediction_id, model, inputs, images, count, request)  # type: ignore[arg-type]
        credits = credits_per_image(model, inputs) * count if fate == "completed" else 0
        with self._plock:
            self._predictions[prediction_id] = _Prediction(prediction_id, model, fate, outputs, credits,
                                                           message=message)
        return Response.json({"id": prediction_id, "error": None})

    def _render(self, prediction_id: str, model: str, inputs: Mapping[str, Any], images: Mapping[str, _Image],
                count: int, request: RecordedRequest) -> list[str]:
        from tryon.testing.synth import synth_image

        fmt = inputs.get("output_format") or "png"
        person = images["model_image"]
        width, height = V16_SIZE if model == "tryon-v1.6" else self._max_size(inputs, person)
        digest = "|".join(hashlib.sha256(i.data or b"url").hexdigest()[:16] for i in images.values())
        outputs = []
        for index in range(count):
            data = synth_image(width, height, fmt, transparent=False,
                               seed_text=f"{model}|{inputs.get('seed')}|{index}|{digest}")
            if inputs.get("return_base64"):
                outputs.append(f"data:{_MEDIA[fmt]};base64,{base64.b64encode(data).decode()}")
            else:
                name = f"{prediction_id}-{index}.{'jpg' if fmt == 'jpeg' else fmt}"
                self._store.put(name, data, _MEDIA[fmt])
                outputs.append(f"{self.cdn_url if self.cdn is not None else self._origin(request)}/cdn/{name}")
        return outputs

    @staticmethod
    def _max_size(inputs: Mapping[str, Any], person: _Image) -> tuple[int, int]:
        pixels = _TIER_PIXELS[inputs.get("resolution") or "1k"]
        ratio_text = inputs.get("aspect_ratio")
        if ratio_text:
            w, h = (int(x) for x in ratio_text.split(":"))
            ratio = w / h
        else:
            ratio = person.width / person.height
        width = max(16, round(math.sqrt(pixels * ratio) / 16) * 16)
        height = max(16, round(math.sqrt(pixels / ratio) / 16) * 16)
        return width, height

    def _origin(self, request: RecordedRequest) -> str:
        host = (request.header("host") or "").strip()
        port = self.url.rsplit(":", 1)[-1]
        name, _, given = host.rpartition(":")
        if not name or given != port or any(c in name for c in "/\\@?# "):
            return self.url
        return f"http://{name}:{port}"

    def _status(self, request: RecordedRequest) -> Response:
        with self._plock:
            fault = self._poll_faults.popleft() if self._poll_faults else None
        if fault is not None:
            if fault[0] == 200:
                return Response.json(fault[1])
            return self.error_response(fault[0], self.default_error(fault[0], None)[1], code=fault[1])
        prediction_id = request.path_params.get("id", "")
        with self._plock:
            prediction = self._predictions.get(prediction_id)
            if prediction is not None:
                prediction.polls += 1
        if prediction is None:
            return self.error_response(404, f"Prediction {prediction_id} not found", code="NotFound")
        if prediction.polls <= self.pending_polls:
            running = ("starting", "in_queue", "processing")
            status = running[min(len(running) - 1, (prediction.polls - 1) * len(running) // max(1, self.pending_polls))]
            return Response.json({"id": prediction.id, "status": status, "output": None, "error": None})
        headers = {"x-fashn-credits-used": str(prediction.credits)} if self.report_credits else {}
        if prediction.fate == "completed":
            return Response.json({"id": prediction.id, "status": "completed", "output": prediction.outputs,
                                  "error": None}, headers=headers)
        if prediction.fate in ("canceled", "time_out"):
            return Response.json({"id": prediction.id, "status": prediction.fate, "output": None,
                                  "error": None}, headers=headers)
        return Response.json({"id": prediction.id, "status": "failed", "output": None,
                              "error": {"name": prediction.fate, "message": prediction.message}}, headers=headers)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the emulator until Ctrl-C."""
    parser = command_line("python -m tryon.testing.fashn_emulator", "Serve a local emulator of the FASHN API.")
    parser.add_argument("--pending-polls", type=int, default=3, help="polls answered with a running status")
    args = parser.parse_args(argv)
    emulator = FashnEmulator(host=args.host, port=args.port, latency=args.latency, pending_polls=args.pending_polls,
                             require_key=not args.no_require_key)
    return serve_until_interrupted(
        emulator, "FASHN API emulator listening on {url}",
        "export FASHN_BASE_URL={url} FASHN_API_KEY=emulator-key", verbose=args.verbose)


if __name__ == "__main__":
    raise SystemExit(main())

"""A local emulator of the Black Forest Labs (FLUX) API: submit, poll, download.

It behaves like ``https://api.bfl.ai`` for the models tryon serves::

    with BFLEmulator(pending_polls=2) as emu:
        submit = requests.post(f"{emu.url}/v1/flux-2-pro", json={"prompt": "a fox"},
                               headers={"x-key": "any"}).json()
        # {"id": ..., "polling_url": ".../v1/get_result?id=...", "cost": 3.0, ...}
        requests.get(submit["polling_url"], headers={"x-key": "any"}).json()  # Pending, then Ready

Every submit body is validated strictly (no unknown keys) against BFL's vendored OpenAPI document
(``plugins/tryon_flux/openapi/``, read as data: the emulator never imports the plugin), after the
emulator's own FastAPI-shaped checks of the rules of BFL's OpenAPI schemas (``Flux2Inputs``,
``Flux2FlexInputs``, ``FluxKontextProInputs``, ``FluxProFillInputs``) plus the documented
service rules (FLUX.2 sizes in multiples of 16 up to 4 MP, Kontext ratios between 21:9
and 9:21, Fill's mask matching its image); failures answer FastAPI's 422
``{"detail": [{"loc", "msg", "type"}]}``. Unlike the service it also refuses unknown fields
(``extra_forbidden``), so a client that sends a field the model does not have is caught.

Results are real images (Pillow) served from a delivery path, by default on this server,
or on a second server (``separate_delivery=True``) so tests can prove the API key never
goes there. Fill edits only where its mask is white. Task fates can be scripted:
:meth:`moderate_next`, :meth:`fail_task_next`, :meth:`expire_next`, :meth:`lose_task_next`,
:meth:`fail_poll_next`; the base class adds ``fail_next``/``slow_next``/``malformed_next``.
Run ``python -m tryon.testing.bfl_emulator`` to serve it standalone.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import importlib.util
import io
import logging
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from tryon.testing.openapi import OpenAPIDocument, SchemaProblem
from tryon.testing.server import EmulatorServer, RecordedRequest, Response, command_line, serve_until_interrupted

__all__ = ["MODEL_SCHEMAS", "BFLDelivery", "BFLEmulator", "Field", "ModelSchema", "bfl_openapi", "main"]

log = logging.getLogger(__name__)

MP = 1_000_000
BILLED_MP = 1024 * 1024
MAX_FLUX2_PIXELS = 4 * 1024 * 1024
KONTEXT_PIXELS = 1024 * 1024
#: FLUX VTO uses inputs up to 2 megapixels as they are and downscales larger ones to about 1 MP.
VTO_AS_IS_PIXELS = 2 * MP
_FORMATS = ("jpeg", "png", "webp")
_MEDIA = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


# -- the service's truth ----------------------------------------------------
@attrs.frozen
class Field:
    """One body field of a BFL input schema."""

    kind: str  # string | integer | number | boolean | format
    nullable: bool = True
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None


@attrs.frozen
class ModelSchema:
    """What one submit endpoint accepts, and how the emulator answers it."""

    family: str  # flux2 | kontext | fill | vto | expand
    fields: Mapping[str, Field]
    required: frozenset[str]
    default_format: str
    max_input_images: int = 0
    first_mp_credits: float = 0.0
    extra_mp_credits: float = 0.0
    flat_credits: float | None = None


def _images(count: int) -> dict[str, Field]:
    return {("input_image" if i == 1 else f"input_image_{i}"): Field("string") for i in range(1, count + 1)}


_COMMON = {
    "prompt": Field("string", nullable=False),
    "seed": Field("integer"),
    "output_format": Field("format"),
    "webhook_url": Field("string", max_length=2083),
    "webhook_secret": Field("string"),
}
_FLUX2 = {
    **_COMMON,
    **_images(8),
    "width": Field("integer", minimum=64),
    "height": Field("integer", minimum=64),
    "safety_tolerance": Field("integer", nullable=False, minimum=0, maximum=5),
}
_KLEIN = {name: field for name, field in _FLUX2.items()
          if not name.startswith("input_image") or name in _images(4)}
_FLEX = {
    **_FLUX2,
    "prompt_upsampling": Field("boolean"),
    "input_image_blob_path": Field("string"),
    "guidance": Field("number", minimum=1.5, maximum=10),
    "steps": Field("integer", minimum=1, maximum=50),
}
_KONTEXT = {
    **_COMMON,
    **_images(4),
    "aspect_ratio": Field("string"),
    "prompt_upsampling": Field("boolean", nullable=False),
    "safety_tolerance": Field("integer", nullable=False, minimum=0, maximum=6),
}
_FILL = {
    **_COMMON,
    "prompt": Field("string"),
    "image": Field("string", nullable=False),
    "mask": Field("string"),
    "steps": Field("integer", minimum=15, maximum=50),
    "prompt_upsampling": Field("boolean"),
    "guidance": Field("number", minimum=1.5, maximum=100),
    "safety_tolerance": Field("integer", nullable=False, minimum=0, maximum=6),
}
_ERASE = {
    "image": Field("string", nullable=False),
    "mask": Field("string", nullable=False),
    "dilate_pixels": Field("integer", nullable=False, minimum=0, maximum=25),
    "seed": Field("integer"),
    "safety_tolerance": Field("integer", nullable=False, minimum=0, maximum=5),
    "output_format": Field("format"),
}
_VTO = {
    "prompt": Field("string", nullable=False),
    "person": Field("string", nullable=False),
    "garment": Field("string", nullable=False),
    "seed": Field("integer"),
    "safety_tolerance": Field("integer", nullable=False, minimum=0, maximum=5),
    "output_format": Field("format"),
    "webhook_url": Field("string", max_length=2083),
    "webhook_secret": Field("string"),
}
_EXPAND = {
    **_COMMON,
    "prompt": Field("string"),
    "image": Field("string", nullable=False),
    **{side: Field("integer", minimum=0, maximum=2048) for side in ("top", "bottom", "left", "right")},
    "steps": Field("integer", minimum=15, maximum=50),
    "prompt_upsampling": Field("boolean"),
    "guidance": Field("number", minimum=1.5, maximum=100),
    "safety_tolerance": Field("integer", nullable=False, minimum=0, maximum=6),
}
_PROMPT = frozenset({"prompt"})

#: Submit endpoint (``/v1/<name>``) -> schema; prices in credits (1 credit = $0.01).
MODEL_SCHEMAS: dict[str, ModelSchema] = {
    "flux-2-pro": ModelSchema("flux2", _FLUX2, _PROMPT, "jpeg", 8, 3.0, 1.5),
    "flux-2-pro-preview": ModelSchema("flux2", _FLUX2, _PROMPT, "jpeg", 8, 3.0, 1.5),
    "flux-2-max": ModelSchema("flux2", _FLUX2, _PROMPT, "jpeg", 8, 7.0, 3.0),
    "flux-2-flex": ModelSchema("flux2", _FLEX, _PROMPT, "jpeg", 8, 5.0, 5.0),
    "flux-2-klein-4b": ModelSchema("flux2", _KLEIN, _PROMPT, "jpeg", 4, 1.4, 0.1),
    "flux-2-klein-9b": ModelSchema("flux2", _KLEIN, _PROMPT, "jpeg", 4, 1.5, 0.2),
    "flux-kontext-pro": ModelSchema("kontext", _KONTEXT, _PROMPT, "png", 4, flat_credits=4.0),
    "flux-kontext-max": ModelSchema("kontext", _KONTEXT, _PROMPT, "png", 4, flat_credits=8.0),
    "flux-pro-1.0-fill": ModelSchema("fill", _FILL, frozenset({"image"}), "jpeg", 1, flat_credits=5.0),
    # FLUX Erase edits like Fill (white = remove); the emulator bills it like Runware lists it
    "flux-tools/erase-v1": ModelSchema("fill", _ERASE, frozenset({"image", "mask"}), "jpeg", 1, 3.0, 0.4),
    # FLUX VTO: BFL publishes no price; the emulator bills as Runware resells it (3.75 credits for the
    # first input megapixel, 0.5 per further input megapixel, 0.5 per output megapixel)
    "flux-tools/vto-v1": ModelSchema("vto", _VTO, frozenset({"prompt", "person", "garment"}), "jpeg", 2,
                                     3.75, 0.5),
    # FLUX.1 Expand: no published price (the emulator bills Fill's 5 credits; tryon prices it as unknown)
    "flux-pro-1.0-expand": ModelSchema("expand", _EXPAND, frozenset({"image"}), "jpeg", 1, flat_credits=5.0),
}

def bfl_openapi_files() -> list[Path]:
    """The vendored BFL OpenAPI files (base document first), found without importing the plugin."""
    spec = importlib.util.find_spec("tryon_flux")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the BFL emulator needs BFL's vendored OpenAPI document (plugins/tryon_flux/openapi)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "openapi"
    return sorted(folder.glob("bfl-openapi-*.json")) + sorted(folder.glob("bfl-flux-tools-*.json"))


@functools.cache
def bfl_openapi() -> OpenAPIDocument:
    """BFL's OpenAPI document as vendored (the newest dated copy plus the FLUX tools supplement)."""
    files = bfl_openapi_files()
    base = [f for f in files if f.name.startswith("bfl-openapi-")][-1:]
    return OpenAPIDocument(base + [f for f in files if f.name.startswith("bfl-flux-tools-")])


#: Statuses a task moves through.
PENDING, READY = "Pending", "Ready"
REQUEST_MODERATED, CONTENT_MODERATED = "Request Moderated", "Content Moderated"
ERROR, NOT_FOUND = "Error", "Task not found"


class _Invalid(Exception):
    """A 422 validation failure (FastAPI's ``detail`` list)."""

    def __init__(self, details: list[dict[str, Any]]) -> None:
        super().__init__(details[0]["msg"] if details else "invalid")
        self.details = details


def _problem(loc: str, msg: str, kind: str, value: Any = None, **ctx: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"type": kind, "loc": ["body", loc], "msg": msg}
    if value is not None and not (isinstance(value, str) and len(value) > 200):
        item["input"] = value
    if ctx:
        item["ctx"] = ctx
    return item


_TYPE_ERRORS = {
    "string": "string_type",
    "boolean": "bool_type",
    "integer": "int_type",
    "number": "float_type",
}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _field_problems(name: str, field: Field, value: Any) -> list[dict[str, Any]]:
    if value is None:
        return (
            []
            if field.nullable
            else [
                _problem(name, f"Input should be a valid {field.kind}", _TYPE_ERRORS.get(field.kind, "enum"))
            ]
        )
    if field.kind == "string" and not isinstance(value, str):
        return [_problem(name, "Input should be a valid string", "string_type", value)]
    if field.kind == "boolean" and not isinstance(value, bool):
        return [_problem(name, "Input should be a valid boolean", "bool_type", value)]
    if field.kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return [_problem(name, "Input should be a valid integer", "int_type", value)]
    if field.kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return [_problem(name, "Input should be a valid number", "float_type", value)]
    if field.kind == "format" and value not in _FORMATS:
        return [
            _problem(
                name,
                "Input should be 'jpeg', 'png' or 'webp'",
                "enum",
                value,
                expected="'jpeg', 'png' or 'webp'",
            )
        ]
    if field.minimum is not None and value < field.minimum:
        bound = _number(field.minimum)
        return [
            _problem(
                name,
                f"Input should be greater than or equal to {bound}",
                "greater_than_equal",
                value,
                ge=field.minimum,
            )
        ]
    if field.maximum is not None and value > field.maximum:
        bound = _number(field.maximum)
        return [
            _problem(
                name,
                f"Input should be less than or equal to {bound}",
                "less_than_equal",
                value,
                le=field.maximum,
            )
        ]
    if field.max_length is not None and len(value) > field.max_length:
        return [
            _problem(name, f"String should have at most {field.max_length} characters", "string_too_long")
        ]
    return []


def validate_body(schema: ModelSchema, body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Schema problems of a submit body (empty = valid), in FastAPI's ``detail`` shape."""
    problems = [
        _problem(name, "Field required", "missing") for name in sorted(schema.required) if name not in body
    ]
    for name, value in body.items():
        field = schema.fields.get(name)
        if field is None:
            problems.append(_problem(name, "Extra inputs are not permitted", "extra_forbidden"))
        else:
            problems.extend(_field_problems(name, field, value))
    return problems


def _value_error(loc: str, message: str) -> _Invalid:
    return _Invalid([_problem(loc, f"Value error, {message}", "value_error")])


@attrs.frozen
class _Decoded:
    data: bytes
    width: int
    height: int
    has_alpha: bool


def _decode_image(name: str, value: str) -> _Decoded:
    """A base64 input image, decoded and opened (URLs are not fetched by the emulator)."""
    from PIL import Image

    if value.startswith(("http://", "https://")):
        raise _value_error(name, "the emulator cannot fetch image URLs; send base64")
    text = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _value_error(name, "Invalid base64 image data") from None
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
            return _Decoded(data, img.width, img.height, alpha)
    except Exception:
        raise _value_error(name, "Could not decode the image") from None


def kontext_size(ratio: Fraction) -> tuple[int, int]:
    """Kontext's output for a ratio: about 1 MP, edges in multiples of 32."""
    width = max(32, round(math.sqrt(KONTEXT_PIXELS * ratio) / 32) * 32)
    height = max(32, round(math.sqrt(KONTEXT_PIXELS / ratio) / 32) * 32)
    return width, height


def _parse_ratio(text: str) -> Fraction | None:
    w, sep, h = text.partition(":")
    if not sep or not w.strip().isdigit() or not h.strip().isdigit() or int(w) == 0 or int(h) == 0:
        return None
    return Fraction(int(w), int(h))


@attrs.define
class _Task:
    id: str
    model: str
    prompt: str
    seed: int
    fate: str
    sample: str
    polls: int = 0
    started: float = attrs.field(factory=time.time)


@attrs.frozen
class _PollFault:
    status: int
    retry_after: float | None


# -- delivery ----------------------------------------------------------------
class _BlobStore:
    """Result images by name; an expired one answers 403 like an expired signed blob URL."""

    def __init__(self) -> None:
        self._blobs: dict[str, tuple[bytes, str]] = {}
        self._expired: set[str] = set()
        self._lock = threading.Lock()

    def put(self, name: str, data: bytes, media_type: str, *, expired: bool = False) -> None:
        with self._lock:
            self._blobs[name] = (data, media_type)
            if expired:
                self._expired.add(name)

    def clear(self) -> None:
        with self._lock:
            self._blobs.clear()
            self._expired.clear()

    def serve(self, request: RecordedRequest) -> Response:
        name = request.path_params.get("name", "")
        with self._lock:
            blob = self._blobs.get(name)
            expired = name in self._expired
        if blob is None:
            return Response(404, b"<Error><Code>BlobNotFound</Code></Error>", "application/xml")
        if expired:
            body = (
                b"<Error><Code>AuthenticationFailed</Code><Message>Signed expiry time has passed"
                b"</Message></Error>"
            )
            return Response(403, body, "application/xml")
        return Response(200, blob[0], blob[1])


class BFLDelivery(EmulatorServer):
    """A second server standing for BFL's delivery host: ``GET /delivery/<name>``, no key."""

    provider = "bfl-delivery"

    def __init__(self, store: _BlobStore, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port, require_key=False)
        self.route("GET", "/delivery/{name}", store.serve, api=False)


# -- the emulator ------------------------------------------------------------
class BFLEmulator(EmulatorServer):
    """BFL API emulator: ``POST /v1/<model>``, ``GET /v1/get_result?id=``, result delivery.

    ``pending_polls`` is how many polls answer ``Pending`` before a task is final.
    ``separate_delivery`` serves results from a second server (:attr:`delivery`).
    ``polling_origin`` (e.g. another server's URL) makes submit answers point their
    ``polling_url`` there instead of at this server. ``report_cost=False`` leaves ``cost``
    out of submit answers (it is optional in the schema).
    """

    provider = "bfl"
    request_id_header = "x-request-id"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        require_key: bool = True,
        api_keys: Sequence[str] | None = None,
        latency: float = 0.0,
        pending_polls: int = 1,
        separate_delivery: bool = False,
        polling_origin: str | None = None,
    ) -> None:
        super().__init__(host=host, port=port, require_key=require_key, api_keys=api_keys, latency=latency)
        if pending_polls < 0:
            raise ValueError("pending_polls must not be negative")
        self.pending_polls = pending_polls
        self.polling_origin = polling_origin
        self.report_cost = True
        self._tasks: dict[str, _Task] = {}
        self._fates: deque[str] = deque()
        self._poll_faults: deque[_PollFault] = deque()
        self._task_lock = threading.Lock()
        self._store = _BlobStore()
        self.delivery: BFLDelivery | None = BFLDelivery(self._store, host=host) if separate_delivery else None
        if self.delivery is None:
            self.route("GET", "/delivery/{name}", self._store.serve, api=False)
        self.answers: list[tuple[RecordedRequest, Response]] = []
        """Every submit and poll with the answer its handler gave (for checks against BFL's document)."""
        for model in MODEL_SCHEMAS:
            self.route("POST", f"/v1/{model}", self._logged(self._submit))
        self.route("GET", "/v1/get_result", self._logged(self._get_result))

    def _logged(self, handler: Any) -> Any:
        def answer(request: RecordedRequest) -> Response:
            response: Response = handler(request)
            with self._task_lock:
                self.answers.append((request, response))
            return response

        return answer

    # -- lifecycle -------------------------------------------------------
    def start(self) -> BFLEmulator:
        if self.delivery is not None:
            self.delivery.start()
        super().start()
        return self

    def stop(self) -> None:
        super().stop()
        if self.delivery is not None:
            self.delivery.stop()

    def __enter__(self) -> BFLEmulator:
        return self.start()

    @property
    def delivery_url(self) -> str:
        """Where result images are served from."""
        return self.delivery.url if self.delivery is not None else self.url

    # -- scripted fates --------------------------------------------------
    def moderate_next(self, times: int = 1, *, status: str = REQUEST_MODERATED) -> None:
        """The next *times* tasks end as ``Request Moderated`` (or *status*, e.g. ``Content Moderated``)."""
        if status not in (REQUEST_MODERATED, CONTENT_MODERATED):
            raise ValueError(f"status must be {REQUEST_MODERATED!r} or {CONTENT_MODERATED!r}")
        self._queue_fate(status, times)

    def fail_task_next(self, times: int = 1) -> None:
        """The next *times* tasks end with status ``Error``."""
        self._queue_fate(ERROR, times)

    def expire_next(self, times: int = 1) -> None:
        """The next *times* tasks are ``Ready`` but their result URL answers 403 (expired)."""
        self._queue_fate("expired", times)

    def lose_task_next(self, times: int = 1) -> None:
        """Polls of the next *times* tasks answer ``Task not found``."""
        self._queue_fate(NOT_FOUND, times)

    def fail_poll_next(self, status: int, *, times: int = 1, retry_after: float | None = None) -> None:
        """The next *times* polls answer HTTP *status* (the submit is unaffected)."""
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._task_lock:
            self._poll_faults.extend([_PollFault(status, retry_after)] * times)

    def _queue_fate(self, fate: str, times: int) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._task_lock:
            self._fates.extend([fate] * times)

    def reset(self) -> None:
        super().reset()
        with self._task_lock:
            self._fates.clear()
            self._poll_faults.clear()
            self._tasks.clear()
            self.answers.clear()
        self._store.clear()

    @property
    def polls(self) -> list[RecordedRequest]:
        """Every ``get_result`` request received."""
        return self.requests_to("/v1/get_result", "GET")

    @property
    def submits(self) -> list[RecordedRequest]:
        """Every submit (``POST /v1/<model>``) received."""
        return [r for r in self.requests if r.method == "POST"]

    # -- provider hooks --------------------------------------------------
    def new_request_id(self) -> str:
        return secrets.token_hex(16)

    default_messages = {
        402: "Insufficient credits. Please add credits to your account at https://dashboard.bfl.ai.",
        429: "You have exceeded the number of active tasks (24). Please wait for tasks to finish.",
        500: "Internal Server Error",
        503: "Service temporarily unavailable. Please try again later.",
    }

    def error_body(self, status: int, code: str | None, message: str, *, param: str | None = None) -> Any:
        return {"detail": message}

    def api_key_from(self, headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
        return headers.get("x-key") or None

    def unauthorized(self, api_key: str | None) -> Response:
        if api_key is None:
            return self.error_response(403, "Not authenticated")
        return self.error_response(401, "Invalid API key")

    def moderation_response(self, request: RecordedRequest) -> Response:
        return Response.json(
            {
                "id": "",
                "status": REQUEST_MODERATED,
                "result": None,
                "details": {"Moderation Reasons": ["Derivative Works Filter"]},
            }
        )

    # -- handlers --------------------------------------------------------
    def _submit(self, request: RecordedRequest) -> Response:
        model = request.path.removeprefix("/v1/")
        schema = MODEL_SCHEMAS[model]
        if request.parse_error or not request.content_type.lower().startswith("application/json"):
            return self._invalid(
                [
                    {
                        "type": "json_invalid",
                        "loc": ["body", 0],
                        "msg": f"JSON decode error ({request.parse_error or 'not JSON'})",
                    }
                ]
            )
        body = request.params
        problems = validate_body(schema, body)
        if problems:
            return self._invalid(problems)
        try:  # an independent second net: BFL's own document, strictly
            bfl_openapi().validate_request(f"/v1/{model}", body)
        except SchemaProblem as exc:
            return self._invalid([
                {"type": "openapi", "loc": ["body", *([p] if p else [])], "msg": m} for p, m in exc.problems
            ])
        try:
            image, input_pixels = self._render(model, schema, body)
        except _Invalid as exc:
            return self._invalid(exc.details)
        task_id = self.new_task_id()
        fmt = body.get("output_format") or schema.default_format
        with self._task_lock:
            fate = self._fates.popleft() if self._fates else READY
        name = f"{task_id}.{'jpg' if fmt == 'jpeg' else fmt}"
        self._store.put(name, image[0], _MEDIA[fmt], expired=fate == "expired")
        seed = body.get("seed")
        sample = (
            f"{self.delivery_url if self.delivery is not None else self._origin_used(request)}/delivery/{name}"
            f"?se={int(time.time()) + 600}"
            f"&sp=r&sig={secrets.token_urlsafe(12)}"
        )
        task = _Task(
            task_id,
            model,
            str(body.get("prompt") or ""),
            seed if isinstance(seed, int) else secrets.randbelow(2**32),
            fate,
            sample,
        )
        with self._task_lock:
            self._tasks[task_id] = task
        output_pixels = image[1] * image[2]
        origin = self.polling_origin or self._origin_used(request)
        return Response.json(
            {
                "id": task_id,
                "polling_url": f"{origin}/v1/get_result?id={task_id}",
                "cost": self.cost(schema, output_pixels, input_pixels) if self.report_cost else None,
                "input_mp": round(input_pixels / MP, 2),
                "output_mp": round(output_pixels / MP, 2),
            }
        )

    def new_task_id(self) -> str:
        return f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(6)}"

    @staticmethod
    def cost(schema: ModelSchema, output_pixels: int, input_pixels: int) -> float:
        """Credits: flat, or the first megapixel plus each further started megapixel (1024x1024
        pixels) of output and of reference inputs."""
        if schema.flat_credits is not None:
            return schema.flat_credits
        if schema.family == "vto":
            in_mp, out_mp = (math.ceil(p / BILLED_MP) for p in (input_pixels, output_pixels))
            return schema.first_mp_credits + (max(0, in_mp - 1) + out_mp) * schema.extra_mp_credits
        started = [math.ceil(p / BILLED_MP) for p in (output_pixels, input_pixels)]
        return schema.first_mp_credits + (max(0, started[0] - 1) + started[1]) * schema.extra_mp_credits

    def _invalid(self, details: list[dict[str, Any]]) -> Response:
        return Response.json({"detail": details}, 422)

    def _origin_used(self, request: RecordedRequest) -> str:
        """The origin the client addressed (its ``Host`` header: ``localhost`` stays ``localhost``), as BFL's
        polling URLs name the host the task was submitted to; this server's own URL without a usable header."""
        host = (request.header("host") or "").strip()
        port = self.url.rsplit(":", 1)[-1]
        name, _, given_port = host.rpartition(":")
        if not name or given_port != port or any(c in name for c in "/\\@?# "):
            return self.url
        return f"http://{name}:{port}"

    def _get_result(self, request: RecordedRequest) -> Response:
        with self._task_lock:
            fault = self._poll_faults.popleft() if self._poll_faults else None
        if fault is not None:
            headers = {} if fault.retry_after is None else {"retry-after": _number(fault.retry_after)}
            message = self.default_error(fault.status, None)[1]
            return self.error_response(fault.status, message, headers=headers)
        task_id = request.query.get("id")
        if not task_id:
            return self._invalid([{"type": "missing", "loc": ["query", "id"], "msg": "Field required"}])
        with self._task_lock:
            task = self._tasks.get(task_id)
            if task is not None:
                task.polls += 1
        if task is None or task.fate == NOT_FOUND:
            return Response.json({"id": task_id, "status": NOT_FOUND, "result": None})
        if task.polls <= self.pending_polls:
            return Response.json(
                {
                    "id": task.id,
                    "status": PENDING,
                    "result": None,
                    "progress": round(task.polls / (self.pending_polls + 1), 2),
                }
            )
        if task.fate in (REQUEST_MODERATED, CONTENT_MODERATED):
            return Response.json(
                {
                    "id": task.id,
                    "status": task.fate,
                    "result": None,
                    "details": {"Moderation Reasons": ["Content policy"]},
                }
            )
        if task.fate == ERROR:
            return Response.json(
                {
                    "id": task.id,
                    "status": ERROR,
                    "result": None,
                    "details": {"error": "Generation failed: internal worker error"},
                }
            )
        now = time.time()
        return Response.json(
            {
                "id": task.id,
                "status": READY,
                "progress": None,
                "details": None,
                "preview": None,
                "result": {
                    "sample": task.sample,
                    "prompt": task.prompt,
                    "seed": task.seed,
                    "start_time": task.started,
                    "end_time": now,
                    "duration": round(now - task.started, 3),
                },
            }
        )

    # -- images ------------------------------------------------------------
    def _render(
        self, model: str, schema: ModelSchema, body: Mapping[str, Any]
    ) -> tuple[tuple[bytes, int, int], int]:
        """The result image ``(bytes, width, height)`` and the pixels of the input images."""
        from tryon.testing.synth import synth_image

        fmt = body.get("output_format") or schema.default_format
        if schema.family == "fill":
            return self._fill(body, fmt)
        if schema.family == "vto":
            return self._vto(body, fmt)
        if schema.family == "expand":
            return self._expand(body, fmt)
        inputs = [
            _decode_image(name, body[name])
            for name in schema.fields
            if name.startswith("input_image") and name != "input_image_blob_path" and body.get(name)
        ]
        input_pixels = sum(i.width * i.height for i in inputs)
        seed_text = f"{model}|{body.get('prompt')}|{body.get('seed')}|" + "|".join(
            hashlib.sha256(i.data).hexdigest()[:16] for i in inputs
        )
        width, height = (
            self._flux2_size(body, inputs) if schema.family == "flux2" else self._kontext_size(body, inputs)
        )
        data = synth_image(width, height, fmt, transparent=False, seed_text=seed_text)
        return (data, width, height), input_pixels

    @staticmethod
    def _flux2_size(body: Mapping[str, Any], inputs: list[_Decoded]) -> tuple[int, int]:
        width, height = body.get("width"), body.get("height")
        if width is None and height is None and inputs:
            scale = min(1.0, math.sqrt(MAX_FLUX2_PIXELS / (inputs[0].width * inputs[0].height)))
            width = max(64, int(inputs[0].width * scale) // 16 * 16)
            height = max(64, int(inputs[0].height * scale) // 16 * 16)
        width, height = width or 1024, height or 1024
        for name, value in (("width", width), ("height", height)):
            if value % 16:
                raise _value_error(name, f"{name} must be a multiple of 16, got {value}")
        if width * height > MAX_FLUX2_PIXELS:
            raise _value_error(
                "width", f"{width}x{height} is more than 4 megapixels ({MAX_FLUX2_PIXELS:,} pixels)"
            )
        return width, height

    @staticmethod
    def _kontext_size(body: Mapping[str, Any], inputs: list[_Decoded]) -> tuple[int, int]:
        text = body.get("aspect_ratio")
        if text is None:
            ratio = Fraction(inputs[0].width, inputs[0].height) if inputs else Fraction(1)
            ratio = min(max(ratio, Fraction(9, 21)), Fraction(21, 9))
        else:
            parsed = _parse_ratio(text)
            if parsed is None:
                raise _value_error("aspect_ratio", f"aspect ratio must look like '16:9', got {text!r}")
            if not Fraction(9, 21) <= parsed <= Fraction(21, 9):
                raise _value_error("aspect_ratio", f"aspect ratio must be between 21:9 and 9:21, got {text}")
            ratio = parsed
        return kontext_size(ratio)

    @staticmethod
    def _vto(body: Mapping[str, Any], fmt: str) -> tuple[tuple[bytes, int, int], int]:
        """The person dressed: the output follows the person image's size up to 2 MP (larger ones
        come out at about 1 MP, as BFL's VTO guide says), edges rounded down to multiples of 16."""
        from tryon.testing.synth import synth_image

        person, garment = _decode_image("person", body["person"]), _decode_image("garment", body["garment"])
        width, height = person.width, person.height
        if width * height > VTO_AS_IS_PIXELS:
            scale = math.sqrt(MP / (width * height))
            width, height = int(width * scale), int(height * scale)
        width, height = max(64, width // 16 * 16), max(64, height // 16 * 16)
        seed_text = (f"vto|{body.get('prompt')}|{body.get('seed')}|{hashlib.sha256(person.data).hexdigest()[:16]}|"
                     f"{hashlib.sha256(garment.data).hexdigest()[:16]}")
        data = synth_image(width, height, fmt, transparent=False, seed_text=seed_text)
        return (data, width, height), person.width * person.height + garment.width * garment.height

    @staticmethod
    def _expand(body: Mapping[str, Any], fmt: str) -> tuple[tuple[bytes, int, int], int]:
        return _expanded(body, fmt)

    @staticmethod
    def _fill(body: Mapping[str, Any], fmt: str) -> tuple[tuple[bytes, int, int], int]:
        from tryon.testing.synth import apply_mask_edit

        image = _decode_image("image", body["image"])
        if body.get("mask") is not None:
            mask = _decode_image("mask", body["mask"])
            if (mask.width, mask.height) != (image.width, image.height):
                raise _value_error(
                    "mask",
                    f"mask dimensions {mask.width}x{mask.height} do not match the "
                    f"image's {image.width}x{image.height}",
                )
            alpha_mask = white_to_alpha_mask(mask.data)
        elif image.has_alpha:
            alpha_mask = image.data  # transparent pixels of the image mark the area to fill
        else:
            alpha_mask = None  # nothing marks an area: the whole image is filled
        data = apply_mask_edit(
            image.data,
            alpha_mask,
            image.width,
            image.height,
            fmt,
            f"fill|{body.get('prompt')}|{body.get('seed')}",
        )
        return (data, image.width, image.height), image.width * image.height


def _expanded(body: Mapping[str, Any], fmt: str) -> tuple[tuple[bytes, int, int], int]:
    """FLUX.1 Expand: the input pasted at (left, top) on a canvas grown by the four sides."""
    import io

    from PIL import Image

    from tryon.testing.synth import synth_image

    image = _decode_image("image", body["image"])
    sides = {side: int(body.get(side) or 0) for side in ("top", "bottom", "left", "right")}
    width = image.width + sides["left"] + sides["right"]
    height = image.height + sides["top"] + sides["bottom"]
    with Image.open(io.BytesIO(synth_image(width, height, "png", transparent=False,
                                           seed_text=f"expand|{body.get('prompt')}|{body.get('seed')}"))) as drawn:
        canvas = drawn.convert("RGB")
    with Image.open(io.BytesIO(image.data)) as original:
        canvas.paste(original.convert("RGB"), (sides["left"], sides["top"]))
    out = io.BytesIO()
    canvas.save(out, {"jpeg": "JPEG", "webp": "WEBP"}.get(fmt, "PNG"))
    return (out.getvalue(), width, height), image.width * image.height


def white_to_alpha_mask(mask_bytes: bytes) -> bytes:
    """BFL's black-and-white mask (white = fill) as an alpha mask (transparent = edit)."""
    from PIL import Image

    with Image.open(io.BytesIO(mask_bytes)) as src:
        luminance = src.convert("L")
    out = Image.new("RGBA", luminance.size, (0, 0, 0, 255))
    out.putalpha(luminance.point(lambda v: 0 if v >= 128 else 255))
    buffer = io.BytesIO()
    out.save(buffer, "PNG")
    return buffer.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the emulator until Ctrl-C."""
    parser = command_line("python -m tryon.testing.bfl_emulator",
                          "Serve a local emulator of the Black Forest Labs API.")
    parser.add_argument("--pending-polls", type=int, default=1, help="polls answered 'Pending' per task")
    args = parser.parse_args(argv)
    emulator = BFLEmulator(host=args.host, port=args.port, latency=args.latency, pending_polls=args.pending_polls,
                           require_key=not args.no_require_key)
    return serve_until_interrupted(
        emulator, "BFL API emulator listening on {url}",
        "export BFL_BASE_URL={url} BFL_API_KEY=emulator-key", verbose=args.verbose)

if __name__ == "__main__":
    raise SystemExit(main())

"""A local emulator of fal's queue API, for tests and ``tryon emulator --provider fal``.

It behaves like ``https://queue.fal.run`` for the endpoints tryon declares::

    with FalEmulator() as emu:
        queued = requests.post(f"{emu.url}/fal-ai/flux/dev", json={"prompt": "a fox"},
                               headers={"Authorization": "Key any"}).json()
        # {"request_id", "status_url", "response_url", "cancel_url", "queue_position": 0}
        requests.get(queued["status_url"], headers=...).json()    # IN_QUEUE, IN_PROGRESS, COMPLETED
        requests.get(queued["response_url"], headers=...).json()  # {"images": [{"url": ...}], "seed": ...}

Every input is validated against the endpoint's schema as fal publishes it (the vendored
``tryon_fal/schemas`` document, read as data: the emulator never reads the plugin's
declarations), strictly (unknown fields are refused), plus the rules fal's descriptions state
(Seedream's size bounds, masks the size of their image, decodable data-URI images). A failed
input is a 422 ``{"detail": [{"loc", "msg", "type", ...}]}`` from the result, as on fal, where
the runner validates. Result images are real (Pillow), served from a CDN-like path
(``/files/...``, no key) on this server or, with ``separate_cdn=True``, on a second server, so
tests can prove the key never goes there. Scripted fates: :meth:`moderate_next` (a 422
``content_policy_violation`` at submit), :meth:`moderate_task_next` (at the result),
:meth:`fail_task_next`, :meth:`stall_next` (never completes, to test deadlines and cancel);
the base class adds ``fail_next``/``slow_next``/``malformed_next``.
"""

from __future__ import annotations

import base64
import binascii
import io
import itertools
import math
import secrets
import threading
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from tryon.testing.server import (
    EmulatorServer,
    RecordedRequest,
    Response,
    command_line,
    serve_until_interrupted,
)

from .schemas import document

__all__ = ["ENDPOINTS", "FalCDN", "FalEmulator", "Spec", "main", "validate"]

PRESETS = {"square_hd": (1024, 1024), "square": (512, 512), "portrait_4_3": (768, 1024),
           "portrait_16_9": (576, 1024), "landscape_4_3": (1024, 768), "landscape_16_9": (1024, 576),
           "auto": (1024, 1024), "auto_2K": (2048, 2048), "auto_4K": (4096, 4096)}
_MEDIA = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


# -- what each endpoint does (the emulator's own table, from fal's schemas and descriptions) ------
@attrs.frozen
class Spec:
    """How the emulator answers one endpoint."""

    default_size: tuple[int, int] | None = (1024, 768)  # None: the first input image's size
    default_format: str = "png"
    images: str | None = None
    mask: str | None = None
    mask_edit: str = "white"  # which colour of the mask marks the area to change
    count: str | None = "num_images"
    ratio: bool = False  # sizes by aspect_ratio (about 1 MP, multiples of 32)
    seed_out: bool = True
    single_output: bool = False  # {"image": {...}} instead of {"images": [...]}
    person: str | None = None
    garment: str | None = None
    min_pixels: int | None = None
    edge_range: tuple[int, int] | None = None


_T2I = Spec()
_SEEDREAM = Spec(default_size=(2048, 2048), edge_range=(1920, 4096))
_SEEDREAM4 = Spec(default_size=(2048, 2048), min_pixels=921_600)
_QWEN = Spec(default_size=None, images="image_urls")
_KONTEXT = Spec(default_size=None, default_format="jpeg", images="image_url", ratio=True)

ENDPOINTS: Mapping[str, Spec] = {
    "fal-ai/bytedance/seedream/v4.5/text-to-image": _SEEDREAM,
    "fal-ai/bytedance/seedream/v4.5/edit": attrs.evolve(_SEEDREAM, images="image_urls"),
    "fal-ai/bytedance/seedream/v4/text-to-image": _SEEDREAM4,
    "fal-ai/bytedance/seedream/v4/edit": attrs.evolve(_SEEDREAM4, images="image_urls"),
    "fal-ai/qwen-image-edit": attrs.evolve(_QWEN, images="image_url"),
    "fal-ai/qwen-image-edit-plus": _QWEN,
    "fal-ai/qwen-image-edit-2511": _QWEN,
    "fal-ai/ideogram/v3": Spec(default_size=(1024, 1024)),
    "fal-ai/ideogram/v3/edit": Spec(default_size=None, images="image_url", mask="mask_url", mask_edit="black"),
    "fal-ai/recraft/v3/text-to-image": Spec(default_size=(1024, 1024), count=None, seed_out=False),
    "fal-ai/flux/dev": Spec(default_format="jpeg"),
    "fal-ai/flux/schnell": Spec(default_format="jpeg"),
    "fal-ai/flux-pro/v1.1": Spec(default_format="jpeg"),
    "fal-ai/flux-pro/v1.1-ultra": Spec(default_size=(2752, 1536), default_format="jpeg", ratio=True),
    "fal-ai/flux-pro/kontext": _KONTEXT,
    "fal-ai/flux-pro/kontext/text-to-image": attrs.evolve(_KONTEXT, default_size=(1024, 1024), images=None),
    "fal-ai/flux-pro/kontext/max": _KONTEXT,
    "fal-ai/flux-pro/kontext/max/text-to-image": attrs.evolve(_KONTEXT, default_size=(1024, 1024), images=None),
    "fal-ai/flux-2-pro": Spec(default_format="jpeg", count=None),
    "fal-ai/flux-2-pro/edit": Spec(default_size=None, default_format="jpeg", images="image_urls", count=None),
    "fal-ai/flux-pro/v1/fill": Spec(default_size=None, default_format="jpeg", images="image_url", mask="mask_url"),
    "fal-ai/kling/v1-5/kolors-virtual-try-on": Spec(default_size=None, count=None, seed_out=False,
                                                    single_output=True, person="human_image_url",
                                                    garment="garment_image_url"),
    "fal-ai/fashn/tryon/v1.6": Spec(default_size=None, count="num_samples", seed_out=False,
                                    person="model_image", garment="garment_image"),
}
"""Endpoint id -> how the emulator answers it (every endpoint of the vendored schema document)."""


# -- input validation: the schema, strictly, in pydantic's words ----------------------------------
def _item(loc: Sequence[Any], msg: str, kind: str, value: Any = None, **ctx: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"loc": ["body", *loc], "msg": msg, "type": kind,
                            "url": f"https://docs.fal.ai/errors/#{kind}"}
    if value is not None and not (isinstance(value, str) and len(value) > 200):
        item["input"] = value
    if ctx:
        item["ctx"] = ctx
    return item


_TYPES: Mapping[str, tuple[Any, str, str]] = {
    "string": (str, "string_type", "a valid string"), "boolean": (bool, "bool_type", "a valid boolean"),
    "integer": (int, "int_type", "a valid integer"), "number": ((int, float), "float_type", "a valid number"),
    "array": (list, "list_type", "a valid list"), "object": (dict, "dict_type", "a valid dictionary"),
    "null": (type(None), "none_required", "None"),
}


def _resolve(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def validate(schema: Mapping[str, Any], value: Any, defs: Mapping[str, Any],
             loc: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Problems of *value* against a JSON Schema (the subset fal's schemas use), strictly: objects
    with ``properties`` refuse unknown keys. Empty = valid."""
    schema = _resolve(schema, defs)
    if "anyOf" in schema:
        branches = [validate(b, value, defs, loc) for b in schema["anyOf"]]
        if any(not b for b in branches):
            return []
        return min(branches, key=len)
    if "enum" in schema and value not in schema["enum"]:
        expected = " or ".join(repr(v) for v in schema["enum"][:12])
        return [_item(loc, f"Input should be {expected}", "enum", value, expected=expected)]
    kind = schema.get("type")
    if kind is not None:
        py, code, words = _TYPES[kind]
        if not isinstance(value, py) or (isinstance(value, bool) and kind in ("integer", "number")):
            return [_item(loc, f"Input should be {words}", code, value)]
    problems: list[dict[str, Any]] = []
    if kind in ("integer", "number"):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(_item(loc, f"Input should be greater than or equal to {schema['minimum']}",
                                  "greater_than_equal", value, ge=schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(_item(loc, f"Input should be less than or equal to {schema['maximum']}",
                                  "less_than_equal", value, le=schema["maximum"]))
    if kind == "string" and "maxLength" in schema and len(value) > schema["maxLength"]:
        problems.append(_item(loc, f"String should have at most {schema['maxLength']} characters",
                              "string_too_long", None, max_length=schema["maxLength"]))
    if kind == "array":
        for index, entry in enumerate(value):
            problems += validate(schema.get("items", {}), entry, defs, (*loc, index))
    if kind == "object" and "properties" in schema:
        props = schema["properties"]
        problems += [_item((*loc, name), "Field required", "missing") for name in schema.get("required", ())
                     if name not in value]
        for name, entry in value.items():
            if name not in props:
                problems.append(_item((*loc, name), "Extra inputs are not permitted", "extra_forbidden"))
            else:
                problems += validate(props[name], entry, defs, (*loc, name))
    return problems


class _Invalid(Exception):
    def __init__(self, detail: list[dict[str, Any]], status: int = 422) -> None:
        super().__init__(detail[0]["msg"] if detail else "invalid")
        self.detail = detail
        self.status = status


def _value_error(loc: Sequence[Any], message: str, kind: str = "value_error") -> _Invalid:
    return _Invalid([_item(loc, message, kind)])


@attrs.frozen
class _Image:
    data: bytes
    width: int
    height: int


def _decode(loc: Sequence[Any], value: str) -> _Image:
    """A data-URI input image, decoded and opened (the emulator fetches no URLs)."""
    from PIL import Image

    if not value.startswith("data:"):
        raise _value_error(loc, "the emulator downloads no files: send the image as a data URI",
                           "file_download_error")
    head, _, payload = value.partition(",")
    try:
        data = base64.b64decode(payload, validate=True) if ";base64" in head else b""
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            return _Image(data, img.width, img.height)
    except (binascii.Error, ValueError, OSError):
        raise _value_error(loc, "Could not load the image from the data URI", "image_load_error") from None


# -- tasks ----------------------------------------------------------------------------------------
@attrs.define
class _Task:
    id: str
    endpoint: str
    app: str
    polls: int = 0
    status: str = "IN_QUEUE"
    answer: dict[str, Any] | None = None
    error: tuple[int, Any, dict[str, str]] | None = None
    stalled: bool = False
    cancelled: bool = False
    logs: list[dict[str, Any]] = attrs.field(factory=list)


class FalCDN(EmulatorServer):
    """fal's media CDN, as a separate origin: serves result files to anyone, records who asked."""

    provider = "fal-cdn"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("require_key", False)
        super().__init__(**kwargs)
        self.files: dict[str, tuple[bytes, str]] = {}
        self.route("GET", "/files/{token}/{name}", self._file, api=False)

    def _file(self, request: RecordedRequest) -> Response:
        found = self.files.get(request.path_params["token"])
        if found is None:
            return Response.json({"detail": "Not Found"}, 404)
        return Response.binary(found[0], found[1])

    def publish(self, data: bytes, media_type: str, name: str) -> str:
        token = secrets.token_hex(8)
        self.files[token] = (data, media_type)
        return f"{self.url}/files/{token}/{name}"


class FalEmulator(EmulatorServer):
    """fal's queue API on 127.0.0.1 (see the module docstring)."""

    provider = "fal"
    request_id_header = "x-fal-request-id"

    def __init__(self, *, queue_polls: int = 1, progress_polls: int = 1, separate_cdn: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queue_polls = queue_polls
        self.progress_polls = progress_polls
        self.tasks: dict[str, _Task] = {}
        self.cancelled: list[str] = []
        self.cdn = FalCDN(host=self.host) if separate_cdn else None
        self._files: dict[str, tuple[bytes, str]] = {}
        self._fates: list[tuple[str, Any]] = []
        self._state = threading.Lock()
        self._seeds = itertools.count(1000)
        self.route("GET", "/files/{token}/{name}", self._file, api=False)
        self.route("GET", r"^/(?P<app>[\w.-]+/[\w.-]+)/requests/(?P<rid>[\w-]+)/status$", self._status)
        self.route("GET", r"^/(?P<app>[\w.-]+/[\w.-]+)/requests/(?P<rid>[\w-]+)$", self._result)
        self.route("PUT", r"^/(?P<app>[\w.-]+/[\w.-]+)/requests/(?P<rid>[\w-]+)/cancel$", self._cancel)
        self.route("POST", r"^/(?P<endpoint>[\w.-]+/[\w.-]+(?:/[\w.-]+)*)$", self._submit)

    # -- lifecycle: the CDN server starts and stops with the API ----------------------------------
    def start(self) -> FalEmulator:
        if self.cdn is not None:
            self.cdn.start()
        super().start()
        return self

    def stop(self) -> None:
        super().stop()
        if self.cdn is not None:
            self.cdn.stop()

    @property
    def cdn_host(self) -> str:
        """``host:port`` result files are served from (for the ``delivery_hosts`` setting)."""
        server = self.cdn or self
        return f"{server.host}:{server.port}"

    # -- the provider's shapes --------------------------------------------------------------------
    def api_key_from(self, headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        return (token.strip() or None) if scheme.lower() == "key" else None

    def unauthorized(self, api_key: str | None) -> Response:
        return Response.json({"detail": "Unauthorized: pass 'Authorization: Key <FAL_KEY>'"}, 401)

    def error_body(self, status: int, code: str | None, message: str, *, param: str | None = None) -> Any:
        body: dict[str, Any] = {"detail": message}
        if code:
            body["error_type"] = code
        return body

    def moderation_response(self, request: RecordedRequest) -> Response:
        return Response.json({"detail": [_item(["prompt"], "The content could not be processed because it "
                                                "violates the content policy.", "content_policy_violation")]},
                             422)


    def reset(self) -> None:
        super().reset()
        with self._state:
            self.tasks.clear()
            self.cancelled.clear()
            self._fates.clear()

    # -- scripted fates ---------------------------------------------------------------------------
    def moderate_task_next(self, times: int = 1) -> None:
        """The next *times* requests finish with a 422 ``content_policy_violation`` from the result."""
        self._fates += [("moderate", None)] * times

    def fail_task_next(self, status: int = 500, *, error_type: str = "runner_server_error",
                       message: str = "The runner failed", retryable: bool | None = None, times: int = 1) -> None:
        """The next *times* requests finish with this request error (``{"detail", "error_type"}``)."""
        self._fates += [("fail", (status, error_type, message, retryable))] * times

    def stall_next(self, times: int = 1) -> None:
        """The next *times* requests stay ``IN_PROGRESS`` until cancelled."""
        self._fates += [("stall", None)] * times

    # -- handlers ---------------------------------------------------------------------------------
    def _urls(self, app: str, rid: str) -> dict[str, str]:
        base = f"{self.url}/{app}/requests/{rid}"
        return {"request_id": rid, "response_url": base, "status_url": f"{base}/status",
                "cancel_url": f"{base}/cancel"}

    def _submit(self, request: RecordedRequest) -> Response:
        endpoint = request.path_params["endpoint"]
        if endpoint not in ENDPOINTS:
            return Response.json({"detail": f"Application {endpoint!r} not found"}, 404)
        if request.parse_error:
            return Response.json({"detail": [_item([], request.parse_error, "json_invalid")]}, 422)
        rid = self.new_request_id()
        task = _Task(rid, endpoint, "/".join(endpoint.split("/")[:2]))
        fate = self._fates.pop(0) if self._fates else None
        try:
            if fate is not None and fate[0] == "moderate":
                raise _Invalid([_item(["prompt"], "The content could not be processed because it violates the "
                                      "content policy.", "content_policy_violation")])
            task.answer = self._run(endpoint, request.params, rid)
        except _Invalid as exc:
            task.error = (exc.status, {"detail": exc.detail}, {})
        if fate is not None and fate[0] == "fail":
            status, kind, message, retryable = fate[1]
            headers = {"x-fal-error-type": kind}
            if retryable is not None:
                headers["x-fal-retryable"] = "true" if retryable else "false"
            task.answer, task.error = None, (status, {"detail": message, "error_type": kind}, headers)
        task.stalled = fate is not None and fate[0] == "stall"
        with self._state:
            self.tasks[rid] = task
        return Response.json({**self._urls(task.app, rid), "status": "IN_QUEUE", "queue_position": 0})

    def _task(self, request: RecordedRequest) -> _Task | None:
        with self._state:
            task = self.tasks.get(request.path_params["rid"])
        return task if task is not None and task.app == request.path_params["app"] else None

    def _status(self, request: RecordedRequest) -> Response:
        task = self._task(request)
        if task is None:
            return Response.json({"detail": "Request not found"}, 404)
        with self._state:
            task.polls += 1
            if task.status != "COMPLETED" and not task.stalled:
                if task.polls > self.queue_polls + self.progress_polls:
                    task.status = "COMPLETED"
                    task.logs.append({"message": "done", "level": "INFO", "source": "USER",
                                      "timestamp": "2026-12-02T00:00:01Z"})
                elif task.polls > self.queue_polls:
                    task.status = "IN_PROGRESS"
                    task.logs.append({"message": f"step {task.polls}", "level": "INFO", "source": "USER",
                                      "timestamp": "2026-12-02T00:00:00Z"})
            elif task.stalled and task.polls > self.queue_polls:
                task.status = "IN_PROGRESS"
            status = task.status
        body: dict[str, Any] = {**self._urls(task.app, task.id), "status": status}
        with_logs = request.query.get("logs", "").lower() in ("1", "true")
        if status == "IN_QUEUE":
            body["queue_position"] = 0
        else:
            body["logs"] = list(task.logs) if with_logs else None
        if status == "COMPLETED":
            body["metrics"] = {"inference_time": 0.01}
            if task.error is not None:
                detail = task.error[1].get("detail")
                body["error"] = detail if isinstance(detail, str) else "Unprocessable Entity"
                body["error_type"] = task.error[1].get("error_type") or (
                    detail[0]["type"] if isinstance(detail, list) and detail else None)
        return Response.json(body)

    def _result(self, request: RecordedRequest) -> Response:
        task = self._task(request)
        if task is None:
            return Response.json({"detail": "Request not found"}, 404)
        if task.status != "COMPLETED":
            return Response.json({"detail": "Request is still in progress"}, 400)
        if task.error is not None:
            status, body, headers = task.error
            return Response.json(body, status, headers)
        return Response.json(task.answer)

    def _cancel(self, request: RecordedRequest) -> Response:
        task = self._task(request)
        if task is None:
            return Response.json({"status": "NOT_FOUND"}, 404)
        with self._state:
            if task.status == "COMPLETED":
                return Response.json({"status": "ALREADY_COMPLETED"}, 400)
            task.status, task.cancelled, task.stalled = "COMPLETED", True, False
            task.answer, task.error = None, (499, {"detail": "Request was cancelled by the client",
                                                   "error_type": "client_cancelled"}, {})
            self.cancelled.append(task.id)
        return Response.json({"status": "CANCELLATION_REQUESTED"}, 202)

    def _file(self, request: RecordedRequest) -> Response:
        found = self._files.get(request.path_params["token"])
        if found is None:
            return Response.json({"detail": "Not Found"}, 404)
        return Response.binary(found[0], found[1])

    # -- the model ------------------------------------------------------------------------------
    def _run(self, endpoint: str, params: Mapping[str, Any], rid: str) -> dict[str, Any]:
        from tryon.testing.synth import apply_mask_edit, synth_image

        doc = document()
        schema = doc["endpoints"][endpoint]
        problems = validate(schema["input"], dict(params), doc["$defs"])
        if problems:
            raise _Invalid(problems)
        spec = ENDPOINTS[endpoint]
        images = self._inputs(spec, params)
        width, height = self._size(spec, params, images)
        fmt = params.get("output_format") or spec.default_format
        count = params.get(spec.count, 1) if spec.count else 1
        seed = params.get("seed")
        seed = seed if isinstance(seed, int) else next(self._seeds)
        mask = self._mask(spec, params, images)
        prompt = str(params.get("prompt", ""))
        files = []
        for index in range(count):
            text = f"{prompt}|{seed + index}"
            if images and (mask is not None or spec.person):
                data = apply_mask_edit(images[0].data, mask, width, height, fmt, text)
            else:
                data = synth_image(width, height, fmt, transparent=False, seed_text=text)
            name = f"{rid[:8]}-{index}.{'jpg' if fmt == 'jpeg' else fmt}"
            files.append({"url": self._publish(data, _MEDIA[fmt], name, bool(params.get("sync_mode"))),
                          "content_type": _MEDIA[fmt], "file_name": name, "file_size": len(data),
                          "width": width, "height": height})
        answer: dict[str, Any] = {"image": files[0]} if spec.single_output else {"images": files}
        if spec.seed_out:
            answer["seed"] = seed
        extras = {"prompt": prompt, "seed": seed, "timings": {"inference": 0.01},
                  "has_nsfw_concepts": [False] * count}
        for name in schema["output"].get("required", ()):  # the rest of what the output schema requires
            if name not in answer and name in extras:
                answer[name] = extras[name]
        return answer

    def _inputs(self, spec: Spec, params: Mapping[str, Any]) -> list[_Image]:
        out: list[_Image] = []
        for field in (spec.person, spec.garment, spec.images):
            value = params.get(field) if field else None
            if isinstance(value, str):
                out.append(_decode([field], value))
            elif isinstance(value, list):
                if not value:
                    raise _value_error([field], "List should have at least 1 item", "too_short")
                out += [_decode([field, i], v) for i, v in enumerate(value)]
        return out

    def _mask(self, spec: Spec, params: Mapping[str, Any], images: list[_Image]) -> bytes | None:
        """The mask as RGBA with alpha 0 where the image is to change (the synthesiser's convention)."""
        if spec.mask is None:
            return None
        from PIL import Image

        mask = _decode([spec.mask], params[spec.mask])
        if (mask.width, mask.height) != (images[0].width, images[0].height):
            raise _value_error([spec.mask], "The mask must have the exact same dimensions as the image "
                                            f"({images[0].width}x{images[0].height}), not {mask.width}x{mask.height}")
        with Image.open(io.BytesIO(mask.data)) as img:
            gray = img.convert("L")
        edit = gray.point(lambda v: 255 if v >= 128 else 0) if spec.mask_edit == "white" else \
            gray.point(lambda v: 255 if v < 128 else 0)
        rgba = Image.new("RGBA", gray.size, (0, 0, 0, 255))
        rgba.putalpha(edit.point(lambda v: 0 if v else 255))
        buffer = io.BytesIO()
        rgba.save(buffer, "PNG")
        return buffer.getvalue()

    def _size(self, spec: Spec, params: Mapping[str, Any], images: list[_Image]) -> tuple[int, int]:
        size = params.get("image_size")
        if isinstance(size, dict):
            width, height = int(size.get("width", 512)), int(size.get("height", 512))
        elif isinstance(size, str):
            width, height = PRESETS.get(size, (1024, 1024))
        elif spec.ratio and isinstance(params.get("aspect_ratio"), str):
            w, _, h = params["aspect_ratio"].partition(":")
            ratio = Fraction(int(w), int(h))
            width = max(32, round(math.sqrt(1024 * 1024 * ratio) / 32) * 32)
            height = max(32, round(math.sqrt(1024 * 1024 / ratio) / 32) * 32)
        elif spec.default_size is None and images:
            width, height = images[0].width, images[0].height
        else:
            width, height = spec.default_size or (1024, 1024)
        if spec.edge_range is not None and isinstance(size, dict):
            low, high = spec.edge_range
            pixels = width * height
            if not (low <= width <= high and low <= height <= high) and not 2560 * 1440 <= pixels <= 4096 * 4096:
                raise _value_error(["image_size"], f"Width and height must be between {low} and {high}, or the "
                                                   "total number of pixels between 2560*1440 and 4096*4096")
        if spec.min_pixels is not None and isinstance(size, dict) and width * height < spec.min_pixels:
            raise _value_error(["image_size"], f"The total image area must be at least {spec.min_pixels} pixels")
        return width, height

    def _publish(self, data: bytes, media_type: str, name: str, inline: bool) -> str:
        if inline:
            return f"data:{media_type};base64,{base64.b64encode(data).decode()}"
        if self.cdn is not None:
            return self.cdn.publish(data, media_type, name)
        token = secrets.token_hex(8)
        self._files[token] = (data, media_type)
        return f"{self.url}/files/{token}/{name}"


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the emulator until Ctrl-C."""
    parser = command_line("python -m tryon_fal.emulator", "Serve a local emulator of fal's queue API.")
    parser.add_argument("--queue-polls", type=int, default=1, help="polls answered IN_QUEUE per request")
    args = parser.parse_args(argv)
    emulator = FalEmulator(host=args.host, port=args.port, latency=args.latency, queue_polls=args.queue_polls,
                           require_key=not args.no_require_key)
    return serve_until_interrupted(emulator, "fal queue API emulator listening on {url}",
                                   "export FAL_BASE_URL={url} FAL_KEY=emulator-key", verbose=args.verbose)


if __name__ == "__main__":
    raise SystemExit(main())

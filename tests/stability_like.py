"""A Stability-like third-party plugin, as source files, for the plugin-story test (issue 13).

The package mimics Stability AI's Stable Image API as its public reference describes it
(multipart/form-data requests, even without a file; ``Accept: image/*`` for the image's bytes
or ``application/json`` for base64; a 403 whose body names ``content_moderation``; sizes as
aspect ratios only; SD3's ``strength`` required for image-to-image, where ``aspect_ratio``
does not apply; seeds 0..4294967294). It uses only documented tryon extension points;
``tests/core/test_plugin_story.py`` writes it to a temporary folder, checks that it names no
private ``tryon`` name, and runs its conformance tests against its own emulator, found through
the ``register_emulators`` hook.
"""

from __future__ import annotations

PYPROJECT = '''\
[project]
name = "tryon-stability-like"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["tryon"]

[project.entry-points.tryon]
stability = "tryon_stability_like"
'''

INIT = '''\
"""Stability-like image models for tryon (a test plugin: only documented extension points)."""

from __future__ import annotations

from collections.abc import Callable

import tryon

from .generator import StabilityGenerator
from .models import MODELS

__all__ = ["MODELS", "StabilityGenerator", "register_emulators", "register_generators"]


@tryon.hookimpl
def register_generators(register: Callable[..., None]) -> None:
    for model_id, capabilities in MODELS.items():
        register(StabilityGenerator(model_id, capabilities))


@tryon.hookimpl
def register_emulators(register: Callable[..., None]) -> None:
    register("stability", "tryon_stability_like.emulator:StabilityEmulator", aliases=("stability-ai",),
             description="Stable Image API",
             env={"STABILITY_BASE_URL": "{base_url}", "STABILITY_API_KEY": "{key}"})
'''

MODELS = '''\
"""What each model can do, as data."""

from __future__ import annotations

import attrs

import tryon
from tryon.pricing import PerImage, Price

RATIOS = ("16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21")
SEEDS = (0, 4294967294)
DOCS = "https://platform.stability.ai/docs/api-reference"


def _strength(instance: object, attribute: attrs.Attribute, value: float | None) -> None:
    if value is not None and not 0 <= value <= 1:
        raise ValueError(f"strength={value!r} must be between 0 and 1")


@attrs.frozen(kw_only=True)
class SD3Options:
    """Options of the SD3 endpoint."""

    strength: float | None = attrs.field(default=None, validator=_strength)
    negative_prompt: str | None = None


@attrs.frozen(kw_only=True)
class CoreOptions:
    """Options of the Stable Image Core endpoint."""

    style_preset: str | None = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.in_({"photographic", "anime", "digital-art", "line-art"})))
    negative_prompt: str | None = None


def _source(note: str) -> tryon.Source:
    return tryon.Source(where=DOCS, checked="2026-12-02", kind="third-party", verified=False,
                        note=f"test plugin data after the public API reference: {note}")


COMMON = dict(
    sizes=tryon.Sizes.ratios(*RATIOS),
    aspect_ratios=RATIOS,
    seed=True,
    seed_range=SEEDS,
    max_prompt_length=10000,
    max_images_per_call=1,
)

MODELS = {
    "sd3-large": tryon.Capabilities(
        operations={"generate", "edit"},
        max_input_images=1,
        output_formats={"png", "jpeg"},
        inputs=tryon.InputLimits(accepted_types={"image/png", "image/jpeg", "image/webp"}, max_count=1),
        defaults={"aspect_ratio": "1:1", "output_format": "png"},  # the provider's true defaults
        provider_options=SD3Options,
        required_options={"strength": {"edit"}},
        operation_options={"strength": {"edit"}, "aspect_ratio": {"generate"}},
        # a rule written the natural way; with the default ratio declared above it must not
        # refuse image-to-image requests that leave aspect_ratio unset
        rules=(tryon.Rule.excludes("options.strength", "aspect_ratio",
                                   "image-to-image keeps the input's aspect ratio"),),
        sources=tryon.Provenance({"*": _source("the SD3 endpoint: modes, ratios, strength, seeds, formats")}),
        price=Price(rates=PerImage(flat=6.5), credit_usd=0.01, sources=_source("6.5 credits per image")),
        **COMMON,
    ),
    "stable-image-core": tryon.Capabilities(
        operations={"generate"},
        output_formats={"png", "jpeg", "webp"},
        defaults={"aspect_ratio": "1:1", "output_format": "png"},
        provider_options=CoreOptions,
        sources=tryon.Provenance({"*": _source("the Core endpoint: ratios, style presets, seeds, formats")}),
        price=Price(rates=PerImage(flat=3), credit_usd=0.01, sources=_source("3 credits per image")),
        **COMMON,
    ),
}
'''

GENERATOR = '''\
"""Requests over HTTP: multipart forms, binary or JSON answers, the provider's error shape."""

from __future__ import annotations

import os
from typing import Any

import tryon
from tryon.answers import AnswerReader
from tryon.error_shapes import ErrorAnswer, ErrorDetails
from tryon.http import json_object, same_origin, send, shared_session
from tryon.multipart import FilePart
from tryon.secrets import Secret
from tryon.sizes import aspect_ratio_of

from .models import RATIOS

DEFAULT_BASE_URL = "https://api.stability.ai"
ENDPOINTS = {"sd3-large": "/v2beta/stable-image/generate/sd3",
             "stable-image-core": "/v2beta/stable-image/generate/core"}
JSON_ANSWERS = {"sd3-large"}  # the others answer with the image's bytes (Accept: image/*)


def read_error(answer: ErrorAnswer) -> ErrorDetails | None:
    """Stability's error body: {"id", "name", "errors": [...]}; a 403 named content_moderation is moderation."""
    body = answer.json if isinstance(answer.json, dict) else {}
    errors = body.get("errors")
    message = "; ".join(str(e) for e in errors) if isinstance(errors, list) and errors else answer.message
    name = body.get("name") if isinstance(body.get("name"), str) else None
    if name == "content_moderation":
        return ErrorDetails(message, code=name, error=tryon.ContentPolicyError)
    return ErrorDetails(message, code=name) if name else None


class StabilityGenerator:
    provider = "stability"

    def __init__(self, model_id: str, capabilities: tryon.Capabilities, *, api_key: str | None = None,
                 base_url: str | None = None, max_retries: int = 2) -> None:
        self.model_id = model_id
        self.capabilities = capabilities
        self.key = Secret(api_key) if api_key else None
        self.base_url = (base_url or os.environ.get("STABILITY_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.max_retries = max_retries
        self.session = shared_session(retries=max_retries)

    def configure(self, **settings: Any) -> StabilityGenerator:
        current = {"api_key": self.key.value if self.key else None, "base_url": self.base_url,
                   "max_retries": self.max_retries}
        return StabilityGenerator(self.model_id, self.capabilities, **{**current, **settings})

    def check_credentials(self) -> None:
        self.credentials()

    def credentials(self) -> dict[str, str]:
        key = self.key.value if self.key else os.environ.get("STABILITY_API_KEY")
        if not key:
            raise tryon.MissingCredentialsError("stability", ["STABILITY_API_KEY"])
        return {"Authorization": f"Bearer {key}"}

    def form(self, request: tryon.Request) -> dict[str, Any]:
        options = request.options
        fields: dict[str, Any] = {
            "prompt": request.prompt,
            "output_format": request.output_format,
            "seed": request.seed,
            # sizes are ratios: a WxH the router accepted is one of the declared ratios
            "aspect_ratio": request.aspect_ratio or (aspect_ratio_of(request.size, RATIOS) if request.size else None),
            "negative_prompt": getattr(options, "negative_prompt", None),
            "style_preset": getattr(options, "style_preset", None),
        }
        if isinstance(request, tryon.EditRequest):
            fields.update(mode="image-to-image", image=FilePart.of(request.images[0]),
                          strength=options.strength)
        return fields

    def call(self, request: tryon.Request) -> tryon.Generation:
        json_answer = self.model_id in JSON_ANSWERS
        response = send(self.session, "POST", self.base_url + ENDPOINTS[self.model_id], provider=self.provider,
                        model=self.model_id, multipart=self.form(request), read_error=read_error, deadline=300,
                        headers={"Accept": "application/json" if json_answer else "image/*"},
                        credentials=self.credentials(), credential_scope=same_origin(self.base_url))
        read = AnswerReader(self.provider, self.model_id)
        if json_answer:
            answer = json_object(response, provider=self.provider, model=self.model_id)
            finish = read.text(answer.get("finish_reason"), "finish_reason", optional=True)
            seed = answer.get("seed")
            b64 = read.text(answer.get("image"), "image")
        else:
            finish = response.headers.get("finish-reason")
            seed = response.headers.get("seed")
            b64 = None
        if finish == "CONTENT_FILTERED":
            raise tryon.ContentPolicyError("the output was filtered by the provider's moderation",
                                           provider=self.provider, model=self.model_id, status=200)
        seed_value = int(seed) if isinstance(seed, int | str) and str(seed).isdigit() else None
        kwargs: dict[str, Any] = {"index": 0, "seed": seed_value, "provider": self.provider, "model": self.model_id}
        image = (tryon.GeneratedImage.from_base64(b64 or "", **kwargs) if json_answer
                 else tryon.GeneratedImage.from_bytes(response.content, **kwargs))
        return tryon.Generation(images=[image], model=self.model_id, provider=self.provider)

    def generate(self, request: tryon.GenerateRequest) -> tryon.Generation:
        return self.call(request)

    def edit(self, request: tryon.EditRequest) -> tryon.Generation:
        return self.call(request)
'''

EMULATOR = '''\
"""A local emulator of the Stable Image API's generate endpoints."""

from __future__ import annotations

import base64
from typing import Any

from tryon.testing.server import ApiError, EmulatorServer, RecordedFile, RecordedRequest, Response
from tryon.testing.synth import synth_image

from .models import RATIOS, SEEDS

PIXELS = {"1:1": (1024, 1024), "16:9": (1344, 768), "21:9": (1536, 640), "2:3": (832, 1216), "3:2": (1216, 832),
          "4:5": (896, 1088), "5:4": (1088, 896), "9:16": (768, 1344), "9:21": (640, 1536)}
FORMATS = {"sd3": {"png", "jpeg"}, "core": {"png", "jpeg", "webp"}}
MODERATED = ("Your request was flagged by our content moderation system, as a result your request was denied "
             "and you were not charged.")


class StabilityEmulator(EmulatorServer):
    provider = "stability"
    request_id_header = "x-request-id"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.route("POST", "/v2beta/stable-image/generate/{endpoint}", self.generate)

    # a subclass's own private names cannot disturb the base class (its machinery is name-mangled)
    def _answer(self, width: int, height: int, fmt: str, prompt: str) -> bytes:
        return synth_image(width, height, fmt, transparent=False, seed_text=prompt)

    def error_body(self, status: int, code: str | None, message: str, *, param: str | None = None) -> Any:
        return {"id": self.new_request_id(), "name": code or "bad_request", "errors": [message]}

    def moderation_response(self, request: RecordedRequest) -> Response:
        return self.error_response(403, MODERATED, code="content_moderation")

    def malformed_response(self, request: RecordedRequest) -> Response:
        if "image/" in (request.header("accept") or ""):
            return Response.binary(self._answer(64, 64, "png", "x")[:40], "image/png")  # a truncated PNG
        return super().malformed_response(request)

    def generate(self, request: RecordedRequest) -> Response:
        endpoint = request.path_params["endpoint"]
        if endpoint not in FORMATS:
            raise ApiError(404, f"unknown endpoint {endpoint}", code="not_found")
        if not request.content_type.startswith("multipart/form-data"):
            raise ApiError(400, "the request must be multipart/form-data", code="bad_request")
        form = request.params
        prompt = form.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            raise ApiError(400, "prompt: is required", code="bad_request")
        mode = form.get("mode", "text-to-image")
        if mode == "image-to-image":
            if endpoint != "sd3":
                raise ApiError(400, "mode: image-to-image is not available here", code="bad_request")
            image = form.get("image")
            if not isinstance(image, RecordedFile):
                raise ApiError(400, "image: is required in image-to-image mode", code="bad_request")
            if "strength" not in form:
                raise ApiError(400, "strength: is required in image-to-image mode", code="bad_request")
            if "aspect_ratio" in form:
                raise ApiError(400, "aspect_ratio: only applies to text-to-image", code="bad_request")
            strength = float(form["strength"])
            if not 0 <= strength <= 1:
                raise ApiError(400, "strength: must be between 0 and 1", code="bad_request")
            width, height = image.image().size
        elif mode == "text-to-image":
            if "image" in form or "strength" in form:
                raise ApiError(400, "image, strength: only apply to image-to-image", code="bad_request")
            ratio = form.get("aspect_ratio", "1:1")
            if ratio not in RATIOS:
                raise ApiError(400, f"aspect_ratio: must be one of {', '.join(RATIOS)}", code="bad_request")
            width, height = PIXELS[ratio]
        else:
            raise ApiError(400, "mode: must be text-to-image or image-to-image", code="bad_request")
        seed = int(form.get("seed", 0))
        if not SEEDS[0] <= seed <= SEEDS[1]:
            raise ApiError(400, f"seed: must be between {SEEDS[0]} and {SEEDS[1]}", code="bad_request")
        fmt = form.get("output_format", "png")
        if fmt not in FORMATS[endpoint]:
            raise ApiError(400, f"output_format: must be one of {sorted(FORMATS[endpoint])}", code="bad_request")
        data = self._answer(width, height, fmt, prompt)
        accept = request.header("accept") or "image/*"
        if accept == "application/json":
            return Response.json({"image": base64.b64encode(data).decode(), "finish_reason": "SUCCESS",
                                  "seed": seed})
        if accept not in ("image/*", f"image/{fmt}"):
            raise ApiError(400, "accept: must be image/* or application/json", code="bad_request")
        return Response.binary(data, f"image/{fmt}", headers={"finish-reason": "SUCCESS", "seed": str(seed)})
'''

CONFORMANCE = '''\
"""The Stability-like plugin passes tryon's conformance kit against its own emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tryon_stability_like import MODELS
from tryon_stability_like.generator import StabilityGenerator

import tryon
from tryon.emulators import find
from tryon.testing.conformance import GeneratorConformance


class TestStabilityLike(GeneratorConformance):
    require_provenance = True
    # sd3's edits need strength (declared required): the kit's documented per-model options
    sample_options = {"sd3-large": {"edit": {"options": {"strength": 0.6}}}}

    @pytest.fixture(params=sorted(MODELS))
    def model(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def emulator(self) -> Iterator[Any]:
        entry = find("stability")  # registered by the plugin's register_emulators hook
        assert entry.plugin == "stability"
        with entry.build() as emu:
            yield emu

    @pytest.fixture
    def router(self, emulator: Any) -> tryon.Router:
        router = tryon.Router(plugins=False)
        for model_id, caps in MODELS.items():
            router.register(StabilityGenerator(model_id, caps, api_key="test-key", base_url=emulator.base_url,
                                               max_retries=0))
        return router


def test_the_hooks_are_spelt_right() -> None:
    import pluggy
    import tryon_stability_like

    from tryon import hookspecs

    pm = pluggy.PluginManager("tryon")
    pm.add_hookspecs(hookspecs)
    pm.register(tryon_stability_like)
    pm.check_pending()
'''

FILES = {
    "pyproject.toml": PYPROJECT,
    "tryon_stability_like/__init__.py": INIT,
    "tryon_stability_like/models.py": MODELS,
    "tryon_stability_like/generator.py": GENERATOR,
    "tryon_stability_like/emulator.py": EMULATOR,
    "tests/test_conformance.py": CONFORMANCE,
}
"""Path inside the package folder -> file text."""

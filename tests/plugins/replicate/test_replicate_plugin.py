"""The Replicate plugin against its emulator: the predictions protocol, hosts, errors, conformance."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from tryon_replicate import MODELS, generators
from tryon_replicate.emulator import ReplicateEmulator

import tryon
from tryon.errors import (
    AuthenticationError,
    ContentPolicyError,
    InvalidResponseError,
    MissingCredentialsError,
    ProviderRequestError,
    ProviderTimeoutError,
    RateLimitError,
    UnsupportedOptionError,
)
from tryon.testing.conformance import GeneratorConformance
from tryon.testing.synth import synth_image

TOKEN = "r8_test-token-0123456789abcdef"
FAST = {"poll_interval": 0.001, "max_poll_interval": 0.005, "timeout": 10, "max_retries": 0}


def make_router(emu: ReplicateEmulator, **settings: Any) -> tryon.Router:
    router = tryon.Router(plugins=False)
    for gen in generators(**{"api_key": TOKEN, "base_url": emu.url, **FAST, **settings}):
        router.register(gen, aliases=gen.aliases)
    return router


def picture(size: tuple[int, int] = (300, 200)) -> bytes:
    return synth_image(*size, "png", transparent=False, seed_text="input")


@pytest.fixture
def emu() -> Iterator[ReplicateEmulator]:
    with ReplicateEmulator(api_keys=[TOKEN]) as emulator:  # any other token is refused (401)
        yield emulator


@pytest.fixture
def r(emu: ReplicateEmulator) -> tryon.Router:
    return make_router(emu)


# ---------------------------------------------------------------------------- the protocol


def test_prefer_wait_answers_in_one_request(r: tryon.Router, emu: ReplicateEmulator) -> None:
    result = r.generate("a fox", model="replicate-flux-schnell")
    [create] = emu.creates
    assert create.path == "/v1/models/black-forest-labs/flux-schnell/predictions"
    assert create.header("prefer") == "wait=60"
    assert create.header("authorization") == "Bearer [REDACTED]"
    assert create.params == {"input": {"prompt": "a fox"}}
    assert emu.polls == [] and len(emu.downloads) == 1
    assert emu.downloads[0].header("authorization") is None  # outputs are fetched without the token
    assert result.request_id and result.images[0].format == "webp"  # the model's default format
    assert result.cost_usd == pytest.approx(0.003)


def test_a_running_prediction_is_polled_through_urls_get(emu: ReplicateEmulator) -> None:
    emu.pending_polls = 3
    result = make_router(emu, wait=5).generate("a fox", model="black-forest-labs/flux-schnell", n=2)
    assert emu.creates[0].header("prefer") == "wait=5"
    assert len(emu.polls) == 4 and {p.path for p in emu.polls} == {f"/v1/predictions/{result.request_id}"}
    assert all(p.header("authorization") == "Bearer [REDACTED]" for p in emu.polls)
    assert len(result.images) == 2 and emu.creates[0].params["input"]["num_outputs"] == 2


def test_wait_zero_sends_no_prefer_header(emu: ReplicateEmulator) -> None:
    make_router(emu, wait=0).generate("a fox", model="replicate-flux-schnell")
    assert emu.creates[0].header("prefer") is None and len(emu.polls) == 1


def test_past_the_deadline_the_prediction_is_cancelled(emu: ReplicateEmulator) -> None:
    emu.pending_polls = 10_000
    router = make_router(emu, wait=0, deadline=0.3, poll_interval=0.05, max_poll_interval=0.05)
    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError, match=r"deadline \(0.3s\)|within 0.3s") as caught:
        router.generate("a fox", model="replicate-flux-schnell")
    assert time.monotonic() - started < 3
    assert emu.cancelled == [caught.value.request_id]
    cancel = emu.requests_to("/cancel", "POST")
    assert len(cancel) == 1 and cancel[0].header("authorization") == "Bearer [REDACTED]"


async def test_cancelling_the_awaiting_task_cancels_the_prediction(emu: ReplicateEmulator) -> None:
    import asyncio

    emu.pending_polls = 10_000
    router = make_router(emu, wait=0, poll_interval=0.02, max_poll_interval=0.02)
    task = asyncio.ensure_future(router.agenerate("a fox", model="replicate-flux-schnell"))
    for _ in range(200):
        await asyncio.sleep(0.01)
        if emu.polls:
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(200):
        if emu.cancelled:
            break
        await asyncio.sleep(0.01)
    assert len(emu.cancelled) == 1


@pytest.mark.parametrize(("fate", "error", "fragment"), [
    ("fail_prediction_next", ProviderRequestError, "the prediction failed: CUDA out of memory"),
    ("moderate_next", ContentPolicyError, "safety checker: NSFW content detected"),
])
def test_failed_predictions_are_typed(r: tryon.Router, emu: ReplicateEmulator, fate: str,
                                      error: type[Exception], fragment: str) -> None:
    getattr(emu, fate)()
    with pytest.raises(error, match=fragment) as caught:
        r.generate("a fox", model="replicate-flux-1.1-pro")
    assert getattr(caught.value, "request_id", None)
    assert emu.downloads == []


@pytest.mark.parametrize("output", [None, {"image": "x"}, [], [1], "", ["https://replicate.delivery/a.png", 3]])
def test_malformed_outputs_are_invalid_responses(r: tryon.Router, emu: ReplicateEmulator, output: Any) -> None:
    emu.output_next(output)
    with pytest.raises(InvalidResponseError, match="output"):
        r.generate("a fox", model="replicate-flux-1.1-pro")


@pytest.mark.parametrize("url", [
    "http://replicate.delivery/x/out.png",        # not https
    "https://replicate.delivery.evil.example/x",  # a look-alike
    "https://example.com/out.png",                # elsewhere
    "https://evilreplicate.delivery/out.png",     # not a subdomain
    "https://user@replicate.delivery/out.png",    # ambiguous
])
def test_outputs_only_from_delivery_hosts(r: tryon.Router, emu: ReplicateEmulator, url: str) -> None:
    emu.output_next(url)
    with pytest.raises(InvalidResponseError):
        r.generate("a fox", model="replicate-flux-1.1-pro")
    assert emu.downloads == []


def test_data_uri_outputs_are_decoded(r: tryon.Router, emu: ReplicateEmulator) -> None:
    png = synth_image(64, 64, "png", transparent=False, seed_text="d")
    emu.output_next("data:image/png;base64," + base64.b64encode(png).decode())
    result = r.generate("a fox", model="replicate-flux-1.1-pro", output_format="png")
    assert result.images[0].data == png
    emu.output_next("data:image/png;base64,@@@")
    with pytest.raises(InvalidResponseError, match="invalid base64"):
        r.generate("a fox", model="replicate-flux-1.1-pro")


def test_expired_outputs_say_why(r: tryon.Router, emu: ReplicateEmulator) -> None:
    emu.expire_outputs_next()
    with pytest.raises(InvalidResponseError, match="deletes outputs an hour after"):
        r.generate("a fox", model="replicate-flux-1.1-pro")


@pytest.mark.parametrize("url", [
    "https://api.replicate.com.evil.example/v1/predictions/p1",
    "https://evil.example/v1/predictions/p1",
    "http://127.0.0.2:1/v1/predictions/p1",
    "https://user@api.replicate.com/v1/predictions/p1",
])
def test_polling_urls_elsewhere_never_get_the_token(emu: ReplicateEmulator, url: str) -> None:
    emu.pending_polls = 1
    emu.poll_urls_next(url, url + "/cancel")
    with pytest.raises(InvalidResponseError, match=r"refusing to send the API key|will not call"):
        make_router(emu, wait=0).generate("a fox", model="replicate-flux-1.1-pro")
    assert [q.path for q in emu.requests] == ["/v1/models/black-forest-labs/flux-1.1-pro/predictions"]


@pytest.mark.parametrize(("status", "error"), [(401, AuthenticationError), (429, RateLimitError),
                                               (422, ProviderRequestError), (404, ProviderRequestError)])
def test_http_errors_are_typed_with_the_problem_detail(r: tryon.Router, emu: ReplicateEmulator, status: int,
                                                       error: type[Exception]) -> None:
    emu.fail_next(status, retry_after=7 if status == 429 else None, message=f"detail of {status}")
    with pytest.raises(error, match=f"detail of {status}") as caught:
        r.generate("a fox", model="replicate-flux-schnell")
    if status == 429:
        assert caught.value.retry_after == 7  # type: ignore[attr-defined]
    assert TOKEN not in str(caught.value)


def test_the_emulators_422_names_the_field(emu: ReplicateEmulator) -> None:
    import requests

    answer = requests.post(f"{emu.url}/v1/models/black-forest-labs/flux-schnell/predictions",
                           json={"input": {"prompt": "x", "num_outputs": 9, "colour": "red"}},
                           headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    body = answer.json()
    assert answer.status_code == 422 and body["title"] == "Input validation failed"
    assert {f["field"] for f in body["invalid_fields"]} == {"input.num_outputs", "input.colour"}
    assert "- input.num_outputs: Must be less than or equal to 4" in body["detail"]


def test_no_token_no_request(emu: ReplicateEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    router = tryon.Router(plugins=False)
    for gen in generators(base_url=emu.url):
        router.register(gen)
    with pytest.raises(MissingCredentialsError, match="REPLICATE_API_TOKEN"):
        router.generate("a fox", model="replicate-flux-schnell")
    assert emu.requests == []
    monkeypatch.setenv("REPLICATE_API_TOKEN", TOKEN)
    assert router.generate("a fox", model="replicate-flux-schnell").images


def test_registered_through_the_entry_point(emu: ReplicateEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPLICATE_API_TOKEN", TOKEN)
    monkeypatch.setenv("REPLICATE_BASE_URL", emu.url)
    info = tryon.Router().info("black-forest-labs/flux-kontext-pro")
    assert (info.model, info.provider, info.plugin) == ("replicate-flux-kontext-pro", "replicate", "replicate")
    assert tryon.generate("a fox", model="replicate/replicate-seedream-4").images


# ---------------------------------------------------------------------------- request mapping


def sent(emu: ReplicateEmulator) -> dict[str, Any]:
    params: dict[str, Any] = emu.creates[-1].params["input"]
    return params


def test_exact_sizes_become_custom_sizes(r: tryon.Router, emu: ReplicateEmulator) -> None:
    result = r.generate("x", model="replicate-flux-1.1-pro", size="1216x832", output_format="jpeg", seed=3,
                        options={"safety_tolerance": 4, "prompt_upsampling": True})
    assert sent(emu) == {"prompt": "x", "aspect_ratio": "custom", "width": 1216, "height": 832,
                         "output_format": "jpg", "seed": 3, "safety_tolerance": 4, "prompt_upsampling": True}
    assert result.images[0].size == (1216, 832) and result.images[0].format == "jpeg"
    r.generate("x", model="replicate-seedream-4", size="1536x2048")
    assert sent(emu) == {"prompt": "x", "size": "custom", "width": 1536, "height": 2048}
    r.generate("x", model="replicate-seedream-4", aspect_ratio="16:9", options={"resolution": "1K"})
    assert sent(emu) == {"prompt": "x", "aspect_ratio": "16:9", "size": "1K"}


def test_sizes_of_ratio_models_are_sent_as_ratios(r: tryon.Router, emu: ReplicateEmulator) -> None:
    result = r.generate("x", model="replicate-flux-schnell", size="1600x900")
    assert sent(emu)["aspect_ratio"] == "16:9"
    assert any(n.code == "size-as-aspect-ratio" for n in result.warnings)


def test_ratios_are_sent_in_the_models_spelling(r: tryon.Router, emu: ReplicateEmulator) -> None:
    result = r.generate("x", model="replicate-nano-banana-pro", aspect_ratio="7:3")
    assert sent(emu)["aspect_ratio"] == "21:9" and result.images


def test_edits_send_data_uris(r: tryon.Router, emu: ReplicateEmulator) -> None:
    r.edit([picture(), picture((200, 300))], "merge", model="replicate-nano-banana-pro", aspect_ratio="4:3")
    images = sent(emu)["image_input"]
    assert len(images) == 2 and all(i.startswith("data:image/png;base64,") for i in images)
    result = r.edit([picture()], "bluer", model="replicate-flux-kontext-pro")
    assert sent(emu)["input_image"].startswith("data:image/png;base64,")
    width, height = result.images[0].size
    assert abs(width / height - 1.5) < 0.03  # match_input_image


@pytest.mark.parametrize(("model", "options", "fragment"), [
    ("replicate-flux-schnell", {"size": "1000x700"}, "size"),
    ("replicate-flux-schnell", {"n": 2, "options": {"num_inference_steps": 9}}, "num_inference_steps"),
    ("replicate-flux-1.1-pro", {"size": "1000x1000"}, "multiples of 32"),
    ("replicate-flux-1.1-pro", {"size": "2048x2048"}, "at most 1440"),
    ("replicate-flux-1.1-pro", {"options": {"safety_tolerance": 6}}, "at most 5"),
    ("replicate-seedream-4", {"size": "512x512"}, "at least 1024"),
    ("replicate-seedream-4", {"size": "2048x2048", "options": {"resolution": "2K"}}, "resolution"),
    ("replicate-nano-banana-pro", {"aspect_ratio": "5:2"}, "aspect_ratio"),
    ("replicate-nano-banana-pro", {"seed": 4}, "seed"),
    ("replicate-flux-kontext-pro", {"output_format": "webp"}, "output_format"),
])
def test_refused_before_sending(r: tryon.Router, emu: ReplicateEmulator, model: str, options: dict[str, Any],
                                fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        r.generate("x", model=model, **options)
    assert emu.requests == []


def test_kontext_edits_keep_safety_tolerance_at_2(r: tryon.Router, emu: ReplicateEmulator) -> None:
    with pytest.raises(UnsupportedOptionError, match="at most 2"):
        r.edit([picture()], "x", model="replicate-flux-kontext-pro", options={"safety_tolerance": 5})
    assert emu.requests == []
    r.generate("x", model="replicate-flux-kontext-pro", options={"safety_tolerance": 5})  # fine without an image
    r.edit([picture()], "x", model="replicate-flux-kontext-pro")  # the default (2) is fine
    assert len(emu.creates) == 2


def test_every_model_is_served_by_the_emulator() -> None:
    from tryon_replicate.emulator import MODEL_SCHEMAS

    assert {m.slug for m in MODELS.values()} == set(MODEL_SCHEMAS)


# ---------------------------------------------------------------------------- the shared conformance suite


class TestReplicateConformance(GeneratorConformance):
    require_provenance = True

    @pytest.fixture(params=sorted(MODELS))
    def model(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def emulator(self) -> Iterator[ReplicateEmulator]:
        with ReplicateEmulator() as emulator:
            yield emulator

    @pytest.fixture
    def router(self, emulator: ReplicateEmulator) -> tryon.Router:
        return make_router(emulator)


def test_decoded_outputs_are_real_images(r: tryon.Router) -> None:
    result = r.generate("x", model="replicate-flux-schnell", n=3, output_format="png", aspect_ratio="9:16")
    for image in result.images:
        with Image.open(io.BytesIO(image.data)) as img:
            img.load()
            assert img.format == "PNG"


def test_estimates_from_the_declared_prices(r: tryon.Router, emu: ReplicateEmulator) -> None:
    schnell = r.estimate("x", model="replicate-flux-schnell", n=6)
    assert schnell.usd == pytest.approx(0.018) and schnell.calls == 2
    assert r.estimate("x", model="replicate-flux-kontext-max").usd == pytest.approx(0.08)
    for model in ("replicate-nano-banana-pro", "replicate-seedream-4"):  # no confirmed price: unknown, never 0
        assert r.estimate("x", model=model).usd is None
    with pytest.raises(ValueError, match=r"unpriced|price"):
        r.generate("x", model="replicate-seedream-4", max_cost=1.0)
    assert emu.requests == []


@pytest.mark.parametrize("model_id", sorted(MODELS))
def test_declarations_agree_with_the_transcribed_input_schemas(model_id: str) -> None:
    """The plugin's data and the emulator's schemas are kept apart on purpose; they must agree."""
    from tryon_replicate.emulator import MODEL_SCHEMAS

    model = MODELS[model_id]
    caps, inputs, fields = model.capabilities, model.inputs, MODEL_SCHEMAS[model.slug].fields
    named = [inputs.prompt, inputs.images, inputs.aspect_ratio, inputs.width, inputs.height, inputs.n, inputs.seed,
             inputs.output_format, *inputs.size_mode, *inputs.fixed]
    assert {n for n in named if n} <= set(fields), model_id
    options = {model.option_names.get(name, name) for name in caps.option_names()}
    assert options <= set(fields), model_id
    if inputs.aspect_ratio:
        assert set(caps.aspect_ratios | caps.sizes.aspect_ratios) <= set(fields[inputs.aspect_ratio].choices or ())
    if inputs.output_format:
        assert {inputs.wire_format(f) for f in caps.output_formats} <= set(fields[inputs.output_format].choices or ())
    if inputs.images:
        field = fields[inputs.images]
        assert caps.max_input_images == (field.max_items or caps.max_input_images if field.kind == "uri-list" else 1)
    if inputs.n:
        assert caps.max_images_per_call == fields[inputs.n].maximum
    if caps.sizes.rule is not None:
        rule, width = caps.sizes.rule, fields["width"]
        assert (rule.min_edge, rule.max_edge) == (width.minimum, width.maximum)
    assert caps.seed == bool(inputs.seed)

"""The GPT-Image plugin through the real openai SDK over HTTP against the local emulator."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image, ImageDraw
from tryon_openai import MODELS, OpenAIImageGenerator
from tryon_openai.pricing import PRICES

import tryon
from tryon.errors import (
    AuthenticationError,
    ContentPolicyError,
    InvalidResponseError,
    MissingCredentialsError,
    ModelRetiredError,
    ProviderTimeoutError,
    RateLimitError,
    ServiceUnavailableError,
    UnsupportedOptionError,
)
from tryon.testing.conformance import GeneratorConformance
from tryon.testing.openai_emulator import OpenAIEmulator

KEY = "sk-test-0123456789abcdefghij"


def png(size: tuple[int, int] = (1024, 1024), color: str = "blue") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def bw_mask(size: tuple[int, int] = (1024, 1024)) -> bytes:
    """Seed convention: black = edit (the left half), white = keep."""
    im = Image.new("L", size, 255)
    ImageDraw.Draw(im).rectangle((0, 0, size[0] // 2 - 1, size[1] - 1), fill=0)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def emu() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as emulator:
        yield emulator


def make_router(emu: OpenAIEmulator, **settings: Any) -> tryon.Router:
    base = {"base_url": emu.base_url, "api_key": KEY, "max_retries": 0, "timeout": 10}
    base.update(settings)
    router = tryon.Router(plugins=False, settings={"openai": base})
    for model_id, caps in MODELS.items():
        router.register(OpenAIImageGenerator(model_id, caps))
    return router


@pytest.fixture
def r(emu: OpenAIEmulator) -> tryon.Router:
    return make_router(emu)


# ---------------------------------------------------------------------------- models as data


def test_every_sdk_gpt_image_model_is_declared() -> None:
    from typing import get_args

    from openai.types.image_model import ImageModel

    sdk_models = {m for m in get_args(ImageModel) if not m.startswith("dall-e")}
    assert sdk_models == set(MODELS)


def test_per_model_rules(r: tryon.Router) -> None:
    assert r.explain("gpt-image-2", size="1536x864") == []
    assert "gpt-image-2" in r.explain("gpt-image-2.6-sunburst", size="1536x864")[0]
    assert r.explain("gpt-image-2", size="3840x2160") == []
    assert r.explain("gpt-image-2", size="3856x2160")  # past 3840 and not a multiple of 16
    assert r.explain("gpt-image-2", size="3200x1024")  # aspect beyond 3:1
    assert r.explain("gpt-image-2.5-flare", quality="max") == []
    assert "gpt-image-2.5-flare" in r.explain("gpt-image-2.6-sunburst", quality="xhigh")[0]
    assert r.explain("gpt-image-1-mini")[0].startswith("gpt-image-1-mini is retired: shut down on 2026-12-01")
    assert "gpt-image-2.6-sunburst or gpt-image-2.6-flare" in r.explain("gpt-image-1.5")[0]
    still_served = tryon.Router(plugins=False, settings={"openai": {"serves_retired": True}})
    for model_id in ("gpt-image-1-mini", "gpt-image-1.5"):
        still_served.register(OpenAIImageGenerator(model_id, MODELS[model_id]))
    assert still_served.explain("gpt-image-1-mini", input_fidelity="high")[0].startswith(
        "gpt-image-1-mini does not support input_fidelity='high'")
    assert still_served.explain("gpt-image-1.5", input_fidelity="high") == []
    assert "does not support input_fidelity" in r.explain("gpt-image-2", input_fidelity="low")[0]
    assert "png or webp" in r.explain("gpt-image-2.6-sunburst", background="transparent", output_format="jpeg")[0]
    assert "jpeg and webp" in r.explain("gpt-image-2.6-sunburst", output_compression=80)[0]
    assert r.explain("gpt-image-2.6-sunburst", output_compression=80, output_format="webp") == []
    assert "32,000" in r.explain("gpt-image-2.6-sunburst", prompt="x" * 32_001)[0]
    assert r.explain("gpt-image-2.5-sunburst", markup=b"m", mask=b"m")[0].count("markup") >= 1
    assert "does not support option 'markup'" in r.explain("gpt-image-2.6-sunburst", markup=b"m")[0]


# ---------------------------------------------------------------------------- calls


def test_generate_sends_what_was_asked(r: tryon.Router, emu: OpenAIEmulator) -> None:
    gen = r.generate("a leather bag", model="gpt-image-2.6-sunburst", size="1536x1024", quality="high",
                     background="transparent", output_format="webp", moderation="low",
                     safety_identifier="user-42")
    params = emu.last_request.params
    assert params["model"] == "gpt-image-2.6-sunburst" and params["size"] == "1536x1024"
    assert params["background"] == "transparent" and params["output_format"] == "webp"
    assert params["moderation"] == "low" and params["safety_identifier"] == "user-42"
    image = gen.images[0]
    assert (image.media_type, image.width, image.height) == ("image/webp", 1536, 1024)
    assert image.to_pil().getchannel("A").getextrema()[0] == 0  # really transparent
    assert gen.request_id and gen.request_id.startswith("req_")
    assert gen.usage is not None and gen.usage.output_image_tokens
    assert gen.cost_usd is not None and gen.cost_usd > 0


def test_output_compression_jpeg(r: tryon.Router, emu: OpenAIEmulator) -> None:
    gen = r.generate("x", model="gpt-image-2.6-sunburst", output_format="jpeg", output_compression=40)
    assert emu.last_request.params["output_compression"] == 40
    assert gen.images[0].media_type == "image/jpeg"


def test_arbitrary_size_on_gpt_image_2(r: tryon.Router, emu: OpenAIEmulator) -> None:
    gen = r.generate("x", model="gpt-image-2", size="1536x864")
    assert (gen.images[0].width, gen.images[0].height) == (1536, 864)


@pytest.mark.filterwarnings("ignore::tryon.RetiredModelWarning")  # opted in: expected
def test_multi_image_edit_with_mask_is_applied_end_to_end() -> None:
    # input_fidelity is a gpt-image-1.5 parameter: an endpoint that still serves it (Azure, a proxy)
    with OpenAIEmulator(retired_models_served=True) as emu:
        r = make_router(emu, serves_retired=True)
        first = png(color="blue")
        gen = r.edit([first, png(color="red")], "put a pool in", model="gpt-image-1.5", mask=bw_mask(),
                     input_fidelity="high", size="1024x1024")
    req = emu.last_request
    assert req.params["input_fidelity"] == "high"
    assert len(req.files["image[]"]) == 2
    assert req.files["image[]"][0].data == first  # passed through byte for byte
    mask = req.files["mask"][0].image()
    assert mask.mode == "RGBA" and mask.size == (1024, 1024)
    assert mask.getpixel((10, 10))[3] == 0 and mask.getpixel((1000, 10))[3] == 255
    out = gen.images[0].to_pil().convert("RGB")
    assert out.getpixel((1000, 500)) == (0, 0, 255)  # white in the user's mask: kept
    assert out.getpixel((10, 500)) != (0, 0, 255)  # black in the user's mask: edited


def test_moderation_on_edit_uses_the_json_body(r: tryon.Router, emu: OpenAIEmulator) -> None:
    r.edit(png(), "x", model="gpt-image-2.6-sunburst", moderation="low")
    req = emu.last_request
    assert req.params["moderation"] == "low"
    assert req.params["images"][0]["image_url"].startswith("data:image/png;base64,")


def test_streaming_delivers_partials_then_the_result(r: tryon.Router) -> None:
    events = list(r.stream("x", model="gpt-image-2.6-sunburst", partial_images=2, size="1024x1024"))
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["PartialImage", "PartialImage", "Generation"]
    assert [e.index for e in events[:2]] == [0, 1]  # type: ignore[union-attr]
    final = events[-1]
    assert isinstance(final, tryon.Generation) and final.usage is not None
    edit_events = list(r.stream("x", model="gpt-image-2.6-sunburst", images=[png()], partial_images=1))
    assert [type(e).__name__ for e in edit_events] == ["PartialImage", "Generation"]


async def test_async_streaming(r: tryon.Router) -> None:
    events = [e async for e in r.astream("x", model="gpt-image-2.6-sunburst", partial_images=1)]
    assert [type(e).__name__ for e in events] == ["PartialImage", "Generation"]
    assert events[-1].request_id  # type: ignore[union-attr]


def test_streamed_edit_with_moderation_uses_the_json_body(r: tryon.Router, emu: OpenAIEmulator) -> None:
    events = list(r.stream("x", model="gpt-image-2.6-sunburst", images=[png()], moderation="low", partial_images=1))
    assert [type(e).__name__ for e in events] == ["PartialImage", "Generation"]
    sent = emu.last_request.params
    assert sent["moderation"] == "low" and sent["stream"] is True and "images" in sent


async def test_async_streamed_edit_with_moderation(r: tryon.Router, emu: OpenAIEmulator) -> None:
    events = [e async for e in r.astream("x", model="gpt-image-2.6-sunburst", images=[png()], moderation="low",
                                         partial_images=2)]
    assert [type(e).__name__ for e in events] == ["PartialImage", "PartialImage", "Generation"]
    assert emu.last_request.params["moderation"] == "low"


async def test_async_native_client(r: tryon.Router, emu: OpenAIEmulator) -> None:
    gen = await r.agenerate("x", model="gpt-image-2.6-sunburst", n=12)
    assert len(gen.images) == 12
    assert sorted(q.params.get("n", 1) for q in emu.requests_to("/images/generations")) == [2, 10]
    gen = await r.aedit([png()], "x", model="gpt-image-2.6-sunburst")
    assert len(gen.images) == 1


@pytest.mark.filterwarnings("ignore::tryon.RetiredModelWarning")  # opted in: expected
def test_estimate_before_the_call(r: tryon.Router, emu: OpenAIEmulator) -> None:
    est = r.estimate("x" * 40, model="gpt-image-2.6-sunburst", quality="high", size="1024x1024", n=10)
    # the prompt is counted as at most one token per byte (40), the output from the token table
    assert est.usd == pytest.approx((40 * 5 + 10 * 7050 * 30) / 1e6)
    assert est.prices_as_of == PRICES["gpt-image-2.6-sunburst"].checked and est.source
    assert not est.upper_bound and "approximate" in est.basis  # third-party per-image numbers
    old = r.estimate("x" * 40, model="gpt-image-1.5", quality="high", size="1024x1024", n=10, allow_retired=True)
    assert old.usd == pytest.approx((40 * 5 + 10 * 4160 * 32) / 1e6) and old.upper_bound
    assert r.estimate("x", model="chatgpt-image-latest", allow_retired=True).usd is None  # unknown: no guess
    svg = r.estimate("x", model="gpt-image-2.6-sunburst", output_format="svg")
    assert svg.usd is None and svg.unpriced == 1 and "svg_usage" in svg.basis  # the SVG author's tokens
    assert emu.requests == []


# ---------------------------------------------------------------------------- faults and retries


def test_rate_limit_is_retried_by_the_sdk_honouring_retry_after(emu: OpenAIEmulator) -> None:
    router = make_router(emu, max_retries=2)
    emu.fail_next(429, retry_after=0.01, times=2)
    gen = router.generate("x", model="gpt-image-2.6-sunburst")
    assert len(gen.images) == 1 and len(emu.requests) == 3


def test_rate_limit_exhausted_is_typed(emu: OpenAIEmulator) -> None:
    router = make_router(emu, max_retries=1)
    emu.fail_next(429, retry_after=0.01, times=5)
    with pytest.raises(RateLimitError) as err:
        router.generate("x", model="gpt-image-2.6-sunburst")
    assert len(emu.requests) == 2 and err.value.retryable and err.value.retry_after == pytest.approx(0.01)
    assert err.value.request_id


def test_server_errors_retried_then_typed(emu: OpenAIEmulator) -> None:
    router = make_router(emu, max_retries=2)
    emu.fail_next(500, times=2, retry_after=0.01)
    assert len(router.generate("x", model="gpt-image-2.6-sunburst").images) == 1
    assert len(emu.requests) == 3
    emu.reset()
    emu.fail_next(503, times=3, retry_after=0.01)
    with pytest.raises(ServiceUnavailableError):
        router.generate("x", model="gpt-image-2.6-sunburst")
    assert len(emu.requests) == 3  # one call and the SDK's two retries


def test_authentication_is_not_retried_and_never_leaks_the_key(emu: OpenAIEmulator) -> None:
    router = make_router(emu, max_retries=2)
    emu.fail_next(401)
    with pytest.raises(AuthenticationError) as err:
        router.generate("x", model="gpt-image-2.6-sunburst")
    assert len(emu.requests) == 1
    assert KEY not in str(err.value) and KEY not in repr(err.value)
    assert KEY not in repr(router.get("gpt-image-2.6-sunburst").settings)  # type: ignore[attr-defined]
    assert all(KEY not in str(r.headers) for r in emu.requests)


def test_moderation_block_is_a_content_policy_error(emu: OpenAIEmulator) -> None:
    router = make_router(emu, max_retries=2)
    emu.moderate_next()
    with pytest.raises(ContentPolicyError, match="content policy") as err:
        router.generate("x", model="gpt-image-2.6-sunburst")
    assert len(emu.requests) == 1 and not err.value.retryable  # a refusal is final: not retried


def test_timeout_is_typed_and_retried(emu: OpenAIEmulator) -> None:
    router = make_router(emu, timeout=0.3, max_retries=1)
    emu.slow_next(2.0, times=2)
    with pytest.raises(ProviderTimeoutError) as err:
        router.generate("x", model="gpt-image-2.6-sunburst")
    assert err.value.retryable
    assert len(emu.requests) == 2  # the SDK retried the timed-out call once


def test_malformed_body_is_typed(r: tryon.Router, emu: OpenAIEmulator) -> None:
    emu.malformed_next()
    with pytest.raises(InvalidResponseError):
        r.generate("x", model="gpt-image-2.6-sunburst")
    assert len(emu.requests) == 1


def test_retired_model_is_refused_before_sending(emu: OpenAIEmulator) -> None:
    router = make_router(emu)
    with pytest.raises(ModelRetiredError) as err:
        router.generate("x", model="gpt-image-1")
    assert "shut down on 2026-10-23" in str(err.value) and "gpt-image-2.5-sunburst" in str(err.value)
    assert isinstance(err.value, ValueError) and emu.requests == []


def test_retired_model_opted_in_but_not_served_maps_not_found(emu: OpenAIEmulator) -> None:
    import tryon.router

    tryon.router._warned.discard("gpt-image-1")  # warned once per process: make this test independent
    router = make_router(emu)
    with pytest.warns(tryon.RetiredModelWarning, match="gpt-image-2.5-sunburst or gpt-image-2.5-flare") as caught, \
            pytest.raises(ModelRetiredError) as err:
        router.generate("x", model="gpt-image-1", allow_retired=True)
    assert caught[0].filename == __file__  # the warning points at the caller, not into tryon
    assert "retired on 2026-10-23" in str(err.value) and "gpt-image-2.5-sunburst" in str(err.value)
    assert len(emu.requests) == 1  # a 404 is not retried


def test_retired_model_still_works_where_served() -> None:
    with OpenAIEmulator(retired_models_served=True) as emu:
        router = make_router(emu, serves_retired=["gpt-image-1"])  # a deployment that still serves it
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            gen = router.generate("x", model="gpt-image-1")
        assert gen.warnings[0].code == "model-retired" and "sent anyway" in gen.warnings[0].message
        assert emu.last_request.params["model"] == "gpt-image-1"


def test_missing_key_is_a_clear_error_before_any_request(emu: OpenAIEmulator) -> None:
    router = tryon.Router(plugins=False, settings={"openai": {"base_url": emu.base_url}})
    router.register(OpenAIImageGenerator("gpt-image-2.6-sunburst", MODELS["gpt-image-2.6-sunburst"]))
    with pytest.raises(MissingCredentialsError, match="OPENAI_API_KEY") as err:
        router.generate("x", model="gpt-image-2.6-sunburst")
    assert isinstance(err.value, ValueError) and emu.requests == []


def test_env_vars_are_honoured(emu: OpenAIEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", emu.base_url)
    router = tryon.Router(plugins=False)
    router.register(OpenAIImageGenerator("gpt-image-2.6-sunburst", MODELS["gpt-image-2.6-sunburst"]))
    assert len(router.generate("x", model="gpt-image-2.6-sunburst").images) == 1


def test_openai_emulator_fixture_serves_app_code_unchanged(openai_emulator: OpenAIEmulator) -> None:
    gen = tryon.generate("a catalogue shot", model="gpt-image-2.6-sunburst", background="transparent")
    assert openai_emulator.requests[-1].params["background"] == "transparent" and gen.images


def test_unsupported_option_never_reaches_the_service(r: tryon.Router, emu: OpenAIEmulator) -> None:
    with pytest.raises(UnsupportedOptionError):
        r.edit(png(), "x", model="gpt-image-2", input_fidelity="high", quality="max")
    assert emu.requests == []


def test_azure_deployments_use_the_sdk_azure_client() -> None:
    from openai import AzureOpenAI
    from tryon_openai.generator import OpenAISettings, _client

    settings = OpenAISettings(api_key="azure-key-123456", azure_endpoint="https://example-resource.invalid",
                              api_version="2025-04-01-preview", azure_deployment="my-gpt-image")
    client = _client(settings, use_async=False)
    assert isinstance(client, AzureOpenAI)
    assert "deployments/my-gpt-image" in str(client.base_url)
    gen = OpenAIImageGenerator("gpt-image-2.6-sunburst", MODELS["gpt-image-2.6-sunburst"], settings)
    assert gen._wire_model == "my-gpt-image"


def test_missing_openai_package_is_an_import_error_with_the_hint() -> None:
    code = (
        "import sys; sys.modules['openai'] = None\n"
        "import tryon_openai.generator as g\n"
        "try:\n    g._import_openai()\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'tryon[openai]'" in out.stdout


# ---------------------------------------------------------------------------- conformance


@pytest.mark.filterwarnings("ignore::tryon.RetiredModelWarning")  # deprecated models warn: expected
class TestOpenAIConformance(GeneratorConformance):
    require_provenance = True  # every declared fact of the GPT models carries its source
    @pytest.fixture(params=["gpt-image-2.6-sunburst", "gpt-image-2", "gpt-image-2.5-flare", "gpt-image-2.6-flare"])
    def model(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def emulator(self) -> Iterator[OpenAIEmulator]:
        with OpenAIEmulator() as emulator:
            yield emulator

    @pytest.fixture
    def router(self, emulator: OpenAIEmulator) -> tryon.Router:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return make_router(emulator)


def test_plugin_declarations_agree_with_the_emulators_service_rules() -> None:
    """The plugin's data and the emulator's model of the service are kept apart on purpose; they must agree."""
    from tryon.testing.openai_emulator import BASE_QUALITIES, MODEL_RULES

    assert set(MODEL_RULES) == set(MODELS)
    for model, caps in MODELS.items():
        rules = MODEL_RULES[model]
        assert caps.sizes.arbitrary == rules.arbitrary_sizes, model
        assert caps.qualities == set(BASE_QUALITIES) | set(rules.extra_qualities), model
        assert caps.input_fidelity == set(rules.input_fidelity), model
        assert ("markup" in caps.option_names()) == rules.markup, model
        assert caps.lifecycle.retired == rules.retired, model


def markup_png(size: tuple[int, int] = (1024, 1024), opaque: bool = False) -> bytes:
    """Red strokes on a transparent canvas (or an opaque one)."""
    im = Image.new("RGBA", size, (255, 255, 255, 255 if opaque else 0))
    ImageDraw.Draw(im).rectangle((100, 100, 300, 300), fill=(255, 0, 0, 255))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def test_markup_is_prepared_by_the_core_and_sent_as_a_file(r: tryon.Router, emu: OpenAIEmulator) -> None:
    gen = r.edit(png(), "make the marked area a window", model="gpt-image-2.5-flare", markup=markup_png())
    sent = emu.last_request.files["markup"][0]
    assert sent.content_type == "image/png" and sent.image().size == (1024, 1024)
    assert len(gen.images) == 1


@pytest.mark.parametrize("markup, needle", [
    (markup_png(opaque=True), "opaque everywhere"),
    (png(), "no alpha channel"),
    (markup_png((512, 512)), "512x512 but the first image is 1024x1024"),
    (b"not an image at all", "markup"),
])
def test_bad_markup_is_refused_before_any_request(r: tryon.Router, emu: OpenAIEmulator, markup: bytes,
                                                  needle: str) -> None:
    from tryon.errors import InvalidInputError

    with pytest.raises(InvalidInputError) as err:
        r.edit(png(), "x", model="gpt-image-2.5-flare", markup=markup)
    assert needle in str(err.value) or needle in (err.value.input_name or "")
    assert emu.requests == []


def test_markup_rules_are_declared_and_name_the_models_that_take_markup(r: tryon.Router) -> None:
    [why] = r.explain("gpt-image-2.5-flare", markup=b"m", moderation="low")
    assert "JSON form of the edit endpoint" in why
    [why] = r.explain("gpt-image-2.6-sunburst", markup=b"m")
    assert "models that do: gpt-image-2.5-flare" in why and "chatgpt-image-latest" not in why

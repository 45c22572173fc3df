"""The Gemini (Nano Banana) plugin through a router, over real HTTP, against the local Gemini emulator."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from typing import Any

import pluggy
import pytest
import requests
import tryon_gemini
from PIL import Image
from tryon_gemini import MODELS, generators
from tryon_gemini.models import FLASH_SIZES, PRO_SIZES
from tryon_gemini.response import read_answer
from tryon_openai import MODELS as GPT_MODELS
from tryon_openai import OpenAIImageGenerator

import tryon
from tryon import hookspecs
from tryon.errors import (
    AuthenticationError,
    ContentPolicyError,
    InvalidOptionError,
    InvalidResponseError,
    MissingCredentialsError,
    RateLimitError,
    ServiceUnavailableError,
    UnsupportedOptionError,
)
from tryon.testing.conformance import GeneratorConformance
from tryon.testing.gemini_emulator import GeminiEmulator

KEY = "AIzaTestKey0123456789abcdefghijklmno"
FLASH, PRO = "gemini-2.5-flash-image", "gemini-3-pro-image"


def picture(size: tuple[int, int] = (96, 64), fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (30, 140, 90)).save(buf, fmt)
    return buf.getvalue()


@pytest.fixture
def emu() -> Iterator[GeminiEmulator]:
    with GeminiEmulator() as emulator:
        yield emulator


def make_router(emu: GeminiEmulator, *, with_gpt: bool = False, **settings: Any) -> tryon.Router:
    router = tryon.Router(plugins=False, allow_retired=True)  # the emulator still serves the retired models
    for gen in generators(
        **{"api_key": KEY, "base_url": emu.url, "max_retries": 2, "timeout": 10, **settings}
    ):
        router.register(gen)
    if with_gpt:  # declared only, never called: so errors can name models that support an option
        for model_id, caps in GPT_MODELS.items():
            router.register(OpenAIImageGenerator(model_id, caps))
    return router


@pytest.fixture
def r(emu: GeminiEmulator) -> tryon.Router:
    return make_router(emu)


def sent(emu: GeminiEmulator) -> dict[str, Any]:
    params: dict[str, Any] = emu.last_request.params
    return params


# ---------------------------------------------------------------------------- registration and data


def test_the_hook_registers_both_models_with_their_aliases() -> None:
    pm = pluggy.PluginManager("tryon")
    pm.add_hookspecs(hookspecs)
    pm.register(tryon_gemini, name="gemini")
    pm.check_pending()
    router = tryon.Router(plugins=False, allow_retired=True)  # the emulator still serves the retired models
    pm.hook.register_generators(register=router.register)
    assert router.resolve_name("nano-banana") == FLASH
    assert router.resolve_name("nano-banana-pro") == PRO
    assert router.resolve_name("gemini/nano-banana") == FLASH


def test_capabilities_are_declared_as_data() -> None:
    flash, pro = MODELS[FLASH].capabilities, MODELS[PRO].capabilities
    assert (flash.max_input_images, pro.max_input_images) == (3, 14)
    assert not flash.mask and not flash.transparent_background and not flash.input_fidelity
    assert flash.max_images_per_call == 1 and flash.inputs.max_bytes == 7 * 1024 * 1024
    assert {"image/heic", "image/heif"} <= pro.inputs.accepted_types
    assert "image/heic" not in flash.inputs.accepted_types
    assert flash.option_names() == () and pro.option_names() == ("image_size",)
    assert pro.lifecycle.status == "active"
    preview = MODELS["gemini-3-pro-image-preview"].capabilities.lifecycle
    assert preview.retired and preview.successors == ("gemini-3-pro-image",)
    assert preview.shutdown_on is not None and preview.shutdown_on.isoformat() == "2026-06-25"
    assert flash.lifecycle.retired and flash.lifecycle.shutdown_on.isoformat() == "2026-10-02"
    assert all(flash.sizes.accepts(size) for size in FLASH_SIZES.values())
    assert flash.sizes.accepts("1920x1080") and not flash.sizes.accepts("1000x700")


# ---------------------------------------------------------------------------- request mapping


def test_generate_sends_the_documented_body_with_the_key_in_a_header(
    r: tryon.Router, emu: GeminiEmulator
) -> None:
    gen = r.generate("a red fox", model="nano-banana", aspect_ratio="16:9")
    assert sent(emu) == {
        "contents": [{"role": "user", "parts": [{"text": "a red fox"}]}],
        "generationConfig": {"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": "16:9"}},
    }
    assert emu.last_request.path == f"/v1beta/models/{FLASH}:generateContent"
    assert emu.last_request.header("x-goog-api-key") == "[REDACTED]"
    assert emu.query_key_requests == []
    assert gen.image.size == (1344, 768) and gen.image.format == "png"
    assert gen.provider == "gemini" and gen.model == FLASH and gen.request_id


def test_the_inline_image_is_lifted_from_the_body_not_parsed_as_text(r: tryon.Router, emu: GeminiEmulator) -> None:
    import base64

    gen = r.generate("a red fox", model=PRO)
    data = gen.raw["candidates"][0]["content"]["parts"][-1]["inlineData"]["data"]
    assert data.startswith("\x00tryon-blob-") and len(data) < 64  # a placeholder: the base64 never became a str
    assert len(base64.b64encode(gen.image.data)) > 4096  # large enough to be lifted (tryon.json_blobs.MIN_BLOB)
    assert gen.image.to_pil().size == gen.image.size  # the bytes decoded from the body are the image


@pytest.mark.parametrize("ratio", sorted(FLASH_SIZES))
def test_every_ratio_gives_the_documented_size(r: tryon.Router, ratio: str) -> None:
    image = r.generate("x", model=FLASH, aspect_ratio=ratio).image
    assert f"{image.width}x{image.height}" == FLASH_SIZES[ratio]


def test_a_size_maps_to_its_ratio(r: tryon.Router, emu: GeminiEmulator) -> None:
    gen = r.generate("x", model=FLASH, size="832x1248")
    assert sent(emu)["generationConfig"]["imageConfig"] == {"aspectRatio": "2:3"}
    assert not [w for w in gen.warnings if w.option == "size"]
    gen = r.generate("x", model=FLASH, size="1920x1080")
    assert sent(emu)["generationConfig"]["imageConfig"] == {"aspectRatio": "16:9"}
    notice = next(w for w in gen.warnings if w.option == "size")
    assert (notice.code, notice.original, notice.applied) == ("size-as-aspect-ratio", "1920x1080", "1344x768")


def test_pro_sizes_map_to_a_ratio_and_a_tier(r: tryon.Router, emu: GeminiEmulator) -> None:
    gen = r.generate("x", model=PRO, size="2048x2048")
    assert sent(emu)["generationConfig"]["imageConfig"] == {"aspectRatio": "1:1", "imageSize": "2K"}
    assert gen.image.size == (2048, 2048)
    assert not [w for w in gen.warnings if w.option == "size"]
    r.generate("x", model=PRO, size="1600x900")  # 16:9; the smallest tier at least that large is 2K
    assert sent(emu)["generationConfig"]["imageConfig"] == {"aspectRatio": "16:9", "imageSize": "2K"}
    gen = r.generate("x", model="nano-banana-pro", aspect_ratio="3:2", image_size="2K")
    assert gen.image.size == (2528, 1696) == tuple(int(v) for v in PRO_SIZES["2K"]["3:2"].split("x"))
    assert gen.warnings == ()


def test_contradictions_are_refused_before_any_request(r: tryon.Router, emu: GeminiEmulator) -> None:
    with pytest.raises(InvalidOptionError, match="contradicts image_size"):
        r.generate("x", model=PRO, size="2048x2048", image_size="4K")
    with pytest.raises(InvalidOptionError, match="contradicts aspect_ratio"):
        r.generate("x", model=FLASH, size="1024x1024", aspect_ratio="16:9")
    assert emu.requests == []


def test_image_size_exists_only_on_pro(r: tryon.Router, emu: GeminiEmulator) -> None:
    with pytest.raises(UnsupportedOptionError, match=PRO):
        r.generate("x", model=FLASH, image_size="2K")
    with pytest.raises(InvalidOptionError, match="image_size"):
        r.generate("x", model=PRO, image_size="8K")
    assert emu.requests == []


def test_edit_sends_references_as_inline_data(r: tryon.Router, emu: GeminiEmulator) -> None:
    refs = [picture(), picture((64, 64), "JPEG"), picture((64, 64), "WEBP")]
    gen = r.edit(refs, "dress the model in the jacket", model=FLASH)
    parts = sent(emu)["contents"][0]["parts"]
    assert parts[0] == {"text": "dress the model in the jacket"}
    assert [p["inlineData"]["mimeType"] for p in parts[1:]] == ["image/png", "image/jpeg", "image/webp"]
    assert [base64.b64decode(p["inlineData"]["data"]) for p in parts[1:]] == refs
    assert gen.image.size == (1248, 832)  # without a ratio, the 96x64 first image keeps its 3:2 shape
    assert gen.usage is not None and gen.usage.input_image_tokens == 3 * 258


def test_reference_limits_are_enforced_before_any_request(emu: GeminiEmulator) -> None:
    r = make_router(emu, with_gpt=True)
    with pytest.raises(UnsupportedOptionError, match="at most 3") as err:
        r.edit([picture()] * 4, "x", model=FLASH)
    assert PRO in str(err.value)
    with pytest.raises(UnsupportedOptionError) as err:
        r.edit(picture(), "x", model=FLASH, input_fidelity="high")
    assert "gpt-image-1.5" not in str(err.value)  # only retired models take it now: none is suggested
    with pytest.raises(UnsupportedOptionError) as err:
        r.edit(picture(), "x", model=PRO, mask=picture())
    assert "gpt-image-2.6-sunburst" in str(err.value)
    with pytest.raises(UnsupportedOptionError) as err:
        r.generate("x", model=PRO, background="transparent")
    assert "gpt-image-2.6-sunburst" in str(err.value)
    assert emu.requests == []


def test_lenient_mode_maps_an_inexact_size_to_the_nearest_ratio(r: tryon.Router, emu: GeminiEmulator) -> None:
    with pytest.raises(UnsupportedOptionError, match="1000x700"):
        r.generate("x", model=FLASH, size="1000x700")
    gen = r.generate("x", model=FLASH, size="1000x700", strict=False)
    assert sent(emu)["generationConfig"]["imageConfig"] == {"aspectRatio": "3:2"}
    assert gen.image.size == (1248, 832)
    assert any(w.option == "size" and w.applied == "3:2" for w in gen.warnings)


def test_usage_and_cost_come_from_the_answer(r: tryon.Router) -> None:
    gen = r.generate("a fox in the snow", model=FLASH)
    assert gen.usage is not None and gen.usage.output_image_tokens == 1290
    assert gen.cost_usd == pytest.approx(0.0387, abs=1e-4)
    gen = r.generate("x", model=PRO, image_size="2K")
    assert gen.cost_usd == pytest.approx(0.1344, abs=1e-4)
    assert r.estimate("x", model=PRO, image_size="4K", n=2).usd == pytest.approx(0.48, abs=1e-3)
    assert r.estimate("x", model=FLASH, n=10).usd == pytest.approx(0.387, abs=1e-3)


def test_n_fans_out_into_one_call_per_image(r: tryon.Router, emu: GeminiEmulator) -> None:
    gen = r.generate("x", model=FLASH, n=3)
    assert len(gen.images) == 3 and len(emu.requests) == 3
    assert gen.cost_usd == pytest.approx(3 * 0.0387, abs=1e-3)


# ---------------------------------------------------------------------------- refusals and odd answers


def test_a_blocked_prompt_is_a_content_policy_error(r: tryon.Router, emu: GeminiEmulator) -> None:
    emu.moderate_next()
    with pytest.raises(ContentPolicyError, match="blocked \\(SAFETY\\)"):
        r.generate("x", model=FLASH)


def test_a_withheld_image_is_a_content_policy_error(r: tryon.Router, emu: GeminiEmulator) -> None:
    emu.block_image_next()
    with pytest.raises(ContentPolicyError, match="IMAGE_SAFETY"):
        r.generate("x", model=FLASH)


def test_empty_candidates_are_a_content_policy_error(r: tryon.Router, emu: GeminiEmulator) -> None:
    emu.fail_next(200, body={"candidates": [], "usageMetadata": {"promptTokenCount": 3}})
    with pytest.raises(ContentPolicyError, match="no candidates"):
        r.generate("x", model=FLASH)


def test_an_answer_without_an_image_quotes_the_model(r: tryon.Router, emu: GeminiEmulator) -> None:
    emu.fail_next(
        200,
        body={
            "candidates": [
                {"content": {"parts": [{"text": "I can only draw cats."}]}, "finishReason": "STOP"}
            ]
        },
    )
    with pytest.raises(InvalidResponseError, match="I can only draw cats"):
        r.generate("x", model=FLASH)
    emu.malformed_next()
    with pytest.raises(InvalidResponseError):
        r.generate("x", model=FLASH)


@pytest.mark.parametrize(
    "answer",
    [
        {},
        {"candidates": None},
        {"candidates": [None]},
        {"candidates": [{"content": {"parts": [{"inlineData": 5}]}}]},
        {"candidates": [{"content": {"parts": "x"}}]},
        {"promptFeedback": {"blockReason": "OTHER"}},
        {"candidates": [{"finishReason": "PROHIBITED_CONTENT"}]},
        {"candidates": [{"finishReason": "MAX_TOKENS"}]},
    ],
)
def test_no_answer_shape_crashes_the_reader(answer: dict[str, Any]) -> None:
    with pytest.raises((ContentPolicyError, InvalidResponseError)):
        read_answer(answer, provider="gemini", model=FLASH)


def test_thought_images_are_skipped() -> None:
    png = base64.b64encode(picture()).decode()
    answer = {
        "candidates": [
            {
                "content": {
                    "parts": [
                        {"thought": True, "inlineData": {"mimeType": "image/png", "data": "ZHJhZnQ="}},
                        {"inlineData": {"mimeType": "image/png", "data": png}},
                    ]
                }
            }
        ]
    }
    assert read_answer(answer, provider="gemini", model=PRO).image_b64 == png


# ---------------------------------------------------------------------------- HTTP failures and keys


def test_429_with_retry_after_is_retried_by_the_session(r: tryon.Router, emu: GeminiEmulator) -> None:
    emu.fail_next(429, retry_after=0)
    assert r.generate("x", model=FLASH).images
    assert len(emu.requests) == 2


def test_an_overloaded_model_is_retried_then_typed(emu: GeminiEmulator) -> None:
    emu.fail_next(503)
    assert make_router(emu).generate("x", model=FLASH).images
    assert len(emu.requests) == 2  # a failed generateContent is not billed, so POST is retried
    emu.fail_next(503, times=2)
    with pytest.raises(ServiceUnavailableError) as err:
        make_router(emu, max_retries=1).generate("x", model=FLASH)
    assert err.value.status == 503 and err.value.retryable
    emu.fail_next(429, retry_after=0)
    with pytest.raises(RateLimitError):
        make_router(emu, max_retries=0).generate("x", model=FLASH)


def test_key_failures_are_authentication_errors_without_the_key() -> None:
    with GeminiEmulator(api_keys=["the-right-key"]) as emu:
        with pytest.raises(AuthenticationError, match="API key not valid") as err:
            make_router(emu).generate("x", model=FLASH)
        assert KEY not in str(err.value)
        emu.fail_next(401)
        with pytest.raises(AuthenticationError):
            make_router(emu, api_key="the-right-key").generate("x", model=FLASH)


def test_a_missing_key_fails_before_any_request(emu: GeminiEmulator) -> None:
    router = tryon.Router(plugins=False, allow_retired=True)  # the emulator still serves the retired models
    for gen in generators(base_url=emu.url):
        router.register(gen)
    with pytest.raises(MissingCredentialsError) as err:
        router.generate("x", model=FLASH)
    assert "GEMINI_API_KEY" in str(err.value) and "GOOGLE_API_KEY" in str(err.value)
    assert emu.requests == []


@pytest.mark.parametrize("env", ["GEMINI_API_KEY", "GOOGLE_API_KEY"])
def test_key_and_base_url_come_from_the_environment(
    emu: GeminiEmulator, monkeypatch: pytest.MonkeyPatch, env: str
) -> None:
    monkeypatch.setenv(env, KEY)
    monkeypatch.setenv("GEMINI_BASE_URL", emu.url)
    router = tryon.Router(plugins=False, settings={"gemini": {"max_retries": 0}}, allow_retired=True)
    for gen in generators():
        router.register(gen)
    assert router.generate("x", model=FLASH).images
    assert emu.query_key_requests == []


def test_settings_are_checked() -> None:
    with pytest.raises(InvalidOptionError, match="unknown gemini setting 'region'"):
        generators(region="eu")
    with pytest.raises(InvalidOptionError, match="max_retries"):
        generators(max_retries=-1)


# ---------------------------------------------------------------------------- the emulator on its own


@pytest.mark.parametrize(
    "model, body, message",
    [
        (
            FLASH,
            {
                "contents": [{"parts": [{"text": "x"}]}],
                "generationConfig": {"imageConfig": {"imageSize": "2K"}},
            },
            "not supported for model",
        ),
        (
            PRO,
            {
                "contents": [{"parts": [{"text": "x"}]}],
                "generationConfig": {"imageConfig": {"imageSize": "2k"}},
            },
            "Unsupported image size",
        ),
        (
            FLASH,
            {
                "contents": [{"parts": [{"text": "x"}]}],
                "generationConfig": {"imageConfig": {"aspectRatio": "7:3"}},
            },
            "Unsupported aspect ratio",
        ),
        (
            FLASH,
            {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"imageConfig": {"style": "x"}}},
            'Unknown name "style"',
        ),
        (FLASH, {"contents": [{"parts": [{"text": "x"}]}], "extra": 1}, 'Unknown name "extra"'),
        (FLASH, {"contents": []}, "contents is not specified"),
        (
            FLASH,
            {"contents": [{"parts": [{"inline_data": {"mime_type": "image/gif", "data": "R0lG"}}]}]},
            "Unsupported MIME type",
        ),
        (
            FLASH,
            {"contents": [{"parts": [{"inlineData": {"mimeType": "image/png", "data": "***"}}]}]},
            "Base64 decoding failed",
        ),
        (
            FLASH,
            {
                "contents": [
                    {
                        "parts": [
                            {
                                "inlineData": {
                                    "mimeType": "image/png",
                                    "data": base64.b64encode(b"\0" * (7 * 2**20 + 1)).decode(),
                                }
                            }
                        ]
                    }
                ]
            },
            "at most 7 MB",
        ),
        (
            FLASH,
            {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"responseModalities": ["TEXT"]}},
            "response modalities",
        ),
    ],
)
def test_the_emulator_validates_like_the_service(
    emu: GeminiEmulator, model: str, body: dict[str, Any], message: str
) -> None:
    answer = requests.post(
        f"{emu.url}/v1beta/models/{model}:generateContent",
        json=body,
        headers={"x-goog-api-key": "k"},
        timeout=10,
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT" and message in error["message"]


def test_the_emulator_knows_its_models_and_snake_case(emu: GeminiEmulator) -> None:
    url = f"{emu.url}/v1beta/models/%s:generateContent"
    missing = requests.post(url % "gemini-9", json={}, headers={"x-goog-api-key": "k"}, timeout=10)
    assert missing.status_code == 404 and missing.json()["error"]["status"] == "NOT_FOUND"
    body = {
        "contents": [{"parts": [{"text": "x"}]}],
        "generation_config": {
            "response_modalities": ["TEXT", "IMAGE"],
            "image_config": {"aspect_ratio": "9:16"},
        },
    }
    ok = requests.post(url % FLASH, json=body, params={"key": "k"}, timeout=10).json()
    parts = ok["candidates"][0]["content"]["parts"]
    assert parts[0]["text"] and parts[1]["inlineData"]["mimeType"] == "image/png"
    assert len(emu.query_key_requests) == 1 and emu.query_key_requests[0].query["key"] == "[REDACTED]"
    no_key = requests.post(url % FLASH, json=body, timeout=10)
    assert no_key.status_code == 403 and no_key.json()["error"]["status"] == "PERMISSION_DENIED"


# ---------------------------------------------------------------------------- the shared conformance suite


class TestGeminiConformance(GeneratorConformance):
    @pytest.fixture(params=sorted(MODELS))
    def model(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def emulator(self) -> Iterator[GeminiEmulator]:
        with GeminiEmulator() as emu:
            yield emu

    @pytest.fixture
    def router(self, emulator: GeminiEmulator) -> tryon.Router:
        return make_router(emulator, max_retries=0)

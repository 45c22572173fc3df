"""Nova Canvas through tryon: task types, masks, refusals before any call, typed errors, secrets, prices."""

from __future__ import annotations

import datetime as dt
import logging
import pickle
from collections.abc import Iterator
from typing import Any

import pytest
from bedrock_helpers import decoded, make_router, mask_png, png

import tryon
from tryon.errors import (
    BudgetExceededError,
    ContentPolicyError,
    InvalidInputError,
    InvalidOptionError,
    InvalidResponseError,
    MissingCredentialsError,
    ModelRetiredError,
    PartialResultError,
    PermissionDeniedError,
    ProviderRequestError,
    ProviderTimeoutError,
    RateLimitError,
    ServiceUnavailableError,
    UnsupportedOptionError,
    ValidationError,
)
from tryon.router import RetiredModelWarning
from tryon.testing.bedrock_emulator import BedrockEmulator

pytest.importorskip("boto3")
pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def emu() -> Iterator[BedrockEmulator]:
    with BedrockEmulator() as emulator:
        yield emulator


@pytest.fixture
def router(emu: BedrockEmulator) -> tryon.Router:
    return make_router(emu)


def params(emu: BedrockEmulator, key: str | None = None) -> dict[str, Any]:
    body = emu.last_request.params
    return body if key is None else body[key]


# ---------------------------------------------------------------------- lifecycle


def test_retired_model_is_refused_before_any_call_naming_successors(emu: BedrockEmulator) -> None:
    from tryon_bedrock import generators

    strict = tryon.Router(plugins=False)
    for gen in generators(endpoint_url=emu.url, region="us-east-1"):
        strict.register(gen)
    with pytest.raises(ModelRetiredError) as err:
        strict.generate("a fox", model="nova-canvas")
    assert "2026-09-30" in str(err.value) and "gpt-image-2" in str(err.value)
    assert isinstance(err.value, ValueError)
    assert emu.requests == []
    caps = strict.get("nova-canvas").capabilities
    assert caps.lifecycle.deprecated_on == dt.date(2026, 3, 30)
    assert caps.lifecycle.shutdown_on == dt.date(2026, 9, 30) and caps.lifecycle.status == "retired"


def test_serves_retired_setting_lets_a_private_arrangement_through(emu: BedrockEmulator) -> None:
    from tryon_bedrock import generators

    router = tryon.Router(plugins=False, settings={"bedrock": {"serves_retired": True}})
    for gen in generators(endpoint_url=emu.url, region="us-east-1", max_retries=0):
        router.register(gen)
    with pytest.warns(RetiredModelWarning):
        result = router.generate("a fox", model="nova-canvas")
    assert len(result.images) == 1 and len(emu.requests) == 1


# ---------------------------------------------------------------------- task types


def test_generate_is_text_image_with_the_config(router: tryon.Router, emu: BedrockEmulator) -> None:
    result = router.generate("a red handbag", model="nova-canvas", size="768x512", quality="premium", seed=42, n=2,
                             negative_text="text, watermark", style="photorealism", cfg_scale=7.5)
    body = params(emu)
    assert body["taskType"] == "TEXT_IMAGE"
    assert body["textToImageParams"] == {"text": "a red handbag", "negativeText": "text, watermark",
                                         "style": "PHOTOREALISM"}
    assert body["imageGenerationConfig"] == {"numberOfImages": 2, "width": 768, "height": 512,
                                             "quality": "premium", "cfgScale": 7.5, "seed": 42}
    assert [(i.width, i.height, i.format) for i in result.images] == [(768, 512, "png")] * 2
    assert [i.seed for i in result.images] == [42, 43]
    assert result.provider == "bedrock" and result.request_id


def test_n_beyond_five_fans_out_with_distinct_seeds(router: tryon.Router, emu: BedrockEmulator) -> None:
    result = router.generate("a fox", model="nova-canvas", n=7, seed=10)
    assert len(result.images) == 7
    configs = sorted((r.params["imageGenerationConfig"]["numberOfImages"], r.params["imageGenerationConfig"]["seed"])
                     for r in emu.requests)
    assert configs[0][0] + configs[1][0] == 7 and configs[0][1] != configs[1][1]


def test_colors_make_a_color_guided_generation(router: tryon.Router, emu: BedrockEmulator) -> None:
    router.generate("a harbour at dawn", model="nova-canvas", colors="#16324f, #E8C547")
    assert params(emu)["taskType"] == "COLOR_GUIDED_GENERATION"
    assert params(emu, "colorGuidedGenerationParams") == {"colors": ["#16324F", "#E8C547"],
                                                          "text": "a harbour at dawn"}
    router.edit(png(), "a harbour at dawn", model="nova-canvas", task="color_guided", colors=["#FF9800"])
    assert "referenceImage" in params(emu, "colorGuidedGenerationParams")


def test_edit_with_a_mask_is_inpainting_with_tryons_black_as_novas_black(router: tryon.Router,
                                                                        emu: BedrockEmulator) -> None:
    result = router.edit(png((640, 480)), "a cat on the sofa", model="nova-canvas", mask=mask_png((640, 480)))
    body = params(emu)
    assert body["taskType"] == "INPAINTING"
    assert "width" not in body["imageGenerationConfig"]
    mask = decoded(body["inPaintingParams"]["maskImage"])
    assert mask.mode == "RGB" and mask.size == (640, 480)
    assert mask.getpixel((10, 10)) == (0, 0, 0)  # tryon's edit area (black) -> Nova's edit area (black)
    assert mask.getpixel((600, 400)) == (255, 255, 255)
    assert set(c for _, c in mask.getcolors()) == {(0, 0, 0), (255, 255, 255)}
    assert (result.images[0].width, result.images[0].height) == (640, 480)


def test_outpainting_sends_the_same_mask_inverted(router: tryon.Router, emu: BedrockEmulator) -> None:
    router.edit(png(), "a kitchen around the teapot", model="nova-canvas", mask=mask_png(), task="outpainting",
                outpainting_mode="precise")
    body = params(emu, "outPaintingParams")
    mask = decoded(body["maskImage"])
    assert mask.getpixel((10, 10)) == (255, 255, 255)  # tryon's edit area: white = what Nova outpaints
    assert mask.getpixel((500, 500)) == (0, 0, 0)  # tryon's keep area: black = what Nova keeps
    assert body["outPaintingMode"] == "PRECISE"


def test_mask_prompt_instead_of_a_mask(router: tryon.Router, emu: BedrockEmulator) -> None:
    router.edit(png(), "a palm tree graphic", model="nova-canvas", mask_prompt="the dog", negative_text="colorful")
    assert params(emu, "inPaintingParams") == {"image": params(emu, "inPaintingParams")["image"],
                                                "maskPrompt": "the dog", "text": "a palm tree graphic",
                                                "negativeText": "colorful"}


def test_edit_without_a_mask_is_image_variation_of_up_to_five(router: tryon.Router, emu: BedrockEmulator) -> None:
    router.edit([png(), png(color=(1, 2, 3)), png(color=(9, 9, 9))], "in this style", model="nova-canvas",
                similarity_strength=0.4, size="1024x1024")
    body = params(emu)
    assert body["taskType"] == "IMAGE_VARIATION"
    assert len(body["imageVariationParams"]["images"]) == 3
    assert body["imageVariationParams"]["similarityStrength"] == 0.4
    assert body["imageGenerationConfig"]["width"] == 1024


def test_conditioning_is_text_image_with_a_condition_image(router: tryon.Router, emu: BedrockEmulator) -> None:
    router.edit(png(), "a watercolour of this layout", model="nova-canvas", task="conditioning",
                control_mode="segmentation", control_strength=0.5)
    body = params(emu, "textToImageParams")
    assert body["controlMode"] == "SEGMENTATION" and body["controlStrength"] == 0.5 and body["conditionImage"]


def test_background_removal_sends_only_the_image(router: tryon.Router, emu: BedrockEmulator) -> None:
    result = router.edit(png(), "remove the background", model="nova-canvas", task="background_removal")
    assert params(emu) == {"taskType": "BACKGROUND_REMOVAL",
                           "backgroundRemovalParams": {"image": params(emu)["backgroundRemovalParams"]["image"]}}
    assert "prompt-not-sent" in [w.code for w in result.warnings]
    im = result.images[0].to_pil()
    assert im.mode == "RGBA" and im.getchannel("A").getextrema()[0] == 0


# ---------------------------------------------------------------------- refused before any call

REFUSED: dict[str, tuple[str, dict[str, Any], type[Exception]]] = {
    "size 2048x2048 (not below 4,194,304 px)": ("generate", {"size": "2048x2048"}, UnsupportedOptionError),
    "size not a multiple of 16": ("generate", {"size": "1000x1000"}, UnsupportedOptionError),
    "size below 320": ("generate", {"size": "304x512"}, UnsupportedOptionError),
    "ratio above 4:1": ("generate", {"size": "2048x496"}, UnsupportedOptionError),
    "quality high": ("generate", {"quality": "high"}, UnsupportedOptionError),
    "webp output": ("generate", {"output_format": "webp"}, UnsupportedOptionError),
    "transparent background": ("generate", {"background": "transparent"}, UnsupportedOptionError),
    "prompt of 1025": ("generate", {"prompt": "x" * 1025}, UnsupportedOptionError),
    "prompt + negative over 1024": ("generate", {"prompt": "x" * 800, "negative_text": "y" * 300},
                                    InvalidOptionError),
    "seed above 858,993,459": ("generate", {"seed": 858_993_460}, UnsupportedOptionError),
    "cfg_scale 12": ("generate", {"cfg_scale": 12}, ValidationError),
    "style unknown": ("generate", {"style": "anime"}, ValidationError),
    "eleven colors": ("generate", {"colors": ["#FFFFFF"] * 11}, ValidationError),
    "a color name": ("generate", {"colors": ["red"]}, ValidationError),
    "task on generate": ("generate", {"task": "inpainting"}, InvalidOptionError),
    "try-on option on generate": ("generate", {"merge_style": "balanced"}, InvalidOptionError),
    "six images": ("edit", {"images": [png()] * 6}, UnsupportedOptionError),
    "two images to inpaint": ("edit", {"images": [png(), png()], "mask": mask_png()}, InvalidOptionError),
    "mask and mask_prompt": ("edit", {"mask": mask_png(), "mask_prompt": "the dog"}, UnsupportedOptionError),
    "mask on a variation": ("edit", {"mask": mask_png(), "task": "variation"}, UnsupportedOptionError),
    "outpainting_mode without outpainting": ("edit", {"mask": mask_png(), "outpainting_mode": "precise"},
                                             UnsupportedOptionError),
    "outpainting without a mask": ("edit", {"task": "outpainting"}, InvalidOptionError),
    "size of an inpainting": ("edit", {"mask": mask_png(), "size": "512x512"}, InvalidOptionError),
    "style on a variation": ("edit", {"style": "maximalism"}, InvalidOptionError),
    "similarity on inpainting": ("edit", {"mask": mask_png(), "similarity_strength": 0.5}, InvalidOptionError),
    "negative_text on background removal": ("edit", {"task": "background_removal", "negative_text": "x"},
                                            UnsupportedOptionError),
    "colors on a variation": ("edit", {"colors": ["#FFFFFF"]}, InvalidOptionError),
    "control_mode without conditioning": ("edit", {"control_mode": "canny_edge"}, UnsupportedOptionError),
    "background removal with n=2": ("edit", {"task": "background_removal", "n": 2}, InvalidOptionError),
    "background removal with a seed": ("edit", {"task": "background_removal", "seed": 3}, UnsupportedOptionError),
    "background removal with quality": ("edit", {"task": "background_removal", "quality": "premium"},
                                        UnsupportedOptionError),
    "color_guided without colors": ("edit", {"task": "color_guided"}, InvalidOptionError),
    "input below 320 px": ("edit", {"images": [png((300, 600))]}, InvalidInputError),
    "input beyond 4:1": ("edit", {"images": [png((2000, 400))]}, InvalidInputError),
    "transparent input": ("edit", {"images": [png(mode="RGBA", color=(0, 0, 0, 0))]}, InvalidInputError),
    "mask of another ratio": ("edit", {"mask": mask_png((512, 1024))}, ValidationError),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_before_any_call(router: tryon.Router, emu: BedrockEmulator, case: str) -> None:
    operation, options, expected = REFUSED[case]
    options = dict(options)
    prompt = options.pop("prompt", "a red handbag")
    with pytest.raises(expected) as err:
        if operation == "generate":
            router.generate(prompt, model="nova-canvas", **options)
        else:
            router.edit(options.pop("images", [png()]), prompt, model="nova-canvas", **options)
    assert isinstance(err.value, ValueError), "a refusal is a ValueError"
    assert emu.requests == [], "a refused request reached the service"


def test_a_refusal_names_the_models_that_can(emu: BedrockEmulator) -> None:
    from tryon_gemini import generators as gemini

    router = make_router(emu)
    for gen in gemini(api_key="AIzaTestKey0123456789abcdefghijklmno"):
        router.register(gen)
    with pytest.raises(UnsupportedOptionError) as err:
        router.generate("a fox", model="nova-canvas", output_format="jpeg")
    assert "gemini-3-pro-image" in str(err.value)


def test_region_outside_novas_is_refused(emu: BedrockEmulator) -> None:
    from tryon_bedrock import generators

    router = tryon.Router(plugins=False, allow_retired=True)
    router.register(generators(region="us-west-2")[0])
    with pytest.raises(InvalidOptionError, match="us-east-1, eu-west-1, ap-northeast-1"):
        router.generate("a fox", model="nova-canvas")


# ---------------------------------------------------------------------- credentials and secrets


def test_no_credentials_is_refused_before_sending(emu: BedrockEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    router = make_router(emu)
    with pytest.raises(MissingCredentialsError, match="AWS_ACCESS_KEY_ID"):
        router.get("nova-canvas").check_credentials()  # type: ignore[attr-defined]
    with pytest.raises(MissingCredentialsError):
        router.generate("a fox", model="nova-canvas")
    assert emu.requests == []


def test_a_bedrock_api_key_needs_https(emu: BedrockEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-0123456789")
    with pytest.raises(InvalidOptionError, match="HTTPS") as err:
        make_router(emu).generate("a fox", model="nova-canvas")  # the emulator is plain http
    assert "bedrock-api-key-0123456789" not in str(err.value)
    assert emu.requests == []


def test_no_region_and_unknown_profile_are_clear(emu: BedrockEmulator, tmp_path: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from tryon_bedrock import BedrockSettings

    with pytest.raises(InvalidOptionError, match="AWS_REGION"):
        BedrockSettings().resolved_region()
    with pytest.raises(InvalidOptionError, match="profile 'nope'"):
        BedrockSettings(profile="nope").session()
    config = tmp_path / "config"
    config.write_text("[profile shop]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert BedrockSettings(profile="shop").resolved_region() == "eu-west-1"
    with pytest.raises(InvalidOptionError, match="standard AWS chain"):
        BedrockSettings.build(aws_secret_access_key="x")


def test_secrets_never_show(router: tryon.Router, emu: BedrockEmulator, aws: dict[str, str],
                            caplog: pytest.LogCaptureFixture) -> None:
    emu.fail_next(403)
    with caplog.at_level(logging.DEBUG, logger="botocore"), pytest.raises(PermissionDeniedError) as err:
        router.generate("a fox", model="nova-canvas")
    texts = [str(err.value), repr(err.value), str(pickle.loads(pickle.dumps(err.value))),
             *(r.getMessage() for r in caplog.records)]
    chain: BaseException | None = err.value
    while chain is not None:
        texts.append(str(chain))
        chain = chain.__cause__ or chain.__context__
    assert any("X-Amz-Security-Token" in t or "x-amz-security-token" in t.lower() for t in texts), \
        "botocore's debug log should have shown the (redacted) token header"
    for secret in (aws["AWS_SECRET_ACCESS_KEY"], aws["AWS_SESSION_TOKEN"], aws["AWS_ACCESS_KEY_ID"]):
        assert not any(secret in t for t in texts), secret
    assert "Signature=" not in " ".join(t for t in texts if "AWS4-HMAC-SHA256" in t) or \
        all("Signature=***" in t for t in texts if "AWS4-HMAC-SHA256" in t and "Signature=" in t)
    assert emu.requests[-1].header("x-amz-security-token") == "[REDACTED]"
    assert "secret" not in repr(router.get("nova-canvas")).lower()


# ---------------------------------------------------------------------- provider errors


@pytest.mark.parametrize("status, expected, retryable", [
    (403, PermissionDeniedError, False), (408, ProviderTimeoutError, True), (424, ServiceUnavailableError, True),
    (429, RateLimitError, True), (500, ServiceUnavailableError, True), (503, ServiceUnavailableError, True),
    (400, ProviderRequestError, False),
])
def test_service_errors_are_typed(router: tryon.Router, emu: BedrockEmulator, status: int,
                                  expected: type[Exception], retryable: bool) -> None:
    emu.fail_next(status)
    with pytest.raises(expected) as err:
        router.generate("a fox", model="nova-canvas")
    assert err.value.status == status and err.value.retryable is retryable  # type: ignore[attr-defined]
    assert err.value.request_id  # type: ignore[attr-defined]


def test_retries_follow_the_setting(emu: BedrockEmulator) -> None:
    emu.fail_next(503, times=2)
    result = make_router(emu, max_retries=2).generate("a fox", model="nova-canvas")
    assert len(result.images) == 1 and len(emu.requests) == 3
    emu.reset()
    emu.fail_next(429, times=5)
    with pytest.raises(RateLimitError):
        make_router(emu, max_retries=1).generate("a fox", model="nova-canvas")
    assert len(emu.requests) == 2


def test_content_filter_refusal_of_an_input(router: tryon.Router, emu: BedrockEmulator) -> None:
    emu.moderate_next()
    with pytest.raises(ContentPolicyError, match="content filters"):
        router.generate("a fox", model="nova-canvas")


def test_withheld_outputs_keep_the_images_that_came(router: tryon.Router, emu: BedrockEmulator) -> None:
    emu.block_output_next(keep=2)
    with pytest.raises(PartialResultError) as err:
        router.generate("a fox", model="nova-canvas", n=3)
    assert len(err.value.generation.images) == 2
    assert any(isinstance(e, ContentPolicyError) for e in err.value.errors)
    emu.block_output_next(keep=0)
    with pytest.raises(ContentPolicyError, match="withheld 1 of 1"):
        router.generate("a fox", model="nova-canvas")


def test_malformed_answer_is_typed(router: tryon.Router, emu: BedrockEmulator) -> None:
    emu.malformed_next()
    with pytest.raises(InvalidResponseError):
        router.generate("a fox", model="nova-canvas")


def test_read_timeout_and_deadline(emu: BedrockEmulator) -> None:
    emu.slow_next(3)
    with pytest.raises(ProviderTimeoutError):
        make_router(emu, timeout=(1.0, 0.5)).generate("a fox", model="nova-canvas")
    emu.reset()
    emu.slow_next(1.5, times=3)
    with pytest.raises(ProviderTimeoutError):  # each read is capped at the deadline, and no retry starts after it
        make_router(emu, deadline=1.0, max_retries=3).generate("a fox", model="nova-canvas")
    assert len(emu.requests) <= 2


# ---------------------------------------------------------------------- prices


@pytest.mark.parametrize("size, quality, n, unit", [
    ("1024x1024", None, 1, 0.04), ("512x768", "standard", 3, 0.04), ("1024x1024", "premium", 2, 0.06),
    ("1536x1024", "standard", 6, 0.06), ("2032x2032", "premium", 1, 0.08),
])
def test_estimate_is_the_bill(router: tryon.Router, size: str, quality: str | None, n: int, unit: float) -> None:
    options = {"size": size, "n": n, **({"quality": quality} if quality else {})}
    estimate = router.estimate("a fox", model="nova-canvas", **options)
    result = router.generate("a fox", model="nova-canvas", **options)
    assert estimate.usd == pytest.approx(unit * n) and estimate.upper_bound
    assert result.cost_usd == pytest.approx(estimate.usd)


def test_edits_are_priced_by_the_input_size(router: tryon.Router) -> None:
    estimate = router.estimate("a cat", model="nova-canvas", images=[png((1600, 1200))], mask=mask_png((1600, 1200)))
    result = router.edit(png((1600, 1200)), "a cat", model="nova-canvas", mask=mask_png((1600, 1200)))
    assert estimate.usd == pytest.approx(0.06) and result.cost_usd == pytest.approx(0.06)


def test_budget_applies(router: tryon.Router, emu: BedrockEmulator) -> None:
    with pytest.raises(BudgetExceededError):
        router.generate("a fox", model="nova-canvas", n=10, quality="premium", max_cost=0.50)
    assert emu.requests == []

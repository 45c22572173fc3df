"""The FLUX plugin through a router, over real HTTP, against the local BFL emulator."""

from __future__ import annotations

import base64
import io
import itertools
import time
from collections.abc import Iterator
from typing import Any

import pluggy
import pytest
import tryon_flux
from PIL import Image, ImageChops, ImageDraw
from tryon_flux import MODELS, generators
from tryon_flux.client import poll_delays
from tryon_flux.hosts import delivery_problem, polling_problem, trusted_delivery_hosts
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
    PermissionDeniedError,
    ProviderRequestError,
    ProviderTimeoutError,
    RateLimitError,
    ServiceUnavailableError,
    UnsupportedOptionError,
)
from tryon.testing.bfl_emulator import BFLEmulator
from tryon.testing.conformance import GeneratorConformance
from tryon.testing.server import EmulatorServer, Response

KEY = "bfl_test-key-0123456789abcdef"
FAST = {"poll_interval": 0.001, "max_poll_interval": 0.005, "timeout": 10, "max_retries": 2}


def picture(size: tuple[int, int] = (96, 64), fmt: str = "PNG") -> bytes:
    """A picture with many distinct colours (so any changed pixel is visible)."""
    img = Image.new("RGB", size)
    img.putdata(
        [((x * 7) % 256, (y * 11) % 256, (x + y) % 256) for y in range(size[1]) for x in range(size[0])]
    )
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def left_half_black(size: tuple[int, int] = (96, 64)) -> bytes:
    """tryon's convention: black = edit (the left half), white = keep."""
    im = Image.new("L", size, 255)
    ImageDraw.Draw(im).rectangle((0, 0, size[0] // 2 - 1, size[1] - 1), fill=0)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def decode(b64: str) -> Image.Image:
    im = Image.open(io.BytesIO(base64.b64decode(b64)))
    im.load()
    return im


@pytest.fixture
def emu() -> Iterator[BFLEmulator]:
    with BFLEmulator() as emulator:
        yield emulator


def make_router(emu: BFLEmulator, *, with_gpt: bool = False, **settings: Any) -> tryon.Router:
    router = tryon.Router(plugins=False)
    for gen in generators(**{"api_key": KEY, "base_url": emu.url, **FAST, **settings}):
        router.register(gen)
    if with_gpt:  # declared only, never called: so errors can name models that support an option
        for model_id, caps in GPT_MODELS.items():
            router.register(OpenAIImageGenerator(model_id, caps))
    return router


@pytest.fixture
def r(emu: BFLEmulator) -> tryon.Router:
    return make_router(emu)


# ---------------------------------------------------------------------------- registration and data


def test_the_hook_registers_every_model_and_is_spelt_right() -> None:
    pm = pluggy.PluginManager("tryon")
    pm.add_hookspecs(hookspecs)
    pm.register(tryon_flux, name="flux")
    pm.check_pending()
    router = tryon.Router(plugins=False)
    pm.hook.register_generators(register=router.register)
    assert {m.model for m in router.models(provider="bfl")} == {
        "flux-2-pro",
        "flux-2-flex",
        "flux-2-max",
        "flux-2-klein-4b",
        "flux-2-klein-9b",
        "flux-kontext-pro",
        "flux-kontext-max",
        "flux-pro-1.0-fill",
        "flux-erase-v1",
        "flux-vto-v1",
        "flux-pro-1.0-expand",
    }


def test_capabilities_are_declared_as_data() -> None:
    pro, kontext, fill = (
        MODELS[m].capabilities for m in ("flux-2-pro", "flux-kontext-pro", "flux-pro-1.0-fill")
    )
    assert pro.max_input_images == 8 and kontext.max_input_images == 4 and fill.max_input_images == 1
    assert not any(c.transparent_background for c in (pro, kontext, fill))
    assert fill.mask and not pro.mask and not kontext.mask
    assert fill.operations == {tryon.Operation.EDIT}
    assert all(
        c.max_images_per_call == 1 and c.output_formats == {"jpeg", "png", "webp"} for c in (pro, kontext)
    )
    assert (
        pro.sizes.accepts("2048x2048")
        and not pro.sizes.accepts("2064x2048")
        and not pro.sizes.accepts("1000x1000")
    )
    assert not pro.sizes.accepts("48x1024")
    assert not pro.sizes.accepts("240x1024") and pro.sizes.accepts("256x256")  # BFL's 256 px minimum
    # Kontext: any ratio from 9:21 to 21:9 (BFL's schema), not only the listed ones
    assert kontext.sizes.accepts("1920x1080") and kontext.sizes.accepts("1000x999")
    assert kontext.sizes.accepts("2100x900") and not kontext.sizes.accepts("2200x900")
    assert kontext.sizes.accepts_ratio("7:4") and not kontext.sizes.accepts_ratio("3:1")
    assert kontext.lifecycle.status == "deprecated" and kontext.lifecycle.successors[0] == "flux-2-pro"
    assert pro.inputs.max_total_pixels == 9_000_000
    assert MODELS["flux-2-klein-4b"].capabilities.max_input_images == 4
    assert set(MODELS["flux-2-flex"].capabilities.option_names()) >= {"steps", "guidance", "safety_tolerance"}


# ---------------------------------------------------------------------------- option mapping


def test_generate_maps_every_option_onto_the_body(r: tryon.Router, emu: BFLEmulator) -> None:
    gen = r.generate(
        "a red fox", model="flux-2-pro", size="512x256", seed=42, output_format="png", safety_tolerance=4
    )
    body = emu.submits[0].params
    assert body == {
        "prompt": "a red fox",
        "width": 512,
        "height": 256,
        "seed": 42,
        "output_format": "png",
        "safety_tolerance": 4,
    }
    image = gen.image
    assert (image.width, image.height, image.format, image.seed) == (512, 256, "png", 42)
    assert gen.provider == "bfl" and gen.model == "flux-2-pro"
    assert gen.cost_usd == pytest.approx(0.03)  # the submit answer's cost: 3 credits
    assert gen.request_id == emu.polls[-1].query["id"]


def test_references_are_sent_as_numbered_input_images(r: tryon.Router, emu: BFLEmulator) -> None:
    refs = [picture((64, 64)), picture((80, 48)), picture((48, 80), "JPEG")]
    gen = r.edit(refs, "put them together", model="flux-2-max", size="256x256")
    body = emu.submits[0].params
    assert [body[k] for k in ("input_image", "input_image_2", "input_image_3")] == [
        base64.b64encode(ref).decode() for ref in refs
    ]  # the prepared bytes, passed through
    assert "input_image_4" not in body
    assert gen.image.size == (256, 256)


def test_flex_takes_steps_guidance_and_upsampling(r: tryon.Router, emu: BFLEmulator) -> None:
    r.generate("x", model="flux-2-flex", steps=12, guidance=3.5, prompt_upsampling=False)
    assert {k: emu.submits[0].params[k] for k in ("steps", "guidance", "prompt_upsampling")} == {
        "steps": 12,
        "guidance": 3.5,
        "prompt_upsampling": False,
    }


def test_flex_options_are_refused_on_pro_before_any_request(r: tryon.Router, emu: BFLEmulator) -> None:
    with pytest.raises(UnsupportedOptionError) as err:
        r.generate("x", model="flux-2-pro", steps=12, guidance=3.5)
    assert set(err.value.options) == {"steps", "guidance"}
    assert "flux-2-flex" in str(err.value)
    with pytest.raises(InvalidOptionError, match="steps=0 is out of range"):
        r.generate("x", model="flux-2-flex", steps=0)
    with pytest.raises(InvalidOptionError, match="safety_tolerance=6 is out of range"):
        r.generate("x", model="flux-2-pro", safety_tolerance=6)
    with pytest.raises(InvalidOptionError, match="safety_tolerance"):
        r.generate("x", model="flux-2-pro", safety_tolerance=True)
    assert emu.requests == []


def test_kontext_speaks_aspect_ratios(r: tryon.Router, emu: BFLEmulator) -> None:
    gen = r.generate("x", model="flux-kontext-pro", aspect_ratio="21:9", safety_tolerance=6)
    assert emu.submits[-1].params == {"prompt": "x", "aspect_ratio": "21:9", "safety_tolerance": 6}
    assert gen.image.width > 2 * gen.image.height
    gen = r.generate("x", model="flux-kontext-max", size="1920x1080")
    assert emu.submits[-1].params["aspect_ratio"] == "16:9" and "width" not in emu.submits[-1].params
    assert [w.code for w in gen.warnings if w.code != "model-deprecated"] == ["size-as-aspect-ratio"]
    assert gen.cost_usd == pytest.approx(0.08)


def test_kontext_takes_any_ratio_in_its_range(r: tryon.Router, emu: BFLEmulator) -> None:
    gen = r.generate("x", model="flux-kontext-pro", size="1000x700")
    assert emu.submits[0].params["aspect_ratio"] == "10:7"
    assert gen.image.width > gen.image.height
    r.generate("x", model="flux-kontext-pro", aspect_ratio="7:4")
    assert emu.submits[1].params["aspect_ratio"] == "7:4"


def test_kontext_refuses_a_ratio_outside_its_range_unless_lenient(r: tryon.Router, emu: BFLEmulator) -> None:
    with pytest.raises(UnsupportedOptionError, match="3000x1000"):
        r.generate("x", model="flux-kontext-pro", size="3000x1000")
    with pytest.raises(UnsupportedOptionError, match="3:1"):
        r.generate("x", model="flux-kontext-pro", aspect_ratio="3:1")
    assert emu.requests == []
    gen = r.generate("x", model="flux-kontext-pro", size="3000x1000", strict=False)
    assert emu.submits[0].params["aspect_ratio"] == "21:9"
    notice = next(w for w in gen.warnings if w.option == "size")
    assert (notice.original, notice.applied) == ("3000x1000", "21:9")


def test_flux2_refuses_references_over_9_megapixels_together(r: tryon.Router, emu: BFLEmulator) -> None:
    big = picture((2000, 1600))  # 3.2 MP each: three are 9.6 MP
    with pytest.raises(tryon.InvalidInputError, match=r"9\.0 MP"):
        r.edit([big] * 3, "x", model="flux-2-pro")
    assert emu.requests == []
    r.edit([big] * 3, "x", model="flux-2-pro", strict=False)
    assert emu.submits[0].params.keys() >= {"input_image", "input_image_3"}


def test_kontext_takes_four_references_not_five(r: tryon.Router, emu: BFLEmulator) -> None:
    r.edit([picture()] * 4, "x", model="flux-kontext-pro")
    assert "input_image_4" in emu.submits[0].params
    with pytest.raises(UnsupportedOptionError, match="at most 4"):
        r.edit([picture()] * 5, "x", model="flux-kontext-pro")
    assert len(emu.submits) == 1


# ---------------------------------------------------------------------------- Fill and its mask


def test_fill_edits_exactly_the_pixels_marked_black(r: tryon.Router, emu: BFLEmulator) -> None:
    source = picture()
    gen = r.edit(
        source, "a brick wall", model="flux-pro-1.0-fill", mask=left_half_black(), output_format="png"
    )
    sent = emu.submits[0].params
    mask = decode(sent["mask"]).convert("L")
    assert mask.getpixel((10, 10)) == 255 and mask.getpixel((80, 10)) == 0  # Fill's convention: white = fill
    assert decode(sent["image"]).tobytes() == Image.open(io.BytesIO(source)).tobytes()
    out, original = gen.image.to_pil().convert("RGB"), Image.open(io.BytesIO(source)).convert("RGB")
    left, right = (0, 0, 48, 64), (48, 0, 96, 64)
    lowest_change = ImageChops.difference(out.crop(left), original.crop(left)).convert("L").getextrema()[0]
    assert isinstance(lowest_change, int) and lowest_change > 0, (
        "every pixel the user marked black must change"
    )
    assert ImageChops.difference(out.crop(right), original.crop(right)).getbbox() is None, (
        "white pixels are kept"
    )


def test_fill_accepts_an_alpha_mask_and_its_options(r: tryon.Router, emu: BFLEmulator) -> None:
    alpha = Image.new("RGBA", (96, 64), (0, 0, 0, 255))
    alpha.paste((0, 0, 0, 0), (0, 0, 48, 64))  # transparent = edit
    buf = io.BytesIO()
    alpha.save(buf, "PNG")
    r.edit(picture(), "x", model="flux-pro-1.0-fill", mask=buf.getvalue(), steps=20, guidance=30, seed=3)
    sent = emu.submits[0].params
    assert decode(sent["mask"]).convert("L").getpixel((0, 0)) == 255
    assert (sent["steps"], sent["guidance"], sent["seed"]) == (20, 30, 3)


def test_fill_is_edit_only(r: tryon.Router, emu: BFLEmulator) -> None:
    with pytest.raises(UnsupportedOptionError, match="text-to-image"):
        r.generate("x", model="flux-pro-1.0-fill")
    assert emu.requests == []


# ---------------------------------------------------------------------------- refused before any request


def test_unsupported_options_are_refused_naming_models_that_support_them(emu: BFLEmulator) -> None:
    r = make_router(emu, with_gpt=True)
    with pytest.raises(UnsupportedOptionError) as err:
        r.edit(picture(), "x", model="flux-2-pro", mask=left_half_black())
    assert "flux-pro-1.0-fill" in str(err.value) and "gpt-image-2" in str(err.value)
    with pytest.raises(UnsupportedOptionError) as err:
        r.generate("x", model="flux-2-pro", background="transparent")
    assert "gpt-image-2" in str(err.value) and "flux" not in str(err.value).split("models that do:")[1]
    with pytest.raises(UnsupportedOptionError, match="input_fidelity"):
        r.edit(picture(), "x", model="flux-kontext-pro", input_fidelity="high")
    assert emu.requests == []


# ---------------------------------------------------------------------------- polling


def test_polls_until_ready(emu: BFLEmulator) -> None:
    emu.pending_polls = 3
    gen = make_router(emu).generate("x", model="flux-2-pro")
    assert len(emu.polls) == 4 and all(p.query["id"] == gen.request_id for p in emu.polls)


def test_the_poll_schedule_backs_off_to_a_ceiling() -> None:
    delays = poll_delays(0.5, 2.0, 1.5)
    assert [next(delays) for _ in range(6)] == [0.5, 0.75, 1.125, 1.6875, 2.0, 2.0]


def test_polls_wait_at_least_the_schedule(emu: BFLEmulator) -> None:
    emu.pending_polls = 3
    make_router(emu, poll_interval=0.02, max_poll_interval=0.04, poll_backoff=2.0).generate(
        "x", model="flux-2-pro"
    )
    times = [p.timestamp for p in emu.polls]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= want * 0.9 for gap, want in zip(gaps, (0.02, 0.04, 0.04), strict=True)), gaps


def test_a_task_past_its_deadline_times_out(emu: BFLEmulator) -> None:
    emu.pending_polls = 10**6
    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError) as err:
        make_router(emu, deadline=0.3, poll_interval=0.02, max_poll_interval=0.05).generate(
            "x", model="flux-2-pro"
        )
    assert time.monotonic() - started < 5
    assert err.value.retryable and "0.3s" in str(err.value) and err.value.request_id


@pytest.mark.parametrize("status", ["Request Moderated", "Content Moderated"])
def test_moderation_stops_polling_at_once(emu: BFLEmulator, status: str) -> None:
    emu.pending_polls = 2
    emu.moderate_next(status=status)
    with pytest.raises(ContentPolicyError, match=status):
        make_router(emu).generate("x", model="flux-2-pro")
    assert len(emu.polls) == 3  # two Pending, then the moderated answer: no further poll


def test_a_failed_task_is_a_retryable_provider_error_with_details(r: tryon.Router, emu: BFLEmulator) -> None:
    emu.fail_task_next()
    with pytest.raises(ServiceUnavailableError, match="internal worker error") as err:
        r.generate("x", model="flux-2-pro")
    assert err.value.retryable  # a worker fault: a retry, or the next model of a preference list, may succeed


def test_a_lost_task_is_a_request_error(r: tryon.Router, emu: BFLEmulator) -> None:
    emu.lose_task_next()
    with pytest.raises(ProviderRequestError, match="Task not found"):
        r.generate("x", model="flux-2-pro")
    assert len(emu.polls) == 1


def test_an_expired_result_url_is_typed(r: tryon.Router, emu: BFLEmulator) -> None:
    emu.expire_next()
    with pytest.raises(InvalidResponseError, match="expire") as err:
        r.generate("x", model="flux-2-pro")
    assert "403" in str(err.value) and "sig=" not in str(err.value)


# ---------------------------------------------------------------------------- where the key goes


def test_the_result_is_fetched_without_the_key_from_a_trusted_delivery_host() -> None:
    with BFLEmulator(separate_delivery=True) as emu:
        assert emu.delivery is not None
        delivery = f"127.0.0.1:{emu.delivery.port}"
        with pytest.raises(InvalidResponseError, match="delivery_hosts"):
            make_router(emu).generate("x", model="flux-2-pro")
        assert emu.delivery.requests == []  # an untrusted result host is not even contacted
        gen = make_router(emu, delivery_hosts=[delivery]).generate("x", model="flux-2-pro")
        assert gen.images and len(emu.delivery.requests) == 1
        assert "x-key" not in emu.delivery.requests[0].headers
        assert all(r.headers.get("x-key") == "[REDACTED]" for r in emu.requests if r.path.startswith("/v1/"))


def test_a_polling_url_on_another_host_is_refused() -> None:
    with EmulatorServer(require_key=False) as other, BFLEmulator() as emu:
        other.route("GET", "/v1/get_result", lambda req: Response.json({"status": "Ready"}))
        emu.polling_origin = other.url
        with pytest.raises(InvalidResponseError, match="refusing to send the API key"):
            make_router(emu).generate("x", model="flux-2-pro")
        assert other.requests == [] and emu.polls == []


def test_redirects_are_not_followed_with_the_key(r: tryon.Router, emu: BFLEmulator) -> None:
    with EmulatorServer(require_key=False) as other:
        emu.fail_next(307, headers={"Location": f"{other.url}/v1/flux-2-pro"})
        with pytest.raises(InvalidResponseError, match="redirect"):
            r.generate("x", model="flux-2-pro")
        assert other.requests == []


def test_host_rules() -> None:
    assert polling_problem("https://api.eu1.bfl.ai/v1/get_result?id=1", "https://api.bfl.ai") is None
    assert polling_problem("http://api.eu1.bfl.ai/v1/get_result?id=1", "https://api.bfl.ai")
    assert polling_problem("https://evil.example/v1/get_result", "https://api.bfl.ai")
    assert polling_problem("http://127.0.0.1:9/x", "http://127.0.0.1:8")  # another port is another host
    assert delivery_problem("https://delivery-eu1.bfl.ai/r/1.jpg?sig=s", "https://api.bfl.ai", ()) is None
    assert (
        delivery_problem("https://bfldeliveryprod.blob.core.windows.net/r/1.jpg", "https://api.bfl.ai", ())
        is None
    )
    assert delivery_problem("https://x.blob.core.windows.net/r/1.jpg", "https://api.bfl.ai", ())
    assert delivery_problem("http://10.0.0.5:81/r.jpg", "https://api.bfl.ai", ["10.0.0.5:81"]) is None
    assert trusted_delivery_hosts("https://api.bfl.ai", ()) == frozenset()
    assert trusted_delivery_hosts("http://127.0.0.1:8000", ()) == {"127.0.0.1:8000"}


# ---------------------------------------------------------------------------- HTTP failures, through the core


def test_429_with_retry_after_is_retried_by_the_session(r: tryon.Router, emu: BFLEmulator) -> None:
    emu.fail_next(429, retry_after=0)
    assert r.generate("x", model="flux-2-pro").images
    assert len(emu.submits) == 2  # the rate-limited POST was not processed, so it is sent again


def test_429_beyond_the_retries_is_a_rate_limit(emu: BFLEmulator) -> None:
    emu.fail_next(429, times=5, retry_after=0)
    with pytest.raises(RateLimitError) as err:
        make_router(emu, max_retries=1).generate("x", model="flux-2-pro")
    assert err.value.status == 429 and len(emu.submits) == 2


def test_a_5xx_submit_is_not_resent_but_a_5xx_poll_is_retried(r: tryon.Router, emu: BFLEmulator) -> None:
    emu.fail_next(503)
    with pytest.raises(ServiceUnavailableError):
        r.generate("x", model="flux-2-pro")
    assert len(emu.submits) == 1  # a resent POST could create (and bill) a second task
    emu.fail_poll_next(502)
    assert r.generate("x", model="flux-2-pro").images
    assert len(emu.submits) == 2 and len(emu.polls) == 3  # the failed poll, its retry, then Ready


def test_auth_credit_and_validation_failures_are_typed(r: tryon.Router, emu: BFLEmulator) -> None:
    emu.fail_next(401)
    with pytest.raises(AuthenticationError):
        r.generate("x", model="flux-2-pro")
    emu.fail_next(402)
    with pytest.raises(PermissionDeniedError, match="insufficient BFL credits"):
        r.generate("x", model="flux-2-pro")
    emu.fail_next(
        422, body={"detail": [{"loc": ["body", "width"], "msg": "bad width", "type": "value_error"}]}
    )
    with pytest.raises(ProviderRequestError, match="width: bad width"):
        r.generate("x", model="flux-2-pro")


def test_a_wrong_key_is_an_authentication_error_that_never_shows_the_key() -> None:
    with BFLEmulator(api_keys=["the-right-key"]) as emu, pytest.raises(AuthenticationError) as err:
        make_router(emu).generate("x", model="flux-2-pro")
    assert KEY not in str(err.value) and KEY not in repr(err.value)


def test_n_fans_out_into_one_task_per_image(r: tryon.Router, emu: BFLEmulator) -> None:
    gen = r.generate("x", model="flux-2-pro", n=3, size="256x256")
    assert len(gen.images) == 3 and len(emu.submits) == 3
    assert len(set(gen.request_ids)) == 3
    assert gen.cost_usd == pytest.approx(0.09)


# ---------------------------------------------------------------------------- keys and settings


def test_a_missing_key_fails_before_any_request(emu: BFLEmulator) -> None:
    router = tryon.Router(plugins=False)
    for gen in generators(base_url=emu.url):
        router.register(gen)
    with pytest.raises(MissingCredentialsError, match="BFL_API_KEY"):
        router.generate("x", model="flux-2-pro")
    assert emu.requests == []


def test_key_and_base_url_come_from_the_environment(
    emu: BFLEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BFL_API_KEY", KEY)
    monkeypatch.setenv("BFL_BASE_URL", emu.url)
    router = tryon.Router(plugins=False, settings={"bfl": FAST})
    for gen in generators():
        router.register(gen)
    assert router.generate("x", model="flux-2-pro").images
    assert emu.submits[0].header("x-key") == "[REDACTED]"


def test_settings_are_checked() -> None:
    gen = generators()[0]
    with pytest.raises(InvalidOptionError, match="unknown bfl setting 'poll'"):
        gen.configure(poll=1)
    with pytest.raises(InvalidOptionError, match="deadline"):
        gen.configure(deadline=-1)
    with pytest.raises(InvalidOptionError, match="base_url"):
        gen.configure(api_key=KEY, base_url="ftp://api.bfl.ai").generate(tryon.GenerateRequest(prompt="x"))
    assert KEY not in repr(gen.configure(api_key=KEY).settings)


def test_estimates_use_the_published_prices(r: tryon.Router) -> None:
    assert r.estimate("x", model="flux-2-pro", size="2048x2048").usd == pytest.approx(0.075)  # 3 + 3 x 1.5
    assert r.estimate("x", model="flux-2-max").usd == pytest.approx(0.07)
    assert r.estimate("x", model="flux-2-flex", size="1024x2048").usd == pytest.approx(0.10)
    assert r.estimate("x", model="flux-kontext-max", n=2).usd == pytest.approx(0.16)
    assert r.estimate("x", model="flux-pro-1.0-fill", images=[picture()], mask=left_half_black()).usd == (
        pytest.approx(0.05))
    assert r.estimate("x", model="flux-2-klein-4b", size="2048x1024").usd == pytest.approx(0.015)


def test_a_cost_missing_from_the_answer_is_priced_from_what_was_sent_and_made(
    r: tryon.Router, emu: BFLEmulator
) -> None:
    emu.report_cost = False
    assert r.generate("x", model="flux-2-pro", size="2048x1024").cost_usd == pytest.approx(0.045)
    assert r.edit(picture(), "x", model="flux-pro-1.0-fill", mask=left_half_black()).cost_usd == pytest.approx(0.05)


# ---------------------------------------------------------------------------- the shared conformance suite


class TestFluxConformance(GeneratorConformance):
    @pytest.fixture(params=sorted(MODELS))
    def model(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def emulator(self) -> Iterator[BFLEmulator]:
        with BFLEmulator() as emu:
            yield emu

    @pytest.fixture
    def router(self, emulator: BFLEmulator) -> tryon.Router:
        return make_router(emulator, max_retries=0)


# ---------------------------------------------------------------------------- async: threads path


async def test_async_fan_out_is_not_capped_by_asyncios_default_pool() -> None:
    with BFLEmulator(pending_polls=0, latency=0.3) as emu:
        router = make_router(emu)
        started = time.perf_counter()
        gen = await router.agenerate("x", model="flux-2-pro", n=12, size="256x256")
        elapsed = time.perf_counter() - started
    assert len(gen.images) == 12
    # 12 one-image calls (submit, poll, download: ~3 round trips of 0.3 s) all overlap;
    # asyncio's default pool (min(32, cores + 4) threads) would serialise them in waves
    assert elapsed < 2.5, elapsed


async def test_cancelling_stops_polling_in_worker_threads() -> None:
    import asyncio

    with BFLEmulator(pending_polls=10_000) as emu:
        router = make_router(emu, poll_interval=0.02, max_poll_interval=0.02)
        task = asyncio.ensure_future(router.agenerate("x", model="flux-2-pro", n=2, size="256x256"))
        await asyncio.sleep(0.3)
        assert emu.polls, "the tasks should be polling by now"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.1)
        seen = len(emu.polls)
        await asyncio.sleep(0.5)
        assert len(emu.polls) == seen, "polling went on after the request was cancelled"


# ---------------------------------------------------------------------------- FLUX Erase


def test_erase_sends_the_image_and_a_white_is_remove_mask_without_the_prompt(
    r: tryon.Router, emu: BFLEmulator
) -> None:
    source = picture()
    gen = r.edit(source, "remove the left half", model="flux-erase-v1", mask=left_half_black(),
                 dilate_pixels=5, output_format="png")
    sent = emu.submits[0]
    assert sent.path == "/v1/flux-tools/erase-v1"
    assert set(sent.params) == {"image", "mask", "dilate_pixels", "output_format"}
    assert "prompt-not-sent" in [w.code for w in gen.warnings]
    assert gen.image.size == Image.open(io.BytesIO(source)).size
    estimate = r.estimate("x", model="flux-erase-v1", images=[source], mask=left_half_black())
    assert estimate.usd is None  # no published price


def test_erase_without_a_mask_is_refused_before_sending(r: tryon.Router, emu: BFLEmulator) -> None:
    with pytest.raises(UnsupportedOptionError, match="needs a mask"):
        r.edit(picture(), "x", model="flux-erase-v1")
    with pytest.raises(InvalidOptionError, match="dilate_pixels"):
        r.edit(picture(), "x", model="flux-erase-v1", mask=left_half_black(), dilate_pixels=26)
    assert emu.submits == []

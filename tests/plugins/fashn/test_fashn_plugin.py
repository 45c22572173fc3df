"""The FASHN plugin through the router, against the FASHN emulator over HTTP.

The conftest guard checks every body the plugin sends and every emulator answer against the
official SDK's types.
"""

from __future__ import annotations

import base64
import io
import json
import pickle
from collections.abc import Iterator
from typing import Any

import pytest
from fashn_helpers import KEY, PERSON, SHIRT, make_router, picture
from PIL import Image
from tryon_fashn import MODELS, generators

import tryon
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
    TryOnError,
    UnsupportedOptionError,
)
from tryon.testing.fashn_emulator import FashnEmulator
from tryon.vto import Garment

V16, MAX = "fashn-tryon-v1.6", "fashn-tryon-max"


@pytest.fixture
def emu() -> Iterator[FashnEmulator]:
    with FashnEmulator(pending_polls=2) as emulator:
        yield emulator


@pytest.fixture
def router(emu: FashnEmulator) -> tryon.Router:
    return make_router(emu)


def inputs(emu: FashnEmulator, index: int = -1) -> dict[str, Any]:
    return emu.runs[index].params["inputs"]


# ---------------------------------------------------------------------- declarations


def test_both_models_are_registered_by_the_entry_point() -> None:
    r = tryon.Router()
    assert {V16, MAX} <= {m.model for m in r.models(provider="fashn")}
    assert r.resolve_name("tryon-v1.6") == V16 and r.resolve_name("fashn/tryon-max") == MAX


def test_every_fact_group_has_a_dated_source() -> None:
    from tryon.testing.provenance import missing_sources

    for name, model in MODELS.items():
        assert missing_sources(model.capabilities) == [], name


# ---------------------------------------------------------------------- categories


@pytest.mark.parametrize("category, word", [
    ("top", "tops"), ("long-sleeve-top", "tops"), ("outerwear", "tops"), ("jacket", "tops"),
    ("bottom", "bottoms"), ("trousers", "bottoms"), ("skirt", "bottoms"),
    ("one-piece", "one-pieces"), ("long-dress", "one-pieces"), ("jumpsuit", "one-pieces"), (None, "auto"),
])
def test_v16_maps_tryon_categories_to_fashn_words(
    router: tryon.Router, emu: FashnEmulator, category: str | None, word: str
) -> None:
    result = router.try_on(PERSON, Garment(SHIRT, category=category), model=V16)
    assert inputs(emu)["category"] == word
    assert len(result.images) == 1 and (result.images[0].width, result.images[0].height) == (864, 1296)
    parent_notice = [n for n in result.warnings if n.code == "category-as-parent"]
    assert bool(parent_notice) == (category not in (None, "top", "outerwear", "bottom", "one-piece"))


@pytest.mark.parametrize("category", ["footwear", "shoes", "boots", "accessory", "bag", "hat", "jewelry"])
def test_v16_refuses_categories_fashn_does_not_take_before_any_call(
    router: tryon.Router, emu: FashnEmulator, category: str
) -> None:
    with pytest.raises((UnsupportedOptionError, InvalidOptionError)) as caught:
        router.try_on(PERSON, Garment(SHIRT, category=category), model=V16)
    assert category in str(caught.value) and MAX in str(caught.value)  # names the model that takes it
    assert emu.requests == []


def test_max_takes_any_wearable_and_sends_no_category(router: tryon.Router, emu: FashnEmulator) -> None:
    for category in ("shoes", "bag", "hat", "jewelry", "top", None):
        router.try_on(PERSON, Garment(SHIRT, category=category), model=MAX)
        sent = inputs(emu)
        assert "category" not in sent and sent["product_image"].startswith("data:image/png;base64,")


def test_images_go_as_base64_data_urls_with_their_type(router: tryon.Router, emu: FashnEmulator) -> None:
    jpeg = io.BytesIO()
    Image.new("RGB", (200, 300), "white").save(jpeg, "JPEG")
    router.try_on(jpeg.getvalue(), SHIRT, model=V16)
    sent = inputs(emu)
    assert sent["model_image"].startswith("data:image/jpeg;base64,")
    assert base64.b64decode(sent["garment_image"].split(",", 1)[1]) == SHIRT


def test_one_garment_per_call(router: tryon.Router, emu: FashnEmulator) -> None:
    for model in (V16, MAX):
        with pytest.raises(TryOnError):
            router.try_on(PERSON, [Garment(SHIRT, "top"), Garment(SHIRT, "bottom")], model=model)
    assert emu.requests == []


# ---------------------------------------------------------------------- options


@pytest.mark.parametrize("model, mode, field, word", [
    (V16, "speed", "mode", "performance"), (V16, "balanced", "mode", "balanced"), (V16, "quality", "mode", "quality"),
    (MAX, "balanced", "generation_mode", "balanced"), (MAX, "quality", "generation_mode", "quality"),
])
def test_modes_map_to_fashn_words(router: tryon.Router, emu: FashnEmulator, model: str, mode: str, field: str,
                                  word: str) -> None:
    router.try_on(PERSON, SHIRT, model=model, mode=mode)
    assert inputs(emu)[field] == word


@pytest.mark.parametrize("photo, word", [("auto", "auto"), ("flat-lay", "flat-lay"), ("worn", "model")])
def test_garment_photo_types_map_to_fashn_words(router: tryon.Router, emu: FashnEmulator, photo: str,
                                               word: str) -> None:
    router.try_on(PERSON, SHIRT, model=V16, garment_photo_type=photo)
    assert inputs(emu)["garment_photo_type"] == word


@pytest.mark.parametrize("model, options", [
    (MAX, {"mode": "speed"}),
    (MAX, {"garment_photo_type": "flat-lay"}),
    (MAX, {"moderation": "permissive"}),
    (V16, {"prompt": "tuck the shirt in"}),
    (V16, {"aspect_ratio": "3:4"}),
    (V16, {"output_format": "webp"}),
    (MAX, {"aspect_ratio": "7:4"}),
    (V16, {"moderation": "low"}),
    (V16, {"resolution": "2k"}),
    (MAX, {"segmentation_free": False}),
    (V16, {"mask": picture()}),
    (V16, {"mask_prompt": "the shirt"}),
    (V16, {"n": 101}),
    (V16, {"size": "1024x1024"}),
])
def test_what_a_model_cannot_honour_is_refused_before_any_call(
    router: tryon.Router, emu: FashnEmulator, model: str, options: dict[str, Any]
) -> None:
    with pytest.raises((TryOnError, ValueError)):
        router.try_on(PERSON, SHIRT, model=model, **options)
    assert emu.requests == []


@pytest.mark.parametrize("seed", [2**32, 10**12])
def test_seeds_outside_fashn_s_range_are_refused_before_sending(router: tryon.Router, emu: FashnEmulator,
                                                                seed: int) -> None:
    with pytest.raises(ValueError, match="0 to 4294967295"):  # the declared seed_range, checked by the router
        router.try_on(PERSON, SHIRT, model=V16, seed=seed)
    assert emu.requests == []


def test_every_v16_option_is_sent_as_fashn_documents_it(router: tryon.Router, emu: FashnEmulator) -> None:
    result = router.try_on(PERSON, Garment(SHIRT, "bottom"), model=V16, mode="quality", garment_photo_type="worn",
                           moderation="permissive", seed=4294967295, output_format="jpeg", n=3,
                           segmentation_free=False, return_base64=True)
    assert inputs(emu) | {"model_image": "", "garment_image": ""} == {
        "model_image": "", "garment_image": "", "category": "bottoms", "mode": "quality",
        "garment_photo_type": "model", "moderation_level": "permissive", "seed": 4294967295,
        "output_format": "jpeg", "num_samples": 3, "segmentation_free": False, "return_base64": True}
    assert len(emu.runs) == 1 and len(result.images) == 3
    assert all(i.media_type == "image/jpeg" for i in result.images)


def test_every_max_option_is_sent_as_fashn_documents_it(router: tryon.Router, emu: FashnEmulator) -> None:
    result = router.try_on(PERSON, SHIRT, model=MAX, prompt="roll up the sleeves", mode="quality",
                           aspect_ratio="3:4", seed=0, output_format="png", n=2, resolution="2k")
    sent = inputs(emu)
    assert {k: v for k, v in sent.items() if not k.endswith("_image")} == {
        "prompt": "roll up the sleeves", "generation_mode": "quality", "aspect_ratio": "3:4", "seed": 0,
        "output_format": "png", "num_images": 2, "resolution": "2k"}
    w, h = result.images[0].width, result.images[0].height
    assert abs(w / h - 0.75) < 0.02


def test_n_above_four_fans_out_into_several_predictions(router: tryon.Router, emu: FashnEmulator) -> None:
    result = router.try_on(PERSON, SHIRT, model=V16, n=6)
    assert len(result.images) == 6
    assert sorted(r.params["inputs"].get("num_samples", 1) for r in emu.runs) == [2, 4]


# ---------------------------------------------------------------------- polling, outputs, errors


def test_polls_through_every_running_status(router: tryon.Router, emu: FashnEmulator) -> None:
    router.try_on(PERSON, SHIRT, model=V16)
    statuses = [json.loads(r.body)["status"] for q, r in emu.answers if q.method == "GET"]
    assert statuses == ["starting", "in_queue", "completed"]
    assert all(q.header("authorization") == "Bearer [REDACTED]" for q in emu.polls)


def test_a_prediction_past_the_deadline_times_out_naming_its_last_status(emu: FashnEmulator) -> None:
    emu.pending_polls = 10**6
    r = make_router(emu, deadline=0.3, poll_interval=0.05, max_poll_interval=0.05)
    with pytest.raises(ProviderTimeoutError, match="did not finish") as caught:
        r.try_on(PERSON, SHIRT, model=V16)
    assert caught.value.retryable and caught.value.request_id  # the prediction id, to look it up at FASHN


@pytest.mark.parametrize("name, cls, retryable", [
    ("ImageLoadError", ProviderRequestError, False),
    ("ContentModerationError", ContentPolicyError, False),
    ("PoseError", ProviderRequestError, False),
    ("InputValidationError", ProviderRequestError, False),
    ("PipelineError", ServiceUnavailableError, True),
    ("ThirdPartyError", ProviderRequestError, False),
    ("3rdPartyProviderError", ServiceUnavailableError, True),
    ("InternalServerError", ServiceUnavailableError, True),
    ("PollingTimeout", ProviderTimeoutError, True),
])
def test_failed_predictions_become_typed_errors(emu: FashnEmulator, name: str, cls: type[Exception],
                                                retryable: bool) -> None:
    emu.fail_prediction_next(name, "it went wrong")
    with pytest.raises(cls) as caught:
        make_router(emu).try_on(PERSON, SHIRT, model=V16)
    err = caught.value
    assert name in str(err) and "it went wrong" in str(err) and err.retryable is retryable  # type: ignore[attr-defined]
    assert err.request_id and err.provider == "fashn"  # type: ignore[attr-defined]


def test_canceled_and_timed_out_predictions(router: tryon.Router, emu: FashnEmulator) -> None:
    emu.cancel_next()
    with pytest.raises(ProviderRequestError, match="canceled"):
        router.try_on(PERSON, SHIRT, model=V16)
    emu.time_out_next()
    with pytest.raises(ProviderTimeoutError, match="timed out at FASHN"):
        router.try_on(PERSON, SHIRT, model=V16)


def test_out_of_credits_is_not_a_rate_limit(emu: FashnEmulator) -> None:
    emu.out_of_credits_next(times=10)
    with pytest.raises(PermissionDeniedError, match="out of FASHN API credits") as caught:
        make_router(emu, max_retries=0).try_on(PERSON, SHIRT, model=V16)
    assert not caught.value.retryable and caught.value.status == 429


def test_a_rate_limited_run_is_retried_and_a_failed_run_is_not_resent(emu: FashnEmulator) -> None:
    emu.fail_next(429, code="ConcurrencyLimitExceeded", message="Too many concurrent predictions", retry_after=0)
    result = make_router(emu).try_on(PERSON, SHIRT, model=V16)
    assert len(result.images) == 1 and len(emu.runs) == 2
    emu.reset()
    emu.fail_next(500, times=5)
    with pytest.raises(ServiceUnavailableError):
        make_router(emu).try_on(PERSON, SHIRT, model=V16)
    assert len(emu.runs) == 1  # a resent POST could start (and bill) a second prediction


def test_rate_limits_that_persist_stay_retryable_rate_limits(emu: FashnEmulator) -> None:
    emu.fail_next(429, times=10, code="RateLimitExceeded", message="Too many requests in the window")
    with pytest.raises(RateLimitError) as caught:
        make_router(emu, max_retries=1).try_on(PERSON, SHIRT, model=V16)
    assert caught.value.retryable


def test_a_wrong_key_is_an_authentication_error_that_never_shows_the_key() -> None:
    with FashnEmulator(api_keys=["the-right-key"]) as emu, pytest.raises(AuthenticationError) as caught:
        make_router(emu).try_on(PERSON, SHIRT, model=V16)
    text = str(caught.value) + repr(caught.value) + str(pickle.loads(pickle.dumps(caught.value)))
    assert KEY not in text and "Invalid token" in text


def test_no_key_is_refused_before_any_request(emu: FashnEmulator) -> None:
    r = tryon.Router(plugins=False)
    for gen in generators(base_url=emu.url):
        r.register(gen)
    with pytest.raises(MissingCredentialsError, match="FASHN_API_KEY"):
        r.try_on(PERSON, SHIRT, model=V16)
    assert emu.requests == []


def test_the_environment_names_key_and_base_url(fashn_emulator: FashnEmulator) -> None:
    result = tryon.try_on(PERSON, SHIRT, model=V16)
    assert result.provider == "fashn" and fashn_emulator.runs


def test_outputs_from_a_foreign_cdn_are_refused_unless_trusted() -> None:
    with FashnEmulator(pending_polls=0, separate_cdn=True) as emu:
        assert emu.cdn is not None
        with pytest.raises(InvalidResponseError, match="delivery_hosts"):
            make_router(emu).try_on(PERSON, SHIRT, model=V16)
        cdn = emu.cdn.url.split("//", 1)[1]
        result = make_router(emu, delivery_hosts=[cdn]).try_on(PERSON, SHIRT, model=V16)
        assert len(result.images) == 1
        assert emu.cdn.requests and all(r.header("authorization") is None for r in emu.cdn.requests)


def test_base64_outputs_are_decoded(router: tryon.Router, emu: FashnEmulator) -> None:
    result = router.try_on(PERSON, SHIRT, model=MAX, return_base64=True, output_format="jpeg")
    assert result.images[0].media_type == "image/jpeg"
    assert not [r for r in emu.requests if r.path.startswith("/cdn/")]


@pytest.mark.parametrize("answer", [
    {"status": "completed", "output": []},
    {"status": "completed", "output": None},
    {"status": "completed", "output": ["data:image/png;base64,@@@"]},
    {"status": "completed", "output": ["data:image/png,abc"]},
    {"status": "completed", "output": ["ftp://cdn.fashn.ai/x.png"]},
    {"status": "exploded"},
    {"output": []},
])
def test_broken_status_answers_are_invalid_responses(emu: FashnEmulator, answer: dict[str, Any]) -> None:
    emu.answer_status_next({"id": "x", **answer}, times=10)
    with pytest.raises(InvalidResponseError):
        make_router(emu).try_on(PERSON, SHIRT, model=V16)
    emu.answers.clear()  # the broken answers were scripted: the SDK-types guard need not flag them


# ---------------------------------------------------------------------- credits and estimates


def test_credits_come_from_fashn_s_header(router: tryon.Router, emu: FashnEmulator) -> None:
    result = router.try_on(PERSON, SHIRT, model=V16, n=3)
    assert result.usage is not None and result.usage.credits == 3
    assert result.cost_usd == pytest.approx(3 * 0.075)


@pytest.mark.parametrize("model, options, credits", [
    (V16, {}, 1), (V16, {"n": 4}, 4), (V16, {"n": 6}, 6),
    (MAX, {}, 5), (MAX, {"n": 3, "resolution": "4k", "mode": "quality"}, 15),
])
def test_estimates_are_credits_per_image_and_bound_the_bill(
    router: tryon.Router, emu: FashnEmulator, model: str, options: dict[str, Any], credits: int
) -> None:
    estimate = router.estimate_try_on(PERSON, SHIRT, model=model, **options)
    assert estimate.usd == pytest.approx(credits * 0.075)
    result = router.try_on(PERSON, SHIRT, model=model, **options)
    assert result.cost_usd is not None and result.cost_usd <= estimate.usd + 1e-9


def test_a_budget_below_the_estimate_spends_nothing(router: tryon.Router, emu: FashnEmulator) -> None:
    from tryon.errors import BudgetExceededError

    with pytest.raises(BudgetExceededError):
        router.try_on(PERSON, SHIRT, model=MAX, n=4, max_cost=0.5)
    assert emu.requests == []


# ---------------------------------------------------------------------- async, logs


async def test_atry_on_runs_the_prediction(router: tryon.Router, emu: FashnEmulator) -> None:
    result = await router.atry_on(PERSON, SHIRT, model=V16, n=5)
    assert len(result.images) == 5 and len(emu.runs) == 2


def test_the_key_appears_in_no_log_record(router: tryon.Router, emu: FashnEmulator,
                                          caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    router.try_on(PERSON, SHIRT, model=V16)
    emu.fail_prediction_next("PipelineError")
    with pytest.raises(ServiceUnavailableError):
        router.try_on(PERSON, SHIRT, model=V16)
    assert caplog.records and all(KEY not in r.getMessage() for r in caplog.records)
    assert KEY not in repr(router.get(V16)) and KEY not in repr(router.get(V16).settings)  # type: ignore[attr-defined]

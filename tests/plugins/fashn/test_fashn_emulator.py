"""The FASHN emulator, driven by FASHN's official Python SDK (``fashn``) and plain HTTP.

Every request the SDK sends and every answer the emulator gives is checked against the SDK's own
types (tests/fashn_schema.py): the SDK, generated from FASHN's OpenAPI spec, is the authority here.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from typing import Any

import fashn
import pytest
import requests
from fashn_schema import answer_problems, run_body_problems
from PIL import Image

from tryon.testing.fashn_emulator import ERROR_NAMES, FashnEmulator, max_credits

KEY = "fashn-test-key"


def data_url(size: tuple[int, int] = (300, 450), fmt: str = "PNG") -> str:
    buf = io.BytesIO()
    Image.new("RGB", size, (180, 60, 60)).save(buf, fmt)
    return f"data:image/{fmt.lower()};base64,{base64.b64encode(buf.getvalue()).decode()}"


def v16_inputs(**extra: Any) -> dict[str, Any]:
    return {"model_image": data_url(), "garment_image": data_url((200, 200)), **extra}


def max_inputs(**extra: Any) -> dict[str, Any]:
    return {"model_image": data_url(), "product_image": data_url((200, 200)), **extra}


@pytest.fixture
def emu() -> Iterator[FashnEmulator]:
    with FashnEmulator(pending_polls=3) as emulator:
        yield emulator


@pytest.fixture
def client(emu: FashnEmulator) -> Iterator[fashn.Fashn]:
    with fashn.Fashn(api_key=KEY, base_url=emu.url, max_retries=0) as sdk:
        yield sdk


def checked(emu: FashnEmulator) -> None:
    """Every run body and every answer of *emu* fits the SDK's types."""
    for request, response in emu.answers:
        if request.path == "/v1/run" and response.status < 300:
            assert run_body_problems(request.params) == []
        path = "/v1/run" if request.path == "/v1/run" else "/v1/status"
        assert answer_problems(path, response.status, json.loads(response.body)) == []


def subscribe(client: fashn.Fashn, model: str, inputs: dict[str, Any]) -> Any:
    return client.predictions.subscribe(model_name=model, inputs=inputs, poll_interval=5)  # type: ignore[call-overload]


@pytest.mark.parametrize("model, inputs, count", [
    ("tryon-v1.6", v16_inputs(), 1),
    ("tryon-v1.6", v16_inputs(category="bottoms", mode="quality", garment_photo_type="flat-lay", num_samples=3,
                              seed=7, moderation_level="permissive", segmentation_free=False, output_format="jpeg"), 3),
    ("tryon-max", max_inputs(), 1),
    ("tryon-max", max_inputs(prompt="tuck in shirt", aspect_ratio="3:4", resolution="2k", generation_mode="quality",
                             num_images=2, seed=2**32 - 1, output_format="png"), 2),
])
def test_the_sdk_runs_a_prediction_to_completion(
    emu: FashnEmulator, client: fashn.Fashn, model: str, inputs: dict[str, Any], count: int
) -> None:
    result = subscribe(client, model, inputs)
    assert result.status == "completed" and result.error is None
    assert len(result.output) == count
    fmt = inputs.get("output_format", "png")
    for url in result.output:
        image = requests.get(url, timeout=5)  # CDN outputs need no key
        assert image.status_code == 200 and image.headers["Content-Type"] == f"image/{fmt}"
    assert 1 <= result.credits_used <= count * max_credits(model)
    assert [json.loads(r.body)["status"] for q, r in emu.answers if q.method == "GET"] == [
        "starting", "in_queue", "processing", "completed"]
    checked(emu)


def test_v16_outputs_have_its_processing_size_and_max_follows_resolution_and_ratio(client: fashn.Fashn) -> None:
    def size(url: str) -> tuple[int, int]:
        with Image.open(io.BytesIO(requests.get(url, timeout=5).content)) as img:
            return img.size

    assert size(subscribe(client, "tryon-v1.6", v16_inputs()).output[0]) == (864, 1296)
    w, h = size(subscribe(client, "tryon-max", max_inputs(resolution="2k", aspect_ratio="16:9")).output[0])
    assert abs(w / h - 16 / 9) < 0.02 and 3.8e6 < w * h < 4.4e6


def test_return_base64_answers_data_urls(client: fashn.Fashn) -> None:
    result = subscribe(client, "tryon-v1.6", v16_inputs(return_base64=True, output_format="jpeg"))
    assert result.output[0].startswith("data:image/jpeg;base64,")
    Image.open(io.BytesIO(base64.b64decode(result.output[0].split(",", 1)[1]))).verify()


def test_credits_follow_fashn_per_image_rules(client: fashn.Fashn) -> None:
    assert subscribe(client, "tryon-v1.6", v16_inputs(num_samples=4)).credits_used == 4
    low = subscribe(client, "tryon-max", max_inputs()).credits_used
    high = subscribe(client, "tryon-max", max_inputs(resolution="4k", generation_mode="quality")).credits_used
    assert 2 <= low < high <= 5


BAD_RUNS = [
    ({"model_name": "tryon-v1.6", "inputs": v16_inputs(category="shoes")}, "inputs.category"),
    ({"model_name": "tryon-v1.6", "inputs": v16_inputs(mode="fast")}, "inputs.mode"),
    ({"model_name": "tryon-v1.6", "inputs": v16_inputs(garment_photo_type="worn")}, "inputs.garment_photo_type"),
    ({"model_name": "tryon-v1.6", "inputs": v16_inputs(num_samples=5)}, "inputs.num_samples"),
    ({"model_name": "tryon-v1.6", "inputs": v16_inputs(num_samples=0)}, "inputs.num_samples"),
    ({"model_name": "tryon-v1.6", "inputs": v16_inputs(seed=-1)}, "inputs.seed"),
    ({"model_name": "tryon-v1.6", "inputs": v16_inputs(seed=2**32)}, "inputs.seed"),
    ({"model_name": "tryon-v1.6", "inputs": v16_inputs(seed=True)}, "inputs.seed"),
    ({"model_name": "tryon-v1.6", "inputs": v16_inputs(output_format="webp")}, "inputs.output_format"),
    ({"model_name": "tryon-v1.6", "inputs": v16_inputs(moderation_level="low")}, "inputs.moderation_level"),
    ({"model_name": "tryon-v1.6", "inputs": v16_inputs(prompt="x")}, "inputs.prompt"),
    ({"model_name": "tryon-v1.6", "inputs": v16_inputs(num_images=2)}, "inputs.num_images"),
    ({"model_name": "tryon-v1.6", "inputs": {"garment_image": data_url()}}, "inputs.model_image"),
    ({"model_name": "tryon-max", "inputs": max_inputs(garment_image=data_url())}, "inputs.garment_image"),
    ({"model_name": "tryon-max", "inputs": max_inputs(generation_mode="fast")}, "inputs.generation_mode"),
    ({"model_name": "tryon-max", "inputs": max_inputs(resolution="8k")}, "inputs.resolution"),
    ({"model_name": "tryon-max", "inputs": max_inputs(aspect_ratio="7:4")}, "inputs.aspect_ratio"),
    ({"model_name": "tryon-max", "inputs": max_inputs(category="tops")}, "inputs.category"),
    ({"model_name": "tryon-v2", "inputs": v16_inputs()}, "model_name"),
    ({"model_name": "tryon-v1.6", "inputs": v16_inputs(), "priority": 1}, "priority"),
    ({"model_name": "tryon-v1.6"}, "inputs"),
    ({"model_name": "tryon-v1.6", "inputs": v16_inputs(), "webhook_url": "ftp://x"}, "webhook_url"),
]


@pytest.mark.parametrize("body, named", BAD_RUNS, ids=[n for _, n in BAD_RUNS])
def test_bad_runs_are_refused_with_fashn_s_bad_request(emu: FashnEmulator, body: dict[str, Any], named: str) -> None:
    answer = requests.post(f"{emu.url}/v1/run", json=body, headers={"Authorization": f"Bearer {KEY}"}, timeout=5)
    assert answer.status_code == 400
    data = answer.json()
    assert data["error"] == "BadRequest" and named in data["message"]
    assert not emu._predictions  # nothing started, nothing billed


def test_the_sdk_sees_a_bad_request_as_its_bad_request_error(client: fashn.Fashn) -> None:
    with pytest.raises(fashn.BadRequestError) as caught:
        client.predictions.run(model_name="tryon-v1.6", inputs=v16_inputs(category="dresses"))
    assert caught.value.status_code == 400


@pytest.mark.parametrize("value, why", [
    ("aGVsbG8=", "prefix"),  # base64 without data:image/...;base64,
    ("data:image/png;base64,@@@", "decoded"),
    ("data:image/png,plain", "not base64"),
    ("data:text/plain;base64,aGVsbG8=", "not an image data URL"),
])
def test_image_inputs_fashn_cannot_load_fail_the_prediction(client: fashn.Fashn, value: str, why: str) -> None:
    result = subscribe(client, "tryon-v1.6", v16_inputs(model_image=value))
    assert result.status == "failed" and result.error.name == "ImageLoadError" and why in result.error.message
    assert result.credits_used == 0


def test_image_urls_are_accepted_without_being_fetched(emu: FashnEmulator, client: fashn.Fashn) -> None:
    result = subscribe(client, "tryon-v1.6", v16_inputs(model_image="https://example.com/person.jpg"))
    assert result.status == "completed"
    assert len(emu.requests) == len(emu.answers)  # no request left the emulator for example.com


@pytest.mark.parametrize("name", ERROR_NAMES)
def test_runtime_errors_have_fashn_s_shape(emu: FashnEmulator, client: fashn.Fashn, name: str) -> None:
    emu.fail_prediction_next(name)
    result = subscribe(client, "tryon-v1.6", v16_inputs())
    assert result.status == "failed" and result.error.name == name and result.output is None
    checked(emu)


@pytest.mark.parametrize("fate, status", [("cancel_next", "canceled"), ("time_out_next", "time_out")])
def test_canceled_and_timed_out_predictions(emu: FashnEmulator, client: fashn.Fashn, fate: str, status: str) -> None:
    getattr(emu, fate)()
    assert subscribe(client, "tryon-max", max_inputs()).status == status
    checked(emu)


def test_api_level_errors_have_fashn_s_shape(emu: FashnEmulator) -> None:
    url = f"{emu.url}/v1/run"
    no_key = requests.post(url, json={"model_name": "tryon-v1.6", "inputs": v16_inputs()}, timeout=5)
    assert no_key.status_code == 401 and no_key.json() == {"error": "UnauthorizedAccess",
                                                           "message": "Unauthorized: Invalid token"}
    auth = {"Authorization": f"Bearer {KEY}"}
    lost = requests.get(f"{emu.url}/v1/status/nope", headers=auth, timeout=5)
    assert lost.status_code == 404 and lost.json()["error"] == "NotFound"
    emu.out_of_credits_next()
    broke = requests.post(url, json={"model_name": "tryon-v1.6", "inputs": v16_inputs()}, headers=auth, timeout=5)
    assert broke.status_code == 429 and broke.json()["error"] == "OutOfCredits"
    emu.fail_next(429, code="ConcurrencyLimitExceeded", message="Too many concurrent predictions")
    busy = requests.post(url, json={"model_name": "tryon-v1.6", "inputs": v16_inputs()}, headers=auth, timeout=5)
    assert busy.json() == {"error": "ConcurrencyLimitExceeded", "message": "Too many concurrent predictions"}
    emu.fail_next(500)
    assert requests.post(url, json={}, headers=auth, timeout=5).json()["error"] == "InternalServerError"


def test_the_sdk_maps_out_of_credits_to_its_rate_limit_error(emu: FashnEmulator, client: fashn.Fashn) -> None:
    emu.out_of_credits_next()
    with pytest.raises(fashn.RateLimitError):
        client.predictions.run(model_name="tryon-v1.6", inputs=v16_inputs())


def test_a_separate_cdn_serves_outputs_and_never_sees_the_key() -> None:
    with FashnEmulator(pending_polls=0, separate_cdn=True) as emu, \
            fashn.Fashn(api_key=KEY, base_url=emu.url, max_retries=0) as client:
        result = subscribe(client, "tryon-v1.6", v16_inputs())
        assert emu.cdn is not None and result.output[0].startswith(emu.cdn.url)
        assert requests.get(result.output[0], timeout=5).status_code == 200
        assert all("authorization" not in r.headers for r in emu.cdn.requests)


def test_the_emulator_records_no_key(emu: FashnEmulator, client: fashn.Fashn) -> None:
    subscribe(client, "tryon-v1.6", v16_inputs())
    assert all(KEY not in json.dumps(r.headers) for r in emu.requests)


def test_the_plugin_registers_its_emulator_for_tryon_emulator() -> None:
    import tryon.emulators as emulators

    entry = emulators.find("fashn")
    assert entry.resolve() is FashnEmulator
    with emulators.start("fashn") as emu, fashn.Fashn(api_key="emulator-key", base_url=emu.url) as sdk:
        result = subscribe(sdk, "tryon-v1.6", v16_inputs())
        assert result.status == "completed"

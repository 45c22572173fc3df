"""The Replicate emulator checked by an independent client: the official ``replicate`` SDK.

The SDK builds the requests (model route, ``Prefer: wait``, polling, cancel) and parses every
answer into its own pydantic ``Prediction`` (whose ``status`` is a Literal of the five statuses)
and its ``ReplicateError`` (RFC 7807 problem details), so an emulator answer the SDK could not
read fails here. The plugin's create bodies are compared with the SDK's own body builder.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
from PIL import Image

replicate = pytest.importorskip("replicate")
from replicate.exceptions import ModelError, ReplicateError  # noqa: E402
from replicate.prediction import Prediction, _create_prediction_body  # noqa: E402
from tryon_replicate import generators  # noqa: E402
from tryon_replicate.emulator import ReplicateEmulator  # noqa: E402

import tryon  # noqa: E402
from tryon.testing.synth import synth_image  # noqa: E402

TOKEN = "r8_sdk-token-0123456789"


@pytest.fixture
def emu() -> Iterator[ReplicateEmulator]:
    with ReplicateEmulator(api_keys=[TOKEN]) as emulator:
        yield emulator


def sdk_client(emu: ReplicateEmulator, token: str = TOKEN) -> tuple[Any, httpx.HTTPTransport]:
    transport = httpx.HTTPTransport()  # ours, so that the test closes the SDK's connections
    return replicate.Client(api_token=token, base_url=emu.url, transport=transport), transport


@pytest.fixture
def client(emu: ReplicateEmulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("REPLICATE_POLL_INTERVAL", "0.01")
    sdk, transport = sdk_client(emu)
    yield sdk
    transport.close()


def _image(output: Any) -> Image.Image:
    # the SDK wraps https and data: outputs as FileOutput; the emulator's are http:// URLs, fetched as such
    data = output.read() if hasattr(output, "read") else requests.get(output, timeout=5).content
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def test_sdk_run_waits_and_reads_list_outputs(client: Any, emu: ReplicateEmulator) -> None:
    outputs = client.run("black-forest-labs/flux-schnell",
                         input={"prompt": "a fox", "num_outputs": 2, "aspect_ratio": "16:9", "output_format": "png"})
    assert len(outputs) == 2
    images = [_image(o) for o in outputs]
    assert {i.format for i in images} == {"PNG"} and abs(images[0].width / images[0].height - 16 / 9) < 0.03
    assert emu.creates[0].header("prefer") == "wait"  # the SDK's own blocking form


def test_sdk_run_reads_a_single_output(client: Any) -> None:
    output = client.run("black-forest-labs/flux-1.1-pro",
                        input={"prompt": "a fox", "aspect_ratio": "custom", "width": 512, "height": 768})
    assert _image(output).size == (512, 768)


def test_sdk_polls_a_running_prediction(client: Any, emu: ReplicateEmulator) -> None:
    emu.pending_polls = 2
    prediction = client.models.predictions.create(model=("bytedance", "seedream-4"), input={"prompt": "x"})
    assert isinstance(prediction, Prediction) and prediction.status == "starting"
    prediction.wait()
    assert prediction.status == "succeeded" and isinstance(prediction.output, list)
    assert len(emu.polls) == 3


def test_sdk_cancels(client: Any, emu: ReplicateEmulator) -> None:
    emu.pending_polls = 100
    prediction = client.models.predictions.create(model=("google", "nano-banana-pro"), input={"prompt": "x"})
    prediction.cancel()
    assert client.predictions.get(prediction.id).status == "canceled"
    assert emu.cancelled == [prediction.id]


def test_sdk_reads_failures(client: Any, emu: ReplicateEmulator) -> None:
    emu.fail_prediction_next("CUDA out of memory")
    with pytest.raises(ModelError, match="CUDA out of memory"):
        client.run("black-forest-labs/flux-kontext-pro", input={"prompt": "x"})


@pytest.mark.parametrize(("model", "model_input", "status", "title"), [
    ("black-forest-labs/flux-schnell", {"prompt": "x", "num_outputs": 9}, 422, "Input validation failed"),
    ("black-forest-labs/flux-schnell", {"num_outputs": 1}, 422, "Input validation failed"),
    ("black-forest-labs/flux-kontext-pro",
     {"prompt": "x", "input_image": "data:image/png;base64,AAAA", "safety_tolerance": 5}, 422,
     "Input validation failed"),
    ("someone/unknown-model", {"prompt": "x"}, 404, "Not found"),
])
def test_sdk_reads_problem_details(client: Any, model: str, model_input: dict[str, Any], status: int,
                                   title: str) -> None:
    with pytest.raises(ReplicateError) as caught:
        client.run(model, input=model_input)
    assert caught.value.status == status and caught.value.title == title and caught.value.detail


def test_sdk_reads_a_wrong_token_as_401(emu: ReplicateEmulator) -> None:
    sdk, transport = sdk_client(emu, "r8_wrong")
    with pytest.raises(ReplicateError) as caught:
        sdk.run("black-forest-labs/flux-schnell", input={"prompt": "x"})
    transport.close()
    assert caught.value.status == 401


def test_every_answer_the_plugin_got_parses_as_an_sdk_prediction(emu: ReplicateEmulator) -> None:
    emu.pending_polls = 1
    router = tryon.Router(plugins=False)
    for gen in generators(api_key=TOKEN, base_url=emu.url, poll_interval=0.001, wait=0):
        router.register(gen)
    picture = synth_image(120, 90, "png", transparent=False, seed_text="p")
    router.generate("x", model="replicate-flux-schnell", n=3, seed=1, output_format="jpeg")
    router.generate("x", model="replicate-flux-1.1-pro", size="640x480")
    router.edit([picture], "x", model="replicate-flux-kontext-pro", aspect_ratio="4:3")
    router.edit([picture, picture], "x", model="replicate-nano-banana-pro")
    router.edit([picture], "x", model="replicate-seedream-4", size="2048x1024")
    answers = emu.answered
    assert len(answers) == 15  # five creates, each polled twice (processing, then succeeded)
    for answer in answers:
        Prediction.parse_obj(answer)
    for create in emu.creates:
        assert create.params == _create_prediction_body(version=None, input=create.params["input"])


@pytest.mark.parametrize("model", ["replicate-nano-banana-pro", "replicate-seedream-4"])
def test_multi_image_editors_serve_try_on_by_composition(emu: ReplicateEmulator, model: str) -> None:
    router = tryon.Router(plugins=False)
    for gen in generators(api_key=TOKEN, base_url=emu.url, poll_interval=0.001, wait=0):
        router.register(gen)
    person = synth_image(1024, 1024, "png", transparent=False, seed_text="person")
    shirt = synth_image(1024, 1024, "png", transparent=False, seed_text="shirt")
    caps = router.get(model).capabilities
    assert caps.try_on is not None and caps.try_on.composed and "try_on" in caps.sources.facts
    result = router.try_on(person, tryon.Garment(shirt, "top"), model=model)
    sent = emu.creates[-1].params["input"]
    assert len(sent["image_input"]) == 2 and sent["prompt"].startswith("Virtual try-on. Image 1 shows the person.")
    assert len(result.images) == 1

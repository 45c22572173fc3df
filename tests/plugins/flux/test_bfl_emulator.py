"""The BFL emulator on its own, over plain HTTP: schemas, the task life cycle, delivery, faults."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PIL import Image

from tryon.testing.bfl_emulator import MODEL_SCHEMAS, BFLEmulator, kontext_size, validate_body

H = {"x-key": "k"}


def b64_png(size: tuple[int, int] = (64, 64), mode: str = "RGB", color: Any = (10, 200, 30)) -> str:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


@pytest.fixture
def emu() -> Iterator[BFLEmulator]:
    with BFLEmulator(pending_polls=1) as emulator:
        yield emulator


def submit(
    emu: BFLEmulator, model: str, body: dict[str, Any], headers: dict[str, str] = H
) -> requests.Response:
    return requests.post(f"{emu.url}/v1/{model}", json=body, headers=headers, timeout=10)


def detail(response: requests.Response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(d["loc"][-1], d["type"]) for d in response.json()["detail"]]


def finish(emu: BFLEmulator, answer: dict[str, Any]) -> dict[str, Any]:
    for _ in range(emu.pending_polls + 1):
        polled: dict[str, Any] = requests.get(answer["polling_url"], headers=H, timeout=10).json()
    return polled


def test_a_task_goes_pending_then_ready_with_a_real_image(emu: BFLEmulator) -> None:
    answer = submit(
        emu, "flux-2-pro", {"prompt": "fox", "width": 320, "height": 160, "output_format": "webp", "seed": 9}
    ).json()
    assert set(answer) == {"id", "polling_url", "cost", "input_mp", "output_mp"} and answer["cost"] == 3.0
    first = requests.get(answer["polling_url"], headers=H, timeout=10).json()
    assert first["status"] == "Pending"
    ready = requests.get(answer["polling_url"], headers=H, timeout=10).json()
    assert ready["status"] == "Ready" and ready["result"]["seed"] == 9
    image = requests.get(ready["result"]["sample"], timeout=10)  # no key: delivery is a blob store
    assert image.headers["content-type"] == "image/webp"
    assert Image.open(io.BytesIO(image.content)).size == (320, 160)


@pytest.mark.parametrize(
    "model, body, expected",
    [
        ("flux-2-pro", {}, [("prompt", "missing")]),
        ("flux-2-pro", {"prompt": "x", "steps": 10}, [("steps", "extra_forbidden")]),
        ("flux-2-pro", {"prompt": "x", "safety_tolerance": 6}, [("safety_tolerance", "less_than_equal")]),
        ("flux-2-pro", {"prompt": "x", "width": 32}, [("width", "greater_than_equal")]),
        ("flux-2-pro", {"prompt": "x", "output_format": "gif"}, [("output_format", "enum")]),
        ("flux-2-pro", {"prompt": "x", "seed": "7"}, [("seed", "int_type")]),
        ("flux-2-max", {"prompt": "x", "aspect_ratio": "1:1"}, [("aspect_ratio", "extra_forbidden")]),
        (
            "flux-2-flex",
            {"prompt": "x", "steps": 51, "guidance": 1.0},
            [("guidance", "greater_than_equal"), ("steps", "less_than_equal")],
        ),
        (
            "flux-kontext-pro",
            {"prompt": "x", "safety_tolerance": 7, "width": 512},
            [("safety_tolerance", "less_than_equal"), ("width", "extra_forbidden")],
        ),
        ("flux-kontext-pro", {"prompt": "x", "input_image_5": "a"}, [("input_image_5", "extra_forbidden")]),
        ("flux-pro-1.0-fill", {"prompt": "x"}, [("image", "missing")]),
        ("flux-pro-1.0-fill", {"image": "a", "steps": 10}, [("steps", "greater_than_equal")]),
    ],
)
def test_bodies_are_validated_per_model_schema(
    emu: BFLEmulator, model: str, body: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert sorted(detail(submit(emu, model, body))) == sorted(expected)


@pytest.mark.parametrize(
    "model, body, field",
    [
        ("flux-2-pro", {"prompt": "x", "width": 1000, "height": 1024}, "width"),
        ("flux-2-pro", {"prompt": "x", "width": 2064, "height": 2048}, "width"),
        ("flux-kontext-pro", {"prompt": "x", "aspect_ratio": "3:1"}, "aspect_ratio"),
        ("flux-kontext-pro", {"prompt": "x", "aspect_ratio": "wide"}, "aspect_ratio"),
        ("flux-2-pro", {"prompt": "x", "input_image": "not base64!"}, "input_image"),
        ("flux-2-pro", {"prompt": "x", "input_image": "https://example.com/a.png"}, "input_image"),
    ],
)
def test_service_rules_beyond_the_schema(
    emu: BFLEmulator, model: str, body: dict[str, Any], field: str
) -> None:
    assert detail(submit(emu, model, body)) == [(field, "value_error")]


def test_the_schemas_follow_bfls_openapi() -> None:
    assert validate_body(MODEL_SCHEMAS["flux-2-flex"], {"prompt": "x", "steps": 50, "guidance": 10}) == []
    assert MODEL_SCHEMAS["flux-kontext-pro"].default_format == "png"
    assert MODEL_SCHEMAS["flux-2-pro"].default_format == "jpeg"
    assert kontext_size(__import__("fractions").Fraction(1)) == (1024, 1024)


def test_fill_needs_a_mask_of_the_image_size_and_fills_only_white(emu: BFLEmulator) -> None:
    image = b64_png((64, 32), color=(0, 0, 255))
    assert detail(
        submit(emu, "flux-pro-1.0-fill", {"image": image, "mask": b64_png((32, 32), "L", 255)})
    ) == [("mask", "value_error")]
    mask = Image.new("L", (64, 32), 0)
    mask.paste(255, (0, 0, 32, 32))  # white = fill the left half
    buf = io.BytesIO()
    mask.save(buf, "PNG")
    answer = submit(
        emu,
        "flux-pro-1.0-fill",
        {"image": image, "mask": base64.b64encode(buf.getvalue()).decode(), "output_format": "png"},
    ).json()
    result = Image.open(io.BytesIO(requests.get(finish(emu, answer)["result"]["sample"], timeout=10).content))
    assert result.convert("RGB").getpixel((50, 10)) == (0, 0, 255)
    assert result.convert("RGB").getpixel((10, 10)) != (0, 0, 255)


def test_references_size_the_output_and_are_billed(emu: BFLEmulator) -> None:
    answer = submit(emu, "flux-2-pro", {"prompt": "x", "input_image": b64_png((1600, 1200))}).json()
    assert answer["cost"] == 3.0 + 3 * 1.5  # 1 extra output MP + 2 started input MP
    result = requests.get(finish(emu, answer)["result"]["sample"], timeout=10)
    assert Image.open(io.BytesIO(result.content)).size == (1600, 1200)


def test_scripted_fates(emu: BFLEmulator) -> None:
    emu.moderate_next(status="Content Moderated")
    emu.fail_task_next()
    emu.lose_task_next()
    emu.expire_next()
    statuses = [finish(emu, submit(emu, "flux-2-pro", {"prompt": "x"}).json()) for _ in range(4)]
    assert [s["status"] for s in statuses] == ["Content Moderated", "Error", "Task not found", "Ready"]
    assert requests.get(statuses[3]["result"]["sample"], timeout=10).status_code == 403
    emu.fail_poll_next(503, retry_after=2)
    polled = requests.get(f"{emu.url}/v1/get_result?id=x", headers=H, timeout=10)
    assert polled.status_code == 503 and polled.headers["retry-after"] == "2"


def test_the_key_is_required_on_the_api_but_not_on_delivery(emu: BFLEmulator) -> None:
    assert submit(emu, "flux-2-pro", {"prompt": "x"}, headers={}).status_code == 403
    with BFLEmulator(api_keys=["right"]) as strict:
        assert submit(strict, "flux-2-pro", {"prompt": "x"}, headers={"x-key": "wrong"}).status_code == 401
    assert emu.requests[0].headers.get("x-key") is None


def test_a_separate_delivery_server_serves_the_results() -> None:
    with BFLEmulator(separate_delivery=True) as emu:
        assert emu.delivery is not None and emu.delivery_url != emu.url
        answer = submit(emu, "flux-kontext-pro", {"prompt": "x", "aspect_ratio": "16:9"}).json()
        sample = finish(emu, answer)["result"]["sample"]
        assert sample.startswith(emu.delivery.url)
        assert requests.get(sample, timeout=10).status_code == 200
    assert not emu.delivery.running

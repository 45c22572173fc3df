"""The OpenAI Images API emulator, exercised through the real ``openai`` SDK over HTTP."""

from __future__ import annotations

import base64
import io
import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import openai
import pytest
import requests
from openai import AsyncOpenAI, OpenAI
from openai.types import ImagesResponse
from PIL import Image, ImageChops

from tryon.testing.openai_emulator import MODEL_RULES, OpenAIEmulator, output_tokens
from tryon.testing.server import EmulatorServer, RecordedFile, Response
from tryon.testing.synth import apply_mask_edit, synth_image

KEY = "sk-emulator-test-key-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[3]


# -- helpers ----------------------------------------------------------------
def png(width: int = 256, height: int = 256, mode: str = "RGB", fmt: str = "PNG") -> bytes:
    """A deterministic test picture with many distinct colours."""
    img = Image.new("RGB", (width, height))
    img.putdata([((x * 7) % 256, (y * 5) % 256, (x + y) % 256) for y in range(height) for x in range(width)])
    out = io.BytesIO()
    img.convert(mode).save(out, fmt)
    return out.getvalue()


def half_mask(width: int, height: int) -> bytes:
    """Left half opaque (keep), right half fully transparent (edit)."""
    mask = Image.new("RGBA", (width, height), (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), (width // 2, 0, width, height))
    out = io.BytesIO()
    mask.save(out, "PNG")
    return out.getvalue()


def decode(b64: str | None) -> Image.Image:
    assert b64
    img = Image.open(io.BytesIO(base64.b64decode(b64)))
    img.load()
    return img


def every_pixel_differs(a: Image.Image, b: Image.Image) -> bool:
    """True if no pixel of ``a`` equals the pixel at the same place in ``b`` (RGB)."""
    red, green, blue = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).split()
    low, _ = cast(tuple[int, int], ImageChops.lighter(ImageChops.lighter(red, green), blue).getextrema())
    return low > 0


def alpha(img: Image.Image, xy: tuple[int, int]) -> int:
    return cast(int, img.getchannel("A").getpixel(xy))


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def bad_request(call: Any) -> openai.BadRequestError:
    with pytest.raises(openai.BadRequestError) as info:
        call()
    return info.value


def message(exc: openai.APIStatusError) -> str:
    assert isinstance(exc.body, dict)
    return str(exc.body["message"])


def error_code(exc: openai.APIStatusError) -> str | None:
    assert isinstance(exc.body, dict)
    return exc.body.get("code")


@pytest.fixture
def emu() -> Iterator[OpenAIEmulator]:
    # an endpoint that still serves the models OpenAI shut down on 2026-12-01 (gpt-image-1.5 ...), whose
    # rules most of these tests pin; test_unavailable_models_are_404 checks OpenAI's own service
    with OpenAIEmulator(retired_models_served=True) as emulator:
        yield emulator


@pytest.fixture
def client(emu: OpenAIEmulator) -> Iterator[OpenAI]:
    with OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=0) as sdk:  # closed: no socket left to GC
        yield sdk


# -- generations ------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
@pytest.mark.parametrize("background", ["opaque", "transparent", "auto"])
def test_generate_formats_and_backgrounds(client: OpenAI, fmt: str, background: str) -> None:
    def call() -> ImagesResponse:
        generate: Any = client.images.generate
        return cast(
            ImagesResponse,
            generate(
                model="gpt-image-2", prompt="a red fox", size="1024x1024", output_format=fmt, background=background
            ),
        )

    if fmt == "jpeg" and background == "transparent":
        exc = bad_request(call)
        assert exc.body["param"] == "background"  # type: ignore[index]
        return
    result = call()
    assert result.output_format == fmt and result.size == "1024x1024"
    assert result.background == ("transparent" if background == "transparent" else "opaque")
    assert result.data and len(result.data) == 1
    img = decode(result.data[0].b64_json)
    assert img.format == {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}[fmt]
    assert img.size == (1024, 1024)
    if background == "transparent":
        low, high = img.getchannel("A").getextrema()
        assert (low, high) == (0, 255)  # real transparency and an opaque subject
        assert alpha(img, (0, 0)) == 0  # the border is clear
    else:
        assert "A" not in img.getbands() or img.getchannel("A").getextrema() == (255, 255)


def test_generate_response_fields_and_usage(client: OpenAI) -> None:
    result = client.images.generate(model="gpt-image-1.5", prompt="x" * 40, quality="low", n=2)
    assert result.created > 1_600_000_000
    assert result.quality == "low" and result.size == "1024x1024" and result.output_format == "png"
    assert result.data is not None and len(result.data) == 2
    assert result.data[0].b64_json != result.data[1].b64_json  # each image is distinct
    usage = result.usage
    assert usage is not None and usage.output_tokens_details is not None
    assert usage.output_tokens == 2 * 272 == usage.output_tokens_details.image_tokens
    assert usage.input_tokens_details.text_tokens == 10 and usage.input_tokens_details.image_tokens == 0
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens


def test_generate_defaults_auto_quality_and_default_model(client: OpenAI, emu: OpenAIEmulator) -> None:
    result = client.images.generate(prompt="a fox")  # the default model: gpt-image-2.6-sunburst
    assert result.quality == "high" and result.size == "1024x1024"
    assert result.usage is not None and result.usage.output_tokens == 7050  # the GPT image 2 token table
    assert "model" not in emu.last_request.params


def test_generate_is_deterministic_per_prompt(client: OpenAI) -> None:
    def pixels(prompt: str) -> bytes:
        data = client.images.generate(model="gpt-image-2", prompt=prompt, quality="low").data
        assert data
        return decode(data[0].b64_json).tobytes()

    assert pixels("a fox") == pixels("a fox")
    assert pixels("a fox") != pixels("a whale")


@pytest.mark.parametrize(
    ("model", "size", "tokens"),
    [("gpt-image-1.5", "1024x1536", 1584), ("gpt-image-1.5", "1536x1024", 1568),
     ("gpt-image-2", "1024x1536", 1384), ("gpt-image-2", "1536x1024", 1384),
     ("gpt-image-2", "1536x864", round(1784 * 1536 * 864 / 2**20))])
def test_output_tokens_table(client: OpenAI, model: str, size: str, tokens: int) -> None:
    result = client.images.generate(model=model, prompt="p", size=size, quality="medium")
    assert result.usage is not None and result.usage.output_tokens == tokens
    table = MODEL_RULES[model].output_tokens
    assert output_tokens("medium", *map(int, size.split("x")), table) == tokens


@pytest.mark.parametrize("size", ["1536x864", "3840x2160", "2160x3840", "768x2304", "2880x2880", "1024x640"])
def test_arbitrary_sizes_on_gpt_image_2(client: OpenAI, size: str) -> None:
    result = client.images.generate(model="gpt-image-2", prompt="p", size=size, quality="low")
    assert result.size == size and result.data
    width, height = map(int, size.split("x"))
    assert decode(result.data[0].b64_json).size == (width, height)


@pytest.mark.parametrize(
    "model",
    ["gpt-image-2-2026-04-21", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare-2026-09-08"],
)
def test_arbitrary_sizes_on_newer_models(client: OpenAI, model: str) -> None:
    assert client.images.generate(model=model, prompt="p", size="1280x720", quality="low").size == "1280x720"


@pytest.mark.parametrize("model", ["gpt-image-1.5", "gpt-image-1-mini", "chatgpt-image-latest", "gpt-image-2.6-flare"])
def test_arbitrary_sizes_rejected_on_older_models(client: OpenAI, model: str) -> None:
    exc = bad_request(lambda: client.images.generate(model=model, prompt="p", size="1536x864"))
    assert error_code(exc) == "invalid_value" and exc.param == "size"
    bad_request(lambda: client.images.generate(model=model, prompt="p", size="512x512"))


@pytest.mark.parametrize(
    ("size", "why"),
    [
        ("1000x1000", "multiples of 16"),
        ("3840x1024", "aspect ratio"),
        ("4096x2160", "3840"),
        ("2896x2896", "8,294,400 pixels"),
        ("16x48", "655,360"),
        ("512x512", "655,360"),
        ("1008x640", "655,360"),
        ("0x1024", "multiples of 16"),
        ("big", "Supported values"),
        ("1792x1024x", "Supported values"),
    ],
)
def test_invalid_arbitrary_sizes(client: OpenAI, size: str, why: str) -> None:
    exc = bad_request(lambda: client.images.generate(model="gpt-image-2", prompt="p", size=size))
    assert why in exc.message and error_code(exc) == "invalid_value"


def test_qualities_per_model(client: OpenAI) -> None:
    for quality in ("xhigh", "max"):
        ok = client.images.generate(model="gpt-image-2.5-sunburst", prompt="p", quality=quality)
        assert ok.quality == quality
        exc = bad_request(lambda q=quality: client.images.generate(model="gpt-image-2", prompt="p", quality=q))
        assert error_code(exc) == "unsupported_value"
    for legacy in ("standard", "hd"):
        exc = bad_request(lambda q=legacy: client.images.generate(model="gpt-image-1.5", prompt="p", quality=q))
        assert error_code(exc) == "unsupported_value" and "'low', 'medium', 'high', and 'auto'" in exc.message


def test_output_compression_rules(client: OpenAI) -> None:
    result = client.images.generate(model="gpt-image-2", prompt="p", output_format="jpeg", output_compression=40)
    assert result.output_format == "jpeg"
    assert client.images.generate(model="gpt-image-2", prompt="p", output_format="webp", output_compression=0)
    exc = bad_request(lambda: client.images.generate(model="gpt-image-2", prompt="p", output_compression=50))
    assert exc.body["param"] == "output_compression"  # type: ignore[index]
    exc = bad_request(
        lambda: client.images.generate(model="gpt-image-2", prompt="p", output_format="jpeg", output_compression=101)
    )
    assert error_code(exc) == "integer_above_max_value"


@pytest.mark.parametrize(
    ("kwargs", "code", "param"),
    [
        ({"n": 0}, "integer_below_min_value", "n"),
        ({"n": 11}, "integer_above_max_value", "n"),
        ({"partial_images": 4}, "integer_above_max_value", "partial_images"),
        ({"partial_images": -1}, "integer_below_min_value", "partial_images"),
        ({"moderation": "strict"}, "invalid_value", "moderation"),
        ({"background": "sometimes"}, "invalid_value", "background"),
        ({"quality": "ultra"}, "invalid_value", "quality"),
        ({"output_format": "bmp"}, "invalid_value", "output_format"),
        ({"output_format": "gif"}, "unsupported_value", "output_format"),
        ({"output_format": "svg"}, "unsupported_value", "output_format"),
        ({"complexity": "high"}, "unsupported_parameter", "complexity"),
        ({"response_format": "b64_json"}, "unsupported_parameter", "response_format"),
        ({"style": "vivid"}, "unsupported_parameter", "style"),
        ({"extra_body": {"input_fidelity": "high"}}, "unknown_parameter", "input_fidelity"),
        ({"extra_body": {"foo": 1}}, "unknown_parameter", "foo"),
        ({"extra_body": {"n": "2"}}, "invalid_type", "n"),
        ({"extra_body": {"stream": "yes"}}, "invalid_value", "stream"),
        ({"prompt": ""}, "empty_string", "prompt"),
        ({"prompt": "x" * 32001}, "string_above_max_length", "prompt"),
    ],
)
def test_generate_validation(client: OpenAI, kwargs: dict[str, Any], code: str, param: str) -> None:
    kwargs = {"model": "gpt-image-2", "prompt": "p", **kwargs}
    exc = bad_request(lambda: client.images.generate(**kwargs))
    assert isinstance(exc.body, dict) and exc.body["message"] in exc.message
    assert exc.body == {"message": exc.body["message"], "type": "invalid_request_error", "param": param, "code": code}


def test_generate_accepts_moderation_and_longest_prompt(client: OpenAI) -> None:
    assert client.images.generate(model="gpt-image-2", prompt="x" * 32000, moderation="low", quality="low")


def test_missing_prompt_and_bad_json(client: OpenAI, emu: OpenAIEmulator) -> None:
    exc = bad_request(lambda: client.post("/images/generations", body={"model": "gpt-image-2"}, cast_to=object))
    assert error_code(exc) == "missing_required_parameter" and exc.body["param"] == "prompt"  # type: ignore[index]
    response = requests.post(
        f"{emu.base_url}/images/generations",
        data=b"{not json",
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 400 and "could not parse the JSON body" in response.json()["error"]["message"]


@pytest.mark.parametrize("model", ["gpt-image-1", "gpt-image-1.5", "gpt-image-1-mini", "chatgpt-image-latest",
                                   "dall-e-3", "dall-e-2", "gpt-image-9"])
def test_unavailable_models_are_404(model: str) -> None:
    with (OpenAIEmulator() as official, OpenAI(base_url=official.base_url, api_key=KEY, max_retries=0) as client,
          pytest.raises(openai.NotFoundError) as info):
        client.images.generate(model=model, prompt="p")
    assert message(info.value) == f"The model `{model}` does not exist or you do not have access to it."
    assert error_code(info.value) == "model_not_found"


def test_retired_models_served() -> None:
    with OpenAIEmulator(retired_models_served=True) as emulator:
        client = OpenAI(base_url=emulator.base_url, api_key=KEY, max_retries=0)
        assert client.images.generate(model="gpt-image-1", prompt="p", quality="low").data
        img = png(64, 64)
        assert client.images.edit(model="gpt-image-1", image=("a.png", img), prompt="p", input_fidelity="high")


# -- streaming --------------------------------------------------------------
def test_stream_generate_yields_typed_events(client: OpenAI) -> None:
    stream = client.images.generate(
        model="gpt-image-1.5", prompt="a fox", stream=True, partial_images=2, size="1536x1024", quality="low"
    )
    events = list(stream)
    assert [type(e).__name__ for e in events] == [
        "ImageGenPartialImageEvent",
        "ImageGenPartialImageEvent",
        "ImageGenCompletedEvent",
    ]
    partials, completed = events[:2], events[2]
    assert [p.partial_image_index for p in partials] == [0, 1]  # type: ignore[union-attr]
    assert completed.type == "image_generation.completed" and completed.size == "1536x1024"
    assert completed.usage.output_tokens == 400 + 2 * 100
    for event in events:
        assert decode(event.b64_json).size == (1536, 1024)
        assert event.output_format == "png" and event.quality == "low" and event.background == "opaque"


def test_stream_without_partials_and_n(client: OpenAI) -> None:
    events = list(client.images.generate(model="gpt-image-2", prompt="p", stream=True, n=2, quality="low"))
    assert [e.type for e in events] == ["image_generation.completed"] * 2


def test_stream_edit(client: OpenAI) -> None:
    stream = client.images.edit(
        model="gpt-image-1.5", image=("a.png", png(64, 96)), prompt="p", stream=True, partial_images=1
    )
    events = list(stream)
    assert [type(e).__name__ for e in events] == ["ImageEditPartialImageEvent", "ImageEditCompletedEvent"]
    assert events[-1].size == "1024x1536"  # auto: the first image's aspect class


async def test_async_client_generate_stream_and_edit(emu: OpenAIEmulator) -> None:
    client = AsyncOpenAI(base_url=emu.base_url, api_key=KEY, max_retries=0)
    result = await client.images.generate(model="gpt-image-2", prompt="p", size="1024x1536", quality="low")
    assert result.data and decode(result.data[0].b64_json).size == (1024, 1536)
    stream = await client.images.generate(model="gpt-image-2", prompt="p", stream=True, partial_images=1)
    assert [e.type async for e in stream] == ["image_generation.partial_image", "image_generation.completed"]
    edited = await client.images.edit(image=[("a.png", png(32, 32)), ("b.png", png(32, 32))], prompt="p")
    assert edited.data
    emu.fail_next(429, retry_after=0.01)
    async_retrying = AsyncOpenAI(base_url=emu.base_url, api_key=KEY, max_retries=1)
    assert await async_retrying.images.generate(model="gpt-image-2", prompt="p", quality="low")
    await client.close()
    await async_retrying.close()


# -- edits (multipart) ------------------------------------------------------
def test_edit_mask_semantics_end_to_end(client: OpenAI, emu: OpenAIEmulator) -> None:
    source = png(1024, 1024)
    result = client.images.edit(
        model="gpt-image-1.5", image=("in.png", source), mask=("mask.png", half_mask(1024, 1024)), prompt="a hat"
    )
    assert result.data and result.size == "1024x1024"
    out = decode(result.data[0].b64_json).convert("RGB")
    original = Image.open(io.BytesIO(source)).convert("RGB")
    assert out.crop((0, 0, 512, 1024)).tobytes() == original.crop((0, 0, 512, 1024)).tobytes()
    assert every_pixel_differs(out.crop((512, 0, 1024, 1024)), original.crop((512, 0, 1024, 1024)))
    request = emu.last_request
    assert request.files["mask"][0].image().mode == "RGBA"
    assert request.params["image"].filename == "in.png"


def test_edit_without_mask_changes_the_image(client: OpenAI) -> None:
    source = png(1024, 1024)
    result = client.images.edit(image=("in.png", source), prompt="p", size="1024x1024", quality="low")
    assert result.data
    assert decode(result.data[0].b64_json).convert("RGB").tobytes() != Image.open(io.BytesIO(source)).tobytes()


def test_edit_with_several_images(client: OpenAI, emu: OpenAIEmulator) -> None:
    images = [("a.png", png(64, 64)), ("b.jpg", png(64, 64, fmt="JPEG")), ("c.webp", png(64, 64, fmt="WEBP"))]
    result = client.images.edit(model="gpt-image-1.5", image=images, prompt="combine", n=2, quality="low")
    assert result.data and len(result.data) == 2
    request = emu.last_request
    assert [f.filename for f in request.params["image[]"]] == ["a.png", "b.jpg", "c.webp"]
    assert [f.image().format for f in request.files["image[]"]] == ["PNG", "JPEG", "WEBP"]
    assert request.params["n"] == "2"  # multipart fields are strings on the wire
    assert result.usage is not None and result.usage.input_tokens_details.image_tokens == 3 * (65 + 129)


def test_edit_output_formats_and_transparency(client: OpenAI) -> None:
    for fmt in ("png", "webp"):
        result = client.images.edit(
            image=("a.png", png(64, 64)), prompt="p", background="transparent", output_format=fmt
        )
        assert result.data and result.background == "transparent"
        assert decode(result.data[0].b64_json).getchannel("A").getextrema()[0] == 0
    result = client.images.edit(image=("a.png", png(64, 64)), prompt="p", output_format="jpeg", output_compression=50)
    assert result.data and decode(result.data[0].b64_json).format == "JPEG"


def test_edit_size_auto_uses_aspect_class(client: OpenAI) -> None:
    assert client.images.edit(image=("a.png", png(300, 200)), prompt="p").size == "1536x1024"
    assert client.images.edit(image=("a.png", png(200, 200)), prompt="p").size == "1024x1024"
    assert client.images.edit(model="gpt-image-2", image=("a.png", png(64, 64)), prompt="p", size="1280x720").size == (
        "1280x720"
    )


def test_edit_input_fidelity_rules(client: OpenAI) -> None:
    img = ("a.png", png(64, 64))
    low = client.images.edit(model="gpt-image-1.5", image=img, prompt="p", input_fidelity="low")
    high = client.images.edit(model="gpt-image-1.5", image=img, prompt="p", input_fidelity="high")
    assert low.usage and high.usage and high.usage.input_tokens > low.usage.input_tokens + 4000
    assert client.images.edit(model="chatgpt-image-latest", image=img, prompt="p", input_fidelity="high")
    assert client.images.edit(model="gpt-image-1-mini", image=img, prompt="p", input_fidelity="low")
    exc = bad_request(
        lambda: client.images.edit(model="gpt-image-1-mini", image=img, prompt="p", input_fidelity="high")
    )
    assert error_code(exc) == "unsupported_value"
    for model in ("gpt-image-2", "gpt-image-2.5-flare"):
        exc = bad_request(lambda m=model: client.images.edit(model=m, image=img, prompt="p", input_fidelity="low"))
        assert error_code(exc) == "unsupported_parameter" and "Omit this parameter" in exc.message


def test_edit_markup(client: OpenAI) -> None:
    source = png(128, 128)
    markup_img = Image.new("RGBA", (128, 128), (0, 0, 0, 0))
    markup_img.paste((255, 0, 0, 255), (0, 0, 64, 128))  # strokes on the left half: edit there
    buf = io.BytesIO()
    markup_img.save(buf, "PNG")
    markup = ("markup.png", buf.getvalue())
    result = client.images.edit(
        model="gpt-image-2.5-flare", image=("a.png", source), markup=markup, prompt="p", size="1024x1024"
    )
    assert result.data
    out = decode(result.data[0].b64_json).convert("RGB").resize((128, 128), Image.Resampling.NEAREST)
    original = Image.open(io.BytesIO(source)).convert("RGB")
    assert out.crop((64, 0, 128, 128)).tobytes() == original.crop((64, 0, 128, 128)).tobytes()
    exc = bad_request(
        lambda: client.images.edit(model="gpt-image-2", image=("a.png", source), markup=markup, prompt="p")
    )
    assert error_code(exc) == "unsupported_parameter"
    exc = bad_request(
        lambda: client.images.edit(
            model="gpt-image-2.5-flare",
            image=("a.png", source),
            markup=markup,
            mask=("m.png", half_mask(128, 128)),
            prompt="p",
        )
    )
    assert exc.body["param"] == "markup"  # type: ignore[index]


def test_edit_validation(client: OpenAI) -> None:
    def edit(**kwargs: Any) -> Any:
        return lambda: client.images.edit(**{"prompt": "p", "image": ("a.png", png(64, 64)), **kwargs})

    assert error_code(bad_request(edit(image=[("a.png", png(8, 8))] * 17))) == "array_above_max_length"
    assert error_code(bad_request(edit(image=("a.gif", b"GIF89a....")))) == "invalid_image_format"
    assert error_code(bad_request(edit(image=("a.png", b"\x89PNG\r\n\x1a\nbroken")))) == "invalid_image"
    exc = bad_request(edit(mask=("m.jpg", png(64, 64, fmt="JPEG"))))
    assert exc.body["param"] == "mask" and error_code(exc) == "invalid_image_format"  # type: ignore[index]
    assert error_code(bad_request(edit(mask=("m.png", png(64, 64))))) == "invalid_mask"  # no alpha channel
    exc = bad_request(edit(mask=("m.png", half_mask(32, 32))))
    assert "does not match image size" in exc.message
    exc = bad_request(edit(extra_body={"moderation": "low"}))  # not accepted in the multipart edit
    assert error_code(exc) == "unknown_parameter" and exc.body["param"] == "moderation"  # type: ignore[index]
    assert error_code(bad_request(edit(quality="hd"))) == "invalid_value"  # not even in the edit enum
    assert error_code(bad_request(edit(quality="standard"))) == "unsupported_value"
    assert error_code(bad_request(edit(response_format="url"))) == "unsupported_parameter"
    assert error_code(bad_request(edit(n=11))) == "integer_above_max_value"
    assert error_code(bad_request(edit(extra_body={"n": "two"}))) == "invalid_type"


def test_edit_image_and_mask_size_limits(client: OpenAI) -> None:
    huge = b"\x89PNG\r\n\x1a\n" + bytes(50 * 1024 * 1024)
    exc = bad_request(lambda: client.images.edit(image=("big.png", huge), prompt="p"))
    assert error_code(exc) == "file_too_large"
    big_mask = b"\x89PNG\r\n\x1a\n" + bytes(4 * 1024 * 1024)
    exc = bad_request(lambda: client.images.edit(image=("a.png", png(8, 8)), mask=("m.png", big_mask), prompt="p"))
    assert error_code(exc) == "file_too_large" and exc.body["param"] == "mask"  # type: ignore[index]


# -- edits (JSON body) ------------------------------------------------------
def test_json_edit_with_data_urls_and_mask(client: OpenAI, emu: OpenAIEmulator) -> None:
    source = png(1024, 1024)
    body = {
        "model": "gpt-image-1.5",
        "prompt": "a hat",
        "images": [{"image_url": data_url(source)}, {"image_url": data_url(png(32, 32, fmt="JPEG"), "image/jpeg")}],
        "mask": {"image_url": data_url(half_mask(1024, 1024))},
        "moderation": "low",
    }
    result = client.post("/images/edits", body=body, cast_to=ImagesResponse)
    assert result.data
    out = decode(result.data[0].b64_json).convert("RGB")
    assert out.crop((0, 0, 512, 1024)).tobytes() == Image.open(io.BytesIO(source)).crop((0, 0, 512, 1024)).tobytes()
    request = emu.last_request
    assert [f.content_type for f in request.files["images"]] == ["image/png", "image/jpeg"]
    assert request.files["mask"][0].image().size == (1024, 1024)


def test_json_edit_refs(client: OpenAI, emu: OpenAIEmulator) -> None:
    def post(images: Any, **extra: Any) -> Any:
        return client.post("/images/edits", body={"prompt": "p", "images": images, **extra}, cast_to=ImagesResponse)

    exc = bad_request(lambda: post([{"image_url": "https://example.com/cat.png"}]))
    assert "cannot fetch" in exc.message
    exc = bad_request(lambda: post([{"file_id": "file-123"}]))
    assert exc.body["param"] == "images[0].file_id"  # type: ignore[index]
    emu.add_file("file-123", png(16, 16))
    assert post([{"file_id": "file-123"}]).data
    assert error_code(bad_request(lambda: post([]))) == "empty_array"
    assert error_code(bad_request(lambda: post([{"image_url": "x", "file_id": "y"}]))) == "invalid_value"
    assert error_code(bad_request(lambda: post([{"url": "x"}]))) == "unknown_parameter"
    assert error_code(bad_request(lambda: post([{"image_url": "data:image/png;base64,@@@"}]))) == "invalid_image_url"
    assert error_code(bad_request(lambda: post([{"image_url": data_url(png(8, 8))}], image="x"))) == (
        "unknown_parameter"
    )
    assert error_code(bad_request(lambda: post([{"image_url": data_url(png(8, 8))}], moderation="x"))) == (
        "invalid_value"
    )


# -- faults -----------------------------------------------------------------
def test_rate_limit_then_success_counts_attempts(emu: OpenAIEmulator) -> None:
    emu.fail_next(429, retry_after=0.01, times=2)
    client = OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=2)
    assert client.images.generate(model="gpt-image-2", prompt="p", quality="low").data
    assert len(emu.requests_to("/images/generations")) == 3
    assert [r.header("x-stainless-retry-count") for r in emu.requests] == ["0", "1", "2"]


def test_rate_limit_with_zero_retry_after_uses_sdk_backoff(emu: OpenAIEmulator) -> None:
    emu.fail_next(429, retry_after=0, times=1)
    client = OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=2)
    assert client.images.generate(model="gpt-image-2", prompt="p", quality="low").data
    assert len(emu.requests) == 2


def test_rate_limit_exhausts_retries(emu: OpenAIEmulator) -> None:
    emu.fail_next(429, retry_after=0.01, times=3)
    client = OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=2)
    with pytest.raises(openai.RateLimitError) as info:
        client.images.generate(model="gpt-image-2", prompt="p")
    assert len(emu.requests) == 3 and emu.pending_faults == 0
    assert info.value.response.headers["retry-after"] == "0.01"
    assert info.value.response.headers["x-request-id"].startswith("req_")
    assert info.value.body["type"] == "requests" and error_code(info.value) == "rate_limit_exceeded"  # type: ignore[index]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried(emu: OpenAIEmulator, status: int) -> None:
    emu.fail_next(status, retry_after=0.01, times=2)
    client = OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=2)
    assert client.images.generate(model="gpt-image-2", prompt="p", quality="low").data
    assert len(emu.requests) == 3
    emu.fail_next(status, retry_after=0.01)
    with pytest.raises(openai.InternalServerError) as info:
        OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=0).images.generate(model="gpt-image-2", prompt="p")
    assert error_code(info.value) == "server_error" and info.value.body["type"] == "server_error"  # type: ignore[index]


def test_injected_401_is_not_retried_and_never_echoes_the_key(emu: OpenAIEmulator) -> None:
    emu.fail_next(401, times=3)
    client = OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=2)
    with pytest.raises(openai.AuthenticationError) as info:
        client.images.generate(model="gpt-image-2", prompt="p")
    assert len(emu.requests) == 1
    assert error_code(info.value) == "invalid_api_key"
    assert message(info.value).startswith("Incorrect API key provided: sk-...ef")
    assert KEY not in info.value.response.text


def test_custom_fault_body_code_and_message(emu: OpenAIEmulator, client: OpenAI) -> None:
    emu.fail_next(403, code="unsupported_country_region_territory", message="Country not supported.")
    with pytest.raises(openai.PermissionDeniedError) as info:
        client.images.generate(model="gpt-image-2", prompt="p")
    assert message(info.value) == "Country not supported." and error_code(info.value) == (
        "unsupported_country_region_territory"
    )
    emu.fail_next(409, body={"oops": True}, headers={"x-should-retry": "false"})
    with pytest.raises(openai.ConflictError) as conflict:
        OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=2).images.generate(model="gpt-image-2", prompt="p")
    assert conflict.value.body == {"oops": True}


def test_timeout_with_slow_answer(emu: OpenAIEmulator) -> None:
    emu.slow_next(2.0)
    client = OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=0, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        client.images.generate(model="gpt-image-2", prompt="p")
    assert time.monotonic() - started < 1.5
    emu.slow_next(2.0)
    retrying = OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=1, timeout=0.5)
    assert retrying.images.generate(model="gpt-image-2", prompt="p", quality="low").data
    assert len(emu.requests) == 3


def test_malformed_answers(emu: OpenAIEmulator, client: OpenAI) -> None:
    emu.malformed_next(times=2)
    with pytest.raises(json.JSONDecodeError):
        client.images.generate(model="gpt-image-2", prompt="p")
    with pytest.raises(json.JSONDecodeError):
        list(client.images.generate(model="gpt-image-2", prompt="p", stream=True))
    assert client.images.generate(model="gpt-image-2", prompt="p", quality="low").data


def test_moderation_block(emu: OpenAIEmulator, client: OpenAI) -> None:
    emu.moderate_next()
    with pytest.raises(openai.BadRequestError) as info:
        client.images.generate(model="gpt-image-2", prompt="p")
    assert error_code(info.value) == "moderation_blocked"
    assert message(info.value).startswith("Your request was rejected by the safety system")
    assert emu.last_request.request_id in info.value.message
    assert info.value.response.headers["x-request-id"] == emu.last_request.request_id


def test_latency_and_reset(emu: OpenAIEmulator, client: OpenAI) -> None:
    emu.set_latency(0.2)
    started = time.monotonic()
    client.images.generate(model="gpt-image-2", prompt="p", quality="low")
    assert time.monotonic() - started >= 0.2
    emu.fail_next(500, times=5)
    emu.reset()
    assert emu.requests == [] and emu.pending_faults == 0
    started = time.monotonic()
    client.images.generate(model="gpt-image-2", prompt="p", quality="low")
    assert time.monotonic() - started < 0.2


def test_fail_next_rejects_zero_times(emu: OpenAIEmulator) -> None:
    with pytest.raises(ValueError):
        emu.fail_next(500, times=0)


# -- auth, recording, transport --------------------------------------------
def test_missing_and_wrong_keys(emu: OpenAIEmulator) -> None:
    response = requests.post(f"{emu.base_url}/images/generations", json={"prompt": "p"}, timeout=5)
    assert response.status_code == 401 and "didn't provide an API key" in response.json()["error"]["message"]
    assert response.headers["x-request-id"].startswith("req_")
    with OpenAIEmulator(api_keys=["sk-the-only-good-key-1234"]) as strict:
        client = OpenAI(base_url=strict.base_url, api_key=KEY, max_retries=2)
        with pytest.raises(openai.AuthenticationError) as info:
            client.images.generate(model="gpt-image-2", prompt="p")
        assert len(strict.requests) == 1 and KEY not in info.value.message
        good = OpenAI(base_url=strict.base_url, api_key="sk-the-only-good-key-1234", max_retries=0)
        assert good.images.generate(model="gpt-image-2", prompt="p", quality="low").data
    with OpenAIEmulator(require_key=False) as open_emu:
        response = requests.post(f"{open_emu.base_url}/images/generations", json={"prompt": "p"}, timeout=5)
        assert response.status_code == 200


def test_requests_are_recorded_without_the_key(emu: OpenAIEmulator, client: OpenAI) -> None:
    client.images.generate(model="gpt-image-2", prompt="p", quality="low")
    client.images.edit(image=("a.png", png(16, 16)), prompt="q", extra_headers={"x-goog-api-key": "AIzaSECRET"})
    gen, edit = emu.requests
    assert emu.requests_to("/generations") == [gen] and emu.requests_to("/edits", method="POST") == [edit]
    assert gen.headers["authorization"] == "Bearer [REDACTED]" and edit.headers["x-goog-api-key"] == "[REDACTED]"
    assert gen.params == {"model": "gpt-image-2", "prompt": "p", "quality": "low"}
    assert edit.params["prompt"] == "q" and isinstance(edit.params["image"], RecordedFile)
    assert edit.content_type.startswith("multipart/form-data") and edit.body_size > 0
    assert gen.timestamp <= edit.timestamp and gen.request_id != edit.request_id
    assert KEY not in repr(emu.requests) and "AIzaSECRET" not in repr(emu.requests)


def test_keep_alive_and_x_request_id(emu: OpenAIEmulator, client: OpenAI) -> None:
    raw = client.images.with_raw_response.generate(model="gpt-image-2", prompt="p", quality="low")
    assert raw.headers["x-request-id"] == emu.last_request.request_id
    assert raw.headers["content-length"] == str(len(raw.content))
    client.images.generate(model="gpt-image-2", prompt="p", quality="low")
    client.images.edit(image=("a.png", png(16, 16)), prompt="q")
    assert len({r.client_address for r in emu.requests}) == 1  # one reused connection


def test_unknown_route_and_method(emu: OpenAIEmulator) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    response = requests.post(f"{emu.base_url}/images/variations", headers=headers, timeout=5)
    assert response.status_code == 404 and response.json()["error"]["message"].startswith("Invalid URL")
    assert requests.get(f"{emu.base_url}/images/generations", headers=headers, timeout=5).status_code == 405


def test_generations_require_json(emu: OpenAIEmulator) -> None:
    response = requests.post(
        f"{emu.base_url}/images/generations",
        headers={"Authorization": f"Bearer {KEY}"},
        files={"prompt": (None, "p")},
        timeout=5,
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "unsupported_content_type"


# -- the reusable base ------------------------------------------------------
class _Toy(EmulatorServer):
    request_id_header = "x-toy-id"

    def __init__(self) -> None:
        super().__init__(require_key=True)
        self.route("POST", "/v1/things/{thing}", self._thing)
        self.route("GET", "/files/{name}", lambda r: Response(body=b"file", content_type="text/plain"), api=False)

    def api_key_from(self, headers: Any, query: Any) -> str | None:
        return headers.get("x-key") or query.get("key")

    def error_body(self, status: int, code: str | None, message: str, *, param: str | None = None) -> Any:
        return {"detail": message, "status": status}

    @staticmethod
    def _thing(request: Any) -> Response:
        if request.path_params["thing"] == "boom":
            raise RuntimeError("kaput")
        return Response.json({"thing": request.path_params["thing"], "params": request.params})


def test_base_server_routes_faults_and_errors() -> None:
    with _Toy() as toy:
        ok = requests.post(f"{toy.url}/v1/things/a?key=s3cret", data={"x": "1", "y[]": ["2", "3"]}, timeout=5)
        assert ok.json() == {"thing": "a", "params": {"x": "1", "y[]": ["2", "3"]}}
        assert toy.last_request.query == {"key": "[REDACTED]"} and ok.headers["x-toy-id"]
        assert requests.post(f"{toy.url}/v1/things/a", timeout=5).status_code == 401
        boom = requests.post(f"{toy.url}/v1/things/boom", headers={"x-key": "k"}, timeout=5)
        assert boom.status_code == 500 and "kaput" in boom.json()["detail"]
        assert toy.last_request.headers["x-key"] == "[REDACTED]"
        toy.fail_next(503)
        toy.set_latency(0.3)
        started = time.monotonic()
        assert requests.get(f"{toy.url}/files/a.png", timeout=5).text == "file"  # no faults, no latency
        assert time.monotonic() - started < 0.3 and toy.pending_faults == 1
        assert requests.post(f"{toy.url}/v1/things/a", headers={"x-key": "k"}, timeout=5).json() == {
            "detail": "Service Unavailable",
            "status": 503,
        }
        toy.moderate_next()
        assert requests.post(f"{toy.url}/v1/things/a", headers={"x-key": "k"}, timeout=5).status_code == 400
    with pytest.raises(RuntimeError):
        _ = toy.url


def test_stop_releases_a_slow_answer_and_open_connections() -> None:
    emulator = OpenAIEmulator().start()
    emulator.slow_next(30)
    sock = socket.create_connection((emulator.host, emulator.port))
    body = b'{"prompt": "p"}'
    sock.sendall(
        b"POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    time.sleep(0.1)
    started = time.monotonic()
    emulator.stop()
    assert time.monotonic() - started < 2
    sock.close()


# -- synth ------------------------------------------------------------------
def test_synth_image_and_mask_edit() -> None:
    a = synth_image(64, 32, "png", transparent=True, seed_text="fox")
    assert a == synth_image(64, 32, "png", transparent=True, seed_text="fox")
    img = Image.open(io.BytesIO(a))
    assert img.size == (64, 32) and img.mode == "RGBA" and alpha(img, (0, 0)) == 0
    assert alpha(img, (32, 16)) == 255
    source = png(32, 32)
    edited = Image.open(io.BytesIO(apply_mask_edit(source, half_mask(32, 32), 32, 32, "png", "s"))).convert("RGB")
    original = Image.open(io.BytesIO(source)).convert("RGB")
    assert edited.crop((0, 0, 16, 32)).tobytes() == original.crop((0, 0, 16, 32)).tobytes()
    assert every_pixel_differs(edited.crop((16, 0, 32, 32)), original.crop((16, 0, 32, 32)))
    with pytest.raises(ValueError):
        synth_image(8, 8, "bmp", transparent=False, seed_text="x")


# -- command line -----------------------------------------------------------
def test_command_line_serves_until_interrupted() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "tryon.testing.openai_emulator", "--port", "0", "--latency", "0"],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            first, second = proc.stdout.readline(), proc.stdout.readline()
            base_url = first.rsplit(" ", 1)[-1].strip()
            assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
            assert second.strip() == f"export OPENAI_BASE_URL={base_url} OPENAI_API_KEY=emulator-key"
            with OpenAI(base_url=base_url, api_key="emulator-key", max_retries=0) as client:
                assert client.images.generate(model="gpt-image-2", prompt="p", quality="low").data
        finally:
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=10) == 0


# -- GPT Image 2.6: GIF, SVG, complexity (driven by the official SDK) ---------------------------
def test_gif_output_is_an_animated_gif(client: OpenAI) -> None:
    result = client.images.generate(model="gpt-image-2.6-flare", prompt="p", output_format="gif", size="720x720",
                                    frame_count=16, frame_duration_ms=87)
    assert result.output_format == "gif" and result.size == "720x720"
    with Image.open(io.BytesIO(base64.b64decode(result.data[0].b64_json or ""))) as im:  # type: ignore[index]
        assert (im.format, im.size, im.n_frames, im.info["duration"]) == ("GIF", (720, 720), 16, 90)


def test_svg_output_is_an_svg_document(client: OpenAI) -> None:
    result = client.images.generate(model="gpt-image-2.6-sunburst", prompt="p", output_format="svg",
                                    svg={"model": "gpt-5.5", "reasoning": {"effort": "minimal"}})
    body = base64.b64decode(result.data[0].b64_json or "")  # type: ignore[index]
    assert body.startswith(b"<svg") and b'width="1024"' in body
    assert result.svg_usage is not None and result.svg_usage.model == "gpt-5.5"


def test_svg_on_a_multipart_edit(client: OpenAI) -> None:
    result = client.images.edit(model="gpt-image-2.6-flare", image=("a.png", png(), "image/png"), prompt="p",
                                output_format="svg", svg={"model": "gpt-5.5"})
    assert result.output_format == "svg"


@pytest.mark.parametrize(("kwargs", "param"), [
    ({"output_format": "gif", "size": "1024x1024"}, "size"),  # 9 frames over the pixel budget
    ({"output_format": "gif", "size": "384x384", "frame_count": 2}, "size"),  # under the floor
    ({"output_format": "gif", "frame_count": 17}, "frame_count"),
    ({"output_format": "gif", "output_compression": 50}, "output_compression"),
    ({"output_format": "gif", "background": "transparent"}, "background"),
    ({"frame_count": 4}, "frame_count"),
    ({"output_format": "svg", "n": 2}, "n"),
    ({"output_format": "svg", "svg": {"reasoning": {"effort": "enormous"}}}, "svg.reasoning.effort"),
    ({"output_format": "svg", "svg": {"author": "x"}}, "svg.author"),
    ({"svg": {"model": "m"}}, "svg"),
    ({"complexity": "max"}, "complexity"),
])
def test_gif_svg_and_complexity_rules(client: OpenAI, kwargs: dict[str, Any], param: str) -> None:
    exc = bad_request(lambda: client.images.generate(model="gpt-image-2.6-flare", prompt="p", **kwargs))
    assert exc.body["param"] == param  # type: ignore[index]


def test_gif_and_svg_cannot_stream(client: OpenAI) -> None:
    for fmt in ("gif", "svg"):
        exc = bad_request(lambda f=fmt: client.images.generate(model="gpt-image-2.6-flare", prompt="p",
                                                               output_format=f, stream=True))
        assert exc.body["param"] == "stream"  # type: ignore[index]


def test_complexity_on_gpt_image_2_6(client: OpenAI) -> None:
    assert client.images.generate(model="gpt-image-2.6-flare", prompt="p", complexity="low").data


def test_json_edit_data_urls_are_capped(client: OpenAI) -> None:
    url = "data:image/png;base64," + "A" * 20_971_520
    exc = bad_request(lambda: client.post("/images/edits", cast_to=object, body={
        "model": "gpt-image-1.5", "prompt": "p", "images": [{"image_url": url}], "moderation": "low"}))
    assert error_code(exc) == "string_above_max_length" and exc.body["param"] == "images[0].image_url"  # type: ignore[index]

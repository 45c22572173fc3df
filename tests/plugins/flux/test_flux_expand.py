"""FLUX.1 Expand [pro] (``flux-pro-1.0-expand``): an edit that adds pixels on any side of one image."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import pytest
from PIL import Image
from tryon_flux import MODELS, generators
from tryon_flux.models import NOT_SUPPORTED

import tryon
from tryon.errors import InvalidOptionError, UnsupportedOptionError
from tryon.testing.bfl_emulator import BFLEmulator

KEY = "bfl_test-key-0123456789abcdef"
FAST = {"poll_interval": 0.001, "max_poll_interval": 0.005, "timeout": 10, "max_retries": 2}
MODEL = "flux-pro-1.0-expand"


def picture(size: tuple[int, int] = (96, 64)) -> bytes:
    img = Image.new("RGB", size)
    img.putdata([((x * 7) % 256, (y * 11) % 256, (x + y) % 256) for y in range(size[1]) for x in range(size[0])])
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def emu() -> Iterator[BFLEmulator]:
    with BFLEmulator() as emulator:  # every request and answer is checked against BFL's OpenAPI (conftest)
        yield emulator


@pytest.fixture
def r(emu: BFLEmulator) -> tryon.Router:
    router = tryon.Router(plugins=False)
    for gen in generators(api_key=KEY, base_url=emu.url, **FAST):
        router.register(gen)
    return router


@pytest.mark.parametrize("sides", [{"left": 100}, {"top": 32, "bottom": 32}, {"right": 2048},
                                   {"top": 1, "bottom": 2, "left": 3, "right": 4}])
def test_expand_adds_the_pixels_asked_for_on_each_side(r: tryon.Router, emu: BFLEmulator,
                                                       sides: dict[str, int]) -> None:
    source = picture()
    gen = r.edit(source, "a sandy beach around it", model=MODEL, seed=7, output_format="png", **sides)
    body = emu.requests[0].params  # the submit (then polls and the delivery)
    assert body["image"] == base64.b64encode(source).decode()  # the image, byte for byte
    assert body["prompt"] == "a sandy beach around it" and body["seed"] == 7
    assert {k: body[k] for k in sides} == sides and not {"top", "bottom", "left", "right"} - set(sides) & set(body)
    width = 96 + sides.get("left", 0) + sides.get("right", 0)
    height = 64 + sides.get("top", 0) + sides.get("bottom", 0)
    assert gen.image.size == (width, height) and gen.image.format == "png"
    with Image.open(io.BytesIO(source)) as original, gen.image.to_pil() as out:
        box = (sides.get("left", 0), sides.get("top", 0), sides.get("left", 0) + 96, sides.get("top", 0) + 64)
        assert out.convert("RGB").crop(box).tobytes() == original.convert("RGB").tobytes()  # the input is kept
    assert gen.cost_usd is None  # no published price: unknown, never a guess


@pytest.mark.parametrize(("options", "message"), [
    ({"left": 2049}, "left=2049 is out of range"),
    ({"top": -1}, "top=-1 is out of range"),
    ({"left": 10, "steps": 10}, "steps=10 is out of range"),
    ({"left": 10, "guidance": 200}, "guidance=200 is out of range"),
    ({"left": 1.5}, "left must be a whole number"),
])
def test_bad_expansions_are_refused_before_anything_is_sent(r: tryon.Router, emu: BFLEmulator,
                                                            options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidOptionError, match=message):
        r.edit(picture(), "x", model=MODEL, **options)
    assert emu.requests == []


def test_no_side_is_a_request_the_service_takes(r: tryon.Router, emu: BFLEmulator) -> None:
    gen = r.edit(picture(), "x", model=MODEL)  # every side defaults to 0 in BFL's schema: not refused
    assert gen.image.size == (96, 64) and not {"top", "bottom", "left", "right"} & set(emu.requests[0].params)


def test_expand_takes_one_image_no_mask_and_does_not_generate(r: tryon.Router, emu: BFLEmulator) -> None:
    with pytest.raises(UnsupportedOptionError, match="mask"):
        r.edit(picture(), "x", model=MODEL, mask=picture(), left=8)
    with pytest.raises(UnsupportedOptionError):
        r.edit([picture(), picture()], "x", model=MODEL, left=8)
    with pytest.raises(UnsupportedOptionError):
        r.generate("x", model=MODEL, left=8)
    assert emu.requests == []


def test_expand_is_declared_with_its_sources_and_no_longer_listed() -> None:
    caps = MODELS[MODEL].capabilities
    assert MODELS[MODEL].path(MODEL) == "/v1/flux-pro-1.0-expand"
    assert "/v1/flux-pro-1.0-expand" not in NOT_SUPPORTED
    assert caps.price is None and "no FLUX.1 Expand [pro] price" in caps.sources.sources_for("price")[0].note
    options = caps.sources.sources_for("options")[0]
    assert "FluxProExpandInputs" in options.where and "0-2048" in options.note

"""Try-on by composition on FLUX.2, through the real plugin, against the BFL emulator (every request
validated against BFL's OpenAPI document by this folder's conftest)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from try_on_images import jeans, person, shirt
from tryon_flux import generators

import tryon
from tryon.errors import UnsupportedOptionError
from tryon.testing.bfl_emulator import BFLEmulator

KEY = "bfl_test-key-0123456789abcdef"
FAST = {"poll_interval": 0.001, "max_poll_interval": 0.005, "timeout": 10, "max_retries": 2}


@pytest.fixture
def emu() -> Iterator[BFLEmulator]:
    with BFLEmulator() as emulator:
        yield emulator


@pytest.fixture
def r(emu: BFLEmulator) -> tryon.Router:
    router = tryon.Router(plugins=False)
    for gen in generators(api_key=KEY, base_url=emu.url, **FAST):
        router.register(gen)
    return router


def test_try_on_sends_the_person_as_the_first_reference(r: tryon.Router, emu: BFLEmulator) -> None:
    me, top, bottom = person(), shirt(), jeans()
    result = r.try_on(me, [tryon.Garment(top, "jacket"), tryon.Garment(bottom, "shorts")], model="flux-2-pro",
                      size="512x768", seed=3)
    body = emu.submits[0].params
    assert [base64.b64decode(body[k]) for k in ("input_image", "input_image_2", "input_image_3")] == [me, top, bottom]
    assert "input_image_4" not in body and body["seed"] == 3
    assert "Image 2 shows a jacket" in body["prompt"] and "Image 3 shows a pair of shorts" in body["prompt"]
    assert result.images[0].size == (512, 768)
    assert result.cost_usd is not None  # the submit answer's cost


def test_the_estimate_counts_every_input_as_a_reference(r: tryon.Router, emu: BFLEmulator) -> None:
    one = r.estimate_try_on(person(), shirt(), model="flux-2-pro", size="1024x1024")
    two = r.estimate_try_on(person(), [shirt(), jeans()], model="flux-2-pro", size="1024x1024")
    assert one.usd is not None and two.usd is not None and two.usd >= one.usd
    result = r.try_on(person(), [shirt(), jeans()], model="flux-2-pro", size="1024x1024")
    assert result.cost_usd is not None and result.cost_usd <= two.usd


def test_klein_takes_three_garments_at_most(r: tryon.Router, emu: BFLEmulator) -> None:
    with pytest.raises(UnsupportedOptionError, match="takes at most 3 garments per try-on"):
        r.try_on(person(), [shirt()] * 4, model="flux-2-klein-4b")
    assert emu.submits == []

"""Try-on by composition on Gemini image models, through the real plugin, against the emulator
(every body validated against google-genai's types by this folder's conftest)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from try_on_images import jeans, person, shirt, torso_mask
from tryon_gemini import generators
from tryon_openai import MODELS as GPT_MODELS
from tryon_openai import OpenAIImageGenerator

import tryon
from tryon.errors import UnsupportedOptionError
from tryon.testing.gemini_emulator import GeminiEmulator

KEY = "AIzaTestKey0123456789abcdefghijklmno"


@pytest.fixture
def emu() -> Iterator[GeminiEmulator]:
    with GeminiEmulator() as emulator:
        yield emulator


@pytest.fixture
def r(emu: GeminiEmulator) -> tryon.Router:
    router = tryon.Router(plugins=False, allow_retired=True)
    for gen in generators(api_key=KEY, base_url=emu.url, max_retries=0, timeout=10):
        router.register(gen)
    for model_id, caps in GPT_MODELS.items():  # declared only: so refusals can name them
        router.register(OpenAIImageGenerator(model_id, caps))
    return router


def test_try_on_sends_the_prompt_then_the_person_then_each_garment(r: tryon.Router, emu: GeminiEmulator) -> None:
    me, top, bottom = person(), shirt(), jeans()
    result = r.try_on(me, [tryon.Garment(top, "short-sleeve-top"), tryon.Garment(bottom, "skirt")],
                      model="gemini-3-pro-image", aspect_ratio="2:3", garment_photo_type="flat-lay")
    parts = emu.last_request.params["contents"][0]["parts"]
    assert parts[0]["text"].startswith("Virtual try-on. Image 1 shows the person. Image 2 shows a short-sleeved top, "
                                       "photographed laid flat")
    assert "wearing the short sleeve top from image 2 and the skirt from image 3" in parts[0]["text"]
    assert [base64.b64decode(p["inlineData"]["data"]) for p in parts[1:]] == [me, top, bottom]
    assert result.model == "gemini-3-pro-image" and result.images[0].info["operation"] == "try_on"


def test_n_fans_out_one_image_per_call(r: tryon.Router, emu: GeminiEmulator) -> None:
    result = r.try_on(person(), shirt(), category="top", model="gemini-3.1-flash-image", n=3)
    assert len(result.images) == 3 and len(emu.requests) == 3


def test_a_mask_is_refused_naming_the_models_that_take_one(r: tryon.Router, emu: GeminiEmulator) -> None:
    with pytest.raises(UnsupportedOptionError) as info:
        r.try_on(person(), shirt(), model="gemini-3-pro-image", mask=torso_mask())
    [problem] = info.value.problems
    assert problem.option == "mask" and "gpt-image-2.6-sunburst" in problem.supported_by
    assert emu.requests == []


@pytest.mark.filterwarnings("ignore::tryon.RetiredModelWarning")  # the emulator still serves it
def test_garments_are_bounded_by_the_models_input_images(r: tryon.Router, emu: GeminiEmulator) -> None:
    with pytest.raises(UnsupportedOptionError, match="takes at most 2 garments per try-on"):
        r.try_on(person(), [shirt(), jeans(), shirt()], model="gemini-2.5-flash-image")
    assert emu.requests == []

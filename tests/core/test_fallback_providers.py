"""Capability-aware fallback across providers: preference lists over the FLUX and Gemini emulators."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image, ImageDraw
from tryon_flux import generators as flux_generators
from tryon_gemini import generators as gemini_generators

import tryon
from tryon.errors import ContentPolicyError, NoModelAvailableError, ServiceUnavailableError
from tryon.testing.bfl_emulator import BFLEmulator
from tryon.testing.gemini_emulator import GeminiEmulator

FLUX, NANO, FILL = "flux-2-pro", "gemini-2.5-flash-image", "flux-pro-1.0-fill"


def picture(size: tuple[int, int] = (96, 64)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (120, 60, 200)).save(buf, "PNG")
    return buf.getvalue()


def mask(size: tuple[int, int] = (96, 64)) -> bytes:
    im = Image.new("L", size, 255)
    ImageDraw.Draw(im).rectangle((0, 0, 20, 20), fill=0)  # black = edit
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def bfl() -> Iterator[BFLEmulator]:
    with BFLEmulator(pending_polls=0) as emu:
        yield emu


@pytest.fixture
def gemini() -> Iterator[GeminiEmulator]:
    with GeminiEmulator() as emu:
        yield emu


@pytest.fixture
def r(bfl: BFLEmulator, gemini: GeminiEmulator) -> tryon.Router:
    """Both providers on their emulators, without retries (a failure reaches the router at once)."""
    router = tryon.Router(
        plugins=False,
        settings={
            "bfl": {"api_key": "bfl_k", "base_url": bfl.url, "max_retries": 0, "poll_interval": 0.001},
            "gemini": {"api_key": "g-key", "base_url": gemini.url, "max_retries": 0},
        },
        allow_retired=True,  # the emulator still serves gemini-2.5-flash-image, retired on the Gemini API
    )
    for flux in flux_generators():
        router.register(flux)
    for gemini_model in gemini_generators():
        router.register(gemini_model)
    return router


def test_a_request_no_model_can_honour_skips_every_model_with_its_reason(
    r: tryon.Router, bfl: BFLEmulator, gemini: GeminiEmulator
) -> None:
    with pytest.raises(NoModelAvailableError) as err:
        r.generate("a handbag", model=[FLUX, NANO], background="transparent")
    assert [s.model for s in err.value.skipped] == [FLUX, NANO]
    assert all("background='transparent'" in s.reason for s in err.value.skipped)
    assert bfl.requests == [] and gemini.requests == []


def test_a_model_that_cannot_honour_a_mask_is_skipped_for_one_that_can(
    r: tryon.Router, bfl: BFLEmulator, gemini: GeminiEmulator
) -> None:
    gen = r.edit(picture(), "a window", model=[NANO, FLUX, FILL], mask=mask())
    assert gen.model == FILL and len(gen.images) == 1
    assert [s.model for s in gen.skipped] == [NANO, FLUX]
    assert all("mask" in s.reason for s in gen.skipped)
    assert gemini.requests == [] and [q.path for q in bfl.submits] == [f"/v1/{FILL}"]


def test_a_503_from_the_first_provider_falls_through_to_the_next(
    r: tryon.Router, bfl: BFLEmulator, gemini: GeminiEmulator
) -> None:
    gemini.fail_next(503)
    gen = r.generate("a summer dress", model=[NANO, FLUX])
    assert gen.model == FLUX and gen.provider == "bfl"
    assert [s.model for s in gen.skipped] == [NANO]
    assert "503" in gen.skipped[0].reason and isinstance(gen.skipped[0].error, ServiceUnavailableError)
    assert len(gemini.requests) == 1 and len(bfl.submits) == 1


def test_a_503_from_every_provider_names_each_failure(
    r: tryon.Router, bfl: BFLEmulator, gemini: GeminiEmulator
) -> None:
    bfl.fail_next(503)
    gemini.fail_next(503)
    with pytest.raises(NoModelAvailableError) as err:
        r.generate("x", model=[FLUX, NANO])
    assert [s.model for s in err.value.skipped] == [FLUX, NANO]
    assert all("503" in s.reason for s in err.value.skipped)


def test_a_refusal_is_not_retried_on_another_provider(
    r: tryon.Router, bfl: BFLEmulator, gemini: GeminiEmulator
) -> None:
    gemini.moderate_next()
    with pytest.raises(ContentPolicyError):
        r.generate("x", model=[NANO, FLUX])
    assert bfl.requests == []


async def test_the_async_path_falls_through_the_same_way(
    r: tryon.Router, bfl: BFLEmulator, gemini: GeminiEmulator
) -> None:
    gemini.fail_next(503, times=2)  # both calls of the fan-out fail: nothing to keep from Gemini
    gen = await r.agenerate("a summer dress", model=[NANO, FLUX], n=2)
    assert gen.model == FLUX and len(gen.images) == 2 and len(bfl.submits) == 2 and len(gemini.requests) == 2
    assert [s.model for s in gen.skipped] == [NANO]

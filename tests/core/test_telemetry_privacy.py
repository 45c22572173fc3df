"""No key and no image payload in any exported span, metric or log record.

Each variant sends a key-bearing request with a base64 image payload (raw base64 and a data URL)
through the real plugins to the emulators, succeeding, failing with an answer that echoes the
key, falling back, and refusing a broken payload; then every exported span (attributes, events,
status), metric point and ``tryon`` log record (message and structured fields) is searched.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from otel_capture import Captured, capture
from tryon_openai import MODELS, OpenAIImageGenerator

import tryon
from tryon.errors import ServiceUnavailableError
from tryon.testing.bfl_emulator import BFLEmulator
from tryon.testing.fake import FakeGenerator
from tryon.testing.openai_emulator import OpenAIEmulator
from tryon.testing.synth import synth_image

OPENAI_KEY = "sk-proj-TELEMETRYsecret0123456789abcdefXYZ"
BFL_KEY = "bfl_TELEMETRYsecret0123456789abcdef"
MODEL = "gpt-image-2.6-sunburst"
PHOTO = synth_image(320, 320, "png", transparent=False, seed_text="private photo")
PAYLOAD = base64.b64encode(PHOTO).decode()
DATA_URL = "data:image/png;base64," + PAYLOAD
MASK = synth_image(320, 320, "png", transparent=True, seed_text="mask")
MASK_URL = "data:image/png;base64," + base64.b64encode(MASK).decode()


def assert_clean(cap: Captured, *keys: str, payloads: tuple[str, ...] = (PAYLOAD,)) -> None:
    text = cap.exported_text()
    assert cap.spans(), "nothing was exported: the check would prove nothing"
    for key in keys:
        assert key not in text
        assert key[8:-4] not in text  # nor most of it
    for payload in payloads:
        for start in range(0, len(payload) - 48, max(1, len(payload) // 37)):
            assert payload[start:start + 48] not in text, f"a piece of the payload at {start} was exported"


@pytest.fixture
def emu() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator(api_keys=[OPENAI_KEY]) as emulator:
        yield emulator


def keyed_router(emu: OpenAIEmulator, key: str = OPENAI_KEY) -> tryon.Router:
    router = tryon.Router(plugins=False)
    for model_id in (MODEL, "gpt-image-2"):
        router.register(OpenAIImageGenerator(model_id, MODELS[model_id]).configure(
            base_url=emu.base_url, api_key=key, max_retries=0, timeout=10))
    return router


@pytest.fixture
def cap() -> Iterator[Captured]:
    with capture() as captured:
        yield captured


CALLS: dict[str, Callable[[tryon.Router], Any]] = {
    "edit, raw base64": lambda r: r.edit(PAYLOAD, "make it brighter", model=MODEL, quality="low"),
    "edit, data URL and mask": lambda r: r.edit(DATA_URL, "add a hat", model=MODEL, quality="low", mask=MASK_URL),
    "edit, two inputs, n=2": lambda r: r.edit([PAYLOAD, DATA_URL], "merge", model=MODEL, quality="low", n=2),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_a_successful_keyed_edit_exports_neither_key_nor_payload(name: str, emu: OpenAIEmulator,
                                                                  cap: Captured) -> None:
    CALLS[name](keyed_router(emu))
    assert emu.requests  # the key and the payload did go to the emulator
    assert_clean(cap, OPENAI_KEY)
    assert cap.records and any(getattr(r, "tryon_event", "") == "request.checked" for r in cap.records)


@pytest.mark.parametrize("status", [401, 500])
def test_a_failure_echoing_the_key_exports_neither_key_nor_payload(status: int, emu: OpenAIEmulator,
                                                                    cap: Captured) -> None:
    wrong = "sk-proj-WRONGsecret0123456789abcdefQRS"
    if status == 500:
        emu.fail_next(500, message=f"internal error for key {OPENAI_KEY} and image {PAYLOAD[:400]}")
    with pytest.raises(tryon.TryOnError):
        keyed_router(emu, wrong if status == 401 else OPENAI_KEY).edit(PAYLOAD, "x", model=MODEL, quality="low")
    assert_clean(cap, OPENAI_KEY, wrong, payloads=(PAYLOAD, PAYLOAD[:400]))
    [request] = cap.named("tryon.edit")
    assert dict(request.attributes or {})["error.type"] in {"AuthenticationError", "ServiceUnavailableError"}


def test_a_fallback_whose_error_carries_key_and_payload_exports_neither(emu: OpenAIEmulator, cap: Captured) -> None:
    router = keyed_router(emu)
    failing = FakeGenerator("leaky")
    failing.fail_next(ServiceUnavailableError(f"upstream said {OPENAI_KEY} {DATA_URL[:600]}", provider="fake",
                                              model="leaky", retryable=True))
    router.register(failing)
    router.edit(PAYLOAD, "x", model=["leaky", MODEL], quality="low")
    assert_clean(cap, OPENAI_KEY, payloads=(PAYLOAD[:550],))
    request = cap.one("tryon.edit")
    assert "tryon.skipped.reasons" in dict(request.attributes or {})


def test_a_broken_payload_is_refused_without_exporting_it(emu: OpenAIEmulator, cap: Captured) -> None:
    broken = PAYLOAD[: len(PAYLOAD) // 2]
    with pytest.raises(tryon.InvalidInputError):
        keyed_router(emu).edit(broken, "x", model=MODEL, quality="low")
    assert not emu.requests
    assert_clean(cap, OPENAI_KEY, payloads=(broken,))


def test_a_flux_edit_with_polling_exports_neither_key_nor_payload(cap: Captured) -> None:
    from tryon_flux import generators

    with BFLEmulator(api_keys=[BFL_KEY], pending_polls=1) as bfl:
        router = tryon.Router(plugins=False)
        for gen in generators(api_key=BFL_KEY, base_url=bfl.url, poll_interval=0.001, max_poll_interval=0.005):
            router.register(gen)
        router.edit(DATA_URL, "make it night", model="flux-2-pro")
        assert bfl.requests
    assert_clean(cap, BFL_KEY)
    assert any(e.name == "tryon.poll" for s in cap.spans() for e in s.events)


def test_debug_logs_carry_image_summaries_not_bytes(emu: OpenAIEmulator, cap: Captured) -> None:
    result = keyed_router(emu).edit(PAYLOAD, "x", model=MODEL, quality="low")
    [checked] = [r for r in cap.records if getattr(r, "tryon_event", "") == "request.checked"]
    [image] = checked.tryon["input_images"]  # type: ignore[attr-defined]
    import hashlib

    assert image == {"sha256": hashlib.sha256(PHOTO).hexdigest(), "media_type": "image/png", "size": "320x320",
                     "bytes": len(PHOTO)}
    [finished] = [r for r in cap.records if getattr(r, "tryon_event", "") == "call.finished"]
    [out] = finished.tryon["images"]  # type: ignore[attr-defined]
    assert out["bytes"] == len(result.images[0].data) and len(out["sha256"]) == 64
    assert finished.levelno == logging.DEBUG and finished.name == "tryon.events"

"""The ``tryon.events`` log: levels, structured fields, prompts only on opt-in, payloads never."""

from __future__ import annotations

import base64
import logging

import pytest

import tryon
from tryon import telemetry
from tryon.errors import ServiceUnavailableError
from tryon.event_log import safe_text
from tryon.testing.fake import FakeGenerator


@pytest.fixture
def router() -> tryon.Router:
    r = tryon.Router(plugins=False)
    r.register(FakeGenerator("fake-1"))
    r.register(FakeGenerator("fake-2"))
    return r


def records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "tryon.events"]


def test_info_shows_fallbacks_and_failed_calls_not_every_call(router: tryon.Router,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    router.get("fake-1").fail_next(ServiceUnavailableError("busy", provider="fake", model="fake-1", retryable=True))
    with caplog.at_level(logging.INFO, logger="tryon.events"):
        router.generate("x", model=["fake-1", "fake-2"], size="256x256")
    got = [(r.levelno, r.tryon_event) for r in records(caplog)]  # type: ignore[attr-defined]
    assert got == [(logging.INFO, "call.finished"), (logging.INFO, "fallback")]
    failed = records(caplog)[0]
    assert failed.tryon["error_type"] == "ServiceUnavailableError" and failed.tryon["model"] == "fake-1"  # type: ignore[attr-defined]
    assert "from_model=fake-1 to_model=fake-2" in records(caplog)[1].getMessage()


def test_nothing_is_logged_at_warning_for_ordinary_work(router: tryon.Router,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    router.get("fake-1").fail_next(ServiceUnavailableError("busy", provider="fake", model="fake-1", retryable=True))
    with caplog.at_level(logging.WARNING, logger="tryon.events"):
        router.generate("x", model=["fake-1", "fake-2"], size="256x256")
        with pytest.raises(tryon.UnsupportedOptionError):
            router.generate("x", model="fake-1", quality="ultra")
    assert records(caplog) == []


def test_debug_records_carry_structured_fields_and_the_prompt_only_on_opt_in(
        router: tryon.Router, caplog: pytest.LogCaptureFixture) -> None:
    prompt = "a secret product launch, codename heron"
    with caplog.at_level(logging.DEBUG, logger="tryon.events"):
        router.generate(prompt, model="fake-1", n=6, size="256x256")
    by_event = {}
    for r in records(caplog):
        by_event.setdefault(r.tryon_event, []).append(r.tryon)  # type: ignore[attr-defined]
    assert set(by_event) == {"request.started", "request.checked", "call.started", "call.finished",
                             "request.finished"}
    [started] = by_event["request.started"]
    assert started["prompt_chars"] == len(prompt) and "prompt" not in started
    assert all(prompt not in r.getMessage() and prompt not in str(r.__dict__) for r in records(caplog))
    calls = by_event["call.finished"]
    assert sorted(len(c["images"]) for c in calls) == [2, 4]
    assert all(set(i) == {"sha256", "media_type", "size", "bytes"} for c in calls for i in c["images"])
    [done] = by_event["request.finished"]
    assert done["images"] == 6 and done["model"] == "fake-1"

    caplog.clear()
    telemetry.set_capture_prompts(True)
    try:
        with caplog.at_level(logging.DEBUG, logger="tryon.events"):
            router.generate(prompt, model="fake-1", size="256x256")
    finally:
        telemetry.set_capture_prompts(None)
    [started] = [r.tryon for r in records(caplog) if r.tryon_event == "request.started"]  # type: ignore[attr-defined]
    assert started["prompt"] == prompt


@pytest.mark.parametrize("text", [
    "error for " + "A" * 64 + base64.b64encode(bytes(range(256)) * 4).decode(),
    "data:image/png;base64," + base64.b64encode(b"\x89PNG" + bytes(300)).decode(),
    "upstream echoed sk-proj-ABCDEFGHIJKLMNOPQRSTUV0123456789 back",
])
def test_the_text_guard_drops_payloads_and_keys(text: str) -> None:
    cleaned = safe_text(text)
    assert "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" not in cleaned
    assert "ABCDEFGHIJKLMNOPQRSTUV0123456789" not in cleaned
    assert len(cleaned) < 120


def test_the_text_guard_keeps_ordinary_text() -> None:
    text = "gpt-image-1.5 cannot honour quality='ultra'; models that can: gpt-image-2.5-flare (sha 3f2a9c0d)"
    assert safe_text(text) == text
    digest = "a" * 64  # a SHA-256 is shorter than a payload
    assert safe_text(digest) == digest

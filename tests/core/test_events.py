"""tryon.events: the typed events of a request, a fan-out, a fallback and a save, and the hook itself."""

from __future__ import annotations

import asyncio
import logging
import pickle
from typing import Any

import pytest

import tryon
from tryon import events, observe
from tryon.errors import InvalidOptionError, RateLimitError
from tryon.testing.fake import FakeGenerator


@pytest.fixture
def router() -> tryon.Router:
    r = tryon.Router(plugins=False)
    r.register(FakeGenerator("fake-1"))
    r.register(FakeGenerator("fake-2"))
    r.register(FakeGenerator("narrow").with_capabilities(qualities={"low"}))
    return r


def record(*types: type[events.Event]) -> tuple[list[Any], events.Subscription]:
    got: list[Any] = []
    return got, events.subscribe(got.append, *types)


def test_a_plain_call_reports_its_whole_life_under_one_request_id(router: tryon.Router) -> None:
    got, sub = record()
    try:
        result = router.generate("a lighthouse", model="fake-1", size="256x256")
    finally:
        sub.cancel()
    kinds = [type(e) for e in got]
    assert kinds == [events.RequestStarted, events.RequestChecked, events.CallStarted, events.CallFinished,
                     events.RequestFinished]
    ids = {e.request_id for e in got}
    assert len(ids) == 1 and next(iter(ids)).startswith("req-")
    started, checked, call, finished, done = got
    assert started.operation == "generate" and started.models == ("fake-1",) and started.prompt == "a lighthouse"
    assert checked.model == "fake-1" and checked.provider == "fake" and checked.n == 1 and checked.size == "256x256"
    assert checked.estimate() is not None
    assert call.call_id == finished.call_id and finished.ok and finished.elapsed_s > 0
    [image] = finished.images
    assert (image.width, image.height, image.media_type) == (256, 256, "image/png")
    assert image.byte_count == len(result.images[0].data)
    assert done.ok and done.result is not None and done.result.model == "fake-1"


def test_a_fanned_out_call_reports_each_provider_call(router: tryon.Router) -> None:
    got, sub = record(events.CallStarted, events.CallFinished)
    try:
        router.generate("x", model="fake-1", n=10, size="256x256")  # 4 per call: 4 + 4 + 2
    finally:
        sub.cancel()
    started = [e for e in got if isinstance(e, events.CallStarted)]
    finished = [e for e in got if isinstance(e, events.CallFinished)]
    assert sorted((e.index, e.n, e.calls) for e in started) == [(0, 4, 3), (1, 4, 3), (2, 2, 3)]
    assert len({e.call_id for e in started}) == 3
    assert {e.call_id for e in finished} == {e.call_id for e in started}
    assert len({e.request_id for e in got}) == 1 and started[0].request_id is not None
    assert sum(len(e.images) for e in finished) == 10


def test_a_fallback_says_which_model_was_skipped_unsent_and_which_failed_after_sending(router: tryon.Router) -> None:
    fake2 = router.get("fake-2")
    fake2.fail_next(RateLimitError("slow down", provider="fake", model="fake-2", retryable=True))
    got, sub = record(events.Fallback, events.CallFinished, events.RequestFinished)
    try:
        result = router.generate("x", model=["narrow", "fake-2", "fake-1"], quality="high", size="256x256")
    finally:
        sub.cancel()
    assert result.model == "fake-1"
    falls = [e for e in got if isinstance(e, events.Fallback)]
    assert [(f.from_model, f.to_model, f.sent) for f in falls] == [("narrow", "fake-2", False),
                                                                  ("fake-2", "fake-1", True)]
    assert falls[0].error_type == "UnsupportedOptionError" and "quality" in falls[0].reason
    assert falls[1].error_type == "RateLimitError"
    calls = [e for e in got if isinstance(e, events.CallFinished)]
    assert [(c.model, c.ok) for c in calls] == [("fake-2", False), ("fake-1", True)]
    assert type(calls[0].error) is RateLimitError
    done = got[-1]
    assert isinstance(done, events.RequestFinished) and [s.model for s in done.result.skipped] == ["narrow", "fake-2"]


def test_a_refused_request_ends_with_its_error_and_no_call(router: tryon.Router) -> None:
    got, sub = record()
    try:
        with pytest.raises(tryon.UnsupportedOptionError):
            router.generate("x", model="narrow", quality="high")
    finally:
        sub.cancel()
    assert [type(e) for e in got] == [events.RequestStarted, events.RequestFinished]
    assert type(got[-1].error) is tryon.UnsupportedOptionError and not got[-1].ok


async def test_the_async_path_reports_the_same_events(router: tryon.Router) -> None:
    got, sub = record()
    try:
        await router.agenerate("x", model="fake-1", n=6, size="256x256")
    finally:
        sub.cancel()
    kinds = [type(e).__name__ for e in got]
    assert kinds[0] == "RequestStarted" and kinds[-1] == "RequestFinished"
    assert kinds.count("CallStarted") == kinds.count("CallFinished") == 2
    assert len({e.request_id for e in got}) == 1


def test_saving_an_image_reports_its_summary(router: tryon.Router, tmp_path: Any) -> None:
    result = router.generate("x", model="fake-1", size="256x256")
    got, sub = record(events.ImageSaved)
    try:
        path = result.images[0].save(tmp_path)
    finally:
        sub.cancel()
    [saved] = got
    assert saved.path == str(path)
    import hashlib

    assert saved.image.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert saved.image.byte_count == path.stat().st_size


def test_summaries_never_carry_or_pickle_the_bytes() -> None:
    data = b"\x89PNG" + b"x" * 5000
    summary = events.ImageSummary(data, "image/png", 10, 20)
    assert "xxxx" not in repr(summary)
    copy = pickle.loads(pickle.dumps(summary))
    assert copy.sha256 == summary.sha256 and copy.byte_count == 5004 and copy.size == "10x20"
    assert b"xxxx" not in pickle.dumps(summary)


def test_only_the_subscribed_types_arrive_and_unsubscribing_stops_them(router: tryon.Router) -> None:
    got: list[Any] = []
    with events.subscribed(got.append, events.RequestFinished):
        router.generate("x", model="fake-1", size="256x256")
    router.generate("x", model="fake-1", size="256x256")
    assert [type(e) for e in got] == [events.RequestFinished]


def test_a_failing_callback_is_logged_and_never_breaks_the_call(router: tryon.Router,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    def broken(event: events.Event) -> None:
        raise RuntimeError("hook bug")

    with caplog.at_level(logging.WARNING, logger="tryon.events"), events.subscribed(broken):
        result = router.generate("x", model="fake-1", size="256x256")
    assert len(result.images) == 1
    assert any("event callback" in r.getMessage() and r.exc_info for r in caplog.records)


@pytest.mark.parametrize("bad", [42, "not callable"])
def test_subscribing_something_not_callable_is_a_clear_error(bad: Any) -> None:
    with pytest.raises(InvalidOptionError, match="callable"):
        events.subscribe(bad)


def test_subscribing_to_a_non_event_type_is_a_clear_error() -> None:
    with pytest.raises(InvalidOptionError, match=r"not a tryon\.events\.Event"):
        events.subscribe(print, int)  # type: ignore[arg-type]


def test_nobody_listening_builds_no_event(router: tryon.Router, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[Any] = []
    monkeypatch.setattr(events, "emit", built.append)
    monkeypatch.setattr(observe.events, "emit", built.append)
    logging.getLogger("tryon").setLevel(logging.WARNING)
    try:
        router.generate("x", model="fake-1", n=6, size="256x256")
        asyncio.run(router.agenerate("x", model="fake-1", n=6, size="256x256"))
    finally:
        logging.getLogger("tryon").setLevel(logging.NOTSET)
    assert built == []
    assert observe.current() is None


def test_plugins_can_emit_their_own_event_kinds() -> None:
    import attrs

    @attrs.frozen(kw_only=True)
    class Warmed(events.Event):
        name = "acme.warmed"
        seconds: float

    got, sub = record(Warmed)
    try:
        events.emit(Warmed(seconds=1.5))
        events.emit(events.BatchMessage(batch_id="b", text="not this one"))
    finally:
        sub.cancel()
    assert [e.seconds for e in got] == [1.5]


def test_the_batch_progress_display_is_driven_by_events_of_its_own_run(tmp_path: Any) -> None:
    import json

    from tryon.batch import progress_subscriber, run_batch

    class Recorder:
        def __init__(self) -> None:
            self.calls: list[tuple[str, Any]] = []

        def start(self, total: int, done: int = 0) -> None:
            self.calls.append(("start", (total, done)))

        def advance(self, ok: bool) -> None:
            self.calls.append(("advance", ok))

        def message(self, text: str) -> None:
            self.calls.append(("message", text))

        def finish(self) -> None:
            self.calls.append(("finish", None))

    router = tryon.Router(plugins=False)
    fake = FakeGenerator("fake-1")
    router.register(fake)
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("".join(json.dumps({"prompt": f"p{i}", "model": "fake-1", "options": {"size": "256x256"}}) + "\n"
                            for i in range(3)))
    fake.fail_next(tryon.ContentPolicyError("refused", provider="fake", model="fake-1"))
    display = Recorder()
    seen, sub = record(events.BatchProgress, events.BatchStarted, events.BatchFinished)
    try:
        summary = run_batch(jobs, tmp_path / "out", router=router, concurrency=1, progress=display)
    finally:
        sub.cancel()
    assert (summary.succeeded, summary.failed) == (2, 1)
    assert display.calls[0] == ("start", (3, 0)) and display.calls[-1] == ("finish", None)
    assert sorted(c[1] for c in display.calls if c[0] == "advance") == [False, True, True]
    assert any(c[0] == "message" and "failed" in c[1] for c in display.calls)
    progress = [e for e in seen if isinstance(e, events.BatchProgress)]
    assert [(p.done, p.failed, p.remaining) for p in progress][-1] == (2, 1, 0)
    assert {e.batch_id for e in seen} == {progress[0].batch_id}
    # another run's events do not reach this display
    other = Recorder()
    forward = progress_subscriber(other, "batch-somebody-else")
    for event in seen:
        forward(event)
    assert other.calls == []


def test_the_pytest_fixture_records_the_events_of_a_test(tryon_events: list[Any], fake_generator: Any) -> None:
    tryon.generate("x", model=fake_generator.model_id, size="256x256")
    assert isinstance(tryon_events[0], events.RequestStarted)
    assert isinstance(tryon_events[-1], events.RequestFinished) and tryon_events[-1].ok

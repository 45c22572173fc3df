"""OpenTelemetry spans of tryon's work, read back from the SDK's in-memory exporter.

Provider calls go through the real plugins and SDKs to the local emulators: a plain call, a
fanned-out call, SDK and HTTP retries, a fallback, FLUX polling, errors, a batch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from emulated_router import gpt_router
from opentelemetry.trace import SpanKind, StatusCode
from otel_capture import Captured, capture

import tryon
from tryon import telemetry
from tryon.batch import run_batch
from tryon.testing.bfl_emulator import BFLEmulator
from tryon.testing.fake import FakeGenerator
from tryon.testing.openai_emulator import OpenAIEmulator

MODEL = "gpt-image-2.6-sunburst"
UNPRICED = "gpt-image-2.6-flare"  # asked for SVG, which has no published price: its cost is unknown, never 0


@pytest.fixture
def emu() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as emulator:
        yield emulator


@pytest.fixture
def cap() -> Iterator[Captured]:
    with capture() as captured:
        yield captured


def attrs_of(span: Any) -> dict[str, Any]:
    return dict(span.attributes or {})


def events_named(span: Any, name: str) -> list[dict[str, Any]]:
    return [dict(e.attributes or {}) for e in span.events if e.name == name]


def test_a_plain_call_is_a_request_span_over_one_client_span(emu: OpenAIEmulator, cap: Captured) -> None:
    router = gpt_router(emu)
    tracer = cap.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("handle-order") as app:
        result = router.generate("a red shoe", model=MODEL, quality="low", size="1024x1024")
    request = cap.one("tryon.generate")
    call = cap.one(f"generate_image {MODEL}")
    assert request.parent is not None and request.parent.span_id == app.get_span_context().span_id
    assert call.parent is not None and call.parent.span_id == request.context.span_id
    assert request.kind is SpanKind.INTERNAL and call.kind is SpanKind.CLIENT
    assert request.context.trace_id == call.context.trace_id == app.get_span_context().trace_id
    r, c = attrs_of(request), attrs_of(call)
    assert r["gen_ai.operation.name"] == c["gen_ai.operation.name"] == "generate_image"
    assert r["gen_ai.provider.name"] == c["gen_ai.provider.name"] == "openai"
    assert r["gen_ai.request.model"] == c["gen_ai.request.model"] == MODEL
    assert r["gen_ai.response.model"] == MODEL and r["gen_ai.output.type"] == c["gen_ai.output.type"] == "image"
    assert r["tryon.images.requested"] == 1 and r["tryon.images.returned"] == 1 and r["tryon.calls"] == 1
    assert r["tryon.request.size"] == "1024x1024" and c["tryon.images.sizes"] == ("1024x1024",)
    assert r["tryon.cost.usd"] == pytest.approx(result.cost_usd)
    assert r["tryon.cost.estimated_usd"] >= r["tryon.cost.usd"] * 0.9
    assert c["gen_ai.usage.output_tokens"] == result.usage.output_tokens
    assert c["gen_ai.usage.input_tokens"] == result.usage.input_tokens
    assert c["tryon.images.bytes"] == len(result.images[0].data)
    if result.request_id:
        assert c["gen_ai.response.id"] == result.request_id
    assert request.status.status_code is StatusCode.UNSET and call.status.status_code is StatusCode.UNSET


def test_an_edit_is_named_for_its_operation_and_counts_its_inputs(emu: OpenAIEmulator, cap: Captured) -> None:
    from tryon.testing.synth import synth_image

    photo = synth_image(512, 512, "png", transparent=False, seed_text="in")
    gpt_router(emu).edit(photo, "add a hat", model=MODEL, quality="low")
    request = cap.one("tryon.edit")
    call = cap.one(f"edit_image {MODEL}")
    assert attrs_of(request)["tryon.input.images"] == 1 and attrs_of(request)["tryon.input.sizes"] == ("512x512",)
    assert attrs_of(request)["tryon.input.bytes"] == len(photo)
    assert attrs_of(call)["gen_ai.operation.name"] == "edit_image"


def test_a_fanned_out_call_has_one_client_span_per_provider_call(cap: Captured) -> None:
    router = tryon.Router(plugins=False)
    router.register(FakeGenerator("fake-1"))
    router.generate("x", model="fake-1", n=10, size="256x256")  # 4 per call: 3 calls
    request = cap.one("tryon.generate")
    calls = cap.children(request)
    assert len(calls) == 3 and {c.name for c in calls} == {"generate_image fake-1"}
    assert sorted((attrs_of(c)["tryon.call.index"], attrs_of(c)["tryon.images.requested"]) for c in calls) == [
        (0, 4), (1, 4), (2, 2)]
    assert {attrs_of(c)["tryon.call.count"] for c in calls} == {3}
    assert attrs_of(request)["tryon.calls"] == 3 and attrs_of(request)["tryon.images.returned"] == 10


async def test_the_async_fan_out_nests_the_same_way(emu: OpenAIEmulator, cap: Captured) -> None:
    await gpt_router(emu).agenerate("x", model=MODEL, n=12, quality="low", size="1024x1024")  # 10 + 2
    request = cap.one("tryon.generate")
    calls = cap.children(request)
    assert sorted(attrs_of(c)["tryon.images.requested"] for c in calls) == [2, 10]
    assert all(c.context.trace_id == request.context.trace_id for c in calls)


def test_sdk_retries_are_events_on_the_call_span(emu: OpenAIEmulator, cap: Captured) -> None:
    emu.fail_next(429, retry_after=0)
    gpt_router(emu, max_retries=2).generate("x", model=MODEL, quality="low")
    call = cap.one(f"generate_image {MODEL}")
    [retry] = events_named(call, "tryon.retry")
    assert retry["tryon.retry.attempt"] == 2 and retry["tryon.retry.source"] == "sdk"
    assert retry["tryon.retry.status"] == 429 and retry["tryon.retry.reason"] == "HTTP 429"
    assert attrs_of(call)["tryon.retries"] == 1
    assert attrs_of(cap.one("tryon.generate"))["tryon.retries"] == 1
    assert call.status.status_code is StatusCode.UNSET


def flux_router(emu: BFLEmulator, **settings: Any) -> tryon.Router:
    from tryon_flux import generators

    router = tryon.Router(plugins=False)
    fast = {"poll_interval": 0.001, "max_poll_interval": 0.005, "timeout": 10, "max_retries": 2}
    for gen in generators(api_key="bfl_test-key-0123456789abcdef", base_url=emu.url, **{**fast, **settings}):
        router.register(gen)
    return router


def test_polling_and_http_retries_are_events_on_the_call_span(cap: Captured) -> None:
    with BFLEmulator(pending_polls=2) as emu:
        emu.fail_next(429, retry_after=0)  # the submit is rate limited once, then retried by the HTTP layer
        flux_router(emu).generate("a fox", model="flux-2-pro", size="1024x1024")
    [call] = [s for s in cap.spans() if s.kind is SpanKind.CLIENT]
    assert call.name == "generate_image flux-2-pro" and attrs_of(call)["gen_ai.provider.name"] == "bfl"
    polls = events_named(call, "tryon.poll")
    assert [p["tryon.poll.status"] for p in polls] == ["Pending", "Pending", "Ready"]
    assert [p["tryon.poll.attempt"] for p in polls] == [1, 2, 3]
    [retry] = events_named(call, "tryon.retry")
    assert (retry["tryon.retry.source"], retry["tryon.retry.status"], retry["tryon.retry.attempt"]) == ("http", 429, 2)
    assert attrs_of(call)["tryon.usage.credits"] > 0


def test_a_fallback_is_a_failed_client_span_then_the_one_that_served(emu: OpenAIEmulator, cap: Captured) -> None:
    emu.fail_next(503)
    router = gpt_router(emu, max_retries=0)
    result = router.generate("x", model=["gpt-image-2", MODEL], quality="low")
    assert result.model == MODEL
    request = cap.one("tryon.generate")
    calls = sorted(cap.children(request), key=lambda s: s.start_time or 0)
    first, last = calls[0], calls[-1]
    assert first.status.status_code is StatusCode.ERROR
    assert attrs_of(first)["error.type"] == "ServiceUnavailableError"
    assert [e.name for e in first.events if e.name == "exception"] == ["exception"]
    assert last.status.status_code is StatusCode.UNSET and attrs_of(last)["gen_ai.request.model"] == result.model
    r = attrs_of(request)
    assert r["tryon.calls"] == len(calls) and r["gen_ai.response.model"] == result.model
    assert r["tryon.skipped.models"][0] == "gpt-image-2"
    falls = events_named(request, "tryon.fallback")
    assert falls[0]["tryon.fallback.from"] == "gpt-image-2" and falls[0]["tryon.fallback.sent"] is True
    assert falls[0]["error.type"] == "ServiceUnavailableError"
    assert request.status.status_code is StatusCode.UNSET


def test_a_model_skipped_unsent_has_no_client_span(cap: Captured) -> None:
    router = tryon.Router(plugins=False)
    router.register(FakeGenerator("narrow").with_capabilities(qualities={"low"}))
    router.register(FakeGenerator("wide"))
    result = router.generate("x", model=["narrow", "wide"], quality="high", size="256x256")
    assert result.model == "wide"
    request = cap.one("tryon.generate")
    assert [c.name for c in cap.children(request)] == ["generate_image wide"]
    [fall] = events_named(request, "tryon.fallback")
    assert fall["tryon.fallback.sent"] is False and fall["error.type"] == "UnsupportedOptionError"
    assert "quality" in attrs_of(request)["tryon.skipped.reasons"][0]


def test_errors_carry_their_tryon_type_on_span_and_metric(emu: OpenAIEmulator, cap: Captured) -> None:
    emu.moderate_next()
    with pytest.raises(tryon.ContentPolicyError):
        gpt_router(emu).generate("x", model=MODEL, quality="low")
    with pytest.raises(tryon.UnsupportedOptionError):
        gpt_router(emu).generate("x", model=MODEL, quality="ultra")
    requests = cap.named("tryon.generate")
    assert [attrs_of(r)["error.type"] for r in requests] == ["ContentPolicyError", "UnsupportedOptionError"]
    assert all(r.status.status_code is StatusCode.ERROR for r in requests)
    [call] = cap.named(f"generate_image {MODEL}")  # the refused request made no call
    assert attrs_of(call)["error.type"] == "ContentPolicyError"
    [exc] = [e for e in call.events if e.name == "exception"]
    assert dict(exc.attributes or {})["exception.type"] == "tryon.errors.ContentPolicyError"
    errors = cap.metrics()["tryon.errors"]
    assert {p.attributes["error.type"]: p.value for p in errors} == {"ContentPolicyError": 1,
                                                                     "UnsupportedOptionError": 1}
    calls = cap.metrics()["tryon.calls"]
    assert [dict(p.attributes).get("error.type") for p in calls] == ["ContentPolicyError"]


def test_prompts_are_exported_only_when_the_user_opts_in(emu: OpenAIEmulator) -> None:
    prompt = "a very particular prompt about a blue heron"
    with capture() as cap:
        gpt_router(emu).generate(prompt, model=MODEL, quality="low")
        assert prompt not in cap.exported_text()
        assert "gen_ai.input.messages" not in attrs_of(cap.one("tryon.generate"))
    with capture(capture_prompts=True) as cap:
        gpt_router(emu).generate(prompt, model=MODEL, quality="low")
        messages = json.loads(attrs_of(cap.one("tryon.generate"))["gen_ai.input.messages"])
        assert messages == [{"role": "user", "parts": [{"type": "text", "content": prompt}]}]


def test_the_capture_environment_variable_opts_in(emu: OpenAIEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    with capture(capture_prompts=None) as cap:
        gpt_router(emu).generate("heron at dawn", model=MODEL, quality="low")
        assert "heron at dawn" in attrs_of(cap.one("tryon.generate"))["gen_ai.input.messages"]


def test_metrics_count_images_calls_cost_and_time_each_model(emu: OpenAIEmulator, cap: Captured) -> None:
    router = gpt_router(emu)
    a = router.generate("x", model=MODEL, n=2, quality="low")
    b = router.generate("x", model=UNPRICED, quality="low", output_format="svg")
    m = cap.metrics()
    durations = {p.attributes["gen_ai.request.model"]: p for p in m["gen_ai.client.operation.duration"]}
    assert set(durations) == {MODEL, UNPRICED} and all(p.count == 1 for p in durations.values())
    assert durations[MODEL].explicit_bounds[:3] == (0.01, 0.02, 0.04)
    assert {p.attributes["gen_ai.request.model"]: p.value for p in m["tryon.images"]} == {MODEL: 2, UNPRICED: 1}
    assert sum(p.value for p in m["tryon.calls"]) == 2
    cost = {p.attributes["gen_ai.request.model"]: p.value for p in m["tryon.cost"]}
    assert cost[MODEL] == pytest.approx(a.cost_usd)
    assert b.cost_usd is None and UNPRICED not in cost  # unpriced: an unknown cost is never counted as 0
    tokens = {(p.attributes["gen_ai.request.model"], p.attributes["gen_ai.token.type"]) for p in
              m["gen_ai.client.token.usage"]}
    assert (MODEL, "output") in tokens and (UNPRICED, "input") in tokens


def test_a_batch_is_a_span_over_its_jobs_their_attempts_and_calls(emu: OpenAIEmulator, cap: Captured,
                                                                  tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("".join(json.dumps({"prompt": f"shot {i}", "options": {"quality": "low"}}) + "\n"
                            for i in range(3)))
    emu.fail_next(500)  # the first job's first attempt fails; the batch retries it
    summary = run_batch(jobs, tmp_path / "out", router=gpt_router(emu, max_retries=0), concurrency=1, retries=1)
    assert (summary.succeeded, summary.failed) == (3, 0)
    batch = cap.one("tryon.batch")
    assert attrs_of(batch)["tryon.batch.jobs"] == 3 and attrs_of(batch)["tryon.batch.succeeded"] == 3
    job_spans = cap.children(batch)
    assert len(job_spans) == 3 and {j.name for j in job_spans} == {"tryon.batch.job"}
    attempts = {attrs_of(j)["tryon.job.line"]: cap.children(j) for j in job_spans}
    assert [len(attempts[line]) for line in (1, 2, 3)] == [2, 1, 1]
    first = next(j for j in job_spans if attrs_of(j)["tryon.job.line"] == 1)
    assert attrs_of(first)["tryon.job.attempts"] == 2 and attrs_of(first)["tryon.job.ok"] is True
    [retry] = events_named(first, "tryon.retry")
    assert retry["tryon.retry.source"] == "batch" and retry["tryon.retry.attempt"] == 2
    failed, ok = sorted(attempts[1], key=lambda s: s.start_time or 0)
    assert attrs_of(failed)["error.type"] == "ServiceUnavailableError" and ok.status.status_code is StatusCode.UNSET
    for request in (r for rs in attempts.values() for r in rs):
        assert request.name == "tryon.generate" and len(cap.children(request)) == 1
        saved = events_named(request, "tryon.image.saved")
        assert len(saved) == (0 if request is failed else 1)
    assert all(s.context.trace_id == batch.context.trace_id for s in cap.spans())


def test_uninstrument_stops_spans(emu: OpenAIEmulator) -> None:
    with capture() as cap:
        telemetry.uninstrument()
        gpt_router(emu).generate("x", model=MODEL, quality="low")
        assert cap.spans() == [] and not telemetry.instrumented()


async def test_async_sdk_retries_are_events_on_the_call_span_too(emu: OpenAIEmulator, cap: Captured) -> None:
    emu.fail_next(500)
    await gpt_router(emu, max_retries=1).agenerate("x", model=MODEL, quality="low")
    call = cap.one(f"generate_image {MODEL}")
    [retry] = events_named(call, "tryon.retry")
    assert (retry["tryon.retry.source"], retry["tryon.retry.status"], retry["tryon.retry.attempt"]) == ("sdk", 500, 2)


def test_gemini_calls_name_the_conventions_provider_and_show_http_retries(cap: Captured) -> None:
    from tryon_gemini import generators

    from tryon.testing.gemini_emulator import GeminiEmulator

    with GeminiEmulator() as emu:
        router = tryon.Router(plugins=False)
        for gen in generators(api_key="AIzaTESTtelemetry0123456789abcdefgh", base_url=emu.url, max_retries=2,
                              timeout=10):
            router.register(gen)
        emu.fail_next(503, retry_after=0)
        result = router.generate("a fox", model="gemini-3.1-flash-image")
    [call] = [s for s in cap.spans() if s.kind is SpanKind.CLIENT]
    a = attrs_of(call)
    assert call.name == "generate_image gemini-3.1-flash-image"
    assert a["gen_ai.provider.name"] == "gcp.gemini" and a["tryon.provider"] == result.provider
    [retry] = events_named(call, "tryon.retry")
    assert (retry["tryon.retry.source"], retry["tryon.retry.status"]) == ("http", 503)


def stream_router() -> tryon.Router:
    router = tryon.Router(plugins=False)
    router.register(FakeGenerator("fake-1"))
    return router


def test_a_stream_is_a_request_span_over_one_call_and_leaves_the_consumer_outside(cap: Captured) -> None:
    from opentelemetry import trace

    from tryon import observe

    tracer = cap.tracer_provider.get_tracer("app")
    seen: list[Any] = []
    with tracer.start_as_current_span("page") as page:
        for item in stream_router().stream("x", model="fake-1", size="256x256", partial_images=2):
            seen.append((type(item).__name__, observe.current(), trace.get_current_span() is page))
    assert [s[0] for s in seen] == ["PartialImage", "PartialImage", "Generation"]
    assert all(scope is None and current for _, scope, current in seen)  # the consumer's context is untouched
    request = cap.one("tryon.generate")
    [call] = cap.children(request)
    assert request.parent is not None and request.parent.span_id == page.get_span_context().span_id
    assert call.name == "generate_image fake-1" and attrs_of(call)["tryon.images.returned"] == 1
    assert attrs_of(request)["tryon.images.returned"] == 1 and attrs_of(request)["tryon.calls"] == 1


async def test_an_async_stream_is_traced_the_same_way(cap: Captured) -> None:
    items = [item async for item in stream_router().astream("x", model="fake-1", size="256x256")]
    assert type(items[-1]).__name__ == "Generation"
    request = cap.one("tryon.generate")
    assert [c.name for c in cap.children(request)] == ["generate_image fake-1"]
    assert request.status.status_code is StatusCode.UNSET


def test_a_stream_closed_early_ends_its_spans(cap: Captured) -> None:
    stream = stream_router().stream("x", model="fake-1", size="256x256", partial_images=2)
    next(stream)
    stream.close()
    request = cap.one("tryon.generate")
    [call] = cap.children(request)
    assert call.status.status_code is StatusCode.ERROR and attrs_of(call)["error.type"] == "StreamAbandoned"
    assert request.status.status_code is StatusCode.UNSET


def test_a_refused_stream_is_a_failed_request_span_without_a_call(cap: Captured) -> None:
    with pytest.raises(tryon.UnsupportedOptionError):
        list(stream_router().stream("x", model="fake-1", quality="ultra"))
    request = cap.one("tryon.generate")
    assert cap.children(request) == [] and attrs_of(request)["error.type"] == "UnsupportedOptionError"


async def test_openai_streams_sync_and_async_are_traced(emu: OpenAIEmulator, cap: Captured) -> None:
    router = gpt_router(emu)
    items = list(router.stream("a kite", model=MODEL, quality="low", partial_images=1))
    aitems = [i async for i in router.astream("a kite", model=MODEL, quality="low", partial_images=1)]
    assert type(items[-1]).__name__ == type(aitems[-1]).__name__ == "Generation"
    requests = cap.named("tryon.generate")
    assert len(requests) == 2
    for request in requests:
        [call] = cap.children(request)
        assert call.name == f"generate_image {MODEL}" and attrs_of(call)["gen_ai.usage.output_tokens"] > 0
        assert attrs_of(request)["tryon.cost.usd"] > 0


def test_fal_and_replicate_polls_are_events_on_their_call_spans(cap: Captured) -> None:
    from fal_helpers import fal_router
    from tryon_fal.emulator import FalEmulator
    from tryon_replicate import generators as replicate_generators
    from tryon_replicate.emulator import ReplicateEmulator

    with FalEmulator(queue_polls=2, progress_polls=1) as fal:
        fal_router(fal).generate("a fox", model="fal-ai/flux/dev")
    token = "r8_test-token-0123456789abcdef"
    with ReplicateEmulator(api_keys=[token]) as rep:
        rep.pending_polls = 2
        router = tryon.Router(plugins=False)
        for gen in replicate_generators(api_key=token, base_url=rep.url, poll_interval=0.001,
                                        max_poll_interval=0.005, timeout=10, max_retries=0):
            router.register(gen, aliases=gen.aliases)
        router.generate("a fox", model="black-forest-labs/flux-schnell")
    calls = {attrs_of(s)["gen_ai.provider.name"]: s for s in cap.spans() if s.kind is SpanKind.CLIENT}
    assert set(calls) == {"fal", "replicate"}
    fal_polls = [p["tryon.poll.status"] for p in events_named(calls["fal"], "tryon.poll")]
    assert fal_polls == ["IN_QUEUE", "IN_QUEUE", "IN_PROGRESS", "COMPLETED"]
    rep_polls = events_named(calls["replicate"], "tryon.poll")
    assert rep_polls and rep_polls[-1]["tryon.poll.status"] == "succeeded"
    assert [p["tryon.poll.attempt"] for p in rep_polls] == list(range(1, len(rep_polls) + 1))

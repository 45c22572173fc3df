"""Turns :mod:`tryon.events` into OpenTelemetry spans and metrics (imports ``opentelemetry-api``).

Spans (docs/observability.md has the full list of attributes):

- ``tryon.batch`` (a batch run) > ``tryon.batch.job`` (one job, all its attempts) >
- ``tryon.<operation>`` (one router call: ``tryon.generate``, ``tryon.edit``, ...; INTERNAL) >
- ``<gen_ai.operation.name> <model>`` (one provider call; CLIENT): one per call of a fan-out
  and per model a preference list falls back to.

Retries, polling, fallbacks, skipped models and saved images are span events. Errors set the
span's status, ``error.type`` (the tryon error class) and an ``exception`` event whose message
and stack are redacted. Every string exported passes through :func:`tryon.event_log.safe_text`.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Callable
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from tryon import events
from tryon.event_log import safe_text
from tryon.telemetry import attributes as attr
from tryon.telemetry.content import capture_prompts

__all__ = ["DURATION_BUCKETS", "OtelBridge"]

#: The GenAI conventions' advised buckets for ``gen_ai.client.operation.duration`` (seconds).
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)
SCOPE = "tryon"


def _version() -> str:
    from tryon.http import user_agent

    return user_agent().split("/", 1)[-1]


class _Open:
    """A span in progress, the context token that made it current, and what its children add up to."""

    __slots__ = ("calls", "model", "retries", "span", "token")

    def __init__(self, span: Any, token: Any, model: str | None = None) -> None:
        self.span, self.token, self.model = span, token, model
        self.calls = self.retries = 0


def _own_provider(provider: str) -> dict[str, str]:
    """``tryon.provider`` when tryon's name differs from ``gen_ai.provider.name`` (``gemini`` vs ``gcp.gemini``)."""
    return {} if attr.provider_name(provider) == provider else {"tryon.provider": provider}


def _error_type(error: BaseException) -> str:
    return type(error).__name__


def _record_error(span: Any, error: BaseException) -> None:
    message = safe_text(str(error), 500)
    span.set_attribute(attr.ERROR_TYPE, _error_type(error))
    span.set_status(Status(StatusCode.ERROR, message))
    kind = type(error)
    stack = "".join(traceback.format_exception(kind, error, error.__traceback__))
    span.add_event("exception", {"exception.type": f"{kind.__module__}.{kind.__qualname__}",
                                 "exception.message": message,
                                 "exception.stacktrace": safe_text(stack, 8000)})


class OtelBridge:
    """An event sink (see :func:`tryon.events.add_sink`) recording spans and metrics."""

    def __init__(self, tracer_provider: Any = None, meter_provider: Any = None) -> None:
        version = _version()
        self.tracer = (tracer_provider or trace.get_tracer_provider()).get_tracer(SCOPE, version)
        meter = (meter_provider or metrics.get_meter_provider()).get_meter(SCOPE, version)
        self.duration = meter.create_histogram(
            "gen_ai.client.operation.duration", unit="s", description="Duration of one provider call",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS)
        self.tokens = meter.create_histogram(
            "gen_ai.client.token.usage", unit="{token}", description="Tokens one provider call used",
            explicit_bucket_boundaries_advisory=TOKEN_BUCKETS)
        self.images = meter.create_counter("tryon.images", unit="{image}", description="Images returned")
        self.calls = meter.create_counter("tryon.calls", unit="{call}",
                                          description="Provider calls (error.type set on failed ones)")
        self.errors = meter.create_counter("tryon.errors", unit="{error}",
                                           description="Failed requests, by tryon error type")
        self.cost = meter.create_counter("tryon.cost", unit="USD", description="Cost of provider calls, in USD")
        self.retries = meter.create_counter("tryon.retries", unit="{retry}", description="Retries, by source")
        self._lock = threading.Lock()
        self._open: dict[str, _Open] = {}
        self._metric_attributes: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._handlers: dict[type, Callable[[Any], None]] = {
            events.RequestStarted: self._request_started, events.RequestChecked: self._request_checked,
            events.RequestFinished: self._request_finished, events.CallStarted: self._call_started,
            events.CallFinished: self._call_finished, events.Retry: self._retry, events.Polled: self._polled,
            events.Fallback: self._fallback, events.ImageSaved: self._image_saved,
            events.BatchStarted: self._batch_started, events.BatchFinished: self._batch_finished,
            events.JobStarted: self._job_started, events.JobFinished: self._job_finished,
            events.BatchMessage: self._batch_message,
        }

    def __call__(self, event: events.Event) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    # ------------------------------------------------------------------ plumbing

    def _start(self, key: str, name: str, kind: SpanKind, parent: str | None, attributes: dict[str, Any]) -> Any:
        with self._lock:
            outer = self._open.get(parent) if parent else None
        ctx = trace.set_span_in_context(outer.span) if outer is not None else None
        span = self.tracer.start_span(name, context=ctx, kind=kind, attributes=_clean(attributes))
        token = otel_context.attach(trace.set_span_in_context(span))
        with self._lock:
            self._open[key] = _Open(span, token, attributes.get(attr.REQUEST_MODEL))
        return span

    def _get(self, key: str | None) -> _Open | None:
        if key is None:
            return None
        with self._lock:
            return self._open.get(key)

    def _end(self, key: str) -> _Open | None:
        with self._lock:
            opened = self._open.pop(key, None)
        if opened is not None:
            try:
                otel_context.detach(opened.token)
            finally:
                opened.span.end()
        return opened

    def _innermost(self, *keys: str | None) -> _Open | None:
        for key in keys:
            opened = self._get(key)
            if opened is not None:
                return opened
        return None

    # ------------------------------------------------------------------ requests

    def _request_started(self, e: events.RequestStarted) -> None:
        attributes: dict[str, Any] = {attr.OPERATION: attr.operation_name(e.operation), attr.OUTPUT_TYPE: "image",
                                      "tryon.request.id": e.request_id}
        if len(e.models) == 1:
            attributes[attr.REQUEST_MODEL] = e.models[0]  # a preference list: set when a model is checked
        else:
            attributes["tryon.models"] = list(e.models)
        if capture_prompts():
            attributes[attr.INPUT_MESSAGES] = json.dumps(
                [{"role": "user", "parts": [{"type": "text", "content": safe_text(e.prompt, 8000)}]}])
        self._start(e.request_id, f"tryon.{e.operation}", SpanKind.INTERNAL, e.job_id, attributes)

    def _request_checked(self, e: events.RequestChecked) -> None:
        opened = self._get(e.request_id)
        if opened is None:
            return
        request = e.request
        values: dict[str, Any] = {attr.PROVIDER: attr.provider_name(e.provider), "tryon.images.requested": e.n,
                                  **_own_provider(e.provider)}
        if opened.model != e.model:
            values[attr.REQUEST_MODEL] = opened.model = e.model
        if e.size:
            values["tryon.request.size"] = str(e.size)
        if getattr(request, "seed", None) is not None:
            values[attr.REQUEST_SEED] = request.seed
        inputs = [i for i in (getattr(request, "images", None) or ()) if isinstance(getattr(i, "data", None), bytes)]
        if inputs:
            values["tryon.input.images"] = len(inputs)
            values["tryon.input.sizes"] = [f"{i.width}x{i.height}" for i in inputs]
            values["tryon.input.bytes"] = sum(len(i.data) for i in inputs)
        estimate = e.estimate()
        if estimate is not None and estimate.usd is not None:
            values["tryon.cost.estimated_usd"] = float(estimate.usd)
            values["tryon.cost.estimate_upper_bound"] = bool(estimate.upper_bound)
        opened.span.set_attributes(_clean(values))

    def _fallback(self, e: events.Fallback) -> None:
        opened = self._get(e.request_id)
        if opened is not None:
            opened.span.add_event("tryon.fallback", _clean({
                "tryon.fallback.from": e.from_model, "tryon.fallback.to": e.to_model, "tryon.fallback.reason": e.reason,
                "tryon.fallback.sent": e.sent, attr.ERROR_TYPE: e.error_type}))

    def _request_finished(self, e: events.RequestFinished) -> None:
        opened = self._get(e.request_id)
        if opened is None:
            return
        span = opened.span
        result, error = e.result, e.error
        values: dict[str, Any] = {"tryon.calls": opened.calls}
        if opened.retries:
            values["tryon.retries"] = opened.retries
        skipped = list(result.skipped) if result is not None else list(getattr(error, "skipped", ()) or ())
        if skipped:
            values["tryon.skipped.models"] = [s.model for s in skipped]
            values["tryon.skipped.reasons"] = [f"{s.model}: {s.reason}" for s in skipped]
        if result is not None:
            values.update({attr.RESPONSE_MODEL: result.model, "tryon.images.returned": len(result.images)})
            if result.warnings:
                values["tryon.notices"] = [w.code for w in result.warnings]
            if opened.calls > 1:  # one call: its span has them
                values.update(attr.usage_attributes(result.usage))
            if result.cost_usd is not None:
                values["tryon.cost.usd"] = float(result.cost_usd)
            for notice in result.warnings:
                span.add_event("tryon.notice", _clean({"tryon.notice.code": notice.code,
                                                       "tryon.notice.message": notice.message,
                                                       "tryon.notice.option": notice.option}))
        span.set_attributes(_clean(values))
        if error is not None:
            _record_error(span, error)
            self.errors.add(1, {attr.ERROR_TYPE: _error_type(error), attr.OPERATION: attr.operation_name(e.operation)})
        self._end(e.request_id)

    # ------------------------------------------------------------------ provider calls

    def _call_attributes(self, e: events.CallStarted | events.CallFinished) -> dict[str, Any]:
        """The low-cardinality attributes of a call's metrics (made once per operation, provider and model)."""
        key = (e.operation, e.provider, e.model)
        found = self._metric_attributes.get(key)
        if found is None:
            found = _clean({attr.OPERATION: attr.operation_name(e.operation),
                            attr.PROVIDER: attr.provider_name(e.provider), attr.REQUEST_MODEL: e.model})
            self._metric_attributes[key] = found
        return found

    def _call_started(self, e: events.CallStarted) -> None:
        request = self._get(e.request_id)
        if request is not None:
            with self._lock:  # fanned-out calls start in several threads
                request.calls += 1
        self._start(e.call_id, f"{attr.operation_name(e.operation)} {e.model}", SpanKind.CLIENT, e.request_id, {
            **self._call_attributes(e), attr.OUTPUT_TYPE: "image", **_own_provider(e.provider),
            "tryon.images.requested": e.n, "tryon.call.index": e.index, "tryon.call.count": e.calls})

    def _call_finished(self, e: events.CallFinished) -> None:
        opened = self._get(e.call_id)
        base = self._call_attributes(e)
        metric = base if e.error is None else {**base, attr.ERROR_TYPE: _error_type(e.error)}
        self.duration.record(e.elapsed_s, metric)
        self.calls.add(1, metric)
        if e.images:
            self.images.add(len(e.images), base)
        if e.cost_usd is not None:
            self.cost.add(float(e.cost_usd), base)
        usage = e.usage
        if usage is not None:
            for kind, count in (("input", usage.input_tokens), ("output", usage.output_tokens)):
                if count is not None:
                    self.tokens.record(count, {**base, attr.TOKEN_TYPE: kind})
        if opened is None:
            return
        values: dict[str, Any] = {"tryon.images.returned": len(e.images),
                                  "tryon.images.sizes": [i.size for i in e.images],
                                  "tryon.images.bytes": sum(i.byte_count for i in e.images),
                                  **attr.usage_attributes(usage)}
        if e.retries:
            values["tryon.retries"] = e.retries
        if e.images:
            values[attr.RESPONSE_MODEL] = e.model
        if e.provider_request_ids:
            values[attr.RESPONSE_ID] = e.provider_request_ids[0]
            if len(e.provider_request_ids) > 1:
                values["tryon.provider_request_ids"] = list(e.provider_request_ids)
        if e.cost_usd is not None:
            values["tryon.cost.usd"] = float(e.cost_usd)
        opened.span.set_attributes(_clean(values))
        if e.error is not None:
            _record_error(opened.span, e.error)
        self._end(e.call_id)

    def _retry(self, e: events.Retry) -> None:
        self.retries.add(1, {"tryon.retry.source": e.source})
        owner = self._get(e.job_id if e.source == "batch" else e.request_id)  # who totals its retries
        if owner is not None:
            with self._lock:
                owner.retries += 1
        opened = self._innermost(e.call_id, e.request_id, e.job_id)
        if opened is not None:
            opened.span.add_event("tryon.retry", _clean({
                "tryon.retry.attempt": e.attempt, "tryon.retry.reason": e.reason, "tryon.retry.source": e.source,
                "tryon.retry.status": e.status, "tryon.retry.wait_s": e.wait_s}))

    def _polled(self, e: events.Polled) -> None:
        opened = self._innermost(e.call_id, e.request_id)
        if opened is not None:
            opened.span.add_event("tryon.poll", _clean({"tryon.poll.status": e.status, "tryon.poll.attempt": e.attempt,
                                                        "tryon.poll.elapsed_s": e.elapsed_s}))

    def _image_saved(self, e: events.ImageSaved) -> None:
        opened = self._innermost(e.request_id, e.job_id, e.batch_id)
        span = opened.span if opened is not None else trace.get_current_span()
        if span.is_recording():
            span.add_event("tryon.image.saved", _clean({
                "tryon.image.path": e.path, "tryon.image.sha256": e.image.sha256, "tryon.image.size": e.image.size,
                "tryon.image.bytes": e.image.byte_count, "tryon.image.media_type": e.image.media_type}))

    # ------------------------------------------------------------------ batches

    def _batch_started(self, e: events.BatchStarted) -> None:
        self._start(e.batch_id, "tryon.batch", SpanKind.INTERNAL, None, {
            "tryon.batch.id": e.batch_id, "tryon.batch.jobs": e.total, "tryon.batch.done_before": e.done,
            "tryon.batch.output_dir": e.output_dir})

    def _batch_message(self, e: events.BatchMessage) -> None:
        opened = self._get(e.batch_id)
        if opened is not None:
            opened.span.add_event("tryon.batch.message", {"tryon.batch.message": safe_text(e.text)})

    def _batch_finished(self, e: events.BatchFinished) -> None:
        opened = self._get(e.batch_id)
        if opened is None:
            return
        summary = e.summary
        values: dict[str, Any] = {"tryon.batch.interrupted": e.interrupted}
        if summary is not None:
            values.update({"tryon.batch.succeeded": summary.succeeded, "tryon.batch.failed": summary.failed,
                           "tryon.batch.pending": summary.pending, "tryon.images.returned": summary.images})
            if summary.cost_usd is not None:
                values["tryon.cost.usd"] = float(summary.cost_usd)
            if summary.failed:
                opened.span.set_status(Status(StatusCode.ERROR, f"{summary.failed} job(s) failed"))
        opened.span.set_attributes(_clean(values))
        self._end(e.batch_id)

    def _job_started(self, e: events.JobStarted) -> None:
        self._start(e.job_id, "tryon.batch.job", SpanKind.INTERNAL, e.batch_id, {
            "tryon.batch.id": e.batch_id, "tryon.job.id": e.job_id, "tryon.job.line": e.line,
            "tryon.job.name": e.job_name, "tryon.images.requested": e.n})

    def _job_finished(self, e: events.JobFinished) -> None:
        opened = self._get(e.job_id)
        if opened is None:
            return
        values: dict[str, Any] = {"tryon.job.ok": e.ok, "tryon.job.attempts": e.attempts,
                                  "tryon.job.started": e.started, "tryon.images.returned": e.images,
                                  "tryon.retries": opened.retries}
        if e.cost_usd is not None:
            values["tryon.cost.usd"] = float(e.cost_usd)
        opened.span.set_attributes(_clean(values))
        if e.started and not e.ok:
            opened.span.set_status(Status(StatusCode.ERROR, safe_text(e.error or "failed", 500)))
        self._end(e.job_id)


#: Attributes whose values tryon itself chose (resolved model ids, provider and operation names, ids,
#: sizes, notice codes, error class names): exported as they are; every other string is made safe.
TRUSTED = frozenset({
    attr.OPERATION, attr.PROVIDER, attr.RESPONSE_MODEL, attr.OUTPUT_TYPE, attr.ERROR_TYPE, attr.TOKEN_TYPE,
    "tryon.provider", "tryon.operation", "tryon.request.id", "tryon.call.id", "tryon.images.sizes",
    "tryon.input.sizes", "tryon.notices", "tryon.batch.id", "tryon.job.id", "tryon.retry.source",
})


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Attribute values OpenTelemetry accepts, every string not in :data:`TRUSTED` made safe; ``None`` left out."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        kind = type(value)
        if kind is int or kind is float or kind is bool:
            out[key] = value
        elif value is None:
            continue
        elif kind is str:
            out[key] = value if key in TRUSTED else safe_text(value)
        elif kind is list or kind is tuple:
            out[key] = _sequence(key, value)
        else:
            out[key] = safe_text(str(value))
    return out


def _sequence(key: str, value: list[Any] | tuple[Any, ...]) -> list[Any]:
    items = [v for v in value if v is not None]
    if all(type(v) is str for v in items):
        return items if key in TRUSTED else [safe_text(v) for v in items]
    if all(type(v) is bool for v in items) or all(type(v) in (int, float) for v in items):
        return items
    return [safe_text(str(v)) for v in items]

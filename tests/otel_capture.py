"""In-memory OpenTelemetry capture for tests: spans, metrics and log records of one test."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tryon import telemetry


@attrs.define
class Captured:
    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader
    records: list[logging.LogRecord]
    tracer_provider: TracerProvider

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def named(self, name: str) -> list[ReadableSpan]:
        return [s for s in self.spans() if s.name == name]

    def one(self, name: str) -> ReadableSpan:
        found = self.named(name)
        assert len(found) == 1, f"{len(found)} spans named {name!r}: {[s.name for s in self.spans()]}"
        return found[0]

    def children(self, parent: ReadableSpan) -> list[ReadableSpan]:
        return [s for s in self.spans() if s.parent is not None and s.parent.span_id == parent.context.span_id]

    def metrics(self) -> dict[str, list[Any]]:
        """Metric name -> its data points."""
        out: dict[str, list[Any]] = {}
        data = self.reader.get_metrics_data()
        for rm in data.resource_metrics if data else ():
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    out.setdefault(metric.name, []).extend(metric.data.data_points)
        return out

    def exported_text(self) -> str:
        """Everything exported as text: span names, attributes, events, status; metric points; log records."""
        parts: list[str] = []
        for span in self.spans():
            parts.append(span.to_json())
        data = self.reader.get_metrics_data()
        if data is not None:
            parts.append(data.to_json())
        for record in self.records:
            parts.append(record.getMessage())
            parts.append(json.dumps(getattr(record, "tryon", {}), default=str))
            parts.append(str(record.__dict__))
        return "\n".join(parts)


class _Keep(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def capture(*, capture_prompts: bool | None = False, logs: bool = True) -> Iterator[Captured]:
    """Instrument tryon with in-memory exporters (and keep ``tryon`` log records) for a ``with`` block."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meters = MeterProvider(metric_readers=[reader])
    records: list[logging.LogRecord] = []
    handler = _Keep(records)
    logger = logging.getLogger("tryon")
    old_level = logger.level
    if logs:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    telemetry.instrument(provider, meters, capture_prompts=capture_prompts)
    try:
        yield Captured(exporter, reader, records, provider)
    finally:
        telemetry.uninstrument()
        telemetry.set_capture_prompts(None)
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        meters.shutdown()
        provider.shutdown()

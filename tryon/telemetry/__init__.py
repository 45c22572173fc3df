"""OpenTelemetry traces and metrics of tryon's work (extra ``tryon[otel]``).

Nothing here imports OpenTelemetry until it is used. Two ways on:

- **automatic**: once the application has imported ``opentelemetry`` and configured a global
  tracer or meter provider, the next tryon request starts tracing (``TRYON_OTEL=off``
  prevents it);
- **explicit**: ``tryon.telemetry.instrument(tracer_provider=..., meter_provider=...)`` (either
  may be left out for the global one), ``uninstrument()`` to stop.

Without the extra, or with OpenTelemetry installed but no provider configured, tryon imports
nothing of it and each request pays one dictionary look-up. What is recorded (spans, their
attributes, metrics) is described in docs/observability.md; prompts only with
``capture_prompts=True`` (or ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``),
image payloads and keys never.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

from tryon.telemetry.content import capture_prompts, set_capture_prompts

__all__ = ["AUTO_ENV", "auto_enable", "capture_prompts", "instrument", "instrumented", "set_capture_prompts",
           "uninstrument"]

#: ``off``/``0``/``false`` keeps tryon from tracing on its own when a global provider is configured.
AUTO_ENV = "TRYON_OTEL"
_lock = threading.Lock()
_bridge: Any = None
_refused = False  # uninstrument() was called: no automatic start any more


def instrument(tracer_provider: Any = None, meter_provider: Any = None, *,
               capture_prompts: bool | None = None) -> None:
    """Send tryon's spans and metrics to OpenTelemetry (the global providers when none are given).

    Calling it again replaces the providers. *capture_prompts* ``True`` records prompts
    (``gen_ai.input.messages``); ``None`` leaves the setting as it is. Needs ``opentelemetry-api``
    (``pip install 'tryon[otel]'``).
    """
    global _bridge, _refused
    try:
        from tryon.telemetry.bridge import OtelBridge
    except ImportError as exc:  # opentelemetry-api is not installed
        raise ImportError("tryon.telemetry needs OpenTelemetry: pip install 'tryon[otel]' "
                          f"(opentelemetry-api) ({exc})") from None
    from tryon import events

    if capture_prompts is not None:
        set_capture_prompts(capture_prompts)
    bridge = OtelBridge(tracer_provider, meter_provider)
    with _lock:
        old, _bridge, _refused = _bridge, bridge, False
    if old is not None:
        events.remove_sink(old)
    events.add_sink(bridge)


def uninstrument() -> None:
    """Stop sending spans and metrics (and do not start again automatically)."""
    global _bridge, _refused
    from tryon import events

    with _lock:
        old, _bridge, _refused = _bridge, None, True
    if old is not None:
        events.remove_sink(old)


def instrumented() -> bool:
    """Whether tryon is sending spans and metrics now."""
    return _bridge is not None


def _auto_allowed() -> bool:
    return os.environ.get(AUTO_ENV, "").strip().lower() not in {"0", "off", "false", "no"}


def _configured() -> bool:
    """Whether the application set a global tracer or meter provider (OpenTelemetry already imported)."""
    trace = sys.modules.get("opentelemetry.trace")
    if trace is not None:
        provider = trace.get_tracer_provider()
        if not isinstance(provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider):
            return True
    metrics = sys.modules.get("opentelemetry.metrics")
    if metrics is not None:
        provider = metrics.get_meter_provider()
        if not isinstance(provider, metrics.NoOpMeterProvider) and type(provider).__name__ != "_ProxyMeterProvider":
            return True
    return False


def auto_enable() -> bool:
    """Start tracing when the application has configured OpenTelemetry (called per request; returns
    whether tryon is instrumented). Costs a look-up in ``sys.modules`` when OpenTelemetry is not imported."""
    if _bridge is not None:
        return True
    if _refused or ("opentelemetry.trace" not in sys.modules and "opentelemetry.metrics" not in sys.modules):
        return False
    if not _auto_allowed() or not _configured():
        return False
    with _lock:
        if _bridge is not None or _refused:
            return _bridge is not None
    instrument()
    return True

"""Structured log records of :mod:`tryon.events` (logger ``tryon.events``).

Each record has a readable message (``call.finished model=gpt-image-1 images=2 elapsed_s=0.412``)
and two attributes for structured handlers (JSON formatters include them): ``tryon_event``, the
event's name, and ``tryon``, a dict of its fields. Images appear as ``{sha256, media_type, size,
bytes}``, never their bytes; prompts as their length and hash unless the user opted in to
content capture (:func:`tryon.telemetry.content.capture_prompts`); every string passes through
:func:`tryon.secrets.redact_fields` and :func:`safe_text` (no key, no base64 payload).

Levels: progress of a call is DEBUG; retries, fallbacks, failed calls and requests, batch
progress are INFO. Nothing here is WARNING: errors are raised to the caller, not logged twice.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from typing import Any

from tryon import events
from tryon.secrets import redact, redact_fields

__all__ = ["event_fields", "log_event", "safe_text"]

_PAYLOAD = re.compile(r"(data:[\w/+.-]+;base64,)?[A-Za-z0-9+/_-]{100,}={0,2}")
_MAX_TEXT = 1000


def safe_text(text: str, limit: int = _MAX_TEXT) -> str:
    """*text* with keys redacted, any base64 run of 100+ characters (an image payload, a data
    URL) replaced by its length, and cut to *limit* characters."""
    text = redact(text)
    text = _PAYLOAD.sub(lambda m: f"<{'data URL' if m.group(1) else 'base64'}: {len(m.group(0))} chars>", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _prompt_fields(prompt: str) -> dict[str, Any]:
    from tryon.telemetry.content import capture_prompts

    out: dict[str, Any] = {"prompt_chars": len(prompt),
                           "prompt_sha256": hashlib.sha256(prompt.encode("utf-8", "replace")).hexdigest()[:16]}
    if capture_prompts():
        out["prompt"] = safe_text(prompt, 4000)
    return out


def _error_fields(error: BaseException | None) -> dict[str, Any]:
    if error is None:
        return {}
    return {"error_type": type(error).__name__, "error": safe_text(str(error))}


def _usage(usage: Any) -> dict[str, Any] | None:
    to_dict = getattr(usage, "to_dict", None)
    return to_dict() if to_dict is not None else None


def _images(images: Any) -> list[dict[str, Any]]:
    return [i.to_dict() for i in images]


def _inputs(request: Any) -> list[dict[str, Any]]:
    out = []
    for image in getattr(request, "images", None) or ():
        data = getattr(image, "data", None)
        if isinstance(data, bytes):
            out.append(events.ImageSummary(data, getattr(image, "media_type", "?"), getattr(image, "width", 0),
                                           getattr(image, "height", 0)).to_dict())
        else:
            out.append({"unfetched": True})
    return out


def event_fields(event: events.Event) -> dict[str, Any]:
    """The structured, exportable fields of *event* (no bytes, no key, no prompt unless opted in)."""
    fields: dict[str, Any]
    if isinstance(event, events.RequestStarted):
        fields = {"request_id": event.request_id, "operation": event.operation, "models": list(event.models),
                  **_prompt_fields(event.prompt)}
    elif isinstance(event, events.RequestChecked):
        fields = {"request_id": event.request_id, "model": event.model, "provider": event.provider,
                  "operation": event.operation, "n": event.n, "size": event.size,
                  "notices": [n.code for n in event.notices]}
        inputs = _inputs(event.request)
        if inputs:
            fields["input_images"] = inputs
    elif isinstance(event, events.CallStarted):
        fields = {"request_id": event.request_id, "call_id": event.call_id, "model": event.model,
                  "provider": event.provider, "operation": event.operation, "n": event.n, "index": event.index,
                  "calls": event.calls}
    elif isinstance(event, events.CallFinished):
        fields = {"request_id": event.request_id, "call_id": event.call_id, "model": event.model,
                  "provider": event.provider, "operation": event.operation, "n": event.n,
                  "elapsed_s": round(event.elapsed_s, 4), "images": _images(event.images),
                  "cost_usd": event.cost_usd, "usage": _usage(event.usage),
                  "provider_request_ids": list(event.provider_request_ids), "retries": event.retries,
                  **_error_fields(event.error)}
    elif isinstance(event, events.RequestFinished):
        result = event.result
        fields = {"request_id": event.request_id, "operation": event.operation,
                  "elapsed_s": round(event.elapsed_s, 4), **_error_fields(event.error)}
        if result is not None:
            fields.update(model=result.model, provider=result.provider, images=len(result.images),
                          cost_usd=result.cost_usd, notices=[w.code for w in result.warnings],
                          skipped=[{"model": s.model, "reason": safe_text(s.reason)} for s in result.skipped])
        skipped = getattr(event.error, "skipped", None)
        if skipped:
            fields["skipped"] = [{"model": s.model, "reason": safe_text(s.reason)} for s in skipped]
    elif isinstance(event, events.ImageSaved):
        fields = {"path": event.path, "image": event.image.to_dict(), "request_id": event.request_id,
                  "batch_id": event.batch_id, "job_id": event.job_id}
    elif isinstance(event, events.BatchFinished):
        summary = event.summary
        fields = {"batch_id": event.batch_id, "interrupted": event.interrupted}
        if summary is not None:
            fields.update(total=summary.total, succeeded=summary.succeeded, failed=summary.failed,
                          images=summary.images, cost_usd=summary.cost_usd, elapsed_s=round(summary.elapsed_s, 3))
    else:  # the simple events: their own attrs fields, minus bulky ones
        import attrs

        fields = {k: v for k, v in attrs.asdict(event, recurse=False).items() if k != "at"}
        if isinstance(event, events.BatchProgress):
            fields["remaining"] = event.remaining
    return _clean(redact_fields(fields))


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, Mapping):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return safe_text(repr(value))


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "[" + ",".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_shown(v)}" for k, v in value.items()) + "}"
    return str(value)


_BRIEF = ("models", "model", "provider", "operation", "n", "images", "elapsed_s", "cost_usd", "attempt", "reason",
          "status", "wait_s", "from_model", "to_model", "path", "done", "failed", "total", "text", "error_type",
          "error")


def log_event(logger: logging.Logger, event: events.Event, level: int) -> None:
    """Log *event* at *level* with its structured fields."""
    fields = event_fields(event)
    brief = []
    for key in _BRIEF:
        if key in fields:
            value = fields[key]
            if key == "images" and isinstance(value, list):
                value = len(value)
            brief.append(f"{key}={_shown(value)}")
    logger.log(level, "%s %s", event.name, " ".join(brief), extra={"tryon_event": event.name, "tryon": fields})

"""Whether prompts may be exported (spans, logs): only when the user opts in.

Opt in with ``tryon.telemetry.instrument(capture_prompts=True)``, :func:`set_capture_prompts`
or the GenAI conventions' environment variable
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``. Image payloads and keys are never
exported, opted in or not.
"""

from __future__ import annotations

import os

__all__ = ["CAPTURE_ENV", "capture_prompts", "set_capture_prompts"]

#: The GenAI semantic conventions' switch for recording message content.
CAPTURE_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
_TRUE = frozenset({"1", "true", "yes", "on"})
_setting: bool | None = None


def capture_prompts() -> bool:
    """Whether prompts are recorded on spans and in logs (off unless opted in)."""
    if _setting is not None:
        return _setting
    return os.environ.get(CAPTURE_ENV, "").strip().lower() in _TRUE


def set_capture_prompts(enabled: bool | None) -> None:
    """Record prompts (``True``), never (``False``), or follow the environment (``None``)."""
    global _setting
    _setting = None if enabled is None else bool(enabled)

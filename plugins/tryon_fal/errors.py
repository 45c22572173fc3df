"""fal's error bodies, read into tryon's typed errors.

fal answers a failed request in two shapes (docs.fal.ai/errors and
fal.ai/docs/documentation/model-apis/request-errors, checked 2026-12-02):

* model errors: ``{"detail": [{"loc", "msg", "type", "url", "ctx"}]}`` (FastAPI-like, usually
  HTTP 422); ``type`` is machine-readable, e.g. ``content_policy_violation``, ``image_too_large``;
* request errors: ``{"detail": "...", "error_type": "request_timeout"}`` with the same value in
  the ``X-Fal-Error-Type`` header (timeouts, runner failures, scheduling).

fal's ``X-Fal-Retryable`` header is not read: tryon's retry policy follows the status (a 5xx
submit is never re-sent, it could be billed twice).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tryon.error_shapes import ErrorAnswer, ErrorDetails
from tryon.errors import ContentPolicyError, ProviderTimeoutError

__all__ = ["CONTENT_POLICY_TYPES", "detail_types", "read_error"]

CONTENT_POLICY_TYPES = frozenset({"content_policy_violation"})
_TIMEOUT_TYPES = frozenset({"request_timeout", "startup_timeout", "generation_timeout"})


def detail_types(payload: Any) -> list[str]:
    """The ``type`` of each item of a ``detail`` list, and the ``error_type`` of a request error."""
    if not isinstance(payload, Mapping):
        return []
    out = []
    detail = payload.get("detail")
    if isinstance(detail, list):
        out += [str(item["type"]) for item in detail if isinstance(item, Mapping) and item.get("type")]
    if isinstance(payload.get("error_type"), str):
        out.append(payload["error_type"])
    return out


def read_error(answer: ErrorAnswer) -> ErrorDetails | None:
    """tryon's reading of a fal error answer (an error reader for :func:`tryon.http.send`).

    A ``content_policy_violation`` is a :class:`ContentPolicyError`; a request error whose type is
    a timeout is a :class:`ProviderTimeoutError`; other typed answers keep the status's class with
    the types named in the message; ``None`` for answers without fal's shapes.
    """
    types = detail_types(answer.json)
    header_type = answer.headers.get("x-fal-error-type")
    if header_type:
        types.append(header_type)
    if not types:
        return None
    named = ", ".join(dict.fromkeys(types))
    code = types[0]
    if any(t in CONTENT_POLICY_TYPES for t in types):
        return ErrorDetails(f"{answer.message} ({named})", code=code, error=ContentPolicyError)
    if any(t in _TIMEOUT_TYPES for t in types):
        return ErrorDetails(f"{answer.message} ({named})", code=code, error=ProviderTimeoutError)
    return ErrorDetails(f"{answer.message} ({named})", code=code)

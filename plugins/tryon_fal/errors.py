"""fal's error bodies, read into tryon's typed errors.

fal answers a failed request in two shapes (docs.fal.ai/errors and
fal.ai/docs/documentation/model-apis/request-errors, checked 2026-12-02):

* model errors: ``{"detail": [{"loc", "msg", "type", "url", "ctx"}]}`` (FastAPI-like, usually
  HTTP 422); ``type`` is machine-readable, e.g. ``content_policy_violation``, ``image_too_large``;
* request errors: ``{"detail": "...", "error_type": "request_timeout"}`` with the same value in
  the ``X-Fal-Error-Type`` header (timeouts, runner failures, scheduling).

``X-Fal-Retryable: true|false`` says whether the same request may succeed on a retry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tryon.errors import ContentPolicyError, ProviderError, ProviderRequestError, ProviderTimeoutError

__all__ = ["CONTENT_POLICY_TYPES", "detail_types", "fal_error", "retryable_header"]

CONTENT_POLICY_TYPES = frozenset({"content_policy_violation"})
_TIMEOUT_TYPES = frozenset({"request_timeout", "startup_timeout", "generation_timeout"})


def _payload(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        return None


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


def retryable_header(headers: Mapping[str, str]) -> bool | None:
    """``X-Fal-Retryable`` as a bool (``None`` when absent or not ``true``/``false``)."""
    value = (headers.get("x-fal-retryable") or "").strip().lower()
    return {"true": True, "false": False}.get(value)


def fal_error(status: int, headers: Mapping[str, str], body: bytes, message: str,
              **common: Any) -> ProviderError | None:
    """A fal-specific error for an HTTP error answer, or ``None`` to use the core's mapping.

    A ``content_policy_violation`` becomes :class:`ContentPolicyError`; a request error whose
    type is a timeout becomes :class:`ProviderTimeoutError`; a 4xx model error whose type fal
    lists is a :class:`ProviderRequestError` naming the type. ``X-Fal-Retryable`` sets
    ``retryable`` when fal says so.
    """
    payload = _payload(body)
    types = detail_types(payload)
    header_type = headers.get("x-fal-error-type")
    if header_type:
        types.append(header_type)
    retry = retryable_header(headers)
    if any(t in CONTENT_POLICY_TYPES for t in types):
        return ContentPolicyError(f"refused by the content checker ({', '.join(dict.fromkeys(types))}): {message}",
                                  retryable=False, **common)
    if any(t in _TIMEOUT_TYPES for t in types):
        return ProviderTimeoutError(f"fal timed out ({', '.join(dict.fromkeys(types))}): {message}",
                                    retryable=True if retry is None else retry, **common)
    if 400 <= status < 500 and status not in (401, 402, 403, 429) and types:
        return ProviderRequestError(f"fal refused the input ({', '.join(dict.fromkeys(types))}): {message}",
                                    retryable=bool(retry), **common)
    return None

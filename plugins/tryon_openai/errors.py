"""Map the ``openai`` SDK's exceptions to tryon's typed errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tryon.capabilities import Capabilities
from tryon.deadline import DeadlineExceeded
from tryon.errors import (
    AuthenticationError,
    ContentPolicyError,
    InvalidResponseError,
    ModelRetiredError,
    PermissionDeniedError,
    ProviderError,
    ProviderRequestError,
    ProviderTimeoutError,
    RateLimitError,
    ServiceUnavailableError,
    TryOnError,
)
from tryon.http import parse_retry_after, wait_too_long
from tryon.secrets import scrub_exception

__all__ = ["map_errors"]

PROVIDER = "openai"


def _error_fields(exc: Any) -> tuple[str, str | None]:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return str(err.get("message") or exc), err.get("code")
    return str(getattr(exc, "message", None) or exc), getattr(exc, "code", None)


def translate(exc: BaseException, model: str, caps: Capabilities, provider: str = PROVIDER) -> TryOnError | None:
    """The tryon error for an SDK exception, or ``None`` if it is not one of the SDK's."""
    import openai

    common: dict[str, Any] = {"provider": provider, "model": model}
    if isinstance(exc, DeadlineExceeded):
        return ProviderTimeoutError(str(exc), **common)
    if isinstance(exc, openai.APITimeoutError):
        return ProviderTimeoutError("the request timed out", **common)
    if isinstance(exc, openai.APIConnectionError):
        return ServiceUnavailableError(f"could not connect to the service ({exc})", **common)
    if isinstance(exc, openai.APIResponseValidationError):
        return InvalidResponseError(f"the service's answer did not match the API ({exc.message})",
                                    status=exc.status_code, **common)
    if isinstance(exc, openai.APIStatusError):
        message, code = _error_fields(exc)
        common.update(status=exc.status_code, request_id=exc.request_id)
        if isinstance(exc, openai.AuthenticationError):
            return AuthenticationError(f"authentication failed: {message}", **common)
        if isinstance(exc, openai.PermissionDeniedError):
            return PermissionDeniedError(message, **common)
        if isinstance(exc, openai.RateLimitError):
            wait = parse_retry_after(exc.response.headers.get("retry-after"))
            too_long = wait_too_long(wait)
            return RateLimitError(message + (f"; {too_long}" if too_long else ""), retry_after=wait, **common)
        if code in ("moderation_blocked", "content_policy_violation") or "safety system" in message:
            return ContentPolicyError(f"blocked by the content policy: {message}", **common)
        if isinstance(exc, openai.NotFoundError) and (code == "model_not_found" or "model" in message):
            life = caps.lifecycle
            if life.retired:
                when = f" on {life.retired_on.isoformat()}" if life.retired_on else ""
                return ModelRetiredError(f"the service no longer serves {model}: it was retired{when}",
                                         successors=life.successors, **common)
            return ProviderRequestError(f"model not found: {message}", **common)
        if 300 <= exc.status_code < 400:
            return InvalidResponseError(f"the service answered HTTP {exc.status_code} (a redirect); it is not "
                                        "followed so that the API key goes nowhere else", **common)
        if exc.status_code in (408, 504):
            return ProviderTimeoutError(message, **common)
        if exc.status_code >= 500:
            return ServiceUnavailableError(message, **common)
        if 400 <= exc.status_code < 500:
            return ProviderRequestError(message, **common)
        return ProviderError(message, **common)
    if isinstance(exc, openai.APIError):
        # e.g. an error event inside a stream
        message, code = _error_fields(exc)
        if code == "moderation_blocked":
            return ContentPolicyError(f"blocked by the content policy: {message}", **common)
        return ProviderError(message, **common)
    if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
        return InvalidResponseError(f"the service answered with a malformed body ({exc})", **common)
    return None


@contextmanager
def map_errors(model: str, caps: Capabilities, provider: str = PROVIDER) -> Iterator[None]:
    """Re-raise SDK exceptions (and malformed bodies) as tryon errors; the SDK's own stays as cause."""
    try:
        yield
    except TryOnError:
        raise
    except Exception as exc:
        scrub_exception(exc)  # the SDK's error (kept as the cause) may echo the key
        mapped = translate(exc, model, caps, provider)
        if mapped is None:
            raise
        raise mapped from exc

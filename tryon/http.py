"""The shared HTTP layer of the core and the REST plugins.

:func:`make_session` builds a ``requests.Session`` with pooled connections and urllib3
retries; :func:`send` performs one call and turns transport failures and HTTP errors
into tryon's typed errors (:func:`raise_for_response`). No message built here contains
an API key: every :class:`~tryon.errors.TryOnError` message passes through
:func:`tryon.secrets.redact`, and URLs are shown without their query string.

By default the session retries idempotent methods only: a retried ``POST`` to a
generation endpoint may be billed twice. The one exception is HTTP 429, which is
retried for every method because a rate-limited request was not processed.
A ``Retry-After`` longer than the cap (:func:`max_retry_after`, 60 s unless changed with
:func:`set_max_retry_after` or ``TRYON_MAX_RETRY_AFTER``) is not waited for: the 429/503 is
returned and becomes a retryable :class:`~tryon.errors.RateLimitError` that says so.

Every call through :func:`send` goes through :class:`tryon.transport.TryonAdapter`: the URL
is parsed once (:func:`tryon.urls.parse_url`) and sent in its canonical spelling; an overall
*deadline* bounds the call (headers, body, retries and their waits) on top of the per-read
*timeout*; and *credentials* (key headers) go only to URLs their *credential_scope* allows,
never along a redirect.
"""

from __future__ import annotations

import email.utils
import functools
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tryon.errors import (
    AuthenticationError,
    ContentPolicyError,
    InvalidResponseError,
    PermissionDeniedError,
    ProviderError,
    ProviderRequestError,
    ProviderTimeoutError,
    RateLimitError,
    ServiceUnavailableError,
)

if TYPE_CHECKING:
    import requests
    from urllib3.util.retry import Retry

    from tryon.error_shapes import ErrorReader
    from tryon.json_blobs import Blobs
    from tryon.multipart import FieldValue
    from tryon.urls import Target

__all__ = [
    "DEFAULT_RETRY_METHODS",
    "DEFAULT_STATUS_FORCELIST",
    "DEFAULT_TIMEOUT",
    "error_details",
    "is_timeout",
    "json_object",
    "json_object_with_blobs",
    "make_session",
    "max_retry_after",
    "parse_retry_after",
    "raise_for_response",
    "request_id_from",
    "retry_after_from",
    "same_origin",
    "send",
    "set_max_retry_after",
    "shared_session",
    "user_agent",
]

#: ``(connect, read)`` seconds; image generation can take a minute or two.
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 180.0)

#: Statuses retried by the session.
DEFAULT_STATUS_FORCELIST: tuple[int, ...] = (429, 500, 502, 503, 504)

#: Methods retried by the session on the statuses above (429 is retried for every method).
DEFAULT_RETRY_METHODS: frozenset[str] = frozenset({"HEAD", "GET", "PUT", "DELETE", "OPTIONS", "TRACE"})

_REQUEST_ID_HEADERS = (
    "x-request-id",
    "request-id",
    "x-goog-request-id",
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-ms-request-id",
    "apim-request-id",
    "cf-ray",
)
_CONTENT_POLICY_CODES = frozenset(
    {"content_policy_violation", "content_policy", "moderation_blocked", "content_filter", "safety_violation"}
)
#: Environment variable holding the longest server-requested wait (seconds) tryon honours.
MAX_RETRY_AFTER_ENV = "TRYON_MAX_RETRY_AFTER"
DEFAULT_MAX_RETRY_AFTER = 60.0
_max_retry_after: float | None = None
_QUERY = re.compile(r"\?[^\s'\")]*")
_MAX_MESSAGE = 500


@functools.lru_cache(maxsize=1)
def user_agent() -> str:
    """``tryon/<version>``."""
    version = getattr(sys.modules.get("tryon"), "__version__", None)
    if not isinstance(version, str):
        try:
            from importlib.metadata import PackageNotFoundError
            from importlib.metadata import version as dist_version

            version = dist_version("tryon")
        except PackageNotFoundError:
            version = "0+unknown"
    return f"tryon/{version}"


def max_retry_after() -> float:
    """The longest ``Retry-After`` (seconds or HTTP date) any tryon call waits for."""
    if _max_retry_after is not None:
        return _max_retry_after
    raw = os.environ.get(MAX_RETRY_AFTER_ENV, "").strip()
    try:
        value = float(raw) if raw else DEFAULT_MAX_RETRY_AFTER
    except ValueError:
        value = DEFAULT_MAX_RETRY_AFTER
    return value if value >= 0 and value == value else DEFAULT_MAX_RETRY_AFTER


def set_max_retry_after(seconds: float | None) -> None:
    """Change the cap on server-requested waits (``None`` restores the default / environment)."""
    global _max_retry_after
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int | float)
                                or not 0 <= seconds < float("inf")):
        from tryon.errors import InvalidOptionError, Problem

        raise InvalidOptionError([Problem("max_retry_after", seconds,
                                          f"max_retry_after={seconds!r} must be a number of seconds >= 0")])
    _max_retry_after = None if seconds is None else float(seconds)


def wait_too_long(seconds: float | None, cap: float | None = None) -> str | None:
    """Why a server-requested wait of *seconds* is not honoured (``None`` = it is within the cap)."""
    limit = max_retry_after() if cap is None else cap
    if seconds is None or seconds <= limit:
        return None
    return (f"the provider asked to wait {seconds:.0f}s before retrying, longer than the {limit:g}s tryon "
            f"waits (max_retry_after; see tryon.http.set_max_retry_after or {MAX_RETRY_AFTER_ENV})")


def _observe_retry(retry: Retry, response: Any, error: Exception | None) -> None:
    from tryon import observe

    status = getattr(response, "status", None) if response is not None else None
    reason = f"HTTP {status}" if status else (type(error).__name__ if error is not None else "retry")
    wait = retry_after_from(response.headers) if response is not None else None
    observe.retry(len(retry.history) + 1, reason, status=status,
                  wait_s=wait if wait is not None else retry.get_backoff_time())


@functools.cache
def _retry_class() -> type[Retry]:
    """urllib3 ``Retry`` that also retries 429 for any method and never waits too long
    (built on first use so that importing this module does not import urllib3)."""
    from urllib3.exceptions import MaxRetryError, ResponseError
    from urllib3.util.retry import Retry

    from tryon.deadline import DeadlineExceeded, current_deadline

    class _Retry(Retry):
        max_retry_after: float | None = None  # None: the process-wide cap, read when it matters

        def new(self, **kw: Any) -> _Retry:
            retry = super().new(**kw)
            retry.max_retry_after = self.max_retry_after
            return retry

        def parse_retry_after(self, retry_after: str) -> float:
            # urllib3 accepts whole seconds or an HTTP date; providers also send "0.5"
            seconds = parse_retry_after(retry_after)
            return max(seconds, 0.0) if seconds is not None else 0.0

        def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
            if status_code == 429 and self.status_forcelist and 429 in self.status_forcelist:
                return True  # a rate-limited request was not processed: safe for any method
            return super().is_retry(method, status_code, has_retry_after)

        def increment(
            self,
            method: str | None = None,
            url: str | None = None,
            response: Any = None,
            error: Exception | None = None,
            _pool: Any = None,
            _stacktrace: Any = None,
        ) -> _Retry:
            deadline = current_deadline()
            if deadline is not None and deadline.expired:
                raise DeadlineExceeded(deadline.message())
            if response is not None and self.respect_retry_after_header:
                wait = retry_after_from(response.headers)
                if wait_too_long(wait, self.max_retry_after) is not None:
                    raise MaxRetryError(_pool, url or "", ResponseError(f"Retry-After of {wait:.0f}s"))
                if deadline is not None and wait is not None and wait >= deadline.remaining():
                    raise MaxRetryError(_pool, url or "", ResponseError("Retry-After past the deadline"))
            retry = super().increment(method, url, response, error, _pool, _stacktrace)
            _observe_retry(retry, response, error)  # a retry will be made: tell tryon.events
            return retry

        def sleep(self, response: Any = None) -> None:
            deadline = current_deadline()
            if deadline is not None:
                wait = (retry_after_from(response.headers) if response is not None else None)
                wait = self.get_backoff_time() if wait is None else wait
                if wait >= deadline.remaining():
                    raise DeadlineExceeded(deadline.message())
            super().sleep(response)

    return _Retry


def make_session(
    *,
    retries: int = 3,
    backoff_factor: float = 0.5,
    status_forcelist: Collection[int] = DEFAULT_STATUS_FORCELIST,
    allowed_methods: Collection[str] = DEFAULT_RETRY_METHODS,
    pool_maxsize: int = 32,
    max_retry_after: float | None = None,
    headers: Mapping[str, str] | None = None,
) -> requests.Session:
    """A ``requests.Session`` with connection pooling, retries and tryon's ``User-Agent``.

    Retries cover connection errors and *status_forcelist* responses for *allowed_methods*
    (plus 429 for every method), with exponential *backoff_factor* and ``Retry-After``
    respected up to *max_retry_after* seconds (``None``: :func:`max_retry_after`). After the
    last retry the response itself is returned (``raise_on_status=False``) so that
    :func:`raise_for_response` can type it.
    """
    import requests

    from tryon.transport import TryonAdapter

    retry = _retry_class()(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        backoff_factor=backoff_factor,
        status_forcelist=frozenset(status_forcelist),
        allowed_methods=frozenset(m.upper() for m in allowed_methods),
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
    )
    retry.max_retry_after = max_retry_after  # type: ignore[attr-defined]
    adapter = TryonAdapter(max_retries=retry, pool_connections=8, pool_maxsize=pool_maxsize)
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = user_agent()
    if headers:
        session.headers.update(headers)
    return session


_shared: dict[tuple[Any, ...], requests.Session] = {}
_shared_lock = threading.Lock()


def shared_session(*, retries: int = 3, retry_post: bool = False, headers: Mapping[str, str] | None = None,
                   backoff_factor: float = 0.5, max_retry_after: float | None = None,
                   trust_env: bool = True) -> requests.Session:
    """One pooled :func:`make_session` per policy, shared by every caller in the process.

    Sessions carry no credentials (send keys per request), so plugins, generators and the URL
    fetcher share them and their connection pools. ``retry_post=True`` also retries POST on 5xx,
    for APIs where a repeated request cannot create a second billed job. ``trust_env=False``
    ignores proxy variables and ``.netrc`` (for fetching arbitrary URLs).
    """
    methods = DEFAULT_RETRY_METHODS | {"POST"} if retry_post else DEFAULT_RETRY_METHODS
    key = (retries, retry_post, tuple(sorted((headers or {}).items())), backoff_factor, max_retry_after,
           trust_env)
    with _shared_lock:
        session = _shared.get(key)
        if session is None:
            session = make_session(retries=retries, allowed_methods=methods, headers=headers,
                                   backoff_factor=backoff_factor, max_retry_after=max_retry_after)
            session.trust_env = trust_env
            _shared[key] = session
        return session


# --------------------------------------------------------------------------- responses


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP-date."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:  # pragma: no cover - older Pythons returned None
            return None
        return max(0.0, when.timestamp() - time.time())
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return None
    return max(0.0, seconds)


def retry_after_from(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from response headers (``retry-after-ms`` first, then ``Retry-After``)."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    return parse_retry_after(headers.get("Retry-After"))


def request_id_from(headers: Mapping[str, str]) -> str | None:
    """The provider's request id from the usual headers, if any."""
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value.strip()[:200]
    return None


def error_details(response: requests.Response) -> tuple[str, str | None]:
    """``(message, code)`` extracted from an error response's body.

    Understands ``{"error": {"message", "code"|"type"}}`` (OpenAI, Google),
    ``{"error": "..."}``, ``{"detail": [{"loc", "msg"}]}`` and ``{"detail": "..."}``
    (FastAPI, BFL) and ``{"message": "..."}``; otherwise a short plain-text body or the
    HTTP reason phrase.
    """
    import requests

    reason = response.reason or "error"
    try:
        body = response.content or b""
    except requests.RequestException:
        body = b""
    payload: Any = None
    if body:
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            payload = None
    if isinstance(payload, dict):
        message, code = _message_from_json(payload)
        if message:
            return _shorten(message), code
    content_type = response.headers.get("Content-Type", "")
    if body and "html" not in content_type.lower() and not body.lstrip().startswith(b"<"):
        text = body.decode("utf-8", "replace").strip()
        if text:
            return _shorten(text), None
    return str(reason), None


def _message_from_json(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    error = payload.get("error")
    if isinstance(error, dict):
        code = error.get("code") or error.get("type") or error.get("status")
        message = error.get("message") or error.get("msg")
        return (str(message) if message else None), (str(code) if code else None)
    if isinstance(error, str) and error:
        message = payload.get("message") or payload.get("error_description")
        return (f"{error}: {message}" if message else error), None
    detail = payload.get("detail")
    if isinstance(detail, list) and detail:
        parts = []
        for item in detail[:5]:
            if isinstance(item, dict):
                loc = ".".join(str(x) for x in item.get("loc", ()) if x != "body")
                msg = item.get("msg") or item.get("message") or ""
                parts.append(f"{loc}: {msg}" if loc else str(msg))
            else:
                parts.append(str(item))
        return "; ".join(p for p in parts if p), None
    if isinstance(detail, str) and detail:
        return detail, None
    if isinstance(detail, dict) and detail.get("message"):
        return str(detail["message"]), None
    message = payload.get("message")
    if isinstance(message, str) and message:
        code = payload.get("code")
        return message, (str(code) if code else None)
    return None, None


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def raise_for_response(response: requests.Response, *, provider: str, model: str | None = None,
                       read_error: ErrorReader | None = None) -> None:
    """Raise tryon's typed error for an HTTP error *response*; return for 1xx-3xx.

    401 -> AuthenticationError, 402/403 -> PermissionDeniedError, 429 -> RateLimitError
    (with ``retry_after``), 408/504 -> ProviderTimeoutError, other 5xx ->
    ServiceUnavailableError, 400/404/422 and other 4xx -> ProviderRequestError (or
    ContentPolicyError when the provider's error code says moderation refused it).

    *read_error* is the provider's own reading of its error bodies (see
    :mod:`tryon.error_shapes`): its :class:`~tryon.error_shapes.ErrorDetails` replace the message
    and code read here and, when it names one, the error class chosen from the status.
    """
    status = response.status_code
    if status < 400:
        return
    try:
        message, code = error_details(response)
        details = _provider_reading(response, message, code, read_error) if read_error is not None else None
    finally:
        response.close()
    common: dict[str, Any] = {
        "provider": provider,
        "model": model,
        "status": status,
        "request_id": request_id_from(response.headers),
    }
    wait = retry_after_from(response.headers)
    too_long = wait_too_long(wait)
    if details is not None:
        message, code = _shorten(details.message) or message, details.code
        if details.error is not None:
            raise _typed(details.error, message, wait, too_long, common)
    if status == 401:
        raise AuthenticationError(f"authentication failed: {message}; check the API key", **common)
    if status in (402, 403):
        raise PermissionDeniedError(f"permission denied: {message}", **common)
    if status == 429:
        text = f"rate limited: {message}" + (f"; {too_long}" if too_long else "")
        raise RateLimitError(text, retry_after=wait, **common)
    if status in (408, 504):
        raise ProviderTimeoutError(f"the provider timed out: {message}", **common)
    if status >= 500:
        raise ServiceUnavailableError(f"the provider failed: {message}" + (f"; {too_long}" if too_long else ""),
                                      **common)
    if code and code.lower() in _CONTENT_POLICY_CODES:
        raise ContentPolicyError(f"refused by the provider's content policy: {message}", **common)
    raise ProviderRequestError(f"the provider rejected the request: {message}", **common)


_PREFIXES: dict[type[ProviderError], str] = {
    AuthenticationError: "authentication failed: ",
    PermissionDeniedError: "permission denied: ",
    RateLimitError: "rate limited: ",
    ProviderTimeoutError: "the provider timed out: ",
    ServiceUnavailableError: "the provider failed: ",
    ContentPolicyError: "refused by the provider's content policy: ",
    ProviderRequestError: "the provider rejected the request: ",
}


def _typed(cls: type[ProviderError], message: str, wait: float | None, too_long: str | None,
           common: dict[str, Any]) -> ProviderError:
    prefix = next((text for base, text in _PREFIXES.items() if issubclass(cls, base)), "")
    if issubclass(cls, RateLimitError) or issubclass(cls, ServiceUnavailableError):
        message += f"; {too_long}" if too_long else ""
    if issubclass(cls, RateLimitError):
        return cls(prefix + message, retry_after=wait, **common)
    return cls(prefix + message, **common)


def _provider_reading(response: requests.Response, message: str, code: str | None,
                      read_error: ErrorReader) -> Any:
    """The plugin's reading of an error answer; a reader that fails keeps the core's reading."""
    import logging

    from tryon.error_shapes import ErrorAnswer, ErrorDetails

    try:
        content = response.content or b""
    except Exception:
        content = b""
    answer = ErrorAnswer(status=response.status_code, headers=response.headers, content=content,
                         message=message, code=code)
    try:
        details = read_error(answer)
    except Exception:
        logging.getLogger(__name__).warning("the error reader %r failed on an HTTP %s answer; using tryon's "
                                            "own reading", read_error, response.status_code, exc_info=True)
        return None
    if details is not None and not isinstance(details, ErrorDetails):
        logging.getLogger(__name__).warning("the error reader %r returned %r, not ErrorDetails or None; using "
                                            "tryon's own reading", read_error, type(details).__name__)
        return None
    return details


# --------------------------------------------------------------------------- calls


def is_timeout(exc: BaseException) -> bool:
    """Whether a ``requests`` exception is a (connect or read) timeout, including one wrapped
    by urllib3's retry machinery (which ``requests`` reports as a ``ConnectionError``)."""
    import requests
    import urllib3.exceptions

    if isinstance(exc, requests.Timeout):
        return True
    inner = exc.args[0] if exc.args else None
    for candidate in (exc, inner, getattr(inner, "reason", None)):
        # urllib3's NewConnectionError (refused, unreachable) subclasses ConnectTimeoutError
        if isinstance(candidate, urllib3.exceptions.TimeoutError) and not isinstance(
            candidate, urllib3.exceptions.NewConnectionError
        ):
            return True
    return False


def _describe(exc: BaseException) -> str:
    """An exception's text without query strings (which may carry keys)."""
    return _shorten(_QUERY.sub("?...", str(exc))) or type(exc).__name__


def json_object(response: requests.Response, *, provider: str, model: str | None = None) -> dict[str, Any]:
    """The JSON object a successful response carries; anything else is an :class:`InvalidResponseError`."""
    try:
        data = response.json()
    except ValueError:
        raise InvalidResponseError("the provider's answer is not JSON", provider=provider, model=model,
                                   status=response.status_code,
                                   request_id=request_id_from(response.headers)) from None
    return _an_object(data, response, provider=provider, model=model)


def json_object_with_blobs(response: requests.Response, *, provider: str,
                           model: str | None = None) -> tuple[dict[str, Any], Blobs]:
    """Like :func:`json_object`, with the answer's long base64 strings lifted out of the tree
    (:mod:`tryon.json_blobs`): decode them with the returned :class:`~tryon.json_blobs.Blobs`.
    For answers that carry images inline; the body is held once, as bytes."""
    from tryon.json_blobs import loads

    try:
        data, blobs = loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise InvalidResponseError("the provider's answer is not JSON", provider=provider, model=model,
                                   status=response.status_code,
                                   request_id=request_id_from(response.headers)) from None
    return _an_object(data, response, provider=provider, model=model), blobs


def _an_object(data: Any, response: requests.Response, *, provider: str, model: str | None) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidResponseError("the provider's answer is not a JSON object", provider=provider, model=model,
                                   status=response.status_code, request_id=request_id_from(response.headers))
    return data


def same_origin(base_url: str) -> Callable[[Target], str | None]:
    """A *credential_scope* for :func:`send`: the key goes to *base_url*'s scheme, host and port only."""
    from tryon.urls import parse_url

    api = parse_url(base_url)

    def scope(target: Target) -> str | None:
        if target.origin == api.origin:
            return None
        return (f"{target.display!r} is not on the configured API host {api.scheme}://{api.netloc}; "
                "refusing to send the API key there")
    return scope


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    provider: str,
    model: str | None = None,
    timeout: float | tuple[float, float] | None = DEFAULT_TIMEOUT,
    deadline: float | None = None,
    credentials: Mapping[str, str] | None = None,
    credential_scope: Callable[[Target], str | None] | None = None,
    multipart: Mapping[str, FieldValue | Sequence[FieldValue]] | None = None,
    read_error: ErrorReader | None = None,
    **kwargs: Any,
) -> requests.Response:
    """Perform one HTTP call through *session* and return the successful response.

    *url* is parsed once (:func:`tryon.urls.parse_url`) and its canonical spelling is sent.
    *timeout* bounds each socket operation; *deadline* (seconds) the whole call, retries and
    their waits included (an enclosing :class:`tryon.deadline.Deadline` applies too).
    *credentials* are headers carrying a key: they are sent only when *credential_scope*
    returns ``None`` for the target (else its answer is the reason for refusing), and redirects
    are then never followed. *multipart* sends the fields as a ``multipart/form-data`` body, with
    or without file parts (see :mod:`tryon.multipart`). Transport failures become
    ``ProviderTimeoutError`` (timeouts, deadlines) or ``ServiceUnavailableError`` (connection
    errors); HTTP errors are typed by :func:`raise_for_response`, with *read_error* reading the
    provider's own error bodies (see :mod:`tryon.error_shapes`). Extra keyword arguments go to
    ``session.request``.
    """
    import requests

    from tryon.deadline import Deadline, DeadlineExceeded
    from tryon.errors import UnsafeURLError
    from tryon.urls import parse_url

    try:
        target = parse_url(url)
    except UnsafeURLError as exc:
        raise InvalidResponseError(f"will not call this URL: {exc.message}", provider=provider,
                                   model=model) from None
    if credentials:
        problem = credential_scope(target) if credential_scope is not None else "no host is allowed"
        if problem is not None:
            raise InvalidResponseError(problem, provider=provider, model=model)
        kwargs["headers"] = {**(kwargs.get("headers") or {}), **credentials}
        kwargs["allow_redirects"] = False
    if multipart is not None:
        clash = sorted(k for k in ("data", "files", "json") if kwargs.get(k) is not None)
        if clash:
            raise TypeError(f"send() takes multipart= or {'/'.join(clash)}=, not both")
        from tryon.multipart import encode

        kwargs["data"], content_type = encode(multipart)
        kwargs["headers"] = {**(kwargs.get("headers") or {}), "Content-Type": content_type}
    with Deadline(deadline, f"the call to {target.display}") as scope:
        try:
            response = session.request(method, target.url, timeout=timeout, **kwargs)
        except DeadlineExceeded as exc:
            raise ProviderTimeoutError(str(exc), provider=provider, model=model) from None
        except requests.RequestException as exc:
            if scope.expired:
                raise ProviderTimeoutError(scope.message(), provider=provider, model=model) from None
            if is_timeout(exc):
                raise ProviderTimeoutError(
                    f"no response in time (timeout={timeout}): {_describe(exc)}", provider=provider, model=model
                ) from None
            if isinstance(
                exc,
                requests.ConnectionError
                | requests.exceptions.ChunkedEncodingError
                | requests.exceptions.RetryError,
            ):
                raise ServiceUnavailableError(
                    f"cannot reach the provider: {_describe(exc)}", provider=provider, model=model
                ) from None
            raise ProviderError(f"HTTP request failed: {_describe(exc)}", provider=provider,
                                model=model) from None
        if scope.fired:  # a body cut short by the deadline can look complete (read until EOF)
            response.close()
            raise ProviderTimeoutError(scope.message(), provider=provider, model=model)
    if credentials and response.is_redirect:
        response.close()
        raise InvalidResponseError(
            f"the API answered HTTP {response.status_code} (a redirect); it is not followed so that the "
            "API key goes nowhere else", provider=provider, model=model, status=response.status_code)
    raise_for_response(response, provider=provider, model=model, read_error=read_error)
    return response

"""The FASHN prediction protocol: ``POST /v1/run``, poll ``GET /v1/status/{id}``, fetch the outputs.

HTTP goes through the core (:func:`tryon.http.send` on a shared session with urllib3 retries
honouring ``Retry-After``; :func:`tryon.polling.poll_until` for the wait; the key-free,
size-capped :class:`tryon.media.fetch.URLFetcher` for CDN outputs, from the hosts
:mod:`tryon.delivery` allows). What is FASHN's own lives here: the request envelope
(``model_name`` + ``inputs``), the status values, the structured ``error`` of a failed
prediction, the API-level error names (:func:`read_error`: ``OutOfCredits`` is a 429 that no retry cures) and the
``x-fashn-credits-used`` header that reports what a finished prediction cost.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from tryon import delivery
from tryon.deadline import Deadline
from tryon.error_shapes import ErrorAnswer, ErrorDetails
from tryon.errors import (
    ContentPolicyError,
    InvalidInputError,
    InvalidResponseError,
    PermissionDeniedError,
    ProviderError,
    ProviderRequestError,
    ProviderTimeoutError,
    ServiceUnavailableError,
)
from tryon.http import request_id_from, same_origin, send, shared_session
from tryon.polling import PollSchedule, poll_until

from .settings import PROVIDER, FashnSettings

if TYPE_CHECKING:
    import requests

__all__ = [
    "CREDITS_HEADER",
    "IN_PROGRESS",
    "FashnClient",
    "Prediction",
    "is_fashn_host",
    "read_error",
]

#: Statuses of a prediction still running (FASHN's API fundamentals page and the SDK's ``Literal``).
IN_PROGRESS = frozenset({"starting", "in_queue", "processing"})
COMPLETED = "completed"
#: Terminal statuses other than ``completed`` (the SDK's ``PredictionStatusResponse.status``).
FAILED, CANCELED, TIMED_OUT = "failed", "canceled", "time_out"
#: The header of the final status answer carrying the credits the prediction used (SDK ``CREDITS_USED_HEADER``).
CREDITS_HEADER = "x-fashn-credits-used"

#: ``error.name`` of a failed prediction -> (tryon error class, what to do).
_RUNTIME_ERRORS: Mapping[str, tuple[type[ProviderError], str]] = {
    "ImageLoadError": (ProviderRequestError, "FASHN could not load an input image: a URL must be public with a "
                                             "correct Content-Type; base64 needs its data:image/...;base64, prefix"),
    "ContentModerationError": (ContentPolicyError, "FASHN's moderation refused an input; for try-on, "
                                                   "moderation_level='permissive' or 'none' may apply"),
    "PoseError": (ProviderRequestError, "FASHN could not detect a body pose in the person or garment image"),
    "InputValidationError": (ProviderRequestError, "FASHN found the parameters invalid"),
    "PipelineError": (ServiceUnavailableError, "FASHN's pipeline failed (not charged); retry"),
    "ThirdPartyError": (ProviderRequestError, "a processor FASHN relies on refused the inputs; change them"),
    "3rdPartyProviderError": (ServiceUnavailableError, "a provider FASHN relies on failed; retry"),
    "InternalServerError": (ServiceUnavailableError, "FASHN failed internally; retry"),
    "PollingTimeout": (ProviderTimeoutError, "the prediction timed out at FASHN"),
}


def is_fashn_host(host: str) -> bool:
    """Whether *host* is FASHN's own (``fashn.ai`` or a subdomain such as its CDN)."""
    return host == "fashn.ai" or host.endswith(".fashn.ai")


@attrs.frozen
class Prediction:
    """A finished prediction: its id, the output images' bytes and the credits it used."""

    id: str
    images: tuple[bytes, ...] = attrs.field(repr=lambda v: f"<{len(v)} images>")
    credits: float | None
    answer: Mapping[str, Any] = attrs.field(repr=False)


class FashnClient:
    """Talks to one FASHN API origin for one model."""

    def __init__(self, settings: FashnSettings, model: str) -> None:
        self.settings = settings
        self.model = model
        self.base_url = settings.resolved_base_url()
        self._key = settings.resolved_key()  # MissingCredentialsError before anything is sent
        # Polls and downloads are retried; a submit (POST) is not re-sent after a 5xx: it could bill twice.
        self._session = shared_session(retries=settings.max_retries, headers={"Accept": "application/json"})

    def __repr__(self) -> str:
        return f"FashnClient({self.base_url!r}, model={self.model!r})"

    def _error(self, cls: type[ProviderError], message: str, prediction: str | None = None, *,
               status: int | None = None) -> ProviderError:
        return cls(message, provider=PROVIDER, model=self.model, request_id=prediction, status=status)

    def _json(self, response: requests.Response, what: str, prediction: str | None = None) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            raise self._error(InvalidResponseError, f"the {what} answer is not JSON", prediction) from None
        if not isinstance(data, dict):
            raise self._error(InvalidResponseError, f"the {what} answer is not a JSON object", prediction)
        return data

    def _call(self, method: str, url: str, prediction: str | None = None, **kwargs: Any) -> requests.Response:
        """One keyed call: the Bearer key goes only to the configured API origin, never along a redirect."""
        try:
            return send(self._session, method, url, provider=PROVIDER, model=self.model,
                        timeout=self.settings.timeout,
                        credentials={"Authorization": f"Bearer {self._key}"},
                        credential_scope=same_origin(self.base_url), read_error=read_error, **kwargs)
        except (InvalidResponseError, ProviderTimeoutError) as exc:
            if prediction is None or exc.request_id is not None:
                raise
            raise self._error(type(exc), exc.detail, prediction) from None

    # ------------------------------------------------------------------ the protocol

    def run(self, body: Mapping[str, Any]) -> Prediction:
        """Submit *body* (``{"model_name", "inputs"}``), wait for the prediction and fetch its outputs."""
        started = time.monotonic()
        with Deadline(self.settings.deadline, f"the {self.model} prediction"):  # bounds every HTTP call below
            prediction = self.submit(body)
            deadline = started + self.settings.deadline
            answer, credits = self.wait(prediction, deadline)
            images = self.outputs(prediction, answer, max(0.0, deadline - time.monotonic()))
            return Prediction(prediction, images, credits, answer)

    def submit(self, body: Mapping[str, Any]) -> str:
        """``POST /v1/run``: the prediction id."""
        response = self._call("POST", f"{self.base_url}/v1/run", json=dict(body))
        data = self._json(response, "run")
        error = data.get("error")
        if error:
            raise self._error(ProviderRequestError, f"FASHN did not start the prediction: {error}",
                              request_id_from(response.headers))
        prediction = data.get("id")
        if not isinstance(prediction, str) or not prediction:
            raise self._error(InvalidResponseError, "the run answer carries no prediction id")
        return prediction

    def wait(self, prediction: str, deadline: float) -> tuple[Mapping[str, Any], float | None]:
        """Poll ``/v1/status/{id}`` until ``completed`` (its answer and the credits used) or a failure."""
        from urllib.parse import quote

        s = self.settings
        url = f"{self.base_url}/v1/status/{quote(prediction, safe='')}"
        credits: list[float | None] = [None]

        def check() -> tuple[str, Mapping[str, Any] | None]:
            response = self._call("GET", url, prediction)
            answer = self._json(response, "status", prediction)
            status = answer.get("status")
            if not isinstance(status, str):
                raise self._error(InvalidResponseError, "the status answer carries no status", prediction)
            if status in IN_PROGRESS:
                return status, None
            credits[0] = _credits(response.headers.get(CREDITS_HEADER))
            if status == COMPLETED:
                return status, answer
            raise self._failure(status, answer, prediction)

        answer = poll_until(
            check,
            schedule=PollSchedule(s.poll_interval, s.max_poll_interval, s.poll_backoff),
            deadline=deadline,
            seconds=s.deadline,
            on_timeout=lambda message: self._error(ProviderTimeoutError, message, prediction),
            what="the prediction",
            provider=PROVIDER,
        )
        return answer, credits[0]

    def _failure(self, status: str, answer: Mapping[str, Any], prediction: str) -> ProviderError:
        error = answer.get("error")
        name = error.get("name") if isinstance(error, Mapping) else None
        said = error.get("message") if isinstance(error, Mapping) else error
        detail = f": {said}" if said else ""
        if status == CANCELED:
            return self._error(ProviderRequestError, f"the prediction was canceled{detail}", prediction)
        if status == TIMED_OUT:
            return self._error(ProviderTimeoutError, f"the prediction timed out at FASHN{detail}", prediction)
        if status != FAILED:
            return self._error(InvalidResponseError, f"unknown prediction status {status!r}", prediction)
        cls, advice = _RUNTIME_ERRORS.get(str(name), (ServiceUnavailableError, "the prediction failed"))
        return self._error(cls, f"{advice} ({name or 'no error name'}){detail}", prediction)

    def outputs(self, prediction: str, answer: Mapping[str, Any], seconds: float | None = None) -> tuple[bytes, ...]:
        """The output images: base64 data URLs decoded, CDN URLs fetched without the key, from an
        allowed host only, size-capped, within *seconds* (default: the whole ``deadline``)."""
        output = answer.get("output")
        if not isinstance(output, list) or not output or not all(isinstance(o, str) and o for o in output):
            raise self._error(InvalidResponseError, "the completed prediction carries no output images", prediction)
        return tuple(self._output(item, prediction, seconds) for item in output)

    def _output(self, item: str, prediction: str, seconds: float | None) -> bytes:
        s = self.settings
        if item.startswith("data:"):
            try:
                return delivery.decode_data_uri(item, s.max_result_bytes)
            except delivery.DataURIError as exc:
                raise self._error(InvalidResponseError, f"an output image {exc}", prediction) from None
        from tryon.media.fetch import URLFetcher

        problem = delivery.delivery_problem(item, self.base_url, s.delivery_hosts, known=is_fashn_host,
                                            provider="FASHN")
        if problem is not None:
            raise self._error(InvalidResponseError, problem, prediction)
        fetcher = URLFetcher(
            allowed_hosts=delivery.trusted_delivery_hosts(self.base_url, s.delivery_hosts),
            max_bytes=s.max_result_bytes,
            timeout=s.timeout,
            retries=s.max_retries,
            total_timeout=s.deadline if seconds is None else seconds,
        )
        try:
            data, _ = fetcher.fetch(item)
        except InvalidInputError as exc:
            raise self._error(
                InvalidResponseError,
                f"an output image could not be downloaded ({exc.message}); FASHN keeps CDN outputs 72 hours",
                prediction,
            ) from exc
        return data


def read_error(answer: ErrorAnswer) -> ErrorDetails | None:
    """FASHN's API-level error ``{"error": "<Name>", "message": "..."}``: the name is the code, and
    ``OutOfCredits`` (a 429 at FASHN) is a :class:`PermissionDeniedError`: waiting does not help."""
    body = answer.json
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        return None
    name, said = body["error"], body.get("message")
    message = f"{name}: {said}" if isinstance(said, str) and said else name
    if name == "OutOfCredits":
        return ErrorDetails(f"out of FASHN API credits ({message}); add credits to the account", code=name,
                            error=PermissionDeniedError)
    return ErrorDetails(message, code=name)


def _credits(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        credits = float(value.strip())
    except ValueError:
        return None
    return credits if credits >= 0 and credits == credits and credits != float("inf") else None

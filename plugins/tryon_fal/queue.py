"""fal's queue protocol: submit, poll the status, fetch the result, cancel.

The protocol (docs.fal.ai/model-endpoints/queue and fal.ai/docs/inference-api/queue, checked
2026-12-02; the same shapes as fal's own clients ``fal-client`` 1.0.3 and ``@fal-ai/client``):

* ``POST {queue}/{owner}/{app}[/{path}]`` with the input as JSON answers ``{"request_id",
  "status_url", "response_url", "cancel_url", ...}``;
* ``GET status_url[?logs=1]`` answers ``{"status": "IN_QUEUE", "queue_position"}``,
  ``{"status": "IN_PROGRESS", "logs"}`` or ``{"status": "COMPLETED", "logs", "metrics",
  "error"?, "error_type"?}``;
* ``GET response_url`` answers the endpoint's output (or the model's error, e.g. 422 with a
  ``detail`` list);
* ``PUT cancel_url`` cancels a queued request and asks a running one to stop.

HTTP goes through the core (:func:`tryon.http.send`: one strict URL parse, the key only to the
queue origin, never along a redirect, overall deadlines, urllib3 retries of idempotent calls).
A submit (POST) is not re-sent after a 5xx: it could be billed twice. When the deadline passes or
the awaiting task is cancelled, the request is cancelled on fal before the error is raised.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from tryon import cancel, observe
from tryon.deadline import Deadline
from tryon.errors import InvalidResponseError, ProviderError, ProviderRequestError, ProviderTimeoutError
from tryon.http import send, shared_session

from .errors import read_error
from .hosts import queue_url_problem
from .settings import PROVIDER, FalSettings

if TYPE_CHECKING:
    import requests

__all__ = ["COMPLETED", "IN_PROGRESS", "IN_QUEUE", "FalQueueClient", "QueuedRequest", "poll_delays"]

log = logging.getLogger("tryon_fal")

IN_QUEUE, IN_PROGRESS, COMPLETED = "IN_QUEUE", "IN_PROGRESS", "COMPLETED"
_CANCELLED = frozenset({"CANCELLED", "CANCELED", "CANCELLATION_REQUESTED"})
_CANCEL_SECONDS = 5.0


def poll_delays(first: float, maximum: float, factor: float) -> Iterator[float]:
    """The waits between status polls: *first*, growing by *factor*, capped at *maximum*."""
    delay = min(first, maximum)
    while True:
        yield delay
        delay = min(delay * factor, maximum)


@attrs.frozen
class QueuedRequest:
    """A submitted request: its id and the three URLs fal returned for it."""

    id: str
    status_url: str
    response_url: str
    cancel_url: str


def app_of(path: str) -> str:
    """``owner/app`` of an endpoint path (``fal-ai/flux/dev`` -> ``fal-ai/flux``): status, result
    and cancel URLs leave the endpoint's sub-path out."""
    parts = path.strip("/").split("/")
    return "/".join(parts[:2])


class FalQueueClient:
    """Talks to one fal queue origin for one model."""

    def __init__(self, settings: FalSettings, model: str, *, provider: str = PROVIDER) -> None:
        self.provider = provider
        self.settings = settings
        self.model = model
        self.base_url = settings.resolved_base_url()
        self._key = settings.resolved_key()  # MissingCredentialsError before anything is sent
        self._session = shared_session(retries=settings.max_retries, headers={"Accept": "application/json"})
        self.polls = 0
        self.logs: list[Mapping[str, Any]] = []

    def __repr__(self) -> str:
        return f"FalQueueClient({self.base_url!r}, model={self.model!r})"

    # ------------------------------------------------------------------ one keyed call

    def _call(self, method: str, url: str, what: str, request_id: str | None = None,
              **kwargs: Any) -> requests.Response:
        base = self.base_url
        timeout = kwargs.pop("timeout", self.settings.timeout)
        try:
            return send(self._session, method, url, provider=self.provider, model=self.model, timeout=timeout,
                        credentials={"Authorization": f"Key {self._key}"},
                        credential_scope=lambda target: queue_url_problem(target.url, base, what),
                        read_error=read_error, **kwargs)
        except ProviderError as exc:
            if request_id is None or exc.request_id is not None:
                raise
            raise type(exc)(exc.detail, provider=self.provider, model=self.model, status=exc.status,
                            request_id=request_id, retryable=exc.retryable) from None

    def _json(self, response: requests.Response, what: str, request_id: str | None = None) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            raise InvalidResponseError(f"the {what} answer is not JSON", provider=self.provider, model=self.model,
                                       status=response.status_code, request_id=request_id) from None
        if not isinstance(data, dict):
            raise InvalidResponseError(f"the {what} answer is not a JSON object", provider=self.provider,
                                       model=self.model, status=response.status_code, request_id=request_id)
        return data

    def _invalid(self, message: str, request_id: str | None = None) -> InvalidResponseError:
        return InvalidResponseError(message, provider=self.provider, model=self.model, request_id=request_id)

    # ------------------------------------------------------------------ the protocol

    def run(self, path: str, body: Mapping[str, Any]) -> tuple[QueuedRequest, dict[str, Any]]:
        """Submit *body* to endpoint *path*, wait for it and return its output (within ``deadline``).

        When the deadline passes or the request is cancelled while it waits, it is cancelled on fal
        (outside the spent deadline: in a fresh context with its own few seconds)."""
        started = time.monotonic()
        queued: QueuedRequest | None = None
        try:
            with Deadline(self.settings.deadline, f"the {self.model} request"):  # bounds every call below
                queued = self.submit(path, body)
                self.wait(queued, started + self.settings.deadline)
                return queued, self.result(queued)
        except ProviderTimeoutError as exc:
            if queued is None or exc.status is not None:  # a timeout fal reported: nothing left to stop
                raise
            done = contextvars.Context().run(self.cancel, queued)
            said = "the request was cancelled on fal" if done else "cancelling it on fal failed"
            raise ProviderTimeoutError(f"{exc.detail}; {said}", provider=self.provider, model=self.model,
                                       request_id=queued.id) from None
        except (cancel.CallCancelled, KeyboardInterrupt):
            if queued is not None:
                contextvars.Context().run(self.cancel, queued)
            raise

    def submit(self, path: str, body: Mapping[str, Any]) -> QueuedRequest:
        """``POST {queue}/{path}``: the request id and its status, response and cancel URLs."""
        response = self._call("POST", f"{self.base_url}/{path.strip('/')}", "submit", json=dict(body))
        data = self._json(response, "submit")
        request_id = data.get("request_id")
        if not isinstance(request_id, str) or not request_id:
            raise self._invalid("the submit answer carries no request_id")
        # fal returns the URLs to use; when one is missing, it is the documented path on the queue origin
        base = f"{self.base_url}/{app_of(path)}/requests/{request_id}"
        urls = {}
        for name, default in (("status_url", f"{base}/status"), ("response_url", base),
                              ("cancel_url", f"{base}/cancel")):
            value = data.get(name)
            url = value if isinstance(value, str) and value else default
            problem = queue_url_problem(url, self.base_url, name.removesuffix("_url"))
            if problem is not None:
                raise self._invalid(problem, request_id)
            urls[name] = url
        return QueuedRequest(request_id, **urls)

    def status(self, queued: QueuedRequest) -> dict[str, Any]:
        """One ``GET status_url`` (with ``logs=1`` when the ``logs`` setting is on)."""
        params = {"logs": "1"} if self.settings.logs else None
        answer = self._json(self._call("GET", queued.status_url, "status", queued.id, params=params),
                            "status", queued.id)
        self.polls += 1
        logs = answer.get("logs")
        if isinstance(logs, list) and len(logs) > len(self.logs):
            for entry in logs[len(self.logs):]:
                if isinstance(entry, Mapping):
                    log.info("fal %s %s: %s", self.model, queued.id, str(entry.get("message", ""))[:500])
            self.logs = [e for e in logs if isinstance(e, Mapping)]
        return answer

    def wait(self, queued: QueuedRequest, deadline: float) -> dict[str, Any]:
        """Poll until the request is ``COMPLETED`` (its last status answer), with backoff, up to *deadline*."""
        s = self.settings
        delays = poll_delays(s.poll_interval, s.max_poll_interval, s.poll_backoff)
        started = time.monotonic()
        while True:
            answer = self.status(queued)
            status = answer.get("status")
            if not isinstance(status, str):
                raise self._invalid("the status answer carries no status", queued.id)
            observe.polled(PROVIDER, status, self.polls, time.monotonic() - started)  # a span event when traced
            if status == COMPLETED:
                return answer
            if status in _CANCELLED:
                raise ProviderRequestError(f"the request was cancelled on fal ({status})", provider=self.provider,
                                           model=self.model, request_id=queued.id)
            if status not in (IN_QUEUE, IN_PROGRESS):
                raise self._invalid(f"the status answer has an unknown status {status[:40]!r}", queued.id)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                position = answer.get("queue_position")
                where = f", queue position {position}" if isinstance(position, int) else ""
                raise ProviderTimeoutError(
                    f"the request did not finish within {s.deadline:g}s (last status {status}{where} after "
                    f"{self.polls} polls)", provider=self.provider, model=self.model,
                    request_id=queued.id)
            cancel.sleep(min(next(delays), remaining))  # wakes up and gives up if the request was cancelled

    def result(self, queued: QueuedRequest) -> dict[str, Any]:
        """``GET response_url``: the endpoint's output (a failed request raises its typed error)."""
        return self._json(self._call("GET", queued.response_url, "result", queued.id), "result", queued.id)

    def cancel(self, queued: QueuedRequest) -> bool:
        """``PUT cancel_url``, best effort and briefly: whether fal accepted it (a failure is logged)."""
        try:
            with Deadline(_CANCEL_SECONDS, f"cancelling {queued.id}"):
                self._call("PUT", queued.cancel_url, "cancel", queued.id, timeout=(3.0, _CANCEL_SECONDS))
        except ProviderError as exc:
            log.warning("fal %s: could not cancel request %s: %s", self.model, queued.id, exc.detail)
            return False
        log.info("fal %s: cancelled request %s", self.model, queued.id)
        return True

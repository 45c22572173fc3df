"""The BFL task protocol: submit a JSON body, poll the task, download the result.

HTTP goes through the core (:mod:`tryon.http` sessions with urllib3 retries honouring
``Retry-After``; :class:`tryon.media.fetch.URLFetcher` for the key-free, size-capped result
download); this module adds only what is BFL's own: task statuses, the polling schedule
with its deadline, and the host rules of :mod:`.hosts`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from tryon.deadline import Deadline
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
from tryon.http import send, shared_session
from tryon.polling import PollSchedule, poll_delays, poll_until

from .hosts import delivery_problem, polling_problem, trusted_delivery_hosts
from .settings import PROVIDER, BFLSettings

if TYPE_CHECKING:
    import requests

__all__ = ["READY", "BFLClient", "Task", "TaskResult", "poll_delays"]

READY = "Ready"
MODERATED = frozenset({"Request Moderated", "Content Moderated"})
FAILED = frozenset({"Error", "Failed"})
NOT_FOUND = "Task not found"
#: Statuses known to mean "still running"; any other unknown status is treated the same way.
IN_PROGRESS = frozenset({"Pending", "Processing", "Queued", "Generating", "Reasoning"})



@attrs.frozen
class Task:
    """A submitted task: its id, where to poll it, and what the submit answer said it costs."""

    id: str
    polling_url: str
    cost_credits: float | None


@attrs.frozen
class TaskResult:
    """A finished task: the image bytes, the seed used and the final poll answer."""

    data: bytes
    seed: int | None
    answer: Mapping[str, Any]


class BFLClient:
    """Talks to one BFL API origin for one model."""

    def __init__(self, settings: BFLSettings, model: str, endpoint: str | None = None) -> None:
        self.settings = settings
        self.model = model
        self.endpoint = endpoint or f"/v1/{model}"
        self.base_url = settings.resolved_base_url()
        self._key = settings.resolved_key()  # MissingCredentialsError before anything is sent
        # Polls and downloads are retried; a submit (POST) is not re-sent after a 5xx: it could bill twice.
        self._session = shared_session(retries=settings.max_retries, headers={"Accept": "application/json"})

    def __repr__(self) -> str:
        return f"BFLClient({self.base_url!r}, model={self.model!r})"

    def _error(self, cls: type[ProviderError], message: str, task: str | None = None) -> ProviderError:
        return cls(message, provider=PROVIDER, model=self.model, request_id=task)

    def _json(self, response: requests.Response, what: str, task: str | None = None) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            raise self._error(InvalidResponseError, f"the {what} answer is not JSON", task) from None
        if not isinstance(data, dict):
            raise self._error(InvalidResponseError, f"the {what} answer is not a JSON object", task)
        return data

    def _call(self, method: str, url: str, task: str | None = None, **kwargs: Any) -> requests.Response:
        """One keyed call: the key goes only where :func:`.hosts.polling_problem` allows, never
        along a redirect (the core's :func:`tryon.http.send` enforces both on its one parse)."""
        base = self.base_url
        try:
            return send(
                self._session,
                method,
                url,
                provider=PROVIDER,
                model=self.model,
                timeout=self.settings.timeout,
                credentials={"x-key": self._key},
                credential_scope=lambda target: polling_problem(target.url, base),
                **kwargs,
            )
        except PermissionDeniedError as exc:
            if exc.status != 402:
                raise
            raise PermissionDeniedError(
                f"insufficient BFL credits: {exc.message}; add credits to the account",
                provider=PROVIDER,
                model=self.model,
                status=402,
                request_id=exc.request_id,
            ) from None
        except (InvalidResponseError, ProviderTimeoutError) as exc:
            if task is None or exc.request_id is not None:
                raise
            raise self._error(type(exc), exc.detail, task) from None

    # ------------------------------------------------------------------ the protocol

    def run(self, body: Mapping[str, Any]) -> tuple[Task, TaskResult]:
        """Submit *body*, wait for the task and download its image."""
        started = time.monotonic()
        with Deadline(self.settings.deadline, f"the {self.model} task"):  # bounds every HTTP call below
            task = self.submit(body)
            deadline = started + self.settings.deadline
            answer = self.wait(task, deadline)
            return task, self.download(task, answer, max(0.0, deadline - time.monotonic()))

    def submit(self, body: Mapping[str, Any]) -> Task:
        """``POST /v1/<model>``: the task id, its polling URL and its cost in credits."""
        response = self._call("POST", f"{self.base_url}{self.endpoint}", json=dict(body))
        data = self._json(response, "submit")
        task_id, polling_url = data.get("id"), data.get("polling_url")
        if not isinstance(task_id, str) or not task_id:
            raise self._error(InvalidResponseError, "the submit answer carries no task id")
        if not isinstance(polling_url, str) or not polling_url:
            polling_url = f"{self.base_url}/v1/get_result?id={task_id}"
        problem = polling_problem(polling_url, self.base_url)
        if problem is not None:
            raise self._error(InvalidResponseError, problem, task_id)
        cost = data.get("cost")
        credits = float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else None
        return Task(task_id, polling_url, credits)

    def wait(self, task: Task, deadline: float) -> Mapping[str, Any]:
        """Poll until the task is ``Ready`` (its answer) or fails, with backoff, up to *deadline*."""
        s = self.settings

        def check() -> tuple[str, Mapping[str, Any] | None]:
            answer = self._json(self._call("GET", task.polling_url, task.id), "polling", task.id)
            status = answer.get("status")
            if not isinstance(status, str):
                raise self._error(InvalidResponseError, "the polling answer carries no status", task.id)
            if status == READY:
                return status, answer
            self._raise_for_status(status, answer, task)
            return status, None

        return poll_until(
            check,
            schedule=PollSchedule(s.poll_interval, s.max_poll_interval, s.poll_backoff),
            deadline=deadline,
            seconds=s.deadline,
            on_timeout=lambda message: self._error(ProviderTimeoutError, message, task.id),
            what="the task",
            provider=PROVIDER,
        )

    def _raise_for_status(self, status: str, answer: Mapping[str, Any], task: Task) -> None:
        details = answer.get("details")
        said = f": {details}" if details else ""
        if status in MODERATED:
            raise self._error(
                ContentPolicyError, f"the task was refused by BFL's moderation ({status}){said}", task.id
            )
        if status in FAILED:
            # BFL reports worker faults this way; another try (or another provider) may well succeed
            raise self._error(ServiceUnavailableError, f"the task failed ({status}){said}", task.id)
        if status == NOT_FOUND:
            raise self._error(
                ProviderRequestError,
                "BFL does not know this task (Task not found); it may "
                "have expired or been submitted to another region",
                task.id,
            )

    def download(self, task: Task, answer: Mapping[str, Any], seconds: float | None = None) -> TaskResult:
        """Fetch ``result.sample`` without the key, from an allowed host only, size-capped, within
        *seconds* (default: the whole ``deadline``)."""
        from tryon.media.fetch import URLFetcher

        result = answer.get("result")
        sample = result.get("sample") if isinstance(result, Mapping) else None
        if not isinstance(sample, str) or not sample:
            raise self._error(InvalidResponseError, "the finished task carries no result image URL", task.id)
        s = self.settings
        problem = delivery_problem(sample, self.base_url, s.delivery_hosts)
        if problem is not None:
            raise self._error(InvalidResponseError, problem, task.id)
        fetcher = URLFetcher(
            allowed_hosts=trusted_delivery_hosts(self.base_url, s.delivery_hosts),
            max_bytes=s.max_result_bytes,
            timeout=s.timeout,
            retries=s.max_retries,
            total_timeout=s.deadline if seconds is None else seconds,
        )
        try:
            data, _ = fetcher.fetch(sample)
        except InvalidInputError as exc:
            raise self._error(
                InvalidResponseError,
                f"the result image could not be downloaded ({exc.message}); "
                "BFL result URLs expire 10 minutes after the task is ready",
                task.id,
            ) from exc
        seed = result.get("seed") if isinstance(result, Mapping) else None
        return TaskResult(
            data, seed if isinstance(seed, int) and not isinstance(seed, bool) else None, answer
        )

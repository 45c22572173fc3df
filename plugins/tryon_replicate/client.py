"""The Replicate predictions protocol: create (``Prefer: wait``), poll ``urls.get``, cancel, download.

HTTP goes through the core (:func:`tryon.http.send` with the token scoped to the API origin,
:class:`tryon.media.fetch.URLFetcher` for the token-free, size-capped output download); this
module adds only what is Replicate's own: prediction statuses, the wait-then-poll schedule with
its deadline and cancellation, and the output shapes (a URL, a list of URLs, data URIs).
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from tryon import cancel, observe
from tryon.deadline import Deadline
from tryon.errors import (
    ContentPolicyError,
    InvalidInputError,
    InvalidResponseError,
    ProviderError,
    ProviderRequestError,
    ProviderTimeoutError,
)
from tryon.http import same_origin, send, shared_session

from .hosts import delivery_problem, trusted_delivery_hosts
from .settings import PROVIDER, ReplicateSettings

if TYPE_CHECKING:
    import requests

log = logging.getLogger("tryon_replicate")

__all__ = ["DONE", "RUNNING", "Prediction", "ReplicateClient", "output_urls"]

RUNNING = frozenset({"starting", "processing"})
DONE = frozenset({"succeeded", "failed", "canceled"})
#: The phrases of a failed prediction's error that mean the safety checker refused it: the cog
#: safety checkers' "NSFW content detected" (replicate/cog-stable-diffusion predict.py,
#: replicate/cog-flux #7) and Replicate's E005 "flagged as sensitive"; matched as phrases, so
#: that an input error naming ``safety_tolerance`` or ``disable_safety_checker`` is not taken for one.
_MODERATION = re.compile(r"\bnsfw content detected\b|\bflagged as sensitive\b|\(E005\)|\bcontent policy violation\b",
                         re.IGNORECASE)


@attrs.frozen
class Prediction:
    """A finished prediction: its id, the output images' bytes and the last answer."""

    id: str
    images: tuple[bytes, ...]
    answer: Mapping[str, Any]
    polls: int = 0


def output_urls(output: Any) -> list[str] | None:
    """The image URLs of a prediction's ``output``: one URL or a list of URLs (``None``: neither)."""
    if isinstance(output, str) and output:
        return [output]
    if isinstance(output, list) and output and all(isinstance(u, str) and u for u in output):
        return list(output)
    return None


class ReplicateClient:
    """Runs predictions of one model on one Replicate API origin.

    *model* is ``owner/name`` (an official model: ``POST /v1/models/{owner}/{name}/predictions``);
    with *version*, a version of any model is run (``POST /v1/predictions``).
    """

    def __init__(self, settings: ReplicateSettings, model: str, *, version: str | None = None,
                 tryon_model: str | None = None) -> None:
        self.settings = settings
        self.model = model
        self.version = version
        self.tryon_model = tryon_model or model
        self.base_url = settings.resolved_base_url()
        self._key = settings.resolved_key()  # MissingCredentialsError before anything is sent
        # Polls and downloads are retried; a create (POST) is never re-sent after a failure: it could bill twice.
        self._session = shared_session(retries=settings.max_retries, headers={"Accept": "application/json"})

    def __repr__(self) -> str:
        return f"ReplicateClient({self.base_url!r}, model={self.model!r})"

    def _error(self, cls: type[ProviderError], message: str, prediction: str | None = None) -> ProviderError:
        return cls(message, provider=PROVIDER, model=self.tryon_model, request_id=prediction)

    def _call(self, method: str, url: str, prediction: str | None = None, *,
              read_timeout: float | None = None, **kwargs: Any) -> requests.Response:
        """One call with the token, to the API origin only (the core refuses anything else)."""
        timeout = self.settings.timeout
        if read_timeout is not None:
            connect = timeout[0] if isinstance(timeout, tuple) else timeout
            timeout = (connect, read_timeout)
        try:
            return send(self._session, method, url, provider=PROVIDER, model=self.tryon_model, timeout=timeout,
                        credentials={"Authorization": f"Bearer {self._key}"},
                        credential_scope=same_origin(self.base_url), **kwargs)
        except (InvalidResponseError, ProviderTimeoutError) as exc:
            if prediction is None or exc.request_id is not None:
                raise
            raise self._error(type(exc), exc.detail, prediction) from None

    def _json(self, response: requests.Response, what: str, prediction: str | None = None) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            raise self._error(InvalidResponseError, f"the {what} answer is not JSON", prediction) from None
        if not isinstance(data, dict):
            raise self._error(InvalidResponseError, f"the {what} answer is not a JSON object", prediction)
        return data

    # ------------------------------------------------------------------ the protocol

    def run(self, model_input: Mapping[str, Any]) -> Prediction:
        """Create a prediction, wait for it (``Prefer: wait``, then polling) and download its outputs.

        A prediction still running when the deadline passes, or when the caller cancels the
        request, is cancelled through ``urls.cancel`` so that it stops costing money.
        """
        deadline = time.monotonic() + self.settings.deadline
        answer: dict[str, Any] = {}
        prediction: str | None = None
        try:
            with Deadline(self.settings.deadline, f"the {self.tryon_model} prediction"):
                answer = self.create(model_input, deadline)
                prediction = self._id(answer)
                polls = 0
                while answer.get("status") in RUNNING:
                    answer, polls = self._poll(answer, prediction, deadline, polls)
                self._raise_for_status(answer, prediction)
                images = self.download(answer, prediction, max(0.0, deadline - time.monotonic()))
                return Prediction(prediction, images, answer, polls)
        except ProviderTimeoutError as exc:
            if prediction is None or answer.get("status") not in RUNNING:
                raise
            # outside the expired deadline (a fresh context): stop paying for it, and say whether it stopped
            done = contextvars.Context().run(self.cancel, answer, prediction)
            said = ("the prediction was cancelled on Replicate" if done
                    else "cancelling it on Replicate failed: it may still run and be billed")
            raise self._error(ProviderTimeoutError, f"{exc.detail}; {said}", prediction) from None
        except BaseException:
            if prediction is not None and answer.get("status") in RUNNING:
                contextvars.Context().run(self.cancel, answer, prediction)  # stop paying for it
            raise

    def create(self, model_input: Mapping[str, Any], deadline: float) -> dict[str, Any]:
        """``POST`` the prediction with ``Prefer: wait=N`` (N within the deadline); its first answer."""
        wait = int(min(self.settings.wait, max(0.0, deadline - time.monotonic() - 1)))
        headers = {"Prefer": f"wait={wait}"} if wait >= 1 else {}
        body: dict[str, Any] = {"input": dict(model_input)}
        if self.version is not None:
            body["version"] = self.version
            url = f"{self.base_url}/v1/predictions"
        else:
            owner, _, name = self.model.partition("/")
            url = f"{self.base_url}/v1/models/{owner}/{name}/predictions"
        read = self.settings.timeout[1] if isinstance(self.settings.timeout, tuple) else self.settings.timeout
        response = self._call("POST", url, json=body, headers=headers, read_timeout=max(read, wait + 5.0))
        return self._json(response, "create")

    def _id(self, answer: Mapping[str, Any]) -> str:
        prediction = answer.get("id")
        if not isinstance(prediction, str) or not prediction:
            raise self._error(InvalidResponseError, "the create answer carries no prediction id")
        status = answer.get("status")
        if status not in RUNNING | DONE:
            raise self._error(InvalidResponseError, f"the prediction has an unknown status {status!r}", prediction)
        return prediction

    def _url(self, answer: Mapping[str, Any], name: str, prediction: str) -> str:
        urls = answer.get("urls")
        url = urls.get(name) if isinstance(urls, Mapping) else None
        if isinstance(url, str) and url:
            return url
        return f"{self.base_url}/v1/predictions/{prediction}" + ("/cancel" if name == "cancel" else "")

    def _poll(self, answer: Mapping[str, Any], prediction: str, deadline: float,
              polls: int) -> tuple[dict[str, Any], int]:
        s = self.settings
        delay = min(s.poll_interval * s.poll_backoff ** polls, s.max_poll_interval)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._error(ProviderTimeoutError,
                              f"the prediction did not finish within {s.deadline:g}s (last status "
                              f"{answer.get('status')!r} after {polls} polls)", prediction)
        cancel.sleep(min(delay, remaining))  # wakes up and gives up if the request was cancelled
        fresh = self._json(self._call("GET", self._url(answer, "get", prediction), prediction), "poll", prediction)
        observe.polled(PROVIDER, str(fresh.get("status")), polls + 1,  # a span event when traced
                       time.monotonic() - (deadline - s.deadline))
        if fresh.get("status") not in RUNNING | DONE:
            raise self._error(InvalidResponseError, f"the prediction has an unknown status "
                              f"{fresh.get('status')!r}", prediction)
        return fresh, polls + 1

    def cancel(self, answer: Mapping[str, Any], prediction: str) -> bool:
        """``POST urls.cancel``; whether Replicate took it (a failure is logged, never raised: the
        caller's error is what matters)."""
        try:
            self._call("POST", self._url(answer, "cancel", prediction), prediction, deadline=10.0)
        except Exception as exc:  # best effort: the original error is raised, this one is reported
            log.warning("cancelling Replicate prediction %s failed: %s", prediction,
                        getattr(exc, "message", None) or type(exc).__name__)
            return False
        return True

    def _raise_for_status(self, answer: Mapping[str, Any], prediction: str) -> None:
        status = answer.get("status")
        if status == "succeeded":
            return
        error = answer.get("error")
        said = f": {error}" if isinstance(error, str) and error else ""
        if status == "canceled":
            raise self._error(ProviderRequestError, "the prediction was canceled" + said, prediction)
        if said and _MODERATION.search(said):
            raise self._error(ContentPolicyError, f"the prediction was refused by the model's safety checker{said}",
                              prediction)
        raise self._error(ProviderRequestError, f"the prediction failed{said}", prediction)

    def download(self, answer: Mapping[str, Any], prediction: str, seconds: float | None = None) -> tuple[bytes, ...]:
        """Every output image, at once (Replicate deletes outputs an hour after the prediction):
        data URIs decoded, URLs fetched without the token from allowed hosts, size-capped."""
        from tryon.media.fetch import URLFetcher

        urls = output_urls(answer.get("output"))
        if urls is None:
            raise self._error(InvalidResponseError, "the finished prediction's output is not an image URL "
                              f"or a list of image URLs ({type(answer.get('output')).__name__})", prediction)
        s = self.settings
        fetcher: URLFetcher | None = None
        images = []
        for number, url in enumerate(urls, start=1):
            if url.startswith("data:"):
                images.append(self._decode(url, number, prediction))
                continue
            problem = delivery_problem(url, self.base_url, s.delivery_hosts)
            if problem is not None:
                raise self._error(InvalidResponseError, problem, prediction)
            if fetcher is None:
                fetcher = URLFetcher(allowed_hosts=trusted_delivery_hosts(self.base_url, s.delivery_hosts),
                                     max_bytes=s.max_result_bytes, timeout=s.timeout, retries=s.max_retries,
                                     total_timeout=s.deadline if seconds is None else seconds)
            try:
                data, _ = fetcher.fetch(url)
            except InvalidInputError as exc:
                raise self._error(InvalidResponseError, f"output {number} could not be downloaded ({exc.message}); "
                                  "Replicate deletes outputs an hour after the prediction", prediction) from exc
            images.append(data)
        return tuple(images)

    def _decode(self, url: str, number: int, prediction: str) -> bytes:
        from tryon.delivery import DataURIError, decode_data_uri

        try:
            return decode_data_uri(url, self.settings.max_result_bytes)
        except DataURIError as exc:
            raise self._error(InvalidResponseError, f"output {number} {exc}", prediction) from None

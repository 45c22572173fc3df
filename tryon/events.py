"""Typed events of what tryon does, and a small registry of callbacks that receive them.

Subscribe a callback to some (or all) event types; tryon calls it, in the thread that did the
work, as things happen::

    from tryon import events

    def show(event: events.CallFinished) -> None:
        print(event.model, event.elapsed_s, event.cost_usd)

    with events.subscribed(show, events.CallFinished):
        tryon.generate("a lighthouse", model="gpt-image-1", n=4)

Events are frozen attrs classes (:class:`Event` and its subclasses below). They carry facts
and summaries, never image bytes or keys: an image is an :class:`ImageSummary` (media type,
size, byte count, a SHA-256 computed only when read). ``RequestStarted``/``RequestChecked``
carry the prompt because they are delivered in-process to the application's own code; the
log and OpenTelemetry bridges never export it unless the user opts in.

Correlation: every event of one router call has the same ``request_id``; the events of one
provider call share a ``call_id``; a batch run's events share a ``batch_id`` and each job has a
``job_id``. A callback that raises is logged (``tryon.events``) and never breaks the call.
Plugins may emit events of their own kind (subclass :class:`Event`) with :func:`emit`.
With no subscriber, no enabled ``tryon`` logger and no OpenTelemetry, emitting costs one check.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

if TYPE_CHECKING:
    from tryon.notice import Notice
    from tryon.request import Request
    from tryon.results import Estimate, GeneratedImage, Generation, Usage

__all__ = [
    "BatchFinished",
    "BatchMessage",
    "BatchProgress",
    "BatchStarted",
    "CallFinished",
    "CallStarted",
    "Event",
    "Fallback",
    "ImageSaved",
    "ImageSummary",
    "JobFinished",
    "JobStarted",
    "Polled",
    "RequestChecked",
    "RequestFinished",
    "RequestStarted",
    "Retry",
    "Subscription",
    "emit",
    "listening",
    "subscribe",
    "subscribed",
    "unsubscribe",
]

E = TypeVar("E", bound="Event")
Callback = Callable[[Any], None]
_log = logging.getLogger("tryon.events")


class ImageSummary:
    """What events, logs and spans say about an image: never its bytes.

    ``sha256`` is computed on first read (so an unread summary costs nothing).
    """

    __slots__ = ("_data", "_digest", "byte_count", "height", "media_type", "width")

    def __init__(self, data: bytes, media_type: str, width: int, height: int) -> None:
        self._data: bytes | None = data
        self._digest: str | None = None
        self.media_type = media_type
        self.width = width
        self.height = height
        self.byte_count = len(data)

    @classmethod
    def of(cls, image: GeneratedImage) -> ImageSummary:
        return cls(image.data, image.media_type, image.width, image.height)

    @property
    def sha256(self) -> str:
        if self._digest is None:
            self._digest = hashlib.sha256(self._data or b"").hexdigest()
            self._data = None  # the bytes are not kept once hashed
        return self._digest

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"

    def to_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "media_type": self.media_type, "size": self.size, "bytes": self.byte_count}

    def __repr__(self) -> str:
        return f"ImageSummary({self.media_type}, {self.size}, {self.byte_count} bytes)"

    def __reduce__(self) -> Any:  # pickles as its summary, never the bytes
        return _summary_from, (self.sha256, self.media_type, self.width, self.height, self.byte_count)


def _summary_from(digest: str, media_type: str, width: int, height: int, byte_count: int) -> ImageSummary:
    summary = ImageSummary(b"", media_type, width, height)
    summary._data, summary._digest, summary.byte_count = None, digest, byte_count
    return summary


def _now() -> float:
    return time.time()


@attrs.frozen(kw_only=True)
class Event:
    """The base of every event: ``at`` is the wall-clock time (``time.time()``) it happened."""

    at: float = attrs.field(factory=_now)

    #: The ``tryon.events`` log level of this kind of event.
    level = logging.DEBUG
    #: A short, stable name (``"call.finished"``), used by logs and spans.
    name = "event"


@attrs.frozen(kw_only=True)
class RequestStarted(Event):
    """A router call began (``generate``, ``edit``, their async forms, or another operation)."""

    name = "request.started"
    request_id: str
    operation: str
    models: tuple[str, ...]
    prompt: str = attrs.field(repr=False)
    batch_id: str | None = None
    job_id: str | None = None


@attrs.frozen(kw_only=True)
class RequestChecked(Event):
    """A request passed every local check for *model* and is about to be sent."""

    name = "request.checked"
    request_id: str
    model: str
    provider: str
    operation: str
    request: Request = attrs.field(repr=False)
    notices: tuple[Notice, ...] = ()
    generator: Any = attrs.field(default=None, repr=False, eq=False)

    @property
    def n(self) -> int:
        return int(getattr(self.request, "n", 1) or 1)

    @property
    def size(self) -> str | None:
        return getattr(self.request, "size", None)

    def estimate(self) -> Estimate | None:
        """The request's estimate (computed when asked; ``None`` when it cannot be made)."""
        from tryon import pricing

        try:
            return pricing.estimate_for(self.generator, self.request)
        except Exception:  # an estimate is never worth failing the call for
            return None


@attrs.frozen(kw_only=True)
class Fallback(Event):
    """A preference list moved on from *from_model* (skipped or failed) to *to_model*."""

    name = "fallback"
    level = logging.INFO
    request_id: str
    from_model: str
    to_model: str
    reason: str
    error_type: str | None = None
    sent: bool = False  # True when from_model was called and failed; False when it was skipped unsent


@attrs.frozen(kw_only=True)
class CallStarted(Event):
    """One provider call began (``index`` of ``calls`` when ``n`` was fanned out)."""

    name = "call.started"
    request_id: str | None
    call_id: str
    model: str
    provider: str
    operation: str
    n: int
    index: int = 0
    calls: int = 1


@attrs.frozen(kw_only=True)
class CallFinished(Event):
    """One provider call ended: its images (summaries), usage and cost, or its error."""

    name = "call.finished"
    request_id: str | None
    call_id: str
    model: str
    provider: str
    operation: str
    n: int
    elapsed_s: float
    images: tuple[ImageSummary, ...] = ()
    usage: Usage | None = None
    cost_usd: float | None = None
    provider_request_ids: tuple[str, ...] = ()
    error: BaseException | None = attrs.field(default=None, eq=False)
    index: int = 0
    calls: int = 1
    retries: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


@attrs.frozen(kw_only=True)
class Retry(Event):
    """A call is retried: by the HTTP layer or an SDK (``source="http"``/``"sdk"``) or a batch job."""

    name = "retry"
    level = logging.INFO
    request_id: str | None
    call_id: str | None
    attempt: int  # the attempt about to be made (2 = the first retry)
    reason: str
    status: int | None = None
    wait_s: float | None = None
    source: str = "http"
    job_id: str | None = None


@attrs.frozen(kw_only=True)
class Polled(Event):
    """A plugin polled a provider task (FLUX and other queue APIs) and got *status*."""

    name = "poll"
    request_id: str | None
    call_id: str | None
    provider: str
    status: str
    attempt: int
    elapsed_s: float


@attrs.frozen(kw_only=True)
class RequestFinished(Event):
    """A router call ended: with *result* (the final :class:`~tryon.results.Generation`) or *error*.

    A :class:`~tryon.errors.PartialResultError` has both: the images kept and the error.
    """

    name = "request.finished"
    request_id: str
    operation: str
    elapsed_s: float
    result: Generation | None = attrs.field(default=None, repr=False)
    error: BaseException | None = attrs.field(default=None, eq=False)

    @property
    def ok(self) -> bool:
        return self.error is None


@attrs.frozen(kw_only=True)
class ImageSaved(Event):
    """An image was written to *path* (by ``GeneratedImage.save``, the CLI or a batch)."""

    name = "image.saved"
    path: str
    image: ImageSummary
    request_id: str | None = None
    batch_id: str | None = None
    job_id: str | None = None


@attrs.frozen(kw_only=True)
class BatchStarted(Event):
    """A batch run began: *total* jobs, *done* of them finished by an earlier run."""

    name = "batch.started"
    level = logging.INFO
    batch_id: str
    total: int
    done: int
    output_dir: str


@attrs.frozen(kw_only=True)
class JobStarted(Event):
    """A batch job is about to run (its attempts are ``Retry(source="batch")`` events)."""

    name = "batch.job.started"
    batch_id: str
    job_id: str
    line: int | None = None
    job_name: str | None = None
    n: int = 1


@attrs.frozen(kw_only=True)
class JobFinished(Event):
    """A batch job ended (``ok`` or failed after *attempts*), or did not start (``started=False``)."""

    name = "batch.job.finished"
    batch_id: str
    job_id: str
    ok: bool
    attempts: int = 0
    images: int = 0
    cost_usd: float | None = None
    error: str | None = None
    started: bool = True


@attrs.frozen(kw_only=True)
class BatchProgress(Event):
    """A batch job finished: counts so far (what progress displays show)."""

    name = "batch.progress"
    level = logging.INFO
    batch_id: str
    ok: bool
    done: int
    failed: int
    total: int
    job_id: str | None = None

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.done - self.failed)


@attrs.frozen(kw_only=True)
class BatchMessage(Event):
    """A line a batch run reports (a failed job, a cool-down, an interruption)."""

    name = "batch.message"
    level = logging.INFO
    batch_id: str
    text: str


@attrs.frozen(kw_only=True)
class BatchFinished(Event):
    """A batch run ended (``summary`` is its :class:`~tryon.batch.BatchSummary`, when one was made)."""

    name = "batch.finished"
    level = logging.INFO
    batch_id: str
    summary: Any = attrs.field(default=None, repr=False)
    interrupted: bool = False


# --------------------------------------------------------------------------- the registry


@attrs.frozen
class Subscription:
    """A registered callback (``unsubscribe(subscription)`` or ``subscription.cancel()`` removes it)."""

    callback: Callback
    types: tuple[type[Event], ...]

    def wants(self, event: Event) -> bool:
        return not self.types or isinstance(event, self.types)

    def cancel(self) -> None:
        unsubscribe(self)


_lock = threading.Lock()
_subscriptions: tuple[Subscription, ...] = ()
_sinks: tuple[Callback, ...] = ()  # built-in bridges (OpenTelemetry): called like subscribers


def subscribe(callback: Callback, *types: type[Event]) -> Subscription:
    """Call *callback(event)* for every event of *types* (all events when none are given)."""
    global _subscriptions
    if not callable(callback):
        from tryon.errors import InvalidOptionError, Problem

        raise InvalidOptionError([Problem("callback", callback, "an event callback must be callable")])
    for kind in types:
        if not (isinstance(kind, type) and issubclass(kind, Event)):
            from tryon.errors import InvalidOptionError, Problem

            raise InvalidOptionError([Problem("types", kind, f"{kind!r} is not a tryon.events.Event class")])
    subscription = Subscription(callback, tuple(types))
    with _lock:
        _subscriptions = (*_subscriptions, subscription)
    return subscription


def unsubscribe(subscription: Subscription) -> None:
    """Remove a subscription (removing one twice does nothing)."""
    global _subscriptions
    with _lock:
        _subscriptions = tuple(s for s in _subscriptions if s is not subscription)


@contextlib.contextmanager
def subscribed(callback: Callback, *types: type[Event]) -> Iterator[Subscription]:
    """:func:`subscribe` for the duration of a ``with`` block."""
    subscription = subscribe(callback, *types)
    try:
        yield subscription
    finally:
        unsubscribe(subscription)


def add_sink(sink: Callback) -> None:
    """Register a built-in bridge (tryon.telemetry uses it); not for applications (use subscribe)."""
    global _sinks
    with _lock:
        if sink not in _sinks:
            _sinks = (*_sinks, sink)


def remove_sink(sink: Callback) -> None:
    global _sinks
    with _lock:
        _sinks = tuple(s for s in _sinks if s is not sink)


def listening(level: int = logging.DEBUG) -> bool:
    """Whether an event would reach anyone: a subscriber, a bridge or an enabled ``tryon.events`` log.

    Core code checks this before building an event, so that nobody listening costs nothing.
    """
    if _subscriptions or _sinks:
        return True
    from tryon.telemetry import auto_enable

    return auto_enable() or _log.isEnabledFor(level)


def emit(event: Event) -> None:
    """Deliver *event* to the subscribers that want it, the bridges and the ``tryon.events`` log."""
    for subscription in _subscriptions:
        if subscription.wants(event):
            _deliver(subscription.callback, event)
    for sink in _sinks:
        _deliver(sink, event)
    level = event.level if getattr(event, "error", None) is None else max(event.level, logging.INFO)
    if _log.isEnabledFor(level):
        from tryon.event_log import log_event

        log_event(_log, event, level)


def _deliver(callback: Callback, event: Event) -> None:
    try:
        callback(event)
    except Exception:  # a hook must never break the call it observes
        _log.warning("event callback %r failed on %s", callback, event.name, exc_info=True)

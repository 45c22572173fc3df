"""The probes the core calls to report what it does as :mod:`tryon.events` (one line per site).

Each probe first asks :func:`tryon.events.listening`; when nobody listens it returns at once and
builds nothing. Correlation ids travel in a context variable (:data:`_scope`): a router call sets
the request's, each provider call its own on top, a batch run and its jobs theirs; fan-out and
batch worker threads run in a copy of the caller's context, so the ids follow the work.

Operation-agnostic: the request probes read ``operation`` from the request (``generate``,
``edit`` or any operation the router gains) and never branch on it.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from tryon import events

if TYPE_CHECKING:
    from tryon.notice import Notice
    from tryon.protocol import ImageGenerator
    from tryon.request import Request
    from tryon.results import GeneratedImage, Generation, Skip

__all__ = ["CallProbe", "call_started", "checked", "current", "fallback", "image_saved", "new_id", "polled",
           "request_scope", "retry"]

F = TypeVar("F", bound=Callable[..., Any])


@attrs.define(slots=True)
class Scope:
    """The correlation ids of the work in progress (mutable: a call counts its retries here)."""

    request_id: str | None = None
    call_id: str | None = None
    batch_id: str | None = None
    job_id: str | None = None
    called: set[str] = attrs.field(factory=set)  # models a call was started for (request level)
    retries: int = 0
    last_status: int | None = None
    outcome: JobOutcome | None = None  # a batch job's, filled in by the runner (job_done)
    streaming: bool = False  # a streamed request: its one call starts when the request is checked
    probe: CallProbe | None = None  # that call, ended by stream_scope


_scope: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("tryon_observe_scope", default=None)


def current() -> Scope | None:
    """The ids of the request/call/batch job running in this context (``None`` outside any)."""
    return _scope.get()


def run_in(scope: Scope | None, func: Callable[..., Any], *args: Any) -> Any:
    """``func(*args)`` with *scope* as the current ids (for work handed to another thread)."""
    if scope is None:
        return func(*args)
    token = _scope.set(scope)
    try:
        return func(*args)
    finally:
        _scope.reset(token)


def new_id(prefix: str) -> str:
    """A fresh correlation id (``req-3f2a9c0d1b7e4a55``)."""
    return f"{prefix}-{os.urandom(8).hex()}"


# --------------------------------------------------------------------------- requests


def _n(request: Any) -> int:
    return int(getattr(request, "n", 1) or 1)


_OPERATIONS: dict[Any, str] = {}


def _operation(op: Any) -> str:
    """The operation's name (``Operation.EDIT`` -> ``"edit"``), cached: an enum's ``.value`` is slow."""
    name = _OPERATIONS.get(op)
    if name is None:
        name = _OPERATIONS[op] = str(getattr(op, "value", op))
    return name


def _models(model: Any) -> tuple[str, ...]:
    if isinstance(model, str):
        return (model,)
    if isinstance(model, list | tuple):
        return tuple(str(m) for m in model)
    return (repr(model),)


def _begin(op: Any, prompt: Any, model: Any) -> tuple[Scope, contextvars.Token[Scope | None], float]:
    outer = _scope.get()
    scope = Scope(request_id=new_id("req"), batch_id=outer.batch_id if outer else None,
                  job_id=outer.job_id if outer else None)
    token = _scope.set(scope)
    events.emit(events.RequestStarted(request_id=scope.request_id or "", operation=_operation(op),
                                      models=_models(model), prompt=prompt if isinstance(prompt, str) else "",
                                      batch_id=scope.batch_id, job_id=scope.job_id))
    return scope, token, time.perf_counter()


def _end(scope: Scope, token: contextvars.Token[Scope | None], started: float, op: Any,
         result: Any, error: BaseException | None) -> None:
    from tryon.errors import PartialResultError

    try:
        if isinstance(error, PartialResultError):
            result = error.generation
        events.emit(events.RequestFinished(request_id=scope.request_id or "", operation=_operation(op),
                                           elapsed_s=time.perf_counter() - started, result=result, error=error))
    finally:
        _scope.reset(token)


def request_scope(func: F) -> F:
    """Wrap a router method ``(self, op, prompt, model, ...)`` (sync or async) in a request scope:
    ``RequestStarted`` before, ``RequestFinished`` after, whatever the outcome."""
    if inspect.iscoroutinefunction(func):
        @functools.wraps(func)
        async def arun(self: Any, op: Any, prompt: Any, model: Any, *args: Any, **kwargs: Any) -> Any:
            if not events.listening(logging.INFO):
                return await func(self, op, prompt, model, *args, **kwargs)
            scope, token, started = _begin(op, prompt, model)
            try:
                result = await func(self, op, prompt, model, *args, **kwargs)
            except BaseException as exc:
                _end(scope, token, started, op, None, exc)
                raise
            _end(scope, token, started, op, result, None)
            return result

        return arun  # type: ignore[return-value]

    @functools.wraps(func)
    def run(self: Any, op: Any, prompt: Any, model: Any, *args: Any, **kwargs: Any) -> Any:
        if not events.listening(logging.INFO):
            return func(self, op, prompt, model, *args, **kwargs)
        scope, token, started = _begin(op, prompt, model)
        try:
            result = func(self, op, prompt, model, *args, **kwargs)
        except BaseException as exc:
            _end(scope, token, started, op, None, exc)
            raise
        _end(scope, token, started, op, result, None)
        return result

    return run  # type: ignore[return-value]


def stream_scope(func: F) -> F:
    """Wrap a router stream method ``(self, prompt, *, model, images=None, ...)`` (a sync or async
    generator) in a request scope with one call (started when the request is checked, ended with the
    final result). The stream runs in a context of its own, so the consumer's code between items is
    outside the request's scope (and its spans)."""
    from tryon.capabilities import Operation
    from tryon.results import Generation

    def operation(kwargs: dict[str, Any]) -> Operation:
        return Operation.EDIT if kwargs.get("images") is not None else Operation.GENERATE

    def start(ctx: contextvars.Context, prompt: Any, kwargs: dict[str, Any]) -> tuple[Any, ...]:
        scope, token, started = ctx.run(_begin, operation(kwargs), prompt, kwargs.get("model"))
        scope.streaming = True
        return scope, token, started

    def stop(ctx: contextvars.Context, state: tuple[Any, ...], kwargs: dict[str, Any], final: Any,
             error: BaseException | None) -> None:
        scope, token, started = state
        probe, scope.probe = scope.probe, None
        if probe is not None:
            ctx.run(probe.finished if error is None and isinstance(final, Generation) else probe.failed,
                    final if error is None and isinstance(final, Generation) else (error or StreamAbandoned()))
        ctx.run(_end, scope, token, started, operation(kwargs), final, error)

    if inspect.isasyncgenfunction(func):
        @functools.wraps(func)
        async def astream(self: Any, prompt: Any, *args: Any, **kwargs: Any) -> Any:
            import asyncio

            inner = func(self, prompt, *args, **kwargs)
            if not events.listening(logging.INFO):
                async for item in inner:
                    yield item
                return
            ctx = contextvars.copy_context()
            state = start(ctx, prompt, kwargs)
            final: Any = None
            try:
                while True:
                    try:
                        item = await asyncio.create_task(inner.__anext__(), context=ctx)
                    except StopAsyncIteration:
                        break
                    final = item
                    yield item
            except BaseException as exc:
                await asyncio.create_task(inner.aclose(), context=ctx)
                stop(ctx, state, kwargs, None, None if isinstance(exc, GeneratorExit) else exc)
                raise
            stop(ctx, state, kwargs, final, None)

        return astream  # type: ignore[return-value]

    @functools.wraps(func)
    def stream(self: Any, prompt: Any, *args: Any, **kwargs: Any) -> Any:
        inner = func(self, prompt, *args, **kwargs)
        if not events.listening(logging.INFO):
            yield from inner
            return
        ctx = contextvars.copy_context()
        state = start(ctx, prompt, kwargs)
        final: Any = None
        try:
            while True:
                try:
                    item = ctx.run(next, inner)
                except StopIteration:
                    break
                final = item
                yield item
        except BaseException as exc:
            ctx.run(inner.close)
            stop(ctx, state, kwargs, None, None if isinstance(exc, GeneratorExit) else exc)
            raise
        stop(ctx, state, kwargs, final, None)

    return stream  # type: ignore[return-value]


class StreamAbandoned(Exception):
    """The consumer stopped reading a stream before its final result (recorded on the call)."""

    def __str__(self) -> str:
        return "the stream was closed before its final result"


def checked(gen: ImageGenerator, request: Request, notices: Sequence[Notice]) -> None:
    """The request passed its local checks for *gen* and is about to be sent."""
    scope = _scope.get()
    if scope is None or scope.request_id is None or not events.listening():
        return
    events.emit(events.RequestChecked(request_id=scope.request_id, model=gen.model_id, provider=gen.provider,
                                      operation=_operation(request.operation), request=request,
                                      notices=tuple(notices), generator=gen))
    if scope.streaming and scope.probe is None:
        scope.probe = CallProbe(gen, request, 0, 1)


def fallback(names: Sequence[str], index: int, skipped: Sequence[Skip]) -> None:
    """Call at the top of each model of a preference list: from the second on, says why the list moved."""
    if index == 0 or not skipped:
        return
    scope = _scope.get()
    if scope is None or scope.request_id is None or not events.listening(logging.INFO):
        return
    skip = skipped[-1]
    events.emit(events.Fallback(request_id=scope.request_id, from_model=names[index - 1], to_model=names[index],
                                reason=skip.reason, error_type=type(skip.error).__name__ if skip.error else None,
                                sent=skip.model in scope.called or names[index - 1] in scope.called))


# --------------------------------------------------------------------------- provider calls


class CallProbe:
    """One provider call in progress: :meth:`finished` or :meth:`failed` ends it (exactly once)."""

    __slots__ = ("_token", "calls", "gen", "index", "request", "scope", "started")

    def __init__(self, gen: ImageGenerator, request: Request, index: int, calls: int) -> None:
        outer = _scope.get()
        self.scope = Scope(request_id=outer.request_id if outer else None, call_id=new_id("call"),
                           batch_id=outer.batch_id if outer else None, job_id=outer.job_id if outer else None)
        if outer is not None:
            outer.called.add(gen.model_id)
        self.gen, self.request, self.index, self.calls = gen, request, index, calls
        self._token: contextvars.Token[Scope | None] | None = _scope.set(self.scope)
        self.started = time.perf_counter()
        events.emit(events.CallStarted(request_id=self.scope.request_id, call_id=self.scope.call_id or "",
                                       model=gen.model_id, provider=gen.provider,
                                       operation=_operation(request.operation), n=_n(request), index=index,
                                       calls=calls))

    def _end(self, result: Generation | None, error: BaseException | None) -> None:
        from tryon.results import Generation

        token, self._token = self._token, None
        if token is None:
            return
        try:
            images = tuple(events.ImageSummary.of(i) for i in result.images) if isinstance(result, Generation) else ()
            ids: tuple[str, ...] = ()
            if isinstance(result, Generation):
                ids = result.request_ids or ((result.request_id,) if result.request_id else ())
            events.emit(events.CallFinished(
                request_id=self.scope.request_id, call_id=self.scope.call_id or "", model=self.gen.model_id,
                provider=self.gen.provider, operation=_operation(self.request.operation), n=_n(self.request),
                elapsed_s=time.perf_counter() - self.started, images=images,
                usage=result.usage if isinstance(result, Generation) else None,
                cost_usd=result.cost_usd if isinstance(result, Generation) else None,
                provider_request_ids=tuple(ids), error=error, index=self.index, calls=self.calls,
                retries=self.scope.retries))
        finally:
            with contextlib.suppress(ValueError):  # reset from another context (should not happen)
                _scope.reset(token)

    def finished(self, result: Generation) -> None:
        self._end(result, None)

    def failed(self, error: BaseException) -> None:
        from tryon.errors import PartialResultError

        self._end(error.generation if isinstance(error, PartialResultError) else None, error)


def call_started(gen: ImageGenerator, request: Request, index: int = 0, calls: int = 1) -> CallProbe | None:
    """A provider call begins: a probe to end it with, or ``None`` when nobody listens."""
    if not events.listening(logging.INFO):
        return None
    return CallProbe(gen, request, index, calls)


def retry(attempt: int, reason: str, *, status: int | None = None, wait_s: float | None = None,
          source: str = "http") -> None:
    """The current call (or batch job) is about to be tried again (*attempt* 2 = the first retry)."""
    scope = _scope.get()
    if scope is not None and source != "batch":
        scope.retries += 1
    if not events.listening(logging.INFO):
        return
    from tryon.secrets import redact

    events.emit(events.Retry(request_id=scope.request_id if scope else None,
                             call_id=scope.call_id if scope else None, attempt=attempt, reason=redact(reason),
                             status=status, wait_s=wait_s, source=source, job_id=scope.job_id if scope else None))


def polled(provider: str, status: str, attempt: int, elapsed_s: float) -> None:
    """A plugin polled a provider task and got *status* (call from polling loops)."""
    if not events.listening():
        return
    scope = _scope.get()
    events.emit(events.Polled(request_id=scope.request_id if scope else None,
                              call_id=scope.call_id if scope else None, provider=provider, status=str(status),
                              attempt=attempt, elapsed_s=elapsed_s))


def image_saved(path: Any, image: GeneratedImage) -> None:
    """An image was written to *path*."""
    if not events.listening():
        return
    scope = _scope.get()
    events.emit(events.ImageSaved(path=str(path), image=events.ImageSummary.of(image),
                                  request_id=scope.request_id if scope else None,
                                  batch_id=scope.batch_id if scope else None,
                                  job_id=scope.job_id if scope else None))


# --------------------------------------------------------------------------- SDK retries


def httpx_event_hooks(use_async: bool) -> dict[str, list[Callable[..., Any]]]:
    """``event_hooks`` for an SDK's ``httpx`` client: each resend of a request (the OpenAI SDK marks
    it with ``x-stainless-retry-count``) becomes a :class:`~tryon.events.Retry` (``source="sdk"``)."""

    def on_request(request: Any) -> None:
        count = request.headers.get("x-stainless-retry-count")
        if count and count.isdigit() and int(count) > 0:
            scope = _scope.get()
            status = scope.last_status if scope else None
            reason = f"HTTP {status}" if status else "connection error or timeout"
            retry(int(count) + 1, reason, status=status, source="sdk")

    def on_response(response: Any) -> None:
        scope = _scope.get()
        if scope is not None:
            scope.last_status = response.status_code

    if not use_async:
        return {"request": [on_request], "response": [on_response]}

    async def aon_request(request: Any) -> None:
        on_request(request)

    async def aon_response(response: Any) -> None:
        on_response(response)

    return {"request": [aon_request], "response": [aon_response]}


# --------------------------------------------------------------------------- batches


def enter_batch(batch_id: str) -> contextvars.Token[Scope | None]:
    """Run a batch with *batch_id* in this context (its worker threads copy it); :func:`leave_batch` ends it."""
    return _scope.set(Scope(batch_id=batch_id))


def leave_batch(token: contextvars.Token[Scope | None]) -> None:
    _scope.reset(token)


@attrs.define
class JobOutcome:
    ok: bool = False
    attempts: int = 0
    images: int = 0
    cost_usd: float | None = None
    error: str | None = None
    started: bool = False


@contextlib.contextmanager
def job_scope(batch_id: str, job: Any) -> Iterator[JobOutcome]:
    """One batch job: ``JobStarted`` before, ``JobFinished`` with the outcome filled in by the runner."""
    outcome = JobOutcome()
    if not events.listening(logging.INFO):
        yield outcome
        return
    job_id = str(getattr(job, "id", ""))
    token = _scope.set(Scope(batch_id=batch_id, job_id=job_id, outcome=outcome))
    events.emit(events.JobStarted(batch_id=batch_id, job_id=job_id, line=getattr(job, "line", None),
                                  job_name=getattr(job, "name", None), n=getattr(job, "n", 1)))
    try:
        yield outcome
    finally:
        try:
            events.emit(events.JobFinished(batch_id=batch_id, job_id=job_id, ok=outcome.ok,
                                           attempts=outcome.attempts, images=outcome.images,
                                           cost_usd=outcome.cost_usd, error=outcome.error,
                                           started=outcome.started))
        finally:
            _scope.reset(token)


def job_done(*, ok: bool, attempts: int, images: int, cost_usd: float | None, error: str | None) -> None:
    """The batch runner's word on how the current job ended (read by ``JobFinished``)."""
    scope = _scope.get()
    if scope is not None and scope.outcome is not None:
        scope.outcome.ok, scope.outcome.attempts, scope.outcome.images = ok, attempts, images
        scope.outcome.cost_usd, scope.outcome.error, scope.outcome.started = cost_usd, error, attempts > 0


def batch_event(event: events.Event) -> None:
    """Emit a batch event (progress displays subscribe to these, so they are always built)."""
    if events.listening(event.level):
        events.emit(event)

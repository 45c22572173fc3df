"""Split ``n`` across concurrent calls of at most ``max_images_per_call`` and merge the results.

At most ``Capabilities.max_concurrent_calls`` calls of one request run at once (threads, or
asyncio tasks, are started for that many workers only, however large ``n`` is). Images come
back in call order; usage and cost are summed and warnings joined. Each call's result is
checked against its request (:func:`tryon.result_checks.check_result`). When some calls fail,
the images that succeeded are kept on a :class:`~tryon.errors.PartialResultError`.
"""

from __future__ import annotations

import contextvars
import itertools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

import attrs

from tryon import cancel, observe, pricing
from tryon.errors import PartialResultError, PluginError
from tryon.notice import Notice
from tryon.protocol import ImageGenerator
from tryon.request import EditRequest, Request, TryOnRequest
from tryon.result_checks import check_result
from tryon.results import Generation, Usage
from tryon.secrets import scrub_exception

__all__ = ["merge", "run_async", "run_sync", "split"]


def split(n: int, per_call: int) -> list[int]:
    """``split(25, 10) == [10, 10, 5]``: full calls, the last takes the remainder."""
    full, rest = divmod(n, per_call)
    return [per_call] * full + ([rest] if rest else [])


def checked(gen: ImageGenerator, request: Request, result: object) -> Generation:
    """*result* of one call of *gen* for *request*, checked against the request (or raises)."""
    if not isinstance(result, Generation):
        raise PluginError(f"{gen.provider}/{gen.model_id} returned {type(result).__name__}, not a tryon.Generation "
                          "(a bug in its plugin)")
    return check_result(result, request, gen.capabilities)


def served(gen: ImageGenerator, request: Request) -> tuple[str, Request]:
    """The generator method that serves *request* and the request it receives: ``generate``,
    ``edit``, ``try_on`` — or, for a try-on on a composition model, ``edit`` with the composed
    edit request (:func:`tryon.vto.composition.as_edit`)."""
    if isinstance(request, TryOnRequest):
        declared = gen.capabilities.try_on
        if declared is not None and declared.composition is not None:
            from tryon.vto.composition import as_edit

            return "edit", as_edit(request, declared)
        return "try_on", request
    return ("edit" if isinstance(request, EditRequest) else "generate"), request


def _call(gen: ImageGenerator, request: Request, index: int = 0, calls: int = 1) -> Generation:
    probe = observe.call_started(gen, request, index, calls)  # None when nobody listens
    try:
        method, sent = served(gen, request)
        result = pricing.priced(gen, sent, checked(gen, request, getattr(gen, method)(sent)))
    except BaseException as exc:
        scrub_exception(exc)  # no key in the error, its chain or its traceback text
        if probe is not None:
            probe.failed(exc)
        raise
    if probe is not None:
        probe.finished(result)
    return result


async def _acall(gen: ImageGenerator, request: Request, pool: ThreadPoolExecutor,
                 context: contextvars.Context, index: int = 0, calls: int = 1) -> Generation:
    method, sent = served(gen, request)
    native = getattr(gen, "a" + method, None)
    if native is not None:
        probe = observe.call_started(gen, request, index, calls)
        try:
            result = pricing.priced(gen, sent, checked(gen, request, await native(sent)))
        except BaseException as exc:
            scrub_exception(exc)
            if probe is not None:
                probe.failed(exc)
            raise
        if probe is not None:
            probe.finished(result)
        return result
    import asyncio

    # a pool sized to this request (not asyncio's shared default), in a context carrying its cancel event
    # (and the request's correlation ids, tryon.observe)
    return await asyncio.get_running_loop().run_in_executor(pool, context.copy().run, _call, gen, request, index,
                                                            calls)


def _workers(gen: ImageGenerator, chunks: Sequence[Request]) -> int:
    return max(1, min(len(chunks), gen.capabilities.max_concurrent_calls))


def _chunks(gen: ImageGenerator, request: Request) -> list[Request]:
    per_call = gen.capabilities.max_images_per_call
    if request.n <= per_call:
        return [request]  # one call: the request as it is (no copy, no re-validation)
    sizes = split(request.n, per_call)
    if request.seed is None:
        return [request.copy_with(n=k) for k in sizes]
    # the same seed in every call would return the same images n/per_call times over
    seed_range = gen.capabilities.seed_range
    return [request.copy_with(n=k, seed=call_seed(seed_range, request.seed, i)) for i, k in enumerate(sizes)]


def call_seed(seed_range: tuple[int, int] | None, seed: int, index: int) -> int:
    """The seed of call *index* of a fanned-out request: ``seed + index``, wrapped around inside the
    model's *seed_range* (``Capabilities.seed_range``). Wrapped, not refused: the user's seed is
    valid, the later ones are tryon's to choose, and wrapping keeps them distinct (the router
    refuses an ``n`` needing more calls than the range has seeds) and each one a seed the
    provider accepts."""
    if seed_range is None:
        return seed + index
    low, high = seed_range
    return low + (seed - low + index) % (high - low + 1)


def merge(parts: Sequence[Generation]) -> Generation:
    """One result from the results of several calls of one request."""
    first = parts[0]
    if len(parts) == 1:
        return first
    images = [img for p in parts for img in p.images]
    images = [attrs.evolve(img, index=i) for i, img in enumerate(images)]
    costs = [p.cost_usd for p in parts]
    ids = [rid for p in parts for rid in (p.request_ids or ((p.request_id,) if p.request_id else ()))]
    return attrs.evolve(
        first,
        images=tuple(images),
        usage=Usage.total(p.usage for p in parts),
        cost_usd=None if any(c is None for c in costs) else sum(c for c in costs if c is not None),  # unknown is not 0
        warnings=tuple(dict.fromkeys(w for p in parts for w in p.warnings)),
        request_ids=tuple(ids),
        elapsed_s=max((p.elapsed_s or 0.0) for p in parts) or None,
        raw=None,
    )


def _kept(result: Generation | BaseException) -> Generation | None:
    """The images a call delivered: its result, or those kept on its PartialResultError."""
    if isinstance(result, Generation):
        return result
    return result.generation if isinstance(result, PartialResultError) else None


def _settle(results: Sequence[Generation | BaseException], notices: Sequence[Notice] = ()) -> Generation:
    good = [g for g in map(_kept, results) if g is not None]
    errors: list[BaseException] = []
    for r in results:
        if isinstance(r, PartialResultError):
            errors.extend(r.errors)
        elif not isinstance(r, Generation):
            errors.append(r)
    if not good:
        raise errors[0]
    merged = merge(good).with_warnings(notices)
    if not errors:
        return merged
    raise PartialResultError(merged, errors)


def _seed_notice(request: Request, chunks: Sequence[Request]) -> list[Notice]:
    if request.seed is None or len(chunks) < 2:
        return []
    seeds = tuple(c.seed for c in chunks)
    last = seeds[-1]
    wrapped = any(b is not None and a is not None and b < a for a, b in itertools.pairwise(seeds))
    used = (f"seeds {request.seed} and up, wrapping around to the start of the model's seed range (last: {last})"
            if wrapped else f"seeds {request.seed} to {last}")
    return [Notice("seed-varied", f"n={request.n} took {len(chunks)} calls; they used {used} "
                   "so that the calls do not return the same images", option="seed", original=request.seed,
                   applied=seeds)]


def run_sync(gen: ImageGenerator, request: Request,
             on_part: Callable[[Generation], None] | None = None) -> Generation:
    """Run *request*, fanning out over threads when ``n`` exceeds one call.

    *on_part* is called (in the calling thread) with each call's result as soon as it arrives,
    so callers can keep what was already paid for before the whole request ends.
    """
    chunks = _chunks(gen, request)
    if len(chunks) == 1:
        try:
            result = _call(gen, chunks[0])
        except PartialResultError as partial:
            if on_part is not None:
                on_part(partial.generation)
            raise
        if on_part is not None:
            on_part(result)
        return result
    results: dict[int, Generation | BaseException] = {}
    with ThreadPoolExecutor(max_workers=_workers(gen, chunks), thread_name_prefix="tryon-fanout") as pool:
        scope = observe.current()  # each call carries the request's correlation ids (tryon.observe)
        futures = {pool.submit(observe.run_in, scope, _call, gen, c, i, len(chunks)): i for i, c in enumerate(chunks)}
        for fut in as_completed(futures):
            exc = fut.exception()
            results[futures[fut]] = exc if exc is not None else fut.result()
            part = _kept(results[futures[fut]])
            if on_part is not None and part is not None:
                on_part(part)
    ordered = [results[i] for i in range(len(chunks))]
    for r in ordered:
        if isinstance(r, BaseException) and not isinstance(r, Exception):
            raise r
    return _settle(ordered, _seed_notice(request, chunks))


async def run_async(gen: ImageGenerator, request: Request,
                    on_part: Callable[[Generation], None] | None = None) -> Generation:
    """Async :func:`run_sync`; cancelling the awaiting task cancels the outstanding calls.

    Native async plugins are cancelled directly; calls running in threads are told to stop
    through :mod:`tryon.cancel` (their polling and backoff wake up and give up).
    """
    import asyncio

    chunks = _chunks(gen, request)
    event, context = cancel.scope()
    workers = _workers(gen, chunks)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tryon-async")
    results: list[Generation | BaseException | None] = [None] * len(chunks)
    queue = iter(range(len(chunks)))

    async def worker() -> None:
        for i in queue:  # shared iterator: each chunk is taken by one worker
            try:
                result = await _acall(gen, chunks[i], pool, context, i, len(chunks))
            except Exception as exc:
                results[i] = exc
                kept = _kept(exc)  # the complete images of a partly broken answer
                if on_part is not None and kept is not None:
                    on_part(kept)
                continue
            results[i] = result
            if on_part is not None:
                on_part(result)

    tasks = [asyncio.ensure_future(worker()) for _ in range(workers)]
    try:
        done = await asyncio.gather(*tasks, return_exceptions=True)
    except asyncio.CancelledError:
        event.set()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    finally:
        pool.shutdown(wait=False)
    for r in done:
        if isinstance(r, BaseException):
            raise r
    settled = [r for r in results if r is not None]
    return _settle(settled, _seed_notice(request, chunks))

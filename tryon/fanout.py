"""Split ``n`` across concurrent calls of at most ``max_images_per_call`` and merge the results.

Images come back in call order; usage and cost are summed and warnings joined. When some
calls fail, the images that succeeded are kept on a :class:`~tryon.errors.PartialResultError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import attrs

from tryon.errors import PartialResultError, PluginError
from tryon.protocol import ImageGenerator
from tryon.request import EditRequest, Request
from tryon.results import Generation, Usage

__all__ = ["merge", "run_async", "run_sync", "split"]


def split(n: int, per_call: int) -> list[int]:
    """``split(25, 10) == [10, 10, 5]``: full calls, the last takes the remainder."""
    full, rest = divmod(n, per_call)
    return [per_call] * full + ([rest] if rest else [])


def _checked(gen: ImageGenerator, result: object) -> Generation:
    if not isinstance(result, Generation):
        raise PluginError(f"{gen.provider}/{gen.model_id} returned {type(result).__name__}, not a tryon.Generation "
                          "(a bug in its plugin)")
    return result


def _call(gen: ImageGenerator, request: Request) -> Generation:
    if isinstance(request, EditRequest):
        return _checked(gen, gen.edit(request))
    return _checked(gen, gen.generate(request))  # type: ignore[arg-type]


async def _acall(gen: ImageGenerator, request: Request) -> Generation:
    name = "aedit" if isinstance(request, EditRequest) else "agenerate"
    native = getattr(gen, name, None)
    if native is not None:
        return _checked(gen, await native(request))
    import asyncio

    return await asyncio.to_thread(_call, gen, request)


def _chunks(gen: ImageGenerator, request: Request) -> list[Request]:
    per_call = gen.capabilities.max_images_per_call
    if request.n <= per_call:
        return [request]  # one call: the request as it is (no copy, no re-validation)
    return [request.copy_with(n=k) for k in split(request.n, per_call)]


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
        cost_usd=None if all(c is None for c in costs) else sum(c or 0.0 for c in costs),
        warnings=tuple(dict.fromkeys(w for p in parts for w in p.warnings)),
        request_ids=tuple(ids),
        elapsed_s=max((p.elapsed_s or 0.0) for p in parts) or None,
        raw=None,
    )


def _settle(results: Sequence[Generation | BaseException]) -> Generation:
    good = [r for r in results if isinstance(r, Generation)]
    errors = [r for r in results if not isinstance(r, Generation)]
    if not errors:
        return merge(good)
    if not good:
        raise errors[0]
    raise PartialResultError(merge(good), errors)


def run_sync(gen: ImageGenerator, request: Request) -> Generation:
    """Run *request*, fanning out over threads when ``n`` exceeds one call."""
    chunks = _chunks(gen, request)
    if len(chunks) == 1:
        return _call(gen, chunks[0])
    results: list[Generation | BaseException] = []
    with ThreadPoolExecutor(max_workers=len(chunks), thread_name_prefix="tryon-fanout") as pool:
        futures = [pool.submit(_call, gen, c) for c in chunks]
        for fut in futures:
            exc = fut.exception()
            results.append(exc if exc is not None else fut.result())
    for r in results:
        if isinstance(r, BaseException) and not isinstance(r, Exception):
            raise r
    return _settle(results)


async def run_async(gen: ImageGenerator, request: Request) -> Generation:
    """Async :func:`run_sync`; cancelling the awaiting task cancels the outstanding calls."""
    import asyncio

    chunks = _chunks(gen, request)
    if len(chunks) == 1:
        return await _acall(gen, chunks[0])
    tasks = [asyncio.ensure_future(_acall(gen, c)) for c in chunks]
    try:
        results = await asyncio.gather(*tasks, return_exceptions=True)
    except asyncio.CancelledError:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    for r in results:
        if isinstance(r, BaseException) and not isinstance(r, Exception):
            raise r
    return _settle(results)

"""Every provider call's result checked against its request, once, in the core.

After each call (each call of a fanned-out request, and the final result of a stream) the core
checks what came back: the number of images, that each one is complete (a structural check,
:mod:`tryon.media.integrity`), and its format and dimensions against what was asked.

- No image, a truncated or undecodable image, or the wrong number of images is an
  :class:`~tryon.errors.InvalidResponseError`. Images that did arrive complete are never
  thrown away: when there are some, the error comes as a
  :class:`~tryon.errors.PartialResultError` holding them (``.generation``), with the
  ``InvalidResponseError`` in ``.errors``.
- A format or size other than the one asked for is an ``InvalidResponseError`` too (the images
  are kept the same way), unless the model declares it as a documented deviation
  (:class:`~tryon.deviations.Deviations`): then it is a notice on the result
  (``size-deviated``, ``format-deviated``).
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from tryon.capabilities import Capabilities
from tryon.errors import InvalidResponseError, PartialResultError
from tryon.media.integrity import integrity_problem
from tryon.notice import Notice
from tryon.request import Request
from tryon.results import GeneratedImage, Generation
from tryon.sizes import parse_ratio, parse_size

__all__ = ["RATIO_TOLERANCE", "check_result"]

RATIO_TOLERANCE = 0.03
"""How far (relatively) an image may be from the aspect ratio asked for: pixel sizes of a
ratio are rounded (Google's 16:9 is 1344x768, 1.75)."""


def _format_of(image: GeneratedImage) -> str:
    return image.format


def _allowed_formats(request: Request, caps: Capabilities) -> frozenset[str]:
    if request.output_format:
        return frozenset({request.output_format})
    default = caps.defaults.get("output_format")
    return frozenset(caps.output_formats | ({default} if isinstance(default, str) else set()))


def _size_finding(image: GeneratedImage, request: Request, caps: Capabilities) -> tuple[str, bool] | None:
    """``(what differs, documented)`` for the image's dimensions, or ``None`` when they fit."""
    got = image.size
    dev = caps.deviations
    asked = parse_size(request.size) if isinstance(request.size, str) else None
    ratio = parse_ratio(request.aspect_ratio) if isinstance(request.aspect_ratio, str) else None
    if asked is not None and _taken_as_ratio(request.size, caps):
        ratio, asked = Fraction(asked[0], asked[1]), None  # the model serves this size as its aspect ratio
    if asked is not None:
        if got == asked:
            return None
        what = f"image {image.index} is {got[0]}x{got[1]}, not the {asked[0]}x{asked[1]} asked for"
        return what, dev.any_size or dev.size_allowed(asked, got)
    if ratio is None or (request.size not in (None, "auto") and parse_size(request.size or "") is None):
        return None
    have = Fraction(got[0], got[1])
    if abs(have - ratio) <= ratio * (RATIO_TOLERANCE + dev.size_tolerance):
        return None
    shown = f"{ratio.numerator}:{ratio.denominator}"
    return f"image {image.index} is {got[0]}x{got[1]}, not of the {shown} aspect ratio asked for", dev.any_size


def _ratio_resized(image: GeneratedImage, request: Request, caps: Capabilities) -> str | None:
    """What differs when a model that takes *request.size* as a ratio returned other pixels."""
    asked = parse_size(request.size) if isinstance(request.size, str) else None
    if asked is None or not _taken_as_ratio(request.size, caps) or image.size == asked:
        return None
    return f"image {image.index} is {image.size[0]}x{image.size[1]}, not the {asked[0]}x{asked[1]} asked for"


def _taken_as_ratio(size: str | None, caps: Capabilities) -> bool:
    """Whether the model takes *size* as an aspect ratio (its sizes are ratios, not pixel sizes)."""
    sizes = caps.sizes
    return bool(size) and size not in sizes.exact and sizes.rule is None and bool(
        sizes.aspect_ratios or caps.aspect_ratios)


def check_result(result: Generation, request: Request, caps: Capabilities) -> Generation:
    """*result* with notices for documented deviations; raises for anything else (see module doc).

    *request* is the request of this one call (its ``n`` is the number of images expected).
    """
    def invalid(message: str) -> InvalidResponseError:
        return InvalidResponseError(message, provider=result.provider, model=result.model,
                                    request_id=result.request_id)

    if not result.images:
        raise invalid(f"the answer holds no image (asked for {request.n})")
    problems: list[str] = []
    deviated: dict[str, list[str]] = {}
    served: list[str] = []  # sizes a ratio-only model served as their ratio, at its own pixel size
    kept: list[GeneratedImage] = []
    allowed = _allowed_formats(request, caps)
    for image in result.images:
        broken = integrity_problem(image.data, image.media_type)
        if broken is not None:
            problems.append(f"image {image.index} is unusable: {broken}")
            continue
        kept.append(image)
        fmt = _format_of(image)
        if fmt not in allowed:
            what = f"image {image.index} is {fmt.upper()}, not {' or '.join(sorted(f.upper() for f in allowed))}"
            if fmt in caps.deviations.formats:
                deviated.setdefault("format-deviated", []).append(what)
            else:
                problems.append(what)
        size = _size_finding(image, request, caps)
        if size is not None:
            what, documented = size
            if documented:
                deviated.setdefault("size-deviated", []).append(what)
            else:
                problems.append(what)
        resized = _ratio_resized(image, request, caps)
        if resized is not None and size is None:
            served.append(resized)
    if len(result.images) != request.n:
        problems.insert(0, f"asked for {request.n} image(s), the answer holds {len(result.images)}")
    note = f" (documented: {caps.deviations.note})" if caps.deviations.note else " (documented by the provider)"
    notices = [Notice(code, "; ".join(whats) + note, option="size" if code == "size-deviated" else "output_format")
               for code, whats in deviated.items()]
    if served and not any(w.option == "size" for w in result.warnings):  # the plugin said it already
        notices.append(Notice("size-deviated", "; ".join(served) + " (the model takes sizes as aspect ratios: the "
                              "ratio is kept, the pixel size is the provider's)", option="size",
                              original=request.size, applied=f"{kept[0].width}x{kept[0].height}" if kept else None))
    if not problems and not notices:
        return result  # the common case: nothing to change, nothing copied
    checked = attrs.evolve(result, images=tuple(kept)).with_warnings(notices)
    if not problems:
        return checked
    error = invalid("the answer does not match the request: " + "; ".join(problems))
    if not kept:
        raise error
    raise PartialResultError(checked, [error])

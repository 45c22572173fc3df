"""``--dry-run`` of ``tryon generate``/``tryon edit``: validate, describe and estimate; send nothing.

Every local input (paths, base64) and the mask are loaded and fitted to the model's limits
exactly as a real run would; http(s) URLs are never fetched in a dry run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tryon.cli import output

if TYPE_CHECKING:
    from tryon.notice import Notice
    from tryon.protocol import ImageGenerator
    from tryon.request import Request
    from tryon.router import Router

__all__ = ["dry_run", "is_url"]


def is_url(source: object) -> bool:
    """Whether *source* is an http(s) URL (which a dry run does not fetch)."""
    return isinstance(source, str) and source.strip()[:8].lower().startswith(("http://", "https://"))


def _describe_input(item: Any) -> str:
    from tryon.media.fetch import display_url
    from tryon.media.inputs import InputImage

    if isinstance(item, InputImage):
        return f"{item.name} ({item.format}, {item.width}x{item.height})"
    text = str(item)
    if is_url(text):
        return display_url(text)
    return text if len(text) <= 80 else f"<{len(text):,} characters of base64>"


def _prepare_local(gen: ImageGenerator, request: Request,
                   strict: bool) -> tuple[tuple[Any, ...], Any, list[Notice]]:
    """The request's images and mask prepared as a real run would, except that URLs stay unfetched.

    The mask is checked against the first image when that image is local, else on its own.
    """
    from tryon.errors import InvalidInputError
    from tryon.media.inputs import InputImage, load_image
    from tryon.media.masks import prepare_mask
    from tryon.media.prepare import prepare_image

    limits = gen.capabilities.inputs
    sources = list(getattr(request, "images", ()))
    images: list[Any] = []
    notices: list[Notice] = []
    for number, source in enumerate(sources, start=1):
        if is_url(source):
            images.append(source)
            continue
        try:
            image, fitted = prepare_image(load_image(source), limits, strict=strict)
        except InvalidInputError as exc:
            if len(sources) == 1:
                raise
            raise type(exc)(f"image {number} of {len(sources)}: {exc.message}",
                            input_name=exc.input_name) from None
        images.append(image)
        notices.extend(fitted)
    mask = getattr(request, "mask", None)
    if mask is not None and not is_url(mask):
        first = images[0] if images and isinstance(images[0], InputImage) else load_image(mask)
        mask, fitted = prepare_mask(mask, first, limits=limits, strict=strict)
        notices.extend(fitted)
    return tuple(images), mask, notices


def dry_run(router: Router, operation: str, prompt: str, images: tuple[str, ...], models: Sequence[str],
            options: dict[str, Any], as_json: bool) -> None:
    """Validate against each model in turn (as a real run would), estimate the cost, send nothing."""
    from tryon.capabilities import Operation
    from tryon.errors import NoModelAvailableError, UnsupportedOptionError
    from tryon.results import Skip

    op = Operation(operation)
    for name in models:  # every name of a preference list must exist, as a real run checks
        router.resolve_name(name)
    sources = [*images, *([options["mask"]] if "mask" in options else [])]
    urls = any(is_url(s) for s in sources)
    skipped: list[Skip] = []
    for name in models:
        try:
            if not urls:
                gen, request, notices = router.prepare(op, prompt, name, images=images or None, **options)
                inputs, mask = getattr(request, "images", ()), getattr(request, "mask", None)
            else:
                built = router.build_request(op, prompt, options, images=images)
                request, notices = router.check(built, name)
                gen = router.get(name)
                inputs, mask, fitted = _prepare_local(gen, request, router.strict)
                notices = [*notices, *fitted]
        except UnsupportedOptionError as exc:
            if len(models) == 1:
                raise
            skipped.append(Skip(name, f"cannot honour the request: {exc}", exc))
            continue
        estimate = router.estimate(prompt, model=name, images=images or None, **options)
        per_call = gen.capabilities.max_images_per_call
        report = {
            "dry_run": True,
            "sent": False,
            "operation": operation,
            "model": gen.model_id,
            "provider": gen.provider,
            "prompt": prompt,
            "images": [_describe_input(i) for i in inputs],
            "mask": _describe_input(mask) if mask is not None else None,
            "options": request.set_options(),
            "provider_options": request.provider_options_dict(),
            "calls": -(-request.n // per_call),
            "estimate": {"usd": estimate.usd, "n": estimate.n, "basis": estimate.basis,
                         "prices_as_of": estimate.prices_as_of, "upper_bound": estimate.upper_bound,
                         "calls": estimate.calls, "unpriced": estimate.unpriced},
            "warnings": [n.to_dict() for n in notices],
            "skipped": [str(s) for s in skipped],
        }
        if as_json:
            output.emit_json(report)
        else:
            _print(report, urls_fetched=not urls)
        return
    raise NoModelAvailableError(skipped)


def _print(report: dict[str, Any], *, urls_fetched: bool) -> None:
    show = output.result
    show("dry run: nothing was sent")
    show(f"model:     {report['model']} ({report['provider']})")
    show(f"operation: {report['operation']}")
    show(f"prompt:    {report['prompt']}")
    if report["images"]:
        show("images:    " + "; ".join(report["images"]) + ("" if urls_fetched else " (URLs not fetched)"))
    if report["mask"]:
        show(f"mask:      {report['mask']}")
    opts = {**report["options"], **report["provider_options"]}
    show("options:   " + (", ".join(f"{k}={v}" for k, v in opts.items()) or "(provider defaults)"))
    show(f"calls:     {report['calls']}")
    est = report["estimate"]
    basis = f" ({est['basis']})" if est["basis"] else ""
    show(f"estimate:  {output.format_cost(est['usd'])} for {est['n']} image(s){basis}")
    for skip in report["skipped"]:
        output.info(f"would skip {skip}")
    for notice in report["warnings"]:
        output.warn(notice["message"])

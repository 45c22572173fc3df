"""``--dry-run`` of ``tryon generate``/``tryon edit``: validate, describe and estimate; send nothing.

Every local input (paths, base64) and the mask are loaded and fitted to the model's limits
exactly as a real run would; http(s) URLs are never fetched in a dry run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tryon.cli import output
from tryon.vto.composition import sent_prompt

if TYPE_CHECKING:
    from tryon.router import Router

__all__ = ["dry_run", "is_url"]


def is_url(source: object) -> bool:
    """Whether *source* is an http(s) URL (which a dry run does not fetch)."""
    from tryon.router import is_url as router_is_url

    return router_is_url(source)


def _describe_input(item: Any) -> str:
    from tryon.media.fetch import display_url
    from tryon.media.inputs import InputImage

    if isinstance(item, InputImage):
        return f"{item.name} ({item.format}, {item.width}x{item.height})"
    text = str(item)
    if is_url(text):
        return display_url(text)
    return text if len(text) <= 80 else f"<{len(text):,} characters of base64>"


def _reason(exc: Exception) -> str:
    from tryon.errors import BudgetExceededError, InvalidInputError, MissingCredentialsError

    if isinstance(exc, MissingCredentialsError):
        return f"no API key: {exc}"
    if isinstance(exc, InvalidInputError):
        return f"cannot take the inputs: {exc}"
    if isinstance(exc, BudgetExceededError):
        return f"over budget: {exc}"
    return f"cannot honour the request: {exc}"


def _missing_key(router: Router, gen: Any, *, several: bool) -> str | None:
    """Why a real run would find no key for *gen* (``None``: it has one). In a preference list the
    model is skipped as a real run would skip it; for one model the dry run reports it."""
    from tryon.errors import MissingCredentialsError

    try:
        router.check_credentials(gen)
    except MissingCredentialsError as exc:
        if several:
            raise
        return str(exc)
    return None


def dry_run(router: Router, operation: str, prompt: str | None, images: tuple[str, ...], models: Sequence[str],
            options: dict[str, Any], as_json: bool, *, max_cost: float | None = None,
            allow_unpriced: bool = False) -> None:
    """Validate against each model in turn (as a real run would), estimate the cost, send nothing.

    Inputs are prepared with ``Router.prepare(fetch=False)``: everything local exactly as a real
    run, http(s) URLs unfetched. A model without a key is skipped in a preference list (as a real
    run skips it) and reported for a single model.
    """
    from tryon.budget import check_estimate
    from tryon.capabilities import Operation
    from tryon.errors import (
        BudgetExceededError,
        InvalidInputError,
        MissingCredentialsError,
        NoModelAvailableError,
        UnsupportedOptionError,
    )
    from tryon.results import Skip

    op = Operation(operation)
    for name in models:  # every name of a preference list must exist, as a real run checks
        router.resolve_name(name)
    garments = [getattr(g, "image", g) for g in options.get("garments", ())]
    sources = [*images, *([options["mask"]] if "mask" in options else []),
               *([options["person"]] if "person" in options else []), *garments]
    urls = any(is_url(s) for s in sources)
    skipped: list[Skip] = []
    for name in models:
        try:
            gen, request, notices = router.prepare(op, prompt, name, images=images or None, fetch=False,
                                                   **options)
            inputs, mask = getattr(request, "images", ()), getattr(request, "mask", None)
            estimate = router.estimate_request(gen, request)
            check_estimate(estimate, max_cost, allow_unpriced=allow_unpriced)
            keyless = _missing_key(router, gen, several=len(models) > 1)
        except (UnsupportedOptionError, InvalidInputError, MissingCredentialsError, BudgetExceededError) as exc:
            if len(models) == 1:
                raise
            skipped.append(Skip(name, _reason(exc), exc))
            continue
        per_call = gen.capabilities.max_images_per_call
        sent = sent_prompt(request, gen.capabilities)  # a composition try-on sends the rendered prompt
        report = {
            "dry_run": True,
            "sent": False,
            "operation": operation,
            "model": gen.model_id,
            "provider": gen.provider,
            "prompt": (prompt or "") if sent is None else sent,
            **({} if sent is None else {"user_prompt": prompt or ""}),
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
            "missing_key": keyless,
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
    show(f"prompt:    {report['prompt'] or '(none)'}")
    if "user_prompt" in report:
        show(f"           (rendered from the try-on template; your prompt: {report['user_prompt'] or '(none)'})")
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
    if report["missing_key"]:
        output.warn(f"a real run would be refused: {report['missing_key']}")
    for notice in report["warnings"]:
        output.warn(notice["message"])

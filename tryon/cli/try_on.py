"""``tryon try-on PERSON GARMENT... --category top -m MODEL -o out/``: virtual try-on from the command line.

The same options, output and exit codes as ``tryon edit`` (``--dry-run``, ``--json``,
``--max-cost``, ``--sidecar``, ...), plus the try-on options of docs/try-on.md.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tryon.cli import output
from tryon.cli.generate import request_options_except

if TYPE_CHECKING:
    from tryon.results import Generation
    from tryon.router import Router

__all__ = ["COMMANDS", "DEFAULT_STEM", "try_on"]

DEFAULT_STEM = "try-on"
_COMMON = ("size", "aspect_ratio", "quality", "output_format", "output_compression", "moderation", "seed")
_TRY_ON = ("mode", "garment_photo_type", "mask", "mask_prompt", "input_fidelity")


@click.command("try-on")
@click.argument("person", metavar="PERSON")
@click.argument("garments", metavar="GARMENT...", nargs=-1, required=True)
@click.option("-c", "--category", "categories", multiple=True, metavar="CATEGORY",
              help="Garment category in tryon's words (top, bottom, one-piece, outerwear, footwear, accessory, "
                   "long-sleeve-top, trousers, shoes, ...). Once for every garment, or once per garment in order.")
@click.option("-p", "--prompt", help="Extra instructions, for models that take a prompt.")
@click.option("--mode", type=click.Choice(["speed", "balanced", "quality"]), help="Speed/quality trade-off.")
@click.option("--garment-photo-type", type=click.Choice(["auto", "flat-lay", "worn"]),
              help="How the garment images were taken: laid flat (or on a hanger), or worn by someone.")
@click.option("--mask", help="Where the garments go on PERSON: black = change, white = keep.")
@click.option("--mask-prompt", help="Where the garments go, in words (models with a prompt mask).")
@click.option("--prompt-template", metavar="TEMPLATE",
              help="Replace a composition model's prompt template (fields: {person} {garments} {items} {count} "
                   "{prompt}).")
@click.option("--input-fidelity", type=click.Choice(["low", "high"]),
              help="How closely to preserve the inputs (composition models with fidelity control).")
@request_options_except("stream", "partial_images", "background")
def try_on(person: str, garments: tuple[str, ...], categories: tuple[str, ...], **params: Any) -> None:
    """Dress PERSON in each GARMENT (paths, URLs or base64) and save the images.

    \b
    Examples:
      tryon try-on me.jpg shirt.png --category top -m fashn-tryon-v1.6 -o out/
      tryon try-on me.jpg shirt.png jeans.png -c top -c trousers -m gpt-image-2.6-sunburst --dry-run
      tryon try-on me.jpg dress.png -c one-piece -m fashn-tryon-v1.6 -m gpt-image-2.6-sunburst -n 4 --max-cost 0.80
    """
    from tryon import DEFAULT_MODEL
    from tryon.cli.dry_run import dry_run
    from tryon.cli.generate import _output_dir, _router
    from tryon.router import RetiredModelWarning

    models = list(params["models"]) or [DEFAULT_MODEL]
    items = _garments(garments, categories)
    router = _router(params, models)
    options = _options(params, router, models[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RetiredModelWarning)  # reported from the result's notices
        if params["dry_run"]:
            dry_run(router, "try_on", options.pop("prompt", None), (), models,
                    {"person": person, "garments": items, **options}, params["as_json"],
                    max_cost=params["max_cost"], allow_unpriced=params["allow_unpriced"])
            return
        if params["allow_unpriced"] and params["max_cost"] is None:
            raise click.UsageError("--allow-unpriced applies with --max-cost")
        with _output_dir(params["output_dir"]) as out_dir:
            _call(router, person, items, models, options, params, out_dir)


COMMANDS = (try_on,)


def _garments(garments: Sequence[str], categories: Sequence[str]) -> list[Any]:
    from tryon.vto.garments import Garment, check_category

    if len(categories) not in (0, 1, len(garments)):
        raise click.UsageError(f"{len(categories)} --category values for {len(garments)} garments: give one for "
                               "every garment, or one per garment in order")
    try:
        checked = [check_category(c, "--category") for c in categories]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'-c' / '--category'") from None
    if len(checked) == 1:
        checked = checked * len(garments)
    return [Garment(g, checked[i] if checked else None) for i, g in enumerate(garments)]


def _options(params: dict[str, Any], router: Router, model: str) -> dict[str, Any]:
    options: dict[str, Any] = {name: params[name] for name in (*_COMMON, *_TRY_ON) if params[name] is not None}
    options["n"] = params["n"]
    for name in ("prompt", "prompt_template"):
        if params[name] is not None:
            options[name] = params[name]
    provider_options = output.parse_key_values(
        params["provider_options"], text_keys=output.text_options(router.info(model).capabilities.provider_options))
    if provider_options:
        options["options"] = provider_options
    return options


def _call(router: Router, person: str, garments: list[Any], models: Sequence[str], options: dict[str, Any],
          params: dict[str, Any], out_dir: Path) -> None:
    from tryon.cli.generate import _report, _save_arrived
    from tryon.errors import PartialResultError

    model: str | list[str] = models[0] if len(models) == 1 else list(models)
    stem_source = params["stem"] or DEFAULT_STEM
    arrived: list[Generation] = []
    title = options.get("prompt") or "try-on: " + ", ".join(g.category or "garment" for g in garments)
    named = {**params, "stem": stem_source}
    try:
        with output.progress(f"trying on {len(garments)} garment(s), {params['n']} image(s) with "
                             f"{' or '.join(models)}"):
            gen = router.try_on(person, garments, model=model, on_part=arrived.append,
                                max_cost=params["max_cost"], allow_unpriced=params["allow_unpriced"], **options)
    except KeyboardInterrupt:
        _save_arrived(arrived, named, title, out_dir)
        raise
    except PartialResultError as exc:
        paths = exc.generation.save(out_dir, sidecar=params["sidecar"], stem=_safe(stem_source))
        message = (f"{len(exc.errors)} of the calls failed ({exc.errors[0]}); "
                   f"the {len(paths)} image(s) that succeeded were saved")
        _report(exc.generation, paths, [], named, title, out_dir, error=message)
        output.error(message)
        raise click.exceptions.Exit(1) from None
    paths = gen.save(out_dir, sidecar=params["sidecar"], stem=_safe(stem_source))
    _report(gen, paths, [], named, title, out_dir)


def _safe(stem: str) -> str:
    from tryon.media.outputs import safe_filename

    return safe_filename(stem)

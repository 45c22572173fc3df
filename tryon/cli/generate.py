"""``tryon generate PROMPT`` and ``tryon edit IMAGE... --prompt ...``.

Both take every option the core knows. Images are saved into ``--output-dir`` under fresh
names (never overwriting), paths are printed on stdout, progress and warnings on stderr.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tryon.cli import output

if TYPE_CHECKING:
    from tryon.results import Generation
    from tryon.router import Router

__all__ = ["COMMANDS", "DEFAULT_OUTPUT_DIR", "edit", "generate"]

DEFAULT_OUTPUT_DIR = "tryon-output"
DEFAULT_PARTIAL_IMAGES = 2
_COMMON = ("size", "aspect_ratio", "quality", "background", "output_format", "output_compression",
           "moderation", "seed")

F = Callable[..., Any]


def _request_options(command: F) -> F:
    """The options shared by ``generate`` and ``edit`` (applied bottom-up, listed top-down)."""
    decorators = [
        click.option("-m", "--model", "models", multiple=True, metavar="MODEL",
                     help="Model id (default gpt-image-1.5). Repeat for a preference list: the first model "
                          "that can honour the request serves it."),
        click.option("--size", help="Output size: WIDTHxHEIGHT or auto (see `tryon models MODEL`)."),
        click.option("--aspect-ratio", help="Output aspect ratio W:H, for models that take ratios."),
        click.option("--quality", help="Quality, e.g. low, medium, high, auto."),
        click.option("--background", type=click.Choice(["transparent", "opaque", "auto"]),
                     help="Background; transparent needs png or webp output."),
        click.option("-n", "n", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Number of images (split into several calls when the model makes fewer per call)."),
        click.option("--output-format", help="png, jpeg or webp (as the model allows)."),
        click.option("--output-compression", type=click.IntRange(0, 100), help="0-100, for jpeg and webp."),
        click.option("--moderation", help="Moderation level, e.g. low or auto."),
        click.option("--seed", type=click.IntRange(min=0), help="Seed, for models that take one."),
        click.option("--option", "provider_options", multiple=True, metavar="KEY=VALUE",
                     help="A provider-specific option (repeatable); VALUE is parsed as JSON when it can be."),
        click.option("--lenient", is_flag=True,
                     help="Adapt options the model cannot honour (each change is reported) instead "
                          "of refusing."),
        click.option("-o", "--output-dir", default=DEFAULT_OUTPUT_DIR, show_default=True,
                     type=click.Path(file_okay=False), help="Directory for the images."),
        click.option("--name", "stem", metavar="STEM", help="File name stem (default: from the prompt)."),
        click.option("--sidecar", is_flag=True,
                     help="Write a JSON sidecar (prompt, model, options, cost) per image."),
        click.option("--stream", is_flag=True,
                     help="Stream: save partial images (STEM.partial-N.png) as they arrive."),
        click.option("--partial-images", type=click.IntRange(min=0),
                     help=f"Partial images per image with --stream (default {DEFAULT_PARTIAL_IMAGES})."),
        click.option("--dry-run", is_flag=True,
                     help="Validate, print the request and its cost estimate; send nothing."),
        click.option("--json", "as_json", is_flag=True, help="Machine-readable output on stdout."),
        click.option("--allow-private-urls", is_flag=True,
                     help="Allow image URLs on loopback/private networks (refused by default)."),
        click.option("--api-key", metavar="KEY",
                     help="API key of the model's provider (prefer its environment variable, "
                          "e.g. OPENAI_API_KEY)."),
        click.option("--base-url", metavar="URL",
                     help="Base URL of the model's provider (e.g. a compatible endpoint)."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


@click.command()
@click.argument("prompt")
@_request_options
def generate(prompt: str, **params: Any) -> None:
    """Generate images from PROMPT.

    \b
    Examples:
      tryon generate "A leather jacket" --background transparent -n 4 -o out/
      tryon generate "A summer dress" -m gpt-image-1.5 -m flux-2-pro --dry-run
    """
    _run("generate", prompt, (), params)


@click.command()
@click.argument("images", nargs=-1, required=True)
@click.option("-p", "--prompt", required=True, help="What to change.")
@click.option("--mask", help="Mask image: black = edit, white = keep (or transparent = edit).")
@click.option("--input-fidelity", type=click.Choice(["low", "high"]),
              help="How closely to preserve the input images (models with fidelity control).")
@_request_options
def edit(images: tuple[str, ...], prompt: str, **params: Any) -> None:
    """Edit IMAGES (paths, URLs or base64) following --prompt.

    \b
    Examples:
      tryon edit person.jpg --prompt "Make the hat red" -o out/
      tryon edit scene.png --mask mask.png --prompt "Add a swimming pool" --dry-run
      tryon edit ref1.jpg ref2.jpg --prompt "Combine both outfits" --input-fidelity high
    """
    _run("edit", prompt, images, params)


COMMANDS = (generate, edit)


# --------------------------------------------------------------------------- building the request


def _router(params: dict[str, Any], models: Sequence[str]) -> Router:
    from tryon.router import Router
    from tryon.secrets import Secret

    router = Router(strict=not params["lenient"],
                    allow_private_urls=True if params["allow_private_urls"] else None)
    settings: dict[str, Any] = {}
    if params["api_key"]:
        settings["api_key"] = Secret(params["api_key"])
    if params["base_url"]:
        settings["base_url"] = params["base_url"]
    if settings:
        providers = sorted({router.info(m).provider for m in models})
        if len(providers) > 1:
            raise click.UsageError(
                "--api-key/--base-url apply to one provider, but the models belong to several "
                f"({', '.join(providers)}); set each provider's environment variable instead")
        router.configure(providers[0], **settings)
    return router


def _options(operation: str, params: dict[str, Any], router: Router, model: str) -> dict[str, Any]:
    options: dict[str, Any] = {name: params[name] for name in _COMMON if params[name] is not None}
    options["n"] = params["n"]
    provider_options = output.parse_key_values(params["provider_options"])
    if provider_options:
        options["options"] = provider_options
    if operation == "edit":
        for name in ("mask", "input_fidelity"):
            if params[name] is not None:
                options[name] = params[name]
    if params["stream"]:
        partial = params["partial_images"]
        if partial is None:
            partial = min(DEFAULT_PARTIAL_IMAGES, router.info(model).capabilities.max_partial_images)
        options["partial_images"] = partial
    elif params["partial_images"] is not None:
        raise click.UsageError("--partial-images needs --stream")
    return options


def _output_dir(params: dict[str, Any]) -> Path:
    """The output directory, created (so that saving picks fresh names inside it)."""
    path = Path(params["output_dir"]).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stem(params: dict[str, Any], prompt: str) -> str:
    from tryon.media.outputs import safe_filename

    return params["stem"] or safe_filename(prompt.lower(), 40)


def _run(operation: str, prompt: str, images: tuple[str, ...], params: dict[str, Any]) -> None:
    from tryon import DEFAULT_MODEL
    from tryon.router import RetiredModelWarning

    models = list(params["models"]) or [DEFAULT_MODEL]
    router = _router(params, models)
    options = _options(operation, params, router, models[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RetiredModelWarning)  # reported from the result's notices
        if params["dry_run"]:
            _dry_run(router, operation, prompt, images, models, options, params["as_json"])
        elif params["stream"]:
            if len(models) > 1:
                raise click.UsageError("--stream takes a single --model")
            _stream(router, operation, prompt, images, models[0], options, params)
        else:
            _call(router, operation, prompt, images, models, options, params)


# --------------------------------------------------------------------------- dry run


def _is_url(source: str) -> bool:
    return source.strip()[:8].lower().startswith(("http://", "https://"))


def _describe_input(item: Any) -> str:
    from tryon.media.fetch import display_url
    from tryon.media.inputs import InputImage

    if isinstance(item, InputImage):
        return f"{item.name} ({item.format}, {item.width}x{item.height})"
    text = str(item)
    if _is_url(text):
        return display_url(text)
    return text if len(text) <= 80 else f"<{len(text):,} characters of base64>"


def _dry_run(router: Router, operation: str, prompt: str, images: tuple[str, ...], models: Sequence[str],
             options: dict[str, Any], as_json: bool) -> None:
    """Validate against each model in turn (as a real run would), estimate the cost, send nothing."""
    from tryon.capabilities import Operation
    from tryon.errors import NoModelAvailableError, UnsupportedOptionError
    from tryon.results import Skip

    op = Operation(operation)
    sources = [*images, *([options["mask"]] if "mask" in options else [])]
    fetch_inputs = not any(_is_url(s) for s in sources)
    skipped: list[Skip] = []
    for name in models:
        try:
            if fetch_inputs:
                gen, request, notices = router.prepare(op, prompt, name, images=images or None, **options)
            else:  # a dry run downloads nothing: URL inputs are checked when the request runs
                built = router.build_request(op, prompt, options, images=images)
                request, notices = router.check(built, name)
                gen = router.get(name)
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
            "images": [_describe_input(i) for i in getattr(request, "images", ())],
            "mask": _describe_input(mask) if (mask := getattr(request, "mask", None)) is not None else None,
            "options": request.set_options(),
            "provider_options": request.provider_options_dict(),
            "calls": -(-request.n // per_call),
            "estimate": {"usd": estimate.usd, "n": estimate.n, "basis": estimate.basis,
                         "prices_as_of": estimate.prices_as_of},
            "warnings": [n.to_dict() for n in notices],
            "skipped": [str(s) for s in skipped],
        }
        if as_json:
            output.emit_json(report)
        else:
            _print_dry_run(report, fetch_inputs)
        return
    raise NoModelAvailableError(skipped)


def _print_dry_run(report: dict[str, Any], inputs_checked: bool) -> None:
    show = output.result
    show("dry run: nothing was sent")
    show(f"model:     {report['model']} ({report['provider']})")
    show(f"operation: {report['operation']}")
    show(f"prompt:    {report['prompt']}")
    if report["images"]:
        show("images:    " + "; ".join(report["images"]) + ("" if inputs_checked else " (URLs not fetched)"))
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


# --------------------------------------------------------------------------- running


def _call(router: Router, operation: str, prompt: str, images: tuple[str, ...], models: Sequence[str],
          options: dict[str, Any], params: dict[str, Any]) -> None:
    from tryon.errors import PartialResultError

    model: str | list[str] = models[0] if len(models) == 1 else list(models)
    verb = "generating" if operation == "generate" else "editing"
    try:
        with output.progress(f"{verb} {params['n']} image(s) with {' or '.join(models)}"):
            if operation == "generate":
                gen = router.generate(prompt, model=model, **options)
            else:
                gen = router.edit(list(images), prompt, model=model, **options)
    except PartialResultError as exc:
        stem = _stem(params, prompt)
        paths = exc.generation.save(_output_dir(params), sidecar=params["sidecar"], stem=stem)
        _report(exc.generation, paths, [], params["as_json"], error=str(exc))
        output.error(str(exc))
        raise click.exceptions.Exit(1) from None
    paths = gen.save(_output_dir(params), sidecar=params["sidecar"], stem=_stem(params, prompt))
    _report(gen, paths, [], params["as_json"])


def _stream(router: Router, operation: str, prompt: str, images: tuple[str, ...], model: str,
            options: dict[str, Any], params: dict[str, Any]) -> None:
    from tryon.results import Generation

    stem = _stem(params, prompt)
    out_dir = _output_dir(params)
    partials: list[Path] = []
    final: Generation | None = None
    output.info(f"streaming from {model}...")
    inputs = list(images) if operation == "edit" else None
    events = router.stream(prompt, model=model, images=inputs, **options)
    for event in events:
        if isinstance(event, Generation):
            final = event
            continue
        prefix = stem if options["n"] == 1 else f"{stem}-{event.image_index}"
        path = event.image.save(out_dir, stem=f"{prefix}.partial-{event.index}")
        partials.append(path)
        output.info(f"partial image {event.index}: {path}")
    assert final is not None  # the router's stream always ends with the result
    paths = final.save(out_dir, sidecar=params["sidecar"], stem=stem)
    _report(final, paths, partials, params["as_json"])


def _report(gen: Generation, paths: Sequence[Path], partials: Sequence[Path], as_json: bool,
            error: str | None = None) -> None:
    if as_json:
        data: dict[str, Any] = {"paths": [str(p) for p in paths], **gen.summary()}
        if partials:
            data["partial_paths"] = [str(p) for p in partials]
        if error:
            data["error"] = error
        output.emit_json(data)
        return
    for path in paths:
        output.result(str(path))
    for notice in gen.warnings:
        output.warn(str(notice))
    for skip in gen.skipped:
        output.info(f"skipped {skip}")
    usage = f", {gen.usage.total_tokens:,} tokens" if gen.usage and gen.usage.total_tokens else ""
    output.info(f"saved {len(paths)} image(s) from {gen.model} ({gen.provider}); "
                f"cost {output.format_cost(gen.cost_usd)}{usage}")

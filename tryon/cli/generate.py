"""``tryon generate PROMPT`` and ``tryon edit IMAGE... --prompt ...``.

Both take every option the core knows. Images are saved into ``--output-dir`` under fresh
names (never overwriting), paths are printed on stdout, progress and warnings on stderr.
"""

from __future__ import annotations

import itertools
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tryon.cli import output

if TYPE_CHECKING:
    from tryon.results import Generation
    from tryon.router import Router

__all__ = ["COMMANDS", "DEFAULT_OUTPUT_DIR", "edit", "generate", "request_options_except"]

DEFAULT_OUTPUT_DIR = "tryon-output"
DEFAULT_PARTIAL_IMAGES = 2
_COMMON = ("size", "aspect_ratio", "quality", "background", "output_format", "output_compression",
           "moderation", "seed")

F = Callable[..., Any]


def _request_options(command: F) -> F:
    """The options shared by ``generate`` and ``edit`` (applied bottom-up, listed top-down)."""
    return request_options_except()(command)


def request_options_except(*names: str) -> Callable[[F], F]:
    """The shared request options but those whose parameter is named in *names* (``tryon try-on``
    has no ``stream``, ``partial_images`` or ``background``)."""
    def apply(command: F) -> F:
        for name, decorator in reversed(_option_decorators()):
            if name not in names:
                command = decorator(command)
        return command
    return apply


def _option_decorators() -> list[tuple[str, Callable[[F], F]]]:
    decorators = [
        click.option("-m", "--model", "models", multiple=True, metavar="MODEL",
                     help="Model id (default gpt-image-2.6-sunburst). Repeat for a preference list: the first model "
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
        click.option("--contact-sheet", is_flag=True,
                     help="Also write contact-sheet.png: the saved images side by side, labelled with "
                          "their file names."),
        click.option("--stream", is_flag=True,
                     help="Stream: save partial images as they arrive, named after their final image "
                          "(STEM.partial-N.png)."),
        click.option("--partial-images", type=click.IntRange(min=0),
                     help=f"Partial images per image with --stream (default {DEFAULT_PARTIAL_IMAGES}, or the "
                          "model's maximum if lower)."),
        click.option("--dry-run", is_flag=True,
                     help="Validate, print the request and its cost estimate; send nothing."),
        click.option("--max-cost", type=click.FloatRange(min=0), metavar="USD",
                     help="Refuse (before sending) a request whose estimated cost exceeds USD dollars."),
        click.option("--allow-unpriced", is_flag=True,
                     help="With --max-cost: also send to models without price data."),
        click.option("--json", "as_json", is_flag=True, help="Machine-readable output on stdout."),
        click.option("--allow-private-urls", is_flag=True,
                     help="Allow image URLs on loopback/private networks (refused by default)."),
        click.option("--api-key", metavar="KEY",
                     help="API key of the model's provider (prefer its environment variable, "
                          "e.g. OPENAI_API_KEY)."),
        click.option("--base-url", metavar="URL",
                     help="Base URL of the model's provider (e.g. a compatible endpoint)."),
        click.option("--allow-retired", is_flag=True,
                     help="Send a model past its shutdown date: the endpoint in use still serves it "
                          "(Azure, an OpenAI-compatible endpoint); otherwise it is refused before sending."),
    ]
    return [(_param_name(d), d) for d in decorators]


def _param_name(decorator: Callable[[F], F]) -> str:
    """The parameter name a ``click.option`` decorator adds (applied to a throwaway function)."""
    def probe() -> None: ...
    decorator(probe)
    return str(probe.__click_params__[-1].name)  # type: ignore[attr-defined]


@click.command()
@click.argument("prompt_argument", metavar="PROMPT", required=False)
@click.option("-p", "--prompt", "prompt_option", metavar="PROMPT", help="The prompt (instead of the argument).")
@_request_options
def generate(prompt_argument: str | None, prompt_option: str | None, **params: Any) -> None:
    """Generate images from PROMPT (the argument, or --prompt).

    \b
    Examples:
      tryon generate "A leather jacket" --background transparent -n 4 -o out/
      tryon generate --prompt "A summer dress" -m gpt-image-2.6-sunburst -m flux-2-pro --dry-run
      tryon generate "A tote bag" -n 8 --max-cost 0.50
    """
    if prompt_argument is not None and prompt_option is not None:
        raise click.UsageError("give the prompt once: as the argument or with --prompt")
    prompt = prompt_option if prompt_option is not None else prompt_argument
    if prompt is None:
        raise click.UsageError("missing the prompt: tryon generate \"A leather jacket\" (or --prompt ...)")
    _run("generate", prompt, (), params)


@click.command()
@click.argument("images", nargs=-1, required=True)
@click.option("-p", "--prompt", help="What to change (or give it as the last argument, after the images).")
@click.option("--mask", help="Mask image: black = edit, white = keep (or transparent = edit).")
@click.option("--input-fidelity", type=click.Choice(["low", "high"]),
              help="How closely to preserve the input images (models with fidelity control).")
@_request_options
def edit(images: tuple[str, ...], prompt: str, **params: Any) -> None:
    """Edit IMAGES (paths, URLs or base64) following --prompt (or a last argument that is no image).

    \b
    Examples:
      tryon edit person.jpg --prompt "Make the hat red" -o out/
      tryon edit person.jpg "Make the hat red" -o out/
      tryon edit scene.png --mask mask.png --prompt "Add a swimming pool" --dry-run
      tryon edit ref1.jpg ref2.jpg --prompt "Combine both outfits" --input-fidelity high
    """
    if prompt is None:
        images, prompt = _trailing_prompt(images)
    _run("edit", prompt, images, params)


def _trailing_prompt(images: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """``tryon edit a.png "Make it red"``: the last argument is the prompt when it is no file, URL or data URL."""
    if len(images) >= 2:
        last = images[-1]
        looks_like_image = (Path(last).expanduser().exists() or "://" in last[:12] or last.startswith("data:")
                            or (" " not in last and len(last) > 200))
        if not looks_like_image:
            return images[:-1], last
    raise click.UsageError('missing the prompt: tryon edit IMAGE... --prompt "What to change" '
                           '(or the prompt as the last argument)')


COMMANDS = (generate, edit)


# --------------------------------------------------------------------------- building the request


def _router(params: dict[str, Any], models: Sequence[str]) -> Router:
    from tryon.router import Router
    from tryon.secrets import Secret

    router = Router(strict=not params["lenient"],
                    allow_private_urls=True if params["allow_private_urls"] else None,
                    allow_retired=bool(params["allow_retired"]))
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
    provider_options = output.parse_key_values(
        params["provider_options"], text_keys=output.text_options(router.info(model).capabilities.provider_options))
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


@contextmanager
def _output_dir(raw: str) -> Iterator[Path]:
    """The output directory, created and checked writable before anything is sent.

    An unusable directory is a usage error (exit 2, nothing sent). Directories created here
    are removed again if the command fails before saving anything into them.
    """
    path = Path(raw).expanduser()
    created = [p for p in (path, *path.parents) if not p.exists()]
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _remove_empty([p for p in created if p.exists()])
        raise _unusable(path, f"cannot create it: {exc.strerror or exc}") from None
    try:
        with tempfile.TemporaryFile(dir=path, prefix=".tryon-write-check-"):
            pass
    except OSError as exc:
        _remove_empty(created)
        raise _unusable(path, f"cannot write into it: {exc.strerror or exc}") from None
    try:
        yield path
    except BaseException:
        _remove_empty(created)
        raise


def _unusable(path: Path, reason: str) -> click.BadParameter:
    return click.BadParameter(f"directory {str(path)!r}: {reason}", param_hint="'-o' / '--output-dir'")


def _remove_empty(directories: Sequence[Path]) -> None:
    """Remove *directories* (deepest first) that are still empty."""
    for directory in directories:
        try:
            directory.rmdir()
        except OSError:
            return


def _stem(params: dict[str, Any], prompt: str) -> str:
    from tryon.media.outputs import name_from_prompt, safe_filename

    return safe_filename(params["stem"]) if params["stem"] else name_from_prompt(prompt)


def _run(operation: str, prompt: str, images: tuple[str, ...], params: dict[str, Any]) -> None:
    from tryon import DEFAULT_MODEL
    from tryon.cli.dry_run import dry_run
    from tryon.router import RetiredModelWarning

    models = list(params["models"]) or [DEFAULT_MODEL]
    router = _router(params, models)
    options = _options(operation, params, router, models[0])
    if params["stream"] and len(models) > 1:
        raise click.UsageError("--stream takes a single --model")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RetiredModelWarning)  # reported from the result's notices
        if params["dry_run"]:
            dry_run(router, operation, prompt, images, models, options, params["as_json"],
                    max_cost=params["max_cost"], allow_unpriced=params["allow_unpriced"])
            return
        if params["allow_unpriced"] and params["max_cost"] is None:
            raise click.UsageError("--allow-unpriced applies with --max-cost")
        with _output_dir(params["output_dir"]) as out_dir:
            if params["stream"]:
                _stream(router, operation, prompt, images, models[0], options, params, out_dir)
            else:
                _call(router, operation, prompt, images, models, options, params, out_dir)


# --------------------------------------------------------------------------- running


def _call(router: Router, operation: str, prompt: str, images: tuple[str, ...], models: Sequence[str],
          options: dict[str, Any], params: dict[str, Any], out_dir: Path) -> None:
    from tryon.errors import PartialResultError

    model: str | list[str] = models[0] if len(models) == 1 else list(models)
    verb = "generating" if operation == "generate" else "editing"
    arrived: list[Generation] = []
    budget = {"max_cost": params["max_cost"], "allow_unpriced": params["allow_unpriced"]}
    try:
        with output.progress(f"{verb} {params['n']} image(s) with {' or '.join(models)}"):
            if operation == "generate":
                gen = router.generate(prompt, model=model, on_part=arrived.append, **budget, **options)
            else:
                gen = router.edit(list(images), prompt, model=model, on_part=arrived.append, **budget, **options)
    except KeyboardInterrupt:
        _save_arrived(arrived, params, prompt, out_dir)
        raise
    except PartialResultError as exc:
        paths = exc.generation.save(out_dir, sidecar=params["sidecar"], stem=_stem(params, prompt))
        message = (f"{len(exc.errors)} of the calls failed ({exc.errors[0]}); "
                   f"the {len(paths)} image(s) that succeeded were saved")
        _report(exc.generation, paths, [], params, prompt, out_dir, error=message)
        output.error(message)
        raise click.exceptions.Exit(1) from None
    paths = gen.save(out_dir, sidecar=params["sidecar"], stem=_stem(params, prompt))
    _report(gen, paths, [], params, prompt, out_dir)


def _save_arrived(arrived: Sequence[Generation], params: dict[str, Any], prompt: str, out_dir: Path) -> None:
    """Ctrl-C during a multi-call request: keep the images whose calls had already answered (they are paid)."""
    paths = [path for part in list(arrived)
             for path in part.save(out_dir, sidecar=params["sidecar"], stem=_stem(params, prompt))]
    if paths:
        output.error(f"interrupted: the {len(paths)} image(s) that had arrived were saved:")
        for path in paths:
            output.result(str(path))


class _Stems:
    """File stems of a streamed result's images, chosen when each image's first file is written.

    Image *i*'s partials are ``STEM_i.partial-K`` and its final file ``STEM_i``, where
    ``STEM_i`` is the first of ``stem``, ``stem-1``, ``stem-2``, ... that no file of the
    directory and no other image of this result uses, so nothing is ever overwritten.
    """

    def __init__(self, directory: Path, stem: str) -> None:
        self.directory = directory
        self.stem = stem
        self.chosen: dict[int, str] = {}

    def __getitem__(self, image_index: int) -> str:
        if image_index not in self.chosen:
            names = [p.name for p in self.directory.iterdir()]
            taken = set(self.chosen.values())
            for n in range(10_000):
                candidate = self.stem if n == 0 else f"{self.stem}-{n}"
                if candidate not in taken and not any(name.startswith(f"{candidate}.") for name in names):
                    break
            self.chosen[image_index] = candidate
        return self.chosen[image_index]


def _stream(router: Router, operation: str, prompt: str, images: tuple[str, ...], model: str,
            options: dict[str, Any], params: dict[str, Any], out_dir: Path) -> None:
    from tryon.results import Generation

    stems = _Stems(out_dir, _stem(params, prompt))
    partials: list[Path] = []
    inputs = list(images) if operation == "edit" else None
    events = iter(router.stream(prompt, model=model, images=inputs, max_cost=params["max_cost"],
                                allow_unpriced=params["allow_unpriced"], **options))
    final: Generation | None = None
    started = time.perf_counter()
    with output.progress(f"streaming from {model}", done="first answer"):  # validation errors come first
        first = next(events)
    for event in itertools.chain([first], events):
        if isinstance(event, Generation):
            final = event
            continue
        path = event.image.save(out_dir, stem=f"{stems[event.image_index]}.partial-{event.index}",
                                directory=True)
        partials.append(path)
        output.info(f"partial image {event.index}: {path} ({time.perf_counter() - started:.1f}s)")
    assert final is not None  # the router's stream always ends with the result
    output.info(f"final image received ({time.perf_counter() - started:.1f}s)")
    paths = [image.save(out_dir, sidecar=params["sidecar"], stem=stems[i], directory=True)
             for i, image in enumerate(final)]
    _report(final, paths, partials, params, prompt, out_dir)


def _report(gen: Generation, paths: Sequence[Path], partials: Sequence[Path], params: dict[str, Any],
            prompt: str, out_dir: Path, error: str | None = None) -> None:
    from tryon.cli.sheets import write_contact_sheet

    sheet = None
    if params["contact_sheet"] and paths:
        sheet = write_contact_sheet(paths, out_dir, title=f"{gen.model}: {prompt}")
    if params["as_json"]:
        data: dict[str, Any] = {"paths": [str(p) for p in paths], **gen.summary()}
        if partials:
            data["partial_paths"] = [str(p) for p in partials]
        if sheet is not None:
            data["contact_sheet"] = str(sheet)
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
    if sheet is not None:
        output.info(f"contact sheet: {sheet}")
    usage = f", {gen.usage.total_tokens:,} tokens" if gen.usage and gen.usage.total_tokens else ""
    output.info(f"saved {len(paths)} image(s) from {gen.model} ({gen.provider}); "
                f"cost {output.format_cost(gen.cost_usd)}{usage}")

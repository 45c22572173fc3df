"""``tryon demo``: the whole path with no key and no internet.

A local OpenAI emulator starts in-process on 127.0.0.1 and a router is pointed at it, so
every step runs through the real GPT-Image plugin and the real ``openai`` SDK: validation,
input preparation, mask conversion, HTTP, response parsing and saving.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from tryon.cli import output

if TYPE_CHECKING:
    from tryon.results import Generation
    from tryon.router import Router

__all__ = ["COMMANDS", "DEFAULT_DEMO_DIR", "DemoResult", "demo", "run_demo"]

DEFAULT_DEMO_DIR = "tryon-demo"
MODEL = "gpt-image-2.6-sunburst"
EMULATOR_KEY = "emulator-key"


@attrs.frozen
class DemoResult:
    """What the demo wrote: each step's images, the mask it made and the contact sheet."""

    steps: tuple[tuple[str, tuple[Path, ...]], ...]
    mask: Path
    contact_sheet: Path
    requests: int


def _make_mask(size: tuple[int, int]) -> bytes:
    """A white (keep) mask with a black (edit) rectangle over the lower middle."""
    from PIL import Image, ImageDraw

    width, height = size
    mask = Image.new("L", size, 255)
    ImageDraw.Draw(mask).rectangle((width // 4, height // 2, 3 * width // 4, height - height // 8), fill=0)
    buffer = io.BytesIO()
    mask.save(buffer, "PNG")
    return buffer.getvalue()


Progress = Callable[[str], AbstractContextManager[Any]]


def run_demo(out_dir: Path, *, progress: Progress | None = None) -> DemoResult:
    """Run the five demo requests against a local emulator and write everything to *out_dir*.

    *progress* (``label -> context manager``) wraps each step, e.g. to report it.
    """
    from tryon.media import contact_sheet, save_bytes
    from tryon.router import Router
    from tryon.testing.openai_emulator import OpenAIEmulator
    from tryon.vto.garments import Garment

    steps: list[tuple[str, Generation]] = []
    around = progress or (lambda _label: contextlib.nullcontext())
    with OpenAIEmulator(api_keys=[EMULATOR_KEY]) as emu:
        router = Router(settings={"openai": {"base_url": emu.base_url, "api_key": EMULATOR_KEY}})

        def step(label: str, run: Callable[[Router], Generation]) -> Generation:
            with around(label):
                gen = run(router)
            steps.append((label, gen))
            return gen

        portrait = step("text to image", lambda r: r.generate(
            "A female model in a traditional green saree", model=MODEL, size="1024x1024", quality="high"))
        product = step("transparent product image", lambda r: r.generate(
            "A stylish leather handbag with gold hardware, studio lighting", model=MODEL,
            size="1024x1024", quality="high", background="transparent"))
        out_dir.mkdir(parents=True, exist_ok=True)
        mask_path = save_bytes(_make_mask(portrait.image.size), "image/png", out_dir, stem="mask")
        step("masked edit (black = edit)", lambda r: r.edit(
            portrait.image.data, "Replace the masked area with a swimming pool", model=MODEL,
            mask=str(mask_path), size="1024x1024", quality="high"))
        step("multi-image edit", lambda r: r.edit(
            [portrait.image.data, product.image.data],
            "Create a fashion image combining elements from all reference images", model=MODEL,
            size="1536x1024", quality="high"))
        step("virtual try-on (composition)", lambda r: r.try_on(
            portrait.image.data, Garment(product.image.data, "bag"), model=MODEL, size="1024x1024",
            quality="high"))
        requests = len(emu.requests)

    saved = tuple((label, tuple(gen.save(out_dir, stem=f"{i}-{_slug(label)}")))
                  for i, (label, gen) in enumerate(steps, start=1))
    tiles: list[Any] = [gen.image for _, gen in steps]
    labels = [label for label, _ in steps]
    tiles.insert(2, mask_path.read_bytes())
    labels.insert(2, "the mask (black = edit)")
    sheet = contact_sheet(tiles, labels, columns=len(tiles),
                          title="tryon demo: gpt-image-2.6-sunburst through the local OpenAI emulator")
    sheet_path = save_bytes(sheet, "image/png", out_dir, stem="contact-sheet")
    return DemoResult(saved, mask_path, sheet_path, requests)


@attrs.frozen
class _ProviderDemo:
    """A short demo of one provider's emulator: a text-to-image, then an edit of that image."""

    emulator: str  # the name its plugin registers it under (register_emulators)
    provider: str
    generate_model: str
    edit_model: str
    settings: tuple[tuple[str, Any], ...] = ()
    masked: bool = False


PROVIDER_DEMOS: dict[str, _ProviderDemo] = {
    "bfl": _ProviderDemo("bfl", "bfl", "flux-2-pro", "flux-pro-1.0-fill",
                         (("poll_interval", 0.05),), masked=True),
    "gemini": _ProviderDemo("gemini", "gemini", "gemini-3.1-flash-image",
                            "gemini-3.1-flash-image"),
}
"""The providers ``tryon demo --provider`` can show besides ``openai`` (its full demo)."""


def run_provider_demo(name: str, out_dir: Path, *, progress: Progress | None = None) -> DemoResult:
    """Run the short demo of provider *name* (``bfl``/``flux`` or ``gemini``) against its local emulator."""
    from tryon.media import contact_sheet, save_bytes
    from tryon.router import Router

    spec = PROVIDER_DEMOS[name]
    from tryon.emulators import find

    entry = find(spec.emulator)
    around = progress or (lambda _label: contextlib.nullcontext())
    steps: list[tuple[str, Generation]] = []
    with entry.build(api_keys=[EMULATOR_KEY]) as emu:
        router = Router(settings={spec.provider: {"base_url": emu.base_url, "api_key": EMULATOR_KEY,
                                                  **dict(spec.settings)}})
        with around(f"text to image with {spec.generate_model}"):
            first = router.generate("A stylish leather handbag, studio lighting", model=spec.generate_model)
        steps.append((f"text to image ({spec.generate_model})", first))
        out_dir.mkdir(parents=True, exist_ok=True)
        mask_path = save_bytes(_make_mask(first.image.size), "image/png", out_dir, stem=f"{name}-mask")
        extra: dict[str, Any] = {"mask": str(mask_path)} if spec.masked else {}
        with around(f"edit with {spec.edit_model}"):
            edited = router.edit(first.image.data, "Make the handbag red", model=spec.edit_model, **extra)
        steps.append((f"edit ({spec.edit_model})", edited))
        requests = len(emu.requests)
    saved = tuple((label, tuple(gen.save(out_dir, stem=f"{name}-{i}-{_slug(label)}")))
                  for i, (label, gen) in enumerate(steps, start=1))
    sheet = contact_sheet([gen.image for _, gen in steps], [label for label, _ in steps], columns=len(steps),
                          title=f"tryon demo: {spec.provider} through its local emulator")
    return DemoResult(saved, mask_path, save_bytes(sheet, "image/png", out_dir, stem=f"{name}-contact-sheet"),
                      requests)


def _slug(label: str) -> str:
    from tryon.media import safe_filename

    return safe_filename(label.split(" (")[0].replace(" ", "-"))


_DEMO_CHOICES = ("openai", "flux", "bfl", "gemini", "all")


@click.command()
@click.option("-o", "--output-dir", default=DEFAULT_DEMO_DIR, show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Where to write the images.")
@click.option("--provider", type=click.Choice(_DEMO_CHOICES), default="openai", show_default=True,
              help="Whose emulator to show: openai (the full demo), flux (= bfl), gemini, or all.")
def demo(output_dir: Path, provider: str) -> None:
    """Run tryon end to end offline: a local emulator, the real plugin (and SDK).

    With openai: a text-to-image, a transparent product image, a masked edit, a
    multi-image edit and a virtual try-on (the handbag on the model, by composition) through
    the real openai SDK. With flux or gemini: a text-to-image and an
    edit through that provider's plugin. Images and a contact sheet are written to
    --output-dir. Needs no API key and no internet.
    """
    names = ["openai", "bfl", "gemini"] if provider == "all" else ["bfl" if provider == "flux" else provider]
    for name in names:
        if name == "openai":
            _openai_demo(output_dir)
            continue
        output.info(f"starting a local {name} emulator (no key, no internet); writing to {output_dir}/")
        counter = iter(range(1, 3))

        def step(label: str, counter: Any = counter) -> Any:
            return output.progress(f"[{next(counter)}/2] {label}", delay=0)

        result = run_provider_demo(name, output_dir, progress=step)
        for label, paths in result.steps:
            for path in paths:
                output.result(f"{label}: {path}")
        output.result(f"contact sheet: {result.contact_sheet}")
        output.info(f"{result.requests} requests went to the {name} emulator.")


def _openai_demo(output_dir: Path) -> None:
    if importlib.util.find_spec("openai") is None:
        raise ImportError("the demo runs the real openai SDK: pip install 'tryon[openai]'")
    total = 5
    counter = iter(range(1, total + 1))
    output.info(f"starting a local OpenAI emulator (no key, no internet); writing to {output_dir}/")
    result = run_demo(output_dir,
                      progress=lambda label: output.progress(f"[{next(counter)}/{total}] {label}", delay=0))
    for label, paths in result.steps:
        for path in paths:
            output.result(f"{label}: {path}")
    output.result(f"mask: {result.mask}")
    output.result(f"contact sheet: {result.contact_sheet}")
    output.info(
        f"\n{result.requests} requests went through the real openai SDK to the emulator.\n"
        "To use the real service:\n"
        "  export OPENAI_API_KEY=sk-...\n"
        '  tryon generate "A female model in a traditional green saree" -o out/\n'
        "  tryon models            # what every model can do")


COMMANDS = (demo,)

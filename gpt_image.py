"""The seed's ``gpt_image.py`` command line, kept working: it translates to ``tryon generate``/``tryon edit``.

    python gpt_image.py --mode text --prompt "A female model in a traditional green saree" --size 1024x1024
    python gpt_image.py --mode image --images person.jpg --prompt "change the flowers" --n 2
    python gpt_image.py --mode image --images scene.png --mask mask.png --prompt "Add a swimming pool"

Defaults are those the seed documents for ``GPTImageAdapter`` (size ``1024x1024``, quality
``high``, background ``opaque`` for text mode); the seed's default model, ``gpt-image-1.5``, was
shut down by OpenAI on 2026-12-01, so the default is its successor ``gpt-image-2.6-sunburst``.
``--inp_fid low`` is the service's default and is not sent; ``--inp_fid high`` is sent to models
that take it (``gpt-image-1.5`` on an endpoint that still serves it) and left out, with a note,
on models without the parameter (``gpt-image-2`` and later), as ``GPTImageAdapter`` does.
Images are saved into ``--output_dir`` under fresh names
(earlier results are never overwritten) and their paths printed. Errors exit with 2 (invalid
request, nothing sent) or 1 (the service failed), without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

DEFAULTS = {"size": "1024x1024", "quality": "high", "background": "opaque", "model": "gpt-image-2.6-sunburst"}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one ``error: ...`` line (exit 2), like ``tryon``'s."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="gpt_image.py",
        description="Generate (--mode text) or edit (--mode image) images with OpenAI's GPT image models.",
        epilog="The same requests, with every option: tryon generate --help / tryon edit --help.",
    )
    p.add_argument("--mode", choices=("text", "image"), default="text", help="text-to-image or image editing")
    p.add_argument("--prompt", help="what to generate, or what to change")
    p.add_argument("--images", nargs="+", metavar="IMAGE",
                   help="input image(s) for --mode image: paths, URLs, base64")
    p.add_argument("--mask", help="mask for --mode image: black = edit, white = keep")
    p.add_argument("--size", default=DEFAULTS["size"], help="1024x1024, 1536x1024, 1024x1536 or auto "
                   "(gpt-image-2 and later: other WxH sizes)")
    p.add_argument("--quality", default=DEFAULTS["quality"], help="low, medium, high or auto")
    p.add_argument("--background", help="transparent, opaque or auto (text mode default: opaque)")
    p.add_argument("--n", type=int, default=1, help="number of images (1-10)")
    p.add_argument("--inp_fid", choices=("low", "high"), default="low",
                   help="input fidelity for --mode image (low is the service default)")
    p.add_argument("--output_dir", default="outputs", help="where to save the images (default: outputs)")
    p.add_argument("--model", default=DEFAULTS["model"], help="GPT image model (default: gpt-image-2.6-sunburst)")
    return p


def to_tryon_args(argv: Sequence[str] | None = None) -> list[str]:
    """The ``tryon`` command line equivalent to the seed's *argv*."""
    p = parser()
    args = p.parse_args(argv)
    if not args.prompt:
        p.error("--prompt is required")
    if not 1 <= args.n <= 10:
        p.error(f"--n must be from 1 to 10, got {args.n}")
    common = ["--model", args.model, "--size", args.size, "--quality", args.quality, "-n", str(args.n),
              "--output-dir", args.output_dir, "--name", "generated"]
    if args.mode == "text":
        if args.images or args.mask:
            p.error("--images and --mask need --mode image")
        return ["generate", args.prompt, *common, "--background", args.background or DEFAULTS["background"]]
    if not args.images:
        p.error("--mode image needs --images")
    out = ["edit", *args.images, "--prompt", args.prompt, *common]
    if args.mask:
        out += ["--mask", args.mask]
    if args.background:
        out += ["--background", args.background]
    if args.inp_fid != "low":
        if _takes_input_fidelity(args.model):
            out += ["--input-fidelity", args.inp_fid]
        else:
            print(f"note: {args.model} has no input_fidelity parameter (its input images are read at high "
                  "fidelity): --inp_fid high is left out", file=sys.stderr)
    return out


def _takes_input_fidelity(model: str) -> bool:
    """Whether *model* declares an ``input_fidelity`` control (unknown models: pass it on, tryon decides)."""
    import tryon

    found = [info for info in tryon.models() if info.model == model]
    return not found or bool(found[0].capabilities.input_fidelity)


def main(argv: Sequence[str] | None = None) -> int:
    from tryon.cli import main as tryon_main

    return tryon_main(to_tryon_args(argv), key_argument=None)  # this script has no --api-key flag


if __name__ == "__main__":
    sys.exit(main())

"""The emulators answering with photo-like images: noisy, so they compress like photos.

The stock emulator's images are flat shapes that PNG compresses to a few dozen KiB; real
1536x1024 outputs are megabytes. Memory figures need the real sizes. Run as
``python -m benchmarks.photo_emulator`` (prints ``... listening on URL`` like the emulator);
``--provider gemini`` or ``--provider bfl`` serves the Gemini or BFL emulator instead.
"""

from __future__ import annotations

import argparse
import functools
import io
import sys
import threading
from typing import Any

from tryon.testing.openai_emulator import OpenAIEmulator


@functools.lru_cache(maxsize=16)
def photo_like(width: int, height: int, fmt: str) -> bytes:
    """A *width* x *height* image of grey noise (about 1.5 bytes per pixel as PNG)."""
    from PIL import Image

    image = Image.effect_noise((width, height), 40).convert("RGB")
    out = io.BytesIO()
    pil_format = {"jpeg": "JPEG", "webp": "WEBP"}.get(fmt, "PNG")
    image.save(out, pil_format, **({"quality": 90} if pil_format != "PNG" else {}))
    return out.getvalue()


class PhotoEmulator(OpenAIEmulator):
    """:class:`OpenAIEmulator` whose images are :func:`photo_like` (same for every index)."""

    def _render(self, job: Any, index: int) -> bytes:  # the emulator's per-image hook
        return photo_like(job.width, job.height, job.output_format)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.photo_emulator")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to delay every answer")
    parser.add_argument("--provider", choices=("openai", "gemini", "bfl"), default="openai")
    args = parser.parse_args()
    emulator: Any
    if args.provider == "openai":
        emulator = PhotoEmulator(latency=args.latency)
    else:  # the Gemini and BFL emulators draw their results with tryon.testing.synth.synth_image
        from tryon.testing import synth

        synth.synth_image = lambda width, height, fmt="png", **_: photo_like(width, height, fmt)  # type: ignore[assignment]
        if args.provider == "gemini":
            from tryon.testing.gemini_emulator import GeminiEmulator

            emulator = GeminiEmulator(latency=args.latency)
        else:
            from tryon.testing.bfl_emulator import BFLEmulator

            emulator = BFLEmulator(latency=args.latency)
    emulator.start()
    url = getattr(emulator, "base_url", None) or emulator.url
    print(f"photo-like {args.provider} emulator listening on {url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

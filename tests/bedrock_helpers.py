"""Shared set-up of the Bedrock (Nova Canvas) tests: a router on the emulator, images and masks."""

from __future__ import annotations

import io
from typing import Any

from tryon_bedrock import generators

import tryon
from tryon.testing.bedrock_emulator import BedrockEmulator

NOVA = "amazon.nova-canvas-v1:0"


def make_router(emu: BedrockEmulator, **settings: Any) -> tryon.Router:
    """A router with Nova Canvas pointed at *emu* (served after its EOL: the emulator still serves it)."""
    router = tryon.Router(plugins=False, allow_retired=True)
    values = {"endpoint_url": emu.url, "region": emu.region, "max_retries": 0, "timeout": (2.0, 10.0), **settings}
    for gen in generators(**values):
        router.register(gen)
    return router


def png(size: tuple[int, int] = (512, 512), color: tuple[int, ...] = (40, 120, 200), mode: str = "RGB",
        fmt: str = "PNG") -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, fmt)
    return buf.getvalue()


def mask_png(size: tuple[int, int] = (512, 512)) -> bytes:
    """Black (edit) in the top-left quarter, white (keep) elsewhere: tryon's convention."""
    from PIL import Image, ImageDraw

    im = Image.new("L", size, 255)
    ImageDraw.Draw(im).rectangle((0, 0, size[0] // 2 - 1, size[1] // 2 - 1), fill=0)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def decoded(b64: str) -> Any:
    """A base64 image of a sent body, as a loaded PIL image."""
    import base64

    from PIL import Image

    im = Image.open(io.BytesIO(base64.b64decode(b64)))
    im.load()
    return im

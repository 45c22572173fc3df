"""Shared set-up of the FASHN tests: small images and a router of FASHN generators on an emulator."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from tryon_fashn import generators

import tryon
from tryon.testing.fashn_emulator import FashnEmulator

KEY = "fashn-secret-key-123456"


def picture(size: tuple[int, int] = (240, 360), colour: tuple[int, int, int] = (200, 80, 80)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


PERSON, SHIRT = picture(), picture((200, 200), (30, 90, 200))


def make_router(emu: FashnEmulator, **settings: Any) -> tryon.Router:
    """A router of both FASHN models pointed at *emu*, polling fast (*settings* override)."""
    r = tryon.Router(plugins=False)
    values = {"api_key": KEY, "base_url": emu.url, "poll_interval": 0.001, "max_poll_interval": 0.01, **settings}
    for gen in generators(**values):
        r.register(gen)
    return r

"""The emulator as applications and the CLI reach it: the ``fal_emulator`` fixture (FAL_BASE_URL and
FAL_KEY point at it, the default router uses it) and ``tryon emulator --provider fal``."""

from __future__ import annotations

import os
from typing import Any

import tryon


def test_the_fixture_points_the_default_router_at_the_emulator(fal_emulator: Any) -> None:
    assert os.environ["FAL_BASE_URL"] == fal_emulator.base_url
    gen = tryon.generate("a lighthouse", model="fal-ai/flux/schnell", options={"num_inference_steps": 2})
    assert gen.provider == "fal" and len(gen.images) == 1
    sent = next(r for r in fal_emulator.requests if r.method == "POST")
    assert sent.path == "/fal-ai/flux/schnell" and sent.params["num_inference_steps"] == 2


def test_the_emulator_is_registered_for_the_cli() -> None:
    from tryon.emulators import find

    entry = find("fal")
    assert entry.plugin == "fal" and find("fal-ai") == entry
    assert dict(entry.env) == {"FAL_BASE_URL": "{url}", "FAL_KEY": "{key}"}
    from tryon_fal.emulator import FalEmulator

    assert entry.resolve() is FalEmulator

"""Drift guard for every FLUX test: what the plugin sends and what the emulator answers must fit
BFL's vendored OpenAPI document (requests strictly: no unknown keys)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bfl_schema import openapi_violations

from tryon.testing.bfl_emulator import BFLEmulator


@pytest.fixture(autouse=True)
def _bfl_openapi_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    started: list[BFLEmulator] = []
    original = BFLEmulator.start

    def start(self: BFLEmulator) -> BFLEmulator:
        started.append(self)
        return original(self)

    monkeypatch.setattr(BFLEmulator, "start", start)
    yield
    problems = [p for emulator in started for p in openapi_violations(emulator)]
    if problems:
        pytest.fail("BFL's OpenAPI document refuses:\n" + "\n".join(problems[:10]), pytrace=False)

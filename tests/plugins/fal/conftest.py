"""Shared set-up of the fal tests, and the drift guard every one of them runs under: each input the
plugin submits must fit the endpoint's vendored schema strictly (no unknown keys), checked with
``jsonschema`` (independent of the emulator's own validator), and each output the emulator
answers must fit the endpoint's output schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fal_helpers import fal_router, schema_violations
from tryon_fal.emulator import FalEmulator

import tryon


@pytest.fixture(autouse=True)
def _fal_schema_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    started: list[FalEmulator] = []
    original = FalEmulator.start

    def start(self: FalEmulator) -> FalEmulator:
        started.append(self)
        return original(self)

    monkeypatch.setattr(FalEmulator, "start", start)
    yield
    problems = [p for emulator in started for p in schema_violations(emulator)]
    if problems:
        pytest.fail("fal's schemas refuse:\n" + "\n".join(problems[:10]), pytrace=False)


@pytest.fixture
def make_router() -> Any:
    """:func:`fal_router` as a fixture (test modules do not import the conftest)."""
    return fal_router


@pytest.fixture
def emulator() -> Iterator[FalEmulator]:
    with FalEmulator() as emu:
        yield emu


@pytest.fixture
def router(emulator: FalEmulator) -> tryon.Router:
    return fal_router(emulator)

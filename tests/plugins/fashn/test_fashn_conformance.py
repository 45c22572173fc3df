"""The shared conformance suite for both FASHN try-on models, against the FASHN emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tryon_fashn import MODELS, generators

import tryon
from tryon.testing.conformance import GeneratorConformance
from tryon.testing.fashn_emulator import FashnEmulator


class TestFashnConformance(GeneratorConformance):
    require_provenance = True

    @pytest.fixture(params=sorted(f"fashn-{name}" for name in MODELS))
    def model(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def emulator(self) -> Iterator[FashnEmulator]:
        with FashnEmulator(pending_polls=1) as emu:
            yield emu

    @pytest.fixture
    def router(self, emulator: FashnEmulator) -> tryon.Router:
        router = tryon.Router(plugins=False)
        for gen in generators(api_key="k", base_url=emulator.base_url, max_retries=0, poll_interval=0.001,
                              max_poll_interval=0.01):
            router.register(gen)
        return router

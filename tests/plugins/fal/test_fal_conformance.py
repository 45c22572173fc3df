"""The conformance kit against the fal emulator, for every first-party fal model (generation, editing
and the dedicated try-on models, whose try-on checks the kit runs too)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tryon_fal import MODELS
from tryon_fal.emulator import FalEmulator

import tryon
from tryon.testing.conformance import GeneratorConformance

ALL_MODELS = sorted(MODELS)


class TestFalConformance(GeneratorConformance):
    require_provenance = True

    @pytest.fixture(params=ALL_MODELS)
    def model(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def emulator(self) -> Iterator[FalEmulator]:
        with FalEmulator() as emu:
            yield emu

    @pytest.fixture
    def router(self, emulator: FalEmulator, make_router: Any) -> tryon.Router:
        router: tryon.Router = make_router(emulator)
        return router

    def sent_try_on_words(self, emulator: FalEmulator, generator: Any) -> dict[str, Any] | None:
        endpoint = MODELS[generator.model_id].tryon
        if endpoint is None:
            return None
        body = [r for r in emulator.requests if r.method == "POST"][-1].params
        fields = {"category": endpoint.category, "mode": endpoint.mode, "photo_type": endpoint.photo_type}
        return {key: body.get(field) for key, field in fields.items() if field}


def test_every_declared_endpoint_is_served_by_the_emulator_and_in_the_schema_document() -> None:
    from tryon_fal.emulator import ENDPOINTS
    from tryon_fal.schemas import document

    paths = {e.path for m in MODELS.values() for e in m.endpoints()}
    assert paths <= set(ENDPOINTS)
    assert paths <= set(document()["endpoints"])
    assert len(MODELS) == 18

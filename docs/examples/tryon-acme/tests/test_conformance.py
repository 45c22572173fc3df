"""Acme runs tryon's conformance suite against its own emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tryon_acme import MODELS
from tryon_acme.emulator import AcmeEmulator
from tryon_acme.generator import AcmeGenerator

import tryon
from tryon.testing.conformance import GeneratorConformance


class TestAcme(GeneratorConformance):
    @pytest.fixture(params=sorted(MODELS))
    def model(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def emulator(self) -> Iterator[AcmeEmulator]:
        with AcmeEmulator() as emu:
            yield emu

    @pytest.fixture
    def router(self, emulator: AcmeEmulator) -> tryon.Router:
        router = tryon.Router(plugins=False)
        for model_id, caps in MODELS.items():
            router.register(AcmeGenerator(model_id, caps, api_key="test-key", base_url=emulator.url,
                                          max_retries=0))
        return router


def test_the_hook_is_spelt_right() -> None:
    import pluggy
    import tryon_acme

    from tryon import hookspecs

    pm = pluggy.PluginManager("tryon")
    pm.add_hookspecs(hookspecs)
    pm.register(tryon_acme)
    pm.check_pending()


def test_the_emulator_is_registered_for_tryon_emulator() -> None:
    import tryon_acme

    from tryon.emulators import find
    from tryon.plugins import register_plugin, unregister_plugin

    register_plugin(tryon_acme, "acme")  # as its entry point does once installed
    try:
        entry = find("acme")
        assert entry.resolve() is AcmeEmulator and entry.plugin == "acme"
    finally:
        unregister_plugin("acme")

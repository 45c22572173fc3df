"""tryon's pytest plugin (entry point ``pytest11``): fixtures for applications built on tryon.

``openai_emulator`` starts a local OpenAI Images API emulator, points ``OPENAI_BASE_URL`` and
``OPENAI_API_KEY`` at it and resets tryon's default router, so the application's own code runs
unchanged against it (``bfl_emulator``, ``gemini_emulator`` and ``bedrock_emulator`` likewise)::

    def test_catalog_job(openai_emulator):
        openai_emulator.fail_next(429)
        run_catalog_job()
        assert openai_emulator.requests[-1].params["background"] == "transparent"

``tryon_emulator`` does the same for any emulator a plugin registers (``register_emulators``)::

    def test_with_acme(tryon_emulator):
        emu = tryon_emulator("acme")        # ACME_BASE_URL / ACME_API_KEY now point at it

Importing this module is cheap: emulators load when a fixture is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest

EMULATOR_KEY = "emulator-key"


def _emulator_fixture(module: str, cls: str, env: dict[str, str], base_env: str | None) -> Any:
    @pytest.fixture
    def fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
        import tryon

        emulator_cls = getattr(importlib.import_module(module), cls)
        with emulator_cls() as emulator:
            for name, value in env.items():
                monkeypatch.setenv(name, value)
            if base_env is not None:
                monkeypatch.setenv(base_env, emulator.base_url)
            tryon.reset_default_router()
            try:
                yield emulator
            finally:
                tryon.reset_default_router()

    return fixture


openai_emulator = _emulator_fixture("tryon.testing.openai_emulator", "OpenAIEmulator",
                                    {"OPENAI_API_KEY": EMULATOR_KEY}, "OPENAI_BASE_URL")
openai_emulator.__doc__ = "A running OpenAI emulator; OPENAI_BASE_URL/OPENAI_API_KEY point at it."

bfl_emulator = _emulator_fixture("tryon.testing.bfl_emulator", "BFLEmulator",
                                 {"BFL_API_KEY": EMULATOR_KEY}, "BFL_BASE_URL")
bfl_emulator.__doc__ = "A running Black Forest Labs (FLUX) emulator; BFL_BASE_URL/BFL_API_KEY point at it."

gemini_emulator = _emulator_fixture("tryon.testing.gemini_emulator", "GeminiEmulator",
                                    {"GEMINI_API_KEY": EMULATOR_KEY}, "GEMINI_BASE_URL")
gemini_emulator.__doc__ = "A running Gemini emulator; GEMINI_BASE_URL/GEMINI_API_KEY point at it."

bedrock_emulator = _emulator_fixture(
    "tryon.testing.bedrock_emulator", "BedrockEmulator",
    {"AWS_ACCESS_KEY_ID": EMULATOR_KEY, "AWS_SECRET_ACCESS_KEY": "emulator-secret", "AWS_DEFAULT_REGION": "us-east-1",
     "AWS_EC2_METADATA_DISABLED": "true"}, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME")
bedrock_emulator.__doc__ = ("A running Bedrock (Nova Canvas) emulator; AWS_ENDPOINT_URL_BEDROCK_RUNTIME, "
                            "AWS_DEFAULT_REGION and test credentials point boto3 at it.")

fal_emulator = _emulator_fixture("tryon_fal.emulator", "FalEmulator", {"FAL_KEY": EMULATOR_KEY}, "FAL_BASE_URL")
fal_emulator.__doc__ = "A running fal queue API emulator; FAL_BASE_URL/FAL_KEY point at it."

replicate_emulator = _emulator_fixture("tryon_replicate.emulator", "ReplicateEmulator",
                                       {"REPLICATE_API_TOKEN": EMULATOR_KEY}, "REPLICATE_BASE_URL")
replicate_emulator.__doc__ = ("A running Replicate predictions API emulator; REPLICATE_BASE_URL/REPLICATE_API_TOKEN "
                              "point at it.")


@pytest.fixture
def tryon_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Start any registered emulator by name (``register_emulators`` hook): ``emu = tryon_emulator("acme")``
    starts it, sets the environment its plugin declared (``ACME_BASE_URL``, ``ACME_API_KEY``...) and
    resets tryon's default router; every emulator started is stopped after the test."""
    import tryon
    from tryon.emulators import EMULATOR_KEY as KEY
    from tryon.emulators import find

    started: list[Any] = []

    def start(name: str, **kwargs: Any) -> Any:
        entry = find(name)
        emulator = entry.build(**kwargs).start()
        started.append(emulator)
        values = {"url": emulator.url, "base_url": emulator.base_url, "key": KEY}
        for variable, template in entry.env.items():
            monkeypatch.setenv(variable, template.format(**values))
        tryon.reset_default_router()
        return emulator

    try:
        yield start
    finally:
        for emulator in reversed(started):
            emulator.stop()
        tryon.reset_default_router()


@pytest.fixture
def fake_generator() -> Iterator[Any]:
    """A :class:`~tryon.testing.fake.FakeGenerator` registered on a fresh default router."""
    import tryon
    from tryon.testing.fake import FakeGenerator

    router = tryon.Router(plugins=False)
    fake = FakeGenerator()
    router.register(fake)
    tryon.reset_default_router(router)
    try:
        yield fake
    finally:
        tryon.reset_default_router()

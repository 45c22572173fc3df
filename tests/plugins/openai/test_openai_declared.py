"""A model declared in a models file on an OpenAI-compatible endpoint passes the conformance kit
against the OpenAI emulator (through the real ``openai`` SDK), exactly like a first-party model."""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from tryon_openai.declared import declared_generator

import tryon
from tryon.declared import register_declared
from tryon.testing.conformance import GeneratorConformance
from tryon.testing.openai_emulator import OpenAIEmulator

KEY = "sk-local-studio-0123456789"

# A local server that speaks the OpenAI Images API and serves gpt-image-2.6-sunburst under its own name.
MODELS_FILE = """
[[models]]
id = "studio-image"
backend = "openai"
provider = "studio"
model = "gpt-image-2.6-sunburst"
base_url = "{base_url}"
api_key_env = "STUDIO_API_KEY"
operations = ["generate", "edit"]
transparent_background = true
mask = true
max_input_images = 4
max_images_per_call = 4
output_formats = ["png", "jpeg", "webp"]
qualities = ["low", "medium", "high", "auto"]
sizes = {{ exact = ["1024x1024", "1536x1024", "1024x1536"], auto = true }}
defaults = {{ output_format = "png" }}
price = {{ per_image = 0.2 }}

[[models.rules]]
kind = "requires"
when = "background"
equals = ["transparent"]
then = "output_format"
allowed = ["png", "webp"]
message = "a transparent background needs png or webp output"

[models.sources]
"*" = {{ where = "https://studio.example/docs/images-api", checked = 2026-12-01, note = "the server's own page" }}
price = {{ where = "https://studio.example/pricing", checked = 2026-12-01, verified = false, note = "list price" }}
"""


def declared_router(emulator: OpenAIEmulator, tmp_path: Path) -> tryon.Router:
    path = tmp_path / "models.toml"
    path.write_text(textwrap.dedent(MODELS_FILE.format(base_url=emulator.base_url)), encoding="utf-8")
    router = tryon.Router(plugins=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a problem in the file would be a failure here
        assert register_declared(router, [path], backends={"openai": declared_generator}) == []
    return router


class TestDeclaredOpenAICompatibleConformance(GeneratorConformance):
    require_provenance = True

    @pytest.fixture
    def model(self) -> str:
        return "studio-image"

    @pytest.fixture
    def emulator(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIEmulator]:
        monkeypatch.setenv("STUDIO_API_KEY", KEY)
        with OpenAIEmulator(api_keys=[KEY]) as emu:
            yield emu

    @pytest.fixture
    def router(self, emulator: OpenAIEmulator, tmp_path: Path) -> tryon.Router:
        router = declared_router(emulator, tmp_path)
        router.configure("studio", max_retries=0)
        return router

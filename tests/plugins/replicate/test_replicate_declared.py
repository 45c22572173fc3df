"""Models declared in a models file on Replicate: the conformance kit against the Replicate emulator,
version-pinned models, and the replicate backend's own checks of ``[models.endpoint]``."""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tryon_replicate.declared import declared_generator
from tryon_replicate.emulator import ReplicateEmulator

import tryon
from tryon.declared import register_declared
from tryon.plugins import PluginWarning
from tryon.testing.conformance import GeneratorConformance

TOKEN = "r8_declared-0123456789"
VERSION = "5599ed30703defd1d160a25a63321b4dec97101d98b4674bcc56e41f62f35637"

MODELS_FILE = """
[[models]]
id = "schnell-fast"
backend = "replicate"
model = "black-forest-labs/flux-schnell"
base_url = "{base_url}"
api_key_env = "MY_REPLICATE_TOKEN"
operations = ["generate"]
max_images_per_call = 4
seed = true
aspect_ratios = ["1:1", "16:9", "9:16", "4:3", "3:4"]
sizes = {{ aspect_ratios = ["1:1", "16:9", "9:16", "4:3", "3:4"] }}
output_formats = ["webp", "png", "jpeg"]
defaults = {{ output_format = "webp" }}
price = {{ per_image = 0.003 }}

[models.endpoint.inputs]
aspect_ratio = "aspect_ratio"
n = "num_outputs"
seed = "seed"
output_format = "output_format"
formats = {{ jpeg = "jpg" }}
fixed = {{ go_fast = true }}

[models.options.steps]
type = "int"
min = 1
max = 4
send_as = "num_inference_steps"

[models.sources]
"*" = {{ where = "https://replicate.com/black-forest-labs/flux-schnell/api", checked = 2026-12-01 }}

[[models]]
id = "kontext-pinned"
backend = "replicate"
model = "black-forest-labs/flux-kontext-pro"
base_url = "{base_url}"
api_key_env = "MY_REPLICATE_TOKEN"
operations = ["generate", "edit"]
max_input_images = 1
seed = true
aspect_ratios = ["1:1", "16:9", "9:16"]
sizes = {{ aspect_ratios = ["1:1", "16:9", "9:16"] }}
output_formats = ["png", "jpeg"]
defaults = {{ output_format = "png" }}

[models.endpoint]
version = "{version}"

[models.endpoint.inputs]
images = "input_image"
images_list = false
aspect_ratio = "aspect_ratio"
seed = "seed"
output_format = "output_format"
formats = {{ jpeg = "jpg" }}

[models.sources]
"*" = {{ where = "https://replicate.com/black-forest-labs/flux-kontext-pro/versions", checked = 2026-12-01 }}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "models.toml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def declared_router(emulator: ReplicateEmulator, tmp_path: Path) -> tryon.Router:
    path = write(tmp_path, MODELS_FILE.format(base_url=emulator.url, version=VERSION))
    router = tryon.Router(plugins=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert register_declared(router, [path], backends={"replicate": declared_generator}) == []
    router.configure("replicate", max_retries=0, poll_interval=0.001)
    return router


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplicateEmulator]:
    monkeypatch.setenv("MY_REPLICATE_TOKEN", TOKEN)
    with ReplicateEmulator(api_keys=[TOKEN], versions={VERSION: "black-forest-labs/flux-kontext-pro"}) as emulator:
        yield emulator


class TestDeclaredReplicateConformance(GeneratorConformance):
    require_provenance = True

    @pytest.fixture(params=["schnell-fast", "kontext-pinned"])
    def model(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def emulator(self, emu: ReplicateEmulator) -> ReplicateEmulator:
        return emu

    @pytest.fixture
    def router(self, emulator: ReplicateEmulator, tmp_path: Path) -> tryon.Router:
        return declared_router(emulator, tmp_path)


def test_declared_inputs_fixed_fields_and_options_reach_the_model(emu: ReplicateEmulator, tmp_path: Path) -> None:
    router = declared_router(emu, tmp_path)
    result = router.generate("x", model="schnell-fast", n=6, seed=9, output_format="jpeg", aspect_ratio="16:9",
                             options={"steps": 2})
    assert len(result.images) == 6 and result.cost_usd == pytest.approx(0.018)
    first, second = sorted((c.params["input"] for c in emu.creates), key=lambda i: i["seed"])  # concurrent calls
    assert first == {"go_fast": True, "prompt": "x", "seed": 9, "num_outputs": 4, "output_format": "jpg",
                     "aspect_ratio": "16:9", "num_inference_steps": 2}
    assert second["num_outputs"] == 2 and second["seed"] == 10
    with pytest.raises(ValueError, match="steps"):
        router.generate("x", model="schnell-fast", options={"steps": 7})
    assert len(emu.creates) == 2


def test_a_pinned_version_is_run_through_v1_predictions(emu: ReplicateEmulator, tmp_path: Path) -> None:
    router = declared_router(emu, tmp_path)
    from tryon.testing.synth import synth_image

    router.edit([synth_image(90, 60, "png", transparent=False, seed_text="p")], "x", model="kontext-pinned")
    [create] = emu.creates
    assert create.path == "/v1/predictions" and create.params["version"] == VERSION
    assert create.params["input"]["input_image"].startswith("data:image/png;base64,")


ENTRY = """
[[models]]
id = "bad"
backend = "replicate"
model = "{model}"
operations = ["generate", "edit"]
max_input_images = 1
sizes = {{ aspect_ratios = ["1:1"] }}
sources = {{ "*" = {{ where = "https://replicate.com", checked = 2026-12-01 }} }}
{endpoint}
"""


@pytest.mark.parametrize(("model", "endpoint", "field", "line", "fragment"), [
    ("flux-schnell", '[models.endpoint.inputs]\nimages = "image"', "model", 4, "owner/name"),
    ("a/b/c", '[models.endpoint.inputs]\nimages = "image"', "model", 4, "owner/name"),
    ("a/b", "", "endpoint.inputs.images", 1, "name of its image input"),
    ("a/b", '[models.endpoint]\nweebhook = "x"', "endpoint.weebhook", 10, "unknown field"),
    ("a/b", '[models.endpoint.inputs]\nimages = "image"\npromt = "text"', "endpoint.inputs.promt", 11,
     "unknown input"),
    ("a/b", '[models.endpoint.inputs]\nimages = 3', "endpoint.inputs.images", 10, "name of the model's input"),
    ("a/b", '[models.endpoint]\nversion = "not a version!"\ninputs = { images = "i" }', "endpoint.version", 10,
     "version id"),
])
def test_endpoint_problems_name_the_line(tmp_path: Path, model: str, endpoint: str, field: str, line: int,
                                         fragment: str) -> None:
    path = write(tmp_path, ENTRY.format(model=model, endpoint=endpoint))
    with pytest.warns(PluginWarning):
        errors = register_declared(tryon.Router(plugins=False), [path], backends={"replicate": declared_generator})
    assert [(e.field, e.line) for e in errors] == [(field, line)], [e.message for e in errors]
    assert fragment in errors[0].message


def test_the_replicate_backend_is_registered_by_the_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           emu: ReplicateEmulator) -> None:
    path = write(tmp_path, MODELS_FILE.format(base_url=emu.url, version=VERSION))
    monkeypatch.setenv("TRYON_MODELS_FILE", str(path))
    router = tryon.Router()
    info: Any = router.info("schnell-fast")
    assert info.plugin == str(path) and info.provider == "replicate"
    assert router.generate("x", model="schnell-fast").images

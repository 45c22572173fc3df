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
output_formats = ["png"]
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


LOOSE = """
[[models]]
id = "loose"
backend = "replicate"
model = "a/b"
{body}
sources = {{ "*" = {{ where = "https://replicate.com", checked = 2026-12-01 }} }}
"""

_IMAGE_ONLY = 'operations = ["edit"]\nmax_input_images = 1\nendpoint = { inputs = { images = "image" } }\n'


@pytest.mark.parametrize(("body", "field", "fragment"), [
    # a key is sent only to the host it belongs to
    ('base_url = "https://proxy.example"\noutput_formats = ["png"]', "api_key_env", "REPLICATE_API_TOKEN"),
    # declared request fields the model's inputs could never carry
    (_IMAGE_ONLY + 'output_formats = ["png"]\naspect_ratios = ["1:1", "16:9"]', "endpoint.inputs.aspect_ratio",
     "declared aspect_ratios need the model's input"),
    (_IMAGE_ONLY + 'output_formats = ["png"]\nsizes = { exact = ["1024x1024"] }', "endpoint.inputs.width",
     "width and height"),
    (_IMAGE_ONLY + 'output_formats = ["png", "webp"]', "endpoint.inputs.output_format", "choose between them"),
    (_IMAGE_ONLY + 'output_formats = ["png"]\nmask = true', "endpoint.inputs.mask", "mask input"),
    # png is never assumed
    (_IMAGE_ONLY, "output_formats", "declare the formats the endpoint returns"),
    # two sources for one field
    (_IMAGE_ONLY + 'output_formats = ["png"]\noptions.a = { type = "int", send_as = "prompt" }',
     "options.a.send_as", "already carries the request's prompt"),
    (_IMAGE_ONLY.replace('images = "image"', 'images = "image", fixed = { prompt = "x" }')
     + 'output_formats = ["png"]', "endpoint.inputs.fixed.prompt", "silently replace"),
])
def test_entries_whose_requests_could_not_be_sent_as_declared_are_refused(
        tmp_path: Path, body: str, field: str, fragment: str) -> None:
    path = write(tmp_path, LOOSE.format(body=body))
    with pytest.warns(PluginWarning):
        errors = register_declared(tryon.Router(plugins=False), [path], backends={"replicate": declared_generator})
    assert [e.field for e in errors] == [field], [e.message for e in errors]
    assert fragment in errors[0].message and f"{path}:" in errors[0].message


def test_the_default_host_needs_no_key_variable(tmp_path: Path) -> None:
    path = write(tmp_path, LOOSE.format(body='base_url = "https://api.replicate.com"\noutput_formats = ["png"]'))
    assert register_declared(tryon.Router(plugins=False), [path], backends={"replicate": declared_generator}) == []


def test_the_replicate_backend_is_registered_by_the_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           emu: ReplicateEmulator) -> None:
    path = write(tmp_path, MODELS_FILE.format(base_url=emu.url, version=VERSION))
    monkeypatch.setenv("TRYON_MODELS_FILE", str(path))
    router = tryon.Router()
    info: Any = router.info("schnell-fast")
    assert info.plugin == str(path) and info.provider == "replicate"
    assert router.generate("x", model="schnell-fast").images


def test_declared_edit_models_take_inputs_up_to_the_data_uri_limit(emu: ReplicateEmulator, tmp_path: Path) -> None:
    from tryon_replicate.inputs import DATA_URI_MAX_BYTES

    router = declared_router(emu, tmp_path)
    inputs = router.info("kontext-pinned").capabilities.inputs
    assert inputs.max_bytes == DATA_URI_MAX_BYTES and inputs.mask_max_bytes == DATA_URI_MAX_BYTES

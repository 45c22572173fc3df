"""fal endpoints declared in a models file (``backend = "fal"``): the conformance kit against the fal
emulator, fields and options reaching the endpoint, and the fal backend's checks of
``[models.endpoint]`` naming the file's line."""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tryon_fal.declared import declared_generator
from tryon_fal.emulator import FalEmulator

import tryon
from tryon.testing.conformance import GeneratorConformance

declared_api = pytest.importorskip("tryon.declared")
KEY = "fal-declared-0123456789"

MODELS_FILE = """
[[models]]
id = "my-flux-dev"
backend = "fal"
model = "fal-ai/flux/dev"
base_url = "{base_url}"
api_key_env = "MY_FAL_KEY"
operations = ["generate"]
max_images_per_call = 4
seed = true
output_formats = ["jpeg", "png"]
defaults = {{ output_format = "jpeg" }}
sizes = {{ rule = {{ multiple_of = 16, min_edge = 256, max_edge = 2048 }} }}
price.per_megapixel = {{ first_mp = 0.025, extra_mp = 0.025, inputs = false }}
price.upper_bound = false
price.approximation = "third-party rate"

[models.options.steps]
type = "int"
min = 1
max = 50
send_as = "num_inference_steps"

[models.sources]
"*" = {{ where = "https://fal.ai/models/fal-ai/flux/dev/api", checked = 2026-12-02 }}

[[models]]
id = "my-kontext"
backend = "fal"
model = "fal-ai/flux-pro/kontext/text-to-image"
base_url = "{base_url}"
api_key_env = "MY_FAL_KEY"
operations = ["generate", "edit"]
max_input_images = 1
max_images_per_call = 4
seed = true
aspect_ratios = ["1:1", "16:9", "9:16"]
sizes = {{ aspect_ratios = ["1:1", "16:9", "9:16"] }}
output_formats = ["jpeg", "png"]
defaults = {{ output_format = "jpeg" }}

[models.endpoint]
edit = "fal-ai/flux-pro/kontext"

[models.endpoint.inputs]
images = "image_url"
images_list = false
size = "aspect_ratio"

[models.sources]
"*" = {{ where = "https://fal.ai/models/fal-ai/flux-pro/kontext/api", checked = 2026-12-02 }}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "models.toml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def declared_router(emulator: FalEmulator, tmp_path: Path) -> tryon.Router:
    path = write(tmp_path, MODELS_FILE.format(base_url=emulator.url))
    router = tryon.Router(plugins=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert declared_api.register_declared(router, [path], backends={"fal": declared_generator}) == []
    router.configure("fal", max_retries=0, poll_interval=0.005)
    return router


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[FalEmulator]:
    monkeypatch.setenv("MY_FAL_KEY", KEY)
    with FalEmulator(api_keys=[KEY]) as emulator:
        yield emulator


class TestDeclaredFalConformance(GeneratorConformance):
    require_provenance = True

    @pytest.fixture(params=["my-flux-dev", "my-kontext"])
    def model(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def emulator(self, emu: FalEmulator) -> FalEmulator:
        return emu

    @pytest.fixture
    def router(self, emulator: FalEmulator, tmp_path: Path) -> tryon.Router:
        return declared_router(emulator, tmp_path)


def test_declared_fields_and_options_reach_the_endpoint(emu: FalEmulator, tmp_path: Path) -> None:
    router = declared_router(emu, tmp_path)
    gen = router.generate("x", model="my-flux-dev", n=6, seed=9, size="1024x768", options={"steps": 12})
    assert len(gen.images) == 6 and gen.cost_usd == pytest.approx(0.15)
    sent = sorted((r.params for r in emu.requests if r.method == "POST"), key=lambda p: p["seed"])
    assert sent[0] == {"prompt": "x", "image_size": {"width": 1024, "height": 768}, "num_images": 4, "seed": 9,
                       "num_inference_steps": 12}
    assert sent[1]["num_images"] == 2 and sent[1]["seed"] == 10
    with pytest.raises(ValueError, match="steps"):
        router.generate("x", model="my-flux-dev", options={"steps": 70})


def test_a_declared_edit_goes_to_its_edit_endpoint(emu: FalEmulator, tmp_path: Path) -> None:
    from tryon.testing.synth import synth_image

    router = declared_router(emu, tmp_path)
    router.edit([synth_image(90, 60, "png", transparent=False, seed_text="p")], "x", model="my-kontext",
                aspect_ratio="16:9")
    [submit] = [r for r in emu.requests if r.method == "POST"]
    assert submit.path == "/fal-ai/flux-pro/kontext" and submit.params["aspect_ratio"] == "16:9"
    assert submit.params["image_url"].startswith("data:image/png;base64,")


ENTRY = """
[[models]]
id = "bad"
backend = "fal"
model = "{model}"
operations = ["edit"]
max_input_images = 1
sizes = {{ auto = true }}
sources = {{ "*" = {{ where = "https://fal.ai", checked = 2026-12-02 }} }}
{endpoint}
"""


@pytest.mark.parametrize(("model", "endpoint", "field", "line", "fragment"), [
    ("flux dev", '[models.endpoint.inputs]\nimages = "image_url"', "model", 4, "fal endpoint id"),
    ("fal-ai/x", "", "endpoint.inputs.images", 1, "name of its image input"),
    ("fal-ai/x", '[models.endpoint]\nwebhook = "x"', "endpoint.webhook", 10, "unknown field"),
    ("fal-ai/x", '[models.endpoint.inputs]\nimages = "image_url"\nmsk = "m"', "endpoint.inputs.msk", 11,
     "unknown input"),
    ("fal-ai/x", '[models.endpoint.inputs]\nimages = "image_url"\nmask_edit = "grey"', "endpoint.inputs.mask_edit",
     11, "white"),
])
def test_endpoint_problems_name_the_line(tmp_path: Path, model: str, endpoint: str, field: str, line: int,
                                         fragment: str) -> None:
    from tryon.plugins import PluginWarning

    path = write(tmp_path, ENTRY.format(model=model, endpoint=endpoint))
    with pytest.warns(PluginWarning):
        errors = declared_api.register_declared(tryon.Router(plugins=False), [path],
                                                backends={"fal": declared_generator})
    assert [(e.field, e.line) for e in errors] == [(field, line)], [e.message for e in errors]
    assert fragment in errors[0].message


def test_the_fal_backend_is_registered_by_the_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     emu: FalEmulator) -> None:
    path = write(tmp_path, MODELS_FILE.format(base_url=emu.url))
    monkeypatch.setenv("TRYON_MODELS_FILE", str(path))
    router = tryon.Router()
    info: Any = router.info("my-flux-dev")
    assert info.plugin == str(path) and info.provider == "fal"
    assert router.generate("x", model="my-flux-dev", options={"steps": 3}).images


def test_the_documented_example_loads(tmp_path: Path) -> None:
    import re

    text = (Path(__file__).parents[3] / "docs" / "models-file.md").read_text(encoding="utf-8")
    section = text.split("## The `fal` backend", 1)[1]
    match = re.search(r"```toml\n(.*?)```", section, re.S)
    assert match is not None
    path = write(tmp_path, match.group(1))
    router = tryon.Router(plugins=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert declared_api.register_declared(router, [path], backends={"fal": declared_generator}) == []
    generator: Any = router.get("flux-krea")
    assert generator.declaration.generate.path == "fal-ai/flux/krea" and generator.provider == "fal"

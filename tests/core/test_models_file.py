"""Models declared in a TOML file: loading, validation with file/line/field, routing like plugins."""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path
from typing import Any

import pytest

import tryon
from tryon.declared import DeclaredModel, ModelsFileError, read_models_file, register_declared
from tryon.errors import InvalidOptionError, MissingCredentialsError, UnsupportedOptionError
from tryon.plugins import PluginWarning, plugin_report
from tryon.testing.openai_emulator import OpenAIEmulator

STUDIO = """
[[models]]
id = "studio-local"
backend = "openai"
provider = "studio"
model = "gpt-image-2.6-sunburst"
base_url = "{base_url}"
api_key_env = "STUDIO_KEY"
aliases = ["studio"]
operations = ["generate", "edit"]
max_input_images = 4
max_images_per_call = 2
output_formats = ["png", "jpeg"]
qualities = ["low", "medium", "high"]
sizes = {{ exact = ["1024x1024", "1536x1024"] }}
price = {{ per_image = 0.05 }}

[models.options.end_user]
type = "str"
send_as = "user"

[models.sources]
"*" = {{ where = "https://studio.example/docs", checked = 2026-12-01 }}
"""


def write(tmp_path: Path, text: str, name: str = "models.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def quiet_router(**kwargs: Any) -> tryon.Router:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        return tryon.Router(**kwargs)


@pytest.fixture
def studio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    with OpenAIEmulator(api_keys=["k-studio"]) as emulator:
        path = write(tmp_path, STUDIO.format(base_url=emulator.base_url))
        monkeypatch.setenv("TRYON_MODELS_FILE", str(path))
        monkeypatch.setenv("STUDIO_KEY", "k-studio")
        yield emulator, path


def test_declared_model_routes_validates_estimates_and_fans_out(studio: Any) -> None:
    emulator, path = studio
    router = tryon.Router()
    info = router.info("studio")
    assert (info.model, info.provider, info.plugin) == ("studio-local", "studio", str(path))
    estimate = router.estimate("a cat", model="studio", n=5)
    assert estimate.usd == pytest.approx(0.25) and estimate.calls == 3 and estimate.upper_bound
    result = router.generate("a cat", model="studio-local", n=5, size="1536x1024", quality="low",
                             options={"end_user": "u-7"})
    assert len(result.images) == 5 and {i.width for i in result.images} == {1536}
    assert result.cost_usd == pytest.approx(0.25)
    sent = emulator.requests_to("/images/generations")
    assert len(sent) == 3  # 2 + 2 + 1: the declared max_images_per_call
    assert {r.params["model"] for r in sent} == {"gpt-image-2.6-sunburst"}  # the endpoint's own name
    assert {r.params["user"] for r in sent} == {"u-7"}  # the option under its wire name


def test_declared_model_refuses_before_sending(studio: Any) -> None:
    emulator, _ = studio
    router = tryon.Router()
    with pytest.raises(UnsupportedOptionError, match="512x512"):
        router.generate("a cat", model="studio", size="512x512")
    with pytest.raises(UnsupportedOptionError, match="background"):
        router.generate("a cat", model="studio", background="transparent")
    with pytest.raises(InvalidOptionError, match="end_user"):
        router.generate("a cat", model="studio", options={"end_user": 7})
    assert emulator.requests == []


def test_declared_key_goes_to_its_endpoint_only(studio: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    emulator, _ = studio
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-must-not-travel")
    tryon.Router().generate("a cat", model="studio")
    assert emulator.last_request.header("authorization") != "Bearer sk-openai-must-not-travel"
    monkeypatch.delenv("STUDIO_KEY")
    with pytest.raises(MissingCredentialsError, match="STUDIO_KEY") as caught:
        tryon.Router().generate("a cat", model="studio")
    assert "studio" in str(caught.value)
    assert len(emulator.requests) == 1


def test_models_command_shows_the_origin(studio: Any) -> None:
    from click.testing import CliRunner

    from tryon.cli.app import build_cli

    _, path = studio
    out = CliRunner().invoke(build_cli(), ["models"]).output
    row = next(line for line in out.splitlines() if line.startswith("studio-local"))
    assert f" {path} " in row
    assert " flux " in next(line for line in out.splitlines() if line.startswith("flux-2-pro "))
    detail = CliRunner().invoke(build_cli(), ["models", "studio"]).output
    assert str(path) in detail and "studio.example/docs" in detail
    import json

    rows = {r["model"]: r for r in json.loads(CliRunner().invoke(build_cli(), ["models", "--json"]).output)}
    assert rows["studio-local"]["from"] == str(path) and rows["gpt-image-1.5"]["from"] == "openai"


GOOD = """
[[models]]
id = "good"
backend = "openai"
base_url = "http://127.0.0.1:9/v1"
api_key_env = "GOOD_KEY"
sizes = { exact = ["1024x1024"] }
sources = { "*" = { where = "https://x.example", checked = 2026-12-01 } }
"""

# (entry body after `[[models]]` + id, the field the error names, the line of the entry it is on, a fragment)
BROKEN = [
    ('backend = "openai"\nmax_images_per_cal = 3', "max_images_per_cal", 4, "did you mean 'max_images_per_call'"),
    ('backend = "openai"\nsizes = { exact = ["big"] }', "sizes.exact", 4, "'big' is not a size"),
    ('backend = "openai"\nsizes = { rule = { max_edge = -1 } }', "sizes.rule.max_edge", 4, "at least 1"),
    ('backend = "openai"\nsizes = { ratio_range = ["21:9", "9:21"] }', "sizes.ratio_range", 4, "tallest first"),
    ('backend = "openai"\nsizes = {}', "sizes", 4, "declares no size"),
    ('backend = "openai"\noperations = ["paint"]', "operations", 4, "generate and/or edit"),
    ('backend = "openai"\noperations = ["edit"]', "max_input_images", 1, "max_input_images must be at least 1"),
    ('backend = "openai"\n[models.options.steps]\ntype = "int"\nmin = 5\nmax = 1', "options.steps.min", 6,
     "above max"),
    ('backend = "openai"\naspect_ratios = ["wide"]', "aspect_ratios", 4, "'wide' is not an aspect ratio"),
    ('backend = "openai"\nmax_resolution = "x"', "max_resolution", 4, "largest size such as"),
    ('backend = "openai"\n[[models.rules]]\nkind = "excludes"\nwhen = "sizee"\nthen = "seed"\nmessage = "m"',
     "rules.0.when", 6, "did you mean 'size'"),
    ('backend = "openai"\nmax_images_per_call = 0', "max_images_per_call", 4, "at least 1"),
    ('backend = "openai"\nseed = "yes"', "seed", 4, "true or false"),
    ('backend = "openai"\noutput_formats = ["png", "tiff"]', "output_formats", 4, "unknown output format 'tiff'"),
    ('backend = "openai"\ndefaults = { output_format = "bmp" }', "defaults.output_format", 4, "unknown output format"),
    ('backend = "openai"\nqualities = "high"', "qualities", 4, "list of strings"),
    ('backend = "openai"\nlifecycle = { status = "sunset" }', "lifecycle.status", 4, "active, preview"),
    ('backend = "openai"\nlifecycle = { shutdown_on = "soon" }', "lifecycle.shutdown_on", 4, "a date"),
    ('backend = "openai"\ninputs = { max_bytes = 0 }', "inputs.max_bytes", 4, "at least 1"),
    ('backend = "openai"\ninputs = { max_byte = 10 }', "inputs.max_byte", 4, "did you mean 'max_bytes'"),
    ('backend = "openai"\nprice = { per_image = -1 }', "price.per_image", 4, "at least 0"),
    ('backend = "openai"\nprice = { per_image = 1, per_megapixel = { first_mp = 1, extra_mp = 1 } }', "price", 4,
     "exactly one"),
    ('backend = "openai"\nprice = { per_image = 1, upper_bound = false }', "price.approximation", 4, "leaves out"),
    ('backend = "openai"\n[models.options.steps]\ntype = "integer"', "options.steps.type", 5, "str, int"),
    ('backend = "openai"\n[models.options.steps]\ntype = "int"\nchoices = ["a"]', "options.steps.choices", 6,
     "list of int"),
    ('backend = "openai"\n[models.options.class]\ntype = "int"', "options.class", 4, "identifier"),
    ('backend = "openai"\n[[models.rules]]\nkind = "demands"\nwhen = "a"\nthen = "b"\nmessage = "m"',
     "rules.0.kind", 5, "requires, excludes"),
    ('backend = "openai"\napi_key_env = "sk-live-123"', "api_key_env", 4, "name of an environment variable"),
    ('backend = "openai"\napi_key_env = "sk_live_secret"', "api_key_env", 4, "never the key itself"),
    ('backend = 3', "backend", 3, "backend kind"),
    ('backend = "openai"\nseed = true\nseed_range = [5, 1]', "seed_range", 5, "[lowest, highest]"),
    ('backend = "openai"\nseed_range = [0, 9]', "seed_range", 4, "needs seed=True"),
    ('backend = "openai"\nrequired_options = { strength = ["paint"] }', "required_options.strength", 4,
     "must list operations"),
    ('backend = "openai"\nrequired_options = ["strength"]', "required_options", 4, "neither a request option"),
    ('backend = "openai"\noperation_options = { aspect_ratio = ["edit"] }', "operation_options", 4,
     "operations the model does not offer"),
    ('backend = "openai"\naliases = "x"', "aliases", 4, "list of model names"),
    ('backend = "openai"\nendpoint = 3', "endpoint", 4, "must be a table"),
]


@pytest.mark.parametrize(("body", "field", "line", "fragment"), BROKEN, ids=[b[1] or b[3] for b in BROKEN])
def test_a_broken_entry_names_file_line_and_field_and_the_others_load(
        tmp_path: Path, body: str, field: str, line: int, fragment: str) -> None:
    entry = f'[[models]]\nid = "broken"\n{body}\n'
    if "sources" not in body:
        entry += '[models.sources]\n"*" = { where = "https://x.example", checked = 2026-12-01 }\n'
    path = write(tmp_path, entry + GOOD)
    models, errors = read_models_file(path)
    assert [m.id for m in models] == ["good"]
    assert errors, body
    error = next((e for e in errors if (e.field or "") == field), None)
    assert error is not None, [e.message for e in errors]
    assert error.file == str(path) and error.line == line and error.model == "broken"
    assert fragment in error.message
    assert f"{path}:{line}:" in error.message and isinstance(error, ValueError)
    assert "sk-live-123" not in error.message and "sk_live_secret" not in error.message  # a key is never echoed


def test_an_entry_without_an_id_says_the_id_is_missing(tmp_path: Path) -> None:
    path = write(tmp_path, '[[models]]\nbackend = "openai"\n' + GOOD)
    models, errors = read_models_file(path)
    assert [m.id for m in models] == ["good"]
    error = next(e for e in errors if e.field == "id")
    assert error.line == 1 and "is missing" in error.message
    assert "None" not in error.message


UNSOURCED = [
    ('[[models]]\nid = "x"\nbackend = "openai"\nsizes = { exact = ["1024x1024"] }\n', "sources", "needs a source"),
    ('[[models]]\nid = "x"\nbackend = "openai"\nsizes = { exact = ["1024x1024"] }\n'
     'sources = { model = { where = "https://x", checked = 2026-12-01 } }\n', "sources", "sizes has no source"),
    ('[[models]]\nid = "x"\nbackend = "openai"\nprice = { per_image = 1 }\n'
     'sources = { model = { where = "https://x", checked = 2026-12-01 } }\n', "sources", "price needs a source"),
    ('[[models]]\nid = "x"\nbackend = "openai"\n'
     'sources = { sizez = { where = "https://x", checked = 2026-12-01 } }\n', "sources.sizez", "did you mean 'sizes'"),
    ('[[models]]\nid = "x"\nbackend = "openai"\n'
     'sources = { "*" = { where = "https://x", checked = 2026-12-01, kind = "hearsay" } }\n', "sources.*.kind",
     "official"),
    ('[[models]]\nid = "x"\nbackend = "openai"\nsources = { "*" = { checked = 2026-12-01 } }\n', "sources.*.where",
     "non-empty string"),
]


@pytest.mark.parametrize(("text", "field", "fragment"), UNSOURCED)
def test_every_declared_fact_needs_a_source(tmp_path: Path, text: str, field: str, fragment: str) -> None:
    _, errors = read_models_file(write(tmp_path, text))
    assert any(e.field == field and fragment in e.message for e in errors), [e.message for e in errors]


def test_unverified_sources_are_kept_and_shown(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('checked = 2026-12-01 }', 'checked = 2026-12-01, verified = false, '
                                        'note = "from a blog" }'))
    [model], errors = read_models_file(path)
    assert errors == [] and model.capabilities.sources.unverified() == ("*",)


def test_whole_file_problems(tmp_path: Path) -> None:
    _, errors = read_models_file(write(tmp_path, '[[models]]\nid = "a"\nbackend = = "x"\n'))
    assert len(errors) == 1 and errors[0].line == 3 and "not valid TOML" in errors[0].message
    _, errors = read_models_file(tmp_path / "missing.toml")
    assert "no such file" in errors[0].message
    _, errors = read_models_file(write(tmp_path, GOOD + GOOD.replace('api_key_env = "GOOD_KEY"\n', "")))
    assert [(e.field, e.line) for e in errors] == [("id", 9)]
    assert "declared twice (first on line 1)" in errors[0].message
    _, errors = read_models_file(write(tmp_path, '[model]\nid = "a"\n' + GOOD))
    assert "unknown top-level table 'model'" in errors[0].message


def test_broken_entries_are_reported_like_plugin_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[[models]]\nid = "broken"\nbackend = "nowhere"\n'
                 'sources = { "*" = { where = "https://x", checked = 2026-12-01 } }\n' + GOOD
                 + GOOD.replace('"good"', '"flux-2-pro"'))
    monkeypatch.setenv("TRYON_MODELS_FILE", str(path))
    with pytest.warns(PluginWarning) as caught:
        router = tryon.Router()
    messages = [str(w.message) for w in caught]
    assert any(f"{path}:3: model 'broken' field 'backend': no installed plugin serves backend 'nowhere'" in m
               for m in messages)
    assert any("flux-2-pro" in m and "already registered (by flux)" in m for m in messages)
    assert "good" in router and router.info("flux-2-pro").provider == "bfl"  # the plugin's model is untouched
    failed = {p.name: p.error for p in plugin_report() if p.status == "failed"}
    assert any(name.startswith(f"models file {path}:3") for name in failed)
    assert {p.name for p in plugin_report() if p.status == "loaded"} >= {"openai", "flux", "gemini"}


def test_where_tryon_looks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    (config / "tryon").mkdir(parents=True)
    write(config / "tryon", GOOD)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.delenv("TRYON_MODELS_FILE")
    assert "good" in quiet_router()
    monkeypatch.setenv("TRYON_MODELS_FILE", "")  # set but empty: no file at all
    assert "good" not in quiet_router()
    other = write(tmp_path, GOOD.replace('"good"', '"other"'), name="other.toml")
    monkeypatch.setenv("TRYON_MODELS_FILE", str(other))
    router = quiet_router()
    assert "other" in router and "good" not in router
    assert "good" not in quiet_router(plugins=False)


def test_openai_backend_never_sends_an_openai_key_elsewhere(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('api_key_env = "GOOD_KEY"\n', ""))
    with pytest.warns(PluginWarning, match="api_key_env"):
        errors = register_declared(tryon.Router(plugins=False), [path], backends=_openai_backend())
    assert [(e.field, e.line) for e in errors] == [("api_key_env", 1)]
    assert "no OpenAI key is sent there" in errors[0].message


def test_a_factory_error_names_its_field(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + '[models.endpoint]\nextra_bdy = { a = 1 }\n')
    with pytest.warns(PluginWarning, match="extra_bdy"):
        errors = register_declared(tryon.Router(plugins=False), [path], backends=_openai_backend())
    assert [(e.field, e.line) for e in errors] == [("endpoint.extra_bdy", 9)]


def test_plugins_register_backend_factories(tmp_path: Path) -> None:
    from tryon.plugins import register_plugin, unregister_plugin
    from tryon.testing.fake import FakeGenerator

    seen: list[DeclaredModel] = []

    class Plugin:
        @staticmethod
        @tryon.hookimpl
        def register_backends(register: Any) -> None:
            def factory(declared: DeclaredModel) -> Any:
                seen.append(declared)
                return FakeGenerator(declared.id, provider=declared.provider, capabilities=declared.capabilities)

            register("fake-kind", factory)

    register_plugin(Plugin, "fake-kind-plugin")
    try:
        path = write(tmp_path, GOOD.replace('"openai"', '"fake-kind"') + '[models.endpoint]\nroute = "a/b"\n')
        router = tryon.Router(plugins=False)
        assert register_declared(router, [path]) == []
    finally:
        unregister_plugin("fake-kind-plugin")
    assert seen[0].endpoint == {"route": "a/b"} and seen[0].provider == "fake-kind" and seen[0].line == 1
    assert router.generate("x", model="good").images


def _openai_backend() -> dict[str, Any]:
    from tryon_openai.declared import declared_generator

    return {"openai": declared_generator}


def test_models_file_error_is_a_value_error() -> None:
    error = ModelsFileError("bad", file="f.toml", line=3, field="sizes", model="m")
    assert str(error) == "f.toml:3: model 'm' field 'sizes': bad" and isinstance(error, ValueError)


def test_the_documented_example_loads(tmp_path: Path) -> None:
    import re

    from tryon_openai.declared import declared_generator as openai_backend
    from tryon_replicate.declared import declared_generator as replicate_backend

    text = (Path(__file__).parents[2] / "docs" / "models-file.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(# ~/.config/tryon/models.toml.*?)```", text, re.S)
    assert example is not None
    path = write(tmp_path, example.group(1))
    router = tryon.Router(plugins=False)
    errors = register_declared(router, [path], backends={"openai": openai_backend, "replicate": replicate_backend})
    assert errors == [] and "studio-local" in router and "flux-schnell-pinned" in router
    assert router.info("flux-schnell-pinned").capabilities.output_formats == {"webp", "png", "jpeg"}


def test_jpg_is_read_as_jpeg_like_in_requests(tmp_path: Path) -> None:
    [model], errors = read_models_file(write(tmp_path, GOOD.replace(
        'sizes = ', 'output_formats = ["JPG", "png"]\ndefaults = { output_format = "jpg" }\nsizes = ')))
    assert errors == [] and model.capabilities.output_formats == {"jpeg", "png"}
    assert model.capabilities.defaults["output_format"] == "jpeg"


def test_a_file_is_parsed_once_per_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from tryon.declared import loader

    path = write(tmp_path, GOOD)
    monkeypatch.setenv("TRYON_MODELS_FILE", str(path))
    calls: list[Any] = []
    real = loader.read_models_file
    monkeypatch.setattr(loader, "read_models_file", lambda p: calls.append(p) or real(p))
    assert "good" in quiet_router() and "good" in quiet_router()
    assert len(calls) == 1
    path.write_text(GOOD.replace('"good"', '"better"'), encoding="utf-8")
    os.utime(path, ns=(1, 10**18))  # a new version, even within the clock's resolution
    router = quiet_router()
    assert "better" in router and "good" not in router and len(calls) == 2


def test_declared_models_in_preference_lists_and_lifecycles(studio: Any, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    emulator, path = studio
    text = path.read_text(encoding="utf-8")
    small = (text.replace('"studio-local"', '"studio-small"').replace('aliases = ["studio"]', "aliases = []")
             .replace('exact = ["1024x1024", "1536x1024"]', 'exact = ["1024x1024"]'))
    retired = (text.replace('"studio-local"', '"studio-old"').replace('aliases = ["studio"]', "aliases = []")
               .replace("[models.sources]", '[models.lifecycle]\nstatus = "retired"\nshutdown_on = 2026-01-31\n'
                        'successors = ["studio-local"]\n\n[models.sources]'))
    both = tmp_path / "both.toml"
    both.write_text(text + small + retired, encoding="utf-8")
    monkeypatch.setenv("TRYON_MODELS_FILE", str(both))
    router = tryon.Router()
    result = router.generate("a cat", model=["studio-small", "studio-local"], size="1536x1024")
    assert result.model == "studio-local" and [s.model for s in result.skipped] == ["studio-small"]
    with pytest.raises(tryon.ModelRetiredError, match="studio-local"):
        router.generate("a cat", model="studio-old")
    assert len(emulator.requests_to("/images/generations")) == 1


def test_required_and_operation_options_and_seed_ranges_are_enforced(tmp_path: Path) -> None:
    from tryon.testing.fake import FakeGenerator

    path = write(tmp_path, '''
    [[models]]
    id = "sd-like"
    backend = "fake"
    operations = ["generate", "edit"]
    max_input_images = 1
    seed = true
    seed_range = [0, 4294967294]
    aspect_ratios = ["1:1", "16:9"]
    sizes = { aspect_ratios = ["1:1", "16:9"] }
    required_options = { strength = ["edit"] }
    operation_options = { aspect_ratio = ["generate"], strength = ["edit"] }

    [models.options.strength]
    type = "float"
    min = 0.0
    max = 1.0

    [models.sources]
    "*" = { where = "https://sd.example/api", checked = 2026-12-01 }
    ''')
    fakes: list[FakeGenerator] = []

    def factory(declared: DeclaredModel) -> Any:
        fakes.append(FakeGenerator(declared.id, capabilities=declared.capabilities))
        return fakes[-1]

    router = tryon.Router(plugins=False)
    assert register_declared(router, [path], backends={"fake": factory}) == []
    from tryon.testing.synth import synth_image

    image = synth_image(64, 64, "png", transparent=False, seed_text="x")
    with pytest.raises(ValueError, match="strength"):
        router.edit([image], "x", model="sd-like")  # required for edits
    with pytest.raises(ValueError, match="aspect_ratio"):
        router.edit([image], "x", model="sd-like", aspect_ratio="16:9", options={"strength": 0.5})
    with pytest.raises(ValueError, match="seed"):
        router.generate("x", model="sd-like", seed=2**32)
    assert fakes[0].requests == []
    router.edit([image], "x", model="sd-like", options={"strength": 0.5})
    router.generate("x", model="sd-like", aspect_ratio="16:9", seed=4294967294, n=2)
    assert len(fakes[0].requests) == 3  # one edit, and the generation fanned out into two calls


def test_names_of_other_models_are_never_shadowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD.replace('"good"', '"nano-banana-pro"') + GOOD.replace(
        'backend = "openai"', 'backend = "openai"\naliases = ["gpt-image-1.5", "mine"]'))
    monkeypatch.setenv("TRYON_MODELS_FILE", str(path))
    with pytest.warns(PluginWarning) as caught:
        router = tryon.Router()
    messages = " ".join(str(w.message) for w in caught)
    assert "field 'id': 'nano-banana-pro' already names 'gemini-3-pro-image' (by gemini)" in messages
    assert "field 'aliases': 'gpt-image-1.5' is already registered (by openai)" in messages
    assert router.resolve_name("nano-banana-pro") == "gemini-3-pro-image" and "good" not in router


def test_a_backend_factory_that_crashes_is_reported_and_later_entries_still_load(tmp_path: Path) -> None:
    from tryon.plugins import PluginWarning
    from tryon.testing.fake import FakeGenerator as Fake

    path = write(tmp_path, """
    [[models]]
    id = "first"
    backend = "fake"
    sizes = { exact = ["1024x1024"] }
    sources = { "*" = { where = "https://x.example", checked = 2026-12-01 } }

    [[models]]
    id = "second"
    backend = "fake"
    sizes = { exact = ["1024x1024"] }
    sources = { "*" = { where = "https://x.example", checked = 2026-12-01 } }
    """)

    def factory(declared: DeclaredModel) -> Any:
        if declared.id == "first":
            raise KeyError("region")
        return Fake(declared.id, capabilities=declared.capabilities)

    router = tryon.Router(plugins=False)
    with pytest.warns(PluginWarning, match="KeyError"):
        errors = register_declared(router, [path], backends={"fake": factory})
    assert [(e.model, e.field, e.line) for e in errors] == [("first", "backend", 3)]
    assert "region" in errors[0].message and "second" in router

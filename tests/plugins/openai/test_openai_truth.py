"""Capability truth for the GPT image models: drift guards against the installed SDK, provenance,
lifecycle, and the facts checked end to end (plugin -> SDK -> emulator)."""

from __future__ import annotations

import io
import os
import types
import typing
from collections.abc import Iterator
from typing import Any, Literal

import openai
import pytest
from openai import OpenAI
from openai.types import image_edit_params, image_generate_params
from openai.types.image_model import ImageModel
from PIL import Image
from tryon_openai import MODELS, OpenAIImageGenerator
from tryon_openai.coverage import PARAMS, UNSUPPORTED_PARAMS, UNSUPPORTED_VALUES, supported_values
from tryon_openai.models import JSON_EDIT_MAX_DATA_URL, RETIRED
from tryon_openai.sources import REQUIRED_GROUPS, SDK_VERSION

import tryon
from tryon.capabilities import fact_groups
from tryon.errors import InvalidInputError, InvalidOptionError, UnsupportedOptionError
from tryon.provenance import SourceKind
from tryon.testing.openai_emulator import OpenAIEmulator

KEY = "sk-test-0123456789abcdefghij"
MODULES = {"generate": image_generate_params, "edit": image_edit_params}


# ---------------------------------------------------------------------------- SDK introspection

def _literals(hint: Any) -> list[Any]:
    """Every Literal value inside a (possibly Optional/Union/Required) type hint."""
    origin = typing.get_origin(hint)
    if origin is Literal:
        return list(typing.get_args(hint))
    if origin in (typing.Union, types.UnionType, typing.Required, typing.NotRequired, typing.Annotated):
        return [v for arg in typing.get_args(hint) for v in _literals(arg)]
    return []


def _sdk_params(kind: str) -> dict[str, Any]:
    module: Any = MODULES[kind]
    prefix = "ImageGenerate" if kind == "generate" else "ImageEdit"
    hints = dict(typing.get_type_hints(getattr(module, f"{prefix}ParamsBase"), include_extras=True))
    for variant in ("Streaming", "NonStreaming"):
        hints.update(typing.get_type_hints(getattr(module, f"{prefix}Params{variant}"), include_extras=True))
    return hints


def test_the_installed_sdk_is_the_one_the_facts_were_checked_against() -> None:
    assert openai.__version__ == SDK_VERSION, (
        f"openai {openai.__version__} is installed; the GPT image facts were checked against {SDK_VERSION}: "
        "re-check plugins/tryon_openai/sources.py and update SDK_VERSION")


@pytest.mark.parametrize("kind", sorted(MODULES))
def test_every_sdk_parameter_is_supported_or_listed(kind: str) -> None:
    unknown = set(_sdk_params(kind)) - set(PARAMS) - set(UNSUPPORTED_PARAMS)
    assert not unknown, f"SDK {kind} parameters neither sent nor listed as unsupported: {sorted(unknown)}"
    assert all(reason.strip() for reason in UNSUPPORTED_PARAMS.values())


@pytest.mark.parametrize("kind", sorted(MODULES))
def test_every_sdk_literal_value_is_supported_or_listed(kind: str) -> None:
    missing = []
    for name, hint in _sdk_params(kind).items():
        if name == "model":  # the ImageModel literal: see the model test below
            continue
        for value in _literals(hint):
            listed = UNSUPPORTED_VALUES.get(name, {})
            if value in supported_values(name) or value in listed or "*" in listed:
                continue
            missing.append(f"{name}={value!r}")
    svg_effort = typing.get_type_hints(MODULES[kind].SvgReasoning)["effort"]  # type: ignore[attr-defined]
    missing += [f"svg.reasoning.effort={v!r}" for v in _literals(svg_effort)
                if v not in supported_values("svg.reasoning.effort")]
    assert not missing, f"SDK {kind} values neither supported nor listed: {missing}"


def test_svg_fields_are_the_ones_the_plugin_sends() -> None:
    for module in MODULES.values():
        assert set(typing.get_type_hints(module.Svg)) == {"model", "reasoning"}  # type: ignore[attr-defined]
        assert set(typing.get_type_hints(module.SvgReasoning)) == {"effort"}  # type: ignore[attr-defined]


def test_every_image_model_is_declared_with_its_lifecycle_or_listed_as_retired() -> None:
    sdk = set(typing.get_args(ImageModel))
    assert sdk - set(MODELS) - set(RETIRED) == set()
    assert set(MODELS) | set(RETIRED) >= sdk
    for name in RETIRED:
        life = RETIRED[name].lifecycle
        assert life.retired and life.shutdown_on is not None and RETIRED[name].reason
    assert MODELS["gpt-image-1"].lifecycle.retired and str(MODELS["gpt-image-1"].lifecycle.shutdown_on) == "2026-10-23"
    assert MODELS["gpt-image-1"].lifecycle.successors == ("gpt-image-2.5-sunburst", "gpt-image-2.5-flare")


def test_the_sdk_deprecation_notes_match_the_lifecycle_data() -> None:
    """The ImageModel docstring names the shut-down models and their dates; they must agree."""
    from pathlib import Path

    from openai.types import image_model

    source = Path(image_model.__file__).read_text(encoding="utf-8")
    assert "October 23, 2026" in source and "May 12, 2026" in source
    for name in ("gpt-image-1", "dall-e-2", "dall-e-3"):
        assert f'"{name}"' in source.split('"""', 1)[1]  # named in the deprecated values


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_model_has_sources_for_every_fact_group(model: str) -> None:
    sources = MODELS[model].sources
    for group in REQUIRED_GROUPS:
        found = sources.sources_for(group)
        assert found, f"{model} has no source for {group}"
        for source in found:
            assert source.where and source.checked.isoformat() >= "2026-12-01"
            assert isinstance(source.kind, SourceKind)
    assert set(sources.facts) <= fact_groups()
    for source in (s for group in sources.facts.values() for s in group):
        if source.kind is not SourceKind.OFFICIAL:
            assert source.note, f"{model}: a {source.kind.value} source must say what it states and why it was chosen"
    if model.startswith(("gpt-image-2-", "gpt-image-2.5")) or model == "gpt-image-2":
        kinds = {s.kind for s in sources.sources_for("sizes")}
        assert kinds == {SourceKind.OFFICIAL, SourceKind.THIRD_PARTY}  # the SDK rule plus the pixel numbers


# ---------------------------------------------------------------------------- the facts, end to end

@pytest.fixture
def emu() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator(retired_models_served=True) as emulator:  # tryon refuses them unless opted in
        yield emulator


@pytest.fixture
def r(emu: OpenAIEmulator) -> tryon.Router:
    router = tryon.Router(plugins=False, settings={"openai": {
        "base_url": emu.base_url, "api_key": KEY, "max_retries": 0, "timeout": 20}})
    for model_id, caps in MODELS.items():
        router.register(OpenAIImageGenerator(model_id, caps))
    return router


def png(size: tuple[int, int] = (1024, 1024), mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, "blue").save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("model", ["gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-2.5-sunburst",
                                   "gpt-image-2.5-flare-2026-09-08"])
@pytest.mark.parametrize("size", ["16x16", "16x48", "512x512", "1008x640", "2896x2896", "3856x2160", "3840x1024"])
def test_sizes_the_service_rejects_are_refused_before_sending(r: tryon.Router, emu: OpenAIEmulator,
                                                              model: str, size: str) -> None:
    with pytest.raises(UnsupportedOptionError) as info:
        r.generate("x", model=model, size=size)
    assert "size" in str(info.value)
    assert not emu.requests
    # and the service agrees: the emulator (independent of the plugin) refuses it too
    client = OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=0)
    with pytest.raises(openai.BadRequestError):
        client.images.generate(model=model, prompt="x", size=size)


@pytest.mark.parametrize("size", ["1024x640", "2880x2880", "3840x2160", "1280x3840", "2560x1440"])
def test_sizes_within_the_limits_are_accepted(r: tryon.Router, size: str) -> None:
    assert r.explain("gpt-image-2", size=size) == []


def test_large_sizes_are_served_with_an_experimental_notice(r: tryon.Router, emu: OpenAIEmulator) -> None:
    gen = r.generate("x", model="gpt-image-2", size="2880x2880", quality="low")
    assert gen.images[0].size == (2880, 2880)
    notice = next(w for w in gen.warnings if w.code == "size-experimental")
    assert notice.option == "size" and "experimental" in notice.message
    small = r.generate("x", model="gpt-image-2", size="2560x1440", quality="low")
    assert not [w for w in small.warnings if w.code == "size-experimental"]


def test_lenient_mode_scales_a_too_small_size_up_to_the_minimum(r: tryon.Router) -> None:
    gen = r.generate("x", model="gpt-image-2", size="512x512", strict=False, quality="low")
    w, h = gen.images[0].size
    assert w * h >= 655_360 and w % 16 == 0 and h % 16 == 0 and w == h
    assert any(n.code == "size-adjusted" for n in gen.warnings)


def test_transparency_on_gpt_image_2_is_a_preview_notice(r: tryon.Router) -> None:
    gen = r.generate("x", model="gpt-image-2", background="transparent", quality="low")
    assert [w.code for w in gen.warnings if w.option == "background"] == ["feature-preview"]
    gen = r.generate("x", model="gpt-image-2.5-flare", background="transparent", quality="low")
    assert not [w for w in gen.warnings if w.code == "feature-preview"]


def test_complexity_is_sent_on_gpt_image_2_6_and_refused_elsewhere(r: tryon.Router, emu: OpenAIEmulator) -> None:
    r.generate("x", model="gpt-image-2.6-flare", complexity="high", quality="low")
    assert emu.last_request.params["complexity"] == "high"
    with pytest.raises(UnsupportedOptionError, match="complexity") as info:
        r.generate("x", model="gpt-image-2", complexity="high")
    assert "gpt-image-2.6-flare" in str(info.value)  # names the models that take it
    with pytest.raises(InvalidOptionError, match="complexity"):
        r.generate("x", model="gpt-image-2.6-flare", complexity="extreme")


def test_gif_output_is_a_real_animation(r: tryon.Router, emu: OpenAIEmulator, tmp_path: Any) -> None:
    gen = r.generate("a bouncing ball", model="gpt-image-2.6-sunburst", output_format="gif",
                     size="768x768", frame_count=12, frame_duration_ms=120, quality="low")
    params = emu.last_request.params
    assert (params["output_format"], params["frame_count"], params["frame_duration_ms"]) == ("gif", 12, 120)
    image = gen.images[0]
    assert (image.media_type, image.extension, image.size, image.frame_count) == ("image/gif", ".gif", (768, 768), 12)
    with Image.open(io.BytesIO(image.data)) as im:
        assert im.info["duration"] == 120
    assert image.save(tmp_path).suffix == ".gif"
    assert any(w.code == "feature-preview" for w in gen.warnings)


@pytest.mark.parametrize(("options", "why"), [
    ({"frame_count": 9}, "frame_count applies to GIF"),
    ({"output_format": "gif", "frame_count": 17}, "from 2 to 16"),
    ({"output_format": "gif", "frame_count": 1}, "from 2 to 16"),
    ({"output_format": "gif", "size": "1024x1024"}, "8,294,400"),  # 9 default frames of 1024x1024
    ({"output_format": "gif", "size": "832x832", "frame_count": 12}, "8,294,400"),
    ({"output_format": "gif", "size": "384x384", "frame_count": 2}, "655,360"),
    ({"output_format": "gif", "output_compression": 50}, "output_compression"),
    ({"output_format": "gif", "partial_images": 2}, "partial images"),
    ({"output_format": "gif", "background": "transparent"}, "png or webp"),
    ({"output_format": "gif", "frame_duration_ms": -5}, "milliseconds"),
])
def test_gif_constraints_are_checked_before_sending(r: tryon.Router, emu: OpenAIEmulator,
                                                    options: dict[str, Any], why: str) -> None:
    with pytest.raises((UnsupportedOptionError, InvalidOptionError), match=why):
        r.generate("x", model="gpt-image-2.6-flare", **options)
    assert not emu.requests


@pytest.mark.parametrize(("size", "frames"), [("960x960", 9), ("816x816", 12), ("720x720", 16), ("1024x768", 9)])
def test_gif_frame_sizes_within_the_budget_are_served(r: tryon.Router, size: str, frames: int) -> None:
    gen = r.generate("x", model="gpt-image-2.6-flare", output_format="gif", size=size, frame_count=frames,
                     quality="low")
    assert gen.images[0].size == tuple(map(int, size.split("x"))) and gen.images[0].frame_count == frames


def test_gif_and_svg_cannot_be_streamed(r: tryon.Router, emu: OpenAIEmulator) -> None:
    for fmt in ("gif", "svg"):
        with pytest.raises(UnsupportedOptionError, match=f"cannot stream output_format='{fmt}'"):
            list(r.stream("x", model="gpt-image-2.6-flare", output_format=fmt))
    assert not emu.requests


def test_gif_edit_refuses_a_mask(r: tryon.Router) -> None:
    with pytest.raises(UnsupportedOptionError, match="mask"):
        r.edit(png(), "x", model="gpt-image-2.6-flare", output_format="gif", mask=png(mode="L"))


def test_svg_output_is_typed_and_sends_the_author(r: tryon.Router, emu: OpenAIEmulator, tmp_path: Any) -> None:
    gen = r.generate("a fox logo", model="gpt-image-2.6-flare", output_format="svg", size="1024x1024",
                     svg={"model": "gpt-5.5", "reasoning": {"effort": "low"}})
    assert emu.last_request.params["svg"] == {"model": "gpt-5.5", "reasoning": {"effort": "low"}}
    image = gen.images[0]
    assert (image.media_type, image.extension, image.format, image.size) == ("image/svg+xml", ".svg", "svg",
                                                                              (1024, 1024))
    assert image.data.startswith(b"<svg")
    assert image.save(tmp_path / "logo.png").suffix == ".svg"  # the extension follows the real format


def test_svg_edit_sends_multipart_svg_fields(r: tryon.Router, emu: OpenAIEmulator) -> None:
    gen = r.edit(png(), "make it a vector logo", model="gpt-image-2.6-sunburst", output_format="svg",
                 svg={"model": "gpt-5.5"})
    assert emu.last_request.params["svg[model]"] == "gpt-5.5"
    assert gen.images[0].media_type == "image/svg+xml"


@pytest.mark.parametrize(("options", "why"), [
    ({"output_format": "svg", "n": 2}, "n=1"),
    ({"output_format": "svg", "output_compression": 80}, "output_compression"),
    ({"svg": {"model": "gpt-5.5"}}, "SVG output only"),
    ({"output_format": "svg", "svg": {"reasoning": {"effort": "huge"}}}, "effort"),
    ({"output_format": "svg", "svg": {"author": "x"}}, "svg takes model"),
    ({"output_format": "svg", "complexity": "max"}, "complexity"),
])
def test_svg_constraints_are_checked_before_sending(r: tryon.Router, emu: OpenAIEmulator,
                                                    options: dict[str, Any], why: str) -> None:
    with pytest.raises((UnsupportedOptionError, InvalidOptionError), match=why):
        r.generate("x", model="gpt-image-2.6-flare", **options)
    assert not emu.requests


@pytest.mark.parametrize("model", ["gpt-image-2-2026-04-21", "gpt-image-2", "gpt-image-2.5-flare"])
def test_gif_and_svg_are_refused_where_not_offered(r: tryon.Router, model: str) -> None:
    for fmt in ("gif", "svg"):
        with pytest.raises(UnsupportedOptionError, match=r"gpt-image-2\.6"):
            r.generate("x", model=model, output_format=fmt)


@pytest.mark.filterwarnings("ignore::tryon.RetiredModelWarning")  # opted in: expected
def test_the_plugin_sends_every_supported_sdk_parameter(r: tryon.Router, emu: OpenAIEmulator) -> None:
    """Every parameter the coverage table calls supported reaches the service in some request."""
    r.generate("a", model="gpt-image-2.6-flare", size="1024x1024", quality="low", background="opaque", n=2,
               output_format="jpeg", output_compression=70, moderation="low", complexity="low",
               safety_identifier="s", user="u")
    r.generate("a", model="gpt-image-2.6-flare", output_format="gif", size="768x768", frame_count=4,
               frame_duration_ms=100)
    r.generate("a", model="gpt-image-2.6-flare", output_format="svg", svg={"model": "m"})
    # input_fidelity: only the models OpenAI shut down on 2026-12-01 take it (an endpoint still serving them)
    r.edit(png(), "b", model="gpt-image-1.5", input_fidelity="high", mask=png(mode="L"), allow_retired=True)
    transparent = Image.new("RGBA", (1024, 1024), (0, 0, 0, 0))
    buf = io.BytesIO()
    transparent.save(buf, "PNG")
    r.edit(png(), "c", model="gpt-image-2.5-flare", markup=buf.getvalue())
    list(r.stream("d", model="gpt-image-2", partial_images=1, quality="low"))
    sent: set[str] = set()
    for request in emu.requests:
        sent |= {k.split("[", 1)[0] for k in request.params} | set(request.files)
    assert set(PARAMS) - sent == set(), f"declared as sent but never sent: {sorted(set(PARAMS) - sent)}"


def test_json_edit_form_caps_data_urls_before_sending(r: tryon.Router, emu: OpenAIEmulator) -> None:
    noise = Image.frombytes("RGB", (2600, 2600), os.urandom(2600 * 2600 * 3))
    buf = io.BytesIO()
    noise.save(buf, "PNG")
    data = buf.getvalue()
    assert len(data) * 4 // 3 > JSON_EDIT_MAX_DATA_URL  # too long as a data URL, fine as a 50 MB upload
    with pytest.raises(InvalidInputError, match="per-image limit"):
        r.edit(data, "x", model="gpt-image-2.6-sunburst", moderation="low")
    assert not emu.requests
    gen = r.edit(data, "x", model="gpt-image-2.6-sunburst", moderation="low", strict=False, quality="low")
    assert emu.last_request.params["moderation"] == "low"
    assert all(len(img["image_url"]) <= JSON_EDIT_MAX_DATA_URL for img in emu.last_request.params["images"])
    assert any(w.code in ("image-recompressed", "image-downscaled") for w in gen.warnings)


def test_every_response_format_the_sdk_can_report_is_one_the_plugin_types() -> None:
    from openai.types import ImagesResponse

    hint = ImagesResponse.model_fields["output_format"].annotation
    assert set(_literals(hint)) <= supported_values("output_format")


def test_a_plugin_declaration_mistake_is_caught_by_the_emulator(emu: OpenAIEmulator) -> None:
    """The emulator holds its own table of the service's rules: a too-permissive declaration fails there."""
    import attrs

    from tryon.errors import ProviderRequestError
    from tryon.sizes import SizeRule, Sizes

    wrong = attrs.evolve(MODELS["gpt-image-2"], sizes=Sizes.any(SizeRule(multiple_of=16), auto=True))
    router = tryon.Router(plugins=False, settings={"openai": {"base_url": emu.base_url, "api_key": KEY,
                                                              "max_retries": 0}})
    router.register(OpenAIImageGenerator("gpt-image-2", wrong))
    with pytest.raises(ProviderRequestError, match="655,360"):
        router.generate("x", model="gpt-image-2", size="512x512")
    gif_everywhere = attrs.evolve(MODELS["gpt-image-2.5-flare"], output_formats={"png", "gif"})
    router.register(OpenAIImageGenerator("gpt-image-2.5-flare", gif_everywhere))
    with pytest.raises(ProviderRequestError, match="gif"):
        router.generate("x", model="gpt-image-2.5-flare", output_format="gif")

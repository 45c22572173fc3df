"""Gemini model facts: sources for every fact group, lifecycle, 3.1 Flash Image's ratios and tiers, answer formats."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from PIL import Image
from tryon_gemini import MODELS, generators

import tryon
from tryon.capabilities import fact_groups
from tryon.provenance import SourceKind
from tryon.testing.gemini_emulator import MODEL_RULES, GeminiEmulator

KEY = "AIzaTestKey0123456789abcdefghijklmno"
REQUIRED_GROUPS = ("model", "lifecycle", "sizes", "aspect_ratios", "inputs", "output_formats", "seed", "options",
                   "price")
pytestmark = pytest.mark.filterwarnings("ignore::tryon.RetiredModelWarning")


@pytest.fixture
def emu() -> Iterator[GeminiEmulator]:
    with GeminiEmulator() as emulator:
        yield emulator


@pytest.fixture
def router(emu: GeminiEmulator) -> tryon.Router:
    r = tryon.Router(plugins=False)
    for gen in generators(api_key=KEY, base_url=emu.url, max_retries=0):
        r.register(gen)
    return r


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_model_has_dated_sources_for_every_fact_group(model: str) -> None:
    sources = MODELS[model].capabilities.sources
    for group in REQUIRED_GROUPS:
        found = sources.sources_for(group)
        assert found, f"{model} has no source for {group}"
        for source in found:
            assert source.where and source.checked >= dt.date(2026, 12, 1)
    assert set(sources.facts) <= fact_groups()
    for source in (s for group in sources.facts.values() for s in group):
        if source.kind is not SourceKind.OFFICIAL or not source.verified:
            assert source.note, f"{model}: a {source.kind.value} or unverified source must say what it states"
    assert not MODELS[model].capabilities.seed  # unconfirmed for image models: the conservative reading
    assert "seed" in sources.unverified()


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_model_is_priced(model: str) -> None:
    price = MODELS[model].capabilities.price
    assert price is not None and price.sources
    assert set(MODELS[model].tiers) <= set(price.rates.output_tokens[None]) or not MODELS[model].tiers


@pytest.mark.parametrize(("model", "shutdown", "successor"), [
    ("gemini-2.5-flash-image", dt.date(2026, 10, 2), "gemini-3.1-flash-image"),
    ("gemini-3-pro-image-preview", dt.date(2026, 6, 25), "gemini-3-pro-image"),
    ("gemini-3.1-flash-image-preview", dt.date(2026, 6, 25), "gemini-3.1-flash-image"),
])
def test_shut_down_models_name_their_successor(router: tryon.Router, model: str, shutdown: dt.date,
                                               successor: str) -> None:
    life = MODELS[model].capabilities.lifecycle
    assert (life.status, life.shutdown_on, life.successors) == ("retired", shutdown, (successor,))
    assert "earliest possible" in " ".join(s.note for s in MODELS[model].capabilities.sources.sources_for("lifecycle"))
    assert MODELS[successor].capabilities.lifecycle.status == "active"
    assert successor in [info.model for info in router.models()]  # the successor is declared
    with pytest.raises(tryon.ModelRetiredError, match=successor):  # refused before sending, naming the successor
        router.generate("a fox", model=model)
    # an endpoint that still serves it (opted in): a notice names the successor
    gen = router.generate("a fox", model=model, allow_retired=True)
    notice = next(n for n in gen.warnings if n.code == "model-retired")
    assert notice.applied == (successor,) and successor in notice.message


def test_ga_models_are_active_without_a_shutdown_date() -> None:
    for model in ("gemini-3.1-flash-image", "gemini-3-pro-image"):
        life = MODELS[model].capabilities.lifecycle
        assert life.status == "active" and life.shutdown_on is None


def test_plugin_and_emulator_tables_agree() -> None:
    for model, declared in MODELS.items():
        rules = MODEL_RULES[model]
        table = {(ratio, tier): size for tier, row in rules.sizes.items() for ratio, size in row.items()}
        assert table == dict(declared.sizes), model


def test_flash31_takes_its_extra_ratios_and_the_512_tier(router: tryon.Router, emu: GeminiEmulator) -> None:
    caps = MODELS["gemini-3.1-flash-image"].capabilities
    assert {"1:4", "4:1", "1:8", "8:1", "9:21"} <= set(caps.aspect_ratios) and len(caps.aspect_ratios) == 15
    gen = router.generate("a tall banner", model="nano-banana-2", aspect_ratio="1:8", image_size="512")
    sent = emu.last_request.params["generationConfig"]["imageConfig"]
    assert sent == {"aspectRatio": "1:8", "imageSize": "512"}
    assert gen.images[0].size == (176, 1456)
    assert gen.usage is not None and gen.usage.output_image_tokens == 747
    assert gen.cost_usd == pytest.approx(747 * 60 / 1e6 + (gen.usage.input_tokens or 0) * 0.5 / 1e6, abs=1e-6)
    default = router.generate("a fox", model="gemini-3.1-flash-image")
    assert default.images[0].size == (1024, 1024)  # 1K is the service default, not the smallest tier
    assert router.estimate("a fox", model="gemini-3.1-flash-image").usd == pytest.approx(
        (1120 * 60 + 1 * 0.5) / 1e6, rel=0.01)


def test_pro_refuses_what_only_flash31_takes(router: tryon.Router, emu: GeminiEmulator) -> None:
    with pytest.raises(tryon.UnsupportedOptionError) as info:
        router.generate("a fox", model="gemini-3-pro-image", aspect_ratio="1:8")
    assert "gemini-3.1-flash-image" in str(info.value)  # the model that can serve it is named
    with pytest.raises(ValueError, match="512"):
        router.generate("a fox", model="gemini-3-pro-image", image_size="512")
    with pytest.raises(ValueError, match="8K"):
        router.generate("a fox", model="gemini-3.1-flash-image", image_size="8K")
    assert emu.requests == []  # nothing was sent, nothing paid


def test_the_emulator_refuses_a_flash31_ratio_on_pro(emu: GeminiEmulator) -> None:
    import requests

    answer = requests.post(f"{emu.url}/v1beta/models/gemini-3-pro-image:generateContent",
                           headers={"x-goog-api-key": KEY}, timeout=10,
                           json={"contents": [{"parts": [{"text": "a fox"}]}],
                                 "generationConfig": {"imageConfig": {"aspectRatio": "8:1"}}})
    assert answer.status_code == 400 and "8:1" in answer.json()["error"]["message"]


@pytest.mark.parametrize("model", ["gemini-3-pro-image", "gemini-3.1-flash-image"])
def test_jpeg_bytes_labelled_png_are_typed_from_the_bytes(router: tryon.Router, emu: GeminiEmulator,
                                                          model: str) -> None:
    assert MODELS[model].capabilities.output_formats == {"png", "jpeg"}
    emu.answer_jpeg_next(label="image/png")
    gen = router.generate("a fox", model=model)
    image = gen.images[0]
    assert image.media_type == "image/jpeg" and image.format == "jpeg"
    assert Image.open(io.BytesIO(image.data)).format == "JPEG"
    assert not [n for n in gen.warnings if n.code == "output-format-converted"]  # nothing asked: kept as served


def test_an_explicit_output_format_is_honoured_by_re_encoding(router: tryon.Router, emu: GeminiEmulator) -> None:
    emu.answer_jpeg_next(label="image/png")
    gen = router.generate("a fox", model="gemini-3-pro-image", output_format="png", aspect_ratio="16:9")
    image = gen.images[0]
    assert image.media_type == "image/png" and Image.open(io.BytesIO(image.data)).format == "PNG"
    assert image.size == (1376, 768)
    notice = next(n for n in gen.warnings if n.code == "output-format-converted")
    assert (notice.original, notice.applied) == ("jpeg", "png")
    same = router.generate("a fox", model="gemini-3-pro-image", output_format="png")
    assert not [n for n in same.warnings if n.code == "output-format-converted"]  # PNG answered: untouched


def test_flash25_declares_only_png() -> None:
    caps = MODELS["gemini-2.5-flash-image"].capabilities
    assert caps.output_formats == {"png"} and caps.defaults.get("output_format") == "png"

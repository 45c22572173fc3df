"""Routing and translation: which endpoint a request goes to, what fields it sends, what is refused
before the network, masks in each endpoint's polarity, fan-out over num_images, prices."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image, ImageDraw
from tryon_fal.emulator import FalEmulator

import tryon
from tryon.errors import InvalidOptionError, UnsupportedOptionError

PROMPT = "a linen summer dress"


def png(size: tuple[int, int] = (256, 256), colour: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def mask_top_left(size: tuple[int, int] = (256, 256)) -> bytes:
    """tryon's convention: black = edit (the top-left quarter), white = keep."""
    im = Image.new("L", size, 255)
    ImageDraw.Draw(im).rectangle((0, 0, size[0] // 2 - 1, size[1] // 2 - 1), fill=0)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def submitted(emu: FalEmulator) -> list[Any]:
    return [r for r in emu.requests if r.method == "POST"]


@pytest.mark.parametrize("alias, model", [
    ("fal-ai/flux-2-pro/edit", "fal-ai/flux-2-pro"),
    ("fal/fal-ai/flux/dev", "fal-ai/flux/dev"),
    ("fal-ai/bytedance/seedream/v4.5/text-to-image", "fal-ai/bytedance/seedream/v4.5"),
    ("FAL-AI/FLUX-PRO/KONTEXT/TEXT-TO-IMAGE", "fal-ai/flux-pro/kontext"),
])
def test_endpoint_ids_resolve_to_their_model(router: tryon.Router, alias: str, model: str) -> None:
    assert router.get(alias).model_id == model


def test_generate_and_edit_go_to_their_endpoints(router: tryon.Router, emulator: FalEmulator) -> None:
    router.generate(PROMPT, model="fal-ai/bytedance/seedream/v4.5", size="2048x1920", seed=3)
    router.edit([png(), png()], PROMPT, model="fal-ai/bytedance/seedream/v4.5")
    first, second = submitted(emulator)
    assert first.path == "/fal-ai/bytedance/seedream/v4.5/text-to-image"
    assert first.params == {"prompt": PROMPT, "image_size": {"width": 2048, "height": 1920}, "seed": 3}
    assert second.path == "/fal-ai/bytedance/seedream/v4.5/edit"
    assert [u[:22] for u in second.params["image_urls"]] == ["data:image/png;base64,"] * 2


def test_presets_are_sent_by_name_where_the_model_renders_its_own_resolutions(
        router: tryon.Router, emulator: FalEmulator) -> None:
    gen = router.generate(PROMPT, model="fal-ai/ideogram/v3", size="1024x768",
                          options={"rendering_speed": "TURBO"})
    assert submitted(emulator)[0].params == {"prompt": PROMPT, "image_size": "landscape_4_3",
                                             "rendering_speed": "TURBO"}
    assert (gen.images[0].width, gen.images[0].height) == (1024, 768)


def test_a_size_goes_to_an_aspect_ratio_model_as_its_ratio(router: tryon.Router, emulator: FalEmulator) -> None:
    gen = router.generate(PROMPT, model="fal-ai/flux-pro/kontext", size="1024x1024")
    assert submitted(emulator)[0].params["aspect_ratio"] == "1:1"
    assert any(n.code == "size-as-aspect-ratio" for n in gen.warnings)


@pytest.mark.parametrize("model, kwargs, option", [
    ("fal-ai/bytedance/seedream/v4.5", {"size": "1024x1024"}, "size"),      # edges 1920-4096
    ("fal-ai/bytedance/seedream/v4", {"size": "800x800"}, "size"),          # under 921,600 pixels
    ("fal-ai/flux/dev", {"size": "1000x1000"}, "size"),                     # multiples of 16
    ("fal-ai/flux-pro/v1.1", {"size": "1600x1600"}, "size"),                # at most 1440
    ("fal-ai/flux-pro/kontext", {"aspect_ratio": "5:4"}, "aspect_ratio"),
    ("fal-ai/flux/dev", {"output_format": "webp"}, "output_format"),
    ("fal-ai/flux-2-pro", {"seed": 1, "background": "transparent"}, "background"),
    ("fal-ai/recraft/v3/text-to-image", {"seed": 4}, "seed"),
    ("fal-ai/recraft/v3/text-to-image", {"prompt": "x" * 1001}, "prompt"),
])
def test_refused_before_the_network(router: tryon.Router, emulator: FalEmulator, model: str,
                                    kwargs: dict[str, Any], option: str) -> None:
    prompt = kwargs.pop("prompt", PROMPT)
    with pytest.raises(UnsupportedOptionError) as err:
        router.generate(prompt, model=model, **kwargs)
    assert option in err.value.options and model in str(err.value)
    assert emulator.requests == []


@pytest.mark.parametrize("model, images, kwargs, option", [
    ("fal-ai/qwen-image-edit", 2, {}, "images"),
    ("fal-ai/bytedance/seedream/v4.5", 11, {}, "images"),
    ("fal-ai/flux-pro/kontext", 2, {}, "images"),
    ("fal-ai/ideogram/v3/edit", 1, {}, "mask"),
    ("fal-ai/flux-pro/v1/fill", 1, {}, "mask"),
    ("fal-ai/qwen-image-edit-plus", 1, {"mask": mask_top_left()}, "mask"),
])
def test_edits_refused_before_the_network(router: tryon.Router, emulator: FalEmulator, model: str, images: int,
                                          kwargs: dict[str, Any], option: str) -> None:
    with pytest.raises(UnsupportedOptionError) as err:
        router.edit([png()] * images, PROMPT, model=model, **kwargs)
    assert option in err.value.options
    assert emulator.requests == []


@pytest.mark.parametrize("model, options", [
    ("fal-ai/flux-pro/kontext", {"safety_tolerance": 7}),
    ("fal-ai/flux-2-pro", {"safety_tolerance": "6"}),
    ("fal-ai/flux/schnell", {"num_inference_steps": 13}),
    ("fal-ai/ideogram/v3", {"rendering_speed": "FAST"}),
    ("fal-ai/recraft/v3/text-to-image", {"style": "cubism"}),
    ("fal-ai/flux/dev", {"steps": 20}),
])
def test_bad_provider_options_are_refused_before_the_network(router: tryon.Router, emulator: FalEmulator,
                                                             model: str, options: dict[str, Any]) -> None:
    with pytest.raises((InvalidOptionError, UnsupportedOptionError)):
        router.generate(PROMPT, model=model, options=options)
    assert emulator.requests == []


def test_safety_tolerance_is_sent_as_text(router: tryon.Router, emulator: FalEmulator) -> None:
    router.generate(PROMPT, model="fal-ai/flux-pro/kontext", options={"safety_tolerance": 5, "guidance_scale": 4})
    assert submitted(emulator)[0].params["safety_tolerance"] == "5"


@pytest.mark.parametrize("model", ["fal-ai/flux-pro/v1/fill", "fal-ai/ideogram/v3/edit"])
def test_masks_reach_each_endpoint_in_its_own_polarity(router: tryon.Router, emulator: FalEmulator,
                                                       model: str) -> None:
    """The emulator edits where the endpoint's mask says (white = edit for Fill, black for Ideogram):
    only the top-left quarter, tryon's black area, may change."""
    source = png()
    extra = {"output_format": "png"} if "fill" in model else {}
    gen = router.edit([source], PROMPT, model=model, mask=mask_top_left(), **extra)
    out, before = gen.images[0].to_pil().convert("RGB"), Image.open(io.BytesIO(source)).convert("RGB")
    assert out.getpixel((10, 10)) != before.getpixel((10, 10))
    assert out.getpixel((200, 200)) == before.getpixel((200, 200))


def test_n_fans_out_over_num_images(router: tryon.Router, emulator: FalEmulator) -> None:
    gen = router.generate(PROMPT, model="fal-ai/bytedance/seedream/v4", n=8)
    counts = sorted(r.params.get("num_images", 1) for r in submitted(emulator))
    assert counts == [2, 6] and len(gen.images) == 8


def test_n_fans_out_one_call_each_where_there_is_no_num_images(router: tryon.Router, emulator: FalEmulator) -> None:
    gen = router.generate(PROMPT, model="fal-ai/flux-2-pro", n=3, seed=10)
    sent = submitted(emulator)
    assert len(sent) == 3 and all("num_images" not in r.params for r in sent)
    assert sorted(r.params["seed"] for r in sent) == [10, 11, 12] and len(gen.images) == 3


def test_prices(router: tryon.Router) -> None:
    assert router.estimate(PROMPT, model="fal-ai/flux/dev", size="1024x768", n=2).usd == pytest.approx(0.05)
    assert router.estimate(PROMPT, model="fal-ai/flux/dev", size="2048x1024", n=1).usd == pytest.approx(0.05)
    assert router.estimate(PROMPT, model="fal-ai/ideogram/v3", n=3).usd == pytest.approx(0.27)
    assert router.estimate(PROMPT, model="fal-ai/bytedance/seedream/v4.5").usd is None


def test_a_generation_is_priced_from_what_was_made(router: tryon.Router) -> None:
    gen = router.generate(PROMPT, model="fal-ai/flux-pro/kontext/max", n=2)
    assert gen.cost_usd == pytest.approx(0.16)

"""Try-on in the router: refusals before any call, composition, fan-out, estimates, budgets, results."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import attrs
import pytest
from PIL import Image

import tryon
from tryon.capabilities import Capabilities, Operation
from tryon.errors import (
    BudgetExceededError,
    InvalidInputError,
    InvalidOptionError,
    InvalidResponseError,
    NoModelAvailableError,
    PluginError,
    UnsupportedOptionError,
)
from tryon.request import TryOnRequest
from tryon.results import Generation
from tryon.testing.fake import FAKE_CAPABILITIES, FAKE_TRY_ON_CAPABILITIES, FakeGenerator, FakeTryOnGenerator
from tryon.vto import Composition, Garment, TryOnCapabilities
from tryon.vto.composition import DEFAULT_TEMPLATE, as_edit, render, template_problem, with_composition

DEDICATED = "fake-tryon-1"
COMPOSED = "fake-compose"
PLAIN = "fake-image-1"


def png(size: tuple[int, int] = (192, 256), color: tuple[int, int, int] = (180, 90, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def mask_png(size: tuple[int, int] = (192, 256)) -> bytes:
    image = Image.new("L", size, 255)
    image.paste(0, (40, 60, 150, 180))  # black = change
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


PERSON, SHIRT, JEANS = png(), png(color=(20, 60, 200)), png(color=(10, 10, 90))


@pytest.fixture
def dedicated() -> FakeTryOnGenerator:
    return FakeTryOnGenerator(DEDICATED)


@pytest.fixture
def composed() -> FakeGenerator:
    caps = with_composition(attrs.evolve(FAKE_CAPABILITIES, max_prompt_length=4000))
    return FakeGenerator(COMPOSED, capabilities=caps, price_per_image=0.02)


@pytest.fixture
def router(dedicated: FakeTryOnGenerator, composed: FakeGenerator) -> tryon.Router:
    r = tryon.Router(plugins=False)
    r.register(dedicated)
    r.register(composed)
    r.register(FakeGenerator(PLAIN))  # edits, but declares no try-on
    return r


def refusal(router: tryon.Router, model: Any = DEDICATED, garments: Any = SHIRT, **options: Any) -> Any:
    with pytest.raises(ValueError) as info:
        router.try_on(PERSON, garments, model=model, **options)
    return info.value


# ---------------------------------------------------------------------------- the request


def test_a_try_on_runs_on_a_dedicated_model_with_the_providers_words(router: tryon.Router,
                                                                     dedicated: FakeTryOnGenerator) -> None:
    result = router.try_on(PERSON, SHIRT, category="long-sleeve-top", model=DEDICATED, mode="quality",
                           garment_photo_type="flat lay", seed=7)
    assert isinstance(result, Generation) and len(result.images) == 1
    assert result.images[0].size == (192, 256)  # the person's size
    assert dedicated.sent == [{"categories": ["tops"], "mode": "quality", "photo_type": "flat-lay", "mask": False}]
    request = dedicated.requests[0]
    assert isinstance(request, TryOnRequest) and request.person.size == (192, 256)  # prepared InputImage
    assert request.garments[0].image.size == (192, 256) and request.garments[0].category == "long-sleeve-top"
    info = result.images[0].info
    assert info["operation"] == "try_on" and info["options"]["categories"] == ["long-sleeve-top"]


def test_garments_come_as_garments_mappings_or_images(router: tryon.Router, dedicated: FakeTryOnGenerator) -> None:
    router.try_on(PERSON, [Garment(SHIRT, "top"), {"image": JEANS, "category": "Trousers"}], model=DEDICATED)
    router.try_on(PERSON, [SHIRT], model=DEDICATED)  # no category: the model tells ("auto")
    assert [s["categories"] for s in dedicated.sent] == [["tops", "bottoms"], ["auto"]]


@pytest.mark.parametrize(("garments", "category", "needle"), [
    ("shirt.png", "topp", "did you mean 'top'"),
    ({"image": "a.png", "colour": "red"}, None, "unknown: colour"),
    ([], None, "at least one garment"),
    ([None], None, "needs an image"),
])
def test_bad_garments_are_invalid_options(router: tryon.Router, garments: Any, category: Any, needle: str) -> None:
    with pytest.raises(InvalidOptionError, match=needle):
        router.try_on(PERSON, garments, model=DEDICATED, category=category)


@pytest.mark.parametrize(("options", "needle"), [
    ({"mode": "turbo"}, "mode='turbo' is not one of speed, balanced, quality"),
    ({"garment_photo_type": "hanging"}, "is not one of auto, flat-lay, worn"),
    ({"mask_prompt": "  "}, "mask_prompt must be a non-empty text"),
    ({"prompt_template": "{person} {colour}"}, "unknown field {colour}"),
    ({"prompt_template": "Dress {person}."}, "must name the garments"),
    ({"prompt_template": "{items"}, "not a valid str.format template"),
    ({"n": 0}, "n=0 must be a whole number"),
])
def test_values_no_model_could_take_are_refused_at_the_boundary(router: tryon.Router, options: dict[str, Any],
                                                                needle: str) -> None:
    with pytest.raises(InvalidOptionError, match=needle):
        router.try_on(PERSON, SHIRT, model=COMPOSED, **options)


def test_mask_and_mask_prompt_together_are_refused(router: tryon.Router) -> None:
    with pytest.raises(InvalidOptionError, match="not both"):
        router.try_on(PERSON, SHIRT, model=COMPOSED, mask=mask_png(), mask_prompt="the shirt")


# ---------------------------------------------------------------------------- refusals, each kind


@pytest.mark.parametrize(("model", "garments", "options", "option", "needle", "supported_by"), [
    (PLAIN, SHIRT, {}, "operation", "does not support virtual try-on", [COMPOSED, DEDICATED]),
    (DEDICATED, [SHIRT] * 3, {}, "garments", "takes at most 2 garments per try-on (got 3)", [COMPOSED]),
    (DEDICATED, SHIRT, {"category": "footwear"}, "category", "does not take garments of category 'footwear'",
     [COMPOSED]),
    (DEDICATED, SHIRT, {"prompt": "tuck it in"}, "prompt", "takes no text prompt", [COMPOSED]),
    (DEDICATED, SHIRT, {"mask_prompt": "the shirt"}, "mask_prompt", "does not take mask_prompt", []),
    (COMPOSED, SHIRT, {"mode": "quality"}, "mode", "does not support mode='quality'", [DEDICATED]),
    (COMPOSED, SHIRT, {"n": 9}, "n", None, None),
    (DEDICATED, SHIRT, {"garment_photo_type": "worn", "n": 9}, "n", "makes at most 8 images per request", [COMPOSED]),
    (DEDICATED, SHIRT, {"prompt_template": DEFAULT_TEMPLATE}, "prompt_template", "takes no prompt template",
     [COMPOSED]),
    (DEDICATED, SHIRT, {"output_format": "webp"}, "output_format", "does not support output_format='webp'",
     [COMPOSED]),
    (DEDICATED, SHIRT, {"input_fidelity": "high"}, "input_fidelity", "does not support input_fidelity",
     [COMPOSED]),
    (DEDICATED, SHIRT, {"moderation": "off"}, "moderation", "does not support moderation='off'", []),
    (DEDICATED, SHIRT, {"colour": "red"}, "colour", "does not support option 'colour'", []),
])
def test_each_mismatch_is_refused_before_any_call_naming_the_models_that_can(
        router: tryon.Router, dedicated: FakeTryOnGenerator, composed: FakeGenerator, model: str, garments: Any,
        options: dict[str, Any], option: str, needle: str | None, supported_by: list[str] | None) -> None:
    if needle is None:  # the composition model fans n=9 out over 3 calls: accepted
        router.try_on(PERSON, garments, model=model, **options)
        assert len(composed.requests) == 3
        return
    error = refusal(router, model, garments, **options)
    assert isinstance(error, UnsupportedOptionError)
    [problem] = [p for p in error.problems if p.option == option]
    assert needle in problem.message and model in problem.message
    assert list(problem.supported_by) == supported_by
    assert dedicated.requests == [] and composed.requests == []  # nothing was sent


def test_a_model_that_needs_a_category_or_a_mask_or_a_prompt_says_so(router: tryon.Router) -> None:
    strict_try_on = attrs.evolve(FAKE_TRY_ON_CAPABILITIES.try_on, auto_category=False, mask_modes={"image", "prompt"},
                                 prompt="required")
    router.register(FakeTryOnGenerator("fake-needy", capabilities=attrs.evolve(FAKE_TRY_ON_CAPABILITIES,
                                                                               try_on=strict_try_on)))
    error = refusal(router, "fake-needy", [Garment(SHIRT, "top"), JEANS])
    messages = {p.option: p.message for p in error.problems}
    assert "needs a category for every garment (garment 2 has none)" in messages["category"]
    assert "needs a mask for try-on: pass mask=... (black = change) or mask_prompt=..." in messages["mask"]
    assert "needs a prompt for try-on" in messages["prompt"]
    assert {p.option: list(p.supported_by) for p in error.problems}["mask"] == [COMPOSED, DEDICATED]
    result = router.try_on(PERSON, SHIRT, category="top", model="fake-needy", mask_prompt="the shirt", prompt="x")
    assert len(result.images) == 1


def test_every_problem_is_reported_at_once(router: tryon.Router) -> None:
    error = refusal(router, DEDICATED, [SHIRT] * 3, prompt="hi", category="bag", output_format="webp")
    assert {p.option for p in error.problems} == {"garments", "category", "prompt", "output_format"}


def test_a_mask_image_on_a_model_without_one_is_refused_and_dropped_in_lenient_mode(router: tryon.Router) -> None:
    no_mask = attrs.evolve(FAKE_TRY_ON_CAPABILITIES.try_on, mask_modes={"auto"})
    router.register(FakeTryOnGenerator("fake-nomask", capabilities=attrs.evolve(FAKE_TRY_ON_CAPABILITIES,
                                                                                try_on=no_mask)))
    error = refusal(router, "fake-nomask", mask=mask_png())
    assert "does not take mask for try-on (mask modes: auto)" in str(error)
    result = router.try_on(PERSON, SHIRT, model="fake-nomask", mask=mask_png(), prompt="hi", strict=False)
    assert {n.option for n in result.warnings} >= {"mask", "prompt"}


def test_lenient_mode_drops_the_prompt_a_model_cannot_take(router: tryon.Router, dedicated: FakeTryOnGenerator) -> None:
    result = router.try_on(PERSON, SHIRT, model=DEDICATED, prompt="tuck it in", strict=False)
    assert [n.code for n in result.warnings] == ["option-dropped"]
    assert dedicated.requests[0].prompt == ""


def test_input_errors_name_the_input(router: tryon.Router, tmp_path: Any) -> None:
    bad = tmp_path / "jeans.png"
    bad.write_bytes(b"not an image at all")
    with pytest.raises(InvalidInputError, match="garment 2 of 2") as info:
        router.try_on(PERSON, [SHIRT, str(bad)], model=DEDICATED)
    assert info.value.input_name == "garment 2 of 2"
    with pytest.raises(InvalidInputError, match=r"^person: "):
        router.try_on(str(bad), SHIRT, model=DEDICATED)
    with pytest.raises(InvalidInputError, match=r"3 images \(the person and 2 garments\)"):
        tight = attrs.evolve(FAKE_TRY_ON_CAPABILITIES,
                             inputs=attrs.evolve(FAKE_TRY_ON_CAPABILITIES.inputs, max_count=2))
        router.register(FakeTryOnGenerator("fake-tight", capabilities=tight))
        router.try_on(PERSON, [SHIRT, JEANS], model="fake-tight")


def test_a_mask_reaches_the_model_as_for_edits(router: tryon.Router, dedicated: FakeTryOnGenerator) -> None:
    router.try_on(PERSON, SHIRT, model=DEDICATED, mask=mask_png())
    mask = dedicated.requests[0].mask
    assert mask.media_type == "image/png" and mask.size == (192, 256)
    alpha = mask.to_pil().getchannel("A")
    assert alpha.getpixel((60, 100)) == 0 and alpha.getpixel((5, 5)) == 255  # transparent = change


def test_a_mask_of_another_size_than_the_person_is_refused(router: tryon.Router) -> None:
    with pytest.raises(InvalidInputError, match="mask"):
        router.try_on(PERSON, SHIRT, model=DEDICATED, mask=mask_png((100, 100)))


# ---------------------------------------------------------------------------- preference lists


def test_a_preference_list_mixes_dedicated_and_composition_models(router: tryon.Router,
                                                                  composed: FakeGenerator) -> None:
    result = router.try_on(PERSON, SHIRT, category="shoes", model=[DEDICATED, COMPOSED])
    assert result.model == COMPOSED
    assert [s.model for s in result.skipped] == [DEDICATED]
    assert "does not take garments of category 'shoes'" in result.skipped[0].reason
    first = router.try_on(PERSON, SHIRT, category="top", model=[DEDICATED, COMPOSED])
    assert first.model == DEDICATED


def test_a_list_no_model_can_serve_says_why_for_each(router: tryon.Router) -> None:
    with pytest.raises(NoModelAvailableError) as info:
        router.try_on(PERSON, SHIRT, model=[PLAIN, DEDICATED], mode="quality", prompt="x")
    assert [s.model for s in info.value.skipped] == [PLAIN, DEDICATED]


# ---------------------------------------------------------------------------- composition


def test_composition_sends_the_person_first_then_each_garment_with_the_rendered_prompt(
        router: tryon.Router, composed: FakeGenerator) -> None:
    router.try_on(PERSON, [Garment(SHIRT, "top"), Garment(JEANS, "trousers")], model=COMPOSED,
                  prompt="Tuck the shirt in.", garment_photo_type="worn", mask=mask_png(), input_fidelity="high")
    [edit] = composed.requests
    assert isinstance(edit, tryon.EditRequest)
    assert [img.to_pil().getpixel((100, 100)) for img in edit.images] == [(180, 90, 40), (20, 60, 200), (10, 10, 90)]
    assert edit.prompt.startswith("Virtual try-on. Image 1 shows the person. Image 2 shows a top (an upper-body "
                                  "garment), worn by another person")
    assert "Image 3 shows a pair of long trousers" in edit.prompt
    assert "wearing the top from image 2 and the trousers from image 3" in edit.prompt
    assert edit.prompt.endswith("Tuck the shirt in.")
    assert edit.mask is not None and edit.input_fidelity == "high"


def test_the_template_is_overridable_per_call_and_per_model(router: tryon.Router, composed: FakeGenerator) -> None:
    router.try_on(PERSON, SHIRT, category="top", model=COMPOSED,
                  prompt_template="Put {items} on the person in {person}. {prompt}", prompt="Studio light.")
    assert composed.requests[-1].prompt == "Put the top from image 2 on the person in image 1. Studio light."
    own = with_composition(FAKE_CAPABILITIES, composition=Composition(template="Wear: {garments}",
                                                                      garment_line="[{number}:{name}]"))
    router.register(FakeGenerator("fake-own", capabilities=own))
    router.try_on(PERSON, [SHIRT, Garment(JEANS, "one-piece")], model="fake-own")
    assert router.get("fake-own").requests[-1].prompt == "Wear: [2:garment] [3:one-piece garment]"  # type: ignore


def test_the_rendered_prompt_is_checked_against_the_models_prompt_limit(router: tryon.Router) -> None:
    short = with_composition(attrs.evolve(FAKE_CAPABILITIES, max_prompt_length=300))
    router.register(FakeGenerator("fake-short", capabilities=short))
    error = refusal(router, "fake-short", [SHIRT, JEANS])
    assert "once the try-on prompt is rendered" in str(error)
    assert len(router.try_on(PERSON, SHIRT, model="fake-short",
                             prompt_template="{person} wears {items}.").images) == 1


def test_composition_garments_are_bounded_by_the_edit_inputs(router: tryon.Router) -> None:
    error = refusal(router, COMPOSED, [SHIRT] * 4)  # 4 input images: the person and 3 garments
    assert "takes at most 3 garments per try-on (got 4)" in str(error)


def test_render_and_as_edit_keep_the_common_options() -> None:
    declared = TryOnCapabilities.by_composition(4, mask=True)
    request = TryOnRequest(person="p.png", garments=["a.png"], n=3, seed=5, output_format="jpg", size="1024x1536",
                           quality="high", moderation="low", options={"user": "u1"})
    edit = as_edit(request, declared)
    assert (edit.n, edit.seed, edit.output_format, edit.size, edit.quality, edit.moderation) == (
        3, 5, "jpeg", "1024x1536", "high", "low")
    assert edit.images == ("p.png", "a.png") and edit.options == {"user": "u1"}
    assert "Image 2 shows a garment." in render(request, declared)
    assert template_problem("{items} {person!r}") is not None and template_problem("{items}") is None


# ---------------------------------------------------------------------------- fan-out, estimates, budgets


def test_n_fans_out_over_calls_of_at_most_the_models_images_per_call(router: tryon.Router,
                                                                      dedicated: FakeTryOnGenerator) -> None:
    result = router.try_on(PERSON, SHIRT, model=DEDICATED, n=7, seed=10)
    assert len(result.images) == 7 and [img.index for img in result.images] == list(range(7))
    assert sorted((r.n, r.seed) for r in dedicated.requests) == [(3, 11), (4, 10)]
    assert any(n.code == "seed-varied" for n in result.warnings)
    assert result.cost_usd == pytest.approx(0.35)


def test_async_try_on_fans_out_too(router: tryon.Router, dedicated: FakeTryOnGenerator) -> None:
    result = asyncio.run(router.atry_on(PERSON, SHIRT, model=DEDICATED, n=6))
    assert len(result.images) == 6 and sorted(r.n for r in dedicated.requests) == [2, 4]
    composed = asyncio.run(router.atry_on(PERSON, SHIRT, model=COMPOSED, category="top"))
    assert composed.model == COMPOSED


def test_estimates_and_budgets_apply_before_any_call(router: tryon.Router, dedicated: FakeTryOnGenerator) -> None:
    estimate = router.estimate_try_on(PERSON, SHIRT, model=DEDICATED, n=6)
    assert estimate.usd == pytest.approx(0.30) and estimate.n == 6
    with pytest.raises(BudgetExceededError):
        router.try_on(PERSON, SHIRT, model=DEDICATED, n=6, max_cost=0.10)
    assert dedicated.requests == []
    cheaper = router.try_on(PERSON, SHIRT, model=[DEDICATED, COMPOSED], n=2, max_cost=0.05)
    assert cheaper.model == COMPOSED and "over budget" in cheaper.skipped[0].reason


def test_a_composition_estimate_is_the_estimate_of_the_edit_that_serves_it() -> None:
    from tryon_openai import MODELS, OpenAIImageGenerator

    r = tryon.Router(plugins=False)
    r.register(OpenAIImageGenerator("gpt-image-1.5", MODELS["gpt-image-1.5"]))
    garments = [Garment(SHIRT, "top"), Garment(JEANS, "bottom")]
    est = r.estimate_try_on(PERSON, garments, model="gpt-image-1.5", quality="high", size="1024x1536")
    declared = MODELS["gpt-image-1.5"].try_on
    assert declared is not None
    prompt = render(TryOnRequest(person=PERSON, garments=garments), declared)
    edit = r.estimate(prompt, model="gpt-image-1.5", images=[PERSON, SHIRT, JEANS], quality="high",
                      size="1024x1536")
    assert est.usd == edit.usd and est.usd is not None and est.usd > 0


def test_tryon_level_functions_use_the_default_router(router: tryon.Router) -> None:
    tryon.reset_default_router(router)
    try:
        assert tryon.try_on(PERSON, SHIRT, model=DEDICATED).model == DEDICATED
        assert asyncio.run(tryon.atry_on(PERSON, SHIRT, model=COMPOSED)).model == COMPOSED
        assert tryon.estimate_try_on(PERSON, SHIRT, model=DEDICATED).usd == pytest.approx(0.05)
        assert router.explain_try_on(DEDICATED, category="bag") and router.explain_try_on(COMPOSED) == []
        assert tryon.explain_try_on(DEDICATED, mode="quality") == [] and tryon.explain_try_on(COMPOSED, mode="quality")
        assert {m.model for m in tryon.models(supports="try_on")} == {DEDICATED, COMPOSED}
    finally:
        tryon.reset_default_router()


# ---------------------------------------------------------------------------- results and registration


class _ShortAnswer(FakeTryOnGenerator):
    def try_on(self, request: TryOnRequest) -> Generation:
        result = super().try_on(request)
        return attrs.evolve(result, images=result.images[:1])


def test_results_are_checked_like_other_operations(router: tryon.Router) -> None:
    router.register(_ShortAnswer("fake-short-answer"))
    with pytest.raises(tryon.PartialResultError) as info:
        router.try_on(PERSON, SHIRT, model="fake-short-answer", n=3)
    assert isinstance(info.value.errors[0], InvalidResponseError)
    assert "asked for 3 image(s), the answer holds 1" in str(info.value.errors[0])
    assert len(info.value.generation.images) == 1


class _OnlyTryOn:
    model_id, provider, capabilities = "only-try-on", "fake", FAKE_TRY_ON_CAPABILITIES

    def try_on(self, request: TryOnRequest) -> Generation:
        raise AssertionError("not called")


class _NoTryOn:
    model_id, provider, capabilities = "no-try-on", "fake", FAKE_TRY_ON_CAPABILITIES


def test_a_try_on_only_generator_needs_only_try_on() -> None:
    r = tryon.Router(plugins=False)
    r.register(_OnlyTryOn())  # type: ignore[arg-type]
    with pytest.raises(PluginError, match="has no try_on method"):
        r.register(_NoTryOn())  # type: ignore[arg-type]
    assert isinstance(_OnlyTryOn(), tryon.TryOnGenerator)


@pytest.mark.parametrize(("changes", "needle"), [
    ({"operations": {Operation.TRY_ON}}, "go together"),
    ({"try_on": FAKE_TRY_ON_CAPABILITIES.try_on}, "go together"),
    ({"operations": {Operation.GENERATE, Operation.TRY_ON},
      "try_on": TryOnCapabilities.by_composition(4)}, "needs Operation.EDIT"),
    ({"operations": {Operation.EDIT, Operation.TRY_ON}, "max_input_images": 2,
      "try_on": TryOnCapabilities.by_composition(4)}, "needs max_input_images >= 4"),
])
def test_inconsistent_declarations_are_refused(changes: dict[str, Any], needle: str) -> None:
    base: dict[str, Any] = {"operations": {Operation.EDIT}, "max_input_images": 4}
    with pytest.raises(ValueError, match=needle):
        Capabilities(**{**base, **changes})


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"categories": {"tops": "tops"}}, "not tryon's"),
    ({"categories": {"top": ""}}, "non-empty string"),
    ({"categories": {}}, "takes some categories"),
    ({"categories": {"top": "t"}, "max_garments": 0}, "max_garments"),
    ({"categories": {"top": "t"}, "mask_modes": {"painted"}}, "subset of auto, image, prompt"),
    ({"categories": {"top": "t"}, "modes": {"fast": "f"}}, "not tryon's"),
    ({"categories": {"top": "t"}, "prompt": "maybe"}, "prompt"),
])
def test_try_on_declarations_are_validated(kwargs: dict[str, Any], needle: str) -> None:
    with pytest.raises((ValueError, TypeError), match=needle):
        TryOnCapabilities(**kwargs)


def test_categories_fall_back_to_their_parent() -> None:
    declared = TryOnCapabilities(categories={"top": "UPPER_BODY", "long-sleeve-top": "LONG_SLEEVE_SHIRT"})
    assert declared.category_word("long-sleeve-top") == "LONG_SLEEVE_SHIRT"
    assert declared.category_word("sleeveless-top") == "UPPER_BODY"
    assert declared.category_word("skirt") is None and not declared.takes_category("skirt")
    assert not declared.takes_category(None)
    assert set(tryon.CATEGORIES) >= {"top", "bottom", "one-piece", "outerwear", "footwear", "accessory"}


def test_a_user_prompt_over_the_limit_is_reported_once(router: tryon.Router) -> None:
    error = refusal(router, COMPOSED, prompt="x" * 5000)
    assert [p.option for p in error.problems] == ["prompt"]


# ---------------------------------------------------------------------------- review fixes (#14)


def test_a_prompt_the_template_would_drop_is_refused(router: tryon.Router, composed: FakeGenerator) -> None:
    with pytest.raises(InvalidOptionError, match=r"no \{prompt\} field, so prompt= would be dropped"):
        router.try_on(PERSON, SHIRT, model=COMPOSED, prompt="Studio light.", prompt_template="{person} wears {items}.")
    own = with_composition(FAKE_CAPABILITIES, composition=Composition(template="Wear: {garments}"))
    router.register(FakeGenerator("fake-own", capabilities=own))
    error = refusal(router, "fake-own", SHIRT, prompt="Studio light.")
    [problem] = [p for p in error.problems if p.option == "prompt"]
    assert "template without {prompt}" in problem.message and list(problem.supported_by) == [COMPOSED]
    assert composed.requests == []


def test_a_long_try_on_prompt_suggests_only_models_that_take_a_prompt(router: tryon.Router) -> None:
    short = with_composition(attrs.evolve(FAKE_CAPABILITIES, max_prompt_length=300))
    router.register(FakeGenerator("fake-short", capabilities=short))
    error = refusal(router, "fake-short", SHIRT, prompt="x" * 350)  # the dedicated fake forbids prompts
    [problem] = [p for p in error.problems if p.option == "prompt"]
    assert list(problem.supported_by) == [COMPOSED]
    capped = attrs.evolve(FAKE_TRY_ON_CAPABILITIES, max_prompt_length=10,
                          try_on=attrs.evolve(FAKE_TRY_ON_CAPABILITIES.try_on, prompt="optional"))
    router.register(FakeTryOnGenerator("fake-capped", capabilities=capped))
    error = refusal(router, "fake-capped", SHIRT, prompt="x" * 50)
    [problem] = [p for p in error.problems if p.option == "prompt"]
    assert DEDICATED not in problem.supported_by and COMPOSED in problem.supported_by


def test_composed_edit_limits_are_reported_with_the_other_problems(router: tryon.Router) -> None:
    short = with_composition(attrs.evolve(FAKE_CAPABILITIES, max_prompt_length=300))
    router.register(FakeGenerator("fake-short", capabilities=short))
    error = refusal(router, "fake-short", [SHIRT, JEANS], mode="quality")
    assert {"mode", "prompt"} <= {p.option for p in error.problems}


def test_a_list_every_model_refuses_is_a_value_error(router: tryon.Router) -> None:
    with pytest.raises(ValueError) as info:
        router.try_on(PERSON, SHIRT, model=[PLAIN, DEDICATED], mode="quality", prompt="x")
    assert isinstance(info.value, NoModelAvailableError) and isinstance(info.value, tryon.NoModelFitsError)
    with pytest.raises(tryon.NoModelFitsError):
        router.edit(PERSON, "x", model=[DEDICATED, PLAIN], colour="red")


def test_the_mask_prompt_refusal_names_the_alternative(router: tryon.Router) -> None:
    error = refusal(router, DEDICATED, SHIRT, mask_prompt="the shirt")
    [problem] = [p for p in error.problems if p.option == "mask_prompt"]
    assert "use mask=... (an image, black = change) or leave mask_prompt unset" in problem.message


def test_a_mode_priced_table_names_mode_in_its_basis() -> None:
    from tryon.pricing import PerImage

    _, notes, _ = PerImage(by="mode", table={"quality": {None: 2.0}, "speed": {None: 1.0}}).per_image(None, None)
    assert notes == ["mode unset priced as quality"]


def test_a_mask_of_another_size_names_the_person(router: tryon.Router) -> None:
    with pytest.raises(InvalidInputError, match="but the person") as info:
        router.try_on(PERSON, SHIRT, model=DEDICATED, mask=mask_png((100, 100)))
    assert "first image" not in str(info.value)

"""The router: resolution, validation before any call, lenient mode, queries, fallback, fan-out."""

from __future__ import annotations

import warnings

import attrs
import pytest

import tryon
from tryon import Capabilities, Lifecycle, Operation, Rule, SizeRule, Sizes
from tryon.errors import (
    InvalidOptionError,
    NoModelAvailableError,
    PartialResultError,
    PluginError,
    ServiceUnavailableError,
    UnknownModelError,
    UnsupportedOptionError,
)
from tryon.testing.fake import FAKE_CAPABILITIES, FakeGenerator

PLAIN = Capabilities(
    operations={Operation.GENERATE, Operation.EDIT},
    max_input_images=2,
    sizes=Sizes.fixed("1024x1024", "1536x1024"),
    qualities={"standard"},
    output_formats={"jpeg"},
)
RATIOS = Capabilities(
    sizes=Sizes.ratios("1:1", "16:9", "9:16"), aspect_ratios={"1:1", "16:9", "9:16"}, output_formats={"png"},
)


@pytest.fixture
def fake() -> FakeGenerator:
    return FakeGenerator("fake-pro")


@pytest.fixture
def r(fake: FakeGenerator) -> tryon.Router:
    router = tryon.Router(plugins=False)
    router.register(fake, aliases=["fp"])
    router.register(FakeGenerator("plain-1", provider="plainco", capabilities=PLAIN))
    router.register(FakeGenerator("ratio-1", provider="ratioco", capabilities=RATIOS))
    return router


def test_resolves_ids_aliases_and_provider_prefix(r: tryon.Router) -> None:
    assert r.resolve_name("fake-pro") == "fake-pro"
    assert r.resolve_name("FAKE-PRO") == "fake-pro"
    assert r.resolve_name("fp") == "fake-pro"
    assert r.resolve_name("fake/fake-pro") == "fake-pro"
    assert r.resolve_name("fake/fp") == "fake-pro"
    assert "plainco/plain-1" in r


def test_unknown_model_lists_close_matches(r: tryon.Router) -> None:
    with pytest.raises(UnknownModelError) as err:
        r.generate("x", model="fake-prp")
    assert isinstance(err.value, ValueError)
    assert "fake-pro" in str(err.value) and "did you mean" in str(err.value)
    with pytest.raises(UnknownModelError, match="known models"):
        r.resolve_name("zzzzzzzz")


def test_duplicate_registration_is_refused(r: tryon.Router) -> None:
    with pytest.raises(PluginError, match="already registered"):
        r.register(FakeGenerator("fake-pro"))


def test_non_generator_is_refused() -> None:
    with pytest.raises(PluginError, match="ImageGenerator protocol"):
        tryon.Router(plugins=False).register(object())  # type: ignore[arg-type]


def test_unsupported_option_names_option_value_model_and_supporters(r: tryon.Router) -> None:
    plain = r.get("plain-1")
    with pytest.raises(UnsupportedOptionError) as err:
        r.generate("a cat", model="plain-1", background="transparent")
    message = str(err.value)
    assert isinstance(err.value, ValueError)
    assert "plain-1 does not support background='transparent'" in message
    assert "models that do: fake-pro" in message
    assert plain.requests == []  # nothing was sent


def test_all_problems_are_reported_together(r: tryon.Router) -> None:
    with pytest.raises(UnsupportedOptionError) as err:
        r.edit(["a.png", "b.png", "c.png"], "x", model="plain-1", background="transparent", quality="high",
               size="512x512", mask="m.png", seed=3, input_fidelity="high")
    options = set(err.value.options)
    assert {"background", "quality", "size", "images", "mask", "seed", "input_fidelity"} <= options
    assert "7 problems" in str(err.value)


def test_invalid_values_are_invalid_option_errors() -> None:
    r = tryon.Router(plugins=False)
    r.register(FakeGenerator())
    for bad in ({"n": 0}, {"n": "3"}, {"output_compression": 101}, {"size": "big"}, {"background": "white"},
                {"seed": -1}, {"aspect_ratio": "wide"}, {"size": "0x100"}):
        with pytest.raises(InvalidOptionError) as err:
            r.generate("x", model="fake-image-1", **bad)  # type: ignore[arg-type]
        assert next(iter(bad)) in str(err.value)
    with pytest.raises(InvalidOptionError, match="prompt is empty"):
        r.generate("   ", model="fake-image-1")


def test_mask_on_generate_is_refused_with_hint(r: tryon.Router) -> None:
    with pytest.raises(InvalidOptionError, match="edits only"):
        r.generate("x", model="fake-pro", mask="m.png")


def test_cross_option_rules_are_data() -> None:
    caps = attrs.evolve(FAKE_CAPABILITIES, rules=(
        Rule.requires("background", "transparent", "output_format", {"png", "webp"}, "transparent needs png/webp"),
        Rule.requires("output_compression", None, "output_format", {"jpeg", "webp"}, "jpeg/webp only"),
    ), defaults={"output_format": "png"})
    r = tryon.Router(plugins=False)
    r.register(FakeGenerator("ruled", capabilities=caps))
    with pytest.raises(UnsupportedOptionError, match="transparent needs png/webp"):
        r.generate("x", model="ruled", background="transparent", output_format="jpeg")
    # output_compression with the default format (png) breaks the rule too
    with pytest.raises(UnsupportedOptionError, match="jpeg/webp only"):
        r.generate("x", model="ruled", output_compression=50)
    assert len(r.generate("x", model="ruled", output_compression=50, output_format="webp").images) == 1
    # lenient: the format is switched, and the change is recorded
    gen = r.generate("x", model="ruled", background="transparent", output_format="jpeg", strict=False)
    assert gen.images[0].media_type == "image/png"
    assert any(w.option == "output_format" and w.applied == "png" for w in gen.warnings)


def test_lenient_mode_adapts_and_records_warnings(r: tryon.Router) -> None:
    plain = r.get("plain-1")
    gen = r.generate("x", model="plain-1", strict=False, background="transparent", size="1500x1000",
                     quality="high", output_format="png")
    sent = plain.requests[-1]  # type: ignore[attr-defined]
    assert sent.background is None and sent.quality is None
    assert sent.size == "1536x1024" and sent.output_format == "jpeg"
    codes = {(w.code, w.option) for w in gen.warnings}
    assert ("option-dropped", "background") in codes
    assert ("size-adjusted", "size") in codes
    assert ("option-adjusted", "output_format") in codes


def test_ratio_models_take_exact_sizes_and_lenient_picks_nearest_ratio(r: tryon.Router) -> None:
    assert r.explain("ratio-1", size="1920x1080") == []
    problems = r.explain("ratio-1", size="1000x700")
    assert problems and "size='1000x700'" in problems[0]
    gen = r.generate("x", model="ratio-1", size="1000x700", strict=False)
    sent = r.get("ratio-1").requests[-1]  # type: ignore[attr-defined]
    assert sent.size is None and sent.aspect_ratio == "16:9"
    assert gen.warnings[0].code == "size-adjusted"


def test_arbitrary_size_rule() -> None:
    rule = Sizes.any(SizeRule(multiple_of=16, max_long_edge=3840, max_short_edge=2160,
                              min_aspect=1 / 3, max_aspect=3), auto=True)
    assert rule.accepts("3840x2160") and rule.accepts("auto") and rule.accepts("1536x864")
    assert "multiples of 16" in (rule.check("1000x1000") or "")
    assert "aspect ratio" in (rule.check("3200x1024") or "")
    assert "long edge" in (rule.check("4096x2048") or "")
    assert rule.nearest("4000x2250") == "3840x2160"


def test_provider_options_are_typed_and_validated() -> None:
    @attrs.frozen(kw_only=True)
    class Opts:
        steps: int = attrs.field(default=28, validator=[attrs.validators.instance_of(int),
                                                         attrs.validators.and_(attrs.validators.ge(1),
                                                                               attrs.validators.le(50))])

    r = tryon.Router(plugins=False)
    fake = FakeGenerator("stepper", capabilities=attrs.evolve(FAKE_CAPABILITIES, provider_options=Opts))
    r.register(fake)
    r.register(FakeGenerator("plain"))
    r.generate("x", model="stepper", steps=30)
    assert fake.requests[-1].options == Opts(steps=30)
    with pytest.raises(InvalidOptionError, match="stepper"):
        r.generate("x", model="stepper", steps=99)
    with pytest.raises(UnsupportedOptionError) as err:
        r.generate("x", model="plain", steps=30)
    assert "does not support option 'steps'" in str(err.value) and "stepper" in str(err.value)


def test_models_query_and_explain(r: tryon.Router) -> None:
    names = [m.model for m in r.models(supports={"transparent_background", "mask"})]
    assert names == ["fake-pro"]
    assert {m.model for m in r.models(supports="edit")} == {"fake-pro", "plain-1"}
    assert [m.model for m in r.models(provider="ratioco")] == ["ratio-1"]
    with pytest.raises(InvalidOptionError, match="unknown feature"):
        r.models(supports={"teleport"})
    why = r.explain("plain-1", mask="mask.png", background="transparent")
    assert len(why) == 2 and any("mask" in w for w in why)
    assert r.explain("fake-pro", mask="mask.png", background="transparent") == []


def test_estimate_before_any_call(r: tryon.Router, fake: FakeGenerator) -> None:
    est = r.estimate("x", model="fake-pro", n=3)
    assert est.usd == pytest.approx(0.03) and est.n == 3
    assert fake.requests == []


def test_fan_out_splits_n_and_merges_in_order(r: tryon.Router, fake: FakeGenerator) -> None:
    gen = r.generate("x", model="fake-pro", n=10, size="256x256")
    assert sorted(req.n for req in fake.requests) == [2, 4, 4]
    assert len(gen.images) == 10 and [i.index for i in gen.images] == list(range(10))
    assert gen.cost_usd == pytest.approx(0.10)
    assert gen.usage is not None and gen.usage.output_tokens == 1000


def test_partial_failure_keeps_finished_images(r: tryon.Router, fake: FakeGenerator) -> None:
    fake.fail_next(ServiceUnavailableError("down", provider="fake"))
    with pytest.raises(PartialResultError) as err:
        r.generate("x", model="fake-pro", n=12, size="256x256")
    assert len(err.value.generation.images) == 8
    assert isinstance(err.value.errors[0], ServiceUnavailableError)


def test_preference_list_skips_and_falls_through(r: tryon.Router, fake: FakeGenerator) -> None:
    gen = r.generate("x", model=["plain-1", "fake-pro"], background="transparent")
    assert gen.model == "fake-pro"
    assert gen.skipped[0].model == "plain-1" and "background" in gen.skipped[0].reason
    fake.fail_next(ServiceUnavailableError("overloaded", provider="fake"))
    gen = r.generate("x", model=["fake-pro", "plain-1"])
    assert gen.model == "plain-1" and "overloaded" in gen.skipped[0].reason
    with pytest.raises(NoModelAvailableError) as err:
        r.generate("x", model=["plain-1", "ratio-1"], background="transparent")
    assert len(err.value.skipped) == 2


def test_retired_model_is_refused_before_sending_and_warns_once_when_allowed() -> None:
    caps = attrs.evolve(FAKE_CAPABILITIES, lifecycle=Lifecycle(status="retired", successors=("new-1",)))
    r = tryon.Router(plugins=False)
    fake = FakeGenerator("old-unique-1", capabilities=caps)
    r.register(fake)
    with pytest.raises(tryon.ModelRetiredError, match="new-1"):
        r.generate("x", model="old-unique-1")
    assert fake.requests == []
    with pytest.warns(tryon.RetiredModelWarning, match="new-1"):
        gen = r.generate("x", model="old-unique-1", allow_retired=True)
    assert gen.warnings[0].code == "model-retired"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r.generate("x", model="old-unique-1", allow_retired=True)  # no second warning


def test_results_carry_metadata_for_sidecars(r: tryon.Router) -> None:
    gen = r.generate("a red hat", model="fake-pro", size="256x256", quality="high")
    image = gen.images[0]
    assert (image.width, image.height, image.media_type) == (256, 256, "image/png")
    side = image.sidecar()
    assert side["prompt"] == "a red hat" and side["model"] == "fake-pro"
    assert side["options"]["quality"] == "high"
    assert gen.elapsed_s is not None and gen.provider == "fake"


def test_stream_yields_partials_then_result(r: tryon.Router) -> None:
    events = list(r.stream("x", model="fake-pro", partial_images=2))
    assert [type(e).__name__ for e in events] == ["PartialImage", "PartialImage", "Generation"]
    with pytest.raises(UnsupportedOptionError, match="streaming"):
        list(r.stream("x", model="plain-1"))


async def test_async_uses_threads_for_sync_plugins(r: tryon.Router, fake: FakeGenerator) -> None:
    gen = await r.agenerate("x", model="fake-pro", n=6, size="256x256")
    assert len(gen.images) == 6 and len(fake.requests) == 2


def test_top_level_api_uses_default_router(fake_generator: FakeGenerator) -> None:
    gen = tryon.generate("x", model="fake-image-1", size="256x256")
    assert gen.model == "fake-image-1" and fake_generator.requests
    assert tryon.models(supports="mask")[0].model == "fake-image-1"
    assert tryon.explain("fake-image-1", seed=3) == []


def test_preference_list_skips_models_without_a_key_or_that_cannot_take_the_inputs(
        r: tryon.Router, fake: FakeGenerator) -> None:
    from tryon.errors import InvalidInputError, MissingCredentialsError
    from tryon.media.limits import InputLimits

    fake.fail_next(MissingCredentialsError("fake", ["FAKE_API_KEY"]))
    gen = r.generate("x", model=["fake-pro", "plain-1"])
    assert gen.model == "plain-1" and gen.skipped[0].reason.startswith("no API key")

    small = attrs.evolve(FAKE_CAPABILITIES, inputs=InputLimits(max_bytes=100))
    r.register(FakeGenerator("small-inputs", capabilities=small))
    image = FakeGenerator()._images(tryon.GenerateRequest(prompt="x", size="64x64"))[0].data
    gen = r.edit(image, "x", model=["small-inputs", "fake-pro"])
    assert gen.model == "fake-pro" and "cannot take the inputs" in gen.skipped[0].reason
    # an input no model can read is the input's error, not "no model available"
    with pytest.raises(InvalidInputError, match="no such file"):
        r.edit("missing-file.png", "x", model=["small-inputs", "fake-pro"])


def test_oversize_inputs_are_downscaled_with_a_warning_or_refused_in_strict_mode(r: tryon.Router) -> None:
    import io

    from PIL import Image

    from tryon.errors import InvalidInputError
    from tryon.media.limits import InputLimits

    caps = attrs.evolve(FAKE_CAPABILITIES, inputs=InputLimits(max_edge=512))
    limited = FakeGenerator("limited-inputs", capabilities=caps)
    r.register(limited)
    buf = io.BytesIO()
    Image.new("RGB", (2048, 1024), "green").save(buf, "PNG")
    with pytest.raises(InvalidInputError, match="512"):
        r.edit(buf.getvalue(), "x", model="limited-inputs")
    assert limited.requests == []
    gen = r.edit(buf.getvalue(), "x", model="limited-inputs", strict=False)
    sent = limited.requests[-1].images[0]  # type: ignore[attr-defined]
    assert (sent.width, sent.height) == (512, 256)
    assert any(w.code == "image-downscaled" for w in gen.warnings)


def test_fanned_out_calls_get_distinct_seeds(r: tryon.Router, fake: FakeGenerator) -> None:
    gen = r.generate("x", model="fake-pro", n=10, seed=5, size="64x64")
    assert sorted(req.seed for req in fake.requests) == [5, 6, 7]
    notice = next(w for w in gen.warnings if w.code == "seed-varied")
    assert notice.original == 5 and notice.applied == (5, 6, 7)
    r.generate("x", model="fake-pro", n=3, seed=9, size="64x64")  # one call: the seed as given
    assert fake.requests[-1].seed == 9


def test_on_part_receives_each_call_as_it_arrives(r: tryon.Router, fake: FakeGenerator) -> None:
    parts: list[tryon.Generation] = []
    fake.fail_next(ServiceUnavailableError("down", provider="fake"))
    with pytest.raises(PartialResultError) as err:
        r.generate("x", model="fake-pro", n=12, size="64x64", on_part=parts.append)
    assert sorted(len(p.images) for p in parts) == [4, 4]  # the two calls that succeeded, before the error
    assert len(err.value.generation.images) == 8


def test_settings_for_an_unknown_provider_are_refused(r: tryon.Router) -> None:
    with pytest.raises(InvalidOptionError, match="did you mean 'fake'"):
        r.configure("fkae", api_key="x")
    with pytest.raises(InvalidOptionError, match="known providers: bedrock, bfl, fal, gemini, openai"):
        tryon.Router(settings={"blf_typo_x": {"api_key": "x"}})


def test_streaming_takes_one_model(r: tryon.Router) -> None:
    with pytest.raises(InvalidOptionError, match="streaming takes one model"):
        list(r.stream("x", model=["fake-pro"]))  # type: ignore[arg-type]

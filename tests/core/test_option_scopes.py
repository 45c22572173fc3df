"""Required options, options of one operation, rules that do not read defaults, seed ranges."""

from __future__ import annotations

import io
from typing import Any

import attrs
import pytest

import tryon
from tryon.capabilities import Capabilities, Operation
from tryon.fanout import call_seed
from tryon.testing.fake import FAKE_CAPABILITIES, FakeGenerator

SEEDS = (0, 4294967294)


@attrs.frozen(kw_only=True)
class SD3Options:
    strength: float | None = None
    negative_prompt: str | None = None


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (9, 9, 9)).save(buf, "PNG")
    return buf.getvalue()


def _router(**changes: Any) -> tuple[tryon.Router, FakeGenerator]:
    caps = attrs.evolve(FAKE_CAPABILITIES, **changes)
    fake = FakeGenerator("sd3", capabilities=caps)
    router = tryon.Router(plugins=False)
    router.register(fake)
    return router, fake


STABILITY_LIKE: dict[str, Any] = dict(
    provider_options=SD3Options,
    sizes=tryon.Sizes.ratios("1:1", "16:9", "9:16"), aspect_ratios={"1:1", "16:9", "9:16"},
    defaults={"aspect_ratio": "1:1", "output_format": "png"},
    required_options={"strength": {"edit"}},
    operation_options={"strength": {"edit"}, "aspect_ratio": {"generate"}},
)


# --------------------------------------------------------------------------- required options


def test_a_required_option_missing_from_an_edit_is_refused_before_sending() -> None:
    router, fake = _router(**STABILITY_LIKE)
    with pytest.raises(tryon.UnsupportedOptionError) as err:
        router.edit([_png()], "make it blue", model="sd3")
    assert "strength" in err.value.options
    assert "sd3 needs option strength for edits; pass options={'strength': ...}" in str(err.value)
    assert isinstance(err.value, ValueError) and fake.requests == []
    result = router.edit([_png()], "make it blue", model="sd3", options={"strength": 0.4})
    assert len(result.images) == 1 and fake.requests[-1].options.strength == 0.4
    # generation does not need it
    assert len(router.generate("a fox", model="sd3").images) == 1


def test_a_required_option_the_lenient_mode_cannot_invent_is_still_refused() -> None:
    router, fake = _router(**STABILITY_LIKE)
    with pytest.raises(tryon.UnsupportedOptionError, match="strength"):
        router.edit([_png()], "x", model="sd3", strict=False)
    assert fake.requests == []


def test_a_required_request_option_says_how_to_pass_it() -> None:
    router, _ = _router(required_options={"aspect_ratio"}, sizes=tryon.Sizes.ratios("1:1"), aspect_ratios={"1:1"})
    with pytest.raises(tryon.UnsupportedOptionError, match=r"needs option aspect_ratio for text-to-image "
                                                           r"requests; pass aspect_ratio=\.\.\."):
        router.generate("a fox", model="sd3")
    assert router.generate("a fox", model="sd3", aspect_ratio="1:1").images


def test_the_error_names_the_models_that_do_not_need_it() -> None:
    router, _ = _router(**STABILITY_LIKE)
    router.register(FakeGenerator("other", capabilities=attrs.evolve(FAKE_CAPABILITIES, provider_options=SD3Options)))
    with pytest.raises(tryon.UnsupportedOptionError) as err:
        router.edit([_png()], "x", model="sd3")
    assert "other" in str(err.value)


# --------------------------------------------------------------------------- one operation only


def test_an_option_for_edits_only_is_refused_in_a_generation_and_dropped_when_lenient() -> None:
    router, fake = _router(**STABILITY_LIKE)
    with pytest.raises(tryon.UnsupportedOptionError) as err:
        router.generate("a fox", model="sd3", options={"strength": 0.5})
    assert "sd3 takes strength for edit only, not for generate requests" in str(err.value)
    assert fake.requests == []
    lenient = router.generate("a fox", model="sd3", options={"strength": 0.5}, strict=False)
    assert fake.requests[-1].options.strength is None
    assert any(n.code == "option-dropped" and n.option == "strength" for n in lenient.warnings)


def test_a_request_option_for_generation_only_is_refused_in_an_edit() -> None:
    router, fake = _router(**STABILITY_LIKE)
    with pytest.raises(tryon.UnsupportedOptionError, match="takes aspect_ratio for generate only"):
        router.edit([_png()], "x", model="sd3", aspect_ratio="16:9", options={"strength": 0.5})
    assert fake.requests == []
    assert router.generate("x", model="sd3", aspect_ratio="16:9").images[0].width == 256


def test_declarations_naming_unknown_options_or_operations_are_refused() -> None:
    with pytest.raises(ValueError, match="neither a request option nor a field of provider_options"):
        attrs.evolve(FAKE_CAPABILITIES, required_options={"strenght": {"edit"}}, provider_options=SD3Options)
    with pytest.raises(ValueError, match="operations the model does not offer"):
        Capabilities(operations={"generate"}, provider_options=SD3Options, required_options={"strength": {"edit"}})
    with pytest.raises(ValueError, match="where operation_options does not allow it"):
        attrs.evolve(FAKE_CAPABILITIES, provider_options=SD3Options, required_options={"strength": {"generate"}},
                     operation_options={"strength": {"edit"}})
    with pytest.raises(ValueError, match="for no operation"):
        attrs.evolve(FAKE_CAPABILITIES, provider_options=SD3Options, operation_options={"strength": []})
    with pytest.raises(TypeError):
        attrs.evolve(FAKE_CAPABILITIES, provider_options=SD3Options, required_options="strength")
    caps = attrs.evolve(FAKE_CAPABILITIES, provider_options=SD3Options, required_options={"options.strength": "edit"})
    assert caps.required_for(Operation.EDIT) == ("options.strength",) and caps.required_for("generate") == ()
    assert caps.allows_option("strength", "generate")
    # a plain collection means every operation of this model (not operations it does not offer)
    only = Capabilities(operations={"generate"}, required_options={"aspect_ratio"}, sizes=tryon.Sizes.ratios("1:1"),
                        aspect_ratios={"1:1"})
    assert dict(only.required_options) == {"aspect_ratio": frozenset({Operation.GENERATE})}
    both = attrs.evolve(FAKE_CAPABILITIES, operation_options={"seed"})
    assert both.operation_options["seed"] == FAKE_CAPABILITIES.operations


# --------------------------------------------------------------------------- rules and defaults


def test_declaring_the_true_default_ratio_does_not_make_a_rule_refuse_image_to_image() -> None:
    # the case: "strength excludes aspect_ratio", with the provider's default 1:1 declared
    rule = tryon.Rule.excludes("options.strength", "aspect_ratio", "image-to-image keeps the input's ratio")
    router, fake = _router(**{**STABILITY_LIKE, "rules": (rule,), "operation_options": {}})
    result = router.edit([_png()], "x", model="sd3", options={"strength": 0.5})
    assert result.images and fake.requests
    with pytest.raises(tryon.UnsupportedOptionError, match=r"cannot combine strength=0\.5 with aspect_ratio='16:9'"):
        router.edit([_png()], "x", model="sd3", options={"strength": 0.5}, aspect_ratio="16:9")


def test_an_unset_trigger_is_not_read_from_the_defaults() -> None:
    rule = tryon.Rule.forbids("output_format", "jpeg", "background", "JPEG has no transparency")
    router, _ = _router(defaults={"output_format": "jpeg"}, rules=(rule,))
    assert router.generate("x", model="sd3", background="opaque", output_format="png").images
    with pytest.raises(tryon.UnsupportedOptionError):
        router.generate("x", model="sd3", background="opaque", output_format="jpeg")
    assert router.generate("x", model="sd3", background="opaque").images  # the default does not trigger it


def test_a_requires_rule_still_reads_the_default_the_provider_applies() -> None:
    rule = tryon.Rule.requires("background", "transparent", "output_format", {"png", "webp"}, "needs alpha")
    router, fake = _router(defaults={"output_format": "jpeg"}, rules=(rule,))
    with pytest.raises(tryon.UnsupportedOptionError, match="output_format='jpeg'"):
        router.generate("x", model="sd3", background="transparent")
    assert fake.requests == []
    router2, _ = _router(defaults={"output_format": "png"}, rules=(rule,))
    assert router2.generate("x", model="sd3", background="transparent").images


# --------------------------------------------------------------------------- seed ranges


def test_a_seed_outside_the_range_is_refused_and_wrapped_when_lenient() -> None:
    router, fake = _router(seed_range=SEEDS)
    for seed in (4294967295, 2**40):
        with pytest.raises(tryon.UnsupportedOptionError, match=r"takes seeds from 0 to 4294967294"):
            router.generate("x", model="sd3", seed=seed)
    assert fake.requests == []
    result = router.generate("x", model="sd3", seed=4294967295, strict=False)
    assert fake.requests[-1].seed == 0
    assert any(n.code == "seed-adjusted" and n.applied == 0 for n in result.warnings)
    assert router.generate("x", model="sd3", seed=4294967294).images


def test_fan_out_seeds_wrap_inside_the_range_and_say_so() -> None:
    router, fake = _router(seed_range=SEEDS, max_images_per_call=1)
    result = router.generate("x", model="sd3", seed=4294967293, n=4)
    seeds = sorted(r.seed for r in fake.requests if r.seed is not None)
    assert seeds == [0, 1, 4294967293, 4294967294]
    notice = next(n for n in result.warnings if n.code == "seed-varied")
    assert notice.applied == (4294967293, 4294967294, 0, 1)
    assert "wrapping around" in notice.message


@pytest.mark.parametrize("low, high, seed, calls", [
    (0, 4294967294, 4294967294, 3), (0, 9, 8, 5), (5, 7, 7, 3), (1, 1, 1, 1), (10, 20, 10, 11),
])
def test_call_seeds_are_distinct_and_in_range(low: int, high: int, seed: int, calls: int) -> None:
    seeds = [call_seed((low, high), seed, i) for i in range(calls)]
    assert seeds[0] == seed and len(set(seeds)) == calls and all(low <= s <= high for s in seeds)


def test_more_calls_than_seeds_is_refused_before_sending() -> None:
    router, fake = _router(seed_range=(0, 2), max_images_per_call=1)
    with pytest.raises(tryon.UnsupportedOptionError, match=r"takes only 3 seeds .* fewer than the 4 calls n=4"):
        router.generate("x", model="sd3", seed=1, n=4)
    assert fake.requests == []
    assert len(router.generate("x", model="sd3", seed=1, n=3).images) == 3
    assert len(router.generate("x", model="sd3", n=4).images) == 4  # no seed, no repetition


def test_without_a_range_fan_out_seeds_count_up() -> None:
    router, fake = _router(max_images_per_call=1)
    router.generate("x", model="sd3", seed=2**40, n=2)
    assert sorted(r.seed for r in fake.requests if r.seed is not None) == [2**40, 2**40 + 1]


def test_seed_range_declarations_are_checked() -> None:
    for bad in ((5, 1), (-1, 3), (0.5, 3), (True, 3)):
        with pytest.raises(ValueError, match="seed_range"):
            attrs.evolve(FAKE_CAPABILITIES, seed_range=bad)
    with pytest.raises(ValueError, match="seed_range needs seed=True"):
        attrs.evolve(FAKE_CAPABILITIES, seed=False, seed_range=(0, 1))
    caps = attrs.evolve(FAKE_CAPABILITIES, seed_range=(3, 9))
    assert caps.accepts_seed(3) and caps.accepts_seed(9) and not caps.accepts_seed(2) and not caps.accepts_seed(10)

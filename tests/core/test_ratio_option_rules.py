"""Issue 13 review: on a model whose sizes are aspect ratios a ``size`` is its ``aspect_ratio``
(operation_options, required_options, rules, advisories); declared defaults are read only where
the option is valid in the request's operation; suggestions name only models that take the option."""

from __future__ import annotations

import io
from typing import Any

import attrs
import pytest

import tryon
from tryon.capabilities import Advisory, Rule
from tryon.testing.fake import FAKE_CAPABILITIES, FakeGenerator

WIDE = "768x432"  # 16:9


@attrs.frozen(kw_only=True)
class SD3Options:
    strength: float | None = None
    style: str | None = None
    raw: bool | None = None


RATIO_ONLY: dict[str, Any] = dict(
    operations={"generate", "edit"}, max_input_images=1,
    provider_options=SD3Options,
    sizes=tryon.Sizes.ratios("1:1", "16:9", "9:16"), aspect_ratios={"1:1", "16:9", "9:16"},
    defaults={"aspect_ratio": "1:1", "output_format": "png"},
    required_options={"strength": {"edit"}},
    operation_options={"strength": {"edit"}, "aspect_ratio": {"generate"}, "raw": {"generate"}},
)
WIDE_STYLE = Rule.requires("options.style", "wide", "aspect_ratio", {"16:9"}, "the wide style is 16:9")


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (9, 9, 9)).save(buf, "PNG")
    return buf.getvalue()


def _router(*models: tuple[str, dict[str, Any]], strict: bool = True) -> tuple[tryon.Router, list[FakeGenerator]]:
    router = tryon.Router(plugins=False, strict=strict)
    fakes = []
    for name, changes in models:
        fake = FakeGenerator(name, capabilities=attrs.evolve(FAKE_CAPABILITIES, **changes))
        router.register(fake)
        fakes.append(fake)
    return router, fakes


def _edit(router: tryon.Router, model: str = "sd3", **options: Any) -> Any:
    provider = {"strength": 0.5, **options.pop("options", {})}
    return router.edit([_png()], "make it blue", model=model, options=provider, **options)


# --------------------------------------------------------------------------- 1. size on a ratio-only edit


def test_an_edit_with_a_size_is_refused_where_aspect_ratio_is_generate_only() -> None:
    router, (fake,) = _router(("sd3", RATIO_ONLY))
    with pytest.raises(tryon.UnsupportedOptionError) as err:
        _edit(router, size=WIDE)
    assert "size" in err.value.options and fake.requests == []
    assert "takes size for generate only, not for edit requests" in str(err.value)
    router.generate("a cat", model="sd3", size=WIDE)  # generations take it


def test_lenient_mode_drops_the_size_of_such_an_edit_with_a_notice() -> None:
    router, (fake,) = _router(("sd3", RATIO_ONLY), strict=False)
    result = _edit(router, size=WIDE)
    assert fake.requests[-1].size is None
    assert any(w.code == "option-dropped" and w.option == "size" for w in result.warnings)


def test_a_pixel_size_model_keeps_its_size_on_edits() -> None:
    router, (fake,) = _router(("px", dict(RATIO_ONLY, sizes=tryon.Sizes.fixed("1024x1024", "768x432"))))
    _edit(router, model="px", size=WIDE)
    assert fake.requests[-1].size == WIDE


# --------------------------------------------------------------------------- 2./3. rules


def test_a_requires_rule_reads_no_default_of_an_option_invalid_in_the_operation() -> None:
    router, (fake,) = _router(("sd3", dict(RATIO_ONLY, rules=(WIDE_STYLE,))))
    _edit(router, options={"style": "wide"})  # edits take no aspect ratio: the 1:1 default does not apply
    assert fake.requests[-1].get("style") == "wide"
    with pytest.raises(tryon.UnsupportedOptionError, match="aspect_ratio='1:1'"):
        router.generate("a cat", model="sd3", options={"style": "wide"})  # generations do get the default


def test_a_requires_rule_reads_the_ratio_given_as_a_size() -> None:
    router, (fake,) = _router(("sd3", dict(RATIO_ONLY, rules=(WIDE_STYLE,))))
    router.generate("a cat", model="sd3", size=WIDE, options={"style": "wide"})
    assert fake.requests[-1].size == WIDE
    with pytest.raises(tryon.UnsupportedOptionError, match="aspect_ratio='1:1'"):
        router.generate("a cat", model="sd3", size="512x512", options={"style": "wide"})


def test_an_excludes_rule_on_the_ratio_drops_the_size_that_gives_it() -> None:
    rule = Rule.excludes("options.style", "aspect_ratio", "the style picks its own ratio")
    router, (fake,) = _router(("sd3", dict(RATIO_ONLY, rules=(rule,))))
    with pytest.raises(tryon.UnsupportedOptionError, match="cannot combine style='wide'"):
        router.generate("a cat", model="sd3", size=WIDE, options={"style": "wide"})
    router.generate("a cat", model="sd3", options={"style": "wide"})  # the 1:1 default is not "set"
    lenient, (fake,) = _router(("sd3", dict(RATIO_ONLY, rules=(rule,))), strict=False)
    lenient.generate("a cat", model="sd3", size=WIDE, options={"style": "wide"})
    assert fake.requests[-1].size is None and fake.requests[-1].get("style") == "wide"


# --------------------------------------------------------------------------- 4. required ratio


def test_a_required_aspect_ratio_is_met_by_a_size() -> None:
    router, _ = _router(("sd3", dict(RATIO_ONLY, required_options={"aspect_ratio": {"generate"},
                                                                       "strength": {"edit"}})))
    router.generate("a cat", model="sd3", size=WIDE)
    with pytest.raises(tryon.UnsupportedOptionError, match="needs option aspect_ratio"):
        router.generate("a cat", model="sd3")


# --------------------------------------------------------------------------- 5. advisories


def test_advisories_read_no_default_invalid_in_the_operation_and_read_sizes_as_ratios() -> None:
    square = Advisory("aspect_ratio", "square-cropped", "square images are cropped", equals={"1:1"})
    router, _ = _router(("sd3", dict(RATIO_ONLY, advisories=(square,))))
    assert not [w for w in _edit(router).warnings if w.code == "square-cropped"]
    assert [w for w in router.generate("a cat", model="sd3").warnings if w.code == "square-cropped"]
    assert not [w for w in router.generate("a cat", model="sd3", size=WIDE).warnings if w.code == "square-cropped"]
    assert [w for w in router.generate("a cat", model="sd3", size="512x512").warnings
            if w.code == "square-cropped"]


# --------------------------------------------------------------------------- 6. requires vs forbids


def test_requires_reads_the_default_forbids_does_not_and_suggestions_enforce_the_same() -> None:
    forbids = Rule.forbids("options.style", "wide", "aspect_ratio", "the wide style sets its own ratio")
    router, _ = _router(("sd3", dict(RATIO_ONLY, rules=(WIDE_STYLE,))),
                        ("no-default", dict(RATIO_ONLY, rules=(WIDE_STYLE,), defaults={"output_format": "png"})),
                        ("wide-default", dict(RATIO_ONLY, rules=(WIDE_STYLE,),
                                              defaults={"aspect_ratio": "16:9", "output_format": "png"})),
                        ("forbidding", dict(RATIO_ONLY, rules=(forbids,))))
    router.generate("a cat", model="forbidding", options={"style": "wide"})  # a default is not sent
    with pytest.raises(tryon.UnsupportedOptionError) as err:
        router.generate("a cat", model="sd3", options={"style": "wide"})
    supporters = err.value.problems[0].supported_by
    assert "wide-default" in supporters and "forbidding" in supporters
    assert "no-default" not in supporters  # it needs the same 16:9 and has no default to meet it


# --------------------------------------------------------------------------- 7. suggestions


def test_suggestions_for_a_provider_option_name_only_models_that_have_the_field() -> None:
    router, _ = _router(("sd3", RATIO_ONLY), ("plain", dict(operations={"generate"}, provider_options=None)),
                        ("takes-strength", dict(RATIO_ONLY, operation_options={}, required_options={})))
    with pytest.raises(tryon.UnsupportedOptionError) as err:
        router.generate("a cat", model="sd3", options={"strength": 0.5})
    problem = next(p for p in err.value.problems if p.option == "strength")
    assert list(problem.supported_by) == ["takes-strength"]


# --------------------------------------------------------------------------- 12. False in the wrong operation


def test_a_false_value_in_the_wrong_operation_is_refused_or_dropped() -> None:
    router, (fake,) = _router(("sd3", RATIO_ONLY))
    with pytest.raises(tryon.UnsupportedOptionError, match="takes raw for generate only"):
        _edit(router, options={"raw": False})
    assert fake.requests == []
    lenient, (fake,) = _router(("sd3", RATIO_ONLY), strict=False)
    result = _edit(lenient, options={"raw": False})
    assert fake.requests[-1].get("raw") is None
    assert any(w.code == "option-dropped" and w.option == "raw" for w in result.warnings)


# --------------------------------------------------------------------------- 13. declaration and forms


def test_aspect_ratios_must_match_the_ratios_of_sizes() -> None:
    with pytest.raises(ValueError, match=r"aspect_ratios .* and the ratios of sizes=Sizes.ratios"):
        tryon.Capabilities(sizes=tryon.Sizes.ratios("1:1", "16:9"), aspect_ratios={"1:1"})
    tryon.Capabilities(sizes=tryon.Sizes.ratios("1:1", "16:9"), aspect_ratios={"16:9", "1:1"})
    tryon.Capabilities(sizes=tryon.Sizes.ratio_between("9:21", "21:9", standard=("1:1",)), aspect_ratios={"1:1"})


def test_a_negative_seed_range_is_refused_at_declaration() -> None:
    with pytest.raises(ValueError, match="0 <= lowest <= highest"):
        tryon.Capabilities(seed=True, seed_range=(-1, 10))


def test_multipart_floats_are_plain_decimals() -> None:
    from tryon.multipart import encode

    raw, _ = encode({"strength": 1e-05, "cfg": 2.0, "big": 1e20})
    assert b"\r\n\r\n0.00001\r\n" in raw and b"\r\n\r\n2.0\r\n" in raw and b"100000000000000000000" in raw
    assert b"e-05" not in raw and b"e+20" not in raw


def test_a_ratio_only_model_serving_a_size_at_its_own_pixels_says_so() -> None:
    from PIL import Image

    from tryon.result_checks import check_result
    from tryon.results import GeneratedImage, Generation

    buf = io.BytesIO()
    Image.new("RGB", (512, 512), (9, 9, 9)).save(buf, "PNG")
    caps = attrs.evolve(FAKE_CAPABILITIES, **{k: v for k, v in RATIO_ONLY.items() if k != "required_options"})
    image = GeneratedImage(data=buf.getvalue(), media_type="image/png", width=512, height=512)
    result = Generation(images=[image], model="sd3", provider="fake")
    checked = check_result(result, tryon.GenerateRequest(prompt="a cat", size="1024x1024"), caps)
    notices = [w for w in checked.warnings if w.code == "size-deviated"]
    assert notices and "512x512, not the 1024x1024 asked for" in notices[0].message
    assert notices[0].original == "1024x1024" and notices[0].applied == "512x512"
    same = check_result(result, tryon.GenerateRequest(prompt="a cat", size="512x512"), caps)
    assert not [w for w in same.warnings if w.code == "size-deviated"]

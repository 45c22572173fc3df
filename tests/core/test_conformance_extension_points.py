"""The conformance kit's documented extension points: sample_options, options_for, call."""

from __future__ import annotations

import attrs
import pytest

import tryon
from tryon.testing.conformance import GeneratorConformance, Requirements, ratio_of
from tryon.testing.fake import FAKE_CAPABILITIES, FakeGenerator


@attrs.frozen(kw_only=True)
class Opts:
    strength: float | None = None
    style: str | None = None


class Kit(GeneratorConformance):
    sample_options = {"m": {"*": {"options": {"style": "a"}, "quality": "low"},
                            "edit": {"options": {"strength": 0.5}, "quality": "high"}}}


def _router() -> tuple[tryon.Router, FakeGenerator]:
    caps = attrs.evolve(FAKE_CAPABILITIES, provider_options=Opts, required_options={"strength": {"edit"}},
                        operation_options={"strength": {"edit"}})
    fake = FakeGenerator("m", capabilities=caps)
    router = tryon.Router(plugins=False)
    router.register(fake)
    return router, fake


def test_options_for_merges_both_operations_and_the_operation() -> None:
    _, fake = _router()
    kit = Kit()
    assert kit.options_for(fake, "generate") == {"options": {"style": "a"}, "quality": "low"}
    assert kit.options_for(fake, "edit") == {"options": {"style": "a", "strength": 0.5}, "quality": "high"}
    assert kit.options_for(FakeGenerator("other"), "edit") == {}


def test_call_adds_the_sample_options_and_the_checks_own_options_win() -> None:
    router, fake = _router()
    kit = Kit()
    kit.call(router, fake, operation="edit", quality="medium", options={"style": "b"})
    sent = fake.requests[-1]
    assert isinstance(sent, tryon.EditRequest) and sent.quality == "medium"
    assert sent.options == Opts(strength=0.5, style="b")
    kit.call(router, fake)
    assert isinstance(fake.requests[-1], tryon.GenerateRequest) and fake.requests[-1].options == Opts(style="a")
    # no sample options: the suite says how to give the required one, instead of failing in every check
    with pytest.raises(pytest.fail.Exception, match=r"m requires 'strength' for edit requests: .*sample_options"):
        GeneratorConformance().call(router, fake, operation="edit")
    assert len(fake.requests) == 2


def test_sample_options_with_unknown_keys_say_what_is_expected() -> None:
    class Typo(GeneratorConformance):
        sample_options = {"m": {"edits": {}}}

    _, fake = _router()
    with pytest.raises(ValueError, match="use 'generate', 'edit' or '\\*'"):
        Typo().options_for(fake, "edit")


def test_requirements_for_ratio_models_and_seed_ranges() -> None:
    caps = attrs.evolve(FAKE_CAPABILITIES, sizes=tryon.Sizes.ratios("1:1", "16:9", "9:21", "4:3"),
                        aspect_ratios={"1:1", "16:9", "9:21", "4:3"}, seed_range=(0, 99))
    req = Requirements(caps, "r")
    assert req.sample_ratios() == ["16:9", "9:21", "1:1"]
    assert req.sample_size() is None
    assert ("seed", {"seed": 100}) in req.unsupported_options()
    shifted = Requirements(attrs.evolve(caps, seed_range=(5, 9)), "r").unsupported_options()
    assert ("seed", {"seed": 4}) in shifted and ("seed", {"seed": 10}) in shifted
    assert Requirements(FAKE_CAPABILITIES, "f").sample_ratios() == []


def test_ratio_of_takes_a_tolerance() -> None:
    assert ratio_of(1344, 768, "16:9", tolerance=0.03) and not ratio_of(1344, 768, "16:9")
    assert ratio_of(1024, 1024, "1:1") and not ratio_of(1024, 1000, "1:1", tolerance=0.01)


def test_size_of_ratio_is_a_size_the_model_accepts() -> None:
    caps = attrs.evolve(FAKE_CAPABILITIES, sizes=tryon.Sizes.ratios("1:1", "21:9"), aspect_ratios={"1:1", "21:9"})
    req = Requirements(caps, "r")
    assert req.size_of_ratio("21:9") == "1561x669"  # exactly 7:3, about a megapixel
    assert req.size_of_ratio("1:1") == "1024x1024"
    assert req.size_of_ratio("4:3") is None  # not a ratio this model takes
    assert req.size_of_ratio("nonsense") is None
    # a pixel rule (multiples of 16): the first multiple of 16 of the ratio near a megapixel
    assert Requirements(FAKE_CAPABILITIES, "f").size_of_ratio("16:9") == "1280x720"


# --------------------------------------------------------------------------- issue 13 review


def _ratio_router(**changes: object) -> tuple[tryon.Router, FakeGenerator]:
    class RejectsSizedEdits(FakeGenerator):
        def edit(self, request: tryon.EditRequest) -> tryon.Generation:
            if request.size is not None:  # the provider: aspect_ratio applies to text-to-image only
                raise tryon.ProviderRequestError("aspect_ratio: only applies to text-to-image", status=400)
            return super().edit(request)

    caps = attrs.evolve(FAKE_CAPABILITIES, operations={"generate", "edit"}, max_input_images=1,
                        provider_options=Opts, sizes=tryon.Sizes.ratios("1:1", "16:9"),
                        aspect_ratios={"1:1", "16:9"}, **changes)
    fake = RejectsSizedEdits("m", capabilities=caps)
    router = tryon.Router(plugins=False)
    router.register(fake)
    return router, fake


class _Requests:
    requests: list[object] = []


def test_the_kit_sends_an_edit_with_a_size_to_ratio_only_models() -> None:
    check = GeneratorConformance().test_an_edit_with_a_size_is_served_or_refused_before_the_network
    router, fake = _ratio_router()  # declares no operation_options: the edit is sent and fails
    with pytest.raises(pytest.fail.Exception, match=r"operation_options=.*'aspect_ratio': .*'generate'"):
        check(router, fake, Requirements(fake.capabilities, "m"), _Requests())
    router, fake = _ratio_router(operation_options={"aspect_ratio": {"generate"}})
    check(router, fake, Requirements(fake.capabilities, "m"), _Requests())  # refused before sending
    assert fake.requests == []


def test_star_sample_options_give_each_operation_only_what_it_takes() -> None:
    class Star(GeneratorConformance):
        sample_options = {"m": {"*": {"aspect_ratio": "16:9", "options": {"style": "a", "strength": 0.5}}}}

    _, fake = _ratio_router(operation_options={"aspect_ratio": {"generate"}, "strength": {"edit"}})
    assert Star().options_for(fake, "generate") == {"aspect_ratio": "16:9", "options": {"style": "a"}}
    assert Star().options_for(fake, "edit") == {"options": {"style": "a", "strength": 0.5}}


def test_the_try_on_helper_is_private_to_the_kit() -> None:
    from tryon.testing.conformance_try_on import TryOnConformance

    assert not hasattr(TryOnConformance, "_try_on")  # a plugin's own _try_on cannot shadow it
    assert callable(getattr(TryOnConformance, "_TryOnConformance__try_on"))  # noqa: B009

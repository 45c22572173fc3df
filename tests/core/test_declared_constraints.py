"""The core's declarative constraints: pixel limits, sizes per format, pixel budgets, advisories,
conditional input limits and unstreamable formats, checked on a fake model (no provider)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

import tryon
from tryon.capabilities import Advisory, Capabilities, InputsWhen, Operation, PixelBudget, Rule
from tryon.checks import advise, find_problems
from tryon.errors import UnsupportedOptionError
from tryon.media.limits import InputLimits
from tryon.request import EditRequest, GenerateRequest
from tryon.sizes import SizeRule, Sizes
from tryon.testing.fake import FakeGenerator


@attrs.frozen(kw_only=True)
class Opts:
    frames: int | None = None
    delay: int | None = None


RULE = SizeRule(multiple_of=16, max_edge=3840, min_pixels=655_360, max_pixels=8_294_400,
                experimental_above=2560 * 1440)
CAPS = Capabilities(
    operations={Operation.GENERATE, Operation.EDIT}, max_input_images=4, mask=True,
    sizes=Sizes.any(RULE, standard=("1024x1024",), auto=True),
    output_formats={"png", "gif"}, streaming=True,
    format_sizes={"gif": Sizes.any(SizeRule(multiple_of=16, max_edge=3840), auto=True)},
    budgets=(PixelBudget(factor="options.frames", factor_default=9, when="output_format", equals="gif",
                         max_pixels=8_294_400, message="frames share the budget"),),
    advisories=(Advisory("output_format", "feature-preview", equals="gif", message="gif is a preview"),
                Advisory("options.delay", "option-capped", above=1000, message="delay capped at 1000")),
    rules=(Rule.forbids("output_format", "gif", "mask", "gif takes no mask"),),
    inputs_when=(InputsWhen("moderation", InputLimits(max_bytes=1000), "small form"),),
    moderation={"low", "auto"},
    unstreamable_formats={"gif"},
    provider_options=Opts,
    defaults={"output_format": "png"},
)


def problems(**options: Any) -> list[str]:
    return [f.reason for f in find_problems(GenerateRequest(prompt="p", **options), CAPS)]


@pytest.mark.parametrize(("size", "ok"), [("512x512", False), ("1024x640", True), ("2880x2880", True),
                                          ("2896x2896", False), ("3856x2160", False), ("1024x1024", True)])
def test_pixel_limits(size: str, ok: bool) -> None:
    assert (problems(size=size) == []) is ok


def test_nearest_scales_up_to_the_pixel_minimum() -> None:
    near = RULE.nearest(512, 512)
    assert near is not None and near[0] == near[1] and near[0] * near[1] >= 655_360 and not RULE.violations(*near)


def test_experimental_sizes_get_a_notice_not_a_refusal() -> None:
    request = GenerateRequest(prompt="p", size="2880x2880")
    assert find_problems(request, CAPS) == []
    assert [n.code for n in advise(request, CAPS)] == ["size-experimental"]
    assert advise(GenerateRequest(prompt="p", size="2560x1440"), CAPS) == []


def test_sizes_per_format_and_the_shared_budget() -> None:
    assert problems(output_format="gif", size="512x512", options={"frames": 4}) == []  # frame sizes
    assert "8,294,400 budget" in problems(output_format="gif", size="1024x1024")[0]  # 9 default frames
    assert problems(output_format="gif", size="960x960") == []
    assert "budget" in problems(output_format="gif", size="960x960", options={"frames": 10})[0]
    assert problems(size="960x960") == []  # png: no budget


def test_advisories() -> None:
    notices = advise(GenerateRequest(prompt="p", output_format="gif", options={"delay": 5000}), CAPS)
    assert [n.code for n in notices] == ["feature-preview", "option-capped"]
    assert advise(GenerateRequest(prompt="p", options={"delay": 500}), CAPS) == []


def test_forbids_rule() -> None:
    request = EditRequest(prompt="p", images=[b"x"], mask=b"m", output_format="gif")
    assert any("gif takes no mask" in f.reason for f in find_problems(request, CAPS))
    assert find_problems(EditRequest(prompt="p", images=[b"x"], mask=b"m"), CAPS) == []


def test_inputs_when() -> None:
    assert CAPS.inputs_for(lambda name: "low" if name == "moderation" else None).max_bytes == 1000
    assert CAPS.inputs_for(lambda name: None) is CAPS.inputs


def test_unstreamable_format_is_refused_before_the_call() -> None:
    router = tryon.Router(plugins=False)
    fake = FakeGenerator("fake-gif", capabilities=CAPS)
    router.register(fake)
    with pytest.raises(UnsupportedOptionError, match="cannot stream output_format='gif'"):
        list(router.stream("p", model="fake-gif", output_format="gif"))


def test_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="not in output_formats"):
        attrs.evolve(CAPS, unstreamable_formats={"svg"})

"""Every call's result checked against its request in the core: count, completeness, format, size."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tryon
from tryon import Capabilities, Operation, SizeRule, Sizes
from tryon.capabilities import Deviations
from tryon.errors import InvalidResponseError, PartialResultError
from tryon.media.integrity import integrity_problem
from tryon.request import Request
from tryon.result_checks import check_result
from tryon.results import GeneratedImage, Generation
from tryon.testing.fake import FakeGenerator
from tryon.testing.synth import synth_image

CAPS = Capabilities(
    operations={Operation.GENERATE}, max_images_per_call=4,
    sizes=Sizes.any(SizeRule(multiple_of=1, min_edge=8, max_long_edge=2048), auto=True),
    aspect_ratios={"16:9", "1:1"}, output_formats={"png", "jpeg", "webp"}, streaming=True,
    defaults={"output_format": "png"},
)
Mangle = Callable[[Request, list[bytes]], list[bytes]]


class Scripted(FakeGenerator):
    """A fake whose answers are rewritten by *mangle* (images as bytes) before they are returned."""

    def __init__(self, mangle: Mangle, caps: Capabilities = CAPS) -> None:
        super().__init__("scripted-1", provider="script", capabilities=caps)
        self.mangle = mangle

    def _images(self, request: Request) -> list[GeneratedImage]:
        datas = [img.data for img in super()._images(request)]
        return [GeneratedImage.from_bytes(d, index=i) for i, d in enumerate(self.mangle(request, datas))]


def router_for(mangle: Mangle, caps: Capabilities = CAPS) -> tuple[tryon.Router, Scripted]:
    router = tryon.Router(plugins=False)
    gen = Scripted(mangle, caps)
    router.register(gen)
    return router, gen


def truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def png(width: int = 64, height: int = 64) -> bytes:
    return synth_image(width, height, "png", transparent=False, seed_text="x")


def test_a_complete_answer_passes_unchanged() -> None:
    router, _ = router_for(lambda r, d: d)
    gen = router.generate("x", model="scripted-1", size="64x48", n=3)
    assert [i.size for i in gen.images] == [(64, 48)] * 3 and gen.warnings == ()


def test_a_200_with_zero_images_is_an_invalid_response() -> None:
    router, _ = router_for(lambda r, d: [])
    with pytest.raises(InvalidResponseError, match="no image"):
        router.generate("x", model="scripted-1", size="64x64")


def test_a_truncated_png_is_an_invalid_response_never_a_result() -> None:
    router, _ = router_for(lambda r, d: [truncate(x) for x in d])
    with pytest.raises(InvalidResponseError, match="image 0 is unusable: the PNG is truncated"):
        router.generate("x", model="scripted-1", size="64x64")


def test_the_complete_images_of_a_damaged_answer_are_kept() -> None:
    parts: list[Generation] = []
    router, _ = router_for(lambda r, d: [d[0], truncate(d[1]), d[2]])
    with pytest.raises(PartialResultError) as err:
        router.generate("x", model="scripted-1", size="64x64", n=3, on_part=parts.append)
    kept = err.value.generation
    assert len(kept.images) == 2 and all(integrity_problem(i.data, i.media_type) is None for i in kept.images)
    assert [i.index for i in kept.images] == [0, 1]
    assert isinstance(err.value.errors[0], InvalidResponseError) and "image 1 is unusable" in str(err.value.errors[0])
    assert kept.images[0].info["prompt"] == "x"  # kept images carry their metadata
    assert len(parts) == 1 and len(parts[0].images) == 2  # on_part saw what was paid for


@pytest.mark.parametrize(("n", "returned"), [(2, 1), (3, 4), (1, 2)])
def test_the_wrong_count_is_an_invalid_response_keeping_the_images(n: int, returned: int) -> None:
    router, _ = router_for(lambda r, d: (d * 4)[:returned])
    with pytest.raises(PartialResultError) as err:
        router.generate("x", model="scripted-1", size="64x64", n=n)
    assert f"asked for {n} image(s), the answer holds {returned}" in str(err.value.errors[0])
    assert len(err.value.generation.images) == returned


def test_a_fanned_out_request_keeps_the_good_calls_and_the_good_images_of_a_bad_one() -> None:
    calls: list[int] = []

    def second_call_damaged(request: Request, datas: list[bytes]) -> list[bytes]:
        calls.append(request.n)
        return [truncate(datas[0]), *datas[1:]] if len(calls) == 2 else datas

    router, _ = router_for(second_call_damaged)
    with pytest.raises(PartialResultError) as err:
        router.generate("x", model="scripted-1", size="64x64", n=10)  # 4 + 4 + 2 calls
    assert len(err.value.generation.images) == 9
    assert [i.index for i in err.value.generation.images] == list(range(9))
    assert len(err.value.errors) == 1 and isinstance(err.value.errors[0], InvalidResponseError)


async def test_async_calls_are_checked_the_same_way() -> None:
    router, _ = router_for(lambda r, d: [truncate(x) for x in d])
    with pytest.raises(InvalidResponseError):
        await router.agenerate("x", model="scripted-1", size="64x64")
    router, _ = router_for(lambda r, d: [d[0], truncate(d[1])])
    with pytest.raises(PartialResultError) as err:
        await router.agenerate("x", model="scripted-1", size="64x64", n=2)
    assert len(err.value.generation.images) == 1


def test_the_final_result_of_a_stream_is_checked() -> None:
    router, _ = router_for(lambda r, d: [truncate(x) for x in d])
    with pytest.raises(InvalidResponseError):
        list(router.stream("x", model="scripted-1", size="64x64"))


def test_a_format_other_than_the_one_asked_is_refused_unless_documented() -> None:
    as_jpeg: Mangle = lambda r, d: [synth_image(64, 64, "jpeg", transparent=False, seed_text="j") for _ in d]  # noqa: E731
    router, _ = router_for(as_jpeg)
    with pytest.raises(PartialResultError) as err:
        router.generate("x", model="scripted-1", size="64x64", output_format="png")
    assert "image 0 is JPEG, not PNG" in str(err.value.errors[0])
    documented = attrs.evolve(CAPS, deviations=Deviations(formats={"jpg"}, note="the docs say JPEG may come back"))
    router, _ = router_for(as_jpeg, documented)
    gen = router.generate("x", model="scripted-1", size="64x64", output_format="png")
    notice = next(w for w in gen.warnings if w.code == "format-deviated")
    assert "JPEG, not PNG" in notice.message and "the docs say JPEG" in notice.message
    assert notice.option == "output_format"


def test_without_a_format_asked_any_declared_format_is_fine() -> None:
    router, _ = router_for(lambda r, d: [synth_image(64, 64, "webp", transparent=False, seed_text="w")])
    gen = router.generate("x", model="scripted-1", size="64x64")
    assert gen.images[0].media_type == "image/webp" and gen.warnings == ()


def test_rounded_dimensions_are_a_notice_only_when_documented() -> None:
    rounded: Mangle = lambda r, d: [png(112, 64) for _ in d]  # noqa: E731 - 100 rounded up to 112
    router, _ = router_for(rounded)
    with pytest.raises(PartialResultError) as err:
        router.generate("x", model="scripted-1", size="100x64")
    assert "image 0 is 112x64, not the 100x64 asked for" in str(err.value.errors[0])
    router, _ = router_for(rounded, attrs.evolve(CAPS, deviations=Deviations(size_multiple=16)))
    gen = router.generate("x", model="scripted-1", size="100x64")
    assert [w.code for w in gen.warnings] == ["size-deviated"] and gen.images[0].size == (112, 64)
    router, _ = router_for(rounded, attrs.evolve(CAPS, deviations=Deviations(size_tolerance=0.05)))
    with pytest.raises(PartialResultError):  # 12 % is more than the 5 % documented
        router.generate("x", model="scripted-1", size="100x64")


def test_ratio_requests_are_checked_against_the_ratio() -> None:
    router, _ = router_for(lambda r, d: [png(1344 // 8, 768 // 8)])  # Google's 16:9, 1.75
    assert router.generate("x", model="scripted-1", aspect_ratio="16:9").images[0].size == (168, 96)
    router, _ = router_for(lambda r, d: [png(64, 64)])
    with pytest.raises(PartialResultError, match="not of the 16:9 aspect ratio"):
        router.generate("x", model="scripted-1", aspect_ratio="16:9")


def test_sizes_left_to_the_provider_are_not_checked() -> None:
    router, _ = router_for(lambda r, d: [png(80, 40)])
    assert router.generate("x", model="scripted-1", size="auto").images[0].size == (80, 40)
    assert router.generate("x", model="scripted-1").images[0].size == (80, 40)


def test_check_result_reports_every_problem_at_once() -> None:
    req = tryon.GenerateRequest(prompt="x", size="64x64", n=3, output_format="png")
    good = GeneratedImage.from_bytes(png())
    bad = GeneratedImage.from_bytes(truncate(png()), index=1)
    wrong = GeneratedImage.from_bytes(png(32, 32), index=2)
    with pytest.raises(PartialResultError) as err:
        check_result(Generation([good, bad], model="m", provider="p", request_id="r1"), req, CAPS)
    text = str(err.value.errors[0])
    assert "asked for 3 image(s), the answer holds 2" in text and "image 1 is unusable" in text
    assert err.value.errors[0].request_id == "r1"  # type: ignore[attr-defined]
    with pytest.raises(PartialResultError, match="image 2 is 32x32"):
        check_result(Generation([good, good, wrong], model="m", provider="p"), req, CAPS)


@given(
    n=st.integers(1, 6),
    plan=st.lists(st.sampled_from(["ok", "truncated", "dropped", "extra", "tiny"]), min_size=1, max_size=6),
)
def test_no_incomplete_image_ever_reaches_the_caller(n: int, plan: list[str]) -> None:
    def mangle(request: Request, datas: list[bytes]) -> list[bytes]:
        out: list[bytes] = []
        for i, data in enumerate(datas):
            step = plan[i % len(plan)]
            if step == "truncated":
                out.append(truncate(data))
            elif step == "tiny":
                out.append(data[:40])
            elif step == "extra":
                out += [data, data]
            elif step == "ok":
                out.append(data)
        return out

    router, _ = router_for(mangle)
    try:
        images: Any = router.generate("x", model="scripted-1", size="48x48", n=n).images
        assert len(images) == n
    except PartialResultError as exc:
        images = exc.generation.images
        assert all(isinstance(e, InvalidResponseError) for e in exc.errors)
    except InvalidResponseError:
        images = ()
    assert all(integrity_problem(i.data, i.media_type) is None and i.size == (48, 48) for i in images)

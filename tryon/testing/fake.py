"""An in-process generator for tests of code built on tryon (no HTTP, no key).

:class:`FakeGenerator` answers with real images of the requested size and format, records
every request it was given, and can be told to fail. Register it in a fixture the way
simonw/llm registers its mock model::

    router = tryon.Router(plugins=False)
    router.register(FakeGenerator("fake-1"))

Provider plugins are tested against the HTTP emulators instead (``tryon.testing``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from typing import Any

import attrs

from tryon.capabilities import Capabilities, Operation
from tryon.media.limits import InputLimits
from tryon.request import EditRequest, GenerateRequest, Request, TryOnRequest
from tryon.results import Estimate, GeneratedImage, Generation, PartialImage, Usage
from tryon.sizes import SizeRule, Sizes, parse_ratio, parse_size
from tryon.vto import TryOnCapabilities

__all__ = ["FAKE_CAPABILITIES", "FAKE_TRY_ON_CAPABILITIES", "FakeGenerator", "FakeTryOnGenerator"]

FAKE_CAPABILITIES = Capabilities(
    operations={Operation.GENERATE, Operation.EDIT},
    transparent_background=True,
    mask=True,
    input_fidelity={"low", "high"},
    max_input_images=4,
    max_images_per_call=4,
    sizes=Sizes.any(SizeRule(multiple_of=16, min_edge=64, max_edge=2048), standard=("1024x1024",), auto=True),
    qualities={"low", "medium", "high", "auto"},
    output_formats={"png", "jpeg", "webp"},
    output_compression=True,
    streaming=True,
    max_partial_images=3,
    seed=True,
    inputs=InputLimits(accepted_types=frozenset({"image/png", "image/jpeg", "image/webp"}),
                       max_bytes=20 * 1024 * 1024, max_count=4),
    max_prompt_length=4000,
)


def _ratio_size(ratio: str | None, edge: int = 256) -> tuple[int, int]:
    """A small size of *ratio* (256 px on the long edge), 256x256 without one."""
    value = parse_ratio(ratio) if ratio else None
    if value is None:
        return edge, edge
    if value >= 1:
        return edge, max(1, round(edge / value))
    return max(1, round(edge * value)), edge


class FakeGenerator:
    """A scriptable generator: real images, recorded requests, injected failures."""

    def __init__(self, model_id: str = "fake-image-1", *, provider: str = "fake",
                 capabilities: Capabilities = FAKE_CAPABILITIES, latency: float = 0.0,
                 price_per_image: float | None = 0.01) -> None:
        self.model_id = model_id
        self.provider = provider
        self.capabilities = capabilities
        self.latency = latency
        self.price_per_image = price_per_image
        self.requests: list[Request] = []
        self._failures: deque[BaseException] = deque()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FakeGenerator({self.model_id!r})"

    def fail_next(self, error: BaseException, times: int = 1) -> None:
        """Raise *error* on the next *times* calls."""
        with self._lock:
            self._failures.extend([error] * times)

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)
            failure = self._failures.popleft() if self._failures else None
        if self.latency:
            time.sleep(self.latency)
        if failure is not None:
            raise failure

    def _images(self, request: Request) -> list[GeneratedImage]:
        from tryon.testing.synth import synth_image

        wh = parse_size(request.size or "") or _ratio_size(request.aspect_ratio)
        fmt = request.output_format or self.capabilities.defaults.get("output_format") or (
            "png" if "png" in self.capabilities.output_formats else min(self.capabilities.output_formats))
        transparent = request.background == "transparent"
        return [
            GeneratedImage.from_bytes(
                synth_image(wh[0], wh[1], fmt, transparent=transparent, seed_text=f"{request.prompt}#{i}"),
                index=i, seed=request.seed)
            for i in range(request.n)
        ]

    def _result(self, request: Request) -> Generation:
        images = self._images(request)
        cost = None if self.price_per_image is None else self.price_per_image * len(images)
        return Generation(images=images, model=self.model_id, provider=self.provider,
                          usage=Usage(input_tokens=len(request.prompt) // 4, output_tokens=100 * len(images)),
                          cost_usd=cost, request_id=f"fake-{len(self.requests)}")

    def generate(self, request: GenerateRequest) -> Generation:
        self._record(request)
        return self._result(request)

    def edit(self, request: EditRequest) -> Generation:
        self._record(request)
        return self._result(request)

    def stream(self, request: Request) -> Iterator[PartialImage | Generation]:
        self._record(request)
        final = self._result(request)
        for i in range(request.partial_images or 0):
            yield PartialImage(index=i, image=final.images[0])
        yield final

    def estimate(self, request: Request) -> Estimate:
        usd = None if self.price_per_image is None else self.price_per_image * request.n
        return Estimate(model=self.model_id, provider=self.provider, n=request.n, usd=usd,
                        basis="fake price per image")

    def configure(self, **settings: Any) -> FakeGenerator:
        clone = FakeGenerator(self.model_id, provider=self.provider, capabilities=self.capabilities,
                              latency=settings.get("latency", self.latency), price_per_image=self.price_per_image)
        clone.requests = self.requests
        clone._failures = self._failures
        return clone

    def with_capabilities(self, **changes: Any) -> FakeGenerator:
        """A copy declaring different capabilities (for conformance and router tests)."""
        return FakeGenerator(self.model_id, provider=self.provider,
                             capabilities=attrs.evolve(self.capabilities, **changes),
                             latency=self.latency, price_per_image=self.price_per_image)


FAKE_TRY_ON_CAPABILITIES = Capabilities(
    operations={Operation.TRY_ON},
    max_images_per_call=4,
    max_n=8,
    sizes=Sizes.any(SizeRule(multiple_of=16, min_edge=64, max_edge=2048), auto=True),
    output_formats={"png", "jpeg"},
    seed=True,
    moderation={"strict", "permissive"},
    inputs=InputLimits(accepted_types=frozenset({"image/png", "image/jpeg", "image/webp"}),
                       max_bytes=20 * 1024 * 1024, max_count=3),
    try_on=TryOnCapabilities(
        categories={"top": "tops", "bottom": "bottoms", "one-piece": "one-pieces"},
        auto_category=True, auto_category_word="auto", max_garments=2, prompt="forbidden",
        mask_modes={"auto", "image"}, modes={"speed": "performance", "balanced": "balanced", "quality": "quality"},
        photo_types={"auto": "auto", "flat-lay": "flat-lay", "worn": "model"},
        note="an in-process fake for tests"),
)
"""A dedicated try-on model: tops, bottoms and one-pieces, two garments, no prompt, three modes."""


class FakeTryOnGenerator(FakeGenerator):
    """A scriptable dedicated try-on model (``try_on``): real images of the person's size (or the
    size asked for), the provider words it would send recorded in :attr:`sent`."""

    def __init__(self, model_id: str = "fake-tryon-1", *, provider: str = "fake",
                 capabilities: Capabilities = FAKE_TRY_ON_CAPABILITIES, latency: float = 0.0,
                 price_per_image: float | None = 0.05) -> None:
        super().__init__(model_id, provider=provider, capabilities=capabilities, latency=latency,
                         price_per_image=price_per_image)
        self.sent: list[dict[str, Any]] = []

    def try_on(self, request: TryOnRequest) -> Generation:
        from tryon.testing.synth import synth_image

        self._record(request)
        declared = self.capabilities.try_on
        assert declared is not None
        self.sent.append({
            "categories": [declared.category_word(g.category) for g in request.garments],
            "mode": declared.mode_word(request.mode),
            "photo_type": declared.photo_type_word(request.garment_photo_type),
            "mask": request.mask is not None,
        })
        wh = parse_size(request.size or "") or (request.person.width, request.person.height)
        fmt = request.output_format or ("png" if "png" in self.capabilities.output_formats
                                        else min(self.capabilities.output_formats))
        images = [GeneratedImage.from_bytes(synth_image(wh[0], wh[1], fmt, transparent=False,
                                                        seed_text=f"try-on#{i}#{request.seed}"),
                                            index=i, seed=request.seed) for i in range(request.n)]
        cost = None if self.price_per_image is None else self.price_per_image * len(images)
        return Generation(images=images, model=self.model_id, provider=self.provider, cost_usd=cost,
                          request_id=f"fake-tryon-{len(self.requests)}")

    def configure(self, **settings: Any) -> FakeTryOnGenerator:
        clone = FakeTryOnGenerator(self.model_id, provider=self.provider, capabilities=self.capabilities,
                                   latency=settings.get("latency", self.latency), price_per_image=self.price_per_image)
        clone.requests, clone._failures, clone.sent = self.requests, self._failures, self.sent
        return clone

    def with_capabilities(self, **changes: Any) -> FakeTryOnGenerator:
        return FakeTryOnGenerator(self.model_id, provider=self.provider,
                                  capabilities=attrs.evolve(self.capabilities, **changes),
                                  latency=self.latency, price_per_image=self.price_per_image)

"""The conformance suite every provider plugin runs against its own generators.

After SQLAlchemy's ``testing/requirements.py``: each check asks :class:`Requirements` whether
the model declares what the check needs, and is **skipped with a stated reason** when it does
not. A plugin's test module subclasses :class:`GeneratorConformance` and provides three
fixtures::

    from tryon.testing.conformance import GeneratorConformance

    class TestAcmeConformance(GeneratorConformance):
        @pytest.fixture(params=["acme-1", "acme-2"])
        def model(self, request):
            return request.param

        @pytest.fixture
        def emulator(self):
            with AcmeEmulator() as emu:          # an EmulatorServer subclass
                yield emu

        @pytest.fixture
        def router(self, emulator):              # generators pointed at the emulator, no retries
            router = tryon.Router(plugins=False)
            for gen in acme_generators(base_url=emulator.base_url, api_key="k", max_retries=0):
                router.register(gen)
            return router

It checks that the declared capabilities are coherent, that every option the model declares
unsupported is rejected before the network, that supported requests return images of the
requested size and format, and that provider failures come back as tryon's typed errors.
Declared facts without a recorded source are reported as a skip naming them (set
``require_provenance = True`` on the subclass to make that a failure).
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from tryon.capabilities import Capabilities
from tryon.errors import (
    AuthenticationError,
    ContentPolicyError,
    InvalidResponseError,
    ProviderError,
    RateLimitError,
    ServiceUnavailableError,
    UnsupportedOptionError,
)
from tryon.protocol import ImageGenerator
from tryon.sizes import parse_ratio, parse_size

__all__ = ["GeneratorConformance", "Requirements"]

_REQUEST_OPTIONS = {"size", "aspect_ratio", "quality", "background", "n", "output_format", "output_compression",
                    "moderation", "seed", "partial_images", "mask", "input_fidelity", "images", "prompt"}


class Requirements:
    """What a model supports, as skip reasons: ``None`` = supported, else why a check is skipped."""

    def __init__(self, caps: Capabilities, model: str) -> None:
        self.caps = caps
        self.model = model

    def _need(self, ok: bool, what: str) -> str | None:
        return None if ok else f"{self.model} does not declare {what}"

    @property
    def generate(self) -> str | None:
        return self._need(self.caps.can_generate, "text-to-image generation")

    @property
    def edit(self) -> str | None:
        return self._need(self.caps.can_edit, "image editing")

    @property
    def mask(self) -> str | None:
        return self._need(self.caps.mask, "masks")

    @property
    def transparent_background(self) -> str | None:
        return self._need(self.caps.transparent_background, "transparent backgrounds")

    @property
    def multi_image(self) -> str | None:
        return self._need(self.caps.can_edit and self.caps.max_input_images > 1, "several input images")

    @property
    def streaming(self) -> str | None:
        return self._need(self.caps.streaming, "streaming")

    def require(self, reason: str | None) -> None:
        if reason is not None:
            pytest.skip(reason)

    def unsupported_options(self) -> list[tuple[str, dict[str, Any]]]:
        """Requests that use an option this model declares unsupported, each with its options."""
        c = self.caps
        out: list[tuple[str, dict[str, Any]]] = []
        if not c.transparent_background:
            out.append(("background", {"background": "transparent"}))
        if not c.seed:
            out.append(("seed", {"seed": 7}))
        if not c.output_compression:
            out.append(("output_compression", {"output_compression": 50, "output_format": "jpeg"}))
        if not c.moderation:
            out.append(("moderation", {"moderation": "low"}))
        if "tiff" not in c.output_formats:
            out.append(("output_format", {"output_format": "tiff"}))
        if not c.aspect_ratios:
            out.append(("aspect_ratio", {"aspect_ratio": "7:3"}))
        if not c.streaming:
            out.append(("partial_images", {"partial_images": 1}))
        if not c.sizes.accepts("208x2000"):
            out.append(("size", {"size": "208x2000"}))
        if c.max_prompt_length is not None:
            out.append(("prompt", {"prompt": "x" * (c.max_prompt_length + 1)}))
        if c.max_n is not None:
            out.append(("n", {"n": c.max_n + 1}))
        if c.can_edit:
            if not c.mask:
                out.append(("mask", {"mask": b"<mask>", "images": [b"<img>"]}))
            if not c.input_fidelity:
                out.append(("input_fidelity", {"input_fidelity": "high", "images": [b"<img>"]}))
            out.append(("images", {"images": [b"<img>"] * (c.max_input_images + 1)}))
        else:
            out.append(("operation", {"images": [b"<img>"]}))
        if not c.can_generate:
            out.append(("operation", {"operation": "generate"}))
        return out

    def sample_size(self) -> str | None:
        """A size this model accepts, for round-trip checks (``None`` = use the default)."""
        sizes = self.caps.sizes
        exact = sorted(sizes.exact, key=lambda s: (parse_size(s) or (0, 0))[0] * (parse_size(s) or (0, 0))[1])
        if exact:
            return exact[0]
        if sizes.rule is not None:
            for candidate in ("1024x1024", "512x512", "1024x768"):
                if sizes.accepts(candidate):
                    return candidate
        return None


def _input_png(size: tuple[int, int] = (256, 256)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


def _mask_png(size: tuple[int, int] = (256, 256)) -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("L", size, 255)
    ImageDraw.Draw(im).rectangle((0, 0, size[0] // 2, size[1] // 2), fill=0)  # black = edit
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


class GeneratorConformance:
    """Subclass with ``model``, ``emulator`` and ``router`` fixtures; see the module docstring."""

    prompt = "a conformance test image of a red handbag"
    require_provenance = False
    """With ``True``, a declared fact without a recorded source fails the suite; by default it is
    reported as a skip naming the fact groups to source (see :mod:`tryon.testing.provenance`)."""

    @pytest.fixture
    def generator(self, router: Any, model: str) -> ImageGenerator:
        gen: ImageGenerator = router.get(model)
        return gen

    @pytest.fixture
    def requirements(self, generator: ImageGenerator) -> Requirements:
        return Requirements(generator.capabilities, generator.model_id)

    def _call(self, router: Any, gen: ImageGenerator, **options: Any) -> Any:
        images = options.pop("images", None)
        if options.pop("operation", None) == "generate" or (gen.capabilities.can_generate and images is None):
            return router.generate(options.pop("prompt", self.prompt), model=gen.model_id, **options)
        if gen.capabilities.mask_required:
            options.setdefault("mask", _mask_png())
        return router.edit(images or [_input_png()], options.pop("prompt", self.prompt), model=gen.model_id,
                           **options)

    # ------------------------------------------------------------------ declarations

    def test_declares_a_coherent_capability_set(self, generator: ImageGenerator) -> None:
        caps = generator.capabilities
        assert isinstance(generator, ImageGenerator)
        assert generator.model_id and generator.provider
        assert caps.operations, "a model must offer at least one operation"
        if caps.mask or caps.input_fidelity:
            assert caps.can_edit, "mask / input_fidelity need the edit operation"
        if caps.can_edit:
            assert caps.max_input_images >= 1
            assert caps.inputs.accepted_types, "an editing model must accept some input type"
        assert caps.output_formats, "a model must declare its output formats"
        assert caps.max_images_per_call >= 1
        for option, default in caps.defaults.items():
            if option == "output_format":
                assert default in caps.output_formats, f"default output_format {default!r} is not declared"
            if option == "quality" and caps.qualities:
                assert default in caps.qualities
        for rule in caps.rules:
            for name in (rule.when, rule.then):
                bare = name.removeprefix("options.")
                assert bare in _REQUEST_OPTIONS or bare in caps.option_names(), f"rule names unknown option {name}"
        if caps.lifecycle.retired:
            assert caps.lifecycle.successors, "a retired model should name its successors"
        assert caps.sizes.exact or caps.sizes.rule or caps.sizes.aspect_ratios or caps.sizes.auto, \
            "a model must declare how its output size is chosen"

    def test_declared_facts_have_sources(self, generator: ImageGenerator) -> None:
        from tryon.testing.provenance import missing_sources

        missing = missing_sources(generator.capabilities)
        if not missing:
            return
        message = (f"{generator.model_id} records no source for the fact groups {', '.join(missing)}: "
                   "declare them with Capabilities(sources=Provenance({...})), see docs/writing-a-plugin.md")
        if self.require_provenance:
            pytest.fail(message)
        pytest.skip(message)

    # ------------------------------------------------------------------ refused before the network

    def test_unsupported_options_are_rejected_before_the_network(
            self, router: Any, generator: ImageGenerator, requirements: Requirements, emulator: Any) -> None:
        cases = requirements.unsupported_options()
        if not cases:
            pytest.skip(f"{generator.model_id} declares every option this suite knows")
        before = len(emulator.requests)
        for option, options in cases:
            with pytest.raises(UnsupportedOptionError) as err:
                self._call(router, generator, **options)
            assert generator.model_id in str(err.value), f"{option}: the error must name the model"
            assert option in err.value.options or "operation" in err.value.options, option
        assert len(emulator.requests) == before, "a refused request reached the provider"

    # ------------------------------------------------------------------ round trips

    def test_generate_returns_the_requested_size_and_format(
            self, router: Any, generator: ImageGenerator, requirements: Requirements) -> None:
        requirements.require(requirements.generate)
        size = requirements.sample_size()
        for fmt in sorted(generator.capabilities.output_formats):
            # a format with size rules of its own (GIF frames under a pixel budget) takes its default size
            fmt_size = None if fmt in generator.capabilities.format_sizes else size
            gen = router.generate(self.prompt, model=generator.model_id, size=fmt_size, output_format=fmt)
            assert len(gen.images) == 1
            image = gen.images[0]
            assert image.format == fmt, f"asked for {fmt}, got {image.media_type}"
            if fmt_size is not None and fmt_size != "auto":
                assert f"{image.width}x{image.height}" == fmt_size
            assert gen.model == generator.model_id and gen.provider == generator.provider

    def test_n_images_come_back(self, router: Any, generator: ImageGenerator,
                                requirements: Requirements) -> None:
        requirements.require(requirements.generate)
        n = generator.capabilities.max_images_per_call + 1
        if generator.capabilities.max_n is not None:
            n = min(n, generator.capabilities.max_n)
        gen = router.generate(self.prompt, model=generator.model_id, n=n)
        assert len(gen.images) == n

    def test_edit_returns_an_image(self, router: Any, generator: ImageGenerator,
                                   requirements: Requirements) -> None:
        requirements.require(requirements.edit)
        options: dict[str, Any] = {}
        if generator.capabilities.mask_required:
            options["mask"] = _mask_png()
        gen = router.edit([_input_png()], self.prompt, model=generator.model_id, **options)
        assert len(gen.images) == 1 and gen.images[0].width > 0

    def test_masked_edit_is_accepted(self, router: Any, generator: ImageGenerator,
                                     requirements: Requirements) -> None:
        requirements.require(requirements.mask)
        gen = router.edit([_input_png()], self.prompt, model=generator.model_id, mask=_mask_png())
        assert len(gen.images) == 1

    def test_multi_image_edit_is_accepted(self, router: Any, generator: ImageGenerator,
                                          requirements: Requirements) -> None:
        requirements.require(requirements.multi_image)
        options: dict[str, Any] = {}
        if generator.capabilities.mask_required:
            pytest.skip(f"{generator.model_id} edits one image within a mask")
        gen = router.edit([_input_png(), _input_png()], self.prompt, model=generator.model_id, **options)
        assert len(gen.images) == 1

    def test_transparent_background_has_alpha(self, router: Any, generator: ImageGenerator,
                                              requirements: Requirements) -> None:
        requirements.require(requirements.transparent_background)
        requirements.require(requirements.generate)
        gen = router.generate(self.prompt, model=generator.model_id, background="transparent",
                              output_format="png")
        im = gen.images[0].to_pil()
        assert im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
        assert im.getchannel("A").getextrema()[0] < 255, "no transparent pixel in a transparent image"

    # ------------------------------------------------------------------ typed errors

    @pytest.mark.parametrize("status, expected", [
        (401, AuthenticationError),
        (500, ServiceUnavailableError),
        (503, ServiceUnavailableError),
        (429, RateLimitError),
    ])
    def test_provider_failures_are_typed(self, router: Any, generator: ImageGenerator, emulator: Any,
                                         status: int, expected: type[ProviderError]) -> None:
        emulator.fail_next(status, times=10, retry_after=0)
        with pytest.raises(expected) as err:
            self._call(router, generator)
        assert err.value.provider == generator.provider
        assert err.value.status == status
        assert err.value.retryable is (status != 401)

    def test_content_policy_block_is_typed(self, router: Any, generator: ImageGenerator, emulator: Any) -> None:
        emulator.moderate_next(times=10)
        with pytest.raises(ContentPolicyError):
            self._call(router, generator)

    def test_malformed_answer_is_typed(self, router: Any, generator: ImageGenerator, emulator: Any) -> None:
        emulator.malformed_next(times=10)
        with pytest.raises(InvalidResponseError):
            self._call(router, generator)


def ratio_of(width: int, height: int, ratio: str) -> bool:
    """Whether ``width x height`` has exactly the aspect ratio *ratio* (``"16:9"``)."""
    expected = parse_ratio(ratio)
    return expected is not None and abs(width / height - float(expected)) < 0.01


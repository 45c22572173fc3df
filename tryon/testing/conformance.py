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
requested size (or aspect ratio) and format, and that provider failures come back as tryon's
typed errors. Declared facts without a recorded source are reported as a skip naming them (set
``require_provenance = True`` on the subclass to make that a failure).

Extension points (documented; override these, never a private name):

- :attr:`GeneratorConformance.sample_options`: per model and operation, the request options
  every call of the suite adds — for a model that needs an option (a required ``strength`` for
  edits) or a provider option it should be exercised with::

      sample_options = {"sd3-large": {"edit": {"options": {"strength": 0.6}}},
                        "acme-2": {"*": {"options": {"style": "photo"}}}}

  Keys under a model are ``"generate"``, ``"edit"`` or ``"*"`` (both: each operation gets the
  ``"*"`` values valid in it, by ``operation_options``); values are keyword
  arguments of ``router.generate``/``router.edit`` (provider options under ``"options"``).
- :meth:`GeneratorConformance.options_for` (the options of one call; default: from
  ``sample_options``), :meth:`GeneratorConformance.call` (one request through the router, the
  way every check makes it), :meth:`GeneratorConformance.input_image` and
  :meth:`GeneratorConformance.mask_image` (the images edits are made with).
- :attr:`GeneratorConformance.prompt`, :attr:`GeneratorConformance.input_size` and
  :attr:`GeneratorConformance.require_provenance`.
- :class:`Requirements` (what each check needs), reached through the ``requirements`` fixture.

Models that declare virtual try-on also run the try-on checks of
:mod:`tryon.testing.conformance_try_on` (its extension points: ``person_image``,
``garment_image``, ``try_on_options``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from tryon.capabilities import Capabilities, Operation
from tryon.errors import (
    AuthenticationError,
    ContentPolicyError,
    InvalidResponseError,
    ProviderError,
    RateLimitError,
    ServiceUnavailableError,
    UnsupportedOptionError,
)
from tryon.protocol import ImageGenerator, TryOnGenerator
from tryon.result_checks import RATIO_TOLERANCE
from tryon.sizes import parse_ratio, parse_size
from tryon.testing.conformance_try_on import TryOnConformance, TryOnRequirements

__all__ = ["GeneratorConformance", "Requirements", "TryOnConformance", "TryOnRequirements", "ratio_of"]

_CALLS = ("generate", "edit")  # the operations the suite's own calls make

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
        elif c.seed_range is not None:
            out.append(("seed", {"seed": c.seed_range[1] + 1}))
            if c.seed_range[0] > 0:
                out.append(("seed", {"seed": c.seed_range[0] - 1}))
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

    def sample_ratios(self) -> list[str]:
        """Aspect ratios to ask for in round trips of a model that takes ratios (widest and tallest
        first, then square; empty when it takes none)."""
        ratios = set(self.caps.aspect_ratios) | set(self.caps.sizes.aspect_ratios)
        parsed = {r: parse_ratio(r) for r in ratios}
        usable = sorted((r for r in ratios if parsed[r] is not None), key=lambda r: float(parsed[r] or 0))
        if not usable:
            return []
        picks = [usable[-1], usable[0], *(r for r in usable if parsed[r] == 1)]
        return list(dict.fromkeys(picks))

    def size_of_ratio(self, ratio: str) -> str | None:
        """A ``WxH`` of exactly *ratio* (about a megapixel) that the model's sizes accept, if any."""
        parsed = parse_ratio(ratio)
        if parsed is None:
            return None
        w, h = parsed.numerator, parsed.denominator
        scale = max(1, round((1024 * 1024 / (w * h)) ** 0.5))
        for k in (scale, scale - scale % 16 or 16, 64):
            size = f"{w * k}x{h * k}"
            if self.caps.sizes.accepts(size):
                return size
        return None

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


class GeneratorConformance(TryOnConformance):
    """Subclass with ``model``, ``emulator`` and ``router`` fixtures; see the module docstring
    for the extension points."""

    prompt = "a conformance test image of a red handbag"
    input_size: tuple[int, int] = (256, 256)
    """The size of the input images and masks the edit checks send (raise it for models with a minimum)."""
    require_provenance = False
    """With ``True``, a declared fact without a recorded source fails the suite; by default it is
    reported as a skip naming the fact groups to source (see :mod:`tryon.testing.provenance`)."""
    sample_options: ClassVar[Mapping[str, Mapping[str, Mapping[str, Any]]]] = {}
    """Per model id, per operation (``"generate"``, ``"edit"``, ``"*"`` for both): the request
    options every call of the suite adds (provider options under ``"options"``)."""

    def options_for(self, generator: ImageGenerator, operation: str) -> dict[str, Any]:
        """The options every *operation* call of the suite makes with *generator* (override for
        options computed per call; the default reads :attr:`sample_options`)."""
        per_model = self.sample_options.get(generator.model_id, {})
        unknown = set(per_model) - {"generate", "edit", "*"}
        if unknown:
            raise ValueError(f"sample_options[{generator.model_id!r}] has keys {sorted(unknown)}; use 'generate', "
                             "'edit' or '*'")
        merged: dict[str, Any] = {}
        caps = generator.capabilities
        for key in ("*", operation):
            for name, value in per_model.get(key, {}).items():
                if name == "options" and isinstance(value, Mapping):
                    if key == "*" and operation in _CALLS:  # "*" gives each operation what is valid in it
                        value = {k: v for k, v in value.items() if caps.allows_option(f"options.{k}", operation)}
                    merged["options"] = {**merged.get("options", {}), **value}
                elif key != "*" or operation not in _CALLS or caps.allows_option(name, operation):
                    merged[name] = value
        return merged

    def input_image(self, size: tuple[int, int] | None = None) -> bytes:
        """The PNG the suite's edits start from (:attr:`input_size` unless *size*; override for other
        input constraints)."""
        return _input_png(size or self.input_size)

    def mask_image(self, size: tuple[int, int] | None = None) -> bytes:
        """The mask of the suite's masked edits (black = the area to change), :attr:`input_size` unless *size*."""
        return _mask_png(size or self.input_size)

    def call(self, router: Any, generator: ImageGenerator, *, operation: str | None = None,
             **options: Any) -> Any:
        """One request through *router* to *generator*'s model, as every check makes it: an edit
        when *images* are given or the model cannot generate (else a generation), with
        :meth:`options_for` under *options* (the check's own options win; ``options`` are merged); a
        dedicated try-on model (``try_on`` its only operation) gets a try-on of a person and a garment."""
        images = options.pop("images", None)
        caps = generator.capabilities
        if operation is None and images is None and caps.operations == {Operation.TRY_ON}:
            # a dedicated try-on model: its one operation (the try-on mixin's private helper)
            return getattr(self, "_TryOnConformance__try_on")(router, generator, **options)  # noqa: B009
        if operation is None:
            operation = "generate" if caps.can_generate and images is None else "edit"
        merged = self.options_for(generator, operation)
        extra = options.pop("options", None)
        if extra is not None or "options" in merged:
            merged["options"] = {**merged.get("options", {}), **(extra or {})}
        merged.update(options)
        self.__require_samples(generator, operation, merged)
        prompt = merged.pop("prompt", self.prompt)
        if operation == "generate":
            return router.generate(prompt, model=generator.model_id, **merged)
        if caps.mask_required:
            merged.setdefault("mask", self.mask_image())
        return router.edit(images or [self.input_image()], prompt, model=generator.model_id, **merged)

    def __require_samples(self, generator: ImageGenerator, operation: str, options: Mapping[str, Any]) -> None:
        """A model with required options needs sample values: say so once, clearly, not in every check."""
        caps = generator.capabilities
        if operation not in _CALLS or operation not in caps.operations:
            return  # the router refuses the operation itself
        provider = options.get("options") if isinstance(options.get("options"), Mapping) else {}
        missing = [name for name in caps.required_for(operation)
                   if options.get(name) is None and (provider or {}).get(name.removeprefix("options.")) is None]
        if missing:
            bare = ", ".join(repr(n.removeprefix("options.")) for n in missing)
            pytest.fail(f"{generator.model_id} requires {bare} for {operation} requests: give the suite a value "
                        f"with sample_options = {{{generator.model_id!r}: {{{operation!r}: {{'options': {{...}}}}}}}} "
                        "on your GeneratorConformance subclass")

    @pytest.fixture
    def generator(self, router: Any, model: str) -> ImageGenerator:
        gen: ImageGenerator = router.get(model)
        return gen

    @pytest.fixture
    def requirements(self, generator: ImageGenerator) -> Requirements:
        return Requirements(generator.capabilities, generator.model_id)

    # ------------------------------------------------------------------ declarations

    def test_declares_a_coherent_capability_set(self, generator: ImageGenerator) -> None:
        caps = generator.capabilities
        if caps.operations == {Operation.TRY_ON}:
            assert isinstance(generator, TryOnGenerator)
        else:
            assert isinstance(generator, ImageGenerator)
        assert generator.model_id and generator.provider
        assert caps.operations, "a model must offer at least one operation"
        if caps.mask or caps.input_fidelity:
            assert caps.can_edit, "mask / input_fidelity need the edit operation"
        if caps.can_edit:
            assert caps.max_input_images >= 1
            assert caps.inputs.accepted_types, "an editing model must accept some input type"
        assert caps.output_formats or caps.deviations.formats, (
            "a model must declare its output formats (or, without a format field, the formats it answers in as "
            "deviations.formats)")
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
                self.call(router, generator, **options)
            assert generator.model_id in str(err.value), f"{option}: the error must name the model"
            assert option in err.value.options or "operation" in err.value.options, option
        assert len(emulator.requests) == before, "a refused request reached the provider"

    def test_missing_required_options_are_refused_before_the_network(
            self, router: Any, generator: ImageGenerator, emulator: Any) -> None:
        caps = generator.capabilities
        cases = [(op.value, name) for op in sorted(caps.operations) if op.value in _CALLS
                 for name in caps.required_for(op)]
        if not cases:
            pytest.skip(f"{generator.model_id} declares no required option")
        before = len(emulator.requests)
        for operation, name in cases:
            bare = name.removeprefix("options.")
            options = self.options_for(generator, operation)
            if not name.startswith("options."):
                options.pop(bare, None)
            if isinstance(options.get("options"), Mapping):
                options["options"] = {k: v for k, v in options["options"].items() if k != bare}
            with pytest.raises(UnsupportedOptionError) as err:
                self.__request(router, generator, operation, options)
            assert bare in err.value.options, f"{operation} without {bare}: {err.value}"
        assert len(emulator.requests) == before, "a refused request reached the provider"

    def test_options_of_one_operation_are_refused_in_the_other(
            self, router: Any, generator: ImageGenerator, emulator: Any) -> None:
        caps = generator.capabilities
        cases: list[tuple[str, str, Any]] = []
        for name, allowed in caps.operation_options.items():
            bare = name.removeprefix("options.")
            value = self.__sample_value(generator, name, [op.value for op in allowed])
            if value is None:
                continue  # no sample value to try it with
            cases.extend((op.value, name, value) for op in sorted(caps.operations - allowed) if op.value in _CALLS)
        if not cases:
            pytest.skip(f"{generator.model_id} declares no option valid for one operation only "
                        "(or sample_options gives no value for it)")
        before = len(emulator.requests)
        for operation, name, value in cases:
            bare = name.removeprefix("options.")
            options = self.options_for(generator, operation)
            if name.startswith("options.") or bare in caps.option_names():
                options["options"] = {**options.get("options", {}), bare: value}
            else:
                options[bare] = value
            with pytest.raises(UnsupportedOptionError) as err:
                self.__request(router, generator, operation, options)
            assert bare in err.value.options, f"{bare} in a {operation} request: {err.value}"
        assert len(emulator.requests) == before, "a refused request reached the provider"

    def __request(self, router: Any, generator: ImageGenerator, operation: str, options: dict[str, Any]) -> Any:
        # options exactly as given (no sample options merged in again)
        prompt = options.pop("prompt", self.prompt)
        if operation == "generate":
            return router.generate(prompt, model=generator.model_id, **options)
        if generator.capabilities.mask_required:
            options.setdefault("mask", self.mask_image())
        return router.edit([self.input_image()], prompt, model=generator.model_id, **options)

    def __sample_value(self, generator: ImageGenerator, name: str, operations: list[str]) -> Any:
        bare = name.removeprefix("options.")
        for operation in operations:
            options = self.options_for(generator, operation)
            given = options.get("options")
            provider: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
            if not name.startswith("options.") and options.get(bare) is not None:
                return options[bare]
            if provider.get(bare) is not None:
                return provider[bare]
        return None

    # ------------------------------------------------------------------ round trips

    def test_generate_returns_the_requested_size_and_format(
            self, router: Any, generator: ImageGenerator, requirements: Requirements) -> None:
        requirements.require(requirements.generate)
        size = requirements.sample_size()
        for fmt in sorted(generator.capabilities.output_formats):
            # a format with size rules of its own (GIF frames under a pixel budget) takes its default size
            fmt_size = None if fmt in generator.capabilities.format_sizes else size
            gen = self.call(router, generator, size=fmt_size, output_format=fmt)
            assert len(gen.images) == 1
            image = gen.images[0]
            assert image.format == fmt, f"asked for {fmt}, got {image.media_type}"
            if fmt_size is not None and fmt_size != "auto":
                assert f"{image.width}x{image.height}" == fmt_size
            assert gen.model == generator.model_id and gen.provider == generator.provider

    def test_aspect_ratios_come_back_as_asked(self, router: Any, generator: ImageGenerator,
                                             requirements: Requirements) -> None:
        requirements.require(requirements.generate)
        ratios = requirements.sample_ratios()
        if not ratios:
            pytest.skip(f"{generator.model_id} takes no aspect ratios")
        if not generator.capabilities.allows_option("aspect_ratio", "generate"):
            pytest.skip(f"{generator.model_id} takes aspect_ratio for edits only")
        caps = generator.capabilities
        tolerance = RATIO_TOLERANCE + caps.deviations.size_tolerance
        for ratio in ratios:
            gen = self.call(router, generator, aspect_ratio=ratio)
            image = gen.images[0]
            assert ratio_of(image.width, image.height, ratio, tolerance=tolerance), \
                f"asked for aspect_ratio={ratio}, got {image.width}x{image.height}"
            # a WxH of that ratio, for a model whose sizes are ratios, is served as that ratio too
            size = requirements.size_of_ratio(ratio)
            if size is None or not caps.allows_option("size", "generate"):
                continue
            gen = self.call(router, generator, size=size)
            image = gen.images[0]
            assert ratio_of(image.width, image.height, ratio, tolerance=tolerance), \
                f"asked for size={size} (ratio {ratio}), got {image.width}x{image.height}"

    def test_fanned_out_seeds_stay_in_the_seed_range(self, router: Any, generator: ImageGenerator,
                                                     requirements: Requirements) -> None:
        requirements.require(requirements.generate)
        caps = generator.capabilities
        if not caps.seed or caps.seed_range is None:
            pytest.skip(f"{generator.model_id} declares no seed range")
        n = caps.max_images_per_call + 1
        if caps.max_n is not None and n > caps.max_n:
            pytest.skip(f"{generator.model_id} makes one call per request (max_n={caps.max_n})")
        low, high = caps.seed_range
        gen = self.call(router, generator, seed=high, n=n)
        assert len(gen.images) == n
        varied = [w for w in gen.warnings if w.code == "seed-varied"]
        assert varied, "a fanned-out request with a seed records the seeds its calls used"
        seeds = varied[0].applied
        assert seeds[0] == high and all(low <= s <= high for s in seeds), seeds
        assert len(set(seeds)) == len(seeds), f"calls repeated a seed: {seeds}"

    def test_n_images_come_back(self, router: Any, generator: ImageGenerator,
                                requirements: Requirements) -> None:
        requirements.require(requirements.generate)
        n = generator.capabilities.max_images_per_call + 1
        if generator.capabilities.max_n is not None:
            n = min(n, generator.capabilities.max_n)
        gen = self.call(router, generator, n=n)
        assert len(gen.images) == n

    def test_edit_returns_an_image(self, router: Any, generator: ImageGenerator,
                                   requirements: Requirements) -> None:
        requirements.require(requirements.edit)
        gen = self.call(router, generator, operation="edit")
        assert len(gen.images) == 1 and gen.images[0].width > 0

    def test_an_edit_with_a_size_is_served_or_refused_before_the_network(
            self, router: Any, generator: ImageGenerator, requirements: Requirements, emulator: Any) -> None:
        """A model whose sizes are aspect ratios sends a ``size`` as its ratio: an edit with one must be
        served, or refused before sending (``operation_options`` when the ratio is generate-only)."""
        requirements.require(requirements.edit)
        caps = generator.capabilities
        if not caps.ratio_only:
            pytest.skip(f"{generator.model_id} takes sizes in pixels, not as aspect ratios")
        size = next((s for r in requirements.sample_ratios() if (s := requirements.size_of_ratio(r))), None)
        if size is None:
            pytest.skip(f"{generator.model_id} accepts no WxH of its aspect ratios")
        before = len(emulator.requests)
        try:
            gen = self.call(router, generator, operation="edit", size=size)
        except UnsupportedOptionError as err:
            assert "size" in err.options or "aspect_ratio" in err.options, str(err)
            assert len(emulator.requests) == before, "a refused edit reached the provider"
            return
        except ProviderError as err:
            pytest.fail(f"an edit with size={size!r} was accepted, sent and failed at the provider ({err}); if "
                        "the provider takes aspect ratios for text-to-image only, declare "
                        "operation_options={'aspect_ratio': {'generate'}}")
        assert len(gen.images) == 1

    def test_masked_edit_is_accepted(self, router: Any, generator: ImageGenerator,
                                     requirements: Requirements) -> None:
        requirements.require(requirements.mask)
        gen = self.call(router, generator, operation="edit", mask=self.mask_image())
        assert len(gen.images) == 1

    def test_multi_image_edit_is_accepted(self, router: Any, generator: ImageGenerator,
                                          requirements: Requirements) -> None:
        requirements.require(requirements.multi_image)
        if generator.capabilities.mask_required:
            pytest.skip(f"{generator.model_id} edits one image within a mask")
        gen = self.call(router, generator, images=[self.input_image(), self.input_image()])
        assert len(gen.images) == 1

    def test_transparent_background_has_alpha(self, router: Any, generator: ImageGenerator,
                                              requirements: Requirements) -> None:
        requirements.require(requirements.transparent_background)
        requirements.require(requirements.generate)
        gen = self.call(router, generator, background="transparent", output_format="png")
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
            self.call(router, generator)
        assert err.value.provider == generator.provider
        assert err.value.status == status
        assert err.value.retryable is (status != 401)

    def test_content_policy_block_is_typed(self, router: Any, generator: ImageGenerator, emulator: Any) -> None:
        emulator.moderate_next(times=10)
        with pytest.raises(ContentPolicyError):
            self.call(router, generator)

    def test_malformed_answer_is_typed(self, router: Any, generator: ImageGenerator, emulator: Any) -> None:
        emulator.malformed_next(times=10)
        with pytest.raises(InvalidResponseError):
            self.call(router, generator)


def ratio_of(width: int, height: int, ratio: str, *, tolerance: float = 0.01) -> bool:
    """Whether ``width x height`` has the aspect ratio *ratio* (``"16:9"``), within *tolerance*
    (relative; pixel sizes of a ratio are rounded)."""
    expected = parse_ratio(ratio)
    return expected is not None and abs(width / height - float(expected)) <= float(expected) * tolerance


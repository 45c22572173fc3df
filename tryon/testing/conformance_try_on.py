"""The try-on part of the conformance suite: run for every model that declares ``Operation.TRY_ON``.

:class:`~tryon.testing.conformance.GeneratorConformance` includes :class:`TryOnConformance`, so a
plugin's conformance class checks try-on with no extra code; models without try-on skip these
checks with that reason. They check that the try-on declaration is coherent, that every try-on
option the model declares unsupported (a category it does not map, too many garments, a prompt
where it takes none, a mask mode, mode or photo type it lacks, a template on a dedicated model) is
refused before the network, and that supported try-ons come back: each declared top-level
category, each mode, photo type and mask mode, and ``n`` beyond one call.

Extension points (override on the plugin's conformance class):

- :meth:`TryOnConformance.person_image` and :meth:`TryOnConformance.garment_image`: the inputs
  (default: plain PNGs of :attr:`TryOnConformance.person_size` and
  :attr:`TryOnConformance.garment_size`), for emulators that need something else;
- :meth:`TryOnConformance.try_on_options`: the options of the sample request (default: from the
  declaration, see :meth:`TryOnRequirements.sample_options`);
- :meth:`TryOnConformance.sent_try_on_words`: the provider words the last request carried, read
  from the emulator's record of requests. A dedicated model's plugin should override it: the
  category, mode and photo-type round trips then check that each declared mapping's word is what
  was sent (the default ``None`` checks only that images come back).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import pytest

from tryon.capabilities import Capabilities
from tryon.errors import UnsupportedOptionError
from tryon.vto.composition import DEFAULT_TEMPLATE
from tryon.vto.declaration import MASK_MODES, MODES, PHOTO_TYPES
from tryon.vto.garments import CATEGORIES, TOP_LEVEL_CATEGORIES

__all__ = ["TryOnConformance", "TryOnRequirements"]


def _png(size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def _mask(size: tuple[int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).rectangle((size[0] // 4, size[1] // 4, 3 * size[0] // 4, size[1] // 2), fill=0)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


class TryOnRequirements:
    """What a model's try-on declaration allows, as skip reasons and sample requests."""

    def __init__(self, caps: Capabilities, model: str) -> None:
        self.caps = caps
        self.model = model

    @property
    def try_on(self) -> str | None:
        """``None`` when the model serves try-on, else why try-on checks are skipped."""
        return None if self.caps.try_on is not None else f"{self.model} does not declare virtual try-on"

    def sample_category(self) -> str | None:
        t = self.caps.try_on
        assert t is not None
        for category in ("top", *CATEGORIES):
            if t.takes_category(category):
                return category
        return None

    def sample_options(self) -> dict[str, Any]:
        """The options of the simplest try-on this model accepts (without person and garments)."""
        t = self.caps.try_on
        assert t is not None
        options: dict[str, Any] = {}
        if not t.auto_category:
            options["category"] = self.sample_category()
        if t.prompt_required:
            options["prompt"] = "a casual look, studio light"
        if "auto" not in t.mask_modes:
            options["mask_prompt" if "prompt" in t.mask_modes else "mask"] = (
                "the upper-body garment" if "prompt" in t.mask_modes else None)
        return options

    def unsupported_options(self, garment: bytes, mask: Any = None) -> list[tuple[str, dict[str, Any]]]:
        """Try-ons that use something this model declares unsupported: (option named in the error, options).
        *mask* (a mask of the person's size) adds the check that ``mask=`` is refused without mask mode
        ``image``."""
        t = self.caps.try_on
        assert t is not None
        out: list[tuple[str, dict[str, Any]]] = []
        refused = [c for c in CATEGORIES if not t.takes_category(c)]
        if refused:
            out.append(("category", {"category": refused[0]}))
        if not t.auto_category:
            out.append(("category", {"category": None}))
        out.append(("garments", {"garments": [garment] * (t.max_garments + 1)}))
        if not t.prompt_allowed:
            out.append(("prompt", {"prompt": "tuck the shirt in"}))
        elif t.prompt_required:
            out.append(("prompt", {"prompt": ""}))
        if "prompt" not in t.mask_modes:
            out.append(("mask_prompt", {"mask_prompt": "the shirt", "mask": None}))
        if "image" not in t.mask_modes and mask is not None:
            out.append(("mask", {"mask": mask, "mask_prompt": None}))
        if "auto" not in t.mask_modes:
            out.append(("mask", {"mask": None, "mask_prompt": None}))
        missing_modes = [m for m in MODES if m not in t.modes]
        if missing_modes:
            out.append(("mode", {"mode": missing_modes[0]}))
        missing_photos = [p for p in PHOTO_TYPES if p not in t.photo_types]
        if missing_photos:
            out.append(("garment_photo_type", {"garment_photo_type": missing_photos[0]}))
        if t.composition is None:
            out.append(("prompt_template", {"prompt_template": DEFAULT_TEMPLATE}))
        if self.caps.max_n is not None:
            out.append(("n", {"n": self.caps.max_n + 1}))
        return out


class TryOnConformance:
    """The try-on checks of the conformance suite (needs the ``router``, ``generator`` and
    ``emulator`` fixtures of :class:`~tryon.testing.conformance.GeneratorConformance`)."""

    person_size: tuple[int, int] = (256, 384)
    garment_size: tuple[int, int] = (256, 256)

    def person_image(self) -> Any:
        """The person of every sample try-on (any input tryon accepts)."""
        return _png(self.person_size, (180, 120, 90))

    def garment_image(self) -> Any:
        """The garment of every sample try-on."""
        return _png(self.garment_size, (20, 60, 200))

    def try_on_options(self, generator: Any) -> dict[str, Any]:
        """The options of the sample try-on for *generator* (a mask is drawn when one is needed)."""
        options = TryOnRequirements(generator.capabilities, generator.model_id).sample_options()
        if "mask" in options:
            options["mask"] = _mask(self.person_size)
        return options

    def sent_try_on_words(self, emulator: Any, generator: Any) -> Mapping[str, Any] | None:
        """The provider words of the last try-on request *emulator* received, as a mapping with the
        keys ``category``, ``mode`` and ``photo_type`` the provider has fields for (a key left out
        is not checked). ``None`` (the default) skips the wire checks."""
        return None

    def _check_word(self, emulator: Any, generator: Any, key: str, expected: str | None) -> None:
        words = self.sent_try_on_words(emulator, generator)
        if words is None or key not in words:
            return
        assert words[key] == expected, f"{key}: sent {words[key]!r}, the declaration maps it to {expected!r}"

    def __try_on(self, router: Any, generator: Any, **changes: Any) -> Any:
        options = {**self.try_on_options(generator), **changes}
        garments = options.pop("garments", self.garment_image())
        for name in ("category", "mask", "mask_prompt"):
            if name in options and options[name] is None:
                options.pop(name)  # None = left unset
        return router.try_on(self.person_image(), garments, model=generator.model_id, **options)

    @pytest.fixture
    def try_on_requirements(self, generator: Any) -> TryOnRequirements:
        return TryOnRequirements(generator.capabilities, generator.model_id)

    # ------------------------------------------------------------------ declarations

    def test_try_on_declaration_is_coherent(self, generator: Any, try_on_requirements: TryOnRequirements) -> None:
        _require(try_on_requirements.try_on)
        caps = generator.capabilities
        t = caps.try_on
        assert t.categories or t.auto_category
        if t.composition is None:
            assert callable(getattr(generator, "try_on", None)), "a dedicated try-on model implements try_on"
        else:
            assert caps.can_edit and caps.max_input_images >= t.max_garments + 1
        if caps.inputs.max_count is not None:
            assert caps.inputs.max_count >= t.max_garments + 1, "inputs.max_count must fit the person and garments"
        assert caps.inputs.accepted_types, "a try-on model must accept some input type"
        assert t.mask_modes <= set(MASK_MODES)
        if "image" in t.mask_modes and t.composition is not None:
            assert caps.mask

    # ------------------------------------------------------------------ refused before the network

    def test_try_on_unsupported_options_are_rejected_before_the_network(
            self, router: Any, generator: Any, try_on_requirements: TryOnRequirements, emulator: Any) -> None:
        _require(try_on_requirements.try_on)
        before = len(emulator.requests)
        for option, changes in try_on_requirements.unsupported_options(self.garment_image(),
                                                                       _mask(self.person_size)):
            with pytest.raises(UnsupportedOptionError) as err:
                self.__try_on(router, generator, **changes)
            assert generator.model_id in str(err.value), f"{option}: the error must name the model"
            assert option in err.value.options, f"{option}: not named in {err.value.options}"
        assert len(emulator.requests) == before, "a refused try-on reached the provider"

    # ------------------------------------------------------------------ round trips

    def test_try_on_returns_an_image(self, router: Any, generator: Any,
                                     try_on_requirements: TryOnRequirements) -> None:
        _require(try_on_requirements.try_on)
        result = self.__try_on(router, generator)
        assert len(result.images) == 1 and result.images[0].width > 0
        assert result.model == generator.model_id and result.provider == generator.provider
        assert result.images[0].info["operation"] == "try_on"

    def test_try_on_takes_each_declared_category(self, router: Any, generator: Any,
                                                 try_on_requirements: TryOnRequirements, emulator: Any) -> None:
        _require(try_on_requirements.try_on)
        t = generator.capabilities.try_on
        categories = [c for c in TOP_LEVEL_CATEGORIES if t.takes_category(c)]
        if not categories:
            pytest.skip(f"{generator.model_id} maps only finer categories")
        for category in categories:
            assert len(self.__try_on(router, generator, category=category).images) == 1, category
            if t.composition is None and t.category_sent:
                self._check_word(emulator, generator, "category", t.category_word(category))

    def test_try_on_takes_each_declared_mode_and_photo_type(self, router: Any, generator: Any,
                                                            try_on_requirements: TryOnRequirements,
                                                            emulator: Any) -> None:
        _require(try_on_requirements.try_on)
        t = generator.capabilities.try_on
        cases = [{"mode": m} for m in t.modes] + [{"garment_photo_type": p} for p in t.photo_types]
        if not cases:
            pytest.skip(f"{generator.model_id} declares no try-on modes or photo types")
        for changes in cases:
            assert len(self.__try_on(router, generator, **changes).images) == 1, changes
            if t.composition is None:
                [(option, value)] = changes.items()
                key, word = (("mode", t.mode_word(value)) if option == "mode"
                             else ("photo_type", t.photo_type_word(value)))
                self._check_word(emulator, generator, key, word)

    def test_try_on_takes_each_declared_mask_mode(self, router: Any, generator: Any,
                                                  try_on_requirements: TryOnRequirements) -> None:
        _require(try_on_requirements.try_on)
        modes = generator.capabilities.try_on.mask_modes
        base = {k: v for k, v in self.try_on_options(generator).items() if k not in ("mask", "mask_prompt")}
        for mode in sorted(modes):
            options = dict(base)
            if mode == "image":
                options["mask"] = _mask(self.person_size)
            elif mode == "prompt":
                options["mask_prompt"] = "the upper-body garment"
            garments = self.garment_image()
            result = router.try_on(self.person_image(), garments, model=generator.model_id, **options)
            assert len(result.images) == 1, mode

    def test_try_on_n_images_come_back(self, router: Any, generator: Any,
                                       try_on_requirements: TryOnRequirements) -> None:
        _require(try_on_requirements.try_on)
        caps = generator.capabilities
        n = caps.max_images_per_call + 1
        if caps.max_n is not None:
            n = min(n, caps.max_n)
        result = self.__try_on(router, generator, n=n)
        assert len(result.images) == n

    def test_try_on_several_garments(self, router: Any, generator: Any,
                                     try_on_requirements: TryOnRequirements) -> None:
        _require(try_on_requirements.try_on)
        t = generator.capabilities.try_on
        if t.max_garments < 2:
            pytest.skip(f"{generator.model_id} takes one garment per try-on")
        result = self.__try_on(router, generator, garments=[self.garment_image(), self.garment_image()])
        assert len(result.images) == 1


def _require(reason: str | None) -> None:
    if reason is not None:
        pytest.skip(reason)

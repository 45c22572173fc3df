"""What a model declares about virtual try-on: :class:`TryOnCapabilities`, as data.

A model that serves try-on has ``Operation.TRY_ON`` in its ``Capabilities.operations`` and a
``Capabilities(try_on=TryOnCapabilities(...))``. Everything else a try-on call is checked
against (``n`` per call, sizes, output formats, seed, moderation, input limits, price,
lifecycle) is the model's ordinary :class:`~tryon.capabilities.Capabilities`.

Each normalised option with a provider vocabulary is a mapping from tryon's word to the
provider's (``categories``, ``modes``, ``photo_types``): what is not a key is refused before any
call, naming the models that take it; the plugin sends the mapped word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from tryon.vto.garments import CATEGORIES, category_chain

__all__ = ["MASK_MODES", "MODES", "PHOTO_TYPES", "PROMPT_POLICIES", "Composition", "TryOnCapabilities"]

MODES: tuple[str, ...] = ("speed", "balanced", "quality")
"""tryon's try-on modes (``mode=``): faster and cheaper, or slower and better."""

PHOTO_TYPES: tuple[str, ...] = ("auto", "flat-lay", "worn")
"""How garment images were taken (``garment_photo_type=``): laid flat / on a hanger, worn by
someone, or left to the model to tell."""

MASK_MODES: tuple[str, ...] = ("auto", "image", "prompt")
"""Where the garment goes: ``auto`` (no mask given: the model finds the area itself, e.g. from
the garment's category), ``image`` (``mask=``, black = change, as everywhere in tryon) or
``prompt`` (``mask_prompt=``, the area described in words)."""

PROMPT_POLICIES: tuple[str, ...] = ("forbidden", "optional", "required")
"""Whether a try-on model takes a text prompt (``prompt=``)."""


def _words(value: Mapping[str, str], known: Iterable[str], what: str, *, empty: bool = False) -> Mapping[str, str]:
    value = dict(value)
    stray = set(value) - set(known)
    if stray:
        raise ValueError(f"{what} names {sorted(stray)}, which are not tryon's; known: {', '.join(known)}")
    bad = [k for k, v in value.items() if not isinstance(v, str) or not (v or empty)]
    if bad:
        kind = "a string" if empty else "a non-empty string"
        raise ValueError(f"{what}: the provider's word for {sorted(bad)} must be {kind}")
    return MappingProxyType(value)


def _categories(value: Mapping[str, str]) -> Mapping[str, str]:
    return _words(value, CATEGORIES, "categories")


def _modes(value: Mapping[str, str]) -> Mapping[str, str]:
    return _words(value, MODES, "modes")


def _photo_types(value: Mapping[str, str]) -> Mapping[str, str]:
    return _words(value, PHOTO_TYPES, "photo_types", empty=True)  # a composition's words may be empty


def _mask_modes(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise TypeError("mask_modes is a collection of mask modes, not a single string")
    modes = frozenset(value)
    if not modes or modes - set(MASK_MODES):
        raise ValueError(f"mask_modes must be a non-empty subset of {', '.join(MASK_MODES)}; got {sorted(modes)}")
    return modes


@attrs.frozen(kw_only=True)
class Composition:
    """Try-on served by the model's ordinary multi-image edit: the person is image 1, each garment
    the next image, and the prompt is rendered from ``template`` (see :mod:`tryon.vto.composition`
    for its fields). A call may replace the template with ``prompt_template=...``."""

    template: str = attrs.field(default=None, converter=lambda v: _default_template() if v is None else v)
    garment_line: str = attrs.field(default=None,
                                    converter=lambda v: _default_garment_line() if v is None else v)

    def __attrs_post_init__(self) -> None:
        from tryon.vto.composition import template_problem

        for name, text, fields in (("template", self.template, "template"),
                                   ("garment_line", self.garment_line, "garment_line")):
            why = template_problem(text, fields)
            if why is not None:
                raise ValueError(f"Composition.{name}: {why}")


def _default_template() -> str:
    from tryon.vto.composition import DEFAULT_TEMPLATE

    return DEFAULT_TEMPLATE


def _default_garment_line() -> str:
    from tryon.vto.composition import DEFAULT_GARMENT_LINE

    return DEFAULT_GARMENT_LINE


@attrs.frozen(kw_only=True)
class TryOnCapabilities:
    """A model's try-on abilities. Mappings go from tryon's words to the provider's.

    - ``categories``: the garment categories it takes (:data:`~tryon.vto.garments.CATEGORIES`)
      and the provider's word for each; a finer category that is not a key is sent as its
      nearest mapped parent; ``auto_category``: garments may come without a category (the model
      tells; ``auto_category_word`` is what the plugin sends then, if anything); ``category_sent``:
      ``False`` when the provider has no category field, so ``categories`` is the model's stated
      scope (checked before a call, never sent; its words are then only labels).
    - ``max_garments``: garments per call; ``prompt``: ``forbidden``, ``optional`` or
      ``required``; ``mask_modes``: a subset of :data:`MASK_MODES`; ``modes`` and
      ``photo_types``: the ``mode=`` and ``garment_photo_type=`` values it takes.
    - ``composition``: set when the model serves try-on through its edit path (the core renders
      the prompt and calls ``edit``); ``None`` for a dedicated try-on model (the core calls its
      generator's ``try_on``).
    - ``note``: one line for the comparison table in docs/try-on.md.
    """

    categories: Mapping[str, str] = attrs.field(converter=_categories)
    auto_category: bool = False
    auto_category_word: str | None = None
    category_sent: bool = True
    max_garments: int = 1
    prompt: str = attrs.field(default="forbidden", validator=attrs.validators.in_(PROMPT_POLICIES))
    mask_modes: frozenset[str] = attrs.field(default=frozenset({"auto"}), converter=_mask_modes)
    modes: Mapping[str, str] = attrs.field(factory=dict, converter=_modes)
    photo_types: Mapping[str, str] = attrs.field(factory=dict, converter=_photo_types)
    composition: Composition | None = None
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if isinstance(self.max_garments, bool) or not isinstance(self.max_garments, int) or self.max_garments < 1:
            raise ValueError("max_garments must be a whole number of at least 1")
        if not self.categories and not self.auto_category:
            raise ValueError("a try-on model takes some categories, or garments without one (auto_category=True)")

    @property
    def prompt_allowed(self) -> bool:
        return self.prompt != "forbidden"

    @property
    def prompt_required(self) -> bool:
        return self.prompt == "required"

    @property
    def composed(self) -> bool:
        """Served by composition on the model's edit path."""
        return self.composition is not None

    def category_word(self, category: str | None) -> str | None:
        """The provider's word for *category* (its own, else its nearest mapped parent's); for
        ``None`` the ``auto_category_word``. ``None`` when the category is not taken."""
        if category is None:
            return self.auto_category_word
        for name in category_chain(category):
            if name in self.categories:
                return self.categories[name]
        return None

    def takes_category(self, category: str | None) -> bool:
        """Whether a garment of *category* (``None``: none given) can be sent."""
        if category is None:
            return self.auto_category
        return any(name in self.categories for name in category_chain(category))

    def accepted_categories(self) -> tuple[str, ...]:
        """Every tryon category this model takes (mapped ones and their finer categories)."""
        return tuple(c for c in CATEGORIES if self.takes_category(c))

    def mode_word(self, mode: str | None) -> str | None:
        """The provider's word for *mode* (``None`` when unset or not taken)."""
        return None if mode is None else self.modes.get(mode)

    def photo_type_word(self, photo_type: str | None) -> str | None:
        """The provider's word for *photo_type* (``None`` when unset or not taken)."""
        return None if photo_type is None else self.photo_types.get(photo_type)

    @classmethod
    def by_composition(cls, max_input_images: int, *, mask: bool = False,
                       composition: Composition | None = None, **changes: Any) -> TryOnCapabilities:
        """The declaration of a general multi-image editor that serves try-on by composition:
        every category (named in words in the prompt), garments without one, up to
        ``max_input_images - 1`` garments, an optional prompt, a mask when the edit takes one."""
        from tryon.vto.composition import CATEGORY_WORDS, PHOTO_TYPE_WORDS

        if max_input_images < 2:
            raise ValueError("composition try-on needs a model that takes at least two input images")
        values: dict[str, Any] = {
            "categories": CATEGORY_WORDS, "auto_category": True, "auto_category_word": "a garment",
            "max_garments": max_input_images - 1, "prompt": "optional",
            "mask_modes": {"auto", "image"} if mask else {"auto"}, "photo_types": PHOTO_TYPE_WORDS,
            "composition": composition or Composition(),
            "note": "composition: a multi-image edit with a prompt naming each input's role",
        }
        values.update(changes)
        return cls(**values)

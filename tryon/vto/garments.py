"""tryon's garment vocabulary and :class:`Garment`, one garment image of a try-on.

Categories are tryon's own words. Six top-level ones (``top``, ``bottom``, ``one-piece``,
``outerwear``, ``footwear``, ``accessory``) and finer ones under them (``long-sleeve-top`` is a
``top``). A plugin maps them to its provider's words (:attr:`TryOnCapabilities.categories`);
a finer category a plugin does not map is sent as its parent's word, and a category neither it
nor its parent is mapped is refused before any call.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from tryon.errors import InvalidOptionError, Problem

__all__ = ["CATEGORIES", "TOP_LEVEL_CATEGORIES", "Garment", "category_chain", "check_category", "parent_of"]

TOP_LEVEL_CATEGORIES: tuple[str, ...] = ("top", "bottom", "one-piece", "outerwear", "footwear", "accessory")
"""The six broad categories, in the order docs and tables list them."""

CATEGORIES: Mapping[str, str | None] = MappingProxyType({
    **{name: None for name in TOP_LEVEL_CATEGORIES},
    "long-sleeve-top": "top",
    "short-sleeve-top": "top",
    "sleeveless-top": "top",
    "trousers": "bottom",
    "shorts": "bottom",
    "skirt": "bottom",
    "long-dress": "one-piece",
    "short-dress": "one-piece",
    "jumpsuit": "one-piece",
    "jacket": "outerwear",
    "coat": "outerwear",
    "shoes": "footwear",
    "boots": "footwear",
    "bag": "accessory",
    "hat": "accessory",
    "eyewear": "accessory",
    "jewelry": "accessory",
})
"""Every category tryon knows, mapped to its parent (``None`` for a top-level category)."""


def parent_of(category: str) -> str | None:
    """The broader category *category* belongs to (``None`` for a top-level one)."""
    return CATEGORIES[category]


def category_chain(category: str) -> tuple[str, ...]:
    """*category* then its parents: the order in which a plugin's mapping is looked up."""
    chain = [category]
    while (parent := CATEGORIES.get(chain[-1])) is not None:
        chain.append(parent)
    return tuple(chain)


def _category_problem(value: Any, option: str = "category") -> Problem | None:
    if value is None or (isinstance(value, str) and value in CATEGORIES):
        return None
    if not isinstance(value, str):
        return Problem(option, value, f"{option} must be one of tryon's garment categories, not "
                                      f"{type(value).__name__}; known: {', '.join(CATEGORIES)}")
    close = difflib.get_close_matches(value, list(CATEGORIES), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return Problem(option, value, f"{option}={value!r} is not a tryon garment category; {hint}"
                                  f"known: {', '.join(CATEGORIES)}")


def check_category(value: Any, option: str = "category") -> str | None:
    """*value* as a category (lower-cased, ``_``/space read as ``-``); an unknown one is an
    :class:`~tryon.errors.InvalidOptionError` listing the known categories."""
    normal = _normal(value)
    problem = _category_problem(normal, option)
    if problem is not None:
        raise InvalidOptionError([problem])
    return normal


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip().lower().replace("_", "-").replace(" ", "-")
        return value or None
    return value


@attrs.frozen(kw_only=False)
class Garment:
    """One garment of a try-on: its image (any input tryon accepts) and, optionally, its category.

    ``category=None`` leaves the category to the model (refused by models that need one).
    After routing, ``image`` holds the prepared :class:`tryon.media.InputImage`.
    """

    image: Any = attrs.field(repr=False)
    category: str | None = attrs.field(default=None, converter=_normal)

    def __attrs_post_init__(self) -> None:
        if self.image is None:
            raise InvalidOptionError([Problem("garments", None, "a garment needs an image (a path, URL, bytes, "
                                                                "PIL image, ...), not None")])
        problem = _category_problem(self.category)
        if problem is not None:
            raise InvalidOptionError([problem])

    @classmethod
    def of(cls, value: Any, category: str | None = None) -> Garment:
        """*value* as a garment: a :class:`Garment`, a mapping with ``image`` (and ``category``),
        or an image; *category* fills in a garment that has none."""
        if isinstance(value, Garment):
            garment = value
        elif isinstance(value, Mapping):
            unknown = set(value) - {"image", "category"}
            if unknown or "image" not in value:
                extra = f"; unknown: {', '.join(sorted(map(str, unknown)))}" if unknown else ""
                raise InvalidOptionError([Problem("garments", {k: "..." for k in value},
                                                  f"a garment mapping takes the keys 'image' (required) and "
                                                  f"'category'{extra}")])
            garment = cls(value["image"], value.get("category"))
        else:
            garment = cls(value)
        if garment.category is None and category is not None:
            garment = attrs.evolve(garment, category=category)
        return garment

"""Amazon Nova Canvas on Bedrock, as data: its options, limits and prices.

Nova Canvas is one model id with seven task types. tryon maps them onto its operations
(see :mod:`tryon_bedrock.tasks`): ``generate`` is ``TEXT_IMAGE`` (``COLOR_GUIDED_GENERATION``
with ``colors``); ``edit`` with a mask (or ``mask_prompt``) is ``INPAINTING``, or
``OUTPAINTING`` with ``task="outpainting"``; ``edit`` without one is ``IMAGE_VARIATION``
(1-5 reference images); ``task="background_removal"``, ``"conditioning"`` (``TEXT_IMAGE`` with a
condition image) and ``"color_guided"`` pick the others. Every fact carries its source
(:mod:`.sources`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, ClassVar

import attrs

from tryon.capabilities import Capabilities, Lifecycle, Operation, Rule
from tryon.media.limits import InputLimits
from tryon.pricing import PerImage, Price
from tryon.sizes import SizeRule, Sizes
from tryon.vto import TryOnCapabilities

from .sources import NOVA_CANVAS_SOURCES, PRICE_SOURCES

__all__ = [
    "GARMENT_CLASSES",
    "MAX_INPUT_PIXELS",
    "MAX_SEED",
    "MAX_TEXT",
    "MODEL_ID",
    "NOVA_CANVAS",
    "REGIONS",
    "STYLES",
    "TASKS",
    "TRY_ON",
    "NovaCanvasOptions",
]

MODEL_ID = "amazon.nova-canvas-v1:0"
#: Regions that serve Nova Canvas (AWS's lifecycle table and Bedrock's model card).
REGIONS = ("us-east-1", "eu-west-1", "ap-northeast-1")
#: ``text`` and ``negativeText`` together (conservative: a 2025 service card says combined).
MAX_TEXT = 1024
#: The largest seed accepted (AWS's own SDK examples; the schema allows up to 2,147,483,646).
MAX_SEED = 858_993_459
#: Output sizes: each side 320-4096, multiples of 16, aspect 1:4-4:1, under 4,194,304 pixels.
MAX_OUTPUT_PIXELS = 4_194_303
#: Input images of edits: at most 4,194,304 pixels, sides 320-4096 (any multiple), aspect 1:4-4:1.
MAX_INPUT_PIXELS = 4_194_304
MIN_INPUT_EDGE = 320
STYLES = ("3D_ANIMATED_FAMILY_FILM", "DESIGN_SKETCH", "FLAT_VECTOR_ILLUSTRATION", "GRAPHIC_NOVEL_ILLUSTRATION",
          "MAXIMALISM", "MIDCENTURY_RETRO", "PHOTOREALISM", "SOFT_DIGITAL_PAINTING")
#: tryon's names of the task types an ``edit`` can pick (``None``: chosen from the request).
TASKS = ("inpainting", "outpainting", "variation", "background_removal", "conditioning", "color_guided")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SWITCH = ("ON", "OFF", "DEFAULT")


def _upper(value: Any) -> Any:
    return value.strip().upper().replace("-", "_").replace(" ", "_") if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower().replace("-", "_").replace(" ", "_") if isinstance(value, str) else value


def _number_in(low: float, high: float) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{attribute.name} must be a number from {low:g} to {high:g}, not {value!r}")
        if not low <= value <= high:
            raise ValueError(f"{attribute.name}={value!r} is out of range: use {low:g} to {high:g}")

    return check


def _one_of(values: tuple[str, ...]) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and value not in values:
            raise ValueError(f"{attribute.name}={value!r} is not one of {', '.join(values)}")

    return check


def _text(limit: int) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{attribute.name} must be non-empty text, not {value!r}")
        if len(value) > limit:
            raise ValueError(f"{attribute.name} is {len(value)} characters; Nova Canvas takes at most {limit}")

    return check


def _colors(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [part for part in re.split(r"[\s,]+", value) if part]
    return tuple(v.upper() if isinstance(v, str) else v for v in value)


def _check_colors(_instance: Any, attribute: attrs.Attribute[Any], value: tuple[Any, ...] | None) -> None:
    if value is None:
        return
    if not 1 <= len(value) <= 10:
        raise ValueError(f"colors takes 1 to 10 '#RRGGBB' values, not {len(value)}")
    bad = [v for v in value if not isinstance(v, str) or not _HEX.match(v)]
    if bad:
        raise ValueError(f"colors must be '#RRGGBB' hexadecimal values; {bad[0]!r} is not")


@attrs.frozen(kw_only=True)
class NovaCanvasOptions:
    """Nova Canvas's own options (``tryon.edit(..., task="outpainting", negative_text="text")``).

    ``task``: which task type an ``edit`` is (``inpainting``, ``outpainting``, ``variation``,
    ``background_removal``, ``conditioning``, ``color_guided``; unset: inpainting with a mask or
    ``mask_prompt``, else variation). ``negative_text``: what not to show. ``style``: one of
    :data:`STYLES`. ``cfg_scale``: prompt adherence, 1.1-10 (6.5). ``colors``: 1-10 ``#RRGGBB``
    values (color-guided generation). ``similarity_strength``: 0.2-1.0, how close a variation
    stays to its references (0.7). ``control_mode`` (``CANNY_EDGE``, ``SEGMENTATION``) and
    ``control_strength`` (0-1, 0.7): how a conditioning image guides the layout. ``mask_prompt``:
    a description of the area to mask, instead of a mask image. ``outpainting_mode``:
    ``DEFAULT`` or ``PRECISE``.

    Try-on only (``VIRTUAL_TRY_ON``): ``mask_shape`` (``CONTOUR``, ``BOUNDING_BOX``, ``DEFAULT``) of
    the garment or prompt mask; ``long_sleeve_style`` (``SLEEVE_DOWN``/``SLEEVE_UP``),
    ``tucking_style`` (``UNTUCKED``/``TUCKED``) and ``outer_layer_style`` (``CLOSED``/``OPEN``) of
    the garment mask; ``preserve_body_pose``, ``preserve_hands``, ``preserve_face`` (``ON``,
    ``OFF``, ``DEFAULT``); ``merge_style`` (``BALANCED``, ``SEAMLESS``, ``DETAILED``).
    """

    task: str | None = attrs.field(default=None, converter=_lower, validator=_one_of(TASKS))
    negative_text: str | None = attrs.field(default=None, validator=_text(MAX_TEXT))
    style: str | None = attrs.field(default=None, converter=_upper, validator=_one_of(STYLES))
    cfg_scale: float | None = attrs.field(default=None, validator=_number_in(1.1, 10.0))
    colors: tuple[str, ...] | None = attrs.field(default=None, converter=_colors, validator=_check_colors)
    similarity_strength: float | None = attrs.field(default=None, validator=_number_in(0.2, 1.0))
    control_mode: str | None = attrs.field(default=None, converter=_upper,
                                           validator=_one_of(("CANNY_EDGE", "SEGMENTATION")))
    control_strength: float | None = attrs.field(default=None, validator=_number_in(0.0, 1.0))
    mask_prompt: str | None = attrs.field(default=None, validator=_text(MAX_TEXT))
    outpainting_mode: str | None = attrs.field(default=None, converter=_upper,
                                               validator=_one_of(("DEFAULT", "PRECISE")))
    mask_shape: str | None = attrs.field(default=None, converter=_upper,
                                         validator=_one_of(("CONTOUR", "BOUNDING_BOX", "DEFAULT")))
    long_sleeve_style: str | None = attrs.field(default=None, converter=_upper,
                                                validator=_one_of(("SLEEVE_DOWN", "SLEEVE_UP")))
    tucking_style: str | None = attrs.field(default=None, converter=_upper, validator=_one_of(("UNTUCKED", "TUCKED")))
    outer_layer_style: str | None = attrs.field(default=None, converter=_upper, validator=_one_of(("CLOSED", "OPEN")))
    preserve_body_pose: str | None = attrs.field(default=None, converter=_upper, validator=_one_of(_SWITCH))
    preserve_hands: str | None = attrs.field(default=None, converter=_upper, validator=_one_of(_SWITCH))
    preserve_face: str | None = attrs.field(default=None, converter=_upper, validator=_one_of(_SWITCH))
    merge_style: str | None = attrs.field(default=None, converter=_upper,
                                          validator=_one_of(("BALANCED", "SEAMLESS", "DETAILED")))

    #: Options of try-on only (``VIRTUAL_TRY_ON``); the others are of generate and edit only, except ``cfg_scale``.
    TRY_ON_ONLY: ClassVar[tuple[str, ...]] = (
        "mask_shape", "long_sleeve_style", "tucking_style", "outer_layer_style", "preserve_body_pose",
        "preserve_hands", "preserve_face", "merge_style")


def _task_rule(option: str, tasks: set[str | None], what: str) -> Rule:
    names = [f"task={t!r}" for t in sorted(t for t in tasks if t)]
    if None in tasks:
        names.insert(0, "no task")
    return Rule.requires(f"options.{option}", None, "options.task", tasks,
                         f"{option} belongs to {what} ({' or '.join(names)})")


_MASK_TASKS: set[str | None] = {None, "inpainting", "outpainting"}

RULES = (
    Rule.excludes("mask", "options.mask_prompt", "pass a mask image or mask_prompt, not both"),
    Rule.requires("mask", None, "options.task", _MASK_TASKS,
                  "a mask belongs to inpainting or outpainting (task='inpainting' or 'outpainting')"),
    _task_rule("mask_prompt", _MASK_TASKS, "inpainting or outpainting"),
    _task_rule("outpainting_mode", {"outpainting"}, "outpainting"),
    _task_rule("similarity_strength", {None, "variation"}, "image variation"),
    _task_rule("control_mode", {"conditioning"}, "conditioning"),
    _task_rule("control_strength", {"conditioning"}, "conditioning"),
    _task_rule("colors", {None, "color_guided"}, "color-guided generation"),
    _task_rule("style", {None, "conditioning"}, "text to image"),
    *(Rule.forbids("options.task", "background_removal", name,
                   f"background removal takes only the image: {name.removeprefix('options.')} does not apply")
      for name in ("size", "quality", "seed", "options.negative_text", "options.cfg_scale")),
)

PRICE = Price(
    rates=PerImage(table={
        None: {"1024x1024": 0.04, "2048x2048": 0.06},  # the service default quality (standard)
        "standard": {"1024x1024": 0.04, "2048x2048": 0.06},
        "premium": {"1024x1024": 0.06, "2048x2048": 0.08},
    }),
    sources=PRICE_SOURCES,
)

#: tryon's garment categories -> Nova Canvas's garment classes (the four broad ones and the finer ones).
GARMENT_CLASSES = {
    "top": "UPPER_BODY", "long-sleeve-top": "LONG_SLEEVE_SHIRT", "short-sleeve-top": "SHORT_SLEEVE_SHIRT",
    "sleeveless-top": "NO_SLEEVE_SHIRT", "outerwear": "UPPER_BODY",
    "bottom": "LOWER_BODY", "trousers": "LONG_PANTS", "shorts": "SHORT_PANTS", "skirt": "OTHER_LOWER_BODY",
    "one-piece": "FULL_BODY", "long-dress": "LONG_DRESS", "short-dress": "SHORT_DRESS",
    "jumpsuit": "FULL_BODY_OUTFIT",
    "footwear": "FOOTWEAR", "shoes": "SHOES", "boots": "BOOTS",
}

TRY_ON = TryOnCapabilities(
    categories=GARMENT_CLASSES,
    auto_category=False,  # the garment mask needs a class; with mask=/mask_prompt= a category is still asked for
    max_garments=1,
    prompt="forbidden",
    mask_modes={"auto", "image", "prompt"},
    # Nova's speed/quality trade-off is its ``quality`` (standard/premium), which try-on takes as generation does
    # (and prices by); no ``mode=`` is declared, so a mode is refused naming the models that take one.
    note="VIRTUAL_TRY_ON: one reference image (it may hold several items), garment-class, prompt or image mask, "
         "no text prompt, up to 5 images; retired on Bedrock 2026-09-30",
)

NOVA_CANVAS = Capabilities(
    operations={Operation.GENERATE, Operation.EDIT, Operation.TRY_ON},
    try_on=TRY_ON,
    mask=True,
    max_input_images=5,
    max_images_per_call=5,
    sizes=Sizes(rule=SizeRule(multiple_of=16, min_edge=320, max_edge=4096, min_aspect=0.25, max_aspect=4.0,
                              max_pixels=MAX_OUTPUT_PIXELS)),
    qualities={"standard", "premium"},
    output_formats={"png"},
    seed=True,
    seed_range=(0, MAX_SEED),
    max_prompt_length=MAX_TEXT,
    inputs=InputLimits(accepted_types={"image/png", "image/jpeg"}, max_pixels=MAX_INPUT_PIXELS, max_edge=4096,
                       max_count=5),
    lifecycle=Lifecycle(
        status="retired", deprecated_on=dt.date(2026, 3, 30), shutdown_on=dt.date(2026, 9, 30),
        successors=("gpt-image-2", "gemini-3.1-flash-image"),
        note="Legacy on Bedrock since 2026-03-30, end of life 2026-09-30: AWS serves it after that only under a "
             "private arrangement (say so with serves_retired); AWS names no successor id"),
    rules=RULES,
    # VIRTUAL_TRY_ON answers at the person image's size: a size is refused before any call
    operation_options={"size": {Operation.GENERATE, Operation.EDIT}},
    defaults={"output_format": "png"},
    provider_options=NovaCanvasOptions,
    price=PRICE,
    sources=NOVA_CANVAS_SOURCES,
)
"""Nova Canvas's capabilities (generate and edit; try-on is added where the core declares it)."""

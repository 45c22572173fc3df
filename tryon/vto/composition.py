"""Try-on by composition: a general multi-image editor dressed up as a try-on model.

A model that declares ``TryOnCapabilities(composition=Composition(...))`` (most simply
``TryOnCapabilities.by_composition(...)``) serves ``try_on`` through its ordinary edit path: the
core sends the person as image 1 and each garment as the next image, with a prompt rendered from
the template. The template (per model, or per call with ``prompt_template=...``) is a
:meth:`str.format` text with these fields:

- ``{person}``: ``"image 1"``;
- ``{garments}``: one line per garment, each rendered from the model's ``garment_line``;
- ``{items}``: what to put on, e.g. ``"the top from image 2 and the trousers from image 3"``;
- ``{count}``: the number of garments;
- ``{prompt}``: the caller's ``prompt=`` (additional instructions), or nothing.

A ``garment_line`` has the fields ``{number}`` (its image number: 2, 3, ...), ``{index}`` (1, 2,
...), ``{category}`` (the category in words, from the model's ``categories`` mapping: ``top`` is
"a top (upper-body garment)"), ``{name}`` (the category's short name, e.g. "top") and
``{photo}`` (how the garment was photographed, from ``garment_photo_type=``, or nothing).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from tryon.vto.garments import CATEGORIES

if TYPE_CHECKING:
    from tryon.request import EditRequest, TryOnRequest
    from tryon.vto.declaration import TryOnCapabilities

__all__ = [
    "CATEGORY_WORDS",
    "DEFAULT_GARMENT_LINE",
    "DEFAULT_TEMPLATE",
    "PHOTO_TYPE_WORDS",
    "TEMPLATE_FIELDS",
    "as_edit",
    "render",
    "sent_prompt",
    "template_problem",
]

DEFAULT_TEMPLATE = (
    "Virtual try-on. Image 1 shows the person. {garments} "
    "Show the person from image 1 wearing {items}. Keep the person's face, hair, skin tone, body shape and "
    "pose, and the background, framing and lighting of image 1 unchanged. Reproduce each garment's colour, "
    "pattern, fabric, logos and details exactly as in its image, fitted naturally to the body with realistic "
    "folds and shadows. Replace only the clothing the new garments cover. {prompt}"
)
"""The template composition models use unless they declare their own or a call passes one."""

DEFAULT_GARMENT_LINE = "Image {number} shows {category}{photo}."
"""How each garment is introduced in ``{garments}``."""

TEMPLATE_FIELDS: Mapping[str, frozenset[str]] = MappingProxyType({
    "template": frozenset({"person", "garments", "items", "count", "prompt"}),
    "garment_line": frozenset({"number", "index", "category", "name", "photo"}),
})
"""The fields each kind of template may use."""

CATEGORY_WORDS: Mapping[str, str] = MappingProxyType({
    "top": "a top (an upper-body garment)",
    "bottom": "a bottom (trousers, shorts or a skirt)",
    "one-piece": "a one-piece garment (a dress or jumpsuit covering upper and lower body)",
    "outerwear": "outerwear (a jacket or coat worn over other clothes)",
    "footwear": "footwear",
    "accessory": "an accessory",
    "long-sleeve-top": "a long-sleeved top",
    "short-sleeve-top": "a short-sleeved top",
    "sleeveless-top": "a sleeveless top",
    "trousers": "a pair of long trousers",
    "shorts": "a pair of shorts",
    "skirt": "a skirt",
    "long-dress": "a long dress",
    "short-dress": "a short dress",
    "jumpsuit": "a jumpsuit",
    "jacket": "a jacket",
    "coat": "a coat",
    "shoes": "a pair of shoes",
    "boots": "a pair of boots",
    "bag": "a bag",
    "hat": "a hat",
    "eyewear": "eyewear (glasses or sunglasses)",
    "jewelry": "jewellery",
})
"""Each category in words, for composition models' ``categories`` mapping."""
assert set(CATEGORY_WORDS) == set(CATEGORIES)

PHOTO_TYPE_WORDS: Mapping[str, str] = MappingProxyType({
    "auto": "",
    "flat-lay": ", photographed laid flat or on a hanger",
    "worn": ", worn by another person (take only the garment from that image, not the person)",
})
"""How each ``garment_photo_type`` reads in a garment line."""

_SHORT = {"one-piece": "one-piece garment", "accessory": "accessory"}


def template_problem(text: Any, kind: str = "template") -> str | None:
    """Why *text* cannot be a template of *kind* (``template`` or ``garment_line``), or ``None``."""
    allowed = TEMPLATE_FIELDS[kind]
    if not isinstance(text, str) or not text.strip():
        return f"a {kind} must be a non-empty text"
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        return f"not a valid str.format template ({exc}); write literal braces as {{{{ and }}}}"
    used = set()
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in allowed or spec or conversion:
            return (f"unknown field {{{field}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}; "
                    f"a {kind} may use {', '.join('{' + f + '}' for f in sorted(allowed))}")
        used.add(field)
    if kind == "template" and not used & {"garments", "items"}:
        return "a template must name the garments ({garments} or {items}), or the model cannot tell the inputs apart"
    return None


def _name(category: str | None) -> str:
    if category is None:
        return "garment"
    return _SHORT.get(category, category.replace("-", " "))


def _items(request: TryOnRequest) -> str:
    parts = [f"the {_name(g.category)} from image {i}" for i, g in enumerate(request.garments, start=2)]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def render(request: TryOnRequest, try_on: TryOnCapabilities) -> str:
    """The edit prompt for *request* on a composition model declared by *try_on*."""
    composition = try_on.composition
    if composition is None:
        raise ValueError("not a composition model")
    photo = PHOTO_TYPE_WORDS.get(request.garment_photo_type or "auto", "")
    if request.garment_photo_type is not None:
        photo = try_on.photo_types.get(request.garment_photo_type, photo)
    lines = []
    for index, garment in enumerate(request.garments, start=1):
        words = try_on.category_word(garment.category) or "a garment"
        lines.append(composition.garment_line.format(number=index + 1, index=index, category=words,
                                                     name=_name(garment.category), photo=photo))
    template = request.prompt_template or composition.template
    text = template.format(person="image 1", garments=" ".join(lines), items=_items(request),
                           count=len(request.garments), prompt=request.prompt.strip())
    return re.sub(r"[ \t]{2,}", " ", text).strip()  # an empty field leaves no double space


def sent_prompt(request: Any, caps: Any) -> str | None:
    """The prompt a composition model is sent for the try-on *request* (rendered from the template),
    or ``None`` when *request* is sent with its own prompt (not a try-on, or a dedicated model)."""
    from tryon.request import TryOnRequest

    try_on = getattr(caps, "try_on", None)
    if not isinstance(request, TryOnRequest) or try_on is None or try_on.composition is None:
        return None
    return render(request, try_on)


def as_edit(request: TryOnRequest, try_on: TryOnCapabilities) -> EditRequest:
    """The edit request that serves *request* on a composition model: the person as image 1,
    each garment the next, the rendered prompt, and every common option as it is."""
    from tryon.request import EditRequest

    return EditRequest(
        prompt=render(request, try_on), images=request.images, mask=request.mask, size=request.size,
        aspect_ratio=request.aspect_ratio, quality=request.quality, background=request.background, n=request.n,
        output_format=request.output_format, output_compression=request.output_compression,
        moderation=request.moderation, seed=request.seed, options=request.options,
        input_fidelity=request.input_fidelity)


COMPOSITION_CHECKED = "2026-12-02"
"""The day the composition declaration was last reviewed."""


def composition_source() -> Any:
    """The provenance of a composition declaration: tryon's own inference over the model's
    documented multi-image edit (the provider documents no try-on mode for it)."""
    from tryon.provenance import Source

    return Source(where="docs/try-on.md: tryon's composition over the model's documented multi-image edit",
                  checked=COMPOSITION_CHECKED, kind="inferred",
                  note="the provider documents multi-image edits, not try-on; garments per call = input images - 1 "
                       "(the person is one input); the prompt is tryon's template")


def with_composition(caps: Any, *, composition: Any = None, **changes: Any) -> Any:
    """*caps* (a :class:`~tryon.capabilities.Capabilities` of a multi-image editor) serving try-on
    by composition: ``Operation.TRY_ON`` added, ``try_on=TryOnCapabilities.by_composition(...)``
    sized from its input limits (*changes* narrow it), and the ``try_on`` source recorded."""
    import attrs

    from tryon.capabilities import Operation
    from tryon.vto.declaration import TryOnCapabilities

    inputs = caps.max_input_images if caps.inputs.max_count is None else min(caps.max_input_images,
                                                                             caps.inputs.max_count)
    declared = TryOnCapabilities.by_composition(inputs, mask=caps.mask, composition=composition, **changes)
    sources = caps.sources if "try_on" in caps.sources.facts else caps.sources.merged({"try_on": composition_source()})
    return attrs.evolve(caps, operations=caps.operations | {Operation.TRY_ON}, try_on=declared, sources=sources)

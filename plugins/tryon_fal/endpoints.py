"""A fal model as data: its endpoints, how tryon's request maps to each one's input, its capabilities.

fal serves each capability of a model family at its own endpoint (Seedream's
``.../text-to-image`` and ``.../edit``); a tryon model joins them: ``generate`` goes to one
endpoint, ``edit`` to another. An :class:`Endpoint` says which input fields carry what tryon
knows (images, mask, size, count, seed, format); provider options are sent under their own names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from tryon.capabilities import Capabilities, Operation

__all__ = ["PRESETS", "Endpoint", "FalModel"]

PRESETS: Mapping[str, str] = MappingProxyType({
    "square_hd": "1024x1024", "square": "512x512", "portrait_4_3": "768x1024", "portrait_16_9": "576x1024",
    "landscape_4_3": "1024x768", "landscape_16_9": "1024x576",
})
"""fal's ``image_size`` presets (fal's model pages: ``ImageSize`` enum values and their pixels)."""

_SIZE_STYLES = ("image_size", "aspect_ratio")


def _size_style(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value not in _SIZE_STYLES:
        raise ValueError(f"{attribute.name} must be one of {', '.join(_SIZE_STYLES)} or None, not {value!r}")


def _names(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Endpoint:
    """One fal endpoint (``path`` = its endpoint id, e.g. ``fal-ai/flux-2-pro/edit``) and its input fields.

    ``images``: the field of the input images (``single_image``: one URL string, else a list);
    ``mask`` and ``mask_edit`` (``"white"`` or ``"black"``: which colour marks the area to edit);
    ``size``: ``"image_size"`` (a ``{width, height}`` object or, with ``presets``, a preset's name),
    ``"aspect_ratio"`` or ``None``;
    ``n``, ``seed``, ``output_format``: field names or ``None`` when the endpoint has none;
    ``person``/``garment``/``category``/``mode``/``photo_type``/``moderation``: the fields of a try-on
    endpoint (values are the provider's words from ``Capabilities.try_on``); ``fixed``: fields always sent;
    ``options``: the provider options this endpoint takes (``None``: all of the model's).
    """

    path: str = attrs.field(validator=attrs.validators.matches_re(r"^[\w.-]+/[\w.-]+(/[\w.-]+)*$"))
    images: str | None = None
    single_image: bool = False
    mask: str | None = None
    mask_edit: str = attrs.field(default="white", validator=attrs.validators.in_(("white", "black")))
    size: str | None = attrs.field(default="image_size", validator=_size_style)
    presets: bool = False
    """Send a size that is one of fal's presets by its name (``square_hd``), for models that render
    at their own list of resolutions; else sizes go as ``{"width", "height"}``."""
    n: str | None = "num_images"
    seed: str | None = "seed"
    output_format: str | None = "output_format"
    person: str | None = None
    garment: str | None = None
    category: str | None = None
    mode: str | None = None
    photo_type: str | None = None
    moderation: str | None = None
    fixed: Mapping[str, Any] = attrs.field(factory=dict, converter=_mapping)
    options: frozenset[str] | None = attrs.field(default=None, converter=attrs.converters.optional(frozenset))
    wire_names: Mapping[str, str] = attrs.field(factory=dict, converter=_mapping)
    """Provider option name -> the endpoint's field name, where they differ (models files' ``send_as``)."""

    @property
    def app(self) -> str:
        """``owner/app``: the part of the path that status, result and cancel URLs use."""
        return "/".join(self.path.split("/")[:2])


@attrs.frozen(kw_only=True)
class FalModel:
    """A tryon model on fal: its id, the endpoint per operation, capabilities and aliases.

    The endpoint ids are aliases of the model, so ``model="fal-ai/flux-2-pro/edit"`` finds it too.
    """

    model_id: str
    capabilities: Capabilities
    generate: Endpoint | None = None
    edit: Endpoint | None = None
    tryon: Endpoint | None = None
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_names)
    endpoint_aliases: bool = True
    """Whether the endpoint ids are aliases of the model (first-party declarations)."""

    def __attrs_post_init__(self) -> None:
        ops = self.capabilities.operations
        for op, endpoint in ((Operation.GENERATE, self.generate), (Operation.EDIT, self.edit)):
            if (op in ops) != (endpoint is not None):
                raise ValueError(f"{self.model_id}: operation {op} is declared without an endpoint or the reverse")
        composed = self.capabilities.try_on is not None and self.capabilities.try_on.composed
        if (Operation.TRY_ON in ops and not composed) != (self.tryon is not None):
            raise ValueError(f"{self.model_id}: a dedicated try-on model needs a try-on endpoint and the reverse")
        known = set(self.capabilities.option_names())
        for endpoint in self.endpoints():
            stray = (endpoint.options or frozenset()) - known
            if stray:
                raise ValueError(f"{self.model_id}: {endpoint.path} names options the model does not declare: "
                                 f"{sorted(stray)}")

    def endpoints(self) -> tuple[Endpoint, ...]:
        return tuple(e for e in (self.generate, self.edit, self.tryon) if e is not None)

    def all_aliases(self) -> tuple[str, ...]:
        names = [*self.aliases, *((e.path for e in self.endpoints()) if self.endpoint_aliases else ())]
        return tuple(dict.fromkeys(n for n in names if n != self.model_id))

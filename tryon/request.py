"""Requests: what the caller asks for, validated at the boundary.

``None`` always means "the provider's default". Values that no model could accept (a
negative ``n``, ``output_compression=150``, a size that is not ``WxH``) are refused here
with :class:`~tryon.errors.InvalidOptionError`; whether a *model* accepts a value is the
router's business (:mod:`tryon.checks`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs

from tryon.capabilities import Operation
from tryon.copying import replace
from tryon.errors import InvalidOptionError, Problem
from tryon.secrets import is_secret_name, remember
from tryon.sizes import normalize_size, parse_ratio, parse_size, size_problem

__all__ = ["BACKGROUNDS", "EditRequest", "GenerateRequest", "Request", "TryOnRequest"]

BACKGROUNDS = frozenset({"transparent", "opaque", "auto"})
_FORMAT_ALIASES = {"jpg": "jpeg", "png": "png", "jpeg": "jpeg", "webp": "webp"}


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _format(value: Any) -> Any:
    if isinstance(value, str):
        v = value.strip().lower().lstrip(".")
        return _FORMAT_ALIASES.get(v, v)
    return value


def _size(value: Any) -> Any:
    """``"1024 x 1024"``, ``"1024X1024"``, the multiplication sign and ``(1024, 1024)`` all become
    ``"1024x1024"``; anything else is left as it is for :meth:`Request._problems` to refuse."""
    return normalize_size(value)


def _frozen_options(value: Any) -> Any:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        for name, item in value.items():
            if is_secret_name(str(name)) and isinstance(item, str):
                remember(item)  # a credential passed as an option is redacted wherever it would show
    return value


@attrs.frozen(kw_only=True)
class Request:
    """Options shared by generation and editing."""

    operation: ClassVar[Operation]

    prompt: str
    size: str | None = attrs.field(default=None, converter=_size)
    aspect_ratio: str | None = attrs.field(default=None, converter=_lower)
    quality: str | None = attrs.field(default=None, converter=_lower)
    background: str | None = attrs.field(default=None, converter=_lower)
    n: int = 1
    output_format: str | None = attrs.field(default=None, converter=_format)
    output_compression: int | None = None
    moderation: str | None = attrs.field(default=None, converter=_lower)
    seed: int | None = None
    partial_images: int | None = None
    options: Any = attrs.field(factory=dict, converter=_frozen_options, hash=False)
    """Provider-specific options: a mapping before routing, the model's typed options class after."""

    def __attrs_post_init__(self) -> None:
        problems = self._problems()
        if problems:
            raise InvalidOptionError(problems)

    def _prompt_problems(self) -> list[Problem]:
        """Problems of the prompt (a try-on may have none)."""
        out: list[Problem] = []
        if not isinstance(self.prompt, str):
            out.append(Problem("prompt", self.prompt, f"prompt must be a string, not {type(self.prompt).__name__}"))
        elif not self.prompt.strip():
            out.append(Problem("prompt", self.prompt, "prompt is empty; describe the image you want"))
        elif (bad := _unencodable(self.prompt)) is not None:
            out.append(Problem("prompt", "<prompt>", f"prompt has a lone surrogate {self.prompt[bad]!r} at position "
                               f"{bad}, which no service can receive as UTF-8; remove it (text decoded with "
                               "errors='surrogateescape' or a broken emoji leaves these)"))
        return out

    def _problems(self) -> list[Problem]:
        out: list[Problem] = self._prompt_problems()
        if self.size is not None and (
            not isinstance(self.size, str) or (self.size != "auto" and parse_size(self.size) is None)
        ):
            out.append(Problem("size", self.size, size_problem(self.size)))
        elif isinstance(self.size, str) and (wh := parse_size(self.size)) and 0 in wh:
            out.append(Problem("size", self.size, f"size={self.size!r} has a zero edge"))
        if self.aspect_ratio is not None and (
            not isinstance(self.aspect_ratio, str) or parse_ratio(self.aspect_ratio) is None
        ):
            out.append(Problem("aspect_ratio", self.aspect_ratio,
                               f"aspect_ratio={self.aspect_ratio!r} is not 'W:H' (e.g. '16:9')"))
        if self.background is not None and self.background not in BACKGROUNDS:
            out.append(Problem("background", self.background,
                               f"background={self.background!r} is not one of transparent, opaque, auto"))
        if not _is_int(self.n) or self.n < 1:
            out.append(Problem("n", self.n, f"n={self.n!r} must be a whole number of at least 1"))
        if self.output_compression is not None and (
            not _is_int(self.output_compression) or not 0 <= self.output_compression <= 100
        ):
            out.append(Problem("output_compression", self.output_compression,
                               f"output_compression={self.output_compression!r} must be an integer from 0 to 100"))
        if self.seed is not None and (not _is_int(self.seed) or self.seed < 0):
            out.append(Problem("seed", self.seed, f"seed={self.seed!r} must be a non-negative integer"))
        if self.partial_images is not None and (not _is_int(self.partial_images) or self.partial_images < 0):
            out.append(Problem("partial_images", self.partial_images,
                               f"partial_images={self.partial_images!r} must be a non-negative integer"))
        for name in ("quality", "moderation", "output_format"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                out.append(Problem(name, value, f"{name} must be a string, not {type(value).__name__}"))
        if isinstance(self.options, Mapping):
            for name, value in self.options.items():
                if isinstance(value, str) and (bad := _unencodable(value)) is not None:
                    out.append(Problem(str(name), "<text>", f"{name} has a lone surrogate {value[bad]!r} at "
                                       f"position {bad}, which no service can receive as UTF-8; remove it"))
        if not isinstance(self.options, Mapping) and not attrs.has(type(self.options)):
            out.append(Problem("options", self.options, "options must be a mapping of provider-specific options"))
        return out

    @classmethod
    def field_names(cls) -> frozenset[str]:
        """The names of this request type's fields (common options, and for edits the inputs)."""
        return _FIELD_NAMES[cls]

    def get(self, name: str) -> Any:
        """The value of a common or provider-specific option (``None`` when unset)."""
        if name.startswith("options."):
            name = name[len("options."):]
        elif name in self.field_names():
            return getattr(self, name)
        opts = self.options
        if isinstance(opts, Mapping):
            return opts.get(name)
        return getattr(opts, name, None)

    def set_options(self) -> dict[str, Any]:
        """The options the caller set (not ``None``), without the prompt and inputs."""
        skip = {"prompt", "images", "mask", "options"}
        out = {
            a.name: getattr(self, a.name)
            for a in attrs.fields(type(self))
            if a.name not in skip and getattr(self, a.name) is not None
        }
        if out.get("n") == 1:
            out.pop("n")
        return out

    def provider_options_dict(self) -> dict[str, Any]:
        opts = self.options
        if isinstance(opts, Mapping):
            return dict(opts)
        return {k: v for k, v in attrs.asdict(opts, recurse=False).items() if v is not None}

    def replace(self, **changes: Any) -> Any:
        """A copy with *changes*, validated like a new request."""
        return attrs.evolve(self, **changes)

    def copy_with(self, **changes: Any) -> Any:
        """A copy with *changes* that are already valid and in final form (no re-validation)."""
        return replace(self, **changes)


def _unencodable(text: str) -> int | None:
    """The position of the first character UTF-8 cannot encode (a lone surrogate), if any."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@attrs.frozen(kw_only=True)
class GenerateRequest(Request):
    """Text to image."""

    operation: ClassVar[Operation] = Operation.GENERATE


def _images(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, bytes, bytearray, memoryview)) or not isinstance(value, Sequence):
        return (value,)
    return tuple(value)


@attrs.frozen(kw_only=True)
class EditRequest(Request):
    """Edit (or condition on) one or more input images, optionally within a mask.

    ``images`` and ``mask`` hold what the caller passed (paths, URLs, bytes, ...) until the
    router prepares them; generators always receive :class:`tryon.media.InputImage` values.
    The mask follows the seed's convention: black = edit, white = keep.
    """

    operation: ClassVar[Operation] = Operation.EDIT

    images: tuple[Any, ...] = attrs.field(default=(), converter=_images, hash=False,
                                          repr=lambda v: f"<{len(v)} image(s)>")
    mask: Any = attrs.field(default=None, hash=False, repr=lambda v: "None" if v is None else "<mask>")
    input_fidelity: str | None = attrs.field(default=None, converter=_lower)

    def _problems(self) -> list[Problem]:
        out = super()._problems()
        if not self.images:
            out.append(Problem("images", self.images, "an edit needs at least one input image"))
        if self.input_fidelity is not None and self.input_fidelity not in {"low", "high"}:
            out.append(Problem("input_fidelity", self.input_fidelity,
                               f"input_fidelity={self.input_fidelity!r} is not 'low' or 'high'"))
        return out


def _no_prompt(value: Any) -> Any:
    return "" if value is None else value


def _garments(value: Any) -> tuple[Any, ...]:
    from tryon.vto.garments import Garment

    return tuple(Garment.of(g) for g in _images(value))


def _uses_prompt(template: str) -> bool:
    """Whether a (valid) try-on template has a ``{prompt}`` field."""
    import string

    return any(field == "prompt" for _, field, _, _ in string.Formatter().parse(template))


def _word(value: Any) -> Any:
    """``"Flat lay"``, ``"flat_lay"`` and ``"flat-lay"`` are one word."""
    if isinstance(value, str):
        return value.strip().lower().replace("_", "-").replace(" ", "-")
    return value


@attrs.frozen(kw_only=True)
class TryOnRequest(Request):
    """Dress ``person`` in ``garments`` (each a :class:`tryon.vto.Garment`: an image and its category).

    ``prompt`` is optional here (``""`` = none; refused by models that take no prompt). ``mask``
    (black = change, as for edits) or ``mask_prompt`` (the area in words) say where the garments
    go; with neither, the model finds the area itself. ``mode`` is one of ``speed``, ``balanced``,
    ``quality``; ``garment_photo_type`` one of ``auto``, ``flat-lay``, ``worn``;
    ``prompt_template`` replaces a composition model's template for this call
    (see :mod:`tryon.vto.composition`). Before routing, ``person`` and each garment's image hold
    what the caller passed; generators receive :class:`tryon.media.InputImage` values.
    """

    operation: ClassVar[Operation] = Operation.TRY_ON

    prompt: str = attrs.field(default="", converter=_no_prompt)
    person: Any = attrs.field(default=None, hash=False, repr=lambda v: "<person>")
    garments: tuple[Any, ...] = attrs.field(default=(), converter=_garments, hash=False,
                                            repr=lambda v: f"<{len(v)} garment(s)>")
    mask: Any = attrs.field(default=None, hash=False, repr=lambda v: "None" if v is None else "<mask>")
    mask_prompt: str | None = None
    mode: str | None = attrs.field(default=None, converter=_lower)
    garment_photo_type: str | None = attrs.field(default=None, converter=_word)
    prompt_template: str | None = None
    input_fidelity: str | None = attrs.field(default=None, converter=_lower)

    @property
    def images(self) -> tuple[Any, ...]:
        """The person then each garment's image: the inputs in the order a composition sends them."""
        return (self.person, *(g.image for g in self.garments))

    @property
    def categories(self) -> tuple[str | None, ...]:
        """Each garment's category (``None`` where none was given)."""
        return tuple(g.category for g in self.garments)

    def _prompt_problems(self) -> list[Problem]:
        if isinstance(self.prompt, str) and not self.prompt:
            return []
        return super()._prompt_problems()

    def _problems(self) -> list[Problem]:
        from tryon.vto.declaration import MODES, PHOTO_TYPES

        out = super()._problems()
        if self.person is None:
            out.append(Problem("person", None, "a try-on needs the person's image (person=...)"))
        if not self.garments:
            out.append(Problem("garments", self.garments, "a try-on needs at least one garment image"))
        if self.mode is not None and self.mode not in MODES:
            out.append(Problem("mode", self.mode, f"mode={self.mode!r} is not one of {', '.join(MODES)}"))
        if self.garment_photo_type is not None and self.garment_photo_type not in PHOTO_TYPES:
            kinds = ", ".join(PHOTO_TYPES)
            out.append(Problem("garment_photo_type", self.garment_photo_type,
                               f"garment_photo_type={self.garment_photo_type!r} is not one of {kinds}"))
        if self.mask_prompt is not None:
            if not isinstance(self.mask_prompt, str) or not self.mask_prompt.strip():
                out.append(Problem("mask_prompt", self.mask_prompt,
                                   "mask_prompt must be a non-empty text describing the area to change"))
            elif (bad := _unencodable(self.mask_prompt)) is not None:
                out.append(Problem("mask_prompt", "<text>", f"mask_prompt has a lone surrogate at position {bad}; "
                                   "remove it"))
            if self.mask is not None:
                out.append(Problem("mask_prompt", "<text>", "give mask (an image) or mask_prompt (words), not both"))
        if self.prompt_template is not None:
            from tryon.vto.composition import template_problem

            why = template_problem(self.prompt_template, "template")
            if why is not None:
                out.append(Problem("prompt_template", "<template>", f"prompt_template: {why}"))
            elif isinstance(self.prompt, str) and self.prompt.strip() and not _uses_prompt(self.prompt_template):
                out.append(Problem("prompt_template", "<template>",
                                   "prompt_template has no {prompt} field, so prompt= would be dropped: add {prompt} "
                                   "to the template, or put the instructions in the template and leave prompt= unset"))
        if self.input_fidelity is not None and self.input_fidelity not in {"low", "high"}:
            out.append(Problem("input_fidelity", self.input_fidelity,
                               f"input_fidelity={self.input_fidelity!r} is not 'low' or 'high'"))
        return out

    def set_options(self) -> dict[str, Any]:
        """The options the caller set, with the garments' categories (not the images)."""
        out = super().set_options()
        for name in ("person", "garments", "prompt_template"):
            out.pop(name, None)
        if self.prompt_template is not None:
            out["prompt_template"] = self.prompt_template
        out["categories"] = list(self.categories)
        return out


_FIELD_NAMES: dict[type, frozenset[str]] = {
    cls: frozenset(a.name for a in attrs.fields(cls)) for cls in (GenerateRequest, EditRequest, TryOnRequest)
}

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

__all__ = ["BACKGROUNDS", "EditRequest", "GenerateRequest", "Request"]

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

    def _problems(self) -> list[Problem]:
        out: list[Problem] = []
        if not isinstance(self.prompt, str):
            out.append(Problem("prompt", self.prompt, f"prompt must be a string, not {type(self.prompt).__name__}"))
        elif not self.prompt.strip():
            out.append(Problem("prompt", self.prompt, "prompt is empty; describe the image you want"))
        elif (bad := _unencodable(self.prompt)) is not None:
            out.append(Problem("prompt", "<prompt>", f"prompt has a lone surrogate {self.prompt[bad]!r} at position "
                               f"{bad}, which no service can receive as UTF-8; remove it (text decoded with "
                               "errors='surrogateescape' or a broken emoji leaves these)"))
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


_FIELD_NAMES: dict[type, frozenset[str]] = {
    cls: frozenset(a.name for a in attrs.fields(cls)) for cls in (GenerateRequest, EditRequest)
}

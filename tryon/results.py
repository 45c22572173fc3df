"""Results: the images of a call and what is known about them."""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from tryon.errors import InvalidResponseError
from tryon.media.sniff import SVG_MEDIA_TYPE, extension_for, image_dimensions, sniff_output_type, svg_dimensions
from tryon.notice import Notice

if TYPE_CHECKING:
    from PIL import Image as PILImage

def _to_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(values)


__all__ = ["Estimate", "GeneratedImage", "Generation", "LazyInfo", "PartialImage", "Skip", "Usage"]


def _int_or_none(a: float | None, b: float | None) -> float | None:
    if a is None and b is None:
        return None
    return (a or 0) + (b or 0)


@attrs.frozen
class Usage:
    """Usage as reported by the provider; fields the provider did not give are ``None``.

    Tokens for token-billed models; ``credits`` for providers that report the credits a call
    cost (BFL's ``cost``).
    """

    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    input_text_tokens: int | None = None
    input_image_tokens: int | None = None
    output_image_tokens: int | None = None
    output_text_tokens: int | None = None
    credits: float | None = None

    def __add__(self, other: Usage) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        summed: dict[str, Any] = {
            f.name: _int_or_none(getattr(self, f.name), getattr(other, f.name)) for f in attrs.fields(Usage)
        }
        return Usage(**summed)

    @classmethod
    def total(cls, usages: Iterable[Usage | None]) -> Usage | None:
        found = [u for u in usages if u is not None]
        if not found:
            return None
        out = found[0]
        for u in found[1:]:
            out = out + u
        return out

    def to_dict(self) -> dict[str, float]:
        return {k: v for k, v in attrs.asdict(self).items() if v is not None}


@attrs.frozen
class Estimate:
    """A cost estimate made from the request alone, before any call.

    ``usd`` is ``None`` when the price is unknown (never 0). ``upper_bound`` says the bill cannot
    be higher (the basis says "approximate" otherwise); ``calls`` is the number of provider
    calls the estimate covers. A total over several estimates (:func:`tryon.pricing.total`)
    sums the priced ones: ``unpriced`` counts the items without a price, ``unpriced_items``
    names them and ``parts`` holds the estimates it was made from.
    """

    model: str
    provider: str
    n: int
    usd: float | None
    basis: str = ""
    prices_as_of: str | None = None
    source: str | None = None
    upper_bound: bool = False
    calls: int = 1
    unpriced: int = 0
    unpriced_items: tuple[str, ...] = attrs.field(default=(), converter=_to_tuple)
    parts: tuple[Estimate, ...] = attrs.field(default=(), converter=_to_tuple, eq=False, repr=False)

    def __str__(self) -> str:
        cost = "unknown" if self.usd is None else f"${self.usd:.4f}"
        if self.usd is not None and self.unpriced:
            cost += f" + {self.unpriced} unpriced"
        return f"{self.model}: {cost} for {self.n} image(s)" + (f" ({self.basis})" if self.basis else "")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (the parts included)."""
        out = {f.name: getattr(self, f.name) for f in attrs.fields(Estimate) if f.name != "parts"}
        out["unpriced_items"] = list(self.unpriced_items)
        if self.parts:
            out["parts"] = [p.to_dict() for p in self.parts]
        return out


class LazyInfo(Mapping[str, Any]):
    """A read-only mapping built on first use (image metadata that most callers never read)."""

    __slots__ = ("_build", "_data")

    def __init__(self, build: Callable[[], Mapping[str, Any]]) -> None:
        self._build: Callable[[], Mapping[str, Any]] | None = build
        self._data: Mapping[str, Any] | None = None

    def _mapping(self) -> Mapping[str, Any]:
        if self._data is None:
            assert self._build is not None
            self._data = MappingProxyType(dict(self._build()))
            self._build = None
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._mapping()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())

    def __repr__(self) -> str:
        return repr(dict(self._mapping()))


def _frozen_info(value: Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(value, (LazyInfo, MappingProxyType)):
        return value
    return MappingProxyType(dict(value))


def _bytes_repr(data: bytes) -> str:
    return f"<{len(data):,} bytes>"


@attrs.frozen(repr=False)
class GeneratedImage:
    """One output image: its bytes, sniffed media type, dimensions, and how to save or view it."""

    data: bytes = attrs.field(repr=False)
    media_type: str
    width: int
    height: int
    index: int = 0
    revised_prompt: str | None = None
    seed: int | None = None
    info: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_info, hash=False, eq=False)

    @classmethod
    def from_bytes(cls, data: bytes, *, index: int = 0, revised_prompt: str | None = None,
                   seed: int | None = None, provider: str | None = None,
                   model: str | None = None) -> GeneratedImage:
        """Build from raw bytes, sniffing the type from magic bytes and reading the header for the size."""
        media_type = sniff_output_type(data)
        if media_type is None:
            raise InvalidResponseError("the provider returned data that is not an image",
                                       provider=provider, model=model)
        if media_type == SVG_MEDIA_TYPE:  # vector: its declared size, never decoded by Pillow
            svg = svg_dimensions(data) or (0, 0)
            return cls(data=data, media_type=media_type, width=svg[0], height=svg[1], index=index,
                       revised_prompt=revised_prompt, seed=seed)
        dims = image_dimensions(data)
        if dims is None:
            try:
                from PIL import Image

                with Image.open(io.BytesIO(data)) as im:
                    dims = im.size
            except Exception as exc:  # pragma: no cover - exotic formats
                raise InvalidResponseError(f"the provider returned an unreadable image ({exc})",
                                           provider=provider, model=model) from exc
        return cls(data=data, media_type=media_type, width=dims[0], height=dims[1], index=index,
                   revised_prompt=revised_prompt, seed=seed)

    @classmethod
    def from_base64(cls, b64: str, **kwargs: Any) -> GeneratedImage:
        try:
            data = base64.b64decode(b64)  # a damaged payload fails the magic-byte sniff below
        except (ValueError, TypeError) as exc:
            raise InvalidResponseError("the provider returned malformed base64 image data",
                                       provider=kwargs.get("provider"), model=kwargs.get("model")) from exc
        return cls.from_bytes(data, **kwargs)

    def __repr__(self) -> str:
        return (f"GeneratedImage({self.media_type}, {self.width}x{self.height}, "
                f"{_bytes_repr(self.data)}, index={self.index})")

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def extension(self) -> str:
        return extension_for(self.media_type)

    @property
    def format(self) -> str:
        return self.extension.lstrip(".").replace("jpg", "jpeg")

    @property
    def frame_count(self) -> int:
        """How many frames the image holds (an animated GIF's; 1 for a still image)."""
        if self.media_type != "image/gif":
            return 1
        from PIL import Image

        with Image.open(io.BytesIO(self.data)) as im:
            return int(getattr(im, "n_frames", 1))

    def to_base64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    def to_pil(self) -> PILImage.Image:
        """The image as a (loaded) PIL image."""
        from PIL import Image

        im = Image.open(io.BytesIO(self.data))
        im.load()
        return im

    def save(self, path: str | Path = ".", *, overwrite: bool = False, sidecar: bool = False,
             stem: str | None = None, directory: bool | None = None) -> Path:
        """Write the image atomically; a directory gets a fresh, safe file name.

        Never overwrites an existing file unless ``overwrite=True``. In a directory the extension
        follows the real format; a file name whose extension names another format gets the image
        converted (``save("x.webp")``). ``directory=True`` treats *path* as a folder even when it
        does not exist (yet, or any more). With ``sidecar=True`` a ``<file>.json`` with the prompt, model, options,
        usage, cost and request id is written beside it (never a key).

        In a folder the file is named by the one rule the CLI and ``tryon batch`` use
        (:func:`tryon.media.outputs.name_from_prompt` of the image's prompt; ``image`` when it has
        none), unless *stem* is given; a name in use gets ``-1``, ``-2``, ... appended.
        """
        from tryon.media.outputs import name_from_prompt, save_bytes, write_sidecar

        prompt = self.info.get("prompt")
        default_stem = stem or str(self.info.get("stem") or (
            name_from_prompt(prompt) if isinstance(prompt, str) and prompt.strip() else "image"))
        written = save_bytes(self.data, self.media_type, path, stem=default_stem, overwrite=overwrite,
                             directory=directory)
        if sidecar:
            write_sidecar(written, self.sidecar(), overwrite=overwrite)
        from tryon import observe

        observe.image_saved(written, self)
        return written

    def sidecar(self) -> dict[str, Any]:
        """The metadata written beside a saved image."""
        out = dict(self.info)
        out.pop("stem", None)
        out.update({"media_type": self.media_type, "width": self.width, "height": self.height,
                    "index": self.index})
        if self.revised_prompt:
            out["revised_prompt"] = self.revised_prompt
        if self.seed is not None:
            out["seed"] = self.seed
        return out


@attrs.frozen
class PartialImage:
    """A partial (preview) image delivered while a streamed call runs."""

    index: int
    image: GeneratedImage
    image_index: int = 0


@attrs.frozen
class Skip:
    """Why a model of a preference list did not serve the request."""

    model: str
    reason: str
    error: BaseException | None = attrs.field(default=None, eq=False)

    def __str__(self) -> str:
        return f"{self.model}: {self.reason}"


@attrs.frozen
class Generation:
    """The result of one request: its images and everything known about them."""

    images: tuple[GeneratedImage, ...] = attrs.field(converter=_to_tuple)
    model: str
    provider: str
    usage: Usage | None = None
    cost_usd: float | None = None
    warnings: tuple[Notice, ...] = attrs.field(default=(), converter=_to_tuple)
    request_id: str | None = None
    request_ids: tuple[str, ...] = attrs.field(default=(), converter=_to_tuple)
    created_at: dt.datetime = attrs.field(factory=lambda: dt.datetime.now(dt.UTC))
    elapsed_s: float | None = None
    skipped: tuple[Skip, ...] = attrs.field(default=(), converter=_to_tuple)
    raw: Any = attrs.field(default=None, repr=False, eq=False)

    def __len__(self) -> int:
        return len(self.images)

    def __iter__(self) -> Iterator[GeneratedImage]:
        return iter(self.images)

    def __getitem__(self, i: int) -> GeneratedImage:
        return self.images[i]

    @property
    def image(self) -> GeneratedImage:
        """The first image (most calls make one)."""
        if not self.images:
            raise InvalidResponseError("the result holds no image", provider=self.provider, model=self.model)
        return self.images[0]

    def save(self, directory: str | Path = ".", *, sidecar: bool = False, stem: str | None = None,
             overwrite: bool = False) -> list[Path]:
        """Save every image into *directory* (created if missing); returns the paths written.

        Each image gets a fresh, safe file name, so nothing already there is overwritten.
        """
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        return [img.save(folder, sidecar=sidecar, stem=stem, overwrite=overwrite, directory=True)
                for img in self.images]

    def with_warnings(self, extra: Sequence[Notice]) -> Generation:
        return attrs.evolve(self, warnings=self.warnings + tuple(extra)) if extra else self

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description (no image bytes)."""
        return {
            "model": self.model,
            "provider": self.provider,
            "images": [{"media_type": i.media_type, "width": i.width, "height": i.height} for i in self.images],
            "usage": self.usage.to_dict() if self.usage else None,
            "cost_usd": self.cost_usd,
            "warnings": [w.to_dict() for w in self.warnings],
            "request_id": self.request_id,
            "elapsed_s": self.elapsed_s,
            "skipped": [str(s) for s in self.skipped],
        }

"""Turn whatever the caller passed as an image into a validated :class:`InputImage`.

:func:`load_image` accepts a file path (``str`` or ``pathlib.Path``), an http(s) URL, a
``data:`` URL, a base64 string, ``bytes``/``bytearray``/``memoryview``, a PIL image, or a
binary file object (read from its current position and left open: the caller owns it).

A string is told apart in this order:

1. empty or blank -> error;
2. ``data:`` URL -> decoded (base64 or percent-encoded);
3. ``http://`` / ``https://`` URL -> fetched through :mod:`tryon.media.fetch` (SSRF-safe);
4. any other URL scheme (``file:``, ``ftp:``, ``gopher:``, ``javascript:``, any
   ``scheme://``) -> refused with :class:`~tryon.errors.UnsafeURLError`;
5. an existing path (``~`` expanded) -> the file is read (a directory is an error);
6. base64 (standard or URL-safe alphabet, whitespace ignored, padding optional) that
   decodes to bytes recognised as an image -> decoded;
7. otherwise -> :class:`~tryon.errors.InvalidInputError` saying what was tried, e.g.
   ``no such file: 'x.png'``.

The format always comes from magic bytes, never from a file extension or a declared
content type. Dimensions come from the header (:func:`tryon.media.sniff.image_dimensions`)
or a lazy ``PIL.Image.open`` (header only) - never a full decode. Empty, truncated,
zero-sized and non-image data (text, PDF, SVG...) are refused with an error naming the
input, and so is a decompression bomb (more than
:data:`~tryon.media.limits.SAFE_MAX_PIXELS` pixels), before anything is decoded.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import io
import os
import re
import stat
import struct
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Protocol, TypeAlias, cast
from urllib.parse import unquote_to_bytes, urlsplit

import attrs

from tryon.errors import InvalidInputError, UnsafeURLError
from tryon.media.limits import MAX_INPUT_BYTES, SAFE_MAX_PIXELS, describe_bytes, describe_pixels
from tryon.media.outputs import safe_filename
from tryon.media.sniff import (
    describe_content,
    extension_for,
    format_name,
    pillow_format,
    sniff_media_type,
)
from tryon.media.structure import Layout, LayoutProblem, scan_layout

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = [
    "BinaryReadable",
    "Fetcher",
    "ImageSource",
    "InputImage",
    "as_source_list",
    "image_from_bytes",
    "load_image",
    "load_images",
    "open_image",
]


class Fetcher(Protocol):
    """What :func:`load_image` needs to download a URL (see :class:`tryon.media.fetch.URLFetcher`)."""

    def fetch(self, url: str) -> tuple[bytes, str | None]: ...


class BinaryReadable(Protocol):
    """A binary file-like object (``open(..., "rb")``, ``io.BytesIO``, an upload stream...)."""

    def read(self, size: int = -1, /) -> bytes: ...


#: Anything :func:`load_image` accepts.
ImageSource: TypeAlias = (
    "str | os.PathLike[str] | bytes | bytearray | memoryview | InputImage | PILImage.Image | BinaryReadable"
)

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+):")
_OPAQUE_SCHEMES = frozenset(
    {
        "file",
        "ftp",
        "ftps",
        "sftp",
        "gopher",
        "javascript",
        "blob",
        "ldap",
        "ldaps",
        "dict",
        "smb",
        "jar",
        "netdoc",
        "ssh",
        "telnet",
        "tftp",
        "mailto",
        "about",
        "chrome",
        "view-source",
        "ws",
        "wss",
    }
)
_B64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")
_B64_URLSAFE = re.compile(r"^[A-Za-z0-9_\-]*={0,2}$")
_PATHLIKE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{2,5}$")
_ANONYMOUS_KINDS = frozenset({"bytes", "base64", "data-url", "pil", "file"})


def _quote(name: str, limit: int = 80) -> str:
    """``repr`` of a display name, shortened (base64 strings can be megabytes)."""
    return repr(name if len(name) <= limit else name[: limit - 3] + "...")


@attrs.frozen(repr=False)
class InputImage:
    """A validated input image: its exact bytes, real media type and size.

    ``name`` is for messages (file path, URL without credentials or query, ``"bytes"``,
    ``"base64 string"``, ``"data URL"``, ``"PIL image"``, a file object's name...);
    ``source_kind`` is one of ``path``, ``url``, ``data-url``, ``base64``, ``bytes``,
    ``pil``, ``file`` (or ``converted``/``mask`` for images tryon produced).
    ``width``/``height`` are the stored size; ``orientation`` is the EXIF orientation (1-8,
    read from JPEG, TIFF, PNG ``eXIf`` and WebP ``EXIF``) and :attr:`upright_size` the size
    the user sees; ``frames`` counts the frames of an animation (or TIFF pages).
    """

    data: bytes = attrs.field(repr=False)
    media_type: str
    width: int
    height: int
    name: str = "bytes"
    source_kind: str = "bytes"
    orientation: int = 1
    frames: int = 1

    def __repr__(self) -> str:
        return (
            f"InputImage(name={_quote(self.name)}, media_type={self.media_type!r}, "
            f"size={self.width}x{self.height}, nbytes={len(self.data)})"
        )

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)``."""
        return self.width, self.height

    @property
    def upright_size(self) -> tuple[int, int]:
        """``(width, height)`` as displayed: swapped for EXIF orientations 5-8."""
        return (self.height, self.width) if self.orientation in (5, 6, 7, 8) else (self.width, self.height)

    @property
    def nbytes(self) -> int:
        """Number of bytes of the encoded image."""
        return len(self.data)

    @property
    def pixels(self) -> int:
        """``width * height``."""
        return self.width * self.height

    @property
    def format(self) -> str:
        """Short format name: ``"png"``, ``"jpeg"``, ``"webp"``..."""
        return format_name(self.media_type)

    @property
    def filename(self) -> str:
        """A safe file name with the extension of the real format (for multipart uploads)."""
        if self.source_kind in _ANONYMOUS_KINDS and self.name in (
            "bytes",
            "base64 string",
            "data URL",
            "PIL image",
            "file object",
        ):
            stem = "image"
        else:
            raw = urlsplit(self.name).path if self.source_kind == "url" else self.name
            base = raw.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
            stem = PurePath(base).stem if _PATHLIKE_SUFFIX.search(base) else base
        return safe_filename(stem or "image") + extension_for(self.media_type)

    def to_base64(self) -> str:
        """The bytes as standard base64 text."""
        return base64.b64encode(self.data).decode("ascii")

    def to_data_url(self) -> str:
        """A ``data:<media type>;base64,...`` URL."""
        return f"data:{self.media_type};base64,{self.to_base64()}"

    def to_pil(self) -> PILImage.Image:
        """A loaded PIL image of the data (the caller closes it)."""
        with open_image(self) as image:
            image.load()
            return image.copy()


# --------------------------------------------------------------------------- validation


def _check_structure(data: bytes, media_type: str, name: str) -> None:
    """Cheap completeness checks (no decoding) that catch cut-off and corrupt files."""
    problem: str | None = None
    try:
        if media_type == "image/png":
            problem = _png_problem(data)
        elif media_type == "image/jpeg":
            problem = _jpeg_problem(data)
        elif media_type == "image/webp":
            riff_size = struct.unpack_from("<I", data, 4)[0]
            if 8 + riff_size > len(data):
                problem = f"it is truncated ({len(data)} of {8 + riff_size} bytes)"
        elif media_type == "image/bmp":
            declared, offset = struct.unpack_from("<I4xI", data, 2)
            if offset >= len(data) or (declared and declared > len(data) and declared - len(data) > 2):
                problem = "it is truncated"
    except struct.error:
        problem = "its header is incomplete"
    if problem:
        raise InvalidInputError(
            f"{_quote(name)} is a corrupt or truncated {format_name(media_type).upper()} image: {problem}",
            input_name=name,
        )


def _png_problem(data: bytes) -> str | None:
    pos, end = 8, len(data)
    first = True
    seen_idat = False
    while pos + 8 <= end:
        length, kind = struct.unpack_from(">I4s", data, pos)
        if first and kind != b"IHDR":
            return "it does not start with an IHDR chunk"
        first = False
        if pos + 12 + length > end:
            return "it is truncated (cut off inside a chunk)"
        if kind == b"IDAT":
            seen_idat = True
        if kind == b"IEND":
            return None if seen_idat else "it has no image data"
        pos += 12 + length
    return "it is truncated (no IEND chunk)"


def _jpeg_problem(data: bytes) -> str | None:
    from tryon.media.jpeg import JpegSegments, Stop

    walk = JpegSegments(data)
    for _segment in walk:
        pass
    if walk.stop == Stop.SCAN:
        if not walk.frame:
            return "it has no frame header"
        if data.find(b"\xff\xd9", walk.scan_start or 0) == -1:
            return "it is truncated (no end-of-image marker)"
        return None
    return {
        Stop.BROKEN: "its marker structure is broken",
        Stop.EOI: "it has no image data",
        Stop.TRUNCATED: "it is truncated (cut off inside a header segment)",
    }.get(walk.stop, "it is truncated (no image data)")


@functools.cache
def _register_heif_opener() -> None:
    """Let Pillow open HEIC/HEIF when the optional ``pillow-heif`` package is installed (once)."""
    try:
        import pillow_heif
    except ImportError:
        return
    with contextlib.suppress(Exception):
        pillow_heif.register_heif_opener()


@contextlib.contextmanager
def _pil_open(data: bytes, media_type: str, name: str) -> Iterator[PILImage.Image]:
    """``PIL.Image.open`` restricted to the sniffed format; errors become InvalidInputError."""
    from PIL import Image, UnidentifiedImageError

    fmt = pillow_format(media_type)
    if fmt is None:  # never try every Pillow plugin (EPS would run Ghostscript)
        raise InvalidInputError(f"{_quote(name)} has an unsupported type {media_type}", input_name=name)
    if fmt == "HEIF":
        _register_heif_opener()
    try:
        image = Image.open(io.BytesIO(data), formats=[fmt])
    except KeyError:  # Pillow has no opener registered for this format (HEIF without pillow-heif)
        hint = ("; HEIC/HEIF needs the optional pillow-heif package (pip install pillow-heif), or convert it "
                "to PNG/JPEG" if fmt == "HEIF" else "; convert it to PNG/JPEG")
        raise InvalidInputError(
            f"{_quote(name)} is {format_name(media_type).upper()}, which this installation cannot read{hint}",
            input_name=name,
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidInputError(
            f"{_quote(name)} is too large to decode safely ({exc})", input_name=name
        ) from None
    except UnidentifiedImageError:
        hint = ""
        if fmt == "HEIF":
            hint = (
                "; HEIC/HEIF needs the optional pillow-heif package (pip install pillow-heif), or convert it"
            )
        elif fmt == "AVIF":
            hint = "; this Pillow has no AVIF support: upgrade Pillow, or convert it to PNG/JPEG"
        raise InvalidInputError(
            f"{_quote(name)} cannot be read as {format_name(media_type).upper()}: it is corrupt or "
            f"unsupported{hint}",
            input_name=name,
        ) from None
    except (OSError, SyntaxError, ValueError, struct.error) as exc:
        raise InvalidInputError(
            f"{_quote(name)} is a corrupt {format_name(media_type).upper()} image: {exc}", input_name=name
        ) from None
    with image:
        yield image


@contextlib.contextmanager
def open_image(image: InputImage) -> Iterator[PILImage.Image]:
    """Open *image* with Pillow (lazy: header only until ``load()``); closed on exit.

    Decoding errors raised inside the block (corrupt or truncated data) become
    :class:`~tryon.errors.InvalidInputError` naming the image.
    """
    with _pil_open(image.data, image.media_type, image.name) as pil:
        try:
            yield pil
        except (OSError, SyntaxError, struct.error) as exc:
            raise InvalidInputError(
                f"{_quote(image.name)} cannot be decoded: it is corrupt or truncated ({exc})",
                input_name=image.name,
            ) from None


def _layout(data: bytes, media_type: str, name: str) -> Layout:
    """The structure of *data*: walked without decoding, else from Pillow's header parse."""
    try:
        layout = scan_layout(data, media_type)
    except LayoutProblem as exc:
        raise InvalidInputError(f"{_quote(name)} is refused: {exc}", input_name=name) from None
    if layout is not None:
        return layout
    with _pil_open(data, media_type, name) as image:
        width, height = image.size
    return Layout(width=width, height=height, frame_pixels=width * height)


def image_from_bytes(
    data: bytes | bytearray | memoryview, *, name: str = "bytes", source_kind: str = "bytes"
) -> InputImage:
    """Validate encoded image *data* (type, size, completeness) into an :class:`InputImage`."""
    data = bytes(data)
    if not data:
        raise InvalidInputError(f"{_quote(name)} is empty (0 bytes), not an image", input_name=name)
    if len(data) > MAX_INPUT_BYTES:
        raise InvalidInputError(
            f"{_quote(name)} is {describe_bytes(len(data))}, more than tryon reads for one image "
            f"({describe_bytes(MAX_INPUT_BYTES)})",
            input_name=name,
        )
    media_type = sniff_media_type(data)
    if media_type is None:
        raise InvalidInputError(
            f"{_quote(name)} is not an image: {describe_content(data)} "
            "(accepted: PNG, JPEG, WEBP, GIF, BMP, TIFF, AVIF, HEIC)",
            input_name=name,
        )
    layout = _layout(data, media_type, name)
    width, height = layout.width, layout.height
    if width <= 0 or height <= 0:
        raise InvalidInputError(
            f"{_quote(name)} has zero size ({width}x{height}): there is nothing to send", input_name=name
        )
    if width * height > SAFE_MAX_PIXELS:
        raise InvalidInputError(
            f"{_quote(name)} is {width}x{height} ({describe_pixels(width * height)}), over the "
            f"{describe_pixels(SAFE_MAX_PIXELS)} safety limit (decompression-bomb guard); "
            "downscale it before passing it",
            input_name=name,
        )
    _check_structure(data, media_type, name)
    return InputImage(data, media_type, int(width), int(height), name=name, source_kind=source_kind,
                      orientation=layout.orientation, frames=layout.frames)


# --------------------------------------------------------------------------- sources


def _is_pil_image(source: object) -> bool:
    module = sys.modules.get("PIL.Image")
    return module is not None and isinstance(source, module.Image)


def _encode_pil(image: PILImage.Image, name: str) -> bytes:
    """Encode a PIL image losslessly as PNG (alpha kept)."""
    width, height = image.size
    if width <= 0 or height <= 0:
        raise InvalidInputError(f"{_quote(name)} has zero size ({width}x{height})", input_name=name)
    if width * height > SAFE_MAX_PIXELS:
        raise InvalidInputError(
            f"{_quote(name)} is {width}x{height}, over the {describe_pixels(SAFE_MAX_PIXELS)} safety limit",
            input_name=name,
        )
    if image.mode not in ("1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"):
        has_alpha = "A" in image.mode or "a" in image.mode or "transparency" in image.info
        try:
            image = image.convert("RGBA" if has_alpha else "RGB")
        except ValueError:
            image = image.convert("L")
    buffer = io.BytesIO()
    try:
        image.save(buffer, format="PNG")
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"{_quote(name)} cannot be encoded as PNG: {exc}", input_name=name) from None
    return buffer.getvalue()


_SPECIAL_FILES = (
    (stat.S_ISDIR, "a directory, not an image file"),
    (stat.S_ISFIFO, "a named pipe (FIFO), not an image file; tryon reads regular files only"),
    (stat.S_ISCHR, "a character device, not an image file; tryon reads regular files only"),
    (stat.S_ISBLK, "a block device, not an image file; tryon reads regular files only"),
    (stat.S_ISSOCK, "a socket, not an image file; tryon reads regular files only"),
)


def _special_file(mode: int) -> str | None:
    for test, words in _SPECIAL_FILES:
        if test(mode):
            return words
    return None if stat.S_ISREG(mode) else "not a regular file"


def _read_file(path: Path, shown: str) -> bytes:
    """Read a regular file; FIFOs, devices, sockets and directories are refused without blocking
    (the file is opened non-blocking and checked with ``fstat`` before any read)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        try:
            before: os.stat_result | None = os.stat(path)
        except FileNotFoundError:
            raise
        except OSError:
            before = None  # let open() say what is wrong
        if before is not None and (problem := _special_file(before.st_mode)):
            raise InvalidInputError(f"{_quote(shown)} is {problem}", input_name=shown)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            problem = _special_file(info.st_mode)
            if problem:  # replaced between the two looks
                raise InvalidInputError(f"{_quote(shown)} is {problem}", input_name=shown)
            if info.st_size > MAX_INPUT_BYTES:
                raise InvalidInputError(
                    f"{_quote(shown)} is {describe_bytes(info.st_size)}, more than tryon reads for one image "
                    f"({describe_bytes(MAX_INPUT_BYTES)})",
                    input_name=shown,
                )
            if hasattr(os, "set_blocking"):
                os.set_blocking(handle.fileno(), True)
            data = handle.read(MAX_INPUT_BYTES + 1)
    except IsADirectoryError:
        raise InvalidInputError(
            f"{_quote(shown)} is a directory, not an image file", input_name=shown
        ) from None
    except PermissionError:
        raise InvalidInputError(f"cannot read {_quote(shown)}: permission denied", input_name=shown) from None
    except FileNotFoundError:
        raise InvalidInputError(f"no such file: {_quote(shown)}", input_name=shown) from None
    except OSError as exc:
        raise InvalidInputError(
            f"cannot read {_quote(shown)}: {exc.strerror or exc}", input_name=shown
        ) from None
    return data


def _decode_data_url(text: str) -> bytes:
    header, sep, payload = text.partition(",")
    if not sep:
        raise InvalidInputError("malformed data: URL (no comma before the data)", input_name="data URL")
    if header.lower().endswith(";base64"):
        decoded = _b64decode(payload)
        if decoded is None:
            raise InvalidInputError(
                "malformed data: URL: its base64 payload is invalid", input_name="data URL"
            )
        return decoded
    return unquote_to_bytes(payload)


def _b64decode(text: str) -> bytes | None:
    """Decode base64 (standard or URL-safe; whitespace and missing padding tolerated)."""
    compact = "".join(text.split())
    if not compact or len(compact) % 4 == 1:
        return None
    padded = compact + "=" * (-len(compact) % 4)
    try:
        if _B64.match(compact):
            return base64.b64decode(padded, validate=True)
        if _B64_URLSAFE.match(compact):
            return base64.urlsafe_b64decode(padded)
    except (binascii.Error, ValueError):
        return None
    return None


def _load_string(text: str, fetcher: Fetcher | None) -> tuple[bytes, str, str]:
    stripped = text.strip()
    if not stripped:
        raise InvalidInputError(
            "empty string given as an image (expected a path, URL or base64 data)", input_name=""
        )
    lower = stripped[:16].lower()
    if lower.startswith("data:"):
        return _decode_data_url(stripped), "data URL", "data-url"
    if lower.startswith(("http://", "https://")):
        from tryon.media.fetch import default_fetcher, display_url

        data, _content_type = (fetcher or default_fetcher()).fetch(stripped)
        return data, display_url(stripped), "url"
    scheme = _SCHEME.match(stripped)
    if scheme and (
        stripped[scheme.end() : scheme.end() + 2] == "//" or scheme.group(1).lower() in _OPAQUE_SCHEMES
    ):
        from tryon.media.fetch import display_url

        shown = display_url(stripped)
        raise UnsafeURLError(
            f"refused {_quote(shown)}: {scheme.group(1).lower()}: URLs are not fetched, only http(s) "
            "(pass local files as paths)",
            input_name=shown,
        )
    tried_path = ""
    if len(stripped) <= 4096 and "\n" not in stripped and "\x00" not in stripped:
        path = _expanded(Path(stripped))
        try:
            exists = path.exists()
        except (OSError, ValueError):
            exists = False
        if exists:
            return _read_file(path, stripped), stripped, "path"
        tried_path = f"no such file: {_quote(stripped)}"
        if not path.is_absolute():
            tried_path += f" (relative to {os.getcwd()})"
    decoded = _b64decode(stripped)
    if decoded is not None and sniff_media_type(decoded) is not None:
        return decoded, "base64 string", "base64"
    prefer_path = bool(tried_path) and (len(stripped) < 24 or bool(_PATHLIKE_SUFFIX.search(stripped)))
    if decoded is not None and not prefer_path:
        also = f"; and {tried_path}" if tried_path else ""
        raise InvalidInputError(
            f"the string {_quote(stripped, 40)} is not an image: it decodes as base64, but not to an image "
            f"({describe_content(decoded)}){also}",
            input_name="base64 string",
        )
    if tried_path:
        raise InvalidInputError(
            f"{tried_path}; the string is not a URL or base64 image data either", input_name=stripped[:200]
        )
    raise InvalidInputError(
        f"the string {_quote(stripped, 40)} is not an image: not a file path, an http(s) URL, a data: URL "
        "or base64 image data",
        input_name=stripped[:200],
    )


def _expanded(path: Path) -> Path:
    """``~`` and ``~user`` expanded; the path as it is when there is no such home directory."""
    try:
        return path.expanduser()
    except RuntimeError:
        return path


def _read_source(source: object, fetcher: Fetcher | None) -> tuple[bytes, str, str]:
    """``(data, display name, source kind)`` for any accepted source."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), "bytes", "bytes"
    if isinstance(source, str):
        return _load_string(source, fetcher)
    if isinstance(source, os.PathLike):
        path = _expanded(Path(os.fspath(source)))
        shown = os.fspath(source)
        if not path.exists():
            raise InvalidInputError(f"no such file: {_quote(str(shown))}", input_name=str(shown))
        return _read_file(path, str(shown)), str(shown), "path"
    if _is_pil_image(source):
        return _encode_pil(source, "PIL image"), "PIL image", "pil"  # type: ignore[arg-type]
    read = getattr(source, "read", None)
    if callable(read):
        raw_name = getattr(source, "name", None)
        shown = os.fspath(raw_name) if isinstance(raw_name, str | os.PathLike) else "file object"
        if not isinstance(shown, str):
            shown = "file object"
        if getattr(source, "closed", False) is True:
            raise InvalidInputError(f"{_quote(shown)} is a closed file; pass it while it is open, or pass "
                                    "its path", input_name=shown)
        try:
            data = read(MAX_INPUT_BYTES + 1)
        except UnicodeDecodeError:
            raise InvalidInputError(
                f"{_quote(shown)} is open in text mode; open image files in binary mode ('rb')",
                input_name=shown) from None
        except (OSError, ValueError) as exc:  # ValueError: closed, or not readable (opened for writing)
            raise InvalidInputError(f"cannot read {_quote(shown)}: {exc}", input_name=shown) from None
        if isinstance(data, str):
            raise InvalidInputError(
                f"{_quote(shown)} is open in text mode; open image files in binary mode ('rb')",
                input_name=shown,
            )
        if not isinstance(data, bytes | bytearray | memoryview):
            raise InvalidInputError(f"{_quote(shown)}.read() did not return bytes", input_name=shown)
        return bytes(data), shown, "file"
    if isinstance(source, list | tuple):
        raise InvalidInputError(
            f"a {type(source).__name__} of {len(source)} items was given where one image is expected "
            "(use load_images for several)",
            input_name="images",
        )
    raise InvalidInputError(
        f"unsupported image input of type {type(source).__name__}: expected a file path, an http(s) URL, a "
        "data: URL, base64 text, bytes, a PIL image or a binary file object",
        input_name=type(source).__name__,
    )


def load_image(source: ImageSource, *, name: str | None = None, fetcher: Fetcher | None = None) -> InputImage:
    """Load and validate one image from any supported *source* (see the module docstring).

    *name* overrides the display name used in messages; *fetcher* (an object with
    ``fetch(url) -> (bytes, content_type)``) replaces the default URL fetcher.
    """
    if isinstance(source, InputImage):
        return source if name is None else attrs.evolve(source, name=name)
    data, shown, kind = _read_source(source, fetcher)
    return image_from_bytes(data, name=name or shown, source_kind=kind)


def as_source_list(sources: ImageSource | Sequence[ImageSource]) -> list[ImageSource]:
    """One source or a list/tuple of sources as a list (``bytes`` and ``str`` count as one)."""
    if isinstance(sources, list | tuple):
        return list(sources)
    return [cast("ImageSource", sources)]


def load_images(
    sources: ImageSource | Sequence[ImageSource], *, fetcher: Fetcher | None = None
) -> list[InputImage]:
    """Load one source or a list of them, in order. Errors say which image failed."""
    items = as_source_list(sources)
    images = []
    for index, source in enumerate(items, start=1):
        try:
            images.append(load_image(source, fetcher=fetcher))
        except UnsafeURLError as exc:
            if len(items) == 1:
                raise
            raise UnsafeURLError(
                f"image {index} of {len(items)}: {exc.message}", input_name=exc.input_name
            ) from None
        except InvalidInputError as exc:
            if len(items) == 1:
                raise
            raise InvalidInputError(
                f"image {index} of {len(items)}: {exc.message}", input_name=exc.input_name
            ) from None
    return images

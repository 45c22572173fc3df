"""Tell image formats and sizes from bytes, without Pillow.

Everything here reads magic bytes and headers only: it is used on hot paths
(every input, every output) where decoding an image just to learn its type or
size would be wasteful. This module must never import PIL.
"""

from __future__ import annotations

import re
import struct

__all__ = [
    "IMAGE_MEDIA_TYPES",
    "describe_content",
    "extension_for",
    "format_name",
    "image_dimensions",
    "normalize_media_type",
    "pillow_format",
    "sniff_media_type",
    "sniff_output_type",
    "svg_dimensions",
]

# media type -> (format name, preferred extension, Pillow format name)
_FORMATS: dict[str, tuple[str, str, str]] = {
    "image/png": ("png", ".png", "PNG"),
    "image/jpeg": ("jpeg", ".jpg", "JPEG"),
    "image/webp": ("webp", ".webp", "WEBP"),
    "image/gif": ("gif", ".gif", "GIF"),
    "image/bmp": ("bmp", ".bmp", "BMP"),
    "image/tiff": ("tiff", ".tiff", "TIFF"),
    "image/avif": ("avif", ".avif", "AVIF"),
    "image/heic": ("heic", ".heic", "HEIF"),
    "image/heif": ("heif", ".heif", "HEIF"),
    "image/x-icon": ("ico", ".ico", "ICO"),
}

#: Every raster media type tryon can recognise from magic bytes.
IMAGE_MEDIA_TYPES: frozenset[str] = frozenset(_FORMATS)

_ALIASES: dict[str, str] = {
    "jpg": "image/jpeg",
    "jpe": "image/jpeg",
    "jfif": "image/jpeg",
    "tif": "image/tiff",
    "ico": "image/x-icon",
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "image/x-ms-bmp": "image/bmp",
    "image/x-bmp": "image/bmp",
    "image/vnd.microsoft.icon": "image/x-icon",
    "image/heic-sequence": "image/heic",
    "image/heif-sequence": "image/heif",
}
for _media_type, (_name, _ext, _pil) in _FORMATS.items():
    _ALIASES.setdefault(_name, _media_type)
    _ALIASES.setdefault(_media_type, _media_type)

_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
_BMP_DIB_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})


def normalize_media_type(value: str) -> str:
    """Return the canonical media type for *value* (``"jpg"``, ``".png"``, ``"image/jpg"``...).

    Raises ``ValueError`` for anything that is not a known raster image type.
    """
    key = value.strip().lower().split(";", 1)[0].strip().lstrip(".")
    try:
        return _ALIASES[key]
    except KeyError:
        known = ", ".join(sorted(_FORMATS))
        raise ValueError(f"unknown image type {value!r}; known types: {known}") from None


def sniff_media_type(data: bytes) -> str | None:
    """Return the image media type of *data* from its magic bytes, or ``None``.

    SVG and other vector or document formats are not image inputs and give ``None``.
    """
    head = bytes(data[:64])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "image/tiff"
    if head[:2] == b"BM" and len(head) >= 18 and struct.unpack_from("<I", head, 14)[0] in _BMP_DIB_SIZES:
        return "image/bmp"
    if head[4:8] == b"ftyp":
        return _sniff_isobmff(bytes(data[: min(len(data), 4096)]))
    if head[:4] == b"\x00\x00\x01\x00" and len(head) >= 6 and struct.unpack_from("<H", head, 4)[0] > 0:
        return "image/x-icon"
    return None


def _sniff_isobmff(head: bytes) -> str | None:
    """Classify an ISO-BMFF file (AVIF/HEIC/HEIF) from its ``ftyp`` brands."""
    box_size = struct.unpack_from(">I", head, 0)[0]
    end = min(len(head), box_size if box_size >= 16 else 16)
    major = head[8:12]
    brands = [major] + [head[i : i + 4] for i in range(16, end - 3, 4)]
    for brand in brands:
        if brand in _AVIF_BRANDS:
            return "image/avif"
        if brand in _HEIC_BRANDS:
            return "image/heic"
    if any(brand in _HEIF_BRANDS for brand in brands):
        return "image/heif"
    return None


#: Output-only (vector) types: a model may return them, tryon never takes them as inputs.
SVG_MEDIA_TYPE = "image/svg+xml"
_OUTPUT_ONLY: dict[str, tuple[str, str]] = {SVG_MEDIA_TYPE: ("svg", ".svg")}
_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)
_SVG_ATTR = re.compile(rb"""\b(width|height|viewBox)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_SVG_LENGTH = re.compile(rb"^\s*(\d+(?:\.\d+)?)\s*(px)?\s*$")


def _is_svg(data: bytes) -> bool:
    head = bytes(data[:1024]).lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith((b"<svg", b"<?xml", b"<!DOCTYPE svg", b"<!--")) and _SVG_ROOT.search(
        bytes(data[:65536])) is not None


def sniff_output_type(data: bytes) -> str | None:
    """Like :func:`sniff_media_type`, but also recognises the vector outputs a model may return (SVG)."""
    return sniff_media_type(data) or (SVG_MEDIA_TYPE if _is_svg(data) else None)


def svg_dimensions(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` of an SVG from its root element's ``width``/``height`` (pixels or unitless),
    else its ``viewBox``; ``None`` when neither says."""
    root = _SVG_ROOT.search(bytes(data[:65536]))
    if root is None:
        return None
    attrs = {k.decode().lower(): v for k, v in _SVG_ATTR.findall(root.group(0))}
    w, h = (_SVG_LENGTH.match(attrs.get(k, b"")) for k in ("width", "height"))
    if w and h:
        return round(float(w.group(1))), round(float(h.group(1)))
    box = attrs.get("viewbox", b"").replace(b",", b" ").split()
    try:
        if len(box) == 4:
            return round(float(box[2])), round(float(box[3]))
    except ValueError:
        return None
    return None


def extension_for(media_type: str) -> str:
    """Return the usual file extension (``".png"``, ``".jpg"``, ``".svg"``...) or ``".bin"`` if unknown."""
    key = media_type.strip().lower().split(";", 1)[0].strip()
    if key in _OUTPUT_ONLY:
        return _OUTPUT_ONLY[key][1]
    try:
        return _FORMATS[normalize_media_type(media_type)][1]
    except ValueError:
        return ".bin"


def format_name(media_type: str) -> str:
    """Return the short format name (``"png"``, ``"jpeg"``, ``"webp"``, ``"svg"``...) of a media type."""
    key = media_type.strip().lower().split(";", 1)[0].strip()
    if key in _OUTPUT_ONLY:
        return _OUTPUT_ONLY[key][0]
    try:
        return _FORMATS[normalize_media_type(media_type)][0]
    except ValueError:
        return media_type.rsplit("/", 1)[-1].lower()


def pillow_format(media_type: str) -> str | None:
    """Return Pillow's format identifier for a media type (``"PNG"``, ``"HEIF"``...), or ``None``."""
    try:
        return _FORMATS[normalize_media_type(media_type)][2]
    except ValueError:
        return None


def describe_content(data: bytes) -> str:
    """Say in a few words what non-image *data* looks like, for error messages."""
    if not data:
        return "it is empty (0 bytes)"
    head = bytes(data[:512]).lstrip(b"\xef\xbb\xbf").lstrip()
    lower = head.lower()
    if head.startswith(b"%PDF"):
        return "it is a PDF document"
    if b"<svg" in lower or (lower.startswith(b"<?xml") and b"svg" in lower):
        return "it is an SVG (vector) image; rasterize it to PNG first"
    if lower.startswith((b"<!doctype html", b"<html")):
        return "it is an HTML page"
    if head.startswith(b"PK\x03\x04"):
        return "it is a ZIP archive (or an Office document)"
    if (head[:4] == b"\x00\x00\x00\x0c" and head[4:8] == b"jP  ") or head.startswith(b"\xff\x4f\xff\x51"):
        return "it is a JPEG 2000 image, which is not supported; convert it to PNG or JPEG"
    if head[4:8] == b"ftyp":
        return "it is an ISO media file (video or an unsupported image brand)"
    if head[:1] in (b"{", b"["):
        return "it looks like JSON text"
    sample = bytes(data[:512])
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return "its content is not a recognised image format"
    return "it looks like text"


def image_dimensions(data: bytes) -> tuple[int, int] | None:
    """Return ``(width, height)`` read from the header of a PNG, JPEG, WEBP, GIF, BMP,
    AVIF or HEIC image, or ``None`` when the header does not say (or is malformed).

    JPEG sizes are the stored ones (before any EXIF orientation).
    """
    media_type = sniff_media_type(data)
    try:
        if media_type == "image/png":
            return _png_size(data)
        if media_type == "image/jpeg":
            return _jpeg_size(data)
        if media_type == "image/webp":
            return _webp_size(data)
        if media_type == "image/gif":
            return _gif_size(data)
        if media_type == "image/bmp":
            return _bmp_size(data)
        if media_type in ("image/avif", "image/heic", "image/heif"):
            return _isobmff_size(data)
    except struct.error:
        return None
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack_from(">II", data, 16)
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    from tryon.media.jpeg import SOF_MARKERS, SOS, JpegSegments, frame_size

    for segment in JpegSegments(data):
        if segment.marker == SOS:  # a scan before any frame header
            return None
        if (size := frame_size(data, segment)) is not None or segment.marker in SOF_MARKERS:
            return size  # height 0 (defined later by DNL) or a cut-off frame header: unknown
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", data, 26)
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = struct.unpack_from("<I", data, 21)[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


def _gif_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 10:
        return None
    width, height = struct.unpack_from("<HH", data, 6)
    return width, height


def _bmp_size(data: bytes) -> tuple[int, int] | None:
    dib = struct.unpack_from("<I", data, 14)[0]
    if dib == 12:
        width, height = struct.unpack_from("<HH", data, 18)
        return width, height
    width, height = struct.unpack_from("<ii", data, 18)
    return abs(width), abs(height)


def _isobmff_size(data: bytes) -> tuple[int, int] | None:
    """Largest ``ispe`` (image spatial extent) property: the primary image or its grid."""
    best: tuple[int, int] | None = None
    limit = min(len(data), 1 << 20)
    pos = data.find(b"ispe", 0, limit)
    while pos != -1 and pos + 16 <= len(data):
        width, height = struct.unpack_from(">II", data, pos + 8)
        if best is None or width * height > best[0] * best[1]:
            best = (width, height)
        pos = data.find(b"ispe", pos + 4, limit)
    return best

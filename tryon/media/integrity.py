"""Is an image complete? A structural check of an output image, without decoding its pixels.

A provider's 200 can carry a truncated or damaged image whose header still reads fine. Fully
decoding every output to find out costs tens of milliseconds per megapixel; this check walks
the container instead: PNG chunks (lengths, CRCs, ``IHDR`` first, ``IDAT`` present, ``IEND``
last), JPEG segments up to the scan and the end-of-image marker, the WebP RIFF size and chunk
lengths, the GIF blocks up to the trailer, the closing tag of an SVG. Other formats are opened
and verified by Pillow. The cost, measured in ``benchmarks/bench_result_check.py``, is in
``docs/performance.md``.
"""

from __future__ import annotations

import io
import struct
import zlib

from tryon.media.jpeg import JpegSegments, Segment, Stop

__all__ = ["integrity_problem"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TRAILING_PADDING = b"\x00\r\n\t "


def integrity_problem(data: bytes, media_type: str) -> str | None:
    """What is wrong with the image *data* of *media_type* (truncated, damaged), or ``None``."""
    try:
        if media_type == "image/png":
            return _png(data)
        if media_type == "image/jpeg":
            return _jpeg(data)
        if media_type == "image/webp":
            return _webp(data)
        if media_type == "image/gif":
            return _gif(data)
        if media_type == "image/svg+xml":
            return _svg(data)
        return _pillow(data, media_type)
    except struct.error:
        return "it is truncated inside a header"


def _png(data: bytes) -> str | None:
    if not data.startswith(_PNG_SIGNATURE):
        return "the PNG signature is missing"
    view = memoryview(data)
    pos, first, seen_idat = len(_PNG_SIGNATURE), True, False
    end = len(data)
    while pos + 8 <= end:
        length, kind = struct.unpack_from(">I4s", data, pos)
        if first and kind != b"IHDR":
            return "the PNG does not start with an IHDR chunk"
        first = False
        stop = pos + 12 + length
        if stop > end:
            return f"the PNG is truncated inside its {kind.decode('latin-1')!r} chunk"
        (crc,) = struct.unpack_from(">I", data, stop - 4)
        if zlib.crc32(view[pos + 4 : stop - 4]) != crc:
            return f"the PNG's {kind.decode('latin-1')!r} chunk is damaged (CRC mismatch)"
        seen_idat = seen_idat or kind == b"IDAT"
        if kind == b"IEND":
            return None if seen_idat else "the PNG holds no image data (no IDAT chunk)"
        pos = stop
    return "the PNG is truncated (no IEND chunk)"


def _jpeg(data: bytes) -> str | None:
    if not data.startswith(b"\xff\xd8"):
        return "the JPEG start-of-image marker is missing"
    walk = JpegSegments(data, skip_extraneous=True)  # stray bytes between segments: libjpeg decodes them
    last: Segment | None = None
    for segment in walk:
        last = segment
    if walk.stop == Stop.EOI:
        return "the JPEG ends before its image data"
    if walk.stop == Stop.TRUNCATED:
        where = f" (marker 0x{last.marker:02X})" if last is not None else " header"
        return f"the JPEG is truncated inside a segment{where}"
    if walk.stop == Stop.BROKEN:
        return "the JPEG's marker structure is broken (a segment length below 2)"
    if walk.stop != Stop.SCAN:
        return "the JPEG is truncated before its image data"
    if not walk.frame:
        return "the JPEG has no frame header"
    if not data.rstrip(_TRAILING_PADDING).endswith(b"\xff\xd9"):
        return "the JPEG is truncated (no end-of-image marker)"
    return None


def _webp(data: bytes) -> str | None:
    if len(data) < 20 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return "the WebP RIFF header is missing"
    (riff_size,) = struct.unpack_from("<I", data, 4)
    if 8 + riff_size > len(data):
        return f"the WebP is truncated ({len(data)} of {8 + riff_size} bytes)"
    pos, end, image = 12, 8 + riff_size, False
    while pos + 8 <= end:
        kind, length = struct.unpack_from("<4sI", data, pos)
        stop = pos + 8 + length + (length & 1)
        if pos + 8 + length > end:
            return f"the WebP is truncated inside its {kind.decode('latin-1')!r} chunk"
        image = image or kind in (b"VP8 ", b"VP8L", b"ANMF")
        pos = stop
    return None if image else "the WebP holds no image data"


def _gif(data: bytes) -> str | None:
    if len(data) < 13 or data[:6] not in (b"GIF87a", b"GIF89a"):
        return "the GIF header is missing"
    end = len(data)
    pos = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)  # the global colour table
    frames = 0
    while pos < end:
        block = data[pos]
        if block == 0x3B:  # trailer
            return None if frames else "the GIF holds no image"
        if block == 0x21:  # extension: label, then data sub-blocks
            pos = _gif_sub_blocks(data, pos + 2)
        elif block == 0x2C:  # image descriptor, optional local colour table, LZW code size, sub-blocks
            if pos + 10 > end:
                break
            flags = data[pos + 9]
            pos += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
            pos = _gif_sub_blocks(data, pos + 1)
            frames += 1
        else:
            return f"the GIF is damaged (unexpected block 0x{block:02X})"
        if pos < 0:
            break
    return "the GIF is truncated (no trailer)"


def _gif_sub_blocks(data: bytes, pos: int) -> int:
    """The position after the sub-blocks starting at *pos*; -1 when they run past the end."""
    end = len(data)
    while pos < end:
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos if pos <= end else -1
    return -1


def _svg(data: bytes) -> str | None:
    """A vector output is text: complete when its root element is closed."""
    tail = data[-64:].rstrip(_TRAILING_PADDING).lower()
    if not tail.endswith(b"</svg>"):
        return "the SVG is truncated (its root element is not closed)"
    return None


_NEEDS_A_PILLOW_PLUGIN = frozenset({"image/avif", "image/heic", "image/heif"})


def _pillow(data: bytes, media_type: str) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
    except UnidentifiedImageError:
        if media_type in _NEEDS_A_PILLOW_PLUGIN:
            return None  # this Pillow cannot read the format at all: nothing to judge it by
        return "it cannot be read (not a recognised image)"
    except Exception as exc:  # Pillow raises many types for damaged files
        return f"it cannot be read ({type(exc).__name__}: {exc})"
    return None

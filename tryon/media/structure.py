"""Walk an encoded image's container without decoding it: every frame, every metadata block.

:func:`scan_layout` reads the chunk, block, segment or IFD structure of PNG/APNG, GIF,
WebP (still and animated), JPEG, TIFF, BMP and ICO files and returns a :class:`Layout`:
the size a decoder will really produce (the largest frame extent, not only what the first
header claims), the number of frames, the pixels of all frames together, the EXIF
orientation and the bytes of metadata. It raises :class:`LayoutProblem` for what no
decoder should be given: a frame outside its canvas, a frame count or text chunk over the
bounds of :mod:`tryon.media.limits`, a compressed text chunk that inflates past its bound,
a loop in a TIFF's IFD chain. Like :mod:`tryon.media.sniff` this module never imports PIL
and reads at the speed of the data (headers only; a compressed text chunk is inflated
at most to its bound).
"""

from __future__ import annotations

import contextlib
import struct
import zlib

import attrs

from tryon.media.limits import (
    MAX_FRAME_PIXELS_TOTAL,
    MAX_FRAMES,
    MAX_METADATA_BYTES,
    MAX_TEXT_CHUNK_BYTES,
    SAFE_MAX_PIXELS,
    describe_bytes,
    describe_pixels,
)

__all__ = ["Layout", "LayoutProblem", "exif_orientation", "scan_layout"]


class LayoutProblem(ValueError):
    """The container is malformed or hostile; the message says what, in a few words."""


@attrs.frozen
class Layout:
    """What a decoder would produce from an image, read from its structure alone.

    ``width``/``height`` are the stored (decoded) size: the canvas, grown to the extent of
    any frame that reaches past it (GIF decoders do that). ``frame_pixels`` adds up every
    frame's pixels; ``orientation`` is the EXIF orientation (1-8, 1 when absent);
    ``metadata_bytes`` counts text, EXIF, XMP, ICC and comment payloads.
    """

    width: int
    height: int
    frames: int = 1
    frame_pixels: int = 0
    orientation: int = 1
    metadata_bytes: int = 0


class _Tally:
    """Frames and metadata seen so far, with the bounds checked as they are added."""

    def __init__(self) -> None:
        self.width = 0
        self.height = 0
        self.frames = 0
        self.frame_pixels = 0
        self.metadata = 0
        self.orientation = 1
        self.canvas: tuple[int, int] | None = None  # what the first header says
        self.decoded: tuple[int, int] | None = None  # set where a decoder opens one frame only

    def frame(self, width: int, height: int, left: int = 0, top: int = 0) -> None:
        self.frames += 1
        if self.frames > MAX_FRAMES:
            raise LayoutProblem(f"it has more than {MAX_FRAMES} frames")
        if width * height > SAFE_MAX_PIXELS or (left + width) * (top + height) > SAFE_MAX_PIXELS:
            raise LayoutProblem(
                f"frame {self.frames} is {width}x{height} at {left},{top}, over the "
                f"{describe_pixels(SAFE_MAX_PIXELS)} safety limit (decompression-bomb guard)"
            )
        self.frame_pixels += width * height
        if self.frame_pixels > MAX_FRAME_PIXELS_TOTAL:
            raise LayoutProblem(
                f"its {self.frames} frames hold more than {describe_pixels(MAX_FRAME_PIXELS_TOTAL)} together "
                "(decompression-bomb guard)"
            )
        self.width = max(self.width, left + width)
        self.height = max(self.height, top + height)

    def text(self, kind: str, size: int) -> None:
        if size > MAX_TEXT_CHUNK_BYTES:
            raise LayoutProblem(
                f"its {kind} metadata is {describe_bytes(size)}, over the {describe_bytes(MAX_TEXT_CHUNK_BYTES)} "
                "bound for one text block; strip the metadata"
            )
        self.meta(size)

    def meta(self, size: int) -> None:
        self.metadata += size
        if self.metadata > MAX_METADATA_BYTES:
            raise LayoutProblem(
                f"it carries more than {describe_bytes(MAX_METADATA_BYTES)} of metadata; strip the metadata"
            )

    def layout(self) -> Layout | None:
        if self.frames == 0:
            if self.canvas is None:
                return None
            self.frame(*self.canvas)
        canvas = self.canvas or (0, 0)
        width, height = self.decoded or (max(self.width, canvas[0]), max(self.height, canvas[1]))
        return Layout(
            width=width,
            height=height,
            frames=max(1, self.frames),
            frame_pixels=self.frame_pixels,
            orientation=self.orientation,
            metadata_bytes=self.metadata,
        )


def scan_layout(data: bytes, media_type: str) -> Layout | None:
    """The :class:`Layout` of *data* (already sniffed as *media_type*), or ``None`` when this
    format's structure is not walked here (AVIF/HEIC) or its header does not say the size.

    Raises :class:`LayoutProblem` for a hostile or malformed structure (see the module
    docstring); truncation inside a walked structure is left to the completeness checks.
    """
    scanner = _SCANNERS.get(media_type)
    if scanner is None:
        return None
    tally = _Tally()
    with contextlib.suppress(struct.error, IndexError):  # cut off: what was read so far still bounds the decoder
        scanner(memoryview(data), tally)
    return tally.layout()


# --------------------------------------------------------------------------- PNG / APNG

_PNG_TEXT = {b"tEXt": "PNG tEXt", b"zTXt": "PNG zTXt", b"iTXt": "PNG iTXt"}
_PNG_META = frozenset({b"iCCP", b"eXIf", b"tEXt", b"zTXt", b"iTXt"})


def _inflated_size(kind: str, payload: bytes) -> int:
    """How many bytes a zlib stream inflates to, never inflating past the text bound."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(payload, MAX_TEXT_CHUNK_BYTES + 1)
    except zlib.error:
        return len(payload)  # a corrupt text stream: decoders skip it; count what is stored
    if len(out) > MAX_TEXT_CHUNK_BYTES or inflater.unconsumed_tail:
        raise LayoutProblem(
            f"its {kind} metadata inflates past the {describe_bytes(MAX_TEXT_CHUNK_BYTES)} bound for one text "
            "block (a decompression bomb in a text chunk); strip the metadata"
        )
    return len(out)


def _png_text_size(kind: bytes, body: memoryview) -> int:
    raw = bytes(body)
    if kind == b"zTXt":
        _keyword, _, rest = raw.partition(b"\x00")
        return len(_keyword) + _inflated_size("PNG zTXt", rest[1:])
    if kind == b"iTXt":
        _keyword, _, rest = raw.partition(b"\x00")
        if len(rest) >= 2 and rest[0] == 1:  # compressed
            _lang, _, rest2 = rest[2:].partition(b"\x00")
            _translated, _, text = rest2.partition(b"\x00")
            return len(raw) - len(text) + _inflated_size("PNG iTXt", text)
    return len(raw)


def _scan_png(data: memoryview, tally: _Tally) -> None:
    if len(data) < 24 or bytes(data[12:16]) != b"IHDR":
        return
    width, height = struct.unpack_from(">II", data, 16)
    tally.canvas = (width, height)
    declared_frames: int | None = None
    pos, end = 8, len(data)
    while pos + 8 <= end:
        length, kind = struct.unpack_from(">I4s", data, pos)
        body = data[pos + 8 : min(end, pos + 8 + length)]
        if kind in _PNG_TEXT:
            tally.text(_PNG_TEXT[kind], _png_text_size(kind, body))
        elif kind in _PNG_META:
            tally.meta(len(body))
            if kind == b"eXIf":
                tally.orientation = exif_orientation(bytes(body))
        elif kind == b"acTL" and len(body) >= 8:
            declared_frames = struct.unpack_from(">I", body, 0)[0]
            if declared_frames > MAX_FRAMES:
                raise LayoutProblem(f"its APNG header declares {declared_frames} frames (at most {MAX_FRAMES})")
        elif kind == b"fcTL" and len(body) >= 20:
            fw, fh, fx, fy = struct.unpack_from(">IIII", body, 4)
            if fw == 0 or fh == 0 or fx + fw > width or fy + fh > height:
                raise LayoutProblem(
                    f"APNG frame {tally.frames + 1} ({fw}x{fh} at {fx},{fy}) does not lie inside its "
                    f"{width}x{height} canvas"
                )
            tally.frame(fw, fh, fx, fy)
        elif kind == b"IEND":
            break
        pos += 12 + length


# --------------------------------------------------------------------------- GIF


def _gif_sub_blocks(data: memoryview, pos: int) -> tuple[int, int]:
    """Skip data sub-blocks from *pos*; returns (position after the terminator, payload bytes)."""
    total = 0
    while True:
        size = data[pos]
        pos += 1
        if size == 0:
            return pos, total
        total += size
        pos += size


def _scan_gif(data: memoryview, tally: _Tally) -> None:
    if len(data) < 10:
        return
    tally.canvas = struct.unpack_from("<HH", data, 6)
    flags = data[10]
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    end = len(data)
    while pos < end:
        introducer = data[pos]
        if introducer == 0x3B:  # trailer
            break
        if introducer == 0x21:  # extension
            label = data[pos + 1]
            pos, size = _gif_sub_blocks(data, pos + 2)
            if label == 0xFE:
                tally.text("GIF comment", size)
            elif label in (0xFF, 0x01):
                tally.meta(size)
            continue
        if introducer == 0x2C:  # image descriptor
            if pos + 10 > end:
                raise LayoutProblem(f"it is cut off inside the header of frame {tally.frames + 1}")
            left, top, fw, fh, fflags = struct.unpack_from("<HHHHB", data, pos + 1)
            tally.frame(fw, fh, left, top)
            pos += 10
            if fflags & 0x80:
                pos += 3 << ((fflags & 7) + 1)
            pos, _ = _gif_sub_blocks(data, pos + 1)  # skip the LZW minimum code size, then the data
            continue
        break  # garbage after the last block: decoders stop here too


# --------------------------------------------------------------------------- WebP


def _vp8_size(kind: bytes, body: memoryview) -> tuple[int, int] | None:
    if kind == b"VP8 " and len(body) >= 10 and bytes(body[3:6]) == b"\x9d\x01\x2a":
        w, h = struct.unpack_from("<HH", body, 6)
        return w & 0x3FFF, h & 0x3FFF
    if kind == b"VP8L" and len(body) >= 5 and body[0] == 0x2F:
        bits = struct.unpack_from("<I", body, 1)[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _riff_chunks(data: memoryview, pos: int, end: int) -> list[tuple[bytes, memoryview]]:
    chunks = []
    while pos + 8 <= end:
        kind = bytes(data[pos : pos + 4])
        length = struct.unpack_from("<I", data, pos + 4)[0]
        chunks.append((kind, data[pos + 8 : min(end, pos + 8 + length)]))
        pos += 8 + length + (length & 1)
    return chunks


def _scan_webp(data: memoryview, tally: _Tally) -> None:
    canvas: tuple[int, int] | None = None
    for kind, body in _riff_chunks(data, 12, len(data)):
        if kind == b"VP8X" and len(body) >= 10:
            canvas = (int.from_bytes(body[4:7], "little") + 1, int.from_bytes(body[7:10], "little") + 1)
            tally.canvas = canvas
        elif kind in (b"VP8 ", b"VP8L"):
            size = _vp8_size(kind, body)
            if size is None:
                continue
            if canvas is not None and size != canvas:
                raise LayoutProblem(
                    f"its image data is {size[0]}x{size[1]} but its header says {canvas[0]}x{canvas[1]}"
                )
            tally.frame(*size)
        elif kind == b"ANMF" and len(body) >= 16:
            fx, fy = int.from_bytes(body[0:3], "little") * 2, int.from_bytes(body[3:6], "little") * 2
            fw, fh = int.from_bytes(body[6:9], "little") + 1, int.from_bytes(body[9:12], "little") + 1
            cw, ch = canvas or (0, 0)
            if fx + fw > cw or fy + fh > ch:
                raise LayoutProblem(
                    f"animation frame {tally.frames + 1} ({fw}x{fh} at {fx},{fy}) does not lie inside its "
                    f"{cw}x{ch} canvas"
                )
            for sub_kind, sub_body in _riff_chunks(body, 16, len(body)):
                size = _vp8_size(sub_kind, sub_body)
                if size is not None and (size[0] > fw or size[1] > fh):
                    raise LayoutProblem(
                        f"animation frame {tally.frames + 1} holds a {size[0]}x{size[1]} image in a {fw}x{fh} frame"
                    )
            tally.frame(fw, fh, fx, fy)
        elif kind == b"EXIF":
            tally.meta(len(body))
            tally.orientation = exif_orientation(bytes(body))
        elif kind == b"XMP ":
            tally.text("WebP XMP", len(body))
        elif kind == b"ICCP":
            tally.meta(len(body))


# --------------------------------------------------------------------------- JPEG

def _scan_jpeg(data: memoryview, tally: _Tally) -> None:
    from tryon.media.jpeg import COM, JpegSegments, Segment, frame_size

    size: tuple[int, int] | None = None
    for marker, start, stop in JpegSegments(data):
        if size is None and (found := frame_size(data, Segment(marker, start, stop))) is not None:
            size = found
        elif marker == COM:
            tally.text("JPEG comment", stop - start)
        elif 0xE0 <= marker <= 0xEF:
            tally.meta(stop - start)
            if marker == 0xE1 and bytes(data[start:start + 6]) == b"Exif\x00\x00" and tally.orientation == 1:
                tally.orientation = exif_orientation(bytes(data[start + 6:stop]))
    if size is not None:
        tally.frame(*size)


# --------------------------------------------------------------------------- TIFF / EXIF

_TIFF_SHORT, _TIFF_LONG = 3, 4
_MAX_IFD_ENTRIES = 4096


def _tiff_ifds(tiff: bytes, limit: int) -> list[dict[int, int]]:
    """The integer tags of each IFD (at most *limit* IFDs); raises on a loop."""
    order = "<" if tiff[:2] == b"II" else ">"
    magic = struct.unpack_from(order + "H", tiff, 2)[0]
    if magic != 42:
        return []  # BigTIFF and the like: left to the decoder
    offset = struct.unpack_from(order + "I", tiff, 4)[0]
    seen: set[int] = set()
    ifds: list[dict[int, int]] = []
    while offset and len(ifds) < limit:
        if offset in seen:
            raise LayoutProblem("its IFD chain loops back on itself")
        seen.add(offset)
        count = struct.unpack_from(order + "H", tiff, offset)[0]
        if count > _MAX_IFD_ENTRIES:
            raise LayoutProblem(f"an IFD declares {count} entries")
        tags: dict[int, int] = {}
        for index in range(count):
            tag, kind, n = struct.unpack_from(order + "HHI", tiff, offset + 2 + 12 * index)
            if n == 1 and kind == _TIFF_SHORT:
                tags[tag] = struct.unpack_from(order + "H", tiff, offset + 10 + 12 * index)[0]
            elif n == 1 and kind == _TIFF_LONG:
                tags[tag] = struct.unpack_from(order + "I", tiff, offset + 10 + 12 * index)[0]
        ifds.append(tags)
        offset = struct.unpack_from(order + "I", tiff, offset + 2 + 12 * count)[0]
    if offset and len(ifds) >= limit:
        raise LayoutProblem(f"it has more than {limit} pages")
    return ifds


def exif_orientation(exif: bytes) -> int:
    """The EXIF orientation (1-8) in a TIFF-structured EXIF block (``Exif\\0\\0`` prefix allowed);
    1 when absent, unreadable or out of range."""
    if exif.startswith(b"Exif\x00\x00"):
        exif = exif[6:]
    if exif[:2] not in (b"II", b"MM"):
        return 1
    try:
        ifds = _tiff_ifds(exif, 1)
    except (struct.error, LayoutProblem):
        return 1
    value = ifds[0].get(0x0112, 1) if ifds else 1
    return value if 1 <= value <= 8 else 1


def _scan_tiff(data: memoryview, tally: _Tally) -> None:
    tiff = bytes(data)
    ifds = _tiff_ifds(tiff, MAX_FRAMES)
    if not ifds or 256 not in ifds[0] or 257 not in ifds[0]:
        return
    for tags in ifds:
        if 256 in tags and 257 in tags:
            tally.frame(tags[256], tags[257])
    orientation = ifds[0].get(0x0112, 1)
    tally.orientation = orientation if 1 <= orientation <= 8 else 1
    tally.decoded = (ifds[0][256], ifds[0][257])  # decoders open page 1


# --------------------------------------------------------------------------- BMP / ICO


def _scan_bmp(data: memoryview, tally: _Tally) -> None:
    dib = struct.unpack_from("<I", data, 14)[0]
    if dib == 12:
        width, height = struct.unpack_from("<HH", data, 18)
    else:
        width, height = (abs(v) for v in struct.unpack_from("<ii", data, 18))
    tally.frame(width, height)


def _scan_ico(data: memoryview, tally: _Tally) -> None:
    count = struct.unpack_from("<H", data, 4)[0]
    best = (0, 0)
    for index in range(count):
        w, h, _c, _r, _planes, _bits, _size, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * index)
        w, h = w or 256, h or 256
        if bytes(data[offset : offset + 8]) == b"\x89PNG\r\n\x1a\n" and offset + 24 <= len(data):
            w, h = struct.unpack_from(">II", data, offset + 16)  # an embedded PNG says its own size
        tally.frame(w, h)
        if w * h > best[0] * best[1]:
            best = (w, h)
    if tally.frames:
        tally.decoded = best  # decoders open the largest


_SCANNERS = {
    "image/png": _scan_png,
    "image/gif": _scan_gif,
    "image/webp": _scan_webp,
    "image/jpeg": _scan_jpeg,
    "image/tiff": _scan_tiff,
    "image/bmp": _scan_bmp,
    "image/x-icon": _scan_ico,
}

"""Class 3 of the hardening issue: image bombs past the header, oversized metadata, special files.

Every hostile file is made here, byte by byte where Pillow would refuse to write it, and each
must be refused by :func:`tryon.media.load_image` before anything decodes it.
"""

from __future__ import annotations

import io
import os
import socket
import struct
import threading
import zlib
from pathlib import Path

import pytest
from PIL import Image

from tryon.errors import InvalidInputError
from tryon.media import load_image
from tryon.media.limits import MAX_FRAMES, MAX_METADATA_BYTES, MAX_TEXT_CHUNK_BYTES, SAFE_MAX_PIXELS
from tryon.media.structure import exif_orientation, scan_layout

MIB = 1024 * 1024


# --------------------------------------------------------------------------- builders


def gif(screen: tuple[int, int], frames: list[tuple[int, int, int, int]], *, comment: int = 0,
        trailer: bool = True, with_data: bool = True) -> bytes:
    """A GIF with a logical *screen* and frames ``(left, top, width, height)`` (tiny LZW data)."""
    out = bytearray(b"GIF89a" + struct.pack("<HHBBB", *screen, 0, 0, 0))
    if comment:
        out += b"\x21\xfe"
        left = comment
        while left:
            size = min(255, left)
            out += bytes([size]) + b"c" * size
            left -= size
        out += b"\x00"
    for left, top, width, height in frames:
        out += b"\x2c" + struct.pack("<HHHHB", left, top, width, height, 0x80) + b"\x00\x00\x00\xff\xff\xff"
        if with_data:
            out += b"\x02\x01\x2c\x00"  # LZW minimum code size 2; one sub-block: clear, end
    if trailer:
        out += b"\x3b"
    return bytes(out)


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(*extra: bytes, size: tuple[int, int] = (16, 16), before_idat: bool = True) -> bytes:
    """A valid 8-bit grey PNG with *extra* chunks inserted before (or after) the image data."""
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", *size, 8, 0, 0, 0, 0))
    raw = b"".join(b"\x00" + b"\x80" * size[0] for _ in range(size[1]))
    idat = chunk(b"IDAT", zlib.compress(raw))
    middle = b"".join(extra)
    body = ihdr + middle + idat if before_idat else ihdr + idat + middle
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


def apng(frames: list[tuple[int, int, int, int]], *, canvas: tuple[int, int] = (16, 16),
         declared: int | None = None) -> bytes:
    """An APNG whose fcTL chunks declare frames ``(x, y, width, height)``."""
    extra = [chunk(b"acTL", struct.pack(">II", declared if declared is not None else len(frames), 0))]
    for seq, (x, y, w, h) in enumerate(frames):
        extra.append(chunk(b"fcTL", struct.pack(">IIIIIHHBB", seq, w, h, x, y, 1, 10, 0, 0)))
    return png(*extra, size=canvas)


def riff(*chunks: tuple[bytes, bytes]) -> bytes:
    body = b"WEBP" + b"".join(kind + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) & 1 else b"")
                              for kind, data in chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def vp8x(width: int, height: int, flags: int = 0) -> tuple[bytes, bytes]:
    return b"VP8X", bytes([flags, 0, 0, 0]) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")


def vp8l(width: int, height: int) -> tuple[bytes, bytes]:
    bits = (width - 1) | ((height - 1) << 14)
    return b"VP8L", b"\x2f" + struct.pack("<I", bits) + b"\x00" * 8


def anmf(x: int, y: int, width: int, height: int, inner: tuple[bytes, bytes]) -> tuple[bytes, bytes]:
    head = ((x // 2).to_bytes(3, "little") + (y // 2).to_bytes(3, "little") + (width - 1).to_bytes(3, "little")
            + (height - 1).to_bytes(3, "little") + b"\x64\x00\x00\x00")
    kind, data = inner
    return b"ANMF", head + kind + struct.pack("<I", len(data)) + data


def jpeg(*segments: bytes) -> bytes:
    """A small real JPEG with *segments* (``marker + body``) inserted after SOI."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (90, 90, 90)).save(buffer, "JPEG")
    data = buffer.getvalue()
    inserted = b"".join(seg[:2] + struct.pack(">H", len(seg) - 2 + 2) + seg[2:] for seg in segments)
    return data[:2] + inserted + data[2:]


def refused(data: bytes, *words: str) -> str:
    with pytest.raises(InvalidInputError) as info:
        load_image(data)
    message = str(info.value)
    for word in words:
        assert word in message, message
    return message


# --------------------------------------------------------------------------- multi-frame bombs

GIF_BOMBS = {
    "10x10 screen, one 12000x12000 frame": gif((10, 10), [(0, 0, 12000, 12000)]),
    "frame reaching past the limit by its offset": gif((10, 10), [(0, 0, 5, 5), (9000, 9000, 9000, 9000)]),
    "second frame huge": gif((10, 10), [(0, 0, 10, 10), (0, 0, 20000, 5000)]),
    "100th frame huge": gif((10, 10), [(0, 0, 10, 10)] * 99 + [(0, 0, 65535, 65535)]),
    "huge frame without data (truncated)": gif((10, 10), [(0, 0, 12000, 12000)], trailer=False, with_data=False),
    "huge frame, header cut inside the descriptor": gif((10, 10), [(0, 0, 12000, 12000)])[:19],
    "too many frames": gif((4, 4), [(0, 0, 1, 1)] * (MAX_FRAMES + 1)),
    "frames adding up past the total bound": gif((9000, 9000), [(0, 0, 9000, 9000)] * 5),
    "9459x9460 single frame in a small screen": gif((100, 100), [(0, 0, 9459, 9460)]),
}

APNG_BOMBS = {
    "frame wider than the canvas": apng([(0, 0, 16, 16), (0, 0, 12000, 16)]),
    "frame taller than the canvas": apng([(0, 0, 16, 16000)]),
    "frame pushed out by its offset": apng([(0, 0, 16, 16), (10, 10, 16, 16)]),
    "zero-sized frame": apng([(0, 0, 0, 16)]),
    "a million declared frames": apng([(0, 0, 16, 16)], declared=1_000_000),
    "too many frames": apng([(0, 0, 1, 1)] * (MAX_FRAMES + 1)),
}

WEBP_BOMBS = {
    "10x10 canvas, 16000x16000 lossless data": riff(vp8x(10, 10), vp8l(16000, 16000)),
    "lossless data larger than the 10x10 canvas": riff(vp8x(10, 10), vp8l(11, 10)),
    "animation frame outside the canvas": riff(vp8x(16, 16, 0x02), (b"ANIM", b"\x00" * 6),
                                               anmf(0, 0, 16000, 16000, vp8l(16, 16))),
    "animation frame pushed out by its offset": riff(vp8x(16, 16, 0x02), (b"ANIM", b"\x00" * 6),
                                                     anmf(8, 8, 16, 16, vp8l(16, 16))),
    "frame holding a larger bitstream": riff(vp8x(64, 64, 0x02), (b"ANIM", b"\x00" * 6),
                                             anmf(0, 0, 16, 16, vp8l(15000, 15000))),
    "second frame outside the canvas": riff(vp8x(16, 16, 0x02), (b"ANIM", b"\x00" * 6),
                                            anmf(0, 0, 16, 16, vp8l(16, 16)), anmf(0, 0, 17, 16, vp8l(17, 16))),
    "canvas over the limit": riff(vp8x(16000, 16000), vp8l(16000, 16000)),
}

OTHER_BOMBS = {
    "ICO whose embedded PNG says 12000x12000": (
        b"\x00\x00\x01\x00\x01\x00" + struct.pack("<BBBBHHII", 16, 16, 0, 0, 1, 32, 0, 22)
        + png(size=(12000, 12000))[:33]
    ),
    "multi-page TIFF with a huge second page": None,  # built in the test (needs Pillow)
}


@pytest.mark.parametrize("data", list(GIF_BOMBS.values()), ids=list(GIF_BOMBS))
def test_gif_bombs_are_refused_from_their_frames(data: bytes) -> None:
    refused(data, "refused")


@pytest.mark.parametrize("data", list(APNG_BOMBS.values()), ids=list(APNG_BOMBS))
def test_apng_bombs_are_refused_from_their_frame_headers(data: bytes) -> None:
    refused(data, "refused")


@pytest.mark.parametrize("data", list(WEBP_BOMBS.values()), ids=list(WEBP_BOMBS))
def test_webp_bombs_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidInputError):
        load_image(data)


def test_ico_with_a_huge_embedded_png_is_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"safety limit|refused"):
        load_image(OTHER_BOMBS["ICO whose embedded PNG says 12000x12000"])


def test_tiff_page_over_the_limit_is_refused() -> None:
    buffer = io.BytesIO()
    pages = [Image.new("L", (8, 8)), Image.new("L", (8, 8))]
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:])
    data = bytearray(buffer.getvalue())
    # patch every ImageWidth (256) entry of the second IFD to 65535 x 65535 (LONG values in place)
    order = "<" if data[:2] == b"II" else ">"
    first = struct.unpack_from(order + "I", data, 4)[0]
    count = struct.unpack_from(order + "H", data, first)[0]
    second = struct.unpack_from(order + "I", data, first + 2 + 12 * count)[0]
    count2 = struct.unpack_from(order + "H", data, second)[0]
    for index in range(count2):
        entry = second + 2 + 12 * index
        tag, kind = struct.unpack_from(order + "HH", data, entry)
        if tag in (256, 257):
            fmt = "H" if kind == 3 else "I"
            struct.pack_into(order + fmt, data, entry + 8, 65535)
    refused(bytes(data), "frame 2", "safety limit")


def test_a_tiff_ifd_loop_is_refused() -> None:
    buffer = io.BytesIO()
    Image.new("L", (8, 8)).save(buffer, "TIFF")
    data = bytearray(buffer.getvalue())
    order = "<" if data[:2] == b"II" else ">"
    first = struct.unpack_from(order + "I", data, 4)[0]
    count = struct.unpack_from(order + "H", data, first)[0]
    struct.pack_into(order + "I", data, first + 2 + 12 * count, first)  # next IFD = itself
    refused(bytes(data), "loops")


def test_a_frame_past_a_small_screen_counts_at_its_decoded_size() -> None:
    # Pillow grows the image to hold such a frame: the size tryon reports (and checks) is that one
    image = load_image(gif((10, 10), [(0, 0, 100, 80)]))
    assert (image.width, image.height) == (100, 80)
    with Image.open(io.BytesIO(image.data)) as decoded:
        assert decoded.size == (100, 80)


def test_an_honest_animated_gif_and_apng_load_with_their_frame_count() -> None:
    frames = [Image.new("RGB", (20, 10), (i * 80, 255 - i * 80, 0)) for i in range(3)]
    for fmt in ("GIF", "PNG"):
        buffer = io.BytesIO()
        frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=50)
        image = load_image(buffer.getvalue())
        assert (image.width, image.height, image.frames) == (20, 10, 3)


def test_an_honest_animated_webp_loads() -> None:
    frames = [Image.new("RGB", (20, 10), (i * 40, 0, 0)) for i in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:], duration=50, lossless=True)
    image = load_image(buffer.getvalue())
    assert (image.width, image.height, image.frames) == (20, 10, 3)


# --------------------------------------------------------------------------- metadata

def _ztxt_bomb(size: int) -> bytes:
    return chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"a" * size, 9))


def _itxt(text: bytes, *, compressed: bool) -> bytes:
    payload = zlib.compress(text, 9) if compressed else text
    return chunk(b"iTXt", b"XML:com.adobe.xmp\x00" + (b"\x01\x00" if compressed else b"\x00\x00") + b"\x00\x00"
                 + payload)


TEXT_BOMBS = {
    "PNG tEXt of 1 MiB + 1": png(chunk(b"tEXt", b"Comment\x00" + b"a" * MAX_TEXT_CHUNK_BYTES)),
    "PNG zTXt inflating to 64 MiB": png(_ztxt_bomb(64 * MIB)),
    "PNG zTXt inflating to 1 MiB + 1 (after the image data)": png(_ztxt_bomb(MAX_TEXT_CHUNK_BYTES + 1),
                                                                  before_idat=False),
    "PNG iTXt compressed bomb": png(_itxt(b"a" * (8 * MIB), compressed=True)),
    "PNG iTXt plain, 2 MiB": png(_itxt(b"a" * (2 * MIB), compressed=False)),
    "PNG with 17 tEXt chunks of 1 MiB": png(*[chunk(b"tEXt", b"k\x00" + b"a" * (MIB - 8))] * 17),
    "PNG iCCP chunks over the metadata bound": png(*[chunk(b"iCCP", b"p\x00\x00" + b"a" * (4 * MIB))] * 5),
    "GIF comment of 2 MiB": gif((10, 10), [(0, 0, 10, 10)], comment=2 * MIB),
    "WebP XMP of 2 MiB": riff(vp8x(16, 16, 0x04), vp8l(16, 16), (b"XMP ", b"a" * (2 * MIB))),
    "JPEG with 300 APP segments of 64 KiB": jpeg(*[b"\xff\xe2" + b"a" * 65000] * 300),
}


@pytest.mark.parametrize("data", list(TEXT_BOMBS.values()), ids=list(TEXT_BOMBS))
def test_oversized_metadata_is_refused(data: bytes) -> None:
    refused(data, "metadata")


def test_modest_text_chunks_are_accepted_and_passed_through() -> None:
    data = png(chunk(b"tEXt", b"Comment\x00hello"), _ztxt_bomb(1000), _itxt(b"<x/>" * 100, compressed=True))
    image = load_image(data)
    assert image.data == data


def test_a_corrupt_ztxt_stream_is_not_a_crash() -> None:
    data = png(chunk(b"zTXt", b"Comment\x00\x00not zlib at all"))
    assert load_image(data).data == data


# --------------------------------------------------------------------------- special files


def _load_in_thread(target: object) -> BaseException | None:
    """Load *target* in a thread; a load that blocks for 5 s fails the test instead of hanging it."""
    outcome: list[BaseException | None] = []

    def work() -> None:
        try:
            load_image(target)  # type: ignore[arg-type]
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(5)
    assert not thread.is_alive(), f"loading {target!r} blocked"
    return outcome[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("as_path", [False, True])
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, as_path: bool) -> None:
    fifo = tmp_path / "image.png"
    os.mkfifo(fifo)
    error = _load_in_thread(fifo if as_path else str(fifo))
    assert isinstance(error, InvalidInputError) and "named pipe" in str(error)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_symlink_to_a_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "photo.jpg"
    link.symlink_to(fifo)
    error = _load_in_thread(str(link))
    assert isinstance(error, InvalidInputError) and "named pipe" in str(error)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_character_device_is_refused(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    error = _load_in_thread(device)
    assert isinstance(error, InvalidInputError) and "character device" in str(error)


def test_a_unix_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.png"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        error = _load_in_thread(str(path))
    finally:
        server.close()
    assert isinstance(error, InvalidInputError) and "socket" in str(error)


@pytest.mark.parametrize("as_path", [False, True])
def test_a_directory_is_refused(tmp_path: Path, as_path: bool) -> None:
    error = _load_in_thread(tmp_path if as_path else str(tmp_path))
    assert isinstance(error, InvalidInputError) and "directory" in str(error)


# --------------------------------------------------------------------------- the scanner itself


def test_exif_orientation_reads_both_byte_orders_and_ignores_junk() -> None:
    for order in ("<", ">"):
        mark = b"II" if order == "<" else b"MM"
        tiff = mark + struct.pack(order + "HI", 42, 8) + struct.pack(order + "H", 1)
        tiff += struct.pack(order + "HHIHH", 0x0112, 3, 1, 6, 0) + struct.pack(order + "I", 0)
        assert exif_orientation(tiff) == 6
        assert exif_orientation(b"Exif\x00\x00" + tiff) == 6
    assert exif_orientation(b"") == 1
    assert exif_orientation(b"II*\x00\xff\xff\xff\xff") == 1


def test_scan_layout_leaves_unwalked_formats_to_pillow() -> None:
    assert scan_layout(b"\x00\x00\x00\x18ftypavif", "image/avif") is None


def test_the_limits_hold_together() -> None:
    assert MAX_TEXT_CHUNK_BYTES < MAX_METADATA_BYTES and SAFE_MAX_PIXELS * 4 >= 9000 * 9000 * 4

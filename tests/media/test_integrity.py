"""The structural completeness check of output images: every truncation and damaged chunk caught."""

from __future__ import annotations

import io
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from tryon.media.integrity import integrity_problem
from tryon.testing.synth import synth_image

FORMATS = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


def _gif(width: int, height: int, frames: int = 1) -> bytes:
    images = [Image.new("P", (width, height), i * 40) for i in range(frames)]
    buf = io.BytesIO()
    images[0].save(buf, "GIF", save_all=frames > 1, append_images=images[1:])
    return buf.getvalue()


def _image(fmt: str, width: int, height: int, transparent: bool = False) -> tuple[bytes, str]:
    if fmt == "gif":
        return _gif(width, height), "image/gif"
    return synth_image(width, height, fmt, transparent=transparent and fmt != "jpeg", seed_text=f"{width}"), \
        FORMATS[fmt]


SMALL = st.integers(min_value=1, max_value=96)
FMT = st.sampled_from(["png", "jpeg", "webp", "gif"])


@given(fmt=FMT, width=SMALL, height=SMALL, transparent=st.booleans())
def test_complete_images_pass(fmt: str, width: int, height: int, transparent: bool) -> None:
    data, media_type = _image(fmt, width, height, transparent)
    assert integrity_problem(data, media_type) is None


@given(fmt=FMT, width=SMALL, height=SMALL, cut=st.floats(min_value=0.0, max_value=0.9999))
def test_every_truncation_is_caught(fmt: str, width: int, height: int, cut: float) -> None:
    data, media_type = _image(fmt, width, height)
    keep = max(8, int(len(data) * cut))
    problem = integrity_problem(data[:keep], media_type)
    assert problem is not None and problem  # says what is wrong


@given(width=SMALL, height=SMALL, where=st.floats(min_value=0.0, max_value=0.9999), flip=st.integers(1, 255))
def test_any_damaged_png_byte_after_the_signature_is_caught(width: int, height: int, where: float,
                                                               flip: int) -> None:
    data = bytearray(_image("png", width, height)[0])
    pos = 8 + int((len(data) - 8) * where)
    data[pos] ^= flip
    assert integrity_problem(bytes(data), "image/png") is not None


@pytest.mark.parametrize(("data", "media_type", "says"), [
    (b"\x89PNG\r\n\x1a\n", "image/png", "truncated"),
    (b"not a png at all", "image/png", "signature"),
    (b"\xff\xd8\xff\xd9", "image/jpeg", "ends before its image data"),
    (b"\xff\xd8", "image/jpeg", "truncated"),
    (b"RIFF\x40\x00\x00\x00WEBPVP8 \x10\x00\x00\x00", "image/webp", "truncated"),
    (b"RIFF\x0c\x00\x00\x00WEBPXXXX\x00\x00\x00\x00", "image/webp", "no image data"),
    (b"GIF89a" + b"\x01\x00\x01\x00\x00\x00\x00" + b"\x3b", "image/gif", "no image"),
    (b"GIF89a" + b"\x01\x00\x01\x00\x00\x00\x00" + b"\x99", "image/gif", "unexpected block"),
    (b"BM" + b"\x00" * 40, "image/bmp", "cannot be read"),
])
def test_malformed_containers_name_the_problem(data: bytes, media_type: str, says: str) -> None:
    problem = integrity_problem(data, media_type)
    assert problem is not None and says in problem


def test_a_png_without_image_data_or_with_a_bad_first_chunk_is_refused() -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    ihdr = chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00")
    no_idat = b"\x89PNG\r\n\x1a\n" + ihdr + chunk(b"IEND", b"")
    assert "no IDAT" in (integrity_problem(no_idat, "image/png") or "")
    wrong_first = b"\x89PNG\r\n\x1a\n" + chunk(b"tEXt", b"a\x00b") + ihdr + chunk(b"IEND", b"")
    assert "IHDR" in (integrity_problem(wrong_first, "image/png") or "")


def test_jpeg_padding_after_the_end_marker_is_accepted() -> None:
    data, media_type = _image("jpeg", 32, 32)
    assert integrity_problem(data + b"\x00\x00\r\n", media_type) is None


def test_animated_gifs_are_walked_frame_by_frame() -> None:
    data = _gif(16, 16, frames=3)
    assert integrity_problem(data, "image/gif") is None
    assert integrity_problem(data[:-1], "image/gif") is not None


def test_svg_outputs_must_close_their_root() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="8" height="8"/></svg>\n'
    assert integrity_problem(svg, "image/svg+xml") is None
    assert "truncated" in (integrity_problem(svg[:-10], "image/svg+xml") or "")

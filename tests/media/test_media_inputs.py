"""Input images: sniffing, loading every kind of source, validation, and fitting to model limits."""

from __future__ import annotations

import base64
import io
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from media_helpers import LocalServer, Reply, image_bytes, make_image, png_with_size
from PIL import Image, ImageOps

from tryon.errors import InvalidInputError, UnsafeURLError, ValidationError
from tryon.media import (
    SAFE_MAX_PIXELS,
    InputLimits,
    URLFetcher,
    extension_for,
    format_name,
    image_dimensions,
    load_image,
    load_images,
    prepare_images,
    sniff_media_type,
)
from tryon.media.sniff import describe_content, normalize_media_type

PNG_JPEG_WEBP = InputLimits(accepted_types={"image/png", "image/jpeg", "image/webp"})
PNG_ONLY = InputLimits(accepted_types={"image/png"})
JPEG_ONLY = InputLimits(accepted_types={"image/jpeg"})


def noisy_png(size: tuple[int, int] = (200, 150), seed: int = 1) -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# --------------------------------------------------------------------------- import hygiene


def test_importing_tryon_http_and_media_modules_imports_neither_pillow_nor_requests() -> None:
    code = (
        "import sys, tryon, tryon.http, tryon.media, tryon.media.sniff, tryon.media.inputs, "
        "tryon.media.prepare, tryon.media.masks, tryon.media.outputs, tryon.media.fetch, tryon.media.limits, "
        "tryon.media.contact_sheet\n"
        "bad = sorted(m for m in sys.modules if m == 'PIL' or m.startswith('PIL.'))\n"
        "assert not bad, bad\n"
        "assert 'requests' not in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("fmt", "mode", "media_type"),
    [
        ("PNG", "RGBA", "image/png"),
        ("JPEG", "RGB", "image/jpeg"),
        ("WEBP", "RGB", "image/webp"),
        ("GIF", "P", "image/gif"),
        ("BMP", "RGB", "image/bmp"),
        ("TIFF", "RGB", "image/tiff"),
        ("ICO", "RGBA", "image/x-icon"),
    ],
)
def test_sniff_media_type_from_magic_bytes(fmt: str, mode: str, media_type: str) -> None:
    size = (32, 32) if fmt == "ICO" else (40, 30)
    assert sniff_media_type(image_bytes(fmt, size, mode)) == media_type


def test_sniff_tiff_both_byte_orders_and_isobmff_brands() -> None:
    assert sniff_media_type(b"II*\x00" + b"\x00" * 20) == "image/tiff"
    assert sniff_media_type(b"MM\x00*" + b"\x00" * 20) == "image/tiff"
    assert sniff_media_type(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic") == "image/heic"
    assert sniff_media_type(b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1avif") == "image/avif"
    assert sniff_media_type(b"\x00\x00\x00\x14ftypmif1\x00\x00\x00\x00mif1") == "image/heif"
    assert sniff_media_type(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2") is None  # an MP4 video


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.7\n...", "PDF"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b"<svg width='10'/>", "SVG"),
        (b"<!DOCTYPE html><html></html>", "HTML"),
        (b"PK\x03\x04rest", "ZIP"),
        (b'{"a": 1}', "JSON"),
        (b"hello world", "text"),
        (b"BM not really a bitmap", "text"),
    ],
)
def test_non_images_are_not_sniffed_and_are_described(data: bytes, words: str) -> None:
    assert sniff_media_type(data) is None
    assert words in describe_content(data)


def test_extension_and_format_names() -> None:
    assert extension_for("image/jpeg") == ".jpg"
    assert extension_for("image/png") == ".png"
    assert extension_for("image/webp") == ".webp"
    assert extension_for("application/x-unknown") == ".bin"
    assert format_name("image/jpeg") == "jpeg"
    assert format_name("image/tiff") == "tiff"
    assert normalize_media_type("JPG") == "image/jpeg"
    assert normalize_media_type(".png") == "image/png"
    assert normalize_media_type("image/jpg") == "image/jpeg"
    with pytest.raises(ValueError, match="unknown image type"):
        normalize_media_type("image/svg+xml")


@pytest.mark.parametrize(
    ("fmt", "mode", "save"),
    [
        ("PNG", "RGB", {}),
        ("PNG", "RGBA", {}),
        ("JPEG", "RGB", {}),
        ("JPEG", "RGB", {"progressive": True}),
        ("JPEG", "L", {}),
        ("WEBP", "RGB", {}),  # VP8 (lossy)
        ("WEBP", "RGB", {"lossless": True}),  # VP8L
        ("WEBP", "RGBA", {}),  # VP8X (alpha)
        ("GIF", "P", {}),
        ("BMP", "RGB", {}),
    ],
)
def test_image_dimensions_from_headers(fmt: str, mode: str, save: dict[str, object]) -> None:
    assert image_dimensions(image_bytes(fmt, (123, 45), mode, **save)) == (123, 45)


def test_image_dimensions_of_avif_from_ispe_when_pillow_has_avif() -> None:
    pytest.importorskip("PIL.AvifImagePlugin")
    try:
        data = image_bytes("AVIF", (96, 64))
    except (KeyError, OSError):
        pytest.skip("this Pillow cannot write AVIF")
    assert sniff_media_type(data) == "image/avif"
    assert image_dimensions(data) == (96, 64)


def test_image_dimensions_needs_no_full_file() -> None:
    data = image_bytes("JPEG", (300, 200))
    assert image_dimensions(data[:400]) == (300, 200)
    assert image_dimensions(b"not an image") is None
    assert image_dimensions(data[:3]) is None


# --------------------------------------------------------------------------- every input kind


def test_load_path_str_and_pathlib(tmp_path: Path) -> None:
    path = make_image(tmp_path, "PNG", (64, 48))
    for source in (str(path), path):
        image = load_image(source)
        assert image.data == path.read_bytes()
        assert (image.media_type, image.width, image.height, image.source_kind) == (
            "image/png",
            64,
            48,
            "path",
        )
        assert image.name == str(path)


def test_load_path_with_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    make_image(tmp_path, "JPEG", name="home.jpg")
    assert load_image("~/home.jpg").media_type == "image/jpeg"


def test_format_comes_from_magic_bytes_not_extension(tmp_path: Path) -> None:
    path = tmp_path / "actually-a-jpeg.png"
    path.write_bytes(image_bytes("JPEG", (20, 10)))
    image = load_image(path)
    assert image.media_type == "image/jpeg"
    assert image.filename == "actually-a-jpeg.jpg"


def test_load_raw_bytes_bytearray_memoryview() -> None:
    data = image_bytes("WEBP", (30, 20))
    for source in (data, bytearray(data), memoryview(data)):
        image = load_image(source)
        assert image.data == data
        assert isinstance(image.data, bytes)
        assert (image.media_type, image.size, image.source_kind, image.name) == (
            "image/webp",
            (30, 20),
            "bytes",
            "bytes",
        )


def test_load_base64_strings_standard_urlsafe_unpadded_and_wrapped() -> None:
    data = image_bytes("JPEG", (33, 17))
    standard = base64.b64encode(data).decode()
    variants = [
        standard,
        base64.urlsafe_b64encode(data).decode(),
        standard.rstrip("="),
        "\n".join(standard[i : i + 76] for i in range(0, len(standard), 76)),
    ]
    for text in variants:
        image = load_image(text)
        assert image.data == data
        assert (image.source_kind, image.name) == ("base64", "base64 string")


def test_load_data_url_round_trip() -> None:
    data = image_bytes("PNG", (8, 8), "RGBA")
    image = load_image(data)
    again = load_image(image.to_data_url())
    assert again.data == data
    assert again.source_kind == "data-url"
    assert image.to_data_url().startswith("data:image/png;base64,")
    assert base64.b64decode(image.to_base64()) == data


def test_data_url_declared_type_is_ignored_in_favour_of_magic_bytes() -> None:
    data = image_bytes("JPEG", (8, 8))
    image = load_image("data:image/png;base64," + base64.b64encode(data).decode())
    assert image.media_type == "image/jpeg"


def test_load_pil_images_with_alpha_and_odd_modes() -> None:
    rgba = Image.new("RGBA", (10, 6), (1, 2, 3, 0))
    image = load_image(rgba)
    assert (image.media_type, image.size, image.source_kind, image.name) == (
        "image/png",
        (10, 6),
        "pil",
        "PIL image",
    )
    with Image.open(io.BytesIO(image.data)) as decoded:
        assert decoded.mode == "RGBA"
        assert decoded.getpixel((0, 0)) == (1, 2, 3, 0)
    cmyk = load_image(Image.new("CMYK", (5, 5)))
    assert cmyk.media_type == "image/png"


def test_load_binary_file_objects_without_closing_them(tmp_path: Path) -> None:
    path = make_image(tmp_path, "PNG", (9, 9))
    buffer = io.BytesIO(path.read_bytes())
    assert load_image(buffer).data == path.read_bytes()
    assert not buffer.closed
    with path.open("rb") as handle:
        image = load_image(handle)
        assert not handle.closed
    assert image.name == str(path)
    assert image.source_kind == "file"


def test_load_url_through_a_fetcher() -> None:
    data = image_bytes("PNG", (12, 12))
    with LocalServer() as server:
        server.routes["/cat.png"] = Reply(200, data, {"Content-Type": "image/png"})
        fetcher = URLFetcher(allow_private=True, retries=0)
        image = load_image(server.url("/cat.png") + "?token=s3cret", fetcher=fetcher)
    assert image.data == data
    assert image.source_kind == "url"
    assert "s3cret" not in image.name and image.name.endswith("/cat.png?...")
    assert image.filename == "cat.png"


def test_input_image_passes_through_and_can_be_renamed() -> None:
    image = load_image(image_bytes())
    assert load_image(image) is image
    assert load_image(image, name="renamed").name == "renamed"


def test_load_images_accepts_one_or_many() -> None:
    a, b = image_bytes("PNG"), image_bytes("JPEG")
    assert [i.media_type for i in load_images(a)] == ["image/png"]
    assert [i.media_type for i in load_images([a, b])] == ["image/png", "image/jpeg"]
    assert [i.media_type for i in load_images((b, a))] == ["image/jpeg", "image/png"]


def test_string_detection_prefers_an_existing_path_over_base64(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "QUJD").write_bytes(image_bytes("PNG"))  # "QUJD" is also valid base64 ("ABC")
    assert load_image("QUJD").source_kind == "path"


def test_repr_shows_size_not_bytes() -> None:
    image = load_image(image_bytes("PNG", (640, 480)))
    text = repr(image)
    assert "640x480" in text and f"nbytes={image.nbytes}" in text
    assert len(text) < 200 and "\\x" not in text


def test_filenames_are_safe_and_use_the_real_extension(tmp_path: Path) -> None:
    path = tmp_path / "My Photo é (1).JPEG"
    path.write_bytes(image_bytes("PNG"))
    assert load_image(path).filename == "My-Photo-e-1.png"
    assert load_image(image_bytes("WEBP")).filename == "image.webp"
    assert load_image(base64.b64encode(image_bytes("JPEG")).decode()).filename == "image.jpg"


def test_corrupt_pixel_data_is_reported_when_decoding_is_needed() -> None:
    data = bytearray(noisy_png((64, 64)))
    idat = data.index(b"IDAT")
    data[idat + 40 : idat + 400] = bytes(360)  # damage the compressed pixels, keep the chunk structure
    image = load_image(bytes(data), name="damaged.png")  # structure is fine: no decode needed yet
    with pytest.raises(InvalidInputError, match=r"'damaged\.png'.*(corrupt|truncated|decoded)"):
        prepare_images(image, JPEG_ONLY)


# --------------------------------------------------------------------------- bad inputs


def _error(source: object, **kwargs: object) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as info:
        load_image(source, **kwargs)  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (b"", "empty (0 bytes)"),
        (bytearray(), "empty (0 bytes)"),
        ("", "empty string"),
        ("   \n", "empty string"),
        ("x.png", "no such file: 'x.png'"),
        ("photos/missing.jpg", "no such file: 'photos/missing.jpg'"),
        ("myphoto", "no such file: 'myphoto'"),
        (b"%PDF-1.4 fake pdf", "PDF document"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "SVG"),
        (b"<!doctype html><html><body>404</body></html>", "HTML"),
        (b"PK\x03\x04\x14\x00", "ZIP"),
        (b'{"not": "an image"}', "JSON"),
        (b"just some text", "looks like text"),
        (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000"),
        (
            base64.b64encode(b"hello, this is definitely plain text").decode(),
            "decodes as base64, but not to an image",
        ),
        ("data:image/png;base64", "malformed data: URL"),
        ("data:image/png;base64,***notbase64***", "base64 payload is invalid"),
        ("data:text/plain,hello%20world", "looks like text"),
        (42, "unsupported image input of type int"),
        (None, "unsupported image input of type NoneType"),
        (3.5, "unsupported image input of type float"),
        ([b"a", b"b"], "use load_images"),
        ({"image": "x"}, "unsupported image input of type dict"),
    ],
)
def test_bad_inputs_are_invalid_input_errors_that_name_the_problem(source: object, words: str) -> None:
    error = _error(source)
    assert words in str(error)
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:/etc/passwd",
        "ftp://example.com/a.png",
        "gopher://example.com/",
        "javascript:alert(1)",
        "sftp://host/x.png",
        "ldap://x/",
    ],
)
def test_non_http_url_schemes_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURLError, match="only http"):
        load_image(url)


def test_missing_pathlib_path_and_directory(tmp_path: Path) -> None:
    assert "no such file" in str(_error(tmp_path / "nope.png"))
    assert "is a directory" in str(_error(str(tmp_path)))


def test_relative_missing_path_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert f"relative to {tmp_path}" in str(_error("person.jpg"))


def test_text_file_with_image_extension(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("these are notes, not pixels")
    error = _error(path)
    assert "notes.png" in str(error) and "not an image" in str(error) and "text" in str(error)
    assert error.input_name == str(path)


def test_svg_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "logo.svg"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    assert "rasterize it to PNG" in str(_error(path))


def test_text_mode_file_object_is_refused(tmp_path: Path) -> None:
    path = make_image(tmp_path, "PNG")
    with path.open("r", encoding="latin-1") as handle:
        assert "binary mode" in str(_error(handle))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_truncated_files_are_detected_without_decoding(fmt: str) -> None:
    data = noisy_png((120, 90)) if fmt == "PNG" else image_bytes(fmt, (120, 90), quality=95)
    if fmt != "PNG":
        with Image.open(io.BytesIO(noisy_png((120, 90)))) as im:
            buffer = io.BytesIO()
            im.save(buffer, format=fmt, quality=95)
            data = buffer.getvalue()
    cut = data[: len(data) * 2 // 3]
    error = _error(cut, name="cut-off")
    assert "truncated" in str(error) and "'cut-off'" in str(error)


def test_truncated_bmp_is_detected() -> None:
    data = image_bytes("BMP", (50, 50))
    assert "truncated" in str(_error(data[:100]))


def test_png_signature_followed_by_garbage_is_corrupt() -> None:
    error = _error(b"\x89PNG\r\n\x1a\n" + b"garbage that is not a chunk" * 3)
    assert "corrupt" in str(error) or "truncated" in str(error)


def test_jpeg_soi_followed_by_garbage_is_corrupt() -> None:
    assert "corrupt" in str(_error(b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x01" * 40))


def test_zero_sized_images_are_refused() -> None:
    assert "zero size (0x10)" in str(_error(png_with_size(0, 10)))
    assert "zero size (10x0)" in str(_error(png_with_size(10, 0)))
    assert "zero size" in str(_error(Image.new("RGB", (0, 0))))


def test_decompression_bomb_is_refused_from_the_header_before_decoding() -> None:
    side = int(SAFE_MAX_PIXELS**0.5) + 10
    bomb = png_with_size(side, side)
    assert len(bomb) < 100  # nothing was decoded: there are no real pixels
    error = _error(bomb, name="bomb.png")
    assert (
        "decompression-bomb" in str(error) and f"{side}x{side}" in str(error) and "'bomb.png'" in str(error)
    )


def test_load_images_names_the_failing_image() -> None:
    with pytest.raises(InvalidInputError, match=r"image 2 of 3: .*not an image"):
        load_images([image_bytes(), b"text, not pixels", image_bytes()])


def test_load_images_keeps_unsafe_url_error_type() -> None:
    with pytest.raises(UnsafeURLError, match="image 2 of 2"):
        load_images([image_bytes(), "file:///etc/passwd"])


# --------------------------------------------------------------------------- limits


def test_input_limits_validation() -> None:
    limits = InputLimits(accepted_types=["png", "jpg"], max_bytes=10, max_count=2)
    assert limits.accepted_types == frozenset({"image/png", "image/jpeg"})
    with pytest.raises(ValueError, match="unknown image type"):
        InputLimits(accepted_types={"image/svg+xml"})
    with pytest.raises(ValueError, match="at least one"):
        InputLimits(accepted_types=set())
    with pytest.raises(ValueError, match="positive integer"):
        InputLimits(max_bytes=0)
    with pytest.raises(ValueError, match="positive integer"):
        InputLimits(max_pixels=-5)
    with pytest.raises(ValueError, match="mask_format"):
        InputLimits(mask_format="image/jpeg")


def test_scale_to_fit_keeps_aspect_and_respects_every_limit() -> None:
    limits = InputLimits(max_pixels=1_000_000, max_edge=1500)
    assert limits.scale_to_fit(800, 600) is None
    w, h = limits.scale_to_fit(4000, 3000) or (0, 0)
    assert w * h <= 1_000_000 and max(w, h) <= 1500 and abs(w / h - 4 / 3) < 0.01
    w, h = InputLimits(max_edge=1000).scale_to_fit(5000, 100) or (0, 0)
    assert (w, h) == (1000, 20)
    assert InputLimits(max_pixels=4).scale_to_fit(10_000, 1) == (4, 1)


# --------------------------------------------------------------------------- prepare: pass-through


@pytest.mark.parametrize(("fmt", "mode"), [("PNG", "RGBA"), ("JPEG", "RGB"), ("WEBP", "RGB")])
def test_accepted_images_within_limits_pass_through_byte_for_byte(
    tmp_path: Path, fmt: str, mode: str
) -> None:
    path = make_image(tmp_path, fmt, (64, 48), mode)
    original = path.read_bytes()
    loaded = load_image(path)
    prepared, notices = prepare_images([loaded], PNG_JPEG_WEBP)
    assert notices == []
    assert prepared[0] is loaded
    assert prepared[0].data is loaded.data
    assert prepared[0].data == original


def test_exif_rotated_jpeg_passes_through_untouched_when_accepted() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    data = image_bytes("JPEG", (60, 40), exif=exif.tobytes())
    prepared, notices = prepare_images(data, PNG_JPEG_WEBP)
    assert prepared[0].data == data and notices == []


def test_order_is_preserved() -> None:
    sources = [image_bytes("PNG", (10 + i, 10)) for i in range(5)] + [image_bytes("BMP", (99, 10))]
    prepared, _ = prepare_images(sources, PNG_JPEG_WEBP)
    assert [p.width for p in prepared] == [10, 11, 12, 13, 14, 99]


def test_too_many_images_is_always_an_error_naming_the_max() -> None:
    limits = InputLimits(max_count=2)
    for strict in (True, False):
        with pytest.raises(InvalidInputError, match="3 input images given, but this model accepts at most 2"):
            prepare_images([image_bytes()] * 3, limits, strict=strict)


# --------------------------------------------------------------------------- prepare: conversions


def pixel(image: Image.Image, point: tuple[int, int]) -> Any:
    """A pixel value (typed loosely: Pillow returns ints or tuples depending on the mode)."""
    return image.getpixel(point)


def _decoded(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.copy()


@pytest.mark.parametrize(
    ("fmt", "mode"), [("BMP", "RGB"), ("TIFF", "RGBA"), ("TIFF", "RGB"), ("ICO", "RGBA")]
)
def test_unaccepted_formats_are_converted_to_png(fmt: str, mode: str) -> None:
    size = (32, 32) if fmt == "ICO" else (40, 30)
    data = image_bytes(fmt, size, mode)
    prepared, notices = prepare_images(data, PNG_JPEG_WEBP)
    image = prepared[0]
    assert image.media_type == "image/png" and image.size == size
    assert [n.code for n in notices] == ["image-converted"]
    assert notices[0].original == sniff_media_type(data) and notices[0].applied == "image/png"
    decoded = _decoded(image.data)
    assert decoded.mode == ("RGBA" if mode == "RGBA" else "RGB")
    if mode == "RGBA":
        assert pixel(decoded, (size[0] - 1, size[1] - 1))[3] == 128  # alpha kept


def test_gif_first_frame_with_transparency_becomes_rgba_png() -> None:
    frames = [Image.new("P", (20, 20), i) for i in (1, 2)]
    for frame in frames:
        frame.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255] * 64)
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], transparency=1)
    prepared, notices = prepare_images(buffer.getvalue(), PNG_JPEG_WEBP)
    assert prepared[0].media_type == "image/png"
    assert "first frame of 2" in notices[0].message
    decoded = _decoded(prepared[0].data)
    assert decoded.mode == "RGBA" and pixel(decoded, (5, 5))[3] == 0


def test_avif_is_converted_when_pillow_can_open_it() -> None:
    try:
        data = image_bytes("AVIF", (48, 32))
    except (KeyError, OSError):
        pytest.skip("this Pillow cannot write AVIF")
    prepared, notices = prepare_images(data, PNG_JPEG_WEBP)
    assert prepared[0].media_type == "image/png" and prepared[0].size == (48, 32)
    assert notices[0].code == "image-converted"


def test_png_in_a_jpeg_only_model_becomes_jpeg_with_alpha_flattened() -> None:
    prepared, notices = prepare_images(image_bytes("PNG", (30, 30), "RGBA"), JPEG_ONLY)
    assert prepared[0].media_type == "image/jpeg"
    assert "flattened onto white" in notices[0].message
    assert _decoded(prepared[0].data).mode == "RGB"


def test_webp_goes_to_png_in_a_png_only_model_keeping_alpha() -> None:
    prepared, _ = prepare_images(image_bytes("WEBP", (16, 16), "RGBA", lossless=True), PNG_ONLY)
    assert prepared[0].media_type == "image/png"
    assert _decoded(prepared[0].data).getpixel((15, 15)) == (200, 30, 30, 128)


def test_exif_rotated_jpeg_comes_out_upright_when_converted() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored 60x40, displayed rotated 90 degrees clockwise: 40x60
    data = image_bytes("JPEG", (60, 40), exif=exif.tobytes(), quality=95)
    with Image.open(io.BytesIO(data)) as original:
        expected = ImageOps.exif_transpose(original).convert("RGB")
    prepared, notices = prepare_images(data, PNG_ONLY)
    assert [n.code for n in notices] == ["image-converted"]
    image = prepared[0]
    assert image.size == (40, 60) and image.media_type == "image/png"
    decoded = _decoded(image.data).convert("RGB")
    assert decoded.size == expected.size
    for point in [(2, 2), (37, 2), (2, 57), (37, 57), (20, 30)]:
        got, want = pixel(decoded, point), pixel(expected, point)
        assert all(abs(a - b) < 12 for a, b in zip(got, want, strict=True)), point
    # the blue marker (stored top-left) is now at the top-right
    assert pixel(decoded, (37, 2))[2] > 200 and pixel(decoded, (2, 2))[0] > 150


# --------------------------------------------------------------------------- prepare: over the limits


def test_strict_refuses_too_many_pixels_naming_input_size_limit_and_fix(tmp_path: Path) -> None:
    path = make_image(tmp_path, "PNG", (400, 300), name="big.png")
    limits = InputLimits(max_pixels=50_000)
    with pytest.raises(InvalidInputError) as info:
        prepare_images(path, limits)
    message = str(info.value)
    assert "big.png" in message and "400x300" in message and "0.1 MP" in message
    assert "downscale it" in message and "strict=False" in message
    assert info.value.input_name == str(path)


def test_strict_refuses_a_too_long_edge() -> None:
    with pytest.raises(InvalidInputError, match="2000 px on the longest side"):
        prepare_images(image_bytes("PNG", (3000, 10)), InputLimits(max_edge=2000))


def test_strict_refuses_too_many_bytes() -> None:
    data = noisy_png()
    with pytest.raises(InvalidInputError, match=r"KiB, over this model's 9\.8 KiB per-image limit"):
        prepare_images(data, InputLimits(max_bytes=10_000))


def test_strict_refuses_a_conversion_that_comes_out_too_big() -> None:
    with Image.open(io.BytesIO(noisy_png())) as im:
        buffer = io.BytesIO()
        im.save(buffer, format="BMP")
    limits = InputLimits(accepted_types={"image/png"}, max_bytes=20_000)
    with pytest.raises(InvalidInputError, match="after conversion to PNG"):
        prepare_images(buffer.getvalue(), limits)


def test_lenient_downscales_with_a_notice_keeping_aspect() -> None:
    data = image_bytes("JPEG", (1600, 1200))
    limits = InputLimits(max_pixels=120_000)
    prepared, notices = prepare_images(data, limits, strict=False)
    image = prepared[0]
    assert image.media_type == "image/jpeg"
    assert image.width * image.height <= 120_000
    assert abs(image.width / image.height - 4 / 3) < 0.02
    assert [n.code for n in notices] == ["image-downscaled"]
    assert notices[0].original == "1600x1200" and notices[0].applied == f"{image.width}x{image.height}"
    assert _decoded(image.data).size == image.size


def test_lenient_max_edge() -> None:
    prepared, notices = prepare_images(
        image_bytes("PNG", (1000, 250), "RGBA"), InputLimits(max_edge=200), strict=False
    )
    assert prepared[0].size == (200, 50)
    assert _decoded(prepared[0].data).mode == "RGBA"
    assert notices[0].code == "image-downscaled"


def test_lenient_recompresses_a_heavy_png_into_jpeg() -> None:
    data = noisy_png((300, 200))
    limits = InputLimits(max_bytes=60_000)
    assert len(data) > 60_000
    prepared, notices = prepare_images(data, limits, strict=False)
    assert prepared[0].nbytes <= 60_000
    assert prepared[0].media_type == "image/jpeg"
    assert "image-recompressed" in [n.code for n in notices]


def test_lenient_shrinks_when_recompression_is_not_enough() -> None:
    data = noisy_png((300, 200))
    limits = InputLimits(accepted_types={"image/png"}, max_bytes=40_000)
    prepared, notices = prepare_images(data, limits, strict=False)
    assert prepared[0].nbytes <= 40_000
    assert prepared[0].media_type == "image/png"
    assert prepared[0].width < 300
    assert "image-downscaled" in [n.code for n in notices]


def test_lenient_conversion_and_downscale_together() -> None:
    prepared, notices = prepare_images(
        image_bytes("BMP", (800, 600)), InputLimits(max_pixels=30_000), strict=False
    )
    assert prepared[0].media_type == "image/png"
    assert prepared[0].width * prepared[0].height <= 30_000
    assert {n.code for n in notices} == {"image-converted", "image-downscaled"}


def test_prepare_images_names_the_failing_image_among_several() -> None:
    with pytest.raises(InvalidInputError, match="image 2 of 2"):
        prepare_images(
            [image_bytes("PNG", (10, 10)), image_bytes("PNG", (500, 500))], InputLimits(max_pixels=1000)
        )


def test_validation_errors_are_value_errors() -> None:
    assert issubclass(InvalidInputError, ValidationError)
    assert issubclass(InvalidInputError, ValueError)


def test_lenient_recompression_of_an_accepted_jpeg_is_reported() -> None:
    with Image.open(io.BytesIO(noisy_png((200, 150)))) as im:
        buffer = io.BytesIO()
        im.save(buffer, format="JPEG", quality=100)
        heavy = buffer.getvalue()
        buffer = io.BytesIO()
        im.save(buffer, format="JPEG", quality=90, optimize=True)
        lighter = len(buffer.getvalue())
    limit = (lighter + len(heavy)) // 2
    prepared, notices = prepare_images(heavy, InputLimits(max_bytes=limit), strict=False)
    assert prepared[0].nbytes <= limit and prepared[0].media_type == "image/jpeg"
    assert prepared[0].size == (200, 150)
    assert [n.code for n in notices] == ["image-recompressed"]
    assert notices[0].original == len(heavy) and notices[0].applied == prepared[0].nbytes


def test_lenient_gives_up_on_an_impossible_byte_limit() -> None:
    limits = InputLimits(accepted_types={"image/png"}, max_bytes=60)
    with pytest.raises(InvalidInputError, match=r"'noise\.png' cannot be made to fit"):
        prepare_images(load_image(noisy_png(), name="noise.png"), limits, strict=False)

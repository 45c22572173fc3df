"""send(multipart=...) sends a multipart form with or without a file part."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest

from tryon.http import send, shared_session
from tryon.media import load_image
from tryon.multipart import FilePart, encode
from tryon.testing.server import EmulatorServer, RecordedFile, Response, parse_multipart


class Form(EmulatorServer):
    provider = "form"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(require_key=False, **kwargs)
        self.route("POST", "/v1/form", lambda r: Response.json({"ok": True}))


@pytest.fixture
def emu() -> Iterator[Form]:
    with Form() as server:
        yield server


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (1, 2, 3)).save(buf, "PNG")
    return buf.getvalue()


def _send(emu: Form, **kwargs: Any) -> None:
    send(shared_session(retries=0), "POST", f"{emu.url}/v1/form", provider="form", **kwargs).close()


def test_a_form_without_any_file_is_still_multipart(emu: Form) -> None:
    _send(emu, multipart={"prompt": "a fox", "seed": 7, "strength": 0.5, "hd": True, "style": None})
    request = emu.last_request
    assert request.content_type.startswith("multipart/form-data; boundary=")
    assert request.params == {"prompt": "a fox", "seed": "7", "strength": "0.5", "hd": "true"}
    assert request.files == {}


def test_files_text_and_repeated_fields_in_order(emu: Form) -> None:
    png = _png()
    image = load_image(png)
    _send(emu, multipart={"prompt": "ü ünïcode", "image": FilePart.of(image), "tags": ["a", "b"],
                          "raw": FilePart(b"\x00\x01", filename="blob.bin")})
    request = emu.last_request
    assert request.params["prompt"] == "ü ünïcode" and request.params["tags"] == ["a", "b"]
    (part,) = request.files["image"]
    assert part == RecordedFile("image.png", "image/png", png)
    assert request.files["raw"][0].data == b"\x00\x01"
    assert request.files["raw"][0].content_type == "application/octet-stream"


def test_file_parts_from_bytes_and_jpeg_images_get_sensible_names() -> None:
    assert FilePart.of(b"abc").filename == "file"
    assert FilePart.of(b"abc", "x.png", "image/png") == FilePart(b"abc", "x.png", "image/png")
    jpeg = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (4, 4)).save(jpeg, "JPEG")
    part = FilePart.of(load_image(jpeg.getvalue()))
    assert part.filename == "image.jpg" and part.content_type == "image/jpeg"
    assert "bytes>" in repr(part) and "\\x" not in repr(part)


def test_the_body_is_what_a_multipart_parser_reads() -> None:
    body, content_type = encode({"a": "1", "f": FilePart(b"xyz", "f.txt", "text/plain")}, boundary="BOUND")
    assert content_type == "multipart/form-data; boundary=BOUND"
    params, files = parse_multipart(body, "BOUND")
    assert params["a"] == "1" and files["f"][0].data == b"xyz"
    empty, _ = encode({}, boundary="B")
    assert empty == b"--B--\r\n"


@pytest.mark.parametrize("value, error", [
    (float("nan"), ValueError), (float("inf"), ValueError), ({"nested": 1}, TypeError), (b"raw bytes", TypeError),
    (object(), TypeError),
])
def test_values_that_are_not_form_values_are_refused_before_sending(value: Any, error: type[Exception],
                                                                    emu: Form) -> None:
    with pytest.raises(error, match="'field'"):
        _send(emu, multipart={"field": value})
    assert emu.requests == []


def test_multipart_and_another_body_cannot_be_combined(emu: Form) -> None:
    for other in ({"json": {"a": 1}}, {"data": b"x"}, {"files": {"f": b"x"}}):
        with pytest.raises(TypeError, match="multipart= or"):
            _send(emu, multipart={"a": "1"}, **other)
    assert emu.requests == []


def test_caller_headers_are_kept_next_to_the_content_type(emu: Form) -> None:
    _send(emu, multipart={"a": "1"}, headers={"Accept": "image/*"})
    assert emu.last_request.header("accept") == "image/*"
    assert emu.last_request.content_type.startswith("multipart/form-data")

"""Every bad input a user can pass: the error type, a message naming the problem, nothing sent.

Runs through the router and the real GPT-Image plugin against the OpenAI emulator; each case
asserts that the emulator saw no request.
"""

from __future__ import annotations

import base64
import http.server
import io
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tryon_openai import MODELS, OpenAIImageGenerator

import tryon
from tryon.errors import (
    InvalidInputError,
    InvalidOptionError,
    UnknownModelError,
    UnsafeURLError,
    UnsupportedOptionError,
    ValidationError,
)
from tryon.testing.openai_emulator import OpenAIEmulator

MODEL = "gpt-image-2.6-sunburst"


def png_bytes(size: tuple[int, int] = (64, 64), mode: str = "RGB", color: Any = "blue") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes(size: tuple[int, int] = (64, 64)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "red").save(buf, "JPEG")
    return buf.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims *width* x *height* (no real pixel data)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + b"\x00\x00\x00\x00IEND\xaeB`\x82")


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes]] = {}

    def do_GET(self) -> None:
        status, ctype, body = self.routes.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def files_server() -> Iterator[str]:
    _Handler.routes = {
        "/page.html": (200, "text/html", b"<html>not an image</html>"),
        "/big.png": (200, "image/png", png_bytes((900, 900), color="green") * 3),
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def emu() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as emulator:
        yield emulator


def _router(emu: OpenAIEmulator, allow_private: bool | None = None) -> tryon.Router:
    router = tryon.Router(plugins=False, allow_private_urls=allow_private,
                          settings={"openai": {"base_url": emu.base_url, "api_key": "test-key", "max_retries": 0}})
    for model_id, caps in MODELS.items():
        router.register(OpenAIImageGenerator(model_id, caps))
    return router


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("just text, not a picture")
    (tmp_path / "doc.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    good = png_bytes((256, 256))
    (tmp_path / "truncated.png").write_bytes(good[: len(good) // 2])
    jpg = jpeg_bytes((256, 256))
    (tmp_path / "truncated.jpg").write_bytes(jpg[: len(jpg) // 2])
    (tmp_path / "garbage.png").write_bytes(good[:40] + b"\x00garbage" * 50)
    (tmp_path / "zero.png").write_bytes(png_header(0, 10))
    (tmp_path / "bomb.png").write_bytes(png_header(60_000, 60_000))
    (tmp_path / "scene.png").write_bytes(png_bytes((256, 256)))
    (tmp_path / "wide-mask.png").write_bytes(png_bytes((256, 128), "L", 0))
    (tmp_path / "white-mask.png").write_bytes(png_bytes((256, 256), "L", 255))
    (tmp_path / "opaque-rgba-mask.png").write_bytes(png_bytes((256, 256), "RGBA", (255, 255, 255, 255)))
    (tmp_path / "subdir").mkdir()
    return tmp_path


Case = tuple[str, Callable[[Path, str], dict[str, Any]], type[Exception], str]

IMAGE_CASES: list[Case] = [
    ("missing path", lambda d, u: {"images": str(d / "nope.png")}, InvalidInputError, "nope.png"),
    ("empty file", lambda d, u: {"images": d / "empty.png"}, InvalidInputError, "empty"),
    ("text file", lambda d, u: {"images": d / "notes.txt"}, InvalidInputError, "notes.txt"),
    ("pdf file", lambda d, u: {"images": d / "doc.pdf"}, InvalidInputError, "doc.pdf"),
    ("svg file", lambda d, u: {"images": d / "logo.svg"}, InvalidInputError, "logo.svg"),
    ("truncated png", lambda d, u: {"images": d / "truncated.png"}, InvalidInputError, "truncated.png"),
    ("truncated jpeg", lambda d, u: {"images": d / "truncated.jpg"}, InvalidInputError, "truncated.jpg"),
    ("corrupt png", lambda d, u: {"images": d / "garbage.png"}, InvalidInputError, "garbage.png"),
    ("zero-size png", lambda d, u: {"images": d / "zero.png"}, InvalidInputError, "zero.png"),
    ("decompression bomb", lambda d, u: {"images": d / "bomb.png"}, InvalidInputError, "safety limit"),
    ("directory", lambda d, u: {"images": d / "subdir"}, InvalidInputError, "subdir"),
    ("random bytes", lambda d, u: {"images": b"\x00\x01\x02\x03" * 40}, InvalidInputError, "image"),
    ("empty bytes", lambda d, u: {"images": b""}, InvalidInputError, "empty"),
    ("not base64 nor path", lambda d, u: {"images": "definitely not an image!"}, InvalidInputError, "base64"),
    ("base64 of text", lambda d, u: {"images": base64.b64encode(b"hello world, no image" * 4).decode()},
     InvalidInputError, "image"),
    ("bad data url", lambda d, u: {"images": "data:image/png;base64,@@@@"}, InvalidInputError, "data:"),
    ("data url of text", lambda d, u: {"images": "data:text/plain;base64,aGVsbG8gd29ybGQ="},
     InvalidInputError, "image"),
    ("wrong type", lambda d, u: {"images": 42}, InvalidInputError, "int"),
    ("none in list", lambda d, u: {"images": [d / "scene.png", None]}, InvalidInputError, "None"),
    ("text-mode file object", lambda d, u: {"images": io.StringIO("abc")}, InvalidInputError, "binary"),
    ("no images", lambda d, u: {"images": []}, InvalidOptionError, "at least one input image"),
    ("17 images", lambda d, u: {"images": [png_bytes()] * 17}, UnsupportedOptionError, "at most 16"),
]

MASK_CASES: list[Case] = [
    ("mask aspect ratio", lambda d, u: {"images": d / "scene.png", "mask": d / "wide-mask.png"},
     InvalidInputError, "256x128"),
    ("all-white mask", lambda d, u: {"images": d / "scene.png", "mask": d / "white-mask.png"},
     InvalidInputError, "nothing to edit"),
    ("all-opaque alpha mask", lambda d, u: {"images": d / "scene.png", "mask": d / "opaque-rgba-mask.png"},
     InvalidInputError, "nothing to edit"),
    ("mask not an image", lambda d, u: {"images": d / "scene.png", "mask": d / "notes.txt"},
     InvalidInputError, "notes.txt"),
    ("mask missing", lambda d, u: {"images": d / "scene.png", "mask": str(d / "gone-mask.png")},
     InvalidInputError, "gone-mask.png"),
    ("mask empty", lambda d, u: {"images": d / "scene.png", "mask": b""}, InvalidInputError, "empty"),
    ("mask truncated", lambda d, u: {"images": d / "scene.png", "mask": d / "truncated.png"},
     InvalidInputError, "truncated.png"),
]

URL_CASES: list[Case] = [
    ("file url", lambda d, u: {"images": "file:///etc/passwd"}, UnsafeURLError, "file"),
    ("ftp url", lambda d, u: {"images": "ftp://example.com/a.png"}, UnsafeURLError, "ftp"),
    ("gopher url", lambda d, u: {"images": "gopher://example.com/a.png"}, UnsafeURLError, "gopher"),
    ("loopback url", lambda d, u: {"images": "http://127.0.0.1:9/a.png"}, UnsafeURLError, "127.0.0.1"),
    ("localhost url", lambda d, u: {"images": "http://localhost:9/a.png"}, UnsafeURLError, "localhost"),
    ("ipv6 loopback url", lambda d, u: {"images": "http://[::1]:9/a.png"}, UnsafeURLError, "::1"),
    ("metadata service url", lambda d, u: {"images": "http://169.254.169.254/latest/meta-data"},
     UnsafeURLError, "169.254.169.254"),
    ("private url", lambda d, u: {"images": "http://10.1.2.3/a.png"}, UnsafeURLError, "10.1.2.3"),
    ("unspecified url", lambda d, u: {"images": "http://0.0.0.0/a.png"}, UnsafeURLError, "0.0.0.0"),
    ("local server by default", lambda d, u: {"images": f"{u}/page.html"}, UnsafeURLError, "127.0.0.1"),
]

ALLOWED_URL_CASES: list[Case] = [
    ("url 404", lambda d, u: {"images": f"{u}/missing.png"}, InvalidInputError, "404"),
    ("url not an image", lambda d, u: {"images": f"{u}/page.html"}, InvalidInputError, "page.html"),
]

OPTION_CASES: list[Case] = [
    ("n zero", lambda d, u: {"n": 0}, InvalidOptionError, "n=0"),
    ("n string", lambda d, u: {"n": "two"}, InvalidOptionError, "n='two'"),
    ("size word", lambda d, u: {"size": "huge"}, InvalidOptionError, "huge"),
    ("size not offered", lambda d, u: {"size": "1024x1008"}, UnsupportedOptionError, "1024x1008"),
    ("quality", lambda d, u: {"quality": "ultra"}, UnsupportedOptionError, "ultra"),
    ("background", lambda d, u: {"background": "white"}, InvalidOptionError, "white"),
    ("output format", lambda d, u: {"output_format": "bmp"}, UnsupportedOptionError, "bmp"),
    ("compression range", lambda d, u: {"output_compression": 101}, InvalidOptionError, "101"),
    ("compression with png", lambda d, u: {"output_compression": 50, "output_format": "png"},
     UnsupportedOptionError, "output_compression"),
    ("transparent jpeg", lambda d, u: {"background": "transparent", "output_format": "jpeg"},
     UnsupportedOptionError, "png or webp"),
    ("input fidelity", lambda d, u: {"images": d / "scene.png", "input_fidelity": "medium"},
     InvalidOptionError, "medium"),
    ("moderation", lambda d, u: {"moderation": "strict"}, UnsupportedOptionError, "strict"),
    ("empty prompt", lambda d, u: {"prompt": ""}, InvalidOptionError, "prompt is empty"),
    ("long prompt", lambda d, u: {"prompt": "p" * 32_001}, UnsupportedOptionError, "32,000"),
    ("unknown option", lambda d, u: {"colour": "red"}, UnsupportedOptionError, "colour"),
    ("seed", lambda d, u: {"seed": 5}, UnsupportedOptionError, "seed"),
    ("aspect ratio", lambda d, u: {"aspect_ratio": "16:9"}, UnsupportedOptionError, "aspect_ratio"),
    ("unknown model", lambda d, u: {"model": "gpt-image-9"}, UnknownModelError, "gpt-image-9"),
    ("mask on generate", lambda d, u: {"mask": d / "white-mask.png"}, InvalidOptionError, "edits only"),
]


def _run(router: tryon.Router, options: dict[str, Any]) -> None:
    options = dict(options)
    prompt = options.pop("prompt", "make it better")
    model = options.pop("model", MODEL)
    if "images" in options:
        images = options.pop("images")
        router.edit(images, prompt, model=model, **options)
    else:
        router.generate(prompt, model=model, **options)


def _case_id(value: Any) -> str:
    return value if isinstance(value, str) else ""


@pytest.mark.parametrize("name, build, error, needle", IMAGE_CASES + MASK_CASES + URL_CASES + OPTION_CASES,
                         ids=_case_id)
def test_bad_input_is_refused_clearly_before_any_request(
        emu: OpenAIEmulator, files: Path, files_server: str, name: str,
        build: Callable[[Path, str], dict[str, Any]], error: type[Exception], needle: str) -> None:
    before = len(emu.requests)
    with pytest.raises(error) as err:
        _run(_router(emu), build(files, files_server))
    assert isinstance(err.value, ValidationError) and isinstance(err.value, ValueError)
    assert needle.lower() in str(err.value).lower(), f"{name}: {err.value}"
    assert len(emu.requests) == before, f"{name}: a request reached the service"


@pytest.mark.parametrize("name, build, error, needle", ALLOWED_URL_CASES, ids=_case_id)
def test_bad_urls_on_allowed_hosts(emu: OpenAIEmulator, files: Path, files_server: str, name: str,
                                   build: Callable[[Path, str], dict[str, Any]], error: type[Exception],
                                   needle: str) -> None:
    before = len(emu.requests)
    with pytest.raises(error) as err:
        _run(_router(emu, allow_private=True), build(files, files_server))
    assert needle.lower() in str(err.value).lower(), f"{name}: {err.value}"
    assert len(emu.requests) == before


def test_download_cap_is_enforced(emu: OpenAIEmulator, files_server: str) -> None:
    from tryon.media.fetch import URLFetcher

    router = _router(emu, allow_private=True)
    router._fetcher = URLFetcher(allow_private=True, max_bytes=10_000)
    with pytest.raises(InvalidInputError, match="download limit"):
        router.edit(f"{files_server}/big.png", "x", model=MODEL)
    assert emu.requests == [] or all("edits" not in r.path for r in emu.requests)


def test_there_are_at_least_forty_distinct_bad_inputs() -> None:
    names = [c[0] for c in IMAGE_CASES + MASK_CASES + URL_CASES + ALLOWED_URL_CASES + OPTION_CASES]
    assert len(set(names)) == len(names) >= 40

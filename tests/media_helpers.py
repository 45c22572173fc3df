"""Shared helpers of the media/HTTP tests: image fixtures made with Pillow, a local HTTP server."""

from __future__ import annotations

import http.server
import io
import struct
import threading
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

__all__ = ["LocalServer", "Reply", "image_bytes", "make_image", "png_with_size"]

_FORMAT_EXT = {
    "PNG": ".png",
    "JPEG": ".jpg",
    "WEBP": ".webp",
    "GIF": ".gif",
    "BMP": ".bmp",
    "TIFF": ".tiff",
    "AVIF": ".avif",
    "ICO": ".ico",
}


def image_bytes(
    fmt: str = "PNG",
    size: tuple[int, int] = (64, 48),
    mode: str = "RGB",
    color: Any = None,
    **save: Any,
) -> bytes:
    """Encoded image bytes: a *mode* image of *size* with a recognisable pattern."""
    fmt = fmt.upper()
    if color is None:
        color = {"RGBA": (200, 30, 30, 128), "LA": (90, 128), "L": 90, "1": 1, "P": 3}.get(
            mode, (200, 30, 30)
        )
    image = Image.new(mode, size, color)
    if size[0] >= 4 and size[1] >= 4 and mode in ("RGB", "RGBA"):
        # a distinct top-left quarter, to check orientation after conversions
        marker = (0, 0, 255, 255) if mode == "RGBA" else (0, 0, 255)
        image.paste(marker, (0, 0, size[0] // 4, size[1] // 4))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def make_image(
    tmp_path: Path,
    fmt: str = "PNG",
    size: tuple[int, int] = (64, 48),
    mode: str = "RGB",
    *,
    name: str | None = None,
    color: Any = None,
    **save: Any,
) -> Path:
    """Write an image file made with Pillow into *tmp_path* and return its path."""
    data = image_bytes(fmt, size, mode, color, **save)
    path = tmp_path / (
        name or f"img-{fmt.lower()}-{mode.lower()}-{size[0]}x{size[1]}{_FORMAT_EXT[fmt.upper()]}"
    )
    path.write_bytes(data)
    return path


def png_with_size(width: int, height: int) -> bytes:
    """A syntactically complete PNG whose header claims *width* x *height* (no real pixels)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


class Reply:
    """One canned HTTP reply (status, headers, body; optional delay and missing Content-Length)."""

    def __init__(
        self,
        status: int = 200,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        delay: float = 0.0,
        content_length: bool = True,
        chunks: int = 1,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.delay = delay
        self.content_length = content_length
        self.chunks = chunks


Route = Reply | list[Reply] | Callable[[http.server.BaseHTTPRequestHandler, int], Reply]


class LocalServer:
    """A threaded HTTP/1.0 server on 127.0.0.1 with canned routes and request counts.

    ``routes[path]`` is a :class:`Reply`, a list of replies served in turn (the last one
    repeats), or ``callable(handler, hit_number) -> Reply``.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.headers_seen: list[dict[str, str]] = []
        self._stop = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                server.hits[path] += 1
                server.headers_seen.append(dict(self.headers.items()))
                route = server.routes.get(path, Reply(404, b'{"error": {"message": "no such route"}}'))
                if callable(route):
                    reply = route(self, server.hits[path])
                elif isinstance(route, list):
                    reply = route[min(server.hits[path], len(route)) - 1]
                else:
                    reply = route
                if reply.delay and server._stop.wait(reply.delay):
                    return
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    if reply.content_length:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    step = max(1, len(reply.body) // reply.chunks)
                    for start in range(0, len(reply.body), step):
                        self.wfile.write(reply.body[start : start + step])
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = do_GET

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)

"""A raw-socket HTTP server on 127.0.0.1 that misbehaves on purpose: slow headers, dribbled
bodies, long ``Retry-After`` answers. Shared by the deadline tests of the core and the plugins."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Callable

import attrs


@attrs.define
class Behaviour:
    """What the server does with one request."""

    status: int = 200
    headers: dict[str, str] = attrs.field(factory=dict)
    body: bytes = b""
    header_gap: float = 0.0   # seconds between header bytes (slow headers)
    body_gap: float = 0.0     # seconds between body bytes (dribbled body)
    content_length: bool = True


class SlowServer:
    """``routes[path] = Behaviour(...)`` (or ``callable(hit) -> Behaviour``); ``hits`` counts requests."""

    def __init__(self) -> None:
        self.routes: dict[str, Behaviour | Callable[[int], Behaviour]] = {}
        self.hits: Counter[str] = Counter()
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.05)
        self.port = self._sock.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> SlowServer:
        self._accepter.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._accepter.join(5)
        for t in self._threads:
            t.join(5)
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, rest = data.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1].split("?", 1)[0]
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                while len(rest) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    rest += chunk
                self.hits[path] += 1
                route = self.routes.get(path, Behaviour(404, body=b"{}"))
                b = route(self.hits[path]) if callable(route) else route
                headers = dict(b.headers)
                if b.content_length:
                    headers.setdefault("Content-Length", str(len(b.body)))
                headers["Connection"] = "close"
                text = f"HTTP/1.1 {b.status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
                self._send(conn, text.encode("latin-1"), b.header_gap)
                self._send(conn, b.body, b.body_gap)
            except OSError:
                return

    def _send(self, conn: socket.socket, data: bytes, gap: float) -> None:
        if not gap:
            conn.sendall(data)
            return
        for i in range(len(data)):
            if self._stop.wait(gap):
                return
            conn.sendall(data[i:i + 1])

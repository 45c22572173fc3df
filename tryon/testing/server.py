"""A small, real HTTP server that provider emulators build on.

:class:`EmulatorServer` runs a :class:`~http.server.ThreadingHTTPServer` on
``127.0.0.1`` (ephemeral port) in a daemon thread. Subclasses register routes,
define their provider's error body and key header, and get for free: request
recording (with secrets redacted), fault injection (queued error answers, slow
and malformed answers, content-policy blocks), latency and robust HTTP/1.1
handling (keep-alive, ``Content-Length`` or chunked bodies, handler exceptions
turned into a JSON 500).
"""

from __future__ import annotations

import argparse
import contextlib
import email.message
import email.parser
import io
import json
import logging
import re
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qsl

import attrs

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "ApiError",
    "EmulatorServer",
    "Fault",
    "Handler",
    "RecordedFile",
    "RecordedRequest",
    "Response",
    "command_line",
    "iter_sse",
    "parse_multipart",
    "serve_until_interrupted",
]

log = logging.getLogger(__name__)

#: Header names whose values are never stored (compared lower-case).
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-key", "x-goog-api-key", "api-key", "x-api-key", "cookie",
     "x-amz-security-token"}
)
#: Query parameters whose values are never stored.
SECRET_QUERY = frozenset({"key", "api_key", "apikey"})
REDACTED = "[REDACTED]"
_MAX_BODY = 1 << 30


@attrs.frozen
class RecordedFile:
    """One file part of a multipart request (or a decoded ``data:`` URL)."""

    filename: str | None
    content_type: str | None
    data: bytes = attrs.field(repr=lambda d: f"<{len(d)} bytes>")

    def image(self) -> Image.Image:
        """Decode the file with Pillow (fully loaded)."""
        from PIL import Image

        img = Image.open(io.BytesIO(self.data))
        img.load()
        return img


@attrs.frozen
class RecordedRequest:
    """What the emulator received; secrets in headers and query are redacted.

    ``params`` is the parsed JSON body, or for multipart the form fields with file
    parts as :class:`RecordedFile`; repeated fields and ``name[]`` fields are lists.
    ``files`` maps each multipart file field name to its files.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    params: dict[str, Any]
    files: dict[str, list[RecordedFile]]
    content_type: str
    body_size: int
    timestamp: float
    request_id: str
    path_params: dict[str, str] = attrs.field(factory=dict)
    parse_error: str | None = None
    client_address: str = ""

    def header(self, name: str, default: str | None = None) -> str | None:
        """Return a header value by case-insensitive name."""
        return self.headers.get(name.lower(), default)


@attrs.frozen
class Response:
    """An answer; ``chunks`` (if set) is streamed with chunked transfer encoding."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = attrs.field(factory=dict)
    chunks: Iterable[bytes] | None = None

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        """A JSON answer."""
        body = json.dumps(data, separators=(",", ":")).encode()
        return cls(status=status, body=body, headers=dict(headers or {}))

    @classmethod
    def binary(cls, data: bytes, content_type: str, status: int = 200,
               headers: Mapping[str, str] | None = None) -> Response:
        """A binary answer (an image's bytes with ``image/png``, ...)."""
        return cls(status=status, body=bytes(data), content_type=content_type, headers=dict(headers or {}))

    @classmethod
    def stream(cls, chunks: Iterable[bytes], content_type: str = "text/event-stream", status: int = 200) -> Response:
        """A streamed answer (e.g. server-sent events)."""
        return cls(status=status, content_type=content_type, chunks=chunks, headers={"Cache-Control": "no-cache"})


class ApiError(Exception):
    """Raise from a handler to answer with the emulator's provider-shaped error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.headers = dict(headers or {})


@attrs.frozen
class Fault:
    """One queued fault; ``kind`` is ``error``, ``slow``, ``malformed`` or ``moderate``."""

    kind: str
    status: int = 200
    seconds: float = 0.0
    retry_after: float | None = None
    body: Any = None
    code: str | None = None
    message: str | None = None
    headers: dict[str, str] = attrs.field(factory=dict)


Handler = Callable[[RecordedRequest], Response]


@attrs.frozen
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    api: bool


def _compile_path(path: str) -> re.Pattern[str]:
    """``/v1/x/{id}`` → regex with named groups; a ``^...$`` string is used as a regex."""
    if path.startswith("^"):
        return re.compile(path)
    parts = re.split(r"(\{[A-Za-z_][A-Za-z0-9_]*\})", path)
    regex = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$")


def _content_type(value: str) -> tuple[str, dict[str, str]]:
    msg = email.message.Message()
    msg["content-type"] = value or "application/octet-stream"
    params = {k.lower(): v for k, v in msg.get_params(failobj=[])[1:]}
    return msg.get_content_type(), params


def _add(mapping: dict[str, Any], name: str, value: Any) -> None:
    """Insert a form value; ``name[]`` fields and repeated names become lists."""
    if name.endswith("[]"):
        mapping.setdefault(name, []).append(value)
    elif name in mapping:
        existing = mapping[name]
        mapping[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
    else:
        mapping[name] = value


def parse_multipart(body: bytes, boundary: str) -> tuple[dict[str, Any], dict[str, list[RecordedFile]]]:
    """Parse a ``multipart/form-data`` body into (fields incl. files, files by field name)."""
    delimiter = b"--" + boundary.encode("latin-1")
    sections = body.split(delimiter)
    if len(sections) < 2:
        raise ValueError("multipart body has no parts")
    params: dict[str, Any] = {}
    files: dict[str, list[RecordedFile]] = {}
    for section in sections[1:]:
        if section.startswith(b"--"):
            break
        if section.startswith(b"\r\n"):
            section = section[2:]
        head, sep, content = section.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("multipart part without header terminator")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        part = email.parser.BytesHeaderParser().parsebytes(head + b"\r\n\r\n")
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise ValueError("multipart part without a name")
        filename = part.get_filename()
        if filename is None:
            try:
                _add(params, name, content.decode("utf-8"))
                continue
            except UnicodeDecodeError:
                pass
        recorded = RecordedFile(filename, part.get("content-type"), content)
        files.setdefault(name, []).append(recorded)
        _add(params, name, recorded)
    return params, files


def _parse_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, list[RecordedFile]], str | None]:
    mime, ct_params = _content_type(content_type)
    if not body:
        return {}, {}, None
    if mime == "multipart/form-data":
        try:
            params, files = parse_multipart(body, ct_params.get("boundary", ""))
        except ValueError as exc:
            return {}, {}, f"invalid multipart body: {exc}"
        return params, files, None
    if mime == "application/json" or mime.endswith("+json"):
        try:
            data = json.loads(body)
        except ValueError as exc:
            return {}, {}, f"invalid JSON body: {exc}"
        if not isinstance(data, dict):
            return {}, {}, "the JSON body must be an object"
        return data, {}, None
    if mime == "application/x-www-form-urlencoded":
        fields: dict[str, Any] = {}
        for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            _add(fields, key, value)
        return fields, {}, None
    return {}, {}, None


def _redact_header(name: str, value: str) -> str:
    scheme, sep, _ = value.partition(" ")
    if name == "authorization" and sep and scheme.lower() in {"bearer", "basic", "token"}:
        return f"{scheme} {REDACTED}"
    return REDACTED


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: EmulatorServer, handle: Callable[..., Response],
                 track: Callable[..., None]) -> None:
        self.emulator = emulator
        self.handle_request_of = handle  # the emulator's own dispatch: its name-mangled internals, not
        self.track = track               # attributes a subclass could override by accident
        super().__init__(address, _RequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("emulator connection error from %s", client_address, exc_info=True)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120
    # Headers and body go out in separate writes; with Nagle's algorithm the body waits for
    # the client's delayed ACK (~40 ms per answer on Linux).
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        self.server.track(self.connection, add=False)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("emulator %s: " + format, self.address_string(), *args)

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except (ValueError, OSError) as exc:
            self.close_connection = True
            self._write(self.server.emulator.error_response(400, f"Unreadable request body: {exc}"))
            return
        response = self.server.handle_request_of(
            self.command, self.path, self.headers, body, f"{self.client_address[0]}:{self.client_address[1]}"
        )
        try:
            self._write(response)
        except OSError:  # the client went away (e.g. it timed out)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline()
                if len(data) > _MAX_BODY:
                    raise ValueError("body too large")
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > _MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(length) if length else b""

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        for key, value in response.headers.items():
            self.send_header(key, value)
        if response.chunks is None:
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
            self.wfile.flush()
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for chunk in response.chunks:
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
        except Exception:
            log.exception("emulator stream failed")
            self.close_connection = True  # a truncated stream must not look complete
            return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class EmulatorServer:
    """Base class of the provider emulators: a real HTTP server on 127.0.0.1.

    Use as a context manager (``with OpenAIEmulator() as emu: ...``) or call
    :meth:`start`/:meth:`stop`.

    **The override surface** (all a subclass defines; each has a working default):

    - in ``__init__`` (after ``super().__init__(**kwargs)``): :meth:`route` for each endpoint; a
      handler takes the :class:`RecordedRequest` and returns a :class:`Response` (JSON, binary
      bytes of any media type with :meth:`Response.binary`, or a stream) or raises
      :class:`ApiError` for a provider-shaped error;
    - class attributes :attr:`provider`, :attr:`request_id_header`, :attr:`default_messages`;
    - :meth:`api_key_from` (where the key is read), :meth:`unauthorized` (the answer without a
      valid key), :meth:`error_body` (the provider's JSON error shape, used by
      :meth:`error_response`, :class:`ApiError` and :meth:`fail_next`), :meth:`default_error`,
      :meth:`moderation_response` (the answer of :meth:`moderate_next`: any status and body),
      :meth:`malformed_response` (the answer of :meth:`malformed_next`), :meth:`new_request_id`,
      :attr:`base_url` (a version prefix), and :meth:`reset` (call ``super().reset()``).

    Everything else is for tests to *call* (:meth:`fail_next`, :meth:`requests`, ...). The
    machinery (dispatch, fault queue, connections) is name-mangled (``__name``), so a subclass's
    own ``_answer``, ``_lock`` or ``_requests`` can never replace it by accident.
    """

    #: Header that carries the request id in every answer (None: no header).
    request_id_header: str | None = None
    #: Provider name shown in messages.
    provider = "emulator"
    #: How a body without a ``Content-Type`` header is read (``""``: not parsed). Bedrock, for one,
    #: takes such a body as JSON.
    default_content_type = ""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        require_key: bool = True,
        api_keys: Iterable[str] | None = None,
        latency: float = 0.0,
    ) -> None:
        self.host = host
        self.port = port
        self.require_key = require_key
        self.api_keys = frozenset(api_keys) if api_keys is not None else None
        self.__lock = threading.Lock()
        self.__requests: list[RecordedRequest] = []
        self.__faults: list[Fault] = []
        self.__latency = latency
        self.__routes: list[_Route] = []
        self.__server: _Server | None = None
        self.__thread: threading.Thread | None = None
        self.__stopping = threading.Event()
        self.__connections: set[socket.socket] = set()

    # -- lifecycle -------------------------------------------------------
    def start(self) -> Self:
        """Bind and serve in a daemon thread; returns self. Idempotent."""
        if self.__server is not None:
            return self
        self.__stopping.clear()
        self.__server = _Server((self.host, self.port), self, self.__handle, self.__track)
        self.port = self.__server.server_address[1]
        self.__thread = threading.Thread(
            target=self.__server.serve_forever,
            kwargs={"poll_interval": 0.1},
            daemon=True,
            name=f"{type(self).__name__}:{self.port}",
        )
        self.__thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake sleeping answers and close open connections."""
        server, self.__server = self.__server, None
        if server is None:
            return
        self.__stopping.set()
        stopper = threading.Thread(target=server.shutdown, daemon=True)
        stopper.start()
        with contextlib.suppress(OSError):  # wake the accept loop now instead of at its next poll
            socket.create_connection((self.host, self.port), timeout=1).close()
        stopper.join()
        server.server_close()
        with self.__lock:
            connections = list(self.__connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self.__thread is not None:
            self.__thread.join(timeout=5)
            self.__thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self.__server is not None

    @property
    def url(self) -> str:
        """``http://host:port`` (no trailing slash)."""
        if self.__server is None:
            raise RuntimeError(f"{type(self).__name__} is not running; call start() or use it in a with block")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The URL a client SDK is pointed at; subclasses may add a version prefix."""
        return self.url

    # -- routes ----------------------------------------------------------
    def route(self, method: str, path: str, handler: Handler, *, api: bool = True) -> None:
        """Register ``handler`` for ``method`` and ``path`` (``{name}`` segments or a ``^regex$``).

        Faults, latency and the key check apply to ``api`` routes only.
        """
        self.__routes.append(_Route(method.upper(), _compile_path(path), handler, api))

    # -- recording -------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received, oldest first."""
        with self.__lock:
            return list(self.__requests)

    @property
    def last_request(self) -> RecordedRequest:
        """The most recent request (``LookupError`` if none)."""
        with self.__lock:
            if not self.__requests:
                raise LookupError("the emulator has not received any request")
            return self.__requests[-1]

    def requests_to(self, path_suffix: str, method: str | None = None) -> list[RecordedRequest]:
        """Requests whose path ends with ``path_suffix`` (and optionally have ``method``)."""
        return [
            r for r in self.requests if r.path.endswith(path_suffix) and (method is None or r.method == method.upper())
        ]

    # -- faults ----------------------------------------------------------
    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        body: Any = None,
        code: str | None = None,
        message: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` API requests with ``status`` (provider-shaped body unless ``body``)."""
        self.__queue(
            times,
            Fault(
                "error",
                status=status,
                retry_after=retry_after,
                body=body,
                code=code,
                message=message,
                headers=dict(headers or {}),
            ),
        )

    def slow_next(self, seconds: float, times: int = 1) -> None:
        """Delay the next ``times`` API answers by ``seconds`` (then answer normally)."""
        self.__queue(times, Fault("slow", seconds=seconds))

    def malformed_next(self, times: int = 1) -> None:
        """Answer the next ``times`` API requests with 200 and an invalid JSON body."""
        self.__queue(times, Fault("malformed"))

    def moderate_next(self, times: int = 1) -> None:
        """Answer the next ``times`` API requests with the provider's content-policy block."""
        self.__queue(times, Fault("moderate"))

    def set_latency(self, seconds: float) -> None:
        """Delay every API answer by ``seconds``."""
        self.__latency = max(0.0, seconds)

    def reset(self) -> None:
        """Forget recorded requests, queued faults and latency."""
        with self.__lock:
            self.__requests.clear()
            self.__faults.clear()
        self.__latency = 0.0

    @property
    def pending_faults(self) -> int:
        with self.__lock:
            return len(self.__faults)

    def __queue(self, times: int, fault: Fault) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        with self.__lock:
            self.__faults.extend([fault] * times)

    def __pop_fault(self) -> Fault | None:
        with self.__lock:
            return self.__faults.pop(0) if self.__faults else None

    # -- provider hooks --------------------------------------------------
    def error_body(self, status: int, code: str | None, message: str, *, param: str | None = None) -> Any:
        """The provider's JSON error body."""
        return {"error": {"status": status, "code": code, "message": message}}

    #: The provider's own wording of injected faults, by HTTP status (others: the status phrase).
    default_messages: Mapping[int, str] = {}

    def default_error(self, status: int, api_key: str | None) -> tuple[str | None, str]:
        """(code, message) of an injected ``status`` fault without explicit code/message."""
        if status in self.default_messages:
            return None, self.default_messages[status]
        try:
            return None, HTTPStatus(status).phrase
        except ValueError:
            return None, "Error"

    def api_key_from(self, headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
        """Extract the API key (``headers`` keys are lower-case). Default: ``Authorization: Bearer``."""
        scheme, _, token = headers.get("authorization", "").partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None

    def unauthorized(self, api_key: str | None) -> Response:
        """Answer to a request without (or with a wrong) key."""
        return self.error_response(401, "Missing or invalid API key.", code="unauthorized")

    def moderation_response(self, request: RecordedRequest) -> Response:
        """The provider's content-policy answer; subclasses implement their shape."""
        return self.error_response(400, "The request was blocked by the content policy.", code="content_policy")

    def malformed_response(self, request: RecordedRequest) -> Response:
        """A 200 answer whose JSON body is cut off (subclasses may return a broken stream instead)."""
        return Response(status=200, body=b'{"created": 1700000000, "data": [{"b64_json": "iVBORw0')

    def new_request_id(self) -> str:
        return uuid.uuid4().hex

    def error_response(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """A provider-shaped JSON error answer."""
        return Response.json(self.error_body(status, code, message, param=param), status, headers)

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops first; returns False if it stopped."""
        return not self.__stopping.wait(seconds) if seconds > 0 else True

    # -- dispatch --------------------------------------------------------
    def __track(self, conn: socket.socket, *, add: bool) -> None:
        with self.__lock:
            if add:
                self.__connections.add(conn)
            else:
                self.__connections.discard(conn)

    def __handle(
        self, method: str, target: str, raw_headers: email.message.Message, body: bytes, client: str = ""
    ) -> Response:
        path, _, query_string = target.partition("?")
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        headers = {k.lower(): v for k, v in raw_headers.items()}
        request_id = self.new_request_id()
        route, path_params = self.__match(method, path)
        content_type = headers.get("content-type", "") or self.default_content_type
        params, files, parse_error = _parse_body(content_type, body)
        record = RecordedRequest(
            method=method,
            path=path,
            query={k: (REDACTED if k.lower() in SECRET_QUERY else v) for k, v in query.items()},
            headers={k: (_redact_header(k, v) if k in SECRET_HEADERS else v) for k, v in headers.items()},
            params=params,
            files=files,
            content_type=content_type,
            body_size=len(body),
            timestamp=time.time(),
            request_id=request_id,
            path_params=path_params,
            parse_error=parse_error,
            client_address=client,
        )
        with self.__lock:
            self.__requests.append(record)
        try:
            response = self.__answer(route, record, self.api_key_from(headers, query))
        except ApiError as exc:
            response = self.error_response(exc.status, exc.message, code=exc.code, param=exc.param, headers=exc.headers)
        except Exception as exc:
            log.exception("emulator handler failed for %s %s", method, path)
            response = self.error_response(
                500, f"The emulator failed: {type(exc).__name__}: {exc}", code="server_error"
            )
        if self.request_id_header and self.request_id_header not in response.headers:
            response = attrs.evolve(response, headers={**response.headers, self.request_id_header: request_id})
        return response

    def __match(self, method: str, path: str) -> tuple[_Route | None, dict[str, str]]:
        for route in self.__routes:
            if route.method == method.upper() and (m := route.pattern.match(path)):
                return route, m.groupdict()
        return None, {}

    def __answer(self, route: _Route | None, record: RecordedRequest, api_key: str | None) -> Response:
        if route is None:
            allowed = any(r.pattern.match(record.path) for r in self.__routes)
            status = 405 if allowed else 404
            return self.error_response(status, f"Invalid URL ({record.method} {record.path})")
        if not route.api:
            return route.handler(record)
        self.sleep(self.__latency)
        if self.require_key and not self.__key_accepted(api_key):
            return self.unauthorized(api_key)
        fault = self.__pop_fault()
        if fault is not None and fault.kind != "slow":
            return self.__fault_response(fault, record, api_key)
        if fault is not None:
            self.sleep(fault.seconds)
        return route.handler(record)

    def __key_accepted(self, api_key: str | None) -> bool:
        return api_key is not None and (self.api_keys is None or api_key in self.api_keys)

    def __fault_response(self, fault: Fault, record: RecordedRequest, api_key: str | None) -> Response:
        if fault.kind == "malformed":
            return self.malformed_response(record)
        if fault.kind == "moderate":
            return self.moderation_response(record)
        headers = dict(fault.headers)
        if fault.retry_after is not None:
            seconds = fault.retry_after
            headers["retry-after"] = str(int(seconds)) if float(seconds).is_integer() else str(seconds)
            headers["retry-after-ms"] = str(round(seconds * 1000))
        if fault.body is not None:
            raw = (
                fault.body
                if isinstance(fault.body, bytes)
                else (fault.body.encode() if isinstance(fault.body, str) else json.dumps(fault.body).encode())
            )
            return Response(status=fault.status, body=raw, headers=headers)
        code, message = self.default_error(fault.status, api_key)
        return self.error_response(fault.status, fault.message or message, code=fault.code or code, headers=headers)


def iter_sse(events: Iterable[tuple[str, Any]]) -> Iterator[bytes]:
    """Encode ``(event name, JSON data)`` pairs as server-sent events."""
    for name, data in events:
        yield f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


# --------------------------------------------------------------------------- command line


def command_line(prog: str, description: str) -> argparse.ArgumentParser:
    """The options every emulator's standalone command takes (more can be added)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: an ephemeral port)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to delay every answer")
    parser.add_argument("--no-require-key", action="store_true", help="accept requests without an API key")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser


def serve_until_interrupted(emulator: EmulatorServer, *banner: str, verbose: bool = False) -> int:
    """Start *emulator*, print *banner* (where it listens, what to export), serve until Ctrl-C."""
    if verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(message)s")
    emulator.start()
    for line in banner:
        print(line.format(url=emulator.url, base_url=emulator.base_url), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("stopping", file=sys.stderr)
    finally:
        emulator.stop()
    return 0


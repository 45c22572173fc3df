"""GPT image models through the official ``openai`` SDK (imported lazily)."""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import attrs

from tryon import observe
from tryon.answers import AnswerReader
from tryon.capabilities import Capabilities
from tryon.deadline import Deadline, DeadlineExceeded
from tryon.errors import (
    InvalidInputError,
    InvalidOptionError,
    MissingCredentialsError,
    Problem,
)
from tryon.media.inputs import InputImage
from tryon.request import EditRequest, GenerateRequest, Request
from tryon.results import GeneratedImage, Generation, PartialImage, Usage
from tryon.sdk_transport import deadline_http_client
from tryon.secrets import Secret, remember

from .errors import map_errors
from .models import JSON_EDIT_MAX_DATA_URL

__all__ = ["OpenAIImageGenerator", "OpenAISettings"]

PROVIDER = "openai"
INSTALL_HINT = "the GPT-Image plugin needs the openai package: pip install 'tryon[openai]' (or pip install openai)"


def _import_openai() -> Any:
    try:
        import openai
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return openai


def _secret(value: Any) -> Secret | None:
    if value is None or isinstance(value, Secret):
        return value
    return Secret(str(value))


@attrs.frozen(kw_only=True)
class OpenAISettings:
    """How to reach the service. ``None`` = the SDK's own default (which reads ``OPENAI_*`` env vars).

    Setting ``azure_endpoint`` (or ``AZURE_OPENAI_ENDPOINT``) uses the SDK's Azure client; the
    deployment defaults to the model id. ``timeout`` is the SDK's (each socket operation);
    ``deadline`` bounds a whole call, headers, body and the SDK's retries included (``None``: no bound).
    """

    api_key: Secret | None = attrs.field(default=None, converter=_secret)
    api_key_env: str | None = None
    """The environment variable holding the key (default ``OPENAI_API_KEY``; a declared model's own)."""
    provider: str | None = None
    """The provider named in errors (a declared model's; default ``openai``)."""
    base_url: str | None = None
    organization: str | None = None
    project: str | None = None
    timeout: float | None = None
    deadline: float | None = 300.0
    max_retries: int | None = None
    default_headers: Mapping[str, str] | None = attrs.field(default=None, hash=False)
    azure_endpoint: str | None = None
    api_version: str | None = None
    azure_deployment: str | None = None

    def resolved_key(self) -> tuple[str, str]:
        """The API key and the variable it came from; raises before any request when there is none."""
        azure = self.is_azure()
        env = self.api_key_env or ("AZURE_OPENAI_API_KEY" if azure else "OPENAI_API_KEY")
        if self.api_key is not None and self.api_key.value:
            return self.api_key.value, "api_key"
        value = os.environ.get(env)
        if not value:
            raise MissingCredentialsError(self.provider or ("openai (Azure)" if azure else "openai"), [env])
        remember(value)
        return value, env

    def is_azure(self) -> bool:
        return bool(self.azure_endpoint or (
            os.environ.get("AZURE_OPENAI_ENDPOINT") and (self.api_version or os.environ.get("OPENAI_API_VERSION"))))


_SETTING_NAMES = frozenset(a.name for a in attrs.fields(OpenAISettings))
_clients: dict[tuple[Any, ...], Any] = {}
_closers: dict[tuple[Any, ...], Any] = {}
_clients_lock = threading.Lock()


async def _close_with_loop(client: Any) -> AsyncIterator[None]:
    """Parked until its event loop shuts down its async generators (``asyncio.run`` does), then
    closes *client*, so that an async client's connections never outlive their loop."""
    try:
        yield
    finally:
        await client.close()


_ssl_lock = threading.Lock()
_ssl_context: Any = None


def _shared_ssl_context() -> Any:
    """The TLS context the SDK's HTTP client would build for itself (``verify=True``, trusting
    ``SSL_CERT_FILE``/``SSL_CERT_DIR``), built once per process.

    Building it loads the CA bundle: about 100-150 ms, which was most of what a new event loop
    cost (``asyncio.run(agenerate(...))`` needs a new async client per loop, whose connections
    cannot outlive it). The context holds no connection state and is safe to share.
    """
    global _ssl_context
    with _ssl_lock:
        if _ssl_context is None:
            try:
                import httpx2 as httpx_module
            except ImportError:  # pragma: no cover - SDKs before the httpx2 rename
                import httpx as httpx_module  # type: ignore[no-redef]

            _ssl_context = httpx_module.create_ssl_context()
        return _ssl_context


def _client(settings: OpenAISettings, *, use_async: bool) -> Any:
    """One SDK client per distinct settings (and key), shared by all models and threads.

    An async client's pooled connections belong to the event loop that opened them, so
    async clients are kept per running loop (those of closed loops are dropped); each new one
    reuses the process's TLS context (:func:`_shared_ssl_context`).
    """
    key_value, _ = settings.resolved_key()
    loop = asyncio.get_running_loop() if use_async else None
    cache_key = (use_async, settings, key_value, os.environ.get("OPENAI_BASE_URL"), loop)
    with _clients_lock:
        client = _clients.get(cache_key)
        if client is not None:
            return client
        for stale in [k for k in _clients if k[-1] is not None and k[-1].is_closed()]:
            del _clients[stale]
            _closers.pop(stale, None)
        openai = _import_openai()
        kwargs: dict[str, Any] = {"api_key": key_value}
        if settings.timeout is not None:
            kwargs["timeout"] = settings.timeout
        if settings.max_retries is not None:
            kwargs["max_retries"] = settings.max_retries
        if settings.default_headers:
            kwargs["default_headers"] = dict(settings.default_headers)
        if settings.is_azure():
            cls = openai.AsyncAzureOpenAI if use_async else openai.AzureOpenAI
            kwargs["azure_endpoint"] = settings.azure_endpoint or os.environ["AZURE_OPENAI_ENDPOINT"]
            kwargs["api_version"] = settings.api_version or os.environ.get("OPENAI_API_VERSION")
            if settings.azure_deployment:
                kwargs["azure_deployment"] = settings.azure_deployment
        else:
            cls = openai.AsyncOpenAI if use_async else openai.OpenAI
            for name in ("base_url", "organization", "project"):
                if getattr(settings, name) is not None:
                    kwargs[name] = getattr(settings, name)
        default_client = openai.DefaultAsyncHttpxClient if use_async else openai.DefaultHttpxClient
        # the API never redirects: a redirect is not followed, so the key goes to base_url only
        http_kwargs: dict[str, Any] = {"follow_redirects": False,
                                       "event_hooks": observe.httpx_event_hooks(use_async)}  # SDK retries
        if settings.timeout is not None:
            http_kwargs["timeout"] = settings.timeout
        # one TLS context per process: building one per client was most of what a new event loop cost
        kwargs["http_client"] = deadline_http_client(default_client, use_async=use_async,
                                                     expired=_expired_error, verify=_shared_ssl_context(),
                                                     **http_kwargs)
        client = cls(**kwargs)
        _clients[cache_key] = client
        if loop is not None:
            closer = _close_with_loop(client)
            started = asyncio.ensure_future(closer.__anext__())  # inside the loop: registered for its shutdown
            _closers[cache_key] = (closer, started)
        return client


@functools.cache
def _expired_class() -> type[BaseException]:
    """An SDK error (the SDK re-raises those without retrying) that is also a DeadlineExceeded."""
    return type("DeadlinePassed", (DeadlineExceeded, _import_openai().OpenAIError), {})


def _expired_error(deadline: Deadline) -> BaseException:
    return _expired_class()(deadline.message())


def _is_async(client: Any) -> bool:
    return isinstance(client, _import_openai().AsyncOpenAI)


def _bounded(events: Any, deadline: Deadline) -> Iterator[Any]:
    """The events of a stream, each read within *deadline* (entered per read: a deadline never
    stays set in the caller's context between two events)."""
    it = iter(events)
    while True:
        with deadline:
            try:
                event = next(it)
            except StopIteration:
                return
        yield event


async def _abounded(events: Any, deadline: Deadline) -> AsyncIterator[Any]:
    it = events.__aiter__()
    while True:
        with deadline:
            try:
                event = await it.__anext__()
            except StopAsyncIteration:
                return
        yield event


def _stream_request_id(events: Any) -> str | None:
    response = getattr(events, "response", None)
    return response.headers.get("x-request-id") if response is not None else None


def _data_url(image: InputImage, label: str) -> str:
    """*image* as a data URL for the JSON edit form, refused before sending when over its length cap."""
    url = image.to_data_url()
    if len(url) > JSON_EDIT_MAX_DATA_URL:
        raise InvalidInputError(
            f"{label} is {len(url):,} characters as a data URL, above the {JSON_EDIT_MAX_DATA_URL:,} the JSON "
            "edit form takes (it is used because moderation is set); compress or downscale the image, or "
            "leave moderation unset to upload it as a file", input_name="images" if label != "mask" else "mask")
    return url


def _file(image: InputImage) -> tuple[str, bytes, str]:
    return (image.filename, image.data, image.media_type)


class OpenAIImageGenerator:
    """One GPT image model (``gpt-image-1.5``, ``gpt-image-2``, ...) behind the tryon protocol.

    The same class serves models declared in a models file on any OpenAI-compatible images
    endpoint: *provider* names it (``"xai"``), *wire_model* is the endpoint's name for the model,
    *extra_body* holds fields sent with every call (``{"response_format": "b64_json"}``) and
    *option_names* maps each declared provider option to the body field it is sent as.
    """

    def __init__(self, model_id: str, capabilities: Capabilities,
                 settings: OpenAISettings | None = None, *, provider: str = PROVIDER,
                 wire_model: str | None = None, extra_body: Mapping[str, Any] | None = None,
                 option_names: Mapping[str, str] | None = None) -> None:
        self.model_id = model_id
        self.capabilities = capabilities
        self.settings = settings or OpenAISettings()
        self.provider = provider
        self.wire_model = wire_model
        self.extra_body = dict(extra_body or {})
        self.option_names = dict(option_names) if option_names is not None else None

    def __repr__(self) -> str:
        return f"OpenAIImageGenerator({self.model_id!r})"

    def configure(self, **settings: Any) -> OpenAIImageGenerator:
        """A copy with these settings (``api_key``, ``base_url``, ``timeout``, ``max_retries``, ...)."""
        unknown = sorted(set(settings) - _SETTING_NAMES)
        if unknown:
            raise InvalidOptionError([Problem(name, None, f"unknown OpenAI setting {name!r}; known: "
                                              + ", ".join(sorted(_SETTING_NAMES))) for name in unknown])
        return OpenAIImageGenerator(self.model_id, self.capabilities, attrs.evolve(self.settings, **settings),
                                    provider=self.provider, wire_model=self.wire_model, extra_body=self.extra_body,
                                    option_names=self.option_names)

    def check_credentials(self) -> None:
        """Raise ``MissingCredentialsError`` when no API key is configured (nothing is sent)."""
        self.settings.resolved_key()

    # ------------------------------------------------------------------ request translation

    @property
    def _wire_model(self) -> str:
        if self.settings.is_azure() and self.settings.azure_deployment:
            return self.settings.azure_deployment
        return self.wire_model or self.model_id

    def _common(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self._wire_model, "prompt": request.prompt}
        for name in ("size", "quality", "background", "output_format", "output_compression", "partial_images"):
            value = getattr(request, name)
            if value is not None:
                params[name] = value
        if request.n != 1:
            params["n"] = request.n
        opts = request.options
        for name in ("safety_identifier", "user"):
            value = getattr(opts, name, None)
            if value:
                params[name] = value
        for name in ("complexity", "frame_count", "frame_duration_ms"):
            value = getattr(opts, name, None)
            if value is not None:
                params[name] = value
        svg = getattr(opts, "svg", None)
        if svg is not None:
            params["svg"] = svg.to_param()
        if self.option_names is not None or self.extra_body:  # a declared model: its options as body fields
            names = self.option_names or {}
            extra = dict(self.extra_body)
            extra.update({names.get(k, k): v for k, v in request.provider_options_dict().items()})
            if extra:
                params["extra_body"] = extra
        return params

    def _generate_params(self, request: GenerateRequest) -> dict[str, Any]:
        params = self._common(request)
        if request.moderation is not None:
            params["moderation"] = request.moderation
        return params

    def _edit_params(self, request: EditRequest) -> tuple[dict[str, Any], bool]:
        """SDK keyword arguments, and whether the JSON edit body is needed (``moderation``)."""
        params = self._common(request)
        images: list[InputImage] = list(request.images)
        if request.input_fidelity is not None:
            params["input_fidelity"] = request.input_fidelity
        markup = getattr(request.options, "markup", None)
        if request.moderation is not None:
            # Only the JSON form of the edit endpoint takes moderation.
            params["moderation"] = request.moderation
            params["images"] = [{"image_url": _data_url(img, f"image {i}")} for i, img in enumerate(images, 1)]
            if request.mask is not None:
                params["mask"] = {"image_url": _data_url(request.mask, "mask")}
            return params, True
        params["image"] = _file(images[0]) if len(images) == 1 else [_file(i) for i in images]
        if request.mask is not None:
            params["mask"] = _file(request.mask)
        if markup is not None:  # an InputImage: loaded and checked by the router (image_options)
            params["markup"] = _file(markup)
        return params, False

    # ------------------------------------------------------------------ response translation

    def _reader(self, request_id: Any = None) -> AnswerReader:
        return AnswerReader(self.provider, self.model_id,
                            request_id=request_id if isinstance(request_id, str) else None)

    def _usage(self, usage: Any, read: AnswerReader | None = None) -> Usage | None:
        """Token usage; counts of the wrong type are dropped (usage is informational)."""
        read = read or self._reader()
        if usage is None or not read.is_record(usage):
            return None
        inp = read.get(usage, "input_tokens_details")
        out = read.get(usage, "output_tokens_details")
        return Usage(
            input_tokens=read.count(read.get(usage, "input_tokens")),
            output_tokens=read.count(read.get(usage, "output_tokens")),
            total_tokens=read.count(read.get(usage, "total_tokens")),
            input_text_tokens=read.count(read.get(inp, "text_tokens")),
            input_image_tokens=read.count(read.get(inp, "image_tokens")),
            output_image_tokens=read.count(read.get(out, "image_tokens")),
            output_text_tokens=read.count(read.get(out, "text_tokens")),
        )

    def _image(self, b64: Any, index: int, revised_prompt: str | None = None, *, where: str = "b64_json",
               read: AnswerReader | None = None) -> GeneratedImage:
        read = read or self._reader()
        data = read.text(b64, where, optional=True)
        if not data:
            raise read.error(f"the response carries no image data ({where} is empty)")
        return GeneratedImage.from_base64(data, index=index, revised_prompt=revised_prompt,
                                          provider=self.provider, model=self.model_id)

    def _generation(self, response: Any) -> Generation:
        read = self._reader(getattr(response, "_request_id", None))
        data = read.items(read.get(response, "data"), "data", optional=True)
        if not data:
            raise read.error("the response holds no images")
        images = []
        for i, item in enumerate(data):
            read.record(item, f"data[{i}]")
            revised = read.text(read.get(item, "revised_prompt"), f"data[{i}].revised_prompt", lenient=True)
            images.append(self._image(read.get(item, "b64_json"), i, revised, where=f"data[{i}].b64_json",
                                      read=read))
        usage = self._usage(read.get(response, "usage"), read)
        request_id = read.request_id
        return Generation(images=images, model=self.model_id, provider=self.provider, usage=usage,
                          request_id=request_id,
                          request_ids=(request_id,) if request_id else (), raw=response)

    # ------------------------------------------------------------------ calls

    def _edit_call(self, client: Any, request: EditRequest, **extra: Any) -> Any:
        params, as_json = self._edit_params(request)
        if as_json:  # the SDK's edit method is multipart only; the JSON form is posted as the SDK would
            from openai.types import ImageEditStreamEvent, ImagesResponse

            if extra.get("stream"):
                openai = _import_openai()
                stream_cls = openai.AsyncStream if _is_async(client) else openai.Stream
                return client.post("/images/edits", body={**params, "stream": True}, cast_to=ImagesResponse,
                                   stream=True, stream_cls=stream_cls[ImageEditStreamEvent])
            return client.post("/images/edits", body=params, cast_to=ImagesResponse)
        return client.images.edit(**params, **extra)

    def _deadline(self) -> Deadline:
        """The bound on one whole call or stream."""
        return Deadline(self.settings.deadline, f"the {self.model_id} call")

    def generate(self, request: GenerateRequest) -> Generation:
        client = _client(self.settings, use_async=False)
        with map_errors(self.model_id, self.capabilities, self.provider), self._deadline():
            response = client.images.generate(**self._generate_params(request))
            return self._generation(response)

    def edit(self, request: EditRequest) -> Generation:
        client = _client(self.settings, use_async=False)
        with map_errors(self.model_id, self.capabilities, self.provider), self._deadline():
            return self._generation(self._edit_call(client, request))

    async def agenerate(self, request: GenerateRequest) -> Generation:
        client = _client(self.settings, use_async=True)
        with map_errors(self.model_id, self.capabilities, self.provider), self._deadline():
            response = await client.images.generate(**self._generate_params(request))
            return self._generation(response)

    async def aedit(self, request: EditRequest) -> Generation:
        client = _client(self.settings, use_async=True)
        with map_errors(self.model_id, self.capabilities, self.provider), self._deadline():
            return self._generation(await self._edit_call(client, request))

    def stream(self, request: Request) -> Iterator[PartialImage | Generation]:
        """Partial images as the service sends them, then the final result (the whole stream
        within ``deadline``)."""
        client = _client(self.settings, use_async=False)
        deadline = self._deadline()
        with map_errors(self.model_id, self.capabilities, self.provider):
            with deadline:
                if isinstance(request, EditRequest):
                    events = self._edit_call(client, request, stream=True)
                else:
                    events = client.images.generate(**self._generate_params(request), stream=True)  # type: ignore[arg-type]
            yield from self._events(_bounded(events, deadline), events)

    async def astream(self, request: Request) -> AsyncIterator[PartialImage | Generation]:
        client = _client(self.settings, use_async=True)
        deadline = self._deadline()
        with map_errors(self.model_id, self.capabilities, self.provider):
            with deadline:
                if isinstance(request, EditRequest):
                    events = await self._edit_call(client, request, stream=True)
                else:
                    events = await client.images.generate(**self._generate_params(request), stream=True)  # type: ignore[arg-type]
            finals: list[Any] = []
            async for event in _abounded(events, deadline):
                item = self._event(event, finals)
                if item is not None:
                    yield item
            yield self._final(finals, _stream_request_id(events))

    def _events(self, events: Iterator[Any], source: Any) -> Iterator[PartialImage | Generation]:
        finals: list[Any] = []
        for event in events:
            item = self._event(event, finals)
            if item is not None:
                yield item
        yield self._final(finals, _stream_request_id(source))

    def _event(self, event: Any, finals: list[Any]) -> PartialImage | None:
        read = self._reader()
        read.what = "stream event"
        kind = read.text(read.get(event, "type"), "type", lenient=True) or ""
        if kind.endswith(".partial_image"):
            index = read.integer(read.get(event, "partial_image_index"), "partial_image_index")
            return PartialImage(index=index, image=self._image(read.get(event, "b64_json"), index, read=read),
                                image_index=len(finals))
        if kind.endswith(".completed"):
            finals.append(event)
        return None

    def _final(self, finals: list[Any], request_id: str | None = None) -> Generation:
        read = self._reader(request_id)
        if not finals:
            raise read.error("the stream ended without a completed image")
        images = [self._image(read.get(e, "b64_json"), i, read=read) for i, e in enumerate(finals)]
        usage = Usage.total(self._usage(read.get(e, "usage"), read) for e in finals)
        return Generation(images=images, model=self.model_id, provider=self.provider, usage=usage,
                          request_id=request_id,
                          request_ids=(request_id,) if request_id else ())

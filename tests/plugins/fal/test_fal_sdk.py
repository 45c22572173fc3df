"""The emulator driven by fal's official Python client (``fal-client``): an independent client of the
queue protocol parses every answer the emulator gives (submit, status with and without logs,
result, cancel, errors). The client only knows https://queue.fal.run; an httpx transport sends
those calls to the emulator on 127.0.0.1 instead."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tryon_fal.emulator import FalEmulator

fal_client = pytest.importorskip("fal_client")
httpx = pytest.importorskip("httpx")


class _ToEmulator(httpx.BaseTransport):
    """Sends https://queue.fal.run/... to the emulator; other URLs (the emulator's own) as they are."""

    def __init__(self, base: str) -> None:
        self.base = httpx.URL(base)
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "queue.fal.run":
            request.url = request.url.copy_with(scheme=self.base.scheme, host=self.base.host, port=self.base.port)
            request.headers["host"] = f"{self.base.host}:{self.base.port}"
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def sdk() -> Iterator[tuple[Any, FalEmulator]]:
    with FalEmulator(queue_polls=1, progress_polls=1) as emu:
        client = fal_client.SyncClient(key="sdk-key")
        http = httpx.Client(transport=_ToEmulator(emu.url), timeout=10,
                            headers={"Authorization": "Key sdk-key", "User-Agent": "fal-client-test"})
        client.__dict__["_client"] = http  # the SDK's cached httpx client, replaced by one that reaches 127.0.0.1
        try:
            yield client, emu
        finally:
            http.close()


def test_submit_status_and_result(sdk: tuple[Any, FalEmulator]) -> None:
    client, emu = sdk
    handle = client.submit("fal-ai/flux/dev", {"prompt": "a fox", "num_images": 2, "image_size": "square"})
    first = handle.status(with_logs=True)
    assert isinstance(first, fal_client.Queued) and first.position == 0
    second = handle.status(with_logs=True)
    assert isinstance(second, fal_client.InProgress) and second.logs
    result = handle.get(interval=0.01)
    assert len(result["images"]) == 2 and result["images"][0]["width"] == 512
    assert isinstance(handle.status(with_logs=False), fal_client.Completed)
    assert emu.requests[0].header("authorization") == "[REDACTED]"


def test_an_edit_with_data_uri_images(sdk: tuple[Any, FalEmulator]) -> None:
    import base64
    import io

    from PIL import Image

    client, _ = sdk
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (1, 2, 3)).save(buf, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    result = client.subscribe("fal-ai/flux-2-pro/edit", {"prompt": "x", "image_urls": [uri, uri]},
                              client_timeout=10)
    assert (result["images"][0]["width"], result["images"][0]["height"]) == (320, 240)


def test_a_validation_error_reaches_the_client_as_fal_shapes_it(sdk: tuple[Any, FalEmulator]) -> None:
    client, _ = sdk
    handle = client.submit("fal-ai/ideogram/v3", {"prompt": "x", "num_images": 99})
    with pytest.raises(fal_client.client.FalClientHTTPError) as err:
        handle.get(interval=0.01)
    assert err.value.status_code == 422
    assert err.value.message[0]["loc"] == ["body", "num_images"]  # the detail list, as fal's client keeps it


def test_cancel_and_the_completed_error_fields(sdk: tuple[Any, FalEmulator]) -> None:
    client, emu = sdk
    emu.stall_next()
    handle = client.submit("fal-ai/flux/schnell", {"prompt": "x"})
    handle.cancel()
    status = handle.status()
    assert isinstance(status, fal_client.Completed) and status.error_type == "client_cancelled"
    assert emu.cancelled == [handle.request_id]

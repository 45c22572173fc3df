"""The queue protocol against the emulator: polling, logs, deadlines and cancel, typed errors, and
where the key goes (only to the queue origin, never to the CDN or a foreign status URL)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from fal_helpers import KEY
from tryon_fal.emulator import FalEmulator

import tryon
from tryon.errors import (
    AuthenticationError,
    ContentPolicyError,
    InvalidResponseError,
    MissingCredentialsError,
    ProviderRequestError,
    ProviderTimeoutError,
    ServiceUnavailableError,
)

PROMPT = "a red handbag on a marble table"


def test_polls_until_completed_and_fetches_the_result(make_router: Any) -> None:
    with FalEmulator(queue_polls=3, progress_polls=2) as emu:
        gen = make_router(emu).generate(PROMPT, model="fal-ai/flux/dev")
        polls = emu.requests_to("/status", "GET")
        assert len(polls) == 6  # 3 IN_QUEUE, 2 IN_PROGRESS, then COMPLETED
        assert all(p.path.startswith("/fal-ai/flux/requests/") for p in polls)  # no sub-path in queue URLs
        assert [r.method for r in emu.requests if "/files/" not in r.path][-1] == "GET"
        assert gen.request_id and gen.request_id in polls[0].path


def test_logs_setting_asks_for_logs_and_logs_them(make_router: Any, caplog: pytest.LogCaptureFixture) -> None:
    with FalEmulator(queue_polls=1, progress_polls=2) as emu:
        with caplog.at_level(logging.INFO, logger="tryon_fal"):
            make_router(emu, logs=True).generate(PROMPT, model="fal-ai/flux/dev")
        assert all(r.query.get("logs") == "1" for r in emu.requests_to("/status"))
        assert any("step" in r.getMessage() for r in caplog.records)


def test_key_goes_to_the_queue_origin_only(make_router: Any) -> None:
    with FalEmulator(separate_cdn=True) as emu:
        assert emu.cdn is not None
        router = make_router(emu, delivery_hosts=[emu.cdn_host])
        router.generate(PROMPT, model="fal-ai/flux/dev", n=2)
        api = [r for r in emu.requests]
        assert api and all(r.header("authorization") == "[REDACTED]" for r in api)
        files = emu.cdn.requests
        assert len(files) == 2 and all(r.header("authorization") is None for r in files)


def test_a_result_on_an_unknown_host_is_not_downloaded(make_router: Any) -> None:
    with FalEmulator(separate_cdn=True) as emu:
        assert emu.cdn is not None
        with pytest.raises(InvalidResponseError, match="delivery_hosts"):
            make_router(emu).generate(PROMPT, model="fal-ai/flux/dev")
        assert emu.cdn.requests == []


def test_a_status_url_on_another_host_gets_no_request_and_no_key(make_router: Any) -> None:
    with FalEmulator() as emu, FalEmulator() as elsewhere:
        foreign = f"{elsewhere.url}/fal-ai/flux/requests/abc"
        emu.fail_next(200, body={"request_id": "abc", "status_url": f"{foreign}/status", "response_url": foreign,
                                 "cancel_url": f"{foreign}/cancel"})
        with pytest.raises(InvalidResponseError, match="refusing to send the API key"):
            make_router(emu).generate(PROMPT, model="fal-ai/flux/dev")
        assert elsewhere.requests == []


def test_missing_urls_in_the_submit_answer_are_the_documented_paths(make_router: Any) -> None:
    with FalEmulator() as emu:
        router = make_router(emu)
        emu.fail_next(200, body={"request_id": "nothere"})
        with pytest.raises(ProviderRequestError):  # the built status URL is asked, and fal says 404
            router.generate(PROMPT, model="fal-ai/flux/dev")
        assert emu.requests[-1].path == "/fal-ai/flux/requests/nothere/status"


def test_deadline_cancels_the_request_on_fal(make_router: Any) -> None:
    with FalEmulator() as emu:
        emu.stall_next()
        with pytest.raises(ProviderTimeoutError, match="cancelled on fal") as err:
            make_router(emu, deadline=0.4).generate(PROMPT, model="fal-ai/flux/dev")
        assert emu.cancelled == [err.value.request_id]
        assert emu.requests_to("/cancel", "PUT")[0].header("authorization") == "[REDACTED]"


async def test_cancelling_the_awaiting_task_cancels_the_request_on_fal(make_router: Any) -> None:
    with FalEmulator() as emu:
        emu.stall_next()
        task = asyncio.ensure_future(make_router(emu).agenerate(PROMPT, model="fal-ai/flux/dev"))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if emu.requests_to("/status"):
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(300):
            if emu.cancelled:
                break
            await asyncio.sleep(0.01)
        assert len(emu.cancelled) == 1


@pytest.mark.parametrize("status, kind, expected", [
    (504, "request_timeout", ProviderTimeoutError),
    (504, "startup_timeout", ProviderTimeoutError),
    (503, "runner_scheduling_failure", ServiceUnavailableError),
    (502, "runner_incomplete_response", ServiceUnavailableError),
    (500, "runner_server_error", ServiceUnavailableError),
    (400, "bad_request", ProviderRequestError),
])
def test_request_errors_from_the_result_are_typed(make_router: Any, status: int, kind: str,
                                                  expected: type[Exception]) -> None:
    with FalEmulator() as emu:
        emu.fail_task_next(status, error_type=kind, message="it went wrong")
        with pytest.raises(expected) as err:
            make_router(emu).generate(PROMPT, model="fal-ai/flux/dev")
        assert err.value.status == status and err.value.request_id  # type: ignore[attr-defined]
        assert kind in str(err.value)


def test_a_content_policy_violation_from_the_result_is_a_content_policy_error(make_router: Any) -> None:
    with FalEmulator() as emu:
        emu.moderate_task_next()
        with pytest.raises(ContentPolicyError, match="content_policy_violation") as err:
            make_router(emu).generate(PROMPT, model="fal-ai/flux/dev")
        assert err.value.status == 422 and not err.value.retryable


def test_a_validation_detail_names_the_field(make_router: Any) -> None:
    with FalEmulator() as emu:
        emu.fail_next(422, body={"detail": [{"loc": ["body", "image_size", "width"], "msg": "Input should be less "
                                             "than or equal to 14142", "type": "less_than_equal"}]})
        with pytest.raises(ProviderRequestError, match=r"image_size\.width: Input should be less") as err:
            make_router(emu).generate(PROMPT, model="fal-ai/flux/dev")
        assert "less_than_equal" in str(err.value)


def test_the_emulator_refuses_what_the_schema_refuses() -> None:
    import requests

    with FalEmulator() as emu:
        head = {"Authorization": "Key k"}
        queued = requests.post(f"{emu.url}/fal-ai/flux/dev", json={"prompt": "x", "num_images": 9, "steps": 3},
                               headers=head, timeout=5).json()
        for _ in range(3):
            requests.get(queued["status_url"], headers=head, timeout=5)
        answer = requests.get(queued["response_url"], headers=head, timeout=5)
        assert answer.status_code == 422
        problems = {(tuple(d["loc"]), d["type"]) for d in answer.json()["detail"]}
        assert problems == {(("body", "num_images"), "less_than_equal"), (("body", "steps"), "extra_forbidden")}


def test_a_wrong_key_is_an_authentication_error_that_does_not_show_the_key(make_router: Any) -> None:
    with FalEmulator(api_keys={"the-right-key"}) as emu:
        with pytest.raises(AuthenticationError) as err:
            make_router(emu).generate(PROMPT, model="fal-ai/flux/dev")
        assert KEY not in str(err.value) and KEY not in repr(err.value.__dict__)


def test_no_key_is_refused_before_sending(monkeypatch: pytest.MonkeyPatch, emulator: FalEmulator) -> None:
    for name in ("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)
    router = tryon.Router(plugins=False)
    import tryon_fal

    for gen in tryon_fal.generators(base_url=emulator.url):
        router.register(gen)
    with pytest.raises(MissingCredentialsError, match="FAL_KEY"):
        router.generate(PROMPT, model="fal-ai/flux/dev")
    assert emulator.requests == []


def test_key_id_and_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import tryon_fal

    monkeypatch.delenv("FAL_KEY", raising=False)
    monkeypatch.setenv("FAL_KEY_ID", "id-1")
    monkeypatch.setenv("FAL_KEY_SECRET", "secret-2")
    with FalEmulator(api_keys={"id-1:secret-2"}) as emu:
        monkeypatch.setenv("FAL_BASE_URL", emu.url)
        router = tryon.Router(plugins=False)
        for gen in tryon_fal.generators(poll_interval=0.005):
            router.register(gen)
        assert router.generate(PROMPT, model="fal-ai/flux/dev").images


def test_an_unknown_status_is_an_invalid_answer(make_router: Any) -> None:
    with FalEmulator() as emu:
        router = make_router(emu)
        url = f"{emu.url}/fal-ai/flux/requests/r1"
        emu.fail_next(200, body={"request_id": "r1", "status_url": f"{url}/status", "response_url": url,
                                 "cancel_url": f"{url}/cancel"})
        emu.fail_next(200, body={"status": "EXPLODED"})
        with pytest.raises(InvalidResponseError, match="unknown status 'EXPLODED'"):
            router.generate(PROMPT, model="fal-ai/flux/dev")


def test_sync_mode_data_uris_are_decoded() -> None:
    import base64

    from tryon_fal.download import fetch_images, image_urls
    from tryon_fal.settings import FalSettings

    from tryon.answers import AnswerReader

    png = base64.b64encode(b"\x89PNG\r\n\x1a\nrest").decode()
    reader = AnswerReader("fal", "m")
    urls = image_urls({"images": [{"url": f"data:image/png;base64,{png}"}]}, reader)
    assert fetch_images(urls, FalSettings(), "https://queue.fal.run", reader, 5.0) == [b"\x89PNG\r\n\x1a\nrest"]
    with pytest.raises(InvalidResponseError, match=r"images\[0\]\.url"):
        image_urls({"images": [{"url": 5}]}, reader)
    with pytest.raises(InvalidResponseError, match="no images"):
        image_urls({"seed": 1}, reader)

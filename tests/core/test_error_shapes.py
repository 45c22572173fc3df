"""A provider's own error shape: send(read_error=...) types it without hooks or private attributes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

import tryon
from tryon.error_shapes import ErrorAnswer, ErrorDetails
from tryon.http import send, shared_session
from tryon.testing.server import EmulatorServer, RecordedRequest, Response

MODERATED = {"id": "abc", "name": "content_moderation", "errors": ["Your request was flagged."]}


class Echo(EmulatorServer):
    """Answers whatever body and status the test queues with fail_next; 200 otherwise."""

    provider = "echo"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(require_key=False, **kwargs)
        self.route("POST", "/v1/x", lambda r: Response.json({"ok": True}))


@pytest.fixture
def emu() -> Iterator[Echo]:
    with Echo() as server:
        yield server


def stability_reader(answer: ErrorAnswer) -> ErrorDetails | None:
    body = answer.json if isinstance(answer.json, dict) else {}
    if body.get("name") == "content_moderation":
        return ErrorDetails("; ".join(body["errors"]), code="content_moderation", error=tryon.ContentPolicyError)
    return None


def _post(emu: Echo, **kwargs: Any) -> Any:
    return send(shared_session(retries=0), "POST", f"{emu.url}/v1/x", provider="echo", model="m", json={},
                **kwargs)


def test_a_403_content_moderation_body_becomes_a_content_policy_error(emu: Echo) -> None:
    emu.fail_next(403, body=MODERATED)
    with pytest.raises(tryon.ContentPolicyError) as err:
        _post(emu, read_error=stability_reader)
    assert err.value.status == 403 and err.value.provider == "echo" and err.value.model == "m"
    assert "Your request was flagged." in str(err.value) and not err.value.retryable
    # without the reader the status decides, as before
    emu.fail_next(403, body=MODERATED)
    with pytest.raises(tryon.PermissionDeniedError):
        _post(emu)


def test_a_reader_returning_none_keeps_the_cores_reading(emu: Echo) -> None:
    emu.fail_next(429, retry_after=0, body={"error": {"message": "slow down", "code": "rate"}})
    with pytest.raises(tryon.RateLimitError) as err:
        _post(emu, read_error=lambda answer: None)
    assert "slow down" in str(err.value) and err.value.retry_after == 0


def test_a_reader_can_choose_every_error_class_and_keeps_status_request_id_and_retry_after(emu: Echo) -> None:
    cases: list[type[tryon.ProviderError]] = [tryon.RateLimitError, tryon.ServiceUnavailableError,
                                              tryon.ProviderTimeoutError, tryon.AuthenticationError,
                                              tryon.ProviderRequestError, tryon.InvalidResponseError]
    for cls in cases:
        emu.fail_next(400, body={"kind": cls.__name__}, retry_after=2, headers={"x-request-id": "rid-1"})
        with pytest.raises(cls) as err:
            _post(emu, read_error=lambda a, cls=cls: ErrorDetails(f"it was {a.json['kind']}", code="k", error=cls))
        assert type(err.value) is cls and err.value.status == 400 and err.value.request_id == "rid-1"
        assert f"it was {cls.__name__}" in str(err.value)
        assert err.value.retryable is cls.retryable
        if cls is tryon.RateLimitError:
            assert err.value.retry_after == 2  # type: ignore[attr-defined]


def test_a_reader_may_only_rewrite_the_message_and_code(emu: Echo) -> None:
    emu.fail_next(400, body=b"<<opaque>>")
    with pytest.raises(tryon.ContentPolicyError) as err:  # the core's own content-policy codes still apply
        _post(emu, read_error=lambda a: ErrorDetails(f"decoded {a.text!r}", code="content_policy_violation"))
    assert "decoded '<<opaque>>'" in str(err.value)


def test_the_reader_sees_the_body_headers_and_the_cores_reading(emu: Echo) -> None:
    seen: list[ErrorAnswer] = []
    emu.fail_next(422, body={"detail": "bad size"}, headers={"x-thing": "1"})
    with pytest.raises(tryon.ProviderRequestError):
        _post(emu, read_error=lambda a: seen.append(a))  # type: ignore[func-returns-value]
    answer = seen[0]
    assert answer.status == 422 and answer.headers["X-Thing"] == "1" and answer.json == {"detail": "bad size"}
    assert answer.message == "bad size" and answer.code is None and b"bad size" in answer.content


def test_a_broken_reader_is_logged_and_the_error_still_typed(emu: Echo, caplog: pytest.LogCaptureFixture) -> None:
    def broken(answer: ErrorAnswer) -> ErrorDetails:
        raise KeyError("errors")

    emu.fail_next(500, body={"error": "down"})
    with caplog.at_level(logging.WARNING, logger="tryon.http"), pytest.raises(tryon.ServiceUnavailableError):
        _post(emu, read_error=broken)
    assert "error reader" in caplog.text
    emu.fail_next(401, body={"error": "no key"})
    with pytest.raises(tryon.AuthenticationError):
        _post(emu, read_error=lambda a: "not details")  # type: ignore[arg-type, return-value]


def test_error_details_must_name_a_provider_error_class() -> None:
    with pytest.raises(TypeError, match="ProviderError"):
        ErrorDetails("x", error=ValueError)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ErrorDetails("x", error="ContentPolicyError")  # type: ignore[arg-type]


def test_a_key_echoed_in_the_body_is_redacted_in_the_readers_message(emu: Echo) -> None:
    key = "sk-live-0123456789abcdefghijklmnop"
    emu.fail_next(403, body={"name": "content_moderation", "errors": [f"bad key {key}"]})
    with pytest.raises(tryon.ContentPolicyError) as err:
        _post(emu, read_error=stability_reader, credentials={"Authorization": f"Bearer {key}"},
              credential_scope=lambda target: None)
    assert key not in str(err.value) and key not in repr(err.value.__dict__)


def test_requests_record(emu: Echo) -> None:
    _post(emu, read_error=stability_reader)  # a success never calls the reader
    assert isinstance(emu.last_request, RecordedRequest)

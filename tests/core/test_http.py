"""The shared HTTP layer: session set-up, status -> typed error mapping, retries, transport failures."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from media_helpers import LocalServer, Reply
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from tryon.errors import (
    AuthenticationError,
    ContentPolicyError,
    PermissionDeniedError,
    ProviderError,
    ProviderRequestError,
    ProviderTimeoutError,
    RateLimitError,
    ServiceUnavailableError,
)
from tryon.http import (
    DEFAULT_TIMEOUT,
    error_details,
    make_session,
    parse_retry_after,
    raise_for_response,
    request_id_from,
    retry_after_from,
    send,
    user_agent,
)
from tryon.secrets import remember


def response(
    status: int, body: Any = b"", headers: dict[str, str] | None = None, reason: str = ""
) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = json.dumps(body).encode() if isinstance(body, dict | list) else body
    r.headers = CaseInsensitiveDict(headers or {})
    r.reason = reason
    r.url = "https://api.example.com/v1/images"
    return r


def raised(r: requests.Response, **kwargs: Any) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        raise_for_response(r, provider=kwargs.get("provider", "acme"), model=kwargs.get("model", "acme-1"))
    return info.value


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with make_session(retries=2, backoff_factor=0.0) as s:
        yield s


# --------------------------------------------------------------------------- session


def test_make_session_defaults() -> None:
    with make_session() as s:
        assert s.headers["User-Agent"] == user_agent()
        assert user_agent().startswith("tryon/") and user_agent() != "tryon/"
        adapter = s.get_adapter("https://api.example.com")
        assert isinstance(adapter, HTTPAdapter)
        retry = adapter.max_retries
        assert retry.total == 3 and retry.backoff_factor == 0.5
        assert set(retry.status_forcelist) == {429, 500, 502, 503, 504}
        assert retry.respect_retry_after_header is True and retry.raise_on_status is False
        assert "POST" not in (retry.allowed_methods or ())
    assert isinstance(DEFAULT_TIMEOUT, tuple) and len(DEFAULT_TIMEOUT) == 2


def test_make_session_options() -> None:
    with make_session(retries=0, allowed_methods=("GET", "post"), headers={"X-Extra": "1"}) as s:
        adapter = s.get_adapter("http://x")
        assert isinstance(adapter, HTTPAdapter)
        retry = adapter.max_retries
        assert retry.total == 0 and "POST" in (retry.allowed_methods or ())
        assert s.headers["X-Extra"] == "1"


# --------------------------------------------------------------------------- status mapping


@pytest.mark.parametrize(
    ("status", "error_type", "retryable"),
    [
        (400, ProviderRequestError, False),
        (401, AuthenticationError, False),
        (402, PermissionDeniedError, False),
        (403, PermissionDeniedError, False),
        (404, ProviderRequestError, False),
        (408, ProviderTimeoutError, True),
        (409, ProviderRequestError, False),
        (413, ProviderRequestError, False),
        (422, ProviderRequestError, False),
        (429, RateLimitError, True),
        (500, ServiceUnavailableError, True),
        (502, ServiceUnavailableError, True),
        (503, ServiceUnavailableError, True),
        (504, ProviderTimeoutError, True),
        (529, ServiceUnavailableError, True),
    ],
)
def test_status_mapping(status: int, error_type: type[ProviderError], retryable: bool) -> None:
    error = raised(response(status, {"error": {"message": "something went wrong"}}))
    assert type(error) is error_type
    assert error.status == status and error.provider == "acme" and error.model == "acme-1"
    assert error.retryable is retryable
    assert (
        "something went wrong" in str(error)
        and f"HTTP {status}" in str(error)
        and "acme/acme-1" in str(error)
    )


@pytest.mark.parametrize("status", [200, 201, 204, 302])
def test_success_and_redirect_statuses_do_not_raise(status: int) -> None:
    raise_for_response(response(status, b"ok"), provider="acme")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"error": {"message": "Invalid size '7x7'", "code": "invalid_value"}}, "Invalid size '7x7'"),
        (
            {"error": {"code": 400, "message": "API key not valid", "status": "INVALID_ARGUMENT"}},
            "API key not valid",
        ),
        (
            {
                "detail": [
                    {"loc": ["body", "width"], "msg": "ensure this value is >= 64", "type": "value_error"}
                ]
            },
            "width: ensure this value is >= 64",
        ),
        ({"detail": [{"loc": ["body", "a"], "msg": "x"}, {"loc": ["body", "b"], "msg": "y"}]}, "a: x; b: y"),
        ({"detail": "Not authenticated"}, "Not authenticated"),
        ({"message": "Quota exceeded"}, "Quota exceeded"),
        ({"error": "invalid_request", "message": "bad prompt"}, "invalid_request: bad prompt"),
        (b"plain text failure", "plain text failure"),
    ],
)
def test_provider_messages_are_extracted_from_common_shapes(body: Any, expected: str) -> None:
    message, _code = error_details(response(422, body))
    assert message == expected
    assert expected in str(raised(response(422, body)))


def test_html_bodies_are_not_dumped_into_messages() -> None:
    error = raised(
        response(
            502,
            b"<html><body><h1>Bad Gateway</h1>" + b"x" * 5000 + b"</body></html>",
            {"Content-Type": "text/html"},
            reason="Bad Gateway",
        )
    )
    assert "Bad Gateway" in str(error) and "<html>" not in str(error)


def test_long_messages_are_shortened() -> None:
    error = raised(response(400, {"error": {"message": "y" * 5000}}))
    assert len(str(error)) < 700


def test_content_policy_code_is_a_content_policy_error() -> None:
    body = {
        "error": {"message": "Your request was rejected by the safety system", "code": "moderation_blocked"}
    }
    error = raised(response(400, body))
    assert isinstance(error, ContentPolicyError) and "safety system" in str(error)


@pytest.mark.parametrize("header", ["x-request-id", "request-id", "x-goog-request-id", "X-Amzn-RequestId"])
def test_request_id_is_read_from_common_headers(header: str) -> None:
    error = raised(response(500, b"", {header: "req_123abc"}))
    assert error.request_id == "req_123abc" and "request id req_123abc" in str(error)
    assert request_id_from(CaseInsensitiveDict({header: " req_123abc "})) == "req_123abc"


def test_keys_never_appear_in_error_messages() -> None:
    remember("my-registered-provider-key-0001")
    body = {
        "error": {
            "message": "Incorrect API key provided: sk-live-abcdefghijklmnop and "
            "my-registered-provider-key-0001 and AIzaSyB-abcdefghijklmnopqrstuv"
        }
    }
    text = str(raised(response(401, body)))
    assert "sk-live-abcdefghijklmnop" not in text
    assert "my-registered-provider-key-0001" not in text
    assert "AIzaSyB-abcdefghijklmnopqrstuv" not in text
    assert "check the API key" in text


# --------------------------------------------------------------------------- Retry-After


def test_retry_after_seconds_and_dates() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 2.5 ") == 2.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("") is None and parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (parse_retry_after(future) or 0) <= 31
    past = email.utils.formatdate(time.time() - 300, usegmt=True)
    assert parse_retry_after(past) == 0.0
    assert retry_after_from(CaseInsensitiveDict({"retry-after-ms": "1500", "Retry-After": "9"})) == 1.5
    assert retry_after_from(CaseInsensitiveDict({"Retry-After": "9"})) == 9.0


def test_rate_limit_error_carries_retry_after() -> None:
    error = raised(response(429, {"error": {"message": "slow down"}}, {"Retry-After": "12"}))
    assert isinstance(error, RateLimitError) and error.retry_after == 12.0
    future = email.utils.formatdate(time.time() + 60, usegmt=True)
    error = raised(response(429, b"", {"Retry-After": future}))
    assert isinstance(error, RateLimitError) and 50 <= (error.retry_after or 0) <= 61
    error = raised(response(429, b""))
    assert isinstance(error, RateLimitError) and error.retry_after is None


# --------------------------------------------------------------------------- send() against a local server


def test_send_returns_the_response(server: LocalServer, session: requests.Session) -> None:
    server.routes["/ok"] = Reply(200, b'{"data": []}', {"Content-Type": "application/json"})
    r = send(session, "GET", server.url("/ok"), provider="acme", model="m")
    assert r.json() == {"data": []}


def test_send_retries_get_on_503_then_succeeds(server: LocalServer, session: requests.Session) -> None:
    server.routes["/flaky"] = [Reply(503), Reply(502), Reply(200, b"ok")]
    assert send(session, "GET", server.url("/flaky"), provider="acme").content == b"ok"
    assert server.hits["/flaky"] == 3


def test_send_does_not_retry_post_on_5xx(server: LocalServer, session: requests.Session) -> None:
    server.routes["/gen"] = [Reply(503, b'{"error": {"message": "overloaded"}}'), Reply(200, b"ok")]
    with pytest.raises(ServiceUnavailableError, match="overloaded"):
        send(session, "POST", server.url("/gen"), provider="acme", json={"prompt": "x"})
    assert server.hits["/gen"] == 1


def test_send_retries_post_on_429(server: LocalServer, session: requests.Session) -> None:
    server.routes["/gen"] = [Reply(429, headers={"Retry-After": "0"}), Reply(200, b"ok")]
    assert send(session, "POST", server.url("/gen"), provider="acme", json={"prompt": "x"}).content == b"ok"
    assert server.hits["/gen"] == 2


def test_a_long_retry_after_is_not_waited_for(server: LocalServer, session: requests.Session) -> None:
    server.routes["/gen"] = Reply(429, b'{"error": {"message": "quota"}}', {"Retry-After": "3600"})
    started = time.monotonic()
    with pytest.raises(RateLimitError) as info:
        send(session, "GET", server.url("/gen"), provider="acme")
    assert time.monotonic() - started < 5
    assert info.value.retry_after == 3600.0 and server.hits["/gen"] == 1


def test_retries_exhausted_raise_the_typed_error(server: LocalServer, session: requests.Session) -> None:
    server.routes["/down"] = Reply(503, b'{"message": "maintenance"}', {"x-request-id": "req_9"})
    with pytest.raises(ServiceUnavailableError) as info:
        send(session, "GET", server.url("/down"), provider="acme")
    assert server.hits["/down"] == 3
    assert info.value.request_id == "req_9" and "maintenance" in str(info.value)


def test_send_timeout_is_a_provider_timeout(server: LocalServer) -> None:
    server.routes["/slow"] = Reply(200, b"late", delay=3.0)
    with make_session(retries=0) as s, pytest.raises(ProviderTimeoutError) as info:
        send(
            s,
            "GET",
            server.url("/slow") + "?key=sk-secretsecretsecret",
            provider="acme",
            model="m",
            timeout=(2.0, 0.3),
        )
    assert info.value.retryable and "sk-secret" not in str(info.value)


def test_connection_refused_is_service_unavailable(server: LocalServer) -> None:
    port = server.port
    server.httpd.server_close()
    with (
        make_session(retries=0) as s,
        pytest.raises(ServiceUnavailableError, match="cannot reach the provider"),
    ):
        send(s, "GET", f"http://127.0.0.1:{port}/x?api_key=hidden-value", provider="acme")


def test_connection_error_message_hides_query_strings(server: LocalServer) -> None:
    port = server.port
    server.httpd.server_close()
    with make_session(retries=0) as s, pytest.raises(ServiceUnavailableError) as info:
        send(s, "GET", f"http://127.0.0.1:{port}/x?api_key=hidden-value", provider="acme")
    assert "hidden-value" not in str(info.value)


def test_error_responses_from_the_server_are_typed(server: LocalServer) -> None:
    server.routes["/auth"] = Reply(401, b'{"error": {"message": "bad key"}}', {"request-id": "abc"})
    with make_session(retries=0) as s, pytest.raises(AuthenticationError) as info:
        send(s, "GET", server.url("/auth"), provider="acme", model="m")
    assert info.value.request_id == "abc" and info.value.status == 401


def test_a_fractional_retry_after_is_honoured_not_an_error(server: LocalServer, session: requests.Session) -> None:
    server.routes["/limited"] = [Reply(429, b'{"error": {"message": "slow down"}}', {"Retry-After": "0.2"}),
                                 Reply(200, b"ok")]
    started = time.monotonic()
    assert send(session, "POST", server.url("/limited"), provider="acme").content == b"ok"
    assert time.monotonic() - started >= 0.19  # urllib3 alone refuses "0.2" as an invalid header
    assert server.hits["/limited"] == 2

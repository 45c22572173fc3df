"""The emulator base class: its override surface works, and its internals stay out of subclasses' way."""

from __future__ import annotations

import threading
from typing import Any

import requests

from tryon.testing.server import EmulatorServer, RecordedRequest, Response

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


class Crowded(EmulatorServer):
    """A subclass that uses, for its own purposes, every private name the base class once had."""

    provider = "crowded"
    request_id_header = "x-rid"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # its own state under names the base class's machinery used to hold
        self._lock = "not a lock"
        self._requests = ["not", "requests"]
        self._faults = None
        self._routes = {}
        self._server = "mine"
        self._connections = 0
        self._latency = "slow?"
        self.route("POST", "/v1/image", self.image)
        self.route("GET", "/v1/answer", lambda r: Response.json({"answer": self._answer(r)}))

    # its own helpers under the names of the base's dispatch
    def _answer(self, request: Any) -> int:
        return 42

    def _handle(self, *args: Any) -> None:
        raise AssertionError("the base class must not call a subclass's _handle")

    def _match(self, *args: Any) -> None:
        raise AssertionError("the base class must not call a subclass's _match")

    def _fault_response(self, *args: Any) -> None:
        raise AssertionError("the base class must not call a subclass's _fault_response")

    def _track(self, *args: Any) -> None:
        raise AssertionError("the base class must not call a subclass's _track")

    def _queue(self, *args: Any) -> None:
        raise AssertionError("the base class must not call a subclass's _queue")

    def _pop_fault(self) -> None:
        raise AssertionError("the base class must not call a subclass's _pop_fault")

    def _key_accepted(self, key: Any) -> bool:
        raise AssertionError("the base class must not call a subclass's _key_accepted")

    # the documented override surface
    def api_key_from(self, headers: Any, query: Any) -> str | None:
        return headers.get("x-api-key")

    def error_body(self, status: int, code: str | None, message: str, *, param: str | None = None) -> Any:
        return {"id": "e1", "name": code or "error", "errors": [message]}

    def moderation_response(self, request: RecordedRequest) -> Response:
        return self.error_response(403, "flagged", code="content_moderation")

    def image(self, request: RecordedRequest) -> Response:
        return Response.binary(PNG, "image/png", headers={"finish-reason": "SUCCESS"})


def test_a_subclass_with_the_old_private_names_still_works() -> None:
    with Crowded(latency=0.0) as emu:
        session = requests.Session()
        try:
            ok = session.get(f"{emu.url}/v1/answer", headers={"x-api-key": "k"}, timeout=10)
            assert ok.json() == {"answer": 42} and ok.headers["x-rid"]
            image = session.post(f"{emu.url}/v1/image", headers={"x-api-key": "k"}, timeout=10)
            assert image.content == PNG and image.headers["Content-Type"] == "image/png"
            assert image.headers["finish-reason"] == "SUCCESS"
            missing = session.post(f"{emu.url}/v1/image", timeout=10)
            assert missing.status_code == 401 and missing.json()["name"] == "unauthorized"
            emu.moderate_next()
            flagged = session.post(f"{emu.url}/v1/image", headers={"x-api-key": "k"}, timeout=10)
            assert flagged.status_code == 403 and flagged.json() == {"id": "e1", "name": "content_moderation",
                                                                     "errors": ["flagged"]}
            emu.fail_next(503, times=2)
            assert emu.pending_faults == 2
            assert session.post(f"{emu.url}/v1/image", headers={"x-api-key": "k"}, timeout=10).status_code == 503
            emu.reset()
            assert emu.pending_faults == 0
            assert session.post(f"{emu.url}/v1/image", headers={"x-api-key": "k"}, timeout=10).status_code == 200
            assert [r.path for r in emu.requests] == ["/v1/image"]
            assert emu.requests[0].headers["x-api-key"] == "[REDACTED]"
        finally:
            session.close()
        assert emu._requests == ["not", "requests"] and emu._lock == "not a lock"  # untouched
    assert not emu.running


def test_the_base_class_defines_no_single_underscore_name_a_subclass_could_shadow() -> None:
    private = sorted(n for n in vars(EmulatorServer) if n.startswith("_") and not n.startswith("__")
                     and not n.startswith("_EmulatorServer__"))
    assert private == []
    with Crowded() as emu:
        state = sorted(n for n in vars(emu) if n.startswith("_") and not n.startswith("_EmulatorServer__"))
    assert state == ["_connections", "_faults", "_latency", "_lock", "_requests", "_routes", "_server"]


def test_a_stopped_emulator_releases_its_thread() -> None:
    before = threading.active_count()
    with Crowded():
        pass
    assert threading.active_count() <= before + 1

"""Drift guard for every FASHN test: what the plugin sends and what the emulator answers must fit
the types of FASHN's official SDK (``fashn``), which is generated from FASHN's OpenAPI spec."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fashn_schema import answer_problems, run_body_problems

from tryon.testing.fashn_emulator import FashnEmulator


def sdk_violations(emulator: FashnEmulator) -> list[str]:
    """Why requests or answers recorded by *emulator* break the SDK's types."""
    out: list[str] = []
    for request, response in list(emulator.answers):
        path = "/v1/run" if request.path == "/v1/run" else "/v1/status"
        if path == "/v1/run" and request.header("user-agent", "").startswith("tryon/"):
            out.extend(run_body_problems(request.params))
        try:
            data = json.loads(response.body)
        except ValueError:
            continue
        out.extend(answer_problems(path, response.status, data))
    return out


@pytest.fixture(autouse=True)
def _fashn_sdk_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    started: list[FashnEmulator] = []
    original = FashnEmulator.start

    def start(self: FashnEmulator) -> FashnEmulator:
        started.append(self)
        return original(self)

    monkeypatch.setattr(FashnEmulator, "start", start)
    yield
    problems = [p for emulator in started for p in sdk_violations(emulator)]
    if problems:
        pytest.fail("FASHN's SDK types refuse:\n" + "\n".join(problems[:10]), pytrace=False)

"""Every body the Gemini plugin sends in these tests is validated against google-genai's types first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from gemini_schema import validate_body
from tryon_gemini.generator import GeminiGenerator

SENT: list[dict[str, Any]] = []


@pytest.fixture(autouse=True)
def strict_bodies(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Wrap the plugin's send: a body google-genai would not send fails the test that sent it."""
    pytest.importorskip("google.genai")
    original = GeminiGenerator._post
    sent: list[dict[str, Any]] = []

    def checked(self: GeminiGenerator, body: dict[str, Any]) -> dict[str, Any]:
        validate_body(body)
        sent.append(body)
        SENT.append(body)
        return original(self, body)

    monkeypatch.setattr(GeminiGenerator, "_post", checked)
    yield sent

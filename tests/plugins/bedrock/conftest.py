"""Every body the Bedrock plugin sends in these tests is validated against the Nova Canvas schema first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from nova_schema import validate_body
from tryon_bedrock.client import BedrockClient, forget_clients

SENT: list[dict[str, Any]] = []


@pytest.fixture(autouse=True)
def strict_bodies(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Wrap the plugin's send: a body AWS's documentation does not allow fails the test that sent it."""
    pytest.importorskip("boto3")
    original = BedrockClient.invoke
    sent: list[dict[str, Any]] = []

    def checked(self: BedrockClient, body: dict[str, Any]) -> Any:
        validate_body(body)
        sent.append(body)
        SENT.append(body)
        return original(self, body)

    monkeypatch.setattr(BedrockClient, "invoke", checked)
    forget_clients()  # each test's credentials are resolved afresh
    yield sent
    forget_clients()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Test credentials in the standard AWS environment variables (what boto3's chain reads)."""
    values = {"AWS_ACCESS_KEY_ID": "AKIAEMULATOR00000001", "AWS_SECRET_ACCESS_KEY": "emulator/secret/Key0123456789",
              "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEmulatorSessionToken0123456789abcdef"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values

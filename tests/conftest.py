"""Test set-up: first-party plugins only, no real keys, no network beyond loopback."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Property tests run a fixed example budget: the ``ci`` profile (the default, and what tox and CI
# use); HYPOTHESIS_PROFILE=dev tries more examples when hunting a bug locally.
settings.register_profile("ci", max_examples=50, deadline=None, database=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("dev", max_examples=500, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Only the first-party plugins load in tests, whatever else is installed on the machine.
FIRST_PARTY = "openai,flux,gemini,replicate,fal,bedrock"
os.environ["TRYON_PLUGINS"] = FIRST_PARTY
# No models file of the machine's user leaks in (tests name theirs through TRYON_MODELS_FILE).
os.environ["TRYON_MODELS_FILE"] = ""

SECRET_ENV = (
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION", "BFL_API_KEY", "BFL_BASE_URL", "GEMINI_API_KEY",
    "GOOGLE_API_KEY", "GEMINI_BASE_URL", "REPLICATE_API_TOKEN", "REPLICATE_BASE_URL", "TRYON_ALLOW_PRIVATE_URLS",
    "TRYON_SERVES_RETIRED",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
    "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
    "AWS_BEARER_TOKEN_BEDROCK", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
)
#: No AWS configuration of the machine (files, instance metadata) reaches the tests.
AWS_ISOLATION = {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                 "AWS_EC2_METADATA_DISABLED": "true"}
for _name in SECRET_ENV:
    os.environ.pop(_name, None)
os.environ.update(AWS_ISOLATION)

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check_address(address: Any) -> None:
    if isinstance(address, tuple) and address:
        host = address[0]
        try:
            ip = ipaddress.ip_address(host.split("%")[0])
        except ValueError:
            raise OSError(f"tests must not resolve or reach {host!r}") from None
        if not ip.is_loopback:
            raise OSError(f"tests must not reach the network ({host}); use the local emulators")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check_address(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check_address(address)
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _clean_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no provider keys and a fresh default router."""
    import tryon

    for name in SECRET_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in AWS_ISOLATION.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TRYON_PLUGINS", FIRST_PARTY)
    monkeypatch.setenv("TRYON_MODELS_FILE", "")
    tryon.reset_default_router()
    yield
    tryon.reset_default_router()


@pytest.fixture
def router() -> Any:
    """A router over the first-party plugins (loaded through their entry points)."""
    import tryon

    return tryon.Router()


@pytest.fixture
def openai_router(openai_emulator: Any) -> Any:
    """A router whose GPT models talk to the OpenAI emulator, with fast retries."""
    import tryon

    return tryon.Router(settings={"openai": {"base_url": openai_emulator.base_url, "api_key": "test-key",
                                             "max_retries": 2, "timeout": 10}},
                        allow_private_urls=True)

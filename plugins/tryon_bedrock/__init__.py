"""tryon's Amazon Bedrock provider: Amazon Nova Canvas through the official AWS SDK (boto3).

Model: ``amazon.nova-canvas-v1:0`` (alias ``nova-canvas``), called with ``bedrock-runtime``
``invoke_model``. Its task types map onto tryon's operations (:mod:`tryon_bedrock.tasks`).
Nova Canvas reached its end of life on Bedrock on 2026-09-30: tryon refuses it unless the
deployment in use still serves it (``serves_retired``, see docs/providers/bedrock.md).

Settings (``Router(settings={"bedrock": {...}})``): ``region`` (else ``AWS_REGION``/
``AWS_DEFAULT_REGION``/the profile's), ``profile`` (else ``AWS_PROFILE``), ``endpoint_url`` (else
botocore's ``AWS_ENDPOINT_URL_BEDROCK_RUNTIME``), ``timeout``, ``deadline``, ``max_retries``.
Credentials come from the standard AWS chain only; tryon never reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tryon

from .generator import NovaCanvasGenerator
from .models import MODEL_ID, NOVA_CANVAS, NovaCanvasOptions
from .settings import BedrockSettings

__all__ = [
    "MODEL_ID",
    "NOVA_CANVAS",
    "BedrockSettings",
    "NovaCanvasGenerator",
    "NovaCanvasOptions",
    "generators",
    "register_emulators",
    "register_generators",
]


def generators(**settings: Any) -> list[NovaCanvasGenerator]:
    """The Bedrock generators with *settings* applied (for tests and applications)."""
    return [NovaCanvasGenerator(BedrockSettings.build(**settings))]


@tryon.hookimpl
def register_generators(register: Callable[..., None]) -> None:
    """Register Amazon Nova Canvas."""
    for generator in generators():
        register(generator)


@tryon.hookimpl
def register_emulators(register: Callable[..., None]) -> None:
    """The local Bedrock emulator (Nova Canvas), for ``tryon emulator --provider bedrock`` (or ``nova``)."""
    register("bedrock", "tryon.testing.bedrock_emulator:BedrockEmulator", aliases=("nova", "aws"),
             description="Amazon Bedrock InvokeModel (Nova Canvas)",
             env={"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "{url}", "AWS_REGION": "us-east-1",
                  "AWS_ACCESS_KEY_ID": "{key}", "AWS_SECRET_ACCESS_KEY": "emulator-secret"})

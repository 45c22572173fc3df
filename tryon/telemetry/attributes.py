"""Attribute names and values: the OpenTelemetry GenAI semantic conventions where they apply,
``tryon.*`` for the rest.

Checked 2026-12-02 against the GenAI conventions' attribute registry
(open-telemetry/semantic-conventions-genai, ``docs/registry/attributes/gen-ai.md``): the
provider is ``gen_ai.provider.name`` (``gen_ai.system`` is deprecated); ``gen_ai.operation.name``
has no well-known value for image generation or editing, so tryon uses its own (the
registry allows custom values): ``generate_image``, ``edit_image``, ``try_on``, and for any
other operation its own name; ``gen_ai.output.type`` is ``image``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["OPERATION_NAMES", "PROVIDER_NAMES", "operation_name", "provider_name"]

PROVIDER = "gen_ai.provider.name"
OPERATION = "gen_ai.operation.name"
REQUEST_MODEL = "gen_ai.request.model"
RESPONSE_MODEL = "gen_ai.response.model"
RESPONSE_ID = "gen_ai.response.id"
OUTPUT_TYPE = "gen_ai.output.type"
REQUEST_SEED = "gen_ai.request.seed"
INPUT_MESSAGES = "gen_ai.input.messages"
INPUT_TOKENS = "gen_ai.usage.input_tokens"
OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
IMAGE_INPUT_TOKENS = "gen_ai.usage.image.input_tokens"
TEXT_INPUT_TOKENS = "gen_ai.usage.text.input_tokens"
TEXT_OUTPUT_TOKENS = "gen_ai.usage.text.output_tokens"
TOKEN_TYPE = "gen_ai.token.type"
ERROR_TYPE = "error.type"

#: tryon operation -> ``gen_ai.operation.name`` (operations not listed use their own name).
OPERATION_NAMES = {"generate": "generate_image", "edit": "edit_image", "tryon": "try_on", "try_on": "try_on",
                   "try-on": "try_on"}

#: tryon provider -> the conventions' well-known ``gen_ai.provider.name`` (others keep their own name).
PROVIDER_NAMES = {"openai": "openai", "azure": "azure.ai.openai", "gemini": "gcp.gemini", "google": "gcp.gemini",
                  "vertex": "gcp.vertex_ai", "bedrock": "aws.bedrock", "nova": "aws.bedrock",
                  "amazon": "aws.bedrock"}


def operation_name(operation: str) -> str:
    return OPERATION_NAMES.get(operation, operation)


def provider_name(provider: str) -> str:
    return PROVIDER_NAMES.get(provider, provider)


def usage_attributes(usage: Any) -> dict[str, Any]:
    """Token counts of a :class:`~tryon.results.Usage` as GenAI attributes (only those reported)."""
    if usage is None:
        return {}
    pairs = {INPUT_TOKENS: usage.input_tokens, OUTPUT_TOKENS: usage.output_tokens,
             IMAGE_INPUT_TOKENS: usage.input_image_tokens, TEXT_INPUT_TOKENS: usage.input_text_tokens,
             TEXT_OUTPUT_TOKENS: usage.output_text_tokens, "tryon.usage.image.output_tokens": usage.output_image_tokens,
             "tryon.usage.credits": usage.credits}
    return {k: v for k, v in pairs.items() if v is not None}

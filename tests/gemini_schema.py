"""Gemini request bodies checked strictly against google-genai's own pydantic types (extra fields forbidden).

google-genai's models are configured with ``extra='forbid'`` (``_common.BaseModel``), so validating a
REST body's ``contents`` and ``generationConfig`` with them refuses any field the SDK does not know,
at every level. The SDK's own converter then shows what it would send for that config in Gemini
Developer API mode: the plugin must send exactly that.
"""

from __future__ import annotations

import json
from typing import Any

REQUEST_FIELDS = {"contents", "generationConfig"}
_STUB: list[Any] = []


def client_stub() -> Any:
    """An SDK API client in Gemini Developer API mode (for the SDK's own request converter)."""
    if not _STUB:
        from google import genai

        _STUB.append(genai.Client(api_key="k"))
    return _STUB[0]._api_client


def validate_body(body: dict[str, Any]) -> None:
    """Raise (pydantic ``ValidationError`` or ``AssertionError``) unless *body* is one google-genai would send."""
    from google.genai import models as sdk_models
    from google.genai import types

    assert set(body) <= REQUEST_FIELDS, f"unexpected request fields {set(body) - REQUEST_FIELDS}"
    for content in body["contents"]:
        types.Content.model_validate_json(json.dumps(content))
    config = types.GenerateContentConfig.model_validate_json(json.dumps(body.get("generationConfig", {})))
    sent = sdk_models._GenerateContentConfig_to_mldev(client_stub(), config, {}, {})
    assert sent == body.get("generationConfig", {})

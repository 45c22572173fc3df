"""The Gemini plugin and emulator checked against Google's own SDK (google-genai), never against each other."""

from __future__ import annotations

import io
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from gemini_schema import client_stub, validate_body
from PIL import Image
from tryon_gemini import MODELS, generators
from tryon_gemini.models import UNSUPPORTED

import tryon
from tryon.testing.gemini_emulator import GeminiEmulator

genai = pytest.importorskip("google.genai")
from google.genai import types  # noqa: E402
from google.genai._gaos.types.interactions.model import Model as SDKModel  # noqa: E402

KEY = "AIzaTestKey0123456789abcdefghijklmno"

#: ImageConfig fields the plugin maps (SDK name -> the tryon option that sets it).
MAPPED_IMAGE_CONFIG = {"aspect_ratio": "aspect_ratio / size", "image_size": "image_size (Pro) / size"}
#: ImageConfig fields the plugin does not send, and why (the SDK raises for each in Gemini API mode).
UNMAPPED_IMAGE_CONFIG = {
    "person_generation": "Vertex only: google-genai raises in Gemini Developer API mode",
    "prominent_people": "Vertex only: google-genai raises in Gemini Developer API mode",
    "output_mime_type": "Vertex only: google-genai raises in Gemini Developer API mode",
    "output_compression_quality": "Vertex only: google-genai raises in Gemini Developer API mode",
    "image_output_options": "Vertex only: google-genai raises in Gemini Developer API mode",
}
def picture(size: tuple[int, int] = (96, 64), fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 40, 90)).save(buf, fmt)
    return buf.getvalue()


@pytest.fixture
def emu() -> Iterator[GeminiEmulator]:
    with GeminiEmulator() as emulator:
        yield emulator


@pytest.fixture
def sdk(emu: GeminiEmulator) -> Iterator[Any]:
    """The official client pointed at the emulator (kept open for the test, closed after)."""
    with genai.Client(api_key=KEY, http_options=types.HttpOptions(base_url=emu.url)) as official:
        yield official


def sdk_image_models() -> set[str]:
    names: set[str] = set()
    for arg in typing.get_args(SDKModel):
        names.update(v for v in typing.get_args(arg) if isinstance(v, str))
    return {n for n in names if "image" in n or "nano-banana" in n}


def test_every_image_model_in_the_sdk_list_is_declared_or_listed() -> None:
    found = sdk_image_models()
    assert found, "google-genai's model list moved: find the new one"
    missing = found - set(MODELS) - set(UNSUPPORTED)
    assert not missing, f"image models in google-genai not declared nor listed as unsupported: {sorted(missing)}"
    stale = set(UNSUPPORTED) - found
    assert not stale, f"listed as unsupported but gone from the SDK list: {sorted(stale)}"


def test_every_image_config_field_is_mapped_or_listed() -> None:
    fields = set(types.ImageConfig.model_fields)
    assert fields == set(MAPPED_IMAGE_CONFIG) | set(UNMAPPED_IMAGE_CONFIG)
    for name in UNMAPPED_IMAGE_CONFIG:  # the reason given is true: the SDK refuses it for the Gemini API
        config = types.GenerateContentConfig(image_config=types.ImageConfig(**{name: _sample(name)}))
        from google.genai import models as sdk_models

        with pytest.raises(ValueError, match="not in Gemini Developer API mode"):
            sdk_models._GenerateContentConfig_to_mldev(client_stub(), config, {}, {})


def _sample(name: str) -> Any:
    annotation = types.ImageConfig.model_fields[name].annotation
    inner = next(a for a in typing.get_args(annotation) if a is not type(None))
    if inner is str:
        return "x"
    if inner is int:
        return 80
    if isinstance(inner, type) and issubclass(inner, types._common.BaseModel):
        return inner()
    return next(iter(inner))  # an enum


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_body_the_plugin_sends_validates_against_the_sdk(emu: GeminiEmulator, model: str) -> None:
    router = tryon.Router(plugins=False, allow_retired=True)  # the emulator still serves the retired models
    for gen in generators(api_key=KEY, base_url=emu.url, max_retries=0):
        router.register(gen)
    tiers = {"image_size": "2K"} if MODELS[model].tiers else {}
    router.generate("a fox", model=model, aspect_ratio="4:5", **tiers)
    router.edit([picture(), picture((64, 64), "JPEG")], "a fox in the picture", model=model, size="1024x1024")
    for request in emu.requests:
        validate_body(request.params)


@pytest.mark.parametrize(("model", "ratio", "tier"), [
    ("gemini-3-pro-image", "16:9", "2K"), ("gemini-2.5-flash-image", "16:9", None),
    ("gemini-3.1-flash-image", "1:8", "512"), ("gemini-3.1-flash-image", "21:9", "4K"),
])
def test_the_official_sdk_generates_against_the_emulator(emu: GeminiEmulator, sdk: Any, model: str, ratio: str,
                                                         tier: str | None) -> None:
    cfg: dict[str, Any] = {"aspect_ratio": ratio}
    if tier:
        cfg["image_size"] = tier
    response = sdk.models.generate_content(
        model=model,
        contents="a red fox in the snow",
        config=types.GenerateContentConfig(response_modalities=["IMAGE"], image_config=types.ImageConfig(**cfg)),
    )
    request = emu.last_request
    assert request.path == f"/v1/models/{model}:generateContent"  # the SDK's default API version
    assert request.header("x-goog-api-key") == "[REDACTED]" and emu.query_key_requests == []
    blob = next(p.inline_data for p in response.candidates[0].content.parts if p.inline_data)
    image = Image.open(io.BytesIO(blob.data))
    expected = MODELS[model].output_size(ratio, tier)
    assert f"{image.width}x{image.height}" == expected
    # The answer validates strictly against the SDK's response type.
    types.GenerateContentResponse.model_validate_json(request_answer(emu, request.params, model))


def request_answer(emu: GeminiEmulator, body: dict[str, Any], model: str) -> str:
    import requests

    answer = requests.post(f"{emu.url}/v1beta/models/{model}:generateContent", json=body,
                           headers={"x-goog-api-key": KEY}, timeout=10)
    assert answer.status_code == 200
    return answer.text


def test_the_official_sdk_reads_jpeg_bytes_labelled_png(emu: GeminiEmulator, sdk: Any) -> None:
    emu.answer_jpeg_next(label="image/png")
    response = sdk.models.generate_content(
        model="gemini-3.1-flash-image", contents="a fox",
        config=types.GenerateContentConfig(response_modalities=["IMAGE"]),
    )
    blob = next(p.inline_data for p in response.candidates[0].content.parts if p.inline_data)
    assert blob.mime_type == "image/png" and Image.open(io.BytesIO(blob.data)).format == "JPEG"


def test_the_official_sdk_edits_with_references(emu: GeminiEmulator, sdk: Any) -> None:
    refs = [picture((120, 80)), picture((64, 64), "JPEG")]
    response = sdk.models.generate_content(
        model="gemini-3-pro-image",
        contents=[
            "put the jacket on the model",
            types.Part.from_bytes(data=refs[0], mime_type="image/png"),
            types.Part.from_bytes(data=refs[1], mime_type="image/jpeg"),
        ],
        config=types.GenerateContentConfig(response_modalities=["TEXT", "IMAGE"]),
    )
    parts = emu.last_request.params["contents"][0]["parts"]
    assert len(parts) == 3  # the SDK sends its references URL-safe base64 encoded; the emulator decoded them
    blob = next(p.inline_data for p in response.candidates[0].content.parts if p.inline_data)
    image = Image.open(io.BytesIO(blob.data))
    assert (image.width, image.height) == (1264, 848)  # no ratio: the 3:2 first reference keeps its shape
    assert response.usage_metadata is not None and response.usage_metadata.prompt_token_count

"""The Bedrock emulator, driven by boto3 only: AWS's body rules, SigV4 scope, error shapes botocore reads."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from bedrock_helpers import NOVA, mask_png, png

from tryon.testing.bedrock_emulator import BedrockEmulator

boto3 = pytest.importorskip("boto3")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@pytest.fixture
def emu() -> Iterator[BedrockEmulator]:
    with BedrockEmulator() as emulator:
        yield emulator


def client(emu: BedrockEmulator, region: str = "us-east-1", **config: Any) -> Any:
    return boto3.client("bedrock-runtime", region_name=region, endpoint_url=emu.url, aws_access_key_id="AKIATEST",
                        aws_secret_access_key="secret", config=Config(retries={"total_max_attempts": 1}, **config))


def invoke(emu: BedrockEmulator, body: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    response = client(emu, **kwargs).invoke_model(modelId=NOVA, body=json.dumps(body))
    answer: dict[str, Any] = json.loads(response["body"].read())
    answer["_request_id"] = response["ResponseMetadata"]["RequestId"]
    return answer


def image_of(value: str) -> Any:
    from PIL import Image

    im = Image.open(io.BytesIO(base64.b64decode(value)))
    im.load()
    return im


def test_text_to_image_answers_pngs_of_the_asked_size(emu: BedrockEmulator) -> None:
    answer = invoke(emu, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a fox"},
                          "imageGenerationConfig": {"width": 768, "height": 512, "numberOfImages": 3, "seed": 5}})
    assert len(answer["images"]) == 3 and answer["_request_id"]
    assert {image_of(v).size for v in answer["images"]} == {(768, 512)}
    assert image_of(answer["images"][0]).format == "PNG"
    assert emu.last_request.path == "/model/amazon.nova-canvas-v1%3A0/invoke"
    assert emu.last_request.header("authorization") == "[REDACTED]"


def test_default_size_is_1024_and_edits_answer_at_the_input_size(emu: BedrockEmulator) -> None:
    answer = invoke(emu, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a fox"}})
    assert image_of(answer["images"][0]).size == (1024, 1024)
    answer = invoke(emu, {"taskType": "INPAINTING", "inPaintingParams": {
        "image": b64(png((640, 480))), "maskImage": b64(mask_png((640, 480))), "text": "a cat"}})
    assert image_of(answer["images"][0]).size == (640, 480)


def test_background_removal_answers_a_transparent_png(emu: BedrockEmulator) -> None:
    answer = invoke(emu, {"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": b64(png())}})
    im = image_of(answer["images"][0])
    assert im.mode == "RGBA" and im.getchannel("A").getextrema()[0] == 0


def test_try_on_answers_at_the_source_size_and_returns_the_mask_when_asked(emu: BedrockEmulator) -> None:
    answer = invoke(emu, {"taskType": "VIRTUAL_TRY_ON", "virtualTryOnParams": {
        "sourceImage": b64(png((512, 768))), "referenceImage": b64(png((400, 400))), "maskType": "GARMENT",
        "garmentBasedMask": {"garmentClass": "LONG_SLEEVE_SHIRT", "garmentStyling": {"outerLayerStyle": "OPEN"}},
        "maskExclusions": {"preserveFace": "ON"}, "mergeStyle": "BALANCED", "returnMask": True},
        "imageGenerationConfig": {"numberOfImages": 2, "quality": "premium"}})
    assert [image_of(v).size for v in answer["images"]] == [(512, 768)] * 2
    assert image_of(answer["maskImage"]).size == (512, 768)


IMG = b64(png())
MASK = b64(mask_png())
BAD_BODIES = {
    "unknown task": {"taskType": "UPSCALE", "upscaleParams": {}},
    "extraneous top-level key": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a"}, "extra": 1},
    "extraneous param": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a", "prompt": "b"}},
    "params of another task": {"taskType": "TEXT_IMAGE", "inPaintingParams": {"image": IMG}},
    "empty text": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": ""}},
    "text of 1025": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x" * 1025}},
    "unknown style": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a", "style": "ANIME"}},
    "width not multiple of 16": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a"},
                                 "imageGenerationConfig": {"width": 1000, "height": 1024}},
    "edge below 320": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a"},
                       "imageGenerationConfig": {"width": 304, "height": 1024}},
    "ratio above 4:1": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a"},
                        "imageGenerationConfig": {"width": 2048, "height": 496}},
    "4,194,304 pixels": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a"},
                         "imageGenerationConfig": {"width": 2048, "height": 2048}},
    "width without height": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a"},
                             "imageGenerationConfig": {"width": 1024}},
    "six images": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a"},
                   "imageGenerationConfig": {"numberOfImages": 6}},
    "cfgScale 11": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a"},
                    "imageGenerationConfig": {"cfgScale": 11}},
    "negative seed": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a"},
                      "imageGenerationConfig": {"seed": -1}},
    "quality high": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a"},
                     "imageGenerationConfig": {"quality": "high"}},
    "eleven colors": {"taskType": "COLOR_GUIDED_GENERATION",
                      "colorGuidedGenerationParams": {"text": "a", "colors": ["#FFFFFF"] * 11}},
    "a color name": {"taskType": "COLOR_GUIDED_GENERATION",
                     "colorGuidedGenerationParams": {"text": "a", "colors": ["red"]}},
    "six variation images": {"taskType": "IMAGE_VARIATION", "imageVariationParams": {"images": [IMG] * 6}},
    "similarity 0.1": {"taskType": "IMAGE_VARIATION",
                       "imageVariationParams": {"images": [IMG], "similarityStrength": 0.1}},
    "both masks": {"taskType": "INPAINTING",
                   "inPaintingParams": {"image": IMG, "maskImage": MASK, "maskPrompt": "the cat"}},
    "no mask": {"taskType": "INPAINTING", "inPaintingParams": {"image": IMG, "text": "a"}},
    "mask of another size": {"taskType": "INPAINTING",
                             "inPaintingParams": {"image": IMG, "maskImage": b64(mask_png((640, 640)))}},
    "gray mask": {"taskType": "INPAINTING", "inPaintingParams": {"image": IMG, "maskImage": b64(png(color=(128,)
                                                                                                    * 3))}},
    "sized inpainting": {"taskType": "INPAINTING", "inPaintingParams": {"image": IMG, "maskPrompt": "cat"},
                         "imageGenerationConfig": {"width": 512, "height": 512}},
    "outpainting mode": {"taskType": "OUTPAINTING",
                         "outPaintingParams": {"image": IMG, "maskPrompt": "cat", "outPaintingMode": "LOOSE"}},
    "config on background removal": {"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": IMG},
                                     "imageGenerationConfig": {"numberOfImages": 1}},
    "input below 320 px": {"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": b64(png((300,
                                                                                                          300)))}},
    "transparent input": {"taskType": "BACKGROUND_REMOVAL",
                          "backgroundRemovalParams": {"image": b64(png(mode="RGBA", color=(0, 0, 0, 0)))}},
    "not base64": {"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": "not*base64"}},
    "a GIF": {"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": b64(png(fmt="GIF"))}},
    "try-on text": {"taskType": "VIRTUAL_TRY_ON", "virtualTryOnParams": {
        "sourceImage": IMG, "referenceImage": IMG, "maskType": "GARMENT", "text": "a shirt",
        "garmentBasedMask": {"garmentClass": "UPPER_BODY"}}},
    "try-on unknown class": {"taskType": "VIRTUAL_TRY_ON", "virtualTryOnParams": {
        "sourceImage": IMG, "referenceImage": IMG, "maskType": "GARMENT",
        "garmentBasedMask": {"garmentClass": "HAT"}}},
    "try-on branch of another mask type": {"taskType": "VIRTUAL_TRY_ON", "virtualTryOnParams": {
        "sourceImage": IMG, "referenceImage": IMG, "maskType": "PROMPT", "promptBasedMask": {"maskPrompt": "shirt"},
        "garmentBasedMask": {"garmentClass": "UPPER_BODY"}}},
    "try-on without its branch": {"taskType": "VIRTUAL_TRY_ON", "virtualTryOnParams": {
        "sourceImage": IMG, "referenceImage": IMG, "maskType": "IMAGE"}},
    "try-on exclusion value": {"taskType": "VIRTUAL_TRY_ON", "virtualTryOnParams": {
        "sourceImage": IMG, "referenceImage": IMG, "maskType": "GARMENT",
        "garmentBasedMask": {"garmentClass": "UPPER_BODY"}, "maskExclusions": {"preserveFace": "YES"}}},
    "try-on sized": {"taskType": "VIRTUAL_TRY_ON", "virtualTryOnParams": {
        "sourceImage": IMG, "referenceImage": IMG, "maskType": "GARMENT",
        "garmentBasedMask": {"garmentClass": "UPPER_BODY"}}, "imageGenerationConfig": {"width": 512, "height": 512}},
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bodies_aws_does_not_allow_are_validation_exceptions(emu: BedrockEmulator, case: str) -> None:
    aws = client(emu)
    with pytest.raises(aws.exceptions.ValidationException) as err:
        aws.invoke_model(modelId=NOVA, body=json.dumps(BAD_BODIES[case]))
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err.value.response["Error"]["Message"]


def test_the_schema_refuses_what_the_emulator_refuses() -> None:
    """Two independent readings of AWS's rules (the tests' JSON Schema, the emulator) agree on the bodies
    a schema can judge (not pixels, masks or decoded images)."""
    import jsonschema
    from nova_schema import validate_body

    pixel_cases = {"4,194,304 pixels", "width without height", "ratio above 4:1", "mask of another size",
                   "gray mask", "input below 320 px", "transparent input", "a GIF", "not base64", "sized inpainting",
                   "try-on sized"}
    for case, body in BAD_BODIES.items():
        if case in pixel_cases:
            continue
        with pytest.raises(jsonschema.ValidationError):
            validate_body(body)


def test_unknown_model_is_a_validation_exception(emu: BedrockEmulator) -> None:
    aws = client(emu)
    with pytest.raises(aws.exceptions.ValidationException, match="model identifier is invalid"):
        aws.invoke_model(modelId="amazon.nova-canvas-v9:0", body=json.dumps({"taskType": "TEXT_IMAGE"}))


@pytest.mark.parametrize("status, name", [
    (400, "ValidationException"), (403, "AccessDeniedException"), (404, "ResourceNotFoundException"),
    (408, "ModelTimeoutException"), (424, "ModelErrorException"), (429, "ThrottlingException"),
    (500, "InternalServerException"), (503, "ServiceUnavailableException"),
])
def test_errors_carry_the_type_botocore_raises(emu: BedrockEmulator, status: int, name: str) -> None:
    emu.fail_next(status)
    aws = client(emu)
    with pytest.raises(getattr(aws.exceptions, name)) as err:
        aws.invoke_model(modelId=NOVA, body=json.dumps({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a"}}))
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert err.value.response["ResponseMetadata"]["RequestId"]


def test_requests_must_be_signed_for_the_region_and_service(emu: BedrockEmulator) -> None:
    import requests

    raw = requests.post(f"{emu.url}/model/{NOVA}/invoke", json={"taskType": "TEXT_IMAGE"}, timeout=5)
    assert raw.status_code == 403 and raw.headers["x-amzn-ErrorType"].startswith("InvalidSignatureException")
    with pytest.raises(ClientError) as err:  # signed for another region than the endpoint's
        client(emu, region="eu-west-1").invoke_model(modelId=NOVA, body=b"{}")
    assert err.value.response["Error"]["Code"] == "InvalidSignatureException"
    restricted = BedrockEmulator(api_keys=["AKIAGOOD"])
    with restricted, pytest.raises(ClientError) as err:
        client(restricted).invoke_model(modelId=NOVA, body=b"{}")
    assert err.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_content_filters_refuse_inputs_and_withhold_outputs(emu: BedrockEmulator) -> None:
    aws = client(emu)
    emu.moderate_next()
    with pytest.raises(aws.exceptions.ValidationException, match="content filters"):
        aws.invoke_model(modelId=NOVA, body=json.dumps({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a"}}))
    emu.block_output_next(keep=1)
    answer = invoke(emu, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a"},
                          "imageGenerationConfig": {"numberOfImages": 3}})
    assert len(answer["images"]) == 1 and "blocked by our content filters" in answer["error"]


def test_a_body_without_content_type_is_read_as_json(emu: BedrockEmulator) -> None:
    answer = invoke(emu, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a"}})  # boto3 sends none
    assert emu.last_request.header("content-type") is None and len(answer["images"]) == 1

"""Nova Canvas ``InvokeModel`` request bodies as a JSON Schema, transcribed from AWS's documentation.

Sources (checked 2026-12-02): the Nova user guide's request/response structure, virtual try-on
and resolution pages (https://docs.aws.amazon.com/nova/latest/userguide/image-gen-req-resp-structure.html,
.../image-gen-vto.html), read through excerpts and a transcription verified against them
(calesthio/generative-media-skills, amazon-nova-canvas/SKILL.md). Unknown keys are refused at
every level (``additionalProperties: false``), as the service answers "extraneous key". It is
independent of the emulator's own checks: the plugin tests validate every body the plugin sends
against it before the emulator sees it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SCHEMA", "validate_body"]

_TEXT = {"type": "string", "minLength": 1, "maxLength": 1024}
_IMAGE = {"type": "string", "minLength": 1, "pattern": "^[A-Za-z0-9+/]+={0,2}$"}
_SWITCH = {"enum": ["ON", "OFF", "DEFAULT"]}
_SHAPE = {"enum": ["CONTOUR", "BOUNDING_BOX", "DEFAULT"]}


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


_CONFIG = _object({
    "width": {"type": "integer", "minimum": 320, "maximum": 4096, "multipleOf": 16},
    "height": {"type": "integer", "minimum": 320, "maximum": 4096, "multipleOf": 16},
    "quality": {"enum": ["standard", "premium"]},
    "cfgScale": {"type": "number", "minimum": 1.1, "maximum": 10},
    "seed": {"type": "integer", "minimum": 0, "maximum": 2147483646},
    "numberOfImages": {"type": "integer", "minimum": 1, "maximum": 5},
})
_UNSIZED_CONFIG = {**_CONFIG, "properties": {k: v for k, v in _CONFIG["properties"].items()
                                             if k not in ("width", "height")}}
_STYLES = ["3D_ANIMATED_FAMILY_FILM", "DESIGN_SKETCH", "FLAT_VECTOR_ILLUSTRATION", "GRAPHIC_NOVEL_ILLUSTRATION",
           "MAXIMALISM", "MIDCENTURY_RETRO", "PHOTOREALISM", "SOFT_DIGITAL_PAINTING"]
_GARMENTS = ["UPPER_BODY", "LOWER_BODY", "FULL_BODY", "FOOTWEAR", "LONG_SLEEVE_SHIRT", "SHORT_SLEEVE_SHIRT",
             "NO_SLEEVE_SHIRT", "OTHER_UPPER_BODY", "LONG_PANTS", "SHORT_PANTS", "OTHER_LOWER_BODY", "LONG_DRESS",
             "SHORT_DRESS", "FULL_BODY_OUTFIT", "OTHER_FULL_BODY", "SHOES", "BOOTS", "OTHER_FOOTWEAR"]
_ONE_MASK = {"oneOf": [{"required": ["maskPrompt"], "not": {"required": ["maskImage"]}},
                       {"required": ["maskImage"], "not": {"required": ["maskPrompt"]}}]}


def _task(task: str, key: str, params: dict[str, Any], config: dict[str, Any] | None) -> dict[str, Any]:
    properties: dict[str, Any] = {"taskType": {"const": task}, key: params}
    if config is not None:
        properties["imageGenerationConfig"] = config
    return _object(properties, ("taskType", key))


SCHEMA: dict[str, Any] = {"oneOf": [
    _task("TEXT_IMAGE", "textToImageParams", _object({
        "text": _TEXT, "negativeText": _TEXT, "style": {"enum": _STYLES}, "conditionImage": _IMAGE,
        "controlMode": {"enum": ["CANNY_EDGE", "SEGMENTATION"]},
        "controlStrength": {"type": "number", "minimum": 0, "maximum": 1}}, ("text",)), _CONFIG),
    _task("COLOR_GUIDED_GENERATION", "colorGuidedGenerationParams", _object({
        "colors": {"type": "array", "minItems": 1, "maxItems": 10,
                   "items": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"}},
        "referenceImage": _IMAGE, "text": _TEXT, "negativeText": _TEXT}, ("colors", "text")), _CONFIG),
    _task("IMAGE_VARIATION", "imageVariationParams", _object({
        "images": {"type": "array", "minItems": 1, "maxItems": 5, "items": _IMAGE},
        "similarityStrength": {"type": "number", "minimum": 0.2, "maximum": 1}, "text": _TEXT,
        "negativeText": _TEXT}, ("images",)), _CONFIG),
    _task("INPAINTING", "inPaintingParams", {**_object({
        "image": _IMAGE, "maskPrompt": _TEXT, "maskImage": _IMAGE, "text": _TEXT, "negativeText": _TEXT},
        ("image",)), **_ONE_MASK}, _UNSIZED_CONFIG),
    _task("OUTPAINTING", "outPaintingParams", {**_object({
        "image": _IMAGE, "maskPrompt": _TEXT, "maskImage": _IMAGE, "text": _TEXT, "negativeText": _TEXT,
        "outPaintingMode": {"enum": ["DEFAULT", "PRECISE"]}}, ("image",)), **_ONE_MASK}, _UNSIZED_CONFIG),
    _task("BACKGROUND_REMOVAL", "backgroundRemovalParams", _object({"image": _IMAGE}, ("image",)), None),
    _task("VIRTUAL_TRY_ON", "virtualTryOnParams", {**_object({
        "sourceImage": _IMAGE, "referenceImage": _IMAGE, "maskType": {"enum": ["IMAGE", "GARMENT", "PROMPT"]},
        "imageBasedMask": _object({"maskImage": _IMAGE}, ("maskImage",)),
        "garmentBasedMask": _object({"maskShape": _SHAPE, "garmentClass": {"enum": _GARMENTS},
                                     "garmentStyling": _object({
                                         "longSleeveStyle": {"enum": ["SLEEVE_DOWN", "SLEEVE_UP"]},
                                         "tuckingStyle": {"enum": ["UNTUCKED", "TUCKED"]},
                                         "outerLayerStyle": {"enum": ["CLOSED", "OPEN"]}})}, ("garmentClass",)),
        "promptBasedMask": _object({"maskShape": _SHAPE, "maskPrompt": _TEXT}, ("maskPrompt",)),
        "maskExclusions": _object({"preserveBodyPose": _SWITCH, "preserveHands": _SWITCH, "preserveFace": _SWITCH}),
        "mergeStyle": {"enum": ["BALANCED", "SEAMLESS", "DETAILED"]}, "returnMask": {"type": "boolean"}},
        ("sourceImage", "referenceImage", "maskType")),
        "oneOf": [
            {"properties": {"maskType": {"const": "IMAGE"}}, "required": ["imageBasedMask"],
             "not": {"anyOf": [{"required": ["garmentBasedMask"]}, {"required": ["promptBasedMask"]}]}},
            {"properties": {"maskType": {"const": "GARMENT"}}, "required": ["garmentBasedMask"],
             "not": {"anyOf": [{"required": ["imageBasedMask"]}, {"required": ["promptBasedMask"]}]}},
            {"properties": {"maskType": {"const": "PROMPT"}}, "required": ["promptBasedMask"],
             "not": {"anyOf": [{"required": ["imageBasedMask"]}, {"required": ["garmentBasedMask"]}]}},
        ]}, _UNSIZED_CONFIG),
]}


def validate_body(body: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless *body* is a Nova Canvas request AWS documents."""
    import jsonschema

    jsonschema.Draft202012Validator(SCHEMA).validate(body)

"""A local emulator of Amazon Bedrock's ``InvokeModel`` for Amazon Nova Canvas.

boto3 reaches it through ``endpoint_url``::

    with BedrockEmulator() as emu:
        client = boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url=emu.url,
                              aws_access_key_id="emulator-key", aws_secret_access_key="emulator-secret")
        client.invoke_model(modelId="amazon.nova-canvas-v1:0", body=json.dumps({
            "taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a fox"}}))

It serves ``POST /model/{modelId}/invoke``: the request must carry a SigV4 ``Authorization``
header scoped to the emulator's region and the ``bedrock`` service (or a Bedrock API key as
``Authorization: Bearer``), and a body that AWS's Nova Canvas documentation allows: the seven task
types and their parameter objects with no other keys, texts of 1-1024 characters,
``imageGenerationConfig`` ranges and output-size rules, input images that are base64 PNG or
JPEG within the side, ratio and pixel limits and without transparent pixels, masks of the input's
size with only pure black and white, exactly one mask source, and virtual try-on's mask types,
garment classes and styling values (and no text). Errors come back as AWS's REST-JSON errors:
``{"message": ...}`` with the ``x-amzn-ErrorType`` header botocore reads the exception code from
(``ValidationException``, ``ThrottlingException``, ...), and every answer has an
``x-amzn-RequestId``. Answers are ``{"images": [...]}`` of PNGs at the documented output size
(the input's for edits and try-on; transparent for background removal), with ``maskImage`` when
``returnMask`` was asked. :meth:`moderate_next` refuses an input as the content filters do
(``ValidationException``); :meth:`block_output_next` withholds generated images (HTTP 200, fewer
images and an ``error``). Run ``python -m tryon.testing.bedrock_emulator`` to serve it standalone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote

import attrs

from tryon.testing.server import (
    ApiError,
    EmulatorServer,
    RecordedRequest,
    Response,
    command_line,
    serve_until_interrupted,
)

__all__ = ["GARMENT_CLASSES", "MODELS", "BedrockEmulator", "main"]

MODELS = frozenset({"amazon.nova-canvas-v1:0"})
TASKS = {
    "TEXT_IMAGE": "textToImageParams",
    "COLOR_GUIDED_GENERATION": "colorGuidedGenerationParams",
    "IMAGE_VARIATION": "imageVariationParams",
    "INPAINTING": "inPaintingParams",
    "OUTPAINTING": "outPaintingParams",
    "BACKGROUND_REMOVAL": "backgroundRemovalParams",
    "VIRTUAL_TRY_ON": "virtualTryOnParams",
}
STYLES = frozenset({"3D_ANIMATED_FAMILY_FILM", "DESIGN_SKETCH", "FLAT_VECTOR_ILLUSTRATION",
                    "GRAPHIC_NOVEL_ILLUSTRATION", "MAXIMALISM", "MIDCENTURY_RETRO", "PHOTOREALISM",
                    "SOFT_DIGITAL_PAINTING"})
GARMENT_CLASSES = frozenset({
    "UPPER_BODY", "LOWER_BODY", "FULL_BODY", "FOOTWEAR", "LONG_SLEEVE_SHIRT", "SHORT_SLEEVE_SHIRT", "NO_SLEEVE_SHIRT",
    "OTHER_UPPER_BODY", "LONG_PANTS", "SHORT_PANTS", "OTHER_LOWER_BODY", "LONG_DRESS", "SHORT_DRESS",
    "FULL_BODY_OUTFIT", "OTHER_FULL_BODY", "SHOES", "BOOTS", "OTHER_FOOTWEAR"})
_PARAMS: dict[str, set[str]] = {
    "textToImageParams": {"text", "negativeText", "style", "conditionImage", "controlMode", "controlStrength"},
    "colorGuidedGenerationParams": {"colors", "referenceImage", "text", "negativeText"},
    "imageVariationParams": {"images", "similarityStrength", "text", "negativeText"},
    "inPaintingParams": {"image", "maskPrompt", "maskImage", "text", "negativeText"},
    "outPaintingParams": {"image", "maskPrompt", "maskImage", "outPaintingMode", "text", "negativeText"},
    "backgroundRemovalParams": {"image"},
    "virtualTryOnParams": {"sourceImage", "referenceImage", "maskType", "imageBasedMask", "garmentBasedMask",
                           "promptBasedMask", "maskExclusions", "mergeStyle", "returnMask"},
}
_CONFIG = {"width", "height", "quality", "cfgScale", "seed", "numberOfImages"}
_SIZED = {"TEXT_IMAGE", "COLOR_GUIDED_GENERATION", "IMAGE_VARIATION"}
_CODES = {400: "ValidationException", 401: "UnrecognizedClientException", 403: "AccessDeniedException",
          404: "ResourceNotFoundException", 408: "ModelTimeoutException", 424: "ModelErrorException",
          429: "ThrottlingException", 500: "InternalServerException", 503: "ServiceUnavailableException"}
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SIGV4 = re.compile(r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/"
                    r"aws4_request, ?SignedHeaders=(?P<headers>[^,]+), ?Signature=(?P<sig>[0-9a-f]{64})$")
MAX_TEXT = 1024
MAX_PIXELS = 4_194_304


def _bad(message: str) -> ApiError:
    return ApiError(400, message, code="ValidationException")


def _malformed(detail: str) -> ApiError:
    return _bad(f"Malformed input request: {detail}, please reformat your input and try again.")


@attrs.frozen
class _Image:
    data: bytes
    width: int
    height: int


class BedrockEmulator(EmulatorServer):
    """Bedrock runtime emulator for Nova Canvas (see the module docstring)."""

    provider = "bedrock"
    request_id_header = "x-amzn-RequestId"
    default_content_type = "application/json"  # InvokeModel's contentType defaults to it

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, region: str = "us-east-1",
                 require_key: bool = True, api_keys: Iterable[str] | None = None, latency: float = 0.0) -> None:
        super().__init__(host=host, port=port, require_key=require_key, api_keys=api_keys, latency=latency)
        self.region = region
        self._blocks: deque[int] = deque()
        self._block_lock = threading.Lock()
        self.route("POST", "/model/{model}/invoke", self._invoke)

    # -- scripted answers ------------------------------------------------
    def block_output_next(self, times: int = 1, *, keep: int = 0) -> None:
        """The next *times* answers withhold all but *keep* of the generated images (HTTP 200 and ``error``)."""
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._block_lock:
            self._blocks.extend([keep] * times)

    def reset(self) -> None:
        super().reset()
        with self._block_lock:
            self._blocks.clear()

    # -- provider hooks --------------------------------------------------
    def error_body(self, status: int, code: str | None, message: str, *, param: str | None = None) -> Any:
        return {"message": message}

    def error_response(self, status: int, message: str, *, code: str | None = None, param: str | None = None,
                       headers: Mapping[str, str] | None = None) -> Response:
        kind = code or _CODES.get(status, "InternalServerException" if status >= 500 else "ValidationException")
        merged = {"x-amzn-ErrorType": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/",
                  **dict(headers or {})}
        return Response.json(self.error_body(status, kind, message), status, merged)

    default_messages = {
        401: "The security token included in the request is invalid.",
        403: "You don't have access to the model with the specified model ID.",
        429: "Too many requests, please wait before trying again.",
        500: "The system encountered an unexpected error during processing. Try your request again.",
        503: "Bedrock is unable to process your request.",
    }

    def api_key_from(self, headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
        """The access key id of a SigV4 ``Authorization`` header scoped to this region and ``bedrock``
        (or a Bedrock API key sent as ``Bearer``); ``None`` when absent or scoped elsewhere."""
        value = headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() == "bearer":
            return token.strip() or None
        match = _SIGV4.match(value)
        if match is None or not headers.get("x-amz-date"):
            return None
        if match["region"] != self.region or match["service"] != "bedrock":
            return None
        if "host" not in match["headers"].split(";"):
            return None
        return match["key"]

    def unauthorized(self, api_key: str | None) -> Response:
        if api_key is None:
            return self.error_response(403, "Missing or invalid SigV4 Authorization header: it must be signed for "
                                       f"region {self.region} and service bedrock.",
                                       code="InvalidSignatureException")
        return self.error_response(403, "The security token included in the request is invalid.",
                                   code="UnrecognizedClientException")

    def moderation_response(self, request: RecordedRequest) -> Response:
        return self.error_response(400, "This request has been blocked by our content filters.",
                                   code="ValidationException")

    def new_request_id(self) -> str:
        return str(uuid.uuid4())

    # -- the endpoint ------------------------------------------------------
    def _invoke(self, request: RecordedRequest) -> Response:
        model = unquote(request.path_params["model"])
        if model not in MODELS:
            raise ApiError(400, "The provided model identifier is invalid.", code="ValidationException")
        if request.parse_error or not request.body_size:
            raise _malformed("the body is not a JSON object")
        body = request.params
        task = body.get("taskType")
        if task not in TASKS:
            raise _malformed(f"#/taskType: {task!r} is not a valid enum value")
        key = TASKS[task]
        allowed = {"taskType", key} | ({"imageGenerationConfig"} if task != "BACKGROUND_REMOVAL" else set())
        extra = sorted(set(body) - allowed)
        if extra:
            raise _malformed(f"extraneous key [{extra[0]}] is not permitted")
        params = body.get(key)
        if not isinstance(params, dict):
            raise _malformed(f"required key [{key}] not found")
        extra = sorted(set(params) - _PARAMS[key])
        if extra:
            raise _malformed(f"#/{key}: extraneous key [{extra[0]}] is not permitted")
        config = body.get("imageGenerationConfig", {})
        if not isinstance(config, dict):
            raise _malformed("#/imageGenerationConfig: expected type: JSONObject")
        n, size, seed = self._config(config, task)
        first, mask_image = self._task(task, key, params)
        if size is None:
            size = (first.width, first.height) if task not in _SIZED and first is not None else (1024, 1024)
        with self._block_lock:
            keep = self._blocks.popleft() if self._blocks else None
        count = n if keep is None else min(keep, n)
        seed_text = f"{model}|{task}|{seed}|" + hashlib.sha256(repr(sorted(
            (k, v if isinstance(v, str | int | float) else repr(v)) for k, v in params.items())).encode()).hexdigest()
        images = [base64.b64encode(self._render(size, task, f"{seed_text}|{i}")).decode("ascii") for i in range(count)]
        answer: dict[str, Any] = {"images": images}
        if keep is not None:
            answer["error"] = "Some of the generated images have been blocked by our content filters."
        if params.get("returnMask") is True:
            answer["maskImage"] = base64.b64encode(mask_image or self._mask_png(size)).decode("ascii")
        return Response.json(answer)

    # -- validation --------------------------------------------------------
    @staticmethod
    def _config(config: Mapping[str, Any], task: str) -> tuple[int, tuple[int, int] | None, int]:
        extra = sorted(set(config) - _CONFIG)
        if extra:
            raise _malformed(f"#/imageGenerationConfig: extraneous key [{extra[0]}] is not permitted")
        n = config.get("numberOfImages", 1)
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 5:
            raise _bad("numberOfImages must be an integer from 1 to 5.")
        quality = config.get("quality", "standard")
        if quality not in ("standard", "premium"):
            raise _malformed(f"#/imageGenerationConfig/quality: {quality!r} is not a valid enum value")
        cfg = config.get("cfgScale", 6.5)
        if isinstance(cfg, bool) or not isinstance(cfg, int | float) or not 1.1 <= cfg <= 10:
            raise _bad("cfgScale must be a number from 1.1 to 10.")
        seed = config.get("seed", 12)
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= 2_147_483_646:
            raise _bad("seed must be an integer from 0 to 2147483646.")
        width, height = config.get("width"), config.get("height")
        if width is None and height is None:
            return n, None, seed
        if task not in _SIZED:
            raise _bad(f"width and height are not supported for {task}: the output has the input image's size.")
        if width is None or height is None:
            raise _bad("width and height must be given together.")
        for value in (width, height):
            if isinstance(value, bool) or not isinstance(value, int):
                raise _malformed("#/imageGenerationConfig/width: expected type: Integer")
        if not (320 <= width <= 4096 and 320 <= height <= 4096) or width % 16 or height % 16:
            raise _bad("Each side must be between 320 and 4096 pixels, inclusive, and evenly divisible by 16.")
        if max(width, height) > 4 * min(width, height):
            raise _bad("The aspect ratio must be between 1:4 and 4:1.")
        if width * height >= MAX_PIXELS:
            raise _bad("The total pixel count must be less than 4,194,304.")
        return n, (width, height), seed

    def _task(self, task: str, key: str, params: Mapping[str, Any]) -> tuple[_Image | None, bytes | None]:
        where = f"#/{key}"
        if task == "BACKGROUND_REMOVAL":
            return self._image(params.get("image"), f"{where}/image", required=True), None
        if task == "VIRTUAL_TRY_ON":
            return self._try_on(params, where)
        text_required = task in ("TEXT_IMAGE", "COLOR_GUIDED_GENERATION")
        self._text(params.get("text"), f"{where}/text", required=text_required)
        self._text(params.get("negativeText"), f"{where}/negativeText", required=False)
        first: _Image | None = None
        if task == "TEXT_IMAGE":
            if params.get("style") is not None and params["style"] not in STYLES:
                raise _malformed(f"{where}/style: {params['style']!r} is not a valid enum value")
            first = self._image(params.get("conditionImage"), f"{where}/conditionImage", required=False)
            if first is None and ("controlMode" in params or "controlStrength" in params):
                raise _bad("controlMode and controlStrength need a conditionImage.")
            if params.get("controlMode", "CANNY_EDGE") not in ("CANNY_EDGE", "SEGMENTATION"):
                raise _malformed(f"{where}/controlMode: {params['controlMode']!r} is not a valid enum value")
            self._number(params.get("controlStrength"), f"{where}/controlStrength", 0.0, 1.0)
        elif task == "COLOR_GUIDED_GENERATION":
            colors = params.get("colors")
            if not isinstance(colors, list) or not 1 <= len(colors) <= 10 or \
                    not all(isinstance(c, str) and _HEX.match(c) for c in colors):
                raise _bad("colors must be a list of 1 to 10 hexadecimal color values such as #FF9800.")
            first = self._image(params.get("referenceImage"), f"{where}/referenceImage", required=False)
        elif task == "IMAGE_VARIATION":
            images = params.get("images")
            if not isinstance(images, list) or not 1 <= len(images) <= 5:
                raise _bad("images must be a list of 1 to 5 images.")
            decoded = [self._image(v, f"{where}/images/{i}", required=True) for i, v in enumerate(images)]
            first = decoded[0]
            self._number(params.get("similarityStrength"), f"{where}/similarityStrength", 0.2, 1.0)
        else:  # INPAINTING / OUTPAINTING
            first = self._image(params.get("image"), f"{where}/image", required=True)
            assert first is not None
            mask = self._one_mask(params, where, first)
            if task == "OUTPAINTING" and params.get("outPaintingMode", "DEFAULT") not in ("DEFAULT", "PRECISE"):
                raise _malformed(f"{where}/outPaintingMode: {params['outPaintingMode']!r} is not a valid enum value")
            return first, mask
        return first, None

    def _try_on(self, params: Mapping[str, Any], where: str) -> tuple[_Image | None, bytes | None]:
        source = self._image(params.get("sourceImage"), f"{where}/sourceImage", required=True)
        self._image(params.get("referenceImage"), f"{where}/referenceImage", required=True)
        assert source is not None
        kind = params.get("maskType")
        branches = {"IMAGE": "imageBasedMask", "GARMENT": "garmentBasedMask", "PROMPT": "promptBasedMask"}
        if kind not in branches:
            raise _malformed(f"{where}/maskType: {kind!r} is not a valid enum value")
        wrong = [b for k, b in branches.items() if k != kind and b in params]
        if wrong:
            raise _bad(f"{wrong[0]} is not allowed when maskType is {kind}.")
        branch = params.get(branches[kind])
        if not isinstance(branch, dict):
            raise _bad(f"{branches[kind]} is required when maskType is {kind}.")
        mask: bytes | None = None
        if kind == "IMAGE":
            self._keys(branch, {"maskImage"}, f"{where}/imageBasedMask")
            mask = self._mask(branch.get("maskImage"), f"{where}/imageBasedMask/maskImage", source)
        elif kind == "GARMENT":
            self._keys(branch, {"maskShape", "garmentClass", "garmentStyling"}, f"{where}/garmentBasedMask")
            if branch.get("garmentClass") not in GARMENT_CLASSES:
                raise _malformed(f"{where}/garmentBasedMask/garmentClass: {branch.get('garmentClass')!r} is not a "
                                 "valid enum value")
            self._enum(branch, "maskShape", ("CONTOUR", "BOUNDING_BOX", "DEFAULT"), f"{where}/garmentBasedMask")
            styling = branch.get("garmentStyling", {})
            if not isinstance(styling, dict):
                raise _malformed(f"{where}/garmentBasedMask/garmentStyling: expected type: JSONObject")
            self._keys(styling, {"longSleeveStyle", "tuckingStyle", "outerLayerStyle"},
                       f"{where}/garmentBasedMask/garmentStyling")
            for name, values in (("longSleeveStyle", ("SLEEVE_DOWN", "SLEEVE_UP")),
                                 ("tuckingStyle", ("UNTUCKED", "TUCKED")), ("outerLayerStyle", ("CLOSED", "OPEN"))):
                self._enum(styling, name, values, f"{where}/garmentBasedMask/garmentStyling")
        else:
            self._keys(branch, {"maskShape", "maskPrompt"}, f"{where}/promptBasedMask")
            self._text(branch.get("maskPrompt"), f"{where}/promptBasedMask/maskPrompt", required=True)
            self._enum(branch, "maskShape", ("CONTOUR", "BOUNDING_BOX", "DEFAULT"), f"{where}/promptBasedMask")
        exclusions = params.get("maskExclusions", {})
        if not isinstance(exclusions, dict):
            raise _malformed(f"{where}/maskExclusions: expected type: JSONObject")
        self._keys(exclusions, {"preserveBodyPose", "preserveHands", "preserveFace"}, f"{where}/maskExclusions")
        for name in ("preserveBodyPose", "preserveHands", "preserveFace"):
            self._enum(exclusions, name, ("ON", "OFF", "DEFAULT"), f"{where}/maskExclusions")
        self._enum(params, "mergeStyle", ("BALANCED", "SEAMLESS", "DETAILED"), where)
        if "returnMask" in params and not isinstance(params["returnMask"], bool):
            raise _malformed(f"{where}/returnMask: expected type: Boolean")
        return source, mask

    @staticmethod
    def _keys(obj: Mapping[str, Any], known: set[str], where: str) -> None:
        extra = sorted(set(obj) - known)
        if extra:
            raise _malformed(f"{where}: extraneous key [{extra[0]}] is not permitted")

    @staticmethod
    def _enum(obj: Mapping[str, Any], name: str, values: Sequence[str], where: str) -> None:
        if name in obj and obj[name] not in values:
            raise _malformed(f"{where}/{name}: {obj[name]!r} is not a valid enum value")

    @staticmethod
    def _text(value: Any, where: str, *, required: bool) -> None:
        if value is None:
            if required:
                raise _malformed(f"required key [{where.rsplit('/', 1)[-1]}] not found")
            return
        if not isinstance(value, str):
            raise _malformed(f"{where}: expected type: String")
        if not 1 <= len(value) <= MAX_TEXT:
            raise _bad(f"{where.rsplit('/', 1)[-1]} must be between 1 and {MAX_TEXT} characters.")

    @staticmethod
    def _number(value: Any, where: str, low: float, high: float) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise _bad(f"{where.rsplit('/', 1)[-1]} must be a number from {low:g} to {high:g}.")

    def _one_mask(self, params: Mapping[str, Any], where: str, image: _Image) -> bytes | None:
        has_prompt, has_image = "maskPrompt" in params, "maskImage" in params
        if has_prompt == has_image:
            raise _bad("Exactly one of maskPrompt or maskImage must be provided.")
        if has_prompt:
            self._text(params["maskPrompt"], f"{where}/maskPrompt", required=True)
            return None
        return self._mask(params["maskImage"], f"{where}/maskImage", image)

    @staticmethod
    def _decode(value: Any, where: str) -> bytes:
        if not isinstance(value, str) or not value:
            raise _malformed(f"{where}: expected type: String")
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _bad(f"{where}: the image is not valid base64.") from None

    def _image(self, value: Any, where: str, *, required: bool) -> _Image | None:
        from PIL import Image

        if value is None:
            if required:
                raise _malformed(f"required key [{where.rsplit('/', 1)[-1]}] not found")
            return None
        raw = self._decode(value, where)
        try:
            with Image.open(io.BytesIO(raw)) as img:
                img.load()
                if img.format not in ("PNG", "JPEG"):
                    raise _bad(f"{where}: only PNG and JPEG images are supported.")
                width, height = img.size
                has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
                low = img.convert("RGBA").getchannel("A").getextrema()[0] if has_alpha else 255
                if isinstance(low, int | float) and low < 255:
                    raise _bad(f"{where}: the image contains transparent or translucent pixels, which are not "
                               "supported.")
        except ApiError:
            raise
        except Exception:
            raise _bad(f"{where}: unable to decode the image.") from None
        if not (320 <= width <= 4096 and 320 <= height <= 4096):
            raise _bad(f"{where}: each side of an input image must be between 320 and 4096 pixels.")
        if max(width, height) > 4 * min(width, height):
            raise _bad(f"{where}: the aspect ratio of an input image must be between 1:4 and 4:1.")
        if width * height > MAX_PIXELS:
            raise _bad(f"{where}: an input image must have at most 4,194,304 pixels.")
        return _Image(raw, width, height)

    def _mask(self, value: Any, where: str, image: _Image) -> bytes:
        from PIL import Image

        raw = self._decode(value, where)
        try:
            with Image.open(io.BytesIO(raw)) as img:
                img.load()
                size = img.size
                colors = img.convert("RGB").getcolors(maxcolors=4)
        except Exception:
            raise _bad(f"{where}: unable to decode the mask image.") from None
        if size != (image.width, image.height):
            raise _bad(f"{where}: the mask image must have the same dimensions as the input image "
                       f"({image.width}x{image.height}), not {size[0]}x{size[1]}.")
        if colors is None or any(rgb not in ((0, 0, 0), (255, 255, 255)) for _, rgb in colors):
            raise _bad(f"{where}: the mask image must contain only pure black and pure white pixels.")
        if not any(rgb == (0, 0, 0) for _, rgb in colors):
            raise _bad(f"{where}: the mask image has no black (masked) pixels.")
        return raw

    # -- answers -----------------------------------------------------------
    @staticmethod
    def _render(size: tuple[int, int], task: str, seed_text: str) -> bytes:
        from tryon.testing.synth import synth_image

        return synth_image(size[0], size[1], "png", transparent=task == "BACKGROUND_REMOVAL", seed_text=seed_text)

    @staticmethod
    def _mask_png(size: tuple[int, int]) -> bytes:
        from PIL import Image, ImageDraw

        im = Image.new("RGB", size, (255, 255, 255))
        ImageDraw.Draw(im).rectangle((size[0] // 4, size[1] // 4, 3 * size[0] // 4, 3 * size[1] // 4), fill=(0, 0, 0))
        buf = io.BytesIO()
        im.save(buf, "PNG")
        return buf.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the emulator until Ctrl-C."""
    parser = command_line("python -m tryon.testing.bedrock_emulator",
                          "Serve a local emulator of Amazon Bedrock's InvokeModel for Amazon Nova Canvas.")
    parser.add_argument("--region", default="us-east-1", help="the region requests must be signed for")
    args = parser.parse_args(argv)
    emulator = BedrockEmulator(host=args.host, port=args.port, latency=args.latency, region=args.region,
                               require_key=not args.no_require_key)
    return serve_until_interrupted(
        emulator, "Bedrock (Nova Canvas) emulator listening on {url}",
        "export AWS_ENDPOINT_URL_BEDROCK_RUNTIME={url} AWS_REGION=" + args.region +
        " AWS_ACCESS_KEY_ID=emulator-key AWS_SECRET_ACCESS_KEY=emulator-secret", verbose=args.verbose)


if __name__ == "__main__":
    raise SystemExit(main())

"""Translate a tryon request into a Nova Canvas ``InvokeModel`` body (one task type per request).

Which task type a request becomes (tryon's operation, ``task`` option, mask):

==========================================  ==============================================
``generate``                                ``TEXT_IMAGE`` (``COLOR_GUIDED_GENERATION`` with ``colors``)
``edit`` with ``mask`` or ``mask_prompt``   ``INPAINTING`` (``task="outpainting"``: ``OUTPAINTING``)
``edit`` without a mask                     ``IMAGE_VARIATION`` (1-5 reference images)
``task="background_removal"``               ``BACKGROUND_REMOVAL`` (the prompt is not sent)
``task="conditioning"``                     ``TEXT_IMAGE`` with the image as ``conditionImage``
``task="color_guided"``                     ``COLOR_GUIDED_GENERATION`` (image: ``referenceImage``)
==========================================  ==============================================

Masks: tryon's mask is black (transparent) = edit. ``INPAINTING`` takes the same convention
(pure black changes, pure white is kept); an ``OUTPAINTING`` mask marks what is *kept*, so the
same tryon mask is sent inverted (white changes). Both go as pure black-and-white RGB PNGs.
Everything the service would refuse and the router cannot see (counts per task type, input
sides and ratios, transparent input pixels, the combined text length, the seed range) is refused
here, before anything is sent, as an :class:`~tryon.errors.InvalidOptionError`.
"""

from __future__ import annotations

from typing import Any

import attrs

from tryon.errors import InvalidInputError, InvalidOptionError, Problem
from tryon.media.inputs import InputImage, open_image
from tryon.media.masks import mask_to_black_and_white
from tryon.notice import Notice
from tryon.request import EditRequest, Request, TryOnRequest
from tryon.sizes import parse_size
from tryon.vto import TryOnCapabilities

from .models import MAX_SEED, MAX_TEXT, MIN_INPUT_EDGE, MODEL_ID, NovaCanvasOptions

__all__ = ["Body", "build_body", "build_try_on_body", "output_size", "task_type"]

#: The options of NovaCanvasOptions each task type takes (besides ``task``); any other one set is refused.
_TAKES: dict[str, frozenset[str]] = {
    "TEXT_IMAGE": frozenset({"negative_text", "style", "cfg_scale", "control_mode", "control_strength"}),
    "COLOR_GUIDED_GENERATION": frozenset({"colors", "negative_text", "cfg_scale"}),
    "IMAGE_VARIATION": frozenset({"similarity_strength", "negative_text", "cfg_scale"}),
    "INPAINTING": frozenset({"mask_prompt", "negative_text", "cfg_scale"}),
    "OUTPAINTING": frozenset({"mask_prompt", "outpainting_mode", "negative_text", "cfg_scale"}),
    "BACKGROUND_REMOVAL": frozenset(),
}
_SINGLE_IMAGE = {"inpainting", "outpainting", "background_removal", "conditioning", "color_guided"}
_SIZED = {"TEXT_IMAGE", "COLOR_GUIDED_GENERATION", "IMAGE_VARIATION"}


@attrs.frozen
class Body:
    """The JSON body, its task type, and notices about how the request was translated."""

    json: dict[str, Any]
    task_type: str
    notices: tuple[Notice, ...] = ()


def _options(request: Request) -> NovaCanvasOptions:
    opts = request.options
    return opts if isinstance(opts, NovaCanvasOptions) else NovaCanvasOptions(**dict(opts or {}))


def _refuse(option: str, value: Any, message: str) -> InvalidOptionError:
    return InvalidOptionError([Problem(option, value, message)], model=MODEL_ID)


def task_type(request: Request) -> str:
    """The Nova Canvas task type *request* becomes (see the module docstring)."""
    if isinstance(request, TryOnRequest):
        return "VIRTUAL_TRY_ON"
    opts = _options(request)
    task = opts.task
    if not isinstance(request, EditRequest):
        if task not in (None, "color_guided"):
            raise _refuse("task", task, f"task={task!r} works on input images: call edit() with them")
        return "COLOR_GUIDED_GENERATION" if task == "color_guided" or opts.colors else "TEXT_IMAGE"
    if task is None:
        task = "inpainting" if request.mask is not None or opts.mask_prompt else "variation"
    return {"inpainting": "INPAINTING", "outpainting": "OUTPAINTING", "variation": "IMAGE_VARIATION",
            "background_removal": "BACKGROUND_REMOVAL", "conditioning": "TEXT_IMAGE",
            "color_guided": "COLOR_GUIDED_GENERATION"}[task]


def output_size(request: Request) -> tuple[int, int]:
    """The size of each image the request makes: its ``size``, else the input's (edits in place) or 1024x1024."""
    kind = task_type(request)
    if request.size and request.size != "auto" and kind in _SIZED:
        wh = parse_size(request.size)
        if wh:
            return wh
    if isinstance(request, TryOnRequest) and isinstance(request.person, InputImage):
        return request.person.upright_size
    if kind not in _SIZED and isinstance(request, EditRequest) and request.images:
        first = request.images[0]
        if isinstance(first, InputImage):
            return first.upright_size
    return 1024, 1024


def _check_input(image: InputImage, index: int, label: str | None = None) -> None:
    width, height = image.width, image.height
    name = f"{label or f'images[{index}]'} ({image.name})"
    if min(width, height) < MIN_INPUT_EDGE:
        raise InvalidInputError(f"{name} is {width}x{height}; Nova Canvas needs each side to be at least "
                                f"{MIN_INPUT_EDGE} px: upscale it first", input_name=image.name)
    if max(width, height) > 4 * min(width, height):
        raise InvalidInputError(f"{name} is {width}x{height}, beyond the 1:4 to 4:1 aspect ratios Nova Canvas "
                                "takes: crop it first", input_name=image.name)
    if image.media_type == "image/png":
        with open_image(image) as pil:
            has_alpha = pil.mode in ("RGBA", "LA", "PA") or "transparency" in pil.info
            low = pil.convert("RGBA").getchannel("A").getextrema()[0] if has_alpha else 255
            if isinstance(low, int | float) and low < 255:
                raise InvalidInputError(f"{name} has transparent pixels, which Nova Canvas refuses: flatten it onto "
                                        "a background first (or use task='background_removal' output as is)",
                                        input_name=image.name)


def _texts(request: Request, opts: NovaCanvasOptions, *, required: bool = True) -> dict[str, str]:
    out: dict[str, str] = {}
    if required or request.prompt:
        out["text"] = request.prompt
    if opts.negative_text:
        out["negativeText"] = opts.negative_text
    total = len(request.prompt) + len(opts.negative_text or "")
    if opts.negative_text and total > MAX_TEXT:
        raise _refuse("negative_text", "<text>", f"prompt and negative_text are {total} characters together; Nova "
                      f"Canvas takes at most {MAX_TEXT} (shorten either)")
    return out


def _config(request: Request, opts: NovaCanvasOptions, kind: str) -> dict[str, Any]:
    config: dict[str, Any] = {"numberOfImages": request.n}
    if kind in _SIZED and request.size and request.size != "auto":
        wh = parse_size(request.size)
        if wh:
            config["width"], config["height"] = wh
    if request.quality:
        config["quality"] = request.quality
    if opts.cfg_scale is not None:
        config["cfgScale"] = float(opts.cfg_scale)
    if request.seed is not None:
        if request.seed > MAX_SEED:
            raise _refuse("seed", request.seed, f"seed={request.seed} is above {MAX_SEED:,}, the largest Nova "
                          "Canvas seed AWS documents; use 0 to 858,993,459")
        config["seed"] = request.seed
    return config


def _not_for(kind: str, opts: NovaCanvasOptions, *names: str) -> None:
    for name in names:
        value = getattr(opts, name)
        if value is not None:
            raise _refuse(name, value, f"{name} does not apply to {kind}")


def build_body(request: Request) -> Body:
    """The ``InvokeModel`` body for *request* (prepared by the router), or a clear refusal."""
    opts = _options(request)
    kind = task_type(request)
    for option in attrs.fields(NovaCanvasOptions):
        if option.name != "task" and option.name not in _TAKES[kind] and getattr(opts, option.name) is not None:
            where = "try-on" if option.name in NovaCanvasOptions.TRY_ON_ONLY else kind
            raise _refuse(option.name, getattr(opts, option.name), f"{option.name} does not apply to {kind} "
                          f"(it belongs to {where}); remove it or pick the task it belongs to with task=...")
    notices: list[Notice] = []
    images: tuple[InputImage, ...] = tuple(request.images) if isinstance(request, EditRequest) else ()
    for i, image in enumerate(images):
        _check_input(image, i)
    task = opts.task or ("inpainting" if kind == "INPAINTING" else None)
    if task in _SINGLE_IMAGE and len(images) > 1:
        raise _refuse("images", f"<{len(images)} images>", f"{kind} takes one input image, not {len(images)} "
                      "(only image variation takes up to 5)")
    if kind not in _SIZED and request.size and request.size != "auto":
        raise _refuse("size", request.size, f"{kind} answers at the input image's size; leave size unset (or "
                      "resize the input first)")
    body: dict[str, Any] = {"taskType": kind}
    if kind == "BACKGROUND_REMOVAL":
        if request.n != 1:
            raise _refuse("n", request.n, "background removal makes exactly one image per input; use n=1")
        body["backgroundRemovalParams"] = {"image": images[0].to_base64()}
        notices.append(Notice("prompt-not-sent", f"{MODEL_ID} removes the background without a prompt: the "
                              "prompt was not sent", option="prompt"))
        return Body(body, kind, tuple(notices))
    config = _config(request, opts, kind)
    if kind == "TEXT_IMAGE":
        params: dict[str, Any] = _texts(request, opts)
        if opts.style:
            params["style"] = opts.style
        if not images and (opts.control_mode or opts.control_strength is not None):
            raise _refuse("control_mode", opts.control_mode, "control_mode and control_strength guide a conditioning "
                          "image: call edit(image, ..., task='conditioning')")
        if images:
            params["conditionImage"] = images[0].to_base64()
            if opts.control_mode:
                params["controlMode"] = opts.control_mode
            if opts.control_strength is not None:
                params["controlStrength"] = float(opts.control_strength)
        body["textToImageParams"] = params
    elif kind == "COLOR_GUIDED_GENERATION":
        if not opts.colors:
            raise _refuse("colors", None, "color-guided generation needs colors=['#RRGGBB', ...] (1 to 10)")
        params = {"colors": list(opts.colors), **_texts(request, opts)}
        if images:
            params["referenceImage"] = images[0].to_base64()
        body["colorGuidedGenerationParams"] = params
    elif kind == "IMAGE_VARIATION":
        params = {"images": [image.to_base64() for image in images], **_texts(request, opts)}
        if opts.similarity_strength is not None:
            params["similarityStrength"] = float(opts.similarity_strength)
        body["imageVariationParams"] = params
    else:  # INPAINTING / OUTPAINTING
        mask = request.mask if isinstance(request, EditRequest) else None
        if mask is None and not opts.mask_prompt:
            raise _refuse("mask", None, f"{kind} needs a mask (black = the area to change) or mask_prompt='...'")
        params = {"image": images[0].to_base64(), **_texts(request, opts)}
        if mask is not None:
            # INPAINTING changes the black area, as tryon's mask says; OUTPAINTING keeps it, so invert.
            params["maskImage"] = mask_to_black_and_white(
                mask, edit="black" if kind == "INPAINTING" else "white").to_base64()
        else:
            params["maskPrompt"] = opts.mask_prompt
        if kind == "OUTPAINTING" and opts.outpainting_mode:
            params["outPaintingMode"] = opts.outpainting_mode
        body["inPaintingParams" if kind == "INPAINTING" else "outPaintingParams"] = params
    body["imageGenerationConfig"] = config
    return Body(body, kind, tuple(notices))


_EDIT_ONLY = ("task", "negative_text", "style", "colors", "similarity_strength", "control_mode", "control_strength",
              "mask_prompt", "outpainting_mode")


def build_try_on_body(request: TryOnRequest, declared: TryOnCapabilities) -> Body:
    """The ``VIRTUAL_TRY_ON`` body: the person as ``sourceImage``, the garment as ``referenceImage``,
    and the mask from ``mask=`` (``IMAGE``), ``mask_prompt=`` (``PROMPT``) or the garment's category
    (``GARMENT``, its Nova garment class). The router has refused a prompt and anything undeclared."""
    opts = _options(request)
    _not_for("try-on", opts, *_EDIT_ONLY)
    person, garment = request.person, request.garments[0]
    _check_input(person, 0, "person")
    _check_input(garment.image, 1, "garments[0]")
    if request.size and request.size != "auto":
        raise _refuse("size", request.size, "virtual try-on answers at the person image's size; leave size unset")
    params: dict[str, Any] = {"sourceImage": person.to_base64(), "referenceImage": garment.image.to_base64()}
    if request.mask is not None:
        params["maskType"] = "IMAGE"  # Nova: black = modify, white = preserve (tryon's own convention)
        params["imageBasedMask"] = {"maskImage": mask_to_black_and_white(request.mask, edit="black").to_base64()}
        _not_for("an image mask", opts, "mask_shape", "long_sleeve_style", "tucking_style", "outer_layer_style")
    elif request.mask_prompt:
        params["maskType"] = "PROMPT"
        params["promptBasedMask"] = {"maskPrompt": request.mask_prompt,
                                     **({"maskShape": opts.mask_shape} if opts.mask_shape else {})}
        _not_for("a prompt mask", opts, "long_sleeve_style", "tucking_style", "outer_layer_style")
    else:
        word = declared.category_word(garment.category)
        if word is None:
            raise _refuse("category", None, "Nova Canvas finds the garment area from its class: pass category=... "
                          f"({', '.join(declared.accepted_categories())}), or mask=... / mask_prompt=...")
        mask: dict[str, Any] = {"garmentClass": word}
        if opts.mask_shape:
            mask["maskShape"] = opts.mask_shape
        styling = {key: value for key, value in (("longSleeveStyle", opts.long_sleeve_style),
                                                 ("tuckingStyle", opts.tucking_style),
                                                 ("outerLayerStyle", opts.outer_layer_style)) if value}
        if styling:
            mask["garmentStyling"] = styling
        params["maskType"] = "GARMENT"
        params["garmentBasedMask"] = mask
    exclusions = {key: value for key, value in (("preserveBodyPose", opts.preserve_body_pose),
                                                ("preserveHands", opts.preserve_hands),
                                                ("preserveFace", opts.preserve_face)) if value}
    if exclusions:
        params["maskExclusions"] = exclusions
    if opts.merge_style:
        params["mergeStyle"] = opts.merge_style
    config = _config(request, opts, "VIRTUAL_TRY_ON")
    return Body({"taskType": "VIRTUAL_TRY_ON", "virtualTryOnParams": params, "imageGenerationConfig": config},
                "VIRTUAL_TRY_ON")

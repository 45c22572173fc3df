"""Where each declared fact about Amazon Nova Canvas comes from, and when it was checked.

AWS's own pages (the Nova user guide's request/response structure, virtual try-on, input
images, masking and resolution pages; the Bedrock model lifecycle and pricing pages) are the
authority. Where only excerpts of them could be read here, the fact is backed by a careful
third-party transcription that was verified against them (dated) and marked as such.
"""

from __future__ import annotations

import datetime as dt

from tryon.provenance import Provenance, Source, SourceKind

__all__ = ["CHECKED", "NOVA_CANVAS_SOURCES", "PRICE_SOURCES"]

CHECKED = dt.date(2026, 12, 2)

GUIDE = "https://docs.aws.amazon.com/nova/latest/userguide/image-gen-access.html"
STRUCTURE = "https://docs.aws.amazon.com/nova/latest/userguide/image-gen-req-resp-structure.html"
VTO = "https://docs.aws.amazon.com/nova/latest/userguide/image-gen-vto.html"
LIFECYCLE = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle-legacy.html"
PRICING = "https://aws.amazon.com/bedrock/pricing/"
INVOKE = "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html"
EXAMPLE = ("https://docs.aws.amazon.com/bedrock/latest/userguide/"
           "bedrock-runtime_example_bedrock-runtime_InvokeModel_AmazonNovaImageGeneration_section.html")
SKILL = ("calesthio/generative-media-skills skills/providers/image-generation/amazon-nova-canvas/SKILL.md "
         "(d5daa8a, verified against AWS's pages on 2026-07-09)")
LIFECYCLE_MIRROR = "api-evangelist/amazon-nova lifecycle/amazon-nova-lifecycle.yml (generated 2026-09-01 from " + \
    LIFECYCLE + ")"


def _src(where: str, note: str, *, kind: str = "official", verified: bool = True) -> Source:
    return Source(where=where, checked=CHECKED, kind=SourceKind(kind), note=note, verified=verified)


PRICE_SOURCES = (
    _src(PRICING + " (as transcribed in " + SKILL + ")",
         "per generated image: up to 1024x1024 $0.04 standard / $0.06 premium; up to 2048x2048 $0.06 / $0.08. The "
         "pricing page itself could not be read here; a model in its Legacy period or kept after its EOL date under "
         "a private arrangement may be billed at higher extended-access prices, which no page states",
         kind="third-party", verified=False),
    _src("tryon (inferred)", "edits (inpainting, outpainting, background removal, variation) and virtual try-on are "
         "priced by their output size like generations; AWS's table names only the output band and quality",
         kind="inferred", verified=False),
)

NOVA_CANVAS_SOURCES = Provenance({
    "model": _src(EXAMPLE, "model id amazon.nova-canvas-v1:0, called through bedrock-runtime InvokeModel"),
    "operations": _src(GUIDE, "task types TEXT_IMAGE (text only or with a condition image), COLOR_GUIDED_GENERATION, "
                       "IMAGE_VARIATION, INPAINTING, OUTPAINTING, BACKGROUND_REMOVAL, VIRTUAL_TRY_ON"),
    "lifecycle": (
        _src(LIFECYCLE_MIRROR, "Nova Canvas amazon.nova-canvas-v1:0: Legacy since 2026-03-30, EOL 2026-09-30, in "
             "ap-northeast-1, eu-west-1, us-east-1; AWS names the Nova 2 family as the way forward but no Canvas "
             "successor id. The lifecycle table itself could not be read here (only its text)", kind="third-party",
             verified=False),
        _src(SKILL, "AWS lists amazon.nova-canvas-v1:0 as Legacy with an end-of-life date of 2026-09-30; after it "
             "requests fail unless the account has a private arrangement", kind="third-party"),
        _src("tryon (inferred)", "successors: no AWS successor id exists; gpt-image-2 (masked edits) and "
             "gemini-3.1-flash-image (multi-image edits) are active tryon models serving the same operations",
             kind="inferred"),
    ),
    "sizes": (
        _src(GUIDE + "#image-gen-resolutions", "each side 320-4096 px, divisible by 16, aspect ratio from 1:4 to "
             "4:1, total pixels less than 4,194,304 (the overview also names 2048x2048 as valid: tryon declares the "
             "conservative 'less than')", verified=False),
        _src(SKILL, "width and height default to 1024; omitted for INPAINTING, OUTPAINTING and VIRTUAL_TRY_ON, whose "
             "output follows the input image", kind="third-party"),
    ),
    "max_images_per_call": _src(STRUCTURE, "imageGenerationConfig.numberOfImages 1-5, default 1"),
    "max_n": _src(VTO, "up to five images per virtual try-on request; tryon fans larger n out over calls",
                  kind="official"),
    "qualities": _src(STRUCTURE, "quality standard (default) or premium"),
    "seed": (
        _src(STRUCTURE + " (as transcribed in " + SKILL + ")", "seed 0-2,147,483,646, default 12",
             kind="third-party"),
        _src(EXAMPLE, "'a random seed between 0 and 858,993,459': tryon refuses seeds above this smaller official "
             "range (the conservative reading)", verified=False),
    ),
    "seed_range": _src(EXAMPLE, "AWS's own examples draw seeds from 0 to 858,993,459; the schema allows up to "
                       "2,147,483,646: tryon declares the smaller official range (the conservative reading)",
                       verified=False),
    "max_prompt_length": _src(STRUCTURE, "text 1-1024 characters; negativeText 1-1024 characters (a 2025 service "
                              "card says 1,024 combined: tryon checks the combined length, the conservative reading)",
                              verified=False),
    "inputs": _src(SKILL, "input images: base64 PNG or JPEG, 8-bit RGB (PNG may have alpha but no transparent or "
                   "translucent pixels), sides 320-4096 px (any multiple), aspect 1:4-4:1, at most 4,194,304 pixels "
                   "for edits; IMAGE_VARIATION takes 1-5 images", kind="third-party"),
    "max_input_images": _src(GUIDE, "IMAGE_VARIATION uses 1 to 5 images; every other task takes one image (virtual "
                             "try-on: a source and a reference image)"),
    "mask": (
        _src(VTO, "mask image: black pixels mark the area of the source image to modify, white pixels the area to "
             "preserve"),
        _src(SKILL, "INPAINTING: pure black changes, pure white is protected; OUTPAINTING with an explicit mask: white "
             "pixels change (the mask marks what is kept); exactly one of maskPrompt and maskImage",
             kind="third-party"),
    ),
    "output_formats": _src(SKILL, "answers are base64 PNG images ({images: [...], error?: string}); background "
                           "removal answers a PNG with 8-bit transparency", kind="third-party"),
    "options": (
        _src(STRUCTURE, "negativeText, style (3D_ANIMATED_FAMILY_FILM, DESIGN_SKETCH, FLAT_VECTOR_ILLUSTRATION, "
             "GRAPHIC_NOVEL_ILLUSTRATION, MAXIMALISM, MIDCENTURY_RETRO, PHOTOREALISM, SOFT_DIGITAL_PAINTING)"),
        _src(SKILL, "cfgScale 1.1-10 (default 6.5); conditionImage with controlMode CANNY_EDGE/SEGMENTATION and "
             "controlStrength 0-1 (0.7); colors 1-10 '#RRGGBB'; similarityStrength 0.2-1.0 (0.7); maskPrompt; "
             "outPaintingMode DEFAULT/PRECISE; background removal takes no imageGenerationConfig",
             kind="third-party"),
    ),
    "try_on": (
        _src(VTO, "VIRTUAL_TRY_ON: a source image and a reference image (garments on or off a body; several items in "
             "one image allowed); maskType GARMENT (garmentClass UPPER_BODY, LOWER_BODY, FOOTWEAR, FULL_BODY), PROMPT "
             "(maskPrompt, maskShape BOUNDING_BOX recommended) or IMAGE (black = modify, white = preserve); no text "
             "prompt or negative text; up to five images"),
        _src(SKILL, "finer garment classes LONG_SLEEVE_SHIRT, SHORT_SLEEVE_SHIRT, NO_SLEEVE_SHIRT, OTHER_UPPER_BODY, "
             "LONG_PANTS, SHORT_PANTS, OTHER_LOWER_BODY, LONG_DRESS, SHORT_DRESS, FULL_BODY_OUTFIT, OTHER_FULL_BODY, "
             "SHOES, BOOTS, OTHER_FOOTWEAR; garmentStyling longSleeveStyle/tuckingStyle/outerLayerStyle; "
             "maskExclusions preserveBodyPose/Hands/Face ON/OFF/DEFAULT; mergeStyle BALANCED/SEAMLESS/DETAILED; "
             "returnMask; imageGenerationConfig without width/height (the output has the source image's size)",
             kind="third-party"),
        _src("tryon (inferred)", "tryon's categories mapped to the classes: outerwear (jacket, coat) is sent as "
             "UPPER_BODY, skirt as OTHER_LOWER_BODY, jumpsuit as FULL_BODY_OUTFIT; accessories have no garment "
             "class and are refused (every garment needs a category, also with mask= or mask_prompt=, so that what "
             "tryon accepts is what Nova honours; edit with mask_prompt serves other objects); Nova's speed/quality "
             "trade-off is quality=standard/premium (no mode= is declared)", kind="inferred"),
    ),
    "rules": _src(SKILL, "maskPrompt and maskImage exclude each other; task-specific parameters belong to their task",
                  kind="third-party"),
    "defaults": _src(STRUCTURE, "quality standard; PNG output"),
    "*": _src(INVOKE, "errors: ValidationException (400; also content-filter refusals of inputs), "
              "AccessDeniedException (403), ResourceNotFoundException (404), ModelTimeoutException (408), "
              "ModelErrorException (424), ThrottlingException and ModelNotReadyException (429), "
              "InternalServerException (500), ServiceUnavailableException (503); blocked outputs come back as HTTP "
              "200 with fewer images and an 'error' string"),
})

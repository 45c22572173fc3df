"""Where each FLUX fact comes from: the vendored OpenAPI document and BFL's docs, dated."""

from __future__ import annotations

from tryon.provenance import Provenance, Source, SourceKind

__all__ = ["CHECKED", "OPENAPI", "Provenance", "erase", "expand", "fill", "flux2", "kontext", "vto"]

CHECKED = "2026-12-01"
OPENAPI = "plugins/tryon_flux/openapi/bfl-openapi-2026-04-23.json (BFL openapi.json via tryAGI/BlackForestLabs)"
_SIZES_HELP = "https://help.bfl.ai/articles/1691577414-can-i-generate-different-aspect-ratios-compared-to-what-the-input-image-is"
_SPECS_HELP = "https://help.bfl.ai/articles/4029171097-flux-2-technical-specifications"
_REFS_DOC = "https://docs.bfl.ai/guides/prompting_editing_overview"
_SKILL = "https://skills.sh/black-forest-labs/skills/bfl-api (BFL's own API skill, pricing table)"
_PRICING = "https://docs.bfl.ml/quick_start/pricing"
_PRODIA = "https://docs.prodia.com/job-types/inference-flux-2-pro-img2img-v1"


def _doc(pointer: str, note: str = "") -> Source:
    return Source(where=f"{OPENAPI} {pointer}", checked=CHECKED, note=note)


def flux2(model: str, schema: str, refs: int) -> Provenance:
    """The sources of one FLUX.2 model (*schema* is its request schema in the document)."""
    klein = "klein" in model
    total = (
        Source(where=_PRODIA, checked=CHECKED, kind=SourceKind.THIRD_PARTY, verified=model == "flux-2-pro",
               note="'Pro model supports up to 8 images (9MP combined)'; BFL's own pages give no total"
               + ("" if model == "flux-2-pro" else "; applied to this model as the conservative reading")))
    return Provenance({
        "model": _doc(f"paths./v1/{model}"),
        "lifecycle": _doc(f"paths./v1/{model}.post.summary", "active; not marked legacy or deprecated"),
        "sizes": (
            Source(where=_SIZES_HELP, checked=CHECKED,
                   note="minimum 256x256, maximum 4 MP, multiples of 16, any aspect ratio (updated 2026-04-02)"),
            Source(where=_SPECS_HELP, checked=CHECKED,
                   note="says a 64x64 minimum (updated 2026-01-18), as does the schema (minimum 64); the newer "
                        "help page's 256 px is declared: it is the stricter reading"),
        ),
        "max_input_images": Source(where=_REFS_DOC, checked=CHECKED,
                                   note=f"up to {refs} reference images over the API"
                                   + ("; Flux2KleinInputs has input_image..input_image_4" if klein else
                                      f"; {schema} has input_image..input_image_8")),
        "inputs": (_doc(f"components.schemas.{schema}.properties.input_image*", "base64 or URL strings"), total),
        "output_formats": _doc(f"components.schemas.{schema}.properties.output_format",
                               "OutputFormat jpeg, png, webp; default jpeg"),
        "seed": _doc(f"components.schemas.{schema}.properties.seed", "integer or null, no range given"),
        "options": _doc(f"components.schemas.{schema}",
                        "safety_tolerance 0-5 (default 2)"
                        + ("; steps 1-50 (default 50), guidance 1.5-10 (default 5), prompt_upsampling "
                           "(default true)" if schema == "Flux2FlexInputs" else "; no steps, guidance or "
                           "prompt_upsampling")),
        "price": Source(where=_SKILL, checked=CHECKED,
                        note="per megapixel: first MP then each further MP of output and of references"),
    })


def kontext(model: str) -> Provenance:
    return Provenance({
        "model": _doc(f"paths./v1/{model}"),
        "lifecycle": _doc(f"paths./v1/{model}.post.summary",
                          "'(legacy, use FLUX.2 [PRO] for editing)'; the description recommends /flux-2-pro or "
                          "/flux-2-flex; the document has no deprecated flag and no shutdown date"),
        "sizes": (
            _doc("components.schemas.FluxKontextProInputs.properties.aspect_ratio",
                 "'Aspect ratio of the image between 21:9 and 9:21'; no width/height"),
            Source(where=_SIZES_HELP, checked=CHECKED,
                   note="fixed ~1 MP, multiples of 32, 'Supported range: 3:7 to 7:3' (the same range)"),
        ),
        "aspect_ratios": _doc("components.schemas.FluxKontextProInputs.properties.aspect_ratio"),
        "max_input_images": _doc("components.schemas.FluxKontextProInputs.properties.input_image_4",
                                 "input_image_2..4 are 'Experimental Multiref'"),
        "inputs": _doc("components.schemas.FluxKontextProInputs.properties.input_image"),
        "output_formats": _doc("components.schemas.FluxKontextProInputs.properties.output_format",
                               "jpeg, png, webp; default png"),
        "seed": _doc("components.schemas.FluxKontextProInputs.properties.seed"),
        "options": _doc("components.schemas.FluxKontextProInputs",
                        "safety_tolerance 0-6 (default 2), prompt_upsampling (default false)"),
        "price": Source(where=_PRICING, checked=CHECKED, note="Kontext [pro] 4 credits, [max] 8 credits per image"),
    })


_TOOLS = "plugins/tryon_flux/openapi/bfl-flux-tools-2026-12-01.json (transcribed from BFL's API reference)"


def erase() -> Provenance:
    ref = "https://docs.bfl.ml/api-reference/models/erase-an-object-from-an-image"
    guide = "https://docs.bfl.ml/flux_erase"
    comfy = "https://docs.comfy.org/built-in-nodes/FluxEraseNode"
    router = "https://docs.comfy.org/es/development/comfy-router/models/black-forest-labs/erase-v1/code"
    return Provenance({
        "model": (Source(where=ref, checked=CHECKED, note="POST /v1/flux-tools/erase-v1 (Flux2EraseInputs)"),
                  Source(where=_TOOLS, checked=CHECKED)),
        "lifecycle": Source(where=ref, checked=CHECKED, note="current; newer than the mirrored document"),
        "mask": Source(where=guide, checked=CHECKED,
                       note="black/white PNG at the image's resolution: white (255) = remove, black = keep; "
                            "required; no prompt is needed"),
        "sizes": Source(where=guide, checked=CHECKED, kind=SourceKind.INFERRED, verified=False,
                        note="the output keeps the input's size (third parties say so; BFL's guide implies it)"),
        "inputs": Source(where=comfy, checked=CHECKED, kind=SourceKind.THIRD_PARTY, verified=False,
                         note="the image must be at least 256x256 (not declared: InputLimits has no minimum)"),
        "max_input_images": Source(where=ref, checked=CHECKED, note="one image"),
        "output_formats": Source(where=guide, checked=CHECKED, note="output_format jpeg, png, webp"),
        "seed": Source(where=comfy, checked=CHECKED, kind=SourceKind.THIRD_PARTY, verified=False,
                       note="seed 0-2147483647 in ComfyUI's node; BFL's guide does not list it"),
        "options": Source(where=router, checked=CHECKED, kind=SourceKind.THIRD_PARTY, verified=False,
                          note="dilate_pixels 0-25 (default 10; BFL's guide shows dilate_pixels), "
                               "safety_tolerance 0-5 (default 2)"),
        "price": Source(where=_PRICING, checked=CHECKED, verified=False,
                        note="no BFL price found (Runware's $0.03/MP is a reseller's): estimates say unknown"),
    })


def expand() -> Provenance:
    schema = "components.schemas.FluxProExpandInputs"
    return Provenance({
        "model": _doc("paths./v1/flux-pro-1.0-expand", "'Expand an image by adding pixels on any side'"),
        "lifecycle": _doc("paths./v1/flux-pro-1.0-expand.post", "not marked legacy or deprecated"),
        "sizes": _doc(f"{schema}.properties.top", "no size fields: top, bottom, left, right are pixels added "
                                                  "(0-2048 each, default 0); the output is the input plus those"),
        "max_resolution": _doc(f"{schema}.properties.right", "at most 2048 px added per side"),
        "max_input_images": _doc(f"{schema}.properties.image", "one base64 image (required)"),
        "inputs": _doc(f"{schema}.properties.image"),
        "output_formats": _doc(f"{schema}.properties.output_format", "jpeg, png, webp; default jpeg"),
        "seed": _doc(f"{schema}.properties.seed"),
        "options": _doc(f"{schema}", "top/bottom/left/right 0-2048, steps 15-50 (default 50), guidance "
                                     "1.5-100 (default 60), prompt_upsampling (default false), safety_tolerance "
                                     "0-6 (default 2); all four default to 0, which the schema accepts"),
        "price": Source(where=_PRICING, checked="2026-12-02", verified=False,
                        note="no FLUX.1 Expand [pro] price found on BFL's pricing page or elsewhere: unpriced "
                             "(estimates and costs None, never a guess)"),
    })


def fill() -> Provenance:
    schema = "components.schemas.FluxProFillInputs"
    return Provenance({
        "model": _doc("paths./v1/flux-pro-1.0-fill"),
        "lifecycle": _doc("paths./v1/flux-pro-1.0-fill.post.summary", "not marked legacy or deprecated"),
        "sizes": _doc(f"{schema}", "no size fields: the output has the input image's size"),
        "mask": _doc(f"{schema}.properties.mask",
                     "white = fill, black = keep, same dimensions as the image; optional when the image "
                     "carries an alpha mask"),
        "max_input_images": _doc(f"{schema}.properties.image"),
        "inputs": _doc(f"{schema}.properties.image"),
        "output_formats": _doc(f"{schema}.properties.output_format", "jpeg, png, webp; default jpeg"),
        "seed": _doc(f"{schema}.properties.seed"),
        "options": _doc(f"{schema}", "steps 15-50 (default 50), guidance 1.5-100 (default 60), "
                                     "prompt_upsampling (default false), safety_tolerance 0-6 (default 2)"),
        "price": Source(where=_PRICING, checked=CHECKED, note="FLUX.1 Fill [pro]: 5 credits ($0.05) per image"),
    })


def vto() -> Provenance:
    """FLUX Virtual Try-On (``/v1/flux-tools/vto-v1``), checked 2026-12-02."""
    checked = "2026-12-02"
    guide = "https://docs.bfl.ai/flux_tools/flux_vto"
    oxen = "https://docs.oxen.ai/inference-api/reference/models/flux-virtual-try-on"
    runware = "https://runware.ai/docs/models/bfl-flux-virtual-try-on.md"
    schema = "components.schemas.Flux2KleinTryonInputs"
    return Provenance({
        "model": (Source(where=f"{_TOOLS} paths./v1/flux-tools/vto-v1", checked=checked,
                         note="POST /v1/flux-tools/vto-v1 (Flux2KleinTryonInputs): prompt, person, garment required"),
                  Source(where="https://docs.bfl.ai/api-reference/models/virtual-try-on", checked=checked,
                         note="BFL's reference rendering its live openapi.json: the same fields as the vendored "
                              "transcription (prompt, person, garment, seed, safety_tolerance 0-5 default 2, "
                              "output_format jpeg|png|webp default jpeg, webhook_url, webhook_secret); answer id, "
                              "polling_url, cost, input_mp, output_mp"),
                  Source(where=guide, checked=checked, note="FLUX VTO: a person image plus a garment reference")),
        "lifecycle": Source(where=guide, checked=checked, note="current; no deprecation or shutdown announced"),
        "try_on": (
            Source(where=f"{_TOOLS} {schema}", checked=checked,
                   note="one person and one garment image; the prompt is required; no category, mask or mode"),
            Source(where=guide, checked=checked,
                   note="prompt formula 'The person of image 1, maintaining exactly their face and pose, wearing "
                        "the {garment descriptions} of image 2.'; a garment image may be a packshot or an outfit"),
            Source(where=guide, checked=checked, kind=SourceKind.INFERRED, verified=False,
                   note="every tryon category is accepted: BFL's examples include a cap and whole outfits, and the "
                        "category is only named in the prompt"),
        ),
        "sizes": (Source(where=guide, checked=checked,
                         note="'Input images (both model and garment) up to 2 Megapixels are used as-is. Larger "
                              "inputs are automatically downscaled to a ~1 Megapixels target'; no size field"),
                  Source(where=oxen, checked=checked, kind=SourceKind.THIRD_PARTY,
                         note="says 4 MP are used as they are; BFL's own guide (2 MP) is declared")),
        "max_resolution": Source(where=guide, checked=checked, note="the person image's size, up to 2 MP"),
        "max_input_images": Source(where=f"{_TOOLS} {schema}", checked=checked, note="person + garment"),
        "inputs": Source(where=f"{_TOOLS} {schema}.properties.person", checked=checked,
                         note="strings: base64 (as tryon sends) or URLs"),
        "output_formats": Source(where=f"{_TOOLS} {schema}.properties.output_format", checked=checked,
                                 note="OutputFormat jpeg, png, webp; default jpeg"),
        "seed": Source(where=f"{_TOOLS} {schema}.properties.seed", checked=checked, note="integer or null"),
        "options": Source(where=f"{_TOOLS} {schema}.properties.safety_tolerance", checked=checked,
                          note="safety_tolerance 0-5 (default 2)"),
        "price": Source(where=runware, checked=checked, kind=SourceKind.THIRD_PARTY, verified=False,
                        note="BFL publishes no VTO price; Runware resells it at $0.0375 for the first input MP, "
                             "$0.005 per further input MP and $0.005 per output MP; BFL reports each task's cost"),
    })

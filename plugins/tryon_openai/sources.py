"""Where each fact of the GPT image model declarations comes from (see :mod:`tryon.provenance`).

Checked on :data:`CHECKED` against the installed ``openai`` SDK (:data:`SDK_VERSION`), OpenAI's
OpenAPI document (``openai/openai-openapi`` at f85dbe2, 2026-08-21) and, where OpenAI publishes no
number, third-party references that agree with each other (marked ``third-party``).
"""

from __future__ import annotations

import datetime as dt

from tryon.provenance import Provenance, Source, SourceKind

from . import pricing

__all__ = ["CHECKED", "REQUIRED_GROUPS", "SDK_MODEL", "SDK_VERSION", "provenance"]

CHECKED = dt.date(2026, 12, 1)
SDK_VERSION = "3.57.0"
REQUIRED_GROUPS = ("model", "lifecycle", "sizes", "qualities", "inputs", "output_formats", "options", "price")
_SDK = f"openai {SDK_VERSION} (Python SDK)"
_TYPES = f"{_SDK}: openai/types/"
_OPENAPI = "https://github.com/openai/openai-openapi/blob/f85dbe2/openapi.yaml"
OFFICIAL, THIRD_PARTY, INFERRED = SourceKind.OFFICIAL, SourceKind.THIRD_PARTY, SourceKind.INFERRED


def _src(where: str, note: str = "", *, kind: SourceKind = OFFICIAL, verified: bool = True) -> Source:
    return Source(where=where, checked=CHECKED, kind=kind, note=note, verified=verified)


SDK_MODEL = _src(f"{_TYPES}image_model.py (ImageModel) and image_generate_params.py (model)",
                 "ImageModel lists the id; 'gpt-image-1' shut down 2026-10-23 (use gpt-image-2.5-sunburst or "
                 "gpt-image-2.5-flare); 'dall-e-2', 'dall-e-3' retired 2026-05-12 (use a GPT image model)")
SDK_PARAMS = _src(f"{_TYPES}image_generate_params.py, image_edit_params.py",
                  "parameter names, Literal values and their documented constraints")
SDK_EDIT_INPUTS = _src(f"{_TYPES}image_edit_params.py (image, mask)",
                       "png/webp/jpg under 50MB each, up to 16 images; mask a PNG under 4MB, same size as image")
OPENAPI_JSON_EDIT = _src(f"{_OPENAPI} (EditImageBodyJsonParam, ImageRefParam)",
                         "the JSON edit form takes images[] and mask as {image_url | file_id}; image_url "
                         "maxLength 20,971,520 characters; it is the only edit form with moderation")
SDK_STANDARD_SIZES = _src(f"{_TYPES}image_generate_params.py (size)",
                          "the standard sizes 1024x1024, 1536x1024, 1024x1536 and auto; arbitrary sizes only for "
                          "gpt-image-2, -2026-04-21 and the 2.5 models")
SDK_ARBITRARY = _src(
    f"{_TYPES}image_generate_params.py, image_edit_params.py (size)",
    "WIDTHxHEIGHT, both divisible by 16, aspect 1:3 to 3:1, 'above 2560x1440 experimental' (read as "
    "more pixels than 2560x1440: a size-experimental notice, not a refusal), 'maximum supported resolution "
    "3840x2160', 'must also satisfy the model's current pixel and edge limits' (numbers not given)")
THIRD_PARTY_PIXELS = _src(
    "https://docs.anyfast.ai/api-reference/model-api/openai/gpt-image-2 ; "
    "https://docs.fast-token.com/en/chat-gpt/GptImage-2-Create ; an OpenAI-docs digest in "
    "git.omniclaw.store/zsb/omniclaw-skills (sub2api-gpt-image-2/references/api.md)",
    "agree on 655,360 to 8,294,400 total pixels, edges up to 3840, ratio at most 3:1. Chosen over the "
    "earlier reading 'short edge at most 2160': the SDK's '3840x2160' maximum is read as the 8,294,400-pixel "
    "budget (3840x2160 = 2880x2880), which is what these references state; OpenAI publishes no numbers",
    kind=THIRD_PARTY)
SDK_QUALITIES = _src(f"{_TYPES}image_generate_params.py (quality)",
                     "low, medium, high, auto for GPT image models; xhigh and max for the 2.5 models and their "
                     "2026-09-08 snapshots; standard/hd only for retired DALL·E")
SDK_FORMATS = _src(f"{_TYPES}image_generate_params.py (output_format, background, output_compression)",
                   "png, webp, jpeg; transparent needs png or webp; output_compression 0-100 for jpeg/webp")
SDK_GIF_SVG = _src(
    f"{_TYPES}image_generate_params.py, image_edit_params.py (output_format, frame_count, frame_duration_ms, svg)",
    "gif: frame_count 2-16 (default 9), frame_duration_ms default 200, rounded to 10 ms, capped at 655,350; "
    "no streaming, partial images, masks or custom output_compression; 'requires access to the GIF preview "
    "for the selected model'. svg: n=1, no streaming, partial images or output_compression; svg.model when "
    "model selection is enabled; svg.reasoning.effort none..max. The SDK does not say which models")
THIRD_PARTY_26 = _src(
    "https://docs.laozhang.ai/en/api-capabilities/gpt-image-2-6 ; "
    "https://docs.comfy.org/built-in-nodes/OpenAIGPTImageGIFNode",
    "GIF and SVG output and complexity are new in GPT Image 2.6 (gpt-image-2.6-flare, -sunburst). "
    "Conservative reading: only the 2.6 models take them (others refuse)", kind=THIRD_PARTY, verified=False)
THIRD_PARTY_GIF_BUDGET = _src(
    "https://docs.apiyi.com/en/live/2026-11/gpt-image-2-6-gif-size-table",
    "measured: frames share an 8,294,400-pixel budget (square frames up to 960 for 2-9 frames, 816 for "
    "10-12, 720 for 13-16: width x height x frames), a floor 'around 655,360', multiples of 16; OpenAI "
    "publishes no numbers ('the model's GIF size limits'). Declared as that budget and floor",
    kind=THIRD_PARTY, verified=False)
SDK_COMPLEXITY = _src(f"{_TYPES}image_generate_params.py, image_edit_params.py (complexity)",
                      "low, medium, high: planning effort independent of quality; the model's default when omitted")
SDK_OPTIONS = _src(f"{_TYPES}image_generate_params.py (safety_identifier, user, moderation, partial_images, stream)",
                   "safety_identifier (user deprecated), moderation low/auto, partial_images 0-3, n 1-10, "
                   "prompt up to 32000 characters")
SDK_MARKUP = _src(f"{_TYPES}image_edit_params.py (markup)",
                  "a transparent PNG over the first image, same dimensions, with transparent pixels; GPT Image "
                  "2.5; cannot be combined with mask")
SDK_FIDELITY = _src(f"{_TYPES}image_edit_params.py (input_fidelity)",
                    "high and low on gpt-image-1.5; gpt-image-1-mini only low; omit for gpt-image-2")
SDK_TRANSPARENCY = _src(f"{_TYPES}image_generate_params.py (background)",
                        "transparent backgrounds on gpt-image-2 and gpt-image-2-2026-04-21 are a preview: declared "
                        "as a feature-preview notice")
SDK_26_SPARSE = _src(f"{_TYPES}image_generate_params.py (model, size, quality)",
                     "the SDK names the 2.6 models but documents for them only the standard sizes and qualities; "
                     "third-party pages claim larger sizes, not declared until OpenAI documents them")
ACTIVE = _src(f"{_TYPES}image_generate_params.py, image_edit_params.py (model)",
              "listed as a supported model with no deprecation, and not on OpenAI's deprecations page")
LIFECYCLE_CHECKED = dt.date(2026, 12, 2)
DEPRECATIONS_2026_12_01 = Source(
    where="https://developers.openai.com/api/docs/deprecations (Upcoming deprecations; the 2026-06-02 GPT "
          "Image model deprecations)",
    checked=LIFECYCLE_CHECKED, kind=OFFICIAL,
    note="gpt-image-1-mini, gpt-image-1.5 (and gpt-image-1.5-2025-12-16) and chatgpt-image-latest: deprecated, "
         "notice 2026-06-02, shutdown 2026-12-01, recommended replacement gpt-image-2.6-sunburst or "
         "gpt-image-2.6-flare. Sources disagree on the replacement only: a dev.to digest says the 2.5 models, "
         "aiweekly.co says gpt-image-2; OpenAI's page is chosen. The openai SDK 3.57 still lists the three as "
         "supported (its docstrings lag the page); a merged MicrosoftDocs/azure-ai-docs PR (#833) aligns "
         "Azure's gpt-image-1.5 retirement to 2026-12-16, so Azure deployments may serve it a little longer")
DEFAULT_CHOICE = Source(
    where="tryon (choice between the two replacements OpenAI names)", checked=LIFECYCLE_CHECKED, kind=INFERRED,
    note="tryon's default is gpt-image-2.6-sunburst, the first replacement OpenAI lists and the variant "
         "third-party launch notes (docs.apiyi.com, docs.laozhang.ai, 2026-11-05) describe as the detail and "
         "edit-consistency one; gpt-image-2.6-flare is the fast one")
GPT1_LIFE = _src(f"{_TYPES}image_model.py, image_generate_params.py (model)",
                 "'GPT Image 1 was shut down on October 23, 2026. Use gpt-image-2.5-sunburst or gpt-image-2.5-flare'")
FIDELITY_LATEST = _src(f"{_TYPES}image_edit_params.py (image, input_fidelity)",
                       "the SDK says chatgpt-image-latest 'follows the same input constraints as GPT image models' "
                       "but names input_fidelity values only for gpt-image-1.5 and gpt-image-1-mini; high/low kept "
                       "as for gpt-image-1.5, which it tracks", verified=False)
INFERRED_SNAPSHOT = _src("tryon (inferred from the SDK)",
                         "a dated snapshot takes what the SDK documents for its alias, which it names together",
                         kind=INFERRED)


def _price(model: str) -> Source | tuple[Source, ...]:
    """The sources of *model*'s declared price (:data:`~tryon_openai.pricing.PRICES`), or why it has none."""
    price = pricing.PRICES.get(model)
    if price is None:
        return _src("plugins/tryon_openai/pricing.py", "no published token price found: estimates and costs are "
                    "None, never a guess", kind=INFERRED, verified=False)
    return price.sources


def provenance(model: str) -> Provenance:
    """The sources of every fact group of *model*'s declaration."""
    v2 = model.startswith("gpt-image-2") and not model.startswith(("gpt-image-2.5", "gpt-image-2.6"))
    v25 = model.startswith("gpt-image-2.5")
    v26 = model.startswith("gpt-image-2.6")
    snapshot = model.endswith(("-2026-04-21", "-2026-09-08"))
    if v2 or v25:
        sizes: tuple[Source, ...] = (SDK_ARBITRARY, THIRD_PARTY_PIXELS)
    elif v26:
        sizes = (SDK_STANDARD_SIZES, SDK_26_SPARSE)
    else:
        sizes = (SDK_STANDARD_SIZES,)
    if model == "gpt-image-1":
        life: tuple[Source, ...] = (GPT1_LIFE,)
    elif model in ("gpt-image-1-mini", "gpt-image-1.5", "chatgpt-image-latest"):
        life = (DEPRECATIONS_2026_12_01,)
    elif model == "gpt-image-2.6-sunburst":
        life = (ACTIVE, DEFAULT_CHOICE)
    else:
        life = (ACTIVE,)
    options: tuple[Source, ...] = (SDK_OPTIONS,)
    if v25:
        options += (SDK_MARKUP,)
    if v26:
        options += (SDK_COMPLEXITY, SDK_GIF_SVG, THIRD_PARTY_26)
    formats: tuple[Source, ...] = (SDK_FORMATS,) + ((SDK_GIF_SVG, THIRD_PARTY_26) if v26 else ())
    facts: dict[str, Source | tuple[Source, ...]] = {
        "*": SDK_PARAMS,
        "model": (SDK_MODEL, INFERRED_SNAPSHOT) if snapshot else SDK_MODEL,
        "lifecycle": life,
        "sizes": sizes,
        "max_resolution": sizes,
        "qualities": SDK_QUALITIES,
        "inputs": (SDK_EDIT_INPUTS,),
        "inputs_when": OPENAPI_JSON_EDIT,
        "max_input_images": SDK_EDIT_INPUTS,
        "mask": SDK_EDIT_INPUTS,
        "input_fidelity": FIDELITY_LATEST if model == "chatgpt-image-latest" else SDK_FIDELITY,
        "output_formats": formats,
        "output_compression": SDK_FORMATS,
        "transparent_background": (SDK_FORMATS, SDK_TRANSPARENCY) if v2 else SDK_FORMATS,
        "options": options,
        "moderation": (SDK_OPTIONS, OPENAPI_JSON_EDIT),
        "max_prompt_length": SDK_OPTIONS,
        "max_images_per_call": SDK_OPTIONS,
        "streaming": SDK_OPTIONS,
        "max_partial_images": SDK_OPTIONS,
        "price": _price(model),
    }
    if v2:
        facts["advisories"] = SDK_TRANSPARENCY
    if v26:
        facts["format_sizes"] = (SDK_GIF_SVG, THIRD_PARTY_GIF_BUDGET)
        facts["budgets"] = THIRD_PARTY_GIF_BUDGET
        facts["advisories"] = SDK_GIF_SVG
        facts["unstreamable_formats"] = SDK_GIF_SVG
        facts["rules"] = (SDK_FORMATS, SDK_GIF_SVG)
    elif v25:
        facts["rules"] = (SDK_FORMATS, SDK_MARKUP)
    else:
        facts["rules"] = SDK_FORMATS
    return Provenance(facts)

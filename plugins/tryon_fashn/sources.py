"""Where each FASHN fact comes from: FASHN's API reference, its official Python SDK, dated."""

from __future__ import annotations

from tryon.provenance import Provenance, Source, SourceKind

__all__ = ["CHECKED", "SDK", "max_sources", "v16_sources"]

CHECKED = "2026-12-02"
SDK = "fashn 0.9.0 (PyPI, FASHN's official Python SDK, generated from its OpenAPI spec) fashn/types/"
_V16 = "https://docs.fashn.ai/api-reference/tryon-v1-6"
_MAX = "https://docs.fashn.ai/api-reference/tryon-max"
_FUNDAMENTALS = "https://docs.fashn.ai/api-overview/api-fundamentals"
_GUIDE = "https://docs.fashn.ai/guides/api-parameters-guide"
_FAL = "https://fal.ai/models/fal-ai/fashn/tryon/v1.6/llms.txt"


def _sdk(path: str, note: str) -> Source:
    return Source(where=f"{SDK}{path}", checked=CHECKED, note=note)


def _seed() -> tuple[Source, ...]:
    return (_sdk("prediction_run_params.py seed", "an int without a stated range"),
            Source(where=_FAL, checked=CHECKED, kind=SourceKind.THIRD_PARTY, verified=False,
                   note="fal.ai's copy of the v1.6 schema; tryon refuses seeds outside 0..2**32-1 as the "
                        "conservative reading (no FASHN page read gives the range)"))


def v16_sources() -> Provenance:
    return Provenance({
        "model": (Source(where=_V16, checked=CHECKED, note="model_name tryon-v1.6, POST /v1/run, lifecycle stable"),
                  _sdk("prediction_run_params.py TryOnRequest", "model_name Literal['tryon-v1.6']")),
        "lifecycle": Source(where=_V16, checked=CHECKED, note="Lifecycle: stable"),
        "try_on": (
            _sdk("prediction_run_params.py TryOnRequestInputs",
                 "category auto|tops|bottoms|one-pieces; mode performance|balanced|quality; garment_photo_type "
                 "auto|flat-lay|model; one model_image and one garment_image; no prompt, no mask"),
            Source(where=_GUIDE, checked=CHECKED,
                   note="tops: upper-body garments (shirts, blouses); bottoms: lower body (pants, skirts); "
                        "one-pieces: single-piece garments or full outfits"),
            Source(where=_GUIDE, checked=CHECKED, kind=SourceKind.INFERRED, verified=False,
                   note="outerwear (jackets, coats) is sent as tops: FASHN's tops are upper-body garments and "
                        "it has no outerwear category; footwear and accessories are refused"),
        ),
        "max_images_per_call": _sdk("prediction_run_params.py num_samples", "Number of images ... (1-4)"),
        "output_formats": _sdk("prediction_run_params.py output_format", "png | jpeg"),
        "moderation": _sdk("prediction_run_params.py moderation_level", "conservative | permissive | none"),
        "seed": _seed(),
        "seed_range": _seed(),
        "sizes": Source(where=_V16, checked=CHECKED,
                        note="Processing Resolution: 864x1296; no output size parameter"),
        "inputs": Source(where=_V16, checked=CHECKED,
                         note="image URL or base64 with the data:image/<format>;base64, prefix"),
        "options": _sdk("prediction_run_params.py TryOnRequestInputs",
                        "segmentation_free (default true), return_base64"),
        "provider_options": _sdk("prediction_run_params.py TryOnRequestInputs",
                                 "segmentation_free: bool, return_base64: bool"),
        "operations": Source(where=_V16, checked=CHECKED, note="virtual try-on only"),
        "max_input_images": _sdk("prediction_run_params.py TryOnRequestInputs",
                                 "model_image and garment_image: two images"),
        "max_resolution": Source(where=_V16, checked=CHECKED, note="Processing Resolution: 864x1296"),
    })


def max_sources() -> Provenance:
    return Provenance({
        "model": (Source(where=_MAX, checked=CHECKED, note="model_name tryon-max, POST /v1/run"),
                  _sdk("prediction_run_params.py TryOnMaxRequest", "model_name Literal['tryon-max']")),
        "lifecycle": Source(where=_MAX, checked=CHECKED, note="Lifecycle: experimental (no shutdown announced)"),
        "try_on": (
            _sdk("prediction_run_params.py TryOnMaxRequestInputs",
                 "model_image and product_image; optional prompt; generation_mode balanced|quality; no category, "
                 "no garment_photo_type, no mask"),
            Source(where=_MAX, checked=CHECKED,
                   note="supports clothing, shoes, hats, jewelry, bags, and other wearable fashion items"),
        ),
        "max_images_per_call": _sdk("prediction_run_params.py num_images", "Number of images ... (1-4)"),
        "output_formats": _sdk("prediction_run_params.py output_format", "png | jpeg"),
        "aspect_ratios": _sdk("prediction_run_params.py aspect_ratio",
                              "21:9 1:1 4:3 3:2 2:3 5:4 4:5 3:4 16:9 9:16"),
        "seed": _seed(),
        "seed_range": _seed(),
        "sizes": _sdk("prediction_run_params.py resolution", "1k | 2k | 4k (the resolution option); no WxH"),
        "inputs": Source(where=_MAX, checked=CHECKED,
                         note="image URL or base64 with the data:image/<format>;base64, prefix"),
        "options": _sdk("prediction_run_params.py TryOnMaxRequestInputs", "resolution, return_base64"),
        "provider_options": _sdk("prediction_run_params.py TryOnMaxRequestInputs",
                                 "resolution: 1k | 2k | 4k, return_base64: bool"),
        "operations": Source(where=_MAX, checked=CHECKED, note="virtual try-on only"),
        "max_input_images": _sdk("prediction_run_params.py TryOnMaxRequestInputs",
                                 "model_image and product_image: two images"),
        "max_resolution": Source(where=_MAX, checked=CHECKED, note="Supported Resolution: up to 4K"),
    })


#: The protocol facts (client and emulator), for the docs.
PROTOCOL = (
    Source(where=_FUNDAMENTALS, checked=CHECKED,
           note="POST /v1/run {model_name, inputs} -> {id, error}; GET /v1/status/{id}; statuses starting, "
                "in_queue, processing, completed, failed; CDN outputs 72 h, base64 outputs 60 min"),
    _sdk("prediction_status_response.py", "statuses also canceled and time_out; error {name, message} with "
                                          "the names ImageLoadError ... PollingTimeout"),
    Source(where="https://docs.fashn.ai/api-overview/error-handling", checked=CHECKED,
           note="API-level errors {error, message}: 400 BadRequest, 401 UnauthorizedAccess, 404 NotFound, 429 "
                "RateLimitExceeded / ConcurrencyLimitExceeded / OutOfCredits, 500 InternalServerError"),
    Source(where=f"{SDK[:-len('fashn/types/')]}fashn/resources/predictions.py", checked=CHECKED,
           note="credits used in the x-fashn-credits-used header of the final status answer"),
)

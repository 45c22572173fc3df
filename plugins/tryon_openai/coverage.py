"""How the plugin covers the SDK's image parameters: every parameter and ``Literal`` value of
``images.generate``/``images.edit`` is either supported (and sent) or listed here as deliberately
unsupported, with the reason. The drift guards in ``tests/plugins/openai`` compare this with the
installed SDK, so a new SDK parameter or value fails the suite until it is decided on.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tryon.request import BACKGROUNDS

from .models import COMPLEXITIES, MODELS, RETIRED, SVG_EFFORTS

__all__ = ["PARAMS", "UNSUPPORTED_PARAMS", "UNSUPPORTED_VALUES", "supported_values"]

PARAMS: Mapping[str, str] = MappingProxyType({
    "prompt": "the prompt",
    "model": "the model id (the deployment on Azure)",
    "image": "the edit's input images, uploaded as files",
    "mask": "the edit mask (tryon's black = edit converted to OpenAI's transparent = edit)",
    "markup": "option markup (GPT Image 2.5), an overlay image",
    "background": "background",
    "complexity": "option complexity (GPT Image 2.6)",
    "frame_count": "option frame_count (GIF output, GPT Image 2.6)",
    "frame_duration_ms": "option frame_duration_ms (GIF output, GPT Image 2.6)",
    "input_fidelity": "input_fidelity (edits)",
    "moderation": "moderation (on edits through the JSON form)",
    "n": "n (split into calls of at most 10)",
    "output_compression": "output_compression",
    "output_format": "output_format",
    "partial_images": "partial_images (streaming)",
    "quality": "quality",
    "safety_identifier": "option safety_identifier",
    "user": "option user (deprecated by OpenAI in favour of safety_identifier)",
    "size": "size",
    "svg": "option svg: {'model': ..., 'reasoning': {'effort': ...}} (SVG output, GPT Image 2.6)",
    "stream": "tryon.stream() / Router.stream()",
})
"""SDK parameter -> what in a tryon request becomes it."""

UNSUPPORTED_PARAMS: Mapping[str, str] = MappingProxyType({
    "response_format": "legacy parameter of the retired DALL·E models; GPT image models always return base64",
    "style": "legacy parameter of the retired DALL·E models; describe the style in the prompt",
})

_DALLE_SIZE = "a legacy DALL·E size the SDK keeps for compatibility; no GPT image model accepts it"
UNSUPPORTED_VALUES: Mapping[str, Mapping[object, str]] = MappingProxyType({
    "quality": {"standard": "DALL·E only (retired 2026-05-12)", "hd": "DALL·E only (retired 2026-05-12)"},
    "size": {size: _DALLE_SIZE for size in ("256x256", "512x512", "1792x1024", "1024x1792")},
    "model": {name: retired.reason for name, retired in RETIRED.items()},
    **{name: {"*": reason} for name, reason in UNSUPPORTED_PARAMS.items()},
})
"""Parameter -> Literal value -> why tryon does not send it (``"*"``: no value of it)."""


def supported_values(param: str) -> frozenset[object]:
    """The values of *param* that at least one declared model accepts."""
    caps = list(MODELS.values())
    if param == "quality":
        return frozenset().union(*(c.qualities for c in caps))
    if param == "output_format":
        return frozenset().union(*(c.output_formats for c in caps))
    if param == "moderation":
        return frozenset().union(*(c.moderation for c in caps))
    if param == "input_fidelity":
        return frozenset().union(*(c.input_fidelity for c in caps))
    if param == "size":
        return frozenset().union(*(c.sizes.exact for c in caps)) | (
            {"auto"} if any(c.sizes.auto for c in caps) else set())
    if param == "background":
        return frozenset(BACKGROUNDS)
    if param == "complexity":
        return COMPLEXITIES
    if param == "svg.reasoning.effort":
        return frozenset(SVG_EFFORTS)
    if param == "stream":
        return frozenset({True, False})
    if param == "model":
        return frozenset(MODELS)
    return frozenset()

"""What each Acme model can do, as data."""

from __future__ import annotations

import attrs

import tryon
from tryon.pricing import PerImage, Price
from tryon.provenance import Source


@attrs.frozen(kw_only=True)
class AcmeOptions:
    """Acme-specific options; the validators run before any request."""

    style: str | None = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.in_({"photo", "sketch"})))


MODELS = {
    "acme-1": tryon.Capabilities(
        operations={"generate", "edit"},
        transparent_background=False,
        mask=False,
        input_fidelity=frozenset(),
        max_input_images=4,
        max_images_per_call=1,  # n > 1 fans out into parallel calls in the core
        sizes=tryon.Sizes.fixed("512x512", "1024x1024"),
        output_formats={"png", "jpeg"},
        inputs=tryon.InputLimits(accepted_types={"image/png", "image/jpeg"}, max_bytes=10 * 2**20, max_count=4),
        defaults={"output_format": "png"},
        provider_options=AcmeOptions,
        sources=tryon.Provenance({
            "*": tryon.Source(where="https://docs.acme.example/models/acme-1", checked="2026-11-30",
                              note="the model page: operations, sizes, formats, defaults"),
            "inputs": tryon.Source(where="acme-sdk 2.1, acme/types/edit_params.py", checked="2026-11-30",
                                   verified=False, note="the docs give no byte limit; the SDK's 10 MiB is kept"),
        }),
        price=Price(rates=PerImage(flat=0.02), sources=Source(where="https://acme.example/pricing",
                                                             checked="2026-12-01")),
    ),
}

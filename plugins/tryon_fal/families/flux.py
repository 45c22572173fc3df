"""The FLUX endpoints fal hosts: FLUX.1 [dev]/[schnell], FLUX1.1 [pro] and Ultra, Kontext [pro]/[max],
FLUX.2 [pro] and FLUX.1 Fill [pro].

fal's schemas (``FluxDevInput``, ``FluxProV11Input``, ``FluxProKontextInput``, ``Flux2ProInput``,
``FluxProV1FillInput``, ...). Size rules beyond fal's schemas are the conservative readings of
Black Forest Labs' own rules for the same models (BFL's vendored OpenAPI in ``tryon_flux``).
"""

from __future__ import annotations

from typing import Any

import attrs

from tryon.capabilities import Capabilities, Operation
from tryon.option_validators import int_in, number_in, one_of, optional_bool, text_of
from tryon.pricing import PerImage, PerMegapixel, Price
from tryon.sizes import SizeRule, Sizes
from tryon.vto.composition import with_composition

from .. import sources as src
from ..endpoints import PRESETS, Endpoint, FalModel
from .common import data_uri_inputs, inputs

__all__ = ["MODELS"]

RATIOS = ("21:9", "16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "9:21")
_FORMATS = frozenset({"jpeg", "png"})
_JPEG = {"output_format": "jpeg"}
_BFL = "plugins/tryon_flux/openapi/bfl-openapi-2026-04-23.json (BFL's own rules for the model fal forwards to)"
_PRICES = "https://skillspool.org/zh/skills/joernstoehler-dnd-claude-code-claude-skills-fal-flux-prompting-skill-md"
_PRICES_2 = "https://oauth.openai-hk.com/docs/en/lab/fal-ai.html (a reseller quoting fal's official prices)"


def _tolerance(levels: int) -> Any:
    return attrs.field(default=None, converter=text_of, validator=one_of(tuple(str(i) for i in range(1, levels + 1))))


def _options(name: str, doc: str, **fields: Any) -> type:
    cls = attrs.make_class(name, fields, frozen=True, kw_only=True)
    cls.__doc__ = doc
    return cls


def _dev_options(name: str, steps: int) -> type:
    return _options(name, f"num_inference_steps 1-{steps}, guidance_scale 1-20, acceleration (none, regular, high), "
                          "enable_safety_checker.",
                    num_inference_steps=attrs.field(default=None, validator=int_in(1, steps)),
                    guidance_scale=attrs.field(default=None, validator=number_in(1, 20)),
                    acceleration=attrs.field(default=None, validator=one_of(("none", "regular", "high"))),
                    enable_safety_checker=attrs.field(default=None, validator=optional_bool))


FluxDevOptions = _dev_options("FluxDevOptions", 50)
FluxSchnellOptions = _dev_options("FluxSchnellOptions", 12)
FluxProOptions = _options("FluxProOptions", "safety_tolerance 1 (strictest) to 6, as a number or text; "
                                            "enhance_prompt.",
                          safety_tolerance=_tolerance(6),
                          enhance_prompt=attrs.field(default=None, validator=optional_bool))
UltraOptions = _options("UltraOptions", "safety_tolerance 1-6, enhance_prompt, raw (less processed look).",
                        safety_tolerance=_tolerance(6),
                        enhance_prompt=attrs.field(default=None, validator=optional_bool),
                        raw=attrs.field(default=None, validator=optional_bool))
KontextOptions = _options("KontextOptions", "guidance_scale 1-20, safety_tolerance 1-6, enhance_prompt.",
                          guidance_scale=attrs.field(default=None, validator=number_in(1, 20)),
                          safety_tolerance=_tolerance(6),
                          enhance_prompt=attrs.field(default=None, validator=optional_bool))
Flux2ProOptions = _options("Flux2ProOptions", "safety_tolerance 1 (strictest) to 5, enable_safety_checker.",
                           safety_tolerance=_tolerance(5),
                           enable_safety_checker=attrs.field(default=None, validator=optional_bool))


def _per_mp(rate: float, extra: float, inputs_billed: bool, note: str) -> Price:
    return Price(rates=PerMegapixel(first_mp=rate, extra_mp=extra, inputs=inputs_billed), upper_bound=False,
                 approximation="fal's rate is quoted by third parties, not read on fal's page",
                 sources=(src.third_party(_PRICES, note), src.third_party(_PRICES_2, note)))


def _flat(usd: float, note: str) -> Price:
    return Price(rates=PerImage(flat=usd), upper_bound=False,
                 approximation="fal's rate is quoted by third parties, not read on fal's page",
                 sources=src.third_party(_PRICES_2, note))


def _common(endpoint: str, formats_note: str = "output_format jpeg|png (default jpeg)") -> dict[str, Any]:
    return {
        "model": src.listed(endpoint), "lifecycle": src.listed(endpoint),
        "output_formats": (src.schema(endpoint, formats_note),),
        "seed": src.schema(endpoint, "seed: integer or null"),
    }


def _dev(endpoint: str, options: type, steps: str, price: Price) -> FalModel:
    caps = Capabilities(
        operations={Operation.GENERATE}, max_images_per_call=4,
        sizes=Sizes.any(SizeRule(multiple_of=16, min_edge=256, max_edge=2048), standard=PRESETS.values()),
        output_formats=_FORMATS, defaults=_JPEG, seed=True, provider_options=options, price=price,
        sources=src.Provenance({
            **_common(endpoint),
            "sizes": (src.schema(endpoint, "image_size: ImageSize {width, height} (each at most 14142) or a preset "
                                           "(default landscape_4_3)"),
                      src.inferred(endpoint, "multiples of 16 from 256 to 2048 px per edge: FLUX's latent grid and "
                                             "the conservative reading of the schema's 14142")),
            "max_images_per_call": src.schema(endpoint, "num_images 1-4 (default 1)"),
            "options": src.schema(endpoint, steps),
        }),
    )
    return FalModel(model_id=endpoint, capabilities=caps, generate=Endpoint(path=endpoint))


def _kontext(base: str, t2i: str, price: Price) -> FalModel:
    caps = Capabilities(
        operations={Operation.GENERATE, Operation.EDIT}, max_images_per_call=4, max_input_images=1,
        sizes=Sizes.ratios(*RATIOS), aspect_ratios=RATIOS, output_formats=_FORMATS, defaults=_JPEG, seed=True,
        inputs=inputs(1), provider_options=KontextOptions, price=price, max_resolution="about 1 MP",
        sources=src.Provenance({
            **_common(base),
            "sizes": src.schema(t2i, f"aspect_ratio {', '.join(RATIOS)} (default 1:1; edits keep the input's when "
                                     "unset); no pixel size"),
            "aspect_ratios": src.schema(base, "aspect_ratio enum or null"),
            "max_input_images": src.schema(base, "image_url: one image (several go to .../multi, not declared)"),
            "max_images_per_call": src.schema(base, "num_images 1-4 (default 1)"),
            "inputs": data_uri_inputs(),
            "options": src.schema(base, "guidance_scale 1-20 (default 3.5), safety_tolerance '1'-'6' (default '2'), "
                                        "enhance_prompt"),
        }),
    )
    return FalModel(model_id=base, capabilities=caps, generate=Endpoint(path=t2i, size="aspect_ratio"),
                    edit=Endpoint(path=base, images="image_url", single_image=True, size="aspect_ratio"))


PRO, ULTRA, FILL = "fal-ai/flux-pro/v1.1", "fal-ai/flux-pro/v1.1-ultra", "fal-ai/flux-pro/v1/fill"
FLUX2, FLUX2_EDIT = "fal-ai/flux-2-pro", "fal-ai/flux-2-pro/edit"

_PRO = Capabilities(
    operations={Operation.GENERATE}, max_images_per_call=4,
    sizes=Sizes.any(SizeRule(multiple_of=32, min_edge=256, max_edge=1440), standard=PRESETS.values()),
    output_formats=_FORMATS, defaults=_JPEG, seed=True, provider_options=FluxProOptions,
    sources=src.Provenance({
        **_common(PRO),
        "sizes": (src.schema(PRO, "image_size: ImageSize or a preset (default landscape_4_3)"),
                  src.inferred(_BFL, "FluxPro11Inputs: width and height 256-1440 in multiples of 32")),
        "max_images_per_call": src.schema(PRO, "num_images 1-4 (default 1)"),
        "options": src.schema(PRO, "safety_tolerance '1'-'6' (default '2'), enhance_prompt"),
        "price": src.third_party(_PRICES, "quotes disagree ($0.04 per image, $0.055 per MP): not declared"),
    }),
)

_ULTRA = Capabilities(
    operations={Operation.GENERATE}, max_images_per_call=4,
    sizes=Sizes.ratios(*RATIOS), aspect_ratios=RATIOS, output_formats=_FORMATS, defaults=_JPEG, seed=True,
    provider_options=UltraOptions, price=_flat(0.06, "fal-ai/flux-pro/v1.1-ultra $0.06 per image"),
    max_resolution="about 4 MP",
    sources=src.Provenance({
        **_common(ULTRA),
        "sizes": src.schema(ULTRA, f"aspect_ratio {', '.join(RATIOS)} (default 16:9); about 4 MP"),
        "aspect_ratios": src.schema(ULTRA, "aspect_ratio enum (the schema also takes free text: not used)"),
        "max_images_per_call": src.schema(ULTRA, "num_images 1-4 (default 1)"),
        "options": src.schema(ULTRA, "safety_tolerance '1'-'6', enhance_prompt, raw"),
    }),
)

_FLUX2_RULE = SizeRule(multiple_of=16, min_edge=256, max_pixels=4_194_304)
_FLUX2 = with_composition(Capabilities(  # try-on by composition over the multi-reference edit (docs/try-on.md)
    operations={Operation.GENERATE, Operation.EDIT}, max_input_images=8,
    sizes=Sizes.any(_FLUX2_RULE, standard=PRESETS.values()), output_formats=_FORMATS, defaults=_JPEG, seed=True,
    inputs=inputs(8), provider_options=Flux2ProOptions,
    price=_per_mp(0.03, 0.015, True, "FLUX.2 [pro] fal-ai/flux-2-pro $0.03 first MP + $0.015 per extra MP"),
    sources=src.Provenance({
        **_common(FLUX2),
        "sizes": (src.schema(FLUX2, "image_size: ImageSize or a preset (default landscape_4_3; edit: auto)"),
                  src.inferred("plugins/tryon_flux/sources.py (help.bfl.ai)", "BFL's FLUX.2 rule: multiples of 16, "
                               "edges from 256, at most 4 MP")),
        "max_input_images": (src.schema(FLUX2_EDIT, "image_urls: a list with no maximum in the schema"),
                             src.inferred("https://docs.bfl.ai/guides/prompting_editing_overview",
                                          "BFL: FLUX.2 [pro] takes up to 8 reference images")),
        "max_images_per_call": src.schema(FLUX2, "no num_images field: one image per request"),
        "inputs": data_uri_inputs(),
        "options": src.schema(FLUX2, "safety_tolerance '1'-'5' (default '2'), enable_safety_checker"),
    }),
))

FillOptions = _options("FillOptions", "safety_tolerance 1-6, enhance_prompt.",
                       safety_tolerance=_tolerance(6),
                       enhance_prompt=attrs.field(default=None, validator=optional_bool))
_FILL = Capabilities(
    operations={Operation.EDIT}, mask=True, mask_required=True, max_input_images=1, max_images_per_call=4,
    sizes=Sizes(auto=True), output_formats=_FORMATS, defaults=_JPEG, seed=True, inputs=inputs(1),
    provider_options=FillOptions, max_resolution="input size",
    sources=src.Provenance({
        **_common(FILL),
        "mask": (src.described(FILL, "mask_url required; 'Needs to match the dimensions of the input image'"),
                 src.inferred(_BFL, "FluxProFillInputs: white = fill, black = keep (fal forwards to BFL)")),
        "sizes": src.schema(FILL, "no size field: the output keeps the input's size"),
        "max_input_images": src.schema(FILL, "image_url: one image"),
        "max_images_per_call": src.schema(FILL, "num_images 1-4 (default 1)"),
        "inputs": data_uri_inputs(),
        "options": src.schema(FILL, "safety_tolerance '1'-'6' (default '2'), enhance_prompt"),
        "price": src.third_party(_PRICES_2, "no quote found for fal-ai/flux-pro/v1/fill: not declared"),
    }),
)


MODELS = (
    _dev("fal-ai/flux/dev", FluxDevOptions, "num_inference_steps 1-50 (default 28), guidance_scale 1-20 (default "
         "3.5), acceleration none|regular|high, enable_safety_checker",
         _per_mp(0.025, 0.025, False, "FLUX.1 [dev] fal-ai/flux/dev $0.025 per MP, rounded up to the next MP")),
    _dev("fal-ai/flux/schnell", FluxSchnellOptions, "num_inference_steps 1-12 (default 4), guidance_scale 1-20, "
         "acceleration, enable_safety_checker",
         _per_mp(0.003, 0.003, False, "FLUX.1 [schnell] fal-ai/flux/schnell $0.003 per MP, rounded up")),
    FalModel(model_id=PRO, capabilities=_PRO, generate=Endpoint(path=PRO)),
    FalModel(model_id=ULTRA, capabilities=_ULTRA, generate=Endpoint(path=ULTRA, size="aspect_ratio")),
    _kontext("fal-ai/flux-pro/kontext", "fal-ai/flux-pro/kontext/text-to-image",
             _flat(0.04, "fal-ai/flux-pro/kontext and .../text-to-image $0.04 per image")),
    _kontext("fal-ai/flux-pro/kontext/max", "fal-ai/flux-pro/kontext/max/text-to-image",
             _flat(0.08, "fal-ai/flux-pro/kontext/max and .../text-to-image $0.08 per image")),
    FalModel(model_id=FLUX2, capabilities=_FLUX2, generate=Endpoint(path=FLUX2, n=None),
             edit=Endpoint(path=FLUX2_EDIT, images="image_urls", n=None)),
    FalModel(model_id=FILL, capabilities=_FILL,
             edit=Endpoint(path=FILL, images="image_url", single_image=True, mask="mask_url", size=None)),
)

"""FLUX models behind the tryon protocol: requests become BFL bodies, tasks become results."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from tryon.capabilities import Capabilities
from tryon.errors import InvalidOptionError, Problem
from tryon.media.inputs import InputImage
from tryon.media.masks import mask_to_white_edit
from tryon.notice import Notice
from tryon.request import EditRequest, GenerateRequest, Request, TryOnRequest
from tryon.results import GeneratedImage, Generation, Usage
from tryon.sizes import aspect_ratio_of, parse_ratio, parse_size

from .client import BFLClient
from .models import KONTEXT_RATIOS, FluxModel
from .settings import PROVIDER, BFLSettings

__all__ = ["VTO_PROMPT", "FluxGenerator", "vto_prompt"]


def _image_fields(images: tuple[InputImage, ...]) -> dict[str, str]:
    """``input_image``, ``input_image_2``, ... as base64 of the prepared bytes, in order."""
    return {
        ("input_image" if i == 1 else f"input_image_{i}"): image.to_base64()
        for i, image in enumerate(images, start=1)
    }


VTO_PROMPT = "The person of image 1, maintaining exactly their face and pose, wearing the {garment} of image 2."
"""BFL's prompt formula for FLUX VTO (docs.bfl.ai/flux_tools/flux_vto), used when a try-on has no prompt."""


def vto_prompt(category: str | None) -> str:
    """:data:`VTO_PROMPT` for a garment of *category* (tryon's word, ``-`` read as a space; none: "garments")."""
    words = {"one-piece": "one-piece outfit", "bottom": "bottoms"}
    garment = "garments" if category is None else words.get(category, category.replace("-", " "))
    return VTO_PROMPT.format(garment=garment)


class FluxGenerator:
    """One FLUX model (``flux-2-pro``, ``flux-kontext-max``, ``flux-pro-1.0-fill``, ...) on the BFL API."""

    provider = PROVIDER

    def __init__(self, model_id: str, model: FluxModel, settings: BFLSettings | None = None) -> None:
        self.model_id = model_id
        self.family = model.family
        self._model = model
        self.settings = settings or BFLSettings()

    @property
    def capabilities(self) -> Capabilities:
        return self._model.capabilities

    def __repr__(self) -> str:
        return f"FluxGenerator({self.model_id!r})"

    def configure(self, **settings: Any) -> FluxGenerator:
        """A copy with these settings (``api_key``, ``base_url``, ``timeout``, ``poll_interval``, ...)."""
        return FluxGenerator(self.model_id, self._model, BFLSettings.build(self.settings, **settings))

    def check_credentials(self) -> None:
        """Raise ``MissingCredentialsError`` when no API key is configured (nothing is sent)."""
        self.settings.resolved_key()

    # ------------------------------------------------------------------ request translation

    def body(self, request: Request) -> tuple[dict[str, Any], list[Notice]]:
        """The JSON body for *request*, and notices about how options were mapped."""
        notices: list[Notice] = []
        body: dict[str, Any] = {"prompt": request.prompt}
        if self.family == "erase":  # FLUX Erase takes no prompt: the mask alone says what goes
            del body["prompt"]
            notices.append(Notice("prompt-not-sent", f"{self.model_id} takes no prompt: the mask alone "
                                  "marks what is removed; the prompt was not sent", option="prompt"))
        if request.seed is not None:
            body["seed"] = request.seed
        if request.output_format is not None:
            body["output_format"] = request.output_format
        body.update(request.provider_options_dict())
        if self.family == "flux2":
            wh = parse_size(request.size or "")
            if wh is not None:
                body["width"], body["height"] = wh
        elif self.family == "kontext":
            ratio, notice = self._kontext_ratio(request)
            if ratio is not None:
                body["aspect_ratio"] = ratio
            notices.extend([notice] if notice else [])
        if isinstance(request, EditRequest):
            body.update(self._inputs(request))
        elif isinstance(request, TryOnRequest):
            body.update(self._try_on_fields(request, notices))
        return body, notices

    def _try_on_fields(self, request: TryOnRequest, notices: list[Notice]) -> dict[str, str]:
        """FLUX VTO's ``person`` and ``garment`` (base64) and its ``prompt``: the caller's, sent as it is
        (BFL's prompts name the inputs "image 1" and "image 2"), else BFL's documented formula."""
        garment = request.garments[0]
        fields = {"person": request.person.to_base64(), "garment": garment.image.to_base64()}
        if not request.prompt:
            fields["prompt"] = vto_prompt(garment.category)
            notices.append(Notice("prompt-from-template", f"{self.model_id} needs a prompt: tryon sent BFL's "
                                  f"formula {fields['prompt']!r}", option="prompt", applied=fields["prompt"]))
        return fields

    def _kontext_ratio(self, request: Request) -> tuple[str | None, Notice | None]:
        ratio = request.aspect_ratio
        wh = parse_size(request.size or "")
        if wh is None:
            return ratio, None
        sizes = self.capabilities.sizes
        exact = Fraction(*wh)
        from_size = aspect_ratio_of(request.size or "", KONTEXT_RATIOS) or f"{exact.numerator}:{exact.denominator}"
        if not sizes.accepts_ratio(from_size):
            raise InvalidOptionError(
                [Problem("size", request.size, f"{self.model_id} takes {sizes.describe()}; "
                         f"size={request.size!r} is {from_size}")],
                model=self.model_id,
            )
        if ratio is not None and parse_ratio(ratio) != exact:
            raise InvalidOptionError(
                [
                    Problem(
                        "aspect_ratio",
                        ratio,
                        f"size={request.size!r} is {from_size}, "
                        f"which contradicts aspect_ratio={ratio!r}; set only one",
                    )
                ],
                model=self.model_id,
            )
        return from_size, Notice(
            "size-as-aspect-ratio",
            f"{self.model_id} takes an aspect ratio: size={request.size!r} was sent as "
            f"aspect_ratio={from_size!r} (the output is about 1 megapixel)",
            option="size",
            original=request.size,
            applied=from_size,
        )

    def _inputs(self, request: EditRequest) -> dict[str, str]:
        if self.family == "expand":  # FLUX.1 Expand: the one image; the sides come as provider options
            return {"image": request.images[0].to_base64()}
        if self.family not in ("fill", "erase"):
            return _image_fields(request.images)
        if self.family == "erase" and request.mask is None:
            raise InvalidOptionError(
                [Problem("mask", None, f"{self.model_id} needs a mask marking what to erase "
                         "(transparent = erase); pass mask=...")],
                model=self.model_id,
            )
        fields = {"image": request.images[0].to_base64()}
        if request.mask is not None:
            # tryon's mask is transparent = edit; Fill wants white = fill, black = keep.
            fields["mask"] = mask_to_white_edit(request.mask).to_base64()
        return fields

    # ------------------------------------------------------------------ calls

    def _run(self, request: Request) -> Generation:
        body, notices = self.body(request)
        client = BFLClient(self.settings, self.model_id, self._model.path(self.model_id))
        task, result = client.run(body)
        image = GeneratedImage.from_bytes(
            result.data, seed=result.seed, provider=PROVIDER, model=self.model_id
        )
        credits = task.cost_credits
        return Generation(
            images=[image],
            model=self.model_id,
            provider=PROVIDER,
            usage=Usage(credits=credits) if credits is not None else None,
            warnings=notices,
            request_id=task.id,
            request_ids=(task.id,),
            raw=result.answer,
        )

    def generate(self, request: GenerateRequest) -> Generation:
        """Text to image (FLUX.2, Kontext)."""
        return self._run(request)

    def edit(self, request: EditRequest) -> Generation:
        """Reference-image editing (FLUX.2: up to 8, Kontext: up to 4) or masked fill (Fill)."""
        return self._run(request)

    def try_on(self, request: TryOnRequest) -> Generation:
        """Virtual try-on (FLUX VTO): the person of the request wearing its one garment image."""
        return self._run(request)

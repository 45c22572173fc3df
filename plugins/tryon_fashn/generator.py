"""FASHN models behind the tryon protocol: try-on requests become ``/v1/run`` bodies, predictions results."""

from __future__ import annotations

from typing import Any

from tryon.capabilities import Capabilities
from tryon.errors import InvalidOptionError, Problem
from tryon.notice import Notice
from tryon.request import TryOnRequest
from tryon.results import GeneratedImage, Generation, Usage

from .client import FashnClient
from .models import FashnModel
from .settings import PROVIDER, FashnSettings

__all__ = ["FashnGenerator"]


class FashnGenerator:
    """One FASHN try-on model (``tryon-v1.6``, ``tryon-max``) on the FASHN API.

    Its tryon id is ``fashn-<model_name>`` (``fashn-tryon-v1.6``); the bare ``model_name`` is an alias.
    """

    provider = PROVIDER

    def __init__(self, name: str, model: FashnModel, settings: FashnSettings | None = None) -> None:
        self.name = name
        self.model_id = f"fashn-{name}"
        self.aliases = (name,)
        self._model = model
        self.settings = settings or FashnSettings()

    @property
    def capabilities(self) -> Capabilities:
        return self._model.capabilities

    def __repr__(self) -> str:
        return f"FashnGenerator({self.model_id!r})"

    def configure(self, **settings: Any) -> FashnGenerator:
        """A copy with these settings (``api_key``, ``base_url``, ``timeout``, ``poll_interval``, ...)."""
        return FashnGenerator(self.name, self._model, FashnSettings.build(self.settings, **settings))

    def check_credentials(self) -> None:
        """Raise ``MissingCredentialsError`` when no API key is configured (nothing is sent)."""
        self.settings.resolved_key()

    # ------------------------------------------------------------------ request translation

    def body(self, request: TryOnRequest) -> tuple[dict[str, Any], list[Notice]]:
        """The ``/v1/run`` body for *request* (``{"model_name", "inputs"}``) and notices about the mapping.

        The router has already refused what the model cannot honour (categories, modes, photo types,
        prompt, mask, sizes, formats, the seed range).
        """
        caps = self.capabilities.try_on
        assert caps is not None
        garment = request.garments[0]
        inputs: dict[str, Any] = {
            "model_image": _image(request.person),
            self._model.garment_field: _image(garment.image),
        }
        notices: list[Notice] = []
        if self.name == "tryon-v1.6":
            word = caps.category_word(garment.category)
            if word is None:  # the router refuses these first; a direct call gets the same answer
                raise InvalidOptionError([Problem("category", garment.category,
                                                  f"{self.model_id} takes the categories "
                                                  f"{', '.join(caps.accepted_categories())} (or none)")],
                                         model=self.model_id)
            inputs["category"] = word
            if garment.category is not None and word != caps.categories.get(garment.category):
                notices.append(Notice("category-as-parent", f"{self.model_id} has no {garment.category!r}: the "
                                      f"garment was sent as FASHN's {word!r}", option="category",
                                      original=garment.category, applied=word))
            photo = caps.photo_type_word(request.garment_photo_type)
            if photo is not None:
                inputs["garment_photo_type"] = photo
            if request.moderation is not None:
                inputs["moderation_level"] = request.moderation
        elif request.prompt:
            inputs["prompt"] = request.prompt
        mode = caps.mode_word(request.mode)
        if mode is not None:
            inputs["mode" if self.name == "tryon-v1.6" else "generation_mode"] = mode
        if request.aspect_ratio is not None:
            inputs["aspect_ratio"] = request.aspect_ratio
        if request.n > 1:
            inputs[self._model.count_field] = request.n
        if request.seed is not None:  # within the declared seed_range (checked by the router)
            inputs["seed"] = request.seed
        if request.output_format is not None:
            inputs["output_format"] = request.output_format
        inputs.update(request.provider_options_dict())
        return {"model_name": self.name, "inputs": inputs}, notices

    # ------------------------------------------------------------------ calls

    def try_on(self, request: TryOnRequest) -> Generation:
        """Dress the person in the garment (one call: up to 4 images; the router fans out beyond)."""
        body, notices = self.body(request)
        client = FashnClient(self.settings, self.model_id)
        prediction = client.run(body)
        images = [GeneratedImage.from_bytes(data, index=i, seed=request.seed, provider=PROVIDER, model=self.model_id)
                  for i, data in enumerate(prediction.images)]
        return Generation(
            images=images,
            model=self.model_id,
            provider=PROVIDER,
            usage=Usage(credits=prediction.credits) if prediction.credits is not None else None,
            warnings=notices,
            request_id=prediction.id,
            request_ids=(prediction.id,),
            raw=prediction.answer,
        )


def _image(image: Any) -> str:
    """An input as FASHN takes it: a base64 data URL with its media type (``data:image/png;base64,...``)."""
    return str(image.to_data_url())

"""The protocol every provider's generator implements.

A generator serves one model. The router has already validated the request against
``capabilities``, prepared the input images (:class:`tryon.media.InputImage`) and mask (a PNG
with alpha, transparent = edit), split ``n`` so that it never exceeds
``capabilities.max_images_per_call``, and converted provider options into the model's typed
options class. A generator only translates the request for its provider and the answer back.

Optional members, used when present:

- ``agenerate(request)`` / ``aedit(request)``: native async versions (else the core runs the
  sync ones in threads);
- ``stream(request)``: an iterator of :class:`~tryon.results.PartialImage` then the final
  :class:`~tryon.results.Generation` (models with ``capabilities.streaming``);
- ``estimate(request)``: a :class:`~tryon.results.Estimate` made from the request alone;
- ``check_credentials()``: raise :class:`~tryon.errors.MissingCredentialsError` when no key is
  configured, without any network call (dry runs and batch pre-flights call it for every model);
- ``aliases``: other names the router resolves to this generator;
- ``configure(**settings)``: a copy of the generator with provider settings (``api_key``,
  ``base_url``, ``timeout``, ...) applied.

A generator implements the methods of the operations its capabilities declare: ``generate``
for ``Operation.GENERATE``, ``edit`` for ``Operation.EDIT``, and ``try_on`` (optionally
``atry_on``) for a dedicated try-on model (``Operation.TRY_ON`` without a composition; see
:class:`TryOnGenerator`). A model that serves try-on by composition needs no ``try_on``: the
core calls its ``edit``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from tryon.capabilities import Capabilities
from tryon.request import EditRequest, GenerateRequest, TryOnRequest
from tryon.results import Generation

__all__ = ["ImageGenerator", "TryOnGenerator"]


@runtime_checkable
class ImageGenerator(Protocol):
    """One model of one provider, with its declared capabilities."""

    @property
    def model_id(self) -> str: ...

    @property
    def provider(self) -> str: ...

    @property
    def capabilities(self) -> Capabilities: ...

    def generate(self, request: GenerateRequest) -> Generation:
        """Text to image."""
        ...

    def edit(self, request: EditRequest) -> Generation:
        """Edit or condition on input images (optionally within a mask)."""
        ...


@runtime_checkable
class TryOnGenerator(Protocol):
    """A dedicated try-on model (``Operation.TRY_ON`` with ``Capabilities.try_on.composition=None``).

    ``try_on`` receives a checked :class:`~tryon.request.TryOnRequest` whose ``person``, each
    garment's ``image`` and ``mask`` are prepared :class:`tryon.media.InputImage` values (the mask
    as for edits: a PNG with alpha, transparent = change), whose ``n`` is at most
    ``capabilities.max_images_per_call``, and whose ``mode``, ``garment_photo_type`` and garment
    categories are ones the model declares: send ``capabilities.try_on.category_word(...)``,
    ``mode_word(...)`` and ``photo_type_word(...)``. ``atry_on`` is an optional native async version.
    """

    @property
    def model_id(self) -> str: ...

    @property
    def provider(self) -> str: ...

    @property
    def capabilities(self) -> Capabilities: ...

    def try_on(self, request: TryOnRequest) -> Generation:
        """Dress the request's person in its garments."""
        ...

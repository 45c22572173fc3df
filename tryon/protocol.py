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
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from tryon.capabilities import Capabilities
from tryon.request import EditRequest, GenerateRequest
from tryon.results import Generation

__all__ = ["ImageGenerator"]


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

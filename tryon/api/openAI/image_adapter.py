"""``GPTImageAdapter``: the seed's GPT-Image API, served by tryon's router and GPT-Image plugin.

Code written against the seed keeps working unchanged::

    from tryon.api.openAI.image_adapter import GPTImageAdapter

    adapter = GPTImageAdapter()                      # key from OPENAI_API_KEY
    images = adapter.generate_text_to_image("A female model in a traditional green saree")
    with open("result_0.png", "wb") as f:
        f.write(images[0])

There is no second code path: every call goes through a private :class:`tryon.Router`, so
requests are validated against the model's declared capabilities before anything is sent,
inputs may be anything the core accepts (paths, URLs, base64, bytes, PIL images...), masks
follow the seed's convention (black = edit, white = keep) and failures are tryon's typed
errors. See ``docs/seed-compatibility.md`` for where the seed's documentation and today's
service differ.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from typing import Any

from tryon.capabilities import Capabilities
from tryon.errors import InvalidOptionError, MissingCredentialsError, Problem, UnknownModelError
from tryon.router import Router
from tryon.secrets import Secret

__all__ = ["DEFAULT_MODEL_VERSION", "MAX_N", "GPTImageAdapter"]

DEFAULT_MODEL_VERSION = "gpt-image-2.6-sunburst"
PROVIDER = "openai"
ENV_VAR = "OPENAI_API_KEY"
MAX_N = 10
"""The seed's limit on images per call (``n`` from 1 to 10)."""
INSTALL_HINT = "GPTImageAdapter needs the openai package: pip install 'tryon[openai]'"


def _require_openai() -> None:
    try:
        import openai  # noqa: F401
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc


def _check_n(n: Any) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_N:
        raise InvalidOptionError([Problem(
            "n", n, f"n={n!r} must be a whole number from 1 to {MAX_N} "
                    "(for more images per request use tryon.generate, which splits them into calls)")])


def _warn_fidelity_left_out(model: str) -> None:
    # a UserWarning: Python's default filter shows it once per calling line
    warnings.warn(f"{model} has no input_fidelity parameter (its input images are read at high fidelity, "
                  "per third-party references): input_fidelity='high' was left out. For the explicit control "
                  "use model_version='gpt-image-1.5' on an endpoint that still serves it (serves_retired=True)",
                  UserWarning, stacklevel=3)


class GPTImageAdapter:
    """OpenAI's GPT image models with the seed's interface (methods return ``List[bytes]``).

    ``api_key`` defaults to the ``OPENAI_API_KEY`` environment variable; ``model_version``
    is any GPT image model the openai plugin declares (``gpt-image-2.6-sunburst``, the default,
    ``gpt-image-2``, ``gpt-image-1.5``, ``gpt-image-1``, ...). The seed's default, ``gpt-image-1.5``,
    was shut down by OpenAI on 2026-12-01; the default is its successor. Raises ``ValueError``
    (:class:`tryon.MissingCredentialsError`)
    without a key, ``ValueError`` for an unknown model and ``ImportError`` without the
    ``openai`` package — all at construction, before any request.

    A model past its shutdown date (``gpt-image-1``, ``gpt-image-1.5``) raises :class:`tryon.ModelRetiredError`
    on the first call, before anything is sent, unless the endpoint in use still serves it:
    pass ``serves_retired=True`` or set ``TRYON_SERVES_RETIRED=gpt-image-1.5`` (no code change),
    e.g. with ``OPENAI_BASE_URL`` pointing at an OpenAI-compatible endpoint or Azure.
    """

    def __init__(self, api_key: str | None = None, model_version: str = DEFAULT_MODEL_VERSION, *,
                 serves_retired: bool = False) -> None:
        _require_openai()
        router = Router()
        self.model_version = self._resolve_model(router, model_version)
        key = api_key or os.environ.get(ENV_VAR)
        if not key:
            raise MissingCredentialsError(PROVIDER, [ENV_VAR])
        router.configure(PROVIDER, api_key=Secret(key))
        if serves_retired:
            router.configure(PROVIDER, serves_retired=True)
        self._router = router

    def __repr__(self) -> str:
        return f"GPTImageAdapter(model_version={self.model_version!r})"

    @staticmethod
    def _resolve_model(router: Router, model_version: str) -> str:
        valid = [info.model for info in router.models(provider=PROVIDER)]
        try:
            model = router.resolve_name(model_version)
        except UnknownModelError:
            model = None
        if model is not None and model in valid:
            return model
        if not valid:
            hint = ("no GPT image models are registered: is the tryon openai plugin installed "
                    "(see `tryon plugins`)?")
        else:
            hint = "valid model versions: " + ", ".join(valid)
        message = f"model_version={model_version!r} is not a GPT image model; {hint}"
        raise InvalidOptionError([Problem("model_version", model_version, message)])

    @property
    def capabilities(self) -> Capabilities:
        """The declared :class:`tryon.Capabilities` of this adapter's model."""
        return self._router.info(self.model_version).capabilities

    def generate_text_to_image(self, prompt: str, size: str = "1024x1024", quality: str = "high",
                               background: str = "opaque", n: int = 1) -> list[bytes]:
        """Generate ``n`` images (1-10) from *prompt*; returns each image's bytes (PNG by default).

        ``size``: ``1024x1024``, ``1536x1024``, ``1024x1536``, ``auto`` (``gpt-image-2`` and later
        also take other ``WxH`` sizes); ``quality``: ``low``, ``medium``, ``high``, ``auto``;
        ``background``: ``transparent``, ``opaque``, ``auto``. Invalid values raise ``ValueError``
        before any request.
        """
        _check_n(n)
        generation = self._router.generate(prompt, model=self.model_version, size=size, quality=quality,
                                           background=background, n=n)
        return [image.data for image in generation.images]

    def generate_image_edit(self, images: Any | Sequence[Any], prompt: str, size: str = "1024x1024",
                            quality: str = "high", input_fidelity: str = "low", mask: Any = None,
                            n: int = 1, background: str | None = None) -> list[bytes]:
        """Edit *images* (one input or a list: paths, URLs, base64, bytes, PIL images) following *prompt*.

        ``mask``: black = edit, white = keep (converted to the alpha mask the service expects).
        ``input_fidelity``: ``low`` (the service's default) or ``high``. Models without fidelity
        control (``gpt-image-2`` and later, among them the default ``gpt-image-2.6-sunburst``) take
        no such parameter (the SDK says to omit it; third-party references say they read input
        images at high fidelity): it is left out, and ``high`` warns (``UserWarning``) that it was. Any other
        value raises ``ValueError``. ``background`` (not in the seed's documentation, but taken by
        its code) is optional.
        """
        _check_n(n)
        options: dict[str, Any] = {"size": size, "quality": quality, "n": n}
        if background is not None:
            options["background"] = background
        if mask is not None:
            options["mask"] = mask
        if self.capabilities.input_fidelity or input_fidelity not in ("low", "high"):
            options["input_fidelity"] = input_fidelity
        elif input_fidelity == "high":
            _warn_fidelity_left_out(self.model_version)
        generation = self._router.edit(images, prompt, model=self.model_version, **options)
        return [image.data for image in generation.images]

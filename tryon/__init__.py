"""tryon: generate and edit images through many providers behind one capability-aware interface.

The common case::

    import tryon
    gen = tryon.generate("A leather handbag, studio lighting", model="gpt-image-1.5",
                         background="transparent", n=4)
    for image in gen.images:
        image.save("catalog/")

``import tryon`` imports no provider SDK and not Pillow; plugins load on first use.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from typing import Any

from tryon.capabilities import FEATURES, Capabilities, Deviations, Lifecycle, Operation, Rule
from tryon.errors import (
    AuthenticationError,
    ContentPolicyError,
    InvalidInputError,
    InvalidOptionError,
    InvalidResponseError,
    MissingCredentialsError,
    ModelRetiredError,
    NoModelAvailableError,
    NoModelFitsError,
    PartialResultError,
    PermissionDeniedError,
    PluginError,
    Problem,
    ProviderError,
    ProviderRequestError,
    ProviderTimeoutError,
    RateLimitError,
    ServiceUnavailableError,
    TryOnError,
    UnknownModelError,
    UnsafeURLError,
    UnsupportedOptionError,
    ValidationError,
)
from tryon.hookspecs import hookimpl
from tryon.media.limits import InputLimits
from tryon.notice import Notice
from tryon.protocol import ImageGenerator, TryOnGenerator
from tryon.provenance import Provenance, Source, SourceKind
from tryon.request import EditRequest, GenerateRequest, Request, TryOnRequest
from tryon.results import Estimate, GeneratedImage, Generation, PartialImage, Skip, Usage
from tryon.router import ModelInfo, RetiredModelWarning, Router
from tryon.secrets import install_log_redaction as _install_log_redaction
from tryon.sizes import SizeRule, Sizes
from tryon.vto import CATEGORIES, Composition, Garment, TryOnCapabilities

_install_log_redaction()  # no key in any log record of tryon or the libraries it drives

__version__ = "0.1.0"

__all__ = [
    "CATEGORIES",
    "FEATURES",
    "AuthenticationError",
    "Capabilities",
    "Composition",
    "ContentPolicyError",
    "Deviations",
    "EditRequest",
    "Estimate",
    "Garment",
    "GenerateRequest",
    "GeneratedImage",
    "Generation",
    "ImageGenerator",
    "InputLimits",
    "InvalidInputError",
    "InvalidOptionError",
    "InvalidResponseError",
    "Lifecycle",
    "MissingCredentialsError",
    "ModelInfo",
    "ModelRetiredError",
    "NoModelAvailableError",
    "NoModelFitsError",
    "Notice",
    "Operation",
    "PartialImage",
    "PartialResultError",
    "PermissionDeniedError",
    "PluginError",
    "Problem",
    "Provenance",
    "ProviderError",
    "ProviderRequestError",
    "ProviderTimeoutError",
    "RateLimitError",
    "Request",
    "RetiredModelWarning",
    "Router",
    "Rule",
    "ServiceUnavailableError",
    "SizeRule",
    "Sizes",
    "Skip",
    "Source",
    "SourceKind",
    "TryOnCapabilities",
    "TryOnError",
    "TryOnGenerator",
    "TryOnRequest",
    "UnknownModelError",
    "UnsafeURLError",
    "UnsupportedOptionError",
    "Usage",
    "ValidationError",
    "__version__",
    "aedit",
    "agenerate",
    "astream",
    "atry_on",
    "default_router",
    "edit",
    "estimate",
    "estimate_try_on",
    "explain",
    "explain_try_on",
    "generate",
    "hookimpl",
    "models",
    "plugin_report",
    "reset_default_router",
    "stream",
    "try_on",
]

DEFAULT_MODEL = "gpt-image-1.5"

_router: Router | None = None
_router_lock = threading.Lock()


def default_router() -> Router:
    """The process-wide router over the installed plugins (created on first use)."""
    global _router
    with _router_lock:
        if _router is None:
            _router = Router()
        return _router


def reset_default_router(router: Router | None = None) -> None:
    """Replace (or forget, to rebuild on next use) the process-wide router."""
    global _router
    with _router_lock:
        _router = router


def generate(prompt: str, *, model: str | Sequence[str] = DEFAULT_MODEL, strict: bool | None = None,
             **options: Any) -> Generation:
    """Generate images from *prompt*. Options the model cannot honour raise before any call."""
    return default_router().generate(prompt, model=model, strict=strict, **options)


def edit(images: Any, prompt: str, *, model: str | Sequence[str] = DEFAULT_MODEL,
         strict: bool | None = None, **options: Any) -> Generation:
    """Edit *images* following *prompt* (``mask``: black = edit, white = keep)."""
    return default_router().edit(images, prompt, model=model, strict=strict, **options)


async def agenerate(prompt: str, *, model: str | Sequence[str] = DEFAULT_MODEL,
                    strict: bool | None = None, **options: Any) -> Generation:
    """Async :func:`generate`; ``n`` beyond one call runs as parallel calls."""
    return await default_router().agenerate(prompt, model=model, strict=strict, **options)


async def aedit(images: Any, prompt: str, *, model: str | Sequence[str] = DEFAULT_MODEL,
                strict: bool | None = None, **options: Any) -> Generation:
    """Async :func:`edit`."""
    return await default_router().aedit(images, prompt, model=model, strict=strict, **options)


def try_on(person: Any, garments: Any, *, model: str | Sequence[str] = DEFAULT_MODEL, strict: bool | None = None,
           **options: Any) -> Generation:
    """Dress *person* in *garments* (one image or a list; each a :class:`Garment`, a mapping
    ``{"image": ..., "category": ...}`` or an image). ``category="top"`` tags every garment given
    without one. What the model cannot honour is refused before any call; see docs/try-on.md."""
    return default_router().try_on(person, garments, model=model, strict=strict, **options)


async def atry_on(person: Any, garments: Any, *, model: str | Sequence[str] = DEFAULT_MODEL,
                  strict: bool | None = None, **options: Any) -> Generation:
    """Async :func:`try_on`."""
    return await default_router().atry_on(person, garments, model=model, strict=strict, **options)


def estimate_try_on(person: Any, garments: Any, *, model: str | Sequence[str] = DEFAULT_MODEL,
                    **options: Any) -> Estimate:
    """The cost of a :func:`try_on`, estimated before any call."""
    return default_router().estimate_try_on(person, garments, model=model, **options)


def explain_try_on(model: str | Sequence[str], garments: Any = ("(garment)",), **options: Any) -> list[str]:
    """Why *model* cannot serve a try-on with these options (empty = it can); sends nothing."""
    return default_router().explain_try_on(model, garments, **options)


def stream(prompt: str, *, model: str = DEFAULT_MODEL, images: Any = None,
           **options: Any) -> Iterator[PartialImage | Generation]:
    """Partial images as they arrive, then the final :class:`Generation`."""
    return default_router().stream(prompt, model=model, images=images, **options)


def astream(prompt: str, *, model: str = DEFAULT_MODEL, images: Any = None,
            **options: Any) -> AsyncIterator[PartialImage | Generation]:
    """Async :func:`stream`."""
    return default_router().astream(prompt, model=model, images=images, **options)


def models(*, supports: Iterable[str] | str = (), provider: str | None = None,
           retiring: str | int | dt.date | None = None, include_retired: bool = True) -> list[ModelInfo]:
    """Registered models, filtered by features (``{"transparent_background", "mask"}``), and with
    ``retiring="90d"`` (``30d``, ``2w``, an ISO date) to those whose shutdown date comes by then."""
    return default_router().models(supports=supports, provider=provider, retiring=retiring,
                                   include_retired=include_retired)


def explain(model: str | Sequence[str], prompt: str = "(prompt)", **options: Any) -> list[str]:
    """Why *model* cannot serve a request with these options (empty = it can); sends nothing."""
    return default_router().explain(model, prompt, **options)


def estimate(prompt: str, *, model: str | Sequence[str] = DEFAULT_MODEL, **options: Any) -> Estimate:
    """The cost of a request estimated before any call (for a preference list: of the model that would serve)."""
    return default_router().estimate(prompt, model=model, **options)


def plugin_report() -> list[Any]:
    """Loaded plugins with versions, and those that failed with their error."""
    from tryon.plugins import plugin_report as report

    return report()

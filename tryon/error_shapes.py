"""A provider's own error shape, read by its plugin and typed by the core.

The core's HTTP layer (:func:`tryon.http.send`, :func:`tryon.http.raise_for_response`) types
an HTTP error by its status and by the common JSON error bodies. A provider whose errors say
more than the status does (a 403 whose body says ``content_moderation`` is a content-policy
refusal, not a permission problem) gives ``send`` an *error reader*: a function that receives
the error answer as an :class:`ErrorAnswer` and returns :class:`ErrorDetails` — the message,
the provider's code and, where the status alone would pick the wrong one, the tryon error
class — or ``None`` to keep the core's reading::

    from tryon.error_shapes import ErrorAnswer, ErrorDetails
    from tryon.errors import ContentPolicyError

    def read_error(answer: ErrorAnswer) -> ErrorDetails | None:
        body = answer.json if isinstance(answer.json, dict) else {}
        if answer.status == 403 and body.get("name") == "content_moderation":
            return ErrorDetails("; ".join(body.get("errors") or ()) or answer.message,
                                code="content_moderation", error=ContentPolicyError)
        return None

    response = send(session, "POST", url, provider="acme", read_error=read_error, ...)

The core still fills in the provider, model, status, request id, ``retry_after`` and the
redaction of keys; the reader only reads. A reader that raises, or returns something other
than ``ErrorDetails`` or ``None``, is a plugin bug: the core then keeps its own reading (and
logs the bug) rather than losing the provider's error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from tryon.errors import ProviderError

__all__ = ["ErrorAnswer", "ErrorDetails", "ErrorReader"]


def _is_provider_error(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None and not (isinstance(value, type) and issubclass(value, ProviderError)):
        raise TypeError(f"ErrorDetails.error must be a subclass of tryon.errors.ProviderError, not {value!r}")


@attrs.frozen
class ErrorAnswer:
    """An HTTP error answer as an error reader sees it (read-only; the connection is closed).

    ``message`` and ``code`` are the core's own reading of the body (the common JSON shapes, a
    short text body, or the reason phrase), so a reader can reuse them.
    """

    status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    """The response headers (case-insensitive lookup)."""
    content: bytes = attrs.field(repr=lambda b: f"<{len(b)} bytes>")
    """The raw body."""
    message: str
    code: str | None = None

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.content.decode("utf-8", "replace")

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is not JSON."""
        try:
            return json.loads(self.content) if self.content else None
        except (ValueError, UnicodeDecodeError):
            return None


@attrs.frozen
class ErrorDetails:
    """What an error reader found: the message to show, the provider's code, and optionally the
    tryon error class to raise (``None`` = choose it from the status, as the core does)."""

    message: str
    code: str | None = None
    error: type[ProviderError] | None = attrs.field(default=None, validator=_is_provider_error)


ErrorReader = Callable[[ErrorAnswer], ErrorDetails | None]
"""An error reader: ``ErrorDetails`` for answers it understands, ``None`` for the others."""

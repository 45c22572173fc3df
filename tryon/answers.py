"""Reading a provider's answer safely: a field of the wrong shape is a typed error, never a crash.

A service (or something between it and us) can answer 200 with a body that is valid JSON but
not the API's shape: ``"data": "x"``, ``"parts": 5``, ``"candidates": null``, numbers where
strings belong. Answer parsers in plugins read every field through an :class:`AnswerReader`,
which raises :class:`~tryon.errors.InvalidResponseError` naming the field, what it holds and
what was expected, instead of letting an ``AttributeError`` or ``TypeError`` escape::

    read = AnswerReader("acme", model, request_id=rid)
    for i, item in enumerate(read.items(read.get(body, "images"), "images")):
        b64 = read.text(read.get(item, f"images[{i}]", "b64"), f"images[{i}].b64")

Works on JSON mappings and on SDK response objects (attributes) alike. Informational fields
(usage counts, a revised prompt) are read with :meth:`AnswerReader.count` and
``optional=True``/``lenient=True``: a value of the wrong type there is dropped, not fatal,
so a paid image is never lost over a malformed token count.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tryon.errors import InvalidResponseError

__all__ = ["AnswerReader", "shape_of"]

_SCALARS = (str, bytes, bytearray, int, float, bool, list, tuple, type(None))


def shape_of(value: Any) -> str:
    """A short description of *value* for messages: its JSON-ish type and a clipped repr."""
    if value is None:
        return "null"
    kind = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            tuple: "a list", dict: "an object"}.get(type(value), type(value).__name__)
    if isinstance(value, (list, tuple, dict)):
        return f"{kind} of {len(value)}"
    text = repr(value)
    return f"{kind} ({text[:40]}{'...' if len(text) > 40 else ''})"


class AnswerReader:
    """Reads one answer of *provider*/*model*; shape errors name the field (``data[0].b64_json``)."""

    def __init__(self, provider: str, model: str, *, request_id: str | None = None, what: str = "answer") -> None:
        self.provider = provider
        self.model = model
        self.request_id = request_id
        self.what = what

    def error(self, message: str) -> InvalidResponseError:
        """An :class:`InvalidResponseError` for this answer (raise it)."""
        return InvalidResponseError(message, provider=self.provider, model=self.model, request_id=self.request_id)

    def wrong(self, where: str, value: Any, expected: str) -> InvalidResponseError:
        return self.error(f"malformed {self.what}: {where} is {shape_of(value)}, expected {expected}")

    @staticmethod
    def is_record(value: Any) -> bool:
        """A JSON object or an SDK response object (anything with fields, not a scalar or list)."""
        return isinstance(value, Mapping) or not isinstance(value, _SCALARS)

    def get(self, obj: Any, name: str, default: Any = None) -> Any:
        """Field *name* of a mapping or an object (``default`` when absent)."""
        if isinstance(obj, Mapping):
            return obj.get(name, default)
        if isinstance(obj, _SCALARS):
            return default
        return getattr(obj, name, default)

    def record(self, value: Any, where: str, *, optional: bool = False) -> Any:
        """*value* when it is an object (``None`` too when *optional*), else an error naming *where*."""
        if value is None and optional:
            return None
        if self.is_record(value):
            return value
        raise self.wrong(where, value, "an object")

    def mapping(self, value: Any, where: str, *, optional: bool = False) -> Mapping[str, Any] | None:
        """*value* when it is a JSON object (``None`` too when *optional*), else an error naming *where*."""
        if value is None and optional:
            return None
        if isinstance(value, Mapping):
            return value
        raise self.wrong(where, value, "an object")

    def items(self, value: Any, where: str, *, optional: bool = False) -> list[Any]:
        """*value* as a list (``[]`` for ``None`` when *optional*), else an error naming *where*."""
        if value is None and optional:
            return []
        if isinstance(value, (list, tuple)):
            return list(value)
        raise self.wrong(where, value, "a list")

    def text(self, value: Any, where: str, *, optional: bool = False, lenient: bool = False) -> str | None:
        """*value* as a string. ``optional``: ``None`` may stand in; ``lenient``: a wrong type
        is dropped (``None``) instead of raising."""
        if isinstance(value, str):
            return value
        if value is None and (optional or lenient):
            return None
        if lenient:
            return None
        raise self.wrong(where, value, "a string")

    def integer(self, value: Any, where: str) -> int:
        """*value* as a whole number (not a boolean), else an error naming *where*."""
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise self.wrong(where, value, "a whole number")

    @staticmethod
    def count(value: Any) -> int | None:
        """An informational count (tokens): a non-negative whole number, anything else ``None``."""
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None

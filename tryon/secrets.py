"""Keep API keys out of messages, reprs, logs and files.

Every key a plugin resolves is registered with :func:`remember`; :func:`redact`
replaces any registered key (and anything shaped like a well-known key) with a
short fingerprint that cannot be reversed.
"""

from __future__ import annotations

import re
import threading

__all__ = ["Secret", "redact", "remember"]

_lock = threading.Lock()
_known: set[str] = set()
_KEY_SHAPES = re.compile(r"\b(?:sk-[A-Za-z0-9_\-]{8,}|bfl_[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{20,})")


def remember(key: str | None) -> None:
    """Register a secret so that :func:`redact` hides it wherever it appears."""
    if key and len(key) >= 4:
        with _lock:
            _known.add(key)


def _mask(key: str) -> str:
    return f"***{key[-2:]}" if len(key) > 12 else "***"


def redact(text: str) -> str:
    """Return *text* with every known or key-shaped secret masked."""
    if not text:
        return text
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for key in known:
        if key in text:
            text = text.replace(key, _mask(key))
    return _KEY_SHAPES.sub(lambda m: _mask(m.group(0)), text)


class Secret:
    """A string that never shows itself in ``repr``/``str``; ``.value`` gives it."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value
        remember(value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __bool__(self) -> bool:
        return bool(self.value)
